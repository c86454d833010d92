"""The Entitlement aggregate: what one household is owed in one cycle.

One new aggregate per household per cycle (id = uuid5 of program, cycle and
household), so a cycle of a million households is created without loading any.
Later events (instructions, confirmations, corrections) belong on it too.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import ids
from ledger.audit import AuditDict


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
        self.operator = operator
        self.amount = amount
        self.currency = currency
        self.months = months
        self.components = components
        self.rule_version = rule_version
