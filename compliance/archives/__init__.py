"""Streaming readers: an input path (folder, article, zip, tar, WARC, WordPress export) to
an iterator of :class:`Entry`, one page at a time, never loading an archive whole.

``iter_entries`` raises ``InputError`` only when the path does not exist. Everything else
that goes wrong (a corrupt archive, a truncated record, a member over the size cap, an XML
file that declares entities) becomes an entry whose ``error`` is a one-line reason, and the
iteration goes on when the input allows it.

Globs (``include`` / ``exclude``, :mod:`fnmatch` style where ``*`` also crosses ``/``) are
matched against a file's path relative to the folder and against member names inside zip
and tar archives. An archive found in a folder is opened unless ``exclude`` matches it
(``include`` only selects articles); WARC records and WordPress items carry no file name and
are not filtered.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Iterator

from ..document import InputError
from ._base import (
    ARTICLE_EXTENSIONS,
    ARTICLE_MEDIA_TYPES,
    MAX_BYTES,
    MAX_MEMBERS,
    SKIP_BROKEN_LINK,
    SKIP_DEVICE,
    SKIP_EMPTY_ITEM,
    SKIP_EXCLUDED,
    SKIP_HARDLINK,
    SKIP_HIDDEN,
    SKIP_HTTP_STATUS,
    SKIP_METADATA,
    SKIP_NESTED,
    SKIP_NOT_ARTICLE,
    SKIP_NOT_REGULAR,
    SKIP_NOT_WXR,
    SKIP_OTHER_MEMBER,
    SKIP_OTHER_RECORD,
    SKIP_OUTSIDE,
    SKIP_REQUEST,
    SKIP_REVISIT,
    SKIP_SYMLINK,
    SKIP_SYMLINK_DIR,
    SKIP_WARCINFO,
    Entry,
    Options,
    OverCap,
    Stats,
    archive_kind,
    error_entry,
    excluded,
    included,
    is_article_name,
    over_cap,
    read_bounded,
)


def iter_entries(
    path: str,
    *,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    max_bytes: int = MAX_BYTES,
    max_members: int = MAX_MEMBERS,
    stats: Stats | None = None,
) -> Iterator[Entry]:
    """Entries of ``path``: a folder (recursive, sorted), an article file, or an archive
    (``.zip``, ``.tar[.gz|.bz2|.xz]``, ``.tgz``, ``.warc[.gz]``, WordPress ``.xml``).

    Raises ``InputError`` at once when ``path`` does not exist; never raises afterwards.
    Counts go to ``stats`` when given.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or folder")
    opts = Options(
        include=tuple(include or ()), exclude=tuple(exclude or ()),
        max_bytes=max_bytes, max_members=max_members,
    )
    return _counted(_dispatch(path, opts, stats if stats is not None else Stats()), stats)


def _counted(entries: Iterator[Entry], stats: Stats | None) -> Iterator[Entry]:
    for entry in entries:
        if stats is not None:
            stats.entries += 1
            if entry.error is not None:
                stats.errors += 1
        yield entry


def _dispatch(path: str, opts: Options, stats: Stats) -> Iterator[Entry]:
    if os.path.isdir(path):
        yield from _walk(path, opts, stats)
        return
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        yield error_entry(path, f"cannot read: {exc.strerror or exc}")
        return
    if not stat_module.S_ISREG(mode):
        yield error_entry(path, "not a regular file")
        return
    kind = archive_kind(path) or _sniff_kind(path)
    if kind is not None:
        yield from _open_archive(kind, path, path, opts, stats, explicit=True)
        return
    # The user named this file: read it as an article whatever its extension.
    yield _read_file(path, path, opts)


def _sniff_kind(path: str) -> str | None:
    """Zip and WARC files that lack their usual extension."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(b"\x1f\x8b"):
        import gzip

        try:
            with gzip.open(path, "rb") as gz:
                if gz.read(5) == b"WARC/":
                    return "warc"
        except Exception:
            return None
    return None


def _open_archive(kind: str, path: str, name: str, opts: Options, stats: Stats, *, explicit: bool) -> Iterator[Entry]:
    if kind == "zip":
        from ._zip import iter_zip

        yield from iter_zip(path, name, opts, stats)
    elif kind == "tar":
        from ._tar import iter_tar

        yield from iter_tar(path, name, opts, stats)
    elif kind == "warc":
        from ._warc import iter_warc

        yield from iter_warc(path, name, opts, stats)
    else:
        from ._wxr import iter_wxr

        yield from iter_wxr(path, name, opts, stats, explicit=explicit)


def _read_file(path: str, name: str, opts: Options) -> Entry:
    try:
        size = os.path.getsize(path)
        if size > opts.max_bytes:
            return error_entry(name, over_cap(size, opts.max_bytes))
        with open(path, "rb") as fh:
            data = read_bounded(fh, opts.max_bytes)
    except OverCap as exc:
        return error_entry(name, exc)
    except OSError as exc:
        return error_entry(name, f"cannot read: {exc.strerror or exc}")
    return Entry(name=name, data=data)


def _within(target: str, root: str) -> bool:
    try:
        return os.path.commonpath([target, root]) == root
    except ValueError:  # different drives
        return False


def _walk(top: str, opts: Options, stats: Stats) -> Iterator[Entry]:
    prefix = top.rstrip("/\\") or top
    root_real = os.path.realpath(top)

    def shown(rel: str) -> str:
        if prefix in (".", ""):
            return rel
        return f"{prefix}{rel}" if prefix.endswith(("/", "\\")) else f"{prefix}/{rel}"

    def walk(folder: str, rel_folder: str) -> Iterator[Entry]:
        try:
            with os.scandir(folder) as it:
                items = sorted(it, key=lambda d: d.name)
        except OSError as exc:
            yield error_entry(shown(rel_folder.rstrip("/")) if rel_folder else top, f"cannot list folder: {exc.strerror or exc}")
            return
        for item in items:
            rel = rel_folder + item.name
            if item.name.startswith("."):
                stats.skip(SKIP_HIDDEN)
                continue
            full = item.path
            try:
                if item.is_symlink():
                    target = os.path.realpath(full)
                    if not _within(target, root_real):
                        stats.skip(SKIP_OUTSIDE)
                        continue
                    if not os.path.exists(target):
                        stats.skip(SKIP_BROKEN_LINK)
                        continue
                    if os.path.isdir(target):
                        # Inside the tree: walked under its real path, not twice (nor in a loop).
                        stats.skip(SKIP_SYMLINK_DIR)
                        continue
                    is_dir = False
                    is_file = os.path.isfile(target)
                else:
                    is_dir = item.is_dir(follow_symlinks=False)
                    is_file = item.is_file(follow_symlinks=False)
            except OSError as exc:
                yield error_entry(shown(rel), f"cannot read: {exc.strerror or exc}")
                continue
            if is_dir:
                if excluded(rel, opts) or excluded(rel + "/", opts):
                    stats.skip(SKIP_EXCLUDED)
                    continue
                yield from walk(full, rel + "/")
                continue
            if not is_file:
                stats.skip(SKIP_NOT_REGULAR)
                continue
            kind = archive_kind(item.name)
            if kind is not None:
                if excluded(rel, opts):
                    stats.skip(SKIP_EXCLUDED)
                    continue
                yield from _open_archive(kind, full, shown(rel), opts, stats, explicit=False)
                continue
            if not is_article_name(item.name):
                stats.skip(SKIP_NOT_ARTICLE)
                continue
            if not included(rel, opts):
                stats.skip(SKIP_EXCLUDED)
                continue
            yield _read_file(full, shown(rel), opts)

    yield from walk(top, "")


__all__ = [
    "iter_entries",
    "Entry",
    "Stats",
    "InputError",
    "MAX_BYTES",
    "MAX_MEMBERS",
    "ARTICLE_EXTENSIONS",
    "ARTICLE_MEDIA_TYPES",
    "SKIP_BROKEN_LINK",
    "SKIP_DEVICE",
    "SKIP_EMPTY_ITEM",
    "SKIP_EXCLUDED",
    "SKIP_HARDLINK",
    "SKIP_HIDDEN",
    "SKIP_HTTP_STATUS",
    "SKIP_METADATA",
    "SKIP_NESTED",
    "SKIP_NOT_ARTICLE",
    "SKIP_NOT_REGULAR",
    "SKIP_NOT_WXR",
    "SKIP_OTHER_MEMBER",
    "SKIP_OTHER_RECORD",
    "SKIP_OUTSIDE",
    "SKIP_REQUEST",
    "SKIP_REVISIT",
    "SKIP_SYMLINK",
    "SKIP_SYMLINK_DIR",
    "SKIP_WARCINFO",
]
