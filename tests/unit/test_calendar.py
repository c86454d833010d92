"""Cycle labels and month arithmetic: what parses, what is refused and why."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.calendar import (
    CycleLabel,
    cycle_containing,
    month_key,
    month_label,
    month_start,
    parse_cycle_label,
)
from ledger.errors import InvalidCycleLabel, LedgerError

MALFORMED = "is not YYYY-MM, YYYY-Bn (n = 1..6) or YYYY-Qn (n = 1..4)"


def test_month_key_counts_months_from_year_zero() -> None:
    assert month_key(date(2019, 1, 31)) == 2019 * 12
    assert month_key(date(2019, 12, 1)) == 2019 * 12 + 11
    assert month_key(date(2020, 1, 1)) - month_key(date(2019, 12, 31)) == 1


def test_month_label_and_start_invert_month_key() -> None:
    key = month_key(date(2019, 7, 15))
    assert month_label(key) == "2019-07"
    assert month_start(key) == date(2019, 7, 1)
    assert month_label(month_key(date(987, 3, 1))) == "0987-03"


@pytest.mark.parametrize(
    ("text", "first", "length"),
    [
        ("2019-Q1", date(2019, 1, 1), 3),
        ("2019-Q4", date(2019, 10, 1), 3),
        ("2019-B1", date(2019, 1, 1), 2),
        ("2019-B3", date(2019, 5, 1), 2),
        ("2019-B6", date(2019, 11, 1), 2),
        ("2019-07", date(2019, 7, 1), 1),
        ("2019-12", date(2019, 12, 1), 1),
        ("  2019-Q2 ", date(2019, 4, 1), 3),
    ],
)
def test_parse_cycle_label_accepts_the_three_kinds(text: str, first: date, length: int) -> None:
    assert parse_cycle_label(text) == CycleLabel(first=month_key(first), length=length)


def test_quarter_bounds_months_and_label() -> None:
    q3 = parse_cycle_label("2019-Q3")
    assert (q3.start, q3.end) == (date(2019, 7, 1), date(2019, 9, 30))
    assert [month_label(k) for k in q3.months] == ["2019-07", "2019-08", "2019-09"]
    assert str(q3) == "2019-Q3"


def test_cycle_end_is_the_last_day_across_year_end_and_leap_february() -> None:
    assert parse_cycle_label("2019-Q4").end == date(2019, 12, 31)
    assert parse_cycle_label("2020-B1").end == date(2020, 2, 29)
    assert parse_cycle_label("2019-B1").end == date(2019, 2, 28)
    assert parse_cycle_label("2019-02").end == date(2019, 2, 28)


@pytest.mark.parametrize("text", ["2019-B3", "2019-07", "2019-Q1", "2024-B6", "1900-01"])
def test_str_round_trips(text: str) -> None:
    assert str(parse_cycle_label(text)) == text


@pytest.mark.parametrize(
    "text", ["2019Q1", "2019-q1", "2019-7", "2019-Q", "19-Q1", "2019-Q10", "2019-M1", "", "2019-Q1x"]
)
def test_malformed_labels_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(InvalidCycleLabel) as caught:
        parse_cycle_label(text)
    assert str(caught.value) == f"cycle label '{text}' {MALFORMED}"


@pytest.mark.parametrize(
    "text", ["2019-Q5", "2019-Q0", "2019-B7", "2019-B0", "2019-13", "2019-00", "1899-Q4"]
)
def test_out_of_range_labels_are_refused(text: str) -> None:
    with pytest.raises(InvalidCycleLabel) as caught:
        parse_cycle_label(text)
    assert str(caught.value) == f"cycle label '{text}' is out of range"


def test_out_of_range_is_reported_before_the_program_fit() -> None:
    with pytest.raises(InvalidCycleLabel, match=r"^cycle label '2019-Q5' is out of range$"):
        parse_cycle_label("2019-Q5", cycle_months=1)


@pytest.mark.parametrize(
    ("text", "cycle_months", "kind"),
    [
        ("2019-07", 3, "quarterly (YYYY-Qn)"),
        ("2019-B3", 3, "quarterly (YYYY-Qn)"),
        ("2019-Q1", 2, "bi-monthly (YYYY-Bn)"),
        ("2019-Q1", 1, "monthly (YYYY-MM)"),
        ("2019-Q1", 6, "6 months"),
    ],
)
def test_labels_must_fit_the_program_cycle_length(text: str, cycle_months: int, kind: str) -> None:
    with pytest.raises(InvalidCycleLabel) as caught:
        parse_cycle_label(text, cycle_months)
    assert str(caught.value) == (
        f"cycle label '{text}' does not fit the program: its cycles are {kind}"
    )


def test_a_label_that_fits_is_returned() -> None:
    assert parse_cycle_label("2019-B3", cycle_months=2) == parse_cycle_label("2019-B3")


def test_invalid_cycle_label_is_a_ledger_error() -> None:
    # The CLI prints every LedgerError as a user error, without a traceback.
    assert issubclass(InvalidCycleLabel, LedgerError)


@pytest.mark.parametrize(
    ("day", "cycle_months", "label"),
    [
        (date(2019, 2, 15), 3, "2019-Q1"),
        (date(2019, 3, 31), 3, "2019-Q1"),
        (date(2019, 4, 1), 3, "2019-Q2"),
        (date(2019, 12, 31), 3, "2019-Q4"),
        (date(2019, 2, 15), 2, "2019-B1"),
        (date(2019, 3, 1), 2, "2019-B2"),
        (date(2019, 12, 1), 2, "2019-B6"),
        (date(2019, 2, 15), 1, "2019-02"),
    ],
)
def test_cycle_containing(day: date, cycle_months: int, label: str) -> None:
    assert str(cycle_containing(month_key(day), cycle_months)) == label


def test_labels_order_by_start() -> None:
    labels = ["2020-Q1", "2019-Q4", "2019-Q2"]
    assert [str(c) for c in sorted(parse_cycle_label(t) for t in labels)] == [
        "2019-Q2",
        "2019-Q4",
        "2020-Q1",
    ]


# Labels are accepted for years 1900 to 9000.
MONTH_KEYS = st.integers(min_value=1900 * 12, max_value=9000 * 12 + 11)


@given(key=MONTH_KEYS, cycle_months=st.sampled_from((1, 2, 3)))
def test_the_cycle_containing_a_month_round_trips_and_contains_it(
    key: int, cycle_months: int
) -> None:
    cycle = cycle_containing(key, cycle_months)
    assert parse_cycle_label(str(cycle), cycle_months) == cycle
    assert key in cycle.months
    assert cycle.start <= month_start(key) <= cycle.end
    assert cycle_containing(cycle.first + cycle_months, cycle_months).start > cycle.end


@pytest.mark.parametrize("text", ["9999-Q4", "9001-01", "1899-B6"])
def test_years_outside_1900_to_9000_are_out_of_range(text: str) -> None:
    with pytest.raises(InvalidCycleLabel, match=rf"^cycle label '{text}' is out of range$"):
        parse_cycle_label(text)
