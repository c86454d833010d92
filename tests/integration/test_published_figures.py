"""The program's published figures, reproduced from events on both backends."""

from __future__ import annotations

from workflows.cycles import compute_cycle, open_cycle, show_cycle
from workflows.enrolment import enrol_file
from workflows.programs import add_program
from workflows.runtime import Ledger

from conftest import PROGRAMS


def _quarters(first_year: int, last_year: int) -> list[str]:
    return [f"{y}-Q{q}" for y in range(first_year, last_year + 1) for q in range(1, 5)]


def test_kita_2709_households_over_three_years(ledger: Ledger, cohort_csv) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    report = enrol_file(ledger, "jigisemejiri", cohort_csv("KITA", 2709, "2019-01-01"))
    assert report.enrolled == 2709

    total = 0
    for label in _quarters(2019, 2021):
        open_cycle(ledger, "jigisemejiri", label)
        result = compute_cycle(ledger, "jigisemejiri", label)
        assert result["entitlements"] == {"count": 2709, "amount": 2709 * 30_000}
        total += result["entitlements"]["amount"]
    assert total == 975_240_000

    open_cycle(ledger, "jigisemejiri", "2022-Q1")
    after = compute_cycle(ledger, "jigisemejiri", "2022-Q1")
    assert after["added"] == {"count": 0, "amount": 0}
    assert show_cycle(ledger, "jigisemejiri", "2022-Q1")["entitlements"] == {"count": 0, "amount": 0}


def test_youwarou_462_households_over_four_quarters(ledger: Ledger, cohort_csv) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    enrol_file(ledger, "jigisemejiri", cohort_csv("YOUW", 462, "01/04/2016", circle="Youwarou", region="Mopti"))
    amounts = []
    for label in _quarters(2016, 2017)[1:5]:  # 2016-Q2 .. 2017-Q1
        open_cycle(ledger, "jigisemejiri", label)
        amounts.append(compute_cycle(ledger, "jigisemejiri", label)["entitlements"]["amount"])
    assert amounts == [13_860_000] * 4
    assert sum(amounts) == 55_440_000
