"""``tledger demo``: a synthetic Jigisemejiri year, run through every step the ledger has."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from config.programs import SHIPPED
from workflows.cycles import compute_cycle, list_cycles, open_cycle
from workflows.enrolment import enrol_file
from workflows.households import change_status
from workflows.programs import add_program
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
    return {
        "program": PROGRAM,
        "households": _households_by_region(ledger),
        "statuses": _statuses(ledger),
        "cycles": list_cycles(ledger, PROGRAM),
        "steps": steps,
    }


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
