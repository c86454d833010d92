"""Matching a payout line to an entitlement, and classifying an entitlement: pure functions.

Keys in order: our payment reference, then the household id within the cycle,
then the normalised phone number, only when it names exactly one household of
the cycle. Nothing is ever matched on names. ``classify`` is the definition of
the categories; the read model computes the same thing in SQL (and a test holds
the two together).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

SUCCESS, FAILED, PENDING = "success", "failed", "pending"
CATEGORIES = ("paid", "partial", "overpaid", "duplicate", "failed", "pending", "unpaid", "cancelled")


@dataclass(frozen=True)
class CycleIndex:
    """The entitlements of one cycle, by each matching key (only the keys a batch asks about)."""

    references: frozenset[str]
    households: Mapping[str, str]  # household id -> reference
    msisdns: Mapping[str, Sequence[str]]  # E.164 number -> references


def match_line(
    reference: str | None, household_id: str | None, msisdn: str | None, index: CycleIndex
) -> tuple[str | None, str]:
    """(matched reference or None, how: 'reference' | 'household_id' | 'msisdn' | 'none: why')."""
    if reference and reference in index.references:
        return reference, "reference"
    if household_id and household_id in index.households:
        return index.households[household_id], "household_id"
    candidates = index.msisdns.get(msisdn, ()) if msisdn else ()
    if len(candidates) == 1:
        return candidates[0], "msisdn"
    if len(candidates) > 1:
        return None, f"none: msisdn {msisdn} names {len(candidates)} households of the cycle"
    tried = [f"{name} '{value}'" for name, value in
             (("reference", reference), ("household", household_id), ("msisdn", msisdn)) if value]
    return None, f"none: {' / '.join(tried)} {'matches' if len(tried) == 1 else 'match'} no entitlement of the cycle"


@dataclass(frozen=True)
class Line:
    """A payout line as classification sees it."""

    amount: int
    status: str
    reversed: bool = False

    @property
    def counts_as_paid(self) -> bool:
        """Sent is not paid: only a success that was not reversed counts."""
        return self.status == SUCCESS and not self.reversed


class Payout(Protocol):
    """What classification reads of a payout line (``Line``, or a row read for a report)."""

    @property
    def amount(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def reversed(self) -> bool | int: ...
    @property
    def counts_as_paid(self) -> bool: ...


def classify(due: int, cancelled: bool, lines: Sequence[Payout]) -> str:
    """The one category of an entitlement owing ``due``, given the lines matched to it."""
    owed = 0 if cancelled else due
    successes = [line for line in lines if line.counts_as_paid]
    paid = sum(line.amount for line in successes)
    if successes:
        if paid == owed:
            return "paid"
        if len(successes) >= 2 and all(line.amount == owed for line in successes):
            return "duplicate"
        return "partial" if paid < owed else "overpaid"
    if cancelled:
        return "cancelled"
    if any(line.status == FAILED or (line.status == SUCCESS and line.reversed) for line in lines):
        return "failed"
    if any(line.status == PENDING for line in lines):
        return "pending"
    return "paid" if owed == 0 else "unpaid"


def slip_note(amount: int, owed: int) -> str | None:
    """Flag a thousands-separator slip: an amount 1000 times (or 1/1000 of) what is due."""
    if owed and amount == owed * 1000:
        return f"amount {amount} is 1000 times the amount due {owed} (a thousands-separator slip?)"
    if owed and amount * 1000 == owed:
        return f"amount {amount} is 1/1000 of the amount due {owed} (a thousands-separator slip?)"
    return None
