"""One confirmed (or refused) payout line, and the rules its fields must satisfy.

The field parsers here are shared by every file format: each takes text and
returns a value, or raises ValueError whose message is the reason shown to the
operator (see :mod:`intake.fields` for the amount, date and phone parsers).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import NamedTuple

from intake.errors import RowError
from intake.fields import parse_identifier

SUCCESS, FAILED, PENDING = "success", "failed", "pending"
STATUSES = (SUCCESS, FAILED, PENDING)

MAX_TXN_ID = 64
MAX_REFERENCE = 16  # MT940 ':61:' truncates longer references silently
MAX_HOUSEHOLD_ID = 64
FORMULA_STARTS = ("=", "+", "-", "@")
FUTURE_SLACK = timedelta(days=1)

_CURRENCY = re.compile(r"[A-Za-z]{3}")


class PayoutRow(NamedTuple):  # a tuple: cheap to pickle (spill files, worker processes)
    """A validated payout line; ``line`` points at it in the source file."""

    line: int
    operator_txn_id: str
    reference: str | None
    household_id: str | None
    msisdn: str | None  # E.164 (+223...)
    amount: int  # whole minor units, > 0
    currency: str | None  # ISO 4217 upper-case; None if the file gives none
    paid_at: datetime | None  # naive
    status: str  # SUCCESS | FAILED | PENDING
    reason: str | None

    def content(self) -> dict[str, object]:
        """Every field except ``line``, JSON-friendly: to compare a re-sent line with the recorded one."""
        return {
            "operator_txn_id": self.operator_txn_id,
            "reference": self.reference,
            "household_id": self.household_id,
            "msisdn": self.msisdn,
            "amount": self.amount,
            "currency": self.currency,
            "paid_at": None if self.paid_at is None else self.paid_at.isoformat(),
            "status": self.status,
            "reason": self.reason,
        }


class Parsed(NamedTuple):
    """What a format reader makes of one record, before checks across records."""

    line: int
    txn_column: str  # where the operator's transaction id was read from
    txn_id: str  # as written, even if invalid ('' if absent)
    result: PayoutRow | list[RowError]


def no_key(columns: str) -> str:
    """Reason for a row that gives nothing to match it by."""
    return f"no matching key: give at least one of {columns}"


def parse_txn_id(text: str) -> str:
    """The operator's own transaction id: at most 64 visible characters, not a formula."""
    return _identifier(text, MAX_TXN_ID)


def parse_reference(text: str) -> str:
    """Our payment reference as echoed by the operator: at most 16 characters."""
    return _identifier(text, MAX_REFERENCE)


def parse_household_id(text: str) -> str:
    """A household id as enrolled: at most 64 visible characters, not a formula."""
    return _identifier(text, MAX_HOUSEHOLD_ID)


def parse_currency(text: str) -> str:
    """An ISO 4217 code such as 'XOF' (any case in, upper-case out)."""
    if not _CURRENCY.fullmatch(text):
        raise ValueError("not a currency code: use 3 letters, e.g. XOF")
    return text.upper()


def check_positive(amount: int) -> int:
    """Refuse zero and negative amounts: a payout moves money to the household."""
    if amount <= 0:
        raise ValueError("amount must be positive")
    return amount


def check_not_future(paid_at: datetime, now: datetime) -> datetime:
    """Refuse a payment dated after ``now`` plus a day of slack (time zones, clocks)."""
    if paid_at > now + FUTURE_SLACK:
        raise ValueError("in the future: more than a day after today")
    return paid_at


def _identifier(text: str, max_length: int) -> str:
    # A cell such as '=HYPERLINK(...)' is text to us, and it is no identifier:
    # stored as one it would become a formula in someone's report later.
    if text.startswith(FORMULA_STARTS):
        raise ValueError(f"starts with '{text[0]}': an identifier cannot look like a spreadsheet formula")
    return parse_identifier(text, max_length)
