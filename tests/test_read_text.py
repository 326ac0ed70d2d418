"""The plain-text reader: text as written, bare URLs as mentions, positions in the file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.document import TEXT
from compliance.read import read_bytes, read_path
from compliance.read.text import find_mentions, read_text

SEEDS = Path(__file__).parent.parent / "seeds"
SEED = SEEDS / "000_9e6abf22d7dd6653.txt"


def test_bare_urls_are_mentions_not_links() -> None:
    src = "Read the original at https://origin.example.com/a/b?x=1. Or www.other.example.org, (http://p.example/q)\n"
    doc = read_text(src, "a.txt")
    assert doc.media_type == TEXT
    assert doc.links == ()
    assert not doc.has_hyperlinks
    assert [m.url for m in doc.mentions] == [
        "https://origin.example.com/a/b?x=1",
        "www.other.example.org",
        "http://p.example/q",
    ]
    for m in doc.mentions:
        assert doc.text[m.start:m.end] == m.url


def test_find_mentions_base_offset() -> None:
    (m,) = find_mentions("see https://a.example/x;", base=100)
    assert (m.url, m.start, m.end) == ("https://a.example/x", 104, 123)


def test_blocks_split_on_blank_lines() -> None:
    src = "Title line\n\nFirst paragraph\ncontinues here.\n   \t\nSecond paragraph.\n\n\n\nThird.\n"
    doc = read_text(src, "b.txt")
    assert doc.text == src
    assert [doc.text[b.start:b.end] for b in doc.blocks] == [
        "Title line",
        "First paragraph\ncontinues here.",
        "Second paragraph.",
        "Third.\n",
    ]
    assert doc.title == "Title line"
    assert doc.locate(doc.text.index("continues")) == (4, 1)
    assert doc.locate(doc.text.index("Third")) == (10, 1)


def test_crlf_line_col() -> None:
    lines = ["Heading", "", "Body line one", "body line two with https://u.example/p", "", "Last: word"]
    src = "\r\n".join(lines) + "\r\n"
    doc = read_text(src, "crlf.txt")
    assert "\r" not in doc.text
    assert doc.source == src
    assert len(doc.blocks) == 3
    assert doc.locate(doc.text.index("body line two")) == (4, 1)
    (m,) = doc.mentions
    assert doc.locate(m.start) == (4, lines[3].index("https") + 1)
    assert doc.locate(doc.text.index("word")) == (6, 7)
    # every character maps back onto the same character in the source
    for i, ch in enumerate(doc.text):
        if ch != "\n":
            assert src[doc.source_offset(i)] == ch


def test_old_mac_line_breaks() -> None:
    doc = read_text("one\rtwo\r\rthree", "mac.txt")
    assert doc.text == "one\ntwo\n\nthree"
    assert len(doc.blocks) == 2


def test_seed_file_positions() -> None:
    raw = SEED.read_bytes().decode("utf-8")
    needle = "Articles by: South Front"
    expected_line = raw[: raw.index(needle)].count("\n") + 1
    assert raw.splitlines()[expected_line - 1].startswith(needle)
    doc = read_path(str(SEED))
    assert doc.media_type == TEXT
    assert not doc.has_hyperlinks and doc.links == ()
    at = doc.text.index(needle)
    assert doc.locate(at) == (expected_line, 1)
    block = next(b for b in doc.blocks if b.start <= at < b.end)
    assert doc.text[block.start:block.end].startswith(needle)
    assert doc.title and doc.title.startswith("Terrorist Retreat")
    for m in doc.mentions:
        assert doc.text[m.start:m.end] == m.url


def test_read_bytes_plain_text() -> None:
    doc = read_bytes(b"Just words.\n\nMore words at http://x.example.\n", "note.txt")
    assert doc.media_type == TEXT
    assert [m.url for m in doc.mentions] == ["http://x.example"]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(list("ab \n\r\t.:/") + ["http://", "www.", "\r\n"]), max_size=60).map("".join))
def test_fuzz_text_positions(src: str) -> None:
    doc = read_text(src, "f.txt")
    n = len(doc.text)
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= n
    for m in doc.mentions:
        assert doc.text[m.start:m.end] == m.url
    for i, ch in enumerate(doc.text):
        src_ch = src[doc.source_offset(i)]
        assert src_ch == ch or (ch == "\n" and src_ch == "\r")
