"""The auditor commands through the real CLI, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from cli.audit import export, history
from cli.main import cli

from conftest import PROGRAMS

# Registered here until cli/main.py registers them.
for _command in (history, export):
    if _command.name not in cli.commands:
        cli.add_command(_command)

HOUSEHOLDS = [
    "KITA-1,Awa Traoré,76123456,Kayes,Kita,Kita,Sirakoro,orange-money,2019-01-01,no",
    "KITA-2,Moussa Diarra,76123457,Kayes,Kita,Kita,Sirakoro,orange-money,2019-01-01,no",
]
KEY_VARIABLE = "TLEDGER_PSEUDONYMISATION_KEY"


def run(db_url: str, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", db_url, "--actor", "fatou.finance", *args],
                              env=env, catch_exceptions=False)


def _setup(db_url: str, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    run(db_url, "program", "add", str(PROGRAMS / "jigisemejiri.toml"))
    run(db_url, "enrol", str(enrolment_csv(HOUSEHOLDS)), "--program", "jigisemejiri")
    run(db_url, "household", "suspend", "KITA-1", "--on", "2019-02-10", "--reason", "duplicate under review")
    run(db_url, "cycle", "open", "jigisemejiri", "2019-Q1")
    run(db_url, "cycle", "compute", "jigisemejiri", "2019-Q1")


def test_history(db_url: str, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    _setup(db_url, enrolment_csv)
    shown = run(db_url, "history", "KITA-1", "--json")
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout)
    assert [(r["event"], r["aggregate"]) for r in rows] == [
        ("Enrolled", "household KITA-1"), ("Suspended", "household KITA-1"), ("Granted", "entitlement 2019-Q1")]
    assert rows[1]["actor"] == "fatou.finance"
    assert rows[1]["reason"] == "duplicate under review"
    assert rows[1]["command"].startswith("tledger --db ")
    assert rows[0]["source"] == "households.csv:2"
    assert rows[2]["summary"].startswith("20 000 XOF due for 2019-Q1")  # suspended on March 1st
    human = run(db_url, "history", "KITA-1", "--program", "jigisemejiri")
    assert human.exit_code == 0
    assert "Suspended" in human.stdout and "duplicate" in human.stdout
    assert "3 event(s)." in human.stderr
    missing = run(db_url, "history", "NOPE-9")
    assert missing.exit_code == 1
    assert "Error: household 'NOPE-9' is not enrolled" in missing.stderr


def test_export_events(db_url: str, enrolment_csv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _setup(db_url, enrolment_csv)
    out = tmp_path / "events.jsonl"
    exported = run(db_url, "export", "events", "--out", str(out), "--json")
    assert exported.exit_code == 0, exported.output
    summary = json.loads(exported.stdout)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert summary == {"file": str(out), "events": len(lines), "last_position": len(lines),
                       "chain_head": json.loads(lines[-1])["hash"], "pseudonymised": False}
    assert "Awa Traoré" in out.read_text(encoding="utf-8")

    human = run(db_url, "export", "events", "--out", str(out), "--until", "2000-01-01")
    assert human.exit_code == 0
    assert f"Wrote 0 event(s) to {out}: last position -, chain head -." in human.stderr
    assert out.read_text(encoding="utf-8") == ""

    pseudo = tmp_path / "pseudo.jsonl"
    hidden = run(db_url, "export", "events", "--out", str(pseudo), "--pseudonymise",
                 env={KEY_VARIABLE: "0123456789abcdef"})
    assert hidden.exit_code == 0, hidden.output
    assert ", pseudonymised: last position" in hidden.stderr
    text = pseudo.read_text(encoding="utf-8")
    assert "Awa" not in text and "76123456" not in text and "hmac-sha256:" in text


def test_export_refusals_write_nothing(db_url: str, enrolment_csv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _setup(db_url, enrolment_csv)
    out = tmp_path / "events.jsonl"
    for key in (None, "too-short"):
        refused = run(db_url, "export", "events", "--out", str(out), "--pseudonymise", env={KEY_VARIABLE: key})
        assert refused.exit_code == 1
        assert f"Error: --pseudonymise needs the environment variable {KEY_VARIABLE}" in refused.stderr
        assert refused.stdout == ""
    bad_until = run(db_url, "export", "events", "--out", str(out), "--until", "30/06/2019")
    assert bad_until.exit_code == 2
    assert "'30/06/2019' is not an ISO 8601 date or date-time" in bad_until.stderr
    no_dir = run(db_url, "export", "events", "--out", str(tmp_path / "nowhere" / "events.jsonl"))
    assert no_dir.exit_code == 1
    assert "is not a directory" in no_dir.stderr
    assert [p.name for p in tmp_path.iterdir() if "events" in p.name or p.name == "nowhere"] == []


def test_help_has_examples() -> None:
    runner = CliRunner()
    assert "Example:" in runner.invoke(cli, ["history", "-h"]).output
    assert "Example:" in runner.invoke(cli, ["export", "events", "-h"]).output
