"""Payout confirmation files: CSV, XLSX and pain.002 read into validated rows, every problem named."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula

from intake.errors import FileRejected, RowError
from reconciliation.operators import DEFAULT_STATUS_WORDS, OperatorConfig, load_operator
from reconciliation.payout_row import FAILED, PENDING, SUCCESS, PayoutRow
from reconciliation.readers import PayoutCheck, check_payout_file, iter_payout_rows

CANONICAL = "operator_txn_id,reference,household_id,msisdn,amount,currency,paid_at,status,reason\n"
NO_KEY = "no matching key: give at least one of reference, household_id, msisdn"
DECIMAL = "looks like a decimal: amounts are whole francs, without decimals"
FUTURE = "in the future: more than a day after today"
FORMULA_ID = "starts with '=': an identifier cannot look like a spreadsheet formula"
UNKNOWN_STATUS = (
    "unknown status: use a word for success (success, paid, ok, paye, reussi, succes, acsc, accc), "
    "failed (failed, echec, echoue, rejete, rjct) or "
    "pending (pending, en attente, pdng, acsp, actc, accp, rcvd)"
)


@pytest.fixture
def bank(tmp_path: Path) -> OperatorConfig:
    return load_operator("bank", tmp_path)


@pytest.fixture
def orange() -> OperatorConfig:
    return load_operator("orange-money")


def write(tmp_path: Path, text: str, name: str = "payouts.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def items(path: Path, operator: OperatorConfig) -> list[PayoutRow | list[RowError]]:
    return list(iter_payout_rows(path, operator))


def errors_of(path: Path, operator: OperatorConfig) -> list[RowError]:
    return check_payout_file(path, operator).errors


def rejected(path: Path, operator: OperatorConfig) -> list[RowError]:
    with pytest.raises(FileRejected) as raised:
        check_payout_file(path, operator)
    return raised.value.errors


def row(
    line: int,
    txn: str,
    amount: int = 30000,
    status: str = SUCCESS,
    *,
    reference: str | None = None,
    household_id: str | None = None,
    msisdn: str | None = None,
    currency: str | None = None,
    paid_at: datetime | None = None,
    reason: str | None = None,
) -> PayoutRow:
    return PayoutRow(line, txn, reference, household_id, msisdn, amount, currency, paid_at, status, reason)


def test_canonical_csv(tmp_path: Path, bank: OperatorConfig) -> None:
    path = write(
        tmp_path,
        CANONICAL
        + "TX-1,PAY-0001,ML-KITA-0001,+22376123456,30000,XOF,2024-02-13 10:15,success,\n"
        + "TX-2,PAY-0002,,,30000,xof,13/02/2024,failed,Solde  insuffisant\n"
        + "\n"
        + 'TX-3,,ML-KITA-0003,,"45 000",,,pending,\n',
    )
    expected = [
        row(
            2,
            "TX-1",
            reference="PAY-0001",
            household_id="ML-KITA-0001",
            msisdn="+22376123456",
            currency="XOF",
            paid_at=datetime(2024, 2, 13, 10, 15),
        ),
        row(
            3,
            "TX-2",
            status=FAILED,
            reference="PAY-0002",
            currency="XOF",
            paid_at=datetime(2024, 2, 13),
            reason="Solde insuffisant",
        ),
        row(5, "TX-3", 45000, PENDING, household_id="ML-KITA-0003"),
    ]
    assert items(path, bank) == expected
    assert check_payout_file(path, bank) == PayoutCheck(rows=3, errors=[])


def test_content_is_json_friendly_and_leaves_out_the_line() -> None:
    first = row(2, "TX-1", reference="PAY-0001", currency="XOF", paid_at=datetime(2024, 2, 13, 10, 15))
    assert first.content() == {
        "operator_txn_id": "TX-1",
        "reference": "PAY-0001",
        "household_id": None,
        "msisdn": None,
        "amount": 30000,
        "currency": "XOF",
        "paid_at": "2024-02-13T10:15:00",
        "status": "success",
        "reason": None,
    }
    assert row(
        9, "TX-1", reference="PAY-0001", currency="XOF", paid_at=datetime(2024, 2, 13, 10, 15)
    ).content() == (first.content())


ORANGE = (
    "ID Transaction;Référence;Code ménage;Numéro;Montant;Devise;Date paiement;Statut;Motif;Nom\n"
    "MP240213.1001;PAY-0001;ML-KITA-0001;76 12 34 56;30 000;XOF;13/02/2024 10:15;Payé;;Awa Traoré\n"
    "MP240213.1002;PAY-0002;ML-KITA-0002;0022376123457;30.000;XOF;13/02/2024;Échoué;Compte clôturé;Moussa\n"
    "MP240213.1003;PAY-0003;;;30\u00a0000;XOF;;Transféré;;\n"
    "MP240213.1004;PAY-0004;;;45.000;;;ANNULÉ;Annulé par l'opérateur;\n"
)


def test_orange_money_french_cp1252_semicolons(tmp_path: Path, orange: OperatorConfig) -> None:
    path = write(tmp_path, ORANGE.replace("\u00a0", "\xa0"), encoding="cp1252")
    assert items(path, orange) == [
        row(
            2,
            "MP240213.1001",
            reference="PAY-0001",
            household_id="ML-KITA-0001",
            msisdn="+22376123456",
            currency="XOF",
            paid_at=datetime(2024, 2, 13, 10, 15),
        ),
        row(
            3,
            "MP240213.1002",
            status=FAILED,
            reference="PAY-0002",
            household_id="ML-KITA-0002",
            msisdn="+22376123457",
            currency="XOF",
            paid_at=datetime(2024, 2, 13),
            reason="Compte clôturé",
        ),
        row(4, "MP240213.1003", reference="PAY-0003", currency="XOF"),
        row(5, "MP240213.1004", 45000, FAILED, reference="PAY-0004", reason="Annulé par l'opérateur"),
    ]


def test_utf8_bom(tmp_path: Path, orange: OperatorConfig) -> None:
    path = write(tmp_path, "\ufeff" + ORANGE, encoding="utf-8")
    assert [item.operator_txn_id for item in items(path, orange) if isinstance(item, PayoutRow)] == [
        "MP240213.1001",
        "MP240213.1002",
        "MP240213.1003",
        "MP240213.1004",
    ]


def test_xlsx(tmp_path: Path, orange: OperatorConfig) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ID Transaction", "Référence", "Téléphone", "Montant", "Devise", "Date paiement", "Statut"])
    sheet.append(["MP1", "PAY-0001", "76123456", 30000, "XOF", datetime(2024, 2, 13, 10, 15), "PAYE"])
    sheet.append(
        ["MP2", "PAY-0002", '=HYPERLINK("http://evil.example","76123456")', 30000.0, "XOF", None, "ok"]
    )
    sheet.append(["=1+1", "PAY-0003", None, "=30000*1", "XOF", None, "ok"])
    sheet.append(["MP4", "PAY-0004", None, 30000.5, "XOF", None, "ok"])
    sheet.append(["MP5", "PAY-0005", None, None, "XOF", None, "ok"])
    sheet["D6"] = ArrayFormula("D6:D6", "=SUM(D2:D3)")
    path = tmp_path / "payouts.xlsx"
    workbook.save(path)
    file = str(path)
    assert items(path, orange)[0] == row(
        2,
        "MP1",
        reference="PAY-0001",
        msisdn="+22376123456",
        currency="XOF",
        paid_at=datetime(2024, 2, 13, 10, 15),
    )
    assert errors_of(path, orange) == [
        RowError(
            file,
            3,
            "msisdn",
            '=HYPERLINK("http://evil.example","76123456")',
            "not a valid phone number for ML",
        ),
        RowError(file, 4, "operator_txn_id", "=1+1", FORMULA_ID),
        RowError(file, 4, "amount", "=30000*1", "not an amount: use digits only, e.g. 30000 or 30 000"),
        RowError(file, 5, "amount", "30000.5", DECIMAL),
        RowError(file, 6, "amount", "=SUM(D2:D3)", "not an amount: use digits only, e.g. 30000 or 30 000"),
    ]


@pytest.mark.parametrize("word", sorted(DEFAULT_STATUS_WORDS))
def test_every_status_word(tmp_path: Path, bank: OperatorConfig, word: str) -> None:
    status = DEFAULT_STATUS_WORDS[word]
    lines = "".join(f"TX-{n},PAY-1,,,30000,,,{variant},\n" for n, variant in enumerate((word, word.upper())))
    assert [
        r.status for r in items(write(tmp_path, CANONICAL + lines), bank) if isinstance(r, PayoutRow)
    ] == [status, status]


@pytest.mark.parametrize(
    "word", ["PAYE", "Échoué", "reussi", "Succès", "EN ATTENTE", "Rejeté", "échec", "Acsc"]
)
def test_status_words_ignore_case_and_accents(tmp_path: Path, bank: OperatorConfig, word: str) -> None:
    path = write(tmp_path, CANONICAL + f"TX-1,PAY-1,,,30000,,,{word},\n")
    assert [type(item) for item in items(path, bank)] == [PayoutRow]


def test_unknown_status_lists_the_words(tmp_path: Path, bank: OperatorConfig) -> None:
    path = write(tmp_path, CANONICAL + "TX-1,PAY-1,,,30000,,,envoyé,\n")
    assert errors_of(path, bank) == [
        RowError(
            str(path),
            2,
            "status",
            "envoyé",
            UNKNOWN_STATUS,
        )
    ]


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("30.5", DECIMAL),
        ('"3,00"', DECIMAL),
        ("1.2345", "badly grouped digits: separators must split the digits into groups of exactly 3"),
        ("0", "amount must be positive"),
        ("-5", "amount must be positive"),
        ("+5", "not an amount: use digits only, e.g. 30000 or 30 000"),
        ("", "empty: a value is required"),
    ],
)
def test_rejected_amounts(tmp_path: Path, bank: OperatorConfig, amount: str, reason: str) -> None:
    path = write(tmp_path, CANONICAL + f"TX-1,PAY-1,,,{amount},,,paid,\n")
    assert errors_of(path, bank) == [RowError(str(path), 2, "amount", amount.strip('"'), reason)]


def test_dates_in_the_future(tmp_path: Path, bank: OperatorConfig) -> None:
    tomorrow = (datetime.now() + timedelta(days=1)).date().isoformat()
    path = write(
        tmp_path, CANONICAL + f"TX-1,PAY-1,,,30000,,{tomorrow},paid,\nTX-2,PAY-2,,,30000,,2999-01-01,paid,\n"
    )
    assert errors_of(path, bank) == [RowError(str(path), 3, "paid_at", "2999-01-01", FUTURE)]


def test_every_problem_of_a_row_is_named(tmp_path: Path, bank: OperatorConfig) -> None:
    path = write(
        tmp_path,
        CANONICAL
        + ",PAY-00000000000001,HH-1,12345,30000,XO,31/02/2024,paid,\n"
        + "TX-2,,,,30000,,,paid,\n"
        + "TX-3,PAY-3,,,30000,XOF,,paid,,surplus\n"
        + '=HYPERLINK("http://evil"),@PAY,-HH,,30000,,,paid,\n',
    )
    file = str(path)
    assert errors_of(path, bank) == [
        RowError(file, 2, "operator_txn_id", "", "empty: a value is required"),
        RowError(file, 2, "reference", "PAY-00000000000001", "too long: 18 characters, at most 16"),
        RowError(file, 2, "msisdn", "12345", "not a valid phone number for ML"),
        RowError(file, 2, "currency", "XO", "not a currency code: use 3 letters, e.g. XOF"),
        RowError(file, 2, "paid_at", "31/02/2024", "impossible date: February 2024 has 29 days"),
        RowError(file, 3, "", "", NO_KEY),
        RowError(file, 4, "__extra__", "surplus", "more cells than the header has columns"),
        RowError(file, 5, "operator_txn_id", '=HYPERLINK("http://evil")', FORMULA_ID),
        RowError(
            file,
            5,
            "reference",
            "@PAY",
            "starts with '@': an identifier cannot look like a spreadsheet formula",
        ),
        RowError(
            file,
            5,
            "household_id",
            "-HH",
            "starts with '-': an identifier cannot look like a spreadsheet formula",
        ),
    ]


def test_duplicate_transaction_names_the_earlier_line(tmp_path: Path, bank: OperatorConfig) -> None:
    path = write(
        tmp_path,
        CANONICAL + "TX-1,PAY-1,,,30000,,,paid,\nTX-2,PAY-2,,,30000,,,paid,\nTX-1,PAY-3,,,0,,,paid,\n",
    )
    file = str(path)
    assert check_payout_file(path, bank) == PayoutCheck(
        rows=3,
        errors=[
            RowError(file, 4, "amount", "0", "amount must be positive"),
            RowError(file, 4, "operator_txn_id", "TX-1", "duplicate operator_txn_id: already on line 2"),
        ],
    )
    assert isinstance(items(path, bank)[2], list)


def test_missing_required_columns(tmp_path: Path, bank: OperatorConfig, orange: OperatorConfig) -> None:
    path = write(tmp_path, "operator_txn_id,currency,reason\nTX-1,XOF,\n")
    file = str(path)
    assert rejected(path, bank) == [
        RowError(file, 0, "amount", "", "missing column 'amount'"),
        RowError(file, 0, "status", "", "missing column 'status'"),
        RowError(file, 0, "", "", "missing column: give at least one of reference, household_id, msisdn"),
    ]
    path = write(tmp_path, "ID Transaction;Numéro;Montant\nMP1;76123456;30000\n")
    assert rejected(path, orange) == [
        RowError(str(path), 0, "status", "", "missing column 'status' (or 'statut')")
    ]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "empty file"),
        ("header.csv", CANONICAL.encode(), "no data rows: the file has a header but no payout lines"),
        ("dup.csv", b"amount,Amount\n1,2\n", "duplicate column 'amount' (header columns 1 and 2)"),
        (
            "payouts.xls",
            b"whatever",
            "unsupported file type '.xls': send a .csv, .xlsx or .xml (pain.002) file",
        ),
        (
            "bad.xlsx",
            b"PK not a zip",
            "not a readable XLSX workbook: the file is damaged or is not an Excel .xlsx file",
        ),
        ("empty.xml", b"", "empty file"),
    ],
)
def test_whole_file_problems(
    tmp_path: Path, bank: OperatorConfig, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert rejected(path, bank) == [RowError(str(path), 0, "", "", reason)]


def test_rows_before_a_malformed_record_are_kept_in_the_rejection(
    tmp_path: Path, bank: OperatorConfig
) -> None:
    path = write(
        tmp_path, CANONICAL + 'TX-1,PAY-1,,,30000,,,paid,\nTX-2,PAY-2,,,0,,,paid,\nTX-3,"PAY-3,,,1,,,paid,\n'
    )
    file = str(path)
    assert rejected(path, bank) == [
        RowError(file, 3, "amount", "0", "amount must be positive"),
        RowError(
            file,
            4,
            "",
            "",
            "malformed CSV record starting on this line: unexpected end of data (check the quotes)",
        ),
    ]
    rows = iter_payout_rows(path, bank)
    assert next(rows) == row(2, "TX-1", reference="PAY-1")  # lazily: the bad record is not read yet
    assert isinstance(next(rows), list)
    with pytest.raises(FileRejected):
        next(rows)


# --- ISO 20022 pain.002 -------------------------------------------------------

PAIN002_HEAD = """<?xml version="1.0" encoding="{encoding}"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.{version}"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>OMML-STS-20240214-001</MsgId>
      <CreDtTm>2024-02-14T08:00:00</CreDtTm>
      <InitgPty><Nm>Orange Money Mali</Nm></InitgPty>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>TLEDGER-PDAZAM-2024-01</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      <OrgnlNbOfTxs>3</OrgnlNbOfTxs>
      <OrgnlCtrlSum>90000</OrgnlCtrlSum>
      <GrpSts>PART</GrpSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>PDAZAM-2024-01-OM</OrgnlPmtInfId>
"""
PAIN002_TAIL = """    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""
PAID = """      <TxInfAndSts>
        <StsId>OM240213001</StsId>
        <OrgnlInstrId>PAY-0001</OrgnlInstrId>
        <OrgnlEndToEndId>PAY-0001</OrgnlEndToEndId>
        <TxSts>ACSC</TxSts>
        <AccptncDtTm>2024-02-13T10:15:00</AccptncDtTm>
        <OrgnlTxRef>
          <Amt><InstdAmt Ccy="XOF">30000</InstdAmt></Amt>
          <ReqdExctnDt><Dt>2024-02-13</Dt></ReqdExctnDt>
          <Cdtr><Pty><Nm>Awa Traoré</Nm></Pty></Cdtr>
        </OrgnlTxRef>
      </TxInfAndSts>
"""
REFUSED = """      <TxInfAndSts>
        <StsId>OM240213002</StsId>
        <OrgnlEndToEndId>PAY-0002</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf>
          <Orgtr><Nm>Orange Money Mali</Nm></Orgtr>
          <Rsn><Cd>AC04</Cd></Rsn>
        </StsRsnInf>
        <OrgnlTxRef><Amt><InstdAmt Ccy="XOF">30000.00</InstdAmt></Amt></OrgnlTxRef>
      </TxInfAndSts>
"""
WAITING = """      <TxInfAndSts>
        <StsId>OM240213003</StsId>
        <OrgnlEndToEndId>PAY-0003</OrgnlEndToEndId>
        <TxSts>PDNG</TxSts>
        <OrgnlTxRef><Amt><InstdAmt Ccy="XOF">45000</InstdAmt></Amt></OrgnlTxRef>
      </TxInfAndSts>
"""


def pain002(*transactions: str, version: str = "10", encoding: str = "UTF-8") -> str:
    return PAIN002_HEAD.format(version=version, encoding=encoding) + "".join(transactions) + PAIN002_TAIL


def tx_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if "<TxInfAndSts>" in line]


def transaction(body: str) -> str:
    return f"      <TxInfAndSts>\n{body}      </TxInfAndSts>\n"


def test_pain002_sample(tmp_path: Path, orange: OperatorConfig) -> None:
    text = pain002(PAID, REFUSED, WAITING)
    path = write(tmp_path, text, "status.xml")
    paid, refused, waiting = tx_lines(text)
    assert items(path, orange) == [
        row(paid, "OM240213001", reference="PAY-0001", currency="XOF", paid_at=datetime(2024, 2, 13, 10, 15)),
        row(refused, "OM240213002", status=FAILED, reference="PAY-0002", currency="XOF", reason="AC04"),
        row(waiting, "OM240213003", 45000, PENDING, reference="PAY-0003", currency="XOF"),
    ]
    assert (paid, refused, waiting) == (19, 31, 41)
    assert check_payout_file(path, orange) == PayoutCheck(rows=3, errors=[])


@pytest.mark.parametrize("version", ["03", "10", "14"])
def test_pain002_any_version(tmp_path: Path, bank: OperatorConfig, version: str) -> None:
    path = write(tmp_path, pain002(PAID, version=version), "status.xml")
    assert [item.operator_txn_id for item in items(path, bank) if isinstance(item, PayoutRow)] == [
        "OM240213001"
    ]


def test_pain002_latin1_with_proprietary_reason_and_offset(tmp_path: Path, bank: OperatorConfig) -> None:
    body = (
        "        <AcctSvcrRef>OM-REF-9</AcctSvcrRef>\n"
        "        <OrgnlEndToEndId>PAY-0009</OrgnlEndToEndId>\n"
        "        <TxSts>RJCT</TxSts>\n"
        "        <StsRsnInf><Rsn><Prtry>NUM_INACTIF</Prtry></Rsn>\n"
        "          <AddtlInf>Numéro  inactif</AddtlInf></StsRsnInf>\n"
        "        <AccptncDtTm>2024-02-13T10:15:00+01:00</AccptncDtTm>\n"
        '        <OrgnlTxRef><Amt><InstdAmt Ccy="xof">30000</InstdAmt></Amt></OrgnlTxRef>\n'
    )
    text = pain002(transaction(body), encoding="ISO-8859-1")
    path = write(tmp_path, text, "status.xml", encoding="latin-1")
    assert items(path, bank) == [
        row(
            tx_lines(text)[0],
            "OM-REF-9",
            status=FAILED,
            reference="PAY-0009",
            currency="XOF",
            paid_at=datetime(2024, 2, 13, 9, 15),
            reason="NUM_INACTIF: Numéro inactif",
        )
    ]


def test_pain002_row_problems(tmp_path: Path, bank: OperatorConfig) -> None:
    amount_only = '        <OrgnlTxRef><Amt><InstdAmt Ccy="XOF">{}</InstdAmt></Amt></OrgnlTxRef>\n'
    bad = [
        transaction(
            "        <OrgnlEndToEndId>PAY-1</OrgnlEndToEndId>\n        <TxSts>ACSC</TxSts>\n"
            + amount_only.format("30000.50")
        ),
        transaction(
            "        <StsId>OM2</StsId>\n        <OrgnlEndToEndId>NOTPROVIDED</OrgnlEndToEndId>\n"
            "        <TxSts>ACWC</TxSts>\n        <AccptncDtTm>2999-01-01T00:00:00Z</AccptncDtTm>\n"
            + amount_only.format("3e4")
        ),
        transaction(
            "        <StsId>OM240213001</StsId>\n        <OrgnlEndToEndId>PAY-0009</OrgnlEndToEndId>\n"
            "        <TxSts>ACSC</TxSts>\n"
        ),
    ]
    text = pain002(PAID, *bad)
    path = write(tmp_path, text, "status.xml")
    file = str(path)
    first, second, third, fourth = tx_lines(text)
    assert errors_of(path, bank) == [
        RowError(file, second, "StsId", "", "missing: a transaction needs StsId or AcctSvcrRef"),
        RowError(file, second, "OrgnlTxRef/Amt/InstdAmt", "30000.50", DECIMAL),
        RowError(file, third, "OrgnlEndToEndId", "", "no matching key: give at least one of OrgnlEndToEndId"),
        RowError(
            file,
            third,
            "OrgnlTxRef/Amt/InstdAmt",
            "3e4",
            "not an amount: use a decimal number such as 30000 or 30000.00",
        ),
        RowError(file, third, "AccptncDtTm", "2999-01-01T00:00:00Z", FUTURE),
        RowError(file, third, "TxSts", "ACWC", UNKNOWN_STATUS),
        RowError(file, fourth, "OrgnlTxRef/Amt/InstdAmt", "", "empty: a value is required"),
        RowError(file, fourth, "StsId", "OM240213001", f"duplicate operator_txn_id: already on line {first}"),
    ]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>&lol9;</CstmrPmtStsRpt>
</Document>
"""
DTD_REFUSED = (
    "refused: the file declares a document type or entities (<!DOCTYPE ...>); "
    "a pain.002 report has none, and entity expansion is a known attack"
)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (BILLION_LAUGHS, 2, DTD_REFUSED),
        (
            '<?xml version="1.0"?>\n\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<Document>&x;</Document>',
            3,
            DTD_REFUSED,
        ),
        (
            pain002(PAID).replace("<TxSts>ACSC</TxSts>", "<TxSts>ACSC</TxSt>"),
            23,
            "not well-formed XML: mismatched tag (column 22)",
        ),
        (
            pain002(PAID).replace("PAY-0001</OrgnlEnd", "&nbsp;</OrgnlEnd"),
            22,
            "not well-formed XML: undefined entity (column 26)",
        ),
        ("ID Transaction;Montant\nMP1;30000\n", 1, "not well-formed XML: syntax error (column 1)"),
        (pain002(PAID)[:400], 11, "not well-formed XML: no element found (column 20)"),
    ],
)
def test_xml_refused_with_its_line(
    tmp_path: Path, bank: OperatorConfig, text: str, line: int, reason: str
) -> None:
    path = write(tmp_path, text, "status.xml")
    assert rejected(path, bank) == [RowError(str(path), line, "", "", reason)]
    with pytest.raises(FileRejected):
        items(path, bank)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            pain002(PAID, version="10").replace("pain.002.001.10", "pain.001.001.09"),
            "not an ISO 20022 pain.002 payment status report: the root element is "
            "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}Document",
        ),
        (
            "<html><body>Erreur 500</body></html>",
            "not an ISO 20022 pain.002 payment status report: the root element is html",
        ),
        (pain002(), "no transactions: the report has no TxInfAndSts element"),
    ],
)
def test_xml_that_is_no_status_report(tmp_path: Path, bank: OperatorConfig, text: str, reason: str) -> None:
    path = write(tmp_path, text, "status.xml")
    assert rejected(path, bank) == [RowError(str(path), 0, "", "", reason)]


# --- fuzz: any bytes give rows, row errors or FileRejected, never another exception ---

FUZZ_OPERATOR = load_operator("orange-money")
CSV_SEED = ORANGE.encode("cp1252")
XML_SEED = pain002(PAID, REFUSED, WAITING).encode("utf-8")


def xlsx_seed() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ID Transaction", "Référence", "Montant", "Statut", "Date paiement"])
    sheet.append(["MP1", "PAY-0001", 30000, "Payé", datetime(2024, 2, 13)])
    sheet.append(["MP2", "=A2", 30000.5, '=HYPERLINK("x")', None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_SEED = xlsx_seed()


def xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """The seed workbook with its worksheet XML replaced: reaches openpyxl's parser, not just zipfile."""
    source = zipfile.ZipFile(io.BytesIO(XLSX_SEED))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info, data)
    return buffer.getvalue()


def spliced(seed: bytes) -> st.SearchStrategy[bytes]:
    """The seed with a random slice replaced by random bytes."""
    return st.tuples(st.integers(0, len(seed)), st.integers(0, 64), st.binary(max_size=64)).map(
        lambda cut: seed[: cut[0]] + cut[2] + seed[cut[0] + cut[1] :]
    )


def assert_rows_errors_or_rejected(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(content)
        try:
            check = check_payout_file(path, FUZZ_OPERATOR)
            seen = list(iter_payout_rows(path, FUZZ_OPERATOR))
        except FileRejected as rejection:
            assert rejection.errors and all(isinstance(error, RowError) for error in rejection.errors)
            return
        assert check.rows == len(seen) >= 1
        for item in seen:
            assert isinstance(item, PayoutRow) or (item and all(isinstance(e, RowError) for e in item))
            if isinstance(item, PayoutRow):
                assert item.amount > 0 and item.status in (SUCCESS, FAILED, PENDING)
        assert check.errors == [error for item in seen if isinstance(item, list) for error in item]


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(content=st.binary(max_size=512) | spliced(CSV_SEED), suffix=st.sampled_from([".csv", ".txt"]))
def test_fuzz_csv(content: bytes, suffix: str) -> None:
    assert_rows_errors_or_rejected(content, suffix)


@FUZZ
@given(content=st.binary(max_size=512) | spliced(XML_SEED))
def test_fuzz_xml(content: bytes) -> None:
    assert_rows_errors_or_rejected(content, ".xml")


@FUZZ
@given(
    content=st.binary(max_size=512)
    | spliced(XLSX_SEED)
    | spliced(zipfile.ZipFile(io.BytesIO(XLSX_SEED)).read("xl/worksheets/sheet1.xml")).map(xlsx_with_sheet)
)
def test_fuzz_xlsx(content: bytes) -> None:
    assert_rows_errors_or_rejected(content, ".xlsx")


_CELLS = {
    "operator_txn_id": st.sampled_from(["T1", "", "=cmd", "x" * 70, "T\u200b2"]),
    "reference": st.sampled_from(["", "19Q27EN8WCK7FN0Y", "A" * 17]),
    "household_id": st.sampled_from(["", "KITA-000001", "\tH"]),
    "msisdn": st.sampled_from(["", "+22376123456", "76 12 34 56", "12", "abc"]),
    "amount": st.sampled_from(["30000", "30 000", "30.000", "0", "-5", "30.5", "", "1" * 20]),
    "currency": st.sampled_from(["", "XOF", "xof", "EURO"]),
    "paid_at": st.sampled_from(["", "2019-04-02", "02/04/2019 10:15", "31/02/2019", "2999-01-01", "soon"]),
    "status": st.sampled_from(["success", "Payé", "failed", "envoyé", ""]),
    "reason": st.sampled_from(["", "  compte   bloqué ", "x"]),
}


@given(st.fixed_dictionaries(_CELLS), st.booleans())
def test_the_quick_reading_of_a_clean_row_equals_the_careful_one(values: dict[str, str], extra: bool) -> None:
    """A row the quick path accepts is exactly the row the careful path builds; any row with a
    problem is left to the careful path (which names the problem)."""
    from intake.tabular import EXTRA, SourceRow
    from reconciliation.readers import _careful_row, _clean_row

    if extra:
        values = {**values, EXTRA: "surplus"}
    source = SourceRow(7, values)
    orange = load_operator("orange-money")
    now = datetime(2026, 1, 1)
    careful = _careful_row(source, "f.csv", orange, now)
    quick = _clean_row(source, orange, now)
    if isinstance(careful, list):
        assert quick is None
    else:
        assert quick == careful
