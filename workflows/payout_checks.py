"""Checks of payout lines against what the ledger already holds (no writes):
attribution to a cycle, duplicates, conflicts, closed cycles, currency."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from intake.errors import RowError
from projections.database import Database
from reconciliation.payout_row import PayoutRow


@dataclass(frozen=True)
class Target:
    program: str
    cycle: str
    currency: str
    closed: bool


@dataclass
class TargetBook:
    """The cycles lines can be attributed to, with the operator's latest issued list as default."""

    db: Database
    operator: str
    targets: list[Target] = field(default_factory=list)
    index: dict[tuple[str, str], int] = field(default_factory=dict)
    default: int | None = None

    @classmethod
    def load(cls, db: Database, operator: str) -> TargetBook:
        book = cls(db, operator)
        latest = db.fetchone(
            "SELECT program, cycle FROM tl_payment_lists WHERE operator = ? "
            "ORDER BY issued_at DESC, cycle DESC LIMIT 1",
            (operator,),
        )
        if latest is not None:
            book.default = book.code(str(latest[0]), str(latest[1]))
        return book

    def code(self, program: str, cycle: str) -> int:
        """Decision code (1 + index) of a cycle, loading its facts once."""
        key = (program, cycle)
        if key not in self.index:
            row = self.db.fetchone(
                "SELECT p.currency, c.status FROM tl_programs p JOIN tl_cycles c ON c.program = p.code "
                "WHERE p.code = ? AND c.label = ?",
                (program, cycle),
            )
            currency, status = (str(row[0]), str(row[1])) if row else ("", "open")
            self.index[key] = len(self.targets)
            self.targets.append(Target(program, cycle, currency, status == "closed"))
        return self.index[key] + 1


def check_batch(
    db: Database, file: str, operator: str, book: TargetBook, batch: list[PayoutRow], errors: list[RowError],
    references: Mapping[str | None, tuple[str, str]],
) -> Iterator[tuple[PayoutRow, int]]:
    """Yield (row, decision) per row: -1 duplicate, 0 skip (error appended), > 0 target code.

    ``references``: the batch's known references (``known_references``)."""
    recorded = _recorded(db, operator, [r.operator_txn_id for r in batch])
    for row in batch:
        problem: RowError | None = None
        decision = 0
        if row.operator_txn_id in recorded:
            content, source = recorded[row.operator_txn_id]
            if content == row.content():
                yield row, -1
                continue
            changed = sorted(k for k in content if content.get(k) != row.content().get(k))
            problem = RowError(file, row.line, "operator_txn_id", row.operator_txn_id,
                               f"already recorded from {source} with different {', '.join(changed)}: "
                               "a conflicting re-send")
        elif row.reference in references:
            decision = book.code(*references[row.reference])
        elif book.default is not None:
            decision = book.default
        else:
            problem = RowError(file, row.line, "reference", row.reference or "",
                               f"no payment list has been issued to operator '{operator}': "
                               "the line cannot be attributed to a cycle")
        if problem is None and decision > 0:
            problem = _target_problem(file, row, book.targets[decision - 1])
        if problem is not None:
            errors.append(problem)
            decision = 0
        yield row, decision


def _target_problem(file: str, row: PayoutRow, target: Target) -> RowError | None:
    if target.closed:
        return RowError(file, row.line, "reference", row.reference or "",
                        f"cycle {target.cycle} of program '{target.program}' is closed: "
                        "only corrections change it")
    if row.currency and target.currency and row.currency != target.currency:
        return RowError(file, row.line, "currency", row.currency,
                        f"currency {row.currency} does not match the program's {target.currency}")
    return None


def known_references(db: Database, batch: list[PayoutRow]) -> dict[str | None, tuple[str, str]]:
    """The batch's references that name an entitlement: reference -> (program, cycle)."""
    references = [r.reference for r in batch if r.reference]
    rows = db.fetch_in("SELECT reference, program, cycle FROM tl_entitlements WHERE reference {keys}", (),
                       references)
    return {r[0]: (str(r[1]), str(r[2])) for r in rows}


_CONTENT = ("operator_txn_id", "reference", "household_id", "msisdn", "amount", "currency", "paid_at", "status",
            "reason")


def _recorded(db: Database, operator: str, txn_ids: list[str]) -> dict[str, tuple[dict[str, object], str]]:
    """The recorded lines among these ids: their content (as ``PayoutRow.content``) and where they came from."""
    rows = db.fetch_in(
        f"SELECT {', '.join(_CONTENT)}, file_name, line FROM tl_payout_lines "
        "WHERE operator = ? AND operator_txn_id {keys}",
        (operator,), txn_ids,
    )
    width = len(_CONTENT)
    return {r[0]: (dict(zip(_CONTENT, r[:width])), f"{r[width]}:{r[width + 1]}") for r in rows}
