"""Immutability enforced by the database: stored events and the hash chain refuse UPDATE,
DELETE (and TRUNCATE on PostgreSQL). Created with the schema, idempotently."""

from __future__ import annotations

from projections.database import Database

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION tledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tledger: % on % refused: the event log is append-only (record a correction instead)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$
"""

_PG_TRIGGER = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{name}_append_only'
                   AND tgrelid = '{table}'::regclass) THEN
        CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION tledger_refuse_change();
        CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION tledger_refuse_change();
    END IF;
END $$
"""

_SQLITE_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS {table}_no_{verb} BEFORE {verb} ON {table}
BEGIN SELECT RAISE(ABORT, 'tledger: {verb} on {table} refused: the event log is append-only (record a correction instead)'); END
"""


def protect(db: Database, events_table: str) -> None:
    """Install the append-only guards on the event table and the hash chain."""
    tables = (events_table, "tl_chain")
    if db.dialect == "postgresql":
        db.execute(_PG_FUNCTION)
        for table in tables:
            db.execute(_PG_TRIGGER.format(name=table, table=table))
        return
    for table in tables:
        for verb in ("UPDATE", "DELETE"):
            db.execute(_SQLITE_TRIGGERS.format(table=table, verb=verb))
