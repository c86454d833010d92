"""Payout confirmation files (CSV, XLSX, pain.002 XML) read into validated rows.

A pure adapter: it opens one file, checks it against the operator's column
names and status words, and hands back :class:`PayoutRow` values or the
:class:`RowError` values that name every problem. Matching is done elsewhere.

Columns a file has beyond the canonical ones (a beneficiary's name, fees...)
are ignored; a row with more cells than the header has columns is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from intake.cells import CellReader
from intake.errors import FileRejected, RowError, reject_file
from intake.fields import normalise_text, parse_amount, parse_datetime, parse_msisdn
from intake.tabular import EXTRA, SourceRow, Table, open_table
from reconciliation.operators import OperatorConfig
from reconciliation.pain002 import iter_pain002
from reconciliation.payout_row import (
    Parsed,
    PayoutRow,
    check_not_future,
    check_positive,
    no_key,
    parse_currency,
    parse_household_id,
    parse_reference,
    parse_txn_id,
)

REQUIRED_COLUMNS = ("operator_txn_id", "amount", "status")
KEY_COLUMNS = ("reference", "household_id", "msisdn")
_TABULAR_SUFFIXES = frozenset({".csv", ".txt", ".xlsx"})


@dataclass
class PayoutCheck:
    """The outcome of checking a whole file: its data rows, and every problem in file order."""

    rows: int
    errors: list[RowError]


def check_payout_file(
    path: Path, operator: OperatorConfig, on_row: Callable[[PayoutRow], None] | None = None
) -> PayoutCheck:
    """Validate a whole payout file, streaming, and collect every row problem.

    ``on_row`` receives each valid row as it is parsed, so a caller can keep the
    parsed rows without parsing the file a second time.

    Row problems (bad cells, unknown statuses, a transaction id repeated) are
    returned, never raised. Whole-file problems raise FileRejected: unreadable,
    empty or undecodable file, unsupported type, no or bad header, missing
    required column, malformed CSV or XML, and a file without data rows; errors
    already collected are listed before the one that stopped reading.
    """
    file = str(path)
    rows = 0
    errors: list[RowError] = []
    try:
        for item in iter_payout_rows(path, operator):
            rows += 1
            if isinstance(item, list):
                errors.extend(item)
            elif on_row is not None:
                on_row(item)
    except FileRejected as rejected:
        raise FileRejected(file, errors + rejected.errors) from None
    if rows == 0:
        if path.suffix.lower() == ".xml":
            raise reject_file(file, "no transactions: the report has no TxInfAndSts element")
        raise reject_file(file, "no data rows: the file has a header but no payout lines")
    return PayoutCheck(rows, errors)


def iter_payout_rows(path: Path, operator: OperatorConfig) -> Iterator[PayoutRow | list[RowError]]:
    """Yield, lazily and in file order, each data row parsed, or that row's errors.

    A transaction id already seen earlier in the file makes the row an error
    naming the earlier line. Whole-file problems raise FileRejected (the first
    one on the first ``next()``).
    """
    file = str(path)
    first_line: dict[str, int] = {}
    for parsed in _parse(path, operator):
        yield _mark_repeat(parsed, file, first_line)


def _parse(path: Path, operator: OperatorConfig) -> Iterator[Parsed]:
    suffix = path.suffix.lower()
    now = datetime.now()
    if suffix == ".xml":
        return iter_pain002(path, operator, now)
    if suffix in _TABULAR_SUFFIXES:
        return _iter_tabular(path, operator, now)
    shown = suffix or "(none)"
    raise reject_file(
        str(path), f"unsupported file type '{shown}': send a .csv, .xlsx or .xml (pain.002) file"
    )


def _mark_repeat(parsed: Parsed, file: str, first_line: dict[str, int]) -> PayoutRow | list[RowError]:
    txn_id = parsed.txn_id
    if not txn_id:
        return parsed.result
    if txn_id not in first_line:
        first_line[txn_id] = parsed.line
        return parsed.result
    reason = f"duplicate operator_txn_id: already on line {first_line[txn_id]}"
    repeat = RowError(file, parsed.line, parsed.txn_column, txn_id, reason)
    return [*parsed.result, repeat] if isinstance(parsed.result, list) else [repeat]


def _iter_tabular(path: Path, operator: OperatorConfig, now: datetime) -> Iterator[Parsed]:
    file = str(path)
    # Formulas come as their text ('=HYPERLINK(...)'), never as a value Excel computed.
    with open_table(path, columns=operator.columns, formulas_as_text=True) as table:
        _check_header(table, operator)
        for source in table:
            txn_id = source.values.get("operator_txn_id", "")
            yield Parsed(source.line, "operator_txn_id", txn_id, _parse_row(source, file, operator, now))


def _clean_row(source: SourceRow, operator: OperatorConfig, now: datetime) -> PayoutRow | None:
    """The common case, a row without any problem, read without collecting errors (the same
    parsers, in a straight line: a quarter of the parsing time of a million-line file). None
    sends the row to the careful reading below, which names every problem."""
    values = source.values
    if EXTRA in values:
        return None
    get = values.get
    try:
        txn_id, amount, status = get("operator_txn_id", ""), get("amount", ""), get("status", "")
        reference, household, msisdn = get("reference", ""), get("household_id", ""), get("msisdn", "")
        if not (txn_id and amount and status and (reference or household or msisdn)):  # KEY_COLUMNS
            return None
        currency, paid_at, reason = get("currency", ""), get("paid_at", ""), get("reason", "")
        return PayoutRow(  # in PayoutRow's field order (positional: a keyword call costs more)
            source.line, parse_txn_id(txn_id),
            parse_reference(reference) if reference else None,
            parse_household_id(household) if household else None,
            parse_msisdn(msisdn) if msisdn else None,
            check_positive(parse_amount(amount)),
            parse_currency(currency) if currency else None,
            check_not_future(parse_datetime(paid_at), now) if paid_at else None,
            operator.parse_status(status),
            normalise_text(reason) if reason else None,
        )
    except ValueError:
        return None


def _check_header(table: Table, operator: OperatorConfig) -> None:
    present = set(table.columns)
    errors = [
        RowError(table.file, 0, column, "", f"missing column '{column}'{_aliases(operator, column)}")
        for column in REQUIRED_COLUMNS
        if column not in present
    ]
    if not present.intersection(KEY_COLUMNS):
        reason = f"missing column: give at least one of {', '.join(KEY_COLUMNS)}"
        errors.append(RowError(table.file, 0, "", "", reason))
    if errors:
        raise FileRejected(table.file, errors)


def _aliases(operator: OperatorConfig, column: str) -> str:
    names = [
        header for header, canonical in operator.columns.items() if canonical == column and header != column
    ]
    return f" (or {', '.join(repr(name) for name in names)})" if names else ""


def _parse_row(
    source: SourceRow, file: str, operator: OperatorConfig, now: datetime
) -> PayoutRow | list[RowError]:
    return _clean_row(source, operator, now) or _careful_row(source, file, operator, now)


def _careful_row(
    source: SourceRow, file: str, operator: OperatorConfig, now: datetime
) -> PayoutRow | list[RowError]:
    """Every cell read, every problem collected."""
    cells = CellReader(file, source)
    row = PayoutRow(
        line=source.line,
        operator_txn_id=cells.required("operator_txn_id", parse_txn_id, ""),
        reference=cells.optional("reference", parse_reference, None),
        household_id=cells.optional("household_id", parse_household_id, None),
        msisdn=cells.optional("msisdn", parse_msisdn, None),
        amount=cells.required("amount", lambda text: check_positive(parse_amount(text)), 0),
        currency=cells.optional("currency", parse_currency, None),
        paid_at=cells.optional("paid_at", lambda text: check_not_future(parse_datetime(text), now), None),
        status=cells.required("status", operator.parse_status, ""),
        reason=cells.optional("reason", normalise_text, None),
    )
    if not any(source.values.get(column) for column in KEY_COLUMNS):
        cells.errors.append(RowError(file, source.line, "", "", no_key(", ".join(KEY_COLUMNS))))
    cells.reject_extra_cells()
    return cells.errors or row
