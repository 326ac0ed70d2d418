"""Process settings for long runs: the cyclic garbage collector kept out of the hot path.

Reading a page makes thousands of small objects (blocks, links, hits), and CPython's collector
runs a young collection every 700 net allocations and, every so often, a full one over every
live object, including the compiled rules and the reference index that live for the whole
run. ``python benchmarks/bench_gc.py`` measures it: read + detect took 5.7-5.8 ms a page with
CPython's settings, 5.4-5.5 with a higher threshold and 5.3-5.4 with the loaded objects frozen
too. The commands, the audit's workers and Spark's tasks call :func:`tune_gc` once
they have loaded what they keep; a library caller decides for its own process.
"""

from __future__ import annotations

import gc

#: Net allocations between young collections (CPython's default is 700).
YOUNG_THRESHOLD = 10_000


def tune_gc(freeze: bool = True) -> None:
    """Collect less often, and (with ``freeze``) move every object alive now out of the
    collector's sight: what is loaded before a run stays for the run, and a frozen object
    is still freed as usual when its last reference goes."""
    first, second, third = gc.get_threshold()
    if first and first < YOUNG_THRESHOLD:
        gc.set_threshold(YOUNG_THRESHOLD, second, third)
    if freeze:
        gc.freeze()
