"""Each stage of an audit at scale, next to its ceiling measured in the same run.

    python benchmarks/bench_stages.py                       # 10,000 pages, everything
    python benchmarks/bench_stages.py --pages 2000 --skip-100k
    python benchmarks/bench_stages.py --index-100k          # also build a 100,000-source ref.idx

The crawl is ``--pages`` real-size pages (``benchmarks/pages.py`` ``make_page``: 100-300 KB
of HTML each) written once, as ``--files`` WARC.gz files of one gzip member per record,
to ``--cache`` (default: the temp folder) and reused by later runs. Every ``--stride``-th
page is also a source of the reference set, so that share of the crawl is copies (served
from other sites) and the rest matches nothing, as in a crawl.

One-core figures are pages per CPU-second of the process (``time.process_time``), so that
other work on a shared machine does not skew them; figures over several processes (the
pool on 2 cores, Spark) are wall-clock. Prints, with the ratio to its ceiling:

reading   pages/s of FastWARC alone (every response body read) vs the audit's read stage
          (``iter_entries``; then + the quick text every page gets; then + ``read_bytes``,
          the full read only the pages the quick stage cannot rule out get)
parse     pages/s of the bare parser (``pages.ceiling``) vs ``compliance terms``
          (``read_bytes`` + ``detect_terms``), one core, pages in memory
index     ``build_reference_index`` of the sources: seconds, bytes per source
audit     whole-audit pages/s on 1 core (CPU time) and 2 cores (local pool), and Spark
          local[2] (ceiling for both: 2 x the 1-core rate), identical results asserted
wet       the two-stage path's first stage: the same pages as WET text records (written once
          beside the crawl, our own text extraction) judged on one core, vs WARC records
matching  candidates/s (signature + index search) against 1,000 and 100,000 references
          (``bench_match``'s synthetic articles), peak RSS of each (a fresh process)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import sys
import tempfile
import time
import uuid
from multiprocessing import get_context
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from pages import ceiling, make_page


def cpu() -> float:
    """CPU seconds of this process: per-core rates that other work on the machine does not skew."""
    return time.process_time()


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def line(label: str, value: float, unit: str = "pages/s", ceiling_value: float | None = None, note: str = "") -> None:
    ratio = f"   {value / ceiling_value:5.2f}x of ceiling" if ceiling_value else ""
    print(f"  {label:<44} {value:>10,.1f} {unit}{ratio}{('   ' + note) if note else ''}", flush=True)


# --------------------------------------------------------------------------- the crawl


def _member(i: int) -> bytes:
    """Page i as one gzip member (a WARC response record), served from a mirror site."""
    html = make_page(i)
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
            + str(len(html)).encode() + b"\r\n\r\n" + html)
    rid = uuid.UUID(int=i + 1)
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{rid}>\r\n"
            f"WARC-Date: 2024-05-01T00:00:00Z\r\nWARC-Target-URI: https://mirror{i % 50}.example.net/p/{i}\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n")
    return gzip.compress(head.encode() + http + b"\r\n\r\n", compresslevel=6, mtime=0)


def make_crawl(folder: Path, pages: int, files: int, jobs: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"crawl-{k:02d}-of-{files:02d}.warc.gz" for k in range(files)]
    done = folder / f".done-{pages}-{files}"
    if done.exists() and all(p.exists() for p in paths):
        return paths
    t = time.perf_counter()
    per = (pages + files - 1) // files
    with get_context("fork").Pool(jobs) as pool:
        for k, p in enumerate(paths):
            with open(p, "wb") as fh:
                fh.writelines(pool.imap(_member, range(k * per, min(pages, (k + 1) * per)), chunksize=16))
    done.write_text("ok")
    size = sum(p.stat().st_size for p in paths)
    print(f"  generated {pages:,} pages in {files} WARC.gz files ({size / 1e6:,.0f} MB) in "
          f"{time.perf_counter() - t:.0f} s", flush=True)
    return paths


# ---------------------------------------------------------------------------- stages


def bench_reading(paths: list[Path], pages: int) -> None:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    from compliance.archives import iter_entries
    from compliance.read import prepare, read_bytes
    from compliance.read.quick import quick_html

    print("reading (one core, CPU time, whole crawl, files in the page cache, best of 2)")
    for p in paths:  # warm the page cache: every figure below reads from memory
        with open(p, "rb") as fh:
            while fh.read(1 << 24):
                pass

    def best(fn) -> float:
        b, n = float("inf"), 0
        for _ in range(2):
            t = cpu()
            n = fn()
            b = min(b, cpu() - t)
        assert n == pages, (n, pages)
        return rate(n, b)

    def fastwarc() -> int:
        n = 0
        for p in paths:
            with open(p, "rb") as fh:
                for rec in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=False):
                    rec.reader.read()
                    n += 1
        return n

    def entries() -> int:
        return sum(1 for p in paths for e in iter_entries(str(p)) if e.ok)

    def full_read() -> int:
        n = 0
        for p in paths:
            for e in iter_entries(str(p)):
                read_bytes(e.data, e.name, media_type=e.media_type, url=e.url, charset=e.charset)
                n += 1
        return n

    def quick_read() -> int:
        n = 0
        for p in paths:
            for e in iter_entries(str(p)):
                _, text = prepare(e.data, e.name, media_type=e.media_type, charset=e.charset)
                quick_html(text, e.url)
                n += 1
        return n

    fast = best(fastwarc)
    line("FastWARC alone: every record body (ceiling)", fast)
    line("iter_entries (HTTP headers, size checks)", best(entries), ceiling_value=fast)
    line("iter_entries + quick text (the audit's read stage)", best(quick_read), ceiling_value=fast)
    line("iter_entries + read_bytes (full read, candidates only)", best(full_read), ceiling_value=fast)


_PARSE_CEILING: list[float] = []  # the parse stage's ceiling, for the audit's per-core ratio


def bench_parse(n: int) -> None:
    from compliance.detect import detect_terms
    from compliance.packs.loader import default_ruleset
    from compliance.read import read_bytes

    print(f"parse (one core, CPU time, {n} pages in memory, best of 3)")
    pages = [make_page(i) for i in range(n)]
    rs = default_ruleset()

    def best(fn) -> float:
        b = float("inf")
        for _ in range(3):
            t = cpu()
            for p in pages:
                fn(p)
            b = min(b, cpu() - t)
        return rate(len(pages), b)

    ceil = best(ceiling)
    line("bare selectolax pages.ceiling (ceiling)", ceil)
    _PARSE_CEILING.append(ceil)
    line("read_bytes", best(lambda p: read_bytes(p, "p.html", url="https://mirror.example.net/p")),
         ceiling_value=ceil)
    line("compliance terms (read_bytes + detect_terms)",
         best(lambda p: detect_terms(read_bytes(p, "p.html", url="https://mirror.example.net/p"), rs)),
         ceiling_value=ceil)


def _canon(path: Path) -> list[str]:
    lines = (json.loads(x) for x in path.read_text(encoding="utf-8").splitlines())
    return sorted(json.dumps(x, sort_keys=True) for x in lines if x.get("type") == "result")


def _first_difference(a: Path, b: Path) -> None:
    la = {x["page"]: x for x in map(json.loads, a.read_text().splitlines()) if x.get("type") == "result"}
    lb = {x["page"]: x for x in map(json.loads, b.read_text().splitlines()) if x.get("type") == "result"}
    print(f"  {len(la)} vs {len(lb)} lines; pages only in one: {sorted(set(la) ^ set(lb))[:3]}")
    for k in la:
        if k in lb and la[k] != lb[k]:
            for f in la[k]:
                if la[k][f] != lb[k].get(f):
                    print(f"  {k}: {f}: {str(la[k][f])[:200]!r} vs {str(lb[k].get(f))[:200]!r}")
            return


def bench_audit(paths: list[Path], pages: int, stride: int, work: Path, spark: bool) -> float:
    from compliance.engines.local import Venues, run
    from compliance.reference import build_reference_index, load_reference_index

    src = work / "sources"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    n_src = 0
    for i in range(0, pages, stride):
        (src / f"s{i:06d}.html").write_bytes(make_page(i))
        n_src += 1
    print(f"index ({n_src} real-size sources, {os.cpu_count()} processes)")
    info = build_reference_index([str(src)], None, work / "ref.idx", jobs=os.cpu_count() or 1)
    line("build_reference_index", rate(info.sources, info.seconds), "sources/s")
    line("file size per source", info.bytes_per_source, "bytes",
         note=f"(index {info.index_bytes / info.sources:,.0f} + meta {info.meta_bytes / info.sources:,.0f}"
              f" + texts {info.texts_bytes / info.sources:,.0f})")
    t = time.perf_counter()
    ref = load_reference_index(work / "ref.idx")
    line("load (eager part)", (time.perf_counter() - t) * 1e3, "ms")

    print(f"audit ({pages:,} pages in {len(paths)} files, {n_src} sources: {n_src / pages:.0%} of pages are copies)")
    venues = Venues("community")
    cands = [str(p) for p in paths]
    rates = {}
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for jobs in (1, 2):
        out = work / f"local{jobs}"
        t, c = time.perf_counter(), cpu()
        run(ref, cands, out, jobs=jobs, venues=venues, quiet=True)
        rates[jobs] = rate(pages, time.perf_counter() - t)
        if jobs == 1:
            per_core = rate(pages, cpu() - c)
            self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The pool's workers have ended by now: the largest one's peak (nothing else was a child yet).
    worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    line("local pool, 1 core (CPU time)", per_core, note=f"(per-core rate; wall clock {rates[1]:,.1f} pages/s; "
                                                           f"peak RSS of the process {self_rss:,.0f} MB)")
    line("local pool, 2 cores (wall clock)", rates[2], ceiling_value=2 * per_core,
         note=f"(ceiling: 2 x the 1-core CPU rate; load average {os.getloadavg()[0]:.1f}; "
              f"largest worker's peak RSS {worker_rss:,.0f} MB)")
    assert _canon(work / "local1" / "results.jsonl") == _canon(work / "local2" / "results.jsonl")
    if spark:
        try:
            from pyspark.sql import SparkSession

            from compliance.engines.spark import run as spark_run

            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            t = time.perf_counter()
            session = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
                       .config("spark.ui.showConsoleProgress", "false").getOrCreate())
            session.sparkContext.setLogLevel("ERROR")
            start = time.perf_counter() - t
            t = time.perf_counter()
            results, _, info = spark_run(str(work / "ref.idx"), cands, work / "spark", venues=venues, quiet=True)
            dt = time.perf_counter() - t
            session.stop()
            same = _canon(results) == _canon(work / "local2" / "results.jsonl")
            if not same:
                _first_difference(results, work / "local2" / "results.jsonl")
            assert same, "Spark and the local engine disagree"
            line("Spark local[2] (wall clock)", rate(pages, dt), ceiling_value=2 * per_core,
                 note=f"(ceiling: 2 x the 1-core CPU rate; {rate(pages, dt) / rates[2]:.2f}x the local pool; "
                      f"session start {start:.1f} s not counted; load average {os.getloadavg()[0]:.1f}; "
                      f"results identical: {same})")
        except ImportError:
            print("  Spark local[2]: pyspark is not installed (pip install 'compliance[spark]')")
    return per_core


def _wet_member(args: tuple) -> bytes:
    """A WET conversion record for one crawl record: our own text of the page."""
    from compliance.read import read_bytes

    name, url, media_type, charset, data = args
    rid = name.rsplit("#", 1)[1]
    text = read_bytes(data, name, media_type=media_type, url=url, charset=charset).text.encode("utf-8")
    head = (f"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
            f"WARC-Refers-To: <{rid}>\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2024-05-01T00:00:00Z\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {len(text)}\r\n\r\n")
    return gzip.compress(head.encode() + text + b"\r\n\r\n", compresslevel=6, mtime=0)


def bench_wet(paths: list[Path], pages: int, stride: int, work: Path) -> None:
    """The first stage of the two-stage path: the same pages as WET text, judged on one core."""
    from compliance.archives import iter_entries
    from compliance.engines.local import Venues
    from compliance.reference import build_reference_index, load_reference_index
    from compliance.shard import judge_shard

    wets = []
    for p in paths:
        wet = p.with_name(p.name.replace(".warc.gz", ".warc.wet.gz"))
        wets.append(wet)
        if wet.exists():
            continue
        items = ((e.name, e.url, e.media_type, e.charset, e.data) for e in iter_entries(str(p)))
        with get_context("fork").Pool(os.cpu_count() or 1) as pool, open(wet, "wb") as fh:
            fh.writelines(pool.imap(_wet_member, items, chunksize=16))
    src = work / "sources"
    src.mkdir(parents=True, exist_ok=True)
    for i in range(0, pages, stride):
        (src / f"s{i:06d}.html").write_bytes(make_page(i))
    build_reference_index([str(src)], None, work / "ref.idx", jobs=os.cpu_count() or 1)
    ref = load_reference_index(work / "ref.idx")
    venues = Venues("community")
    size = sum(w.stat().st_size for w in wets) / 1e6
    warc_size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"two-stage, first stage (one core; WET {size:,.0f} MB vs WARC {warc_size:,.0f} MB for the same pages)")
    t = cpu()
    n = 0
    for p in paths:
        for _ in judge_shard(ref, str(p), venue_for=venues):
            n += 1
    warc_rate = rate(n, cpu() - t)
    line("judge_shard on WARC records (CPU time)", warc_rate, note="(HTML: read, match, judge)")
    t = cpu()
    n = cand = 0
    for w in wets:
        for x in judge_shard(ref, str(w), venue_for=venues):
            n += 1
            cand += x["source"] is not None and x["status"] not in ("unmatched", "error")
    wet_rate = rate(n, cpu() - t)
    line("judge_shard on WET records (CPU time)", wet_rate, ceiling_value=None,
         note=f"({wet_rate / warc_rate:.1f}x the WARC rate; {cand} candidates = {cand / n:.1%} to fetch from WARC)")


def _matching_worker(n_refs: int, seed: int, jobs: int, q) -> None:
    import bench_match as bm

    gen = bm.Generator(seed)
    sigs, sizes, _, t_sig = bm.build_signatures(n_refs, seed, jobs)
    idx, t_idx = bm.build_index(sigs, sizes)
    del sigs, sizes
    ev = bm.evaluate(idx, n_refs, gen, 100, 500, seed)
    q.put({"refs": n_refs, "qps": ev["qps_single"], "sig_ms": ev["sig_ms"], "recall": ev["recall_all"],
           "precision": ev["precision"], "build_s": t_sig + t_idx, "bytes": idx.bytes_per_entry(),
           "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def bench_matching(sizes: list[int], seed: int = 7) -> None:
    print("matching (synthetic articles from bench_match; one query at a time; a fresh process per size)")
    ctx = get_context("spawn")
    results = []
    for n in sizes:
        q = ctx.Queue()
        p = ctx.Process(target=_matching_worker, args=(n, seed, os.cpu_count() or 1, q))
        p.start()
        r = q.get()
        p.join()
        results.append(r)
    first = results[0]
    for r in results:
        end_to_end = 1e3 / (r["sig_ms"] + 1e3 / r["qps"])
        line(f"{r['refs']:,} references: index search", r["qps"], "candidates/s",
             ceiling_value=first["qps"] if r is not first else None,
             note=f"(ceiling: the {first['refs']:,}-reference index)" if r is not first else "")
        line(f"{r['refs']:,} references: signature + search", end_to_end, "candidates/s",
             note=f"recall {r['recall']:.1%}, precision {r['precision']:.1%}, {r['bytes']:,.0f} B/ref in RAM, "
                  f"peak RSS {r['rss_mb']:,.0f} MB, build {r['build_s']:.0f} s")


def bench_index_100k(work: Path, n: int = 100_000, seed: int = 7) -> None:
    """A ref.idx of n synthetic plain-text sources: size per source, load time and RSS."""
    import bench_match as bm

    print(f"reference index of {n:,} synthetic plain-text sources")
    folder = work / f"text-sources-{n}"
    if not (folder / ".done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        gen = bm.Generator(seed)
        for i in range(n):
            sub = folder / f"{i // 1000:03d}"
            sub.mkdir(exist_ok=True)
            (sub / f"a{i:06d}.txt").write_text(
                f"An article number {i}\n\nBy Example Reporter\n\n{gen.article(i)}\n\n"
                f"© 2024 Example Media. All rights reserved.\n", encoding="utf-8")
        (folder / ".done").write_text("ok")
    from compliance.reference import build_reference_index

    info = build_reference_index([str(folder)], None, work / "ref100k.idx", jobs=os.cpu_count() or 1)
    line("build", rate(info.sources, info.seconds), "sources/s", note=f"({info.seconds:.0f} s)")
    line("file size per source", info.bytes_per_source, "bytes",
         note=f"(index {info.index_bytes / info.sources:,.0f} + meta {info.meta_bytes / info.sources:,.0f}"
              f" + texts {info.texts_bytes / info.sources:,.0f}; {info.bytes / 1e6:,.0f} MB in all)")
    ctx = get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_load_worker, args=(str(work / "ref100k.idx"), q))
    p.start()
    r = q.get()
    p.join()
    line("load (eager part) in a fresh process", r["seconds"] * 1e3, "ms",
         note=f"(RSS {r['rss_before']:,.0f} -> {r['rss_after']:,.0f} MB; "
              f"{(r['rss_after'] - r['rss_before']) * 1e6 / n:,.0f} B/source resident)")


def _load_worker(path: str, q) -> None:
    from compliance.packs.loader import default_ruleset
    from compliance.reference import load_reference_index

    default_ruleset()

    def rss() -> float:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

    before = rss()
    t = time.perf_counter()
    ref = load_reference_index(path)
    dt = time.perf_counter() - t
    q.put({"seconds": dt, "rss_before": before, "rss_after": rss(), "n": len(ref.sources)})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10_000, help="pages in the crawl (default %(default)s)")
    ap.add_argument("--files", type=int, default=4, help="WARC files the crawl is split into (default %(default)s)")
    ap.add_argument("--stride", type=int, default=20, help="every N-th page is also a source (default %(default)s)")
    ap.add_argument("--parse-pages", type=int, default=200)
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "compliance-bench-stages"))
    ap.add_argument("--skip-100k", action="store_true", help="match against 1,000 references only")
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--index-100k", action="store_true", help="build a 100,000-source ref.idx (minutes)")
    ap.add_argument("--only", choices=("reading", "parse", "audit", "wet", "matching", "index"), action="append")
    args = ap.parse_args(argv)
    from compliance.runtime import tune_gc

    tune_gc(freeze=False)  # as the `compliance` command does in its process (the 1-core audit runs here)
    only = set(args.only or ("reading", "parse", "audit", "wet", "matching")) | ({"index"} if args.index_100k else set())
    import numpy as np

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start")
    cache = Path(args.cache)
    paths = []
    if only & {"reading", "audit", "wet"}:
        paths = make_crawl(cache / f"crawl-{args.pages}", args.pages, args.files, os.cpu_count() or 1)
    if "reading" in only:
        bench_reading(paths, args.pages)
    if "parse" in only:
        bench_parse(args.parse_pages)
    if "audit" in only:
        work = Path(tempfile.mkdtemp(prefix="bench-stages-"))
        try:
            per_core = bench_audit(paths, args.pages, args.stride, work, not args.no_spark)
            print(f"  -> {1e6 / per_core / 3600:,.1f} core-hours per million pages at the 1-core rate")
            if _PARSE_CEILING:
                print(f"  -> per core, {per_core / _PARSE_CEILING[-1]:.3f}x the parser ceiling "
                      f"({_PARSE_CEILING[-1]:,.1f} pages/s, measured above; target >= 0.2x)")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if "wet" in only:
        work = Path(tempfile.mkdtemp(prefix="bench-stages-"))
        try:
            bench_wet(paths, args.pages, args.stride, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if "matching" in only:
        bench_matching([1000] if args.skip_100k else [1000, 100_000])
    if "index" in only:
        bench_index_100k(cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
