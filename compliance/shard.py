"""The per-shard core: one input (a WARC, WET, zip, folder or file, or a byte range of a
WARC) → its result lines, as ``audit.judge_entry`` gives them.

Pure Python and engine-free: the local process pool, Spark and anything else that can call
a Python function on a file get the same lines. Nothing here knows about output files,
resumption or scheduling; ``skip`` lets the caller leave out pages it already has.

Inputs
------
- Everything ``archives.iter_entries`` reads (folders, articles, zip, tar, WARC, WARC.gz,
  WordPress exports), with the same page names (``crawl.warc.gz#<WARC-Record-ID>``).
- WET files (Common Crawl's text extractions, ``*.warc.wet.gz``): each ``conversion``
  record is a page read as plain text (``text/plain``, UTF-8), named
  ``file.warc.wet.gz#<WARC-Record-ID of the conversion record>``; plain text carries no
  hyperlinks, so link and pixel duties are ``cannot_verify`` there. Recognised by the name
  (``.wet``, ``.wet.gz``) or by a ``conversion`` record among the first few.
- WAT files (``*.warc.wat.gz``) hold metadata records only: they give no page to judge
  (``judge_shard`` yields nothing; the records are counted as skipped metadata).
  :func:`wat_locations` reads them for the two-stage path instead: where, in which WARC
  file, each response record lies.
- ``byte_range=(offset, length)``: the gzip member(s) of a WARC.gz starting at ``offset``
  (the start of a member) and ``length`` bytes long, as the Common Crawl index
  (``warc_record_offset``, ``warc_record_length``) or a WAT record's container gives them.
  Pages get the names they get when the whole file is read, so a page judged from its
  byte range and the same page judged in a full pass give identical lines.

Remote inputs (``s3://``, ``https://``) are for engines: :func:`localise` copies one to a
temporary file and :func:`fetch_range` reads a byte range (HTTP ``Range``, or fsspec).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager

from .archives import Entry, Stats, iter_entries
from .archives._base import (
    MAX_BYTES,
    MAX_MEMBERS,
    SKIP_METADATA,
    SKIP_OTHER_RECORD,
    SKIP_WARCINFO,
    error_entry,
    over_cap,
)
from .audit import Reference, judge_entry
from .validate import Thresholds

__all__ = [
    "cc_companions",
    "fetch_range",
    "is_candidate",
    "is_remote",
    "is_wet",
    "iter_wet",
    "judge_safely",
    "judge_shard",
    "judge_two_stage",
    "localise",
    "parse_input_line",
    "shard_entries",
    "wat_locations",
]

WET_SUFFIXES = (".wet", ".wet.gz")
WAT_SUFFIXES = (".wat", ".wat.gz")


def _internal_error(entry: Entry, exc: BaseException) -> dict:
    # The same line the local engine writes for a page whose judging raised.
    return {"type": "result", "page": entry.name, "url": entry.url, "source": None, "status": "error",
            "findings": [], "error": f"internal error while judging: {type(exc).__name__}: {exc}",
            "similarity": None, "coverage": None, "venue": None, "fix": None, "fair_use": None,
            "source_title": None}


def judge_safely(ref: Reference, entry: Entry, **opts) -> dict:
    """``judge_entry``, with a bug in judging one page turned into that page's error line."""
    try:
        return judge_entry(ref, entry, **opts)
    except Exception as exc:  # one bad page must never stop the shard
        return _internal_error(entry, exc)


def judge_shard(ref: Reference, path: str, *, venue_for: Callable[[str | None], str | None] = lambda url: None,
                thresholds: Thresholds = Thresholds(), max_bytes: int = MAX_BYTES,
                byte_range: tuple[int, int] | None = None, skip: Collection[str] = (), name: str | None = None,
                include: list[str] | None = None, exclude: list[str] | None = None,
                max_members: int = MAX_MEMBERS, stats: Stats | None = None,
                timeout: float | None = None) -> Iterator[dict]:
    """The result line of every page of one input, in the input's order.

    ``skip``: page names to leave out (already judged). ``name``: the name pages are given
    in place of ``path`` (an engine that copied ``s3://…/x.warc.gz`` to a temporary file
    passes the URL). ``timeout``: seconds a page may take (see ``judge_entry``). Raises
    ``InputError`` only when ``path`` does not exist.
    """
    opts = {"venue_for": venue_for, "thresholds": thresholds, "max_bytes": max_bytes, "timeout": timeout}
    for entry in shard_entries(path, byte_range=byte_range, name=name, include=include, exclude=exclude,
                               max_bytes=max_bytes, max_members=max_members, stats=stats):
        if entry.name in skip:
            continue
        yield judge_safely(ref, entry, **opts)


def shard_entries(path: str, *, byte_range: tuple[int, int] | None = None, name: str | None = None,
                  include=None, exclude=None, max_bytes: int = MAX_BYTES, max_members: int = MAX_MEMBERS,
                  stats: Stats | None = None) -> Iterator[Entry]:
    """The entries of one input (see the module docstring)."""
    path = os.fspath(path)
    shown = name or path
    if name and os.path.isdir(path):
        shown = name.rstrip("/\\") or name  # as iter_entries names a folder's pages
    stats = stats if stats is not None else Stats()
    if byte_range is not None:
        yield from _range_entries(path, shown, byte_range, max_bytes, max_members, stats)
        return
    if os.path.isfile(path) and is_wet(path):
        with open(path, "rb") as fh:
            yield from _counted(iter_wet(fh, shown, max_bytes=max_bytes, max_members=max_members, stats=stats), stats)
        return
    entries = iter_entries(path, include=include, exclude=exclude, max_bytes=max_bytes, max_members=max_members,
                           stats=stats)
    if shown == path:
        yield from entries
    else:
        for e in entries:
            yield _renamed(e, path, shown)


def _counted(entries: Iterator[Entry], stats: Stats) -> Iterator[Entry]:
    for e in entries:
        stats.entries += 1
        if e.error is not None:
            stats.errors += 1
        yield e


def _renamed(e: Entry, path: str, shown: str) -> Entry:
    if e.name.startswith(path):
        from dataclasses import replace

        return replace(e, name=shown + e.name[len(path):])
    return e


def _range_entries(path: str, shown: str, byte_range: tuple[int, int], max_bytes: int, max_members: int,
                   stats: Stats) -> Iterator[Entry]:
    offset, length = (int(x) for x in byte_range)
    if offset < 0 or length <= 0:
        yield error_entry(f"{shown}@{offset}", f"bad byte range: offset {offset}, length {length}")
        return
    try:
        data = fetch_range(path, offset, length)
    except OSError as exc:
        yield error_entry(f"{shown}@{offset}", f"cannot read bytes {offset}+{length}: {exc}")
        return
    if len(data) < length:
        yield error_entry(f"{shown}@{offset}", f"truncated byte range: {len(data)} of {length} bytes")
        return
    if _first_record_is_conversion(io.BytesIO(data)):
        yield from _counted(iter_wet(io.BytesIO(data), shown, max_bytes=max_bytes, max_members=max_members,
                                     stats=stats), stats)
        return
    # The archive reader works on files: the range goes to a temporary one, read under
    # the input's own name so that the pages keep the names a full pass gives them.
    from .archives._base import Options
    from .archives._warc import iter_warc

    fd, tmp = tempfile.mkstemp(suffix=".warc.gz" if data[:2] == b"\x1f\x8b" else ".warc")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        opts = Options(max_bytes=max_bytes, max_members=max_members)
        yield from _counted(iter_warc(tmp, shown, opts, stats), stats)
    finally:
        os.unlink(tmp)


# -------------------------------------------------------------------------------- WET


def is_wet(path: str) -> bool:
    """A WET file: by its name, or a ``conversion`` record among its first records."""
    from .archives._base import archive_kind

    low = path.lower()
    if low.endswith(WET_SUFFIXES) or ".warc.wet" in low:
        return True
    if low.endswith(WAT_SUFFIXES) or ".warc.wat" in low:
        return False
    kind = archive_kind(low)
    if kind not in (None, "warc") or (kind is None and not _looks_like_warc(path)):
        return False
    try:
        with open(path, "rb") as fh:
            return _first_record_is_conversion(fh)
    except OSError:
        return False


def _looks_like_warc(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(5)
    except OSError:
        return False
    return head in (b"WARC/",) or head[:2] == b"\x1f\x8b"


def _first_record_is_conversion(fh, look: int = 3) -> bool:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    try:
        it = ArchiveIterator(fh, record_types=WarcRecordType.any_type, parse_http=False, auto_decode="none",
                             fsspec_args=False)
        for n, record in enumerate(it):
            if record.record_type == WarcRecordType.conversion:
                return True
            if record.record_type != WarcRecordType.warcinfo or n + 1 >= look:
                return False
    except Exception:
        return False
    return False


def iter_wet(fh, name: str, *, max_bytes: int = MAX_BYTES, max_members: int = MAX_MEMBERS,
             stats: Stats | None = None) -> Iterator[Entry]:
    """Pages of a WET stream: each ``conversion`` record as a plain-text entry."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    stats = stats if stats is not None else Stats()
    try:
        records = ArchiveIterator(fh, record_types=WarcRecordType.any_type, parse_http=False, auto_decode="none",
                                  fsspec_args=False)
    except Exception as exc:
        yield error_entry(name, f"not a readable WET file: {exc}")
        return
    count = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except Exception as exc:
            yield error_entry(name, f"corrupt WET data after {count} records: {exc}")
            return
        count += 1
        if count > max_members:
            yield error_entry(name, f"member limit reached: stopped after {max_members} records")
            return
        headers = record.headers
        rid = (headers.get("WARC-Record-ID") or "").strip().strip("<>")
        shown = f"{name}#{rid}" if rid else f"{name}#@{record.stream_pos}"
        try:
            declared = int(headers.get("Content-Length") or -1)
        except ValueError:
            declared = -1
        if record.record_type != WarcRecordType.conversion:
            record.reader.consume()
            stats.skip(SKIP_WARCINFO if record.record_type == WarcRecordType.warcinfo else SKIP_OTHER_RECORD)
            continue
        if declared < 0:
            yield error_entry(shown, "truncated or corrupt record: no valid Content-Length")
            continue
        if declared > max_bytes:
            record.reader.consume()
            yield error_entry(shown, over_cap(declared, max_bytes))
            continue
        data = record.reader.read(declared)
        while len(data) < declared:
            more = record.reader.read(declared - len(data))
            if not more:
                break
            data += more
        if len(data) < declared:
            yield error_entry(shown, f"truncated record: {len(data)} of {declared} bytes")
            continue
        url = (headers.get("WARC-Target-URI") or "").strip().strip("<>") or None
        meta = {"warc_type": "conversion", "offset": record.stream_pos}
        refers = (headers.get("WARC-Refers-To") or "").strip().strip("<>")
        if refers:
            meta["refers_to"] = refers
        if headers.get("WARC-Date"):
            meta["warc_date"] = headers.get("WARC-Date")
        yield Entry(name=shown, url=url, media_type="text/plain", charset="utf-8", data=data, meta=meta)
    if count == 0:
        yield error_entry(name, "no WARC records (empty or not a WET file)")


# -------------------------------------------------------------------------------- WAT


def wat_locations(path: str, *, stats: Stats | None = None) -> Iterator[dict]:
    """Where each HTTP response of a crawl lies, from its WAT file: ``{"url", "record_id"
    (the response's WARC-Record-ID), "warc" (the WARC file name the WAT names), "offset",
    "length"}``, one per response record.

    ``length`` is the whole gzip member: ``Header-Length + Deflate-Length + Footer-Length``
    of the container's ``Gzip-Metadata`` (``Deflate-Length`` alone when the other two are
    missing). Records that are not responses (requests, metadata) are left out.
    """
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    stats = stats if stats is not None else Stats()
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh, record_types=WarcRecordType.metadata, parse_http=False,
                                      auto_decode="none", fsspec_args=False):
            try:
                data = json.loads(record.reader.read())
            except ValueError:
                stats.skip(SKIP_METADATA)
                continue
            env = data.get("Envelope") or {}
            warc = env.get("WARC-Header-Metadata") or {}
            if (warc.get("WARC-Type") or "response") != "response":
                continue
            box = data.get("Container") or {}
            gz = box.get("Gzip-Metadata") or {}
            try:
                offset = int(box["Offset"])
                length = int(gz["Deflate-Length"])
            except (KeyError, TypeError, ValueError):
                stats.skip(SKIP_METADATA)
                continue
            if "Header-Length" in gz and "Footer-Length" in gz:
                length += int(gz["Header-Length"]) + int(gz["Footer-Length"])
            rid = (warc.get("WARC-Record-ID") or "").strip().strip("<>") or None
            url = (warc.get("WARC-Target-URI") or "").strip().strip("<>") or None
            yield {"url": url, "record_id": rid, "warc": box.get("Filename"), "offset": offset, "length": length}


# -------------------------------------------------------------------------- two stages


def cc_companions(wet_path: str) -> tuple[str, str]:
    """The WAT and WARC files of a Common Crawl WET file, by the crawl's naming:
    ``…/segments/S/wet/NAME.warc.wet.gz`` → ``…/segments/S/wat/NAME.warc.wat.gz`` and
    ``…/segments/S/warc/NAME.warc.gz``."""
    head, _, base = wet_path.rpartition("/")
    if not base.endswith(".warc.wet.gz") or not head.endswith("/wet"):
        raise ValueError(f"{wet_path}: not named like a Common Crawl WET file (…/wet/NAME.warc.wet.gz)")
    root = head[: -len("/wet")]
    stem = base[: -len(".warc.wet.gz")]
    return f"{root}/wat/{stem}.warc.wat.gz", f"{root}/warc/{stem}.warc.gz"


def is_candidate(line: dict) -> bool:
    """A first-stage line worth judging again from the page's HTML: it matched a source."""
    return line.get("source") is not None and line.get("status") not in ("error", "unmatched")


def judge_two_stage(ref: Reference, wet_path: str, *, wat_path: str | None = None, warc_path: str | None = None,
                    name: str | None = None, venue_for: Callable[[str | None], str | None] = lambda url: None,
                    thresholds: Thresholds = Thresholds(), max_bytes: int = MAX_BYTES,
                    max_members: int = MAX_MEMBERS, skip: Collection[str] = (), stats: Stats | None = None,
                    locations: dict | None = None, timeout: float | None = None) -> Iterator[dict]:
    """Match every page of a WET file on its text; judge the pages that match a source
    again from their HTML, read by byte range from the WARC file (located through the WAT
    file, or ``locations``: ``{response WARC-Record-ID: (offset, length)}``).

    Pages that match nothing keep their WET line (named by the conversion record); each
    candidate gets the line a full pass over the WARC gives it (named
    ``<warc>#<response WARC-Record-ID>``). A candidate the WAT does not place keeps its
    WET line. The WAT is read only when the WET file has a candidate.
    ``wat_path``/``warc_path`` default to the Common Crawl companions (:func:`cc_companions`
    of ``name or wet_path``); all three may be URLs when fetched by an engine.
    """
    opts = {"venue_for": venue_for, "thresholds": thresholds, "max_bytes": max_bytes, "timeout": timeout}
    shown = name or wet_path
    if wat_path is None or warc_path is None:
        wat_guess, warc_guess = cc_companions(shown)
        wat_path, warc_path = wat_path or wat_guess, warc_path or warc_guess
    stats = stats if stats is not None else Stats()
    with open(_local(wet_path), "rb") as fh:
        for entry in _counted(iter_wet(fh, shown, max_bytes=max_bytes, max_members=max_members, stats=stats), stats):
            if entry.name in skip:
                continue
            line = judge_safely(ref, entry, **opts)
            rid = entry.meta.get("refers_to")
            if not is_candidate(line) or not rid:
                yield line
                continue
            if locations is None:
                with localise(wat_path) as wat:
                    locations = {x["record_id"]: (x["offset"], x["length"]) for x in wat_locations(wat)}
            where = locations.get(rid)
            if where is None:
                yield line
                continue
            # The response record itself (an unreadable range keeps the page's WET line).
            got = [x for x in judge_shard(ref, warc_path, byte_range=where, **opts) if x["page"].endswith("#" + rid)]
            yield from (got or [line])


# --------------------------------------------------------------------------- remote data


def is_remote(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _local(path: str) -> str:
    return path.removeprefix("file://")


def fetch_range(path: str, offset: int, length: int) -> bytes:
    """``length`` bytes of ``path`` from ``offset``: a local file, an http(s) URL (one
    ``Range`` request) or any URL fsspec can open (``s3://``, ``gs://`` …)."""
    if not is_remote(path):
        with open(_local(path), "rb") as fh:
            fh.seek(offset)
            return fh.read(length)
    if path.startswith(("http://", "https://")):
        import urllib.request

        req = urllib.request.Request(path, headers={"Range": f"bytes={offset}-{offset + length - 1}",
                                                    "User-Agent": "compliance-audit"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            if resp.status == 206:
                sent = (resp.headers.get("Content-Range") or "").removeprefix("bytes ").split("-", 1)[0].strip()
                if sent.isdigit() and int(sent) != offset:
                    raise OSError(f"{path}: asked for bytes from {offset}, the server sent them from {sent}")
            else:  # the server ignored Range and sends the whole body: skip to offset
                todo = offset
                while todo > 0:
                    skipped = len(resp.read(min(todo, 1 << 20)))
                    if not skipped:
                        break
                    todo -= skipped
            chunks, got = [], 0
            while got < length:
                chunk = resp.read(length - got)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
            return b"".join(chunks)
    fs, p = _fsspec(path)
    with fs.open(p, "rb") as fh:
        fh.seek(offset)
        return fh.read(length)


def _fsspec(url: str):
    try:
        import fsspec
    except ImportError:
        raise OSError(f"{url}: reading this URL needs fsspec (pip install fsspec s3fs)") from None
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:  # fsspec without the package for this protocol (s3fs for s3://)
        raise OSError(f"{url}: reading this URL needs a package fsspec lacks: {exc}") from None


@contextmanager
def localise(path: str, tmpdir: str | None = None):
    """A local path for ``path``: itself when local, else a temporary copy removed on exit."""
    if not is_remote(path):
        yield _local(path)
        return
    base = path.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "input"
    d = tempfile.mkdtemp(prefix="compliance-", dir=tmpdir)
    local = os.path.join(d, base)
    try:
        if path.startswith(("http://", "https://")):
            import urllib.request

            req = urllib.request.Request(path, headers={"User-Agent": "compliance-audit"})
            with urllib.request.urlopen(req, timeout=300) as resp, open(local, "wb") as out:
                shutil.copyfileobj(resp, out, 1 << 20)
        else:
            fs, p = _fsspec(path)
            fs.get(p, local)
        yield local
    finally:
        shutil.rmtree(d, ignore_errors=True)


def parse_input_line(line: str) -> tuple[str, tuple[int, int] | None] | None:
    """One manifest line → ``(path or URL, byte range or None)``; ``None`` for blank lines
    and ``#`` comments. A line is ``PATH`` or ``PATH<TAB or spaces>OFFSET<…>LENGTH``."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    parts = text.split("\t") if "\t" in text else text.rsplit(None, 2)
    if len(parts) == 3 and parts[1].strip().isdigit() and parts[2].strip().isdigit():
        return parts[0].strip(), (int(parts[1]), int(parts[2]))
    return text, None
