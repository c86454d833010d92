"""Detail rows of a reconciliation and its digest, streamed: pure functions over plain rows."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Iterable, NamedTuple

from reconciliation.matching import slip_note

DETAIL_HEADER = ("category", "expected", "reported", "difference", "reference", "household_id",
                 "operator", "operator_txn_ids", "sources", "notes")


class EntitlementRow(NamedTuple):
    reference: str
    household_id: str
    operator: str
    category: str
    owed: int
    paid: int


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

    def hexdigest(self) -> str:
        return str(self._hash.hexdigest())


def detail_rows(
    entitlements: Iterable[EntitlementRow], matched: Iterable[LineRow], unknown: Iterable[LineRow],
    digest: Digest,
) -> Iterator[tuple[Any, ...]]:
    """One row per entitlement (merge-joined with its lines, both in reference order), then per unknown line."""
    lines = groupby(matched, key=lambda line: line.matched_reference)
    current = next(lines, None)
    for e in entitlements:
        while current is not None and (current[0] or "") < e.reference:
            current = next(lines, None)
        own = list(current[1]) if current is not None and current[0] == e.reference else []
        notes = [f"{line.source}: {note}" for line in own if line.counts_as_paid
                 for note in [slip_note(line.amount, e.owed)] if note]
        notes += [f"{line.source}: reversed by the operator" for line in own if line.reversed]
        digest.notes += len(notes)
        txns = " ".join(line.operator_txn_id for line in own)
        digest.add(f"{e.reference}|{e.category}|{e.owed}|{e.paid}|{txns}\n")
        yield (e.category, e.owed, e.paid, e.paid - e.owed, e.reference, e.household_id, e.operator, txns,
               " ".join(line.source for line in own), "; ".join(notes))
    for u in unknown:
        reported = u.amount if u.counts_as_paid else 0
        digest.add(f"unknown|{u.operator}/{u.operator_txn_id}|{u.amount}\n")
        yield ("unknown", 0, reported, reported, u.reference or "", u.household_id or "", u.operator,
               u.operator_txn_id, u.source, u.match.removeprefix("none: "))
