"""Payment cycles: open, compute entitlements, show, list."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.calendar import CycleLabel, parse_cycle_label
from ledger.program import Program, RuleVersion
from ledger.rules import HouseholdTerms
from workflows import runtime
from workflows.runtime import Ledger



def open_cycle(ledger: Ledger, program: str, label: str) -> dict[str, Any]:
    cycle, opened = ledger.app.open_cycle(program, label, ledger.audit)
    ledger.catch_up()
    return {
        "program": program,
        "cycle": cycle.label,
        "start": cycle.start.isoformat(),
        "end": cycle.end.isoformat(),
        "opened": opened,
    }


def compute_cycle(ledger: Ledger, program_code: str, label: str) -> dict[str, Any]:
    """Grant every entitlement of the cycle not granted yet; re-running adds nothing."""
    program = ledger.app.get_program(program_code)
    cycle_label = parse_cycle_label(label, program.current.rules.cycle_months)
    cycle = ledger.app.open_cycle_for_change(program_code, str(cycle_label), "compute entitlements")
    version = program.rules_on(cycle_label.start)
    ledger.catch_up()
    pending = _count_pending(ledger, program_code, cycle_label)
    ledger.progress.start(f"computing {program_code} {cycle_label}", pending)
    added_count = added_amount = 0
    after = ""
    with ledger.following(pending, "tl_entitlements"):
        while batch := _next_households(ledger, program_code, cycle_label, after):
            after = batch[-1].household_id
            count, amount = _grant_batch(ledger, program, cycle_label, version, batch)
            added_count += count
            added_amount += amount
            ledger.progress.advance(len(batch))
    ledger.progress.stop()
    if added_count:
        ledger.app.record_computation(
            program_code, cycle.label, added_count, added_amount, version.version, ledger.audit
        )
    ledger.catch_up()
    summary = show_cycle(ledger, program_code, cycle.label)
    summary["added"] = {"count": added_count, "amount": added_amount}
    summary["rule_version"] = version.version
    return summary


def _grant_batch(
    ledger: Ledger,
    program: Program,
    cycle: CycleLabel,
    version: RuleVersion,
    batch: list[HouseholdTerms],
) -> tuple[int, int]:
    while True:
        try:
            return ledger.app.grant(program, cycle, version, batch, ledger.audit)
        except IntegrityError:
            # Another process granted some of these meanwhile (and may grant more before our
            # retry): keep only what is still missing, as long as that leaves fewer.
            ledger.catch_up()
            granted = {
                r[0]
                for r in ledger.db.fetchall(
                    "SELECT household_id FROM tl_entitlements WHERE program = ? AND cycle = ?",
                    (program.code, str(cycle)),
                )
            }
            remaining = [t for t in batch if t.household_id not in granted]
            if len(remaining) == len(batch):
                raise
            batch = remaining


_PENDING_WHERE = (
    "FROM tl_households h WHERE h.program = ? AND h.enrolled_on <= ? "
    "AND NOT EXISTS (SELECT 1 FROM tl_entitlements e WHERE e.program = h.program "
    "AND e.cycle = ? AND e.household_id = h.household_id)"
)


def _count_pending(ledger: Ledger, program: str, cycle: CycleLabel) -> int:
    row = ledger.db.fetchone(
        f"SELECT COUNT(*) {_PENDING_WHERE}", (program, cycle.end.isoformat(), str(cycle))
    )
    return int(row[0]) if row else 0


def _next_households(
    ledger: Ledger, program: str, cycle: CycleLabel, after: str
) -> list[HouseholdTerms]:
    """The next page of households with no entitlement in the cycle yet (keyset pagination)."""
    rows = ledger.db.fetchall(
        "SELECT h.household_id, h.enrolled_on, h.productive, h.exited_on, h.operator "
        f"{_PENDING_WHERE} AND h.household_id > ? ORDER BY h.household_id LIMIT {runtime.write_batch(ledger.db)}",
        (program, cycle.end.isoformat(), str(cycle), after),
    )
    suspensions = _suspensions(ledger, program, after, rows[-1][0]) if rows else {}
    return [
        HouseholdTerms(
            household_id=hid,
            enrolled_on=date.fromisoformat(enrolled_on),
            productive=bool(productive),
            exited_on=date.fromisoformat(exited_on) if exited_on else None,
            suspensions=suspensions.get(hid, ()),
            operator=operator,
        )
        for hid, enrolled_on, productive, exited_on, operator in rows
    ]


def _suspensions(
    ledger: Ledger, program: str, after: str, last: str
) -> dict[str, tuple[tuple[date, date | None], ...]]:
    """Suspension spans of the households in ``(after, last]``, from the status history."""
    spans: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for hid, action, on_date in ledger.db.fetchall(
        "SELECT household_id, action, on_date FROM tl_household_status WHERE program = ? "
        "AND household_id > ? AND household_id <= ? ORDER BY household_id, version",
        (program, after, last),
    ):
        on = date.fromisoformat(on_date)
        if action == "suspend":
            spans[hid].append((on, None))
        elif action in ("reinstate", "exit") and spans[hid] and spans[hid][-1][1] is None:
            spans[hid][-1] = (spans[hid][-1][0], on)
    return {hid: tuple(s) for hid, s in spans.items()}


def show_cycle(ledger: Ledger, program: str, label: str) -> dict[str, Any]:
    """The cycle's status and entitlement totals, overall and per operator."""
    definition = ledger.app.get_program(program)
    cycle_label = str(parse_cycle_label(label, definition.current.rules.cycle_months))
    ledger.app.get_cycle(program, cycle_label)  # raises CycleNotOpen
    ledger.catch_up()
    row = ledger.db.fetchone(
        "SELECT status, start_on, end_on, opened_at FROM tl_cycles WHERE program = ? AND label = ?",
        (program, cycle_label),
    )
    assert row is not None  # the read model is caught up and the cycle exists
    status, start_on, end_on, opened_at = row
    totals = ledger.db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM tl_entitlements WHERE program = ? AND cycle = ?",
        (program, cycle_label),
    )
    count, amount = (int(totals[0]), int(totals[1])) if totals else (0, 0)
    by_operator = [
        {"operator": op, "count": int(c), "amount": int(a)}
        for op, c, a in ledger.db.fetchall(
            "SELECT operator, COUNT(*), SUM(amount) FROM tl_entitlements "
            "WHERE program = ? AND cycle = ? GROUP BY operator ORDER BY operator",
            (program, cycle_label),
        )
    ]
    return {
        "program": program,
        "cycle": cycle_label,
        "status": status,
        "start": start_on,
        "end": end_on,
        "currency": definition.currency,
        "opened_at": opened_at,
        "entitlements": {"count": count, "amount": amount},
        "by_operator": by_operator,
    }


def list_cycles(ledger: Ledger, program: str | None) -> list[dict[str, Any]]:
    ledger.catch_up()
    where, params = ("WHERE c.program = ?", (program,)) if program else ("", ())
    rows = ledger.db.fetchall(
        "SELECT c.program, c.label, c.status, c.start_on, c.end_on, "
        "COUNT(e.household_id), COALESCE(SUM(e.amount), 0) FROM tl_cycles c "
        "LEFT JOIN tl_entitlements e ON e.program = c.program AND e.cycle = c.label "
        f"{where} GROUP BY c.program, c.label, c.status, c.start_on, c.end_on "
        "ORDER BY c.program, c.start_on",
        params,
    )
    return [
        {"program": p, "cycle": lbl, "status": st, "start": s, "end": e,
         "entitlements": {"count": int(c), "amount": int(a)}}
        for p, lbl, st, s, e, c, a in rows
    ]
