"""Concurrency on PostgreSQL: real ``tledger`` processes released at the same moment.

Each process imports the CLI, says it is ready, and waits for a start file; all are then
released together. Every command must succeed or fail cleanly (exit code 1, ``Error: ...``,
no traceback; a failed one is run again, as a person would), and afterwards the totals must
be exactly those of a sequential run: each payout line and each household recorded once,
the same reconciliation, and ``tledger verify`` passing.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from cli.main import cli
from conftest import PROGRAMS
from ledger.audit import Audit
from workflows.cycles import compute_cycle, open_cycle
from workflows.disbursement import issue_payment_list
from workflows.enrolment import enrol_file
from workflows.operator_files import simulate, write_canonical_csv
from workflows.programs import add_program
from workflows.runtime import open_ledger
from workflows.synthetic import write_enrolment_csv

HOUSEHOLDS = 20_000  # several write batches per command, so the processes interleave
PROGRAM, PAID, COMPUTED = "jigisemejiri", "2019-Q2", "2019-Q3"
OPERATORS = ("orange-money", "moov-money")
TOPICS = ("tledger:Household.Enrolled", "tledger:EnrolmentFile.Imported", "tledger:Entitlement.Granted",
          "tledger:Cycle.Computed", "tledger:PayoutLine.Reported", "tledger:PayoutFile.Imported")
AUDIT = Audit(actor="concurrency.test", command="pytest")
# Import the CLI, say "ready", wait for the start file, then run the command.
LAUNCH = ("import os, sys, time\nfrom cli.main import main\nready, go = sys.argv.pop(1), sys.argv.pop(1)\n"
          "open(ready, 'w').close()\nwhile not os.path.exists(go):\n    time.sleep(0.001)\n"
          "sys.argv[0] = 'tledger'\nmain()\n")


@dataclass(frozen=True)
class Outcome:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def clean(self) -> bool:
        """Succeeded, or failed with exit code 1 and an ``Error:`` line, never a traceback."""
        return "Traceback" not in self.stderr and (self.code == 0 or (
            self.code == 1 and any(line.startswith("Error: ") for line in self.stderr.splitlines())))


@pytest.fixture(scope="module")
def fresh_database(pg_admin: str) -> Iterator[Callable[[], str]]:
    """Create fresh PostgreSQL databases (dropped at the end); fails under CI=true without a server."""
    created: list[str] = []

    def create() -> str:
        name = f"tledger_test_concurrency_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"{pg_admin.rpartition('/')[0]}/{name}"

    yield create
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def together(url: str, commands: list[tuple[str, ...]], tmp_path: Path) -> list[Outcome]:
    """Start every command, release them at once, wait for all; every process is ended in finally."""
    run = tmp_path / f"run-{uuid.uuid4().hex[:6]}"
    run.mkdir()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for number, args in enumerate(commands):
            with (run / f"{number}.out").open("w") as out, (run / f"{number}.err").open("w") as err:
                processes.append(subprocess.Popen(
                    [sys.executable, "-c", LAUNCH, str(run / f"ready-{number}"), str(run / "go"),
                     "--db", url, "--actor", f"clerk-{number}", *args], stdout=out, stderr=err, cwd=run))
        deadline = time.monotonic() + 60
        while not all((run / f"ready-{n}").exists() for n in range(len(commands))):
            for number, process in enumerate(processes):
                assert process.poll() is None, f"exited before the start: {(run / f'{number}.err').read_text()}"
            assert time.monotonic() < deadline, "the processes never became ready"
            time.sleep(0.005)
        (run / "go").touch()
        codes = [p.wait(timeout=180) for p in processes]  # a deadlock fails here
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return [Outcome(args, code, (run / f"{n}.out").read_text(), (run / f"{n}.err").read_text())
            for n, (args, code) in enumerate(zip(commands, codes))]


def settle(url: str, outcomes: list[Outcome]) -> str:
    """Check every outcome is clean; run the failed ones again (they must then succeed)."""
    lines = []
    for outcome in outcomes:
        assert outcome.clean(), f"tledger {' '.join(outcome.args)} -> {outcome.code}:\n{outcome.stderr}"
        lines.append(f"{' '.join(outcome.args[:2])}: exit {outcome.code} {outcome.stderr.strip()[:300]}")
        if outcome.code != 0:
            again = invoke(url, *outcome.args, check=False)
            assert again.exit_code == 0, f"run again after a clean failure: {again.output}"
    return "\n".join(lines)


def invoke(url: str, *args: str, check: bool = True) -> Any:
    """The CLI in-process; with ``check``, exit 0 required and the JSON output returned."""
    result = CliRunner().invoke(cli, ["--db", url, "--actor", "concurrency.test", *args])
    if not check:
        return result
    assert result.exit_code == 0, f"tledger {' '.join(args)}: {result.output}"
    return json.loads(result.stdout)


def totals(url: str, cycles: tuple[str, ...] = ()) -> dict[str, Any]:
    """Event counts, read-model counts, money and reconciliation; ``tledger verify`` must pass."""
    with open_ledger(url, AUDIT) as ledger:
        table = ledger.app.recorder.events_table_name  # type: ignore[attr-defined]
        counts = dict(ledger.db.fetchall(f"SELECT topic, COUNT(*) FROM {table} GROUP BY topic"))
        rows = {name: ledger.db.fetchone(f"SELECT COUNT(*) FROM {name}") for name in
                ("tl_households", "tl_entitlements", "tl_payout_lines", "tl_payout_files")}
    found: dict[str, Any] = {
        "events": {topic: int(counts.get(topic, 0)) for topic in TOPICS},
        "rows": {name: int(row[0]) if row else 0 for name, row in rows.items()},
        "accounts": invoke(url, "report", "accounts", "--json")["accounts"],
    }
    for label in cycles:
        found[label] = invoke(url, "cycle", "show", PROGRAM, label, "--json")["entitlements"]
    if cycles:
        summary = invoke(url, "reconcile", PROGRAM, PAID, "--json")
        found["reconcile"] = {k: summary[k] for k in ("paid", "outstanding", "categories", "digest")}
    verified = invoke(url, "verify", check=False)
    assert verified.exit_code == 0, verified.output
    return found


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The enrolment file (seeded, households alternating between the two operators); the payout
    files are written from the first issued lists."""
    work = tmp_path_factory.mktemp("concurrency")
    write_enrolment_csv(work / "mixed.csv", HOUSEHOLDS, seed=2019, spread_months=3)
    with (work / "mixed.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    with (work / "enrolment.csv").open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "operator": OPERATORS[n % 2]} for n, row in enumerate(rows))
    return work


def prepare(url: str, work: Path) -> None:
    """Households enrolled, 2019-Q2 computed and its lists issued (payout files written), 2019-Q3 open."""
    with open_ledger(url, AUDIT) as ledger:
        add_program(ledger, PROGRAMS / f"{PROGRAM}.toml")
        enrol_file(ledger, PROGRAM, work / "enrolment.csv")
        open_cycle(ledger, PROGRAM, PAID)
        compute_cycle(ledger, PROGRAM, PAID)
        for number, operator in enumerate(OPERATORS):
            listed = work / f"list-{operator}-{uuid.uuid4().hex[:6]}.csv"
            issue_payment_list(ledger, PROGRAM, PAID, operator, listed)
            if not (work / f"payouts-{operator}.csv").exists():
                write_canonical_csv(work / f"payouts-{operator}.csv",
                                    simulate(listed, seed=number, prefix=operator[:2].upper()))
        open_cycle(ledger, PROGRAM, COMPUTED)


def payouts(work: Path, operator: str) -> tuple[str, ...]:
    return ("payouts", "import", str(work / f"payouts-{operator}.csv"), "--operator", operator, "--json")


COMPUTE = ("cycle", "compute", PROGRAM, COMPUTED, "--json")


@pytest.fixture(scope="module")
def sequential(fresh_database: Callable[[], str], inputs: Path) -> dict[str, dict[str, Any]]:
    """Totals of the same commands run one after the other on another fresh database."""
    url = fresh_database()
    prepare(url, inputs)
    invoke(url, *payouts(inputs, OPERATORS[0]))
    after_one = totals(url, (PAID,))
    invoke(url, *payouts(inputs, OPERATORS[1]))
    invoke(url, *COMPUTE)
    return {"one import": after_one, "all": totals(url, (PAID, COMPUTED))}


def test_two_imports_and_a_compute_at_once(
    fresh_database: Callable[[], str], inputs: Path, sequential: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """Two operators' files imported while another cycle is computed."""
    url = fresh_database()
    prepare(url, inputs)
    outcomes = together(url, [payouts(inputs, OPERATORS[0]), payouts(inputs, OPERATORS[1]), COMPUTE], tmp_path)
    story = settle(url, outcomes)
    assert totals(url, (PAID, COMPUTED)) == sequential["all"], story


def test_the_same_payout_file_imported_twice_at_once(
    fresh_database: Callable[[], str], inputs: Path, sequential: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """The same bytes by two processes: each line recorded once, the file once."""
    url = fresh_database()
    prepare(url, inputs)
    outcomes = together(url, [payouts(inputs, OPERATORS[0])] * 2, tmp_path)
    story = settle(url, outcomes)
    if all(o.code == 0 for o in outcomes):  # each line recorded by exactly one of them
        reports = [json.loads(o.stdout) for o in outcomes]
        assert sum(r["recorded"] for r in reports) == max(r["lines"] for r in reports), story
    assert totals(url, (PAID,)) == sequential["one import"], story


def test_overlapping_payout_files_imported_at_once(
    fresh_database: Callable[[], str], inputs: Path, sequential: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """The same lines re-sent in other orders (other files): the write batches overlap only in part,
    so a process retrying the rest of a batch can meet another's next batch (it used to crash)."""
    url = fresh_database()
    prepare(url, inputs)
    header, *lines = (inputs / f"payouts-{OPERATORS[0]}.csv").read_text(encoding="utf-8").splitlines()
    half = len(lines) // 2
    commands = [payouts(inputs, OPERATORS[0])]
    for name, order in (("reversed", lines[::-1]), ("rotated", lines[half:] + lines[:half]),
                        ("rotated-reversed", (lines[half:] + lines[:half])[::-1])):
        (tmp_path / f"{name}.csv").write_text("\n".join([header, *order]) + "\n", encoding="utf-8")
        commands.append(("payouts", "import", str(tmp_path / f"{name}.csv"), "--operator", OPERATORS[0], "--json"))
    story = settle(url, together(url, commands, tmp_path))
    expected = sequential["one import"]
    expected = {**expected, "events": {**expected["events"], "tledger:PayoutFile.Imported": len(commands)},
                "rows": {**expected["rows"], "tl_payout_files": len(commands)}}
    assert totals(url, (PAID,)) == expected, story


@pytest.mark.parametrize("overlapping", [False, True], ids=["same-file-twice", "same-rows-in-four-orders"])
def test_enrolment_files_at_once(fresh_database: Callable[[], str], inputs: Path, tmp_path: Path,
                                 overlapping: bool) -> None:
    """The same file by two processes; or the same rows in four orders (four files) by four."""
    url = fresh_database()
    assert invoke(url, "program", "add", str(PROGRAMS / f"{PROGRAM}.toml"), check=False).exit_code == 0
    files = [inputs / "enrolment.csv"] * 2
    if overlapping:
        header, *rows = files[0].read_text(encoding="utf-8").splitlines()
        half = len(rows) // 2
        files = [files[0]]
        for name, order in (("reversed", rows[::-1]), ("rotated", rows[half:] + rows[:half]),
                            ("rotated-reversed", (rows[half:] + rows[:half])[::-1])):
            files.append(tmp_path / f"{name}.csv")
            files[-1].write_text("\n".join([header, *order]) + "\n", encoding="utf-8")
    outcomes = together(url, [("enrol", str(f), "--program", PROGRAM, "--json") for f in files], tmp_path)
    story = settle(url, outcomes)
    if all(o.code == 0 for o in outcomes):  # each household enrolled by exactly one of them
        assert sum(json.loads(o.stdout)["enrolled"] for o in outcomes) == HOUSEHOLDS, story
    found = totals(url)
    assert found["events"]["tledger:Household.Enrolled"] == found["rows"]["tl_households"] == HOUSEHOLDS, story
    assert found["events"]["tledger:EnrolmentFile.Imported"] == len(set(files)), story


@pytest.mark.parametrize("processes", [2, 4])
def test_init_on_a_brand_new_database_at_once(
    fresh_database: Callable[[], str], processes: int, tmp_path: Path
) -> None:
    """Schema creation on an empty database by several processes at once: all succeed."""
    url = fresh_database()
    outcomes = together(url, [("init",)] * processes, tmp_path)
    for outcome in outcomes:
        assert outcome.code == 0 and "Ready:" in outcome.stderr, outcome.stderr
    assert totals(url)["events"] == {topic: 0 for topic in TOPICS}
