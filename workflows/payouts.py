"""Import an operator's payout confirmation file: check all, then record in batches.

One pass parses every line, checks it against the ledger (duplicate, conflict,
attribution to a cycle, currency, closed cycle), matches it to an entitlement
and spills it; only when the whole file is good are the spilled lines recorded.
A line is attributed to the cycle of the entitlement its reference names; a
line without a known reference goes to the cycle of the latest payment list
issued to the operator. The same file (same bytes) imported again records
nothing; a line already recorded with the same content is skipped, with
different content it is a conflict that rejects the file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError

from intake.errors import FileRejected, RowError
from intake.parallel import parsed_beside
from intake.tabular import file_sha256
from ledger import ids
from ledger.disbursement_services import AttributedLine
from reconciliation.operators import OperatorConfig, load_operator
from reconciliation.payout_row import PayoutRow
from reconciliation.readers import check_payout_file
from reconciliation.rejections import write_rejections
from workflows.payout_checks import Target, TargetBook, check_batch, known_references
from workflows.payout_matching import match_batch
from workflows import runtime
from workflows.runtime import Ledger
from workflows.spill import Spill

BATCH_SIZE = 20_000  # lines checked together (one look-up per kind of key)
DUPLICATE = -1


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
    ledger.catch_up()
    with Spill() as spill:
        errors = _check(ledger, path, config, spill, report)
        if errors:
            report.rejected = len({e.line for e in errors})
            if not skip_invalid:
                raise FileRejected(str(path), errors)
            report.rejected_file = str(rejects or path.with_name(path.name + ".rejected.csv"))
            write_rejections(Path(report.rejected_file), errors)
        _record(ledger, path, config, spill, report)
    try:
        ledger.app.record_payout_file(
            config.code, sha256, path.name, report.lines, report.recorded, report.skipped_duplicates,
            report.rejected, ledger.audit.for_file(sha256, path.name),
        )
    except IntegrityError:
        pass  # the same file was recorded by another process at the same moment
    ledger.catch_up()
    return report


def _check(ledger: Ledger, path: Path, config: OperatorConfig, spill: Spill, report: ImportReport) -> list[RowError]:
    """The one parsing pass: every problem is returned; recordable lines are spilled."""
    book = TargetBook.load(ledger.db, config.code)
    errors: list[RowError] = []
    pending: list[PayoutRow] = []
    cycles: Counter[str] = Counter()

    def flush() -> None:
        attributed: list[tuple[PayoutRow, Target]] = []
        references = known_references(ledger.db, pending)
        for row, decision in check_batch(ledger.db, str(path), config.code, book, pending, errors, references):
            if decision == DUPLICATE:
                report.skipped_duplicates += 1
            elif decision > 0:
                attributed.append((row, book.targets[decision - 1]))
        matches = match_batch(ledger.db, attributed, references)
        spill.add([_attributed(row, target, *match) for (row, target), match in zip(attributed, matches)])
        cycles.update(f"{target.program} {target.cycle}" for _, target in attributed)
        pending.clear()

    def on_row(row: PayoutRow) -> None:
        pending.append(row)
        if len(pending) == BATCH_SIZE:
            flush()

    # A large file is parsed in a second process while this one checks and matches its rows.
    check = parsed_beside(check_payout_file, path, config, on_row=on_row)
    flush()
    report.lines = check.rows
    report.cycles = dict(cycles)
    return sorted(check.errors + errors, key=lambda e: e.line)


def _record(ledger: Ledger, path: Path, config: OperatorConfig, spill: Spill, report: ImportReport) -> None:
    audit = ledger.audit.for_file(report.file_sha256, path.name)
    ledger.progress.start(f"recording {path.name}", report.lines)
    with ledger.following(report.lines, "tl_payout_lines"):
        for lines in spill.groups(runtime.write_batch(ledger.db)):
            report.recorded += _save(ledger, config.code, lines, audit)
            ledger.progress.advance(len(lines))
    ledger.progress.stop()


def _save(ledger: Ledger, operator: str, lines: list[AttributedLine], audit: Any) -> int:
    """Record the lines; those another process recorded meanwhile are left out and the rest retried.

    Another process may commit more of them between our retries (an overlapping file imported at
    the same moment), so retry as long as each conflict leaves fewer lines to record.
    """
    while True:
        try:
            return ledger.app.record_payout_lines(operator, lines, audit)
        except IntegrityError:
            ledger.catch_up()
            done = _recorded_ids(ledger, operator, [x.operator_txn_id for x in lines])
            if not done:
                raise
            lines = [x for x in lines if x.operator_txn_id not in done]


def _recorded_ids(ledger: Ledger, operator: str, txn_ids: list[str]) -> set[str]:
    return {r[0] for r in ledger.db.fetch_in(
        "SELECT operator_txn_id FROM tl_payout_lines WHERE operator = ? AND operator_txn_id {keys}", (operator,),
        txn_ids)}


def _attributed(row: PayoutRow, target: Target, matched: str | None, how: str) -> AttributedLine:
    return AttributedLine(
        line=row.line, operator_txn_id=row.operator_txn_id, program=target.program, cycle=target.cycle,
        reference=row.reference, household_id=row.household_id, msisdn=row.msisdn, amount=row.amount,
        currency=row.currency, paid_at=row.paid_at, status=row.status, reason=row.reason,
        matched_reference=matched, match=how,
    )
