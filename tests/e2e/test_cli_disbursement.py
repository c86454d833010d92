"""The disbursement commands through the real CLI, on both backends."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner, Result

from cli.main import cli

from conftest import PROGRAMS

HOUSEHOLDS = [
    "KITA-1,Awa Traoré,76123456,Kayes,Kita,Kita,Sirakoro,orange-money,2019-01-01,no",
    "KITA-2,Moussa Diarra,76123457,Kayes,Kita,Kita,Sirakoro,orange-money,2019-01-01,no",
    "KITA-3,Oumou Sangaré,76123458,Kayes,Kita,Kita,Sirakoro,orange-money,2019-01-01,no",
]


def run(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db_url, "--actor", "fatou.finance", *args], catch_exceptions=False)


def test_issue_import_reconcile_correct_close(db_url: str, enrolment_csv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db_url, "program", "add", str(PROGRAMS / "jigisemejiri.toml"))
    run(db_url, "enrol", str(enrolment_csv(HOUSEHOLDS)), "--program", "jigisemejiri")
    run(db_url, "cycle", "open", "jigisemejiri", "2019-Q1")
    run(db_url, "cycle", "compute", "jigisemejiri", "2019-Q1")
    issued = run(db_url, "cycle", "issue", "jigisemejiri", "2019-Q1", "--operator", "orange-money",
                 "--out", str(tmp_path / "om.xlsx"), "--json")
    assert issued.exit_code == 0, issued.output
    assert json.loads(issued.stdout)["count"] == 3
    listed = run(db_url, "cycle", "issue", "jigisemejiri", "2019-Q1", "--operator", "orange-money",
                 "--out", str(tmp_path / "om.csv"))
    assert "already issued (same list), not recorded again: 3 lines, 90 000 XOF" in listed.stderr
    refs = {r["household_id"]: r["reference"] for r in csv.DictReader((tmp_path / "om.csv").open())}

    confirmations = tmp_path / "confirmations.csv"
    confirmations.write_text(
        "ID Transaction;Référence;Montant;Statut\n"
        f"OM-1;{refs['KITA-1']};30 000;Payé\nOM-2;{refs['KITA-2']};30 000;Échec\n", encoding="utf-8")
    imported = run(db_url, "payouts", "import", str(confirmations), "--operator", "orange-money", "--json")
    assert imported.exit_code == 0, imported.output
    report = json.loads(imported.stdout)
    assert {k: report[k] for k in ("lines", "recorded", "skipped_duplicates", "already_imported", "rejected")} == {
        "lines": 2, "recorded": 2, "skipped_duplicates": 0, "already_imported": False, "rejected": 0}
    assert len(report["file_sha256"]) == 64
    again = run(db_url, "payouts", "import", str(confirmations), "--operator", "orange-money", "--json")
    assert json.loads(again.stdout)["already_imported"] is True

    reconciled = run(db_url, "reconcile", "jigisemejiri", "2019-Q1", "--json", "--out", str(tmp_path / "rec.xlsx"))
    assert reconciled.exit_code == 0
    summary = json.loads(reconciled.stdout)
    assert summary["categories"]["paid"] == 1 and summary["categories"]["failed"] == 1
    assert summary["categories"]["unpaid"] == 1
    assert (summary["paid"]["amount"], summary["outstanding"]["amount"]) == (30_000, 60_000)
    assert (tmp_path / "rec.xlsx").exists()
    strict = run(db_url, "reconcile", "jigisemejiri", "2019-Q1", "--strict")
    assert strict.exit_code == 3
    assert "Error: 2 discrepancies remain (--strict)" in strict.stderr

    manual = run(db_url, "correct", "manual-payment", "jigisemejiri", "2019-Q1", "KITA-3", "--amount", "30000",
                 "--paid-on", "2019-04-15", "--reason", "cash at the mairie")
    assert manual.exit_code == 0, manual.output
    reissue = run(db_url, "correct", "reissue", "jigisemejiri", "2019-Q1", "KITA-2", "--reason", "wallet reopened")
    assert reissue.exit_code == 0
    refused = run(db_url, "correct", "adjust", "jigisemejiri", "2019-Q1", "KITA-1", "--amount", "-40000",
                  "--reason", "typo")
    assert refused.exit_code == 1
    assert "would make it negative (-10000)" in refused.stderr
    reverse = run(db_url, "correct", "reverse", "OM-1", "--operator", "orange-money", "--reason", "reversed")
    assert reverse.exit_code == 0

    closed = run(db_url, "cycle", "close", "jigisemejiri", "2019-Q1", "--json")
    assert closed.exit_code == 0
    final = json.loads(closed.stdout)
    assert final["categories"]["failed"] == 2 and final["categories"]["paid"] == 1
    assert final["paid"]["amount"] == 30_000
    shown = json.loads(run(db_url, "cycle", "show", "jigisemejiri", "2019-Q1", "--json").stdout)
    assert shown["status"] == "closed"
    recompute = run(db_url, "cycle", "compute", "jigisemejiri", "2019-Q1")
    assert recompute.exit_code == 1 and "is closed: cannot compute entitlements" in recompute.stderr


def test_a_bad_payout_file_names_every_bad_line(db_url: str, enrolment_csv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db_url, "program", "add", str(PROGRAMS / "jigisemejiri.toml"))
    run(db_url, "enrol", str(enrolment_csv(HOUSEHOLDS)), "--program", "jigisemejiri")
    run(db_url, "cycle", "open", "jigisemejiri", "2019-Q1")
    run(db_url, "cycle", "compute", "jigisemejiri", "2019-Q1")
    run(db_url, "cycle", "issue", "jigisemejiri", "2019-Q1", "-o", "orange-money", "--out", str(tmp_path / "l.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("operator_txn_id,household_id,amount,status\nT1,KITA-1,3,00,success\n"
                   "T2,KITA-2,30.5,success\nT3,KITA-3,30000,perdu\n", encoding="utf-8")
    result = run(db_url, "payouts", "import", str(bad), "--operator", "orange-money")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}: 3 invalid row(s) (4 problems), nothing recorded")
    assert f"{bad}:3: column 'amount', value '30.5'" in result.stderr
    assert f"{bad}:4: column 'status', value 'perdu'" in result.stderr
    summary = json.loads(run(db_url, "reconcile", "jigisemejiri", "2019-Q1", "--json").stdout)
    assert summary["categories"]["unpaid"] == 3
