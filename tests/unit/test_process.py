"""Messages between a helper process and its caller: one framed pickle each, over a pipe."""

from __future__ import annotations

import fcntl
import os
import threading
from io import BufferedWriter, FileIO

import pytest

from workers import process


def _pipe() -> tuple[FileIO, BufferedWriter]:
    read_end, write_end = os.pipe()
    return FileIO(read_end, "rb"), BufferedWriter(FileIO(write_end, "wb"))


def test_messages_larger_than_the_pipe_arrive_whole_and_in_order() -> None:
    reader, writer = _pipe()
    big = ["row %d" % n for n in range(300_000)]  # about 3 MB pickled: several pipe-fulls
    sent = [("rows", big), ("rows", []), ("result", {"amount": 10_000, "text": "é" * 10})]

    def write() -> None:
        with writer:
            for message in sent:
                process.send(writer, message)

    thread = threading.Thread(target=write)
    thread.start()
    received = [process.receive(reader) for _ in sent]
    thread.join()
    assert received == sent
    with pytest.raises(EOFError):  # the helper closed its end: no half message is returned
        process.receive(reader)
    reader.close()


def test_a_message_cut_short_is_an_end_of_input_not_a_garbled_message() -> None:
    reader, writer = _pipe()
    with writer:
        writer.write((1000).to_bytes(8, "little") + b"only a few bytes")
    with pytest.raises(EOFError):
        process.receive(reader)
    reader.close()


def test_a_helper_pipe_is_enlarged_to_hold_a_batch() -> None:
    read_end, write_end = os.pipe()
    try:
        process._enlarge(write_end)
        assert fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) == process.PIPE_SIZE
    finally:
        os.close(read_end)
        os.close(write_end)
