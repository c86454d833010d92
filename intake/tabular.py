"""Operator and registry files as rows of text keyed by canonical column names.

Values stay text here (stripped, NFC); typing them is the job of the strict
parsers in :mod:`intake.fields`, called by each file kind's validator.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from intake.csv_reader import open_csv
from intake.errors import reject_file
from intake.rawtable import RawTable, Record
from intake.xlsx_reader import open_xlsx

EXTRA = "__extra__"
"""Key under which a row's surplus cells (beyond the header) are kept, joined."""

_CSV_SUFFIXES = frozenset({".csv", ".txt"})
_XLSX_SUFFIXES = frozenset({".xlsx"})
_SEPARATORS = re.compile(r"[\s\-]+")


class SourceRow(NamedTuple):  # a tuple: a frozen dataclass cost a microsecond a row to build
    """One data row: its line (CSV) or sheet row (XLSX), and its cells by canonical column."""

    line: int
    values: dict[str, str]


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes, read in chunks."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise reject_file(str(path), f"cannot read: {exc.strerror or exc}") from None


def normalise_header(text: str) -> str:
    """'  Household ID ' -> 'household_id': strip, NFC, lower-case, spaces and '-' to '_'."""
    cleaned = unicodedata.normalize("NFC", text).strip().lower()
    return _SEPARATORS.sub("_", cleaned)


def read_table(
    path: Path, *, columns: Mapping[str, str] | None = None, formulas_as_text: bool = False
) -> Iterator[SourceRow]:
    """Yield the data rows of a CSV (.csv, .txt) or XLSX (.xlsx) file, lazily.

    ``columns`` maps alias headers (compared after normalisation) to canonical
    names; ``formulas_as_text`` is passed to :func:`intake.xlsx_reader.open_xlsx`.
    Whole-file problems raise FileRejected on the first ``next()``.
    """
    with open_table(path, columns=columns, formulas_as_text=formulas_as_text) as table:
        yield from table


def open_table(
    path: Path, *, columns: Mapping[str, str] | None = None, formulas_as_text: bool = False
) -> Table:
    """Open a file and read its header now; iterate the result for rows, then close it.

    Use this instead of :func:`read_table` when the header itself must be
    checked (e.g. required columns) even if the file has no data rows.
    """
    file = str(path)
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        _require_file(path, file)
        raw = open_csv(path, file)
    elif suffix in _XLSX_SUFFIXES:
        _require_file(path, file)
        raw = open_xlsx(path, file, formulas_as_text=formulas_as_text)
    else:
        shown = suffix or "(none)"
        raise reject_file(file, f"unsupported file type '{shown}': send a .csv or .xlsx file")
    try:
        return Table(file, raw, columns or {})
    except BaseException:
        raw.close()
        raise


class Table:
    """An open file: ``columns`` in header order, and its data rows when iterated."""

    def __init__(self, file: str, raw: RawTable, aliases: Mapping[str, str]) -> None:
        self.file = file
        self._raw = raw
        self._records = _non_blank(raw.records)
        header = next(self._records, None)
        if header is None:
            raise reject_file(file, "no header row: the file has only blank lines")
        self.columns: tuple[str, ...] = _canonical_columns(file, header[1], aliases)

    def __iter__(self) -> Iterator[SourceRow]:
        width = len(self.columns)
        for line, cells in self._records:
            values = dict(zip(self.columns, map(_clean, cells[:width]), strict=False))
            for column in self.columns[len(values) :]:
                values[column] = ""
            surplus = [_clean(cell) for cell in cells[width:]]
            while surplus and not surplus[-1]:
                surplus.pop()  # trailing empty cells ('a,b,,') carry nothing
            if surplus:
                values[EXTRA] = self._raw.joiner.join(surplus)
            yield SourceRow(line, values)

    def close(self) -> None:
        """Release the file; safe to call twice."""
        self._raw.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _require_file(path: Path, file: str) -> None:
    if not path.exists():
        raise reject_file(file, "cannot read: no such file")
    if not path.is_file():
        raise reject_file(file, "cannot read: not a regular file")


def _clean(cell: str) -> str:
    if cell.isascii():  # ASCII is already NFC
        return cell.strip()
    return unicodedata.normalize("NFC", cell).strip()


def _non_blank(records: Iterator[Record]) -> Iterator[Record]:
    # Spreadsheet exports end with rows like ',,,': they carry no data.
    # (joined: all cells are blank exactly when their concatenation is; a row whose first cell
    # has text is not blank, and that is nearly every row: no join for those)
    return ((line, cells) for line, cells in records if (cells and cells[0].strip()) or "".join(cells).strip())


def _canonical_columns(file: str, header: list[str], aliases: Mapping[str, str]) -> tuple[str, ...]:
    lookup = {normalise_header(alias): canonical for alias, canonical in aliases.items()}
    names = [normalise_header(cell) for cell in header]
    while names and not names[-1]:
        names.pop()  # trailing empty header cells are padding, not columns
    seen: dict[str, int] = {}
    columns: list[str] = []
    for position, name in enumerate(names, start=1):
        if not name:
            raise reject_file(file, f"column {position} of the header has no name")
        canonical = lookup.get(name, name)
        if canonical in seen:
            raise reject_file(
                file, f"duplicate column '{canonical}' (header columns {seen[canonical]} and {position})"
            )
        seen[canonical] = position
        columns.append(canonical)
    return tuple(columns)
