"""Reading the stored event log in bulk for the read models, straight from the table.

eventsourcing's ``select_notifications`` builds a UUID and a Notification object
per row; the read models need only the stored bytes, so this reads plain rows
(about a sixth of a full replay's time went to those objects).
"""

from __future__ import annotations

from typing import NamedTuple

from projections.database import Database


class StoredRow(NamedTuple):
    """One stored event as the read models and the hash chain see it."""

    id: int
    originator_id: str  # canonical UUID text, as str(UUID) writes it
    originator_version: int
    topic: str
    state: bytes


def _uuid_text(value: str) -> str:
    if len(value) == 32:  # SQLite stores the 32 hex digits
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return value


def read_log(db: Database, table: str, after: int, limit: int) -> list[StoredRow]:
    """Up to ``limit`` stored events after position ``after``, in log order."""
    if db.dialect == "postgresql":
        rows = db.fetchall_binary(
            f"SELECT notification_id, originator_id::text, originator_version, topic, state FROM {table} "
            "WHERE notification_id > ? ORDER BY notification_id LIMIT ?",
            (after, limit),
        )
        # psycopg gives int, str, int, str, bytes: the row is a StoredRow as it is.
        return list(map(StoredRow._make, rows))
    rows = db.fetchall(
        f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
        "WHERE rowid > ? ORDER BY rowid LIMIT ?",
        (after, limit),
    )
    make = StoredRow._make
    return [make((position, _uuid_text(originator_id), version, topic, state))
            for position, originator_id, version, topic, state in rows]
