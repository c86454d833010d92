"""Point in time: the books as they stood at a moment, derived from events recorded up to then."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from ledger.errors import LedgerError
from projections.database import Database
from projections.rebuild import derive
from workflows.runtime import Ledger


def parse_as_of(text: str) -> datetime:
    """ISO 8601 date or date-time; a date means the end of that day; no zone means UTC."""
    try:
        if len(text.strip()) == 10:
            moment = datetime.combine(date.fromisoformat(text.strip()), time.max)
        else:
            moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise LedgerError(
            f"--as-of '{text}' is not an ISO date or date-time (e.g. 2019-06-30 or 2019-06-30T17:00:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def books_as_of(ledger: Ledger, moment: datetime | None) -> Database:
    """The live read models (caught up) when ``moment`` is None, else a derivation up to it."""
    if moment is None:
        ledger.catch_up()
        return ledger.db
    ledger.progress.start(f"deriving the books as of {moment.isoformat()}", None)
    try:
        return derive(ledger.app, ledger.db, until=moment, on_batch=ledger.progress.advance)
    finally:
        ledger.progress.stop()
