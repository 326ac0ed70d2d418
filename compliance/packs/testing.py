"""Run each rule's own examples: a text it must match and a near-miss it must not.

Shared by the test suite and ``compliance packs test``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..document import HTML, MARKDOWN, TEXT
from ..read import read_bytes
from .engine import Engine
from .loader import Rule, RuleSet

_MEDIA = {"text": TEXT, "html": HTML, "markdown": MARKDOWN}


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    index: int
    passed: bool
    known_miss: str | None
    message: str


def _sub_ruleset(ruleset: RuleSet, rule: Rule) -> RuleSet:
    wanted = {rule.id, *rule.within}
    return RuleSet(ruleset.packs, tuple(r for r in ruleset.rules if r.id in wanted))


def check_example(ruleset: RuleSet, rule: Rule, index: int) -> ExampleResult:
    ex = rule.examples[index]
    fmt = ex.get("format", "text")
    doc = read_bytes(ex["text"].encode("utf-8"), f"{rule.id}-example-{index}", media_type=_MEDIA[fmt])
    hits, _ = Engine(_sub_ruleset(ruleset, rule)).run(doc)
    mine = [h for h in hits if h.rule == rule.id]
    want = bool(ex["match"])
    ok = bool(mine) == want
    msg = ""
    if not ok:
        msg = f"expected {'a match' if want else 'no match'}, got {len(mine)} hit(s)" + (
            f": {mine[0].text!r}" if mine else ""
        )
    elif want and ex.get("expect"):
        for key, value in ex["expect"].items():
            got = [h.emits.get(key) for h in mine]
            if value not in got and not any(isinstance(g, list) and set(value) <= set(g) for g in got if isinstance(value, list)):
                ok = False
                msg = f"expected {key} = {value!r}, got {got!r}"
                break
    return ExampleResult(rule.id, index, ok, ex.get("known_miss"), msg)


def run_examples(ruleset: RuleSet) -> list[ExampleResult]:
    return [check_example(ruleset, r, i) for r in ruleset.rules for i in range(len(r.examples))]


def coverage_problems(ruleset: RuleSet) -> list[str]:
    """Rules lacking a matching example or a near-miss."""
    out = []
    for r in ruleset.rules:
        kinds = {bool(e.get("match")) for e in r.examples if not e.get("known_miss")}
        if True not in kinds:
            out.append(f"{r.file}: {r.id}: no example it must match")
        if False not in kinds:
            out.append(f"{r.file}: {r.id}: no near-miss example it must not match")
    return out
