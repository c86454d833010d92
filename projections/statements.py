"""What event handlers return: statements as (what, parameters) pairs.

``what`` is either SQL text or an ``Into`` (a row for a table's columns).
Consecutive statements with the same ``what`` go to the database together
(COPY on PostgreSQL, executemany on SQLite); ``Into`` values are interned so
that test is an identity check in the common case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson


@dataclass(frozen=True)
class Into:
    """New rows for these columns of a table."""

    table: str
    columns: tuple[str, ...]


Statement = tuple[str | Into, tuple[Any, ...]]
Handler = Callable[[Any], list[Statement]]


@lru_cache(maxsize=None)
def into(table: str, columns: tuple[str, ...]) -> Into:
    return Into(table, columns)


def insert(table: str, **values: Any) -> Statement:
    return into(table, tuple(values)), tuple(values.values())


def _ts(event: Any) -> str:
    """The event's recorded time, ISO 8601 UTC (events reach handlers as plain values)."""
    return str(event.timestamp)


def _json(value: Any) -> str:
    """Canonical JSON text for a read-model column."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def actor(event: Any) -> str:
    return str(event.audit.get("actor", ""))
