"""XLSX adapter: first worksheet, read-only, every cell turned into text."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from intake.errors import reject_file
from intake.rawtable import RawTable, Record

UNREADABLE = "not a readable XLSX workbook: the file is damaged or is not an Excel .xlsx file"


def open_xlsx(path: Path, file: str, *, formulas_as_text: bool = False) -> RawTable:
    """Open the first worksheet of an XLSX file for lazy reading.

    A formula cell gives the value Excel cached for it, or with
    ``formulas_as_text`` its formula text ('=HYPERLINK(...)'), never evaluated,
    for the field parsers to refuse. A corrupt file, or one that is not a
    workbook at all, raises FileRejected.
    """
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=not formulas_as_text)
    # openpyxl lets zipfile, XML parser and KeyError exceptions escape for damaged
    # files; all of them mean the same thing to the person who sent the file.
    except Exception as exc:
        raise reject_file(file, UNREADABLE) from exc
    if not workbook.worksheets:
        workbook.close()
        raise reject_file(file, "the workbook has no worksheet")
    sheet = workbook.worksheets[0]
    if isinstance(sheet, ReadOnlyWorksheet):
        # Producers sometimes write a wrong <dimension>; trusting it would drop rows silently.
        sheet.reset_dimensions()
    return RawTable(_records(sheet.iter_rows(values_only=True), file), workbook.close, ",")


def _records(rows: Iterator[tuple[object, ...]], file: str) -> Iterator[Record]:
    row_number = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # same zoo as at load time, raised lazily per row
            raise reject_file(file, UNREADABLE) from exc
        row_number += 1
        yield row_number, [cell_text(value) for value in values]


def cell_text(value: object) -> str:
    """Turn a cell value into the text a strict field parser will judge.

    Integral floats lose their '.0' (Excel stores every number as a float);
    other floats keep their decimals so an amount parser can refuse them.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ArrayFormula):
        return value.text or "="
    if isinstance(value, DataTableFormula):
        return f"=TABLE({value.ref})"
    return str(value)

