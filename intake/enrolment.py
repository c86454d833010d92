"""Enrolment files: one household per row, validated as a whole before anything is recorded."""

from __future__ import annotations

from typing import NamedTuple

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from intake.cells import CellReader
from intake.errors import FileRejected, RowError
from intake.fields import normalise_place, normalise_text, parse_date, parse_identifier, parse_msisdn, parse_yes_no
from intake.tabular import EXTRA, SourceRow, Table, open_table

ENROLMENT_COLUMNS = (
    "household_id",
    "head_name",
    "msisdn",
    "region",
    "circle",
    "commune",
    "village",
    "operator",
    "enrolled_on",
    "productive",
)
REQUIRED = tuple(column for column in ENROLMENT_COLUMNS if column not in {"msisdn", "productive"})
MAX_HOUSEHOLD_ID = 64


class EnrolmentRow(NamedTuple):  # a tuple: cheap to pickle (spill files, worker processes)
    """A validated enrolment row; ``msisdn`` is E.164 or None (paid by bank)."""

    line: int
    household_id: str
    head_name: str
    msisdn: str | None
    region: str
    circle: str
    commune: str
    village: str
    operator: str
    enrolled_on: date
    productive: bool


def scan_enrolment_file(path: Path) -> Iterator[EnrolmentRow | list[RowError]]:
    """Each data row parsed once: the row, or its problems (a household id seen on an
    earlier line included). Raises FileRejected for whole-file problems (header,
    encoding, a file without data rows)."""
    file = str(path)
    first_line: dict[str, int] = {}
    count = 0
    with open_table(path) as table:
        _check_header(table)
        for source in table:
            count += 1
            parsed = _parse_row(source, file)
            repeated = _repeated_household(source, file, first_line)
            if repeated:
                yield (parsed if isinstance(parsed, list) else []) + repeated
            else:
                yield parsed
    if count == 0:
        raise FileRejected(file, [RowError(file, 0, "", "", "no data rows: the file has a header but no households")])


def check_enrolment_file(path: Path, on_row: Callable[[EnrolmentRow], None] | None = None) -> int:
    """Validate a whole enrolment file, streaming, and return its number of data rows.

    ``on_row`` receives each valid row as it is parsed (so a caller need not parse twice).

    Raises FileRejected listing every problem: missing or unknown columns, empty
    required cells, bad dates, phone numbers and yes/no flags, bad or repeated
    household ids, surplus cells, and a file without data rows.
    """
    file = str(path)
    errors: list[RowError] = []
    count = 0
    try:
        for parsed in scan_enrolment_file(path):
            count += 1
            if isinstance(parsed, list):
                errors.extend(parsed)
            elif on_row is not None:
                on_row(parsed)
    except FileRejected as rejected:
        raise FileRejected(file, errors + rejected.errors) from None
    if errors:
        raise FileRejected(file, errors)
    return count


def iter_enrolment_rows(path: Path) -> Iterator[EnrolmentRow]:
    """Yield parsed rows lazily. Call only after :func:`check_enrolment_file` passed.

    A bad row still raises FileRejected (with that row's errors); duplicates
    across rows are only detected by the check.
    """
    file = str(path)
    with open_table(path) as table:
        _check_header(table)
        for source in table:
            parsed = _parse_row(source, file)
            if isinstance(parsed, list):
                raise FileRejected(file, parsed)
            yield parsed


def _repeated_household(source: SourceRow, file: str, first_line: dict[str, int]) -> list[RowError]:
    """Remember where each household id first appears; an error if this row repeats one."""
    household_id = source.values["household_id"]
    if not household_id:
        return []
    if household_id not in first_line:
        first_line[household_id] = source.line
        return []
    reason = f"duplicate household_id: already on line {first_line[household_id]}"
    return [RowError(file, source.line, "household_id", household_id, reason)]


def _check_header(table: Table) -> None:
    present = set(table.columns)
    errors = [
        RowError(table.file, 0, column, "", f"missing column '{column}'")
        for column in REQUIRED
        if column not in present
    ]
    expected = ", ".join(ENROLMENT_COLUMNS)
    errors.extend(
        RowError(table.file, 0, column, "", f"unknown column '{column}' (expected: {expected})")
        for column in table.columns
        if column not in ENROLMENT_COLUMNS
    )
    if errors:
        raise FileRejected(table.file, errors)


def _parse_row(source: SourceRow, file: str) -> EnrolmentRow | list[RowError]:
    """Parse one row into an EnrolmentRow, or return every problem in it."""
    return _clean_row(source) or _careful_row(source, file)


def _clean_row(source: SourceRow) -> EnrolmentRow | None:
    """The common case, a row without any problem, read without collecting errors (the same
    parsers in a straight line: about half the parsing time of a million-row file). None sends
    the row to the careful reading, which names every problem."""
    values = source.values
    if EXTRA in values:
        return None
    get = values.get
    household, head, region, circle = get("household_id"), get("head_name"), get("region"), get("circle")
    commune, village, operator, enrolled = get("commune"), get("village"), get("operator"), get("enrolled_on")
    if not (household and head and region and circle and commune and village and operator and enrolled):
        return None
    msisdn, productive = get("msisdn"), get("productive")
    try:
        return EnrolmentRow(
            line=source.line, household_id=_parse_household_id(household), head_name=normalise_text(head),
            msisdn=parse_msisdn(msisdn) if msisdn else None, region=normalise_place(region),
            circle=normalise_place(circle), commune=normalise_place(commune), village=normalise_place(village),
            operator=_parse_operator(operator), enrolled_on=parse_date(enrolled),
            productive=parse_yes_no(productive) if productive else False,
        )
    except ValueError:
        return None


def _careful_row(source: SourceRow, file: str) -> EnrolmentRow | list[RowError]:
    """Every cell read, every problem collected."""
    cells = CellReader(file, source)
    row = EnrolmentRow(
        line=source.line,
        household_id=cells.required("household_id", _parse_household_id, ""),
        head_name=cells.required("head_name", normalise_text, ""),
        msisdn=cells.optional("msisdn", parse_msisdn, None),
        region=cells.required("region", normalise_text, ""),
        circle=cells.required("circle", normalise_text, ""),
        commune=cells.required("commune", normalise_text, ""),
        village=cells.required("village", normalise_text, ""),
        operator=cells.required("operator", _parse_operator, ""),
        enrolled_on=cells.required("enrolled_on", parse_date, date.min),
        productive=cells.optional("productive", parse_yes_no, False),
    )
    cells.reject_extra_cells()
    return cells.errors or row


def _parse_household_id(text: str) -> str:
    return parse_identifier(text, MAX_HOUSEHOLD_ID)


def _parse_operator(text: str) -> str:
    return normalise_text(text).lower()
