"""Reference sets that scale: the publisher's articles built once into one file, ``ref.idx``.

``build_reference`` (in :mod:`compliance.audit`) keeps every source's parsed page in memory,
which is fine for a few thousand articles and not for a publisher's whole archive shipped
to a thousand workers. ``build_reference_index`` streams the sources instead (optionally
in a process pool) and writes one file; ``load_reference_index`` opens it as a
:class:`~compliance.audit.Reference` that ``judge_entry`` uses unchanged. The results are
the same as with ``build_reference`` (tests/test_reference.py checks it).

The file is an uncompressed zip (``unzip -l ref.idx`` lists it) with six members:

``manifest.json``
    format name and version, number of sources, the rule packs (and versions) the terms
    were detected with, the tool version, the own domains.
``index.npz``
    the :class:`~compliance.match.Index` (MinHash slots, as ``Index.save`` writes it).
``meta.jsonl``
    one line per source, in index order: ``[key, name, url, title, venues, terms warnings]``.
``errors.jsonl``
    sources that could not be read (``{"page", "error"}``), reported again at audit time.
``texts.bin`` + ``offsets.npy``
    one zlib-compressed JSON record per source (its terms as ``Terms.to_dict`` writes them,
    what the checks read of the parsed page: text, blocks, embeds, title; and which blocks
    make its core text), and ``n + 1`` byte offsets into ``texts.bin``.

A worker reads the manifest, the index and ``meta.jsonl`` when it opens the file (about
1 KiB per source) and memory-maps the rest: a source's record is inflated only when it is
a candidate for some page, and the last few hundred records stay cached.

What ``check_copy`` uses from a source page, and so all a record keeps of it: the text and
its blocks (the body aligned against copies, the lead paragraph, the paragraphs an
excerpt limit counts), the embeds' URLs (the tracking pixel), the title, URL, path and
media type. The page's links, mentions, signals, warnings and raw markup are not stored
(links alone would double a record): the rebuilt ``Document`` has none, its embeds have
no alt text or offset, and ``locate()`` on it gives line 1. A check that starts reading
more of the source page must add it here (and bump :data:`VERSION`);
tests/test_reference.py compares audit results with and without the index to catch it.
"""

from __future__ import annotations

import io
import json
import mmap
import os
import struct
import sys
import time
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .audit import Reference
from .document import Block, Document, Embed, InputError

FORMAT = "compliance-reference-index"
VERSION = 1
#: Records kept inflated per process (each a few tens of KB).
CACHE = 512

_MEMBERS = ("manifest.json", "index.npz", "meta.jsonl", "errors.jsonl", "offsets.npy", "texts.bin")


# --------------------------------------------------------------------------- records


def _doc_record(doc: Document) -> dict:
    """What ``check_copy`` and ``body_text`` read from a source page (see the module docstring)."""
    blocks = doc.blocks
    starts = [b.start for b in blocks]
    return {
        "path": doc.path,
        "media_type": doc.media_type,
        "url": doc.url,
        "title": doc.title,
        "text": doc.text,
        # Blocks by column, starts as deltas: a quarter of the size of [start, end, kind, region] rows.
        "blocks": {"start": [a - b for a, b in zip(starts, [0, *starts])], "len": [b.end - b.start for b in blocks],
                   "kind": [b.kind for b in blocks], "region": [b.region for b in blocks]},
        "embeds": [[e.kind, e.url, e.region] for e in doc.embeds],
    }


def _doc_from_record(d: dict) -> Document:
    cols = d["blocks"]
    blocks, pos = [], 0
    for delta, n, kind, region in zip(cols["start"], cols["len"], cols["kind"], cols["region"]):
        pos += delta
        blocks.append(Block(pos, pos + n, kind, region))
    return Document(
        path=d["path"],
        media_type=d["media_type"],
        text=d["text"],
        blocks=tuple(blocks),
        embeds=tuple(Embed(kind, url, "", -1, region) for kind, url, region in d["embeds"]),
        url=d["url"],
        title=d["title"],
    )


def _core_spec(doc: Document, body: str, core: str):
    """How to rebuild the core text from the page: ``"body"``, ``"text"``, a list of block
    numbers joined by newlines, or (when none of these gives it exactly) the text itself."""
    if core == body:
        return "body"
    if core == doc.text:
        return "text"
    picked: list[int] = []
    pos = 0
    text = doc.text
    for i, b in enumerate(doc.blocks):
        seg = text[b.start:b.end]
        end = pos + len(seg)
        if core.startswith(seg, pos) and (end == len(core) or core[end] == "\n"):
            picked.append(i)
            pos = end + 1
            if end == len(core):
                break
    if picked and "\n".join(text[doc.blocks[i].start:doc.blocks[i].end] for i in picked) == core:
        return picked
    return {"text": core}


def _core_from_spec(spec, doc: Document, body: str) -> str:
    if spec == "body":
        return body
    if spec == "text":
        return doc.text
    if isinstance(spec, dict):
        return spec["text"]
    return "\n".join(doc.text[doc.blocks[i].start:doc.blocks[i].end] for i in spec)


def encode_record(terms, doc: Document, body: str, core: str, level: int = 6) -> bytes:
    """One source's stored record: zlib(JSON of terms, page and core spec)."""
    rec = {"terms": terms.to_dict(), "doc": _doc_record(doc), "core": _core_spec(doc, body, core)}
    return zlib.compress(json.dumps(rec, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), level)


@dataclass(frozen=True)
class Record:
    terms: object  # Terms
    doc: Document
    body: str
    core: str


def decode_record(blob: bytes) -> Record:
    from .terms import Terms
    from .validate import body_text

    rec = json.loads(zlib.decompress(blob))
    doc = _doc_from_record(rec["doc"])
    body = body_text(doc)
    return Record(Terms.from_dict(rec["terms"], "reference index", checked=False), doc, body, _core_from_spec(rec["core"], doc, body))


# ------------------------------------------------------------------------- the sources


class IndexedSource:
    """A :class:`~compliance.audit.Source` whose terms, page and texts are read from the
    index file the first time they are needed."""

    __slots__ = ("_i", "_store", "key", "name", "terms_warnings", "title", "url", "venue_rules")

    def __init__(self, store: _Store, i: int, key: str, name: str, url: str | None, title: str | None,
                 venue_rules: dict | None, terms_warnings: list | None = None):
        self._store, self._i = store, i
        self.key, self.name, self.url, self.title = key, name, url, title
        self.venue_rules = venue_rules or {}
        # Read without the record: the local engine lists every source's warnings in its run line.
        self.terms_warnings = tuple(terms_warnings or ())

    @property
    def record(self) -> Record:
        return self._store.record(self._i)

    @property
    def terms(self):
        return self.record.terms

    @property
    def doc(self) -> Document:
        return self.record.doc

    @property
    def body(self) -> str:
        return self.record.body

    @property
    def core(self) -> str:
        return self.record.core

    def __repr__(self) -> str:
        return f"IndexedSource({self.key!r})"


class _Store:
    """The memory-mapped ``texts.bin`` of an index file and a small cache of records."""

    def __init__(self, path: str, base: int, offsets: np.ndarray, cache: int = CACHE):
        self.path = path
        self._fh = open(path, "rb")
        size = os.fstat(self._fh.fileno()).st_size
        self._mm = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self.base = base
        self.offsets = offsets
        self.cache: OrderedDict[int, Record] = OrderedDict()
        self.limit = cache
        self.loads = 0  # records inflated (for tests and benchmarks)

    def blob(self, i: int) -> bytes:
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        return self._mm[self.base + a:self.base + b]

    def record(self, i: int) -> Record:
        hit = self.cache.get(i)
        if hit is not None:
            self.cache.move_to_end(i)
            return hit
        rec = decode_record(self.blob(i))
        self.loads += 1
        self.cache[i] = rec
        if len(self.cache) > self.limit:
            self.cache.popitem(last=False)
        return rec

    def close(self) -> None:
        if isinstance(self._mm, mmap.mmap):
            self._mm.close()
        self._fh.close()


# ---------------------------------------------------------------------------- building


@dataclass
class BuildInfo:
    """What ``build_reference_index`` wrote."""

    path: Path
    sources: int
    errors: list[dict] = field(default_factory=list)
    bytes: int = 0
    index_bytes: int = 0
    meta_bytes: int = 0
    texts_bytes: int = 0
    seconds: float = 0.0

    @property
    def bytes_per_source(self) -> float:
        return self.bytes / self.sources if self.sources else 0.0


# Worker state for the parallel build.
_BUILD: dict = {}


def _build_init(packs: tuple[str, ...], max_bytes: int, num_perm: int, shingle: int, seed: int) -> None:
    from .packs.loader import default_ruleset

    _BUILD.update(ruleset=default_ruleset(packs), max_bytes=max_bytes, sig=(num_perm, shingle, seed))


def _build_one(item: tuple) -> tuple:
    """(entry name, url, media type, charset, data, manifest info) → what the writer needs,
    or ("error", name, reason)."""
    from .detect import detect_terms
    from .match import signature
    from .read import read_bytes
    from .validate import body_text, source_body

    if item[0] == "error":
        return item
    name, entry_url, media_type, charset, data, info = item
    ruleset = _BUILD["ruleset"]
    try:
        doc = read_bytes(data, name, media_type=media_type, url=info.get("url") or entry_url, charset=charset,
                         max_bytes=_BUILD["max_bytes"])
    except InputError as exc:
        return ("error", name, str(exc))
    url = info.get("url") or entry_url or doc.url
    try:
        terms = detect_terms(doc, ruleset, url=url)
        body = body_text(doc)
        core = source_body(doc, ruleset)
    except Exception as exc:  # as build_reference: one hostile source page must not stop the build
        return ("error", name, f"internal error while reading its terms: {type(exc).__name__}: {exc}")
    sig = signature(core, *_BUILD["sig"])
    title = info.get("title") or doc.title
    return ("ok", name, url, title, info.get("venues", {}), list(terms.warnings), sig,
            encode_record(terms, doc, body, core))


def _build_chunk(items: list[tuple]) -> list[tuple]:
    return [_build_one(x) for x in items]


def _ordered_map(pool, items: Iterator[tuple], jobs: int, chunk: int = 8) -> Iterator[tuple]:
    """``pool.map`` in order, but with at most ``4 * jobs`` chunks in flight: the sources
    are streamed, never all read into memory first."""
    from collections import deque
    from itertools import islice

    pending: deque = deque()
    while True:
        while len(pending) < 4 * jobs and (batch := list(islice(items, chunk))):
            pending.append(pool.submit(_build_chunk, batch))
        if not pending:
            return
        yield from pending.popleft().result()


def _source_items(paths: Iterable[str], manifest: dict, max_bytes: int, stats) -> Iterator[tuple]:
    from .archives import iter_entries

    for path in paths:
        for entry in iter_entries(path, max_bytes=max_bytes, stats=stats):
            if entry.error:
                yield ("error", entry.name, entry.error)
                continue
            info = manifest.get(str(Path(entry.name).resolve())) or manifest.get(entry.name) or {}
            yield (entry.name, entry.url, entry.media_type, entry.charset, entry.data, info)


def build_reference_index(sources: list[str], manifest: dict | str | None, out_path: str | os.PathLike, *,
                          packs: tuple[str, ...] = (), ruleset=None, max_bytes: int = 20 * 1024 * 1024,
                          jobs: int = 1, stats=None, progress=None) -> BuildInfo:
    """Read every source (files, folders, archives, as ``--sources`` takes them), detect its
    terms once, index its core text and write one reference-index file to ``out_path``.

    ``manifest``: the ``sources.toml`` entries (``audit.load_manifest``) or its path.
    ``packs``: extra rule-pack folders (the built-in packs are always in force); ``ruleset``
    may be passed instead when ``jobs == 1``. Keys, URLs, titles, terms and texts are those
    ``audit.build_reference`` gives for the same arguments.
    """
    from .audit import INDEX_THRESHOLD, load_manifest
    from .match import Index
    from .packs.loader import default_ruleset

    t0 = time.perf_counter()
    if manifest is None or isinstance(manifest, (str, os.PathLike)):
        manifest = load_manifest(os.fspath(manifest) if manifest else None)
    ruleset = ruleset or default_ruleset(tuple(packs))
    out_path = Path(out_path)
    index = Index(threshold=INDEX_THRESHOLD)
    errors: list[dict] = []
    items = _source_items(sources, manifest, max_bytes, stats)
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(jobs, initializer=_build_init,
                                   initargs=(tuple(packs), max_bytes, index.num_perm, index.shingle, index.seed))
        results = _ordered_map(pool, items, jobs)
    else:
        pool = None
        _BUILD.update(ruleset=ruleset, max_bytes=max_bytes, sig=(index.num_perm, index.shingle, index.seed))
        results = map(_build_one, items)

    tmp = out_path.with_name(out_path.name + ".tmp")
    texts_tmp = out_path.with_name(out_path.name + ".texts.tmp")
    meta_lines: list[str] = []
    offsets = [0]
    keys: set[str] = set()
    urls: list[str] = []
    n = 0
    try:
        with open(texts_tmp, "wb") as texts:
            for res in results:
                if res[0] == "error":
                    errors.append({"page": res[1], "error": res[2]})
                    continue
                _, name, url, title, venues, warnings, sig, blob = res
                key = url or name
                if key in keys:
                    key = f"{key}#{name}"
                keys.add(key)
                index.add(key, sig)
                texts.write(blob)
                offsets.append(offsets[-1] + len(blob))
                meta_lines.append(json.dumps([key, name, url, title, venues, warnings], ensure_ascii=False))
                if url:
                    urls.append(url)
                n += 1
                if progress is not None:
                    progress(n)
        own = sorted({d for d in (_domain(u) for u in urls) if d})
        head = {"format": FORMAT, "version": VERSION, "sources": n, "packs": ruleset.versions,
                "extra_packs": [os.path.abspath(p) for p in packs], "own_domains": own,
                "tool": _tool_version(), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        npz = io.BytesIO()
        index_file = out_path.with_name(out_path.name + ".npz.tmp")
        index.save(index_file)
        npz.write(index_file.read_bytes())
        index_file.unlink()
        off = io.BytesIO()
        np.save(off, np.asarray(offsets, dtype=np.uint64), allow_pickle=False)
        meta = ("\n".join(meta_lines) + ("\n" if meta_lines else "")).encode("utf-8")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            zf.writestr("manifest.json", json.dumps(head, ensure_ascii=False, indent=1))
            zf.writestr("index.npz", npz.getvalue())
            zf.writestr("meta.jsonl", meta)
            zf.writestr("errors.jsonl", "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors))
            zf.writestr("offsets.npy", off.getvalue())
            with zf.open("texts.bin", "w", force_zip64=True) as dst, open(texts_tmp, "rb") as src:
                while block := src.read(1 << 20):
                    dst.write(block)
        os.replace(tmp, out_path)
    finally:
        if pool is not None:
            pool.shutdown()
        for p in (tmp, texts_tmp):
            if p.exists():
                p.unlink()
    return BuildInfo(out_path, n, errors, out_path.stat().st_size, len(npz.getvalue()), len(meta),
                     offsets[-1], time.perf_counter() - t0)


def _domain(url: str) -> str:
    """The registered domain, '' for a URL that cannot be parsed (as ``audit`` counts own domains)."""
    from .urls import registered_domain

    try:
        return registered_domain(url)
    except ValueError:
        return ""


def _tool_version() -> str:
    from . import __version__

    return __version__


# ----------------------------------------------------------------------------- loading


def _member_data_offset(fh, info: zipfile.ZipInfo) -> int:
    """Where a stored member's bytes start in the file (after its local header)."""
    fh.seek(info.header_offset)
    head = fh.read(30)
    if head[:4] != b"PK\x03\x04":
        raise InputError("corrupt reference index: bad local header")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    return info.header_offset + 30 + name_len + extra_len


def read_manifest(path: str | os.PathLike) -> dict:
    """The ``manifest.json`` of an index file (raises ``InputError`` if it is not one)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return json.loads(zf.read("manifest.json"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such reference index") from None
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a reference index ({exc})") from None


def load_reference_index(path: str | os.PathLike, ruleset=None, *, cache: int = CACHE):
    """Open a ``ref.idx`` as a :class:`~compliance.audit.Reference` for ``judge_entry``.

    The index, the keys, URLs and titles are read now; each source's terms and texts when
    it is first a candidate. ``ruleset`` (default: the built-in packs) is what copies' own
    terms are detected with; the sources' terms were detected when the index was built.
    """
    from .match import Index
    from .packs.loader import default_ruleset

    path = os.fspath(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such reference index") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path}: not a reference index ({exc})") from None
    with zf:
        names = set(zf.namelist())
        if not set(_MEMBERS) <= names:
            raise InputError(f"{path}: not a reference index (missing {sorted(set(_MEMBERS) - names)[0]})")
        head = json.loads(zf.read("manifest.json"))
        if head.get("format") != FORMAT or head.get("version") != VERSION:
            raise InputError(f"{path}: unsupported reference index format "
                             f"{head.get('format')} {head.get('version')} (this tool reads {FORMAT} {VERSION})")
        info = zf.getinfo("texts.bin")
        if info.compress_type != zipfile.ZIP_STORED:
            raise InputError(f"{path}: texts.bin must be stored uncompressed")
        index = Index.load(io.BytesIO(zf.read("index.npz")))
        offsets = np.load(io.BytesIO(zf.read("offsets.npy")), allow_pickle=False)
        meta = zf.read("meta.jsonl").decode("utf-8").splitlines()
        errors = [json.loads(x) for x in zf.read("errors.jsonl").decode("utf-8").splitlines() if x]
        with open(path, "rb") as fh:
            base = _member_data_offset(fh, info)
    if len(meta) != head["sources"] or len(offsets) != head["sources"] + 1:
        raise InputError(f"{path}: corrupt reference index (counts do not agree)")
    store = _Store(path, base, offsets, cache)
    sources = [IndexedSource(store, i, *json.loads(line)) for i, line in enumerate(meta)]
    ref = IndexedReference(sources, index, frozenset(head.get("own_domains", ())), errors,
                           ruleset or default_ruleset())
    ref.path, ref.store, ref.manifest = path, store, head
    return ref


def _reopen(path: str, ruleset) -> IndexedReference:
    return load_reference_index(path, ruleset)


class IndexedReference(Reference):
    """A Reference read from an index file. It pickles as its path and rule set, so a
    process pool's workers reopen the file instead of receiving a copy of it."""

    path: str
    store: _Store
    manifest: dict

    def __reduce__(self):
        return (_reopen, (self.path, self.ruleset))


def describe(path: str | os.PathLike) -> dict:
    """Sizes of the parts of an index file, for ``compliance index info`` and benchmarks."""
    out = {"path": os.fspath(path), "bytes": os.path.getsize(path)}
    with zipfile.ZipFile(path) as zf:
        head = json.loads(zf.read("manifest.json"))
        out.update(sources=head["sources"], packs=head["packs"], created=head.get("created"))
        out["members"] = {i.filename: i.file_size for i in zf.infolist()}
    n = max(out["sources"], 1)
    out["bytes_per_source"] = out["bytes"] / n
    out["eager_bytes_per_source"] = (out["members"]["index.npz"] + out["members"]["meta.jsonl"]) / n
    return out


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(describe(sys.argv[1]), indent=2))
