"""How fast `compliance terms` reads real-size article pages, against the parser's ceiling.

    python benchmarks/bench_terms.py [--pages N] [--reps R]

Prints, on one core: pages/s of the bare parser ceiling (selectolax extracting text, links,
rel=license, JSON-LD and meta, nothing else), pages/s of `terms` (read + detect), their ratio,
mean and p99 ms per page in a running process, and the command's start-up time.
Targets (issue): terms >= 0.25x the ceiling, <= 6 ms mean, start-up <= 0.75 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pages import ceiling, corpus  # noqa: E402

from compliance.detect import detect_terms  # noqa: E402
from compliance.packs.loader import default_ruleset  # noqa: E402
from compliance.read import read_bytes  # noqa: E402
from compliance.runtime import tune_gc  # noqa: E402


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def time_each(fn, pages, reps):
    """Best-of-reps seconds per page (in page order)."""
    best = [float("inf")] * len(pages)
    for _ in range(reps):
        for i, p in enumerate(pages):
            t = time.perf_counter()
            fn(p)
            best[i] = min(best[i], time.perf_counter() - t)
    return best


def startup(reps: int = 5) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("© 2024 Example Media. All rights reserved.\n")
    try:
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "compliance", "terms", fh.name], check=True, capture_output=True)
            times.append(time.perf_counter() - t)
        return statistics.median(times)
    finally:
        os.unlink(fh.name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    _pin_one_core()
    tune_gc(freeze=False)  # as the `compliance` command does in its process
    pages = corpus(args.pages)
    sizes = sorted(len(p) for p in pages)
    ruleset = default_ruleset()

    def terms(data: bytes):
        doc = read_bytes(data, "page.html", media_type="text/html")
        return detect_terms(doc, ruleset)

    terms(pages[0])  # warm caches (compiled rules)
    ceil = time_each(ceiling, pages, args.reps)
    full = time_each(terms, pages, args.reps)
    read_only = time_each(lambda d: read_bytes(d, "page.html", media_type="text/html"), pages, args.reps)
    ceil_rate = len(pages) / sum(ceil)
    terms_rate = len(pages) / sum(full)
    ms = sorted(x * 1000 for x in full)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    boot = startup()
    print(f"pages: {len(pages)}, median size {sizes[len(sizes) // 2] / 1000:.0f} KB "
          f"({sizes[0] / 1000:.0f}-{sizes[-1] / 1000:.0f} KB), one core, best of {args.reps}")
    print(f"parser ceiling   {ceil_rate:8.1f} pages/s  ({1000 / ceil_rate:.2f} ms/page)")
    print(f"read (reader)    {len(pages) / sum(read_only):8.1f} pages/s  ({sum(read_only) / len(pages) * 1000:.2f} ms/page)")
    print(f"terms            {terms_rate:8.1f} pages/s  ({statistics.mean(ms):.2f} ms mean, {p99:.2f} ms p99)")
    print(f"ratio terms/ceiling  {terms_rate / ceil_rate:.2f}x   (target >= 0.25x)")
    print(f"start-up (compliance terms on a one-line file)  {boot:.3f} s   (target <= 0.75 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
