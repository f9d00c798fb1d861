"""The cyclic garbage collector, tuned for one long batch of work (a crawl, a check) in a process.

A crawl or a check starts by importing Scrapy, SQLAlchemy, lxml … and building its crawlers or loading a site's
facts: hundreds of thousands of objects that live as long as the work does. Python's collector re-examines all of
them at every full collection, and the work allocates enough to trigger one every few seconds: a tenth of a
crawl's CPU and a fifth of a check's went there (issue 15). Inside ``long_lived_heap()`` what was already alive is
set aside (``gc.freeze``), so the collector walks only what the work itself creates, and young objects are
collected less often; on leaving, both are undone, so a process running many batches (tests, the dashboard)
frees the batch's cycles as before. Memory is not at stake: the objects set aside are alive anyway, and the
larger first generation holds a few thousand more short-lived containers at most.
"""

from __future__ import annotations

import atexit
import gc
from contextlib import contextmanager
from typing import Iterator

# young objects collected every YOUNG allocations (Python's default: 700); older generations as by default
YOUNG = 20_000


def command_process() -> None:
    """For a process that runs one ``monitor`` command: collect young objects less often (start-up alone, the
    imports, triggered a dozen full collections), and skip the collection of the whole heap at exit (the
    process ends: its memory goes back with it; ``atexit`` runs before that collection, in any order)."""
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])
    atexit.register(gc.freeze)


@contextmanager
def long_lived_heap() -> Iterator[None]:
    """Run the block with what is alive now left out of garbage collection (see the module docstring)."""
    before = gc.get_threshold()
    gc.freeze()  # no collection first: it would walk the whole heap once for the little garbage start-up leaves
    gc.set_threshold(YOUNG, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
