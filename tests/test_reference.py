"""Reference index files (ref.idx): the same sources, terms and texts as build_reference,
the same audit results with and without the file, source texts read only for candidates."""

from __future__ import annotations

import json
import pickle
import sys
import zipfile

import pytest
from conftest import ROOT, SEED
from test_shard import write_crawl

from compliance.audit import build_reference, judge_entry, load_manifest
from compliance.cli import main
from compliance.document import InputError
from compliance.engines.local import Venues, run
from compliance.reference import build_reference_index, describe, load_reference_index

sys.path.insert(0, str(ROOT))
from benchmarks.pages import make_page

SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """12 realistic publisher pages (one twice, once unreadable), a manifest, and a crawl with
    copies of 8 of them on other sites plus 6 pages that copy nothing."""
    root = tmp_path_factory.mktemp("corpus")
    src = root / "sources"
    src.mkdir()
    pages = {i: make_page(i) for i in range(20)}
    for i in range(12):
        (src / f"a{i:02d}.html").write_bytes(pages[i])
    (src / "a12-same-url.html").write_bytes(pages[3])  # the same canonical URL: a second key
    (src / "broken.txt").write_bytes(b"\x00\x01\x02\x03binary" * 50)  # unreadable: an error
    (src / "seed.txt").write_bytes(SEED.read_bytes())
    (src / "sources.toml").write_text(
        '[[source]]\npath = "seed.txt"\nurl = "https://www.globalresearch.ca/terrorist-retreat/5485063"\n'
        'title = "Terrorist Retreat"\n', encoding="utf-8")
    copies = [(f"https://mirror{i % 3}.example.net/story/{i}", pages[i]) for i in range(8)]
    copies += [(f"https://elsewhere.example.org/{i}", pages[i]) for i in range(14, 20)]
    copies.append(("https://www.globalresearch.ca/terrorist-retreat/5485063",
                   (SEEDS / "copies" / "compliant.html").read_bytes()))
    write_crawl(root / "crawl.warc.gz", copies)
    return root


def _canon(lines):
    return sorted(json.dumps(x, sort_keys=True) for x in lines if x.get("type") == "result")


def test_index_holds_what_build_reference_gives(corpus, tmp_path):
    sources = [str(corpus / "sources")]
    manifest = load_manifest(str(corpus / "sources" / "sources.toml"))
    mem = build_reference(sources, manifest=manifest)
    info = build_reference_index(sources, manifest, tmp_path / "ref.idx")
    ref = load_reference_index(tmp_path / "ref.idx")
    assert info.sources == len(mem.sources) == 14 and len(ref.sources) == 14
    assert ref.errors == mem.errors and len(ref.errors) == 1
    assert ref.own_domains == mem.own_domains
    assert ref.store.loads == 0  # nothing inflated yet
    for a, b in zip(ref.sources, mem.sources):
        assert (a.key, a.name, a.url, a.title, a.venue_rules) == (b.key, b.name, b.url, b.title, b.venue_rules)
        assert a.terms == b.terms and a.body == b.body and a.core == b.core
        for f in ("path", "media_type", "text", "blocks", "title", "url"):  # what check_copy reads
            assert getattr(a.doc, f) == getattr(b.doc, f), f
        assert [(e.kind, e.url, e.region) for e in a.doc.embeds] == [(e.kind, e.url, e.region) for e in b.doc.embeds]
    assert len({s.key for s in ref.sources}) == 14 and any("#" in s.key for s in ref.sources)
    assert ref.index.query(mem.sources[5].core)[0][0] == mem.sources[5].key


def test_parallel_build_writes_the_same_index(corpus, tmp_path):
    sources = [str(corpus / "sources")]
    build_reference_index(sources, str(corpus / "sources" / "sources.toml"), tmp_path / "one.idx", jobs=1)
    build_reference_index(sources, str(corpus / "sources" / "sources.toml"), tmp_path / "two.idx", jobs=2)
    with zipfile.ZipFile(tmp_path / "one.idx") as a, zipfile.ZipFile(tmp_path / "two.idx") as b:
        for name in ("index.npz", "meta.jsonl", "errors.jsonl", "offsets.npy", "texts.bin"):
            assert a.read(name) == b.read(name), name


def test_results_are_identical_with_and_without_the_index(corpus, tmp_path):
    sources = [str(corpus / "sources")]
    manifest = load_manifest(str(corpus / "sources" / "sources.toml"))
    mem = build_reference(sources, manifest=manifest)
    build_reference_index(sources, manifest, tmp_path / "ref.idx")
    ref = load_reference_index(tmp_path / "ref.idx")
    cands = [str(corpus / "crawl.warc.gz"), str(SEEDS / "copies"), str(SEEDS / "crawl.warc.gz")]
    venues = Venues("community", {"mirror1.example.net": "commercial"})
    a, _ = run(mem, cands, tmp_path / "mem", jobs=1, venues=venues, quiet=True)
    b, _ = run(ref, cands, tmp_path / "idx", jobs=1, venues=venues, quiet=True)
    c, _ = run(ref, cands, tmp_path / "idx2", jobs=2, venues=venues, quiet=True)  # the pool reopens the file
    la, lb, lc = (_canon(json.loads(x) for x in p.read_text().splitlines()) for p in (a, b, c))
    assert la == lb == lc and len(la) == 15 + 7 + 4
    runs = [json.loads(p.read_text().splitlines()[0]) for p in (a, b)]
    assert runs[0].get("warnings") == runs[1].get("warnings") and runs[0]["warnings"]  # the unreadable source
    statuses = [json.loads(x)["status"] for x in la]
    assert statuses.count("unmatched") == 8 and statuses.count("original") == 2
    # Records are inflated once each, when a page first names them as candidates (how many
    # sources the index proposes depends on the pages; laziness itself: test_sources_are_read_lazily).
    assert 1 <= ref.store.loads <= len(ref.sources)


def test_sources_are_read_lazily(corpus, tmp_path):
    from compliance.archives import iter_entries
    from compliance.engines.local import source_warnings

    build_reference_index([str(corpus / "sources")], None, tmp_path / "many.idx")
    many = load_reference_index(tmp_path / "many.idx")
    mem = build_reference([str(corpus / "sources")])
    assert source_warnings(many) == source_warnings(mem) and many.store.loads == 0  # from the metadata

    build_reference_index([str(SEED)], str(SEEDS / "sources.toml"), tmp_path / "ref.idx")
    ref = load_reference_index(tmp_path / "ref.idx")

    entries = {e.name.rsplit("/", 1)[-1]: e for e in iter_entries(str(SEEDS / "copies"))}
    judge_entry(ref, entries["unrelated.html"])
    assert ref.store.loads == 0
    judge_entry(ref, entries["compliant.html"])
    judge_entry(ref, entries["missing-link.html"])
    assert ref.store.loads == 1  # inflated once, then cached
    again = pickle.loads(pickle.dumps(ref))
    assert again.path == ref.path and again.store.loads == 0 and len(again.sources) == 1


def test_cli_index_build_and_audit_with_index(corpus, tmp_path, capsys):
    idx = tmp_path / "ref.idx"
    code = main(["index", "build", str(corpus / "sources"), "-o", str(idx), "--jobs", "2", "--quiet"])
    capsys.readouterr()
    assert code == 0 and idx.exists()
    common = ["--candidates", str(corpus / "crawl.warc.gz"), str(SEEDS / "copies"), "--venue", "community",
              "--quiet", "--jobs", "1"]
    code_a = main(["audit", "--sources", str(corpus / "sources"), *common, "--out", str(tmp_path / "a")])
    code_b = main(["audit", "--index", str(idx), *common, "--out", str(tmp_path / "b")])
    _, err = capsys.readouterr()
    assert code_a == code_b == 1
    assert sum("broken.txt" in x for x in err.splitlines()) == 2  # the unreadable source, reported by both
    la, lb = (_canon(json.loads(x) for x in (tmp_path / d / "results.jsonl").read_text().splitlines())
              for d in ("a", "b"))
    assert la == lb
    assert main(["index", "info", str(idx)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["sources"] == 14 and info["bytes_per_source"] > 0
    assert describe(idx)["members"]["texts.bin"] > 0


def test_not_an_index_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "ref.idx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError):
        load_reference_index(bad)
    code = main(["audit", "--index", str(bad), "--candidates", str(SEEDS / "copies"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "not a reference index" in err and err.count("\n") == 1
    code = main(["audit", "--sources", str(SEED), "--index", str(bad), "--candidates", str(SEEDS / "copies")])
    assert code == 2
