"""Process settings for long runs."""

from __future__ import annotations

import gc

from compliance.runtime import YOUNG_THRESHOLD, tune_gc


def test_tune_gc_collects_less_often_and_freezes_only_when_asked():
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    try:
        tune_gc(freeze=False)
        assert gc.get_threshold()[0] == max(before[0], YOUNG_THRESHOLD)
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() == frozen
        keep = [object() for _ in range(10)] + [[] for _ in range(10)]
        tune_gc(freeze=True)
        assert gc.get_freeze_count() > frozen
        del keep
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
