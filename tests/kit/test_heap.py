"""weekfour._heap: the heap that exists before a replay is kept out of the collector's way, and only for its length."""

from __future__ import annotations

import gc

from weekfour._heap import frozen_heap


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_heap_is_frozen_inside_the_block_and_thawed_after() -> None:
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        frozen = gc.get_freeze_count()
    assert frozen > 1000  # pytest's own objects, at least
    assert gc.get_freeze_count() == 0


def test_garbage_made_inside_the_block_is_still_collected() -> None:
    with frozen_heap():
        _Cycle()
        assert gc.collect() >= 1


def test_a_nested_block_freezes_what_the_outer_made_and_leaves_the_thaw_to_it() -> None:
    with frozen_heap():
        outer = gc.get_freeze_count()
        made = [_Cycle() for _ in range(100)]
        with frozen_heap():
            assert gc.get_freeze_count() >= outer + len(made)
        assert gc.get_freeze_count() >= outer + len(made)  # the inner block did not thaw what the outer froze
    assert gc.get_freeze_count() == 0


def test_the_heap_is_thawed_when_the_block_raises() -> None:
    try:
        with frozen_heap():
            raise RuntimeError("a replay that fails")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0
