"""Double-entry postings: every money event as balanced amounts on accounts.

Debits are positive, credits negative; the postings of one event sum to zero,
so the trial balance of any set of events is zero. Accounts:

- ``benefits-expense:PROGRAM``: what the program has committed to pay (debit);
- ``household-payable:PROGRAM``: what is owed to households (credit); its balance
  is minus (entitled - paid), so it equals the outstanding entitlements;
- ``operator-clearing:PROGRAM:OPERATOR``: money operators report paid out of the float
  the program gave them (credit);
- ``unmatched-payouts:PROGRAM:OPERATOR``: paid lines that match no entitlement (a
  suspense account, debit) until corrected;
- ``manual-cash:PROGRAM``: payments made outside any operator file (credit).
"""

from __future__ import annotations

from typing import Any

Posting = tuple[str, int]


def postings(topic: str, event: Any) -> list[Posting]:
    """The balanced postings of one event (empty for events that move no money)."""
    handler = _BY_TOPIC.get(topic)
    return handler(event) if handler else []


def _pair(debit: str, credit: str, amount: int) -> list[Posting]:
    return [(debit, amount), (credit, -amount)] if amount else []


def _granted(e: Any) -> list[Posting]:
    return _pair(f"benefits-expense:{e.program}", f"household-payable:{e.program}", e.amount)


def _adjusted(e: Any) -> list[Posting]:
    return _pair(f"benefits-expense:{e.program}", f"household-payable:{e.program}", e.delta)


def _cancelled(e: Any) -> list[Posting]:
    return _pair(f"household-payable:{e.program}", f"benefits-expense:{e.program}", e.due_before)


def _paid_account(e: Any) -> str:
    return f"household-payable:{e.program}" if e.matched_reference else f"unmatched-payouts:{e.program}:{e.operator}"


def _reported(e: Any) -> list[Posting]:
    if e.status != "success":
        return []
    return _pair(_paid_account(e), f"operator-clearing:{e.program}:{e.operator}", e.amount)


def _reversed(e: Any) -> list[Posting]:
    return _pair(f"operator-clearing:{e.program}:{e.operator}", _paid_account(e), e.amount)


def _manual(e: Any) -> list[Posting]:
    return _pair(f"household-payable:{e.program}", f"manual-cash:{e.program}", e.amount)


_BY_TOPIC = {
    "tledger:Entitlement.Granted": _granted,
    "tledger:Entitlement.Adjusted": _adjusted,
    "tledger:Entitlement.Cancelled": _cancelled,
    "tledger:Entitlement.ManualPaymentRecorded": _manual,
    "tledger:PayoutLine.Reported": _reported,
    "tledger:PayoutLine.Reversed": _reversed,
}
