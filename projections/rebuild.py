"""Full rebuilds and point-in-time derivations of the read models, from events alone."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventsourcing.application import Application

from config.database import DatabaseURL
from projections import runner
from projections.database import Database
from projections.log import read_log
from projections.pipeline import PARALLEL_FROM, parallel_catch_up
from projections.schema import VIEW_TABLES, create_indexes, create_views, drop_indexes, drop_views

BATCH_SIZE = 5_000


def replay(
    app: Application[Any], db: Database, on_batch: Callable[[int], None] | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> int:
    """Drop every read model and rebuild it from the event log (the hash chain is kept).

    The secondary indexes are built once at the end, from the full tables (an interrupted
    replay leaves them to the next ``open_ledger``, which creates what is missing). Batches are
    prepared in a second process from ``parallel_from`` events on (see ``projections.pipeline``).
    """
    drop_views(db)
    drop_indexes(db)
    count = parallel_catch_up(app, db, on_batch=on_batch, parallel_from=parallel_from)
    create_indexes(db)
    runner.refresh_statistics(db)
    return count


def derive(
    app: Application[Any], source: Database, until: datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Database:
    """A fresh in-memory copy of the read models from the events in ``source`` (recorded up to
    ``until``). The live read models are not touched.
    """
    memory = Database(DatabaseURL(url="sqlite:///:memory:", dialect="sqlite", sqlite_path=":memory:"))
    create_views(memory)
    start = 0
    while notifications := read_log(source, runner.events_table(app), start, BATCH_SIZE):
        with memory.transaction():
            runner.apply_batch(app, memory, notifications, until=until)
        start = notifications[-1].id
        if on_batch is not None:
            on_batch(len(notifications))
    return memory


def table_digest(db: Database, table: str) -> tuple[int, str]:
    """(rows, order-independent digest of the rows) of one table: equal contents, equal digests."""
    total, count = 0, 0
    for row in db.execute(f"SELECT * FROM {table}"):
        text = "\x1f".join("\x00" if v is None else str(v) for v in row)
        total = (total + int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")) % (1 << 256)
        count += 1
    return count, f"{total:064x}"


def compare(live: Database, fresh: Database) -> list[str]:
    """Tables whose live contents differ from a fresh derivation."""
    problems = []
    for table in VIEW_TABLES:
        live_rows, live_digest = table_digest(live, table)
        fresh_rows, fresh_digest = table_digest(fresh, table)
        if live_digest != fresh_digest:
            problems.append(
                f"read model {table} differs from a fresh re-derivation from the events "
                f"({live_rows} rows live, {fresh_rows} re-derived)"
            )
    return problems
