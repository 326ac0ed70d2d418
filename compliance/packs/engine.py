"""Run a rule set over a document: keyword prefilter, then regexes, then scope and exceptions."""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

import ahocorasick
import regex

from ..document import Document
from ..licenses import normalise_group
from . import accel
from .loader import Rule, RuleSet

#: Seconds one rule's regexes (patterns and exceptions, over every stretch of text or signal
#: value it reads) may take on one page before the rule is abandoned there and reported.
RULE_TIMEOUT = 0.5
#: Seconds all the rules together may take on one page: past it, the rules still to run are
#: skipped on that page and reported.
PAGE_TIMEOUT = 3.0
#: A text rule's regexes run only this far before and after an occurrence of one of its
#: keywords (the whole text when there are no keywords, or when the windows cover most of it).
WINDOW_BEFORE = 400
WINDOW_AFTER = 300
#: Texts at least this long are first read by the accelerator (when it is installed), which
#: tells the engine which patterns cannot match on them; shorter ones are cheaper to scan directly.
ACCEL_MIN_CHARS = 2000
#: A rule set's accelerator database is loaded at once when it is cached; otherwise it is
#: compiled (about 3 s for the bundled packs) once an engine has met this many such texts,
#: so that only runs long enough to repay it pay for it.
ACCEL_AFTER_PAGES = 200
#: Characters before and after a hit in which a rule's ``exceptions`` are searched.
EXCEPTION_BEFORE = 120
EXCEPTION_AFTER = 40
_TEMPLATE = regex.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_DASHES = regex.compile(r"-{2,}")


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule firing: where, what it quoted, what it adds to the terms."""

    rule: str
    kind: str
    text: str
    start: int  # offset in Document.text, or -1 for signals that stand outside the text
    end: int
    source_offset: int
    region: str
    confidence: float
    emits: dict
    groups: dict = field(default_factory=dict)
    signal: str | None = None  # the signal kind a `signal` rule matched


def _resolve(emits: dict, groups: dict) -> dict:
    out = {}
    for key, value in emits.items():
        if isinstance(value, str) and "{" in value:
            def sub(m: regex.Match) -> str:
                name = m.group(1)
                return normalise_group(name, groups.get(name))

            resolved = _TEMPLATE.sub(sub, value)
            resolved = _DASHES.sub("-", resolved).strip(" -")
            if not resolved:
                continue
            out[key] = resolved
        else:
            out[key] = value
    return out


class _Kind:
    """The signals of one kind on a page: their values, and each one's record made on demand
    (a page has hundreds of links, and a rule with keywords reads only those that hold one)."""

    __slots__ = ("values", "objs", "shape", "joined")

    def __init__(self, values: list[str], objs: list, shape: int):
        self.values = values
        self.objs = objs
        self.shape = shape  # 0: a link, 1: a link's text, 2: an embed's URL, 3: an embed's alt, 4: a signal
        self.joined: tuple[str, list[int]] | None = None

    def item(self, i: int) -> tuple:
        """(value, text_start, text_end, source_offset, region)"""
        o = self.objs[i]
        if self.shape <= 1:
            return (self.values[i], o.start, o.end, o.source_offset, o.region)
        return (self.values[i], -1, -1, o.source_offset, o.region)

    def items(self) -> list[tuple]:
        return [self.item(i) for i in range(len(self.values))]


def _signal_index(doc: Document) -> dict[str, _Kind]:
    """Every signal a rule can read, by kind."""
    index: dict[str, _Kind] = {}
    links = doc.links
    if links:
        index["link"] = _Kind([ln.href for ln in links], links, 0)
        named = [ln for ln in links if ln.text]
        if named:
            index["link.text"] = _Kind([ln.text for ln in named], named, 1)
    for e in doc.embeds:
        k = index.get(f"{e.kind}.src")
        if k is None:
            k = index[f"{e.kind}.src"] = _Kind([], [], 2)
        k.values.append(e.url)
        k.objs.append(e)
        if e.alt:
            k = index.get(f"{e.kind}.alt")
            if k is None:
                k = index[f"{e.kind}.alt"] = _Kind([], [], 3)
            k.values.append(e.alt)
            k.objs.append(e)
    for sg in doc.signals:
        k = index.get(sg.kind)
        if k is None:
            k = index[sg.kind] = _Kind([], [], 4)
        k.values.append(sg.value)
        k.objs.append(sg)
    return index


#: Occurrences of one keyword past which its later ones are not looked at (a window around
#: each of them is scanned; the first ones are enough to decide that the rule runs).
MAX_KEYWORD_HITS = 2000


def _keyword_automaton(keywords: list[str]):
    """An Aho-Corasick automaton over every text rule's keywords: one pass over the casefolded
    text finds every occurrence of all of them, overlapping ones included."""
    if not keywords:
        return None
    automaton = ahocorasick.Automaton()
    for k in keywords:
        automaton.add_word(k, (k, len(k) - 1))
    automaton.make_automaton()
    return automaton


def _joined(values: list[str]) -> tuple[str, list[int]]:
    """``values`` joined by newlines and casefolded, and where each starts."""
    text = "\n".join(values)
    folded = text.casefold()
    if len(folded) != len(text):  # casefolding changed a length: fold each value
        values = [v.casefold() for v in values]
        folded = "\n".join(values)
    starts = list(accumulate([len(v) + 1 for v in values[:-1]], initial=0))
    return folded, starts


def _values_with(joined: tuple[str, list[int]], keywords: tuple[str, ...]) -> list[int]:
    """Indexes, in order, of the items whose casefolded value holds one of ``keywords``."""
    text, starts = joined
    found: set[int] = set()
    n = len(starts)
    for kw in keywords:
        pos = text.find(kw)
        while pos >= 0:
            i = bisect_right(starts, pos) - 1
            found.add(i)
            if i + 1 >= n:
                break
            pos = text.find(kw, starts[i + 1])
    return sorted(found)


def _merged(spans) -> list[tuple[int, int]]:
    """``(start, end)`` stretches, overlapping ones joined, in order."""
    out: list[list[int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


@lru_cache(maxsize=4096)
def _wanted_kinds(wanted: tuple[str, ...], available: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(kind for kind in available
                 if any(kind == w or (w.endswith("*") and kind.startswith(w[:-1])) for w in wanted))


class _OutOfTime(Exception):
    """A rule's time on the page is spent (a regex timed out, or no time was left to start one)."""


class Engine:
    """A compiled rule set, ready to run over many documents.

    Time: every regex call a rule makes on a page is given what is left of that rule's budget
    (``timeout`` seconds a page, and never past the page's ``page_timeout``), so a slow pattern
    costs at most its budget per page, however many keyword windows, signal values or
    exception checks it meets. A rule that runs out is abandoned on that page (the hits it
    had found stay) and a warning says so; once the page's budget is spent, the rules still
    to run are skipped and named in one warning.
    """

    def __init__(self, ruleset: RuleSet, timeout: float = RULE_TIMEOUT, page_timeout: float = PAGE_TIMEOUT,
                 accelerate: bool | None = None):
        self.ruleset = ruleset
        self.timeout = timeout
        self.page_timeout = page_timeout
        self.text_rules = [r for r in ruleset.rules if r.kind in ("existence", "extract")]
        # (a text rule that names signals also reads those values, as a signal rule does)
        self.signal_rules = [r for r in ruleset.rules if r.kind == "signal" or (r.signals and r.kind in ("existence", "extract"))]
        self.conditional_rules = [r for r in ruleset.rules if r.kind == "conditional"]
        self._keywords = sorted({k for r in self.text_rules for k in r.keywords})
        self._automaton = _keyword_automaton(self._keywords)
        # The accelerator's pattern numbers: a rule's patterns are numbered from _first[rule.id].
        self.accelerate = accel.available() if accelerate is None else (accelerate and accel.available())
        self._first: dict[str, int] = {}
        self._prefilter: accel.Prefilter | None = None
        self._patterns: list[tuple[str, bool]] | None = None
        self._long_pages = 0  # texts long enough for the accelerator, met so far
        self._spans: dict[str, range] = {}  # a rule's pattern numbers, when the accelerator holds them all
        self._may: set[int] | None = None  # the current page's patterns that may match, while it runs

    def _accelerator(self) -> accel.Prefilter | None:
        """The accelerator for this page, or None (not cached yet, and too few pages so far)."""
        if self._prefilter is not None:
            return self._prefilter
        self._long_pages += 1
        if self._patterns is None:
            self._patterns = []
            for rule in self.text_rules + self.conditional_rules:
                self._first[rule.id] = len(self._patterns)
                self._patterns.extend((p, rule.case_sensitive) for p in rule.pattern_sources)
        if self._long_pages == 1 or self._long_pages >= ACCEL_AFTER_PAGES:
            try:
                pf = accel.Prefilter(self._patterns, cached_only=self._long_pages < ACCEL_AFTER_PAGES)
            except accel.NotCached:
                return None
            except Exception:  # a broken accelerator must not stop a run: go on without it
                self.accelerate = False
                return None
            for rule in self.text_rules + self.conditional_rules:
                first = self._first[rule.id]
                span = range(first, first + len(rule.pattern_sources))
                if span and all(pf.holds(i) for i in span):
                    self._spans[rule.id] = span
            self._prefilter = pf
        return self._prefilter

    def _windows(self, rule: Rule, found: dict[str, list[int]] | None, size: int) -> list[tuple[int, int]] | None:
        """Stretches of text around the rule's keywords, merged; None means scan everything."""
        if found is None or not rule.keywords:
            return None
        merged = _merged((max(0, p - WINDOW_BEFORE), min(size, p + WINDOW_AFTER))
                         for k in rule.keywords for p in found.get(k, ()))
        if sum(hi - lo for lo, hi in merged) > size // 2:
            return None
        return merged

    def run(self, doc: Document) -> tuple[list[Hit], list[str]]:
        """All hits on ``doc`` in document order, and warnings (rules that ran out of time)."""
        hits: list[Hit] = []
        warnings: list[str] = []
        clock = time.monotonic
        text = doc.text
        self._may = None
        if self.accelerate and len(text) >= ACCEL_MIN_CHARS:
            pf = self._accelerator()
            if pf is not None:
                try:
                    self._may = pf.scan(text)
                except Exception:  # the accelerator failing on a page only costs it its speed-up
                    self._may = None
        page_end = clock() + self.page_timeout  # (a compile above is not the page's time)
        skipped: list[str] = []  # rules not run: the page's time was spent
        folded = text.casefold()
        found: dict[str, list[int]] | None = None
        if len(folded) == len(text) and self._automaton is not None:
            # Every occurrence of every keyword, in one pass; the offsets agree with the text
            # because casefolding changed no length.
            found = {}
            for last, (k, back) in self._automaton.iter(folded):
                where = found.get(k)
                if where is None:
                    found[k] = [last - back]
                elif len(where) < MAX_KEYWORD_HITS:
                    where.append(last - back)
        may = self._may
        for rule in self.text_rules:
            if may is not None and self._ruled_out(rule, may):
                continue
            if rule.keywords:
                if found is not None:
                    if not any(k in found for k in rule.keywords):
                        continue
                elif not any(k in folded for k in rule.keywords):
                    continue
            end = self._deadline(rule, page_end, skipped)
            if end is None:
                continue
            windows = self._windows(rule, found, len(text))
            try:
                for lo, hi in windows or [(0, len(text))]:
                    self._scan(rule, doc, lo, hi, hits, end)
            except _OutOfTime:
                warnings.append(self._out_of_time(rule, end, page_end))
        index = _signal_index(doc) if self.signal_rules else {}
        kinds = tuple(sorted(index))
        for rule in self.signal_rules:
            wanted = _wanted_kinds(rule.signals, kinds)
            if rule.keywords:
                items = []
                for k in wanted:
                    kind = index[k]
                    if kind.joined is None:
                        kind.joined = _joined(kind.values)
                    items.extend((k, *kind.item(i)) for i in _values_with(kind.joined, rule.keywords))
            else:
                items = [(k, *item) for k in wanted for item in index[k].items()]
            if not items:
                continue
            end = self._deadline(rule, page_end, skipped)
            if end is None:
                continue
            try:
                for kind, value, start, stop, src, region in items:
                    if rule.scope and region not in rule.scope:
                        continue
                    for pat in rule.patterns:
                        left = end - clock()
                        if left <= 0:
                            raise _OutOfTime
                        m = pat.search(value, timeout=left)
                        if m is None:
                            continue
                        if rule.exceptions and _excepted(rule, value, end, clock):
                            break
                        groups = {k: v for k, v in m.groupdict().items() if v is not None}
                        hits.append(Hit(rule.id, rule.kind, value, start, stop, src, region,
                                        rule.confidence, _resolve(rule.emits, groups), groups, kind))
                        break
            except (_OutOfTime, TimeoutError):
                warnings.append(self._out_of_time(rule, end, page_end))
        fired: dict[str, list[Hit]] = {}
        for h in hits:
            fired.setdefault(h.rule, []).append(h)
        for rule in self.conditional_rules:
            if may is not None and self._ruled_out(rule, may):
                continue
            triggers = [t for trigger_id in rule.within for t in fired.get(trigger_id, ()) if t.start >= 0]
            if not triggers:
                continue
            end = self._deadline(rule, page_end, skipped)
            if end is None:
                continue
            seen: set[tuple[int, int]] = set()
            # The stretches after each trigger, merged: a grant found by two rules, or a licence
            # beside it, is read once.
            merged = _merged((max(0, t.start - rule.window // 4), min(len(text), t.end + rule.window)) for t in triggers)
            same_length = len(folded) == len(text)
            for lo, hi in merged:
                # A condition rule with keywords reads a stretch only where one of them stands in it.
                if rule.keywords and same_length:
                    stretch = folded[lo:hi]
                    if not any(k in stretch for k in rule.keywords):
                        continue
                before = len(hits)
                try:
                    self._scan(rule, doc, lo, hi, hits, end)
                except _OutOfTime:
                    warnings.append(self._out_of_time(rule, end, page_end))
                    break
                finally:
                    # The same condition near two triggers is one hit.
                    kept = []
                    for h in hits[before:]:
                        if (h.start, h.end) not in seen:
                            seen.add((h.start, h.end))
                            kept.append(h)
                    del hits[before:]
                    hits.extend(kept)
        if skipped:
            shown = ", ".join(skipped[:10]) + (f" and {len(skipped) - 10} more" if len(skipped) > 10 else "")
            warnings.append(f"rules {shown} were skipped on this page: the page ran out of time "
                            f"({self.page_timeout}s for all rules)")
        hits.sort(key=lambda h: (h.start < 0, h.start, h.rule))
        return hits, warnings

    def _ruled_out(self, rule: Rule, may: set[int]) -> bool:
        """Whether the accelerator found that none of ``rule``'s patterns can match the page."""
        span = self._spans.get(rule.id)
        return span is not None and may.isdisjoint(span)

    def _deadline(self, rule: Rule, page_end: float, skipped: list[str]) -> float | None:
        """When ``rule`` must be done on this page; None (and the rule noted as skipped) when the
        page's time is already spent."""
        now = time.monotonic()
        if now >= page_end:
            skipped.append(rule.id)
            return None
        end = now + self.timeout
        return end if end < page_end else page_end

    def _out_of_time(self, rule: Rule, end: float, page_end: float) -> str:
        if end >= page_end:
            return (f"rule {rule.id} ran out of time (the page's {self.page_timeout}s for all rules) and was "
                    "skipped on this page")
        return f"rule {rule.id} ran out of time ({self.timeout}s) and was skipped on this page"

    def _scan(self, rule: Rule, doc: Document, lo: int, hi: int, hits: list[Hit], end: float) -> None:
        """``rule``'s patterns over ``text[lo:hi]``; raises _OutOfTime past ``end``."""
        text = doc.text
        clock = time.monotonic
        spans: list[tuple[int, int]] = []
        may = self._may
        if may is not None:
            first = self._first[rule.id]
            held = self._prefilter.holds
        try:
            for j, pat in enumerate(rule.patterns):
                if may is not None and first + j not in may and held(first + j):
                    continue  # the accelerator found that this pattern cannot match on the page
                left = end - clock()
                if left <= 0:
                    raise _OutOfTime
                n = 0
                for m in pat.finditer(text, lo, hi, timeout=left):
                    n += 1
                    if not n & 255 and clock() >= end:
                        raise _OutOfTime  # (the regex's own timeout does not count the work on its matches)
                    s, e = m.span()
                    if s == e or any(s < pe and ps < e for ps, pe in spans):
                        continue
                    region = doc.region_at(s)
                    if rule.scope and region not in rule.scope:
                        continue
                    if rule.exceptions and _excepted(
                            rule, text[max(0, s - EXCEPTION_BEFORE):e + EXCEPTION_AFTER], end, clock):
                        continue
                    spans.append((s, e))
                    groups = {k: v for k, v in m.groupdict().items() if v is not None}
                    hits.append(Hit(rule.id, rule.kind, m.group(0), s, e, doc.source_offset(s), region,
                                    rule.confidence, _resolve(rule.emits, groups), groups))
        except TimeoutError:
            raise _OutOfTime from None


def _left(end: float, clock) -> float:
    """Seconds left before ``end`` for one regex call (``regex`` takes a timeout <= 0 as none)."""
    left = end - clock()
    if left <= 0:
        raise _OutOfTime
    return left


def _excepted(rule: Rule, text: str, end: float, clock) -> bool:
    """Whether one of ``rule``'s exceptions matches ``text``, within the rule's time."""
    for x in rule.exceptions:
        if x.search(text, timeout=_left(end, clock)) is not None:
            return True
    return False
