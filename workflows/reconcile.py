"""Reconcile a cycle: read the read models with SQL, match and classify in pure code, record the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledger.calendar import parse_cycle_label
from reconciliation.matching import Due, Line, Result, Unknown, reconcile
from reconciliation.spreadsheet import write_rows
from reconciliation.summary import DETAIL_HEADER, detail_rows, digest, summarise
from workflows.runtime import Ledger


def load_cycle(
    ledger: Ledger, program: str, cycle: str, operator: str | None
) -> tuple[list[Result], list[Unknown]]:
    """Every entitlement of the cycle classified, and the unknown lines."""
    where, params = "e.program = ? AND e.cycle = ?", [program, cycle]
    if operator:
        where += " AND e.operator = ?"
        params.append(operator)
    dues = [
        Due(reference=r[0], household_id=r[1], msisdn=r[2], operator=r[3], due=int(r[4]), cancelled=bool(r[5]))
        for r in ledger.db.fetchall(
            "SELECT e.reference, e.household_id, h.msisdn, e.operator, e.due, e.cancelled "
            "FROM tl_entitlements e JOIN tl_households h ON h.program = e.program "
            f"AND h.household_id = e.household_id WHERE {where}",
            tuple(params),
        )
    ]
    references = {d.reference for d in dues}
    lines = [
        Line(operator=r[0], operator_txn_id=r[1], reference=r[2], household_id=r[3], msisdn=r[4],
             amount=int(r[5]), status=r[6], reversed=bool(r[7]), file_name=r[8], line=r[9])
        for r in ledger.db.fetchall(
            "SELECT operator, operator_txn_id, reference, household_id, msisdn, amount, status, reversed, "
            "file_name, line, manual FROM tl_payout_lines WHERE program = ? AND cycle = ? "
            "ORDER BY operator, operator_txn_id",
            (program, cycle),
        )
        # Manual payments carry our reference; with --operator keep only those for its entitlements.
        if (not operator or r[0] == operator or (r[10] and r[2] in references))
    ]
    return reconcile(dues, lines)


def reconcile_cycle(
    ledger: Ledger, program: str, label: str, operator: str | None = None, out: Path | None = None,
    *, record: bool = True,
) -> dict[str, Any]:
    """The summary (and ``out`` detail file); records the result as an event on the cycle."""
    definition = ledger.app.get_program(program)
    cycle = str(parse_cycle_label(label, definition.current.rules.cycle_months))
    ledger.app.get_cycle(program, cycle)
    operator = operator.strip().lower() if operator else None
    ledger.catch_up()
    results, unknown = load_cycle(ledger, program, cycle, operator)
    summary = summarise(program, cycle, operator, definition.currency, results, unknown)
    summary["digest"] = digest(results, unknown)
    if out is not None:
        write_rows(out, DETAIL_HEADER, detail_rows(results, unknown))
        summary["out"] = str(out)
    if record:
        ledger.app.record_reconciliation(
            program, cycle, operator, {k: v for k, v in summary.items() if k != "out"},
            summary["digest"], ledger.audit,
        )
        ledger.catch_up()
    return summary


def close_cycle(ledger: Ledger, program: str, label: str) -> dict[str, Any]:
    """Reconcile the whole cycle and record the final totals; afterwards only corrections change it."""
    summary = reconcile_cycle(ledger, program, label)
    ledger.app.close_cycle(program, summary["cycle"], summary, summary["digest"], ledger.audit)
    ledger.catch_up()
    summary["closed"] = True
    return summary


def category_of(ledger: Ledger, program: str, cycle: str, household_id: str) -> str:
    """The current reconciliation category of one entitlement."""
    results, _ = load_cycle(ledger, program, cycle, None)
    for result in results:
        if result.due.household_id == household_id:
            return result.category
    return "none"
