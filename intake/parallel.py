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

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

R = TypeVar("R")

BESIDE_FROM = 2_000_000  # bytes: about 20,000 payout lines
BATCH = 5_000


def parsed_beside(
    check: Callable[..., R], path: Path, *args: Any, on_row: Callable[[Any], None]
) -> R:
    """``check(path, *args, on_row)``, its parsing done in a second process for a large file."""
    if not path.is_file() or path.stat().st_size < BESIDE_FROM:
        return check(path, *args, on_row)
    # A fresh interpreter: nothing inherited, no re-import of the caller's main module. Rows
    # come back on a pipe of their own (anything printed to stdout cannot garble them).
    read_end, write_end = os.pipe()
    worker = subprocess.Popen([sys.executable, "-m", "intake.parallel", str(write_end)], stdin=subprocess.PIPE,
                              pass_fds=(write_end,))
    os.close(write_end)
    rows = os.fdopen(read_end, "rb")
    assert worker.stdin is not None
    try:
        pickle.dump((check, path, args), worker.stdin)
        worker.stdin.close()
        while True:
            try:
                kind, payload = pickle.load(rows)
            except EOFError:
                raise RuntimeError(f"the process parsing {path} stopped unexpectedly") from None
            if kind == "rows":
                for row in payload:
                    on_row(row)
            elif kind == "raised":
                raise payload
            else:
                result: R = payload
                return result
    finally:
        rows.close()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _send(out: IO[bytes], kind: str, payload: Any) -> None:
    pickle.dump((kind, payload), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def main() -> None:
    check, path, args = pickle.load(sys.stdin.buffer)
    out = os.fdopen(int(sys.argv[1]), "wb")
    pending: list[Any] = []

    def on_row(row: Any) -> None:
        pending.append(row)
        if len(pending) == BATCH:
            _send(out, "rows", pending[:])
            pending.clear()

    try:
        result = check(path, *args, on_row)
    except Exception as exc:  # sent back and raised there, with the rows parsed before it
        _send(out, "rows", pending)
        _send(out, "raised", exc)
        return
    _send(out, "rows", pending)
    _send(out, "result", result)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        pass  # the checking process is gone
