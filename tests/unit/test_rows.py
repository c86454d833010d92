"""Row batches pickled as plain tuples come back as the same rows, of the same class."""

from __future__ import annotations

import pickle
from datetime import datetime
from typing import NamedTuple

from workers.rows import pack, unpack
from workflows.spill import Spill


class Line(NamedTuple):
    line: int
    name: str
    paid_at: datetime | None


def test_named_tuples_come_back_equal_and_of_their_class() -> None:
    batch = [Line(1, "Awa", datetime(2019, 5, 2, 9, 1)), Line(2, "Modibo", None)]
    back = unpack(pickle.loads(pickle.dumps(pack(batch))))
    assert back == batch
    assert all(type(row) is Line for row in back)
    assert back[0].paid_at == datetime(2019, 5, 2, 9, 1)


class Other(NamedTuple):
    line: int


def test_other_rows_and_empty_batches_pass_unchanged() -> None:
    mixed = [Line(1, "Awa", None), Other(2)]
    assert [type(row) for row in unpack(pack(mixed))] == [Line, Other]
    assert unpack(pack([("a", 1), ("b", 2)])) == [("a", 1), ("b", 2)]
    assert unpack(pack([{"a": 1}])) == [{"a": 1}]
    assert unpack(pack([])) == []


def test_a_spill_gives_back_its_rows_in_order() -> None:
    with Spill() as spill:
        spill.add([Line(1, "Awa", None)])
        spill.add([])
        spill.add([Line(2, "Modibo", None), Line(3, "Fanta", None)])
        assert [row for batch in spill.batches() for row in batch] == [
            Line(1, "Awa", None), Line(2, "Modibo", None), Line(3, "Fanta", None)]
        assert all(type(row) is Line for batch in spill.batches() for row in batch)
