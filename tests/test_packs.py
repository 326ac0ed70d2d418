"""Every rule proves itself: each example must match, each near-miss must not."""

from __future__ import annotations

import pytest

from compliance.packs.loader import default_ruleset
from compliance.packs.testing import check_example, coverage_problems

RULESET = default_ruleset()
CASES = [(r, i) for r in RULESET.rules for i in range(len(r.examples))]


def _id(case):
    rule, i = case
    ex = rule.examples[i]
    return f"{rule.pack}/{rule.id}/{'match' if ex['match'] else 'nomatch'}{i}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_rule_example(case):
    rule, i = case
    result = check_example(RULESET, rule, i)
    if result.known_miss:
        # A recorded miss must still fail; when it starts passing, record the fix.
        assert not result.passed, f"{rule.id} example {i} now passes: remove known_miss"
        pytest.xfail(result.known_miss)
    assert result.passed, f"{rule.file}: {rule.id}: example {i}: {result.message}"


def test_every_rule_has_a_match_and_a_near_miss():
    assert coverage_problems(RULESET) == []


def test_ids_and_names_are_unique():
    ids = [r.id for r in RULESET.rules]
    names = [r.name for r in RULESET.rules]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))


def test_rule_docs_do_not_drift():
    """docs/rules/ is generated from the packs and checks; regenerate with
    `python -m compliance.packs.docs docs/rules`."""
    from pathlib import Path

    from compliance.packs.docs import rendered_docs

    folder = Path(__file__).resolve().parent.parent / "docs" / "rules"
    expected = rendered_docs(RULESET)
    actual = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    assert sorted(actual) == sorted(expected), "docs/rules files differ: regenerate them"
    stale = [name for name, text in expected.items() if actual[name] != text]
    assert not stale, f"stale docs: {stale[:5]}: run python -m compliance.packs.docs docs/rules"
