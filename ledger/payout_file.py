"""File-level facts of disbursement: a payout file imported, a payment list issued."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import ids
from ledger.audit import AuditDict


class PayoutFile(Aggregate):
    """An operator's payout confirmation file (id = uuid5 of operator + file sha256)."""

    TOPIC = "tledger:PayoutFile"

    class Created(Aggregate.Created):
        TOPIC = "tledger:PayoutFile.Created"

    @staticmethod
    def create_id(operator: str, sha256: str) -> UUID:
        return ids.payout_file_id(operator, sha256)

    @event("Imported", topic="tledger:PayoutFile.Imported")
    def __init__(
        self,
        operator: str,
        sha256: str,
        file_name: str,
        lines: int,
        recorded: int,
        skipped_duplicates: int,
        rejected: int,
        audit: AuditDict,
    ) -> None:
        self.operator = operator
        self.sha256 = sha256


class PaymentList(Aggregate):
    """A payment list sent to an operator (id = uuid5 of program, cycle, operator, content sha256)."""

    TOPIC = "tledger:PaymentList"

    class Created(Aggregate.Created):
        TOPIC = "tledger:PaymentList.Created"

    @staticmethod
    def create_id(program: str, cycle: str, operator: str, content_sha256: str) -> UUID:
        return ids.payment_list_id(program, cycle, operator, content_sha256)

    @event("Issued", topic="tledger:PaymentList.Issued")
    def __init__(
        self,
        program: str,
        cycle: str,
        operator: str,
        count: int,
        amount: int,
        currency: str,
        content_sha256: str,
        file_sha256: str,
        file_name: str,
        reissued: tuple[str, ...],
        audit: AuditDict,
    ) -> None:
        self.program = program
        self.cycle = cycle
        self.operator = operator
