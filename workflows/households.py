"""Household look-up and status changes (exit, suspend, reinstate)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ledger.errors import HouseholdNotFound, LedgerError
from projections.categories import status
from projections.database import Database
from workflows.runtime import Ledger

_COLUMNS = ("program", "household_id", "head_name", "msisdn", "region", "circle", "commune",
            "village", "operator", "enrolled_on", "productive", "status", "exited_on")


def resolve_program(ledger: Ledger, household_id: str, program: str | None, db: Database | None = None) -> str:
    """The program of ``household_id``; ``program`` is required only when it is ambiguous."""
    if program is not None:
        return program
    if db is None:
        ledger.catch_up()
    rows = (db or ledger.db).fetchall(
        "SELECT program FROM tl_households WHERE household_id = ? ORDER BY program", (household_id,)
    )
    if not rows:
        raise HouseholdNotFound("any", household_id)
    if len(rows) > 1:
        programs = ", ".join(r[0] for r in rows)
        raise LedgerError(
            f"household '{household_id}' is enrolled in several programs ({programs}): "
            "name one with --program"
        )
    return str(rows[0][0])


def show_household(
    ledger: Ledger, household_id: str, program: str | None, db: Database | None = None
) -> dict[str, Any]:
    """The household from the live read models, or from ``db`` (the books as of a moment)."""
    if db is None:
        ledger.catch_up()
    db = db or ledger.db
    program = resolve_program(ledger, household_id, program, db)
    row = db.fetchone(
        f"SELECT {', '.join(_COLUMNS)} FROM tl_households WHERE program = ? AND household_id = ?",
        (program, household_id),
    )
    if row is None:
        raise HouseholdNotFound(program, household_id)
    result: dict[str, Any] = dict(zip(_COLUMNS, row))
    result["productive"] = bool(result["productive"])
    result["status_history"] = [
        {"action": a, "on": on, "reason": reason, "recorded_at": at, "actor": actor}
        for a, on, reason, at, actor in db.fetchall(
            "SELECT action, on_date, reason, recorded_at, actor FROM tl_household_status "
            "WHERE program = ? AND household_id = ? ORDER BY version",
            (program, household_id),
        )
    ]
    entitlements = [
        {"cycle": c, "reference": ref, "amount": amount, "due": due, "paid": paid, "category": category,
         "currency": cur, "months": m.split(",") if m else [], "components": json.loads(comp),
         "rule_version": rv}
        for c, ref, amount, due, paid, category, cur, m, comp, rv in db.fetchall(
            "SELECT s.cycle, s.reference, s.amount, s.owed, s.paid, s.category, s.currency, s.months, "
            f"s.components, s.rule_version FROM {status('e.program = ? AND e.household_id = ?')} s "
            "ORDER BY s.cycle",
            (program, household_id),
        )
    ]
    result["entitlements"] = entitlements
    result["entitled_total"] = sum(e["due"] for e in entitlements)
    result["paid_total"] = sum(e["paid"] for e in entitlements)
    result["outstanding"] = result["entitled_total"] - result["paid_total"]
    return result


def change_status(
    ledger: Ledger, household_id: str, program: str | None, action: str, on: date, reason: str
) -> dict[str, Any]:
    program = resolve_program(ledger, household_id, program)
    household = ledger.app.change_status(program, household_id, action, on, reason, ledger.audit)
    ledger.catch_up()
    return {
        "program": program,
        "household_id": household_id,
        "action": action,
        "on": on.isoformat(),
        "status": household.status,
    }
