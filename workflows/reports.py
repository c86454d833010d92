"""Reports over the read models (live, or derived as of a past moment): SQL set work only."""

from __future__ import annotations

from typing import Any

from projections.categories import CATEGORY, OWED
from projections.database import Database


def _program_filter(program: str | None, column: str) -> tuple[str, tuple[str, ...]]:
    return (f"WHERE {column} = ?", (program,)) if program else ("", ())


def balances(db: Database, program: str | None) -> list[dict[str, Any]]:
    """Per household: entitled, paid, outstanding (entitled - paid) and the last payment."""
    where, params = _program_filter(program, "h.program")
    rows = db.fetchall(
        "SELECT h.program, h.household_id, h.region, h.commune, h.operator, h.status, "
        f"COALESCE(SUM({OWED}), 0), COALESCE(SUM(e.paid), 0), MAX(e.last_paid_at) "
        "FROM tl_households h LEFT JOIN tl_entitlements e "
        f"ON e.program = h.program AND e.household_id = h.household_id {where} "
        "GROUP BY h.program, h.household_id, h.region, h.commune, h.operator, h.status "
        "ORDER BY h.program, h.household_id",
        params,
    )
    return [
        {"program": p, "household_id": hid, "region": region, "commune": commune, "operator": op,
         "status": status, "entitled": int(owed), "paid": int(paid), "outstanding": int(owed) - int(paid),
         "last_payment": last}
        for p, hid, region, commune, op, status, owed, paid, last in rows
    ]


def cycles(db: Database, program: str | None) -> list[dict[str, Any]]:
    """Per cycle: expected, instructed, paid, failed and unpaid (counts and amounts)."""
    where, params = _program_filter(program, "c.program")
    rows = db.fetchall(
        "SELECT c.program, c.label, c.status, "
        "COUNT(x.reference) - COALESCE(SUM(x.cancelled), 0), COALESCE(SUM(x.owed), 0), "
        "COALESCE(SUM(x.instructed), 0), COALESCE(SUM(CASE WHEN x.instructed = 1 THEN x.owed ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN x.paid > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(x.paid), 0), "
        "COALESCE(SUM(CASE WHEN x.category = 'failed' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN x.category = 'failed' THEN x.owed ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN x.category = 'unpaid' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN x.category = 'unpaid' THEN x.owed ELSE 0 END), 0) "
        "FROM tl_cycles c LEFT JOIN (SELECT e.program, e.cycle, e.reference, e.cancelled, e.instructed, "
        f"e.paid, {OWED} AS owed, {CATEGORY} AS category FROM tl_entitlements e) x "
        f"ON x.program = c.program AND x.cycle = c.label {where} "
        "GROUP BY c.program, c.label, c.status, c.start_on ORDER BY c.program, c.start_on",
        params,
    )
    keys = ("expected", "instructed", "paid", "failed", "unpaid")
    result = []
    for p, label, status, *numbers in rows:
        entry: dict[str, Any] = {"program": p, "cycle": label, "status": status}
        for index, key in enumerate(keys):
            entry[key] = {"count": int(numbers[2 * index]), "amount": int(numbers[2 * index + 1])}
        result.append(entry)
    return result


def regions(db: Database, program: str | None) -> list[dict[str, Any]]:
    """Per region, circle and commune: households, entitled, paid, outstanding."""
    where, params = _program_filter(program, "h.program")
    rows = db.fetchall(
        "SELECT h.region, h.circle, h.commune, COUNT(DISTINCT h.household_id), "
        f"COALESCE(SUM({OWED}), 0), COALESCE(SUM(e.paid), 0) FROM tl_households h "
        f"LEFT JOIN tl_entitlements e ON e.program = h.program AND e.household_id = h.household_id {where} "
        "GROUP BY h.region, h.circle, h.commune ORDER BY h.region, h.circle, h.commune",
        params,
    )
    return [
        {"region": r, "circle": c, "commune": m, "households": int(n), "entitled": int(owed),
         "paid": int(paid), "outstanding": int(owed) - int(paid)}
        for r, c, m, n, owed, paid in rows
    ]


def operators(db: Database, program: str | None) -> list[dict[str, Any]]:
    """Per operator: money instructed on payment lists vs confirmed paid."""
    where, params = _program_filter(program, "e.program")
    rows = db.fetchall(
        "SELECT e.operator, SUM(e.instructed), SUM(CASE WHEN e.instructed = 1 THEN "
        f"{OWED} ELSE 0 END), SUM(e.paid) FROM tl_entitlements e {where} GROUP BY e.operator ORDER BY e.operator",
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
    where, params = _program_filter(program, "e.program")
    owed = db.fetchone(f"SELECT COALESCE(SUM({OWED} - e.paid), 0) FROM tl_entitlements e {where}", params)
    payable = sum(e["balance"] for e in entries if e["account"].startswith("household-payable:"))
    outstanding = int(owed[0]) if owed else 0
    return {
        "accounts": entries,
        "total": sum(e["balance"] for e in entries),
        "household_payable": payable,
        "outstanding_entitlements": outstanding,
        "payable_matches_outstanding": -payable == outstanding,
    }
