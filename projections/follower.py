"""A second process that keeps the read models caught up while this one writes events.

    with following(app, db):
        ...append many events...

A bulk use case (enrolment, a cycle's computation, a payout import) both writes events
and, at the end, applies them to the read models; on two cores the second half can run
beside the first. The follower is an ordinary catch-up in another interpreter: every
batch goes in with its position in one transaction, so it never applies an event twice
and the writer's own final catch-up finds little or nothing left. When the block ends
the follower is told to finish (its stdin closes), applies what is left and exits; if
the writer dies, the follower sees the same end of input and does the same. If the
follower fails, the writer's own catch-up applies the events instead.

    python -m projections.follower   (a pickled Job on stdin, as projections.preparer)
"""

from __future__ import annotations

import pickle
import select
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import structlog
from eventsourcing.application import Application

from projections import runner
from projections.database import Database
from projections.preparer import Job
from workers import collector

# Seconds between looks at the log when there was nothing new.
POLL = 0.05
# Events per read-model transaction: behind a bulk writer there is always a backlog, and at a
# million events each commit rewrites the index pages it touched. 100,000 (one writer's
# transaction) instead of 20,000: a 1M-line import 77.6 -> 67.1 s on SQLite, 78 -> 73 s on
# PostgreSQL, for about 250 MB more in the follower. PostgreSQL takes half, as its writer does
# (see workflows.runtime.WRITE_BATCH): with the next batch read ahead, smaller batches overlap
# better and leave less to do alone at the end. (Lowering FOLLOW_BATCH, as tests do, bounds both.)
FOLLOW_BATCH = 100_000
FOLLOW_BATCH_POSTGRESQL = 50_000


@contextmanager
def following(
    app: Application[Any], db: Database, enabled: bool = True, changed: Sequence[str] = runner.ANALYZED_TABLES
) -> Iterator[None]:
    """Run the block with a follower process catching up beside it (if ``enabled``);
    ``changed``: the large read models the block's events change (their statistics are
    refreshed at the end)."""
    if not enabled:
        yield
        return
    follower = subprocess.Popen([sys.executable, "-m", "projections.follower"], stdin=subprocess.PIPE)
    assert follower.stdin is not None
    try:
        batch = min(FOLLOW_BATCH, FOLLOW_BATCH_POSTGRESQL) if db.dialect == "postgresql" else FOLLOW_BATCH
        pickle.dump(Job(type(app), dict(app.env), db.url, runner.events_table(app), 0, 0, batch), follower.stdin)
        follower.stdin.flush()
        yield
    finally:
        follower.stdin.close()  # "finish": the follower applies what is left and exits
        if follower.wait() != 0:  # what it left is applied by the command's own catch-up
            structlog.get_logger().warning("follower.failed", exit_status=follower.returncode)
    # The follower does not refresh the planner's statistics (the writer's final catch-up
    # finds nothing left to trigger it): without this, PostgreSQL planned the next
    # reconciliation of 100,000 entitlements with nested loops and took minutes. Only the
    # tables the block changed: each ANALYZE takes about a second at a million rows.
    runner.refresh_statistics(db, changed)


def follow(job: Job) -> None:
    app = job.app_class(env={**job.env, "CREATE_TABLE": "n"})
    db = Database(job.url)
    # A second connection reads and decodes the next batch while this one writes the current
    # one: on a 1M-line import the follower's decoding and its database's writing took turns,
    # each leaving the other's core idle.
    ahead = Database(job.url, any_thread=True)
    try:
        while True:
            if runner.catch_up(app, db, batch_size=job.batch_size, analyze=False, ahead=ahead) == 0 \
                    and _finished():
                runner.catch_up(app, db, batch_size=job.batch_size, analyze=False, ahead=ahead)
                return
    finally:
        ahead.close()
        db.close()
        app.close()


def _finished() -> bool:
    """Wait up to POLL seconds; True once the writer closed our input (done, or gone)."""
    readable, _, _ = select.select([sys.stdin.buffer], [], [], POLL)
    return bool(readable) and sys.stdin.buffer.read(1) == b""


def main() -> None:
    collector.set_for_bulk_work()
    follow(pickle.load(sys.stdin.buffer))


if __name__ == "__main__":
    main()
