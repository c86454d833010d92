"""What event handlers return: SQL statements, row inserts and entitlement refreshes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True)
class Insert:
    """One new row. Consecutive inserts into the same table go to the database together
    (COPY on PostgreSQL, executemany on SQLite)."""

    table: str
    columns: tuple[str, ...]
    values: tuple[Any, ...]


Statement = tuple[str, tuple[Any, ...]] | Insert
Handler = Callable[[Any], list[Statement]]


def insert(table: str, **values: Any) -> Insert:
    return Insert(table, tuple(values), tuple(values.values()))


def _ts(event: Any) -> str:
    """The event's recorded time, ISO 8601 UTC (events reach handlers as plain values)."""
    return str(event.timestamp)


def _json(value: Any) -> str:
    """Canonical JSON text for a read-model column."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def actor(event: Any) -> str:
    return str(event.audit.get("actor", ""))
