"""Reports over the read models (live, or derived as of a past moment): SQL set work only."""

from __future__ import annotations

from typing import Any

from projections.categories import status
from projections.database import Database


def _scope(program: str | None, column: str) -> tuple[str, tuple[str, ...]]:
    return (f"{column} = ?", (program,)) if program else ("1 = 1", ())


def balances(db: Database, program: str | None) -> list[dict[str, Any]]:
    """Per household: entitled, paid, outstanding (entitled - paid) and the last payment."""
    inner, inner_params = _scope(program, "e.program")
    outer, outer_params = _scope(program, "h.program")
    rows = db.fetchall(
        "SELECT h.program, h.household_id, h.region, h.commune, h.operator, h.status, "
        "COALESCE(SUM(s.owed), 0), COALESCE(SUM(s.paid), 0), MAX(s.last_paid_at) "
        f"FROM tl_households h LEFT JOIN {status(inner)} s "
        f"ON s.program = h.program AND s.household_id = h.household_id WHERE {outer} "
        "GROUP BY h.program, h.household_id, h.region, h.commune, h.operator, h.status "
        "ORDER BY h.program, h.household_id",
        inner_params + outer_params,
    )
    return [
        {"program": p, "household_id": hid, "region": region, "commune": commune, "operator": op,
         "status": state, "entitled": int(owed), "paid": int(paid), "outstanding": int(owed) - int(paid),
         "last_payment": last}
        for p, hid, region, commune, op, state, owed, paid, last in rows
    ]


def cycles(db: Database, program: str | None) -> list[dict[str, Any]]:
    """Per cycle: expected, instructed, paid, failed and unpaid (counts and amounts)."""
    inner, inner_params = _scope(program, "e.program")
    outer, outer_params = _scope(program, "c.program")
    rows = db.fetchall(
        "SELECT c.program, c.label, c.status, "
        "COUNT(s.reference) - COALESCE(SUM(s.cancelled), 0), COALESCE(SUM(s.owed), 0), "
        "COALESCE(SUM(s.instructed), 0), COALESCE(SUM(CASE WHEN s.instructed = 1 THEN s.owed ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN s.paid > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(s.paid), 0), "
        "COALESCE(SUM(CASE WHEN s.category = 'failed' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN s.category = 'failed' THEN s.owed ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN s.category = 'unpaid' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN s.category = 'unpaid' THEN s.owed ELSE 0 END), 0) "
        f"FROM tl_cycles c LEFT JOIN {status(inner)} s ON s.program = c.program AND s.cycle = c.label "
        f"WHERE {outer} GROUP BY c.program, c.label, c.status, c.start_on ORDER BY c.program, c.start_on",
        inner_params + outer_params,
    )
    keys = ("expected", "instructed", "paid", "failed", "unpaid")
    result = []
    for p, label, state, *numbers in rows:
        entry: dict[str, Any] = {"program": p, "cycle": label, "status": state}
        for index, key in enumerate(keys):
            entry[key] = {"count": int(numbers[2 * index]), "amount": int(numbers[2 * index + 1])}
        result.append(entry)
    return result


def regions(db: Database, program: str | None) -> list[dict[str, Any]]:
    """Per region, circle and commune: households, entitled, paid, outstanding."""
    inner, inner_params = _scope(program, "e.program")
    outer, outer_params = _scope(program, "h.program")
    rows = db.fetchall(
        "SELECT h.region, h.circle, h.commune, COUNT(DISTINCT h.household_id), "
        f"COALESCE(SUM(s.owed), 0), COALESCE(SUM(s.paid), 0) FROM tl_households h LEFT JOIN {status(inner)} s "
        f"ON s.program = h.program AND s.household_id = h.household_id WHERE {outer} "
        "GROUP BY h.region, h.circle, h.commune ORDER BY h.region, h.circle, h.commune",
        inner_params + outer_params,
    )
    return [
        {"region": r, "circle": c, "commune": m, "households": int(n), "entitled": int(owed),
         "paid": int(paid), "outstanding": int(owed) - int(paid)}
        for r, c, m, n, owed, paid in rows
    ]


def operators(db: Database, program: str | None) -> list[dict[str, Any]]:
    """Per operator: money instructed on payment lists vs confirmed paid."""
    where, params = _scope(program, "e.program")
    rows = db.fetchall(
        "SELECT s.operator, SUM(s.instructed), SUM(CASE WHEN s.instructed = 1 THEN s.owed ELSE 0 END), "
        f"SUM(s.paid) FROM {status(where)} s GROUP BY s.operator ORDER BY s.operator",
        params,
    )
    return [{"operator": op, "instructed": {"count": int(n), "amount": int(a)}, "confirmed": int(paid)}
            for op, n, a, paid in rows]


def accounts(db: Database, program: str | None = None) -> dict[str, Any]:
    """The trial balance (debits positive, credits negative); its total is always zero.

    Every account name is ``KIND:PROGRAM[:OPERATOR]``, so one program's accounts balance too.
    """
    rows = db.fetchall("SELECT account, balance FROM tl_balances ORDER BY account")
    entries = [{"account": a, "balance": int(b)} for a, b in rows
               if program is None or a.split(":")[1] == program]
    where, params = _scope(program, "e.program")
    owed = db.fetchone(
        "SELECT COALESCE(SUM(s.owed - s.paid), 0), "
        "COALESCE(SUM(CASE WHEN s.owed > s.paid THEN s.owed - s.paid ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN s.paid > s.owed THEN s.paid - s.owed ELSE 0 END), 0) FROM {status(where)} s",
        params,
    )
    payable = sum(e["balance"] for e in entries if e["account"].startswith("household-payable:"))
    outstanding = int(owed[0]) if owed else 0
    return {
        "accounts": entries,
        "total": sum(e["balance"] for e in entries),
        "household_payable": payable,
        "outstanding_entitlements": outstanding,  # entitled - paid, net of overpayments
        "still_owed": int(owed[1]) if owed else 0,
        "overpaid": int(owed[2]) if owed else 0,
        "payable_matches_outstanding": -payable == outstanding,
    }
