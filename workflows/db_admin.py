"""Least-privilege PostgreSQL roles for tledger (``tledger db roles``)."""

from __future__ import annotations

from typing import Any

from ledger.errors import LedgerError
from projections.schema import VIEW_TABLES
from workflows.runtime import Ledger

WRITER, AUDITOR = "tledger_writer", "tledger_auditor"


def create_roles(ledger: Ledger) -> dict[str, Any]:
    """Create (or refresh the grants of) the writer and auditor roles. Run as the owner.

    The writer may append events and maintain the read models, never change or
    delete a stored event: it holds UPDATE on the event table only because
    PostgreSQL requires it for the EXCLUSIVE table lock that orders appends; the
    append-only trigger refuses every UPDATE and DELETE whoever asks.
    Replays (which drop read-model tables) stay with the owner.
    """
    db = ledger.db
    if db.dialect != "postgresql":
        raise LedgerError("database roles exist only on PostgreSQL: a SQLite file is protected by file permissions")
    events = str(ledger.app.recorder.events_table_name)  # type: ignore[attr-defined]
    dbname = db.url.pg_dbname
    views = [t for t in VIEW_TABLES] + ["tl_tracking"]
    statements = [
        *(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
          f"CREATE ROLE {role} NOLOGIN; END IF; END $$" for role in (WRITER, AUDITOR)),
        f'GRANT CONNECT ON DATABASE "{dbname}" TO {WRITER}, {AUDITOR}',
        f"GRANT USAGE ON SCHEMA public TO {WRITER}, {AUDITOR}",
        f"REVOKE ALL ON {events}, tl_chain FROM {WRITER}, {AUDITOR}",
        f"GRANT SELECT, INSERT, UPDATE ON {events} TO {WRITER}",
        f"GRANT SELECT, INSERT ON tl_chain TO {WRITER}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {WRITER}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(views)} TO {WRITER}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {AUDITOR}",
    ]
    for statement in statements:
        db.execute(statement)
    return {
        "database": dbname,
        "roles": {
            WRITER: f"append events ({events}: SELECT, INSERT), maintain the read models; no UPDATE/DELETE of events",
            AUDITOR: "read every table; write nothing",
        },
        "add_a_user": f"CREATE ROLE amadou LOGIN PASSWORD '...' IN ROLE {WRITER};",
    }
