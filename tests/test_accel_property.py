"""The accelerator's rewriting, on patterns nobody wrote: wherever a pattern matches a text, its
looser expression matches that text too (else a user pack's finding could silently vanish).

A longer campaign: ``ACCEL_PROPERTY_EXAMPLES=20000 python -m pytest tests/test_accel_property.py``."""

from __future__ import annotations

import os

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.packs import accel
from compliance.packs.loader import FLAGS

hyperscan = pytest.importorskip("hyperscan")

_CHARS = "abcé ñ-,.\n’B"
_ATOMS = ["a", "b", "c", "é", "ñ", " ", "-", ",", r"\.", "’", "B", r"\w", r"\W", r"\s", r"\S", r"\d", ".",
          r"\p{L}", r"\p{Lu}", r"\P{L}", "[abc]", "[^a ]", "[a-c]", "[é-ñ]", "[^é]", r"[\w’-]", r"[^\s,]", r"\x41",
          r"\u00e9", r"\n"]
_QUANTS = ["", "", "", "?", "*", "+", "{2}", "{1,3}", "{0,12}", "*?", "+?", "{2,}"]
_ASSERTIONS = [r"\b", r"\B", "^", "$", r"\A", r"\Z", r"(?<=a)", r"(?<!b)", r"(?=\s)", r"(?!c)"]


@st.composite
def patterns(draw, depth: int = 0):
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["atom", "atom", "atom", "assert", "group"] if depth < 2 else ["atom", "assert"]))
        if kind == "atom":
            parts.append(draw(st.sampled_from(_ATOMS)) + draw(st.sampled_from(_QUANTS)))
        elif kind == "assert":
            parts.append(draw(st.sampled_from(_ASSERTIONS)))
        else:
            branches = draw(st.lists(patterns(depth + 1), min_size=1, max_size=3))
            opener = draw(st.sampled_from(["(?:", "(", "(?P<g%d>" % depth, "(?i:", "(?-i:", "(?>"]))
            parts.append(opener + "|".join(branches) + ")" + draw(st.sampled_from(_QUANTS)))
    return "".join(parts)


def _loose_matches(expr: str, text: str, case_sensitive: bool) -> bool:
    db = hyperscan.Database()
    db.compile(expressions=[expr.encode()], ids=[0], flags=[accel._flags(case_sensitive)])
    hit = []
    db.scan(text.encode("utf-8"), match_event_handler=lambda *a: hit.append(1))
    return bool(hit)


def _texts(pattern: str):
    """Short texts over the characters the pattern names and a few others, so that many of
    them match."""
    named = {c for c in pattern if c.isalpha() or c in " -,.’"} - set("wWsSdDpPLuxAZBbiPg")
    alphabet = "".join(sorted(named | set(_CHARS)))
    return st.text(alphabet=alphabet, min_size=1, max_size=25)


@settings(max_examples=int(os.environ.get("ACCEL_PROPERTY_EXAMPLES", "1000")), deadline=None, suppress_health_check=list(HealthCheck))
@given(pattern=patterns(), case_sensitive=st.booleans(), data=st.data())
def test_a_looser_expression_matches_wherever_the_pattern_does(pattern, case_sensitive, data):
    flags = FLAGS if case_sensitive else FLAGS | regex.IGNORECASE
    try:
        compiled = regex.compile(pattern, flags)
    except regex.error:
        return
    text = data.draw(_texts(pattern))
    try:
        m = compiled.search(text, timeout=0.2)
    except TimeoutError:
        return  # a generated pattern that backtracks catastrophically on this text
    if m is None or m.end() == m.start():
        return  # (an empty match is no hit: the engine skips those)
    loose = accel.loosen(pattern)
    if loose is None:
        return  # left to the regex: always run
    try:
        ok = _loose_matches(loose, text, case_sensitive)
    except hyperscan.error:
        return  # not compiled: the pattern is always run
    assert ok, (pattern, loose, text)
