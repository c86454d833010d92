"""Backends for integration and end-to-end tests.

Every backend test runs on SQLite (a temporary file) and on PostgreSQL (a
database created for the test and dropped afterwards; it never touches a
database a person uses). Without a reachable PostgreSQL server the PostgreSQL
cases skip locally, but under ``CI=true`` they fail.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ledger.audit import Audit
from workflows.runtime import Ledger, open_ledger

PG_ADMIN = os.environ.get("TLEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
_SESSION = uuid.uuid4().hex[:8]
_counter = itertools.count(1)


def _pg_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip()


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    problem = _pg_available()
    if problem is not None:
        message = f"PostgreSQL not reachable at {PG_ADMIN}: {problem}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)
    yield PG_ADMIN
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        leftovers = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"tledger_test_{_SESSION}_%",)
        ).fetchall()
        for (name,) in leftovers:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_url(admin: str, dbname: str) -> str:
    base, _, _ = admin.rpartition("/")
    return f"{base}/{dbname}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    yield from _fresh_pg(request.getfixturevalue("pg_admin"))


@pytest.fixture
def pg_url(pg_admin: str) -> Iterator[str]:
    """A fresh PostgreSQL database, for PostgreSQL-only features (roles, concurrency)."""
    yield from _fresh_pg(pg_admin)


def _fresh_pg(admin: str) -> Iterator[str]:
    dbname = f"tledger_test_{_SESSION}_{next(_counter)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        yield _pg_url(admin, dbname)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    with open_ledger(db_url, Audit(actor="amadou.finance", command="pytest")) as opened:
        yield opened


REPO = Path(__file__).resolve().parent.parent
PROGRAMS = REPO / "config" / "programs"

ENROLMENT_HEADER = (
    "household_id,head_name,msisdn,region,circle,commune,village,operator,enrolled_on,productive"
)


@pytest.fixture
def enrolment_csv(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write an enrolment CSV from data lines (the header is added)."""

    def write(lines: list[str], name: str = "households.csv") -> Path:
        path = tmp_path / name
        path.write_text(ENROLMENT_HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def cohort_csv(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write an enrolment CSV of ``count`` households enrolled on the same day."""

    def write(prefix: str, count: int, enrolled_on: str, circle: str = "Kita",
              region: str = "Kayes", productive: str = "no") -> Path:
        path = tmp_path / f"{prefix.lower()}.csv"
        with path.open("w", encoding="utf-8") as handle:
            handle.write(ENROLMENT_HEADER + "\n")
            for n in range(1, count + 1):
                handle.write(
                    f"{prefix}-{n:05d},Chef {n},+22376{n:06d},{region},{circle},{circle},"
                    f"{circle} {n % 7},orange-money,{enrolled_on},{productive}\n"
                )
        return path

    return write


QUARTER_HOUSEHOLDS = [
    # household, msisdn, operator: all enrolled 2019-01-01, 30,000 XOF due in 2019-Q1
    ("OM-1", "76000001", "orange-money"), ("OM-2", "76000002", "orange-money"),
    ("OM-3", "76000003", "orange-money"), ("OM-4", "76000004", "orange-money"),
    ("OM-5", "76000005", "orange-money"), ("OM-6", "76000006", "orange-money"),
    ("MV-1", "66000001", "moov-money"), ("MV-2", "66000002", "moov-money"),
    ("MV-3", "66000003", "moov-money"), ("MV-4", "66000004", "moov-money"),
]


@pytest.fixture
def quarter(ledger: Ledger, enrolment_csv):  # type: ignore[no-untyped-def]
    """Ten households across two operators, 2019-Q1 computed (30,000 XOF each)."""
    from workflows.cycles import compute_cycle, open_cycle
    from workflows.enrolment import enrol_file
    from workflows.programs import add_program

    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    enrol_file(ledger, "jigisemejiri", enrolment_csv([
        f"{h},Chef {h},{m},Kayes,Kita,Kita,Kita 1,{op},2019-01-01,no" for h, m, op in QUARTER_HOUSEHOLDS
    ]))
    open_cycle(ledger, "jigisemejiri", "2019-Q1")
    compute_cycle(ledger, "jigisemejiri", "2019-Q1")
    return ledger


@pytest.fixture(params=["here", "beside"])
def parsing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where a payout file is parsed: here, or ("beside") in the second process a large file gets."""
    from intake import parallel

    if request.param == "beside":
        monkeypatch.setattr(parallel, "BESIDE_FROM", 0)
    return str(request.param)
