"""Read-model changes for disbursement events: lists, payout lines, corrections, reconciliation."""

from __future__ import annotations

from typing import Any

from projections.statements import Handler, Statement, _json, _ts, actor, insert, into

_WHERE_ENTITLEMENT = "WHERE program = ? AND cycle = ? AND household_id = ?"


_PAYOUT_LINE = into("tl_payout_lines", (
    "operator", "operator_txn_id", "program", "cycle", "reference", "household_id", "msisdn", "amount",
    "currency", "paid_at", "status", "reason", "file_name", "file_sha256", "line", "manual", "reversed",
    "recorded_at", "matched_reference", "match",
))


def _payout_reported(e: Any) -> list[Statement]:
    # Written out (not insert(**...)): one per line of every operator file.
    audit = e.audit
    return [(_PAYOUT_LINE, (
        e.operator, e.operator_txn_id, e.program, e.cycle, e.reference, e.household_id, e.msisdn, e.amount,
        e.currency, e.paid_at, e.status, e.reason, audit.get("file_name"), audit.get("file_sha256"),
        audit.get("line"), 0, 0, e.timestamp, e.matched_reference, e.match,
    ))]


def _payout_reversed(e: Any) -> list[Statement]:
    return [
        ("UPDATE tl_payout_lines SET reversed = 1 WHERE operator = ? AND operator_txn_id = ?",
         (e.operator, e.operator_txn_id)),
        _correction(e, "reversal", None, e.amount, e.operator_txn_id),
    ]


def _correction(e: Any, kind: str, household_id: str | None, amount: int | None,
                txn_id: str | None = None) -> Statement:
    return (
        "INSERT INTO tl_corrections (program, cycle, household_id, operator_txn_id, kind, amount, reason, "
        "recorded_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (e.program, e.cycle, household_id, txn_id, kind, amount, e.reason, _ts(e), actor(e)),
    )


def _adjusted(e: Any) -> list[Statement]:
    return [
        (f"UPDATE tl_entitlements SET due = ? {_WHERE_ENTITLEMENT}", (e.due, e.program, e.cycle, e.household_id)),
        _correction(e, "adjustment", e.household_id, e.delta),
    ]


def _cancelled(e: Any) -> list[Statement]:
    return [
        (f"UPDATE tl_entitlements SET cancelled = 1, reissue_pending = 0 {_WHERE_ENTITLEMENT}",
         (e.program, e.cycle, e.household_id)),
        _correction(e, "cancellation", e.household_id, -e.due_before),
    ]


def _manual_payment(e: Any) -> list[Statement]:
    # A manual payment is a successful line of the pseudo-operator "manual" carrying our reference.
    return [
        insert(
            "tl_payout_lines", operator="manual", operator_txn_id=e.manual_id, program=e.program,
            cycle=e.cycle, reference=e.reference, household_id=e.household_id, msisdn=None, amount=e.amount,
            currency=None, paid_at=e.paid_at, status="success", reason=e.reason, file_name=None,
            file_sha256=None, line=None, manual=1, reversed=0, recorded_at=_ts(e),
            matched_reference=e.reference, match="manual",
        ),
        _correction(e, "manual_payment", e.household_id, e.amount, e.manual_id),
    ]


def _reissue(e: Any) -> list[Statement]:
    return [
        (f"UPDATE tl_entitlements SET reissue_pending = 1 {_WHERE_ENTITLEMENT}",
         (e.program, e.cycle, e.household_id)),
        _correction(e, "reissue", e.household_id, None),
    ]


def _list_issued(e: Any) -> list[Statement]:
    statements: list[Statement] = [
        (
            "INSERT INTO tl_payment_lists (program, cycle, operator, content_sha256, file_sha256, file_name, "
            "count, amount, issued_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (e.program, e.cycle, e.operator, e.content_sha256, e.file_sha256, e.file_name, e.count,
             e.amount, _ts(e), actor(e)),
        ),
        (
            "UPDATE tl_entitlements SET instructed = 1 WHERE program = ? AND cycle = ? AND operator = ? "
            "AND cancelled = 0",
            (e.program, e.cycle, e.operator),
        ),
    ]
    statements.extend(
        ("UPDATE tl_entitlements SET reissue_pending = 0, instructed = 1 WHERE reference = ?", (ref,))
        for ref in e.reissued
    )
    return statements


def _payout_file_imported(e: Any) -> list[Statement]:
    return [(
        "INSERT INTO tl_payout_files (operator, sha256, file_name, lines, recorded, skipped_duplicates, "
        "rejected, imported_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (e.operator, e.sha256, e.file_name, e.lines, e.recorded, e.skipped_duplicates, e.rejected,
         _ts(e), actor(e)),
    )]


def _reconciled(e: Any) -> list[Statement]:
    return [(
        "INSERT INTO tl_reconciliations (program, cycle, operator, digest, summary, recorded_at, actor) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (e.program, e.label, e.operator, e.digest, _json(e.summary), _ts(e), actor(e)),
    )]


def _closed(e: Any) -> list[Statement]:
    return [(
        "UPDATE tl_cycles SET status = 'closed', closed_at = ?, closing_digest = ?, closing_summary = ? "
        "WHERE program = ? AND label = ?",
        (_ts(e), e.digest, _json(e.summary), e.program, e.label),
    )]


DISBURSEMENT_HANDLERS: dict[str, Handler] = {
    "tledger:PayoutLine.Reported": _payout_reported,
    "tledger:PayoutLine.Reversed": _payout_reversed,
    "tledger:Entitlement.Adjusted": _adjusted,
    "tledger:Entitlement.Cancelled": _cancelled,
    "tledger:Entitlement.ManualPaymentRecorded": _manual_payment,
    "tledger:Entitlement.ReissueRequested": _reissue,
    "tledger:PaymentList.Issued": _list_issued,
    "tledger:PayoutFile.Imported": _payout_file_imported,
    "tledger:Cycle.Reconciled": _reconciled,
    "tledger:Cycle.Closed": _closed,
}
