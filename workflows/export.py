"""Export the stored event log as JSON lines, for auditors and for archives.

Each line is one stored event in log order with its position, topic, aggregate,
version, who recorded it with which command, the hash-chain link at that
position and the event's attributes as plain JSON. The file is written beside
the target and renamed at the end, so a reader never sees half an export.
``--pseudonymise`` replaces personal values (names, phone numbers) with keyed
HMACs: the same value always gives the same pseudonym, so joins still work, but
nobody without the key can test a guess (a plain hash of a phone number can be
reversed by trying all of them).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import Notification

from projections import runner
from workflows.runtime import Ledger

KEY_VARIABLE = "TLEDGER_PSEUDONYMISATION_KEY"
MIN_KEY_LENGTH = 16
PERSONAL_KEYS = frozenset({"head_name", "msisdn"})
PSEUDONYM_PREFIX = "hmac-sha256:"
BATCH_SIZE = 1_000
# Already top-level fields of a record; not repeated under "data".
_TOP_LEVEL = ("originator_id", "originator_version", "timestamp")


class ExportError(Exception):
    """An export that cannot be written (nothing is written)."""


class PseudonymisationKeyError(ExportError):
    """The pseudonymisation key is missing or too short."""


@dataclass(frozen=True)
class Pseudonymiser:
    """Replaces personal values with ``hmac-sha256:`` + the hex HMAC-SHA256 of the value."""

    key: bytes

    def pseudonym(self, value: str) -> str:
        digest = hmac.new(self.key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest

    def scrub(self, data: Any) -> Any:
        """A copy of plain JSON data with every ``head_name`` and ``msisdn`` value pseudonymised,
        at any depth; ``None`` stays ``None``."""
        if isinstance(data, dict):
            return {
                key: self.pseudonym(str(value)) if key in PERSONAL_KEYS and value is not None
                else self.scrub(value)
                for key, value in data.items()
            }
        if isinstance(data, list):
            return [self.scrub(item) for item in data]
        return data


def load_pseudonymiser(environ: Mapping[str, str]) -> Pseudonymiser:
    """The pseudonymiser keyed by ``TLEDGER_PSEUDONYMISATION_KEY``; refuses a missing or short key."""
    key = environ.get(KEY_VARIABLE, "")
    if len(key) < MIN_KEY_LENGTH:
        found = "it is not set" if not key else f"it has {len(key)}"
        raise PseudonymisationKeyError(
            f"--pseudonymise needs the environment variable {KEY_VARIABLE} set to a secret of at "
            f"least {MIN_KEY_LENGTH} characters ({found}); nothing was written"
        )
    return Pseudonymiser(key.encode("utf-8"))


def plain(value: Any) -> Any:
    """An event attribute as plain JSON: dates and datetimes ISO, UUIDs str, tuples as lists."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    raise TypeError(f"cannot export a value of type {type(value).__name__}: {value!r}")


def event_record(
    position: int, topic: str, event: Any, chain_hash: str | None,
    pseudonymiser: Pseudonymiser | None = None,
) -> dict[str, Any]:
    """One export line for a decoded domain event (no database needed)."""
    data = {k: plain(v) for k, v in vars(event).items() if k not in _TOP_LEVEL}
    if pseudonymiser is not None:
        data = pseudonymiser.scrub(data)
    audit = data.get("audit") or {}
    return {
        "position": position,
        "recorded_at": event.timestamp.isoformat(),
        "topic": topic,
        "aggregate_id": str(event.originator_id),
        "version": event.originator_version,
        "actor": audit.get("actor"),
        "command": audit.get("command"),
        "hash": chain_hash,
        "data": data,
    }


def parse_until(text: str) -> datetime:
    """An ISO 8601 date or date-time as an aware UTC bound (naive means UTC).

    A date alone means the end of that day: ``2019-04-01`` keeps everything recorded on the 1st.
    """
    text = text.strip()
    try:
        return datetime.combine(date.fromisoformat(text), time.max, tzinfo=timezone.utc)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not an ISO 8601 date or date-time") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class ExportSummary:
    file: str
    events: int
    last_position: int | None
    chain_head: str | None  # the chain hash at last_position
    pseudonymised: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def export_events(
    ledger: Ledger, out: Path, *, until: datetime | None = None,
    pseudonymiser: Pseudonymiser | None = None,
) -> ExportSummary:
    """Write every stored event (up to the read models' position after catching up) to ``out``."""
    if not out.parent.is_dir():
        raise ExportError(f"cannot write {out}: {out.parent} is not a directory")
    ledger.catch_up()
    stop = runner.position(ledger.db)
    descriptor, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            events, last = _write(ledger, handle, stop, until, pseudonymiser)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return ExportSummary(
        file=str(out), events=events, last_position=last[0] if last else None,
        chain_head=last[1] if last else None, pseudonymised=pseudonymiser is not None,
    )


def _write(
    ledger: Ledger, handle: IO[str], stop: int, until: datetime | None,
    pseudonymiser: Pseudonymiser | None,
) -> tuple[int, tuple[int, str | None] | None]:
    """Stream the log to ``handle``; returns (events written, (last position, its hash))."""
    written, last = 0, None
    for batch in _batches(ledger, stop):
        hashes = _chain_hashes(ledger, batch[0].id, batch[-1].id)
        for notification in batch:
            event: Any = ledger.app.mapper.to_domain_event(notification)
            if until is not None and event.timestamp > until:
                continue  # not a stop: timestamps are taken before commit, so may be out of log order
            chain_hash = hashes.get(notification.id)
            record = event_record(notification.id, notification.topic, event, chain_hash, pseudonymiser)
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            written, last = written + 1, (notification.id, chain_hash)
    return written, last


def _batches(ledger: Ledger, stop: int) -> Iterator[Sequence[Notification]]:
    start: int | None = None
    while True:
        batch = ledger.app.recorder.select_notifications(
            start=start, limit=BATCH_SIZE, stop=stop, inclusive_of_start=False
        )
        if not batch:
            return
        yield batch
        start = batch[-1].id


def _chain_hashes(ledger: Ledger, first: int, last: int) -> dict[int, str]:
    rows = ledger.db.fetchall(
        "SELECT position, hash FROM tl_chain WHERE position >= ? AND position <= ?", (first, last)
    )
    return {int(position): str(value) for position, value in rows}
