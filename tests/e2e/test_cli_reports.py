"""Reports, replay and verify through the real CLI, on both backends."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from cli.main import cli


def run(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db_url, "--actor", "awa.audit", *args], catch_exceptions=False)


def test_an_auditor_replays_reports_and_verifies(db_url: str) -> None:
    assert run(db_url, "demo", "--households", "120").exit_code == 0
    cycles = json.loads(run(db_url, "report", "cycles", "--json").stdout)
    assert cycles["as_of"] is None and cycles["report"] == "cycles"
    closed = [c for c in cycles["cycles"] if c["status"] == "closed"]
    assert len(closed) == 1 and closed[0]["instructed"]["count"] == closed[0]["expected"]["count"]
    accounts = json.loads(run(db_url, "report", "accounts", "--program", "jigisemejiri", "--json").stdout)
    assert accounts["accounts"]["total"] == 0
    balances = json.loads(run(db_url, "report", "balances", "--json").stdout)["balances"]
    regions = json.loads(run(db_url, "report", "regions", "--json").stdout)["regions"]
    assert sum(b["outstanding"] for b in balances) == sum(r["outstanding"] for r in regions)
    assert sum(r["households"] for r in regions) == 120
    assert -sum(a["balance"] for a in accounts["accounts"]["accounts"]
                if a["account"].startswith("household-payable")) == sum(b["outstanding"] for b in balances)

    before = run(db_url, "report", "balances", "--json").stdout
    replayed = run(db_url, "replay")
    assert replayed.exit_code == 0 and "Rebuilt every read model from" in replayed.stderr
    assert run(db_url, "report", "balances", "--json").stdout == before

    digest = run(db_url, "verify", "--digest")
    assert digest.exit_code == 0
    head = digest.stdout.strip()
    assert run(db_url, "verify", "--expect", head).exit_code == 0
    wrong = run(db_url, "verify", "--expect", "1:" + "f" * 64)
    assert wrong.exit_code == 1 and "Error: chain head is" in wrong.stderr

    early = json.loads(run(db_url, "report", "cycles", "--as-of", "2000-01-01", "--json").stdout)
    assert early["cycles"] == [] and early["as_of"].startswith("2000-01-01T23:59:59")
    bad = run(db_url, "report", "cycles", "--as-of", "yesterday")
    assert bad.exit_code == 1 and "--as-of 'yesterday' is not an ISO date" in bad.stderr
    household = json.loads(run(db_url, "household", "show", "KITA-000010", "--as-of", "2999-01-01", "--json").stdout)
    assert household["status"] == "exited"
