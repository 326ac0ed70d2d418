"""The bundled packs load lazily (patterns compiled on first use) and give what a full load gives."""

from __future__ import annotations

import subprocess
import sys

import regex

from compliance.packs.loader import _GROUP_NAME, default_ruleset, load_packs


def test_lazy_bundled_packs_compile_to_the_same_patterns_as_a_full_load():
    full, lazy = load_packs(), load_packs(lazy_builtin=True)
    assert [r.id for r in full.rules] == [r.id for r in lazy.rules]
    for a, b in zip(full.rules, lazy.rules):
        assert "patterns" not in b.__dict__  # not compiled yet
        assert [(p.pattern, p.flags) for p in a.patterns] == [(p.pattern, p.flags) for p in b.patterns], a.id
        assert [(p.pattern, p.flags) for p in a.exceptions] == [(p.pattern, p.flags) for p in b.exceptions], a.id


def test_group_names_read_from_the_source_are_the_compiled_ones():
    for rule in load_packs().rules:
        from_source = {g for p in rule.pattern_sources for g in _GROUP_NAME.findall(p)}
        compiled = {g for p in rule.patterns for g in p.groupindex}
        assert from_source == compiled, rule.id
    assert _GROUP_NAME.findall(r"(?P<holder>\w+) \(?<year>\d+) \\(?P<no>x)") == ["holder", "no"]


def test_user_pack_patterns_are_compiled_and_checked_when_loaded(tmp_path):
    pack = tmp_path / "mine"
    (pack / "rules").mkdir(parents=True)
    (pack / "pack.toml").write_text('id = "mine"\nversion = "1.0.0"\ntitle = "Mine"\n')
    (pack / "rules" / "r.toml").write_text(
        '[[rule]]\nid = "MINE001"\nname = "mine.bad"\nkind = "existence"\nmessage = "m"\n'
        'keywords = ["x"]\npatterns = ["(unclosed"]\n')
    try:
        load_packs([str(pack)])
    except Exception as exc:  # PackError, listing the pattern that does not compile
        assert "MINE001" in str(exc) and "does not compile" in str(exc)
    else:
        raise AssertionError("a broken user pattern must be reported at load time")


def test_default_ruleset_detects_with_lazily_compiled_rules():
    rs = default_ruleset()
    assert any(isinstance(p, regex.Pattern) for r in rs.rules for p in r.patterns)


def test_terms_command_starts_without_compiling_every_rule(tmp_path):
    page = tmp_path / "one.txt"
    page.write_text("© 2024 Example Media. All rights reserved.\n")
    code = ("import sys; from compliance.cli import main; from compliance.packs.loader import default_ruleset\n"
            "try:\n    main(['terms', sys.argv[1], '--format', 'json'])\nexcept SystemExit:\n    pass\n"
            "rs = default_ruleset(); print(sum('patterns' in r.__dict__ for r in rs.rules), len(rs.rules))")
    out = subprocess.run([sys.executable, "-c", code, str(page)], capture_output=True, text=True, check=True)
    compiled, total = map(int, out.stdout.split()[-2:])
    assert 0 < compiled < total / 2


def test_bundled_packs_pass_the_full_check():
    """The lazy load skips the schema and compile checks; here they run in full (PackError if not)."""
    rs = load_packs()
    assert len(rs.rules) >= 40 and all(r.patterns or r.signals for r in rs.rules)


def _one_rule_pack(tmp_path, body: str):
    pack = tmp_path / "mine"
    (pack / "rules").mkdir(parents=True)
    (pack / "pack.toml").write_text('id = "mine"\nversion = "1.0.0"\ntitle = "Mine"\n')
    (pack / "rules" / "r.toml").write_text(
        '[[rule]]\nid = "MINE001"\nname = "mine.notice"\nkind = "existence"\nmessage = "m"\n' + body +
        'emits = { notices = ["disclaimer"] }\nexplanation.what = "w"\nexplanation.why = "y"\n'
        '[[rule.examples]]\ntext = "Opinions are our own."\nmatch = true\n'
        '[[rule.examples]]\ntext = "Opinions differ."\nmatch = false\n')
    return str(pack)


def test_a_text_rule_that_names_signals_reads_them_as_well_as_the_text(tmp_path):
    from compliance.detect import detect_terms
    from compliance.read import read_bytes

    rules = load_packs([_one_rule_pack(tmp_path, 'signals = ["meta.copyright"]\npatterns = [\'\'\'opinions\\s+are\\s+our\\s+own\'\'\']\n')])
    page = b'<html><head><meta name="copyright" content="Opinions are our own."></head><body><p>Story.</p></body></html>'
    terms = detect_terms(read_bytes(page, "p.html"), rules)
    assert [n["evidence"][0]["signal"] for n in terms.notices] == ["meta.copyright"]
    try:
        load_packs([_one_rule_pack(tmp_path / "b", 'signals = ["meta.nosuch", "bogus"]\npatterns = ["x"]\n')])
    except Exception as exc:
        assert "MINE001" in str(exc) and "unknown signal kind 'bogus'" in str(exc)
    else:
        raise AssertionError("an unknown signal kind must be reported")

