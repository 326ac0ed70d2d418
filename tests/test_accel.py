"""The optional accelerator: it may only skip patterns that cannot match, so findings never change."""

from __future__ import annotations

import os
import time

from pathlib import Path

import pytest
import regex

from compliance.packs import accel
from compliance.packs import engine as engine_mod
from compliance.packs.engine import Engine
from compliance.packs.loader import FLAGS, default_ruleset
from compliance.read import read_path

hyperscan = pytest.importorskip("hyperscan")

HERE = Path(__file__).parent
CORPUS = sorted(p for p in (HERE / "corpus").rglob("*") if p.is_file() and p.suffix in (".html", ".md", ".txt"))


@pytest.fixture(scope="module")
def ruleset():
    return default_ruleset()


@pytest.fixture(scope="module")
def patterns(ruleset):
    """Every text pattern of the bundled packs: (rule id, source, compiled regex, case-sensitive)."""
    out = []
    for r in ruleset.rules:
        if r.kind == "signal":
            continue
        for src, pat in zip(r.pattern_sources, r.patterns):
            out.append((r.id, src, pat, r.case_sensitive))
    return out


@pytest.fixture(scope="module")
def prefilter(patterns):
    return accel.Prefilter([(src, cs) for _, src, _, cs in patterns])


def _loose_matches(expr: str, text: str, case_sensitive: bool = False) -> bool:
    db = hyperscan.Database()
    db.compile(expressions=[expr.encode()], ids=[0], flags=[accel._flags(case_sensitive)])
    hit = []
    db.scan(text.encode("utf-8"), match_event_handler=lambda *a: hit.append(1))
    return bool(hit)


@pytest.mark.parametrize("pattern, text", [
    (r"(?<=\bour )stories\b(?= may)", "our stories may"),
    (r"\n[ \t]*\KBy (?P<author>\p{Lu}\w+)", "\nBy Élodie"),
    (r"(?P<a>ab)c(?P=a)", "abcab"),
    (r"x(?&y)z(?(DEFINE)(?P<y>[0-9]{2,30}))", "x12z"),
    (r"caf\u00e9 cr[èe]me", "CAFÉ CRÈME"),
    (r"[^\n|·•]{3,100}·", "ñandú·"),
    (r"\bé\w+\s\d+$", "été 12"),
    (r"a.c", "a—c"),
    (r"(?-i:\p{Lu})[\p{L}'’-]+", "Øyvind’s"),
])
def test_loosened_pattern_matches_what_the_pattern_matches(pattern, text):
    assert regex.search(pattern, text, FLAGS | regex.IGNORECASE), "the case itself is wrong"
    loose = accel.loosen(pattern)
    assert loose is not None
    assert _loose_matches(loose, text)


def test_loosened_pattern_stays_selective():
    loose = accel.loosen(r"\b(?:republish|reprint)\b(?=\s+(?:our|this))")
    assert not _loose_matches(loose, "you may share this article")
    assert _loose_matches(loose, "you may REPRINT this article")


def test_unknown_constructs_are_left_to_the_regex():
    assert accel.loosen(r"(?x) a b") is None  # verbose mode is not rewritten
    assert accel.loosen(r"(unclosed") is None


def test_every_bundled_pattern_is_held(prefilter, patterns):
    assert len(prefilter.held) == len(patterns)


def test_no_pattern_that_matches_is_ever_ruled_out(prefilter, patterns, ruleset):
    """Over every rule example and every corpus document: a pattern that matches a text is
    among those the prefilter says may match it."""
    texts = [ex["text"] for r in ruleset.rules for ex in r.examples]
    texts += [read_path(str(p)).text for p in CORPUS]
    assert len(texts) > 300
    missed = []
    for text in texts:
        may = prefilter.scan(text)
        for i, (rid, _src, pat, _cs) in enumerate(patterns):
            if i not in may and pat.search(text) is not None:
                missed.append((rid, text[:60]))
    assert not missed


def test_same_hits_with_and_without_the_accelerator(ruleset, monkeypatch):
    monkeypatch.setattr(engine_mod, "ACCEL_MIN_CHARS", 0)
    monkeypatch.setattr(engine_mod, "ACCEL_AFTER_PAGES", 1)
    fast, plain = Engine(ruleset, accelerate=True), Engine(ruleset, accelerate=False)
    assert fast.accelerate and not plain.accelerate
    skipped = 0
    for p in CORPUS:
        doc = read_path(str(p))
        a, _ = fast.run(doc)
        b, _ = plain.run(doc)
        assert [(h.rule, h.start, h.end, h.emits) for h in a] == [(h.rule, h.start, h.end, h.emits) for h in b], p
        skipped += fast._prefilter.size - len(fast._may)
    assert skipped > 0  # the accelerator did skip work


def test_switched_off_by_the_environment(monkeypatch, ruleset):
    monkeypatch.setenv("COMPLIANCE_ACCEL", "0")
    assert not accel.available()
    assert not Engine(ruleset).accelerate


def test_cache_is_reused_and_a_damaged_one_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    pats = [(r"\breprint(?:ed)?\b", False), (r"(?<=\bno )copies", False)]
    first = accel.Prefilter(pats)
    files = list((tmp_path / "compliance").glob("prefilter-*.hsdb"))
    assert len(files) == 1
    assert first.scan("Reprinted with thanks") == {0}
    assert accel.Prefilter(pats).scan("no copies") == {1}
    files[0].write_bytes(b"held:0 1\nnot a database")
    rebuilt = accel.Prefilter(pats)
    assert rebuilt.scan("reprint no copies") == {0, 1}
    assert accel._read_cache(files[0]) is not None  # rewritten whole


def test_the_cache_keeps_only_the_most_recently_used_databases(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = tmp_path / "compliance"
    used = [(r"\bsyndicat", False)]
    accel.Prefilter(used)  # the oldest file, but read again below
    (kept_file,) = cache.glob("prefilter-*.hsdb")
    old = time.time() - 86400
    os.utime(kept_file, (old - 10, old - 10))
    stale = []
    for i in range(accel.CACHE_KEEP + 2):
        f = cache / f"prefilter-{i:032x}.hsdb"
        f.write_bytes(b"held:\n")
        os.utime(f, (old + i, old + i))
        stale.append(f)
    (cache / "prefilter-0123.held").write_text("0 1")  # an older release's file
    left_over = cache / "tmpabc123"  # an interrupted write, long ago
    left_over.write_bytes(b"x")
    os.utime(left_over, (old, old))
    busy = cache / "tmpdef456"  # a write going on now
    busy.write_bytes(b"x")
    assert accel.Prefilter(used).scan("syndicated") == {0}  # a read marks it used
    new = [(r"\breprint", False)]
    accel.Prefilter(new)  # a write prunes
    left = set(cache.iterdir())
    dbs = {f for f in left if f.suffix == ".hsdb"}
    assert len(dbs) == accel.CACHE_KEEP
    assert kept_file in dbs and accel._cache_path(new) in dbs
    assert set(stale[-(accel.CACHE_KEEP - 2):]) <= dbs and stale[0] not in dbs  # the oldest go
    assert busy in left and left_over not in left and not list(cache.glob("*.held"))


def test_a_pattern_not_rewritten_or_refused_by_hyperscan_is_always_run(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    # (?x) is not rewritten; "a?" is, but Hyperscan refuses an expression that matches nothing
    assert accel.loosen(r"a?") is not None
    pf = accel.Prefilter([(r"abc", False), (r"(?x) a b", False), (r"a?", False), (r"\bdef", False)])
    assert pf.held == [0, 3]
    assert pf.holds(0) and not pf.holds(1) and not pf.holds(2)
    assert pf.scan("xx def") == {3}


def test_a_short_run_never_waits_for_a_compile_but_uses_a_cached_database(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(engine_mod, "ACCEL_MIN_CHARS", 0)
    monkeypatch.setattr(engine_mod, "ACCEL_AFTER_PAGES", 3)
    rules = default_ruleset()
    doc = read_path(str(CORPUS[0]))
    eng = Engine(rules, accelerate=True)
    eng.run(doc)
    eng.run(doc)
    assert eng._may is None and not list(tmp_path.rglob("*.hsdb"))  # two pages: no compile
    eng.run(doc)
    assert eng._may is not None and list(tmp_path.rglob("*.hsdb"))  # the third compiles it
    later = Engine(rules, accelerate=True)
    later.run(doc)
    assert later._may is not None  # a later run loads it with its first page


def test_a_failing_accelerator_only_costs_its_speed_up(ruleset, monkeypatch):
    monkeypatch.setattr(engine_mod, "ACCEL_MIN_CHARS", 0)
    monkeypatch.setattr(engine_mod, "ACCEL_AFTER_PAGES", 1)
    doc = read_path(str(CORPUS[0]))
    plain, _ = Engine(ruleset, accelerate=False).run(doc)
    eng = Engine(ruleset, accelerate=True)
    eng.run(doc)

    def broken(text):
        raise hyperscan.error("scratch in use")

    monkeypatch.setattr(eng._prefilter, "scan", broken)
    hits, _ = eng.run(doc)
    assert eng._may is None
    assert [(h.rule, h.start) for h in hits] == [(h.rule, h.start) for h in plain]
