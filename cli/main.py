"""Entry point: the ``tledger`` group, global options and error translation."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click
import psycopg
import structlog
from eventsourcing.persistence import OperationalError as StoreOperationalError
from pydantic import ValidationError

from cli import audit, corrections, cycles, db, demo, disbursement, enrol, households, programs, reports
from cli.context import CliState
from config.database import DatabaseURLError
from config.programs import ProgramFileError
from config.settings import Settings
from intake.errors import FileRejected
from ledger.errors import LedgerError
from workers import collector

# Errors a user can cause and fix: printed as "Error: ..." with exit code 1, no traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (
    LedgerError,
    FileRejected,
    ProgramFileError,
    DatabaseURLError,
    ValidationError,
    psycopg.OperationalError,
    StoreOperationalError,
)


class TledgerGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["tledger.argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as error:
            structlog.get_logger().info("command.failed", error_type=type(error).__name__)
            raise click.ClickException(str(error)) from None


def _configure_logging(as_json: bool) -> None:
    level = logging.INFO if as_json else logging.WARNING
    renderer: Any = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


@click.group(cls=TledgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tledger", prog_name="tledger")
@click.option("--db", envvar="TLEDGER_DB", default=None,
              help="Database URL: sqlite:///PATH (default sqlite:///tledger.db) or "
                   "postgresql://USER@HOST:PORT/DBNAME. Env: TLEDGER_DB.")
@click.option("--actor", envvar="TLEDGER_ACTOR", default=None,
              help="Who is acting, recorded on every event. Env: TLEDGER_ACTOR; default the OS user.")
@click.option("--log-json", is_flag=True, help="Log JSON lines to stderr (info level).")
@click.pass_context
def cli(ctx: click.Context, db: str | None, actor: str | None, log_json: bool) -> None:
    """tledger: an event-sourced ledger for social cash-transfer programs.

    Every enrolment, entitlement and status change is an immutable event;
    reports are rebuilt from the events.

    \b
    Example:
      tledger program add config/programs/jigisemejiri.toml
      tledger enrol households.csv --program jigisemejiri
      tledger cycle open jigisemejiri 2019-Q1
      tledger cycle compute jigisemejiri 2019-Q1
      tledger cycle show jigisemejiri 2019-Q1 --json
    """
    _configure_logging(log_json)
    settings = Settings()
    ctx.obj = CliState(
        db=db or settings.db,
        actor=actor or settings.actor,
        argv=ctx.meta.get("tledger.argv", []),
    )


@cli.command()
@click.pass_obj
def init(state: CliState) -> None:
    """Create the event store and read models (safe to run again).

    \b
    Example:
      tledger --db postgresql://tledger@localhost:5432/tledger init
    """
    with state.open() as ledger:
        applied = ledger.catch_up()
        events = ledger.app.recorder.max_notification_id() or 0
    click.echo(f"Ready: {ledger.db.url} ({events} events, {applied} applied to read models now)", err=True)


for command in (programs.program, enrol.enrol, households.household, cycles.cycle, disbursement.payouts,
                disbursement.reconcile, corrections.correct, reports.report, reports.replay, reports.verify,
                audit.history, audit.export, db.db, demo.demo):
    cli.add_command(command)


def main() -> None:
    collector.set_for_bulk_work()
    cli(prog_name="tledger")
