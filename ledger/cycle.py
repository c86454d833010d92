"""The Cycle aggregate: a program's payment cycle. It is touched once per command,
never once per household (a hot stream would serialise every write)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import ids
from ledger.audit import AuditDict
from ledger.errors import CycleClosed


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
        self.closed = False

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

    def record_reconciliation(
        self, operator: str | None, summary: dict[str, Any], digest: str, audit: AuditDict
    ) -> None:
        self._reconciled(self.program, self.label, operator, summary, digest, audit)

    @event("Reconciled", topic="tledger:Cycle.Reconciled")
    def _reconciled(
        self, program: str, label: str, operator: str | None, summary: dict[str, Any], digest: str,
        audit: AuditDict,
    ) -> None:
        pass

    def close(self, summary: dict[str, Any], digest: str, audit: AuditDict) -> None:
        if self.closed:
            raise CycleClosed(self.program, self.label, "close it again")
        self._closed(self.program, self.label, summary, digest, audit)

    @event("Closed", topic="tledger:Cycle.Closed")
    def _closed(
        self, program: str, label: str, summary: dict[str, Any], digest: str, audit: AuditDict
    ) -> None:
        self.closed = True
