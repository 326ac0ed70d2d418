"""What validation reads of a copy's own terms (the licences it states, its fair-use notice) comes
out the same from the smaller rule set it runs on copies as from every rule."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from compliance.detect import detect_terms
from compliance.packs.loader import default_ruleset
from compliance.read import read_path
from compliance.validate import copy_ruleset

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "tests" / "corpus", ROOT / "tests" / "holdout"]


def _documents() -> list[Path]:
    out = []
    for corpus in CORPORA:
        labels = corpus / "labels.toml"
        if labels.exists():
            out += [corpus / d["file"] for d in tomllib.loads(labels.read_text("utf-8"))["doc"]]
    return out + sorted((ROOT / "seeds").rglob("*.html")) + [ROOT / "seeds" / "000_9e6abf22d7dd6653.txt"]


def _what_validation_reads(terms) -> tuple:
    return ([(x["id"], x["scope"], x["origin"]) for x in terms.licenses], terms.summary.fair_use_notice)


def test_the_copy_rule_set_is_smaller():
    full = default_ruleset()
    assert 0 < len(copy_ruleset(full).rules) < len(full.rules)


@pytest.mark.parametrize("path", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_copy_rule_set_reads_licences_and_fair_use_alike(path):
    full = default_ruleset()
    doc = read_path(str(path))
    assert _what_validation_reads(detect_terms(doc, copy_ruleset(full))) == _what_validation_reads(
        detect_terms(doc, full))
