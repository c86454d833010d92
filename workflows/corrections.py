"""Corrections: each an event with a reason and the actor, never an edit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.calendar import parse_cycle_label
from ledger.errors import CorrectionRefused
from workflows.reconcile import category_of
from workflows.runtime import Ledger

REISSUABLE = ("unpaid", "failed")


def _cycle(ledger: Ledger, program: str, label: str) -> str:
    definition = ledger.app.get_program(program)
    return str(parse_cycle_label(label, definition.current.rules.cycle_months))


def correct_entitlement(
    ledger: Ledger, program: str, label: str, household_id: str, action: str, **kwargs: Any
) -> dict[str, Any]:
    """adjust (delta), cancel, manual_payment (amount, paid_at) or reissue, each with a reason."""
    cycle = _cycle(ledger, program, label)
    if action == "reissue":
        ledger.catch_up()
        category = category_of(ledger, program, cycle, household_id)
        if category not in REISSUABLE:
            raise CorrectionRefused(
                f"cannot re-issue the entitlement of household '{household_id}' in {program} {cycle}: "
                f"it is {category}; only unpaid or failed entitlements are re-issued"
            )
    entitlement = ledger.app.correct_entitlement(program, cycle, household_id, action, ledger.audit, **kwargs)
    ledger.catch_up()
    return {
        "program": program, "cycle": cycle, "household_id": household_id, "correction": action,
        "reference": entitlement.reference, "due": 0 if entitlement.cancelled else entitlement.due,
        "cancelled": entitlement.cancelled,
    }


def reverse_payout(ledger: Ledger, operator: str, operator_txn_id: str, reason: str) -> dict[str, Any]:
    line = ledger.app.reverse_payout_line(operator.strip().lower(), operator_txn_id, reason, ledger.audit)
    ledger.catch_up()
    return {"operator": line.operator, "operator_txn_id": operator_txn_id, "program": line.program,
            "cycle": line.cycle, "amount": line.amount, "correction": "reversal"}


def manual_payment(
    ledger: Ledger, program: str, label: str, household_id: str, amount: int, paid_at: datetime, reason: str
) -> dict[str, Any]:
    return correct_entitlement(
        ledger, program, label, household_id, "manual_payment", amount=amount, paid_at=paid_at, reason=reason
    )
