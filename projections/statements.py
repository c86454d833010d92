"""Types shared by the event handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

Statement = tuple[str, tuple[Any, ...]]
Handler = Callable[[Any], list[Statement]]


def _ts(event: Any) -> str:
    """The event's recorded time, ISO 8601 UTC (events reach handlers as plain values)."""
    return str(event.timestamp)


def _json(value: Any) -> str:
    """Canonical JSON text for a read-model column."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def actor(event: Any) -> str:
    return str(event.audit.get("actor", ""))


# Statements that recompute a row from other rows: the runner runs each distinct
# one once, after the rest of the batch, instead of once per event.
DEFERRED: set[str] = set()


def deferred(sql: str) -> str:
    DEFERRED.add(sql)
    return sql
