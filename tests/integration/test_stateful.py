"""Random sequences of real operations on a real ledger (SQLite and PostgreSQL), invariants after every step.

Enrol, change status, compute quarters, issue lists, import payout files built from them (paid, partial,
overpaid, duplicate, failed, pending, unknown and omitted lines) and again, correct, replay and verify. After
every step the books balance, the reports agree, the reconciliation partitions every cycle and the read models
equal a fresh derivation. Each example starts empty: a new SQLite file, or the run's PostgreSQL database emptied.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule,
                                run_state_machine_as_test)

from ledger.audit import Audit
from ledger.errors import CorrectionRefused, HouseholdNotFound, LedgerError, StatusChangeRefused
from projections.rebuild import compare, derive, replay, table_digest
from projections.schema import VIEW_TABLES
from workflows.corrections import REISSUABLE, correct_entitlement, reverse_payout
from workflows.cycles import compute_cycle, open_cycle
from workflows.disbursement import issue_payment_list
from workflows.enrolment import enrol_file
from workflows.households import change_status
from workflows.payouts import import_payouts
from workflows.programs import add_program
from workflows.reconcile import category_of, reconcile_cycle
from workflows.reports import accounts, balances, regions
from workflows.runtime import Ledger, open_ledger
from workflows.verify import verify

PROGRAM = "jigisemejiri"
PROGRAM_FILE = Path(__file__).resolve().parents[2] / "config" / "programs" / "jigisemejiri.toml"
POOL = tuple(f"HH-{n}" for n in range(1, 7))
OPERATORS = ("orange-money", "moov-money")
QUARTERS = tuple(f"2019-Q{n}" for n in range(1, 5))
OUTCOMES = ("omit", "paid", "partial", "overpaid", "duplicate", "failed", "pending")
KEYS = ("reference", "reference", "household_id", "msisdn")  # how a payout line names its payee
ENROLMENT_HEADER = "household_id,head_name,msisdn,region,circle,commune,village,operator,enrolled_on,productive"
PAYOUT_HEADER = "operator_txn_id,reference,household_id,msisdn,amount,currency,paid_at,status,reason"
ListRow = tuple[str, str, str, int]  # reference, household id, msisdn, amount: one line of a payment list
SETTINGS = settings(max_examples=150, stateful_step_count=15, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


class Enrolment(NamedTuple):  # one enrolment file: households enrolled on one day with one operator
    households: list[str]
    month: int
    day: int
    operator: str
    productive: bool


ENROLMENTS = st.builds(Enrolment, st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True),
                       st.integers(1, 12), st.integers(1, 28), st.sampled_from(OPERATORS), st.booleans())


class LedgerMachine(RuleBasedStateMachine):
    """One ledger per example. The model only steers the rules (enrolled ids, computed quarters; bundles
    of issued lists and imported files): everything asserted is read back from the ledger itself."""

    issued = Bundle("issued")  # (operator, rows) of a payment list as written
    imported = Bundle("imported")  # (path, operator) of a payout file that was recorded
    postgres_url: ClassVar[str | None] = None  # None: SQLite

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="tledger-stateful-"))
        if self.postgres_url:  # emptying the run's database is much cheaper than creating one
            with psycopg.connect(self.postgres_url, autocommit=True) as conn:
                conn.execute("DROP SCHEMA public CASCADE")
                conn.execute("CREATE SCHEMA public")
                # Test speed only (no crash here): commits need not wait for the WAL to reach the disk.
                conn.execute(f'ALTER DATABASE "{conn.info.dbname}" SET synchronous_commit = off')
        url = self.postgres_url or f"sqlite:///{self.tmp / 'ledger.db'}"
        self.ledger: Ledger = open_ledger(url, Audit(actor="awa.finance", command="stateful"))
        add_program(self.ledger, PROGRAM_FILE)
        self.files = 0
        self.households: set[str] = set()
        self.computed: set[str] = set()

    def teardown(self) -> None:
        self.ledger.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _path(self, stem: str) -> Path:
        self.files += 1
        return self.tmp / f"{self.files:03d}-{stem}.csv"

    def _position(self) -> int:
        return self.ledger.app.recorder.max_notification_id() or 0

    def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.ledger.db.fetchall(sql, params)

    # rules -------------------------------------------------------------------

    @initialize(target=issued, enrolment=ENROLMENTS, quarter=st.sampled_from(QUARTERS), data=st.data())
    def start(self, enrolment: Enrolment, quarter: str, data: st.DataObject) -> Any:
        """Every example starts with a few households enrolled, a quarter computed and a list issued."""
        self.enrol(enrolment)
        self.open_and_compute(quarter)
        return self.issue(data)

    @rule(enrolment=ENROLMENTS)
    def enrol(self, enrolment: Enrolment) -> None:
        """Enrol from a CSV file; ids already enrolled are skipped and nothing about them changes."""
        households, month, day, operator, productive = enrolment
        query = "SELECT household_id, operator, enrolled_on, productive FROM tl_households ORDER BY household_id"
        before = self._all(query)
        known = {row[0] for row in before}
        path = self._path("enrol")
        path.write_text(ENROLMENT_HEADER + "\n" + "".join(
            f"{h},Chef {h},7600{h[-1]:0>4},Kayes,Kita,{'Kita' if int(h[-1]) % 2 else 'Sefeto'},V1,{operator},"
            f"2019-{month:02d}-{day:02d},{'yes' if productive else 'no'}\n" for h in households), encoding="utf-8")
        report = enrol_file(self.ledger, PROGRAM, path)
        new = [h for h in households if h not in known]
        assert (report.enrolled, report.already_enrolled) == (len(new), len(households) - len(new))
        after = self._all(query)
        assert [row for row in after if row[0] in known] == before
        assert {row[0] for row in after} == known | set(households)
        self.households = known | set(households)

    @rule(action=st.sampled_from(("exit", "suspend", "reinstate")), day=st.integers(0, 364), data=st.data())
    def change_household_status(self, action: str, day: int, data: st.DataObject) -> None:
        """Exit, suspend or reinstate (mostly an enrolled household); what does not fit is refused."""
        household = data.draw(st.sampled_from(sorted(self.households)) | st.sampled_from(POOL), label="household")
        try:
            result = change_status(self.ledger, household, PROGRAM, action, date(2019, 1, 1) + timedelta(day),
                                   "stateful test")
        except (StatusChangeRefused, HouseholdNotFound):
            return
        assert result["status"] == {"exit": "exited", "suspend": "suspended", "reinstate": "active"}[action]

    @rule(quarter=st.sampled_from(QUARTERS))
    def open_and_compute(self, quarter: str) -> None:
        """Open and compute a quarter; computing it again at once adds nothing."""
        open_cycle(self.ledger, PROGRAM, quarter)
        compute_cycle(self.ledger, PROGRAM, quarter)
        assert compute_cycle(self.ledger, PROGRAM, quarter)["added"] == {"count": 0, "amount": 0}
        self.computed.add(quarter)

    @rule(target=issued, data=st.data())
    def issue(self, data: st.DataObject) -> Any:
        """Issue a list (mostly of a computed quarter, for an operator paying in it): what is due to the
        operator's households, then its re-issues; refused when the quarter is not open or nothing is due."""
        quarter = data.draw(st.sampled_from(sorted(self.computed)) | st.sampled_from(QUARTERS), label="quarter")
        paying = [op for (op,) in self._all(
            "SELECT DISTINCT operator FROM tl_entitlements WHERE cycle = ? ORDER BY operator", (quarter,))]
        operator = data.draw(st.sampled_from(paying or OPERATORS) | st.sampled_from(OPERATORS), label="operator")
        path = self._path(f"list-{operator}-{quarter}")
        due = self._all(
            "SELECT COUNT(*), COALESCE(SUM(due), 0) FROM tl_entitlements WHERE program = ? AND operator = ? "
            "AND cancelled = 0 AND ((cycle = ? AND due > 0) OR (cycle <> ? AND reissue_pending = 1))",
            (PROGRAM, operator, quarter, quarter))[0]
        refusal = "is not open" if quarter not in self.computed else "nothing to issue" if not due[0] else None
        if refusal:
            with pytest.raises(LedgerError, match=refusal):
                issue_payment_list(self.ledger, PROGRAM, quarter, operator, path)
            return multiple()
        result = issue_payment_list(self.ledger, PROGRAM, quarter, operator, path)
        with path.open(encoding="utf-8") as handle:
            rows = [(r["reference"], r["household_id"], r["msisdn"], int(r["amount"]))
                    for r in csv.DictReader(handle)]
        assert (result["count"], result["amount"]) == (len(rows), sum(r[3] for r in rows)) == tuple(due)
        return (operator, tuple(rows))

    @rule(target=imported, listed=issued, data=st.data())
    def import_payout_file(self, listed: tuple[str, tuple[ListRow, ...]], data: st.DataObject) -> Any:
        """Import the operator's confirmations of a random subset of an issued list, maybe an unknown line."""
        operator, rows = listed
        plan = data.draw(st.lists(st.tuples(st.sampled_from(OUTCOMES), st.sampled_from(KEYS)),
                                  min_size=len(rows), max_size=len(rows)), label="plan")
        path = self._path(f"payouts-{operator}")
        lines: list[str] = []

        def line(key: str, row: ListRow, amount: int, status: str) -> None:
            payee = ",".join(value if key == name else "" for name, value in zip(KEYS[1:], row[:3]))
            lines.append(f"T{path.name[:3]}-{len(lines)},{payee},{amount},XOF,2019-12-20,{status},")

        for row, (outcome, key) in zip(rows, plan):
            if outcome == "omit" or row[3] <= 0:
                continue
            amount = {"partial": max(1, row[3] // 2), "overpaid": row[3] + 5_000}.get(outcome, row[3])
            line(key, row, amount, outcome if outcome in ("failed", "pending") else "success")
            if outcome == "duplicate":
                line("reference", row, row[3], "success")  # a second transaction, same reference
        if not lines or data.draw(st.booleans(), label="unknown line"):
            line("reference", ("19Q1ZZZZZZZZZZZZ", "", "", 0), 7_000, "success")
        path.write_text(PAYOUT_HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        report = import_payouts(self.ledger, path, operator)
        assert (report.recorded, report.skipped_duplicates, report.already_imported) == (len(lines), 0, False)
        return (path, operator)

    @rule(imported_file=imported, copy=st.booleans())
    def import_again(self, imported_file: tuple[Path, str], copy: bool) -> None:
        """The same bytes again (under the same or another name) record nothing."""
        path, operator = imported_file
        if copy:
            path = Path(shutil.copy(path, self._path("copy")))
        before = self._position()
        report = import_payouts(self.ledger, path, operator)
        assert report.already_imported and report.recorded == 0
        assert self._position() == before

    @rule(data=st.data())
    def correct(self, data: st.DataObject) -> None:
        """Adjust, cancel, pay manually, re-issue, or reverse a payout line: refused exactly when the
        entitlement is cancelled, a re-issue is of a settled one, or a reversal is of a non-success."""
        action = data.draw(st.sampled_from(("adjust", "cancel", "manual_payment", "reissue", "reverse")), "action")
        if action == "reverse":
            lines = self._all("SELECT operator, operator_txn_id, status, reversed FROM tl_payout_lines "
                              "WHERE manual = 0 ORDER BY operator, operator_txn_id")
            if lines:
                operator, txn_id, status, reversed_ = data.draw(st.sampled_from(lines), label="line")
                self._refused_if(status != "success" or bool(reversed_), reverse_payout, self.ledger, operator,
                                 txn_id, "operator notice")
            return
        entitlements = self._all("SELECT cycle, household_id, due, cancelled FROM tl_entitlements "
                                 "ORDER BY cycle, household_id")
        if not entitlements:
            return
        cycle, household, due, cancelled = data.draw(st.sampled_from(entitlements), label="entitlement")
        kwargs: dict[str, Any] = {"reason": "stateful test"}
        if action == "adjust":
            kwargs["delta"] = data.draw(st.integers(-due, 30_000).filter(bool), label="delta")
        elif action == "manual_payment":
            kwargs |= {"amount": data.draw(st.integers(1, 60_000), label="amount"), "paid_at": datetime(2019, 12, 1)}
        refused = bool(cancelled) or (
            action == "reissue" and category_of(self.ledger, PROGRAM, cycle, household) not in REISSUABLE)
        self._refused_if(refused, correct_entitlement, self.ledger, PROGRAM, cycle, household, action, **kwargs)

    @staticmethod
    def _refused_if(refused: bool, correction: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run the correction, which must raise CorrectionRefused exactly when ``refused``."""
        try:
            correction(*args, **kwargs)
        except CorrectionRefused:
            assert refused, "refused unexpectedly"
            return
        assert not refused, "accepted although it should have been refused"

    @rule(replay_first=st.booleans(), expect_head=st.booleans())
    def verify_ledger(self, replay_first: bool, expect_head: bool) -> None:
        """Chain, read models and trial balance verify (also against the chain head kept from before),
        after a replay if asked: rebuilding every read model from the events must change nothing."""
        head = verify(self.ledger)["chain_head"]
        if replay_first:
            before = {table: table_digest(self.ledger.db, table) for table in VIEW_TABLES}
            replay(self.ledger.app, self.ledger.db)
            assert {table: table_digest(self.ledger.db, table) for table in VIEW_TABLES} == before
        result = verify(self.ledger, expect=f"{head['position']}:{head['hash']}" if expect_head else None)
        assert result["ok"], result["problems"]

    # invariants --------------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        """Trial balance zero, payable = outstanding, and per-household balances agree with the regions."""
        trial = accounts(self.ledger.db)
        assert trial["total"] == 0 and trial["payable_matches_outstanding"], trial
        households = balances(self.ledger.db, None)
        for household in households:
            assert household["outstanding"] == household["entitled"] - household["paid"], household
        areas = regions(self.ledger.db, None)
        for key in ("entitled", "paid", "outstanding"):
            assert sum(h[key] for h in households) == sum(a[key] for a in areas), key
        assert sum(a["households"] for a in areas) == len(households)
        assert sum(h["outstanding"] for h in households) == trial["outstanding_entitlements"]

    @invariant()
    def reconciliation_partitions_every_cycle(self) -> None:
        """Each entitlement of a cycle has exactly one category; each unmatched line counts once as unknown."""
        for cycle, entitlements, unmatched in self._all(
            "SELECT c.label, (SELECT COUNT(*) FROM tl_entitlements e WHERE e.program = c.program "
            "AND e.cycle = c.label), (SELECT COUNT(*) FROM tl_payout_lines l WHERE l.program = c.program "
            "AND l.cycle = c.label AND l.matched_reference IS NULL) FROM tl_cycles c ORDER BY c.label"
        ):
            categories = reconcile_cycle(self.ledger, PROGRAM, cycle, record=False)["categories"]
            assert sum(n for name, n in categories.items() if name != "unknown") == entitlements, categories
            assert categories["unknown"] == unmatched, categories

    @invariant()
    def read_models_equal_a_fresh_derivation(self) -> None:
        """The live read models equal the read models derived afresh from the events."""
        fresh = derive(self.ledger.app, self.ledger.db)
        try:
            assert compare(self.ledger.db, fresh) == []
        finally:
            fresh.close()


def test_stateful_sqlite() -> None:
    """Random operation sequences on SQLite (a new temporary file per example)."""
    run_state_machine_as_test(LedgerMachine, settings=SETTINGS)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_stateful_postgresql(db_url: str) -> None:
    """Random operation sequences on PostgreSQL: the run's database comes from tests/conftest.py (created,
    dropped, skipped locally or failed under CI=true without a server) and is emptied for each example."""

    class OnPostgres(LedgerMachine):
        postgres_url = db_url

    run_state_machine_as_test(OnPostgres, settings=SETTINGS)
