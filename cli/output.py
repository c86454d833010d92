"""Output conventions: data to stdout (a table, or JSON with ``--json``), messages to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from workflows.runtime import Progress as ProgressPort

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (stable keys) instead of a table.")(func)


def stdout_console() -> Console:
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160, highlight=False)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def message(text: str) -> None:
    """A human message for the operator of the command (stderr, never mixed with data)."""
    click.echo(text, err=True)


def money(amount: int, currency: str = "") -> str:
    """Digits grouped by three with spaces, as the tables show them: amounts and counts alike."""
    text = f"{amount:,}".replace(",", " ")
    return f"{text} {currency}".strip()


def table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A human table on stdout; numeric columns right-aligned."""
    grid = Table(title=title, title_justify="left", show_lines=False)
    for index, header in enumerate(headers):
        numeric = bool(rows) and all(isinstance(r[index], int) and not isinstance(r[index], bool) for r in rows)
        grid.add_column(header, justify="right" if numeric else "left")
    for row in rows:
        grid.add_row(*(money(v) if isinstance(v, int) and not isinstance(v, bool) else str(v) for v in row))
    stdout_console().print(grid)


def key_values(pairs: Sequence[tuple[str, Any]]) -> None:
    table(None, ("", ""), [(k, v) for k, v in pairs])


class BarProgress(ProgressPort):
    """A progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task: Any = None

    def start(self, description: str, total: int | None) -> None:
        if not sys.stderr.isatty():
            return
        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(file=sys.stderr), transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(description, total=total)

    def advance(self, amount: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, amount)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
