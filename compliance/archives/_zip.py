"""Zip archives: members read one at a time, in memory, with a bounded read.

Nothing is ever extracted to disk, so member names such as ``../evil.html`` or
``/etc/passwd`` are only names.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from ._base import (
    MAX_RATIO,
    RATIO_FLOOR,
    SKIP_EXCLUDED,
    SKIP_HIDDEN,
    SKIP_NESTED,
    SKIP_NOT_ARTICLE,
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


def iter_zip(path: str, name: str, opts: Options, stats: Stats) -> Iterator[Entry]:
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # BadZipFile, OSError, EOFError, ValueError …
        yield error_entry(name, f"not a readable zip archive: {exc}")
        return
    with zf:
        try:
            infos = zf.infolist()
        except Exception as exc:  # pragma: no cover - infolist is a plain list
            yield error_entry(name, f"not a readable zip archive: {exc}")
            return
        count = 0
        for info in infos:
            if info.is_dir():
                continue
            count += 1
            if count > opts.max_members:
                yield error_entry(name, member_limit(opts.max_members))
                return
            member = info.filename
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
            yield _member(zf, info, shown, opts)


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, opts: Options) -> Entry:
    if info.flag_bits & 0x1:
        return error_entry(shown, "encrypted member: cannot be read")
    if info.file_size > opts.max_bytes:
        return error_entry(shown, over_cap(info.file_size, opts.max_bytes))
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        return error_entry(
            shown,
            f"over the size cap: compression ratio {ratio}:1 is above {MAX_RATIO}:1 "
            f"({info.file_size} bytes from {info.compress_size})",
        )
    try:
        with zf.open(info) as fh:
            data = read_bounded(fh, opts.max_bytes, ratio_base=info.compress_size)
    except OverCap as exc:
        return error_entry(shown, exc)
    except Exception as exc:  # BadZipFile (CRC), zlib.error, NotImplementedError, EOFError …
        return error_entry(shown, f"corrupt member: {exc}")
    return Entry(name=shown, data=data, meta={"archive_member": info.filename})
