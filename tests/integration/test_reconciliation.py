"""A quarter through two operators, reconciled to the franc, corrected and closed (both backends)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from intake.errors import FileRejected
from ledger.errors import CorrectionRefused, CycleClosed
from workflows.corrections import correct_entitlement, manual_payment, reverse_payout
from workflows.cycles import compute_cycle, open_cycle
from workflows.disbursement import issue_payment_list
from workflows.payouts import import_payouts
from projections import runner
from workflows import reconcile_half
from workflows.reconcile import close_cycle, reconcile_cycle
from workflows.reconcile_reads import Scope
from workflows.runtime import Ledger

CANONICAL = "operator_txn_id,reference,household_id,msisdn,amount,currency,paid_at,status,reason"


def _issue(ledger: Ledger, tmp_path: Path, operator: str, label: str = "2019-Q1") -> dict[str, str]:
    out = tmp_path / f"{operator}-{label}.csv"
    issue_payment_list(ledger, "jigisemejiri", label, operator, out)
    return {r["household_id"]: r["reference"] for r in csv.DictReader(out.open(encoding="utf-8"))}


@pytest.fixture
def paid_quarter(quarter: Ledger, tmp_path: Path) -> Ledger:
    om = _issue(quarter, tmp_path, "orange-money")
    mv = _issue(quarter, tmp_path, "moov-money")
    (tmp_path / "om.csv").write_text("\n".join([
        CANONICAL,
        f"OM-T1,{om['OM-1']},,,30000,XOF,2019-04-02,success,",
        f"OM-T2,{om['OM-2']},,,10000,XOF,2019-04-02,success,",
        f"OM-T3,{om['OM-3']},,,40000,XOF,2019-04-02,success,",
        f"OM-T4,{om['OM-4']},,,30000,XOF,2019-04-02,success,",
        f"OM-T4B,{om['OM-4']},,,30000,XOF,2019-04-03,success,",
        f"OM-T5,{om['OM-5']},,,30000,XOF,2019-04-02,failed,wallet closed",
        f"OM-T6,{om['OM-6']},,,30000,XOF,2019-04-02,pending,",
        "OM-T7,19Q1ZZZZZZZZZZZZ,NOBODY-1,,30000,XOF,2019-04-02,success,",
    ]) + "\n", encoding="utf-8")
    (tmp_path / "mv.csv").write_text("\n".join([
        CANONICAL,
        "MV-T1,,MV-1,,30000,XOF,2019-04-02,success,",          # by household id
        "MV-T2,,,66 00 00 02,30000,XOF,2019-04-02,success,",    # by phone number only
        f"MV-T4,{mv['MV-4']},,,30000000,XOF,2019-04-02,success,",  # a x1000 slip
    ]) + "\n", encoding="utf-8")
    import_payouts(quarter, tmp_path / "om.csv", "orange-money")
    import_payouts(quarter, tmp_path / "mv.csv", "moov-money")
    return quarter


def test_every_category_and_every_total(paid_quarter: Ledger, tmp_path: Path) -> None:
    summary = reconcile_cycle(paid_quarter, "jigisemejiri", "2019-Q1", out=tmp_path / "rec.csv")
    assert summary["categories"] == {
        "paid": 3, "partial": 1, "overpaid": 2, "duplicate": 1, "failed": 1, "pending": 1, "unpaid": 1,
        "cancelled": 0, "unknown": 1,
    }
    assert summary["expected"] == {"count": 10, "amount": 300_000}
    assert summary["paid"] == {"count": 7, "amount": 30_200_000}
    assert summary["outstanding"] == {"amount": 20_000 + 30_000 + 30_000 + 30_000}
    rows = {r["household_id"] or r["operator_txn_ids"]: r for r in csv.DictReader((tmp_path / "rec.csv").open())}
    assert (rows["OM-2"]["category"], rows["OM-2"]["expected"], rows["OM-2"]["reported"],
            rows["OM-2"]["difference"]) == ("partial", "30000", "10000", "-20000")
    assert rows["OM-4"]["operator_txn_ids"] == "OM-T4 OM-T4B"
    assert rows["OM-4"]["sources"] == "om.csv:5 om.csv:6"
    assert "1000 times the amount due 30000" in rows["MV-4"]["notes"]
    assert rows["NOBODY-1"]["category"] == "unknown"
    recorded = paid_quarter.db.fetchall("SELECT digest FROM tl_reconciliations")
    assert recorded == [(summary["digest"],)]


def test_per_operator_reconciliation(paid_quarter: Ledger) -> None:
    moov = reconcile_cycle(paid_quarter, "jigisemejiri", "2019-Q1", "moov-money")
    assert moov["expected"] == {"count": 4, "amount": 120_000}
    assert moov["categories"]["paid"] == 2 and moov["categories"]["unpaid"] == 1
    assert moov["categories"]["unknown"] == 0


def test_corrections_are_reflected(paid_quarter: Ledger, tmp_path: Path) -> None:
    with pytest.raises(CorrectionRefused, match="it is paid; only unpaid or failed entitlements are re-issued"):
        correct_entitlement(paid_quarter, "jigisemejiri", "2019-Q1", "OM-1", "reissue", reason="x")
    reverse_payout(paid_quarter, "orange-money", "OM-T1", "operator reversal notice 12")
    manual_payment(paid_quarter, "jigisemejiri", "2019-Q1", "MV-3", 30_000, datetime(2019, 4, 20), "cash at the mairie")
    correct_entitlement(paid_quarter, "jigisemejiri", "2019-Q1", "OM-2", "adjust", delta=-20_000,
                        reason="exited in January")
    correct_entitlement(paid_quarter, "jigisemejiri", "2019-Q1", "OM-6", "cancel", reason="enrolled in error")
    correct_entitlement(paid_quarter, "jigisemejiri", "2019-Q1", "OM-5", "reissue", reason="wallet reopened")
    summary = reconcile_cycle(paid_quarter, "jigisemejiri", "2019-Q1")
    assert summary["categories"] | {"unknown": 0} == {
        "paid": 4, "partial": 0, "overpaid": 2, "duplicate": 1, "failed": 2, "pending": 0, "unpaid": 0,
        "cancelled": 1, "unknown": 0,
    }
    assert summary["expected"] == {"count": 9, "amount": 300_000 - 30_000 - 20_000}  # cancelled, adjusted
    assert summary["outstanding"] == {"amount": 30_000 + 30_000}  # OM-1 reversed, OM-5 failed

    open_cycle(paid_quarter, "jigisemejiri", "2019-Q2")
    compute_cycle(paid_quarter, "jigisemejiri", "2019-Q2")
    out = tmp_path / "om-2019-Q2.csv"
    issued = issue_payment_list(paid_quarter, "jigisemejiri", "2019-Q2", "orange-money", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    q1_reference = paid_quarter.db.fetchone(
        "SELECT reference FROM tl_entitlements WHERE cycle = '2019-Q1' AND household_id = 'OM-5'")
    assert q1_reference is not None
    assert (rows[-1]["reference"], rows[-1]["cycle"], rows[-1]["amount"]) == (q1_reference[0], "2019-Q1", "30000")
    assert (len(rows), issued["reissued"]) == (7, 1)  # six for 2019-Q2 and the re-issue


def test_closing_freezes_the_cycle_except_for_corrections(paid_quarter: Ledger, tmp_path: Path) -> None:
    closed = close_cycle(paid_quarter, "jigisemejiri", "2019-Q1")
    assert closed["paid"]["amount"] == 30_200_000
    status = paid_quarter.db.fetchone(
        "SELECT status, closing_digest FROM tl_cycles WHERE label = '2019-Q1'")
    assert status == ("closed", closed["digest"])
    with pytest.raises(CycleClosed, match="is closed: cannot compute entitlements"):
        compute_cycle(paid_quarter, "jigisemejiri", "2019-Q1")
    late = tmp_path / "late.csv"
    reference = paid_quarter.db.fetchone(
        "SELECT reference FROM tl_entitlements WHERE household_id = 'MV-3' AND cycle = '2019-Q1'")
    assert reference is not None
    late.write_text(f"{CANONICAL}\nMV-T9,{reference[0]},,,30000,XOF,2019-05-02,success,\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="cycle 2019-Q1 of program 'jigisemejiri' is closed"):
        import_payouts(paid_quarter, late, "moov-money")
    manual_payment(paid_quarter, "jigisemejiri", "2019-Q1", "MV-3", 30_000, datetime(2019, 5, 2), "paid late in cash")
    assert reconcile_cycle(paid_quarter, "jigisemejiri", "2019-Q1")["categories"]["unpaid"] == 0


@pytest.mark.parametrize("operator", [None, "orange-money"])
def test_two_halves_give_the_one_pass_result(
    paid_quarter: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operator: str | None
) -> None:
    """A large cycle is reconciled in two processes: same totals, digest and detail file, byte for byte."""
    one = reconcile_cycle(paid_quarter, "jigisemejiri", "2019-Q1", operator, out=tmp_path / "one.csv", record=False)
    monkeypatch.setattr(reconcile_half, "SPLIT_FROM", 1)
    scope = Scope("jigisemejiri", "2019-Q1", operator)
    assert reconcile_half.reconciled_in_halves(paid_quarter.db, scope, tmp_path / "probe.csv") is not None
    assert reconcile_half.reconciled_in_halves(paid_quarter.db, scope, tmp_path / "rec.xlsx") is None
    halves = reconcile_cycle(paid_quarter, "jigisemejiri", "2019-Q1", operator, out=tmp_path / "two.csv",
                             record=False)
    no_file = reconcile_cycle(paid_quarter, "jigisemejiri", "2019-Q1", operator, record=False)
    assert {k: v for k, v in halves.items() if k != "out"} == {k: v for k, v in one.items() if k != "out"}
    assert {k: v for k, v in no_file.items() if k != "out"} == {k: v for k, v in one.items() if k != "out"}
    assert (tmp_path / "two.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
    assert one["categories"]["unknown"] == 1  # the unknown line comes from the second half


def test_halves_that_saw_different_states_are_redone_in_one_pass(
    paid_quarter: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = reconcile_cycle(paid_quarter, "jigisemejiri", "2019-Q1", out=tmp_path / "one.csv", record=False)
    monkeypatch.setattr(reconcile_half, "SPLIT_FROM", 1)
    # This process's half believes the read models moved on after the other half read them.
    monkeypatch.setattr(runner, "position", lambda db: 10**9)
    scope = Scope("jigisemejiri", "2019-Q1")
    assert reconcile_half.reconciled_in_halves(paid_quarter.db, scope, tmp_path / "moved.csv") is None
    assert not (tmp_path / "moved.csv").exists()
    again = reconcile_cycle(paid_quarter, "jigisemejiri", "2019-Q1", out=tmp_path / "again.csv", record=False)
    assert again["digest"] == one["digest"] and again["categories"] == one["categories"]
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
