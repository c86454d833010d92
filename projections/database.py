"""A small connection wrapper that speaks to SQLite and PostgreSQL with the same SQL.

Statements are written with ``?`` placeholders; on PostgreSQL they become ``%s``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from config.database import DatabaseURL

Params = Sequence[Any]
IN_CHUNK = 10_000


class Database:
    def __init__(self, url: DatabaseURL, *, any_thread: bool = False) -> None:
        """``any_thread``: the connection may be used by a thread other than its creator's
        (one thread at a time: SQLite checks, psycopg does not)."""
        self.url = url
        self.dialect = url.dialect
        self._conn: Any
        if self.dialect == "sqlite":
            conn = sqlite3.connect(url.sqlite_path, isolation_level=None, timeout=30,
                                   check_same_thread=not any_thread)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            # The read models are rebuilt from the events after any loss, so their commits need
            # not wait for the disk; the event store keeps eventsourcing's full fsync.
            conn.execute("PRAGMA synchronous=NORMAL")
            # 64 MiB of page cache instead of 2 MiB: at a million households the read models'
            # indexes no longer fit the default and every insert went to the OS for its page.
            conn.execute("PRAGMA cache_size=-65536")
            # Sorts (a reconciliation orders a million rows) in memory, not in temporary files.
            conn.execute("PRAGMA temp_store=MEMORY")
            # Freed pages are not overwritten with zeros (Debian builds SQLite with secure_delete
            # on). Every read-model row is derived from the events kept in the same file, so
            # zeroing hides nothing; dropping the read models for a replay of a million
            # households took 9.2 s with it and 0.5 s without.
            conn.execute("PRAGMA secure_delete=OFF")
            self._conn = conn
        else:
            self._conn = psycopg.connect(url.conninfo, autocommit=True)
        self._in_transaction = False
        self._cursors = 0

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.dialect == "postgresql" else statement

    def ordered(self, column: str) -> str:
        """ORDER BY term comparing bytes on both backends (PostgreSQL's locale order may differ)."""
        return f'{column} COLLATE "C"' if self.dialect == "postgresql" else column

    def execute(self, statement: str, params: Params = ()) -> Any:
        if self.dialect == "postgresql" and not params:
            return self._conn.execute(statement)  # no parameters: '%' is then plain text
        return self._conn.execute(self.sql(statement), params)

    def executemany(self, statement: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        if self.dialect == "sqlite":
            self._conn.executemany(statement, rows)
        else:
            with self._conn.cursor() as cursor:
                cursor.executemany(self.sql(statement), rows)

    def insert_many(self, table: str, columns: Sequence[str], rows: Sequence[Params]) -> None:
        """Insert rows: COPY on PostgreSQL (the bulk floor), executemany on SQLite."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            self._conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        with self._conn.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def stream(self, statement: str, params: Params = (), size: int = 5_000) -> Iterator[tuple[Any, ...]]:
        """Rows of a large result without holding them all here: a server-side cursor on
        PostgreSQL (WITH HOLD, so several may be read in turn outside a transaction), SQLite's
        own stepping cursor otherwise."""
        if self.dialect == "sqlite":
            yield from self._conn.execute(statement, params)
            return
        self._cursors += 1
        with self._conn.cursor(name=f"tl_stream_{self._cursors}", withhold=True) as cursor:
            cursor.itersize = size
            cursor.execute(self.sql(statement), params)
            yield from cursor

    def fetch_in(self, statement: str, params: Params, keys: Sequence[str]) -> list[tuple[Any, ...]]:
        """Rows of ``statement`` where the marker ``{keys}`` (after a column, the last parameter)
        means "is one of ``keys``" (strings): ``= ANY(array)`` on PostgreSQL (one parameter: psycopg
        and the planner took seconds over 20,000 separate ones), ``IN (?, ...)`` in chunks on SQLite
        (at most 32,766 parameters a statement).

        The array goes in PostgreSQL's binary format (``%b``): 20,000 keys took 27 ms to send as
        text (quoted and escaped one by one, parsed again by the server) and 9 ms in binary."""
        if not keys:
            return []
        if self.dialect == "postgresql":
            return self.fetchall(statement.replace("{keys}", "= ANY(%b)"), (*params, list(keys)))
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), IN_CHUNK):
            chunk = keys[start:start + IN_CHUNK]
            rows += self.fetchall(statement.replace("{keys}", f"IN ({','.join('?' * len(chunk))})"),
                                  (*params, *chunk))
        return rows

    def fetchall(self, statement: str, params: Params = ()) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self.execute(statement, params).fetchall()
        return rows

    def fetchall_binary(self, statement: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """``fetchall`` with results in PostgreSQL's binary format (bytes come as they are
        stored, not hex-escaped and decoded again); SQLite has one format."""
        if self.dialect != "postgresql":
            return self.fetchall(statement, params)
        with self._conn.cursor(binary=True) as cursor:
            cursor.execute(self.sql(statement), params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows

    def fetchone(self, statement: str, params: Params = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.execute(statement, params).fetchone()
        return row

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; SQLite takes its write lock at the start (no upgrade deadlocks)."""
        if self.dialect == "sqlite":
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        else:
            with self._conn.transaction():
                yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction: every read inside sees the same committed state (SQLite's
        deferred BEGIN; PostgreSQL's REPEATABLE READ, cursors WITH HOLD included)."""
        if self.dialect == "sqlite":
            self._conn.execute("BEGIN")
            try:
                yield
            finally:
                self._conn.execute("COMMIT")
        else:
            with self._conn.transaction():
                self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield

    @contextmanager
    def advisory_lock(self, key: int) -> Iterator[None]:
        """Serialise schema creation across processes (PostgreSQL); a no-op on SQLite."""
        if self.dialect != "postgresql":
            yield
            return
        self._conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield
        finally:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def close(self) -> None:
        self._conn.close()
