"""``tledger household show|exit|suspend|reinstate``."""

from __future__ import annotations

from datetime import date, datetime

import click

from cli.context import with_ledger
from cli.output import emit_json, json_option, key_values, message, table
from workflows.as_of import books_as_of, parse_as_of
from workflows.households import change_status, show_household
from workflows.runtime import Ledger

_program_option = click.option(
    "--program", "-p", default=None, help="Program code (needed only if the household is in several)."
)


@click.group()
def household() -> None:
    """Look up a household; exit, suspend or reinstate it."""


@household.command("show")
@click.argument("household_id")
@_program_option
@click.option("--as-of", "as_of", default=None, help="As the ledger stood then (ISO date or date-time, UTC).")
@json_option
@with_ledger
def show(ledger: Ledger, household_id: str, program: str | None, as_of: str | None, as_json: bool) -> None:
    """Show a household, its status history and its entitlements (now or --as-of).

    \b
    Example:
      tledger household show KITA-000001 --json
      tledger household show KITA-000001 --as-of 2019-06-30
    """
    if as_of:
        books = books_as_of(ledger, parse_as_of(as_of))
        try:
            data = show_household(ledger, household_id, program, books)
        finally:
            books.close()
    else:
        data = show_household(ledger, household_id, program)
    if as_json:
        emit_json(data)
        return
    key_values([(k, "-" if data[k] is None else data[k]) for k in (
        "program", "household_id", "head_name", "msisdn", "region", "circle", "commune", "village",
        "operator", "enrolled_on", "productive", "status", "exited_on", "entitled_total", "paid_total",
        "outstanding")])
    if data["status_history"]:
        table("Status history", ("action", "on", "reason", "actor", "recorded at"),
              [(h["action"], h["on"], h["reason"], h["actor"], h["recorded_at"]) for h in data["status_history"]])
    if data["entitlements"]:
        table("Entitlements", ("cycle", "reference", "months", "due", "paid", "category", "rule version"),
              [(e["cycle"], e["reference"], " ".join(e["months"]), e["due"], e["paid"], e["category"],
                e["rule_version"]) for e in data["entitlements"]])


def parse_on(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"'{value}' is not a date: use YYYY-MM-DD or DD/MM/YYYY")


def _status_command(action: str, verb: str, example: str) -> click.Command:
    @click.argument("household_id")
    @click.option("--on", "on", required=True, callback=parse_on, help="Date it takes effect (YYYY-MM-DD).")
    @click.option("--reason", required=True, help="Why (recorded on the event).")
    @_program_option
    @json_option
    @with_ledger
    def command(ledger: Ledger, household_id: str, on: date, reason: str,
                program: str | None, as_json: bool) -> None:
        result = change_status(ledger, household_id, program, action, on, reason)
        if as_json:
            emit_json(result)
        else:
            message(f"Household {household_id} of {result['program']}: {verb} on {result['on']}.")

    command.__doc__ = (
        f"{verb.capitalize()} a household from a date (recorded as an event with the reason).\n\n"
        f"\b\nExample:\n  {example}"
    )
    return click.command(action)(command)


household.add_command(_status_command(
    "exit", "exited", "tledger household exit KITA-000001 --on 2019-05-15 --reason 'moved away'"))
household.add_command(_status_command(
    "suspend", "suspended", "tledger household suspend KITA-000001 --on 2019-04-01 --reason 'audit'"))
household.add_command(_status_command(
    "reinstate", "reinstated", "tledger household reinstate KITA-000001 --on 2019-07-01 --reason 'cleared'"))
