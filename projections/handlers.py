"""How each event changes the read models: event -> SQL statements with parameters."""

from __future__ import annotations

from typing import Any

from projections.disbursement_handlers import DISBURSEMENT_HANDLERS
from projections.statements import Handler, Statement, _json, _ts, insert



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


def _household_enrolled(e: Any) -> list[Statement]:
    return [insert(
        "tl_households", program=e.program, household_id=e.household_id, head_name=e.head_name,
        msisdn=e.msisdn, region=e.region, circle=e.circle, commune=e.commune, village=e.village,
        operator=e.operator, enrolled_on=e.enrolled_on, productive=int(e.productive), status="active",
        exited_on=None, enrolled_at=_ts(e),
    )]


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


def _entitlement_granted(e: Any) -> list[Statement]:
    return [insert(
        "tl_entitlements", program=e.program, cycle=e.cycle, household_id=e.household_id,
        operator=e.operator, amount=e.amount, currency=e.currency, months=",".join(e.months),
        components=_json(e.components), rule_version=e.rule_version, granted_at=_ts(e),
        reference=e.reference, due=e.amount, cancelled=0, reissue_pending=0, instructed=0,
    )]


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
