"""A file-level fact: an enrolment file was imported (id = uuid5 of program + sha256)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import ids
from ledger.audit import AuditDict


class EnrolmentFile(Aggregate):
    TOPIC = "tledger:EnrolmentFile"

    class Created(Aggregate.Created):
        TOPIC = "tledger:EnrolmentFile.Created"

    @staticmethod
    def create_id(program: str, sha256: str) -> UUID:
        return ids.enrolment_file_id(program, sha256)

    @event("Imported", topic="tledger:EnrolmentFile.Imported")
    def __init__(
        self, program: str, sha256: str, file_name: str, rows: int, enrolled: int, audit: AuditDict
    ) -> None:
        self.program = program
        self.sha256 = sha256
        self.file_name = file_name
        self.rows = rows
        self.enrolled = enrolled
