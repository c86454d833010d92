"""The cycle collector set for bulk work still collects reference cycles, on its own."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from workers import collector


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def bulk_settings() -> Iterator[None]:
    before = gc.get_threshold()
    collector.set_for_bulk_work()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


@pytest.mark.usefixtures("bulk_settings")
def test_the_young_generation_is_large_and_start_up_objects_are_frozen() -> None:
    assert gc.get_threshold()[0] == collector.YOUNG_GENERATION
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("bulk_settings")
def test_a_reference_cycle_is_still_freed_without_an_explicit_collection() -> None:
    gc.collect()  # start from an empty young generation
    first, second = Node(), Node()
    first.other, second.other = second, first
    alive = weakref.ref(first)
    del first, second
    assert alive() is not None  # only the collector can free a cycle
    kept = [(n,) for n in range(collector.YOUNG_GENERATION * 3)]  # a batch's worth of tuples
    assert alive() is None
    assert len(kept) == collector.YOUNG_GENERATION * 3
