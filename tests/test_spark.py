"""The Spark engine in local[2]: the same result set as the local engine, results
partitioned by input, and a restarted run that skips the inputs already finished.

Needs PySpark and Java (``pip install 'compliance[spark]'``); skipped, saying which is
missing, without them. ``pytest -m "not spark"`` leaves these out of a quick run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED
from test_shard import corpus_pages, make_cc_shard, write_crawl

from compliance.cli import main
from compliance.config import load_config
from compliance.engines.local import Venues
from compliance.engines.local import run as local_run
from compliance.engines.spark import (
    MARKER,
    PART,
    escape_partition,
    load_partitioned,
    partition_name,
    unescape_partition,
)

SEEDS = ROOT / "seeds"
HAVE_PYSPARK = importlib.util.find_spec("pyspark") is not None
HAVE_JAVA = bool(os.environ.get("JAVA_HOME")) or shutil.which("java") is not None



def needs_spark(test):
    """Marked ``spark``; skipped, saying why, without PySpark or Java."""
    for mark in (
        pytest.mark.spark,
        pytest.mark.skipif(not HAVE_PYSPARK, reason="pyspark is not installed: pip install 'compliance[spark]'"),
        pytest.mark.skipif(not HAVE_JAVA, reason="Spark needs Java 17: no JAVA_HOME and no java on PATH"),
        pytest.mark.usefixtures("spark"),
    ):
        test = mark(test)
    return test


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("compliance-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """The seeds' crawl and a generated 50-page WARC, a manifest naming both, an index."""
    from compliance.reference import build_reference_index

    root = tmp_path_factory.mktemp("spark")
    write_crawl(root / "gen.warc.gz", corpus_pages(50))
    manifest = root / "inputs.txt"
    inputs = [str(SEEDS / "crawl.warc.gz"), str(root / "gen.warc.gz")]
    manifest.write_text("# two WARC files\n" + "\n".join(inputs) + "\n", encoding="utf-8")
    build_reference_index([str(SEED)], str(SEEDS / "sources.toml"), root / "ref.idx")
    return root, inputs, manifest


def _venues() -> Venues:
    cfg = load_config(str(SEEDS / "compliance.toml"))
    return Venues(cfg["venue"], dict(cfg["venues"]))


def _canon(path: Path) -> list[str]:
    lines = (json.loads(x) for x in path.read_text(encoding="utf-8").splitlines())
    return sorted(json.dumps(x, sort_keys=True) for x in lines if x.get("type") == "result")


@needs_spark
def test_spark_gives_the_local_result_set_and_resumes_per_input(crawl, tmp_path):
    from compliance.archives import iter_entries
    from compliance.audit import build_reference, load_manifest
    from compliance.engines.spark import run as spark_run

    root, inputs, _ = crawl
    venues = _venues()
    ref = build_reference([str(SEED)], manifest=load_manifest(str(SEEDS / "sources.toml")))
    local, _ = local_run(ref, inputs, tmp_path / "local", jobs=2, venues=venues, quiet=True)
    expected = _canon(local)
    assert len(expected) == 54

    out = tmp_path / "spark"
    results, stats, info = spark_run(str(root / "ref.idx"), inputs, out, venues=venues, quiet=True)
    assert info["judged"] == 2 and info["skipped_done"] == 0 and not info["failed"]
    assert _canon(results) == expected
    assert stats.entries == 54
    parts = load_partitioned(out)
    assert set(parts) == set(inputs)
    assert [x["page"] for x in parts[inputs[1]]] == [e.name for e in iter_entries(inputs[1])]  # input order
    for label, lines in parts.items():  # keyed by WARC-Record-ID, never a generated id
        assert all(x["page"].startswith(label + "#urn:uuid:") for x in lines)

    # Simulate a run killed while it wrote the generated WARC's results: no marker, a torn
    # part file and a stray temporary file. The restart redoes that input only.
    done_dir = out / "results" / partition_name(inputs[0])
    torn_dir = out / "results" / partition_name(inputs[1])
    before = {p.name: p.stat().st_mtime_ns for p in done_dir.iterdir()}
    (torn_dir / MARKER).unlink()
    part = torn_dir / PART
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 3])
    (torn_dir / ".part-deadbeef.jsonl.tmp").write_text('{"type": "result", "page": "half', encoding="utf-8")
    results, stats, info = spark_run(str(root / "ref.idx"), inputs, out, venues=venues, quiet=True, resume=True)
    assert info["skipped_done"] == 1 and info["judged"] == 1
    assert [s["input"] for s in info["summaries"]] == [inputs[1]]
    assert {p.name: p.stat().st_mtime_ns for p in done_dir.iterdir()} == before  # untouched
    assert sorted(p.name for p in torn_dir.iterdir()) == sorted([MARKER, PART])
    assert _canon(results) == expected
    assert stats.entries == 54  # counts come from both inputs' markers


@needs_spark
def test_cli_engine_spark_from_sources_and_manifest(crawl, tmp_path, capsys):
    from pyspark.sql import SparkSession

    _, inputs, manifest = crawl
    common = ["--config", str(SEEDS / "compliance.toml"), "--quiet"]
    code_local = main(["audit", "--sources", str(SEED), "--candidates", *inputs, "--out", str(tmp_path / "l"),
                       "--jobs", "1", *common])
    code_spark = main(["audit", "--sources", str(SEED), "--inputs", str(manifest), "--engine", "spark",
                       "--out", str(tmp_path / "s"), *common])
    capsys.readouterr()
    assert code_local == code_spark == 1
    assert _canon(tmp_path / "s" / "results.jsonl") == _canon(tmp_path / "l" / "results.jsonl")
    assert (tmp_path / "s" / "ref.idx").exists() and (tmp_path / "s" / "summary.html").exists()
    # Spark's own reader finds the partitions and unescapes the input names.
    df = SparkSession.getActiveSession().read.json(str(tmp_path / "s" / "results"))
    assert {r["input"] for r in df.select("input").distinct().collect()} == set(inputs)
    assert df.count() == 54


@needs_spark
def test_two_stage_on_wet_files(crawl, tmp_path):
    from compliance.engines.spark import run as spark_run
    from compliance.reference import load_reference_index
    from compliance.shard import judge_two_stage

    root, _, _ = crawl
    gen = tmp_path / "gen.warc.gz"
    write_crawl(gen, corpus_pages(12))
    warc, wet, _ = make_cc_shard(tmp_path / "cc", gen)
    venues = _venues()
    results, _, info = spark_run(str(root / "ref.idx"), [str(wet)], tmp_path / "out", venues=venues, quiet=True,
                                 two_stage=True)
    assert not info["failed"]
    ref = load_reference_index(root / "ref.idx")
    expected = list(judge_two_stage(ref, str(wet), venue_for=venues))
    got = [json.loads(x) for x in results.read_text().splitlines()][1:]
    assert got == expected
    assert sum(x["page"].startswith(str(warc) + "#") for x in got) == 8  # the copies, judged from their HTML


def test_missing_pyspark_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    code = main(["audit", "--sources", str(SEED), "--candidates", str(SEEDS / "copies"), "--engine", "spark",
                 "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "pip install 'compliance[spark]'" in err


def test_urls_need_the_spark_engine(tmp_path, capsys):
    code = main(["audit", "--sources", str(SEED), "--candidates", "s3://bucket/x.warc.gz", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "--engine spark" in err


def test_partition_names_escape_as_spark_does():
    label = "s3://commoncrawl/crawl-data/CC-MAIN-2024-10/segments/17/warc/x=1#?.warc.gz"
    esc = escape_partition(label)
    assert "/" not in esc and ":" not in esc and "=" not in esc and unescape_partition(esc) == label
    assert esc.startswith("s3%3A%2F%2Fcommoncrawl%2F")
    long = "/data/" + "d" * 400 + "/x.warc.gz"
    name = partition_name(long)
    assert name.startswith("input=") and len(name.encode()) <= 210 and name != partition_name(long + "2")
