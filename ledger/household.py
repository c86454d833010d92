"""The Household aggregate: enrolment in one program and its status history."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import ids
from ledger.audit import AuditDict
from ledger.errors import StatusChangeRefused
from ledger.rules import HouseholdTerms

ACTIVE, SUSPENDED, EXITED = "active", "suspended", "exited"


class Household(Aggregate):
    """One household enrolled in one program (its id is uuid5 of program + household id).

    Status events repeat the program and household id so each event is readable on its own.
    """

    TOPIC = "tledger:Household"

    class Created(Aggregate.Created):
        TOPIC = "tledger:Household.Created"

    @staticmethod
    def create_id(program: str, household_id: str) -> UUID:
        return ids.household_id(program, household_id)

    @event("Enrolled", topic="tledger:Household.Enrolled")
    def __init__(
        self,
        program: str,
        household_id: str,
        head_name: str,
        msisdn: str | None,
        region: str,
        circle: str,
        commune: str,
        village: str,
        operator: str,
        enrolled_on: date,
        productive: bool,
        audit: AuditDict,
    ) -> None:
        self.program = program
        self.household_id = household_id
        self.head_name = head_name
        self.msisdn = msisdn
        self.region, self.circle, self.commune, self.village = region, circle, commune, village
        self.operator = operator
        self.enrolled_on = enrolled_on
        self.productive = productive
        self.status = ACTIVE
        self.exited_on: date | None = None
        self.suspensions: list[tuple[date, date | None]] = []
        self.last_status_on = enrolled_on

    def exit(self, on: date, reason: str, audit: AuditDict) -> None:
        self._check_change("exit", on, reason, allowed=(ACTIVE, SUSPENDED))
        self._exit(self.program, self.household_id, on, reason, audit)

    def suspend(self, on: date, reason: str, audit: AuditDict) -> None:
        self._check_change("suspend", on, reason, allowed=(ACTIVE,))
        self._suspend(self.program, self.household_id, on, reason, audit)

    def reinstate(self, on: date, reason: str, audit: AuditDict) -> None:
        self._check_change("reinstate", on, reason, allowed=(SUSPENDED,))
        self._reinstate(self.program, self.household_id, on, reason, audit)

    def terms(self) -> HouseholdTerms:
        return HouseholdTerms(
            household_id=self.household_id,
            enrolled_on=self.enrolled_on,
            productive=self.productive,
            exited_on=self.exited_on,
            suspensions=tuple(self.suspensions),
            operator=self.operator,
        )

    def _check_change(self, verb: str, on: date, reason: str, allowed: tuple[str, ...]) -> None:
        who = f"household '{self.household_id}' of program '{self.program}'"
        if self.status not in allowed:
            raise StatusChangeRefused(f"cannot {verb} {who}: it is {self.status}")
        if not reason.strip():
            raise StatusChangeRefused(f"cannot {verb} {who}: a reason is required")
        if on < self.last_status_on:
            raise StatusChangeRefused(
                f"cannot {verb} {who} on {on.isoformat()}: before its last recorded "
                f"change or enrolment on {self.last_status_on.isoformat()}"
            )

    @event("Exited", topic="tledger:Household.Exited")
    def _exit(
        self, program: str, household_id: str, on: date, reason: str, audit: AuditDict
    ) -> None:
        if self.status == SUSPENDED:
            # An exit ends the open suspension so the history stays a list of closed spans.
            self.suspensions[-1] = (self.suspensions[-1][0], on)
        self.status, self.exited_on, self.last_status_on = EXITED, on, on

    @event("Suspended", topic="tledger:Household.Suspended")
    def _suspend(
        self, program: str, household_id: str, on: date, reason: str, audit: AuditDict
    ) -> None:
        self.suspensions.append((on, None))
        self.status, self.last_status_on = SUSPENDED, on

    @event("Reinstated", topic="tledger:Household.Reinstated")
    def _reinstate(
        self, program: str, household_id: str, on: date, reason: str, audit: AuditDict
    ) -> None:
        self.suspensions[-1] = (self.suspensions[-1][0], on)
        self.status, self.last_status_on = ACTIVE, on
