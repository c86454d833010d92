"""``tledger demo``."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from cli.context import CliState
from cli.output import emit_json, json_option, message, money, table
from workflows.demo import run_demo


@click.command()
@click.option("--households", "-n", default=3000, show_default=True, type=click.IntRange(1, 2_000_000),
              help="How many synthetic households to enrol.")
@json_option
@click.pass_context
def demo(ctx: click.Context, households: int, as_json: bool) -> None:
    """Run a synthetic Jigisemejiri year end to end and print the summary.

    Uses a fresh temporary SQLite database unless --db (or TLEDGER_DB) is given.

    \b
    Example:
      tledger demo
      tledger --db sqlite:///demo.db demo --households 10000
    """
    state: CliState = ctx.obj
    explicit_db = ctx.parent is not None and ctx.parent.params.get("db")
    with tempfile.TemporaryDirectory(prefix="tledger-demo-") as tmp:
        workdir = Path(tmp)
        if not explicit_db:
            state.db = f"sqlite:///{workdir / 'demo.db'}"
        message(f"Demo database: {state.db}")
        with state.open() as ledger:
            summary = run_demo(ledger, workdir, households)
    if as_json:
        emit_json(summary)
        return
    for step in summary["steps"]:
        message(f"  - {step}")
    table("Households by region", ("region", "households", "productive"),
          [(r["region"], r["households"], r["productive"]) for r in summary["households"]])
    table("Households by status", ("status", "households"), list(summary["statuses"].items()))
    table("Cycles", ("cycle", "status", "entitlements", "amount (XOF)"),
          [(c["cycle"], c["status"], c["entitlements"]["count"], c["entitlements"]["amount"])
           for c in summary["cycles"]])
    rec = summary["reconciliation"]
    table(f"Reconciliation of {rec['cycle']} at closing", ("category", "entitlements", "expected", "reported"),
          [(k, n, rec["category_amounts"][k]["expected"], rec["category_amounts"][k]["reported"])
           for k, n in rec["categories"].items() if n])
    message(f"{rec['cycle']}: expected {money(rec['expected']['amount'], 'XOF')}, "
            f"paid {money(rec['paid']['amount'], 'XOF')}, outstanding {money(rec['outstanding']['amount'], 'XOF')}")
    total = sum(c["entitlements"]["amount"] for c in summary["cycles"])
    message(f"Total entitlements over {len(summary['cycles'])} cycles: {money(total, 'XOF')}")
