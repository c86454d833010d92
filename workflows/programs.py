"""Program definitions: add from TOML, list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.programs import load_program_file
from workflows.runtime import Ledger


@dataclass(frozen=True)
class ProgramOutcome:
    code: str
    outcome: str  # "defined", "revised" or "unchanged"
    version: int
    effective_from: str


def add_program(ledger: Ledger, path: Path) -> ProgramOutcome:
    """Record a program definition, or a new rule version when the file changed."""
    model = load_program_file(path)
    outcome, version = ledger.app.define_program(
        code=model.code,
        name=model.name,
        currency=model.currency,
        effective_from=model.effective_from,
        rules=model.rules(),
        audit=ledger.audit,
    )
    ledger.catch_up()
    return ProgramOutcome(model.code, outcome, version, model.effective_from.isoformat())


def list_programs(ledger: Ledger) -> list[dict[str, Any]]:
    ledger.catch_up()
    rows = ledger.db.fetchall(
        "SELECT p.code, p.name, p.currency, p.version, v.effective_from, v.rules "
        "FROM tl_programs p JOIN tl_program_versions v ON v.code = p.code AND v.version = p.version "
        "ORDER BY p.code"
    )
    result = []
    for code, name, currency, version, effective_from, rules in rows:
        result.append(
            {
                "code": code,
                "name": name,
                "currency": currency,
                "version": version,
                "effective_from": effective_from,
                "rules": json.loads(rules),
            }
        )
    return result
