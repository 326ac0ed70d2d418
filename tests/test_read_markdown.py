"""The Markdown reader: visible text, blocks, links, front matter signals, positions."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.document import MARKDOWN, REGIONS, Document
from compliance.read import read_bytes
from compliance.read.markdown import read_markdown


def line_col_of(source: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line:col of the nth occurrence of ``needle`` in ``source`` (the truth)."""
    pos = -1
    for _ in range(nth + 1):
        pos = source.index(needle, pos + 1)
    line = source.count("\n", 0, pos) + 1
    return line, pos - (source.rfind("\n", 0, pos) + 1) + 1


def block_texts(doc: Document) -> list[tuple[str, str]]:
    return [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks]


def check_invariants(doc: Document) -> None:
    n = len(doc.text)
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= n
        assert b.region in REGIONS
    assert [b.start for b in doc.blocks] == sorted(b.start for b in doc.blocks)
    for link in doc.links:
        assert 0 <= link.start <= link.end <= n
        assert 0 <= link.source_offset <= len(doc.source)
    for m in doc.mentions:
        assert 0 <= m.start <= m.end <= n
        assert doc.text[m.start:m.end] == m.url
    for e in doc.embeds:
        assert 0 <= e.source_offset <= len(doc.source)
    for s in doc.signals:
        assert 0 <= s.source_offset <= len(doc.source)
    texts, sources = doc.anchors
    assert len(texts) == len(sources)
    assert list(texts) == sorted(set(texts))
    assert all(0 <= t <= n for t in texts)
    assert all(0 <= s <= len(doc.source) for s in sources)
    for i in range(0, n + 1, max(1, n // 50)):
        line, col = doc.locate(i)
        assert line >= 1 and col >= 1


ARTICLE = """\
---
title: "Rights and *Wrongs*"
author: Jane Doe
authors:
  - A. Writer
  - name: B. Editor
    url: https://example.org/b
license: CC BY-ND 4.0
canonical_url: https://original.example.com/2024/rights
source: Original Daily
copyright: © 2024 Original Daily
tags: [news, rights]
---
# A *heading* with `code`

First paragraph with **strong** text and a [link to the original](https://original.example.com/a "Title")
that continues on a second line, a [reference link][ref] and <https://auto.example.net/x>.
A bare URL https://bare.example.com/page is only a mention.

![Photo of the *river*](photos/river.jpg "River")

> A quoted paragraph
> spanning two lines.

- first item
- second item with [a relative link](/about)

1. ordered item

| Name | Role |
|------|------|
| Ann  | [Editor](mailto:ann@example.com) |

```python
print("hello")
```

    indented code

<p>Licensed under <a href="https://creativecommons.org/licenses/by-nd/4.0/" rel="license">CC BY-ND 4.0</a>.</p>

Text with inline <a href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener">raw licence</a> html.

[ref]: https://ref.example.org/target
"""


@pytest.fixture(scope="module")
def article() -> Document:
    return read_markdown(ARTICLE, "article.md", url="https://republisher.example/news/item")


def test_visible_text_and_blocks(article: Document) -> None:
    doc = article
    assert doc.media_type == MARKDOWN
    assert doc.has_hyperlinks
    kinds = block_texts(doc)
    assert kinds[0] == ("h1", "A heading with code")
    assert kinds[1][0] == "p"
    assert kinds[1][1].startswith("First paragraph with strong text and a link to the original that continues")
    assert ("p", "Photo of the river") in kinds
    assert ("quote", "A quoted paragraph spanning two lines.") in kinds
    assert ("li", "first item") in kinds
    assert ("li", "second item with a relative link") in kinds
    assert ("li", "ordered item") in kinds
    assert ("td", "Name\tRole") in kinds
    assert ("td", "Ann\tEditor") in kinds
    assert ("pre", 'print("hello")') in kinds
    assert ("pre", "indented code") in kinds
    assert ("p", "Licensed under CC BY-ND 4.0.") in kinds
    assert ("p", "Text with inline raw licence html.") in kinds
    # markup is gone
    for marker in ("**", "](", "[ref]", "<https", "`", "<a ", "---"):
        assert marker not in doc.text
    # blocks are joined by newlines and cover the text
    assert doc.text == "\n".join(doc.text[b.start:b.end] for b in doc.blocks)
    assert all(b.region == "body" for b in doc.blocks)
    check_invariants(doc)


def test_links(article: Document) -> None:
    by_text = {link.text: link for link in article.links}
    inline = by_text["link to the original"]
    assert inline.href == "https://original.example.com/a"
    assert inline.rel == ()
    assert article.text[inline.start:inline.end] == "link to the original"
    assert by_text["reference link"].href == "https://ref.example.org/target"
    assert by_text["https://auto.example.net/x"].href == "https://auto.example.net/x"
    # relative links are resolved against the url argument
    assert by_text["a relative link"].href == "https://republisher.example/about"
    assert by_text["Editor"].href == "mailto:ann@example.com"
    for link in article.links:
        assert article.text[link.start:link.end] == link.text
        assert link.region == "body"


def test_link_positions(article: Document) -> None:
    link = next(lk for lk in article.links if lk.text == "link to the original")
    assert article.locate(link.start) == line_col_of(ARTICLE, "link to the original")
    # source_offset points at the "[" that opens the link
    assert ARTICLE[link.source_offset] == "["
    assert article.line_col(link.source_offset) == line_col_of(ARTICLE, "[link to the original")
    ref = next(lk for lk in article.links if lk.text == "reference link")
    assert article.locate(ref.start) == line_col_of(ARTICLE, "reference link]")
    auto = next(lk for lk in article.links if lk.href == "https://auto.example.net/x")
    assert article.locate(auto.start) == line_col_of(ARTICLE, "https://auto.example.net/x")
    assert ARTICLE[auto.source_offset] == "<"
    cell = next(lk for lk in article.links if lk.text == "Editor")
    assert article.locate(cell.start) == line_col_of(ARTICLE, "Editor]")
    raw = next(lk for lk in article.links if lk.text == "raw licence")
    assert article.locate(raw.start) == line_col_of(ARTICLE, "raw licence")


def test_text_positions(article: Document) -> None:
    for needle, src_needle in [
        ("A heading", "A *heading*"),
        ("continues on a second line", "continues on a second line"),
        ("spanning two lines", "spanning two lines"),
        ("second item", "second item"),
        ("ordered item", "ordered item"),
        ("Ann", "Ann"),
        ('print("hello")', 'print("hello")'),
        ("indented code", "indented code"),
        ("Licensed under", "Licensed under"),
        ("CC BY-ND 4.0.", "CC BY-ND 4.0</a>"),
        ("river", "river*"),
    ]:
        at = article.text.index(needle)
        assert article.locate(at) == line_col_of(ARTICLE, src_needle), needle


def test_raw_html_license(article: Document) -> None:
    licensed = [lk for lk in article.links if "license" in lk.rel]
    assert {lk.href for lk in licensed} == {
        "https://creativecommons.org/licenses/by-nd/4.0/",
        "https://creativecommons.org/licenses/by/4.0/",
    }
    assert next(lk for lk in licensed if lk.text == "raw licence").rel == ("license", "noopener")
    assert sorted(article.signal_values("a.license")) == [
        "https://creativecommons.org/licenses/by-nd/4.0/",
        "https://creativecommons.org/licenses/by/4.0/",
    ]
    sig = next(s for s in article.signals if s.kind == "a.license")
    assert ARTICLE[sig.source_offset:].startswith("<a ")


def test_images(article: Document) -> None:
    (img,) = article.embeds
    assert img.kind == "img"
    assert img.url == "https://republisher.example/news/photos/river.jpg"
    assert img.alt == "Photo of the river"
    assert ARTICLE[img.source_offset:].startswith("![Photo")


def test_mentions_not_links(article: Document) -> None:
    assert [m.url for m in article.mentions] == ["https://bare.example.com/page"]
    assert all("bare.example.com" not in lk.href for lk in article.links)


def test_front_matter_signals(article: Document) -> None:
    doc = article
    assert doc.signal_values("frontmatter.title") == ["Rights and *Wrongs*"]
    assert doc.signal_values("frontmatter.author") == ["Jane Doe"]
    assert doc.signal_values("frontmatter.authors") == ["A. Writer", "B. Editor"]
    assert doc.signal_values("frontmatter.license") == ["CC BY-ND 4.0"]
    assert doc.signal_values("frontmatter.canonical_url") == ["https://original.example.com/2024/rights"]
    assert doc.signal_values("frontmatter.source") == ["Original Daily"]
    assert doc.signal_values("frontmatter.copyright") == ["© 2024 Original Daily"]
    assert doc.signal_values("frontmatter.tags") == ["news", "rights"]
    lic = next(s for s in doc.signals if s.kind == "frontmatter.license")
    assert doc.line_col(lic.source_offset)[0] == line_col_of(ARTICLE, "license: CC")[0]
    assert doc.title == "Rights and *Wrongs*"
    # the url argument wins over canonical_url
    assert doc.url == "https://republisher.example/news/item"
    assert doc.warnings == ()
    # front matter is not visible text
    assert "Jane Doe" not in doc.text


def test_url_from_front_matter_and_title_from_heading() -> None:
    doc = read_markdown("---\ncanonical_url: https://c.example/x\n---\n## Sub *title*\n\ntext\n", "a.md")
    assert doc.url == "https://c.example/x"
    assert doc.title == "Sub title"
    assert block_texts(doc)[0] == ("h2", "Sub title")
    plain = read_markdown("Just text, no heading.\n", "b.md")
    assert plain.url is None and plain.title is None
    rel = read_markdown("[x](/y)\n", "c.md")
    assert rel.links[0].href == "/y"  # nothing to resolve against


def test_toml_front_matter() -> None:
    src = '+++\ntitle = "Toml Title"\nauthor = "T. Author"\nauthors = ["One", "Two"]\nlicense = "CC0"\n' \
          'canonical_url = "https://t.example/p"\n+++\n\nBody on line nine.\n'
    doc = read_markdown(src, "t.md")
    assert doc.signal_values("frontmatter.author") == ["T. Author"]
    assert doc.signal_values("frontmatter.authors") == ["One", "Two"]
    assert doc.signal_values("frontmatter.license") == ["CC0"]
    assert doc.title == "Toml Title"
    assert doc.url == "https://t.example/p"
    assert doc.text == "Body on line nine."
    assert doc.locate(0) == (9, 1)
    assert doc.warnings == ()


@pytest.mark.parametrize(
    "src",
    [
        "---\ntitle: [unclosed\nauthor: x\n---\n\nBody text.\n",
        "---\na: *undefined_alias\n---\n\nBody text.\n",
        "---\n- just\n- a list\n---\n\nBody text.\n",
        '+++\ntitle = "unterminated\n+++\n\nBody text.\n',
        "+++\n= = =\n+++\n\nBody text.\n",
    ],
)
def test_bad_front_matter_is_a_warning(src: str) -> None:
    doc = read_markdown(src, "bad.md")
    assert len(doc.warnings) == 1
    assert "bad.md" in doc.warnings[0] and "front matter" in doc.warnings[0]
    assert "\n" not in doc.warnings[0]
    assert doc.text.endswith("Body text.")
    assert not [s for s in doc.signals if s.kind.startswith("frontmatter.")]


def test_paragraph_on_line_12() -> None:
    lines = ["# Title", "", "Intro *paragraph*", "spanning", "three lines.", "", "- a list", "- of two", "",
             "> a quote", "", "The twelfth line paragraph, with a [link](https://l.example) in it.", ""]
    src = "\n".join(lines)
    assert src.splitlines()[11].startswith("The twelfth")
    doc = read_markdown(src, "p.md")
    block = next(b for b in doc.blocks if doc.text[b.start:b.end].startswith("The twelfth"))
    assert doc.locate(block.start) == (12, 1)
    (link,) = doc.links
    assert doc.locate(link.start) == (12, src.splitlines()[11].index("link]") + 1)


def test_crlf_positions() -> None:
    src = "# Head\r\n\r\nFirst line\r\nsecond *line* with [a link](https://x.example)\r\n\r\n- item\r\n"
    doc = read_markdown(src, "crlf.md")
    assert "\r" not in doc.text
    assert doc.locate(doc.text.index("second")) == (4, 1)
    assert doc.locate(doc.links[0].start) == (4, 21)
    assert doc.locate(doc.text.index("item")) == (6, 3)
    check_invariants(doc)


def test_entities_escapes_and_breaks() -> None:
    src = "AT&amp;T \\*not em\\* and&nbsp;more  \nhard break\\\nagain\n"
    doc = read_markdown(src, "e.md")
    assert doc.text == "AT&T *not em* and\xa0more\nhard break\nagain"
    assert doc.locate(doc.text.index("hard")) == (2, 1)
    assert doc.locate(doc.text.index("again")) == (3, 1)
    assert doc.locate(doc.text.index("not em")) == line_col_of(src, "not em")


def test_nested_containers_and_html_embeds() -> None:
    src = (
        "> - quoted item\n>\n> quoted para\n\n"
        '<iframe src="https://video.example/embed/1"></iframe>\n\n'
        'Pixel <img src="https://track.example/p.gif" alt="" width="1"> here.\n'
    )
    doc = read_markdown(src, "n.md")
    assert ("li", "quoted item") in block_texts(doc)
    assert ("quote", "quoted para") in block_texts(doc)
    assert {(e.kind, e.url) for e in doc.embeds} == {
        ("iframe", "https://video.example/embed/1"),
        ("img", "https://track.example/p.gif"),
    }
    assert doc.locate(doc.text.index("quoted item")) == (1, 5)


def test_read_bytes_dispatches_markdown() -> None:
    data = "---\nauthor: Ann\n---\n# T\n\nBody \u2014 text.\n".encode()
    doc = read_bytes(data, "post.md")
    assert doc.media_type == MARKDOWN
    assert doc.signal_values("frontmatter.author") == ["Ann"]
    assert doc.text == "T\nBody \u2014 text."


def test_empty_and_whitespace() -> None:
    for src in ("", "   \n\n", "---\n---\n", "<!-- only a comment -->\n", "[]()\n"):
        doc = read_markdown(src, "e.md")
        check_invariants(doc)


# --- robustness ---------------------------------------------------------------------------

_PIECES = st.sampled_from(
    list("ab \n\t\r*_`[]()<>!#|-+=:&;\\\"'/.é")
    + [
        "http://x.example/", "<a href='u' rel=license>", "</a>", "---\n", "+++\n", "```\n",
        "    ", "&amp;", "\x00", "[r]: /u\n", "| a | b |\n|---|---|\n", "<div>\n", "![i](s)",
        "> ", "- ", "1. ", "<img src=x>", "title: x\n", "\r\n",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_fuzz_markdownish(src: str) -> None:
    doc = read_markdown(src, "f.md", url="https://h.example/d/p")
    assert not any("could not be parsed" in w for w in doc.warnings)
    check_invariants(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=300))
def test_fuzz_arbitrary_text(src: str) -> None:
    doc = read_markdown(src, "f.md")
    check_invariants(doc)


@pytest.mark.parametrize(
    "src", [">" * 3000 + " x", "- " * 2000 + "x", "[" * 5000, "*a" * 5000, "![" * 2000, "[a](" * 2000]
)
def test_pathological_input(src: str) -> None:
    check_invariants(read_markdown(src, "p.md"))


def _article_50k() -> str:
    rnd = random.Random(7)
    words = "the of and a to in is was for on that with as by it at from this his her are".split()
    out = ["---\ntitle: Big\nauthor: A\n---\n# Big article\n\n"]
    size = 0
    i = 0
    while size < 50_000:
        ws = [rnd.choice(words) for _ in range(80)]
        ws[10] = f"[{ws[10]}](https://example.com/{i})"
        ws[30] = f"*{ws[30]}*"
        para = "\n".join(" ".join(ws[j:j + 16]) for j in range(0, 80, 16)) + "\n\n"
        if i % 10 == 9:
            para += f"## Section {i}\n\n"
        out.append(para)
        size += len(para)
        i += 1
    return "".join(out)


def test_speed_50kb() -> None:
    src = _article_50k()
    assert len(src) >= 50_000
    read_markdown(src, "big.md")  # warm up
    best = min(_timed(src) for _ in range(3))
    # markdown-it-py alone takes ~15 ms here; the bound leaves room for slow CI machines.
    assert best < 0.25, f"{best * 1000:.0f} ms"


def _timed(src: str) -> float:
    t = time.perf_counter()
    doc = read_markdown(src, "big.md")
    elapsed = time.perf_counter() - t
    assert len(doc.links) > 100
    return elapsed
