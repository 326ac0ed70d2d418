"""Detection speed of today's rule packs against the packs of an earlier revision, in one run.

    python benchmarks/bench_packs.py [--rev 9ade410] [--pages 150] [--reps 3]

The earlier packs are taken from git (``git archive REV policies``) into a temporary folder and
loaded with today's loader and engine, so the only difference between the two timings is the
packs. Both run ``detect_terms`` on the same documents (``benchmarks/pages.py`` articles, read
once), interleaved page by page so that both see the same machine load, on one core.

Prints rules and patterns in each set, mean ms per page of each, and two ratios: detection alone,
and ``terms`` as a whole (the same read, then detection; target: ``terms`` with the broader packs
costs at most 1.5x what it cost with the packs it was first measured with, revision 9ade410).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from pages import corpus  # noqa: E402

from compliance.detect import detect_terms  # noqa: E402
from compliance.packs.loader import default_ruleset, load_packs  # noqa: E402
from compliance.read import read_bytes  # noqa: E402


def packs_at(rev: str, into: Path) -> Path:
    """The ``policies/`` folder as it was at ``rev``, written under ``into``."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "policies"], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "policies"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rev", default="9ade410", help="the revision whose packs are the baseline")
    ap.add_argument("--pages", type=int, default=150)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory() as tmp:
        old = load_packs([str(packs_at(args.rev, Path(tmp)))], builtin=False)
    new = default_ruleset()
    pages = corpus(args.pages)
    docs = [read_bytes(p, f"page-{i}.html", media_type="text/html") for i, p in enumerate(pages)]
    for rs in (old, new):
        detect_terms(docs[0], rs)  # compile every pattern before timing
    best = {k: [float("inf")] * len(docs) for k in ("old", "new", "read")}
    for _ in range(args.reps):
        for i, doc in enumerate(docs):
            t = time.perf_counter()
            read_bytes(pages[i], f"page-{i}.html", media_type="text/html")
            best["read"][i] = min(best["read"][i], time.perf_counter() - t)
            for name, rs in (("old", old), ("new", new)):
                t = time.perf_counter()
                detect_terms(doc, rs)
                best[name][i] = min(best[name][i], time.perf_counter() - t)
    mean = {k: sum(v) / len(v) * 1000 for k, v in best.items()}
    print(f"{len(docs)} pages (benchmarks/pages.py), one core, best of {args.reps}")
    for name, rs, label in (("old", old, f"packs at {args.rev}"), ("new", new, "packs today")):
        patterns = sum(len(r.pattern_sources) for r in rs.rules)
        print(f"  {label:<22} {len(rs.rules):4d} rules {patterns:5d} patterns   {mean[name]:6.2f} ms/page")
    print(f"  detect_terms, today / {args.rev}: {mean['new'] / mean['old']:.2f}x")
    print(f"  terms (read {mean['read']:.2f} ms + detect), today / {args.rev}: "
          f"{(mean['read'] + mean['new']) / (mean['read'] + mean['old']):.2f}x   (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
