"""Payment lists: the cycle's entitlements for one operator, written to CSV or XLSX."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from intake.tabular import file_sha256
from ledger.calendar import parse_cycle_label
from ledger.errors import LedgerError
from projections.runner import ANALYZE_AFTER, refresh_statistics
from reconciliation.spreadsheet import write_rows
from workflows.runtime import Ledger

LIST_HEADER = ("reference", "household_id", "head_name", "msisdn", "amount", "currency", "program",
               "cycle", "operator")

_SELECT = (
    "SELECT e.reference, e.household_id, h.head_name, h.msisdn, e.due, e.currency, e.program, e.cycle, "
    "e.operator FROM tl_entitlements e JOIN tl_households h "
    "ON h.program = e.program AND h.household_id = e.household_id "
)


def issue_payment_list(ledger: Ledger, program: str, label: str, operator: str, out: Path) -> dict[str, Any]:
    """Write the list and record it; the same list issued again is written but not recorded twice."""
    operator = operator.strip().lower()
    definition = ledger.app.get_program(program)
    cycle = str(parse_cycle_label(label, definition.current.rules.cycle_months))
    ledger.app.open_cycle_for_change(program, cycle, "issue a payment list")
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise LedgerError(f"payment list '{out}': use a .csv or .xlsx file name")
    ledger.catch_up()
    totals = {"count": 0, "amount": 0}
    reissued: list[str] = []
    content = hashlib.sha256()

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in _list_rows(ledger, program, cycle, operator):
            totals["count"] += 1
            totals["amount"] += int(row[4])
            if row[7] != cycle:
                reissued.append(str(row[0]))
            content.update(("\t".join("" if v is None else str(v) for v in row) + "\n").encode())
            yield row

    write_rows(out, LIST_HEADER, rows())
    if totals["count"] == 0:
        out.unlink(missing_ok=True)
        raise LedgerError(
            f"no entitlements for operator '{operator}' in {program} {cycle}: nothing to issue"
        )
    written_sha256 = file_sha256(out)
    new = ledger.app.issue_payment_list(
        program, cycle, operator, totals["count"], totals["amount"], definition.currency,
        content.hexdigest(), written_sha256, out.name, reissued, ledger.audit,
    )
    ledger.catch_up()
    if new and totals["count"] >= ANALYZE_AFTER:
        # Every listed entitlement was updated ("instructed"): the operator's confirmation file
        # will look all of them up, best in a freshly vacuumed table (runner.refresh_statistics).
        refresh_statistics(ledger.db, ("tl_entitlements",))
    return {
        "program": program, "cycle": cycle, "operator": operator, "file": str(out),
        "count": totals["count"], "amount": totals["amount"], "currency": definition.currency,
        "reissued": len(reissued), "content_sha256": content.hexdigest(),
        "file_sha256": written_sha256, "already_issued": not new,
    }


def _list_rows(ledger: Ledger, program: str, cycle: str, operator: str) -> Iterator[tuple[Any, ...]]:
    """The cycle's payable entitlements (by household id), then re-issues from earlier cycles."""
    yield from ledger.db.stream(
        _SELECT + "WHERE e.program = ? AND e.cycle = ? AND e.operator = ? AND e.cancelled = 0 "
        "AND e.due > 0 ORDER BY e.household_id",
        (program, cycle, operator),
    )
    yield from ledger.db.fetchall(
        _SELECT + "WHERE e.program = ? AND e.cycle <> ? AND e.operator = ? AND e.reissue_pending = 1 "
        "AND e.cancelled = 0 ORDER BY e.cycle, e.household_id",
        (program, cycle, operator),
    )
