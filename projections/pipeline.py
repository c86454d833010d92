"""Rebuilding the read models on two cores: other processes read and prepare batches
(decoding, rows, postings) while this one writes them.

Preparing is pure (no database writes), so a preparer needs only a way to read the log
and the application's mapper (cipher, compression): it builds its own application from
the same settings. The log is cut into ranges of positions, dealt to the preparers in
turn; each range crosses a pipe, and a pipe's small buffer keeps each preparer about
one batch ahead, so memory stays at a few batches.

Each batch is applied as ``runner.catch_up`` applies one: in one transaction with the
new position, and only if the position is still where the batch starts. If another
process moves the read models meanwhile, or the preparer stops, the pipeline stops and
the ordinary catch-up finishes the work. The pipeline covers only events the hash chain
already links (the chain is extended by the ordinary catch-up, which needs the stored bytes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application

from projections import chain, runner
from projections.database import Database
from projections.preparer import Job
from workers import process

# Below this many events a second process costs more to start than it saves.
PARALLEL_FROM = 50_000
# (20,000 was measured slower than 5,000: the writer waits longer for each batch.)
BATCH_SIZE = runner.BATCH_SIZE
# Preparing (reading, decoding, pickling) costs about twice what writing does: two preparers
# keep the writer busy (a million households: 45 s preparing, 21 s writing, 3 million events).
PREPARERS = 2


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
    """Apply (start, stop] range by range, in order, as the preparers deliver them."""
    job = Job(type(app), dict(app.env), db.url, runner.events_table(app), start, stop, BATCH_SIZE, 0, PREPARERS)
    preparers = [process.start("projections.preparer", job._replace(offset=offset)) for offset in range(PREPARERS)]
    total = 0
    try:
        for index, first in enumerate(range(start, stop, BATCH_SIZE)):
            try:
                batch = process.receive(preparers[index % PREPARERS].output)
            except EOFError:  # a preparer stopped early: the ordinary catch-up goes on from here
                return total
            got, last, count, prepared = batch
            if got != first or not runner.apply_prepared(db, first, last, prepared):
                return total  # another process moved the read models: leave the rest to catch_up
            total += count
            if on_batch is not None:
                on_batch(count)
        return total
    finally:
        for preparer in preparers:
            process.stop(preparer, timeout=10)
