"""Parsing one row's cells while collecting every problem instead of stopping at the first."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from intake.errors import RowError
from intake.tabular import EXTRA, SourceRow

T = TypeVar("T")


class CellReader:
    """Reads typed values out of a SourceRow; each failure becomes a RowError in ``errors``.

    A failed cell yields the ``fallback`` given, so a caller can read every
    column and then look at ``errors`` once; the fallback is never recorded.
    """

    def __init__(self, file: str, row: SourceRow) -> None:
        self.file = file
        self.row = row
        self.errors: list[RowError] = []

    def required(self, column: str, parse: Callable[[str], T], fallback: T) -> T:
        """Parse a cell that must not be empty."""
        text = self.row.values.get(column, "")
        if not text:
            self._fail(column, "", "empty: a value is required")
            return fallback
        return self._parse(column, text, parse, fallback)

    def optional(self, column: str, parse: Callable[[str], T], absent: T) -> T:
        """Parse a cell that may be empty (or whose column may be missing): then ``absent``."""
        text = self.row.values.get(column, "")
        if not text:
            return absent
        return self._parse(column, text, parse, absent)

    def reject_extra_cells(self) -> None:
        """Record an error if the row has more cells than the header has columns."""
        if EXTRA in self.row.values:
            self._fail(EXTRA, self.row.values[EXTRA], "more cells than the header has columns")

    def _parse(self, column: str, text: str, parse: Callable[[str], T], fallback: T) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            self._fail(column, text, str(exc))
            return fallback

    def _fail(self, column: str, value: str, reason: str) -> None:
        self.errors.append(RowError(self.file, self.row.line, column, value, reason))
