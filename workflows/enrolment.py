"""Enrol households from a CSV or XLSX file: validate all, then write in batches.

The whole file is validated before anything is written. Rows whose household is
already enrolled are skipped (and listed when their details differ), so running
the same file twice enrols nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError

from intake.enrolment import EnrolmentRow, check_enrolment_file
from intake.parallel import parsed_beside
from intake.tabular import file_sha256
from workflows import runtime
from workflows.runtime import Ledger
from workflows.spill import Spill

BATCH_SIZE = 20_000  # rows spilled together
_COMPARED = ("head_name", "msisdn", "region", "circle", "commune", "village", "operator",
             "enrolled_on", "productive")


@dataclass
class EnrolmentReport:
    program: str
    file: str
    file_sha256: str
    rows: int = 0
    enrolled: int = 0
    already_enrolled: int = 0
    file_seen_before: bool = False
    differing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "file": self.file,
            "file_sha256": self.file_sha256,
            "rows": self.rows,
            "enrolled": self.enrolled,
            "already_enrolled": self.already_enrolled,
            "file_seen_before": self.file_seen_before,
            "differing": self.differing,
        }


def enrol_file(ledger: Ledger, program: str, path: Path) -> EnrolmentReport:
    ledger.app.get_program(program)  # fail fast on an unknown program
    sha256 = file_sha256(path)
    with Spill() as spill:
        rows = _check(path, spill)
        report = EnrolmentReport(program, str(path), sha256, rows=rows)
        report.file_seen_before = ledger.app.enrolment_file_seen(program, sha256)
        audit = ledger.audit.for_file(sha256, path.name)
        ledger.catch_up()
        ledger.progress.start(f"enrolling {path.name}", rows)
        with ledger.following(rows, "tl_households"):
            for batch in spill.groups(runtime.write_batch(ledger.db)):
                _enrol_batch(ledger, program, batch, report)
                ledger.progress.advance(len(batch))
        ledger.progress.stop()
    if not report.file_seen_before:
        try:
            ledger.app.record_enrolment_file(program, sha256, path.name, rows, report.enrolled, audit)
        except IntegrityError:
            pass  # another process recorded the same file at the same moment
    ledger.catch_up()
    return report


def _check(path: Path, spill: Spill) -> int:
    """Parse every row once; spill the good ones; reject the file listing every bad one."""
    batch: list[EnrolmentRow] = []

    def keep(row: EnrolmentRow) -> None:
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            spill.add(batch)  # pickled here and now: the list may be reused
            batch.clear()

    # A large file is parsed in a second process while this one spills its rows.
    count = parsed_beside(check_enrolment_file, path, on_row=keep)
    spill.add(batch)
    return count


def _enrol_batch(
    ledger: Ledger, program: str, batch: list[EnrolmentRow], report: EnrolmentReport
) -> None:
    audit = ledger.audit.for_file(report.file_sha256, Path(report.file).name)
    attempted = len(batch) + 1
    while True:
        existing = _existing(ledger, program, [row.household_id for row in batch])
        new_rows = [row for row in batch if row.household_id not in existing]
        try:
            ledger.app.enrol(program, new_rows, audit)
        except IntegrityError:
            # Another process enrolled some of these meanwhile (it may enrol more before our
            # retry: an overlapping file at the same moment); retry while that leaves fewer.
            if len(new_rows) >= attempted:
                raise
            attempted = len(new_rows)
            ledger.catch_up()
            continue
        break
    report.enrolled += len(new_rows)
    report.already_enrolled += len(batch) - len(new_rows)
    for row in batch:
        if row.household_id in existing:
            report.differing.extend(_differences(row, existing[row.household_id], report.file))


def _existing(ledger: Ledger, program: str, household_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = ledger.db.fetch_in(
        f"SELECT household_id, {', '.join(_COMPARED)} FROM tl_households WHERE program = ? AND household_id {{keys}}",
        (program,), household_ids,
    )
    return {row[0]: dict(zip(_COMPARED, row[1:])) for row in rows}


def _differences(row: EnrolmentRow, recorded: dict[str, Any], file: str) -> list[str]:
    found = []
    for name in _COMPARED:
        value: Any = getattr(row, name)
        if name == "enrolled_on":
            value = value.isoformat()
        elif name == "productive":
            value = int(value)
        if value != recorded[name]:
            found.append(
                f"{file}:{row.line}: household '{row.household_id}' is already enrolled with "
                f"{name} '{recorded[name]}', file says '{value}' (not changed)"
            )
    return found

