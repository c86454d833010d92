"""Parsing a large file in a second process while this one checks the parsed rows.

    check = parsed_beside(check_payout_file, path, config, on_row=keep)

runs ``check_payout_file(path, config, on_row)`` in another interpreter; the rows it
parses come back here in batches and go to ``on_row`` in file order, while the other
process parses the next batch. What the check returns (or raises: a FileRejected with
every problem) is returned (or raised) here exactly as if it had run here. Files below
``BESIDE_FROM`` bytes are parsed here: a second interpreter costs about 0.3 s to start.

    python -m intake.parallel FD   (the pickled job on stdin, pickled batches written to FD)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from io import RawIOBase
from pathlib import Path
from typing import Any, TypeVar

from workers import process, rows

R = TypeVar("R")

BESIDE_FROM = 2_000_000  # bytes: about 20,000 payout lines
BATCH = 5_000
# Batches read ahead of the caller: a pipe holds one batch at most, so while the caller
# checked 20,000 rows the parser stood blocked half the time; a reading thread keeps it
# going (bounded: about 40 MB of rows at most).
READ_AHEAD = 64


def parsed_beside(
    check: Callable[..., R], path: Path, *args: Any, on_row: Callable[[Any], None]
) -> R:
    """``check(path, *args, on_row)``, its parsing done in a second process for a large file."""
    if not path.is_file() or path.stat().st_size < BESIDE_FROM:
        return check(path, *args, on_row)
    worker = process.start("intake.parallel", (check, path, args))
    messages: queue.Queue[tuple[str, Any]] = queue.Queue(READ_AHEAD)
    reader = threading.Thread(target=_read, args=(worker.output, messages), daemon=True)
    reader.start()
    try:
        while True:
            kind, payload = messages.get()
            if kind == "gone":
                raise RuntimeError(f"the process parsing {path} stopped unexpectedly")
            if kind == "rows":
                for row in rows.unpack(payload):
                    on_row(row)
            elif kind == "raised":
                raise payload
            else:
                result: R = payload
                return result
    finally:
        _stop(worker, reader, messages)


def _stop(worker: process.Worker, reader: threading.Thread, messages: queue.Queue[tuple[str, Any]]) -> None:
    if reader.is_alive():  # the caller gave up early: end the parser, free the reading thread
        worker.process.kill()
        while reader.is_alive():
            while not messages.empty():
                messages.get_nowait()
            reader.join(0.05)
    process.stop(worker)


def _read(output: RawIOBase, messages: queue.Queue[tuple[str, Any]]) -> None:
    """In a thread: every message of the parsing process, then ("gone", None)."""
    try:
        while True:
            message = process.receive(output)
            messages.put(message)
            if message[0] != "rows":
                return
    except Exception:  # EOF: the parser died; OSError / ValueError: the caller stopped listening
        messages.put(("gone", None))


def main() -> None:
    (check, path, args), out = process.job_and_output()
    pending: list[Any] = []

    def on_row(row: Any) -> None:
        pending.append(row)
        if len(pending) == BATCH:
            process.send(out, ("rows", rows.pack(pending)))
            pending.clear()

    try:
        result = check(path, *args, on_row)
    except Exception as exc:  # sent back and raised there, with the rows parsed before it
        process.send(out, ("rows", rows.pack(pending)))
        process.send(out, ("raised", exc))
        return
    process.send(out, ("rows", rows.pack(pending)))
    process.send(out, ("result", result))


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        pass  # the checking process is gone
