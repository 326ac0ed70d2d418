"""Tar archives (plain, gz, bz2, xz) read as a stream (``r|*``): one pass, no seeking.

Only regular files are read; symlinks, hardlinks and devices are skipped and counted.
Nothing is extracted to disk.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator

from ._base import (
    SKIP_DEVICE,
    SKIP_EXCLUDED,
    SKIP_HIDDEN,
    SKIP_HARDLINK,
    SKIP_NESTED,
    SKIP_NOT_ARTICLE,
    SKIP_OTHER_MEMBER,
    SKIP_SYMLINK,
    Entry,
    Options,
    OverCap,
    Stats,
    archive_kind,
    error_entry,
    included,
    is_article_name,
    is_hidden_member,
    member_limit,
    over_cap,
    read_bounded,
)


def _member_name(raw: str) -> str:
    while raw.startswith("./"):
        raw = raw[2:]
    return raw


def iter_tar(path: str, name: str, opts: Options, stats: Stats) -> Iterator[Entry]:
    try:
        tf = tarfile.open(path, mode="r|*")
    except Exception as exc:  # ReadError, CompressionError, OSError, EOFError, zlib/lzma errors
        yield error_entry(name, f"not a readable tar archive: {exc}")
        return
    with tf:
        count = 0
        while True:
            try:
                info = tf.next()
            except Exception as exc:
                if count == 0:
                    yield error_entry(name, f"not a readable tar archive: {exc}")
                else:
                    yield error_entry(name, f"corrupt tar archive after {count} members: {exc}")
                return
            if info is None:
                return
            # Stream mode keeps every TarInfo it has seen; drop them to stay O(1) in memory.
            tf.members.clear()
            if info.isdir():
                continue
            count += 1
            if count > opts.max_members:
                yield error_entry(name, member_limit(opts.max_members))
                return
            if info.issym():
                stats.skip(SKIP_SYMLINK)
                continue
            if info.islnk():
                stats.skip(SKIP_HARDLINK)
                continue
            if info.ischr() or info.isblk() or info.isfifo():
                stats.skip(SKIP_DEVICE)
                continue
            if not info.isreg():
                stats.skip(SKIP_OTHER_MEMBER)
                continue
            member = _member_name(info.name)
            shown = f"{name}!{member}"
            if is_hidden_member(member):
                stats.skip(SKIP_HIDDEN)
                continue
            if archive_kind(member) is not None:
                stats.skip(SKIP_NESTED)
                continue
            if not is_article_name(member):
                stats.skip(SKIP_NOT_ARTICLE)
                continue
            if not included(member, opts):
                stats.skip(SKIP_EXCLUDED)
                continue
            if info.size > opts.max_bytes:
                yield error_entry(shown, over_cap(info.size, opts.max_bytes))
                continue
            try:
                fh = tf.extractfile(info)
                if fh is None:  # pragma: no cover - regular files always have data
                    stats.skip(SKIP_OTHER_MEMBER)
                    continue
                data = read_bounded(fh, opts.max_bytes)
            except OverCap as exc:  # pragma: no cover - size checked above
                yield error_entry(shown, exc)
                continue
            except Exception as exc:
                # A stream cannot resynchronise after a bad member: report it and stop.
                yield error_entry(shown, f"corrupt member: {exc}")
                return
            if len(data) < info.size:
                yield error_entry(shown, f"truncated member: {len(data)} of {info.size} bytes")
                return
            yield Entry(name=shown, data=data, meta={"archive_member": info.name})
