"""Validated rows kept on disk between the checking pass and the writing pass.

A file is accepted or rejected whole, so nothing may be written before every
row is checked; parsing each row twice (phone numbers, dates, amounts) doubled
the cost of an import. The checking pass spills each batch of parsed rows here
and the writing pass reads them back, without holding the file in memory.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from workers import rows


class Spill:
    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="tledger-spill-")

    def add(self, batch: list[Any]) -> None:
        if batch:
            pickle.dump(rows.pack(batch), self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def batches(self) -> Iterator[list[Any]]:
        self._file.seek(0)
        while True:
            try:
                yield rows.unpack(pickle.load(self._file))
            except EOFError:
                return

    def groups(self, size: int) -> Iterator[list[Any]]:
        """The spilled batches joined into lists of about ``size`` items (fewer, larger writes)."""
        group: list[Any] = []
        for batch in self.batches():
            group += batch
            if len(group) >= size:
                yield group
                group = []
        if group:
            yield group

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
