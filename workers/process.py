"""Starting a helper process for the second core, and stopping it.

A helper is a fresh interpreter (``python -m MODULE FD``), not a multiprocessing
child: it inherits no open connection and never re-imports the caller's main
module. Its job (settings, the cipher key among them) is pickled to its stdin;
what it sends back goes as pickles on a pipe of its own (file descriptor FD),
so nothing printed to stdout can garble it.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from typing import IO, Any, NamedTuple

from workers import collector


class Worker(NamedTuple):
    process: subprocess.Popen[bytes]
    output: IO[bytes]  # read pickles from here


def start(module: str, job: Any) -> Worker:
    read_end, write_end = os.pipe()
    process = subprocess.Popen([sys.executable, "-m", module, str(write_end)], stdin=subprocess.PIPE,
                               pass_fds=(write_end,))
    os.close(write_end)
    assert process.stdin is not None
    with process.stdin:
        pickle.dump(job, process.stdin)
    return Worker(process, os.fdopen(read_end, "rb"))


def stop(worker: Worker, timeout: float = 30) -> None:
    """Stop listening; give the helper ``timeout`` seconds to end, then kill it."""
    worker.output.close()
    try:
        worker.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


def job_and_output() -> tuple[Any, IO[bytes]]:
    """In the helper: its job, and where to send its results (every helper does bulk work,
    so the cycle collector is set for it first)."""
    collector.set_for_bulk_work()
    return pickle.load(sys.stdin.buffer), os.fdopen(int(sys.argv[1]), "wb")


def send(output: IO[bytes], item: Any) -> None:
    pickle.dump(item, output, protocol=pickle.HIGHEST_PROTOCOL)
    output.flush()
