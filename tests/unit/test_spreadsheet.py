"""Reports safe to open in a spreadsheet: no cell from outside becomes a formula."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from intake.errors import RowError
from reconciliation.rejections import write_rejections
from reconciliation.spreadsheet import safe_cell, write_rows


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","76123456")', '\'=HYPERLINK("http://x","76123456")'),
        ("+22376123456", "+22376123456"),
        ("-5", "-5"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("PAY-0001", "PAY-0001"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (30000, 30000),
        (None, None),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


ERRORS = [
    RowError("om.csv", 3, "msisdn", '=HYPERLINK("http://evil","76")', "not a valid phone number for ML"),
    RowError("om.csv", 4, "amount", "-5", "amount must be positive"),
    RowError("om.csv", 0, "", "", "missing column 'status'"),
    RowError("om.csv", 5, "reason", "Compte clôturé", "@ remarque"),
]


def test_rejections_csv_escapes_formulas(tmp_path: Path) -> None:
    path = tmp_path / "rejections.csv"
    write_rejections(path, ERRORS)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines() == [
        "file,line,column,value,reason",
        'om.csv,3,msisdn,"\'=HYPERLINK(""http://evil"",""76"")",not a valid phone number for ML',
        "om.csv,4,amount,-5,amount must be positive",
        "om.csv,0,,,missing column 'status'",
        "om.csv,5,reason,Compte clôturé,'@ remarque",
    ]
    assert list(tmp_path.iterdir()) == [path]  # no partial file left behind


def test_rejections_xlsx_has_text_cells_only(tmp_path: Path) -> None:
    path = tmp_path / "rejections.xlsx"
    write_rejections(path, ERRORS)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [
        ["file", "line", "column", "value", "reason"],
        ["om.csv", 3, "msisdn", '\'=HYPERLINK("http://evil","76")', "not a valid phone number for ML"],
        ["om.csv", 4, "amount", "-5", "amount must be positive"],
        ["om.csv", 0, None, None, "missing column 'status'"],
        ["om.csv", 5, "reason", "Compte clôturé", "'@ remarque"],
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_write_rows_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    write_rows(path, ["household", "amount", "note"], [["ML-1", 30000, None], ["ML-2", 45000, "Djenné; ok"]])
    with path.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["household", "amount", "note"],
            ["ML-1", "30000", ""],
            ["ML-2", "45000", "Djenné; ok"],
        ]
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_write_rows_xlsx_shows_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_rows(path, ["value"], [["a\x01b"]])
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet["A2"].value == "a\\x01b"


def test_write_rows_refuses_other_types(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as raised:
        write_rows(tmp_path / "report.ods", ["a"], [])
    assert (
        str(raised.value) == f"{tmp_path / 'report.ods'}: unsupported report type '.ods': use .csv or .xlsx"
    )


def test_write_rows_replaces_an_old_report(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text("old\n", encoding="utf-8")
    write_rows(path, ["new"], [])
    assert path.read_bytes() == b"new\r\n"


@pytest.mark.parametrize("value", ["+22376123456", "-10000"])
def test_signed_digits_are_not_formulas_and_stay_as_they_are(value: str) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", ["+1+cmd|' /C calc'!A0", "-2+3", "+223 76 12"])
def test_signed_text_that_is_not_only_digits_is_escaped(value: str) -> None:
    assert safe_cell(value) == "'" + value
