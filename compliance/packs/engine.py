"""Run a rule set over a document: keyword prefilter, then regexes, then scope and exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from ..document import Document
from ..licenses import normalise_group
from .loader import Rule, RuleSet

#: Seconds one rule may spend on one page before it is abandoned and reported.
RULE_TIMEOUT = 0.5
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


def _signal_items(doc: Document, wanted: tuple[str, ...]):
    """(kind, value, text_start, text_end, source_offset, region) for every signal a rule reads."""
    def want(kind: str) -> bool:
        return any(kind == w or (w.endswith("*") and kind.startswith(w[:-1])) for w in wanted)

    if want("link") or want("link.text"):
        for ln in doc.links:
            if want("link"):
                yield "link", ln.href, ln.start, ln.end, ln.source_offset, ln.region
            if want("link.text") and ln.text:
                yield "link.text", ln.text, ln.start, ln.end, ln.source_offset, ln.region
    for e in doc.embeds:
        if want(f"{e.kind}.src"):
            yield f"{e.kind}.src", e.url, -1, -1, e.source_offset, e.region
        if e.alt and want(f"{e.kind}.alt"):
            yield f"{e.kind}.alt", e.alt, -1, -1, e.source_offset, e.region
    for s in doc.signals:
        if want(s.kind):
            yield s.kind, s.value, -1, -1, s.source_offset, s.region


class Engine:
    """A compiled rule set, ready to run over many documents."""

    def __init__(self, ruleset: RuleSet, timeout: float = RULE_TIMEOUT):
        self.ruleset = ruleset
        self.timeout = timeout
        self.text_rules = [r for r in ruleset.rules if r.kind in ("existence", "extract")]
        self.signal_rules = [r for r in ruleset.rules if r.kind == "signal"]
        self.conditional_rules = [r for r in ruleset.rules if r.kind == "conditional"]

    def run(self, doc: Document) -> tuple[list[Hit], list[str]]:
        """All hits on ``doc`` in document order, and warnings (rules that ran out of time)."""
        hits: list[Hit] = []
        warnings: list[str] = []
        text = doc.text
        folded = text.casefold()
        for rule in self.text_rules:
            if rule.keywords and not any(k in folded for k in rule.keywords):
                continue
            self._scan(rule, doc, 0, len(text), hits, warnings)
        for rule in self.signal_rules:
            for kind, value, start, end, src, region in _signal_items(doc, rule.signals):
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
