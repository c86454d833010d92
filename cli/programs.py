"""``tledger program add|list``."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import with_ledger
from cli.output import emit_json, json_option, message, table
from workflows.programs import add_program, list_programs
from workflows.runtime import Ledger


@click.group()
def program() -> None:
    """Program definitions and their rule versions."""


@program.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@with_ledger
def add(ledger: Ledger, file: Path, as_json: bool) -> None:
    """Record a program from a TOML file; a changed file records a new rule version.

    \b
    Example:
      tledger program add config/programs/jigisemejiri.toml
    """
    outcome = add_program(ledger, file)
    if as_json:
        emit_json(outcome.__dict__)
        return
    words = {"defined": "defined", "revised": "new rule version", "unchanged": "unchanged, nothing recorded"}
    message(
        f"Program {outcome.code}: {words[outcome.outcome]} "
        f"(version {outcome.version}, effective from {outcome.effective_from})"
    )


@program.command("list")
@json_option
@with_ledger
def list_(ledger: Ledger, as_json: bool) -> None:
    """List programs with their current rules.

    \b
    Example:
      tledger program list --json
    """
    programs = list_programs(ledger)
    if as_json:
        emit_json(programs)
        return
    rows = []
    for p in programs:
        rules = p["rules"]
        one_offs = ", ".join(f"{o['name']} {o['amount']:,}".replace(",", " ") for o in rules["one_offs"])
        rows.append((p["code"], p["name"], p["currency"], p["version"], p["effective_from"],
                     rules["monthly_amount"], rules["cycle_months"], rules["duration_months"], one_offs or "-"))
    table("Programs", ("code", "name", "currency", "version", "effective from", "monthly",
                       "cycle months", "duration months", "one-offs"), rows)
