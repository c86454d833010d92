"""Database URLs and program definition files: what is accepted, and the exact refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.database import DatabaseURL, DatabaseURLError, parse_database_url
from config.programs import SHIPPED, ProgramFileError, load_program_file
from ledger.rules import OneOff, Rules

USAGE = "postgresql://USER@HOST:PORT/DBNAME"

# Database URLs --------------------------------------------------------------------------


def test_a_relative_sqlite_path_stays_relative() -> None:
    parsed = parse_database_url("sqlite:///tledger.db")
    assert (parsed.dialect, parsed.sqlite_path, str(parsed)) == ("sqlite", "tledger.db", "sqlite:///tledger.db")
    assert parsed.eventsourcing_env() == {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": "tledger.db",
        "SQLITE_LOCK_TIMEOUT": "30",
        "APPLICATION_RECORDER_TOPIC": "projections.event_store:BatchingSQLiteRecorder",
    }


def test_four_slashes_make_an_absolute_sqlite_path(tmp_path: Path) -> None:
    assert parse_database_url("sqlite:////tmp/x.db").sqlite_path == "/tmp/x.db"
    assert parse_database_url(f"sqlite:///{tmp_path}/ledger.db").sqlite_path == f"{tmp_path}/ledger.db"


def test_a_missing_sqlite_folder_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/missing/ledger.db"
    with pytest.raises(DatabaseURLError) as caught:
        parse_database_url(url)
    assert str(caught.value) == f"database URL '{url}': folder '{tmp_path}/missing' does not exist"


def test_a_relative_folder_is_looked_up_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DatabaseURLError, match="folder 'data' does not exist"):
        parse_database_url("sqlite:///data/ledger.db")
    (tmp_path / "data").mkdir()
    assert parse_database_url("sqlite:///data/ledger.db").sqlite_path == "data/ledger.db"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///:memory:", "an in-memory SQLite database would vanish after each command"),
        ("sqlite:///", "database URL 'sqlite:///' has no file path: use sqlite:///tledger.db"),
        ("postgresql://amadou@db.example.org", f"database URL 'postgresql://amadou@db.example.org' "
         f"needs a host and a database: {USAGE}"),
        ("postgresql:///tledger", f"database URL 'postgresql:///tledger' needs a host and a database: {USAGE}"),
        ("mysql://amadou@db/tledger", f"database URL 'mysql://amadou@db/tledger' is not sqlite:///PATH or {USAGE}"),
        ("sqlite://tledger.db", f"database URL 'sqlite://tledger.db' is not sqlite:///PATH or {USAGE}"),
        ("tledger.db", f"database URL 'tledger.db' is not sqlite:///PATH or {USAGE}"),
        ("postgresql://u@db:abc/tledger", "database URL 'postgresql://u@db:abc/tledger': "
         "the port must be a number from 1 to 65535"),
        ("postgresql://u@db:99999/tledger", "database URL 'postgresql://u@db:99999/tledger': "
         "the port must be a number from 1 to 65535"),
    ],
)
def test_unusable_urls_are_refused_with_the_reason(url: str, message: str) -> None:
    with pytest.raises(DatabaseURLError) as caught:
        parse_database_url(url)
    assert str(caught.value) == message


def test_postgresql_url_with_user_password_and_port() -> None:
    parsed = parse_database_url("postgresql://amadou:s3cret@db.example.org:6543/tledger")
    assert parsed == DatabaseURL(
        url="postgresql://amadou:s3cret@db.example.org:6543/tledger",
        dialect="postgresql",
        pg_dbname="tledger",
        pg_host="db.example.org",
        pg_port=6543,
        pg_user="amadou",
        pg_password="s3cret",
    )
    assert parsed.eventsourcing_env()["POSTGRES_PORT"] == "6543"
    assert parsed.eventsourcing_env()["POSTGRES_PASSWORD"] == "s3cret"


def test_str_never_shows_the_password() -> None:
    parsed = parse_database_url("postgresql://amadou:s3cret@db.example.org:6543/tledger")
    assert str(parsed) == "postgresql://amadou@db.example.org:6543/tledger"
    assert "s3cret" not in f"{parsed}"


def test_postgres_is_an_alias_and_the_port_defaults_to_5432() -> None:
    parsed = parse_database_url("postgres://postgres@localhost/tledger")
    assert (parsed.dialect, parsed.pg_port, parsed.pg_password) == ("postgresql", 5432, "")
    assert str(parsed) == "postgresql://postgres@localhost:5432/tledger"
    assert parsed.conninfo == "dbname='tledger' host='localhost' port='5432' user='postgres'"


def test_conninfo_decodes_the_url_and_quotes_each_value() -> None:
    # Password: it's a \ p@ss  (percent-encoded in the URL)
    parsed = parse_database_url("postgresql://amadou:it%27s%20a%20%5C%20p%40ss@db:5433/my%20ledger")
    assert parsed.pg_password == "it's a \\ p@ss"
    assert parsed.conninfo == (
        "dbname='my ledger' host='db' port='5433' user='amadou' password='it\\'s a \\\\ p@ss'"
    )


# Program definition files ---------------------------------------------------------------

JIGI = (SHIPPED / "jigisemejiri.toml").read_text(encoding="utf-8")


def test_the_shipped_programs_load() -> None:
    jigi = load_program_file(SHIPPED / "jigisemejiri.toml")
    assert (jigi.code, jigi.currency) == ("jigisemejiri", "XOF")
    assert jigi.rules() == Rules(monthly_amount=10_000, duration_months=36, cycle_months=3)
    pdazam = load_program_file(SHIPPED / "pdazam.toml")
    assert pdazam.rules() == Rules(15_000, 24, 2, (OneOff("productive", 250_000, "productive"),))
    assert sorted(p.name for p in SHIPPED.glob("*.toml")) == ["jigisemejiri.toml", "pdazam.toml"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "program.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ProgramFileError) as caught:
        load_program_file(path)
    return str(caught.value)


def invalid(path: Path, *problems: str) -> str:
    return f"{path}: invalid program definition\n" + "\n".join(f"  {p}" for p in problems)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("monthly_amount = 10000", "monthly_amount = 10000.0",
         "field 'monthly_amount', value 10000.0: Input should be a valid integer"),
        ("monthly_amount = 10000", "monthly_amount = -10000",
         "field 'monthly_amount', value -10000: Input should be greater than or equal to 0"),
        ("monthly_amount = 10000", 'monthly_amount = "10000"',
         "field 'monthly_amount', value '10000': Input should be a valid integer"),
        ('currency = "XOF"', 'currency = "CFA franc"',
         "field 'currency', value 'CFA franc': String should match pattern '^[A-Z]{3}$'"),
        ("cycle_months = 3", "cycle_months = 4",
         "field 'cycle_months', value 4: Input should be 1, 2 or 3"),
        ("duration_months = 36", "duration_months = 0",
         "field 'duration_months', value 0: Input should be greater than 0"),
        ("cycle_months = 3", 'cycle_months = 3\ncolour = "red"',
         "field 'colour', value 'red': Extra inputs are not permitted"),
    ],
)
def test_invalid_fields_are_named_with_their_value(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert old in JIGI
    path = write(tmp_path, JIGI.replace(old, new))
    assert refusal(path) == invalid(path, problem)


def test_every_invalid_field_is_listed(tmp_path: Path) -> None:
    text = JIGI.replace('"XOF"', '"xof"').replace("= 10000", "= 1.5")
    text += '\n[[one_offs]]\nname = "start_up"\namount = 0\neligibility = "everyone"\n'
    path = write(tmp_path, text)
    assert refusal(path) == invalid(
        path,
        "field 'currency', value 'xof': String should match pattern '^[A-Z]{3}$'",
        "field 'monthly_amount', value 1.5: Input should be a valid integer",
        "field 'one_offs.0.amount', value 0: Input should be greater than 0",
        "field 'one_offs.0.eligibility', value 'everyone': Input should be 'all' or 'productive'",
    )


@pytest.mark.parametrize("names", [["productive", "productive"], ["regular"]])
def test_one_off_names_are_unique_and_not_regular(tmp_path: Path, names: list[str]) -> None:
    text = JIGI + "".join(f'\n[[one_offs]]\nname = "{n}"\namount = 5000\n' for n in names)
    path = write(tmp_path, text)
    assert refusal(path) == f"{path}: one-off names must be unique and not 'regular': {names}"


def test_bad_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'code = "jigisemejiri"\nname = \n')
    message = refusal(path)
    assert message.startswith(f"{path}: not valid TOML: ")
    assert "line 2" in message


def test_a_file_that_is_not_utf8_is_not_valid_toml(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "Ségou"\n'.encode("latin-1"))
    assert refusal(path).startswith(f"{path}: not valid TOML: 'utf-8' codec can't decode byte 0xe9")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert refusal(tmp_path / "nope.toml") == f"{tmp_path / 'nope.toml'}: no such file"
