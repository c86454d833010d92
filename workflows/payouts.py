"""Import an operator's payout confirmation file: check all, then record in batches.

A line is attributed to the cycle of the entitlement its reference names; a
line without a known reference goes to the cycle of the latest payment list
issued to the operator. The same file (same
bytes) imported again records nothing; a line already recorded with the same
content is skipped, with different content it is a conflict that rejects the file.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError

from intake.errors import FileRejected, RowError
from intake.tabular import file_sha256
from ledger import ids
from ledger.disbursement_services import AttributedLine
from reconciliation.operators import load_operator
from reconciliation.payout_row import PayoutRow
from reconciliation.readers import check_payout_file, iter_payout_rows
from reconciliation.rejections import write_rejections
from workflows.payout_checks import Target, TargetBook, check_batch
from workflows.payout_matching import match_batch
from workflows.runtime import Ledger

BATCH_SIZE = 1_000
SKIP, DUPLICATE = 0, -1  # decision codes; a positive code is 1 + an index into the targets


@dataclass
class ImportReport:
    file: str
    operator: str
    file_sha256: str
    lines: int = 0
    recorded: int = 0
    skipped_duplicates: int = 0
    already_imported: bool = False
    rejected: int = 0
    rejected_file: str | None = None
    cycles: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_payouts(
    ledger: Ledger, path: Path, operator: str, *, skip_invalid: bool = False, rejects: Path | None = None
) -> ImportReport:
    config = load_operator(operator)
    sha256 = file_sha256(path)
    report = ImportReport(str(path), config.code, sha256)
    if ledger.app.exists(ids.payout_file_id(config.code, sha256)):
        report.already_imported = True
        return report
    check = check_payout_file(path, config)
    report.lines = check.rows
    ledger.catch_up()
    book = TargetBook.load(ledger.db, config.code)
    errors = list(check.errors)
    decisions = _decide(ledger, path, config, book, errors)
    if errors:
        bad_lines = {e.line for e in errors}
        report.rejected = len(bad_lines)
        if not skip_invalid:
            raise FileRejected(str(path), errors)
        report.rejected_file = str(rejects or path.with_name(path.name + ".rejected.csv"))
        write_rejections(Path(report.rejected_file), errors)
        for line in bad_lines:
            if 0 < line < len(decisions):
                decisions[line] = SKIP
    _record(ledger, path, config, book, decisions, report)
    try:
        ledger.app.record_payout_file(
            config.code, sha256, path.name, report.lines, report.recorded, report.skipped_duplicates,
            report.rejected, ledger.audit.for_file(sha256, path.name),
        )
    except IntegrityError:
        pass  # the same file was recorded by another process at the same moment
    ledger.catch_up()
    return report


def _valid_rows(path: Path, config: Any) -> Iterator[PayoutRow]:
    for item in iter_payout_rows(path, config):
        if isinstance(item, PayoutRow):
            yield item


def _decide(ledger: Ledger, path: Path, config: Any, book: TargetBook, errors: list[RowError]) -> array[int]:
    """Second pass: attribute every valid line, find duplicates and conflicts (nothing written)."""
    decisions = array("i")
    for batch in _batches(_valid_rows(path, config)):
        for row, decision in check_batch(ledger.db, str(path), config.code, book, batch, errors):
            if row.line >= len(decisions):
                decisions.extend([SKIP] * (row.line + 1 - len(decisions)))
            decisions[row.line] = decision
    return decisions


def _record(
    ledger: Ledger, path: Path, config: Any, book: TargetBook, decisions: array[int], report: ImportReport
) -> None:
    audit = ledger.audit.for_file(report.file_sha256, path.name)
    cycles: Counter[str] = Counter()
    ledger.progress.start(f"recording {path.name}", report.lines)
    for batch in _batches(_valid_rows(path, config)):
        attributed = []
        for row in batch:
            decision = decisions[row.line] if row.line < len(decisions) else SKIP
            if decision == DUPLICATE:
                report.skipped_duplicates += 1
            elif decision > 0:
                attributed.append((row, book.targets[decision - 1]))
        matches = match_batch(ledger.db, attributed)
        lines = [_attributed(row, target, *match) for (row, target), match in zip(attributed, matches)]
        for _, target in attributed:
            cycles[f"{target.program} {target.cycle}"] += 1
        report.recorded += _save(ledger, config.code, lines, audit)
        ledger.progress.advance(len(batch))
    ledger.progress.stop()
    report.cycles = dict(cycles)


def _save(ledger: Ledger, operator: str, lines: list[AttributedLine], audit: Any) -> int:
    try:
        return ledger.app.record_payout_lines(operator, lines, audit)
    except IntegrityError:
        # Another process recorded some of these lines meanwhile: record only the rest.
        ledger.catch_up()
        marks = ",".join("?" * len(lines))
        done = {r[0] for r in ledger.db.fetchall(
            f"SELECT operator_txn_id FROM tl_payout_lines WHERE operator = ? AND operator_txn_id IN ({marks})",
            (operator, *[x.operator_txn_id for x in lines]),
        )}
        return ledger.app.record_payout_lines(
            operator, [x for x in lines if x.operator_txn_id not in done], audit
        )


def _attributed(row: PayoutRow, target: Target, matched: str | None, how: str) -> AttributedLine:
    return AttributedLine(
        line=row.line, operator_txn_id=row.operator_txn_id, program=target.program, cycle=target.cycle,
        reference=row.reference, household_id=row.household_id, msisdn=row.msisdn, amount=row.amount,
        currency=row.currency, paid_at=row.paid_at, status=row.status, reason=row.reason,
        matched_reference=matched, match=how,
    )


def _batches(rows: Iterator[PayoutRow]) -> Iterator[list[PayoutRow]]:
    while batch := list(islice(rows, BATCH_SIZE)):
        yield batch

