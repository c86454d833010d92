"""Core use cases: programs, households, cycles and entitlements (get, call, save).

Bulk use cases (enrolment, granting entitlements) take a batch and save it in a
single ``save(*aggregates)``: one transaction, all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application

from ledger import bulk, ids
from ledger.audit import Audit
from ledger.calendar import CycleLabel, month_label, parse_cycle_label
from ledger.cycle import Cycle
from ledger.enrolment_file import EnrolmentFile
from ledger.entitlement import Entitlement
from ledger.errors import CycleNotOpen, HouseholdNotFound, ProgramNotFound, StatusChangeRefused
from ledger.household import Household
from ledger.program import Program, RuleVersion
from ledger.rules import HouseholdTerms, Rules, assess


class EnrolmentDetails(Protocol):
    """A validated enrolment row, as the intake adapters produce it (read-only)."""

    @property
    def line(self) -> int: ...
    @property
    def household_id(self) -> str: ...
    @property
    def head_name(self) -> str: ...
    @property
    def msisdn(self) -> str | None: ...
    @property
    def region(self) -> str: ...
    @property
    def circle(self) -> str: ...
    @property
    def commune(self) -> str: ...
    @property
    def village(self) -> str: ...
    @property
    def operator(self) -> str: ...
    @property
    def enrolled_on(self) -> date: ...
    @property
    def productive(self) -> bool: ...


STATUS_ACTIONS = ("exit", "suspend", "reinstate")


class CoreServices(Application[UUID]):
    # Programs -----------------------------------------------------------------

    def get_program(self, code: str) -> Program:
        try:
            program: Program = self.repository.get(ids.program_id(code))
        except AggregateNotFoundError:
            raise ProgramNotFound(code) from None
        return program

    def define_program(
        self,
        code: str,
        name: str,
        currency: str,
        effective_from: date,
        rules: Rules,
        audit: Audit,
    ) -> tuple[str, int]:
        """Record a program or a new rule version. Returns (outcome, version)."""
        try:
            program = self.get_program(code)
        except ProgramNotFound:
            program = Program(
                code=code,
                name=name,
                currency=currency,
                effective_from=effective_from,
                rules=rules.as_dict(),
                audit=audit.as_dict(),
            )
            self.save(program)
            return "defined", 1
        if not program.revise(name, currency, effective_from, rules, audit.as_dict()):
            return "unchanged", program.current.version
        self.save(program)
        return "revised", program.current.version

    # Households ---------------------------------------------------------------

    def get_household(self, program: str, household_id: str) -> Household:
        try:
            household: Household = self.repository.get(ids.household_id(program, household_id))
        except AggregateNotFoundError:
            raise HouseholdNotFound(program, household_id) from None
        return household

    def enrol(self, program: str, rows: Sequence[EnrolmentDetails], audit: Audit) -> int:
        """Enrol a batch of new households in one transaction. Returns how many."""
        return bulk.insert(self, bulk.created_events(self, Household.TOPIC, "tledger:Household.Enrolled", (
            (
                ids.household_id(program, row.household_id),
                {
                    "program": program, "household_id": row.household_id, "head_name": row.head_name,
                    "msisdn": row.msisdn, "region": row.region, "circle": row.circle,
                    "commune": row.commune, "village": row.village, "operator": row.operator,
                    "enrolled_on": row.enrolled_on, "productive": row.productive,
                    "audit": audit.as_dict(line=row.line),
                },
            )
            for row in rows
        )))

    def record_enrolment_file(
        self, program: str, sha256: str, file_name: str, rows: int, enrolled: int, audit: Audit
    ) -> None:
        self.save(
            EnrolmentFile(
                program=program,
                sha256=sha256,
                file_name=file_name,
                rows=rows,
                enrolled=enrolled,
                audit=audit.as_dict(),
            )
        )

    def enrolment_file_seen(self, program: str, sha256: str) -> bool:
        return bool(self.recorder.select_events(ids.enrolment_file_id(program, sha256), limit=1))

    def change_status(
        self, program: str, household_id: str, action: str, on: date, reason: str, audit: Audit
    ) -> Household:
        """Exit, suspend or reinstate a household."""
        if action not in STATUS_ACTIONS:
            raise StatusChangeRefused(f"unknown status action '{action}'")
        household = self.get_household(program, household_id)
        getattr(household, action)(on, reason, audit.as_dict())
        self.save(household)
        return household

    # Cycles and entitlements --------------------------------------------------

    def open_cycle(self, program: str, label: str, audit: Audit) -> tuple[Cycle, bool]:
        """Open a cycle; (cycle, False) if it was already open."""
        definition = self.get_program(program)
        cycle_label = parse_cycle_label(label, definition.current.rules.cycle_months)
        try:
            return self.get_cycle(program, str(cycle_label)), False
        except CycleNotOpen:
            pass
        cycle = Cycle(
            program=program,
            label=str(cycle_label),
            start=cycle_label.start,
            end=cycle_label.end,
            audit=audit.as_dict(),
        )
        self.save(cycle)
        return cycle, True

    def get_cycle(self, program: str, label: str) -> Cycle:
        try:
            cycle: Cycle = self.repository.get(ids.cycle_id(program, label))
        except AggregateNotFoundError:
            raise CycleNotOpen(program, label) from None
        return cycle

    def grant(
        self,
        program: Program,
        cycle: CycleLabel,
        version: RuleVersion,
        households: Sequence[HouseholdTerms],
        audit: Audit,
    ) -> tuple[int, int]:
        """Grant the entitlements due to a batch of households, in one transaction.

        Households with nothing due get no entitlement. Returns (count, amount).
        """
        label = str(cycle)
        rows = []
        total = 0
        audit_dict = audit.as_dict()
        for terms in households:
            assessment = assess(terms, version.rules, cycle)
            if assessment.amount == 0:
                continue
            total += assessment.amount
            rows.append((
                ids.entitlement_id(program.code, label, terms.household_id),
                {
                    "program": program.code, "cycle": label, "household_id": terms.household_id,
                    "reference": ids.payment_reference(program.code, label, terms.household_id),
                    "operator": terms.operator, "amount": assessment.amount, "currency": program.currency,
                    "months": tuple(month_label(k) for k in assessment.months),
                    "components": assessment.components, "rule_version": version.version,
                    "audit": audit_dict,
                },
            ))
        bulk.insert(self, bulk.created_events(self, Entitlement.TOPIC, "tledger:Entitlement.Granted", rows))
        return len(rows), total

    def record_computation(
        self, program: str, label: str, count: int, amount: int, rule_version: int, audit: Audit
    ) -> Cycle:
        cycle = self.get_cycle(program, label)
        cycle.record_computation(count, amount, rule_version, audit.as_dict())
        self.save(cycle)
        return cycle
