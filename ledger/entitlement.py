"""The Entitlement aggregate: what one household is owed in one cycle, and its corrections.

One new aggregate per household per cycle (id = uuid5 of program, cycle and
household), so a cycle of a million households is created without loading any.
Corrections are events on it, each with a reason and the actor; nothing is edited.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import ids
from ledger.audit import AuditDict
from ledger.errors import CorrectionRefused


class Entitlement(Aggregate):
    TOPIC = "tledger:Entitlement"

    class Created(Aggregate.Created):
        TOPIC = "tledger:Entitlement.Created"

    @staticmethod
    def create_id(program: str, cycle: str, household_id: str) -> UUID:
        return ids.entitlement_id(program, cycle, household_id)

    @event("Granted", topic="tledger:Entitlement.Granted")
    def __init__(
        self,
        program: str,
        cycle: str,
        household_id: str,
        reference: str,
        operator: str,
        amount: int,
        currency: str,
        months: tuple[str, ...],
        components: dict[str, int],
        rule_version: int,
        audit: AuditDict,
    ) -> None:
        self.program = program
        self.cycle = cycle
        self.household_id = household_id
        self.reference = reference
        self.operator = operator
        self.amount = amount
        self.currency = currency
        self.months = months
        self.components = components
        self.rule_version = rule_version
        self.due = amount
        self.cancelled = False
        self.manual_payments = 0

    def _refuse(self, what: str, why: str) -> CorrectionRefused:
        return CorrectionRefused(
            f"cannot {what} the entitlement of household '{self.household_id}' in "
            f"{self.program} {self.cycle} ({self.reference}): {why}"
        )

    def _require_reason(self, what: str, reason: str) -> None:
        if not reason.strip():
            raise self._refuse(what, "a reason is required")
        if self.cancelled:
            raise self._refuse(what, "it is cancelled")

    def adjust(self, delta: int, reason: str, audit: AuditDict) -> None:
        """Change the amount due by a signed amount."""
        self._require_reason("adjust", reason)
        if delta == 0:
            raise self._refuse("adjust", "the adjustment is zero")
        if self.due + delta < 0:
            raise self._refuse(
                "adjust", f"due {self.due}, adjustment {delta} would make it negative ({self.due + delta})"
            )
        self._adjusted(
            self.program, self.cycle, self.household_id, self.reference, delta, self.due + delta, reason, audit
        )

    @event("Adjusted", topic="tledger:Entitlement.Adjusted")
    def _adjusted(
        self, program: str, cycle: str, household_id: str, reference: str, delta: int, due: int,
        reason: str, audit: AuditDict,
    ) -> None:
        self.due = due

    def cancel(self, reason: str, audit: AuditDict) -> None:
        self._require_reason("cancel", reason)
        self._cancelled(self.program, self.cycle, self.household_id, self.reference, self.due, reason, audit)

    @event("Cancelled", topic="tledger:Entitlement.Cancelled")
    def _cancelled(
        self, program: str, cycle: str, household_id: str, reference: str, due_before: int, reason: str,
        audit: AuditDict,
    ) -> None:
        self.cancelled = True

    def record_manual_payment(
        self, amount: int, paid_at: datetime, reason: str, audit: AuditDict
    ) -> str:
        """A payment made outside any operator file (cash at the commune office, say)."""
        self._require_reason("record a manual payment for", reason)
        if amount <= 0:
            raise self._refuse("record a manual payment for", f"amount {amount} must be positive")
        manual_id = f"MANUAL-{self.reference}-{self.manual_payments + 1}"
        self._manual_payment(
            self.program, self.cycle, self.household_id, self.reference, manual_id, amount,
            paid_at, reason, audit,
        )
        return manual_id

    @event("ManualPaymentRecorded", topic="tledger:Entitlement.ManualPaymentRecorded")
    def _manual_payment(
        self, program: str, cycle: str, household_id: str, reference: str, manual_id: str,
        amount: int, paid_at: datetime, reason: str, audit: AuditDict,
    ) -> None:
        self.manual_payments += 1

    def request_reissue(self, reason: str, audit: AuditDict) -> None:
        """Put the entitlement on the next payment list issued to its operator."""
        self._require_reason("re-issue", reason)
        self._reissue(self.program, self.cycle, self.household_id, self.reference, reason, audit)

    @event("ReissueRequested", topic="tledger:Entitlement.ReissueRequested")
    def _reissue(
        self, program: str, cycle: str, household_id: str, reference: str, reason: str, audit: AuditDict
    ) -> None:
        pass
