"""Run a rule set over a document: keyword prefilter, then regexes, then scope and exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex

from ..document import Document
from ..licenses import normalise_group
from .loader import Rule, RuleSet

#: Seconds one rule may spend on one page before it is abandoned and reported.
RULE_TIMEOUT = 0.5
#: A text rule's regexes run only this far before and after an occurrence of one of its
#: keywords (the whole text when there are no keywords, or when the windows cover most of it).
WINDOW_BEFORE = 600
WINDOW_AFTER = 400
#: Characters before and after a hit in which a rule's ``exceptions`` are searched.
EXCEPTION_BEFORE = 120
EXCEPTION_AFTER = 40
_TEMPLATE = regex.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
            resolved = regex.sub(r"-{2,}", "-", resolved).strip(" -")
            if not resolved:
                continue
            out[key] = resolved
        else:
            out[key] = value
    return out


def _signal_index(doc: Document) -> dict[str, list[tuple]]:
    """Every signal a rule can read, by kind: (value, text_start, text_end, source_offset, region)."""
    index: dict[str, list[tuple]] = {}
    for ln in doc.links:
        index.setdefault("link", []).append((ln.href, ln.start, ln.end, ln.source_offset, ln.region))
        if ln.text:
            index.setdefault("link.text", []).append((ln.text, ln.start, ln.end, ln.source_offset, ln.region))
    for e in doc.embeds:
        index.setdefault(f"{e.kind}.src", []).append((e.url, -1, -1, e.source_offset, e.region))
        if e.alt:
            index.setdefault(f"{e.kind}.alt", []).append((e.alt, -1, -1, e.source_offset, e.region))
    for sg in doc.signals:
        index.setdefault(sg.kind, []).append((sg.value, -1, -1, sg.source_offset, sg.region))
    return index


@lru_cache(maxsize=4096)
def _wanted_kinds(wanted: tuple[str, ...], available: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(kind for kind in available
                 if any(kind == w or (w.endswith("*") and kind.startswith(w[:-1])) for w in wanted))


class Engine:
    """A compiled rule set, ready to run over many documents."""

    def __init__(self, ruleset: RuleSet, timeout: float = RULE_TIMEOUT):
        self.ruleset = ruleset
        self.timeout = timeout
        self.text_rules = [r for r in ruleset.rules if r.kind in ("existence", "extract")]
        self.signal_rules = [r for r in ruleset.rules if r.kind == "signal"]
        self.conditional_rules = [r for r in ruleset.rules if r.kind == "conditional"]
        self._keywords = sorted({k for r in self.text_rules for k in r.keywords})

    def _windows(self, rule: Rule, found: dict[str, list[int]] | None, size: int) -> list[tuple[int, int]] | None:
        """Stretches of text around the rule's keywords, merged; None means scan everything."""
        if found is None or not rule.keywords:
            return None
        spans = sorted((max(0, p - WINDOW_BEFORE), min(size, p + WINDOW_AFTER))
                       for k in rule.keywords for p in found.get(k, ()))
        merged: list[list[int]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        if sum(hi - lo for lo, hi in merged) > size // 2:
            return None
        return [(lo, hi) for lo, hi in merged]

    def run(self, doc: Document) -> tuple[list[Hit], list[str]]:
        """All hits on ``doc`` in document order, and warnings (rules that ran out of time)."""
        hits: list[Hit] = []
        warnings: list[str] = []
        text = doc.text
        folded = text.casefold()
        found: dict[str, list[int]] | None = None
        if len(folded) == len(text):
            # Every occurrence of every keyword (str.find runs in C); the offsets agree with the
            # text because casefolding changed no length.
            found = {}
            find = folded.find
            for k in self._keywords:
                pos = find(k)
                if pos < 0:
                    continue
                where = found[k] = []
                while pos >= 0 and len(where) < 2000:
                    where.append(pos)
                    pos = find(k, pos + 1)
        for rule in self.text_rules:
            if rule.keywords:
                if found is not None:
                    if not any(k in found for k in rule.keywords):
                        continue
                elif not any(k in folded for k in rule.keywords):
                    continue
            windows = self._windows(rule, found, len(text))
            for lo, hi in windows or [(0, len(text))]:
                self._scan(rule, doc, lo, hi, hits, warnings)
        index = _signal_index(doc) if self.signal_rules else {}
        kinds = tuple(sorted(index))
        folded: dict[str, str] = {}  # kind -> all its values, casefolded and joined
        for rule in self.signal_rules:
            wanted = _wanted_kinds(rule.signals, kinds)
            if rule.keywords:
                for k in wanted:
                    if k not in folded:
                        folded[k] = "\n".join(item[0] for item in index[k]).casefold()
                if not any(kw in folded[k] for k in wanted for kw in rule.keywords):
                    continue  # none of its keywords in any value it reads
            items = [(kind, *item) for kind in wanted for item in index[kind]]
            for kind, value, start, end, src, region in items:
                if rule.keywords and not any(k in value.casefold() for k in rule.keywords):
                    continue
                if rule.scope and region not in rule.scope:
                    continue
                for pat in rule.patterns:
                    m = pat.search(value)
                    if m is None:
                        continue
                    if any(x.search(value) for x in rule.exceptions):
                        break
                    groups = {k: v for k, v in m.groupdict().items() if v is not None}
                    hits.append(Hit(rule.id, rule.kind, value, start, end, src, region,
                                    rule.confidence, _resolve(rule.emits, groups), groups, kind))
                    break
        fired: dict[str, list[Hit]] = {}
        for h in hits:
            fired.setdefault(h.rule, []).append(h)
        for rule in self.conditional_rules:
            seen: set[tuple[int, int]] = set()
            for trigger_id in rule.within:
                for t in fired.get(trigger_id, ()):
                    if t.start < 0:
                        continue
                    lo = max(0, t.start - rule.window // 4)
                    hi = min(len(text), t.end + rule.window)
                    before = len(hits)
                    self._scan(rule, doc, lo, hi, hits, warnings)
                    # The same condition near two triggers is one hit.
                    kept = []
                    for h in hits[before:]:
                        if (h.start, h.end) not in seen:
                            seen.add((h.start, h.end))
                            kept.append(h)
                    del hits[before:]
                    hits.extend(kept)
        hits.sort(key=lambda h: (h.start < 0, h.start, h.rule))
        return hits, warnings

    def _scan(self, rule: Rule, doc: Document, lo: int, hi: int, hits: list[Hit], warnings: list[str]) -> None:
        text = doc.text
        spans: list[tuple[int, int]] = []
        for pat in rule.patterns:
            try:
                for m in pat.finditer(text, lo, hi, timeout=self.timeout):
                    s, e = m.span()
                    if s == e or any(s < pe and ps < e for ps, pe in spans):
                        continue
                    region = doc.region_at(s)
                    if rule.scope and region not in rule.scope:
                        continue
                    if rule.exceptions:
                        ctx = text[max(0, s - EXCEPTION_BEFORE):e + EXCEPTION_AFTER]
                        if any(x.search(ctx) for x in rule.exceptions):
                            continue
                    spans.append((s, e))
                    groups = {k: v for k, v in m.groupdict().items() if v is not None}
                    hits.append(Hit(rule.id, rule.kind, m.group(0), s, e, doc.source_offset(s), region,
                                    rule.confidence, _resolve(rule.emits, groups), groups))
            except TimeoutError:
                warnings.append(f"rule {rule.id} ran out of time ({self.timeout}s) and was skipped on this page")
                return
