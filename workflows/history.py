"""A household's full history, read from the event store itself (not from the read models).

The read models only say which aggregates concern the household: the household,
its entitlements in every cycle (manual payments and other corrections are
events on them) and the payout lines naming it or matched to one of its
entitlements. Every event of those aggregates is then read back and decoded, so
what an auditor sees is exactly what was recorded: when, what, who, why, with
which command and from which line of which file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger import ids
from ledger.errors import HouseholdNotFound
from workflows.households import resolve_program
from workflows.runtime import Ledger


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    event: str
    summary: str
    actor: str | None
    reason: str | None
    command: str | None
    source: str | None
    aggregate: str
    version: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def household_history(ledger: Ledger, household_id: str, program: str | None) -> list[HistoryEntry]:
    """Every event of a household, its entitlements and its payout lines, by time then version."""
    ledger.catch_up()
    program = resolve_program(ledger, household_id, program)
    aggregates = [(f"household {household_id}", ids.household_id(program, household_id))]
    if not ledger.app.recorder.select_events(aggregates[0][1], limit=1):
        raise HouseholdNotFound(program, household_id)
    aggregates.extend(_related(ledger, program, household_id))
    timed: list[tuple[datetime, HistoryEntry]] = []
    for label, aggregate_id in aggregates:
        for stored in ledger.app.recorder.select_events(aggregate_id):
            event: Any = ledger.app.mapper.to_domain_event(stored)
            timed.append((event.timestamp, history_entry(event, stored.topic, label)))
    timed.sort(key=lambda pair: (pair[0], pair[1].version, pair[1].aggregate))
    return [entry for _, entry in timed]


def _related(ledger: Ledger, program: str, household_id: str) -> list[tuple[str, UUID]]:
    """The household's entitlements (every cycle) and the operator lines that concern it."""
    entitlements = ledger.db.fetchall(
        f"SELECT cycle, reference FROM tl_entitlements WHERE program = ? AND household_id = ? "
        f"ORDER BY {ledger.db.ordered('cycle')}",
        (program, household_id),
    )
    related = [
        (f"entitlement {cycle}", ids.entitlement_id(program, cycle, household_id))
        for cycle, _ in entitlements
    ]
    references = [reference for _, reference in entitlements]
    matched = f" OR matched_reference IN ({', '.join('?' * len(references))})" if references else ""
    lines = ledger.db.fetchall(
        "SELECT operator, operator_txn_id FROM tl_payout_lines "
        f"WHERE manual = 0 AND ((program = ? AND household_id = ?){matched}) "
        f"ORDER BY {ledger.db.ordered('operator')}, {ledger.db.ordered('operator_txn_id')}",
        (program, household_id, *references),
    )
    related.extend(
        (f"payout line {operator} {txn}", ids.payout_line_id(operator, txn)) for operator, txn in lines
    )
    return related


def history_entry(event: Any, topic: str, aggregate: str) -> HistoryEntry:
    """One row of the history for a decoded domain event (no database needed)."""
    audit: dict[str, Any] = getattr(event, "audit", None) or {}
    source = audit.get("file_name")
    if source is not None and audit.get("line") is not None:
        source = f"{source}:{audit['line']}"
    return HistoryEntry(
        at=event.timestamp.isoformat(),
        event=type(event).__name__,
        summary=summarise(topic, event),
        actor=audit.get("actor"),
        reason=getattr(event, "reason", None),
        command=audit.get("command"),
        source=source,
        aggregate=aggregate,
        version=event.originator_version,
    )


def summarise(topic: str, event: Any) -> str:
    """A short human description of an event's key attributes; empty for topics not listed."""
    describe = _SUMMARIES.get(topic)
    return describe(event) if describe is not None else ""


def _money(amount: int, currency: str | None = None) -> str:
    text = f"{amount:,}".replace(",", " ")
    return f"{text} {currency}" if currency else text


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "unknown date"
    return moment.date().isoformat() if moment.time() == datetime.min.time() else moment.isoformat()


def _enrolled(e: Any) -> str:
    productive = ", productive" if e.productive else ""
    return f"enrolled on {e.enrolled_on.isoformat()} in {e.commune} ({e.circle}), via {e.operator}{productive}"


def _granted(e: Any) -> str:
    months = f"{e.months[0]}..{e.months[-1]}" if e.months else "no month"
    parts = ", ".join(f"{name} {_money(amount)}" for name, amount in e.components.items())
    return f"{_money(e.amount, e.currency)} due for {e.cycle} (months {months}: {parts}; rules v{e.rule_version})"


def _reported(e: Any) -> str:
    text = f"{e.status} {_money(e.amount, e.currency)} for {e.cycle}"
    if e.paid_at is not None:
        text += f", paid {_when(e.paid_at)}"
    if e.matched_reference:
        return f"{text}, matched to {e.matched_reference} by {e.match}"
    return f"{text}, matched no entitlement ({e.match})"


_SUMMARIES: dict[str, Callable[[Any], str]] = {
    "tledger:Household.Enrolled": _enrolled,
    "tledger:Household.Suspended": lambda e: f"suspended from {e.on.isoformat()}",
    "tledger:Household.Reinstated": lambda e: f"reinstated from {e.on.isoformat()}",
    "tledger:Household.Exited": lambda e: f"exited on {e.on.isoformat()}",
    "tledger:Entitlement.Granted": _granted,
    "tledger:Entitlement.Adjusted": lambda e: (
        f"due {e.cycle} changed by {'+' if e.delta > 0 else ''}{_money(e.delta)} to {_money(e.due)}"
    ),
    "tledger:Entitlement.Cancelled": lambda e: f"{e.cycle} cancelled ({_money(e.due_before)} was due)",
    "tledger:Entitlement.ManualPaymentRecorded": lambda e: (
        f"{_money(e.amount)} paid {_when(e.paid_at)} outside any file for {e.cycle} ({e.manual_id})"
    ),
    "tledger:Entitlement.ReissueRequested": lambda e: f"{e.cycle} {e.reference} to be re-issued",
    "tledger:PayoutLine.Reported": _reported,
    "tledger:PayoutLine.Reversed": lambda e: (
        f"{_money(e.amount)} for {e.cycle} reversed by the operator: no longer counts as paid"
    ),
}
