"""Bring the read models up to date by following the notification log.

Each batch is applied in one transaction that also moves the tracking position,
and the position is re-read inside that transaction (row lock on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite), so two processes catching up at once never
apply the same event twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import Any, NamedTuple

from eventsourcing.application import Application

from ledger.postings import postings
from projections import chain
from projections.database import Database
from projections.log import StoredRow, read_log
from projections.transcoder import view_state
from projections.handlers import HANDLERS
from projections.statements import Into, Statement

TRACKING_NAME = "views"
BATCH_SIZE = 5_000
# After a bulk catch-up the planner's row counts are stale (autovacuum has not run
# yet): with a read model believed to hold 2 rows, PostgreSQL chose nested loops
# that took minutes on 100,000 entitlements.
ANALYZE_AFTER = 5_000
ANALYZED_TABLES = ("tl_households", "tl_entitlements", "tl_payout_lines")


def position(db: Database) -> int:
    row = db.fetchone("SELECT position FROM tl_tracking WHERE name = ?", (TRACKING_NAME,))
    return int(row[0]) if row else 0


def events_table(app: Application[Any]) -> str:
    return str(app.recorder.events_table_name)  # type: ignore[attr-defined]


def lag(app: Application[Any], db: Database) -> int:
    """How many notifications the read models are behind the event log."""
    return max(0, app.recorder.max_notification_id() or 0) - position(db)


def catch_up(
    app: Application[Any],
    db: Database,
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
    analyze: bool = True,
    ahead: Database | None = None,
) -> int:
    """Apply every new event to the read models; returns how many notifications were read.

    A batch is read and prepared (decoded, turned into rows) outside any transaction, then
    applied in one whose locked position must still be where the batch starts; if another
    process applied it meanwhile, the batch is dropped and the next one read. So the write
    lock is held only while rows are written, and a process writing events meanwhile (or a
    second catch-up) is not kept waiting for the decoding.

    ``ahead``: a second connection on which a thread reads and prepares the next batch while
    this one applies the current batch, so the decoding here and the database's writing
    overlap instead of taking turns (the follower behind a bulk command).

    ``analyze``: refresh the planner's statistics after a bulk catch-up (see ANALYZE_AFTER).
    """
    total = 0
    with _ReadAhead(app, batch_size, ahead) as reader:
        start = position(db)
        batch = reader.read(db, start)
        while batch.notifications:
            end = batch.notifications[-1].id
            reader.start_next(end, batch.links.head)
            applied = apply_prepared(db, start, end, batch.prepared, batch.notifications, batch.links)
            if applied:
                total += len(batch.notifications)
                if on_batch is not None:
                    on_batch(len(batch.notifications))
                start, batch = end, reader.next(db)
            else:  # another process moved the read models: start again from where they are
                reader.drop_next()
                start = position(db)
                batch = reader.read(db, start)
    if analyze and total >= ANALYZE_AFTER:
        refresh_statistics(db)
    return total


class _Batch(NamedTuple):
    notifications: list[StoredRow]
    prepared: Prepared
    links: chain.Links  # made from the chain's head as it will be once the batch before is applied


class _ReadAhead:
    """Reads and prepares batches of the log: now, or (with a second connection) the next one
    in a thread while the caller applies the current one."""

    def __init__(self, app: Application[Any], batch_size: int, ahead: Database | None) -> None:
        self._app, self._batch_size, self._ahead = app, batch_size, ahead
        self._table = events_table(app)
        self._pool = ThreadPoolExecutor(1) if ahead is not None else None
        self._next: Future[_Batch] | None = None
        self._after, self._chain_head = 0, (0, chain.GENESIS)

    def read(self, db: Database, after: int, chain_head: tuple[int, str] | None = None) -> _Batch:
        """The batch after position ``after``, linked from ``chain_head`` (default: the chain's
        head now)."""
        notifications = read_log(db, self._table, after, self._batch_size)
        if not notifications:  # nothing new (most catch-ups of a command): no chain look-up
            return _Batch(notifications, Prepared([], {}), chain.Links((after, ""), []))
        links = chain.links_from(chain_head or chain.head(db), notifications)
        return _Batch(notifications, prepare(self._app, notifications), links)

    def start_next(self, after: int, chain_head: tuple[int, str]) -> None:
        """Begin reading the batch after ``after`` (in the thread, if there is one)."""
        self._after, self._chain_head = after, chain_head
        if self._pool is not None and self._ahead is not None:
            self._next = self._pool.submit(self.read, self._ahead, after, chain_head)

    def next(self, db: Database) -> _Batch:
        """The batch begun by ``start_next`` (read here and now without a second connection)."""
        if self._next is None:
            return self.read(db, self._after, self._chain_head)
        future, self._next = self._next, None
        return future.result()

    def drop_next(self) -> None:
        if self._next is not None:
            wait([self._next])  # its connection must be idle before it is used again
            self._next = None

    def __enter__(self) -> _ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop_next()
        if self._pool is not None:
            self._pool.shutdown()


def apply_prepared(
    db: Database, start: int, end: int, prepared: Prepared, notifications: Sequence[StoredRow] = (),
    links: chain.Links | None = None,
) -> bool:
    """Apply the prepared events in (start, end], the chain links of ``notifications`` not yet
    linked (``links``: made ahead, see ``chain.extend``), and the new position, in one
    transaction; False (nothing done) if the position is no longer ``start``."""
    with db.transaction():
        locked = " FOR UPDATE" if db.dialect == "postgresql" else ""
        row = db.fetchone(f"SELECT position FROM tl_tracking WHERE name = ?{locked}", (TRACKING_NAME,))
        if (int(row[0]) if row else 0) != start:
            return False
        run_statements(db, prepared.statements)
        _post(db, prepared.balances)
        chain.extend(db, notifications, links)
        db.execute("UPDATE tl_tracking SET position = ? WHERE name = ?", (end, TRACKING_NAME))
    return True


def refresh_statistics(db: Database, tables: Sequence[str] = ANALYZED_TABLES) -> None:
    """After bulk changes. PostgreSQL: VACUUM (ANALYZE) ``tables`` (a second or two each at a
    million rows), for the planner's statistics and for the visibility map, without which no
    scan is index-only: an import's million reference look-ups then read a random page of the
    entitlements table each (autovacuum may be far behind, or off). SQLite's ``PRAGMA optimize``
    picks the tables that need it itself."""
    if db.dialect == "postgresql":
        db.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    else:
        db.execute("PRAGMA optimize")


class Prepared(NamedTuple):
    """A batch of events as read-model changes: statements in log order, postings per account."""

    statements: list[Statement]
    balances: dict[str, int]


def prepare(app: Application[Any], notifications: Sequence[Any], until: datetime | None = None) -> Prepared:
    """Decode events and turn them into read-model changes (pure: no database access).

    ``until``: skip events recorded after that moment (point-in-time derivations).
    """
    statements: list[Statement] = []
    balances: dict[str, int] = {}
    mapper = app.mapper
    for notification in notifications:
        handler = HANDLERS.get(notification.topic)
        if handler is None:
            continue
        event = view_state(mapper, notification)
        if until is not None and datetime.fromisoformat(event.timestamp) > until:
            continue
        statements += handler(event)
        for account, amount in postings(notification.topic, event):
            balances[account] = balances.get(account, 0) + amount
    return Prepared(statements, balances)


def apply_batch(
    app: Application[Any], db: Database, notifications: Sequence[Any], until: datetime | None = None
) -> None:
    """Apply notifications to the read models (in the caller's transaction)."""
    prepared = prepare(app, notifications, until)
    run_statements(db, prepared.statements)
    _post(db, prepared.balances)


def _post(db: Database, balances: dict[str, int]) -> None:
    """Add a batch's postings, summed per account (a handful of rows per batch).

    An account that nets to zero in the batch still gets its row: the accounts present must
    not depend on how the events were split into batches (live catch-up vs. re-derivation).
    """
    db.executemany(
        "INSERT INTO tl_balances (account, balance) VALUES (?, ?) ON CONFLICT (account) "
        "DO UPDATE SET balance = tl_balances.balance + excluded.balance",
        sorted(balances.items()),
    )


def run_statements(db: Database, statements: list[Statement]) -> None:
    """Run in order, sending consecutive runs of the same insert or statement together."""
    if not statements:
        return
    what = statements[0][0]
    rows: list[tuple[Any, ...]] = []
    for other, params in statements:
        if other is not what and other != what:
            _run(db, what, rows)
            what, rows = other, []
        rows.append(params)
    _run(db, what, rows)


def _run(db: Database, what: str | Into, rows: list[tuple[Any, ...]]) -> None:
    if isinstance(what, Into):
        db.insert_many(what.table, what.columns, rows)
    else:
        db.executemany(what, rows)
