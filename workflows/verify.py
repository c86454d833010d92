"""``tledger verify``: the hash chain, the read models and the trial balance, checked from the events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from projections import chain
from projections.log import StoredRow, read_log
from projections.runner import events_table
from projections.rebuild import compare, derive
from workflows.reports import accounts
from workflows.runtime import Ledger

BATCH = 5_000


def _notifications(ledger: Ledger) -> Iterator[StoredRow]:
    """The stored log, read the same way the read models read it."""
    start = 0
    while page := read_log(ledger.db, events_table(ledger.app), start, BATCH):
        yield from page
        start = page[-1].id


def _links(ledger: Ledger) -> Iterator[tuple[int, str]]:
    after = 0
    while page := ledger.db.fetchall(
        f"SELECT position, hash FROM tl_chain WHERE position > ? ORDER BY position LIMIT {BATCH}", (after,)
    ):
        for position, link_hash in page:
            yield int(position), str(link_hash)
        after = int(page[-1][0])


def check_chain(ledger: Ledger) -> tuple[list[str], int, int]:
    """Recompute the chain over the stored events; (problems, events checked, events not yet chained)."""
    events, links = _notifications(ledger), _links(ledger)
    previous, checked = chain.GENESIS, 0
    event, link = next(events, None), next(links, None)
    while event is not None and link is not None:
        if event.id < link[0]:
            return [f"position {event.id}: an event that is not in the chain was inserted"], checked, 0
        if link[0] < event.id:
            return [f"position {link[0]}: the event recorded there is missing (deleted)"], checked, 0
        if chain.link(previous, event) != link[1]:
            return [f"position {event.id}: the stored event was altered or moved "
                    "(its bytes no longer match the chain)"], checked, 0
        previous, checked = link[1], checked + 1
        event, link = next(events, None), next(links, None)
    if link is not None:
        return [f"position {link[0]}: the event recorded there is missing (deleted)"], checked, 0
    unchained = [event.id] + [e.id for e in events] if event is not None else []
    if unchained:
        return [f"positions {unchained[0]}..{unchained[-1]}: {len(unchained)} events appended without "
                "being chained (written outside tledger, or by an interrupted command; if they are "
                "legitimate, any tledger command chains them)"], checked, len(unchained)
    return [], checked, 0


def verify(ledger: Ledger, expect: str | None = None) -> dict[str, Any]:
    """Every check an auditor needs; ``ok`` is false with the first problem of each kind named."""
    problems, checked, unchained = check_chain(ledger)
    if not problems:
        ledger.catch_up()
        fresh = derive(ledger.app, ledger.db)
        try:
            problems.extend(compare(ledger.db, fresh))
        finally:
            fresh.close()
    balance = accounts(ledger.db)
    if balance["total"] != 0:
        problems.append(f"trial balance total is {balance['total']}, not 0")
    if not balance["payable_matches_outstanding"]:
        problems.append(f"household payable {balance['household_payable']} does not equal minus the "
                        f"outstanding entitlements {balance['outstanding_entitlements']}")
    position, head = chain.head(ledger.db)
    if expect is not None and expect not in (head, f"{position}:{head}"):
        problems.append(f"chain head is {position}:{head}, expected {expect}")
    return {"ok": not problems, "events": checked, "unchained": unchained,
            "chain_head": {"position": position, "hash": head}, "problems": problems}
