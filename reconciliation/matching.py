"""Matching payout lines to entitlements, and classifying each entitlement: pure functions.

Keys in order: our payment reference, then the household id within the cycle,
then the normalised phone number, and only when it names exactly one household.
Nothing is ever matched on names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

SUCCESS, FAILED, PENDING = "success", "failed", "pending"
CATEGORIES = ("paid", "partial", "overpaid", "duplicate", "failed", "pending", "unpaid", "cancelled")


@dataclass(frozen=True)
class Due:
    """An entitlement of the cycle as reconciliation sees it."""

    reference: str
    household_id: str
    msisdn: str | None
    operator: str
    due: int
    cancelled: bool = False


@dataclass(frozen=True)
class Line:
    """A recorded payout line (or manual payment) attributed to the cycle."""

    operator: str
    operator_txn_id: str
    reference: str | None
    household_id: str | None
    msisdn: str | None
    amount: int
    status: str
    reversed: bool = False
    file_name: str | None = None
    line: int | None = None

    @property
    def counts_as_paid(self) -> bool:
        """Sent is not paid: only a success that was not reversed counts."""
        return self.status == SUCCESS and not self.reversed

    @property
    def source(self) -> str:
        if self.file_name is None:
            return f"{self.operator} {self.operator_txn_id}"
        return f"{self.file_name}:{self.line}"


@dataclass
class Result:
    due: Due
    category: str
    paid: int
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def owed(self) -> int:
        return 0 if self.due.cancelled else self.due.due


@dataclass(frozen=True)
class Unknown:
    line: Line
    reason: str


def match(dues: Iterable[Due], lines: Iterable[Line]) -> tuple[dict[str, list[Line]], list[Unknown]]:
    """Lines per entitlement reference, and the lines that match no entitlement."""
    by_reference: dict[str, Due] = {}
    by_household: dict[str, str] = {}
    by_msisdn: dict[str, list[str]] = defaultdict(list)
    for due in dues:
        by_reference[due.reference] = due
        by_household[due.household_id] = due.reference
        if due.msisdn:
            by_msisdn[due.msisdn].append(due.reference)
    matched: dict[str, list[Line]] = defaultdict(list)
    unknown: list[Unknown] = []
    for line in lines:
        if line.reference and line.reference in by_reference:
            matched[line.reference].append(line)
        elif line.household_id and line.household_id in by_household:
            matched[by_household[line.household_id]].append(line)
        elif line.msisdn and len(by_msisdn.get(line.msisdn, ())) == 1:
            matched[by_msisdn[line.msisdn][0]].append(line)
        else:
            unknown.append(Unknown(line, _why_unknown(line, len(by_msisdn.get(line.msisdn or "", ())))))
    return matched, unknown


def _why_unknown(line: Line, msisdn_matches: int) -> str:
    tried = []
    if line.reference:
        tried.append(f"reference '{line.reference}'")
    if line.household_id:
        tried.append(f"household '{line.household_id}'")
    if line.msisdn:
        if msisdn_matches > 1:
            return f"msisdn {line.msisdn} matches {msisdn_matches} households: not matched"
        tried.append(f"msisdn {line.msisdn}")
    verb = "matches" if len(tried) == 1 else "match"
    return f"{' / '.join(tried)} {verb} no entitlement of the cycle"


def classify(due: Due, lines: list[Line]) -> Result:
    """The one category of an entitlement, given the lines matched to it."""
    owed = 0 if due.cancelled else due.due
    successes = [line for line in lines if line.counts_as_paid]
    paid = sum(line.amount for line in successes)
    if successes:
        if paid == owed:
            category = "paid"
        elif len(successes) >= 2 and all(line.amount == owed for line in successes):
            category = "duplicate"
        elif paid < owed:
            category = "partial"
        else:
            category = "overpaid"
    elif due.cancelled:
        category = "cancelled"
    elif any(line.status == FAILED or (line.status == SUCCESS and line.reversed) for line in lines):
        category = "failed"
    elif any(line.status == PENDING for line in lines):
        category = "pending"
    else:
        category = "paid" if owed == 0 else "unpaid"
    return Result(due, category, paid, list(lines), _notes(owed, lines))


def _notes(owed: int, lines: list[Line]) -> list[str]:
    notes = []
    for line in lines:
        if owed and line.amount == owed * 1000:
            notes.append(f"{line.source}: amount {line.amount} is 1000 times the amount due {owed} "
                         "(a thousands-separator slip?)")
        elif owed and line.amount * 1000 == owed:
            notes.append(f"{line.source}: amount {line.amount} is 1/1000 of the amount due {owed} "
                         "(a thousands-separator slip?)")
        if line.reversed:
            notes.append(f"{line.source}: reversed by the operator")
    return notes


def reconcile(dues: Iterable[Due], lines: Iterable[Line]) -> tuple[list[Result], list[Unknown]]:
    """Classify every entitlement (exactly one category each) and list unknown lines."""
    due_list = list(dues)
    matched, unknown = match(due_list, lines)
    return [classify(due, matched.get(due.reference, [])) for due in due_list], unknown
