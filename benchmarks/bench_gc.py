"""What the garbage collector costs ``terms``: CPython's settings against ``runtime.tune_gc``.

    python benchmarks/bench_gc.py [--pages 200] [--reps 3]

Each setting runs in a fresh process (the collector's settings are per process): a loop of
``read_bytes`` + ``detect_terms`` over ``benchmarks/pages.py`` pages, after one warm-up loop;
prints the best loop's CPU milliseconds per page for each.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETTINGS = ("default", "tune_gc(freeze=False)", "tune_gc()")


def _child(setting: str, pages: int, reps: int) -> None:
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    from pages import corpus

    from compliance.detect import detect_terms
    from compliance.packs.loader import default_ruleset
    from compliance.read import read_bytes
    from compliance.runtime import tune_gc

    rs = default_ruleset()
    data = corpus(pages)

    def loop() -> float:
        t = time.process_time()
        for p in data:
            detect_terms(read_bytes(p, "p.html", url="https://mirror.example.net/p"), rs)
        return (time.process_time() - t) / len(data) * 1000

    loop()
    if setting == "tune_gc(freeze=False)":
        tune_gc(freeze=False)
    elif setting == "tune_gc()":
        tune_gc()
    print(f"{min(loop() for _ in range(reps)):.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--child", choices=SETTINGS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.pages, args.reps)
        return 0
    print(f"{args.pages} pages, read_bytes + detect_terms, best of {args.reps} loops, CPU ms per page")
    for setting in SETTINGS:
        out = subprocess.run([sys.executable, __file__, "--child", setting, "--pages", str(args.pages),
                              "--reps", str(args.reps)], check=True, capture_output=True, text=True).stdout
        print(f"  {setting:24s} {out.strip()} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
