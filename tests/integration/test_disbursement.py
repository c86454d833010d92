"""Payment lists and payout imports on both backends: stable references, idempotent imports,
all-or-nothing rejection, every format the operators send."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from intake.errors import FileRejected
from ledger.errors import LedgerError
from workflows.disbursement import issue_payment_list
from workflows.payouts import import_payouts
from workflows.runtime import Ledger

CANONICAL = "operator_txn_id,reference,household_id,msisdn,amount,currency,paid_at,status,reason"


def issue(ledger: Ledger, tmp_path: Path, operator: str = "orange-money", name: str = "list.csv") -> dict[str, str]:
    """Issue the list and return household id -> reference."""
    out = tmp_path / name
    issue_payment_list(ledger, "jigisemejiri", "2019-Q1", operator, out)
    if out.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(out, read_only=True).active
        rows = [dict(zip(("reference", "household_id"), r[:2])) for r in sheet.iter_rows(min_row=2, values_only=True)]  # type: ignore[union-attr]
    else:
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
    return {str(r["household_id"]): str(r["reference"]) for r in rows}


def lines_in_db(ledger: Ledger) -> int:
    row = ledger.db.fetchone("SELECT COUNT(*) FROM tl_payout_lines")
    return int(row[0]) if row else 0


def test_payment_list_has_the_columns_and_stable_unique_references(quarter: Ledger, tmp_path: Path) -> None:
    result = issue_payment_list(quarter, "jigisemejiri", "2019-Q1", "orange-money", tmp_path / "om.csv")
    rows = list(csv.DictReader((tmp_path / "om.csv").open(encoding="utf-8")))
    assert list(rows[0]) == ["reference", "household_id", "head_name", "msisdn", "amount", "currency",
                             "program", "cycle", "operator"]
    assert rows[0] | {"reference": "?"} == {
        "reference": "?", "household_id": "OM-1", "head_name": "Chef OM-1", "msisdn": "+22376000001",
        "amount": "30000", "currency": "XOF", "program": "jigisemejiri", "cycle": "2019-Q1",
        "operator": "orange-money",
    }
    references = [r["reference"] for r in rows]
    assert len(set(references)) == 6 and all(len(r) <= 16 for r in references)
    assert (result["count"], result["amount"], result["already_issued"]) == (6, 180_000, False)
    again = issue_payment_list(quarter, "jigisemejiri", "2019-Q1", "orange-money", tmp_path / "om2.xlsx")
    assert again["already_issued"] is True  # same content, even in another format
    assert issue(quarter, tmp_path, name="om3.xlsx") == {r["household_id"]: r["reference"] for r in rows}
    recorded = quarter.db.fetchall("SELECT count, amount, file_sha256, operator FROM tl_payment_lists")
    assert recorded == [(6, 180_000, result["file_sha256"], "orange-money")]


def test_nothing_to_issue_is_an_error(quarter: Ledger, tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no entitlements for operator 'wave' in jigisemejiri 2019-Q1"):
        issue_payment_list(quarter, "jigisemejiri", "2019-Q1", "wave", tmp_path / "wave.csv")
    assert not (tmp_path / "wave.csv").exists()


def test_import_is_idempotent_by_file_and_by_line(quarter: Ledger, tmp_path: Path) -> None:
    refs = issue(quarter, tmp_path)
    first = tmp_path / "first.csv"
    first.write_text(f"{CANONICAL}\nT1,{refs['OM-1']},,,30000,XOF,2019-04-02,success,\n"
                     f"T2,{refs['OM-2']},,,30000,XOF,2019-04-02,failed,wallet closed\n", encoding="utf-8")
    report = import_payouts(quarter, first, "orange-money")
    assert (report.lines, report.recorded, report.skipped_duplicates, report.already_imported) == (2, 2, 0, False)
    assert import_payouts(quarter, first, "orange-money").already_imported is True
    resent = tmp_path / "resent.csv"  # T1 again with the same content, plus one new line
    resent.write_text(f"{CANONICAL}\nT1,{refs['OM-1']},,,30000,XOF,2019-04-02,success,\n"
                      f"T3,{refs['OM-3']},,,30000,XOF,2019-04-03,success,\n", encoding="utf-8")
    second = import_payouts(quarter, resent, "orange-money")
    assert (second.recorded, second.skipped_duplicates) == (1, 1)
    assert lines_in_db(quarter) == 3


def test_a_conflicting_resend_rejects_the_file(quarter: Ledger, tmp_path: Path) -> None:
    refs = issue(quarter, tmp_path)
    ok = tmp_path / "ok.csv"
    ok.write_text(f"{CANONICAL}\nT1,{refs['OM-1']},,,30000,XOF,2019-04-02,success,\n", encoding="utf-8")
    import_payouts(quarter, ok, "orange-money")
    conflict = tmp_path / "conflict.csv"
    conflict.write_text(f"{CANONICAL}\nT9,{refs['OM-2']},,,30000,XOF,2019-04-02,success,\n"
                        f"T1,{refs['OM-1']},,,3000,XOF,2019-04-02,success,\n", encoding="utf-8")
    with pytest.raises(FileRejected) as caught:
        import_payouts(quarter, conflict, "orange-money")
    [error] = caught.value.errors
    assert str(error) == (f"{conflict}:3: column 'operator_txn_id', value 'T1': already recorded from "
                          "ok.csv:2 with different amount: a conflicting re-send")
    assert lines_in_db(quarter) == 1  # T9 was not recorded either


def test_a_bad_file_lists_every_bad_row_and_records_nothing(quarter: Ledger, tmp_path: Path) -> None:
    refs = issue(quarter, tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{CANONICAL}\n"
        f"T1,{refs['OM-1']},,,30000,XOF,2019-04-02,success,\n"
        f"T2,{refs['OM-2']},,,30.5,XOF,2019-04-02,success,\n"
        f"T3,{refs['OM-3']},,,30000,XOF,2019-04-02,maybe,\n"
        f"T4,{refs['OM-4']},,,30000,EUR,2019-04-02,success,\n",
        encoding="utf-8",
    )
    with pytest.raises(FileRejected) as caught:
        import_payouts(quarter, bad, "orange-money")
    assert [(e.line, e.column, e.value) for e in caught.value.errors] == [
        (3, "amount", "30.5"), (4, "status", "maybe"), (5, "currency", "EUR"),
    ]
    assert "currency EUR does not match the program's XOF" in str(caught.value)
    assert lines_in_db(quarter) == 0

    report = import_payouts(quarter, bad, "orange-money", skip_invalid=True)
    assert (report.recorded, report.rejected) == (1, 3)
    side = list(csv.DictReader(Path(str(report.rejected_file)).open(encoding="utf-8")))
    assert [(r["line"], r["column"], r["value"]) for r in side] == [
        ("3", "amount", "30.5"), ("4", "status", "maybe"), ("5", "currency", "EUR"),
    ]
    assert lines_in_db(quarter) == 1


def test_french_semicolon_cp1252_file_from_the_operator(quarter: Ledger, tmp_path: Path, parsing: str) -> None:
    refs = issue(quarter, tmp_path)
    french = tmp_path / "om-export.csv"
    french.write_bytes(
        ("ID Transaction;Référence;Numéro;Montant;Date paiement;Statut;Motif\r\n"
         f"OM-1001;{refs['OM-1']};76 00 00 01;30 000;02/04/2019 10:15;Payé;\r\n"
         f"OM-1002;{refs['OM-2']};76000002;30.000;02/04/2019;RÉUSSI;\r\n"
         "OM-1003;;0022376000003;30\u00a0000;03/04/2019;Échoué;compte bloqué\r\n"
         "OM-1004;;+22376000004;30,000;03/04/2019;en attente;\r\n").encode("cp1252")
    )
    report = import_payouts(quarter, french, "orange-money")
    assert report.recorded == 4
    rows = quarter.db.fetchall("SELECT operator_txn_id, amount, status, msisdn, reason FROM tl_payout_lines "
                               "ORDER BY operator_txn_id")
    assert rows == [
        ("OM-1001", 30_000, "success", "+22376000001", None),
        ("OM-1002", 30_000, "success", "+22376000002", None),
        ("OM-1003", 30_000, "failed", "+22376000003", "compte bloqué"),
        ("OM-1004", 30_000, "pending", "+22376000004", None),
    ]


def test_xlsx_and_pain002_files(quarter: Ledger, tmp_path: Path, parsing: str) -> None:
    refs = issue(quarter, tmp_path, operator="moov-money")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(CANONICAL.split(","))
    sheet.append(["MV-T1", refs["MV-1"], "MV-1", "66000001", 30000, "XOF", "2019-04-02", "success", None])
    book.save(tmp_path / "moov.xlsx")
    assert import_payouts(quarter, tmp_path / "moov.xlsx", "moov-money").recorded == 1

    xml = tmp_path / "status.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>'
        "<GrpHdr><MsgId>S1</MsgId><CreDtTm>2019-04-03T18:00:00</CreDtTm></GrpHdr>"
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>1</OrgnlPmtInfId>"
        f"<TxInfAndSts><StsId>MV-T2</StsId><OrgnlEndToEndId>{refs['MV-2']}</OrgnlEndToEndId><TxSts>ACSC</TxSts>"
        '<OrgnlTxRef><Amt><InstdAmt Ccy="XOF">30000</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>'
        f"<TxInfAndSts><StsId>MV-T3</StsId><OrgnlEndToEndId>{refs['MV-3']}</OrgnlEndToEndId><TxSts>RJCT</TxSts>"
        "<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>"
        '<OrgnlTxRef><Amt><InstdAmt Ccy="XOF">30000</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>'
        "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n",
        encoding="utf-8",
    )
    assert import_payouts(quarter, xml, "moov-money").recorded == 2
    rows = quarter.db.fetchall("SELECT operator_txn_id, status, reason, reference FROM tl_payout_lines "
                               "ORDER BY operator_txn_id")
    assert rows == [("MV-T1", "success", None, refs["MV-1"]), ("MV-T2", "success", None, refs["MV-2"]),
                    ("MV-T3", "failed", "AC04", refs["MV-3"])]


def test_a_file_before_any_payment_list_cannot_be_attributed(quarter: Ledger, tmp_path: Path) -> None:
    early = tmp_path / "early.csv"
    early.write_text(f"{CANONICAL}\nT1,,OM-1,,30000,XOF,2019-04-02,success,\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="no payment list has been issued to operator 'orange-money'"):
        import_payouts(quarter, early, "orange-money")
