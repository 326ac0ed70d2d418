"""WARC and WARC.gz crawls, read record by record with FastWARC.

Only ``response`` and ``resource`` records carrying an article media type become entries.
HTTP headers are parsed here and the body's transfer and content encodings (chunked, gzip,
deflate, br, zstd) are undone here with bounded decoders: FastWARC's own ``auto_decode``
can end the iteration silently after a chunked+gzip record, so it is left off.

FastWARC does not report a truncated record: it hands out fewer bytes than the record's
``Content-Length``. Every record's byte count is therefore checked against it.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator

from fastwarc.warc import ArchiveIterator, WarcRecordType

from ._base import (
    ARTICLE_MEDIA_TYPES,
    SKIP_HTTP_STATUS,
    SKIP_METADATA,
    SKIP_NOT_ARTICLE,
    SKIP_OTHER_RECORD,
    SKIP_REQUEST,
    SKIP_REVISIT,
    SKIP_WARCINFO,
    Entry,
    Options,
    OverCap,
    Stats,
    error_entry,
    one_line,
    over_cap,
    parse_content_type,
)

#: HTTP header blocks longer than this are refused.
MAX_HTTP_HEADER = 64 * 1024

# WarcRecordType is not hashable: a list of pairs, compared with ==.
_SKIP_BY_TYPE = (
    (WarcRecordType.revisit, SKIP_REVISIT),
    (WarcRecordType.request, SKIP_REQUEST),
    (WarcRecordType.metadata, SKIP_METADATA),
    (WarcRecordType.warcinfo, SKIP_WARCINFO),
)


def _skip_reason(rtype) -> str:
    for known, reason in _SKIP_BY_TYPE:
        if rtype == known:
            return reason
    return SKIP_OTHER_RECORD

_HEX = re.compile(rb"[0-9A-Fa-f]+")


class BodyError(Exception):
    """The record's body cannot be turned into page bytes."""


def iter_warc(path: str, name: str, opts: Options, stats: Stats) -> Iterator[Entry]:
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield error_entry(name, f"cannot read: {exc.strerror or exc}")
        return
    with fh:
        try:
            # A Python file object, not the path: FastWARC 2 with a path and fsspec off
            # fails on valid gzip files.
            records = ArchiveIterator(
                fh,
                record_types=WarcRecordType.any_type,
                parse_http=False,
                auto_decode="none",
                fsspec_args=False,
            )
        except Exception as exc:
            yield error_entry(name, f"not a readable WARC file: {exc}")
            return
        count = 0
        seen: set[int] = set()
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:
                if count == 0:
                    yield error_entry(name, f"not a readable WARC file: {exc}")
                else:
                    yield error_entry(name, f"corrupt WARC data after {count} records: {exc}")
                return
            count += 1
            if count > opts.max_members:
                yield error_entry(name, f"member limit reached: stopped after {opts.max_members} records")
                return
            shown = _record_name(record, name, seen)
            try:
                entry = _record(record, shown, opts, stats)
            except Exception as exc:  # a payload read failed: report, let the iterator decide
                entry = error_entry(shown, f"corrupt record: {exc}")
            if entry is not None:
                yield entry
        if count == 0:
            yield error_entry(name, "no WARC records (empty or not a WARC file)")


_RUN_ON = re.compile(r"[\s\x00-\x1f\x7f]")


def _token(value: str | None) -> str | None:
    """A header value that is one token (a record ID, a URI), without its angle brackets, cut at
    the first blank or control character: in a corrupt header a value runs on into the next
    lines (``<urn:uuid:…>\rWARC-Target-URI: …``), and a page name must stay one line."""
    if not value:
        return None
    value = value.strip().strip("<>")
    cut = _RUN_ON.search(value)
    if cut:
        value = value[:cut.start()]
    return value.strip("<>")[:2048] or None


def _record_name(record, name: str, seen: set[int] | None = None) -> str:
    """``name#<record id>``; ``name#@<offset>`` for a record without a usable ID or whose ID was
    used before in this file (``seen`` holds their hashes): a resumed audit tells pages apart
    by name, so names must be unique. A hash collision only costs a name by offset."""
    try:
        rid = _token(record.record_id)
    except Exception:  # pragma: no cover
        rid = None
    if rid and (seen is None or hash(rid) not in seen):
        if seen is not None:
            seen.add(hash(rid))
        return f"{name}#{rid}"
    return f"{name}#@{record.stream_pos}"


def _consume(record, declared: int) -> str | None:
    """Skip the rest of a record; a reason when it turned out truncated."""
    got = record.reader.consume()
    if got < declared:
        return f"truncated record: {got} of {declared} bytes"
    return None


def _record(record, shown: str, opts: Options, stats: Stats) -> Entry | None:
    headers = record.headers
    rtype = record.record_type
    raw_length = headers.get("Content-Length")
    try:
        declared = int(raw_length) if raw_length is not None else -1
    except ValueError:
        declared = -1
    if declared < 0:
        return error_entry(shown, "truncated or corrupt record: incomplete WARC header (no valid Content-Length)")

    if not (rtype == WarcRecordType.response or rtype == WarcRecordType.resource):
        reason = _consume(record, declared)
        if reason:
            return error_entry(shown, reason)
        stats.skip(_skip_reason(rtype))
        return None

    url = _token(headers.get("WARC-Target-URI"))
    meta: dict = {"warc_type": "response" if rtype == WarcRecordType.response else "resource"}
    date = headers.get("WARC-Date")
    if date:
        meta["warc_date"] = date
    meta["offset"] = record.stream_pos
    warc_ct = headers.get("Content-Type") or ""
    reader = record.reader

    head = _read(reader, min(declared, MAX_HTTP_HEADER))
    is_http = rtype == WarcRecordType.response and (
        warc_ct.lower().startswith("application/http") or head.startswith(b"HTTP/")
    )
    http: dict[str, str] = {}
    if is_http:
        split = _split_http(head)
        if split is None:
            if len(head) < min(declared, MAX_HTTP_HEADER):
                return error_entry(shown, f"truncated record: {len(head)} of {declared} bytes")
            if declared > MAX_HTTP_HEADER:
                _consume(record, 0)
                return error_entry(shown, f"HTTP header block over {MAX_HTTP_HEADER} bytes")
            return error_entry(shown, "malformed HTTP response: no end of headers")
        status, http, body_start = split
        meta["http_status"] = status
        if status is None or not 200 <= status < 300:
            reason = _consume(record, declared - len(head))
            if reason:
                return error_entry(shown, reason)
            stats.skip(SKIP_HTTP_STATUS)
            return None
        content_type = http.get("content-type")
    else:
        body_start = 0
        content_type = warc_ct

    media_type, charset, declared_charset = parse_content_type(content_type)
    if declared_charset and charset is None:
        meta["declared_charset"] = declared_charset
    if media_type is not None and media_type not in ARTICLE_MEDIA_TYPES:
        reason = _consume(record, declared - len(head))
        if reason:
            return error_entry(shown, reason)
        stats.skip(SKIP_NOT_ARTICLE)
        return None

    body_length = declared - body_start
    if body_length > opts.max_bytes:
        _consume(record, 0)
        return error_entry(shown, over_cap(body_length, opts.max_bytes))
    rest = _read(reader, declared - len(head))
    block = head + rest
    if len(block) < declared:
        return error_entry(shown, f"truncated record: {len(block)} of {declared} bytes")
    body = block[body_start:declared]

    truncated = headers.get("WARC-Truncated")
    if truncated:
        return error_entry(shown, f"page truncated by the crawler (WARC-Truncated: {truncated.strip()})")

    if is_http:
        try:
            body = _undo_encodings(body, http, opts.max_bytes, meta)
        except OverCap as exc:
            return error_entry(shown, exc)
        except BodyError as exc:
            return error_entry(shown, exc)
    if media_type is None and b"\x00" in body[:8192]:
        stats.skip(SKIP_NOT_ARTICLE)
        return None
    return Entry(name=shown, url=url, media_type=media_type, charset=charset, data=body, meta=meta)


def _read(reader, size: int) -> bytes:
    """Up to ``size`` bytes; fewer only at the end of the (possibly truncated) record."""
    parts: list[bytes] = []
    while size > 0:
        block = reader.read(size)
        if not block:
            break
        parts.append(block)
        size -= len(block)
    return b"".join(parts)


def _split_http(head: bytes) -> tuple[int | None, dict[str, str], int] | None:
    """``(status, headers, body_offset)`` of an HTTP response; ``None`` without a header end."""
    end = head.find(b"\r\n\r\n")
    sep = 4
    lf = head.find(b"\n\n")
    if lf >= 0 and (end < 0 or lf < end):
        end, sep = lf, 2
    if end < 0:
        return None
    lines = head[:end].decode("latin-1").replace("\r\n", "\n").split("\n")
    status: int | None = None
    parts = lines[0].split(None, 2)
    if len(parts) >= 2 and parts[1].isdigit():
        status = int(parts[1])
    headers: dict[str, str] = {}
    last = None
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and last is not None:  # obsolete line folding
            headers[last] += " " + line.strip()
            continue
        key, colon, value = line.partition(":")
        if not colon:
            continue
        key = key.strip().lower()
        value = value.strip()
        if key in headers and key in ("transfer-encoding", "content-encoding"):
            headers[key] += ", " + value
        elif key not in headers:
            headers[key] = value
        last = key
    return status, headers, end + sep


def _codings(value: str | None) -> list[str]:
    if not value:
        return []
    return [c.strip().lower() for c in value.split(",") if c.strip() and c.strip().lower() != "identity"]


def _undo_encodings(body: bytes, http: dict[str, str], cap: int, meta: dict) -> bytes:
    transfer = _codings(http.get("transfer-encoding"))
    if "chunked" in transfer:
        body = _dechunk(body)
        transfer = [t for t in transfer if t != "chunked"]
    for coding in reversed(transfer + _codings(http.get("content-encoding"))):
        body = _decode(body, coding, cap, meta)
    if len(body) > cap:
        raise OverCap(over_cap(len(body), cap))
    return body


def _dechunk(data: bytes) -> bytes:
    """Undo chunked transfer coding; bodies a crawler already de-chunked come back as they are."""
    first = data.split(b"\n", 1)[0].split(b";", 1)[0].strip()
    if not _HEX.fullmatch(first):
        return data
    out = bytearray()
    pos, n = 0, len(data)
    while True:
        eol = data.find(b"\n", pos)
        if eol < 0:
            raise BodyError("malformed chunked transfer-encoding: missing chunk size")
        size_text = data[pos:eol].split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size_text):
            raise BodyError("malformed chunked transfer-encoding: bad chunk size")
        size = int(size_text, 16)
        pos = eol + 1
        if size == 0:
            return bytes(out)
        if pos + size > n:
            raise BodyError("malformed chunked transfer-encoding: truncated chunk")
        out += data[pos:pos + size]
        pos += size
        if data.startswith(b"\r\n", pos):
            pos += 2
        elif data.startswith(b"\n", pos):
            pos += 1


def _decode(body: bytes, coding: str, cap: int, meta: dict) -> bytes:
    if coding in ("gzip", "x-gzip"):
        if not body.startswith(b"\x1f\x8b"):
            meta.setdefault("notes", []).append("Content-Encoding gzip on a body that is not gzip: kept as is")
            return body
        return _inflate(body, 31, cap, "gzip")
    if coding == "deflate":
        try:
            return _inflate(body, 15, cap, "deflate")
        except BodyError:
            return _inflate(body, -15, cap, "deflate")
    if coding in ("br", "zstd"):
        from fastwarc.stream_io import BrotliReader, ZstdReader

        cls = BrotliReader if coding == "br" else ZstdReader
        try:
            reader = cls(io.BytesIO(body), fsspec_args=False)
            out = reader.read(cap + 1)
        except Exception as exc:
            raise BodyError(f"corrupt {coding} content-encoding: {one_line(exc)}") from None
        if len(out) > cap:
            raise OverCap(over_cap(None, cap))
        return out
    raise BodyError(f"unsupported content-encoding: {coding}")


def _inflate(data: bytes, wbits: int, cap: int, label: str) -> bytes:
    parts: list[bytes] = []
    total = 0
    while data:
        dec = zlib.decompressobj(wbits)
        try:
            out = dec.decompress(data, cap + 1 - total)
        except zlib.error as exc:
            raise BodyError(f"corrupt {label} content-encoding: {exc}") from None
        parts.append(out)
        total += len(out)
        if total > cap:
            raise OverCap(over_cap(None, cap))
        if not dec.eof:
            if dec.unconsumed_tail:  # pragma: no cover - only when the cap was hit
                raise OverCap(over_cap(None, cap))
            raise BodyError(f"corrupt {label} content-encoding: truncated data")
        data = dec.unused_data
        if wbits != 31 or not data.startswith(b"\x1f\x8b"):
            break  # trailing bytes after the stream are ignored
    return b"".join(parts)
