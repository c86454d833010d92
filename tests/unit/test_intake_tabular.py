"""Reading CSV and XLSX files into text rows: encodings, delimiters, headers, rejections."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from intake.errors import FileRejected, RowError
from intake.tabular import SourceRow, file_sha256, read_table


def write_bytes(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def write_text(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(tmp_path, name, text.encode(encoding))


def rejection(path: Path, columns: dict[str, str] | None = None) -> FileRejected:
    with pytest.raises(FileRejected) as raised:
        list(read_table(path, columns=columns))
    return raised.value


def whole_file_reason(path: Path) -> str:
    rejected = rejection(path)
    assert len(rejected.errors) == 1
    error = rejected.errors[0]
    assert (error.file, error.line, error.column, error.value) == (str(path), 0, "", "")
    assert str(rejected) == f"{path}: rejected, nothing recorded\n  {path}: {error.reason}"
    return error.reason


VILLAGES = "household_id,village\nHH-1,Djenné\nHH-2,Ségou\n"
EXPECTED_VILLAGES = [
    SourceRow(2, {"household_id": "HH-1", "village": "Djenné"}),
    SourceRow(3, {"household_id": "HH-2", "village": "Ségou"}),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_accents_survive_every_accepted_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_text(tmp_path, "villages.csv", VILLAGES, encoding)
    assert list(read_table(path)) == EXPECTED_VILLAGES


def test_cp1252_file_is_not_mistaken_for_utf8(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "villages.csv", b"village\nS\xe9gou\nDjenn\xe9\n")
    assert [row.values["village"] for row in read_table(path)] == ["Ségou", "Djenné"]


def test_semicolon_delimiter_is_chosen_from_the_header(tmp_path: Path) -> None:
    path = write_text(tmp_path, "fr.csv", "household_id;amount;village\nHH-1;30 000;Kita, centre\n")
    assert list(read_table(path)) == [
        SourceRow(2, {"household_id": "HH-1", "amount": "30 000", "village": "Kita, centre"})
    ]


def test_single_column_file_needs_no_delimiter(tmp_path: Path) -> None:
    path = write_text(tmp_path, "ids.txt", "household_id\nHH-1\nHH-2\n")
    assert [row.values for row in read_table(path)] == [{"household_id": "HH-1"}, {"household_id": "HH-2"}]


def test_headers_are_normalised_and_aliases_applied(tmp_path: Path) -> None:
    path = write_text(tmp_path, "op.csv", " Household  ID ,Téléphone,Montant-Payé\nHH-1,76123456,30000\n")
    rows = list(read_table(path, columns={"téléphone": "msisdn", "Montant Payé": "amount"}))
    assert rows == [SourceRow(2, {"household_id": "HH-1", "msisdn": "76123456", "amount": "30000"})]


def test_cells_are_stripped_and_nfc_and_keep_leading_zeros(tmp_path: Path) -> None:
    path = write_text(tmp_path, "a.csv", "msisdn,village\n  0022376123456 , Djenne\u0301 \n")
    assert list(read_table(path)) == [SourceRow(2, {"msisdn": "0022376123456", "village": "Djenné"})]


def test_line_numbers_are_physical_and_blank_lines_skipped(tmp_path: Path) -> None:
    text = 'id,name\r\n\r\nA,"Traoré\r\nMoussa"\r\n,\r\n  \r\nB,Keita\r\n'
    path = write_text(tmp_path, "a.csv", text)
    assert list(read_table(path)) == [
        SourceRow(3, {"id": "A", "name": "Traoré\r\nMoussa"}),
        SourceRow(7, {"id": "B", "name": "Keita"}),
    ]


def test_short_rows_are_padded_and_surplus_cells_kept_aside(tmp_path: Path) -> None:
    path = write_text(tmp_path, "a.csv", "a,b,c\n1\n1,2,3,,\n1,2,3,x,,y,\n")
    assert list(read_table(path)) == [
        SourceRow(2, {"a": "1", "b": "", "c": ""}),
        SourceRow(3, {"a": "1", "b": "2", "c": "3"}),
        SourceRow(4, {"a": "1", "b": "2", "c": "3", "__extra__": "x,,y"}),
    ]


def test_trailing_empty_header_cells_are_ignored(tmp_path: Path) -> None:
    path = write_text(tmp_path, "a.csv", "a;b;;\n1;2;;\n")
    assert list(read_table(path)) == [SourceRow(2, {"a": "1", "b": "2"})]


UNCLOSED = "unexpected end of data (check the quotes)"


def test_rows_are_yielded_before_a_later_problem_is_met(tmp_path: Path) -> None:
    path = write_text(tmp_path, "a.csv", 'a,b\n1,2\n3,"unclosed\n4,5\n')
    rows = read_table(path)
    assert next(rows) == SourceRow(2, {"a": "1", "b": "2"})
    with pytest.raises(FileRejected) as raised:
        next(rows)
    assert raised.value.errors == [
        RowError(str(path), 3, "", "", f"malformed CSV record starting on this line: {UNCLOSED}")
    ]
    assert str(raised.value.errors[0]) == f"{path}:3: malformed CSV record starting on this line: {UNCLOSED}"


def test_xlsx_cells_become_text(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Household ID", "msisdn", "amount", "paid_on", "paid_at", "productive", "share", "note"])
    paid_at = datetime(2024, 2, 13, 9, 30)
    sheet.append(["HH-1", "0022376123456", 30000, date(2024, 2, 13), paid_at, True, 30.5, None])
    sheet.append([])
    sheet.append(["HH-2", "76123456", 30000.0, datetime(2024, 2, 14), time(8), False, 1e20, "Djenne\u0301"])
    path = tmp_path / "payouts.xlsx"
    workbook.save(path)

    assert list(read_table(path)) == [
        SourceRow(
            2,
            {
                "household_id": "HH-1",
                "msisdn": "0022376123456",
                "amount": "30000",
                "paid_on": "2024-02-13",
                "paid_at": "2024-02-13 09:30:00",
                "productive": "yes",
                "share": "30.5",
                "note": "",
            },
        ),
        SourceRow(
            4,
            {
                "household_id": "HH-2",
                "msisdn": "76123456",
                "amount": "30000",
                "paid_on": "2024-02-14",
                "paid_at": "08:00:00",
                "productive": "no",
                "share": "100000000000000000000",
                "note": "Djenné",
            },
        ),
    ]


def test_xlsx_reads_only_the_first_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["id"])
    first.append(["from-first"])
    workbook.create_sheet("other").append(["from-other"])
    path = tmp_path / "two.xlsx"
    workbook.save(path)
    assert list(read_table(path)) == [SourceRow(2, {"id": "from-first"})]


def test_file_sha256_matches_the_bytes(tmp_path: Path) -> None:
    content = VILLAGES.encode() * 10_000
    path = write_bytes(tmp_path, "big.csv", content)
    assert file_sha256(path) == hashlib.sha256(content).hexdigest()


def test_file_sha256_of_a_missing_file_is_a_rejection(tmp_path: Path) -> None:
    with pytest.raises(FileRejected, match="cannot read: No such file or directory"):
        file_sha256(tmp_path / "nope.csv")


def test_missing_file(tmp_path: Path) -> None:
    assert whole_file_reason(tmp_path / "nope.csv") == "cannot read: no such file"


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    assert whole_file_reason(tmp_path / "dir.csv") == "cannot read: not a regular file"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("payouts.xls", "unsupported file type '.xls': send a .csv or .xlsx file"),
        ("payouts.pdf", "unsupported file type '.pdf': send a .csv or .xlsx file"),
        ("payouts", "unsupported file type '(none)': send a .csv or .xlsx file"),
    ],
)
def test_unsupported_extensions(tmp_path: Path, name: str, reason: str) -> None:
    assert whole_file_reason(write_text(tmp_path, name, VILLAGES)) == reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\xef\xbb\xbf", "empty file"),
        (b"\n\r\n  \n", "no header row: the file has only blank lines"),
        (b",,\n ,\n", "no header row: the file has only blank lines"),
        (b"id,Id\n1,2\n", "duplicate column 'id' (header columns 1 and 2)"),
        (b"a,,b\n1,2,3\n", "column 2 of the header has no name"),
        (
            bytes(range(256)) * 4,
            "not a text CSV file: it contains NUL bytes (a binary or UTF-16 file?); save it as CSV UTF-8",
        ),
        (
            "village\nSégou\n".encode("utf-16"),
            "not a text CSV file: it contains NUL bytes (a binary or UTF-16 file?); save it as CSV UTF-8",
        ),
        (
            b"village\nS\xe9gou\x81\n",
            "undecodable bytes: neither UTF-8 (byte 0xE9 at offset 9) nor Windows-1252 "
            "(byte 0x81 at offset 13); save it as CSV UTF-8",
        ),
        (
            "village\nÁ".encode() + b"\xc3",
            "undecodable bytes: neither UTF-8 (an incomplete character at the end of the file) "
            "nor Windows-1252 (byte 0x81 at offset 9); save it as CSV UTF-8",
        ),
        (
            b"\xef\xbb\xbfvillage\nS\xe9gou\n",
            "starts with a UTF-8 byte-order mark but is not valid UTF-8 (byte 0xE9 at offset 12)",
        ),
    ],
)
def test_whole_file_rejections(tmp_path: Path, content: bytes, reason: str) -> None:
    assert whole_file_reason(write_bytes(tmp_path, "bad.csv", content)) == reason


def test_duplicate_column_after_aliasing(tmp_path: Path) -> None:
    path = write_text(tmp_path, "op.csv", "msisdn,téléphone\n1,2\n")
    rejected = rejection(path, columns={"téléphone": "msisdn"})
    assert [e.reason for e in rejected.errors] == ["duplicate column 'msisdn' (header columns 1 and 2)"]


XLSX_UNREADABLE = "not a readable XLSX workbook: the file is damaged or is not an Excel .xlsx file"


def test_xlsx_that_is_not_a_zip(tmp_path: Path) -> None:
    assert whole_file_reason(write_bytes(tmp_path, "bad.xlsx", bytes(range(256)) * 4)) == XLSX_UNREADABLE


def test_csv_renamed_to_xlsx(tmp_path: Path) -> None:
    assert whole_file_reason(write_text(tmp_path, "bad.xlsx", VILLAGES)) == XLSX_UNREADABLE


def test_truncated_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    path = tmp_path / "whole.xlsx"
    workbook.save(path)
    truncated = write_bytes(tmp_path, "cut.xlsx", path.read_bytes()[:-200])
    assert whole_file_reason(truncated) == XLSX_UNREADABLE


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert whole_file_reason(path) == XLSX_UNREADABLE


def test_empty_xlsx_has_no_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    assert whole_file_reason(path) == "no header row: the file has only blank lines"
