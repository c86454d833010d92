"""Writing reports that are safe to open in a spreadsheet.

Text that a file we read put in front of us (an operator's value, a reason)
may start like a formula: ``=HYPERLINK(...)`` in a report would run in the
finance officer's spreadsheet. :func:`safe_cell` neutralises it the way OWASP
recommends for CSV injection, by a leading single quote; every report writer
goes through it.
"""

from __future__ import annotations

import re

import csv
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


_SIGNED_DIGITS = re.compile(r"^[+-][0-9]{1,20}$")


def safe_cell(value: object) -> object:
    """Prefix text starting with '=', '+', '-', '@', a tab or a CR with "'"; other values as they are.

    A signed run of digits (an E.164 phone number such as +22376123456, a negative
    difference) cannot carry a formula, and operators must receive it unaltered.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _SIGNED_DIGITS.match(value):
        return "'" + value
    return value


def write_rows(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], tail: Callable[[], Path] | None = None
) -> None:
    """Write a header and rows to ``path``: .csv (UTF-8, ',') or .xlsx, streaming.

    Every cell goes through :func:`safe_cell`. The file appears complete or not
    at all: it is written beside ``path`` and then renamed. None is an empty cell.
    ``tail`` (.csv only): called after the rows, gives a file of more rows written by
    :func:`write_csv_body` (another process's part of the report), copied after them.
    """
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise ValueError(f"{path}: unsupported report type '{suffix or '(none)'}': use .csv or .xlsx")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if suffix == ".csv":
            _write_csv(partial, header, rows, tail)
        elif tail is not None:
            raise ValueError(f"{path}: only a .csv report can be written in parts")
        else:
            _write_xlsx(partial, header, rows)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], tail: Callable[[], Path] | None
) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([safe_cell(cell) for cell in header])
        writer.writerows(list(map(safe_cell, row)) for row in rows)
        if tail is not None:
            handle.flush()
            with tail().open("rb") as more:
                shutil.copyfileobj(more, handle.buffer)


def write_csv_body(path: Path, rows: Iterable[Sequence[object]]) -> None:
    """Rows without a header, as :func:`write_rows` writes them (a part of a larger report)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(list(map(safe_cell, row)) for row in rows)


def _write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([_xlsx_cell(cell) for cell in header])
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    workbook.save(path)


def _xlsx_cell(value: object) -> object:
    safe = safe_cell(value)
    if isinstance(safe, str):
        # XML 1.0 cannot hold most control characters; show them instead of failing.
        return ILLEGAL_CHARACTERS_RE.sub(lambda match: f"\\x{ord(match.group()):02x}", safe)
    return safe
