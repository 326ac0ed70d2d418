"""How fast `compliance check` judges a copy.

    python benchmarks/bench_check.py [--copies N]

Prints, on one core: median ms for one check of a ~100 KB HTML copy against its source in a
running process (read the copy + validate, source terms already detected), copies/s over a
generated batch, and the wall time of one `compliance check` command (start-up, reading the
source, detecting its terms, reading and judging the copy).
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

from pages import make_page  # noqa: E402

from compliance.detect import detect_terms  # noqa: E402
from compliance.packs.loader import default_ruleset  # noqa: E402
from compliance.read import read_bytes  # noqa: E402
from compliance.validate import check_copy  # noqa: E402

ORIGINAL = "https://news.example/2024/story"


def pages_near(size: int, n: int) -> list[bytes]:
    """Generated pages trimmed of their largest inline scripts until they are about ``size`` bytes."""
    out, i = [], 0
    while len(out) < n:
        p = make_page(i)
        i += 1
        if abs(len(p) - size) < size * 0.35:
            out.append(p)
    return out


def make_copy(source: bytes, variant: int) -> bytes:
    text = source.decode("utf-8")
    credit = f'<p>Originally published by <a href="{ORIGINAL}">News Example</a>. © News Example.</p>'
    if variant % 3 == 1:
        credit = "<p>Originally published by News Example.</p>"
    return text.replace("</article>", credit + "</article>", 1).encode("utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=200)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rs = default_ruleset()
    sources = pages_near(100_000, 10)
    source_docs = [read_bytes(s, "source.html", media_type="text/html", url=ORIGINAL) for s in sources]
    terms = [detect_terms(d, rs, url=ORIGINAL) for d in source_docs]
    copies = [make_copy(sources[i % 10], i) for i in range(args.copies)]

    def one(i: int):
        copy = read_bytes(copies[i], f"copy{i}.html", media_type="text/html")
        return check_copy(copy, terms[i % 10], source=source_docs[i % 10], venue="community", ruleset=rs)

    one(0)
    times = []
    t0 = time.perf_counter()
    for i in range(len(copies)):
        t = time.perf_counter()
        one(i)
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        src, cp = Path(tmp) / "source.html", Path(tmp) / "copy.html"
        src.write_bytes(sources[0])
        cp.write_bytes(copies[0])
        walls = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "compliance", "check", str(cp), "--source", str(src), "--source-url",
                            ORIGINAL, "--venue", "community"], capture_output=True)
            walls.append(time.perf_counter() - t)
    sizes = sorted(len(c) for c in copies)
    print(f"copies: {len(copies)}, median size {sizes[len(sizes) // 2] / 1000:.0f} KB, one core")
    print(f"one check (read copy + validate, warm process): median {statistics.median(times) * 1000:.2f} ms, "
          f"p99 {sorted(times)[int(0.99 * (len(times) - 1))] * 1000:.2f} ms")
    print(f"batch: {len(copies) / total:.1f} copies/s")
    print(f"one `compliance check` command (start-up + source + copy): median {statistics.median(walls):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
