"""ISO 20022 pain.002 (customer payment status report) read as payout lines.

One line per ``TxInfAndSts``, in any ``pain.002.001.xx`` version:

=============================  ===================================================
``StsId`` (else AcctSvcrRef)   operator_txn_id
``OrgnlEndToEndId``            reference (our payment reference; NOTPROVIDED = none)
``TxSts``                      status word (ACSC, RJCT, PDNG...)
``StsRsnInf/Rsn/Cd`` / Prtry   reason (followed by ``AddtlInf`` when given)
``OrgnlTxRef/Amt/InstdAmt``    amount (whole units; '30000.00' is 30000), ``Ccy`` currency
``AccptncDtTm``                paid_at, converted to UTC (Mali's time) when it has an offset
=============================  ===================================================

The file is parsed as a stream with defusedxml's expat reader: a DTD, an
entity declaration or an external reference rejects the whole file, so no
entity is ever expanded.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl, Locator

from defusedxml.common import DefusedXmlException
from defusedxml.expatreader import create_parser

from intake.cells import CellReader
from intake.errors import FileRejected, RowError, reject_file
from intake.fields import normalise_text, parse_datetime
from intake.tabular import SourceRow
from reconciliation.operators import OperatorConfig
from reconciliation.payout_row import (
    Parsed,
    PayoutRow,
    check_not_future,
    check_positive,
    no_key,
    parse_currency,
    parse_reference,
    parse_txn_id,
)

NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:pain\.002\.001\.\d{2}")
AMOUNT = "OrgnlTxRef/Amt/InstdAmt"
NOT_PROVIDED = "NOTPROVIDED"
_CHUNK = 1 << 16
_MAX_TEXT = 4096  # characters kept per element: more is no field of a payout line
_DECIMAL = re.compile(r"-?(?P<units>\d+)(?:\.(?P<fraction>\d+))?")
_ZONE = re.compile(r"(?P<local>.+?)(?:Z|(?P<sign>[+-])(?P<hours>\d{2}):(?P<minutes>\d{2}))?")
_MAX_AMOUNT_DIGITS = 15


class _NotPain002(Exception):
    pass


class _Transaction:
    """The text of one TxInfAndSts, by element path below it (first occurrence kept)."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.fields: dict[str, str] = {}
        self.currency = ""


class _Handler(ContentHandler):
    """Collects finished transactions in ``done`` while the parser is fed."""

    def __init__(self) -> None:
        super().__init__()
        self.locator: Locator | None = None
        self.depth = 0
        self.done: deque[_Transaction] = deque()
        self._current: _Transaction | None = None
        self._path: list[str] = []
        self._text: list[str] = []
        self._size = 0

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def line(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator is not None else 0

    def startElementNS(
        self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        uri, local = name
        if self.depth == 0 and (local != "Document" or not NAMESPACE.fullmatch(uri or "")):
            shown = f"{{{uri}}}{local}" if uri else local
            raise _NotPain002(f"not an ISO 20022 pain.002 payment status report: the root element is {shown}")
        self.depth += 1
        self._text, self._size = [], 0
        if self._current is None:
            if local == "TxInfAndSts":
                self._current, self._path = _Transaction(self.line()), []
            return
        self._path.append(local)
        if "/".join(self._path) == AMOUNT:
            self._current.currency = attrs.get((None, "Ccy"), "")

    def characters(self, content: str) -> None:
        if self._current is not None and self._size < _MAX_TEXT:
            self._text.append(content)
            self._size += len(content)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        self.depth -= 1
        current = self._current
        if current is None:
            return
        if not self._path:
            self.done.append(current)
            self._current = None
            return
        current.fields.setdefault("/".join(self._path), "".join(self._text).strip())
        self._path.pop()
        self._text, self._size = [], 0


def iter_pain002(path: Path, operator: OperatorConfig, now: datetime) -> Iterator[Parsed]:
    """Yield each TxInfAndSts of a pain.002 file, parsed; whole-file problems raise FileRejected."""
    file = str(path)
    handler = _Handler()
    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    handler.setDocumentLocator(parser)  # feed() never sets it, only parse() does
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise reject_file(file, f"cannot read: {exc.strerror or exc}") from None
    with handle:
        for chunk in _chunks(handle, file):
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
            except SAXParseException as exc:
                reason = (
                    f"not well-formed XML: {exc.getMessage()} (column {(exc.getColumnNumber() or 0) + 1})"
                )
                raise FileRejected(file, [RowError(file, exc.getLineNumber() or 0, "", "", reason)]) from None
            except DefusedXmlException:
                reason = (
                    "refused: the file declares a document type or entities (<!DOCTYPE ...>); "
                    "a pain.002 report has none, and entity expansion is a known attack"
                )
                raise FileRejected(file, [RowError(file, handler.line(), "", "", reason)]) from None
            except _NotPain002 as exc:
                raise reject_file(file, str(exc)) from None
            while handler.done:
                yield _parse_transaction(handler.done.popleft(), file, operator, now)


def _chunks(handle: IO[bytes], file: str) -> Iterator[bytes]:
    """The file's bytes in chunks, then b"" once to say the end was reached."""
    first = True
    while True:
        try:
            chunk = handle.read(_CHUNK)
        except OSError as exc:
            raise reject_file(file, f"cannot read: {exc.strerror or exc}") from None
        if first and not chunk:
            raise reject_file(file, "empty file")
        first = False
        yield chunk
        if not chunk:
            return


def _parse_transaction(tx: _Transaction, file: str, operator: OperatorConfig, now: datetime) -> Parsed:
    fields = dict(tx.fields)
    fields["Ccy"] = tx.currency.strip()
    if fields.get("OrgnlEndToEndId") == NOT_PROVIDED:
        fields["OrgnlEndToEndId"] = ""
    txn_column = "StsId" if fields.get("StsId") or not fields.get("AcctSvcrRef") else "AcctSvcrRef"
    cells = CellReader(file, SourceRow(tx.line, fields))
    txn_id = cells.optional(txn_column, parse_txn_id, "")
    if not fields.get(txn_column):
        cells.errors.append(
            RowError(file, tx.line, "StsId", "", "missing: a transaction needs StsId or AcctSvcrRef")
        )
    reference = cells.optional("OrgnlEndToEndId", parse_reference, None)
    if not fields.get("OrgnlEndToEndId"):
        cells.errors.append(RowError(file, tx.line, "OrgnlEndToEndId", "", no_key("OrgnlEndToEndId")))
    row = PayoutRow(
        line=tx.line,
        operator_txn_id=txn_id,
        reference=reference,
        household_id=None,
        msisdn=None,
        amount=cells.required(AMOUNT, lambda text: check_positive(parse_decimal_amount(text)), 0),
        currency=cells.optional("Ccy", parse_currency, None),
        paid_at=cells.optional(
            "AccptncDtTm", lambda text: check_not_future(parse_iso_datetime(text), now), None
        ),
        status=cells.required("TxSts", operator.parse_status, ""),
        reason=_reason(fields),
    )
    return Parsed(tx.line, txn_column, fields.get(txn_column, ""), cells.errors or row)


def _reason(fields: dict[str, str]) -> str | None:
    code = fields.get("StsRsnInf/Rsn/Cd") or fields.get("StsRsnInf/Rsn/Prtry") or ""
    detail = normalise_text(fields.get("StsRsnInf/AddtlInf", ""))
    text = ": ".join(part for part in (normalise_text(code), detail) if part)
    return text or None


def parse_decimal_amount(text: str) -> int:
    """An xs:decimal amount in whole units: '30000' and '30000.00' are 30000, '30000.50' is refused."""
    match = _DECIMAL.fullmatch(text)
    if match is None:
        raise ValueError("not an amount: use a decimal number such as 30000 or 30000.00")
    if (match["fraction"] or "").strip("0"):
        raise ValueError("looks like a decimal: amounts are whole francs, without decimals")
    if len(match["units"].lstrip("0")) > _MAX_AMOUNT_DIGITS:
        raise ValueError(f"too large: more than {_MAX_AMOUNT_DIGITS} digits")
    value = int(match["units"])
    return -value if text.startswith("-") else value


def parse_iso_datetime(text: str) -> datetime:
    """An xs:dateTime such as '2024-02-13T10:15:00', '...Z' or '...+01:00', as naive UTC."""
    match = _ZONE.fullmatch(text)
    if match is None:  # only for '' which CellReader never passes
        raise ValueError("not a date-time: use YYYY-MM-DDTHH:MM:SS")
    value = parse_datetime(match["local"])
    if match["sign"]:
        offset = timedelta(hours=int(match["hours"]), minutes=int(match["minutes"]))
        try:
            value = value - offset if match["sign"] == "+" else value + offset
        except OverflowError:
            raise ValueError("impossible date: out of range once converted to UTC") from None
    return value
