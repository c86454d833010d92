"""One benchmark stage, run in its own process so its peak memory (RSS) is its own.

python -m bench.stage STAGE --db URL --work DIR --households N
Prints one JSON line: {"stage", "seconds", "rows"}.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import time
import uuid

import psycopg
from pathlib import Path
from typing import Any, Callable

from config.programs import SHIPPED
from ledger.audit import Audit
from workflows.cycles import compute_cycle, open_cycle
from workflows.disbursement import issue_payment_list
from workflows.enrolment import enrol_file
from workflows.operator_files import simulate, write_canonical_csv
from workflows.payouts import import_payouts
from workflows.programs import add_program
from workflows.reconcile import reconcile_cycle
from workflows.reports import cycles
from workflows.runtime import Ledger, open_ledger
from projections.rebuild import replay
from workers import collector

PROGRAM, CYCLE = "jigisemejiri", "2019-Q2"
OPERATORS = ("orange-money", "moov-money", "kafo-jiginew")


def _enrol(ledger: Ledger, work: Path) -> int:
    add_program(ledger, SHIPPED / f"{PROGRAM}.toml")
    return enrol_file(ledger, PROGRAM, work / "enrolment.csv").enrolled


def _compute(ledger: Ledger, work: Path) -> int:
    open_cycle(ledger, PROGRAM, CYCLE)
    return int(compute_cycle(ledger, PROGRAM, CYCLE)["added"]["count"])


def _issue(ledger: Ledger, work: Path) -> int:
    return sum(int(issue_payment_list(ledger, PROGRAM, CYCLE, op, work / f"list-{op}.csv")["count"])
               for op in OPERATORS)


def _import(ledger: Ledger, work: Path) -> int:
    return sum(import_payouts(ledger, work / f"payouts-{op}.csv", op).recorded for op in OPERATORS)


def _reconcile(ledger: Ledger, work: Path) -> int:
    summary = reconcile_cycle(ledger, PROGRAM, CYCLE, out=work / "reconciliation.csv")
    return int(summary["expected"]["count"])


def _replay(ledger: Ledger, work: Path) -> int:
    return replay(ledger.app, ledger.db)


def _report(ledger: Ledger, work: Path) -> int:
    ledger.catch_up()
    return len(cycles(ledger.db, PROGRAM))


STAGES: dict[str, Callable[[Ledger, Path], int]] = {
    "enrol": _enrol, "compute": _compute, "issue": _issue, "import": _import,
    "reconcile": _reconcile, "replay": _replay, "report": _report,
}


def _write_payout_files(work: Path) -> int:
    rows = 0
    for number, op in enumerate(OPERATORS):
        write_canonical_csv(work / f"payouts-{op}.csv", simulate(work / f"list-{op}.csv", seed=number,
                                                                 prefix=op[:2].upper()))
        with (work / f"payouts-{op}.csv").open(encoding="utf-8") as handle:
            rows += sum(1 for _ in handle) - 1
    return rows


def floor(kind: str, db: str, work: Path, households: int) -> int:
    """The raw floor: the same number of event-sized rows, or the payout files read with csv alone."""
    if kind == "csv":
        count = 0
        for op in OPERATORS:
            with (work / f"payouts-{op}.csv").open(encoding="utf-8", newline="") as handle:
                count += sum(1 for _ in csv.reader(handle)) - 1
        return count
    state = b'{"program":"jigisemejiri","household_id":"KITA-000001","head_name":"Awa Traore",' + b"x" * 180 + b"}"
    rows = [(uuid.uuid4().bytes, 1, "tledger:Household.Enrolled", state) for _ in range(households)]
    if kind == "sqlite":
        lite = sqlite3.connect(work / "floor.db")
        lite.execute("PRAGMA journal_mode=WAL")
        lite.execute("CREATE TABLE floor (originator_id BLOB, originator_version INTEGER, topic TEXT, state BLOB, "
                     "PRIMARY KEY (originator_id, originator_version))")
        with lite:
            lite.executemany("INSERT INTO floor VALUES (?, ?, ?, ?)", rows)
        lite.close()
        return households
    with psycopg.connect(db) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_floor")
        conn.execute("CREATE TABLE bench_floor (originator_id uuid, originator_version integer, topic text, "
                     "state bytea, notification_id bigserial, PRIMARY KEY (originator_id, originator_version))")
        with conn.cursor() as cursor, cursor.copy(
            "COPY bench_floor (originator_id, originator_version, topic, state) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row((uuid.UUID(bytes=row[0]), *row[1:]))
        conn.execute("DROP TABLE bench_floor")
    return households


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage")
    parser.add_argument("--db", required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--households", type=int, required=True)
    args = parser.parse_args()
    collector.set_for_bulk_work()  # as the tledger command does
    started = time.perf_counter()
    result: dict[str, Any] = {"stage": args.stage}
    if args.stage.startswith("floor-"):
        result["rows"] = floor(args.stage.removeprefix("floor-"), args.db, args.work, args.households)
    elif args.stage == "payout-files":
        result["rows"] = _write_payout_files(args.work)
    else:
        with open_ledger(args.db, Audit("bench", f"bench {args.stage}")) as ledger:
            result["rows"] = STAGES[args.stage](ledger, args.work)
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


if __name__ == "__main__":
    main()
