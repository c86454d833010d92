"""A large reconciliation in two halves: the upper half of the references in a second process.

Python's merge, classification and detail writing take most of a million-entitlement
reconciliation; on two cores each half takes half of it. The halves meet in reference
order, so the detail file (the second half's rows copied after the first's), the totals
(summed) and the digest (the first half's hash going on over the text the second half
kept) are those of one pass. Each half reads inside one snapshot and notes the read
models' position; if the two positions differ (events applied between the two reads),
the caller does it again in one pass.

    python -m workflows.reconcile_half FD   (a pickled Half on stdin; see workers.process)
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from config.database import DatabaseURL
from projections import runner
from projections.database import Database
from reconciliation.spreadsheet import write_csv_body, write_rows
from reconciliation.summary import DETAIL_HEADER, Digest, Totals, detail_rows, digest_text
from workers import process
from workflows.reconcile_reads import Scope, count, detail, entitlements, matched_lines, middle_reference

SPLIT_FROM = 100_000  # entitlements: below this a second interpreter's start-up is not worth it


class Half(NamedTuple):
    url: DatabaseURL
    scope: Scope  # the references from the middle one on
    detail: Path | None  # its detail rows (a CSV body), if a detail file is asked for
    digest: Path  # its digest text


class HalfResult(NamedTuple):
    position: int
    totals: Totals
    notes: int


class _Moved(Exception):
    """The read models moved between the two halves' reads."""


def reconciled_in_halves(db: Database, scope: Scope, out: Path | None) -> tuple[Digest, Totals] | None:
    """The digest and totals of ``scope`` (and ``out`` written) in two processes, or None when
    the cycle is small, the detail is not a CSV file, or the halves saw different states."""
    if (out is not None and out.suffix.lower() != ".csv") or count(db, scope) < SPLIT_FROM:
        return None
    middle = middle_reference(db, scope)
    with tempfile.TemporaryDirectory(prefix="tledger-reconcile-") as tmp:
        half = Half(db.url, scope._replace(low=middle), Path(tmp) / "detail.csv" if out else None,
                    Path(tmp) / "digest")
        worker = process.start("workflows.reconcile_half", half)
        digest, totals = Digest(), Totals()
        try:
            with db.snapshot():
                position = runner.position(db)
                lower = scope._replace(high=middle)
                rows = detail_rows(entitlements(db, lower), matched_lines(db, lower), (), digest, totals)
                upper: list[HalfResult] = []

                def upper_detail() -> Path:
                    upper.append(_finished(worker, position))
                    assert half.detail is not None
                    return half.detail

                write_detail(out, rows, upper_detail)
                if not upper:
                    upper.append(_finished(worker, position))
        except _Moved:
            return None
        finally:
            process.stop(worker)
        digest.add_file(half.digest)
        digest.notes += upper[0].notes
        totals.merge(upper[0].totals)
    return digest, totals


def write_detail(out: Path | None, rows: Iterable[tuple[Any, ...]], tail: Callable[[], Path] | None = None) -> None:
    """The detail file, if one is asked for; else the rows are only run through (totals, digest)."""
    if out is not None:
        write_rows(out, DETAIL_HEADER, rows, tail)
    else:
        deque(rows, maxlen=0)


def _finished(worker: process.Worker, position: int) -> HalfResult:
    try:
        kind, result = process.receive(worker.output)
    except EOFError:
        raise RuntimeError("the process reconciling the second half stopped unexpectedly") from None
    if kind == "raised":
        raise result
    if result[0] != position:
        raise _Moved()
    return HalfResult(*result)


def reconcile_half(half: Half) -> HalfResult:
    db = Database(half.url)
    try:
        with db.snapshot(), half.digest.open("wb") as kept:
            position = runner.position(db)
            digest, totals = digest_text(kept), Totals()
            rows = detail(db, half.scope, digest, totals)
            if half.detail is not None:
                write_csv_body(half.detail, rows)
            else:
                deque(rows, maxlen=0)
    finally:
        db.close()
    return HalfResult(position, totals, digest.notes)


def main() -> None:
    half, out = process.job_and_output()
    try:
        # A plain tuple: this module runs as __main__ here, its classes would not unpickle there.
        process.send(out, ("result", tuple(reconcile_half(half))))
    except Exception as exc:  # raised again in the caller
        process.send(out, ("raised", exc))


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        pass  # the caller is gone
