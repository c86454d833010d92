"""Reconcile a cycle: one streamed merge of its entitlements and payout lines (both in
reference order) gives the categories, the totals, the detail file and the digest; the
result is recorded as an event. (Reports read the same categories from the read models
with SQL, held equal to ``classify`` by a property test.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledger.calendar import parse_cycle_label
from projections import chain
from projections.categories import status
from projections.database import Database
from reconciliation.summary import Digest, Totals
from workflows.reconcile_half import reconciled_in_halves, write_detail
from workflows.reconcile_reads import Scope, detail
from workflows.runtime import Ledger


def reconcile_cycle(
    ledger: Ledger, program: str, label: str, operator: str | None = None, out: Path | None = None,
    *, record: bool = True,
) -> dict[str, Any]:
    """The summary (and ``out`` detail file); records the result as an event on the cycle.

    One pass merges the cycle's entitlements and payout lines, both read in reference order:
    each entitlement is classified (``reconciliation.matching.classify``), written to the
    detail, added to the digest and to the totals.
    """
    definition = ledger.app.get_program(program)
    cycle = str(parse_cycle_label(label, definition.current.rules.cycle_months))
    ledger.app.get_cycle(program, cycle)
    operator = operator.strip().lower() if operator else None
    ledger.catch_up()
    scope = Scope(program, cycle, operator)
    digest, totals = reconciled_in_halves(ledger.db, scope, out) or _in_one_pass(ledger.db, scope, out)
    summary: dict[str, Any] = {"program": program, "cycle": cycle, "operator": operator,
                               "currency": definition.currency, **totals.as_dict()}
    if out is not None:
        summary["out"] = str(out)
    summary["notes"] = digest.notes
    summary["digest"] = digest.hexdigest()
    if record:
        ledger.app.record_reconciliation(
            program, cycle, operator, {k: v for k, v in summary.items() if k != "out"},
            summary["digest"], ledger.audit,
        )
        ledger.catch_up()
    return summary


def _in_one_pass(db: Database, scope: Scope, out: Path | None) -> tuple[Digest, Totals]:
    digest, totals = Digest(), Totals()
    with db.snapshot():
        write_detail(out, detail(db, scope, digest, totals))
    return digest, totals


def close_cycle(ledger: Ledger, program: str, label: str) -> dict[str, Any]:
    """Reconcile the whole cycle and record the final totals; afterwards only corrections change it."""
    summary = reconcile_cycle(ledger, program, label)
    ledger.app.close_cycle(program, summary["cycle"], summary, summary["digest"], ledger.audit)
    ledger.catch_up()
    position, head = chain.head(ledger.db)
    summary["closed"] = True
    summary["chain_head"] = f"{position}:{head}"  # keep it outside the system: `tledger verify --expect`
    return summary


def category_of(ledger: Ledger, program: str, cycle: str, household_id: str) -> str:
    """The current reconciliation category of one entitlement."""
    ledger.catch_up()
    row = ledger.db.fetchone(
        f"SELECT s.category FROM {status('e.program = ? AND e.cycle = ? AND e.household_id = ?')} s",
        (program, cycle, household_id),
    )
    return str(row[0]) if row else "none"


def with_category(
    ledger: Ledger, program: str, cycle: str, category: str, limit: int = 10
) -> list[tuple[str, int, int]]:
    """(household id, owed, paid) of entitlements in ``category``, by household id."""
    ledger.catch_up()
    rows = ledger.db.fetchall(
        f"SELECT s.household_id, s.owed, s.paid FROM {status('e.program = ? AND e.cycle = ?')} s "
        f"WHERE s.category = ? ORDER BY s.household_id LIMIT {int(limit)}",
        (program, cycle, category),
    )
    return [(str(h), int(o), int(p)) for h, o, p in rows]
