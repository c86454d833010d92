"""Strict field parsers: text in, typed value out, or a ValueError whose message is the reason.

Every column stays text until one of these accepts it; nothing here guesses a
locale or converts through float.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata

DATE_FORMS = "use YYYY-MM-DD or DD/MM/YYYY"

_ISO_DATE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[ T](?P<time>.*))?"
)
_DAY_FIRST_DATE = re.compile(
    r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})"
    r"(?: +(?P<time>.*))?"
)
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}", re.ASCII)  # ASCII: \d is 0-9 only
_TIME = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?")

_YES = frozenset({"yes", "y", "oui", "o", "true", "1"})
_NO = frozenset({"no", "n", "non", "false", "0", ""})

_SPACES = " \u00a0\u202f"
_AMOUNT_CHARS = re.compile(r"[0-9.,\u00a0\u202f ]+")
_MAX_AMOUNT_DIGITS = 15
_PHONE_CHARS = re.compile(r"[0-9+()./\- \u00a0\u202f]+")
_PHONE_SEPARATORS = re.compile(r"[()./\- \u00a0\u202f]")


def normalise_text(text: str) -> str:
    """NFC-normalise, strip, and collapse inner runs of whitespace to one space."""
    if not text.isascii():  # ASCII is already NFC: skip the (costly) normalisation
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def normalise_place(text: str) -> str:
    """``normalise_text`` for place names: a register repeats a few thousand of them."""
    return normalise_text(text)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Case- and accent-insensitive key for matching words such as statuses ('Payé' -> 'paye')."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def parse_datetime(text: str) -> datetime:
    """Parse 'YYYY-MM-DD' or 'DD/MM/YYYY', optionally followed by 'HH:MM[:SS]'.

    Returns a naive datetime (midnight when no time is given). Month-first
    dates are never accepted; impossible dates are rejected with the reason.
    """
    cleaned = text.strip()
    return _fast_timestamp(cleaned) or _careful_datetime(cleaned)


def _fast_timestamp(cleaned: str) -> datetime | None:
    """The usual operator timestamp 'YYYY-MM-DD HH:MM:SS' read by the C parser (a tenth of a
    payout file's parsing time); None for anything else, or anything it refuses: the careful
    reading then decides and says why."""
    if len(cleaned) != 19 or not _TIMESTAMP.fullmatch(cleaned):
        return None
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        return None


def _careful_datetime(cleaned: str) -> datetime:
    if not cleaned:
        raise ValueError(f"empty: a date is required ({DATE_FORMS})")
    match = _ISO_DATE.fullmatch(cleaned) or _DAY_FIRST_DATE.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"not a date: {DATE_FORMS}")
    year, month, day_of_month = int(match["year"]), int(match["month"]), int(match["day"])
    try:
        day = date(year, month, day_of_month)
    except ValueError:
        day = _checked_date(year, month, day_of_month)  # raises, saying what is impossible
    time_text = match["time"]
    if time_text is None:
        return datetime(day.year, day.month, day.day)
    return _with_time(day, time_text)


@lru_cache(maxsize=4096)  # a register has a few hundred distinct dates in a million rows
def parse_date(text: str) -> date:
    """Parse a date as :func:`parse_datetime` does; a time part is accepted and dropped."""
    return parse_datetime(text).date()


def _checked_date(year: int, month: int, day: int) -> date:
    if year < 1:
        raise ValueError("impossible date: there is no year 0")
    if not 1 <= month <= 12:
        raise ValueError(f"impossible date: there is no month {month} (dates are day-first: DD/MM/YYYY)")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        month_name = calendar.month_name[month]
        raise ValueError(f"impossible date: {month_name} {year} has {days_in_month} days")
    return date(year, month, day)


def _with_time(day: date, time_text: str) -> datetime:
    match = _TIME.fullmatch(time_text)
    if match is None:
        raise ValueError(f"not a date: {DATE_FORMS}, optionally followed by HH:MM or HH:MM:SS")
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    microsecond = int((match["fraction"] or "").ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"impossible time: {time_text}")
    return datetime(day.year, day.month, day.day, hour, minute, second, microsecond)


def parse_msisdn(text: str, region: str = "ML") -> str:
    """Parse a mobile number written locally or internationally; return it in E.164.

    '76123456', '+22376123456', '0022376123456' and '76 12 34 56' all give
    '+22376123456'. The number must be valid for ``region``.
    """
    invalid = ValueError(f"not a valid phone number for {region}")
    cleaned = text.strip()
    # phonenumbers reads letters as keypad digits and accepts extensions; a
    # registry phone column has neither, so such text is a mistake.
    if not _PHONE_CHARS.fullmatch(cleaned):
        raise invalid
    fast = _fast_e164(cleaned, region)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        raise invalid from None
    if number.extension or not phonenumbers.is_valid_number_for_region(number, region):
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class _RegionRules:
    country_code: str
    lengths: frozenset[int]
    general: re.Pattern[str]
    any_type: re.Pattern[str]  # the number types' patterns as one alternation: fullmatch if any does


@lru_cache(maxsize=None)
def _region_rules(region: str) -> _RegionRules | None:
    metadata = PhoneMetadata.metadata_for_region(region)
    general = metadata.general_desc if metadata is not None else None
    if metadata is None or general is None or metadata.national_prefix_for_parsing or metadata.national_prefix:
        return None  # national prefixes need the library's full parsing rules
    descs = (metadata.fixed_line, metadata.mobile, metadata.toll_free, metadata.premium_rate,
             metadata.shared_cost, metadata.personal_number, metadata.voip, metadata.pager, metadata.uan,
             metadata.voicemail)
    return _RegionRules(
        country_code=str(metadata.country_code),
        lengths=frozenset(general.possible_length or ()),
        general=re.compile(general.national_number_pattern or "(?!)"),
        any_type=re.compile("|".join(f"(?:{d.national_number_pattern})" for d in descs
                                     if d and d.national_number_pattern) or "(?!)"),
    )


def _fast_e164(cleaned: str, region: str) -> str | None:
    """The common case without phonenumbers' general parser (it dominated imports of a
    million rows): plain digits, local or with +CC / 00CC, checked against the same
    metadata patterns. None means "not sure": the full parser decides."""
    rules = _region_rules(region)
    if rules is None:
        return None
    # ('+' and digits only, the usual case, has no separator to remove)
    digits = cleaned if cleaned.lstrip("+").isdigit() else _PHONE_SEPARATORS.sub("", cleaned)
    for prefix in ("+" + rules.country_code, "00" + rules.country_code, ""):
        if digits.startswith(prefix) and digits[len(prefix):].isdigit():
            national = digits[len(prefix):]
            if len(national) in rules.lengths and national.isascii():
                valid = rules.general.fullmatch(national) and rules.any_type.fullmatch(national)
                return "+" + rules.country_code + national if valid else None
    return None


def parse_identifier(text: str, max_length: int) -> str:
    """Accept an identifier of at most ``max_length`` characters without invisible characters."""
    if len(text) > max_length:
        raise ValueError(f"too long: {len(text)} characters, at most {max_length}")
    if text.isascii() and text.isprintable():  # the common case: no invisible character possible
        return text
    for char in text:
        # Control and invisible format characters (tab, zero-width space...) make
        # two ids that look identical compare different.
        if unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}:
            raise ValueError(f"contains an invisible or control character (U+{ord(char):04X})")
    return text


def parse_yes_no(text: str) -> bool:
    """Read a yes/no flag (English or French, any case or accents); an empty cell is no."""
    key = fold(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError("not yes/no: use yes, no, oui, non, y, n, o, true, false, 1 or 0")


def parse_amount(text: str) -> int:
    """Parse a whole number of francs, strictly.

    Digits may be grouped by threes with one kind of separator: a space
    (also U+00A0 or U+202F), '.' or ','. '30000', '30 000', '30.000' and
    '30,000' are 30000; '30.5', '3,00', '1.2345' and '30,000.00' are refused
    rather than guessed at. An optional leading '-' makes it negative.
    """
    cleaned = text.strip()
    if cleaned.isdigit() and cleaned.isascii() and len(cleaned.lstrip("0")) <= _MAX_AMOUNT_DIGITS:
        return int(cleaned)  # the common case: plain digits
    if not cleaned:
        raise ValueError("empty: an amount is required")
    negative = cleaned.startswith("-")
    body = cleaned[1:] if negative else cleaned
    if not body or not _AMOUNT_CHARS.fullmatch(body):
        raise ValueError("not an amount: use digits only, e.g. 30000 or 30 000")
    separators = {"space" if ch in _SPACES else ch for ch in body if not ch.isdigit()}
    if len(separators) > 1:
        raise ValueError(
            "mixed separators: amounts are whole francs, grouped with one kind of separator "
            "(e.g. 30000, 30 000 or 30.000)"
        )
    groups = re.split(r"[.,\u00a0\u202f ]", body)
    _check_groups(groups, decimal_mark=separators <= {".", ","})
    digits = "".join(groups)
    if len(digits.lstrip("0")) > _MAX_AMOUNT_DIGITS:
        raise ValueError(f"too large: more than {_MAX_AMOUNT_DIGITS} digits")
    value = int(digits)
    return -value if negative else value


def _check_groups(groups: list[str], *, decimal_mark: bool) -> None:
    if len(groups) == 1:
        return
    last = groups[-1]
    if decimal_mark and len(groups) == 2 and 1 <= len(last) <= 2 and groups[0]:
        raise ValueError("looks like a decimal: amounts are whole francs, without decimals")
    first = groups[0]
    if not 1 <= len(first) <= 3 or first.startswith("0") or any(len(group) != 3 for group in groups[1:]):
        raise ValueError("badly grouped digits: separators must split the digits into groups of exactly 3")
