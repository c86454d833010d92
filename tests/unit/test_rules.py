"""The pure entitlement calculation: which months are paid, and which one-offs are due."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.calendar import CycleLabel, cycle_containing, month_key, month_label, month_start
from ledger.calendar import parse_cycle_label as cycle
from ledger.rules import (
    Assessment,
    HouseholdTerms,
    OneOff,
    Rules,
    assess,
    first_entitled_month,
    is_entitled,
)

JIGI = Rules(monthly_amount=10_000, duration_months=36, cycle_months=3)
PRODUCTIVE = OneOff("productive", 250_000, "productive")
PDAZAM = Rules(monthly_amount=15_000, duration_months=24, cycle_months=2, one_offs=(PRODUCTIVE,))


def household(enrolled: date, **changes: object) -> HouseholdTerms:
    return replace(HouseholdTerms("H1", enrolled), **changes)  # type: ignore[arg-type]


def paid(terms: HouseholdTerms, rules: Rules, label: str) -> tuple[list[str], dict[str, int]]:
    """The months (as labels) and the components of ``terms``' assessment in ``label``."""
    assessment = assess(terms, rules, cycle(label))
    return [month_label(k) for k in assessment.months], assessment.components


def test_a_household_enrolled_on_the_first_is_paid_the_full_quarter() -> None:
    assessment = assess(household(date(2019, 1, 1)), JIGI, cycle("2019-Q1"))
    assert assessment == Assessment("H1", tuple(cycle("2019-Q1").months), {"regular": 30_000})
    assert assessment.amount == 30_000


def test_mid_quarter_enrolment_pays_the_enrolment_month_and_after() -> None:
    assert paid(household(date(2019, 2, 15)), JIGI, "2019-Q1") == (
        ["2019-02", "2019-03"], {"regular": 20_000},
    )


def test_nothing_is_due_before_enrolment() -> None:
    assessment = assess(household(date(2019, 2, 15)), JIGI, cycle("2018-Q4"))
    assert (assessment.months, assessment.components, assessment.amount) == ((), {}, 0)


def test_payments_stop_after_duration_months() -> None:
    terms = household(date(2019, 1, 1))
    assert paid(terms, JIGI, "2021-Q4") == (["2021-10", "2021-11", "2021-12"], {"regular": 30_000})
    assert paid(terms, JIGI, "2022-Q1") == ([], {})
    late = household(date(2019, 2, 15))
    assert paid(late, JIGI, "2022-Q1") == (["2022-01"], {"regular": 10_000})


def test_the_month_of_exit_is_paid_and_later_months_are_not() -> None:
    terms = household(date(2019, 1, 1), exited_on=date(2019, 5, 20))
    assert paid(terms, JIGI, "2019-Q2") == (["2019-04", "2019-05"], {"regular": 20_000})
    assert paid(terms, JIGI, "2019-Q3") == ([], {})
    on_the_first = household(date(2019, 1, 1), exited_on=date(2019, 6, 1))
    assert paid(on_the_first, JIGI, "2019-Q2")[1] == {"regular": 30_000}


def test_a_month_is_skipped_only_if_suspended_on_its_first_day() -> None:
    # Suspended 10 Feb, reinstated 5 Apr: Feb paid; Mar and Apr (suspended on the 1st) not.
    terms = household(date(2019, 1, 1), suspensions=((date(2019, 2, 10), date(2019, 4, 5)),))
    assert paid(terms, JIGI, "2019-Q1") == (["2019-01", "2019-02"], {"regular": 20_000})
    assert paid(terms, JIGI, "2019-Q2") == (["2019-05", "2019-06"], {"regular": 20_000})


def test_reinstatement_on_the_first_pays_that_month() -> None:
    terms = household(date(2019, 1, 1), suspensions=((date(2019, 3, 1), date(2019, 4, 1)),))
    assert paid(terms, JIGI, "2019-Q1")[0] == ["2019-01", "2019-02"]
    assert paid(terms, JIGI, "2019-Q2")[0] == ["2019-04", "2019-05", "2019-06"]


def test_a_suspension_lifted_the_same_day_skips_nothing() -> None:
    terms = household(date(2019, 1, 1), suspensions=((date(2019, 3, 1), date(2019, 3, 1)),))
    assert paid(terms, JIGI, "2019-Q1")[1] == {"regular": 30_000}


def test_an_open_suspension_stops_every_later_month() -> None:
    terms = household(date(2019, 1, 1), suspensions=((date(2019, 5, 2), None),))
    assert paid(terms, JIGI, "2019-Q2")[0] == ["2019-04", "2019-05"]
    enrolment = month_key(date(2019, 1, 1))
    assert not any(is_entitled(terms, k, 36) for k in range(month_key(date(2019, 6, 1)), enrolment + 36))


def test_exiting_while_suspended_never_pays_the_exit_month() -> None:
    # The exit closes the open suspension on the exit day (see Household.exit); an exit on
    # the 1st must not pay that month, just as an exit on the 2nd does not.
    for exit_day in (date(2019, 5, 1), date(2019, 5, 2)):
        terms = household(
            date(2019, 1, 1), exited_on=exit_day, suspensions=((date(2019, 3, 1), exit_day),)
        )
        assert paid(terms, JIGI, "2019-Q2") == ([], {}), exit_day


def test_the_one_off_is_due_in_the_cycle_of_the_first_entitled_month_only() -> None:
    terms = household(date(2019, 2, 10), productive=True)
    assert paid(terms, PDAZAM, "2019-B1")[1] == {"regular": 15_000, "productive": 250_000}
    assert paid(terms, PDAZAM, "2019-B2")[1] == {"regular": 30_000}
    assert assess(terms, PDAZAM, cycle("2019-B1")).amount == 265_000


def test_the_one_off_moves_to_the_first_cycle_after_a_suspension_from_enrolment() -> None:
    # Enrolled and suspended on 1 March, reinstated 10 May: March to May are not paid,
    # June is the first entitled month, so the one-off is due in 2019-B3 (May-June).
    terms = household(
        date(2019, 3, 1), productive=True, suspensions=((date(2019, 3, 1), date(2019, 5, 10)),)
    )
    assert first_entitled_month(terms, PDAZAM.duration_months) == month_key(date(2019, 6, 1))
    assert paid(terms, PDAZAM, "2019-B2") == ([], {})
    assert paid(terms, PDAZAM, "2019-B3") == (["2019-06"], {"regular": 15_000, "productive": 250_000})


def test_no_first_entitled_month_means_no_one_off() -> None:
    terms = household(date(2019, 3, 1), productive=True, suspensions=((date(2019, 3, 1), None),))
    assert first_entitled_month(terms, PDAZAM.duration_months) is None
    assert paid(terms, PDAZAM, "2019-B2") == ([], {})


@pytest.mark.parametrize(
    ("eligibility", "productive", "due"),
    [("productive", True, True), ("productive", False, False), ("all", False, True), ("all", True, True)],
)
def test_one_off_eligibility(eligibility: str, productive: bool, due: bool) -> None:
    rules = replace(PDAZAM, one_offs=(OneOff("start_up", 50_000, eligibility),))
    components = paid(household(date(2019, 1, 5), productive=productive), rules, "2019-B1")[1]
    assert components == ({"regular": 30_000, "start_up": 50_000} if due else {"regular": 30_000})


def test_assessment_amount_is_the_sum_of_its_components() -> None:
    assert Assessment("H1", (1, 2), {"regular": 20_000, "productive": 250_000}).amount == 270_000
    assert Assessment("H1", ()).amount == 0


def test_rules_round_trip_through_their_event_form() -> None:
    assert Rules.from_dict(PDAZAM.as_dict()) == PDAZAM
    assert PDAZAM.as_dict()["one_offs"] == [
        {"name": "productive", "amount": 250_000, "eligibility": "productive"}
    ]


# Properties -----------------------------------------------------------------------------


@st.composite
def histories(draw: st.DrawFn) -> HouseholdTerms:
    """Terms as the Household aggregate records them: alternating suspend/reinstate dates
    on or after enrolment, an optional exit after them that closes an open suspension."""
    enrolled = draw(st.dates(date(2013, 1, 1), date(2025, 12, 31)))
    base = month_key(enrolled)
    # Many changes fall on a 1st, where the skip-or-pay rule has its edge.
    changes: list[date] = sorted(
        max(enrolled, month_start(base + m).replace(day=d))
        for m, d in draw(
            st.lists(st.tuples(st.integers(0, 40), st.sampled_from((1, 1, 2, 15, 28))), max_size=6)
        )
    )
    spans: list[tuple[date, date | None]] = [
        (changes[i], changes[i + 1] if i + 1 < len(changes) else None)
        for i in range(0, len(changes), 2)
    ]
    exited_on: date | None = None
    if draw(st.booleans()):
        months, day = draw(st.tuples(st.integers(0, 48), st.sampled_from((1, 2, 20))))
        exited_on = max([enrolled, *changes, month_start(base + months).replace(day=day)])
        if spans and spans[-1][1] is None:
            spans[-1] = (spans[-1][0], exited_on)
    productive = draw(st.booleans())
    return HouseholdTerms("H1", enrolled, productive, exited_on, tuple(spans))


def entitled_months(terms: HouseholdTerms, duration: int) -> list[int]:
    """Reference model: replay the status changes, in order, up to each month's first day.

    A span ending on the exit day was closed by the exit, not by a reinstatement.
    """
    changes: list[tuple[date, str]] = []
    for start, end in terms.suspensions:
        changes.append((start, "suspend"))
        if end is not None and end != terms.exited_on:
            changes.append((end, "reinstate"))
    months = []
    for key in range(month_key(terms.enrolled_on), month_key(terms.enrolled_on) + duration):
        if terms.exited_on is not None and key > month_key(terms.exited_on):
            break
        status = "reinstate"
        for on, action in changes:
            if on <= month_start(key):
                status = action
        if status != "suspend":
            months.append(key)
    return months


def cycles_over(terms: HouseholdTerms, rules: Rules) -> list[CycleLabel]:
    """Consecutive cycles from one before enrolment to one after the last possible month."""
    first = cycle_containing(month_key(terms.enrolled_on), rules.cycle_months).first
    last = month_key(terms.enrolled_on) + rules.duration_months
    n = rules.cycle_months
    return [CycleLabel(k, n) for k in range(first - n, last + 1, n)]


RULES = st.builds(
    Rules,
    monthly_amount=st.integers(0, 100_000),
    duration_months=st.integers(1, 48),
    cycle_months=st.sampled_from((1, 2, 3)),
    one_offs=st.just((PRODUCTIVE, OneOff("all", 7, "all"))),
)


@given(terms=histories(), rules=RULES)
def test_money_is_conserved_over_consecutive_cycles(terms: HouseholdTerms, rules: Rules) -> None:
    assessed = [assess(terms, rules, c) for c in cycles_over(terms, rules)]
    expected = entitled_months(terms, rules.duration_months)
    assert [k for a in assessed for k in a.months] == expected
    assert sum(a.components.get("regular", 0) for a in assessed) == rules.monthly_amount * len(expected)


@given(terms=histories(), rules=RULES)
def test_each_one_off_is_paid_at_most_once(terms: HouseholdTerms, rules: Rules) -> None:
    assessed = [assess(terms, rules, c) for c in cycles_over(terms, rules)]
    with_all = [a for a in assessed if "all" in a.components]
    with_productive = [a for a in assessed if "productive" in a.components]
    assert len(with_all) == (1 if any(a.months for a in assessed) else 0)
    assert len(with_productive) == (len(with_all) if terms.productive else 0)
    if with_all:
        assert with_all[0].months[0] == first_entitled_month(terms, rules.duration_months)
