"""The PayoutLine aggregate: one line of an operator's payout confirmation file.

Its id is uuid5 of operator + operator transaction id, so the same transaction
sent again in another file can never be recorded twice. The event records which
entitlement the line was matched to and how (reference, household_id, msisdn),
or why it matched none, so every paid franc is traceable to an event.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import ids
from ledger.audit import AuditDict
from ledger.errors import CorrectionRefused


class PayoutLine(Aggregate):
    TOPIC = "tledger:PayoutLine"

    class Created(Aggregate.Created):
        TOPIC = "tledger:PayoutLine.Created"

    @staticmethod
    def create_id(operator: str, operator_txn_id: str) -> UUID:
        return ids.payout_line_id(operator, operator_txn_id)

    @event("Reported", topic="tledger:PayoutLine.Reported")
    def __init__(
        self,
        operator: str,
        operator_txn_id: str,
        program: str,
        cycle: str,
        reference: str | None,
        household_id: str | None,
        msisdn: str | None,
        amount: int,
        currency: str | None,
        paid_at: datetime | None,
        status: str,
        reason: str | None,
        matched_reference: str | None,
        match: str,
        audit: AuditDict,
    ) -> None:
        self.operator = operator
        self.operator_txn_id = operator_txn_id
        self.program = program
        self.cycle = cycle
        self.amount = amount
        self.status = status
        self.matched_reference = matched_reference
        self.reversed = False

    def reverse(self, reason: str, audit: AuditDict) -> None:
        """The operator reversed this payout (money returned): it no longer counts as paid."""
        what = f"reverse payout line '{self.operator_txn_id}' of operator '{self.operator}'"
        if not reason.strip():
            raise CorrectionRefused(f"cannot {what}: a reason is required")
        if self.reversed:
            raise CorrectionRefused(f"cannot {what}: it is already reversed")
        if self.status != "success":
            raise CorrectionRefused(f"cannot {what}: its status is {self.status}, not success")
        self._reversed(
            self.operator, self.operator_txn_id, self.program, self.cycle, self.amount,
            self.matched_reference, reason, audit,
        )

    @event("Reversed", topic="tledger:PayoutLine.Reversed")
    def _reversed(
        self, operator: str, operator_txn_id: str, program: str, cycle: str, amount: int,
        matched_reference: str | None, reason: str, audit: AuditDict,
    ) -> None:
        self.reversed = True
