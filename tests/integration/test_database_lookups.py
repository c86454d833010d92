"""Look-ups by key lists (``Database.fetch_in``) find exactly the rows asked for, on both backends,
whatever the keys hold: operators' transaction ids and household ids come from their files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config.database import parse_database_url
from projections.database import IN_CHUNK, Database

AWKWARD = ["plain", "with space", 'quote"d', "it's", "comma,separated", "back\\slash", "{braces}",
           "NULL", "", "Dembélé", "日本", "tab\tin", "new\nline", "ANY(x)", "?", "%s", "%b"]


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(parse_database_url(db_url))
    database.execute("CREATE TABLE keyed (program TEXT, key TEXT, n INTEGER)")
    yield database
    database.close()


def test_every_awkward_key_is_found_and_nothing_else(db: Database) -> None:
    with db.transaction():
        db.executemany("INSERT INTO keyed VALUES (?, ?, ?)",
                       [("p", key, n) for n, key in enumerate(AWKWARD)] + [("q", "plain", 99), ("p", "other", 98)])
    asked = AWKWARD + ["absent", "Plain"]
    rows = db.fetch_in("SELECT key, n FROM keyed WHERE program = ? AND key {keys}", ("p",), asked)
    assert sorted(rows) == sorted((key, n) for n, key in enumerate(AWKWARD))


def test_more_keys_than_one_sqlite_statement_takes(db: Database) -> None:
    count = IN_CHUNK * 2 + 7
    with db.transaction():
        db.executemany("INSERT INTO keyed VALUES (?, ?, ?)", [("p", f"K{n:06d}", n) for n in range(count)])
    wanted = [f"K{n:06d}" for n in range(0, count, 3)] + ["K999999"]
    rows = db.fetch_in("SELECT n FROM keyed WHERE program = ? AND key {keys}", ("p",), wanted)
    assert sorted(n for (n,) in rows) == list(range(0, count, 3))


def test_no_keys_no_rows(db: Database) -> None:
    assert db.fetch_in("SELECT n FROM keyed WHERE key {keys}", (), []) == []
