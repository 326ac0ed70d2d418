"""The local engine: archives streamed in the main process, pages judged in a process pool,
results appended to ``results.jsonl`` as they come and flushed, so nothing already judged is
lost when a run is killed; ``--resume`` skips the pages that have a result."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ..archives import Entry, Stats, iter_entries
from ..audit import Reference, judge_entry
from ..runtime import tune_gc
from ..validate import Thresholds

CHUNK = 32
RESULTS = "results.jsonl"

_REF: Reference | None = None
_OPTS: dict = {}


@dataclass
class Venues:
    """Picklable venue lookup: per-domain map first, then the default."""

    default: str | None = None
    by_domain: dict = field(default_factory=dict)

    def __call__(self, url: str | None) -> str | None:
        if url and self.by_domain:
            from ..urls import registered_domain

            d = registered_domain(url)
            for domain, venue in self.by_domain.items():
                if registered_domain(domain) == d:
                    return venue
        return self.default


def _init(ref: Reference, opts: dict, worker: bool = True) -> None:
    global _REF, _OPTS
    _REF, _OPTS = ref, opts
    if worker:
        tune_gc()  # a pool's worker: the reference stays for its life


def _judge_chunk(entries: list[Entry]) -> list[dict]:
    out = []
    for e in entries:
        try:
            out.append(judge_entry(_REF, e, **_OPTS))
        except Exception as exc:  # one bad page must never stop the run
            out.append({"type": "result", "page": e.name, "url": e.url, "source": None, "status": "error",
                        "findings": [], "error": f"internal error while judging: {type(exc).__name__}: {exc}",
                        "similarity": None, "coverage": None, "venue": None, "fix": None, "fair_use": None,
                        "source_title": None})
    return out


def completed_pages(path: Path) -> set[str]:
    """Pages that already have a result. A torn last line (a killed run) is cut off the file."""
    done: set[str] = set()
    if not path.exists():
        return done
    good_end = 0
    with open(path, "rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                item = json.loads(raw)
            except ValueError:
                break
            good_end += len(raw)
            if item.get("type", "result") == "result" and "page" in item:
                done.add(item["page"])
    if good_end < path.stat().st_size:
        with open(path, "r+b") as fh:
            fh.truncate(good_end)
    return done


class Progress:
    """A bar with pages/s and ETA on a terminal, plain lines every few seconds otherwise."""

    def __init__(self, quiet: bool, total: int | None = None, every: float = 5.0):
        self.quiet, self.total, self.every = quiet, total, every
        self.start = self.last = time.monotonic()
        self.n = self.copies = self.errors = 0
        self.bar = None
        if not quiet and sys.stderr.isatty():
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="page", dynamic_ncols=True, file=sys.stderr)
            except ImportError:
                self.bar = None

    def update(self, lines: list[dict]) -> None:
        self.n += len(lines)
        self.copies += sum(1 for x in lines if x.get("source") and x["status"] not in ("unmatched", "original"))
        self.errors += sum(1 for x in lines if x["status"] == "error")
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(len(lines))
            self.bar.set_postfix(copies=self.copies, errors=self.errors, refresh=False)
            return
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            rate = self.n / max(now - self.start, 1e-9)
            print(f"audit: {self.n} pages, {rate:.1f} pages/s, {self.copies} copies, {self.errors} errors",
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if not self.quiet:
            elapsed = time.monotonic() - self.start
            print(f"audit: {self.n} pages in {elapsed:.1f}s ({self.n / max(elapsed, 1e-9):.1f} pages/s), "
                  f"{self.copies} copies, {self.errors} errors", file=sys.stderr, flush=True)


#: At most this many source warnings go into the run line.
MAX_SOURCE_WARNINGS = 100


def source_warnings(ref: Reference) -> list[str]:
    """What went wrong with the sources, for the run line: sources that could not be read, and
    their terms' warnings (a rule that ran out of time, front matter that was ignored)."""
    notes = [f"source {e['page']}: {e['error']}" for e in ref.errors]
    for s in ref.sources:
        seen = set()
        # An indexed source (compliance.reference) carries its terms' warnings without loading them.
        for w in s.terms_warnings if hasattr(s, "terms_warnings") else s.terms.warnings:
            if w not in seen:
                seen.add(w)
                notes.append(f"source {s.name}: {w}")
    if len(notes) > MAX_SOURCE_WARNINGS:
        notes[MAX_SOURCE_WARNINGS:] = [f"… and {len(notes) - MAX_SOURCE_WARNINGS} more source warnings"]
    return notes


def _entries(paths: Iterable[str], skip: set[str], stats: Stats, **kw) -> Iterator[Entry]:
    for path in paths:
        for e in iter_entries(path, stats=stats, **kw):
            if e.name not in skip:
                yield e


def run(ref: Reference, candidates: list[str], out_dir: Path, *, jobs: int = 0, resume: bool = False,
        venues: Venues = Venues(), thresholds: Thresholds = Thresholds(), max_bytes: int = 20 * 1024 * 1024,
        max_members: int = 1_000_000, include=None, exclude=None, quiet: bool = False,
        meta: dict | None = None, timeout_per_page: float | None = None) -> tuple[Path, Stats]:
    """Judge every candidate page; returns the results file and the archive statistics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / RESULTS
    done = completed_pages(results) if resume else set()
    stats = Stats()
    opts = {"venue_for": venues, "thresholds": thresholds, "max_bytes": max_bytes, "timeout": timeout_per_page}
    entries = _entries(candidates, done, stats, include=include, exclude=exclude, max_bytes=max_bytes,
                       max_members=max_members)
    jobs = jobs or os.cpu_count() or 1
    progress = Progress(quiet)
    mode = "a" if resume and results.exists() else "w"
    with open(results, mode, encoding="utf-8") as fh:
        if mode == "w" or not done:
            meta = dict(meta or {})
            notes = source_warnings(ref)
            if notes:  # shown by the summary with the run's own warnings
                meta["warnings"] = [*meta.get("warnings", []), *notes]
            fh.write(json.dumps({"type": "run", **meta}, ensure_ascii=False) + "\n")
            fh.flush()

        def write(lines: list[dict]) -> None:
            fh.write("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
            fh.flush()
            progress.update(lines)

        try:
            if jobs == 1:
                _init(ref, opts, worker=False)  # (the caller's process: its collector is its own)
                while chunk := list(islice(entries, CHUNK)):
                    write(_judge_chunk(chunk))
            else:
                with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(ref, opts)) as pool:
                    pending = set()
                    while True:
                        while len(pending) < 2 * jobs and (chunk := list(islice(entries, CHUNK))):
                            pending.add(pool.submit(_judge_chunk, chunk))
                        if not pending:
                            break
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for fut in finished:
                            write(fut.result())
        finally:
            progress.close()
    return results, stats
