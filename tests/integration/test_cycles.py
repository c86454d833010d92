"""Computing cycles: who is entitled to what, on both backends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ledger.errors import CycleNotOpen, InvalidCycleLabel, StatusChangeRefused
from workflows.cycles import compute_cycle, list_cycles, open_cycle
from workflows.enrolment import enrol_file
from workflows.households import change_status, show_household
from workflows.programs import add_program
from workflows.runtime import Ledger

from conftest import PROGRAMS

LINES = [
    "H1,Awa Traoré,76000001,Kayes,Kita,Kita,Kita 1,orange-money,2019-01-01,no",
    "H2,Moussa Diarra,76000002,Kayes,Kita,Kita,Kita 1,orange-money,15/02/2019,no",
    "H3,Oumou Sangaré,66000003,Mopti,Djenné,Djenné,Djenné 2,moov-money,2019-03-31,yes",
    "H4,Seydou Keïta,,Mopti,Bankass,Bankass,Bankass 1,kafo-jiginew,2019-04-01,no",
]


def _entitlements(ledger: Ledger, household: str) -> dict[str, int]:
    data = show_household(ledger, household, None)
    return {e["cycle"]: e["amount"] for e in data["entitlements"]}


def _run(ledger: Ledger, program: str, *labels: str) -> None:
    for label in labels:
        open_cycle(ledger, program, label)
        compute_cycle(ledger, program, label)


def test_mid_quarter_enrolment_pays_from_the_enrolment_month(ledger: Ledger, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    enrol_file(ledger, "jigisemejiri", enrolment_csv(LINES))
    open_cycle(ledger, "jigisemejiri", "2019-Q1")
    result = compute_cycle(ledger, "jigisemejiri", "2019-Q1")
    assert result["entitlements"] == {"count": 3, "amount": 30_000 + 20_000 + 10_000}
    assert _entitlements(ledger, "H2") == {"2019-Q1": 20_000}
    assert show_household(ledger, "H2", None)["entitlements"][0]["months"] == ["2019-02", "2019-03"]
    assert _entitlements(ledger, "H4") == {}  # enrolled after the quarter


def test_computing_again_adds_nothing_but_picks_up_new_households(ledger: Ledger, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    enrol_file(ledger, "jigisemejiri", enrolment_csv(LINES[:2]))
    open_cycle(ledger, "jigisemejiri", "2019-Q1")
    first = compute_cycle(ledger, "jigisemejiri", "2019-Q1")
    again = compute_cycle(ledger, "jigisemejiri", "2019-Q1")
    assert first["added"] == {"count": 2, "amount": 50_000}
    assert again["added"] == {"count": 0, "amount": 0}
    enrol_file(ledger, "jigisemejiri", enrolment_csv(LINES[2:3], name="late.csv"))
    late = compute_cycle(ledger, "jigisemejiri", "2019-Q1")
    assert late["added"] == {"count": 1, "amount": 10_000}
    assert late["entitlements"] == {"count": 3, "amount": 60_000}
    assert list_cycles(ledger, "jigisemejiri")[0]["entitlements"] == {"count": 3, "amount": 60_000}


def test_exit_stops_payment_after_the_exit_month(ledger: Ledger, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    enrol_file(ledger, "jigisemejiri", enrolment_csv(LINES[:1]))
    change_status(ledger, "H1", None, "exit", date(2019, 5, 20), "moved to Bamako")
    _run(ledger, "jigisemejiri", "2019-Q1", "2019-Q2", "2019-Q3")
    assert _entitlements(ledger, "H1") == {"2019-Q1": 30_000, "2019-Q2": 20_000}
    with pytest.raises(StatusChangeRefused, match="cannot suspend household 'H1' of program 'jigisemejiri': it is exited"):
        change_status(ledger, "H1", None, "suspend", date(2019, 6, 1), "late")


def test_suspension_skips_months_suspended_on_their_first_day(ledger: Ledger, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    enrol_file(ledger, "jigisemejiri", enrolment_csv(LINES[:1]))
    # Suspended 10 Feb .. reinstated 5 Apr: February is paid (not suspended on the 1st),
    # March and April are not (suspended on 1 March and 1 April), May onwards are.
    change_status(ledger, "H1", None, "suspend", date(2019, 2, 10), "duplicate under review")
    change_status(ledger, "H1", None, "reinstate", date(2019, 4, 5), "review cleared")
    _run(ledger, "jigisemejiri", "2019-Q1", "2019-Q2")
    assert _entitlements(ledger, "H1") == {"2019-Q1": 20_000, "2019-Q2": 20_000}
    history = show_household(ledger, "H1", None)["status_history"]
    assert [(h["action"], h["on"], h["actor"]) for h in history] == [
        ("suspend", "2019-02-10", "amadou.finance"), ("reinstate", "2019-04-05", "amadou.finance"),
    ]


def test_productive_one_off_is_due_in_the_first_entitled_cycle_only(ledger: Ledger, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "pdazam.toml")
    enrol_file(ledger, "pdazam", enrolment_csv([
        "P1,Awa Traoré,76000001,Kayes,Kita,Kita,Kita 1,orange-money,2019-02-10,yes",
        "P2,Moussa Diarra,76000002,Kayes,Kita,Kita,Kita 1,orange-money,2019-02-10,no",
    ]))
    _run(ledger, "pdazam", "2019-B1", "2019-B2", "2019-B3")
    assert _entitlements(ledger, "P1") == {"2019-B1": 15_000 + 250_000, "2019-B2": 30_000, "2019-B3": 30_000}
    assert _entitlements(ledger, "P2") == {"2019-B1": 15_000, "2019-B2": 30_000, "2019-B3": 30_000}
    components = show_household(ledger, "P1", None)["entitlements"][0]["components"]
    assert components == {"regular": 15_000, "productive": 250_000}


def test_a_rule_version_change_applies_from_its_effective_date(  # type: ignore[no-untyped-def]
    ledger: Ledger, cohort_csv, tmp_path: Path
) -> None:
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    enrol_file(ledger, "jigisemejiri", cohort_csv("KITA", 10, "2019-01-01"))
    _run(ledger, "jigisemejiri", "2019-Q3", "2019-Q4")
    raised = tmp_path / "raised.toml"
    raised.write_text(
        (PROGRAMS / "jigisemejiri.toml").read_text(encoding="utf-8")
        .replace("effective_from = 2013-01-01", "effective_from = 2020-01-01")
        .replace("monthly_amount = 10000", "monthly_amount = 12500"),
        encoding="utf-8",
    )
    add_program(ledger, raised)
    _run(ledger, "jigisemejiri", "2020-Q1")
    data = show_household(ledger, "KITA-00001", None)
    assert [(e["cycle"], e["amount"], e["rule_version"]) for e in data["entitlements"]] == [
        ("2019-Q3", 30_000, 1), ("2019-Q4", 30_000, 1), ("2020-Q1", 37_500, 2),
    ]


def test_cycle_labels_must_fit_the_program_and_be_open(ledger: Ledger) -> None:
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    with pytest.raises(InvalidCycleLabel, match="'2019-B1' does not fit the program: its cycles are quarterly"):
        open_cycle(ledger, "jigisemejiri", "2019-B1")
    with pytest.raises(InvalidCycleLabel, match="'2019-Q5' is out of range"):
        open_cycle(ledger, "jigisemejiri", "2019-Q5")
    with pytest.raises(CycleNotOpen, match="run `tledger cycle open jigisemejiri 2019-Q2` first"):
        compute_cycle(ledger, "jigisemejiri", "2019-Q2")
    assert open_cycle(ledger, "jigisemejiri", "2019-Q2")["opened"] is True
    assert open_cycle(ledger, "jigisemejiri", "2019-Q2")["opened"] is False
