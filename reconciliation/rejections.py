"""The rejections report: every problem of a refused file, one per line, for the operator."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from intake.errors import RowError
from reconciliation.spreadsheet import write_rows

REJECTION_COLUMNS = ("file", "line", "column", "value", "reason")


def write_rejections(path: Path, errors: Sequence[RowError]) -> None:
    """Write ``errors`` to a .csv or .xlsx file with columns file, line, column, value, reason.

    Text cells are made safe to open in a spreadsheet (see :func:`safe_cell`).
    """
    write_rows(path, REJECTION_COLUMNS, ([e.file, e.line, e.column, e.value, e.reason] for e in errors))
