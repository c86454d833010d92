"""``tledger cycle issue|close``, ``tledger payouts import`` and ``tledger reconcile``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.context import with_ledger
from cli.cycles import cycle
from cli.output import emit_json, json_option, key_values, message, money, table
from workflows.disbursement import issue_payment_list
from workflows.payouts import import_payouts
from workflows.reconcile import close_cycle, reconcile_cycle
from workflows.runtime import Ledger


@cycle.command("issue")
@click.argument("program")
@click.argument("label")
@click.option("--operator", "-o", required=True, help="Operator code, e.g. orange-money.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Payment list to write (.csv or .xlsx).")
@json_option
@with_ledger
def issue(ledger: Ledger, program: str, label: str, operator: str, out: Path, as_json: bool) -> None:
    """Write the payment list of one operator for a cycle, and record it.

    References are stable (16 characters): issuing again gives the same ones.
    Entitlements marked for re-issue in earlier cycles are added at the end.

    \b
    Example:
      tledger cycle issue jigisemejiri 2019-Q1 --operator orange-money --out om-2019-Q1.xlsx
    """
    result = issue_payment_list(ledger, program, label, operator, out)
    if as_json:
        emit_json(result)
        return
    state = "already issued (same list), not recorded again" if result["already_issued"] else "issued"
    message(f"Payment list {out} for {result['operator']} {state}: {money(result['count'])} lines, "
            f"{money(result['amount'], result['currency'])} ({result['reissued']} re-issued).")


@cycle.command("close")
@click.argument("program")
@click.argument("label")
@json_option
@with_ledger
def close(ledger: Ledger, program: str, label: str, as_json: bool) -> None:
    """Reconcile the cycle and record its final totals; afterwards only corrections change it.

    \b
    Example:
      tledger cycle close jigisemejiri 2019-Q1
    """
    summary = close_cycle(ledger, program, label)
    if as_json:
        emit_json(summary)
        return
    print_summary(summary)
    message(f"Cycle {summary['cycle']} of {program} closed. Result digest: {summary['digest']}")
    message(f"Chain head (keep it outside the system; check later with `tledger verify --expect`): "
            f"{summary['chain_head']}")


@click.group()
def payouts() -> None:
    """Operator payout confirmation files."""


@payouts.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--operator", "-o", required=True, help="Operator code; its column names come from config/operators/CODE.toml.")
@click.option("--skip-invalid", is_flag=True, help="Record the valid lines; write rejected ones to a side file.")
@click.option("--rejects", type=click.Path(path_type=Path), default=None,
              help="Where --skip-invalid writes rejected lines (default FILE.rejected.csv).")
@json_option
@with_ledger
def import_(ledger: Ledger, file: Path, operator: str, skip_invalid: bool, rejects: Path | None,
            as_json: bool) -> None:
    """Import a payout confirmation file (CSV, XLSX or ISO 20022 pain.002 XML).

    The whole file is checked first: any bad line rejects it (every bad line is
    listed) and nothing is recorded, unless --skip-invalid. The same file
    imported again records nothing.

    \b
    Example:
      tledger payouts import om-confirmations.csv --operator orange-money --json
    """
    report = import_payouts(ledger, file, operator, skip_invalid=skip_invalid, rejects=rejects)
    if as_json:
        emit_json(report.as_dict())
        return
    if report.already_imported:
        message(f"Already imported: {file} (sha256 {report.file_sha256[:12]}...) was recorded before; nothing recorded.")
        return
    key_values([("file", report.file), ("operator", report.operator), ("lines", report.lines),
                ("recorded", report.recorded), ("skipped duplicates", report.skipped_duplicates),
                ("rejected", report.rejected)]
               + [(f"lines for {k}", v) for k, v in sorted(report.cycles.items())])
    if report.rejected_file:
        message(f"{report.rejected} rejected lines written to {report.rejected_file}")


@click.command()
@click.argument("program")
@click.argument("label")
@click.option("--operator", "-o", default=None, help="Only this operator's entitlements and lines.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Write one row per entitlement and per unknown line (.csv or .xlsx).")
@click.option("--strict", is_flag=True, help="Exit with code 3 when any discrepancy remains.")
@json_option
@with_ledger
def reconcile(ledger: Ledger, program: str, label: str, operator: str | None, out: Path | None,
              strict: bool, as_json: bool) -> None:
    """Match payout lines to the cycle's entitlements and classify each one.

    Categories: paid, partial, overpaid, duplicate, failed, pending, unpaid
    (and cancelled); lines matching no entitlement are unknown. Exit code 0
    even with discrepancies, unless --strict.

    \b
    Example:
      tledger reconcile jigisemejiri 2019-Q1 --out reconciliation-2019-Q1.xlsx
    """
    summary = reconcile_cycle(ledger, program, label, operator, out)
    if as_json:
        emit_json(summary)
    else:
        print_summary(summary)
    discrepancies = sum(n for k, n in summary["categories"].items() if k not in ("paid", "cancelled"))
    if strict and discrepancies:
        message(f"Error: {discrepancies} discrepancies remain (--strict)")
        raise SystemExit(3)


def print_summary(summary: dict[str, Any]) -> None:
    currency = summary["currency"]
    key_values([
        ("program", summary["program"]), ("cycle", summary["cycle"]), ("operator", summary["operator"] or "all"),
        ("expected", f"{money(summary['expected']['count'])} entitlements, {money(summary['expected']['amount'], currency)}"),
        ("paid", f"{money(summary['paid']['count'])} entitlements, {money(summary['paid']['amount'], currency)}"),
        ("outstanding", money(summary["outstanding"]["amount"], currency)),
        ("overpaid (excess)", money(summary["excess"]["amount"], currency)),
    ])
    amounts = summary["category_amounts"]
    table("Categories", ("category", "count", "expected", "reported"),
          [(name, count, amounts[name]["expected"], amounts[name]["reported"])
           for name, count in summary["categories"].items()])
