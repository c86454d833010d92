"""What every command shares: the database URL, the actor and the command line (for audit)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from cli.output import BarProgress
from ledger.audit import Audit
from workflows.runtime import Ledger, open_ledger

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliState:
    db: str
    actor: str
    argv: list[str]

    def open(self) -> Ledger:
        command = shlex.join(["tledger", *self.argv])
        return open_ledger(self.db, Audit(actor=self.actor, command=command), BarProgress())


def with_ledger(func: F) -> F:
    """Pass an open ledger as the first argument and close it afterwards."""

    @click.pass_obj
    def wrapper(state: CliState, *args: Any, **kwargs: Any) -> Any:
        with state.open() as ledger:
            return func(ledger, *args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]
