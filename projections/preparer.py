"""The second process of a parallel rebuild (see ``projections.pipeline``).

    python -m projections.preparer FD   (a pickled Job on stdin)

The log in (start, stop] is cut into ranges of ``batch_size`` positions; this process
prepares ranges ``offset``, ``offset + stride``, ... (several preparers share the work)
and writes each to the pipe FD as a pickle: (range start, range end, number of events,
Prepared). A range may hold fewer events than positions (sequence gaps), or none.
"""

from __future__ import annotations

from typing import IO, Any, NamedTuple

from eventsourcing.application import Application

from config.database import DatabaseURL
from projections import runner
from projections.database import Database
from projections.log import read_log
from workers import process


class Job(NamedTuple):
    app_class: type[Application[Any]]
    env: dict[str, str]
    url: DatabaseURL
    table: str
    start: int
    stop: int
    batch_size: int
    offset: int = 0
    stride: int = 1


def prepare_batches(job: Job, out: IO[bytes]) -> None:
    app = job.app_class(env={**job.env, "CREATE_TABLE": "n"})
    db = Database(job.url)
    try:
        for first in range(job.start + job.offset * job.batch_size, job.stop, job.stride * job.batch_size):
            last = min(first + job.batch_size, job.stop)
            notifications = [n for n in read_log(db, job.table, first, job.batch_size) if n.id <= last]
            process.send(out, (first, last, len(notifications), runner.prepare(app, notifications)))
    finally:
        db.close()
        app.close()


def main() -> None:
    job, out = process.job_and_output()
    try:
        with out:
            prepare_batches(job, out)
    except BrokenPipeError:
        pass  # the writing process stopped reading (it fell back to the ordinary catch-up, or died)


if __name__ == "__main__":
    main()
