"""The Spark engine: ``compliance audit --engine spark``.

The driver reads the input manifest (one path or URL per line, optionally followed by a
byte offset and length), ships the reference index to every executor once (a broadcast
of the ``ref.idx`` bytes; ``SparkContext.addFile`` above :data:`BROADCAST_LIMIT`) and
runs one task per input: the task copies a remote input to local disk when it has to,
calls :func:`compliance.shard.judge_shard` on it and writes the result lines, in the
input's order, to

    OUT/results/input=<escaped input>/part-00000.jsonl
    OUT/results/input=<escaped input>/_SUCCESS        (JSON: pages, seconds, counts)

``<escaped input>`` is escaped as Spark escapes partition values, so
``spark.read.json("OUT/results")`` gives every line with an ``input`` column. Every line
is keyed by its ``page`` (``crawl.warc.gz#<WARC-Record-ID>`` for a WARC record, never a
generated id). A part file is written under a temporary name and renamed when the input
is done; the marker comes last. A restarted run (``--resume``) skips every input that has
its marker and redoes the others from the start; without ``--resume`` the results folder
is cleared first. At the end the driver concatenates the parts into ``OUT/results.jsonl``
(the same file the local engine writes) for the summaries.

PySpark is optional (``pip install 'compliance[spark]'``, and Java 17): without it the
command says so in one line and exits 2.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from contextlib import nullcontext
from pathlib import Path

from ..archives import Stats
from ..document import InputError
from ..validate import Thresholds
from .local import RESULTS, Venues

RESULTS_DIR = "results"
MARKER = "_SUCCESS"
PART = "part-00000.jsonl"
#: Index files above this size go to executors with ``addFile`` instead of a broadcast.
BROADCAST_LIMIT = 1 << 30
#: Partition folder names longer than this are shortened and given a hash.
MAX_NAME = 200

# Characters Spark escapes in partition values (ExternalCatalogUtils.escapePathName).
_SPECIAL = set('"#%\'*/:=?\\\x7f{[]^') | {chr(c) for c in range(1, 32)}


def escape_partition(value: str) -> str:
    """A partition value escaped as Spark escapes it (``%2F`` for ``/`` …)."""
    return "".join(f"%{ord(c):02X}" if c in _SPECIAL else c for c in value)


def unescape_partition(name: str) -> str:
    out, i = [], 0
    while i < len(name):
        c = name[i]
        if c == "%" and _ishex(name[i + 1:i + 3]):
            out.append(chr(int(name[i + 1:i + 3], 16)))
            i += 3
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _ishex(s: str) -> bool:
    return len(s) == 2 and all(c in "0123456789abcdefABCDEF" for c in s)


def input_label(path: str, byte_range: tuple[int, int] | None) -> str:
    """The ``input`` partition value of one manifest entry."""
    return path if byte_range is None else f"{path}@{byte_range[0]}+{byte_range[1]}"


def partition_name(label: str) -> str:
    """``input=<escaped label>``, shortened with a hash when too long for a file name."""
    esc = escape_partition(label)
    if len(esc.encode("utf-8")) > MAX_NAME:
        digest = hashlib.sha1(label.encode("utf-8")).hexdigest()[:16]
        esc = esc.encode("utf-8")[: MAX_NAME - 18].decode("utf-8", "ignore") + "~" + digest
    return f"input={esc}"


def read_manifest_lines(path: str) -> list[str]:
    """The non-blank, non-comment lines of an input manifest."""
    try:
        with open(path, encoding="utf-8") as fh:
            return [x.strip() for x in fh if x.strip() and not x.lstrip().startswith("#")]
    except FileNotFoundError:
        raise InputError(f"{path}: no such input manifest") from None


# ------------------------------------------------------------------------ output storage


class _Store:
    """The results folder: local paths with ``os``, anything else with fsspec."""

    def __init__(self, root: str):
        from ..shard import is_remote

        self.root = root.rstrip("/")
        self.remote = is_remote(root)
        if self.remote:
            from ..shard import _fsspec

            self.fs, self.base = _fsspec(root)
        else:
            self.fs, self.base = None, root

    def join(self, *parts: str) -> str:
        return "/".join([self.base.rstrip("/"), *parts])

    def exists(self, p: str) -> bool:
        return self.fs.exists(p) if self.remote else os.path.exists(p)

    def makedirs(self, p: str) -> None:
        if self.remote:
            self.fs.makedirs(p, exist_ok=True)
        else:
            os.makedirs(p, exist_ok=True)

    def listdir(self, p: str) -> list[str]:
        if self.remote:
            return [x.rstrip("/").rsplit("/", 1)[-1] for x in self.fs.ls(p, detail=False)] if self.fs.exists(p) else []
        return os.listdir(p) if os.path.isdir(p) else []

    def open(self, p: str, mode: str):
        return self.fs.open(p, mode) if self.remote else open(p, mode)

    def rename(self, a: str, b: str) -> None:
        if self.remote:
            self.fs.mv(a, b)
        else:
            os.replace(a, b)

    def remove(self, p: str) -> None:
        if self.remote:
            self.fs.rm(p)
        else:
            os.unlink(p)

    def rmtree(self, p: str) -> None:
        if self.remote:
            if self.fs.exists(p):
                self.fs.rm(p, recursive=True)
        else:
            shutil.rmtree(p, ignore_errors=True)


# ------------------------------------------------------------------------ executor side

_WORKER: dict = {}


def _worker_reference(token: str, broadcast, file_name: str | None, packs: tuple[str, ...]):
    """The reference, loaded once per Python worker process (workers are reused)."""
    ref = _WORKER.get(token)
    if ref is not None:
        return ref
    import tempfile

    from ..packs.loader import default_ruleset
    from ..reference import load_reference_index

    ruleset = default_ruleset(packs)
    if file_name is not None:
        from pyspark import SparkFiles

        ref = load_reference_index(SparkFiles.get(file_name), ruleset)
    else:
        fd, tmp = tempfile.mkstemp(prefix="compliance-ref-", suffix=".idx")
        with os.fdopen(fd, "wb") as fh:
            fh.write(broadcast.value)
        ref = load_reference_index(tmp, ruleset)
        os.unlink(tmp)  # the open, memory-mapped file stays readable
    _WORKER.clear()
    _WORKER[token] = ref
    return ref


def _judge_input(item: tuple, ctx: dict) -> dict:
    """Judge one manifest entry and write its partition; a summary for the driver."""
    from ..shard import judge_shard, judge_two_stage, localise

    label, shown, path, byte_range = item
    store = _Store(ctx["root"])
    folder = store.join(partition_name(label))

    def inside(name: str) -> str:
        return store.join(partition_name(label), name)

    t0 = time.time()
    summary = {"input": label, "pages": 0, "seconds": 0.0, "error": None, "pid": os.getpid()}
    try:
        ref = _worker_reference(ctx["token"], ctx["broadcast"], ctx["file_name"], ctx["packs"])
        store.makedirs(folder)
        for name in store.listdir(folder):  # what an unfinished attempt left
            if name != MARKER:
                store.remove(inside(name))
        tmp = inside(f".part-{uuid.uuid4().hex}.jsonl.tmp")
        stats = Stats()
        n = 0
        # A byte range is fetched alone (one ranged read); a whole file is copied first.
        ranged = byte_range is not None and not ctx.get("two_stage")
        whole = nullcontext(path) if ranged else localise(path)
        with whole as local, store.open(tmp, "wb") as out:
            if ctx.get("two_stage"):
                o = {k: v for k, v in ctx["opts"].items() if k not in ("include", "exclude")}
                lines = judge_two_stage(ref, local, name=shown, stats=stats, **o)
            else:
                lines = judge_shard(ref, local, name=shown, byte_range=byte_range, stats=stats, **ctx["opts"])
            for line in lines:
                out.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
                n += 1
        store.rename(tmp, inside(PART))
        summary.update(pages=n, seconds=round(time.time() - t0, 3), entries=stats.entries, errors=stats.errors,
                       skipped=stats.skipped)
        with store.open(inside(MARKER), "wb") as fh:
            fh.write(json.dumps(summary, ensure_ascii=False).encode("utf-8"))
    except Exception as exc:  # the input stays unfinished: reported, retried by --resume
        summary.update(error=f"{type(exc).__name__}: {exc}", seconds=round(time.time() - t0, 3))
    return summary


def _judge_partition(items, ctx: dict):
    from ..runtime import tune_gc

    tune_gc(freeze=False)  # (a Python worker may be reused across tasks: no freeze)
    for item in items:
        yield _judge_input(item, ctx)


# ---------------------------------------------------------------------------- driver side


def require_pyspark():
    """Import PySpark or raise ``InputError`` with one line saying how to get it."""
    try:
        import pyspark
    except ImportError:
        raise InputError("--engine spark needs PySpark: pip install 'compliance[spark]' (and Java 17)") from None
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise InputError("--engine spark needs Java 17: set JAVA_HOME or put java on PATH")
    return pyspark


def _session(master: str | None, jobs: int, quiet: bool, conf: dict | None):
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    builder = SparkSession.builder.appName("compliance-audit")
    if master:
        builder = builder.master(master)
    elif not os.environ.get("PYSPARK_GATEWAY_PORT") and "spark.master" not in (conf or {}):
        master = f"local[{jobs}]" if jobs else "local[*]"  # not under spark-submit: this machine
        builder = builder.master(master)
    if master and master.startswith("local"):  # workers run this Python (on a cluster: spark-submit's)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = builder.config("spark.ui.showConsoleProgress", "false" if quiet else "true")
    for k, v in (conf or {}).items():
        builder = builder.config(k, v)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:
        raise InputError(f"cannot start Spark: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark, True


def run(index_path: str, inputs: list[str], out_dir: Path, *, master: str | None = None, jobs: int = 0,
        resume: bool = False, venues: Venues = Venues(), thresholds: Thresholds = Thresholds(),
        max_bytes: int = 20 * 1024 * 1024, max_members: int = 1_000_000, include=None, exclude=None,
        packs: tuple[str, ...] = (), quiet: bool = False, meta: dict | None = None, conf: dict | None = None,
        results_root: str | None = None, merge: bool = True, two_stage: bool = False,
        timeout_per_page: float | None = None) -> tuple[Path, Stats, dict]:
    """Judge every input on Spark; returns ``OUT/results.jsonl`` (when ``merge``), the
    archive statistics and a run summary (inputs judged, skipped as done, failed).

    ``results_root``: where executors write the partitions (default ``OUT/results``); on a
    cluster it must be a filesystem every executor can write (``s3://…``, ``hdfs://…``
    through fsspec, or a shared mount). ``OUT`` itself is the driver's local folder.
    ``two_stage``: every input is a Common Crawl WET file, judged with
    :func:`compliance.shard.judge_two_stage` (its WAT and WARC found by the crawl's naming)."""
    from ..shard import is_remote, parse_input_line

    require_pyspark()
    entries: list[tuple[str, str, str, tuple[int, int] | None]] = []
    seen: set[str] = set()
    for line in inputs:
        parsed = parse_input_line(line)
        if parsed is None:
            continue
        path, rng = parsed
        label = input_label(path, rng)
        if label in seen:
            continue
        seen.add(label)
        # Pages are named after the input as the manifest gives it (as the local engine names
        # them); executors read it by its absolute path, whatever their working folder.
        entries.append((label, path, path if is_remote(path) else os.path.abspath(path), rng))

    out_dir = Path(out_dir)
    root_str = results_root or str(out_dir / RESULTS_DIR)
    store = _Store(root_str)
    store.makedirs(store.base)
    if not resume:  # a fresh run: earlier partitions go (only those: the root may be shared)
        for name in store.listdir(store.base):
            if name.startswith("input="):
                store.rmtree(store.join(name))
    done = [e for e in entries if resume and store.exists(store.join(partition_name(e[0]), MARKER))]
    done_labels = {e[0] for e in done}
    todo = [e for e in entries if e[0] not in done_labels]

    summaries: list[dict] = []
    t0 = time.time()
    if todo:
        spark, created = _session(master, jobs, quiet, conf)
        sc = spark.sparkContext
        size = os.path.getsize(index_path)
        broadcast, file_name = None, None
        try:
            if size > BROADCAST_LIMIT:
                sc.addFile(os.path.abspath(index_path))
                file_name = os.path.basename(index_path)
            else:
                with open(index_path, "rb") as fh:
                    broadcast = sc.broadcast(fh.read())
            ctx = {"root": root_str, "two_stage": two_stage, "token": uuid.uuid4().hex, "broadcast": broadcast, "file_name": file_name,
                   "packs": tuple(os.path.abspath(p) for p in packs),
                   "opts": {"venue_for": venues, "thresholds": thresholds, "max_bytes": max_bytes,
                            "max_members": max_members, "include": include, "exclude": exclude,
                            "timeout": timeout_per_page}}
            # One task per input, in manifest order; an input is the unit of restart.
            rdd = sc.parallelize(todo, len(todo))
            summaries = rdd.mapPartitions(lambda it: _judge_partition(it, ctx)).collect()
        finally:
            if broadcast is not None:
                broadcast.unpersist()
            if created:
                spark.stop()
    failed = [s for s in summaries if s.get("error")]
    for s in failed:
        print(f"compliance: input {s['input']}: {s['error']}", file=sys.stderr)

    stats = Stats()
    for label, *_ in entries:
        marker = store.join(partition_name(label), MARKER)
        if not store.exists(marker):
            continue
        with store.open(marker, "rb") as fh:
            info = json.loads(fh.read())
        stats.entries += info.get("entries", 0)
        stats.errors += info.get("errors", 0)
        for k, v in (info.get("skipped") or {}).items():
            stats.skip(k, v)
    run_info = {"inputs": len(entries), "judged": len(todo) - len(failed), "skipped_done": len(done),
                "failed": [s["input"] for s in failed], "seconds": round(time.time() - t0, 3),
                "summaries": summaries}
    results = out_dir / RESULTS
    if merge:
        os.makedirs(out_dir, exist_ok=True)
        head = {"type": "run", **(meta or {}), "engine": "spark"}
        notes = _source_warnings(index_path)
        if notes:  # as the local engine's run line has them
            head["warnings"] = [*head.get("warnings", []), *notes]
        with open(results, "w", encoding="utf-8") as out:
            out.write(json.dumps(head, ensure_ascii=False) + "\n")
            for label, *_ in entries:
                part = store.join(partition_name(label), PART)
                if store.exists(store.join(partition_name(label), MARKER)) and store.exists(part):
                    with store.open(part, "rb") as fh:
                        shutil.copyfileobj(_text(fh), out)
    return results, stats, run_info


def _source_warnings(index_path: str) -> list[str]:
    """The sources' read errors and terms warnings, from the index's metadata (no record is read)."""
    from ..reference import load_reference_index
    from . import local

    if not hasattr(local, "source_warnings"):
        return []
    return local.source_warnings(load_reference_index(index_path))


def _text(fh):
    import io

    return io.TextIOWrapper(fh, encoding="utf-8")


def load_partitioned(out_dir: Path) -> dict[str, list[dict]]:
    """``{input: [result lines]}`` of the finished inputs under ``OUT/results`` (for tests)."""
    root = Path(out_dir) / RESULTS_DIR
    out: dict[str, list[dict]] = {}
    for d in sorted(root.glob("input=*")):
        if (d / MARKER).exists():
            label = json.loads((d / MARKER).read_text())["input"]
            out[label] = [json.loads(x) for x in (d / PART).read_text(encoding="utf-8").splitlines() if x]
    return out
