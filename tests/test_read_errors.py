"""Input the readers refuse (one-line InputError) and bytes they must decode without raising."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.document import HTML, MARKDOWN, TEXT, Document, InputError
from compliance.read import read_bytes, read_path
from compliance.read.decode import decode, declared_charset

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
CYRILLIC = "\u041f\u0440\u0430\u0432\u0430 \u0437\u0430\u0449\u0438\u0449\u0435\u043d\u044b. \u041f\u0435\u0440\u0435\u043f\u0435\u0447\u0430\u0442\u043a\u0430 \u0437\u0430\u043f\u0440\u0435\u0449\u0435\u043d\u0430."


def assert_one_line_error(exc: pytest.ExceptionInfo[InputError], path: str | Path) -> str:
    msg = str(exc.value)
    assert str(path) in msg
    assert "\n" not in msg
    return msg


# --- refused input ------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.html"
    with pytest.raises(InputError) as exc:
        read_path(str(path))
    assert "no such file" in assert_one_line_error(exc, path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_path(str(tmp_path))
    assert "directory" in assert_one_line_error(exc, tmp_path)


@pytest.mark.parametrize("name", ["image.png", "page.html", "article.md", "notes.txt"])
def test_binary_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(PNG + bytes(range(256)))
    with pytest.raises(InputError) as exc:
        read_path(str(path))
    assert "binary" in assert_one_line_error(exc, path)


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  \n"])
def test_empty_and_whitespace_only(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_path(str(path))
    assert "empty" in assert_one_line_error(exc, path)


def test_over_max_bytes(tmp_path: Path) -> None:
    page = b"<html><body><p>" + b"word " * 400 + b"</p></body></html>"
    with pytest.raises(InputError) as exc:
        read_bytes(page, "big.html", max_bytes=1000)
    assert "limit" in assert_one_line_error(exc, "big.html")
    path = tmp_path / "big.html"
    path.write_bytes(page)
    with pytest.raises(InputError) as exc:
        read_path(str(path), max_bytes=1000)
    assert "limit" in assert_one_line_error(exc, path)


def test_under_max_bytes_is_read(tmp_path: Path) -> None:
    path = tmp_path / "small.txt"
    path.write_bytes(b"A short article.\n")
    assert read_path(str(path), max_bytes=100).text == "A short article.\n"


# --- decoding that must not raise ---------------------------------------------------------


def test_undecodable_bytes_in_latin_text(tmp_path: Path) -> None:
    data = b"Caf\xe9 society: the editor\xb4s note. Broken bytes \xff\xfe\xfa here, then more plain text.\n"
    path = tmp_path / "latin.txt"
    path.write_bytes(data)
    doc = read_path(str(path))
    assert isinstance(doc, Document)
    assert doc.media_type == TEXT
    assert "Broken bytes" in doc.text and "more plain text" in doc.text
    assert doc.locate(doc.text.index("more plain")) == (1, doc.text.index("more plain") + 1)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\xfa",
        b"plain \x80\x81\x8d\x8f\x90\x9d bytes",
        b"\xc3\x28 invalid utf-8 \xa0\xa1 and \xe2\x82 truncated",
        b"\xed\xa0\x80 surrogate",
    ],
)
def test_decode_never_raises(data: bytes) -> None:
    text, encoding = decode(data)
    assert isinstance(text, str) and encoding


def test_cp1252_curly_quotes(tmp_path: Path) -> None:
    sentence = "\u201cYou may not republish this,\u201d the editor\u2019s note says \u2013 caf\u00e9, na\u00efve.\n"
    path = tmp_path / "quotes.txt"
    path.write_bytes(sentence.encode("cp1252"))
    doc = read_path(str(path))
    assert doc.text == sentence


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfFirst line \xe2\x80\x94 with a dash.\n")
    doc = read_path(str(path))
    assert doc.text == "First line \u2014 with a dash.\n"
    assert doc.locate(0) == (1, 1)
    md = tmp_path / "bom.md"
    md.write_bytes(b"\xef\xbb\xbf---\nauthor: Ann\n---\n# Title\n")
    mdoc = read_path(str(md))
    assert mdoc.media_type == MARKDOWN
    assert mdoc.signal_values("frontmatter.author") == ["Ann"]
    assert mdoc.text == "Title"


def test_declared_windows_1251_decodes() -> None:
    page = ('<html><head><meta charset="windows-1251"><title>t</title></head>'
            f"<body><p>{CYRILLIC}</p></body></html>").encode("cp1251")
    assert declared_charset(page) == "cp1251"
    text, encoding = decode(page)
    assert encoding == "cp1251"
    assert CYRILLIC in text


def test_windows_1251_page() -> None:
    pytest.importorskip("compliance.read.html")
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            f"<title>t</title></head><body><p>{CYRILLIC}</p></body></html>").encode("cp1251")
    doc = read_bytes(page, "ru.html")
    assert doc.media_type == HTML
    assert CYRILLIC in doc.text


def test_invalid_utf8_html_without_charset() -> None:
    pytest.importorskip("compliance.read.html")
    page = b"<html><body><p>Caf\xe9 \xff\xfe\xfa article text \xc3\x28 here.</p></body></html>"
    doc = read_bytes(page, "bad.html")
    assert isinstance(doc, Document)
    assert doc.media_type == HTML
    assert "article text" in doc.text
