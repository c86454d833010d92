"""The Program aggregate: a cash-transfer program and its versioned rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger import ids
from ledger.audit import AuditDict
from ledger.errors import LedgerError, RuleChangeRefused
from ledger.rules import Rules


@dataclass(frozen=True)
class RuleVersion:
    version: int
    effective_from: date
    rules: Rules


class Program(Aggregate):
    """A program's identity (code, currency) and its rule versions by effective date."""

    TOPIC = "tledger:Program"

    class Created(Aggregate.Created):
        TOPIC = "tledger:Program.Created"

    @staticmethod
    def create_id(code: str) -> UUID:
        return ids.program_id(code)

    @event("Defined", topic="tledger:Program.Defined")
    def __init__(
        self,
        code: str,
        name: str,
        currency: str,
        effective_from: date,
        rules: dict[str, Any],
        audit: AuditDict,
    ) -> None:
        self.code = code
        self.name = name
        self.currency = currency
        self.versions = [RuleVersion(1, effective_from, Rules.from_dict(rules))]

    @property
    def current(self) -> RuleVersion:
        return self.versions[-1]

    def revise(
        self, name: str, currency: str, effective_from: date, rules: Rules, audit: AuditDict
    ) -> bool:
        """Record a new rule version; False when nothing changed."""
        current = self.current
        if currency != self.currency:
            raise RuleChangeRefused(
                f"program '{self.code}': currency cannot change "
                f"(recorded {self.currency}, file says {currency})"
            )
        if name == self.name and effective_from == current.effective_from and rules == current.rules:
            return False
        if rules.cycle_months != current.rules.cycle_months:
            raise RuleChangeRefused(
                f"program '{self.code}': cycle_months cannot change "
                f"(recorded {current.rules.cycle_months}, file says {rules.cycle_months})"
            )
        if effective_from <= current.effective_from:
            raise RuleChangeRefused(
                f"program '{self.code}': a changed definition needs an effective_from after "
                f"{current.effective_from.isoformat()} (version {current.version}), "
                f"file says {effective_from.isoformat()}"
            )
        self._revise(self.code, name, current.version + 1, effective_from, rules.as_dict(), audit)
        return True

    @event("Revised", topic="tledger:Program.Revised")
    def _revise(
        self,
        program_code: str,
        name: str,
        version: int,
        effective_from: date,
        rules: dict[str, Any],
        audit: AuditDict,
    ) -> None:
        self.name = name
        self.versions.append(RuleVersion(version, effective_from, Rules.from_dict(rules)))

    def rules_on(self, day: date) -> RuleVersion:
        """The rule version in effect on ``day``: the latest effective on or before it."""
        in_effect = [v for v in self.versions if v.effective_from <= day]
        if not in_effect:
            raise LedgerError(
                f"program '{self.code}' has no rules in effect on {day.isoformat()}: "
                f"its first version is effective from {self.versions[0].effective_from.isoformat()}"
            )
        return in_effect[-1]
