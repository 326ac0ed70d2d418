"""`compliance audit`: copies found in folders, archives and crawls, judged, resumable."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SEED

from compliance.cli import main

SEEDS = ROOT / "seeds"


def audit(capsys, *argv):
    code = main(["audit", *map(str, argv), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def result_lines(out_dir: Path) -> list[dict]:
    lines = [json.loads(x) for x in (out_dir / "results.jsonl").read_text().splitlines()]
    return [x for x in lines if x.get("type") == "result"]


def by_page(lines):
    return {Path(x["page"].split("#")[0]).name if "#" not in x["page"] else x["url"]: x for x in lines}


def test_seed_audit_judges_each_copy(capsys, tmp_path):
    code, out, err = audit(capsys, "--sources", SEED, "--candidates", SEEDS / "copies", SEEDS / "crawl.warc.gz",
                           "--config", SEEDS / "compliance.toml", "--manifest", SEEDS / "sources.toml",
                           "--out", tmp_path, "--jobs", "1")
    lines = by_page(result_lines(tmp_path))
    assert lines["compliant.html"]["status"] == "compliant"
    assert lines["missing-link.html"]["status"] == "noncompliant"
    assert any(f["rule"] == "LINK001" and f["status"] == "unmet" for f in lines["missing-link.html"]["findings"])
    assert lines["plain-text.txt"]["status"] == "unverified"
    assert lines["commercial.html"]["status"] == "noncompliant"
    assert lines["unrelated.html"]["status"] == "unmatched" and lines["unrelated.html"]["findings"] == []
    assert lines["excerpt.md"]["coverage"] < 0.5 <= lines["compliant.html"]["coverage"]
    original = lines["https://www.globalresearch.ca/terrorist-retreat-syrian-forces-break-through-isis-frontline/5485063"]
    assert original["status"] == "original"
    assert lines["https://gardening.example/allotment-notes"]["status"] == "unmatched"
    assert code == 1
    html = (tmp_path / "summary.html").read_text()
    md = (tmp_path / "summary.md").read_text()
    for text in (html, md):
        assert "not legal advice" in text and "missing-link.html" in text
    assert "<svg" in html


def test_summarize_rerenders_without_reading_pages(capsys, tmp_path):
    audit(capsys, "--sources", SEED, "--candidates", SEEDS / "copies", "--manifest", SEEDS / "sources.toml",
          "--venue", "community", "--out", tmp_path, "--jobs", "1")
    shutil.rmtree(tmp_path / "unused", ignore_errors=True)
    code = main(["summarize", str(tmp_path / "results.jsonl"), "--format", "markdown"])
    out, _ = capsys.readouterr()
    assert code == 0 and "missing-link.html" in out and "not legal advice" in out


def test_folder_zip_and_warc_forms_give_the_same_verdicts(capsys, tmp_path):
    copies = sorted((SEEDS / "copies").iterdir())
    with zipfile.ZipFile(tmp_path / "copies.zip", "w") as z:
        for p in copies:
            z.write(p, f"site/{p.name}")
    verdicts = {}
    for form, path in (("folder", SEEDS / "copies"), ("zip", tmp_path / "copies.zip")):
        out = tmp_path / form
        audit(capsys, "--sources", SEED, "--candidates", path, "--manifest", SEEDS / "sources.toml",
              "--venue", "community", "--out", out, "--jobs", "1")
        verdicts[form] = {Path(x["page"].split("!")[-1]).name: (x["status"], x["coverage"]) for x in result_lines(out)}
    assert verdicts["folder"] == verdicts["zip"]
    names = {x["page"] for x in result_lines(tmp_path / "zip")}
    assert any(n.endswith("copies.zip!site/compliant.html") for n in names)


def test_bad_entries_are_results_with_reasons_and_the_run_goes_on(capsys, tmp_path):
    cand = tmp_path / "cand"
    cand.mkdir()
    shutil.copy(SEEDS / "copies" / "compliant.html", cand / "good.html")
    (cand / "undecodable.html").write_bytes(b"<html><body><p>" + bytes(range(128, 256)) * 20 + b"</p></body></html>")
    (cand / "huge.html").write_bytes(b"<html><body><p>" + b"word " * 40_000 + b"</p></body></html>")
    (cand / "binary.txt").write_bytes(b"\x00\x01\x02PNG" * 100)
    with zipfile.ZipFile(cand / "broken.zip", "w") as z:
        z.writestr("a.html", "<html><body><p>fine</p></body></html>")
    raw = bytearray((cand / "broken.zip").read_bytes())
    raw[40:60] = b"\xff" * 20  # corrupt the member's data
    (cand / "broken.zip").write_bytes(bytes(raw))
    gz = (SEEDS / "crawl.warc.gz").read_bytes()
    (cand / "truncated.warc.gz").write_bytes(gz[: len(gz) * 2 // 3])
    code, out, err = audit(capsys, "--sources", SEED, "--candidates", cand, "--manifest", SEEDS / "sources.toml",
                           "--venue", "community", "--out", tmp_path / "out", "--jobs", "1", "--max-bytes", "100000")
    lines = result_lines(tmp_path / "out")
    pages = {x["page"]: x for x in lines}
    good = next(x for p, x in pages.items() if p.endswith("good.html"))
    assert good["status"] == "compliant"
    errors = {p: x["error"] for p, x in pages.items() if x["status"] == "error"}
    assert any(p.endswith("huge.html") and "limit" in e for p, e in errors.items())
    assert any(p.endswith("binary.txt") and "binary" in e for p, e in errors.items())
    assert any("broken.zip" in p for p in errors)
    assert any("truncated.warc.gz" in p for p in errors)
    assert not any(p.endswith("undecodable.html") for p in errors)  # decoded with replacements, judged
    assert code == 2
    assert len(pages) == len(lines)  # one result per page


def _corpus(folder: Path, n: int) -> None:
    """n pages: copies of the seed with and without links, and unrelated pages."""
    folder.mkdir(parents=True)
    good = (SEEDS / "copies" / "compliant.html").read_text()
    bad = (SEEDS / "copies" / "missing-link.html").read_text()
    other = (SEEDS / "copies" / "unrelated.html").read_text()
    for i in range(n):
        text = (good, bad, other)[i % 3].replace("</main>", f"<p>Page number {i}.</p></main>")
        (folder / f"p{i:05d}.html").write_text(text)


def test_killed_audit_resumes_to_the_same_results(tmp_path):
    cand = tmp_path / "cand"
    _corpus(cand, 600)
    base = [sys.executable, "-m", "compliance", "audit", "--sources", str(SEED), "--candidates", str(cand),
            "--manifest", str(SEEDS / "sources.toml"), "--venue", "community", "--quiet", "--jobs", "2"]
    full = tmp_path / "full"
    subprocess.run(base + ["--out", str(full)], check=False, capture_output=True, timeout=300)
    killed = tmp_path / "killed"
    proc = subprocess.Popen(base + ["--out", str(killed)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = killed / "results.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline:
        if results.exists() and results.read_text().count("\n") > 100:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = results.read_text().count("\n")
    assert 0 < partial < 601, "the run must be killed part-way"
    subprocess.run(base + ["--out", str(killed), "--resume"], check=False, capture_output=True, timeout=300)

    def canon(folder):
        return sorted(json.dumps(x, sort_keys=True) for x in result_lines(folder))

    assert canon(killed) == canon(full)
    assert len(canon(full)) == 600


def test_missing_candidates_path_is_exit_2(capsys, tmp_path):
    code, out, err = audit(capsys, "--sources", SEED, "--candidates", tmp_path / "nope", "--out", tmp_path / "o")
    assert code == 2 and "nope" in err and "Traceback" not in err
