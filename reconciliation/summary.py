"""Detail rows of a reconciliation and its digest, streamed: pure functions over plain rows."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO, Iterable, NamedTuple

from reconciliation.matching import CATEGORIES, classify, slip_note

DETAIL_HEADER = ("category", "expected", "reported", "difference", "reference", "household_id",
                 "operator", "operator_txn_ids", "sources", "notes")


class EntitlementRow(NamedTuple):
    reference: str
    household_id: str
    operator: str
    due: int
    cancelled: int


class LineRow(NamedTuple):
    matched_reference: str | None
    operator: str
    operator_txn_id: str
    reference: str | None
    household_id: str | None
    amount: int
    status: str
    reversed: int
    file_name: str | None
    line: int | None
    match: str

    @property
    def source(self) -> str:
        return f"{self.file_name}:{self.line}" if self.file_name else f"{self.operator} {self.operator_txn_id}"

    @property
    def counts_as_paid(self) -> bool:
        return self.status == "success" and not self.reversed


@dataclass
class Digest:
    """sha256 of the per-entitlement outcome, in reference order: the same books give the same digest."""

    notes: int = 0
    _hash: Any = field(default_factory=hashlib.sha256)

    def add(self, text: str) -> None:
        self._hash.update(text.encode())

    def add_file(self, path: Path) -> None:
        """Go on with text another part wrote to ``path`` (see :func:`digest_text`)."""
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                self._hash.update(chunk)

    def hexdigest(self) -> str:
        return str(self._hash.hexdigest())


class _TextSink:
    """Stands in for the hash: keeps the text in a file, for the part that finishes the digest."""

    def __init__(self, handle: BinaryIO) -> None:
        self.update = handle.write


def digest_text(handle: BinaryIO) -> Digest:
    """A Digest that writes its text to ``handle`` (a part of a reconciliation done elsewhere)."""
    return Digest(_hash=_TextSink(handle))


@dataclass
class Totals:
    """The reconciliation's totals, gathered while the detail rows stream by."""

    categories: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    amounts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {name: {"expected": 0, "reported": 0} for name in CATEGORIES})
    count: int = 0
    cancelled: int = 0
    owed: int = 0
    paid: int = 0
    paid_count: int = 0
    outstanding: int = 0
    excess: int = 0
    unknown: int = 0
    unknown_reported: int = 0

    def add(self, category: str, owed: int, paid: int, cancelled: bool) -> None:
        self.categories[category] += 1
        amounts = self.amounts[category]
        amounts["expected"] += owed
        amounts["reported"] += paid
        self.count += 1
        self.cancelled += cancelled
        self.owed += owed
        self.paid += paid
        self.paid_count += paid > 0
        self.outstanding += max(owed - paid, 0)
        self.excess += max(paid - owed, 0)

    def merge(self, other: Totals) -> None:
        """Add another part's totals to these."""
        for name in CATEGORIES:
            self.categories[name] += other.categories[name]
            for side in ("expected", "reported"):
                self.amounts[name][side] += other.amounts[name][side]
        for name in ("count", "cancelled", "owed", "paid", "paid_count", "outstanding", "excess", "unknown",
                     "unknown_reported"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "expected": {"count": self.count - self.cancelled, "amount": self.owed},
            "paid": {"count": self.paid_count, "amount": self.paid},
            "outstanding": {"amount": self.outstanding},
            "excess": {"amount": self.excess},
            "categories": self.categories | {"unknown": self.unknown},
            "category_amounts": self.amounts | {"unknown": {"expected": 0, "reported": self.unknown_reported}},
        }


def _by_line_key(line: LineRow) -> tuple[str, str]:
    return line.operator, line.operator_txn_id


def detail_rows(
    entitlements: Iterable[EntitlementRow], matched: Iterable[LineRow], unknown: Iterable[LineRow],
    digest: Digest, totals: Totals,
) -> Iterator[tuple[Any, ...]]:
    """One row per entitlement (merge-joined with its lines, both in reference order), then per unknown line.

    The category is ``classify``'s, the definition the read models' SQL is held equal to.
    """
    lines = groupby(matched, key=lambda line: line.matched_reference)
    current = next(lines, None)
    for e in entitlements:
        while current is not None and (current[0] or "") < e.reference:
            current = next(lines, None)
        own = sorted(current[1], key=_by_line_key) if current is not None and current[0] == e.reference else []
        owed = 0 if e.cancelled else e.due
        paid = sum(line.amount for line in own if line.counts_as_paid)
        category = classify(e.due, bool(e.cancelled), own)
        totals.add(category, owed, paid, bool(e.cancelled))
        notes = [f"{line.source}: {note}" for line in own if line.counts_as_paid
                 for note in [slip_note(line.amount, owed)] if note]
        notes += [f"{line.source}: reversed by the operator" for line in own if line.reversed]
        digest.notes += len(notes)
        txns = " ".join(line.operator_txn_id for line in own)
        digest.add(f"{e.reference}|{category}|{owed}|{paid}|{txns}\n")
        yield (category, owed, paid, paid - owed, e.reference, e.household_id, e.operator, txns,
               " ".join(line.source for line in own), "; ".join(notes))
    for u in unknown:
        reported = u.amount if u.counts_as_paid else 0
        totals.unknown += 1
        totals.unknown_reported += reported
        digest.add(f"unknown|{u.operator}/{u.operator_txn_id}|{u.amount}\n")
        yield ("unknown", 0, reported, reported, u.reference or "", u.household_id or "", u.operator,
               u.operator_txn_id, u.source, u.match.removeprefix("none: "))
