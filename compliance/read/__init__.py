"""Readers: bytes of an article (HTML, Markdown or plain text) to one ``Document``."""

from __future__ import annotations

import os

from ..document import HTML, MARKDOWN, TEXT, Document, InputError
from .decode import decode

#: Pages larger than this are refused (the caller may raise it).
MAX_BYTES = 20 * 1024 * 1024

_EXT = {
    ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".shtml": HTML, ".php": HTML, ".asp": HTML,
    ".md": MARKDOWN, ".markdown": MARKDOWN, ".mdown": MARKDOWN, ".mkd": MARKDOWN,
    ".txt": TEXT, ".text": TEXT,
}


def sniff(data: bytes, name: str = "", declared: str | None = None) -> str:
    """Guess the media type from a declared type, the file name, then the bytes."""
    if declared:
        d = declared.split(";")[0].strip().lower()
        if d in ("text/html", "application/xhtml+xml"):
            return HTML
        if d in ("text/markdown", "text/x-markdown"):
            return MARKDOWN
        if d == "text/plain":
            return TEXT
    ext = os.path.splitext(name.split("?")[0].lower())[1]
    if ext in _EXT:
        return _EXT[ext]
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head:
        return HTML
    if head.startswith(b"---\n") or head.startswith(b"+++\n") or head.startswith(b"# "):
        return MARKDOWN
    return TEXT


def _shown(path: str) -> str:
    """``path`` for a one-line message: control characters (a member named ``a<LF>b.html``)
    written as escapes (``a\\x0ab.html``)."""
    if path.isprintable():
        return path
    return "".join(c if c.isprintable() or c == " " else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                   for c in path)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return False


def read_bytes(
    data: bytes,
    path: str,
    *,
    media_type: str | None = None,
    url: str | None = None,
    charset: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Document:
    """Read one article. Raises ``InputError`` (one line) for input that is not an article."""
    kind, text = prepare(data, path, media_type=media_type, charset=charset, max_bytes=max_bytes)
    return read_prepared(kind, text, path, url=url)


def prepare(
    data: bytes, path: str, *, media_type: str | None = None, charset: str | None = None, max_bytes: int = MAX_BYTES
) -> tuple[str, str]:
    """The checks every article passes before it is read, and its decoded text:
    ``(media type, text)``. Raises ``InputError`` as :func:`read_bytes` does."""
    kind = check(data, path, media_type=media_type, max_bytes=max_bytes)
    text, _encoding = decode(data, charset, sniff_markup=kind == HTML)
    return kind, text


def check(data: bytes, path: str, *, media_type: str | None = None, max_bytes: int = MAX_BYTES) -> str:
    """The checks of :func:`prepare` without the decoding: the media type, or ``InputError``."""
    if len(data) > max_bytes:
        raise InputError(f"{_shown(path)}: {len(data)} bytes is over the {max_bytes}-byte limit (--max-bytes)")
    if not data.strip():
        raise InputError(f"{_shown(path)}: empty file")
    if _looks_binary(data):
        raise InputError(f"{_shown(path)}: binary data, not an article (HTML, Markdown or text)")
    return sniff(data, path, media_type)


def read_prepared(kind: str, text: str, path: str, *, url: str | None = None) -> Document:
    """Read what :func:`prepare` gave into a ``Document``."""
    if kind == HTML:
        from .html import read_html

        return read_html(text, path, url=url)
    if kind == MARKDOWN:
        from .markdown import read_markdown

        return read_markdown(text, path, url=url)
    from .text import read_text

    return read_text(text, path, url=url)


def read_path(path: str, *, url: str | None = None, media_type: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Read a file from disk, with one-line errors for the usual mistakes."""
    if not os.path.exists(path):
        raise InputError(f"{_shown(path)}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{_shown(path)}: is a directory, not a file")
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise InputError(f"{_shown(path)}: {size} bytes is over the {max_bytes}-byte limit (--max-bytes)")
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise InputError(f"{_shown(path)}: cannot read: {exc.strerror or exc}") from None
    return read_bytes(data, path, media_type=media_type, url=url, max_bytes=max_bytes)


__all__ = ["read_bytes", "read_path", "sniff", "Document", "InputError", "MAX_BYTES"]
