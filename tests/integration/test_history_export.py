"""An auditor's view: a household's history and the exported event log (both backends).

The pure parts (event to record, pseudonyms, --until parsing, summaries) are tested
at the end without a database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from ledger.audit import Audit
from ledger.errors import HouseholdNotFound
from workflows.corrections import manual_payment, reverse_payout
from workflows.cycles import compute_cycle, open_cycle
from workflows.disbursement import issue_payment_list
from workflows.export import (
    PseudonymisationKeyError, Pseudonymiser, event_record, export_events, load_pseudonymiser,
    parse_until, plain,
)
from workflows.history import household_history, summarise
from workflows.households import change_status
from workflows.payouts import import_payouts
from workflows.runtime import Ledger

from conftest import QUARTER_HOUSEHOLDS

CANONICAL = "operator_txn_id,reference,household_id,msisdn,amount,currency,paid_at,status,reason"
KEY = "a-secret-of-more-than-16-characters"


def _as(ledger: Ledger, actor: str, command: str) -> None:
    ledger.audit = Audit(actor=actor, command=command)


@pytest.fixture
def story(quarter: Ledger, tmp_path: Path) -> Ledger:
    """OM-1: enrolled, 2019-Q1 computed (the quarter fixture), suspended and reinstated,
    2019-Q2 computed, two payout lines (one reversed), then a manual payment."""
    _as(quarter, "bintou.field", "tledger household suspend OM-1")
    change_status(quarter, "OM-1", None, "suspend", date(2019, 4, 15), "duplicate under review")
    change_status(quarter, "OM-1", None, "reinstate", date(2019, 5, 20), "review cleared")
    _as(quarter, "amadou.finance", "pytest")
    open_cycle(quarter, "jigisemejiri", "2019-Q2")
    compute_cycle(quarter, "jigisemejiri", "2019-Q2")
    issue_payment_list(quarter, "jigisemejiri", "2019-Q1", "orange-money", tmp_path / "om-list.csv")
    reference = quarter.db.fetchone(
        "SELECT reference FROM tl_entitlements WHERE household_id = 'OM-1' AND cycle = '2019-Q1'")
    assert reference is not None
    (tmp_path / "om.csv").write_text("\n".join([
        CANONICAL,
        f"OM-T1,{reference[0]},,,30000,XOF,2019-04-02,success,",            # by our reference
        "OM-T2,,OM-1,76000001,30000,XOF,2019-04-03,failed,wallet closed",  # by household id
        "OM-T3,,OM-2,,30000,XOF,2019-04-02,success,",                      # someone else
    ]) + "\n", encoding="utf-8")
    import_payouts(quarter, tmp_path / "om.csv", "orange-money")
    _as(quarter, "kadiatou.controls", "tledger correct reverse OM-T1")
    reverse_payout(quarter, "orange-money", "OM-T1", "operator reversal notice 12")
    _as(quarter, "kadiatou.controls", "tledger correct manual-payment")
    manual_payment(quarter, "jigisemejiri", "2019-Q1", "OM-1", 30_000, datetime(2019, 4, 20), "cash at the mairie")
    return quarter


def test_history_shows_every_event_in_order(story: Ledger) -> None:
    rows = [e.as_dict() for e in household_history(story, "OM-1", None)]
    assert [(r["event"], r["aggregate"], r["version"]) for r in rows] == [
        ("Enrolled", "household OM-1", 1),
        ("Granted", "entitlement 2019-Q1", 1),
        ("Suspended", "household OM-1", 2),
        ("Reinstated", "household OM-1", 3),
        ("Granted", "entitlement 2019-Q2", 1),
        ("Reported", "payout line orange-money OM-T1", 1),
        ("Reported", "payout line orange-money OM-T2", 1),
        ("Reversed", "payout line orange-money OM-T1", 2),
        ("ManualPaymentRecorded", "entitlement 2019-Q1", 2),
    ]
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    who = [(r["actor"], r["reason"], r["source"]) for r in rows]
    assert who == [
        ("amadou.finance", None, "households.csv:2"),
        ("amadou.finance", None, None),
        ("bintou.field", "duplicate under review", None),
        ("bintou.field", "review cleared", None),
        ("amadou.finance", None, None),
        ("amadou.finance", None, "om.csv:2"),
        ("amadou.finance", "wallet closed", "om.csv:3"),
        ("kadiatou.controls", "operator reversal notice 12", None),
        ("kadiatou.controls", "cash at the mairie", None),
    ]
    assert rows[2]["command"] == "tledger household suspend OM-1"
    assert rows[2]["summary"] == "suspended from 2019-04-15"
    assert rows[4]["summary"].startswith("20 000 XOF due for 2019-Q2")  # May suspended on the 1st
    assert rows[6]["summary"].startswith("failed 30 000 XOF for 2019-Q1, paid 2019-04-03, matched to ")
    assert rows[8]["summary"].startswith("30 000 paid 2019-04-20 outside any file for 2019-Q1")
    assert set(rows[0]) == {"at", "event", "summary", "actor", "reason", "command", "source", "aggregate",
                            "version"}


def test_history_of_an_unknown_household(story: Ledger) -> None:
    with pytest.raises(HouseholdNotFound, match="household 'NOPE-1' is not enrolled"):
        household_history(story, "NOPE-1", None)
    with pytest.raises(HouseholdNotFound, match="household 'OM-1' is not enrolled in program 'pdazam'"):
        household_history(story, "OM-1", "pdazam")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_is_the_whole_log_with_its_chain(story: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    summary = export_events(story, out)
    records = _lines(out)
    last = story.app.recorder.max_notification_id()
    chain = dict(story.db.fetchall("SELECT position, hash FROM tl_chain ORDER BY position"))
    assert len(records) == summary.events == last
    assert [r["position"] for r in records] == list(range(1, last + 1))
    assert [r["hash"] for r in records] == [chain[r["position"]] for r in records]
    assert (summary.last_position, summary.chain_head) == (last, chain[last])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left
    enrolled = next(r for r in records if r["topic"] == "tledger:Household.Enrolled")
    assert enrolled["data"]["head_name"] == "Chef OM-1"
    assert enrolled["data"]["enrolled_on"] == "2019-01-01"
    assert enrolled["data"]["audit"]["file_name"] == "households.csv"
    assert {"originator_id", "originator_version", "timestamp"}.isdisjoint(enrolled["data"])
    reversed_ = next(r for r in records if r["topic"] == "tledger:PayoutLine.Reversed")
    assert (reversed_["actor"], reversed_["command"], reversed_["version"]) == (
        "kadiatou.controls", "tledger correct reverse OM-T1", 2)
    assert reversed_["data"]["reason"] == "operator reversal notice 12"


def test_export_until_cuts_at_a_timestamp(story: Ledger, tmp_path: Path) -> None:
    export_events(story, tmp_path / "all.jsonl")
    everything = _lines(tmp_path / "all.jsonl")
    stamps = sorted({datetime.fromisoformat(r["recorded_at"]) for r in everything})
    middle = len(stamps) // 2
    before, after = stamps[middle - 1], stamps[middle]
    for until in (before, before + (after - before) / 2):
        summary = export_events(story, tmp_path / "cut.jsonl", until=until)
        kept = _lines(tmp_path / "cut.jsonl")
        assert [r["position"] for r in kept] == [
            r["position"] for r in everything if datetime.fromisoformat(r["recorded_at"]) <= before]
        assert summary.events == len(kept) and 0 < len(kept) < len(everything)
        assert summary.last_position == kept[-1]["position"]
    naive = parse_until(before.replace(tzinfo=None).isoformat())
    assert export_events(story, tmp_path / "naive.jsonl", until=naive).events == len(kept)
    assert export_events(story, tmp_path / "none.jsonl", until=parse_until("2000-01-01")).events == 0
    assert export_events(story, tmp_path / "day.jsonl", until=parse_until(stamps[-1].date().isoformat())).events \
        == len(everything)


def test_export_pseudonymised(story: Ledger, tmp_path: Path) -> None:
    pseudonymiser = load_pseudonymiser({"TLEDGER_PSEUDONYMISATION_KEY": KEY})
    out = tmp_path / "pseudo.jsonl"
    assert export_events(story, out, pseudonymiser=pseudonymiser).pseudonymised
    raw = out.read_bytes()
    for household, msisdn, _ in QUARTER_HOUSEHOLDS:
        for secret in (f"Chef {household}", msisdn, f"+223{msisdn}"):
            assert secret.encode() not in raw, secret
    records = _lines(out)
    enrolled = next(r["data"] for r in records if r["topic"] == "tledger:Household.Enrolled"
                    and r["data"]["household_id"] == "OM-1")
    reported = next(r["data"] for r in records if r["topic"] == "tledger:PayoutLine.Reported"
                    and r["data"]["operator_txn_id"] == "OM-T2")
    expected = "hmac-sha256:" + hmac.new(KEY.encode(), b"+22376000001", hashlib.sha256).hexdigest()
    assert enrolled["msisdn"] == reported["msisdn"] == expected  # joins still work
    assert enrolled["head_name"].startswith("hmac-sha256:") and len(enrolled["head_name"]) == 12 + 64
    export_events(story, tmp_path / "again.jsonl", pseudonymiser=pseudonymiser)
    assert (tmp_path / "again.jsonl").read_bytes() == raw


def test_export_refuses_a_missing_or_short_key(story: Ledger, tmp_path: Path) -> None:
    for environ in ({}, {"TLEDGER_PSEUDONYMISATION_KEY": "short"}):
        with pytest.raises(PseudonymisationKeyError, match="at least 16 characters"):
            load_pseudonymiser(environ)
    assert list(tmp_path.glob("*.jsonl")) == []


# Pure parts: no database.

def test_plain_values() -> None:
    moment = datetime(2019, 4, 2, 10, 30, tzinfo=timezone.utc)
    assert plain({"d": date(2019, 1, 1), "t": moment, "u": UUID(int=1), "m": ("2019-01", "2019-02"),
                  "n": None, "nested": [{"x": (1, 2)}]}) == {
        "d": "2019-01-01", "t": "2019-04-02T10:30:00+00:00", "u": "00000000-0000-0000-0000-000000000001",
        "m": ["2019-01", "2019-02"], "n": None, "nested": [{"x": [1, 2]}]}
    with pytest.raises(TypeError, match="cannot export a value of type set"):
        plain({1})


def test_event_record_and_pseudonyms_without_a_database() -> None:
    event = SimpleNamespace(
        originator_id=UUID(int=7), originator_version=1, timestamp=datetime(2019, 1, 2, tzinfo=timezone.utc),
        head_name="Awa Traoré", msisdn="+22376123456", enrolled_on=date(2019, 1, 1),
        audit={"actor": "fatou", "command": "tledger enrol f.csv", "line": 2},
        rows=[{"msisdn": "+22376123456"}, {"msisdn": None}],
    )
    record = event_record(3, "tledger:Household.Enrolled", event, "ab" * 32, Pseudonymiser(KEY.encode()))
    assert {k: record[k] for k in ("position", "recorded_at", "aggregate_id", "version", "actor", "command")} \
        == {"position": 3, "recorded_at": "2019-01-02T00:00:00+00:00",
            "aggregate_id": "00000000-0000-0000-0000-000000000007", "version": 1, "actor": "fatou",
            "command": "tledger enrol f.csv"}
    data = record["data"]
    assert data["msisdn"] == data["rows"][0]["msisdn"] != Pseudonymiser(b"another key 16+ chars").pseudonym(
        "+22376123456")
    assert data["rows"][1]["msisdn"] is None
    assert "Awa" not in json.dumps(record, ensure_ascii=False)
    assert data["enrolled_on"] == "2019-01-01"


def test_parse_until() -> None:
    utc = timezone.utc
    assert parse_until("2019-04-01") == datetime(2019, 4, 1, 23, 59, 59, 999999, tzinfo=utc)
    assert parse_until("2019-04-01T12:00:00") == datetime(2019, 4, 1, 12, tzinfo=utc)
    assert parse_until("2019-04-01T12:00:00Z") == datetime(2019, 4, 1, 12, tzinfo=utc)
    assert parse_until("2019-04-01T12:00:00+02:00") == datetime(2019, 4, 1, 10, tzinfo=utc)
    with pytest.raises(ValueError, match="'01/04/2019' is not an ISO 8601 date or date-time"):
        parse_until("01/04/2019")


def test_summaries() -> None:
    adjusted = SimpleNamespace(cycle="2019-Q1", delta=-20_000, due=10_000)
    assert summarise("tledger:Entitlement.Adjusted", adjusted) == "due 2019-Q1 changed by -20 000 to 10 000"
    reported = SimpleNamespace(status="success", amount=30_000, currency="XOF", cycle="2019-Q1",
                               paid_at=datetime(2019, 4, 2, 9, 15), matched_reference=None, match="none")
    assert summarise("tledger:PayoutLine.Reported", reported) == (
        "success 30 000 XOF for 2019-Q1, paid 2019-04-02T09:15:00, matched no entitlement (none)")
    assert summarise("tledger:Cycle.Opened", SimpleNamespace()) == ""
