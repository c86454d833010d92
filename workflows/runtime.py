"""Open a ledger on a database URL: the event store, the read models and the audit context."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from config.database import parse_database_url
from ledger.application import LedgerApp
from ledger.audit import Audit
from projections import runner
from projections.database import Database
from projections.schema import create_views

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


def open_ledger(url: str, audit: Audit, progress: Progress | None = None) -> Ledger:
    """Connect, creating the event store and read-model tables if needed (idempotent)."""
    database_url = parse_database_url(url)
    db = Database(database_url)
    try:
        with db.advisory_lock(_SCHEMA_LOCK):
            app = LedgerApp(env={**database_url.eventsourcing_env(), "CREATE_TABLE": "y",
                                 "TRANSCODER_TOPIC": "projections.transcoder:OrjsonTranscoder"})
            create_views(db)
    except BaseException:
        db.close()
        raise
    return Ledger(app=app, db=db, audit=audit, progress=progress or Progress())
