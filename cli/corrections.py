"""``tledger correct adjust|cancel|reverse|manual-payment|reissue``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from cli.context import with_ledger
from cli.households import parse_on
from cli.output import emit_json, json_option, message
from workflows.corrections import correct_entitlement, manual_payment, reverse_payout
from workflows.runtime import Ledger

_reason = click.option("--reason", required=True, help="Why (recorded on the event with the actor).")


def _report(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(result)
        return
    who = result.get("household_id") or result.get("operator_txn_id")
    message(f"Recorded {result['correction']} for {who} in {result['program']} {result['cycle']}.")


@click.group()
def correct() -> None:
    """Corrections: events with a reason and the actor; nothing is ever edited."""


@correct.command("adjust")
@click.argument("program")
@click.argument("label")
@click.argument("household_id")
@click.option("--amount", required=True, type=int, help="Signed amount to add to what is due, e.g. -10000.")
@_reason
@json_option
@with_ledger
def adjust(ledger: Ledger, program: str, label: str, household_id: str, amount: int, reason: str,
           as_json: bool) -> None:
    """Adjust an entitlement by a signed amount.

    \b
    Example:
      tledger correct adjust jigisemejiri 2019-Q1 KITA-000001 --amount -10000 --reason "exit in February"
    """
    _report(correct_entitlement(ledger, program, label, household_id, "adjust", delta=amount, reason=reason), as_json)


def _reason_only(action: str, summary: str, example: str) -> click.Command:
    """A correction that takes only the entitlement and a reason (cancel, reissue)."""

    @click.argument("program")
    @click.argument("label")
    @click.argument("household_id")
    @_reason
    @json_option
    @with_ledger
    def command(ledger: Ledger, program: str, label: str, household_id: str, reason: str, as_json: bool) -> None:
        _report(correct_entitlement(ledger, program, label, household_id, action, reason=reason), as_json)

    command.__doc__ = f"{summary}\n\n\b\nExample:\n  {example}"
    return click.command(action)(command)


correct.add_command(_reason_only(
    "cancel", "Cancel an entitlement (nothing is due any more).",
    'tledger correct cancel jigisemejiri 2019-Q1 KITA-000001 --reason "enrolled in error"'))
correct.add_command(_reason_only(
    "reissue", "Put an unpaid or failed entitlement on the next payment list of its operator.",
    'tledger correct reissue jigisemejiri 2019-Q1 KITA-000001 --reason "wallet was blocked"'))


@correct.command("manual-payment")
@click.argument("program")
@click.argument("label")
@click.argument("household_id")
@click.option("--amount", required=True, type=click.IntRange(min=1), help="Amount paid (integer).")
@click.option("--paid-on", required=True, callback=parse_on, help="Date paid (YYYY-MM-DD).")
@_reason
@json_option
@with_ledger
def manual(ledger: Ledger, program: str, label: str, household_id: str, amount: int, paid_on: Any,
           reason: str, as_json: bool) -> None:
    """Record a payment made outside any operator file.

    \b
    Example:
      tledger correct manual-payment jigisemejiri 2019-Q1 KITA-000001 --amount 30000 --paid-on 2019-04-10 --reason "cash at the mairie"
    """
    paid_at = datetime(paid_on.year, paid_on.month, paid_on.day)
    _report(manual_payment(ledger, program, label, household_id, amount, paid_at, reason), as_json)


@correct.command("reverse")
@click.argument("operator_txn_id")
@click.option("--operator", "-o", required=True, help="Operator that reported the line.")
@_reason
@json_option
@with_ledger
def reverse(ledger: Ledger, operator_txn_id: str, operator: str, reason: str, as_json: bool) -> None:
    """Record that the operator reversed a payout line (it no longer counts as paid).

    \b
    Example:
      tledger correct reverse OM-889201 --operator orange-money --reason "operator reversal notice 2019-05"
    """
    _report(reverse_payout(ledger, operator, operator_txn_id, reason), as_json)
