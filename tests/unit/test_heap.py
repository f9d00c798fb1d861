"""The garbage-collector settings of one batch of work (monitor.crawl.heap): set aside, then restored."""

from __future__ import annotations

import gc

from monitor.crawl.heap import YOUNG, long_lived_heap


def test_long_lived_heap_sets_the_start_up_aside_and_restores_everything():
    before_threshold = gc.get_threshold()
    before_frozen = gc.get_freeze_count()
    alive = [[n] for n in range(1000)]  # objects alive when the batch starts
    with long_lived_heap():
        assert gc.get_freeze_count() >= before_frozen + len(alive)  # left out of every collection
        assert gc.get_threshold()[0] == YOUNG and gc.get_threshold()[1:] == before_threshold[1:]
        cycle: list = []
        cycle.append(cycle)  # garbage the batch makes is still collected
        del cycle
        assert gc.collect() >= 1
    assert gc.get_threshold() == before_threshold
    assert gc.get_freeze_count() == before_frozen


def test_it_restores_after_a_failure_too():
    before = gc.get_threshold(), gc.get_freeze_count()
    try:
        with long_lived_heap():
            raise RuntimeError("the crawl failed")
    except RuntimeError:
        pass
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
