"""The summary step streams results.jsonl: memory does not grow with the lines, a resumed run's
repeated pages count once (the last line wins), and the per-page lists keep their first
LIST_LIMIT entries while the totals count every page."""

from __future__ import annotations

import gzip
import json
import random
import tracemalloc

import pytest

import compliance.summary as summary_mod
from compliance.summary import ResultLines, load_results, render_html, render_json, render_markdown, summarise

SRC = "https://www.globalresearch.ca/terrorist-retreat/5485063"


def finding(page, rule, status="unmet", severity="error", message="no link", evidence=None):
    return {"path": page, "line": 3, "col": 1, "rule": rule, "duty": "link_original", "status": status,
            "severity": severity, "message": message, "evidence": evidence, "fix": None, "source": SRC,
            "details": {}, "suppressed": None, "fingerprint": "f" * 32}


def line(page, status, *, findings=(), fix=None, coverage=0.9, reading="full copy", error=None, site="a.example"):
    return {"type": "result", "page": page, "url": f"https://{site}/{page}", "source": None if status == "unmatched"
            else SRC, "source_title": "Terrorist Retreat", "similarity": 0.95, "coverage": coverage,
            "status": status, "venue": "community", "findings": list(findings), "fix": fix,
            "fair_use": {"reading": reading} if status in ("compliant", "noncompliant", "unverified") else None,
            "error": error}


def random_lines(n: int, seed: int = 3, big: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        st = rng.choice(["compliant", "noncompliant", "unverified", "error", "unmatched", "original"])
        page = f"crawl.warc.gz#urn:uuid:{rng.randrange(n * 2):08d}"  # some pages come back: a resumed run
        fs = []
        if st == "noncompliant":
            fs = [finding(page, f"R{j}", evidence="x" * big) for j in range(rng.randrange(1, 4))]
        elif st == "unverified":
            fs = [finding(page, "C1", "cannot_verify", "warning")]
        out.append(line(page, st, findings=fs, fix=("<p>" + "y" * big + "</p>") if fs else None,
                        coverage=round(rng.random(), 3), reading=f"r{i % 3}", error="boom" if st == "error" else None,
                        site=f"s{rng.randrange(40)}.example"))
    return out


def write(path, rows, run=True):
    text = "".join(json.dumps(r) + "\n" for r in ([{"type": "run", "sources": 1}] if run else []) + rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_results_are_read_again_from_the_file_not_held(tmp_path):
    p = write(tmp_path / "results.jsonl", random_lines(300))
    meta, results = load_results(p)
    assert isinstance(results, ResultLines)
    first = list(results)
    assert list(results) == first  # iterated twice: the same lines
    assert len(results) == len(first) == len({r["page"] for r in first})
    assert results[:3] == first[:3]
    assert meta["duplicates"] == 300 - len(first) > 0


def test_a_resumed_run_counts_each_page_once_and_its_last_line_wins(tmp_path):
    page = "copies/x.html"
    rows = [line(page, "noncompliant", findings=[finding(page, "LINK001")]),
            line("copies/y.html", "compliant"),
            line(page, "error", error="interrupted"),
            line("copies/z.html", "unmatched"),
            line(page, "compliant")]  # the resumed run judged it last
    meta, results = load_results(write(tmp_path / "results.jsonl", rows))
    s = summarise(results, meta)
    assert s["input"] == {"results": 3, "duplicates": 2}
    assert s["totals"]["pages"] == 3 and s["totals"]["compliant"] == 2
    assert s["totals"]["noncompliant"] == s["totals"]["error"] == 0
    assert s["act_on"] == [] and s["errors"] == [] and s["rules"] == []


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_streaming_and_in_memory_give_the_same_summary(tmp_path, suffix):
    rows = random_lines(2000)
    meta, results = load_results(write(tmp_path / f"results{suffix}", rows))
    streamed = summarise(results, meta)
    in_memory = summarise(rows, meta)  # a list: de-duplicated in memory, the last line winning
    in_memory["input"]["duplicates"] = streamed["input"]["duplicates"]  # (the list's are counted on top)
    assert render_json(streamed) == render_json(in_memory)
    assert render_html(streamed) == render_html(in_memory)
    assert render_markdown(streamed) == render_markdown(in_memory)


def test_long_lists_keep_their_first_entries_and_the_totals_count_all(tmp_path, monkeypatch):
    rows = random_lines(3000)
    full = summarise(rows)  # LIST_LIMIT 1000 is above every list here
    monkeypatch.setattr(summary_mod, "LIST_LIMIT", 7)
    cut = summarise(load_results(write(tmp_path / "results.jsonl", rows, run=False))[1])
    assert cut["totals"] == full["totals"] and cut["sources"] == full["sources"] and cut["rules"] == full["rules"]
    assert cut["sites"] == full["sites"]
    assert cut["act_on"] == full["act_on"][:7]  # the worst copies, in the same order
    assert cut["errors"] == full["errors"][:7]
    for g_cut, g_full in zip(cut["fair_use"], full["fair_use"]):
        assert g_cut["pages"] == g_full["pages"][:7]
        assert {k: v for k, v in g_cut.items() if k != "pages"} == {k: v for k, v in g_full.items() if k != "pages"}

    to_act = full["totals"]["noncompliant"] + full["totals"]["unverified"]
    md = render_markdown(cut)
    assert f"## Copies to act on ({to_act})" in md
    assert f"…and {to_act - 7} more copies to act on (not listed: the summary keeps the first 7)." in md
    assert f"## Pages that could not be read ({full['totals']['error']})" in md
    assert f"…and {full['totals']['error'] - 7} more pages that could not be read" in md
    g = cut["fair_use"][0]
    assert (f"…and {g['copies'] - 50} more pages (the JSON summary lists the first 7; results.jsonl has them all)."
            in md)
    page = render_html(cut)
    assert f"Copies to act on ({to_act})</h2>" in page and "more copies to act on (not listed" in page
    assert md.count("\n### ") == 7 + len(cut["fair_use"])  # 7 copies listed, one heading per group


def test_memory_does_not_grow_with_the_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(summary_mod, "LIST_LIMIT", 20)
    p = write(tmp_path / "results.jsonl", random_lines(1500, big=10_000))
    size = p.stat().st_size
    assert size > 10_000_000
    render_html(summarise(random_lines(50)))  # (what is loaded once: the suffix list, compiled patterns)
    tracemalloc.start()
    try:
        meta, results = load_results(p)
        s = summarise(results, meta)
        render_html(s)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the lines themselves would take several times the file's size; the kept lists 2 x 20 copies
    assert peak < size / 5, (peak, size)
    assert s["totals"]["pages"] == len(results)
