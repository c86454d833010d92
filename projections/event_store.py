"""The event store recorders, with batches appended in bulk (COPY on PostgreSQL).

eventsourcing 9.5 sends a batch as one array of a composite type in text form;
escaping that array took longer than the database's own work (about 40 µs an
event). A batch of ``COPY_FROM`` events or more is appended with binary COPY
instead, inside the same transaction as the recorder's own table lock and
notification, so the notification order still equals the commit order and a
duplicate id still fails the whole batch with an IntegrityError. Smaller saves
take eventsourcing's ordinary path (which also returns notification ids); the bulk
use cases (``ledger.bulk``) always stream through ``insert_stream``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteApplicationRecorder, SQLiteCursor
from psycopg.sql import SQL, Identifier

COPY_FROM = 50
EVENT_STORE_CACHE_KIB = 256 * 1024


class CopyingPostgresRecorder(PostgresApplicationRecorder):
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if len(stored_events) < COPY_FROM:
            ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids
        self.insert_stream(stored_events)
        return None

    def insert_stream(self, stored: Iterable[StoredEvent]) -> int:
        """Append events as they come (``ledger.bulk`` encodes them meanwhile) with binary COPY, in
        one transaction; IntegrityError (nothing appended) if any id exists already.

        The server inserts what it has while the next events are encoded: the 100,000-event
        batches of an import were first encoded here and then inserted there, each side idle
        half the time."""
        copy_statement = SQL(
            "COPY {schema}.{table} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        events = iter(stored)
        first = next(events, None)
        if first is None:
            return 0
        count = 0
        # get_connection() turns psycopg's errors into eventsourcing's (IntegrityError included).
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            with curs.copy(copy_statement) as copy:
                copy.set_types([self.datastore.originator_id_type, "int8", "text", "bytea"])
                for event in chain((first,), events):
                    copy.write_row((event.originator_id, event.originator_version, event.topic, event.state))
                    count += 1
        return count


class BatchingSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite: eventsourcing inserts one row at a time to collect each row id; a batch of
    ``COPY_FROM`` events or more goes in one executemany (same transaction, same
    all-or-nothing uniqueness check), without returning ids nobody uses."""

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if len(stored_events) < COPY_FROM:
            ids: Sequence[int] | None = super()._insert_events(c, stored_events, **kwargs)
            return ids
        # A bulk append inserts ids at random places in the primary key's index: with the
        # default 2 MiB page cache, at millions of events nearly every insert read its page
        # back from the operating system. (A connection setting; cheap to repeat.)
        c.execute(f"PRAGMA cache_size=-{EVENT_STORE_CACHE_KIB}")
        return SQLiteAggregateRecorder._insert_events(self, c, stored_events, **kwargs)
