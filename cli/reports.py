"""``tledger report ...``, ``tledger replay`` and ``tledger verify``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from cli.context import with_ledger
from cli.output import BarProgress, emit_json, json_option, key_values, message, money, table
from projections.rebuild import replay as rebuild
from workflows import reports
from workflows.as_of import books_as_of, parse_as_of
from workflows.runtime import Ledger
from workflows.verify import verify as run_verify

HUMAN_ROWS = 50

_as_of = click.option("--as-of", "as_of", default=None,
                      help="Answer as the ledger stood then (ISO date = end of that day, or date-time; UTC).")
_program = click.option("--program", "-p", default=None, help="Only this program.")


@click.group()
def report() -> None:
    """Reports from the read models, now or --as-of a past moment.

    \b
    Example:
      tledger report cycles --program jigisemejiri
      tledger report accounts --as-of 2019-06-30 --json
    """


def _report_command(name: str, summary: str, build: Callable[[Any, str | None], Any],
                    show: Callable[[Any], None]) -> click.Command:
    @_program
    @_as_of
    @json_option
    @with_ledger
    def command(ledger: Ledger, program: str | None, as_of: str | None, as_json: bool) -> None:
        moment = parse_as_of(as_of) if as_of else None
        db = books_as_of(ledger, moment)
        try:
            data = build(db, program)
        finally:
            if db is not ledger.db:
                db.close()
        if as_json:
            emit_json({"as_of": moment.isoformat() if moment else None, "report": name, name: data})
        else:
            if moment:
                message(f"As of {moment.isoformat()} (events recorded up to then).")
            show(data)

    command.__doc__ = f"{summary}\n\n\b\nExample:\n  tledger report {name} --program jigisemejiri --json"
    return click.command(name)(command)


def _show_balances(rows: list[dict[str, Any]]) -> None:
    ordered = sorted(rows, key=lambda r: -r["outstanding"])
    table("Household balances (largest outstanding first)",
          ("program", "household", "commune", "operator", "status", "entitled", "paid", "outstanding", "last payment"),
          [(r["program"], r["household_id"], r["commune"], r["operator"], r["status"], r["entitled"], r["paid"],
            r["outstanding"], r["last_payment"] or "-") for r in ordered[:HUMAN_ROWS]])
    if len(rows) > HUMAN_ROWS:
        message(f"{len(rows) - HUMAN_ROWS} more households: use --json for all of them.")


def _show_cycles(rows: list[dict[str, Any]]) -> None:
    keys = ("expected", "instructed", "paid", "failed", "unpaid")
    table("Cycles", ("program", "cycle", "status", *[f"{k} (n / amount)" for k in keys]),
          [(r["program"], r["cycle"], r["status"],
            *[f"{r[k]['count']} / {money(r[k]['amount'])}" for k in keys]) for r in rows])


def _show_regions(rows: list[dict[str, Any]]) -> None:
    table("By region, circle and commune", ("region", "circle", "commune", "households", "entitled", "paid",
                                            "outstanding"),
          [(r["region"], r["circle"], r["commune"], r["households"], r["entitled"], r["paid"], r["outstanding"])
           for r in rows])


def _show_operators(rows: list[dict[str, Any]]) -> None:
    table("Operators: instructed vs confirmed", ("operator", "instructed", "instructed amount", "confirmed"),
          [(r["operator"], r["instructed"]["count"], r["instructed"]["amount"], r["confirmed"]) for r in rows])


def _show_accounts(data: dict[str, Any]) -> None:
    table("Trial balance (debit +, credit -)", ("account", "balance"),
          [(a["account"], a["balance"]) for a in data["accounts"]] + [("TOTAL", data["total"])])
    state = "equals" if data["payable_matches_outstanding"] else "DOES NOT EQUAL"
    message(f"Household payable {money(-data['household_payable'])} {state} entitled - paid "
            f"{money(data['outstanding_entitlements'])}: {money(data['still_owed'])} still owed to households, "
            f"{money(data['overpaid'])} overpaid to them.")


for _name, _summary, _build, _show in (
    ("balances", "Per household: entitled, paid, outstanding, last payment.", reports.balances, _show_balances),
    ("cycles", "Per cycle: expected, instructed, paid, failed, unpaid.", reports.cycles, _show_cycles),
    ("regions", "Per region, circle and commune.", reports.regions, _show_regions),
    ("operators", "Per operator: money instructed vs confirmed.", reports.operators, _show_operators),
    ("accounts", "The double-entry trial balance (always totals zero).", reports.accounts, _show_accounts),
):
    report.add_command(_report_command(_name, _summary, _build, _show))


@click.command()
@json_option
@with_ledger
def replay(ledger: Ledger, as_json: bool) -> None:
    """Drop every read model and rebuild it from the event log.

    \b
    Example:
      tledger replay
    """
    progress = BarProgress()
    total = ledger.app.recorder.max_notification_id() or 0
    progress.start("replaying the event log", total)
    try:
        applied = rebuild(ledger.app, ledger.db, on_batch=progress.advance)
    finally:
        progress.stop()
    if as_json:
        emit_json({"events": applied})
    else:
        message(f"Rebuilt every read model from {applied} events.")


@click.command()
@click.option("--digest", is_flag=True, help="Print only the chain head (position:hash) to keep outside the system.")
@click.option("--expect", default=None, help="Fail unless the chain head is this (position:hash, or hash).")
@json_option
@with_ledger
def verify(ledger: Ledger, digest: bool, expect: str | None, as_json: bool) -> None:
    """Check the hash chain over the event log, the read models and the trial balance.

    Exits with code 1 and names the first bad position when a stored event was
    edited, deleted, inserted or reordered by hand.

    \b
    Example:
      tledger verify
      tledger verify --digest > chain-head-2019-Q2.txt
    """
    result = run_verify(ledger, expect)
    head = result["chain_head"]
    if digest and result["ok"]:
        click.echo(f"{head['position']}:{head['hash']}")
    elif as_json:
        emit_json(result)
    else:
        key_values([("events checked", result["events"]), ("chain head", f"{head['position']}:{head['hash']}"),
                    ("result", "OK" if result["ok"] else "FAILED")])
    for problem in result["problems"]:
        message(f"Error: {problem}")
    if not result["ok"]:
        raise SystemExit(1)
