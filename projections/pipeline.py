"""Rebuilding the read models on two cores: a second process reads and prepares batches
(decoding, rows, postings) while this one writes them.

Preparing is pure (no database writes), so the second process needs only a way to read
the log and the application's mapper (cipher, compression): it builds its own
application from the same settings. Batches cross a pipe; the pipe's small buffer
keeps the preparer one batch ahead, so memory stays at two batches.

Each batch is applied as ``runner.catch_up`` applies one: in one transaction with the
new position, and only if the position is still where the batch starts. If another
process moves the read models meanwhile, or the preparer stops, the pipeline stops and
the ordinary catch-up finishes the work. The pipeline covers only events the hash chain
already links (the chain is extended by the ordinary catch-up, which needs the stored bytes).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application

from projections import chain, runner
from projections.database import Database
from projections.preparer import Job

# Below this many events a second process costs more to start than it saves.
PARALLEL_FROM = 50_000
# (20,000 was measured slower than 5,000: the writer waits longer for each batch.)
BATCH_SIZE = runner.BATCH_SIZE


def parallel_catch_up(
    app: Application[Any], db: Database, on_batch: Callable[[int], None] | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> int:
    """Catch up, preparing batches in a second process when at least ``parallel_from`` events
    already linked by the chain are waiting; returns how many notifications were applied."""
    start = runner.position(db)
    stop = chain.head(db)[0]
    total = 0
    if stop - start >= parallel_from:
        total = _pipeline(app, db, start, stop, on_batch)
    return total + runner.catch_up(app, db, on_batch=on_batch, analyze=False)


def _pipeline(
    app: Application[Any], db: Database, start: int, stop: int, on_batch: Callable[[int], None] | None
) -> int:
    # A fresh interpreter (not multiprocessing): nothing inherited, and no re-import of the
    # caller's main module. The settings (the cipher key among them) go through the pipe.
    preparer = subprocess.Popen(
        [sys.executable, "-m", "projections.preparer"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert preparer.stdin is not None and preparer.stdout is not None
    total = 0
    try:
        job = Job(type(app), dict(app.env), db.url, runner.events_table(app), start, stop, BATCH_SIZE)
        pickle.dump(job, preparer.stdin)
        preparer.stdin.close()
        while True:
            try:
                batch = pickle.load(preparer.stdout)
            except EOFError:  # the preparer stopped early: the ordinary catch-up goes on from here
                return total
            if batch is None:
                return total
            first, last, count, prepared = batch
            if not runner.apply_prepared(db, first, last, prepared):
                return total  # another process moved the read models: leave the rest to catch_up
            total += count
            if on_batch is not None:
                on_batch(count)
    finally:
        preparer.stdout.close()
        try:
            preparer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            preparer.kill()
            preparer.wait()
