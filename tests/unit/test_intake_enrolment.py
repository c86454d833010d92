"""Enrolment files: a whole file is accepted, or rejected with every bad row named."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.enrolment import (
    ENROLMENT_COLUMNS,
    REQUIRED,
    EnrolmentRow,
    check_enrolment_file,
    iter_enrolment_rows,
)
from intake.errors import FileRejected, RowError

NOT_YES_NO = "not yes/no: use yes, no, oui, non, y, n, o, true, false, 1 or 0"

HEADER = "household_id,head_name,msisdn,region,circle,commune,village,operator,enrolled_on,productive\n"
GOOD = HEADER + (
    "ML-KITA-0001,Awa  Traoré,76 12 34 56,Kayes,Kita,Kita,Djenne\u0301,Orange-Money ,2024-02-13,oui\n"
    "ML-KITA-0002,Moussa Keita,,Kayes,Kita,Badia,Sebekoro,BNDA,13/02/2024,\n"
)


def write(tmp_path: Path, text: str, name: str = "enrolment.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rejected(path: Path) -> FileRejected:
    with pytest.raises(FileRejected) as raised:
        check_enrolment_file(path)
    return raised.value


def test_required_columns() -> None:
    assert REQUIRED == (
        "household_id",
        "head_name",
        "region",
        "circle",
        "commune",
        "village",
        "operator",
        "enrolled_on",
    )
    assert set(REQUIRED) < set(ENROLMENT_COLUMNS)


EXPECTED_GOOD = [
    EnrolmentRow(
        line=2,
        household_id="ML-KITA-0001",
        head_name="Awa Traoré",
        msisdn="+22376123456",
        region="Kayes",
        circle="Kita",
        commune="Kita",
        village="Djenné",
        operator="orange-money",
        enrolled_on=date(2024, 2, 13),
        productive=True,
    ),
    EnrolmentRow(
        line=3,
        household_id="ML-KITA-0002",
        head_name="Moussa Keita",
        msisdn=None,
        region="Kayes",
        circle="Kita",
        commune="Badia",
        village="Sebekoro",
        operator="bnda",
        enrolled_on=date(2024, 2, 13),
        productive=False,
    ),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_good_csv_is_counted_and_parsed(tmp_path: Path, encoding: str) -> None:
    # cp1252 has no combining accent, so that file carries the composed 'é' (NFC).
    text = unicodedata.normalize("NFC", GOOD) if encoding == "cp1252" else GOOD
    path = write(tmp_path, text, encoding=encoding)
    assert check_enrolment_file(path) == 2
    assert list(iter_enrolment_rows(path)) == EXPECTED_GOOD


def test_semicolon_csv_with_blank_lines(tmp_path: Path) -> None:
    text = GOOD.replace(",", ";").replace("\n", "\n\n", 1)
    path = write(tmp_path, text)
    assert check_enrolment_file(path) == 2
    assert [(row.line, row.household_id) for row in iter_enrolment_rows(path)] == [
        (3, "ML-KITA-0001"),
        (4, "ML-KITA-0002"),
    ]


def test_good_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(ENROLMENT_COLUMNS))
    place = ["Kayes", "Kita"]
    sheet.append(["ML-KITA-0001", "Awa Traoré", "0022376123456", *place, "Kita", "Djenné", "orange-money"]
                 + [date(2024, 2, 13), True])
    sheet.append(["ML-KITA-0002", "Moussa Keita", None, *place, "Badia", "Sebekoro", "BNDA", "13/02/2024"])
    path = tmp_path / "enrolment.xlsx"
    workbook.save(path)
    assert check_enrolment_file(path) == 2
    assert list(iter_enrolment_rows(path)) == EXPECTED_GOOD


def test_bad_xlsx_names_sheet_rows(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([])
    sheet.append([column.upper() for column in ENROLMENT_COLUMNS])
    place = ["Kayes", "Kita", "Kita", "Djenné", "bnda"]
    # A date typed as a plain number (Excel serial) and a phone number that lost its digits.
    sheet.append(["ML-1", "Awa", 7612345, *place, 45335, "oui"])
    sheet.append(["ML-2", "Ali", 76123456, *place, 30.5, True])
    path = tmp_path / "enrolment.xlsx"
    workbook.save(path)
    assert [str(e) for e in rejected(path).errors] == [
        f"{path}:3: column 'msisdn', value '7612345': not a valid phone number for ML",
        f"{path}:3: column 'enrolled_on', value '45335': not a date: use YYYY-MM-DD or DD/MM/YYYY",
        f"{path}:4: column 'enrolled_on', value '30.5': not a date: use YYYY-MM-DD or DD/MM/YYYY",
    ]


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    text = (
        "household_id,head_name,region,circle,commune,village,operator,enrolled_on\n"
        "ML-1,Awa,Kayes,Kita,Kita,Djenné,bnda,2024-02-13\n"
    )
    path = write(tmp_path, text)
    assert check_enrolment_file(path) == 1
    [row] = iter_enrolment_rows(path)
    assert (row.msisdn, row.productive) == (None, False)


BAD = HEADER + (
    "ML-1,Awa Traoré,76123456,Kayes,Kita,Kita,Djenné,orange-money,2024-02-13,oui\n"
    ",Moussa,1234,Kayes,Kita,Kita,Djenné,orange-money,31/02/2024,peut-être\n"
    "ML-1,Fanta,,Kayes,,Kita,Djenné,,02/13/2024,non\n"
    '"ML\t3",Oumar,+33612345678,Kayes,Kita,Kita,Djenné,bnda,2024-02-13,1,surplus\n'
    + "X" * 65
    + ",Ali,,Kayes,Kita,Kita,Djenné,bnda,2024-02-13,0\n"
)


def test_bad_file_lists_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, BAD)
    file = str(path)
    error = rejected(path)
    assert error.file == file
    assert error.errors == [
        RowError(file, 3, "household_id", "", "empty: a value is required"),
        RowError(file, 3, "msisdn", "1234", "not a valid phone number for ML"),
        RowError(file, 3, "enrolled_on", "31/02/2024", "impossible date: February 2024 has 29 days"),
        RowError(file, 3, "productive", "peut-être", NOT_YES_NO),
        RowError(file, 4, "circle", "", "empty: a value is required"),
        RowError(file, 4, "operator", "", "empty: a value is required"),
        RowError(
            file,
            4,
            "enrolled_on",
            "02/13/2024",
            "impossible date: there is no month 13 (dates are day-first: DD/MM/YYYY)",
        ),
        RowError(file, 4, "household_id", "ML-1", "duplicate household_id: already on line 2"),
        RowError(file, 5, "household_id", "ML\t3", "contains an invisible or control character (U+0009)"),
        RowError(file, 5, "msisdn", "+33612345678", "not a valid phone number for ML"),
        RowError(file, 5, "__extra__", "surplus", "more cells than the header has columns"),
        RowError(file, 6, "household_id", "X" * 65, "too long: 65 characters, at most 64"),
    ]
    assert str(error) == "\n".join(
        [
            f"{file}: 4 invalid row(s) (12 problems), nothing recorded",
            f"  {file}:3: column 'household_id', value '': empty: a value is required",
            f"  {file}:3: column 'msisdn', value '1234': not a valid phone number for ML",
            f"  {file}:3: column 'enrolled_on', value '31/02/2024': "
            "impossible date: February 2024 has 29 days",
            f"  {file}:3: column 'productive', value 'peut-être': {NOT_YES_NO}",
            f"  {file}:4: column 'circle', value '': empty: a value is required",
            f"  {file}:4: column 'operator', value '': empty: a value is required",
            f"  {file}:4: column 'enrolled_on', value '02/13/2024': "
            "impossible date: there is no month 13 (dates are day-first: DD/MM/YYYY)",
            f"  {file}:4: column 'household_id', value 'ML-1': duplicate household_id: already on line 2",
            f"  {file}:5: column 'household_id', value 'ML\t3': "
            "contains an invisible or control character (U+0009)",
            f"  {file}:5: column 'msisdn', value '+33612345678': not a valid phone number for ML",
            f"  {file}:5: column '__extra__', value 'surplus': more cells than the header has columns",
            f"  {file}:6: column 'household_id', value '{'X' * 65}': too long: 65 characters, at most 64",
        ]
    )


def test_iter_still_refuses_a_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path, BAD)
    rows = iter_enrolment_rows(path)
    assert next(rows).household_id == "ML-1"
    with pytest.raises(FileRejected) as raised:
        next(rows)
    assert [(e.line, e.column) for e in raised.value.errors] == [
        (3, "household_id"),
        (3, "msisdn"),
        (3, "enrolled_on"),
        (3, "productive"),
    ]


def test_duplicate_household_ids_name_the_first_line(tmp_path: Path) -> None:
    row = "Awa,,Kayes,Kita,Kita,Djenné,bnda,2024-02-13,\n"
    text = HEADER + "ML-1," + row + "ML-2," + row + "\n" + "ML-1," + row + "ML-2," + row + "ML-1," + row
    path = write(tmp_path, text)
    assert [str(e) for e in rejected(path).errors] == [
        f"{path}:5: column 'household_id', value 'ML-1': duplicate household_id: already on line 2",
        f"{path}:6: column 'household_id', value 'ML-2': duplicate household_id: already on line 3",
        f"{path}:7: column 'household_id', value 'ML-1': duplicate household_id: already on line 2",
    ]


def test_zero_width_space_in_household_id(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "ML\u200b1,Awa,,Kayes,Kita,Kita,Djenné,bnda,2024-02-13,\n")
    assert [e.reason for e in rejected(path).errors] == [
        "contains an invisible or control character (U+200B)"
    ]


def test_missing_columns_one_error_each(tmp_path: Path) -> None:
    text = "household_id,head_name,msisdn,region,village,enrolled_on\nML-1,Awa,,Kayes,Kita,2024-02-13\n"
    path = write(tmp_path, text)
    error = rejected(path)
    assert error.errors == [
        RowError(str(path), 0, "circle", "", "missing column 'circle'"),
        RowError(str(path), 0, "commune", "", "missing column 'commune'"),
        RowError(str(path), 0, "operator", "", "missing column 'operator'"),
    ]
    assert str(error) == (
        f"{path}: rejected, nothing recorded\n"
        f"  {path}: missing column 'circle'\n"
        f"  {path}: missing column 'commune'\n"
        f"  {path}: missing column 'operator'"
    )


def test_unknown_column_is_refused(tmp_path: Path) -> None:
    header = HEADER.replace("productive", "productif")
    path = write(tmp_path, header + "ML-1,Awa,,Kayes,Kita,Kita,Djenné,bnda,2024-02-13,oui\n")
    assert [str(e) for e in rejected(path).errors] == [
        f"{path}: unknown column 'productif' (expected: {', '.join(ENROLMENT_COLUMNS)})"
    ]


def test_header_without_rows(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\n,,,\n")
    assert str(rejected(path)) == (
        f"{path}: rejected, nothing recorded\n"
        f"  {path}: no data rows: the file has a header but no households"
    )


def test_duplicate_header(tmp_path: Path) -> None:
    header = HEADER.replace("circle", "region")
    path = write(tmp_path, header + "ML-1,Awa,,Kayes,Kita,Kita,Djenné,bnda,2024-02-13,\n")
    assert str(rejected(path)) == (
        f"{path}: rejected, nothing recorded\n"
        f"  {path}: duplicate column 'region' (header columns 4 and 5)"
    )


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    assert str(rejected(path)) == f"{path}: rejected, nothing recorded\n  {path}: empty file"
    with pytest.raises(FileRejected, match="empty file"):
        list(iter_enrolment_rows(path))


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "enrolment.csv"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    assert [e.reason for e in rejected(path).errors] == [
        "not a text CSV file: it contains NUL bytes (a binary or UTF-16 file?); save it as CSV UTF-8"
    ]


def test_malformed_record_keeps_the_errors_found_before_it(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + ",Awa,,Kayes,Kita,Kita,Djenné,bnda,2024-02-13,\n" + 'ML-2,"Moussa\n')
    assert [str(e) for e in rejected(path).errors] == [
        f"{path}:2: column 'household_id', value '': empty: a value is required",
        f"{path}:3: malformed CSV record starting on this line: unexpected end of data (check the quotes)",
    ]


def test_message_lists_the_first_fifty_and_keeps_all(tmp_path: Path) -> None:
    row = ",Awa,,Kayes,Kita,Kita,Djenné,bnda,2024-02-13,\n"
    path = write(tmp_path, HEADER + row * 60)
    error = rejected(path)
    assert len(error.errors) == 60
    lines = str(error).split("\n")
    assert lines[0] == f"{path}: 60 invalid row(s), nothing recorded"
    assert lines[1] == f"  {path}:2: column 'household_id', value '': empty: a value is required"
    assert lines[50] == f"  {path}:51: column 'household_id', value '': empty: a value is required"
    assert lines[51:] == ["  ... and 10 more"]


def _mostly(good: str, *bad: str) -> st.SearchStrategy[str]:
    """The good value three times in four: rows with every cell good come up often enough."""
    return st.sampled_from([good] * 3 * len(bad) + list(bad))


_CELLS = {
    "household_id": _mostly("KITA-000001", "", "\tH", "x" * 70, "K\u200b1"),
    "head_name": _mostly("Awa Traoré", "", "  Awa   Traore ", "=cmd"),
    "msisdn": _mostly("+22376123456", "", "76 12 34 56", "0022366123456", "12", "abc"),
    "region": _mostly("Kayes", "", " Kayes "),
    "circle": _mostly("Kita", ""),
    "commune": _mostly("Kita", ""),
    "village": _mostly("Sirakoro", "", "\u00a0"),
    "operator": _mostly("orange-money", " Orange-Money ", ""),
    "enrolled_on": _mostly("2019-01-15", "15/01/2019", "02/30/2019", "", "soon"),
    "productive": _mostly("oui", "", "non", "yes", "no", "peut-être"),
}


@given(st.fixed_dictionaries(_CELLS), st.booleans(), st.sets(st.sampled_from(["msisdn", "productive"])))
def test_the_quick_reading_of_a_clean_row_equals_the_careful_one(
    values: dict[str, str], extra: bool, absent: set[str]
) -> None:
    """A row the quick path accepts is exactly the row the careful path builds; any row with a
    problem is left to the careful path (which names the problem)."""
    from intake.enrolment import _careful_row, _clean_row
    from intake.tabular import EXTRA, SourceRow

    values = {k: v for k, v in values.items() if k not in absent}  # optional columns may be missing
    if extra:
        values = {**values, EXTRA: "surplus"}
    source = SourceRow(7, values)
    careful = _careful_row(source, "f.csv")
    quick = _clean_row(source)
    if isinstance(careful, list):
        assert quick is None
    else:
        assert quick == careful


def test_a_clean_row_is_read_by_the_quick_path() -> None:
    from intake.enrolment import _careful_row, _clean_row
    from intake.tabular import SourceRow

    source = SourceRow(3, {"household_id": "KITA-1", "head_name": "Awa  Traoré", "msisdn": "76 12 34 56",
                           "region": "Kayes", "circle": "Kita", "commune": "Kita", "village": "Sirakoro",
                           "operator": "Orange-Money", "enrolled_on": "15/01/2019", "productive": "oui"})
    quick = _clean_row(source)
    assert quick is not None and quick == _careful_row(source, "f.csv")
    assert (quick.msisdn, quick.operator, quick.enrolled_on, quick.productive) == (
        "+22376123456", "orange-money", date(2019, 1, 15), True)
