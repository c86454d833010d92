"""CSV adapter: fixed-order decoding, delimiter from the header line, lazy records."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from intake.errors import FileRejected, RowError, reject_file
from intake.rawtable import RawTable, Record

_CHUNK = 1 << 16
# Order matters: cp1252 decodes almost any byte string, so it can only be the last resort.
_FALLBACK = "cp1252"


def open_csv(path: Path, file: str) -> RawTable:
    """Open a CSV file for lazy reading; whole-file problems raise FileRejected."""
    encoding = choose_encoding(path, file)
    stream = _open_text(path, file, encoding)
    try:
        delimiter = _choose_delimiter(stream)
        stream.seek(0)
    except BaseException:
        stream.close()
        raise
    return RawTable(_records(stream, delimiter, file), stream.close, delimiter)


def choose_encoding(path: Path, file: str) -> str:
    """Return the codec to read ``path`` with: 'utf-8-sig', 'utf-8' or 'cp1252'.

    The file is scanned once in chunks; no charset guessing is involved.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder(_FALLBACK)()
    utf8_error: str | None = None
    cp1252_error: str | None = None
    offset = 0
    has_bom = False
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                if offset == 0:
                    has_bom = chunk.startswith(codecs.BOM_UTF8)
                if b"\x00" in chunk:
                    raise reject_file(
                        file,
                        "not a text CSV file: it contains NUL bytes (a binary or UTF-16 file?); "
                        "save it as CSV UTF-8",
                    )
                if utf8_error is None:
                    utf8_error = _feed(utf8, chunk, offset, final=False)
                if cp1252_error is None:
                    cp1252_error = _feed(cp1252, chunk, offset, final=False)
                offset += len(chunk)
    except OSError as exc:
        raise reject_file(file, f"cannot read: {exc.strerror or exc}") from None
    if offset == 0 or (has_bom and offset == len(codecs.BOM_UTF8)):
        raise reject_file(file, "empty file")
    if utf8_error is None:
        utf8_error = _feed(utf8, b"", offset, final=True)
    if utf8_error is None:
        return "utf-8-sig" if has_bom else "utf-8"
    if has_bom:
        raise reject_file(file, f"starts with a UTF-8 byte-order mark but is not valid UTF-8 ({utf8_error})")
    if cp1252_error is None:
        return _FALLBACK
    raise reject_file(
        file,
        f"undecodable bytes: neither UTF-8 ({utf8_error}) nor Windows-1252 ({cp1252_error}); "
        "save it as CSV UTF-8",
    )


def _feed(decoder: codecs.IncrementalDecoder, chunk: bytes, offset: int, *, final: bool) -> str | None:
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError as exc:
        if final:
            return "an incomplete character at the end of the file"
        return f"byte 0x{exc.object[exc.start]:02X} at offset {offset + exc.start}"
    return None


def _open_text(path: Path, file: str, encoding: str) -> IO[str]:
    try:
        return path.open("r", encoding=encoding, newline="")
    except OSError as exc:
        raise reject_file(file, f"cannot read: {exc.strerror or exc}") from None


def _choose_delimiter(stream: IO[str]) -> str:
    """Pick ',' or ';', whichever splits the first non-blank line into more fields."""
    for line in iter(stream.readline, ""):
        if line.strip(" \t\r\n,;\""):
            by_comma = next(csv.reader([line], delimiter=","), [])
            by_semicolon = next(csv.reader([line], delimiter=";"), [])
            return ";" if len(by_semicolon) > len(by_comma) else ","
    return ","


def _records(stream: IO[str], delimiter: str, file: str) -> Iterator[Record]:
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = f"malformed CSV record starting on this line: {exc} (check the quotes)"
            raise FileRejected(file, [RowError(file, start, "", "", reason)]) from None
        except UnicodeDecodeError as exc:
            # The encoding was checked when choosing it; this means the file changed meanwhile.
            raise reject_file(file, f"undecodable bytes: {exc.reason}") from None
        previous_end = reader.line_num
        yield start, cells
