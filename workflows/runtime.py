"""Open a ledger on a database URL: the event store, the read models and the audit context."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from types import TracebackType

from config.database import parse_database_url
from config.settings import cipher_env
from ledger.application import LedgerApp
from ledger.audit import Audit
from ledger.errors import LedgerError
from projections import runner
from projections.database import Database
from projections.follower import following
from projections.guards import protect
from projections.schema import INDEX_NAMES, VIEWS_VERSION, create_views

# Below this many events, starting a follower process costs more than it saves.
FOLLOW_FROM = 20_000
# Events per event-store transaction in bulk commands (enrolment, computation, import): at a
# million events each SQLite commit writes every index page its batch touched and waits for the
# disk, so fewer, larger commits write far less. PostgreSQL takes half: its follower then starts
# sooner and has less left when the writer ends (1M-line import, three pairs: recording pass
# 26.3-27.9 -> 25.2-25.9 s; on SQLite no difference). (Read at call time: the crash tests lower
# WRITE_BATCH, which then bounds both.)
WRITE_BATCH = 100_000
WRITE_BATCH_POSTGRESQL = 50_000


def write_batch(db: Database) -> int:
    """Events per event-store transaction in a bulk command on this backend."""
    return min(WRITE_BATCH, WRITE_BATCH_POSTGRESQL) if db.dialect == "postgresql" else WRITE_BATCH

# Same key in every process: schema creation is serialised across processes.
_SCHEMA_LOCK = zlib.crc32(b"tledger-schema")


class Progress:
    """Progress reporting port; the CLI plugs in a progress bar, everything else gets this no-op."""

    def start(self, description: str, total: int | None) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class Ledger:
    app: LedgerApp
    db: Database
    audit: Audit
    progress: Progress = field(default_factory=Progress)

    def catch_up(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Bring the read models up to date with the event log."""
        return runner.catch_up(self.app, self.db, on_batch=on_batch)

    def following(self, events: int, changed: str) -> AbstractContextManager[None]:
        """A block that will append about ``events`` events changing the read model
        ``changed``: with enough of them, a second process applies them to the read models
        meanwhile (see projections.follower)."""
        return following(self.app, self.db, enabled=events >= FOLLOW_FROM, changed=(changed,))

    def close(self) -> None:
        self.db.close()
        self.app.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _schema_ready(db: Database) -> bool:
    """PostgreSQL: the event table, the read models at this version (with their indexes: an
    interrupted replay may have left them out) and the guards exist."""
    if db.dialect != "postgresql":
        return False  # SQLite: creating IF NOT EXISTS costs nothing and the owner is the user
    row = db.fetchone(
        "SELECT to_regclass(?) IS NOT NULL AND to_regclass('tl_tracking') IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = ?) "
        "AND (SELECT count(*) FROM pg_class WHERE relname = ANY(?)) = ?",
        (f"{LedgerApp.name}_events", f"{LedgerApp.name}_events_append_only", list(INDEX_NAMES),
         len(INDEX_NAMES)),
    )
    if not row or not row[0]:
        return False
    version = db.fetchone("SELECT position FROM tl_tracking WHERE name = 'views-version'")
    return version is not None and int(version[0]) == VIEWS_VERSION


def _check_cipher(app: LedgerApp) -> None:
    """Refuse to work with a key that cannot read the existing events (or no key when they are
    encrypted): writing on would mix unreadable events into the log."""
    first = app.recorder.select_notifications(start=None, limit=1)
    if not first:
        return
    try:
        app.mapper.to_domain_event(first[0])
    except Exception:
        state = "is set" if app.mapper.cipher else "is not set"
        raise LedgerError(
            f"cannot read this ledger's events: TLEDGER_CIPHER_KEY {state} but the events were written "
            f"{'with another key or without encryption' if app.mapper.cipher else 'encrypted'}"
        ) from None


def open_ledger(url: str, audit: Audit, progress: Progress | None = None) -> Ledger:
    """Connect, creating the event store and read-model tables if needed (idempotent)."""
    database_url = parse_database_url(url)
    db = Database(database_url)
    try:
        with db.advisory_lock(_SCHEMA_LOCK):
            # Schema work only when needed: a least-privilege writer may not run DDL at all.
            build = not _schema_ready(db)
            app = LedgerApp(env={**database_url.eventsourcing_env(), **cipher_env(),
                                 "CREATE_TABLE": "y" if build else "n",
                                 "TRANSCODER_TOPIC": "projections.transcoder:OrjsonTranscoder"})
            if build:
                create_views(db)
                protect(db, app.recorder.events_table_name)  # type: ignore[attr-defined]
        _check_cipher(app)
    except BaseException:
        db.close()
        raise
    return Ledger(app=app, db=db, audit=audit, progress=progress or Progress())
