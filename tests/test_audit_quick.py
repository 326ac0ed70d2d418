"""The audit's quick first stage rules pages out without a full read, and changes no result."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.archives import Entry, iter_entries
from compliance.audit import build_reference, judge_entry, load_manifest
from compliance.read import read_bytes
from compliance.read.quick import quick_html

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_9e6abf22d7dd6653.txt"
CORPUS = ROOT / "tests" / "corpus"


def _html(body: str, head: str = "") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def _entries(paths) -> list[Entry]:
    return [e for p in paths for e in iter_entries(str(p))]


@pytest.fixture(scope="module")
def corpus_ref():
    pages = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".html", ".md", ".txt"))
    return build_reference([str(p) for p in pages[::9]]), pages


def _both(ref, entries):
    for e in entries:
        yield e.name, judge_entry(ref, e), judge_entry(ref, e, quick=False)


def test_quick_stage_changes_no_seed_result():
    ref = build_reference([str(SEED)], manifest=load_manifest(str(SEEDS / "sources.toml")))
    entries = _entries([SEEDS / "copies", SEEDS / "crawl.warc.gz"])
    assert len(entries) > 5
    for name, fast, full in _both(ref, entries):
        assert fast == full, name


def test_quick_stage_changes_no_corpus_result(corpus_ref):
    ref, pages = corpus_ref
    entries = _entries([CORPUS])
    assert len(entries) == len(pages)
    matched = 0
    for name, fast, full in _both(ref, entries):
        assert fast == full, name
        matched += full["status"] != "unmatched"
    assert matched >= len(ref.sources)  # each source at least finds itself


def test_copy_buried_in_navigation_and_footers_still_reaches_the_full_stage(tmp_path):
    src = read_bytes(SEED.read_bytes(), str(SEED)).text
    article = "".join(f"<p>{line}</p>" for line in src.splitlines() if line.strip())
    menu = "".join(f'<li><a href="/s/{i}">Section number {i} of the site menu {i * 7}</a></li>' for i in range(900))
    page = _html(f"<nav><ul>{menu}</ul></nav><article>{article}</article><footer><ul>{menu}</ul></footer>")
    ref = build_reference([str(SEED)], manifest=load_manifest(str(SEEDS / "sources.toml")))
    e = Entry(name="busy.html", data=page, url="https://copier.example/a")
    fast, full = judge_entry(ref, e), judge_entry(ref, e, quick=False)
    assert fast == full
    assert fast["status"] != "unmatched"


def test_quick_text_keeps_visible_words_and_drops_scripts():
    text, url = quick_html('<html><head><title>T</title><style>p{x:1}</style></head><body><p>alpha <b>beta</b></p>'
                           '<script>var gamma = 1;</script><p>delta</p></body></html>')
    assert text.split() == ["alpha", "beta", "delta"]
    assert url is None


@pytest.mark.parametrize(
    "head, given, expected",
    [
        ('<link rel="canonical" href="https://pub.example/a">', None, "https://pub.example/a"),
        ('<meta property="og:url" content="https://pub.example/og">', None, "https://pub.example/og"),
        ('<base href="https://pub.example/dir/"><link rel="canonical" href="a?x=1">', None,
         "https://pub.example/dir/a?x=1"),
        ('<link rel="canonical" href="https://pub.example/a">', "https://given.example/p", "https://given.example/p"),
    ],
)
def test_quick_url_is_the_readers_url(head, given, expected):
    data = _html("<p>words</p>", head)
    _, url = quick_html(data.decode(), given)
    assert url == expected
    assert read_bytes(data, "p.html", url=given).url == expected


def test_quick_text_leaves_out_the_regions_body_text_leaves_out():
    page = ("<html><body><header><nav><ul><li>Home</li><li>World</li></ul></nav><p>Masthead</p></header>"
            "<article><p>" + "The river rose overnight and the town woke to water in the streets. " * 20 + "</p>"
            "<figure><img src=x><figcaption>Photo credit line</figcaption></figure></article>"
            "<aside><nav>Related</nav><footer>inner</footer></aside><div role=contentinfo>Site footer</div>"
            "<footer><aside>x</aside>Copyright</footer></body></html>")
    text, _ = quick_html(page)
    assert "river rose" in text
    for gone in ("Home", "Masthead", "Photo credit", "Related", "inner", "Site footer", "Copyright"):
        assert gone not in text


def test_quick_text_keeps_everything_when_the_regions_hold_most_of_the_page():
    page = "<html><body><main><p>Short lead.</p></main><footer>" + "<p>Footer words here.</p>" * 50 + "</footer></body></html>"
    text, _ = quick_html(page)
    assert "Short lead." in text and "Footer words" in text


@pytest.mark.parametrize("charset", ["utf-8", "windows-1252", None])
def test_quick_stage_reads_accented_copies_in_any_declared_charset(tmp_path, charset):
    """A UTF-8 page goes to the parser undecoded; others are decoded first. Either way a copy
    of an accented article is found and judged as the full stage judges it."""
    words = ("Le conseil régional a approuvé vendredi un budget élargi pour les écoles rurales, "
             "après des mois de débats sur la rénovation des bâtiments et le transport des élèves. ")
    article = "".join(f"<p>{words}Paragraphe numéro {i}, évoqué à Besançon.</p>" for i in range(12))
    (tmp_path / "src.html").write_bytes(_html(f"<article>{article}</article>", '<meta charset="utf-8">'))
    ref = build_reference([str(tmp_path / "src.html")])
    head = f'<meta charset="{charset}">' if charset else ""
    page = f"<!doctype html><html><head>{head}</head><body><nav>Accueil</nav><article>{article}</article></body></html>"
    data = page.encode(charset or "utf-8")
    entry = Entry(name="copy.html", data=data, url="https://mirror.example.net/copie")
    fast, full = judge_entry(ref, entry), judge_entry(ref, entry, quick=False)
    assert fast == full
    assert fast["status"] != "unmatched"
