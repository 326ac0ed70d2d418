"""The rule engine's time budget: each rule's regexes (patterns and exceptions, over text
windows, signal values and conditional windows) share one budget per page, and all rules share
one per page; a rule that runs out is skipped on that page with a warning, and the run goes on."""

from __future__ import annotations

import time

import pytest
from conftest import SEED

from compliance.packs.engine import PAGE_TIMEOUT, RULE_TIMEOUT, Engine
from compliance.packs.loader import Rule, RuleSet, default_ruleset
from compliance.read import read_bytes

# Backtracks catastrophically on a long run of "a" that does not end with "!".
EVIL = "(a+)+!"


def rule(rule_id: str, kind: str = "existence", patterns: tuple[str, ...] = (EVIL,), **kw) -> Rule:
    return Rule(id=rule_id, name=rule_id.lower(), kind=kind, message="m", pack="test", file="rules.toml",
                pattern_sources=patterns, emits={"license": "custom"}, **kw)


def engine(*rules: Rule, timeout: float = 0.1, page_timeout: float = 1.0) -> Engine:
    # Without the accelerator, which would rule the slow pattern out on texts lacking its "!"
    # (see test_the_accelerator_spares_a_pattern_that_cannot_match): these tests are about
    # the budget of the regexes that do run.
    return Engine(RuleSet((), rules), timeout=timeout, page_timeout=page_timeout, accelerate=False)


def text_doc(text: str):
    return read_bytes(text.encode(), "page.txt")


def timed(eng: Engine, doc):
    t0 = time.monotonic()
    hits, warnings = eng.run(doc)
    return hits, warnings, time.monotonic() - t0


def out_of_time(warnings: list[str], rule_id: str) -> list[str]:
    return [w for w in warnings if w.startswith(f"rule {rule_id} ran out of time")]


# 40 keyword windows, each of which alone costs the slow pattern far more than its budget.
MANY_WINDOWS = ("a" * 590 + " reprint " + "a" * 395 + "\n" + "b " * 1100 + "\n") * 40


def test_the_budget_is_per_rule_per_page_not_per_keyword_window():
    eng = engine(rule("EVIL001", keywords=("reprint",)), timeout=0.1)
    _, warnings, elapsed = timed(eng, text_doc(MANY_WINDOWS))
    assert elapsed < 0.6  # one budget (0.1 s), not 40
    assert out_of_time(warnings, "EVIL001") == ["rule EVIL001 ran out of time (0.1s) and was skipped on this page"]


def test_the_accelerator_spares_a_pattern_that_cannot_match(monkeypatch):
    pytest.importorskip("hyperscan")
    from compliance.packs import engine as engine_mod

    monkeypatch.setattr(engine_mod, "ACCEL_AFTER_PAGES", 1)
    eng = Engine(RuleSet((), (rule("EVIL001", keywords=("reprint",)),)), timeout=0.1, page_timeout=1.0,
                 accelerate=True)
    _, warnings, elapsed = timed(eng, text_doc(MANY_WINDOWS))
    assert not out_of_time(warnings, "EVIL001")
    assert elapsed < 0.1
    # where the pattern can match, the regex runs (and its budget holds)
    _, warnings, _ = timed(eng, text_doc(MANY_WINDOWS + "aaaa!"))
    assert out_of_time(warnings, "EVIL001")


def test_a_slow_signal_rule_is_bounded():
    slow = rule("SIG001", kind="signal", signals=("meta.*",))
    names = ("description", "copyright", "author", "dc.rights", "article:author") * 4
    html = ("<html><head>" + "".join(f'<meta name="{n}" content="{"a" * 2000}">' for n in names)
            + "</head><body><p>x</p></body></html>")
    doc = read_bytes(html.encode(), "p.html")
    assert len(doc.signals) == 20
    _, warnings, elapsed = timed(engine(slow, timeout=0.1), doc)
    assert elapsed < 0.6  # 20 values, one budget
    assert out_of_time(warnings, "SIG001")


def test_a_slow_exception_is_bounded_in_text_and_signal_rules():
    text_rule = rule("EXC001", patterns=(r"reprint a+",), keywords=("reprint",), exception_sources=(EVIL,))
    page = ("reprint " + "a" * 2000 + "\n\n" + "b " * 2000 + "\n\n") * 10
    _, warnings, elapsed = timed(engine(text_rule, timeout=0.1), text_doc(page))
    assert elapsed < 0.6
    assert out_of_time(warnings, "EXC001")

    signal_rule = rule("EXC002", kind="signal", patterns=("a",), signals=("meta.*",), exception_sources=(EVIL,))
    html = '<html><head><meta name="description" content="' + "a" * 2000 + '"></head><body><p>x</p></body></html>'
    _, warnings, elapsed = timed(engine(signal_rule, timeout=0.1), read_bytes(html.encode(), "p.html"))
    assert elapsed < 0.6
    assert out_of_time(warnings, "EXC002")


def test_a_slow_conditional_rule_is_bounded_across_its_triggers():
    trigger = rule("TRIG001", patterns=(r"\breprint\b",), keywords=("reprint",))
    cond = rule("COND001", kind="conditional", within=("TRIG001",), window=400)
    page = ("reprint " + "a" * 300 + "\n\n" + "b " * 400 + "\n\n") * 30
    hits, warnings, elapsed = timed(engine(trigger, cond, timeout=0.1), text_doc(page))
    assert elapsed < 0.6
    assert out_of_time(warnings, "COND001") == ["rule COND001 ran out of time (0.1s) and was skipped on this page"]
    assert sum(h.rule == "TRIG001" for h in hits) == 30  # the trigger's own hits are all there


def test_the_page_budget_bounds_all_rules_together():
    rules = [rule(f"EVIL{i:03d}") for i in range(12)]
    page = "a" * 3000
    _, warnings, elapsed = timed(engine(*rules, timeout=0.1, page_timeout=0.35), text_doc(page))
    assert elapsed < 0.9  # the page's 0.35 s, not 12 x 0.1 s
    ran_out = [w.split()[1] for w in warnings if w.startswith("rule ")]
    assert ran_out == [f"EVIL{i:03d}" for i in range(len(ran_out))] and 3 <= len(ran_out) <= 5
    assert "the page's 0.35s for all rules" in warnings[len(ran_out) - 1]
    skipped = warnings[len(ran_out):]
    assert len(skipped) == 1 and skipped[0].endswith("were skipped on this page: the page ran out of time "
                                                     "(0.35s for all rules)")
    assert skipped[0].startswith(f"rules EVIL{len(ran_out):03d}, ") and "EVIL011" in skipped[0]


def test_hits_found_before_the_budget_ran_out_are_kept():
    # The first pattern finds its hit at once; the second then runs out of time.
    r = rule("HALF001", patterns=(r"\bCopyright 2020\b", EVIL))
    hits, warnings, _ = timed(engine(r, timeout=0.1), text_doc("Copyright 2020 X.\n\n" + "a" * 3000))
    assert [h.text for h in hits] == ["Copyright 2020"]
    assert out_of_time(warnings, "HALF001")


def test_an_ordinary_page_meets_no_budget():
    from compliance.detect import detect_terms

    doc = read_bytes(SEED.read_bytes(), "article.txt")
    terms = detect_terms(doc, default_ruleset())
    assert not any("out of time" in w for w in terms.warnings)
    assert RULE_TIMEOUT == 0.5 and PAGE_TIMEOUT >= 2 * RULE_TIMEOUT


@pytest.mark.parametrize("timeout", [0.0, -1.0])
def test_no_time_left_means_no_regex_runs(timeout):
    # (the regex module takes a negative timeout as none at all: the engine never passes one)
    hits, warnings, elapsed = timed(engine(rule("EVIL001"), timeout=timeout), text_doc("a" * 3000))
    assert hits == [] and out_of_time(warnings, "EVIL001") and elapsed < 0.5


def test_a_rule_that_matches_everywhere_is_bounded_too():
    # Each match is quick; the work on hundreds of thousands of them is what takes the time.
    everywhere = rule("DOT001", patterns=(r"\w",))
    hits, warnings, elapsed = timed(engine(everywhere, timeout=0.1), text_doc("ab " * 300_000))
    assert elapsed < 0.6
    assert out_of_time(warnings, "DOT001") and hits  # the hits found in time are kept


def test_a_condition_rule_with_keywords_reads_only_stretches_that_hold_one():
    trigger = rule("T1", patterns=("republish",))
    gated = rule("C1", kind="conditional", patterns=("credit",), within=("T1",), window=200, keywords=("attribution",))
    plain = rule("C2", kind="conditional", patterns=("credit",), within=("T1",), window=200)
    eng = engine(trigger, gated, plain, timeout=1.0, page_timeout=5.0)
    fired = {h.rule for h in eng.run(text_doc("You may republish this story. Please credit the author."))[0]}
    assert fired == {"T1", "C2"}
    fired = {h.rule for h in eng.run(text_doc("You may republish this story. Attribution: please credit the author."))[0]}
    assert fired == {"T1", "C1", "C2"}
