"""Running a batch's statements: grouped inserts, grouped statements, one set-based refresh."""

from __future__ import annotations

from projections.database import Database
from projections.statements import Insert, Refresh, Statement

_SUCCESS = "l.status = 'success' AND l.reversed = 0"
_OWED = "CASE WHEN e.cancelled = 1 THEN 0 ELSE e.due END"
# Every counter of the listed entitlements recomputed from their matched lines at once.
_REFRESH = (
    "UPDATE tl_entitlements SET paid = x.paid, successes = x.successes, full_successes = x.full_successes, "
    "failures = x.failures, pendings = x.pendings, last_paid_at = x.last_paid_at FROM ("
    "SELECT e.reference AS reference, "
    f"COALESCE(SUM(CASE WHEN {_SUCCESS} THEN l.amount ELSE 0 END), 0) AS paid, "
    f"COUNT(CASE WHEN {_SUCCESS} THEN 1 END) AS successes, "
    f"COUNT(CASE WHEN {_SUCCESS} AND l.amount = {_OWED} THEN 1 END) AS full_successes, "
    "COUNT(CASE WHEN l.status = 'failed' OR (l.status = 'success' AND l.reversed = 1) THEN 1 END) AS failures, "
    "COUNT(CASE WHEN l.status = 'pending' THEN 1 END) AS pendings, "
    f"MAX(CASE WHEN {_SUCCESS} THEN l.paid_at END) AS last_paid_at "
    "FROM tl_refresh r JOIN tl_entitlements e ON e.reference = r.reference "
    "LEFT JOIN tl_payout_lines l ON l.matched_reference = e.reference GROUP BY e.reference) x "
    "WHERE tl_entitlements.reference = x.reference"
)


def run(db: Database, statements: list[Statement]) -> None:
    """Run in order, sending consecutive runs of the same kind together; refreshes last."""
    refresh: dict[str, None] = {}
    index = 0
    while index < len(statements):
        first = statements[index]
        end = index + 1
        if isinstance(first, Refresh):
            refresh[first.reference] = None
            index = end
            continue
        while end < len(statements) and _same_group(first, statements[end]):
            end += 1
        group = statements[index:end]
        if isinstance(first, Insert):
            db.insert_many(first.table, first.columns, [s.values for s in group if isinstance(s, Insert)])
        else:
            db.executemany(first[0], [s[1] for s in group if isinstance(s, tuple)])
        index = end
    if refresh:
        _refresh(db, list(refresh))


def _same_group(first: Statement, other: Statement) -> bool:
    if isinstance(first, Insert):
        return isinstance(other, Insert) and (other.table, other.columns) == (first.table, first.columns)
    return isinstance(first, tuple) and isinstance(other, tuple) and other[0] == first[0]


def _refresh(db: Database, references: list[str]) -> None:
    db.execute("CREATE TEMPORARY TABLE IF NOT EXISTS tl_refresh (reference TEXT PRIMARY KEY)")
    db.execute("DELETE FROM tl_refresh")
    db.insert_many("tl_refresh", ("reference",), [(r,) for r in references])
    db.execute(_REFRESH)
    db.execute("DELETE FROM tl_refresh")
