"""How each event changes the read models: event -> SQL statements with parameters."""

from __future__ import annotations

from typing import Any

from projections.disbursement_handlers import DISBURSEMENT_HANDLERS
from projections.statements import Handler, Statement, _json, _ts, into



def _program_defined(e: Any) -> list[Statement]:
    return [
        (
            "INSERT INTO tl_programs (code, name, currency, version, defined_at) VALUES (?, ?, ?, 1, ?)",
            (e.code, e.name, e.currency, _ts(e)),
        ),
        _version_row(e.code, 1, e),
    ]


def _program_revised(e: Any) -> list[Statement]:
    return [
        (
            "UPDATE tl_programs SET name = ?, version = ? WHERE code = ?",
            (e.name, e.version, e.program_code),
        ),
        _version_row(e.program_code, e.version, e),
    ]


def _version_row(code: str, version: int, e: Any) -> Statement:
    return (
        "INSERT INTO tl_program_versions (code, version, effective_from, rules, recorded_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (code, version, e.effective_from, _json(e.rules), _ts(e)),
    )


_HOUSEHOLD = into("tl_households", (
    "program", "household_id", "head_name", "msisdn", "region", "circle", "commune", "village", "operator",
    "enrolled_on", "productive", "status", "exited_on", "enrolled_at",
))


def _household_enrolled(e: Any) -> list[Statement]:
    # Written out (not insert(**...)): a million of these per enrolment file.
    return [(_HOUSEHOLD, (
        e.program, e.household_id, e.head_name, e.msisdn, e.region, e.circle, e.commune, e.village,
        e.operator, e.enrolled_on, int(e.productive), "active", None, e.timestamp,
    ))]


def _status_handler(action: str, status: str) -> Handler:
    def handle(e: Any) -> list[Statement]:
        program, household_id = e.program, e.household_id
        exited_on = e.on if action == "exit" else None
        return [
            (
                "UPDATE tl_households SET status = ?, exited_on = COALESCE(?, exited_on) "
                "WHERE program = ? AND household_id = ?",
                (status, exited_on, program, household_id),
            ),
            (
                "INSERT INTO tl_household_status (program, household_id, version, action, on_date, "
                "reason, recorded_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    program, household_id, e.originator_version, action, e.on,
                    e.reason, _ts(e), e.audit.get("actor", ""),
                ),
            ),
        ]

    return handle


def _cycle_opened(e: Any) -> list[Statement]:
    return [
        (
            "INSERT INTO tl_cycles (program, label, start_on, end_on, status, opened_at, computations) "
            "VALUES (?, ?, ?, ?, 'open', ?, 0)",
            (e.program, e.label, e.start, e.end, _ts(e)),
        )
    ]


def _cycle_computed(e: Any) -> list[Statement]:
    return [
        (
            "UPDATE tl_cycles SET computations = computations + 1 WHERE program = ? AND label = ?",
            (e.program, e.label),
        )
    ]


_ENTITLEMENT = into("tl_entitlements", (
    "program", "cycle", "household_id", "operator", "amount", "currency", "months", "components",
    "rule_version", "granted_at", "reference", "due", "cancelled", "reissue_pending", "instructed",
))


def _entitlement_granted(e: Any) -> list[Statement]:
    return [(_ENTITLEMENT, (
        e.program, e.cycle, e.household_id, e.operator, e.amount, e.currency, ",".join(e.months),
        _json(e.components), e.rule_version, e.timestamp, e.reference, e.amount, 0, 0, 0,
    ))]


def _enrolment_file_imported(e: Any) -> list[Statement]:
    return [
        (
            "INSERT INTO tl_enrolment_files (program, sha256, file_name, rows_count, enrolled, "
            "imported_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (e.program, e.sha256, e.file_name, e.rows, e.enrolled, _ts(e), e.audit.get("actor", "")),
        )
    ]


HANDLERS: dict[str, Handler] = {
    "tledger:Program.Defined": _program_defined,
    "tledger:Program.Revised": _program_revised,
    "tledger:Household.Enrolled": _household_enrolled,
    "tledger:Household.Exited": _status_handler("exit", "exited"),
    "tledger:Household.Suspended": _status_handler("suspend", "suspended"),
    "tledger:Household.Reinstated": _status_handler("reinstate", "active"),
    "tledger:Cycle.Opened": _cycle_opened,
    "tledger:Cycle.Computed": _cycle_computed,
    "tledger:Entitlement.Granted": _entitlement_granted,
    "tledger:EnrolmentFile.Imported": _enrolment_file_imported,
    **DISBURSEMENT_HANDLERS,
}
