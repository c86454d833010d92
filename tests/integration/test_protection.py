"""The database refuses to change history; payloads can be encrypted at rest; least-privilege roles."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from eventsourcing.cryptography import AESCipher
from ledger.audit import Audit
from ledger.errors import LedgerError
from workflows.db_admin import create_roles
from workflows.enrolment import enrol_file
from workflows.programs import add_program
from projections.rebuild import compare, derive, replay
from workflows import runtime
from workflows.runtime import Ledger, open_ledger

from conftest import PROGRAMS

LINES = ["KITA-1,Awa Traoré,76123456,Kayes,Kita,Kita,Sirakoro,orange-money,2019-01-15,no"]


@pytest.mark.parametrize("table", ["events", "tl_chain"])
def test_stored_events_and_the_chain_refuse_update_and_delete(ledger: Ledger, enrolment_csv, table: str) -> None:  # type: ignore[no-untyped-def]
    add_program(ledger, PROGRAMS / "jigisemejiri.toml")
    enrol_file(ledger, "jigisemejiri", enrolment_csv(LINES))
    name = str(ledger.app.recorder.events_table_name) if table == "events" else table  # type: ignore[attr-defined]
    errors = (psycopg.Error, Exception)
    for statement in (f"UPDATE {name} SET {'state' if table == 'events' else 'hash'} = NULL",
                      f"DELETE FROM {name}"):
        with pytest.raises(errors, match="refused: the event log is append-only"):
            ledger.db.execute(statement)
    if ledger.db.dialect == "postgresql":
        with pytest.raises(psycopg.Error, match="TRUNCATE on .* refused"):
            ledger.db.execute(f"TRUNCATE {name}")


def test_helper_processes_read_encrypted_events(db_url: str, enrolment_csv, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The follower and the replay's decoders get the key from the command (through a pipe) and
    decode what it wrote: the read models come out the same as a fresh derivation."""
    monkeypatch.setenv("TLEDGER_CIPHER_KEY", AESCipher.create_key(32))
    monkeypatch.setattr(runtime, "FOLLOW_FROM", 0)
    with open_ledger(db_url, Audit("a", "pytest")) as ledger:
        add_program(ledger, PROGRAMS / "jigisemejiri.toml")
        rows = [f"H-{n},Chef {n},,Kayes,Kita,Kita,Kita 1,orange-money,2019-01-01,no" for n in range(1, 9)]
        enrol_file(ledger, "jigisemejiri", enrolment_csv(rows))
        assert ledger.db.fetchone("SELECT COUNT(*) FROM tl_households") == (8,)
        assert replay(ledger.app, ledger.db, parallel_from=0) == ledger.app.recorder.max_notification_id()
        fresh = derive(ledger.app, ledger.db)
        assert compare(ledger.db, fresh) == []
        fresh.close()


def test_payloads_are_encrypted_at_rest_with_the_key(db_url: str, enrolment_csv, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TLEDGER_CIPHER_KEY", AESCipher.create_key(32))
    with open_ledger(db_url, Audit("a", "pytest")) as ledger:
        add_program(ledger, PROGRAMS / "jigisemejiri.toml")
        enrol_file(ledger, "jigisemejiri", enrolment_csv(LINES))
        states = [bytes(r[0]) for r in ledger.db.fetchall(
            f"SELECT state FROM {ledger.app.recorder.events_table_name}")]  # type: ignore[attr-defined]
        assert states and not any(b"Awa" in s or b"76123456" in s for s in states)
        head = ledger.db.fetchone("SELECT head_name FROM tl_households")
        assert head == ("Awa Traoré",)
    monkeypatch.setenv("TLEDGER_CIPHER_KEY", AESCipher.create_key(32))
    with pytest.raises(LedgerError, match="TLEDGER_CIPHER_KEY is set but the events were written with another key"):
        open_ledger(db_url, Audit("a", "pytest"))
    monkeypatch.delenv("TLEDGER_CIPHER_KEY")
    with pytest.raises(LedgerError, match="TLEDGER_CIPHER_KEY is not set but the events were written encrypted"):
        open_ledger(db_url, Audit("a", "pytest"))


def test_roles_on_sqlite_are_a_clear_error(tmp_path: Path) -> None:
    with open_ledger(f"sqlite:///{tmp_path / 'l.db'}", Audit("a", "pytest")) as ledger:
        with pytest.raises(LedgerError, match="database roles exist only on PostgreSQL"):
            create_roles(ledger)


def test_writer_and_auditor_roles(pg_url: str, enrolment_csv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db_url = pg_url
    with open_ledger(db_url, Audit("owner", "pytest")) as owner:
        add_program(owner, PROGRAMS / "jigisemejiri.toml")
        create_roles(owner)
        user = f"tl_writer_{uuid.uuid4().hex[:6]}"
        auditor = f"tl_auditor_{uuid.uuid4().hex[:6]}"
        owner.db.execute(f"CREATE ROLE {user} LOGIN IN ROLE tledger_writer")
        owner.db.execute(f"CREATE ROLE {auditor} LOGIN IN ROLE tledger_auditor")
        events = str(owner.app.recorder.events_table_name)  # type: ignore[attr-defined]
    base, _, dbname = db_url.rpartition("/")
    as_writer = db_url.replace("postgres@", f"{user}@")
    try:
        with open_ledger(as_writer, Audit(user, "pytest")) as writer:
            assert enrol_file(writer, "jigisemejiri", enrolment_csv(LINES)).enrolled == 1
            with pytest.raises(psycopg.Error):
                writer.db.execute(f"DELETE FROM {events}")
        with psycopg.connect(db_url.replace("postgres@", f"{auditor}@"), autocommit=True) as conn:
            assert conn.execute("SELECT COUNT(*) FROM tl_households").fetchone() == (1,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("INSERT INTO tl_programs VALUES ('x', 'x', 'XOF', 1, '')")
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {user}, {auditor}")
            conn.execute(f"DROP ROLE {user}")
            conn.execute(f"DROP ROLE {auditor}")
