"""Errors as values that point at their source: file, line, column, value, reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_LISTED_ERRORS = 50


@dataclass(frozen=True)
class RowError:
    """One problem in an input file.

    ``line`` is the 1-based physical line of a CSV file (the header is line 1)
    or the sheet row number of an XLSX file; 0 means the whole file.
    """

    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        if self.line == 0:
            return f"{self.file}: {self.reason}"
        if not self.column and not self.value:
            # A record-level problem (e.g. malformed CSV quoting) has no cell to name.
            return f"{self.file}:{self.line}: {self.reason}"
        return f"{self.file}:{self.line}: column '{self.column}', value '{self.value}': {self.reason}"


class FileRejected(Exception):
    """A whole file refused: nothing from it may be recorded.

    ``errors`` holds every problem found; the message lists the first
    ``MAX_LISTED_ERRORS`` of them.
    """

    def __init__(self, file: str, errors: Sequence[RowError]) -> None:
        super().__init__(file, list(errors))
        self.file = file
        self.errors: list[RowError] = list(errors)

    def __str__(self) -> str:
        rows = len({error.line for error in self.errors if error.line > 0})
        problems = len(self.errors)
        if rows == 0:
            head = f"{self.file}: rejected, nothing recorded"
        elif problems == rows:
            head = f"{self.file}: {rows} invalid row(s), nothing recorded"
        else:
            head = f"{self.file}: {rows} invalid row(s) ({problems} problems), nothing recorded"
        lines = [head]
        lines.extend(f"  {error}" for error in self.errors[:MAX_LISTED_ERRORS])
        hidden = len(self.errors) - MAX_LISTED_ERRORS
        if hidden > 0:
            lines.append(f"  ... and {hidden} more")
        return "\n".join(lines)


def reject_file(file: str, reason: str) -> FileRejected:
    """Build the rejection for a whole-file problem (line 0)."""
    return FileRejected(file, [RowError(file, 0, "", "", reason)])
