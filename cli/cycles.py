"""``tledger cycle open|compute|show|list``."""

from __future__ import annotations

from typing import Any

import click

from cli.context import with_ledger
from cli.output import emit_json, json_option, key_values, message, money, table
from workflows.cycles import compute_cycle, list_cycles, open_cycle, show_cycle
from workflows.runtime import Ledger


@click.group()
def cycle() -> None:
    """Payment cycles: YYYY-MM (monthly), YYYY-Bn (bi-monthly), YYYY-Qn (quarterly)."""


@cycle.command("open")
@click.argument("program")
@click.argument("label")
@json_option
@with_ledger
def open_(ledger: Ledger, program: str, label: str, as_json: bool) -> None:
    """Open a payment cycle of a program.

    \b
    Example:
      tledger cycle open jigisemejiri 2019-Q1
    """
    result = open_cycle(ledger, program, label)
    if as_json:
        emit_json(result)
        return
    state = "opened" if result["opened"] else "was already open"
    message(f"Cycle {result['cycle']} of {program} ({result['start']} to {result['end']}) {state}.")


@cycle.command("compute")
@click.argument("program")
@click.argument("label")
@json_option
@with_ledger
def compute(ledger: Ledger, program: str, label: str, as_json: bool) -> None:
    """Compute the cycle's entitlements (one per household with money due).

    Computing again adds only what is missing (e.g. households enrolled since).

    \b
    Example:
      tledger cycle compute jigisemejiri 2019-Q1
    """
    result = compute_cycle(ledger, program, label)
    if as_json:
        emit_json(result)
        return
    _print_cycle(result)
    added = result["added"]
    if added["count"] == 0:
        message(f"Nothing new: cycle {result['cycle']} already had every entitlement due.")
    else:
        message(f"Added {money(added['count'])} entitlements, {money(added['amount'], result['currency'])} "
                f"(rule version {result['rule_version']}).")


@cycle.command("show")
@click.argument("program")
@click.argument("label")
@json_option
@with_ledger
def show(ledger: Ledger, program: str, label: str, as_json: bool) -> None:
    """Show a cycle's entitlement totals, overall and per operator.

    \b
    Example:
      tledger cycle show jigisemejiri 2019-Q1 --json
    """
    result = show_cycle(ledger, program, label)
    if as_json:
        emit_json(result)
    else:
        _print_cycle(result)


@cycle.command("list")
@click.option("--program", "-p", default=None, help="Only this program.")
@json_option
@with_ledger
def list_(ledger: Ledger, program: str | None, as_json: bool) -> None:
    """List cycles with their entitlement totals.

    \b
    Example:
      tledger cycle list --program jigisemejiri
    """
    cycles = list_cycles(ledger, program)
    if as_json:
        emit_json(cycles)
        return
    table("Cycles", ("program", "cycle", "status", "start", "end", "entitlements", "amount"),
          [(c["program"], c["cycle"], c["status"], c["start"], c["end"],
            c["entitlements"]["count"], c["entitlements"]["amount"]) for c in cycles])


def _print_cycle(result: dict[str, Any]) -> None:
    totals = result["entitlements"]
    key_values([
        ("program", result["program"]), ("cycle", result["cycle"]), ("status", result["status"]),
        ("period", f"{result['start']} to {result['end']}"),
        ("entitlements", totals["count"]), ("amount", money(totals["amount"], result["currency"])),
    ])
    if result["by_operator"]:
        table("By operator", ("operator", "entitlements", "amount"),
              [(o["operator"], o["count"], o["amount"]) for o in result["by_operator"]])
