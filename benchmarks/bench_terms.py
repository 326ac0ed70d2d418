"""How fast `compliance terms` reads real-size article pages, against the parser's ceiling.

    python benchmarks/bench_terms.py [--pages N] [--reps R] [--breakdown]

Prints, on one core: pages/s of the bare parser ceiling (selectolax extracting text, links,
rel=license, JSON-LD and meta, nothing else), pages/s of `terms` (read + detect), their ratio,
mean and p99 ms per page in a running process, and the command's start-up time.
Targets (issue): terms >= 0.25x the ceiling, <= 6 ms mean, start-up <= 0.75 s.

``--breakdown`` also prints where a page's time goes: the stages that are a library's own work
(decoding, parsing, the accelerator's pass, the keyword pass, the regexes) and the rest (the
reader's walk, the engine's bookkeeping, building the terms), each in ms per page.
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


class _Clock:
    """Seconds spent in wrapped functions, by name (a wrapped call inside another counts in both)."""

    def __init__(self):
        self.spent: dict[str, float] = {}

    def wrap(self, owner, attr: str, name: str) -> None:
        fn = getattr(owner, attr)
        spent = self.spent
        spent.setdefault(name, 0.0)
        clock = time.perf_counter

        def timed(*a, **k):
            t = clock()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += clock() - t

        setattr(owner, attr, timed)


def breakdown(pages, ruleset, reps: int) -> list[tuple[str, float]]:
    """Milliseconds per page in each stage of ``terms`` (the best of ``reps`` passes for each)."""
    import compliance.detect as detect_mod
    import compliance.read as read_mod
    import compliance.read.html as html_mod
    from compliance.packs import engine as engine_mod

    engine = detect_mod.engine_for(ruleset)
    clock = _Clock()
    clock.wrap(read_mod, "decode", "decode")
    clock.wrap(html_mod, "_cut_raw", "cut scripts and styles")
    clock.wrap(html_mod, "LexborHTMLParser", "parse (lexbor)")
    clock.wrap(html_mod, "_jsonld", "JSON-LD")
    clock.wrap(read_mod, "read_prepared", "read after decoding")
    clock.wrap(engine_mod.Engine, "run", "engine")
    clock.wrap(engine_mod.Engine, "_scan", "regexes over text")
    clock.wrap(engine_mod, "_signal_index", "signal index")
    pf = engine._accelerator()
    if pf is not None:
        clock.wrap(pf, "scan", "accelerator pass")
    best: dict[str, float] = {}
    for _ in range(reps):
        for k in clock.spent:
            clock.spent[k] = 0.0
        t0 = time.perf_counter()
        for p in pages:
            detect_terms(read_bytes(p, "page.html", media_type="text/html"), ruleset)
        total = time.perf_counter() - t0
        for k, v in list(clock.spent.items()) + [("total", total)]:
            best[k] = min(best.get(k, float("inf")), v)
    ms = {k: v / len(pages) * 1000 for k, v in best.items()}
    walk = ms["read after decoding"] - ms["cut scripts and styles"] - ms["parse (lexbor)"] - ms["JSON-LD"]
    engine_rest = ms["engine"] - ms["regexes over text"] - ms.get("accelerator pass", 0.0) - ms["signal index"]
    terms_rest = ms["total"] - ms["decode"] - ms["read after decoding"] - ms["engine"]
    return [
        ("decode (library)", ms["decode"]),
        ("cut scripts and styles", ms["cut scripts and styles"]),
        ("parse (library)", ms["parse (lexbor)"]),
        ("reader's walk: text, positions, blocks, links, signals", walk),
        ("JSON-LD", ms["JSON-LD"]),
        ("accelerator pass (library)", ms.get("accelerator pass", 0.0)),
        ("regexes over the text (library, and the engine's loop over matches)", ms["regexes over text"]),
        ("signal index", ms["signal index"]),
        ("engine: keyword pass, windows, signal rules, conditions", engine_rest),
        ("building the terms", terms_rest),
        ("total (timed with the stage clocks)", ms["total"]),
    ]


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
    ap.add_argument("--breakdown", action="store_true", help="also print where a page's time goes")
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
    if args.breakdown:
        budget = sum(ceil) / len(pages) * 1000 / 0.25
        print(f"\nwhere a page's time goes (ms per page; 0.25x the ceiling leaves {budget:.2f} ms for all of it)")
        for name, ms_ in breakdown(pages, ruleset, args.reps):
            print(f"  {ms_:6.2f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
