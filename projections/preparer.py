"""The second process of a parallel rebuild (see ``projections.pipeline``).

    python -m projections.preparer   (a pickled Job on stdin)

Reads the log in (start, stop] and writes each batch, prepared, to stdout as a
pickle: (first position, last position, number of events, Prepared); then None.
"""

from __future__ import annotations

import pickle
import sys
from typing import IO, Any, NamedTuple

from eventsourcing.application import Application

from config.database import DatabaseURL
from projections import runner
from projections.database import Database
from projections.log import read_log


class Job(NamedTuple):
    app_class: type[Application[Any]]
    env: dict[str, str]
    url: DatabaseURL
    table: str
    start: int
    stop: int
    batch_size: int


def prepare_batches(job: Job, out: IO[bytes]) -> None:
    app = job.app_class(env={**job.env, "CREATE_TABLE": "n"})
    db = Database(job.url)
    start = job.start
    try:
        while start < job.stop:
            notifications = [n for n in read_log(db, job.table, start, job.batch_size) if n.id <= job.stop]
            if not notifications:
                break
            last = notifications[-1].id
            pickle.dump((start, last, len(notifications), runner.prepare(app, notifications)), out,
                        protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            start = last
        pickle.dump(None, out)
        out.flush()
    finally:
        db.close()
        app.close()


def main() -> None:
    job = pickle.load(sys.stdin.buffer)
    try:
        prepare_batches(job, sys.stdout.buffer)
    except BrokenPipeError:
        pass  # the writing process stopped reading (it fell back to the ordinary catch-up, or died)


if __name__ == "__main__":
    main()
