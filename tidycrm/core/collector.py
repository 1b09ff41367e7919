"""How often the cyclic garbage collector runs during batch work.

CPython collects its youngest generation every 700 new container objects. A batch that builds
and drops millions of small dicts, lists and tuples (cells, drafts, change records, rows for
the database) spent about a sixth of an import's time in those collections (20,000 rows,
SQLite, one worker). Batch work asks for a collection every 50,000 new objects instead: the
objects it makes rarely form cycles, and 50,000 of them are a few megabytes at most.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_THRESHOLD = 50_000


@contextmanager
def batch_pace() -> Iterator[None]:
    """Collect the youngest generation every BATCH_THRESHOLD new objects while inside."""
    before = gc.get_threshold()
    set_batch_pace()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def set_batch_pace() -> None:
    """The batch pace from now on (for good in a process that only does batch work: the bulk
    workers)."""
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, BATCH_THRESHOLD), *older)


@contextmanager
def paused_collection() -> Iterator[None]:
    """No cyclic collection inside the block. Building a duplicate scan's table, matches and
    review queue makes millions of small objects that form no cycles, while the table and the
    matches stay alive: each collection walked all of them again (about a third of the time
    of a table at 100,000 records)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
