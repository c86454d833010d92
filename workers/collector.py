"""CPython's cycle collector, set for bulk work.

The collector runs each time 700 more container objects (tuples, lists, dicts) have been
made than freed, and its older generations are scanned again as the set of live objects
grows. A bulk command holds hundreds of thousands of them at once (a batch of parsed rows,
a batch of stored events and their read-model rows), none in a reference cycle, and the
collector went over them again and again: in a perf profile of a 1,000,000-line payout
import, about a sixth of all the Python processes' time was the collector's.

With a young generation of 100,000 objects it runs about 140 times less often; cycles are
still collected. Everything alive at start (modules, classes, settings) is moved out of the
collector's sight first, so a full collection does not scan it again each time.

Called at the top of every process that does bulk work: the ``tledger`` command, the
benchmark's stages, and the helper processes (follower, preparers, parsers).
"""

from __future__ import annotations

import gc

YOUNG_GENERATION = 100_000


def set_for_bulk_work() -> None:
    _, middle, old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION, middle, old)
