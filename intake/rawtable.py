"""The shape format readers hand to :mod:`intake.tabular`: records of raw cell text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

Record = tuple[int, list[str]]
"""A record's first physical line (or sheet row) and its cells, as text not yet cleaned."""


@dataclass
class RawTable:
    """An opened file: its records (header included) in order, and how to release it."""

    records: Iterator[Record]
    close: Callable[[], None]
    joiner: str
    """Text used to show surplus cells together, e.g. the CSV delimiter."""
