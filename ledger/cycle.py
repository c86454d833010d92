"""The Cycle aggregate: a program's payment cycle. It is touched once per command,
never once per household (a hot stream would serialise every write)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import ids
from ledger.audit import AuditDict


class Cycle(Aggregate):
    TOPIC = "tledger:Cycle"

    class Created(Aggregate.Created):
        TOPIC = "tledger:Cycle.Created"

    @staticmethod
    def create_id(program: str, label: str) -> UUID:
        return ids.cycle_id(program, label)

    @event("Opened", topic="tledger:Cycle.Opened")
    def __init__(
        self, program: str, label: str, start: date, end: date, audit: AuditDict
    ) -> None:
        self.program = program
        self.label = label
        self.start = start
        self.end = end
        self.computed_count = 0
        self.computed_amount = 0

    def record_computation(
        self, added_count: int, added_amount: int, rule_version: int, audit: AuditDict
    ) -> None:
        """Summary of one compute run that added entitlements."""
        self._computed(self.program, self.label, added_count, added_amount, rule_version, audit)

    @event("Computed", topic="tledger:Cycle.Computed")
    def _computed(
        self,
        program: str,
        label: str,
        added_count: int,
        added_amount: int,
        rule_version: int,
        audit: AuditDict,
    ) -> None:
        self.computed_count += added_count
        self.computed_amount += added_amount
