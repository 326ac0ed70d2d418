"""Zip archives: members read one at a time, in memory, with a bounded read.

Nothing is ever extracted to disk, so member names such as ``../evil.html`` or
``/etc/passwd`` are only names. Symlink members (Unix mode ``S_IFLNK`` in the external
attributes; their data is the link target) are skipped and counted, as in tar archives.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from collections.abc import Iterator

from ._base import (
    MAX_RATIO,
    RATIO_FLOOR,
    SKIP_EXCLUDED,
    SKIP_HIDDEN,
    SKIP_NESTED,
    SKIP_NOT_ARTICLE,
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


#: ``zipfile`` parses the whole central directory up front (about 500 bytes of memory per
#: entry) before the member cap can apply. A zip that lists more entries than this and more
#: than ``--max-members`` is therefore refused unread, instead of read up to the cap.
EAGER_LISTING = 100_000


def _over_listing(path: str, limit: int) -> str | None:
    """How many entries the central directory lists (as words), when that is over ``limit``.

    The end record declares a count, but ``zipfile`` parses entries for as many bytes as the
    directory declares, whatever the count says: a directory large enough to hold more than
    ``limit`` entries is counted too (headers only, stopping past ``limit``)."""
    try:
        with open(path, "rb") as fh:
            end = zipfile._EndRecData(fh)  # noqa: SLF001 - the parser zipfile itself uses
            if not end:
                return None
            declared = int(end[zipfile._ECD_ENTRIES_TOTAL])  # noqa: SLF001
            if declared > limit:
                return str(declared)
            size = int(end[zipfile._ECD_SIZE])  # noqa: SLF001
            if size <= 46 * limit:  # 46 bytes is the smallest entry
                return None
            start = int(end[zipfile._ECD_LOCATION]) - size  # noqa: SLF001 - data may precede the zip
            if end[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:  # noqa: SLF001
                start -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
            fh.seek(start)
            count = 0
            while count <= limit:
                head = fh.read(46)
                if len(head) < 46 or head[:4] != b"PK\x01\x02":
                    break
                name_len, extra_len, comment_len = struct.unpack_from("<HHH", head, 28)
                fh.seek(name_len + extra_len + comment_len, 1)
                count += 1
            return f"more than {limit}" if count > limit else None
    except Exception:  # an unreadable zip: zipfile says why below
        return None


def iter_zip(path: str, name: str, opts: Options, stats: Stats) -> Iterator[Entry]:
    listed = _over_listing(path, max(opts.max_members, EAGER_LISTING))
    if listed is not None:
        yield error_entry(name, f"member limit reached: the zip lists {listed} members, over the limit of "
                                f"{opts.max_members} (--max-members); not read")
        return
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
            if stat.S_ISLNK(info.external_attr >> 16):
                stats.skip(SKIP_SYMLINK)
                continue
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
