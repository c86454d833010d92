"""Strict field parsers: what is accepted, and the exact reason for what is not."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.fields import (
    fold,
    normalise_text,
    parse_amount,
    parse_date,
    parse_datetime,
    parse_msisdn,
    parse_yes_no,
)

NOT_A_DATE = "not a date: use YYYY-MM-DD or DD/MM/YYYY"
NOT_A_DATE_TIME = "not a date: use YYYY-MM-DD or DD/MM/YYYY, optionally followed by HH:MM or HH:MM:SS"
NOT_AN_AMOUNT = "not an amount: use digits only, e.g. 30000 or 30 000"
DECIMAL = "looks like a decimal: amounts are whole francs, without decimals"
BAD_GROUPS = "badly grouped digits: separators must split the digits into groups of exactly 3"
MIXED = (
    "mixed separators: amounts are whole francs, grouped with one kind of separator "
    "(e.g. 30000, 30 000 or 30.000)"
)
NOT_ML_PHONE = "not a valid phone number for ML"
NOT_YES_NO = "not yes/no: use yes, no, oui, non, y, n, o, true, false, 1 or 0"


def test_normalise_text_composes_accents_and_collapses_whitespace() -> None:
    assert normalise_text("  Djenne\u0301 \t  centre\u00a0 ") == "Djenné centre"


def test_fold_ignores_case_accents_and_spacing() -> None:
    assert fold("  Payé ") == "paye"
    assert fold("ÉCHEC   Total") == "echec total"
    assert fold("Djenne\u0301") == fold("DJENNÉ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-13", date(2024, 2, 13)),
        ("13/02/2024", date(2024, 2, 13)),
        ("1/2/2024", date(2024, 2, 1)),
        (" 2024-02-29 ", date(2024, 2, 29)),
        ("2024-02-13 10:30", date(2024, 2, 13)),
        ("2024-02-13T10:30:15", date(2024, 2, 13)),
        ("13/02/2024 08:00:00", date(2024, 2, 13)),
        ("2024-02-13 00:00:00.000", date(2024, 2, 13)),
    ],
)
def test_parse_date_accepts(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty: a date is required (use YYYY-MM-DD or DD/MM/YYYY)"),
        ("02/13/2024", "impossible date: there is no month 13 (dates are day-first: DD/MM/YYYY)"),
        ("31/02/2024", "impossible date: February 2024 has 29 days"),
        ("2023-02-29", "impossible date: February 2023 has 28 days"),
        ("2024-04-31", "impossible date: April 2024 has 30 days"),
        ("00/01/2024", "impossible date: January 2024 has 31 days"),
        ("2024-13-01", "impossible date: there is no month 13 (dates are day-first: DD/MM/YYYY)"),
        ("0000-01-01", "impossible date: there is no year 0"),
        ("13-02-2024", NOT_A_DATE),
        ("2024/02/13", NOT_A_DATE),
        ("13.02.2024", NOT_A_DATE),
        ("20240213", NOT_A_DATE),
        ("45335", NOT_A_DATE),
        ("13/02/24", NOT_A_DATE),
        ("Feb 13, 2024", NOT_A_DATE),
        ("2024-02-13 25:00", "impossible time: 25:00"),
        ("2024-02-13 10:61", "impossible time: 10:61"),
        ("2024-02-13 noon", NOT_A_DATE_TIME),
        ("2024-02-13T10:30Z", NOT_A_DATE_TIME),
    ],
)
def test_parse_date_rejects(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_date(text)
    assert str(raised.value) == reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-13", datetime(2024, 2, 13)),
        ("13/02/2024 08:05", datetime(2024, 2, 13, 8, 5)),
        ("2024-02-13T08:05:09", datetime(2024, 2, 13, 8, 5, 9)),
        ("2024-02-13 8:05:09.5", datetime(2024, 2, 13, 8, 5, 9, 500000)),
    ],
)
def test_parse_datetime_keeps_the_time(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "76123456",
        "+22376123456",
        "0022376123456",
        "76 12 34 56",
        "76-12-34-56",
        " +223 76 12 34 56 ",
        "22376123456",
    ],
)
def test_parse_msisdn_accepts_local_and_international_forms(text: str) -> None:
    assert parse_msisdn(text) == "+22376123456"


@pytest.mark.parametrize(
    "text",
    ["", "1234", "7612345", "761234567", "+33612345678", "76ABCDEF", "76123456 ext. 12", "abc", "+223"],
)
def test_parse_msisdn_rejects(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_msisdn(text)
    assert str(raised.value) == NOT_ML_PHONE


def test_parse_msisdn_names_the_region() -> None:
    assert parse_msisdn("0612345678", region="FR") == "+33612345678"
    with pytest.raises(ValueError, match="^not a valid phone number for FR$"):
        parse_msisdn("76123456", region="FR")


@pytest.mark.parametrize("text", ["yes", "Y", "OUI", "o", "True", "1", " oui "])
def test_parse_yes_no_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", ["no", "N", "Non", "NON", "false", "0", "", "  "])
def test_parse_yes_no_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["maybe", "2", "si", "ouii", "yes no", "-"])
def test_parse_yes_no_rejects(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_yes_no(text)
    assert str(raised.value) == NOT_YES_NO


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30000", 30000),
        ("30 000", 30000),
        ("30\u00a0000", 30000),
        ("30\u202f000", 30000),
        ("30.000", 30000),
        ("30,000", 30000),
        ("120.000", 120000),
        (" 250,000 ", 250000),
        ("1 000 000", 1000000),
        ("1.000.000", 1000000),
        ("975,240,000", 975240000),
        ("-5 000", -5000),
        ("-15000", -15000),
        ("0", 0),
        ("007", 7),
    ],
)
def test_parse_amount_accepts(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty: an amount is required"),
        ("   ", "empty: an amount is required"),
        ("30.5", DECIMAL),
        ("3,00", DECIMAL),
        ("30000.00", DECIMAL),
        ("1.2345", BAD_GROUPS),
        ("30 00", BAD_GROUPS),
        ("30.000.00", BAD_GROUPS),
        ("1234.567", BAD_GROUPS),
        ("0.500", BAD_GROUPS),
        (".500", BAD_GROUPS),
        ("30.", BAD_GROUPS),
        ("30..000", BAD_GROUPS),
        ("30,000.00", MIXED),
        ("1.000,000", MIXED),
        ("abc", NOT_AN_AMOUNT),
        ("1e5", NOT_AN_AMOUNT),
        ("+5000", NOT_AN_AMOUNT),
        ("--5", NOT_AN_AMOUNT),
        ("-", NOT_AN_AMOUNT),
        ("\u22125000", NOT_AN_AMOUNT),
        ("30_000", NOT_AN_AMOUNT),
        ("30000 XOF", NOT_AN_AMOUNT),
        ("\u0663\u0660", NOT_AN_AMOUNT),
        ("1" * 16, "too large: more than 15 digits"),
    ],
)
def test_parse_amount_rejects(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_amount(text)
    assert str(raised.value) == reason


@given(st.text())
def test_parse_amount_raises_only_value_error(text: str) -> None:
    try:
        result = parse_amount(text)
    except ValueError:
        return
    assert isinstance(result, int)


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_parse_amount_round_trips_integers(number: int) -> None:
    grouped = f"{number:,}"
    assert parse_amount(str(number)) == number
    assert parse_amount(grouped) == number
    assert parse_amount(grouped.replace(",", ".")) == number
    assert parse_amount(grouped.replace(",", "\u00a0")) == number
    assert parse_amount(grouped.replace(",", " ")) == number


@given(
    national=st.text(alphabet="0123456789", min_size=6, max_size=10),
    form=st.sampled_from(["{n}", "+223{n}", "00223{n}", "+223 {n}", "(+223) {n}"]),
)
def test_fast_phone_path_agrees_with_phonenumbers(national: str, form: str) -> None:
    """Invalid inputs (None from the fast path) fall back to phonenumbers, so only agreement matters."""
    from intake.fields import _fast_e164

    text = form.format(n=national)
    fast = _fast_e164(text, "ML")
    if fast is None:
        return
    import phonenumbers

    number = phonenumbers.parse(text, "ML")
    assert phonenumbers.is_valid_number_for_region(number, "ML")
    assert fast == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _careful_or_reason(text: str) -> datetime | str:
    from intake.fields import _careful_datetime

    try:
        return _careful_datetime(text)
    except ValueError as error:
        return str(error)


@given(
    parts=st.tuples(*(st.integers(min_value=0, max_value=9999 if n == 0 else 99) for n in range(6))),
    separator=st.sampled_from([" ", "T"]),
)
def test_fast_timestamp_path_agrees_with_the_careful_reading(parts: tuple[int, ...], separator: str) -> None:
    """Timestamps shaped 'YYYY-MM-DD HH:MM:SS', possible or not (month 13, hour 24, 31 April),
    give what the careful reading gives: the same datetime, or the same reason."""
    year, month, day, hour, minute, second = parts
    text = f"{year:04d}-{month:02d}-{day:02d}{separator}{hour:02d}:{minute:02d}:{second:02d}"
    try:
        result: datetime | str = parse_datetime(text)
    except ValueError as error:
        result = str(error)
    assert result == _careful_or_reason(text)
