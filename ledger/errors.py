"""Named errors of the ledger domain. Each message says what is wrong and with what value."""

from __future__ import annotations


class LedgerError(Exception):
    """Base class of every business-rule violation the ledger refuses."""


class NotFound(LedgerError):
    """A program, household or cycle that the command names does not exist."""


class ProgramNotFound(NotFound):
    def __init__(self, code: str) -> None:
        super().__init__(f"program '{code}' not found: add it with `tledger program add FILE.toml`")


class HouseholdNotFound(NotFound):
    def __init__(self, program: str, household_id: str) -> None:
        super().__init__(f"household '{household_id}' is not enrolled in program '{program}'")


class CycleNotOpen(NotFound):
    def __init__(self, program: str, label: str) -> None:
        super().__init__(
            f"cycle {label} of program '{program}' is not open: "
            f"run `tledger cycle open {program} {label}` first"
        )


class InvalidCycleLabel(LedgerError):
    """A cycle label that is malformed or does not fit the program's cycle length."""


class RuleChangeRefused(LedgerError):
    """A program definition change that would break existing facts."""


class StatusChangeRefused(LedgerError):
    """An exit, suspension or reinstatement that does not fit the household's history."""


class CorrectionRefused(LedgerError):
    """A correction that does not fit the entitlement or payout line it names."""


class CycleClosed(LedgerError):
    """Only corrections change a closed cycle."""

    def __init__(self, program: str, label: str, what: str) -> None:
        super().__init__(
            f"cycle {label} of program '{program}' is closed: cannot {what} (only corrections change it)"
        )
