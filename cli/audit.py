"""Auditor commands: ``tledger history`` and ``tledger export events``."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from cli.context import CliState, with_ledger
from cli.output import emit_json, json_option, message, table
from workflows.export import ExportError, export_events, load_pseudonymiser, parse_until
from workflows.history import household_history
from workflows.runtime import Ledger


@click.command("history")
@click.argument("household_id")
@click.option("--program", "-p", default=None,
              help="Program code (needed only if the household is in several).")
@json_option
@with_ledger
def history(ledger: Ledger, household_id: str, program: str | None, as_json: bool) -> None:
    """Every recorded event of a household, its entitlements and its payout lines.

    Read from the event store itself: when, what, who, why, with which command
    and from which line of which file; ordered by time.

    \b
    Example:
      tledger history KITA-000001
      tledger history KITA-000001 --program jigisemejiri --json
    """
    entries = household_history(ledger, household_id, program)
    if as_json:
        emit_json([entry.as_dict() for entry in entries])
        return
    table(f"History of household {household_id}",
          ("at (UTC)", "aggregate", "v", "event", "summary", "actor", "reason", "source", "command"),
          [(e.at[:19].replace("T", " "), e.aggregate, str(e.version), e.event, e.summary,
            e.actor or "-", e.reason or "-", e.source or "-", e.command or "-") for e in entries])
    message(f"{len(entries)} event(s).")


def _parse_until(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_until(value)
    except ValueError as error:
        raise click.BadParameter(f"{error}: use e.g. 2019-04-01 or 2019-04-01T12:00:00Z") from None


@click.group("export")
def export() -> None:
    """Export the event log (for auditors and archives)."""


@export.command("events")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The JSON-lines file to write (replaced whole at the end).")
@click.option("--until", default=None, callback=_parse_until,
              help="Keep events recorded at or before this ISO 8601 date or date-time "
                   "(naive = UTC; a date alone = the end of that day).")
@click.option("--pseudonymise", is_flag=True,
              help="Replace every head_name and msisdn with an HMAC-SHA256 keyed by "
                   "TLEDGER_PSEUDONYMISATION_KEY (at least 16 characters).")
@json_option
@click.pass_obj
def events(state: CliState, out: Path, until: datetime | None, pseudonymise: bool, as_json: bool) -> None:
    """Write every stored event, in log order, one JSON object per line.

    Each line: position, recorded_at, topic, aggregate_id, version, actor,
    command, hash (the hash-chain link at that position) and data (the event's
    attributes). Equal names or phone numbers get equal pseudonyms.

    \b
    Example:
      tledger export events --out events.jsonl
      TLEDGER_PSEUDONYMISATION_KEY=... tledger export events --out events.jsonl \\
          --until 2019-06-30 --pseudonymise --json
    """
    try:
        pseudonymiser = load_pseudonymiser(os.environ) if pseudonymise else None
        with state.open() as ledger:
            summary = export_events(ledger, out, until=until, pseudonymiser=pseudonymiser)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        emit_json(summary.as_dict())
        return
    pseudonymised = ", pseudonymised" if summary.pseudonymised else ""
    message(f"Wrote {summary.events} event(s) to {summary.file}{pseudonymised}: last position "
            f"{summary.last_position if summary.last_position is not None else '-'}, "
            f"chain head {summary.chain_head or '-'}.")
