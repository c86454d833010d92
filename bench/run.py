"""Time a full cycle at N households on SQLite and PostgreSQL, with the raw floors, in one run.

    python -m bench.run --households 100000 [--backend sqlite|postgresql|both] [--json results.json]

Each stage runs in its own process (its wall time and peak RSS are its own):
enrol, compute, issue (three operators), import (their confirmation files, ~5%
discrepancies), reconcile (with the detail file), replay, report. Floors: the
same number of event-sized rows with sqlite3 executemany / psycopg COPY, and the
payout files read with the csv module alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from workflows.synthetic import write_enrolment_csv

STAGES = ("enrol", "compute", "issue", "payout-files", "import", "reconcile", "replay", "report")
FLOOR_OF = {"enrol": "insert", "compute": "insert", "import": "insert", "issue": "insert"}


def run_stage(stage: str, db: str, work: Path, households: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.stage", stage, "--db", db, "--work", str(work),
               "--households", str(households)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"stage {stage} failed (status {status})")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    result["rate"] = round(result["rows"] / result["seconds"]) if result["seconds"] else None
    print(json.dumps({"backend_url": db.split("@")[-1], **result}), file=sys.stderr, flush=True)
    return result


def backend_url(backend: str, work: Path, admin: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / 'bench.db'}"
    name = f"tledger_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{admin.rpartition('/')[0]}/{name}"


def drop(url: str, admin: str) -> None:
    if url.startswith("postgresql"):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


def bench_backend(backend: str, households: int, admin: str, keep: Path | None) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="tledger-bench-") as tmp:
        work = Path(tmp) if keep is None else keep / backend
        work.mkdir(parents=True, exist_ok=True)
        write_enrolment_csv(work / "enrolment.csv", households, enrolled_from=date(2019, 1, 1), spread_months=3)
        url = backend_url(backend, work, admin)
        try:
            results = [run_stage(stage, url, work, households) for stage in STAGES]
            floor_kind = "floor-sqlite" if backend == "sqlite" else "floor-postgresql"
            insert_floor = run_stage(floor_kind, url, work, households)
            csv_floor = run_stage("floor-csv", url, work, households)
        finally:
            if keep is None:
                drop(url, admin)
            else:
                print(f"kept: {url} and {work}", file=sys.stderr)
    for result in results:
        result["backend"] = backend
        if result["stage"] in FLOOR_OF:
            result["floor_seconds"] = round(insert_floor["seconds"], 2)
            result["ratio"] = round(result["seconds"] / insert_floor["seconds"], 1)
        if result["stage"] == "import":
            result["csv_floor_seconds"] = round(csv_floor["seconds"], 2)
    return results + [dict(insert_floor, backend=backend), dict(csv_floor, backend=backend)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-admin", default=os.environ.get("TLEDGER_TEST_PG",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--json", type=Path, default=None, help="Also write the results here.")
    parser.add_argument("--keep", type=Path, default=None,
                        help="Keep the files (in this folder) and the databases, to profile a stage again.")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [r for backend in backends for r in bench_backend(backend, args.households, args.pg_admin, args.keep)]
    print(f"{'backend':<11}{'stage':<18}{'rows':>10}{'seconds':>10}{'rows/s':>10}{'peak MB':>9}{'x floor':>9}")
    for r in results:
        print(f"{r['backend']:<11}{r['stage']:<18}{r['rows']:>10}{r['seconds']:>10.2f}{r['rate'] or 0:>10}"
              f"{r['peak_rss_mb']:>9}{r.get('ratio', ''):>9}")
    if args.json:
        args.json.write_text(json.dumps({"households": args.households, "results": results}, indent=2))


if __name__ == "__main__":
    main()
