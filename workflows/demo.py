"""``tledger demo``: a synthetic Jigisemejiri year, run through every step the ledger has:
enrol, status changes, four quarters computed, one quarter paid through two operators,
reconciled, corrected and closed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from config.programs import SHIPPED
from workflows.corrections import correct_entitlement, manual_payment
from workflows.cycles import compute_cycle, list_cycles, open_cycle
from workflows.disbursement import issue_payment_list
from workflows.enrolment import enrol_file
from workflows.households import change_status
from workflows.operator_files import simulate, write_canonical_xlsx, write_french_csv, write_pain002
from workflows.payouts import import_payouts
from workflows.programs import add_program
from workflows.reconcile import close_cycle, reconcile_cycle, with_category
from workflows.runtime import Ledger
from workflows.synthetic import write_enrolment_csv

PROGRAM = "jigisemejiri"
CYCLES = ("2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4")


def run_demo(ledger: Ledger, workdir: Path, households: int) -> dict[str, Any]:
    """Enrol ``households`` synthetic households and pay a year of quarterly cycles."""
    steps: list[str] = []
    program = add_program(ledger, SHIPPED / f"{PROGRAM}.toml")
    steps.append(f"program {program.code}: {program.outcome} (version {program.version})")

    enrolment_csv = write_enrolment_csv(workdir / "enrolment.csv", households)
    first = enrol_file(ledger, PROGRAM, enrolment_csv)
    steps.append(f"enrol {enrolment_csv.name}: {first.enrolled} enrolled, {first.already_enrolled} already")
    again = enrol_file(ledger, PROGRAM, enrolment_csv)
    steps.append(f"enrol the same file again: {again.enrolled} enrolled, {again.already_enrolled} already")

    for household_id, action, on, reason in _status_changes(households):
        change_status(ledger, household_id, PROGRAM, action, on, reason)
        steps.append(f"household {household_id}: {action} on {on.isoformat()} ({reason})")

    for label in CYCLES:
        open_cycle(ledger, PROGRAM, label)
        result = compute_cycle(ledger, PROGRAM, label)
        steps.append(
            f"cycle {label}: {result['added']['count']} entitlements, {result['added']['amount']} XOF"
        )
    rerun = compute_cycle(ledger, PROGRAM, CYCLES[0])
    steps.append(f"compute {CYCLES[0]} again: {rerun['added']['count']} added")
    reconciliation = _pay_first_quarter(ledger, workdir, steps)
    return {
        "program": PROGRAM,
        "households": _households_by_region(ledger),
        "statuses": _statuses(ledger),
        "cycles": list_cycles(ledger, PROGRAM),
        "reconciliation": reconciliation,
        "steps": steps,
    }


def _pay_first_quarter(ledger: Ledger, workdir: Path, steps: list[str]) -> dict[str, Any]:
    """Issue lists to three operators, import their (messy) CSV, XLSX and pain.002 files,
    reconcile, correct and close."""
    label = CYCLES[1]
    writers = {
        "orange-money": (write_french_csv, "csv"),
        "moov-money": (write_canonical_xlsx, "xlsx"),
        "kafo-jiginew": (write_pain002, "xml"),
    }
    for number, (operator, (writer, extension)) in enumerate(writers.items()):
        issued = issue_payment_list(ledger, PROGRAM, label, operator, workdir / f"{operator}-{label}.csv")
        steps.append(f"payment list {operator} {label}: {issued['count']} lines, {issued['amount']} XOF")
        lines = simulate(Path(issued["file"]), seed=number, prefix=operator[:2].upper())
        confirmation = writer(workdir / f"{operator}-confirmations.{extension}", lines)
        report = import_payouts(ledger, confirmation, operator)
        steps.append(f"import {confirmation.name}: {report.recorded} lines recorded")
        again = import_payouts(ledger, confirmation, operator)
        steps.append(f"import {confirmation.name} again: already imported = {again.already_imported}")
    before = reconcile_cycle(ledger, PROGRAM, label)
    steps.append(f"reconcile {label}: " + ", ".join(f"{k} {v}" for k, v in before["categories"].items() if v))
    for household_id, _, _ in with_category(ledger, PROGRAM, label, "failed", limit=1):
        correct_entitlement(ledger, PROGRAM, label, household_id, "reissue",
                            reason="wallet reactivated: pay on the next list")
        steps.append(f"re-issue {household_id} on the next list")
    for household_id, owed, paid in with_category(ledger, PROGRAM, label, "partial", limit=1):
        manual_payment(ledger, PROGRAM, label, household_id, owed - paid, datetime(2019, 5, 20),
                       "balance paid in cash at the mairie")
        steps.append(f"manual payment of the {owed - paid} XOF balance for {household_id}")
    closed = close_cycle(ledger, PROGRAM, label)
    steps.append(f"close {label}: digest {closed['digest'][:16]}...")
    return closed


def _status_changes(households: int) -> list[tuple[str, str, date, str]]:
    """A few realistic status changes on households that exist in any demo size."""
    if households < 30:
        return []
    return [
        ("KITA-000010", "exit", date(2019, 5, 20), "household moved to Bamako"),
        ("DJEN-000017", "suspend", date(2019, 6, 15), "duplicate registration under review"),
        ("DJEN-000017", "reinstate", date(2019, 9, 2), "review cleared the household"),
        ("BANK-000028", "suspend", date(2019, 8, 1), "head of household deceased, successor pending"),
    ]


def _households_by_region(ledger: Ledger) -> list[dict[str, Any]]:
    rows = ledger.db.fetchall(
        "SELECT region, COUNT(*), SUM(productive) FROM tl_households WHERE program = ? "
        "GROUP BY region ORDER BY region",
        (PROGRAM,),
    )
    return [{"region": r, "households": int(n), "productive": int(p)} for r, n, p in rows]


def _statuses(ledger: Ledger) -> dict[str, int]:
    rows = ledger.db.fetchall(
        "SELECT status, COUNT(*) FROM tl_households WHERE program = ? GROUP BY status ORDER BY status",
        (PROGRAM,),
    )
    return {str(s): int(n) for s, n in rows}
