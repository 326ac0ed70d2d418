"""Batch audit: a publisher's articles (the reference set) against pages found in archives.

The per-page core (:func:`judge_entry`) is pure: given the reference set and one archive entry
it returns one result line. The local process pool and any other engine call the same core,
so they give the same findings.
"""

from __future__ import annotations

import signal
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .archives import Entry, Stats, iter_entries
from .detect import detect_terms
from .document import Document, InputError
from .match import Index, align
from .packs.loader import RuleSet, default_ruleset
from .read import HTML, TEXT, check, read_bytes, read_prepared
from .read.decode import decode, utf8_declared
from .read.quick import quick_html
from .terms import Terms
from .urls import registered_domain
from .validate import Thresholds, body_text, check_copy, measured, source_body

#: A confirmed copy shares at least this many words with its source, whatever the shares say.
MIN_MATCHED_WORDS = 25
#: Candidates from the index that are aligned exactly, best first.
CANDIDATES_ALIGNED = 3
#: The index returns sources sharing at least this share of the smaller text's shingles: low
#: enough that a short quotation inside a long commentary (~5-10%) still reaches alignment.
INDEX_THRESHOLD = 0.05
#: The first stage of judging an HTML page searches the index with its quick text (see
#: :mod:`compliance.read.quick`) at this share of the index's threshold: the quick text holds
#: navigation and footers too, which lowers the estimated share of a copy. Pages with no source
#: at that level are unmatched without a full read.
QUICK_FACTOR = 0.5


class PageTimeout(BaseException):
    """A page's time is up. A BaseException, so that no reader's ``except Exception`` (each has
    one as a last line of defence) can swallow it and carry on with the page."""


def _time_up(signum, frame):
    raise PageTimeout


def _can_time(timeout: float | None) -> bool:
    # A timer signal can only be handled in the main thread, and only where the OS has one.
    return bool(timeout and timeout > 0 and hasattr(signal, "setitimer")
                and threading.current_thread() is threading.main_thread())


@dataclass
class Source:
    key: str  # the original URL, or the path when the source has none
    name: str  # where it was read from
    url: str | None
    title: str | None
    terms: Terms
    doc: Document
    body: str  # the article text, aligned against copies
    core: str  # without the blocks that state its terms: indexed, and what coverage counts
    venue_rules: dict = field(default_factory=dict)


@dataclass
class Reference:
    """The publisher's articles, their terms and an index of their text, built once per run."""

    sources: list[Source]
    index: Index
    own_domains: frozenset[str]
    errors: list[dict] = field(default_factory=list)
    ruleset: RuleSet | None = None

    def by_key(self, key: str) -> Source:
        return self._keys[key]

    def __post_init__(self):
        self._keys = {s.key: s for s in self.sources}


def load_manifest(path: str | None) -> dict[str, dict]:
    """``sources.toml``: ``[[source]] path = "…" url = "…" title = "…"`` → {resolved path: entry}."""
    if not path:
        return {}
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{path}: sources manifest not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    out = {}
    for item in data.get("source", []):
        if not isinstance(item, dict) or "path" not in item:
            raise InputError(f"{path}: each [[source]] needs a path")
        out[str((p.parent / item["path"]).resolve())] = item
        out[item["path"]] = item
    return out


def build_reference(paths: list[str], *, manifest: dict | None = None, ruleset: RuleSet | None = None,
                    max_bytes: int = 20 * 1024 * 1024, stats: Stats | None = None) -> Reference:
    """Read every source, detect its terms once and index its text."""
    ruleset = ruleset or default_ruleset()
    manifest = manifest or {}
    sources: list[Source] = []
    errors: list[dict] = []
    index = Index(threshold=INDEX_THRESHOLD)
    for path in paths:
        for entry in iter_entries(path, max_bytes=max_bytes, stats=stats):
            if entry.error:
                errors.append({"page": entry.name, "error": entry.error})
                continue
            info = manifest.get(str(Path(entry.name).resolve())) or manifest.get(entry.name) or {}
            try:
                doc = read_bytes(entry.data, entry.name, media_type=entry.media_type,
                                 url=info.get("url") or entry.url, charset=entry.charset, max_bytes=max_bytes)
            except InputError as exc:
                errors.append({"page": entry.name, "error": str(exc)})
                continue
            url = info.get("url") or entry.url or doc.url
            try:
                terms = detect_terms(doc, ruleset, url=url)
                body = body_text(doc)
                core = source_body(doc, ruleset)
            except Exception as exc:  # one hostile source page must not stop the whole audit
                errors.append({"page": entry.name, "error": f"internal error while reading its terms: "
                                                            f"{type(exc).__name__}: {exc}"})
                continue
            key = url or entry.name
            if any(s.key == key for s in sources):
                key = f"{key}#{entry.name}"
            sources.append(Source(key, entry.name, url, info.get("title") or doc.title, terms, doc, body, core,
                                  info.get("venues", {})))
            index.add(key, core)
    own = frozenset(d for d in (_domain(s.url) for s in sources if s.url) if d)
    return Reference(sources, index, own, errors, ruleset)


def _domain(url: str) -> str:
    """The registered domain, '' for a URL that cannot be parsed (``https://[x]/``)."""
    try:
        return registered_domain(url)
    except ValueError:
        return ""


def _line(entry: Entry, **fields) -> dict:
    base = {"type": "result", "page": entry.name, "url": entry.url, "source": None, "source_title": None,
            "similarity": None, "coverage": None, "status": "unmatched", "venue": None, "findings": [],
            "fix": None, "fair_use": None, "error": None}
    base.update(fields)
    return base


def judge_entry(ref: Reference, entry: Entry, *, venue_for=lambda url: None, thresholds: Thresholds = Thresholds(),
                max_bytes: int = 20 * 1024 * 1024, quick: bool = True, timeout: float | None = None) -> dict:
    """One archive entry → one result line (see docs/audit.md for the fields).

    ``quick=False`` reads every HTML page in full, also those the first stage rules out; the
    result lines are the same (a test holds the two to it), only slower. ``timeout``: seconds
    the page may take (in the main thread of a process, where a timer signal can stop it); past
    them the page is an error result that says so."""
    if not _can_time(timeout):
        return _judge(ref, entry, venue_for=venue_for, thresholds=thresholds, max_bytes=max_bytes, quick=quick)
    previous = signal.signal(signal.SIGALRM, _time_up)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)  # one shot: it fires at most once
            return _judge(ref, entry, venue_for=venue_for, thresholds=thresholds, max_bytes=max_bytes, quick=quick)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except PageTimeout:  # (also when it fired as the page was being handed back)
        return _line(entry, status="error", error=f"gave up after {timeout:g} s (--timeout-per-page)")
    finally:
        signal.signal(signal.SIGALRM, previous)


def _judge(ref: Reference, entry: Entry, *, venue_for, thresholds: Thresholds, max_bytes: int, quick: bool) -> dict:
    if entry.error:
        return _line(entry, status="error", error=entry.error)
    data = entry.data
    try:
        kind = check(data, entry.name, media_type=entry.media_type, max_bytes=max_bytes)
        text = None
        if not (quick and kind == HTML and utf8_declared(data, entry.charset)):
            text, _ = decode(data, entry.charset, sniff_markup=kind == HTML)
    except InputError as exc:
        return _line(entry, status="error", error=str(exc))
    if quick and kind in (HTML, TEXT):
        # A page that says it is UTF-8 goes to the parser as it came: most pages end here, and
        # they are never decoded.
        words, page_url = quick_html(data if text is None else text, entry.url) if kind == HTML else (text, entry.url)
        if not ref.index.search(words, threshold=ref.index.threshold * QUICK_FACTOR, limit=1):
            return _line(entry, url=page_url)
    if text is None:
        text, _ = decode(data, entry.charset, sniff_markup=True)
    doc = read_prepared(kind, text, entry.name, url=entry.url)
    url = entry.url or doc.url
    body = body_text(doc)
    best = None
    hits = sorted(ref.index.search(body), key=lambda h: (-h.containment, h.key))
    for hit in hits[:CANDIDATES_ALIGNED]:
        src = ref.by_key(hit.key)
        a = measured(align(src.body, body, excerpt_threshold=thresholds.full_copy), src.core, thresholds.full_copy)
        if best is None or a.matched_words > best[1].matched_words:
            best = (src, a)
    if best is None:
        return _line(entry, url=url)
    src, a = best
    if a.matched_words < MIN_MATCHED_WORDS or max(a.coverage, a.similarity) < thresholds.min_similarity:
        return _line(entry, url=url, similarity=round(a.similarity, 4), coverage=round(a.coverage, 4))
    if url and _domain(url) in ref.own_domains:
        return _line(entry, url=url, source=src.key, source_title=src.title, status="original",
                     similarity=round(a.similarity, 4), coverage=round(a.coverage, 4))
    venue = venue_for(url)
    result = check_copy(doc, src.terms, source=src.doc, venue=venue, source_url=src.url, ruleset=ref.ruleset,
                        thresholds=thresholds, alignment=a)
    return _line(entry, url=url, source=src.key, source_title=src.title, similarity=result.similarity,
                 coverage=result.coverage, status=result.status, venue=venue,
                 findings=[f.to_dict() for f in result.findings], fix=result.fix, fair_use=result.fair_use)
