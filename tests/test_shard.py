"""The per-shard core: judge_shard gives the local engine's lines, for whole files, WET
files and byte ranges of a WARC; the two-stage path (WET, then WARC by offset) gives a
full pass's lines for the pages that match."""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, SEED

from compliance.archives import iter_entries
from compliance.audit import build_reference, load_manifest
from compliance.config import load_config
from compliance.engines.local import Venues, run
from compliance.read import read_bytes
from compliance.shard import (
    cc_companions,
    judge_shard,
    judge_two_stage,
    parse_input_line,
    wat_locations,
)

SEEDS = ROOT / "seeds"


# ------------------------------------------------------------------ writing test crawls


def warc_record(rtype: str, headers: dict, block: bytes) -> bytes:
    """One WARC/1.0 record, uncompressed."""
    head = {"WARC-Type": rtype, "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>", "WARC-Date": "2024-05-01T00:00:00Z",
            **headers, "Content-Length": str(len(block))}
    text = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
    return text.encode("utf-8") + block + b"\r\n\r\n"


def http_response(html: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
            + str(len(html)).encode() + b"\r\n\r\n" + html)


def write_members(path: Path, records: list[bytes]) -> list[tuple[int, int]]:
    """Each record as its own gzip member (as crawlers write them); (offset, length) of each."""
    where, pos = [], 0
    with open(path, "wb") as fh:
        for rec in records:
            member = gzip.compress(rec, mtime=0)
            fh.write(member)
            where.append((pos, len(member)))
            pos += len(member)
    return where


def write_crawl(path: Path, pages: list[tuple[str, bytes]]) -> list[str]:
    """A WARC.gz of HTTP responses; the response record ids, in order."""
    records, ids = [], []
    for url, html in pages:
        rid = f"urn:uuid:{uuid.uuid4()}"
        ids.append(rid)
        records.append(warc_record("response", {"WARC-Record-ID": f"<{rid}>", "WARC-Target-URI": url,
                                                "Content-Type": "application/http; msgtype=response"},
                                   http_response(html)))
    write_members(path, records)
    return ids


def corpus_pages(n: int) -> list[tuple[str, bytes]]:
    """n pages: copies of the seed with and without the link back, and unrelated pages."""
    good = (SEEDS / "copies" / "compliant.html").read_text()
    bad = (SEEDS / "copies" / "missing-link.html").read_text()
    other = (SEEDS / "copies" / "unrelated.html").read_text()
    out = []
    for i in range(n):
        text = (good, bad, other)[i % 3].replace("</main>", f"<p>Page number {i}.</p></main>")
        out.append((f"https://site{i % 7}.example/page/{i}", text.encode("utf-8")))
    return out


def make_cc_shard(root: Path, warc_src: Path, name: str = "CC-MAIN-0001") -> tuple[Path, Path, Path]:
    """A Common Crawl style trio from a WARC.gz: the WARC itself, a WET file (our plain text of
    each response, as conversion records pointing back at it) and a WAT file (where each
    response lies), named and laid out as the crawl lays them out."""
    seg = root / "segments" / "1"
    for d in ("warc", "wet", "wat"):
        (seg / d).mkdir(parents=True, exist_ok=True)
    warc = seg / "warc" / f"{name}.warc.gz"
    warc.write_bytes(warc_src.read_bytes())
    entries = list(iter_entries(str(warc)))
    data = warc.read_bytes()
    offsets = [e.meta["offset"] for e in entries] + [len(data)]
    wet, wat = [warc_record("warcinfo", {}, b"software: test\r\n")], [warc_record("warcinfo", {}, b"software: test\r\n")]
    for e, start, end in zip(entries, offsets, offsets[1:]):
        rid = e.name.rsplit("#", 1)[1]
        text = read_bytes(e.data, e.name, media_type=e.media_type, url=e.url).text.encode("utf-8")
        wet.append(warc_record("conversion", {"WARC-Target-URI": e.url, "WARC-Refers-To": f"<{rid}>",
                                              "Content-Type": "text/plain"}, text))
        envelope = {"Container": {"Filename": warc.name, "Compressed": True, "Offset": str(start),
                                  "Gzip-Metadata": {"Header-Length": "10", "Footer-Length": "8",
                                                    "Deflate-Length": str(end - start - 18)}},
                    "Envelope": {"WARC-Header-Metadata": {"WARC-Type": "response", "WARC-Record-ID": f"<{rid}>",
                                                          "WARC-Target-URI": e.url}}}
        wat.append(warc_record("metadata", {"WARC-Target-URI": e.url, "WARC-Refers-To": f"<{rid}>",
                                            "Content-Type": "application/json"}, json.dumps(envelope).encode()))
    write_members(seg / "wet" / f"{name}.warc.wet.gz", wet)
    write_members(seg / "wat" / f"{name}.warc.wat.gz", wat)
    return warc, seg / "wet" / f"{name}.warc.wet.gz", seg / "wat" / f"{name}.warc.wat.gz"


# ------------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def seed_ref():
    return build_reference([str(SEED)], manifest=load_manifest(str(SEEDS / "sources.toml")))


@pytest.fixture(scope="module")
def venues():
    cfg = load_config(str(SEEDS / "compliance.toml"))
    return Venues(cfg["venue"], dict(cfg["venues"]))


def canon(lines) -> list[str]:
    return sorted(json.dumps(x, sort_keys=True) for x in lines if x.get("type") == "result")


def local_lines(ref, candidates, out: Path, venues, jobs=1) -> list[dict]:
    results, _ = run(ref, [str(c) for c in candidates], out, jobs=jobs, venues=venues, quiet=True)
    return [json.loads(x) for x in results.read_text().splitlines()]


def test_judge_shard_gives_the_local_engines_lines_on_the_seeds(seed_ref, venues, tmp_path, monkeypatch):
    cands = ["seeds/copies", "seeds/crawl.warc.gz"]  # relative, as a user types them
    monkeypatch.chdir(ROOT)
    local = local_lines(seed_ref, cands, tmp_path / "local", venues)
    shard = [x for c in cands for x in judge_shard(seed_ref, c, venue_for=venues)]
    assert canon(local) == canon(shard) and len(shard) == 11
    # Same order within an input, too.
    assert [x["page"] for x in shard] == [x["page"] for x in local if x["type"] == "result"]


def test_skip_and_renaming(seed_ref, venues):
    full = list(judge_shard(seed_ref, str(SEEDS / "crawl.warc.gz"), venue_for=venues))
    rest = list(judge_shard(seed_ref, str(SEEDS / "crawl.warc.gz"), venue_for=venues, skip={full[0]["page"]}))
    assert rest == full[1:]
    named = list(judge_shard(seed_ref, str(SEEDS / "crawl.warc.gz"), venue_for=venues, name="s3://b/crawl.warc.gz"))
    assert [x["page"] for x in named] == [x["page"].replace(str(SEEDS / "crawl.warc.gz"), "s3://b/crawl.warc.gz")
                                          for x in full]
    assert all(x["page"].startswith("s3://b/crawl.warc.gz#urn:uuid:") for x in named)


def test_byte_ranges_give_the_full_pass_lines(seed_ref, venues):
    warc = str(SEEDS / "crawl.warc.gz")
    full = list(judge_shard(seed_ref, warc, venue_for=venues))
    offsets = [e.meta["offset"] for e in iter_entries(warc)] + [Path(warc).stat().st_size]
    for line, start, end in zip(full, offsets, offsets[1:]):
        assert list(judge_shard(seed_ref, warc, venue_for=venues, byte_range=(start, end - start))) == [line]
    bad = list(judge_shard(seed_ref, warc, byte_range=(offsets[1] + 3, 100)))
    assert len(bad) == 1 and bad[0]["status"] == "error"


def test_generated_warc_matches_local_engine_with_two_workers(seed_ref, venues, tmp_path):
    crawl = tmp_path / "gen.warc.gz"
    write_crawl(crawl, corpus_pages(30))
    local = local_lines(seed_ref, [crawl], tmp_path / "out", venues, jobs=2)
    shard = list(judge_shard(seed_ref, str(crawl), venue_for=venues))
    assert canon(local) == canon(shard) and len(shard) == 30
    assert sum(x["status"] == "unmatched" for x in shard) == 10


def test_wet_pages_are_read_as_plain_text_and_wat_gives_locations(seed_ref, venues, tmp_path):
    warc, wet, wat = make_cc_shard(tmp_path, SEEDS / "crawl.warc.gz")
    lines = list(judge_shard(seed_ref, str(wet), venue_for=venues))
    assert len(lines) == 4 and all("#urn:uuid:" in x["page"] for x in lines)
    by_url = {x["url"]: x for x in lines}
    forum = by_url["https://forum.example/t/syria-update/812"]
    assert forum["source"] and forum["status"] != "unmatched"
    link = [f for f in forum["findings"] if f["rule"] == "LINK001"]
    assert link and link[0]["status"] == "cannot_verify"  # plain text: no hyperlinks
    assert by_url["https://gardening.example/allotment-notes"]["status"] == "unmatched"
    assert list(judge_shard(seed_ref, str(wat))) == []  # metadata only: nothing to judge
    locs = list(wat_locations(str(wat)))
    assert len(locs) == 4 and all(x["warc"] == warc.name for x in locs)


def test_two_stage_gives_the_full_pass_lines_for_candidates(seed_ref, venues, tmp_path):
    gen = tmp_path / "gen.warc.gz"
    write_crawl(gen, corpus_pages(12))
    warc, wet, wat = make_cc_shard(tmp_path, gen)
    assert cc_companions(str(wet)) == (str(wat), str(warc))
    full = {x["page"]: x for x in judge_shard(seed_ref, str(warc), venue_for=venues)}
    two = list(judge_two_stage(seed_ref, str(wet), venue_for=venues))
    assert len(two) == len(full) == 12
    from_warc = [x for x in two if x["page"].startswith(str(warc) + "#")]
    from_wet = [x for x in two if x["page"].startswith(str(wet) + "#")]
    assert len(from_warc) == 8 and len(from_wet) == 4  # the copies, then the unrelated pages
    for x in from_warc:
        assert x == full[x["page"]]
    assert all(x["status"] == "unmatched" for x in from_wet)
    # A WET file without candidates never opens its WAT.
    clean = tmp_path / "clean.warc.gz"
    write_crawl(clean, [(u, h) for u, h in corpus_pages(9) if b"Allotment" in h])
    _, wet2, wat2 = make_cc_shard(tmp_path / "b", clean, "CC-MAIN-0002")
    wat2.unlink()
    assert all(x["status"] == "unmatched" for x in judge_two_stage(seed_ref, str(wet2)))


def test_manifest_lines():
    assert parse_input_line("  # comment") is None and parse_input_line("") is None
    assert parse_input_line("s3://b/x.warc.gz") == ("s3://b/x.warc.gz", None)
    assert parse_input_line("s3://b/x.warc.gz\t123\t456") == ("s3://b/x.warc.gz", (123, 456))
    assert parse_input_line("a b/x.warc.gz 1 2") == ("a b/x.warc.gz", (1, 2))
    assert parse_input_line("a b/x c.warc.gz") == ("a b/x c.warc.gz", None)
