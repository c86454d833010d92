"""Cycle labels and month arithmetic.

A month is an integer key ``year * 12 + (month - 1)`` so ranges and membership are cheap.
Labels: ``YYYY-MM`` (monthly), ``YYYY-Bn`` (bi-monthly, B1 = January-February),
``YYYY-Qn`` (quarterly, Q1 = January-March).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ledger.errors import InvalidCycleLabel

_LABEL = re.compile(r"^(\d{4})-(?:(\d{2})|B(\d)|Q(\d))$")
_KIND_BY_LENGTH = {1: "monthly (YYYY-MM)", 2: "bi-monthly (YYYY-Bn)", 3: "quarterly (YYYY-Qn)"}


def month_key(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(key: int) -> date:
    return date(key // 12, key % 12 + 1, 1)


def month_label(key: int) -> str:
    return f"{key // 12:04d}-{key % 12 + 1:02d}"


@dataclass(frozen=True, order=True)
class CycleLabel:
    """A payment cycle: ``length`` months starting at month key ``first``."""

    first: int
    length: int

    @property
    def months(self) -> range:
        return range(self.first, self.first + self.length)

    @property
    def start(self) -> date:
        return month_start(self.first)

    @property
    def end(self) -> date:
        """The last day of the cycle."""
        return month_start(self.first + self.length) - timedelta(days=1)

    def __str__(self) -> str:
        year, index = divmod(self.first, 12)
        if self.length == 1:
            return f"{year:04d}-{index + 1:02d}"
        letter = "B" if self.length == 2 else "Q"
        return f"{year:04d}-{letter}{index // self.length + 1}"


def parse_cycle_label(text: str, cycle_months: int | None = None) -> CycleLabel:
    """Parse ``2019-Q1``, ``2019-B3`` or ``2019-07``; check it fits ``cycle_months`` if given."""
    match = _LABEL.match(text.strip())
    if not match:
        raise InvalidCycleLabel(
            f"cycle label '{text}' is not YYYY-MM, YYYY-Bn (n = 1..6) or YYYY-Qn (n = 1..4)"
        )
    year = int(match.group(1))
    month, bimester, quarter = match.group(2), match.group(3), match.group(4)
    if month is not None:
        number, length, top = int(month), 1, 12
    elif bimester is not None:
        number, length, top = int(bimester), 2, 6
    else:
        number, length, top = int(quarter), 3, 4
    if not 1 <= number <= top or not 1900 <= year <= 9000:
        raise InvalidCycleLabel(f"cycle label '{text}' is out of range")
    label = CycleLabel(first=year * 12 + (number - 1) * length, length=length)
    if cycle_months is not None and length != cycle_months:
        raise InvalidCycleLabel(
            f"cycle label '{text}' does not fit the program: its cycles are "
            f"{_KIND_BY_LENGTH.get(cycle_months, f'{cycle_months} months')}"
        )
    return label


def cycle_containing(key: int, cycle_months: int) -> CycleLabel:
    """The cycle of ``cycle_months`` months that contains month ``key``."""
    year, index = divmod(key, 12)
    return CycleLabel(first=year * 12 + (index // cycle_months) * cycle_months, length=cycle_months)
