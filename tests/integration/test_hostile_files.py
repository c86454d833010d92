"""A catalogue of named bad payout files: each is rejected whole with its own clear message,
nothing is recorded, and no traceback escapes (both backends)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from intake.errors import FileRejected
from workflows.disbursement import issue_payment_list
from workflows.payouts import import_payouts
from workflows.reconcile import reconcile_cycle
from workflows.runtime import Ledger

HEADER = "operator_txn_id,reference,household_id,msisdn,amount,currency,paid_at,status,reason\n"
OK = "T1,,OM-1,,30000,XOF,2019-04-02,success,\n"

CATALOGUE: list[tuple[str, bytes, str]] = [
    ("empty file", b"", "empty file"),
    ("header only", HEADER.encode(), "no data rows"),
    ("binary garbage", bytes(range(256)) * 4, "rejected"),
    ("wrong delimiter", HEADER.replace(",", "|").encode() + OK.replace(",", "|").encode(), "missing column"),
    ("missing required column", b"operator_txn_id,household_id,status\nT1,OM-1,success\n",
     "missing column 'amount'"),
    ("duplicate column", b"operator_txn_id,amount,amount,status,household_id\nT1,1,1,success,OM-1\n",
     "duplicate column 'amount'"),
    ("negative amount", (HEADER + OK.replace("30000", "-30000")).encode(), "column 'amount', value '-30000'"),
    ("zero amount", (HEADER + OK.replace("30000", "0")).encode(), "amount must be positive"),
    ("non-integer amount", (HEADER + OK.replace("30000", "30000.5")).encode(), "column 'amount', value '30000.5'"),
    ("wrong currency", (HEADER + OK.replace("XOF", "EUR")).encode(), "currency EUR does not match the program's XOF"),
    ("date in the future", (HEADER + OK.replace("2019-04-02", "2999-01-01")).encode(), "in the future"),
    ("same operator_txn_id twice", (HEADER + OK + OK.replace("OM-1", "OM-2")).encode(),
     "duplicate operator_txn_id: already on line 2"),
    ("unknown status word", (HEADER + OK.replace("success", "envoyé")).encode(), "column 'status', value 'envoyé'"),
    ("a 10 MB line", (HEADER + "T1,,OM-1,,30000,XOF,2019-04-02,success," + "x" * 10_000_000 + "\n").encode(),
     "rejected"),
    ("spreadsheet formula in a cell", (HEADER + OK.replace("T1", '"=HYPERLINK(""http://x"",""T1"")"')).encode(),
     "cannot look like a spreadsheet formula"),
]


@pytest.fixture
def listed(quarter: Ledger, tmp_path: Path) -> Ledger:
    issue_payment_list(quarter, "jigisemejiri", "2019-Q1", "orange-money", tmp_path / "list.csv")
    return quarter


@pytest.mark.parametrize(("name", "content", "message"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_each_bad_file_is_rejected_with_its_message(listed: Ledger, tmp_path: Path, name: str, content: bytes,
                                                   message: str, parsing: str) -> None:
    """Parsed here or in the second process a large file gets: the same rejection either way."""
    path = tmp_path / "payouts.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as caught:
        import_payouts(listed, path, "orange-money")
    assert message in str(caught.value), str(caught.value)[:500]
    assert listed.db.fetchone("SELECT COUNT(*) FROM tl_payout_lines") == (0,)


def test_an_amount_1000_times_the_amount_due_is_flagged(listed: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "slip.csv"
    path.write_text(HEADER + OK.replace("30000", "30000000"), encoding="utf-8")
    import_payouts(listed, path, "orange-money")
    summary = reconcile_cycle(listed, "jigisemejiri", "2019-Q1", out=tmp_path / "rec.csv")
    assert summary["categories"]["overpaid"] == 1 and summary["notes"] == 1
    rows = list(csv.DictReader((tmp_path / "rec.csv").open(encoding="utf-8")))
    assert "1000 times the amount due 30000" in next(r for r in rows if r["household_id"] == "OM-1")["notes"]


def test_reports_written_back_never_start_a_cell_with_a_formula(listed: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "formula.csv"
    path.write_text(HEADER + OK.replace("success,", "failed,=cmd|' /C calc'!A0"), encoding="utf-8")
    import_payouts(listed, path, "orange-money")
    issue_payment_list(listed, "jigisemejiri", "2019-Q1", "moov-money", tmp_path / "mv.csv")
    reconcile_cycle(listed, "jigisemejiri", "2019-Q1", out=tmp_path / "rec.csv")
    for report in (tmp_path / "rec.csv", tmp_path / "mv.csv"):
        for row in csv.reader(report.open(encoding="utf-8")):
            for cell in row:
                assert not cell.startswith(("=", "+", "@")) or cell.lstrip("+").isdigit(), (report.name, cell)
                assert not (cell.startswith("-") and not cell.lstrip("-").isdigit()), (report.name, cell)
