"""The real CLI (click's CliRunner) on both backends: what a finance officer types and reads."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from cli.main import cli

from conftest import PROGRAMS

LINES = [
    "KITA-1,Awa Traoré,76123456,Kayes,Kita,Kita,Sirakoro,orange-money,2019-01-15,no",
    "KITA-2,Moussa Diarra,66123456,Kayes,Kita,Kita,Sirakoro,moov-money,2019-02-03,yes",
    "DJEN-1,Oumou Sangaré,,Mopti,Djenné,Djenné,Kéra,kafo-jiginew,2019-01-01,no",
]


def run(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db_url, "--actor", "fatou.finance", *args], catch_exceptions=False)


def test_a_quarter_end_to_end(db_url: str, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    assert run(db_url, "init").exit_code == 0
    added = run(db_url, "program", "add", str(PROGRAMS / "jigisemejiri.toml"))
    assert added.exit_code == 0
    assert "Program jigisemejiri: defined (version 1" in added.stderr

    path = enrolment_csv(LINES)
    enrolled = run(db_url, "enrol", str(path), "--program", "jigisemejiri", "--json")
    assert enrolled.exit_code == 0, enrolled.output
    assert json.loads(enrolled.stdout)["enrolled"] == 3
    again = run(db_url, "enrol", str(path), "--program", "jigisemejiri")
    assert again.exit_code == 0
    assert "Nothing new: all 3 households of households.csv were already enrolled." in again.stderr

    assert run(db_url, "cycle", "open", "jigisemejiri", "2019-Q1").exit_code == 0
    computed = run(db_url, "cycle", "compute", "jigisemejiri", "2019-Q1", "--json")
    assert computed.exit_code == 0
    assert json.loads(computed.stdout)["added"] == {"count": 3, "amount": 30_000 + 20_000 + 30_000}
    recompute = run(db_url, "cycle", "compute", "jigisemejiri", "2019-Q1")
    assert "Nothing new: cycle 2019-Q1 already had every entitlement due." in recompute.stderr

    shown = json.loads(run(db_url, "cycle", "show", "jigisemejiri", "2019-Q1", "--json").stdout)
    assert {k: shown[k] for k in ("program", "cycle", "entitlements")} == {
        "program": "jigisemejiri", "cycle": "2019-Q1", "entitlements": {"count": 3, "amount": 80_000},
    }
    assert shown["by_operator"] == [
        {"operator": "kafo-jiginew", "count": 1, "amount": 30_000},
        {"operator": "moov-money", "count": 1, "amount": 20_000},
        {"operator": "orange-money", "count": 1, "amount": 30_000},
    ]
    human = run(db_url, "cycle", "show", "jigisemejiri", "2019-Q1")
    assert "80 000 XOF" in human.stdout

    listed = json.loads(run(db_url, "cycle", "list", "--json").stdout)
    assert [(c["cycle"], c["entitlements"]["amount"]) for c in listed] == [("2019-Q1", 80_000)]
    programs = json.loads(run(db_url, "program", "list", "--json").stdout)
    assert [p["code"] for p in programs] == ["jigisemejiri"]


def test_household_commands(db_url: str, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    run(db_url, "program", "add", str(PROGRAMS / "jigisemejiri.toml"))
    run(db_url, "enrol", str(enrolment_csv(LINES)), "--program", "jigisemejiri")
    exited = run(db_url, "household", "exit", "KITA-1", "--on", "20/02/2019", "--reason", "moved", "--json")
    assert exited.exit_code == 0
    assert json.loads(exited.stdout)["status"] == "exited"
    shown = json.loads(run(db_url, "household", "show", "KITA-1", "--json").stdout)
    assert (shown["status"], shown["exited_on"]) == ("exited", "2019-02-20")
    assert shown["status_history"][0]["actor"] == "fatou.finance"
    refused = run(db_url, "household", "reinstate", "KITA-1", "--on", "2019-03-01", "--reason", "x")
    assert refused.exit_code == 1
    assert "Error: cannot reinstate household 'KITA-1' of program 'jigisemejiri': it is exited" in refused.stderr
    missing = run(db_url, "household", "show", "NOPE-9")
    assert missing.exit_code == 1
    assert "Error: household 'NOPE-9' is not enrolled" in missing.stderr
    bad_date = run(db_url, "household", "suspend", "KITA-2", "--on", "2019-13-01", "--reason", "x")
    assert bad_date.exit_code == 2
    assert "'2019-13-01' is not a date" in bad_date.stderr


def test_a_bad_file_is_an_error_naming_line_column_and_value(db_url: str, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    run(db_url, "program", "add", str(PROGRAMS / "jigisemejiri.toml"))
    path = enrolment_csv([LINES[0], LINES[1].replace("66123456", "123")])
    result = run(db_url, "enrol", str(path), "--program", "jigisemejiri")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {path}: 1 invalid row(s), nothing recorded")
    assert f"{path}:3: column 'msisdn', value '123': " in result.stderr
    listed = run(db_url, "household", "show", "KITA-1")
    assert listed.exit_code == 1  # nothing was written, not even the good row


def test_unknown_program_and_bad_database_url_are_clear_errors(db_url: str, tmp_path: Path) -> None:
    unknown = run(db_url, "cycle", "open", "nope", "2019-Q1")
    assert unknown.exit_code == 1
    assert "Error: program 'nope' not found" in unknown.stderr
    bad = CliRunner().invoke(cli, ["--db", "mysql://x/y", "init"])
    assert bad.exit_code == 1
    assert "is not sqlite:///PATH or postgresql://USER@HOST:PORT/DBNAME" in bad.stderr


def test_demo_runs_on_a_given_database(db_url: str) -> None:
    result = run(db_url, "demo", "--households", "200", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert sum(r["households"] for r in summary["households"]) == 200
    assert [c["cycle"] for c in summary["cycles"]] == ["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4"]
    assert "enrol the same file again: 0 enrolled, 200 already" in summary["steps"]


def test_help_and_version() -> None:
    runner = CliRunner()
    assert "Example:" in runner.invoke(cli, ["cycle", "compute", "-h"]).output
    assert runner.invoke(cli, ["--version"]).output.startswith("tledger, version ")


def test_json_logs_carry_no_names_or_phone_numbers(db_url: str, enrolment_csv) -> None:  # type: ignore[no-untyped-def]
    run(db_url, "program", "add", str(PROGRAMS / "jigisemejiri.toml"))
    result = run(db_url, "--log-json", "enrol", str(enrolment_csv(LINES)), "--program", "jigisemejiri", "--json")
    assert result.exit_code == 0
    logs = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert logs and any('"enrol.done"' in line for line in logs)
    for secret in ("Awa", "Traoré", "Diarra", "76123456", "66123456", "Sangaré"):
        assert secret not in result.stderr
