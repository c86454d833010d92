"""The reconciliation summary, its digest and its detail rows: pure functions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from reconciliation.matching import CATEGORIES, Result, Unknown

DETAIL_HEADER = ("category", "expected", "reported", "difference", "reference", "household_id",
                 "operator", "operator_txn_ids", "sources", "notes")


def summarise(program: str, cycle: str, operator: str | None, currency: str,
              results: Sequence[Result], unknown: Sequence[Unknown]) -> dict[str, Any]:
    """Counts and amounts to the franc; ``paid.amount`` counts overpayments too."""
    counted = [r for r in results if not r.due.cancelled]
    categories = {name: 0 for name in CATEGORIES} | {"unknown": len(unknown)}
    amounts = {name: {"expected": 0, "reported": 0} for name in CATEGORIES}
    for result in results:
        categories[result.category] += 1
        amounts[result.category]["expected"] += result.owed
        amounts[result.category]["reported"] += result.paid
    paid_results = [r for r in results if r.paid > 0]
    return {
        "program": program,
        "cycle": cycle,
        "operator": operator,
        "currency": currency,
        "expected": {"count": len(counted), "amount": sum(r.owed for r in counted)},
        "paid": {"count": len(paid_results), "amount": sum(r.paid for r in paid_results)},
        "outstanding": {"amount": sum(max(r.owed - r.paid, 0) for r in results)},
        "excess": {"amount": sum(max(r.paid - r.owed, 0) for r in results)},
        "categories": categories,
        "category_amounts": amounts | {"unknown": {"expected": 0, "reported": _unknown_paid(unknown)}},
        "notes": sum(len(r.notes) for r in results),
    }


def _unknown_paid(unknown: Sequence[Unknown]) -> int:
    return sum(u.line.amount for u in unknown if u.line.counts_as_paid)


def detail_rows(results: Sequence[Result], unknown: Sequence[Unknown]) -> Iterator[tuple[Any, ...]]:
    """One row per entitlement and per unknown line, discrepancies first."""
    ordered = sorted(results, key=lambda r: (r.category == "paid", r.category, r.due.reference))
    for r in ordered:
        yield (
            r.category, r.owed, r.paid, r.paid - r.owed, r.due.reference, r.due.household_id,
            r.due.operator, " ".join(x.operator_txn_id for x in r.lines),
            " ".join(x.source for x in r.lines), "; ".join(r.notes),
        )
    for u in unknown:
        line = u.line
        yield (
            "unknown", 0, line.amount if line.counts_as_paid else 0,
            line.amount if line.counts_as_paid else 0, line.reference or "", line.household_id or "",
            line.operator, line.operator_txn_id, line.source, u.reason,
        )


def digest(results: Sequence[Result], unknown: Sequence[Unknown]) -> str:
    """sha256 of the per-entitlement outcome: the same books give the same digest."""
    hasher = hashlib.sha256()
    for r in sorted(results, key=lambda r: r.due.reference):
        txns = ",".join(sorted(f"{x.operator}/{x.operator_txn_id}" for x in r.lines))
        hasher.update(f"{r.due.reference}|{r.category}|{r.owed}|{r.paid}|{txns}\n".encode())
    for u in sorted(unknown, key=lambda u: (u.line.operator, u.line.operator_txn_id)):
        hasher.update(f"unknown|{u.line.operator}/{u.line.operator_txn_id}|{u.line.amount}\n".encode())
    return hasher.hexdigest()
