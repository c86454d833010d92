"""Program rules and the pure entitlement calculation.

A household is entitled for a month when the month is within ``duration_months``
from its enrolment month, not after the month of its exit, and it was not
suspended on the first day of that month. One-off transfers are due in the cycle
that contains the household's first entitled month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.calendar import CycleLabel, cycle_containing, month_key, month_start

ELIGIBILITY = ("all", "productive")


@dataclass(frozen=True)
class OneOff:
    name: str
    amount: int
    eligibility: str = "productive"


@dataclass(frozen=True)
class Rules:
    """One version of a program's rules; amounts in the currency's minor unit."""

    monthly_amount: int
    duration_months: int
    cycle_months: int
    one_offs: tuple[OneOff, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "monthly_amount": self.monthly_amount,
            "duration_months": self.duration_months,
            "cycle_months": self.cycle_months,
            "one_offs": [
                {"name": o.name, "amount": o.amount, "eligibility": o.eligibility}
                for o in self.one_offs
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rules:
        return cls(
            monthly_amount=int(data["monthly_amount"]),
            duration_months=int(data["duration_months"]),
            cycle_months=int(data["cycle_months"]),
            one_offs=tuple(
                OneOff(str(o["name"]), int(o["amount"]), str(o["eligibility"]))
                for o in data.get("one_offs", [])
            ),
        )


@dataclass(frozen=True)
class HouseholdTerms:
    """What the calculation needs to know about a household, as plain values."""

    household_id: str
    enrolled_on: date
    productive: bool = False
    exited_on: date | None = None
    # (suspended_on, reinstated_on or None while still suspended)
    suspensions: tuple[tuple[date, date | None], ...] = ()
    operator: str = ""


@dataclass(frozen=True)
class Assessment:
    household_id: str
    months: tuple[int, ...]
    components: dict[str, int] = field(default_factory=dict)

    @property
    def amount(self) -> int:
        return sum(self.components.values())


def is_entitled(terms: HouseholdTerms, key: int, duration_months: int) -> bool:
    first = month_key(terms.enrolled_on)
    if not first <= key < first + duration_months:
        return False
    if terms.exited_on is not None and key > month_key(terms.exited_on):
        return False
    if not terms.suspensions:  # most households: no first-of-month date to build
        return True
    day_one = month_start(key)
    # A suspension closed by the exit (it ends on the exit day) lasts through the exit:
    # leaving is not a reinstatement, so it never pays the month of the exit.
    return not any(
        start <= day_one and (end is None or day_one < end or end == terms.exited_on)
        for start, end in terms.suspensions
    )


def first_entitled_month(terms: HouseholdTerms, duration_months: int) -> int | None:
    first = month_key(terms.enrolled_on)
    for key in range(first, first + duration_months):
        if is_entitled(terms, key, duration_months):
            return key
    return None


def assess(terms: HouseholdTerms, rules: Rules, cycle: CycleLabel) -> Assessment:
    """What ``terms``' household is entitled to in ``cycle`` under ``rules``."""
    months = tuple(k for k in cycle.months if is_entitled(terms, k, rules.duration_months))
    components: dict[str, int] = {}
    if months:
        components["regular"] = rules.monthly_amount * len(months)
    due_one_offs = [
        o for o in rules.one_offs if o.eligibility == "all" or terms.productive
    ]
    if due_one_offs:
        first = first_entitled_month(terms, rules.duration_months)
        if first is not None and cycle_containing(first, rules.cycle_months) == cycle:
            for one_off in due_one_offs:
                components[one_off.name] = components.get(one_off.name, 0) + one_off.amount
    return Assessment(terms.household_id, months, components)
