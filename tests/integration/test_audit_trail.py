"""Replay, point-in-time answers, crash consistency and tamper evidence, on both backends."""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from ledger.audit import Audit
from ledger.disbursement_services import AttributedLine
from projections import chain, follower, pipeline, runner
from projections.database import Database
from projections.log import read_log
from projections.rebuild import compare, derive, replay, table_digest
from projections.schema import INDEX_NAMES, VIEW_TABLES, VIEWS_VERSION
from workflows.as_of import books_as_of
from workflows.corrections import correct_entitlement
from workflows.disbursement import issue_payment_list
from workflows.households import show_household
from workflows.payouts import import_payouts
from workflows.reports import accounts, cycles
from workflows.runtime import Ledger, open_ledger
from workflows.verify import check_chain, verify

CANONICAL = "operator_txn_id,reference,household_id,msisdn,amount,currency,paid_at,status,reason"


def _digests(db: Database) -> dict[str, tuple[int, str]]:
    return {table: table_digest(db, table) for table in VIEW_TABLES}


@pytest.fixture
def paid(quarter: Ledger, tmp_path: Path) -> Ledger:
    out = tmp_path / "om.csv"
    issue_payment_list(quarter, "jigisemejiri", "2019-Q1", "orange-money", out)
    refs = {r["household_id"]: r["reference"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    confirmations = tmp_path / "conf.csv"
    confirmations.write_text(
        f"{CANONICAL}\nT1,{refs['OM-1']},,,30000,XOF,2019-04-02,success,\n"
        f"T2,{refs['OM-2']},,,10000,XOF,2019-04-02,success,\nT3,,NOBODY,,5000,XOF,2019-04-02,success,\n",
        encoding="utf-8",
    )
    import_payouts(quarter, confirmations, "orange-money")
    return quarter


def test_replay_equals_the_incremental_read_models(paid: Ledger) -> None:
    before = _digests(paid.db)
    replay(paid.app, paid.db)
    assert _digests(paid.db) == before
    fresh = derive(paid.app, paid.db)
    assert compare(paid.db, fresh) == []
    fresh.close()


def test_read_models_of_an_older_version_are_rebuilt_when_the_ledger_opens(paid: Ledger, db_url: str) -> None:
    """What an upgrade does to an existing database: same books, read models at this version."""
    before = _digests(paid.db)
    paid.db.execute("UPDATE tl_tracking SET position = ? WHERE name = 'views-version'", (VIEWS_VERSION - 1,))
    paid.db.execute("DELETE FROM tl_payout_lines")  # what an older version held is not kept
    with open_ledger(db_url, Audit("amadou.finance", "pytest")) as upgraded:
        version = upgraded.db.fetchone("SELECT position FROM tl_tracking WHERE name = 'views-version'")
        assert version == (VIEWS_VERSION,)
        upgraded.catch_up()
        assert _digests(upgraded.db) == before
        assert verify(upgraded)["ok"]


def test_a_replay_on_two_processes_equals_the_incremental_read_models(
    paid: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _digests(paid.db)
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 3)  # many batches through the second process
    # Recorded without a catch-up, so the chain does not link it yet: the ordinary catch-up takes
    # it after the pipeline.
    paid.app.correct_entitlement("jigisemejiri", "2019-Q1", "OM-4", "adjust", paid.audit, delta=5_000, reason="x")
    count = replay(paid.app, paid.db, parallel_from=0)
    assert count == paid.app.recorder.max_notification_id()
    fresh = derive(paid.app, paid.db)
    assert compare(paid.db, fresh) == []
    fresh.close()
    assert _digests(paid.db) != before  # the adjustment is in the rebuilt read models
    assert set(INDEX_NAMES) <= _index_names(paid.db)
    if paid.db.dialect == "postgresql":  # rebuilt with room for in-place updates (schema.py)
        row = paid.db.fetchone("SELECT reloptions FROM pg_class WHERE relname = 'tl_entitlements'")
        assert row == (["fillfactor=50"],)


def _index_names(db: Database) -> set[str]:
    if db.dialect == "postgresql":
        return {str(r[0]) for r in db.fetchall("SELECT indexname FROM pg_indexes")}
    return {str(r[0]) for r in db.fetchall("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_trial_balance_is_zero_and_payable_equals_outstanding(paid: Ledger) -> None:
    balance = accounts(paid.db)
    assert balance["total"] == 0
    assert {a["account"]: a["balance"] for a in balance["accounts"]} == {
        "benefits-expense:jigisemejiri": 300_000,
        "household-payable:jigisemejiri": -300_000 + 40_000,
        "operator-clearing:jigisemejiri:orange-money": -45_000,
        "unmatched-payouts:jigisemejiri:orange-money": 5_000,
    }
    assert balance["outstanding_entitlements"] == 260_000 and balance["payable_matches_outstanding"]


def test_as_of_answers_before_and_after_a_correction(paid: Ledger) -> None:
    moment = datetime.now(timezone.utc)
    correct_entitlement(paid, "jigisemejiri", "2019-Q1", "OM-2", "adjust", delta=-20_000, reason="exit in January")
    then = books_as_of(paid, moment)
    try:
        old = show_household(paid, "OM-2", None, then)
        old_cycles = cycles(then, None)
    finally:
        then.close()
    now = show_household(paid, "OM-2", None)
    assert (old["entitled_total"], old["entitlements"][0]["category"]) == (30_000, "partial")
    assert (now["entitled_total"], now["entitlements"][0]["category"]) == (10_000, "paid")
    assert old_cycles[0]["expected"] == {"count": 10, "amount": 300_000}
    assert cycles(paid.db, None)[0]["expected"] == {"count": 10, "amount": 280_000}
    before_everything = books_as_of(paid, datetime(2000, 1, 1, tzinfo=timezone.utc))
    try:
        assert cycles(before_everything, None) == []
    finally:
        before_everything.close()


def test_a_crash_between_view_rows_and_tracking_leaves_nothing_counted_twice(
    paid: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    correct_entitlement(paid, "jigisemejiri", "2019-Q1", "OM-3", "cancel", reason="error")  # caught up
    paid.app.correct_entitlement("jigisemejiri", "2019-Q1", "OM-4", "adjust", paid.audit, delta=5_000, reason="x")
    original = Database.execute

    def crash_on_tracking(self: Database, statement: str, params: Any = ()) -> Any:
        if statement.startswith("UPDATE tl_tracking"):
            raise RuntimeError("simulated crash after the view rows, before the tracking position")
        return original(self, statement, params)

    monkeypatch.setattr(Database, "execute", crash_on_tracking)
    with pytest.raises(RuntimeError, match="simulated crash"):
        runner.catch_up(paid.app, paid.db)
    monkeypatch.undo()
    assert runner.lag(paid.app, paid.db) == 1  # the batch was rolled back whole
    runner.catch_up(paid.app, paid.db)
    fresh = derive(paid.app, paid.db)
    assert compare(paid.db, fresh) == []
    fresh.close()
    assert accounts(paid.db)["total"] == 0


def test_verify_passes_on_an_untouched_ledger(paid: Ledger) -> None:
    result = verify(paid)
    assert result["ok"] and result["problems"] == []
    head = result["chain_head"]
    assert head["position"] == paid.app.recorder.max_notification_id()
    assert verify(paid, expect=f"{head['position']}:{head['hash']}")["ok"]
    wrong = verify(paid, expect="1:" + "0" * 64)
    assert not wrong["ok"] and wrong["problems"][0].startswith("chain head is ")


def _id_column(ledger: Ledger) -> str:
    return "notification_id" if ledger.db.dialect == "postgresql" else "rowid"


def _events(ledger: Ledger) -> str:
    return str(ledger.app.recorder.events_table_name)  # type: ignore[attr-defined]


def _tamper_edit(ledger: Ledger, position: int) -> None:
    column = _id_column(ledger)
    row = ledger.db.fetchone(f"SELECT state FROM {_events(ledger)} WHERE {column} = ?", (position,))
    assert row is not None
    state = bytes(row[0])
    assert b"30000" in state
    ledger.db.execute(f"UPDATE {_events(ledger)} SET state = ? WHERE {column} = ?",
                      (state.replace(b"30000", b"90000", 1), position))


def _tamper_delete(ledger: Ledger, position: int) -> None:
    ledger.db.execute(f"DELETE FROM {_events(ledger)} WHERE {_id_column(ledger)} = ?", (position,))


def _tamper_insert(ledger: Ledger, position: int) -> None:
    column = _id_column(ledger)
    ledger.db.execute(
        f"INSERT INTO {_events(ledger)} (originator_id, originator_version, topic, state) "
        f"SELECT originator_id, originator_version + 100, topic, state FROM {_events(ledger)} WHERE {column} = ?",
        (position,),
    )


def _tamper_reorder(ledger: Ledger, position: int) -> None:
    column = _id_column(ledger)
    ledger.db.execute(f"UPDATE {_events(ledger)} SET {column} = -1 WHERE {column} = ?", (position,))
    ledger.db.execute(f"UPDATE {_events(ledger)} SET {column} = ? WHERE {column} = ?", (position, position + 1))
    ledger.db.execute(f"UPDATE {_events(ledger)} SET {column} = ? WHERE {column} = -1", (position + 1,))


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_tamper_edit, "position {p}: the stored event was altered or moved"),
        (_tamper_delete, "position {p}: the event recorded there is missing (deleted)"),
        (_tamper_insert, "positions {n}..{n}: 1 events appended without being chained"),
        (_tamper_reorder, "position {p}: the stored event was altered or moved"),
    ],
)
def test_tampering_in_the_database_is_detected(paid: Ledger, tamper: Any, message: str) -> None:
    position = _first_entitlement_position(paid)
    last = paid.app.recorder.max_notification_id() or 0
    allow_tampering(paid)
    tamper(paid, position)
    result = verify(paid)
    assert not result["ok"]
    assert result["problems"][0].startswith(message.format(p=position, n=last + 1))


def _first_entitlement_position(ledger: Ledger) -> int:
    for notification in ledger.app.recorder.select_notifications(start=None, limit=1000):
        if notification.topic == "tledger:Entitlement.Granted":
            return int(notification.id)
    raise AssertionError("no entitlement recorded")


def allow_tampering(ledger: Ledger) -> None:
    """Tests play the attacker: switch off the database's own immutability guard if there is one."""
    if ledger.db.dialect == "postgresql":
        for name in ledger.db.fetchall(
            f"SELECT tgname FROM pg_trigger WHERE tgrelid = '{_events(ledger)}'::regclass AND NOT tgisinternal"
        ):
            ledger.db.execute(f'ALTER TABLE {_events(ledger)} DISABLE TRIGGER "{name[0]}"')
    else:
        for name in ledger.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            ledger.db.execute(f'DROP TRIGGER "{name[0]}"')


def test_accounts_split_what_is_still_owed_from_what_was_overpaid(paid: Ledger, tmp_path: Path) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text(f"{CANONICAL}\nT9,,OM-1,,30000,XOF,2019-04-05,success,\n", encoding="utf-8")
    import_payouts(paid, extra, "orange-money")  # OM-1 paid twice: 30,000 overpaid
    balance = accounts(paid.db)
    assert (balance["still_owed"], balance["overpaid"]) == (260_000, 30_000)
    assert balance["outstanding_entitlements"] == 260_000 - 30_000 and balance["payable_matches_outstanding"]


def test_bulk_writes_with_a_follower_process_leave_the_same_books(
    ledger: Ledger, enrolment_csv: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enrolment, computation and import with a second process applying events meanwhile."""
    from workflows import runtime
    from workflows.cycles import compute_cycle, open_cycle
    from workflows.enrolment import enrol_file
    from workflows.programs import add_program

    monkeypatch.setattr(runtime, "FOLLOW_FROM", 0)
    monkeypatch.setattr(follower, "FOLLOW_BATCH", 2)  # the follower applies many small batches
    add_program(ledger, Path(__file__).parents[2] / "config" / "programs" / "jigisemejiri.toml")
    rows = [f"H-{n},Chef {n},,Kayes,Kita,Kita,Kita 1,orange-money,2019-01-01,no" for n in range(1, 13)]
    enrol_file(ledger, "jigisemejiri", enrolment_csv(rows))
    assert runner.lag(ledger.app, ledger.db) == 0
    open_cycle(ledger, "jigisemejiri", "2019-Q1")
    assert compute_cycle(ledger, "jigisemejiri", "2019-Q1")["added"]["count"] == 12
    out = tmp_path / "om.csv"
    issue_payment_list(ledger, "jigisemejiri", "2019-Q1", "orange-money", out)
    refs = [r["reference"] for r in csv.DictReader(out.open(encoding="utf-8"))]
    confirmations = tmp_path / "conf.csv"
    confirmations.write_text(
        CANONICAL + "\n" + "".join(f"T{n},{ref},,,30000,XOF,2019-04-02,success,\n" for n, ref in enumerate(refs)),
        encoding="utf-8",
    )
    assert import_payouts(ledger, confirmations, "orange-money").recorded == 12
    assert runner.lag(ledger.app, ledger.db) == 0
    assert cycles(ledger.db, "jigisemejiri")[0]["paid"]["amount"] == 360_000
    fresh = derive(ledger.app, ledger.db)
    assert compare(ledger.db, fresh) == []
    fresh.close()
    assert verify(ledger)["ok"] is True


def _lines(count: int) -> list[AttributedLine]:
    return [
        AttributedLine(
            line=n + 2, operator_txn_id=f"T{n}", program="jigisemejiri", cycle="2019-Q1", reference=None,
            household_id=f"H-{n}", msisdn=None, amount=1_000 + n, currency="XOF", paid_at=None, status="success",
            reason=None, matched_reference=None, match="none",
        )
        for n in range(count)
    ]


def test_the_follower_itself_applies_a_bulk_block_reading_ahead(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The follower process, not this one, brings the read models up to date, in batches read and
    decoded while the one before is written. (A follower that fails leaves its work to the
    command's own catch-up: on SQLite a read-ahead connection used from the wrong thread went
    unnoticed that way.)"""
    monkeypatch.setattr(follower, "FOLLOW_BATCH", 3)
    lines, audit = _lines(20), Audit("amadou.finance", "pytest").for_file("0" * 64, "om.csv")
    with follower.following(ledger.app, ledger.db, changed=("tl_payout_lines",)):
        for start in range(0, 20, 5):
            ledger.app.record_payout_lines("orange-money", lines[start:start + 5], audit)
    assert runner.lag(ledger.app, ledger.db) == 0  # nothing here caught up: the follower did it all
    rows = ledger.db.fetchall("SELECT operator_txn_id, amount, line, file_name FROM tl_payout_lines ORDER BY line")
    assert rows == [(f"T{n}", 1_000 + n, n + 2, "om.csv") for n in range(20)]
    fresh = derive(ledger.app, ledger.db)
    assert compare(ledger.db, fresh) == []
    fresh.close()
    assert verify(ledger)["ok"] is True


def test_a_read_ahead_catch_up_starts_again_where_another_process_left_the_read_models(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a batch is read ahead, another process may apply the one this catch-up meant to
    apply: the batch read ahead is dropped and reading starts again from the read models'
    position, so no event is applied twice or skipped."""
    ledger.app.record_payout_lines("orange-money", _lines(10), Audit("amadou.finance", "pytest"))
    other = Database(ledger.db.url)
    real_apply = runner.apply_prepared
    calls: list[int] = []

    def another_process_first(db: Database, start: int, end: int, *args: Any) -> bool:
        calls.append(start)
        if len(calls) == 2:  # the second batch: another process applies events meanwhile
            runner.catch_up(ledger.app, other, batch_size=4, analyze=False)
        return real_apply(db, start, end, *args)

    monkeypatch.setattr(runner, "apply_prepared", another_process_first)
    ahead = Database(ledger.db.url, any_thread=True)
    applied = runner.catch_up(ledger.app, ledger.db, batch_size=3, ahead=ahead, analyze=False)
    ahead.close()
    other.close()
    assert applied < 10 and runner.lag(ledger.app, ledger.db) == 0
    assert ledger.db.fetchall("SELECT count(*), sum(amount) FROM tl_payout_lines") == [(10, sum(range(1_000, 1_010)))]
    fresh = derive(ledger.app, ledger.db)
    assert compare(ledger.db, fresh) == []
    fresh.close()
    assert verify(ledger)["ok"] is True


def test_chain_links_made_ahead_from_another_head_are_made_again(ledger: Ledger) -> None:
    """Links hashed before their transaction are used only if the chain's head is still the one
    they were made from; otherwise they are made again from the real head."""
    ledger.app.record_payout_lines("orange-money", _lines(4), Audit("amadou.finance", "pytest"))
    runner.catch_up(ledger.app, ledger.db, batch_size=2, analyze=False)
    ledger.app.record_payout_lines("orange-money", _lines(6)[4:], Audit("amadou.finance", "pytest"))
    notifications = read_log(ledger.db, runner.events_table(ledger.app), runner.position(ledger.db), 10)
    stale = chain.Links((1, "f" * 64), [(n.id, "0" * 64) for n in notifications])
    with ledger.db.transaction():
        chain.extend(ledger.db, notifications, stale)
    assert "0" * 64 not in {h for (h,) in ledger.db.fetchall("SELECT hash FROM tl_chain")}
    assert check_chain(ledger) == ([], 6, 0)  # every event linked, each link right
