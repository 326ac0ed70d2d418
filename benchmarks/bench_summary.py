"""Time and peak memory of the summary step on a large results.jsonl.

    python benchmarks/bench_summary.py [--lines 100000] [--format html] [--keep FILE] [--results FILE]

Writes a results.jsonl of ``--lines`` result lines shaped like a real audit's (the lines of an
audit of the sample article against ``seeds/copies`` and ``seeds/crawl.warc.gz``, run here
first, are the templates): a mix of noncompliant, unverified and compliant copies with their
findings, fixes and fair-use facts, pages that could not be read, the publisher's own pages
and pages that copy nothing, spread over some thousands of sites and a few hundred sources;
1% of the pages appear twice (a resumed run). Then runs ``compliance summarize`` on it in a
child process, once per format asked, and prints the wall-clock seconds and the child's peak
RSS (``resource.getrusage(RUSAGE_CHILDREN)``).

``--results FILE`` summarises an existing file instead; ``--keep FILE`` keeps the generated one.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# share of each kind of line; the rest are pages that copy nothing
MIX = {"noncompliant": 0.35, "unverified": 0.15, "compliant": 0.2, "error": 0.03, "original": 0.02}


def templates() -> dict[str, list[dict]]:
    """The result lines of a real audit, by status."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rep"
        subprocess.run([sys.executable, "-m", "compliance", "audit", "--sources",
                        str(ROOT / "seeds" / "000_9e6abf22d7dd6653.txt"), "--candidates", str(ROOT / "seeds" / "copies"),
                        str(ROOT / "seeds" / "crawl.warc.gz"), "--config", str(ROOT / "seeds" / "compliance.toml"),
                        "--out", str(out), "-q"], cwd=ROOT, capture_output=True)  # exit 1: copies to act on
        lines = [json.loads(x) for x in (out / "results.jsonl").read_text("utf-8").splitlines() if x.strip()]
    by: dict[str, list[dict]] = {}
    for x in lines:
        if x.get("type") == "result":
            by.setdefault(x["status"], []).append(x)
    return by


def _error_line(page: str, url: str) -> dict:
    return {"type": "result", "page": page, "url": url, "source": None, "source_title": None, "similarity": None,
            "coverage": None, "status": "error", "venue": None, "findings": [], "fix": None, "fair_use": None,
            "error": "could not decode the page: invalid start byte at 0x1f (not a text or HTML page)"}


def generate(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    by = templates()
    sites = [f"{rng.choice(['www.', 'news.', 'blog.', ''])}site{i}.{rng.choice(['com', 'org', 'net', 'co.uk', 'de'])}"
             for i in range(5000)]
    sources = [f"https://www.globalresearch.ca/article-{i}/{5485063 + i}" for i in range(300)]
    kinds = list(MIX) + ["unmatched"]
    weights = list(MIX.values()) + [1 - sum(MIX.values())]
    run_line = {"type": "run", "tool": {"name": "compliance", "version": "0.1.0"}, "sources": len(sources),
                "started": "2026-01-01T00:00:00Z", "candidates": ["crawl/"]}
    dup_every = 100
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(run_line) + "\n")
        for i in range(n):
            kind = rng.choices(kinds, weights)[0]
            site = rng.choice(sites)
            page = f"crawl/part-{i // 1000:05d}.warc.gz#<urn:uuid:{rng.getrandbits(64):016x}-{i}>"
            url = f"https://{site}/{rng.getrandbits(32):08x}/story-{i}.html"
            if kind == "error":
                line = _error_line(page, url)
            else:
                line = copy.deepcopy(rng.choice(by[kind]))
                line["page"], line["url"] = page, url
                src = rng.choice(sources)
                if line.get("source"):
                    old = line["source"]
                    line["source"] = src
                    line["source_title"] = f"Article {src.rsplit('-', 1)[-1]}"
                    for f in line.get("findings") or []:
                        f["path"], f["source"] = page, src
                        f["fingerprint"] = f"{rng.getrandbits(128):032x}"
                    if line.get("fix"):
                        line["fix"] = line["fix"].replace(old, src)
                if line.get("coverage") is not None:
                    line["coverage"] = round(min(1.0, max(0.05, line["coverage"] - rng.random() * 0.6)), 4)
                    line["similarity"] = round(min(1.0, max(0.05, (line["similarity"] or 0.5) - rng.random() * 0.3)), 4)
            text = json.dumps(line, ensure_ascii=False) + "\n"
            fh.write(text)
            if i % dup_every == dup_every - 1:
                fh.write(text)  # a resumed run wrote this page again


def measure(results: Path, fmt: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of ``compliance summarize`` in a child process."""
    code = ("import resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "subprocess.run([sys.executable, '-m', 'compliance', 'summarize', sys.argv[1], '--format', sys.argv[2],"
            " '--output', sys.argv[3]], check=True)\n"
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", code, str(results), fmt, os.path.join(tmp, "summary")],
                             check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()
    return float(out[0]), int(out[1]) / 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--format", default="html,markdown,json", help="comma-separated: html, markdown, json")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="write the generated results.jsonl here and keep it")
    ap.add_argument("--results", help="summarise this results.jsonl instead of generating one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.results:
            path = Path(args.results)
        else:
            path = Path(args.keep) if args.keep else Path(tmp) / "results.jsonl"
            t = time.perf_counter()
            generate(path, args.lines, args.seed)
            print(f"generated {path} ({args.lines} pages + 1% again, {path.stat().st_size / 1e6:.0f} MB) "
                  f"in {time.perf_counter() - t:.1f} s")
        # ru_maxrss of RUSAGE_CHILDREN is the largest child's: a fresh measuring process per format
        for fmt in args.format.split(","):
            seconds, rss = measure(path, fmt.strip())
            print(f"summarize --format {fmt.strip():8s} {seconds:6.2f} s   peak RSS {rss:7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
