"""Starting a helper process for the second core, and stopping it.

A helper is a fresh interpreter (``python -m MODULE FD``), not a multiprocessing
child: it inherits no open connection and never re-imports the caller's main
module. Its job (settings, the cipher key among them) is pickled to its stdin;
what it sends back goes as pickles on a pipe of its own (file descriptor FD),
so nothing printed to stdout can garble it.

Each message is one frame: its length, then its pickle. The reader takes a frame in
a few large reads and unpickles it from memory. ``pickle.load`` on the pipe instead
read 8 KiB at a time; in a reading thread each of those reads gave up the GIL and
waited up to 5 ms to get it back from the busy main thread, so a 1M-line import's
parser stood blocked on a full pipe: its checking pass took 15.8-16.0 s, 13.3-14.6 s
with a 0.5 ms switch interval. The pipe is also enlarged (Linux), so a whole batch
fits in it.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from io import RawIOBase
from typing import IO, Any, NamedTuple

from workers import collector

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]


# A batch of 5,000 parsed rows pickles to about 0.5 MB; Linux lets anyone enlarge a pipe to
# 1 MiB (/proc/sys/fs/pipe-max-size), instead of 64 KiB.
PIPE_SIZE = 1 << 20
_HEADER = 8  # bytes of a frame's length


class Worker(NamedTuple):
    process: subprocess.Popen[bytes]
    output: RawIOBase  # read messages from here (``receive``)


def start(module: str, job: Any) -> Worker:
    read_end, write_end = os.pipe()
    _enlarge(write_end)
    process = subprocess.Popen([sys.executable, "-m", module, str(write_end)], stdin=subprocess.PIPE,
                               pass_fds=(write_end,))
    os.close(write_end)
    assert process.stdin is not None
    with process.stdin:
        pickle.dump(job, process.stdin)
    return Worker(process, os.fdopen(read_end, "rb", buffering=0))


def _enlarge(pipe: int) -> None:
    if fcntl is None or not hasattr(fcntl, "F_SETPIPE_SZ"):  # not Linux
        return
    try:
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:  # over the user's pipe quota: the default size still works, only slower
        pass


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
    """One message to the reader (``receive``)."""
    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    output.write(len(data).to_bytes(_HEADER, "little"))
    output.write(data)
    output.flush()


def receive(output: RawIOBase) -> Any:
    """The next message ``send`` wrote; EOFError when the helper has closed its end."""
    size = int.from_bytes(_read_exactly(output, _HEADER), "little")
    return pickle.loads(_read_exactly(output, size))


def _read_exactly(output: RawIOBase, size: int) -> bytearray:
    data = bytearray(size)
    view = memoryview(data)
    done = 0
    while done < size:
        got = output.readinto(view[done:])
        if not got:
            raise EOFError("the helper process closed its output")
        done += got
    return data
