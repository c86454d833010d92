"""Matching keys in order, and the category definitions, without any database."""

from __future__ import annotations

import pytest

from reconciliation.matching import CycleIndex, Line, classify, match_line, slip_note

INDEX = CycleIndex(
    references=frozenset({"19Q1AAAAAAAAAAAA", "19Q1BBBBBBBBBBBB"}),
    households={"KITA-1": "19Q1AAAAAAAAAAAA", "KITA-2": "19Q1BBBBBBBBBBBB"},
    msisdns={"+22376000001": ["19Q1AAAAAAAAAAAA"], "+22376000009": ["19Q1AAAAAAAAAAAA", "19Q1BBBBBBBBBBBB"]},
)


@pytest.mark.parametrize(
    ("reference", "household", "msisdn", "expected"),
    [
        ("19Q1BBBBBBBBBBBB", "KITA-1", None, ("19Q1BBBBBBBBBBBB", "reference")),
        ("19Q1ZZZZZZZZZZZZ", "KITA-2", None, ("19Q1BBBBBBBBBBBB", "household_id")),
        (None, "NOBODY", "+22376000001", ("19Q1AAAAAAAAAAAA", "msisdn")),
        (None, None, "+22376000009", (None, "none: msisdn +22376000009 names 2 households of the cycle")),
        ("19Q1ZZZZZZZZZZZZ", None, None, (None, "none: reference '19Q1ZZZZZZZZZZZZ' matches no entitlement of the cycle")),
        (None, "NOBODY", "+22370000000",
         (None, "none: household 'NOBODY' / msisdn '+22370000000' match no entitlement of the cycle")),
    ],
)
def test_keys_in_order_and_never_an_ambiguous_phone(
    reference: str | None, household: str | None, msisdn: str | None, expected: tuple[str | None, str]
) -> None:
    assert match_line(reference, household, msisdn, INDEX) == expected


@pytest.mark.parametrize(
    ("due", "cancelled", "lines", "category"),
    [
        (30_000, False, [Line(30_000, "success")], "paid"),
        (30_000, False, [Line(10_000, "success"), Line(20_000, "success")], "paid"),
        (30_000, False, [Line(10_000, "success")], "partial"),
        (30_000, False, [Line(40_000, "success")], "overpaid"),
        (30_000, False, [Line(30_000, "success"), Line(10_000, "success")], "overpaid"),
        (30_000, False, [Line(30_000, "success"), Line(30_000, "success")], "duplicate"),
        (30_000, False, [Line(30_000, "failed"), Line(30_000, "pending")], "failed"),
        (30_000, False, [Line(30_000, "success", reversed=True)], "failed"),
        (30_000, False, [Line(30_000, "pending")], "pending"),
        (30_000, False, [], "unpaid"),
        (30_000, True, [], "cancelled"),
        (30_000, True, [Line(30_000, "success")], "overpaid"),
        (0, False, [], "paid"),
    ],
)
def test_each_entitlement_gets_exactly_the_defined_category(
    due: int, cancelled: bool, lines: list[Line], category: str
) -> None:
    assert classify(due, cancelled, lines) == category


def test_thousands_separator_slips_are_flagged() -> None:
    assert slip_note(30_000_000, 30_000) == (
        "amount 30000000 is 1000 times the amount due 30000 (a thousands-separator slip?)")
    assert slip_note(30, 30_000) == "amount 30 is 1/1000 of the amount due 30000 (a thousands-separator slip?)"
    assert slip_note(30_000, 30_000) is None
