"""Shared pieces of the archive readers: ``Entry``, ``Stats``, options and helpers."""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..document import Document

#: Default per-entry size cap (bytes of one page body).
MAX_BYTES = 20 * 1024 * 1024
#: Default cap on members read from one archive.
MAX_MEMBERS = 1_000_000
#: A compressed member that inflates more than this ratio (and past ``RATIO_FLOOR``) is refused.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024

#: Files that hold one article each.
ARTICLE_EXTENSIONS = (".html", ".htm", ".xhtml", ".md", ".markdown", ".txt")
#: Files that hold many articles: kind by suffix (longest suffix first where it matters).
ARCHIVE_SUFFIXES = (
    (".warc.gz", "warc"),
    (".warc", "warc"),
    (".tar.gz", "tar"),
    (".tgz", "tar"),
    (".tar.bz2", "tar"),
    (".tbz2", "tar"),
    (".tbz", "tar"),
    (".tar.xz", "tar"),
    (".txz", "tar"),
    (".tar", "tar"),
    (".zip", "zip"),
    (".xml", "wxr"),
)

#: Media types (HTTP / WARC Content-Type) that carry an article.
ARTICLE_MEDIA_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown"}
)

# Reasons counted in ``Stats.skipped``.
SKIP_HIDDEN = "hidden"  # dot-file or dot-folder (.git, .DS_Store) in a folder
SKIP_OUTSIDE = "symlink-outside-tree"  # folder symlink whose target lies outside the folder
SKIP_SYMLINK_DIR = "symlinked-folder"  # symlink to a folder inside the tree (walked by its real path)
SKIP_BROKEN_LINK = "broken-symlink"
SKIP_NOT_REGULAR = "not-a-regular-file"  # fifo, socket, device in a folder
SKIP_EXCLUDED = "excluded"  # by include/exclude globs
SKIP_NOT_ARTICLE = "not-an-article"  # file extension or media type that is no article
SKIP_NESTED = "nested-archive"  # an archive inside an archive
SKIP_NOT_WXR = "not-wxr"  # an .xml file in a folder that is no WordPress export
SKIP_SYMLINK = "symlink"  # tar or zip symlink member
SKIP_HARDLINK = "hardlink"  # tar hardlink member
SKIP_DEVICE = "device"  # tar character/block device or fifo member
SKIP_OTHER_MEMBER = "other-member"  # tar member of another kind
SKIP_REVISIT = "revisit"  # WARC record types that carry no page
SKIP_REQUEST = "request"
SKIP_METADATA = "metadata"
SKIP_WARCINFO = "warcinfo"
SKIP_OTHER_RECORD = "other-record"  # continuation, conversion, unknown WARC types
SKIP_HTTP_STATUS = "http-status"  # HTTP response that is not 2xx (redirects, 404 pages)
SKIP_EMPTY_ITEM = "empty-item"  # WXR item without content:encoded text (attachments, menus)


@dataclass(frozen=True)
class Entry:
    """One page read from an input: a file, an archive member, a WARC record, a WXR item.

    ``name`` says where it came from (``dir/page.html``, ``archive.zip!dir/page.html``,
    ``pages.tar.gz!a/b.md``, ``crawl.warc.gz#urn:uuid:…`` or ``crawl.warc.gz#@<offset>``,
    ``export.xml#item-3``). When the page could not be read, ``error`` holds a one-line
    reason and ``data`` is empty.
    """

    name: str
    url: str | None = None
    media_type: str | None = None
    charset: str | None = None
    data: bytes = b""
    meta: dict[str, Any] = field(default_factory=dict, hash=False)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def document(self, *, max_bytes: int = MAX_BYTES) -> "Document":
        """Read this entry into a ``Document``. Raises ``InputError`` for an error entry
        or for bytes that are not an article."""
        from ..document import InputError
        from ..read import read_bytes

        if self.error is not None:
            raise InputError(f"{self.name}: {self.error}")
        return read_bytes(
            self.data, self.name, media_type=self.media_type, url=self.url, charset=self.charset,
            max_bytes=max_bytes,
        )


@dataclass
class Stats:
    """Counts over one or more ``iter_entries`` runs.

    ``entries`` counts every entry yielded (error entries included), ``errors`` the error
    entries among them, ``skipped`` what was passed over, by reason (see ``SKIP_*``).
    """

    entries: int = 0
    errors: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())


@dataclass(frozen=True)
class Options:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_bytes: int = MAX_BYTES
    max_members: int = MAX_MEMBERS


class OverCap(Exception):
    """Raised inside a reader when a body would exceed the size cap."""


def one_line(text: object) -> str:
    s = " ".join(str(text).split())
    return s[:300] if s else "unknown error"


def error_entry(name: str, reason: object, **meta: Any) -> Entry:
    return Entry(name=name, error=one_line(reason), meta=dict(meta))


def over_cap(size: int | None, max_bytes: int) -> str:
    if size is None:
        return f"over the size cap: more than {max_bytes} bytes"
    return f"over the size cap: {size} bytes (limit {max_bytes})"


def member_limit(max_members: int) -> str:
    return f"member limit reached: stopped after {max_members} members"


def archive_kind(name: str) -> str | None:
    low = name.lower()
    for suffix, kind in ARCHIVE_SUFFIXES:
        if low.endswith(suffix):
            return kind
    return None


def is_article_name(name: str) -> bool:
    return os.path.splitext(name.lower())[1] in ARTICLE_EXTENSIONS


def is_hidden_member(name: str) -> bool:
    """Dot-files and macOS resource forks inside archives (``.git/…``, ``__MACOSX/._a.html``)."""
    for part in name.replace("\\", "/").split("/"):
        if part in ("", ".", ".."):
            continue
        if part.startswith(".") or part == "__MACOSX":
            return True
    return False


def _match(rel: str, pattern: str) -> bool:
    if fnmatchcase(rel, pattern):
        return True
    # "**/x" also matches "x" at the top.
    while pattern.startswith("**/"):
        pattern = pattern[3:]
        if fnmatchcase(rel, pattern):
            return True
    return False


def included(rel: str, opts: Options) -> bool:
    """Whether a relative path passes the include and exclude globs."""
    if opts.include and not any(_match(rel, p) for p in opts.include):
        return False
    return not excluded(rel, opts)


def excluded(rel: str, opts: Options) -> bool:
    return any(_match(rel, p) for p in opts.exclude)


def parse_content_type(value: str | None) -> tuple[str | None, str | None, str | None]:
    """``(media_type, charset, declared_charset)`` from a Content-Type value.

    ``charset`` is ``None`` when the declared one is not an encoding Python knows.
    """
    if not value:
        return None, None, None
    parts = value.split(";")
    media = parts[0].strip().lower() or None
    declared = None
    for part in parts[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset":
            declared = val.strip().strip("\"'").strip().lower() or None
            break
    charset = declared
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            charset = None
    return media, charset, declared


def read_bounded(fh: Any, max_bytes: int, *, chunk: int = 65536, ratio_base: int | None = None) -> bytes:
    """Read all of ``fh`` but never more than ``max_bytes`` (+1 to notice): ``OverCap`` past it.

    With ``ratio_base`` (the compressed size), also refuse output that inflates more than
    ``MAX_RATIO`` times once it passes ``RATIO_FLOOR``.
    """
    parts: list[bytes] = []
    total = 0
    while True:
        want = min(chunk, max_bytes + 1 - total)
        block = fh.read(want)
        if not block:
            break
        parts.append(block)
        total += len(block)
        if total > max_bytes:
            raise OverCap(over_cap(None, max_bytes))
        if ratio_base is not None and total > RATIO_FLOOR and total > MAX_RATIO * max(ratio_base, 1):
            raise OverCap(
                f"over the size cap: compression ratio above {MAX_RATIO}:1 "
                f"({total}+ bytes from {ratio_base} compressed)"
            )
    return b"".join(parts)
