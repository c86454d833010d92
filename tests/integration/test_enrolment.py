"""Enrolment from real files: idempotent, all-or-nothing, audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from intake.errors import FileRejected
from workflows.enrolment import enrol_file
from workflows.households import show_household
from workflows.programs import add_program
from workflows.runtime import Ledger

from conftest import ENROLMENT_HEADER, PROGRAMS

GOOD = [
    "KITA-1,Awa Traoré,76 12 34 56,Kayes,Kita,Kita,Sirakoro,Orange-Money,2019-01-15,oui",
    "KITA-2,Moussa Diarra,0022366123456,Kayes,Kita,Kita,Sirakoro,orange-money,15/01/2019,non",
]


def _event_count(ledger: Ledger) -> int:
    return ledger.app.recorder.max_notification_id() or 0


def test_enrol_records_households_and_rerun_enrols_nothing(ledger: Ledger, enrolment_csv, parsing: str) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    path = enrolment_csv(GOOD)
    first = enrol_file(ledger, "jigisemejiri", path)
    events = _event_count(ledger)
    again = enrol_file(ledger, "jigisemejiri", path)
    assert (first.rows, first.enrolled, first.already_enrolled, first.file_seen_before) == (2, 2, 0, False)
    assert (again.enrolled, again.already_enrolled, again.file_seen_before) == (0, 2, True)
    assert _event_count(ledger) == events
    household = show_household(ledger, "KITA-1", None)
    assert household["msisdn"] == "+22376123456"
    assert household["operator"] == "orange-money"
    assert household["enrolled_on"] == "2019-01-15"
    assert household["productive"] is True
    assert show_household(ledger, "KITA-2", "jigisemejiri")["msisdn"] == "+22366123456"


def test_a_bad_file_is_rejected_whole_listing_every_bad_row(ledger: Ledger, enrolment_csv, parsing: str) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    before = _event_count(ledger)
    path = enrolment_csv([
        GOOD[0],
        "KITA-3,Awa Coulibaly,12,Kayes,Kita,Kita,Sirakoro,orange-money,2019-01-15,no",
        "KITA-4,Oumar Touré,76000004,Kayes,Kita,Kita,Sirakoro,orange-money,02/30/2019,no",
        GOOD[1],
    ])
    with pytest.raises(FileRejected) as caught:
        enrol_file(ledger, "jigisemejiri", path)
    lines = [str(e) for e in caught.value.errors]
    assert [(e.line, e.column, e.value) for e in caught.value.errors] == [
        (3, "msisdn", "12"), (4, "enrolled_on", "02/30/2019"),
    ]
    assert lines[0].startswith(f"{path}:3: column 'msisdn', value '12': ")
    assert _event_count(ledger) == before
    assert ledger.db.fetchone("SELECT COUNT(*) FROM tl_households") == (0,)


def test_duplicate_household_ids_in_one_file_reject_it(ledger: Ledger, enrolment_csv, parsing: str) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    with pytest.raises(FileRejected) as caught:
        enrol_file(ledger, "jigisemejiri", enrolment_csv([GOOD[0], GOOD[0]]))
    [error] = caught.value.errors
    assert (error.line, error.column, error.value) == (3, "household_id", "KITA-1")
    assert ledger.db.fetchone("SELECT COUNT(*) FROM tl_households") == (0,)


def test_xlsx_enrolment_with_typed_cells(ledger: Ledger, tmp_path: Path, parsing: str) -> None:
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(ENROLMENT_HEADER.split(","))
    sheet.append(["DJEN-1", "Oumou Sangaré", "0022376123456", "Mopti", "Djenné", "Djenné", "Kéra",
                  "moov-money", dt.datetime(2019, 2, 1), "yes"])
    sheet.append(["DJEN-2", "Hawa Maïga", 76123457, "Mopti", "Djenné", "Djenné", "Kéra",
                  "moov-money", "01/03/2019", "no"])
    path = tmp_path / "households.xlsx"
    book.save(path)
    report = enrol_file(ledger, "jigisemejiri", path)
    assert report.enrolled == 2
    first = show_household(ledger, "DJEN-1", None)
    assert (first["msisdn"], first["enrolled_on"], first["commune"]) == ("+22376123456", "2019-02-01", "Djenné")
    assert show_household(ledger, "DJEN-2", None)["msisdn"] == "+22376123457"


def test_changed_details_for_an_enrolled_household_are_reported_not_applied(  # type: ignore[no-untyped-def]
    ledger: Ledger, enrolment_csv
) -> None:
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    enrol_file(ledger, "jigisemejiri", enrolment_csv(GOOD[:1]))
    changed = GOOD[0].replace("76 12 34 56", "76 99 99 99")
    report = enrol_file(ledger, "jigisemejiri", enrolment_csv([changed], name="second.csv"))
    assert report.enrolled == 0
    assert len(report.differing) == 1
    assert "household 'KITA-1' is already enrolled with msisdn '+22376123456', file says '+22376999999'" in report.differing[0]
    assert show_household(ledger, "KITA-1", None)["msisdn"] == "+22376123456"


def test_every_event_records_actor_command_and_source_line(ledger: Ledger, enrolment_csv, parsing: str) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    path = enrolment_csv(GOOD)
    enrol_file(ledger, "jigisemejiri", path)
    notifications = ledger.app.recorder.select_notifications(start=None, limit=100)
    events = [ledger.app.mapper.to_domain_event(n) for n in notifications]
    assert len(events) == 4  # program, two households, the file
    for event in events:
        assert event.audit["actor"] == "amadou.finance"  # type: ignore[attr-defined]
        assert event.audit["command"] == "pytest"  # type: ignore[attr-defined]
    enrolled = [e for e in events if type(e).__name__ == "Enrolled"]
    assert [e.audit["line"] for e in enrolled] == [2, 3]  # type: ignore[attr-defined]
    assert {e.audit["file_name"] for e in enrolled} == {"households.csv"}  # type: ignore[attr-defined]
    assert all(len(e.audit["file_sha256"]) == 64 for e in enrolled)  # type: ignore[attr-defined]


def test_a_batch_with_one_existing_household_is_refused_whole(ledger: Ledger, cohort_csv) -> None:  # type: ignore[no-untyped-def]
    """The idempotency mechanism itself: the unique (id, version) constraint, on the bulk path."""
    from eventsourcing.persistence import IntegrityError

    from intake.enrolment import iter_enrolment_rows

    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    path = cohort_csv("KITA", 120, "2019-01-01")
    rows = list(iter_enrolment_rows(path))
    ledger.app.enrol("jigisemejiri", rows[:1], ledger.audit)
    before = _event_count(ledger)
    with pytest.raises(IntegrityError):
        ledger.app.enrol("jigisemejiri", rows, ledger.audit)  # 120 rows: the COPY path on PostgreSQL
    assert _event_count(ledger) == before
    assert ledger.app.enrol("jigisemejiri", rows[1:], ledger.audit) == 119


def test_a_batch_that_fails_halfway_through_encoding_leaves_nothing(ledger: Ledger, cohort_csv) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL a bulk batch is encoded while COPY sends it: the rows sent before a failure
    are in the same transaction, and go with it."""
    from intake.enrolment import iter_enrolment_rows

    class Unreadable:
        def __getattr__(self, name: str) -> object:
            raise RuntimeError("the row could not be read")

    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    rows: list[Any] = list(iter_enrolment_rows(cohort_csv("KITA", 120, "2019-01-01")))
    before = _event_count(ledger)
    with pytest.raises(RuntimeError, match="could not be read"):
        ledger.app.enrol("jigisemejiri", rows[:60] + [Unreadable()] + rows[60:], ledger.audit)
    assert _event_count(ledger) == before
    assert ledger.app.enrol("jigisemejiri", rows, ledger.audit) == 120


def test_a_followed_enrolment_refreshes_the_statistics_of_the_households_table_only(  # type: ignore[no-untyped-def]
    pg_url: str, enrolment_csv, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The planner needs fresh row counts after a bulk command (stale ones made a reconciliation
    take minutes); an ANALYZE costs about a second a table at a million rows, so only the table
    the command changed is analysed."""
    from ledger.audit import Audit
    from workflows import runtime

    monkeypatch.setattr(runtime, "FOLLOW_FROM", 1)  # follow even this small file
    with runtime.open_ledger(pg_url, Audit("tester", "test")) as ledger:
        add_program(ledger, PROGRAMS / "jigisemejiri.toml")
        enrol_file(ledger, "jigisemejiri", enrolment_csv(GOOD))
        analysed = dict(ledger.db.fetchall(
            "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = ANY(?)",
            (["tl_households", "tl_entitlements", "tl_payout_lines"],)))
    assert analysed == {"tl_households": True, "tl_entitlements": False, "tl_payout_lines": False}
