"""Match a batch of attributed payout lines to entitlements of their cycle (SQL look-ups,
pure decision in ``reconciliation.matching.match_line``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from projections.database import Database
from reconciliation.matching import CycleIndex, match_line
from reconciliation.payout_row import PayoutRow
from workflows.payout_checks import Target


def match_batch(
    db: Database, rows: list[tuple[PayoutRow, Target]], known: Mapping[str | None, tuple[str, str]]
) -> list[tuple[str | None, str]]:
    """(matched reference, how) for each row, in order; ``known``: the batch's references that
    name an entitlement, with its (program, cycle)."""
    by_cycle: dict[tuple[str, str], list[PayoutRow]] = defaultdict(list)
    for row, target in rows:
        by_cycle[(target.program, target.cycle)].append(row)
    indexes = {key: _index(db, key[0], key[1], group, known) for key, group in by_cycle.items()}
    return [
        match_line(row.reference, row.household_id, row.msisdn, indexes[(target.program, target.cycle)])
        for row, target in rows
    ]


def _index(
    db: Database, program: str, cycle: str, rows: list[PayoutRow], known: Mapping[str | None, tuple[str, str]]
) -> CycleIndex:
    """Look up only the keys that matter: households for rows whose reference is unknown in
    the cycle, phone numbers for rows still unmatched (each query uses an index)."""
    references = {r.reference for r in rows if r.reference and known.get(r.reference) == (program, cycle)}
    rest = [r for r in rows if r.reference not in references]
    households = dict(_pairs(db, "SELECT household_id, reference FROM tl_entitlements WHERE program = ? "
                                 "AND cycle = ? AND household_id {keys}", program, cycle,
                             {r.household_id for r in rest if r.household_id}))
    numbers = {r.msisdn for r in rest if r.msisdn and r.household_id not in households}
    msisdns: dict[str, list[str]] = defaultdict(list)
    owners = _pairs(db, "SELECT household_id, msisdn FROM tl_households WHERE program = ? AND msisdn {keys}",
                    program, None, numbers)
    by_household = dict(_pairs(db, "SELECT household_id, reference FROM tl_entitlements WHERE program = ? "
                                   "AND cycle = ? AND household_id {keys}", program, cycle, {h for h, _ in owners}))
    for household, number in owners:
        if household in by_household:
            msisdns[number].append(by_household[household])
    return CycleIndex(references=frozenset(references), households=households, msisdns=msisdns)


def _pairs(db: Database, sql: str, program: str, cycle: str | None, keys: set[str]) -> list[tuple[str, str]]:
    params = (program,) if cycle is None else (program, cycle)
    rows = db.fetch_in(sql, params, sorted(keys))
    return [(str(a), str(b)) for a, b in rows]
