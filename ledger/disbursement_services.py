"""Disbursement use cases: payment lists, payout lines and files, corrections, reconciliation, closing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from eventsourcing.application import AggregateNotFoundError

from ledger import bulk, ids
from ledger.audit import Audit
from ledger.core_services import CoreServices
from ledger.cycle import Cycle
from ledger.entitlement import Entitlement
from ledger.errors import CorrectionRefused, CycleClosed, NotFound
from ledger.payout_file import PaymentList, PayoutFile
from ledger.payout_line import PayoutLine


class AttributedLine(NamedTuple):  # a tuple: cheap to pickle (spill files, worker processes)
    """A validated payout line with the program and cycle it was attributed to."""

    line: int
    operator_txn_id: str
    program: str
    cycle: str
    reference: str | None
    household_id: str | None
    msisdn: str | None
    amount: int
    currency: str | None
    paid_at: datetime | None
    status: str
    reason: str | None
    matched_reference: str | None
    match: str


class DisbursementServices(CoreServices):
    def open_cycle_for_change(self, program: str, label: str, what: str) -> Cycle:
        """The cycle, refusing anything but corrections once it is closed."""
        cycle = self.get_cycle(program, label)
        if cycle.closed:
            raise CycleClosed(program, label, what)
        return cycle

    def exists(self, aggregate_id: Any) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def issue_payment_list(
        self, program: str, cycle: str, operator: str, count: int, amount: int, currency: str,
        content_sha256: str, file_sha256: str, file_name: str, reissued: Sequence[str], audit: Audit,
    ) -> bool:
        """Record an issued list; False when the same list (same content) was issued before."""
        if self.exists(ids.payment_list_id(program, cycle, operator, content_sha256)):
            return False
        self.save(PaymentList(
            program=program, cycle=cycle, operator=operator, count=count, amount=amount,
            currency=currency, content_sha256=content_sha256, file_sha256=file_sha256,
            file_name=file_name, reissued=tuple(reissued), audit=audit.as_dict(),
        ))
        return True

    def record_payout_lines(self, operator: str, lines: Sequence[AttributedLine], audit: Audit) -> int:
        """Record a batch of payout lines in one transaction."""
        return bulk.insert(self, bulk.created_events(self, PayoutLine.TOPIC, "tledger:PayoutLine.Reported", (
            (
                ids.payout_line_id(operator, x.operator_txn_id),
                {
                    "operator": operator, "operator_txn_id": x.operator_txn_id, "program": x.program,
                    "cycle": x.cycle, "reference": x.reference, "household_id": x.household_id,
                    "msisdn": x.msisdn, "amount": x.amount, "currency": x.currency, "paid_at": x.paid_at,
                    "status": x.status, "reason": x.reason, "matched_reference": x.matched_reference,
                    "match": x.match, "audit": audit.as_dict(line=x.line),
                },
            )
            for x in lines
        )))

    def record_payout_file(
        self, operator: str, sha256: str, file_name: str, lines: int, recorded: int,
        skipped_duplicates: int, rejected: int, audit: Audit,
    ) -> None:
        self.save(PayoutFile(
            operator=operator, sha256=sha256, file_name=file_name, lines=lines, recorded=recorded,
            skipped_duplicates=skipped_duplicates, rejected=rejected, audit=audit.as_dict(),
        ))

    # Corrections --------------------------------------------------------------

    def get_entitlement(self, program: str, cycle: str, household_id: str) -> Entitlement:
        try:
            entitlement: Entitlement = self.repository.get(ids.entitlement_id(program, cycle, household_id))
        except AggregateNotFoundError:
            raise NotFound(
                f"household '{household_id}' has no entitlement in {program} {cycle}"
            ) from None
        return entitlement

    def correct_entitlement(
        self, program: str, cycle: str, household_id: str, action: str, audit: Audit, **kwargs: Any
    ) -> Entitlement:
        """adjust(delta, reason) | cancel(reason) | manual_payment(amount, paid_at, reason) | reissue(reason)."""
        entitlement = self.get_entitlement(program, cycle, household_id)
        methods: dict[str, Callable[..., Any]] = {
            "adjust": entitlement.adjust,
            "cancel": entitlement.cancel,
            "manual_payment": entitlement.record_manual_payment,
            "reissue": entitlement.request_reissue,
        }
        if action not in methods:
            raise CorrectionRefused(f"unknown correction '{action}'")
        methods[action](audit=audit.as_dict(), **kwargs)
        self.save(entitlement)
        return entitlement

    def reverse_payout_line(self, operator: str, operator_txn_id: str, reason: str, audit: Audit) -> PayoutLine:
        try:
            line: PayoutLine = self.repository.get(ids.payout_line_id(operator, operator_txn_id))
        except AggregateNotFoundError:
            raise NotFound(
                f"no payout line '{operator_txn_id}' recorded for operator '{operator}'"
            ) from None
        line.reverse(reason, audit.as_dict())
        self.save(line)
        return line

    # Reconciliation and closing -----------------------------------------------

    def record_reconciliation(
        self, program: str, label: str, operator: str | None, summary: dict[str, Any], digest: str,
        audit: Audit,
    ) -> None:
        cycle = self.get_cycle(program, label)
        cycle.record_reconciliation(operator, summary, digest, audit.as_dict())
        self.save(cycle)

    def close_cycle(self, program: str, label: str, summary: dict[str, Any], digest: str, audit: Audit) -> None:
        cycle = self.get_cycle(program, label)
        cycle.close(summary, digest, audit.as_dict())
        self.save(cycle)
