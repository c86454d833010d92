"""Match a batch of attributed payout lines to entitlements of their cycle (SQL look-ups,
pure decision in ``reconciliation.matching.match_line``)."""

from __future__ import annotations

from collections import defaultdict

from projections.database import Database
from reconciliation.matching import CycleIndex, match_line
from reconciliation.payout_row import PayoutRow
from workflows.payout_checks import Target


def match_batch(db: Database, rows: list[tuple[PayoutRow, Target]]) -> list[tuple[str | None, str]]:
    """(matched reference, how) for each row, in order."""
    by_cycle: dict[tuple[str, str], list[PayoutRow]] = defaultdict(list)
    for row, target in rows:
        by_cycle[(target.program, target.cycle)].append(row)
    indexes = {key: _index(db, key[0], key[1], group) for key, group in by_cycle.items()}
    return [
        match_line(row.reference, row.household_id, row.msisdn, indexes[(target.program, target.cycle)])
        for row, target in rows
    ]


def _index(db: Database, program: str, cycle: str, rows: list[PayoutRow]) -> CycleIndex:
    references = _lookup(db, "e.reference", program, cycle, {r.reference for r in rows if r.reference})
    households = _lookup(db, "e.household_id", program, cycle, {r.household_id for r in rows if r.household_id})
    numbers = _lookup(db, "h.msisdn", program, cycle, {r.msisdn for r in rows if r.msisdn})
    msisdns: dict[str, list[str]] = defaultdict(list)
    for number, reference in numbers:
        msisdns[number].append(reference)
    return CycleIndex(
        references=frozenset(ref for _, ref in references),
        households=dict(households),
        msisdns=msisdns,
    )


def _lookup(db: Database, column: str, program: str, cycle: str, keys: set[str]) -> list[tuple[str, str]]:
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    rows = db.fetchall(
        f"SELECT {column}, e.reference FROM tl_entitlements e JOIN tl_households h "
        "ON h.program = e.program AND h.household_id = e.household_id "
        f"WHERE e.program = ? AND e.cycle = ? AND {column} IN ({marks}) ORDER BY e.reference",
        (program, cycle, *sorted(keys)),
    )
    return [(str(k), str(ref)) for k, ref in rows]
