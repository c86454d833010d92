"""The two ordered reads a reconciliation merges, over a range of references.

A cycle can be reconciled in parts: each part is the entitlements whose reference
lies in ``[low, high)`` and the lines matched to those references (``None``: no bound).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from projections.database import Database
from reconciliation.summary import Digest, EntitlementRow, LineRow, Totals, detail_rows


class Scope(NamedTuple):
    program: str
    cycle: str
    operator: str | None = None
    low: str | None = None  # first reference included
    high: str | None = None  # first reference excluded


def _bounds(db: Database, scope: Scope, column: str) -> tuple[str, tuple[str, ...]]:
    """The range condition, in the same (byte) order as the ORDER BY."""
    column = db.ordered(column)
    where = ""
    params: tuple[str, ...] = ()
    if scope.low is not None:
        where, params = f" AND {column} >= ?", (scope.low,)
    if scope.high is not None:
        where, params = where + f" AND {column} < ?", (*params, scope.high)
    return where, params


def entitlements(db: Database, scope: Scope) -> Iterator[EntitlementRow]:
    where = "e.program = ? AND e.cycle = ?"
    params: tuple[str, ...] = (scope.program, scope.cycle)
    if scope.operator:
        where, params = where + " AND e.operator = ?", (*params, scope.operator)
    bounds, more = _bounds(db, scope, "e.reference")
    cursor = db.stream(
        "SELECT e.reference, e.household_id, e.operator, e.due, e.cancelled FROM tl_entitlements e "
        f"WHERE {where}{bounds} ORDER BY {db.ordered('e.reference')}",
        (*params, *more),
    )
    return map(EntitlementRow._make, cursor)


def matched_lines(db: Database, scope: Scope) -> Iterator[LineRow]:
    """Lines matched to an entitlement, in reference order (each entitlement sorts its own few)."""
    bounds, more = _bounds(db, scope, "l.matched_reference")
    return _lines(db, f"l.matched_reference IS NOT NULL{bounds}", db.ordered("l.matched_reference"),
                  (scope.program, scope.cycle, *more))


def unknown_lines(db: Database, scope: Scope) -> Iterator[LineRow]:
    """Lines matched to no entitlement (of the scope's operator, if any), by operator and id."""
    order = f"{db.ordered('l.operator')}, {db.ordered('l.operator_txn_id')}"
    lines = _lines(db, "l.matched_reference IS NULL", order, (scope.program, scope.cycle))
    return (u for u in lines if not scope.operator or u.operator == scope.operator)


def _lines(db: Database, condition: str, order: str, params: tuple[Any, ...]) -> Iterator[LineRow]:
    cursor = db.stream(
        "SELECT l.matched_reference, l.operator, l.operator_txn_id, l.reference, l.household_id, l.amount, "
        "l.status, l.reversed, l.file_name, l.line, l.match FROM tl_payout_lines l "
        f"WHERE l.program = ? AND l.cycle = ? AND {condition} ORDER BY {order}",
        params,
    )
    return map(LineRow._make, cursor)


def detail(db: Database, scope: Scope, digest: Digest, totals: Totals) -> Iterator[tuple[Any, ...]]:
    """The scope's detail rows with its unknown lines (see ``detail_rows``), streamed."""
    return detail_rows(entitlements(db, scope), matched_lines(db, scope), unknown_lines(db, scope), digest, totals)


def count(db: Database, scope: Scope) -> int:
    where = "program = ? AND cycle = ?"
    params: tuple[str, ...] = (scope.program, scope.cycle)
    if scope.operator:
        where, params = where + " AND operator = ?", (*params, scope.operator)
    row = db.fetchone(f"SELECT COUNT(*) FROM tl_entitlements WHERE {where}", params)
    return int(row[0]) if row else 0


def middle_reference(db: Database, scope: Scope, sample: int = 2_001) -> str | None:
    """A reference near the middle of the scope's, from a sample (references are hashes, so
    any stretch of the table is a fair sample); it only balances the parts' work."""
    rows = db.fetchall(
        "SELECT reference FROM tl_entitlements WHERE program = ? AND cycle = ? "
        f"ORDER BY household_id LIMIT {int(sample)}", (scope.program, scope.cycle))
    references = sorted(str(r[0]) for r in rows)
    return references[len(references) // 2] if references else None
