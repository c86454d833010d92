"""The read-model tables. Dates and timestamps are ISO text (same on both backends);
money is a 64-bit integer in the currency's minor unit."""

from __future__ import annotations

import re

from projections.database import Database

VIEW_TABLES = (
    "tl_programs",
    "tl_program_versions",
    "tl_households",
    "tl_household_status",
    "tl_cycles",
    "tl_entitlements",
    "tl_enrolment_files",
    "tl_payout_lines",
    "tl_payout_files",
    "tl_payment_lists",
    "tl_corrections",
    "tl_reconciliations",
    "tl_balances",
)

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS tl_tracking (
        name TEXT PRIMARY KEY,
        position BIGINT NOT NULL)""",
    # The hash chain over the event log: one link per stored event, never dropped by a replay.
    """CREATE TABLE IF NOT EXISTS tl_chain (
        position BIGINT PRIMARY KEY,
        hash TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tl_balances (
        account TEXT PRIMARY KEY,
        balance BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tl_programs (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        currency TEXT NOT NULL,
        version INTEGER NOT NULL,
        defined_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tl_program_versions (
        code TEXT NOT NULL,
        version INTEGER NOT NULL,
        effective_from TEXT NOT NULL,
        rules TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (code, version))""",
    """CREATE TABLE IF NOT EXISTS tl_households (
        program TEXT NOT NULL,
        household_id TEXT NOT NULL,
        head_name TEXT NOT NULL,
        msisdn TEXT,
        region TEXT NOT NULL,
        circle TEXT NOT NULL,
        commune TEXT NOT NULL,
        village TEXT NOT NULL,
        operator TEXT NOT NULL,
        enrolled_on TEXT NOT NULL,
        productive INTEGER NOT NULL,
        status TEXT NOT NULL,
        exited_on TEXT,
        enrolled_at TEXT NOT NULL,
        PRIMARY KEY (program, household_id))""",
    """CREATE TABLE IF NOT EXISTS tl_household_status (
        program TEXT NOT NULL,
        household_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        action TEXT NOT NULL,
        on_date TEXT NOT NULL,
        reason TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        PRIMARY KEY (program, household_id, version))""",
    """CREATE TABLE IF NOT EXISTS tl_cycles (
        program TEXT NOT NULL,
        label TEXT NOT NULL,
        start_on TEXT NOT NULL,
        end_on TEXT NOT NULL,
        status TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        computations INTEGER NOT NULL,
        closed_at TEXT,
        closing_digest TEXT,
        closing_summary TEXT,
        PRIMARY KEY (program, label))""",
    """CREATE TABLE IF NOT EXISTS tl_entitlements (
        program TEXT NOT NULL,
        cycle TEXT NOT NULL,
        household_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        months TEXT NOT NULL,
        components TEXT NOT NULL,
        rule_version INTEGER NOT NULL,
        granted_at TEXT NOT NULL,
        reference TEXT NOT NULL,
        due BIGINT NOT NULL,
        cancelled INTEGER NOT NULL DEFAULT 0,
        reissue_pending INTEGER NOT NULL DEFAULT 0,
        instructed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (program, cycle, household_id)){storage}""",
    """CREATE TABLE IF NOT EXISTS tl_payout_lines (
        operator TEXT NOT NULL,
        operator_txn_id TEXT NOT NULL,
        program TEXT NOT NULL,
        cycle TEXT NOT NULL,
        reference TEXT,
        household_id TEXT,
        msisdn TEXT,
        amount BIGINT NOT NULL,
        currency TEXT,
        paid_at TEXT,
        status TEXT NOT NULL,
        reason TEXT,
        file_name TEXT,
        file_sha256 TEXT,
        line INTEGER,
        manual INTEGER NOT NULL DEFAULT 0,
        reversed INTEGER NOT NULL DEFAULT 0,
        recorded_at TEXT NOT NULL,
        matched_reference TEXT,
        match TEXT NOT NULL,
        PRIMARY KEY (operator, operator_txn_id))""",
    """CREATE TABLE IF NOT EXISTS tl_payout_files (
        operator TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        file_name TEXT NOT NULL,
        lines INTEGER NOT NULL,
        recorded INTEGER NOT NULL,
        skipped_duplicates INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        PRIMARY KEY (operator, sha256))""",
    """CREATE TABLE IF NOT EXISTS tl_payment_lists (
        program TEXT NOT NULL,
        cycle TEXT NOT NULL,
        operator TEXT NOT NULL,
        content_sha256 TEXT NOT NULL,
        file_sha256 TEXT NOT NULL,
        file_name TEXT NOT NULL,
        count INTEGER NOT NULL,
        amount BIGINT NOT NULL,
        issued_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        PRIMARY KEY (program, cycle, operator, content_sha256))""",
    """CREATE TABLE IF NOT EXISTS tl_corrections (
        program TEXT NOT NULL,
        cycle TEXT NOT NULL,
        household_id TEXT,
        operator_txn_id TEXT,
        kind TEXT NOT NULL,
        amount BIGINT,
        reason TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        actor TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tl_reconciliations (
        program TEXT NOT NULL,
        cycle TEXT NOT NULL,
        operator TEXT,
        digest TEXT NOT NULL,
        summary TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        actor TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tl_enrolment_files (
        program TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        file_name TEXT NOT NULL,
        rows_count INTEGER NOT NULL,
        enrolled INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        PRIMARY KEY (program, sha256))""",
)

# Secondary indexes: a full rebuild drops them and builds them once at the end (one sort
# instead of a million random inserts each).
INDEXES = {
    "tl_households_msisdn": "ON tl_households (program, msisdn)",
    "tl_entitlements_household": "ON tl_entitlements (program, household_id)",
    "tl_entitlements_reference": "ON tl_entitlements (reference){covering}",
    "tl_payout_lines_matched": "ON tl_payout_lines (program, cycle, matched_reference)",
}
UNIQUE_INDEXES = frozenset({"tl_entitlements_reference"})
INDEX_NAMES = tuple(INDEXES)


# PostgreSQL: an import looks up a million references for their program and cycle; with both
# in the index (and the table vacuumed, see runner.refresh_statistics) that is an index-only
# scan, not a random read of the (large, half-empty) entitlements table per reference.
_COVERING = " INCLUDE (program, cycle)"

# PostgreSQL: text columns compare bytes, as SQLite's do, whatever the server's locale. Keys
# compared through the locale (strcoll) cost every index insert and look-up more, and a
# locale's order can differ from SQLite's (reports order with COLLATE "C" in any case).
_TEXT = re.compile(r"\bTEXT\b")


def _for(db: Database, statement: str) -> str:
    """The statement as this backend takes it (storage, covering index and collation: PostgreSQL)."""
    if db.dialect != "postgresql":
        return statement.replace("{storage}", "").replace("{covering}", "")
    statement = statement.replace("{storage}", _UPDATED_IN_PLACE).replace("{covering}", _COVERING)
    return _TEXT.sub('TEXT COLLATE "C"', statement)


# PostgreSQL: room on each page for a second version of every row. Issuing a payment list
# marks a third of a million entitlements "instructed"; in full pages each new row version
# went to another page and into every index (11 s a list at 1M); with room on the page it is
# a heap-only update, no index touched (0.9 s). The table is about 20% larger.
_UPDATED_IN_PLACE = " WITH (fillfactor = 50)"

# Bump when a read-model table changes shape: the read models are then dropped and
# rebuilt from the events on the next command (they hold nothing the events do not).
VIEWS_VERSION = 6  # 5: tl_entitlements' fillfactor; 6: text in byte order, covering reference index (PostgreSQL)


def create_views(db: Database) -> None:
    db.execute(_for(db, STATEMENTS[0]))  # tl_tracking
    row = db.fetchone("SELECT position FROM tl_tracking WHERE name = ?", ("views-version",))
    if row is not None and int(row[0]) != VIEWS_VERSION:
        drop_views(db)
        return
    for statement in STATEMENTS:
        db.execute(_for(db, statement))
    create_indexes(db)
    db.execute(
        "INSERT INTO tl_tracking (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
        ("views",),
    )
    db.execute(
        "INSERT INTO tl_tracking (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
        "SET position = excluded.position",
        ("views-version", VIEWS_VERSION),
    )


def drop_views(db: Database) -> None:
    """Drop every read model and reset the tracking position (for a full rebuild)."""
    with db.transaction():
        for table in VIEW_TABLES:
            db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute("DELETE FROM tl_tracking WHERE name IN (?, ?)", ("views", "views-version"))
    create_views(db)


def drop_indexes(db: Database) -> None:
    """Drop the secondary indexes (before a full rebuild into empty tables)."""
    for name in INDEX_NAMES:
        db.execute(f"DROP INDEX IF EXISTS {name}")


def create_indexes(db: Database) -> None:
    for name, target in INDEXES.items():
        unique = "UNIQUE " if name in UNIQUE_INDEXES else ""
        db.execute(_for(db, f"CREATE {unique}INDEX IF NOT EXISTS {name} {target}"))
