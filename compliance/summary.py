"""Summaries of a batch audit, built only from its ``results.jsonl``.

``compliance audit`` writes one JSON line per page it looked at (and may start with a
``{"type": "run", ...}`` line of run metadata). This module reads those lines back and turns
them into what a publisher reads: totals, per source, per site, per rule, the copies to act
on (worst first, each with its evidence and the attribution block to paste), the pages that
could not be read, and the copies grouped by their measured fair-use facts. Nothing here
re-reads a page: ``compliance summarize results.jsonl`` re-renders from the lines alone.

API::

    meta, results = load_results("results.jsonl")   # streaming; last line of a page wins
    summary = summarise(results, meta)                # pure: a JSON-ready dict
    render_markdown(summary); render_html(summary); render_json(summary)

Memory does not grow with the lines' size: ``load_results`` reads the file once to note which
line of each page wins (a 12-byte digest per page), and the results it returns are read from
the file again, one line at a time, each time they are iterated; ``summarise`` adds them up in
one pass, keeping counters per source, site, rule and fair-use group, and of the per-page
lists only the first ``LIST_LIMIT`` entries in their final order (the copies to act on, worst
first; the pages that could not be read; each group's pages). The totals count every page.

Every ordering is deterministic (the input order does not matter, except that a later line
for the same page replaces an earlier one), and no timestamp is added: the same lines give
the same summary, byte for byte. The HTML is one self-contained page (inline CSS and SVG, a
Content-Security-Policy that allows nothing else, no script), and every piece of text that
came from the lines is escaped: pages are hostile.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import html
import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path

from . import DISCLAIMER, __version__
from .urls import registered_domain

SUMMARY_SCHEMA = "compliance-summary/1"
FULL_COPY = 0.8  # coverage at or above this is a full copy; below, an excerpt
COPY_STATUSES = ("compliant", "noncompliant", "unverified")  # judged copies
STATUS_ORDER = ("compliant", "noncompliant", "unverified", "error", "original", "unmatched")
ACT_ON = ("noncompliant", "unverified")  # the copies listed for action, in this order
NO_URL = "(no URL)"
CHART_TOP = 20
TABLE_LIMIT = 500  # rows per table in the rendered pages (the JSON keeps all)
GROUP_PAGES_LIMIT = 50  # pages listed per fair-use group in the rendered pages
TOP_UNMET = 5  # most-often-unmet rules shown per source in the rendered pages
LIST_LIMIT = 1000  # entries kept per page list (copies to act on, unreadable pages, a group's pages)

_TEXT_LIMIT = 2000  # message / evidence, characters kept
_FIX_LIMIT = 50000
_CONTROL = {c: None for c in range(32) if c not in (9, 10, 13)}
_CONTROL[127] = None


# ---------------------------------------------------------------------------------------------
# reading


@contextmanager
def _no_gc():
    """Pause the cyclic garbage collector: building 100,000 small dicts otherwise triggers full
    collections that scan every object already built (this triples the time); nothing made
    here is cyclic, so reference counting frees it all the same."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="")
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


def _page_key(page: str) -> bytes:
    return hashlib.blake2b(page.encode("utf-8", "surrogatepass"), digest_size=12).digest()


class ResultLines:
    """The result lines of a results file, the last line of each page only, in file order.

    Nothing is held: each iteration reads the file again (``load_results`` noted which lines
    win). ``len()`` is the number of pages; indexing and slicing read the lines into a list."""

    def __init__(self, path: Path, winners: bytearray, count: int):
        self.path = path
        self._winners = winners  # one byte per line number: 1 for the line that counts
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict]:
        winners = self._winners
        last = len(winners)
        with _open_text(self.path) as fh:
            for lineno, raw in enumerate(fh, 1):
                if lineno >= last:
                    break
                if winners[lineno]:
                    try:
                        obj = json.loads(raw.strip())
                    except ValueError:  # the file changed since it was read
                        continue
                    if isinstance(obj, dict) and isinstance(obj.get("page"), str):
                        yield obj

    def __getitem__(self, index):
        return list(self)[index]


def load_results(path) -> tuple[dict | None, ResultLines]:
    """The run metadata and the result lines of ``path`` (a ``results.jsonl``, or ``.jsonl.gz``).

    Reads line by line. Lines whose ``type`` is neither absent nor ``"result"``, and lines
    without a ``page``, are not results. A line that is not JSON (typically the last one, cut
    off by an interrupted run) is skipped with a warning. Several lines for one page: the last
    wins. The metadata is the first ``{"type": "run"}`` line without its ``type``, plus
    ``warnings`` (list of str) and ``duplicates`` (lines replaced by a later one for the same
    page); it is None when there is no run line and nothing to warn about.

    The results are a ``ResultLines``: the winning lines, read from the file again (one at a
    time) each time they are iterated, so that no line is held in memory.
    """
    path = Path(path)
    run: dict | None = None
    runs = 0
    warnings: list[str] = []
    last: dict[bytes, int] = {}  # page digest -> number of its last line
    duplicates = 0
    bad: tuple[int, bool] | None = None  # the last unparsable line: (number, ended with a newline)
    lineno = 0
    with _no_gc(), _open_text(path) as fh:
        for lineno, raw in enumerate(fh, 1):
            if bad is not None:  # an unparsable line that was not the last one
                warnings.append(f"line {bad[0]}: not valid JSON, skipped")
                bad = None
            text = raw.strip()
            if not text:
                continue
            try:
                obj = json.loads(text)
            except ValueError:
                bad = (lineno, raw.endswith("\n"))
                continue
            if not isinstance(obj, dict):
                warnings.append(f"line {lineno}: not a JSON object, skipped")
                continue
            kind = obj.get("type")
            if kind == "run":
                runs += 1
                if run is None:
                    run = {k: v for k, v in obj.items() if k != "type"}
                continue
            if kind not in (None, "result"):
                continue
            page = obj.get("page")
            if not isinstance(page, str) or not page:
                continue
            key = _page_key(page)
            if key in last:
                duplicates += 1
            last[key] = lineno
    winners = bytearray(lineno + 1)
    for n in last.values():
        winners[n] = 1
    results = ResultLines(path, winners, len(last))
    del last
    if bad is not None:
        if bad[1]:
            warnings.append(f"line {bad[0]}: not valid JSON, skipped")
        else:
            warnings.append(f"line {bad[0]}: last line truncated (the run was interrupted?), skipped")
    if runs > 1:
        warnings.append(f"{runs} run lines: the first one is shown")
    if run is None and not warnings and not duplicates:
        meta = None
    else:
        meta = dict(run or {})
        prior = meta.get("warnings")  # the run line's own warnings, if it has any, come first
        meta["warnings"] = ([str(w) for w in prior] if isinstance(prior, list) else []) + warnings
        meta["duplicates"] = duplicates
    return meta, results


# ---------------------------------------------------------------------------------------------
# computing


def _str(v) -> str | None:
    if v is None or isinstance(v, str):
        return v
    return str(v)


def _cut(s: str | None, limit: int) -> str | None:
    if s is None or len(s) <= limit:
        return s
    return s[: limit - 1] + "…"


def _num(v) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _int(v, default: int = 0) -> int:
    if isinstance(v, bool):
        return default
    if isinstance(v, int):
        return v
    if isinstance(v, float) and math.isfinite(v):
        return int(v)
    return default


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


_SCHEME = re.compile(r"(?i)^[a-z][a-z0-9+.-]*:(?!\d)")


_HOST = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*:)?//(?:[^/?#@]*@)?(\[[^\]/?#]*\]|[^/?#:\[\]]*)")


_SITES: dict[str, str] = {}  # host → site, bounded


def _site(url: str | None) -> str:
    """The registered domain of a page's URL; "(no URL)" without one, or for a ``javascript:``/``mailto:`` one."""
    if not url:
        return NO_URL
    m = _HOST.match(url)
    if m:
        key = m.group(1).lower()  # a cache by host, not by URL: 100,000 URLs are a few thousand hosts
    else:
        sm = _SCHEME.match(url)
        if sm and not url.startswith("//", sm.end()):
            return NO_URL
        key = url
    site = _SITES.get(key)
    if site is None:
        try:
            site = registered_domain(key) or NO_URL
        except (ValueError, TypeError):
            site = NO_URL
        if len(_SITES) < 100_000:
            _SITES[key] = site
    return site


def _findings(rec: dict) -> list[dict]:
    raw = rec.get("findings")
    return [f for f in raw if isinstance(f, dict)] if isinstance(raw, list) else []


def _failing(f: dict) -> bool:
    return f.get("status") in ("unmet", "cannot_verify") and not f.get("suppressed")


def _status(rec: dict, findings: list[dict]) -> str:
    s = rec.get("status")
    if isinstance(s, str) and s in STATUS_ORDER:
        return s
    if isinstance(s, str) and s:
        return s  # an unknown word is counted as it is, and judged nowhere
    # no status: derive it the way CopyResult does
    if rec.get("error"):
        return "error"
    if rec.get("source") is None and not findings:
        return "unmatched"
    active = [f for f in findings if not f.get("suppressed")]
    if any(f.get("status") == "unmet" and f.get("severity") == "error" for f in active):
        return "noncompliant"
    if any(f.get("status") in ("unmet", "cannot_verify") for f in active):
        return "unverified"
    return "compliant"


def _fact_text(fact) -> str:
    if isinstance(fact, dict):
        factor, text = _str(fact.get("factor")), _str(fact.get("fact"))
        if factor and text:
            return f"{factor}: {text}"
        return text or factor or json.dumps(fact, sort_keys=True, ensure_ascii=False)
    return _str(fact) or ""


def _fair_group(fu: dict) -> str:
    for key in ("group", "reading"):
        v = fu.get(key)
        if isinstance(v, str) and v.strip():
            return _str(v.strip())
    facts = fu.get("facts")
    if isinstance(facts, list) and facts:
        return "; ".join(sorted({_fact_text(f) for f in facts}))
    return "(no reading)"


def _coverage_kind(cov: float | None) -> str:
    if cov is None:
        return "unknown"
    return "full" if cov >= FULL_COPY else "excerpt"


def _new_counts() -> dict:
    return {"copies": 0, "compliant": 0, "unverified": 0, "noncompliant": 0, "error": 0}


def summarise(results: Iterable[dict], meta: dict | None = None) -> dict:
    """What the result lines add up to, as a JSON-ready dict (pure; see the module doc).

    Keys: ``schema``, ``tool``, ``disclaimer``, ``run`` (the run metadata, or None),
    ``warnings``, ``input`` (results, duplicates), ``totals`` (pages and copies, and one count
    per status), ``sources``, ``sites``, ``rules``, ``act_on`` (noncompliant and unverified
    copies, worst first), ``errors`` and ``fair_use`` (groups, act-first order).

    A *copy* is a page judged against a source: compliant, noncompliant or unverified. Pages
    that could not be read are counted under ``error`` (with their source, when known); the
    publisher's own pages (``original``) and pages that copy nothing (``unmatched``) only in
    the totals. A compliant share is compliant / copies.

    ``act_on``, ``errors`` and each group's ``pages`` keep their first ``LIST_LIMIT`` entries;
    the totals (``noncompliant`` + ``unverified``, ``error``) and a group's ``copies`` count them
    all. ``results`` from ``load_results`` are read in one pass; any other iterable is read
    whole first, a later line for a page replacing an earlier one.
    """
    with _no_gc():
        return _summarise(results, meta)


class _Top:
    """The ``limit`` smallest entries by key (keys are unique), in one pass: entries past the
    last cut are not even built."""

    __slots__ = ("limit", "items", "cut")

    def __init__(self, limit: int):
        self.limit = limit
        self.items: list[tuple] = []
        self.cut = None  # the largest key kept at the last trim: anything larger is out

    def wants(self, key) -> bool:
        return self.cut is None or key < self.cut

    def add(self, key, entry) -> None:
        items = self.items
        items.append((key, entry))
        if len(items) >= 2 * self.limit:
            items.sort(key=itemgetter(0))
            del items[self.limit:]
            self.cut = items[-1][0]

    def result(self) -> list:
        self.items.sort(key=itemgetter(0))
        return [e for _, e in self.items[:self.limit]]


def _summarise(results: Iterable[dict], meta: dict | None) -> dict:
    dup = 0
    if isinstance(results, ResultLines):
        records: Iterable[dict] = results  # one line per page already
    else:
        by_page: dict[str, dict] = {}
        for rec in results:
            if not isinstance(rec, dict):
                continue
            if rec.get("type") not in (None, "result"):
                continue
            page = rec.get("page")
            if not isinstance(page, str) or not page:
                continue
            if page in by_page:
                dup += 1
            by_page[page] = rec
        records = by_page.values()

    n_pages = 0
    totals: Counter = Counter()
    sources: dict[str, dict] = {}
    sites: dict[str, dict] = {}
    rules: dict[str, dict] = {}
    act_on = _Top(LIST_LIMIT)  # key: (status rank, -unmet errors, page)
    errors = _Top(LIST_LIMIT)  # key: page
    groups: dict[str, dict] = {}

    def source_row(key: str) -> dict:
        row = sources.get(key)
        if row is None:
            row = sources[key] = {"source": key, "_titles": Counter(), **_new_counts(), "full": 0, "excerpt": 0,
                                  "coverage_unknown": 0, "_cov": array("d"), "_unmet": Counter(), "_sites": set()}
        return row

    for rec in records:
        if rec.get("type") not in (None, "result"):
            continue
        page = rec.get("page")
        if not isinstance(page, str) or not page:
            continue
        n_pages += 1
        findings = _findings(rec)
        status = _status(rec, findings)
        totals[status] += 1
        url = _str(rec.get("url")) or None
        source = _str(rec.get("source")) or None
        title = _str(rec.get("source_title")) or None
        similarity = _num(rec.get("similarity"))
        coverage = _num(rec.get("coverage"))
        is_copy = status in COPY_STATUSES

        counted: set[str] | None = None  # the rules this page counts under
        for f in findings:  # per rule, over every page's findings
            fs = f.get("status")
            if fs not in ("unmet", "cannot_verify"):
                continue
            rule = _str(f.get("rule")) or "(no rule)"
            r = rules.get(rule)
            if r is None:
                r = rules[rule] = {"rule": rule, "unmet": 0, "cannot_verify": 0, "suppressed": 0, "_pages": 0,
                                   "_duties": Counter(), "_sev": Counter()}
            if f.get("suppressed"):
                r["suppressed"] += 1
                continue
            r[fs] += 1
            if counted is None:
                counted = set()
            if rule not in counted:
                counted.add(rule)
                r["_pages"] += 1
            r["_duties"][_str(f.get("duty")) or ""] += 1
            r["_sev"][_str(f.get("severity")) or ""] += 1

        if status in ("original",) and source:
            row = source_row(source)  # a source the publisher has, copied or not
            if title:
                row["_titles"][title] += 1
            continue
        if not (is_copy or status == "error"):
            continue

        site = _site(url)
        srow = sites.get(site)
        if srow is None:
            srow = sites[site] = {"site": site, **_new_counts()}
        srow[status] += 1
        if is_copy:
            srow["copies"] += 1

        if source:
            row = source_row(source)
            if title:
                row["_titles"][title] += 1
            row[status] += 1
            if is_copy:
                row["copies"] += 1
                row["_sites"].add(site)
                kind = _coverage_kind(coverage)
                row["coverage_unknown" if kind == "unknown" else kind] += 1
                if coverage is not None:
                    row["_cov"].append(coverage)
                for f in findings:
                    if f.get("status") == "unmet" and not f.get("suppressed"):
                        row["_unmet"][(_str(f.get("rule")) or "(no rule)", _str(f.get("duty")) or "")] += 1

        if status == "error":
            if errors.wants(page):
                errors.add(page, {"page": page, "url": url, "site": site, "source": source,
                                  "error": _cut(_str(rec.get("error")), _TEXT_LIMIT) or "(no reason given)"})
            continue

        if status in ACT_ON:
            failing = [f for f in findings if _failing(f)]
            unmet_errors = sum(1 for f in failing if f.get("status") == "unmet" and f.get("severity") == "error")
            key = (ACT_ON.index(status), -unmet_errors, page)
            if act_on.wants(key):
                failing.sort(key=lambda f: (0 if f.get("status") == "unmet" else 1,
                                            -_sev_rank(f.get("severity")), _int(f.get("line")), _int(f.get("col")),
                                            str(f.get("rule") or ""), str(f.get("message") or "")))
                act_on.add(key, {
                    "page": page, "url": url, "site": site, "source": source, "source_title": title,
                    "status": status, "venue": _str(rec.get("venue")) or None,
                    "similarity": similarity, "coverage": coverage, "coverage_kind": _coverage_kind(coverage),
                    "unmet_errors": unmet_errors,
                    "findings": [{
                        "rule": _str(f.get("rule")) or "(no rule)", "duty": _str(f.get("duty")) or None,
                        "status": f.get("status"), "severity": _str(f.get("severity")) or None,
                        "message": _cut(_str(f.get("message")), _TEXT_LIMIT) or "",
                        "evidence": _cut(_str(f.get("evidence")), _TEXT_LIMIT) or None,
                        "line": _int(f.get("line"), 0), "col": _int(f.get("col"), 0),
                        "fix": _cut(_str(f.get("fix")), _FIX_LIMIT) or None,
                    } for f in failing],
                    "fix": _cut(_str(rec.get("fix")), _FIX_LIMIT) or None,
                })

        fu = rec.get("fair_use")
        if isinstance(fu, dict) and fu:
            name = _fair_group(fu)
            g = groups.get(name)
            if g is None:
                g = groups[name] = {"group": name, "copies": 0, "compliant": 0, "unverified": 0, "noncompliant": 0,
                                    "full": 0, "excerpt": 0, "coverage_unknown": 0, "_facts": Counter(),
                                    "_readings": Counter(), "pages": _Top(LIST_LIMIT)}
            g["copies"] += 1
            g[status] += 1
            kind = _coverage_kind(coverage)
            g["coverage_unknown" if kind == "unknown" else kind] += 1
            reading = fu.get("reading")
            if isinstance(reading, str) and reading.strip():
                g["_readings"][_str(reading.strip())] += 1
            facts = fu.get("facts")
            if isinstance(facts, list):
                for fact in {_fact_text(x) for x in facts}:
                    if fact:
                        g["_facts"][fact] += 1
            key = (_STATUS_RANK.get(status, 9), -(coverage if coverage is not None else -1.0), page)
            if g["pages"].wants(key):
                g["pages"].add(key, {"page": page, "url": url, "source": source, "status": status,
                                     "coverage": coverage, "similarity": similarity})

    # -- finish: shares, sorted lists, private helpers dropped ---------------------------------
    src_list = []
    for row in sources.values():
        titles = row.pop("_titles")
        cov = sorted(row.pop("_cov"))
        unmet = row.pop("_unmet")
        row["sites"] = len(row.pop("_sites"))
        row["title"] = min(titles.items(), key=lambda kv: (-kv[1], kv[0]))[0] if titles else None
        row["compliant_share"] = _share(row["compliant"], row["copies"])
        row["coverage_median"] = round(_median(cov), 4) if cov else None
        row["unmet"] = [{"rule": r, "duty": d or None, "count": n}
                        for (r, d), n in sorted(unmet.items(), key=lambda kv: (-kv[1], kv[0]))]
        src_list.append(row)
    src_list.sort(key=lambda r: (-r["copies"], -r["noncompliant"], r["source"]))
    src_list = [_order(r, ("source", "title", "copies", "compliant", "unverified", "noncompliant", "error",
                           "compliant_share", "sites", "full", "excerpt", "coverage_unknown", "coverage_median",
                           "unmet")) for r in src_list]

    site_list = []
    for row in sites.values():
        row["compliant_share"] = _share(row["compliant"], row["copies"])
        site_list.append(row)
    site_list.sort(key=lambda r: (-r["copies"], -r["noncompliant"], -r["error"], r["site"]))

    rule_list = []
    for r in rules.values():
        n = r.pop("_pages")
        duties = r.pop("_duties")
        sev = r.pop("_sev")
        r["pages"] = n
        r["duty"] = (min(duties.items(), key=lambda kv: (-kv[1], kv[0]))[0] or None) if duties else None
        r["severity"] = (min(sev.items(), key=lambda kv: (-_sev_rank(kv[0]), kv[0]))[0] or None) if sev else None
        rule_list.append(_order(r, ("rule", "duty", "severity", "unmet", "cannot_verify", "suppressed", "pages")))
    rule_list.sort(key=lambda r: (-(r["unmet"] + r["cannot_verify"]), -r["unmet"], r["rule"]))

    group_list = []
    for g in groups.values():
        facts = g.pop("_facts")
        readings = g.pop("_readings")
        g["readings"] = [{"reading": k, "copies": n} for k, n in sorted(readings.items(), key=lambda kv: (-kv[1], kv[0]))]
        g["facts"] = [{"fact": k, "copies": n} for k, n in sorted(facts.items(), key=lambda kv: (-kv[1], kv[0]))]
        g["pages"] = g["pages"].result()
        group_list.append(_order(g, ("group", "copies", "noncompliant", "unverified", "compliant", "full", "excerpt",
                                     "coverage_unknown", "readings", "facts", "pages")))
    # act first on the groups with the most noncompliant copies, then the most full copies
    group_list.sort(key=lambda g: (-g["noncompliant"], -g["unverified"], -g["full"], -g["copies"], g["group"]))

    tot = {"pages": n_pages, "copies": sum(totals[s] for s in COPY_STATUSES)}
    for s in STATUS_ORDER:
        tot[s] = totals.get(s, 0)
    for s in sorted(k for k in totals if k not in STATUS_ORDER):
        tot[s] = totals[s]
    tot["compliant_share"] = _share(tot["compliant"], tot["copies"])

    meta = meta or {}
    run = _json_safe({k: v for k, v in meta.items() if k not in ("warnings", "duplicates")}) or None
    warnings = [str(w) for w in meta.get("warnings") or []] if isinstance(meta.get("warnings"), list) else []
    return {
        "schema": SUMMARY_SCHEMA,
        "tool": {"name": "compliance", "version": __version__},
        "disclaimer": DISCLAIMER,
        "run": run,
        "warnings": warnings,
        "input": {"results": n_pages, "duplicates": _int(meta.get("duplicates")) + dup},
        "totals": tot,
        "sources": src_list,
        "sites": site_list,
        "rules": rule_list,
        "act_on": act_on.result(),
        "errors": errors.result(),
        "fair_use": group_list,
    }


_STATUS_RANK = {"noncompliant": 0, "unverified": 1, "compliant": 2}
_SEV = {"error": 3, "warning": 2, "info": 1}


def _sev_rank(s) -> int:
    return _SEV.get(s, 0) if isinstance(s, str) else 0


def _median(xs: list[float]) -> float:
    n = len(xs)
    mid = n // 2
    return xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2


def _json_safe(v, depth: int = 0):
    """``v`` as plain JSON: str keys, lists, finite numbers (NaN and infinities become None), else str."""
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if depth > 50:
        return str(v)
    if isinstance(v, dict):
        return {str(k): _json_safe(x, depth + 1) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x, depth + 1) for x in v]
    return str(v)


def _order(d: dict, keys: tuple[str, ...]) -> dict:
    out = {k: d[k] for k in keys if k in d}
    out.update({k: v for k, v in d.items() if k not in out})
    return out


# ---------------------------------------------------------------------------------------------
# shared by the renderers


def _pct(share) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def _fmt(v, digits: int = 2) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _label(src: dict) -> str:
    return src.get("title") or src.get("source") or ""


def _shorten(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _is_web_url(url) -> bool:
    return isinstance(url, str) and re.match(r"(?i)^https?://[^\s<>\"'`]+$", url) is not None


def _run_value(v) -> str:
    if isinstance(v, (dict, list)):
        s = json.dumps(v, sort_keys=True, ensure_ascii=False)
    else:
        s = str(v)
    return _shorten(s.translate(_CONTROL), 300)


def _cov_text(c: dict) -> str:
    cov = c.get("coverage")
    if cov is None:
        return "coverage unknown"
    return f"coverage {cov:.2f} ({'full copy' if cov >= FULL_COPY else 'excerpt'})"


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _group_line(g: dict) -> str:
    return (f"{_n(g['copies'], 'copy', 'copies')}: {g['noncompliant']} noncompliant, {g['unverified']} unverified, "
            f"{g['compliant']} compliant; {_n(g['full'], 'full copy', 'full copies')}, "
            f"{_n(g['excerpt'], 'excerpt', 'excerpts')}.")


def _where(f: dict) -> str:
    return f"line {f['line']}:{f['col']}" if f.get("line") else ""


def _totals_rows(t: dict) -> list[tuple[str, int]]:
    rows = [("Pages read", t["pages"]), ("Copies judged", t["copies"])]
    names = {"compliant": "Compliant", "noncompliant": "Noncompliant", "unverified": "Unverified",
             "error": "Could not be read", "original": "Publisher's own pages",
             "unmatched": "Copy nothing (counted, not judged)"}
    for k, v in t.items():
        if k in ("pages", "copies", "compliant_share"):
            continue
        rows.append((names.get(k, k), v))
    return rows


# ---------------------------------------------------------------------------------------------
# JSON


def render_json(summary: dict) -> str:
    """The summary as JSON (stable key order, UTF-8 text); ``json.loads`` gives it back."""
    return json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# ---------------------------------------------------------------------------------------------
# Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md(s) -> str:
    """Inline Markdown text: HTML-escaped (renderers pass raw HTML through) and punctuation escaped."""
    if s is None:
        return ""
    s = html.escape(str(s).translate(_CONTROL), quote=False)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return " ".join(s.split())


def _md_url(url) -> str:
    if _is_web_url(url) and "|" not in url:
        return f"<{url}>"
    return _md(url)


def _fence(text: str, info: str = "text") -> list[str]:
    longest = max((len(m) for m in re.findall(r"`+|~+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *text.translate(_CONTROL).splitlines(), fence]


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---:" if h.startswith("#") or h in _NUMERIC else "---"
                                                           for h in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


_NUMERIC = {"Copies", "Compliant", "Unverified", "Noncompliant", "Errors", "Compliant share", "Full", "Excerpts",
            "Unmet", "Cannot verify", "Suppressed", "Pages", "Count", "Sites", "Median coverage"}


def _bar_text(c: int, u: int, n: int, biggest: int, width: int = 30) -> str:
    if not biggest:
        return ""
    scale = width / biggest
    a, b, e = round(c * scale), round((c + u) * scale), round((c + u + n) * scale)  # cumulative: no drift
    return "█" * a + "▒" * (b - a) + "░" * (e - b)


def _more(n: int, what: str, listed: int | None = None) -> str:
    """The note under a cut list; ``listed``: how many the JSON summary lists, when not all."""
    if listed is None:
        return f"…and {n} more {what} (all of them are in the JSON summary)."
    return f"…and {n} more {what} (the JSON summary lists the first {listed}; results.jsonl has them all)."


def _total(s: dict, key: str) -> int:
    """How many copies to act on (``act_on``) or unreadable pages (``errors``) there are: the
    lists keep the first LIST_LIMIT, the totals count them all."""
    t = s["totals"]
    n = t.get("noncompliant", 0) + t.get("unverified", 0) if key == "act_on" else t.get("error", 0)
    return max(n, len(s[key]))


def _cut_note(s: dict, key: str, what: str) -> str | None:
    n = _total(s, key) - len(s[key])
    return f"…and {n} more {what} (not listed: the summary keeps the first {len(s[key])})." if n > 0 else None


def _group_more(g: dict) -> str | None:
    total = max(g["copies"], len(g["pages"]))
    if total <= GROUP_PAGES_LIMIT:
        return None
    return _more(total - GROUP_PAGES_LIMIT, "pages", None if total <= len(g["pages"]) else len(g["pages"]))


def render_markdown(summary: dict) -> str:
    """The summary as Markdown: the same sections as the HTML, a text table in place of each chart."""
    s = summary
    t = s["totals"]
    out: list[str] = ["# Compliance summary", "", f"> **{_md(s['disclaimer'])}**", ""]
    out += _md_run(s)
    out += ["## Totals", ""]
    out += _md_table(["Status", "Pages"], [[_md(k), str(v)] for k, v in _totals_rows(t)])
    out += ["", f"Compliant share of judged copies: **{_pct(t.get('compliant_share'))}**.", ""]

    for title, rows, key, what in (("Compliance by site", s["sites"], "site", "Site"),
                                   ("Compliance by source", s["sources"], "source", "Source")):
        top = [r for r in rows if r["copies"]][:CHART_TOP]
        out += [f"## {title} (top {CHART_TOP})", ""]
        if not top:
            out += ["No copies judged.", ""]
            continue
        biggest = max(r["copies"] for r in top)
        out += _md_table([what, "Compliant", "Unverified", "Noncompliant", "Bar"],
                         [[_md(_shorten(r[key] if key == "site" else _label(r), 60)), str(r["compliant"]),
                           str(r["unverified"]), str(r["noncompliant"]),
                           _bar_text(r["compliant"], r["unverified"], r["noncompliant"], biggest)] for r in top])
        out += ["", "█ compliant · ▒ unverified · ░ noncompliant", ""]

    out += ["## Sources", ""]
    if s["sources"]:
        rows = []
        for r in s["sources"][:TABLE_LIMIT]:
            unmet = ", ".join(f"{_md(u['rule'])}" + (f" ({_md(u['duty'])})" if u.get("duty") else "") + f" ×{u['count']}"
                              for u in r["unmet"][:TOP_UNMET]) or "—"
            rows.append([_md_url(r["source"]), _md(r["title"] or ""), str(r["copies"]), str(r["compliant"]),
                         str(r["unverified"]), str(r["noncompliant"]), str(r["error"]), _pct(r["compliant_share"]),
                         str(r["full"]), str(r["excerpt"]), unmet])
        out += _md_table(["Source", "Title", "Copies", "Compliant", "Unverified", "Noncompliant", "Errors",
                          "Compliant share", "Full", "Excerpts", "Most often unmet"], rows)
        if len(s["sources"]) > TABLE_LIMIT:
            out += ["", _more(len(s["sources"]) - TABLE_LIMIT, "sources")]
        out += ["", f"Full copies carry at least {FULL_COPY:.0%} of the source; excerpts less.", ""]
    else:
        out += ["No sources.", ""]

    out += ["## Sites", ""]
    if s["sites"]:
        out += _md_table(["Site", "Copies", "Compliant", "Unverified", "Noncompliant", "Errors", "Compliant share"],
                         [[_md(r["site"]), str(r["copies"]), str(r["compliant"]), str(r["unverified"]),
                           str(r["noncompliant"]), str(r["error"]), _pct(r["compliant_share"])]
                          for r in s["sites"][:TABLE_LIMIT]])
        if len(s["sites"]) > TABLE_LIMIT:
            out += ["", _more(len(s["sites"]) - TABLE_LIMIT, "sites")]
        out.append("")
    else:
        out += ["No sites.", ""]

    out += ["## Rules", ""]
    if s["rules"]:
        out += _md_table(["Rule", "Duty", "Severity", "Unmet", "Cannot verify", "Suppressed", "Pages"],
                         [[_md(r["rule"]), _md(r["duty"] or "—"), _md(r["severity"] or "—"), str(r["unmet"]),
                           str(r["cannot_verify"]), str(r["suppressed"]), str(r["pages"])] for r in s["rules"]])
        out.append("")
    else:
        out += ["No rule unmet or unverifiable.", ""]

    out += [f"## Copies to act on ({_total(s, 'act_on')})", ""]
    if not s["act_on"]:
        out += ["None: every judged copy is compliant.", ""]
    for i, c in enumerate(s["act_on"], 1):
        out += [f"### {i}. {_md(c['page'])} — {c['status']}", ""]
        if c.get("url"):
            out.append(f"- URL: {_md_url(c['url'])}")
        src = _md_url(c.get("source")) or "—"
        if c.get("source_title"):
            src += f" ({_md(c['source_title'])})"
        out.append(f"- Source: {src}")
        out.append(f"- Similarity {_fmt(c.get('similarity'))} · {_cov_text(c)}"
                   + (f" · venue {_md(c['venue'])}" if c.get("venue") else ""))
        if c["findings"]:
            out.append("- Findings:")
            for f in c["findings"]:
                bits = ", ".join(b for b in (f.get("duty"), f.get("status"), f.get("severity")) if b)
                where = _where(f)
                out.append(f"  - **{_md(f['rule'])}** ({_md(bits)}){' ' + where if where else ''}: {_md(f['message'])}")
                if f.get("evidence"):
                    out.append(f"    > {_md(f['evidence'])}")
        out.append("")
        if c.get("fix"):
            out += ["Fix (paste this):", "", *_fence(c["fix"]), ""]
    note = _cut_note(s, "act_on", "copies to act on")
    if note:
        out += [note, ""]

    out += [f"## Fair use: copies grouped by measured facts ({len(s['fair_use'])} groups)", ""]
    if not s["fair_use"]:
        out += ["No copy carries fair-use facts.", ""]
    for g in s["fair_use"]:
        out += [f"### {_md(g['group'])}", "",
                _group_line(g), ""]
        for fact in g["facts"][:10]:
            out.append(f"- {_md(fact['fact'])} (×{fact['copies']})")
        if g["facts"]:
            out.append("")
        out += _md_table(["Page", "Status", "Coverage", "Source"],
                         [[_md(p["page"]), p["status"], _fmt(p["coverage"]), _md(p["source"] or "—")]
                          for p in g["pages"][:GROUP_PAGES_LIMIT]])
        more = _group_more(g)
        if more:
            out += ["", more]
        out.append("")

    out += [f"## Pages that could not be read ({_total(s, 'errors')})", ""]
    if s["errors"]:
        out += _md_table(["Page", "URL", "Source", "Error"],
                         [[_md(e["page"]), _md_url(e.get("url")) or "—", _md(e.get("source") or "—"), _md(e["error"])]
                          for e in s["errors"]])
        note = _cut_note(s, "errors", "pages that could not be read")
        if note:
            out += ["", note]
        out.append("")
    else:
        out += ["None.", ""]

    out += ["---", "", f"> {_md(s['disclaimer'])}", "",
            f"Summary by {_md(s['tool']['name'])} {_md(s['tool']['version'])} from {s['input']['results']} result lines.",
            ""]
    return "\n".join(out)


def _md_run(s: dict) -> list[str]:
    out: list[str] = []
    if s.get("run"):
        out += ["## Run", ""]
        out += [f"- {_md(k)}: {_md(_run_value(v))}" for k, v in sorted(s["run"].items())]
        out.append("")
    if s.get("warnings"):
        out += ["**Warnings while reading the results:**", ""]
        out += [f"- {_md(w)}" for w in s["warnings"]]
        out.append("")
    return out


# ---------------------------------------------------------------------------------------------
# HTML


def _h(s) -> str:
    if s is None:
        return ""
    return html.escape(str(s).translate(_CONTROL), quote=True)


def _a(url) -> str:
    """A link to a copy's own URL (http/https only; anything else is shown as text)."""
    if _is_web_url(url):
        return f'<a href="{_h(url)}" rel="nofollow noopener noreferrer">{_h(url)}</a>'
    return _h(url)


_CSS = """
:root{--ok:#1a7f37;--warn:#b08800;--bad:#cf222e;--err:#6e7781;--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg2:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);
margin:0 auto;max-width:1200px;padding:1.5rem}
h1{margin:.2rem 0 1rem}h2{margin-top:2.2rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
h3{margin:.2rem 0 .5rem;font-size:1.05rem;word-break:break-all}
.disclaimer{border-left:4px solid var(--warn);background:#fff8c5;padding:.6rem .9rem;margin:1rem 0;font-weight:600}
.warn{border-left:4px solid var(--bad);background:#ffebe9;padding:.5rem .9rem}
dl.run{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;font-size:.9rem;margin:0}
dl.run dt{color:var(--muted)}dl.run dd{margin:0;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:.5rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.5rem .8rem;min-width:8.5rem;background:var(--bg2)}
.card b{display:block;font-size:1.5rem}.card span{color:var(--muted);font-size:.85rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.86rem}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg2)}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#fbfcfd}
td.wrap{overflow-wrap:anywhere;min-width:11rem;max-width:28rem}
.tw{overflow-x:auto}
.badge{display:inline-block;border-radius:1rem;padding:0 .55rem;color:#fff;font-size:.8rem;font-weight:600}
.b-compliant{background:var(--ok)}.b-unverified{background:var(--warn)}.b-noncompliant{background:var(--bad)}
.b-error{background:var(--err)}
.copy{border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin:.9rem 0}
.copy.noncompliant{border-left:5px solid var(--bad)}.copy.unverified{border-left:5px solid var(--warn)}
.meta{color:var(--muted);font-size:.9rem;margin:.2rem 0 .5rem;word-break:break-all}
ul.findings{padding-left:1.2rem;margin:.3rem 0}ul.findings li{margin:.35rem 0}
code{background:var(--bg2);padding:0 .25rem;border-radius:3px}
blockquote{margin:.25rem 0;padding:.2rem .7rem;border-left:3px solid var(--line);color:#3d444d;white-space:pre-wrap;
word-break:break-word}
pre{background:var(--bg2);border:1px solid var(--line);border-radius:6px;padding:.6rem;overflow-x:auto;
white-space:pre-wrap;word-break:break-word;font-size:.85rem}
svg.chart{width:100%;height:auto;max-width:1000px;display:block;margin:.5rem 0}
svg.chart text{font:12px system-ui,-apple-system,"Segoe UI",Arial,sans-serif;fill:var(--fg)}
.c-ok{fill:var(--ok)}.c-warn{fill:var(--warn)}.c-bad{fill:var(--bad)}
.note{color:var(--muted);font-size:.9rem}
footer{margin-top:2.5rem;border-top:1px solid var(--line);padding-top:.5rem}
@media print{.copy{break-inside:avoid}}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _badge(status: str) -> str:
    return f'<span class="badge b-{_h(status)}">{_h(status)}</span>'


def _svg_chart(chart_id: str, title: str, rows: list[tuple[str, int, int, int]]) -> str:
    """A horizontal stacked bar per row (label, compliant, unverified, noncompliant), each with a <title>."""
    if not rows:
        return '<p class="note">No copies judged.</p>'
    label_w, bar_w, row_h, top = 270, 600, 24, 34
    width = label_w + bar_w + 70
    height = top + row_h * len(rows) + 8
    biggest = max(c + u + n for _, c, u, n in rows) or 1
    scale = bar_w / biggest
    parts = [(f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
              f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'),
             f'<title id="{chart_id}-t">{_h(title)}</title>',
             (f'<desc id="{chart_id}-d">Stacked bars: compliant, unverified and noncompliant copies; '
              f'the longest bar is {_n(biggest, "copy", "copies")}.</desc>')]
    x = label_w
    for cls, name in (("c-ok", "compliant"), ("c-warn", "unverified"), ("c-bad", "noncompliant")):
        parts.append(f'<rect class="{cls}" x="{x}" y="8" width="12" height="12"/>'
                     f'<text x="{x + 17}" y="18">{name}</text>')
        x += 120
    for i, (label, c, u, n) in enumerate(rows):
        y = top + i * row_h
        total = c + u + n
        tip = f"{label}: {_n(total, 'copy', 'copies')}: {c} compliant, {u} unverified, {n} noncompliant"
        parts.append(f'<g class="bar"><title>{_h(tip)}</title>'
                     f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_h(_shorten(label, 40))}</text>')
        bx = float(label_w)
        for cls, v in (("c-ok", c), ("c-warn", u), ("c-bad", n)):
            if v:
                w = v * scale
                parts.append(f'<rect class="{cls}" x="{bx:.1f}" y="{y + 3}" width="{max(w, 1.0):.1f}" '
                             f'height="{row_h - 6}"/>')
                bx += w
        parts.append(f'<text x="{bx + 6:.1f}" y="{y + 15}">{total}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _html_table(head: list[tuple[str, str]], rows: list[list[str]], caption: str | None = None) -> str:
    """``head``: (label, class); cells are already HTML."""
    out = ['<div class="tw"><table>']
    if caption:
        out.append(f"<caption class=\"note\">{_h(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col" class="{cls}">{_h(lab)}</th>' for lab, cls in head)
               + "</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f'<td class="{cls}">{cell}</td>' for (_, cls), cell in zip(head, r)) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def render_html(summary: dict) -> str:
    """The summary as one self-contained HTML page (inline CSS and SVG; no script, no external asset)."""
    s = summary
    t = s["totals"]
    disc = _h(s["disclaimer"])
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        "<title>Compliance summary</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header><h1>Compliance summary</h1>",
        f'<p class="disclaimer" role="note" id="disclaimer-top">{disc}</p></header>',
        "<main>",
    ]
    if s.get("run"):
        out.append('<section id="run"><h2>Run</h2><dl class="run">')
        out += [f"<dt>{_h(k)}</dt><dd>{_h(_run_value(v))}</dd>" for k, v in sorted(s["run"].items())]
        out.append("</dl></section>")
    if s.get("warnings"):
        out.append('<div class="warn" role="alert"><b>Warnings while reading the results:</b><ul>')
        out += [f"<li>{_h(w)}</li>" for w in s["warnings"]]
        out.append("</ul></div>")

    out.append('<section id="totals"><h2>Totals</h2><div class="cards">')
    out.append(f'<div class="card"><b>{_pct(t.get("compliant_share"))}</b><span>compliant share of judged copies'
               "</span></div>")
    out += [f'<div class="card"><b>{v}</b><span>{_h(k)}</span></div>' for k, v in _totals_rows(t)]
    out.append("</div></section>")

    site_rows = [(r["site"], r["compliant"], r["unverified"], r["noncompliant"]) for r in s["sites"] if r["copies"]]
    src_rows = [(_label(r), r["compliant"], r["unverified"], r["noncompliant"]) for r in s["sources"] if r["copies"]]
    out.append(f'<section id="by-site"><h2>Compliance by site (top {CHART_TOP})</h2>')
    out.append(_svg_chart("chart-sites", f"Compliance by site, top {CHART_TOP} by copies", site_rows[:CHART_TOP]))
    out.append("</section>")
    out.append(f'<section id="by-source"><h2>Compliance by source (top {CHART_TOP})</h2>')
    out.append(_svg_chart("chart-sources", f"Compliance by source, top {CHART_TOP} by copies", src_rows[:CHART_TOP]))
    out.append("</section>")

    N, W, C = "n", "wrap", ""
    out.append('<section id="sources"><h2>Sources</h2>')
    if s["sources"]:
        rows = []
        for r in s["sources"][:TABLE_LIMIT]:
            unmet = "<br>".join(f"<code>{_h(u['rule'])}</code>" + (f" {_h(u['duty'])}" if u.get("duty") else "")
                                + f" ×{u['count']}" for u in r["unmet"][:TOP_UNMET]) or "—"
            src = _a(r["source"])
            rows.append([src, _h(r["title"] or ""), str(r["copies"]), str(r["compliant"]), str(r["unverified"]),
                         str(r["noncompliant"]), str(r["error"]), _pct(r["compliant_share"]), str(r["full"]),
                         str(r["excerpt"]), _fmt(r["coverage_median"]), unmet])
        out.append(_html_table([("Source", W), ("Title", C), ("Copies", N), ("Compliant", N), ("Unverified", N),
                                ("Noncompliant", N), ("Errors", N), ("Compliant share", N), ("Full copies", N),
                                ("Excerpts", N), ("Median coverage", N), ("Most often unmet", C)], rows))
        if len(s["sources"]) > TABLE_LIMIT:
            out.append(f'<p class="note">{_h(_more(len(s["sources"]) - TABLE_LIMIT, "sources"))}</p>')
        out.append(f'<p class="note">Full copies carry at least {FULL_COPY:.0%} of the source; excerpts less.</p>')
    else:
        out.append('<p class="note">No sources.</p>')
    out.append("</section>")

    out.append('<section id="sites"><h2>Sites</h2>')
    if s["sites"]:
        out.append(_html_table([("Site", W), ("Copies", N), ("Compliant", N), ("Unverified", N), ("Noncompliant", N),
                                ("Errors", N), ("Compliant share", N)],
                               [[_h(r["site"]), str(r["copies"]), str(r["compliant"]), str(r["unverified"]),
                                 str(r["noncompliant"]), str(r["error"]), _pct(r["compliant_share"])]
                                for r in s["sites"][:TABLE_LIMIT]]))
        if len(s["sites"]) > TABLE_LIMIT:
            out.append(f'<p class="note">{_h(_more(len(s["sites"]) - TABLE_LIMIT, "sites"))}</p>')
    else:
        out.append('<p class="note">No sites.</p>')
    out.append("</section>")

    out.append('<section id="rules"><h2>Rules</h2>')
    if s["rules"]:
        out.append(_html_table([("Rule", C), ("Duty", C), ("Severity", C), ("Unmet", N), ("Cannot verify", N),
                                ("Suppressed", N), ("Pages", N)],
                               [[f"<code>{_h(r['rule'])}</code>", _h(r["duty"] or "—"), _h(r["severity"] or "—"),
                                 str(r["unmet"]), str(r["cannot_verify"]), str(r["suppressed"]), str(r["pages"])]
                                for r in s["rules"]]))
    else:
        out.append('<p class="note">No rule unmet or unverifiable.</p>')
    out.append("</section>")

    out.append(f'<section id="act-on"><h2>Copies to act on ({_total(s, "act_on")})</h2>')
    if not s["act_on"]:
        out.append('<p class="note">None: every judged copy is compliant.</p>')
    else:
        out.append('<p class="note">Noncompliant copies first, then unverified ones; within each, the most unmet '
                   "errors first.</p>")
    for i, c in enumerate(s["act_on"], 1):
        st = c["status"]
        out.append(f'<article class="copy {_h(st)}"><h3>{i}. {_h(c["page"])} {_badge(st)}</h3>')
        meta = []
        if c.get("url"):
            meta.append(f"URL: {_a(c['url'])}")
        src = _a(c.get("source")) if c.get("source") else "—"
        if c.get("source_title"):
            src += f" ({_h(c['source_title'])})"
        meta.append(f"Source: {src}")
        meta.append(f"Similarity {_fmt(c.get('similarity'))} · {_h(_cov_text(c))}"
                    + (f" · venue {_h(c['venue'])}" if c.get("venue") else ""))
        out.append('<p class="meta">' + "<br>".join(meta) + "</p>")
        if c["findings"]:
            out.append('<ul class="findings">')
            for f in c["findings"]:
                bits = ", ".join(b for b in (f.get("duty"), f.get("status"), f.get("severity")) if b)
                where = _where(f)
                item = (f"<li><code>{_h(f['rule'])}</code> <span class=\"note\">({_h(bits)})"
                        f"{' ' + _h(where) if where else ''}</span> {_h(f['message'])}")
                if f.get("evidence"):
                    item += f"<blockquote>{_h(f['evidence'])}</blockquote>"
                out.append(item + "</li>")
            out.append("</ul>")
        if c.get("fix"):
            out.append(f'<p><b>Fix</b> (paste this):</p><pre class="fix">{_h(c["fix"])}</pre>')
        out.append("</article>")
    note = _cut_note(s, "act_on", "copies to act on")
    if note:
        out.append(f'<p class="note">{_h(note)}</p>')
    out.append("</section>")

    out.append(f'<section id="fair-use"><h2>Fair use: copies grouped by measured facts ({len(s["fair_use"])} groups)'
               "</h2>")
    if not s["fair_use"]:
        out.append('<p class="note">No copy carries fair-use facts.</p>')
    else:
        out.append('<p class="note">Groups with the most noncompliant copies first, then the most full copies. '
                   "These are measured facts, not a legal reading.</p>")
    for g in s["fair_use"]:
        out.append(f'<div class="copy"><h3>{_h(g["group"])}</h3><p class="meta">{_h(_group_line(g))}</p>')
        if g["facts"]:
            out.append("<ul>" + "".join(f"<li>{_h(x['fact'])} (×{x['copies']})</li>" for x in g["facts"][:10])
                       + "</ul>")
        out.append(_html_table([("Page", W), ("Status", C), ("Coverage", N), ("Source", W)],
                               [[_h(p["page"]), _badge(p["status"]), _fmt(p["coverage"]), _h(p["source"] or "—")]
                                for p in g["pages"][:GROUP_PAGES_LIMIT]]))
        more = _group_more(g)
        if more:
            out.append(f'<p class="note">{_h(more)}</p>')
        out.append("</div>")
    out.append("</section>")

    out.append(f'<section id="errors"><h2>Pages that could not be read ({_total(s, "errors")})</h2>')
    if s["errors"]:
        out.append(_html_table([("Page", W), ("URL", W), ("Source", W), ("Error", C)],
                               [[_h(e["page"]), _a(e.get("url")) or "—", _h(e.get("source") or "—"), _h(e["error"])]
                                for e in s["errors"]]))
        note = _cut_note(s, "errors", "pages that could not be read")
        if note:
            out.append(f'<p class="note">{_h(note)}</p>')
    else:
        out.append('<p class="note">None.</p>')
    out.append("</section></main>")

    out.append(f'<footer><p class="disclaimer" role="note" id="disclaimer-bottom">{disc}</p>'
               f'<p class="note">Summary by {_h(s["tool"]["name"])} {_h(s["tool"]["version"])} from '
               f'{s["input"]["results"]} result lines.</p></footer>')
    out.append("</body></html>\n")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# convenience for the command line

RENDERERS = {"html": render_html, "markdown": render_markdown, "md": render_markdown, "json": render_json}


def summarize_file(path, fmt: str = "html") -> str:
    """``results.jsonl`` at ``path`` rendered as ``fmt`` (html, markdown/md or json)."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown summary format {fmt!r}: choose one of html, markdown, json")
    meta, results = load_results(path)
    return RENDERERS[fmt](summarise(results, meta))


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m compliance.summary", description="Summarise an audit's results.jsonl.")
    ap.add_argument("results")
    ap.add_argument("--format", "-f", default="html", choices=sorted(RENDERERS))
    ap.add_argument("--output", "-o", help="write here instead of standard output")
    a = ap.parse_args(argv)
    text = summarize_file(a.results, a.format)
    if a.output:
        Path(a.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


__all__ = ["FULL_COPY", "SUMMARY_SCHEMA", "load_results", "render_html", "render_json", "render_markdown", "summarise",
           "summarize_file"]
