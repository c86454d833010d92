"""Crash safety: SIGKILL the real ``tledger`` CLI in the middle of a stage, run it again, and
get exactly the totals of an uninterrupted run on a second fresh database.

Stages: a large enrolment, a cycle compute, a payout import, and a read-model catch-up
(``tledger replay`` killed mid-rebuild, then finished by ``tledger init``). The kill point
is seeded (``TLEDGER_CRASH_SEED``): wait until a random number of batches is committed,
then a random fraction of a batch more, so the process dies inside later work. Every
household is paid through one operator, so the payout import is as large as the enrolment.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import signal
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
from conftest import PG_ADMIN, PROGRAMS
from ledger.audit import Audit
from projections import runner
from workflows.cycles import compute_cycle, open_cycle
from workflows.disbursement import issue_payment_list
from workflows.enrolment import enrol_file
from workflows.operator_files import simulate, write_canonical_csv
from workflows.payouts import import_payouts
from workflows.programs import add_program
from workflows.runtime import Ledger, open_ledger
from workflows.synthetic import write_enrolment_csv

SEED = int(os.environ.get("TLEDGER_CRASH_SEED", "20190401"))
HOUSEHOLDS = 20_000
PROGRAM, CYCLE, OPERATOR = "jigisemejiri", "2019-Q2", "orange-money"
# The CLI with bulk batches of BATCH events (the shipped 20,000-100,000 would leave a
# 20,000-household file a single batch: nothing to kill between).
BATCH = 5_000
TLEDGER = [sys.executable, "-c", "import workflows.enrolment as e, workflows.payouts as p, workflows.runtime as r; "
           f"e.BATCH_SIZE = p.BATCH_SIZE = r.WRITE_BATCH = {BATCH}; from cli.main import main; main()"]
TOPICS = ("tledger:Household.Enrolled", "tledger:Entitlement.Granted", "tledger:PayoutLine.Reported")
AUDIT = Audit(actor="crash.test", command="pytest")


@dataclass(frozen=True)
class Stage:
    """One CLI stage: its arguments, the batch it commits in, and how to set up what precedes it."""

    name: str
    args: tuple[str, ...]
    batch: int
    setup: Callable[[Ledger, Path], None]


def _defined(ledger: Ledger, work: Path) -> None:
    add_program(ledger, PROGRAMS / f"{PROGRAM}.toml")


def _enrolled(ledger: Ledger, work: Path) -> None:
    _defined(ledger, work)
    enrol_file(ledger, PROGRAM, work / "enrolment.csv")
    open_cycle(ledger, PROGRAM, CYCLE)


def _computed(ledger: Ledger, work: Path) -> None:
    _enrolled(ledger, work)
    compute_cycle(ledger, PROGRAM, CYCLE)
    issue_payment_list(ledger, PROGRAM, CYCLE, OPERATOR, work / f"list-{uuid.uuid4().hex[:6]}.csv")


def _imported(ledger: Ledger, work: Path) -> None:
    _computed(ledger, work)
    import_payouts(ledger, work / "payouts.csv", OPERATOR)


STAGES = {stage.name: stage for stage in (
    Stage("enrol", ("enrol", "{work}/enrolment.csv", "--program", PROGRAM), BATCH, _defined),
    Stage("compute", ("cycle", "compute", PROGRAM, CYCLE), BATCH, _enrolled),
    Stage("import", ("payouts", "import", "{work}/payouts.csv", "--operator", OPERATOR), BATCH,
          _computed),
    Stage("replay", ("replay",), runner.BATCH_SIZE, _imported),
)}


def tledger(url: str, *args: str, work: Path) -> subprocess.CompletedProcess[str]:
    """Run the real CLI to completion in a subprocess."""
    argv = [a.format(work=work) for a in args]
    return subprocess.run([*TLEDGER, "--db", url, "--actor", "crash.test", *argv], capture_output=True,
                          text=True, cwd=work, timeout=300)


def invoke(url: str, *args: str) -> Any:
    """The CLI in-process (totals only): JSON output, exit code 0 required."""
    result = CliRunner().invoke(cli, ["--db", url, "--actor", "crash.test", *args])
    assert result.exit_code == 0, f"tledger {' '.join(args)}: {result.output}"
    return json.loads(result.stdout)


def totals(url: str, stage: str) -> dict[str, Any]:
    """What must equal an uninterrupted run: households, money, event counts, reconciliation."""
    with open_ledger(url, AUDIT) as ledger:
        counts = dict(ledger.db.fetchall(f"SELECT topic, COUNT(*) FROM {runner.events_table(ledger.app)} "
                                         "GROUP BY topic"))
        payout_lines = ledger.db.fetchone("SELECT COUNT(*) FROM tl_payout_lines")
    found: dict[str, Any] = {
        "events": {topic: int(counts.get(topic, 0)) for topic in TOPICS},
        "payout_lines": int(payout_lines[0]) if payout_lines else 0,
        "regions": invoke(url, "report", "regions", "--json")["regions"],
        "accounts": invoke(url, "report", "accounts", "--json")["accounts"],
    }
    if stage != "enrol":
        shown = invoke(url, "cycle", "show", PROGRAM, CYCLE, "--json")
        found["cycle"] = {"entitlements": shown["entitlements"], "by_operator": shown["by_operator"]}
    if stage in ("import", "replay"):
        summary = invoke(url, "reconcile", PROGRAM, CYCLE, "--json")
        found["reconcile"] = {k: summary[k] for k in ("expected", "paid", "outstanding", "excess",
                                                      "categories", "category_amounts", "digest")}
    return found


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared input files (seeded): the enrolment file, every household with one operator;
    the payout file is added by the first reference run."""
    path = tmp_path_factory.mktemp("crash-inputs")
    write_enrolment_csv(path / "mixed.csv", HOUSEHOLDS, seed=SEED, enrolled_from=date(2019, 1, 1), spread_months=3)
    with (path / "mixed.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    with (path / "enrolment.csv").open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "operator": OPERATOR} for row in rows)
    return path


@pytest.fixture(scope="module")
def references(work: Path) -> Iterator[dict[str, dict[str, dict[str, Any]]]]:
    """Per backend, the totals after each stage of one uninterrupted CLI run (built on first use)."""
    built: dict[str, dict[str, dict[str, Any]]] = {}
    yield built
    for backend in built:
        if backend.startswith("postgresql"):
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{backend.rpartition("/")[2]}" WITH (FORCE)')


def reference(db_url: str, references: dict[str, dict[str, dict[str, Any]]], work: Path) -> dict[str, dict[str, Any]]:
    """Uninterrupted run of every stage on a second fresh database of the same backend."""
    dialect = db_url.partition(":")[0]
    for url, snapshots in references.items():
        if url.startswith(dialect):
            return snapshots
    if dialect == "sqlite":
        url = f"sqlite:///{work / 'reference.db'}"
    else:
        name = f"tledger_test_crashref_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"{PG_ADMIN.rpartition('/')[0]}/{name}"
    snapshots = references[url] = {}
    steps: list[tuple[tuple[str, ...], str | None]] = [
        (("program", "add", str(PROGRAMS / f"{PROGRAM}.toml")), None), (STAGES["enrol"].args, "enrol"),
        (("cycle", "open", PROGRAM, CYCLE), None), (STAGES["compute"].args, "compute"),
        (("cycle", "issue", PROGRAM, CYCLE, "--operator", OPERATOR, "--out", "{work}/reference-list.csv"), None),
        (STAGES["import"].args, "import"),
    ]
    for args, snapshot in steps:
        if snapshot == "import" and not (work / "payouts.csv").exists():
            write_canonical_csv(work / "payouts.csv", simulate(work / "reference-list.csv", seed=SEED, prefix="OM"))
        done = tledger(url, *args, work=work)
        assert done.returncode == 0, done.stderr
        if snapshot:
            snapshots[snapshot] = totals(url, snapshot)
    snapshots["replay"] = snapshots["import"]
    return snapshots


def progress(ledger: Ledger, stage: Stage, baseline: int) -> int:
    """Events committed since the start (tracking position after the drop, for a replay)."""
    if stage.name == "replay":
        done = runner.position(ledger.db)
        return done if done < baseline else 0
    return (ledger.app.recorder.max_notification_id() or 0) - baseline


def kill_midway(url: str, stage: Stage, work: Path, logs: Path) -> tuple[int, str]:
    """Start the stage, SIGKILL it at the seeded kill point; (work committed before the kill, description)."""
    rng = random.Random(f"{SEED}:{stage.name}:{url.partition(':')[0]}")
    with open_ledger(url, AUDIT) as probe:
        baseline = probe.app.recorder.max_notification_id() or 0
        total = {"enrol": HOUSEHOLDS, "compute": HOUSEHOLDS, "replay": baseline,
                 "import": sum(1 for _ in (work / "payouts.csv").open()) - 1}[stage.name]
        assert total >= 3 * stage.batch, f"{stage.name}: {total} rows is too few for a kill between batches"
        threshold = stage.batch * rng.randint(1, total // stage.batch - 2)
        extra = rng.uniform(0.0, 0.1)
        argv = [a.format(work=work) for a in stage.args]
        with (logs / "out.txt").open("w") as out, (logs / "err.txt").open("w") as err:
            process = subprocess.Popen([*TLEDGER, "--db", url, "--actor", "crash.test", *argv],
                                       stdout=out, stderr=err, cwd=work)
        started = time.monotonic()
        point = f"seed {SEED}: {stage.name}, kill point {threshold} +{extra * 1000:.0f} ms"
        try:
            while progress(probe, stage, baseline) < threshold:
                assert process.poll() is None, f"{point}: ended first: {(logs / 'err.txt').read_text()}"
                assert time.monotonic() - started < 120, f"{point}: never reached"
                time.sleep(0.003)
            time.sleep(extra)
            assert process.poll() is None, f"{point}: ended first: {(logs / 'err.txt').read_text()}"
            delay = time.monotonic() - started
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        committed = progress(probe, stage, baseline)
    described = f"{point}: killed after {delay:.3f}s with {committed} of {total} committed"
    print(described)
    assert 0 < committed < total, described
    return committed, described


@pytest.mark.parametrize("stage_name", list(STAGES))
def test_a_killed_stage_run_again_gives_the_uninterrupted_totals(
    db_url: str, stage_name: str, work: Path, references: dict[str, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    """Kill the stage mid-way, run it again (a replay: any command) and compare with the reference."""
    stage = STAGES[stage_name]
    expected = reference(db_url, references, work)[stage.name]
    with open_ledger(db_url, AUDIT) as ledger:
        stage.setup(ledger, work)
    committed, described = kill_midway(db_url, stage, work, tmp_path)

    if stage.name == "replay":  # the read models are behind: any command finishes the catch-up
        finished = tledger(db_url, "init", work=work)
        applied = re.search(r"(\d+) applied to read models now", finished.stderr)
        with open_ledger(db_url, AUDIT) as ledger:
            position = "notification_id" if ledger.db.dialect == "postgresql" else "rowid"
            behind = ledger.db.fetchone(f"SELECT COUNT(*) FROM {runner.events_table(ledger.app)} "
                                        f"WHERE {position} > ?", (committed,))
        assert applied is not None and behind is not None and int(applied[1]) == behind[0], \
            f"{described}: {finished.stderr}"
    else:
        finished = tledger(db_url, *stage.args, work=work)
    assert finished.returncode == 0, f"{described}: {finished.stderr}"

    assert totals(db_url, stage.name) == expected, described
    verified = tledger(db_url, "verify", work=work)
    assert verified.returncode == 0, f"{described}: {verified.stdout}{verified.stderr}"
