"""The command as a user runs it: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SEED, SEED_SUMMARY

from compliance.cli import main
from compliance.terms import schema_problems


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_terms_json_validates_and_matches_design(capsys):
    code, out, _ = run(capsys, "terms", str(SEED), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert schema_problems(data) == []
    assert {k: data["summary"][k] for k in SEED_SUMMARY} == SEED_SUMMARY
    assert "not legal advice" in data["disclaimer"]


def test_terms_text_shows_evidence_and_disclaimer(capsys):
    code, out, _ = run(capsys, "terms", str(SEED))
    assert code == 0
    assert "custom" in out and "South Front" in out
    import re

    assert re.search(r"\n    24:\d+  XPOST001  grant: ", out)  # the grant sits on line 24 of the sample
    assert "not legal advice" in out


def test_terms_url_option_is_recorded(capsys):
    code, out, _ = run(capsys, "terms", str(SEED), "--format", "json", "--url", "https://www.globalresearch.ca/a/1")
    assert json.loads(out)["source"]["url"] == "https://www.globalresearch.ca/a/1"


@pytest.mark.parametrize("kind", ["missing", "directory", "binary", "empty", "huge"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, kind):
    path = tmp_path / "x.html"
    if kind == "directory":
        path = tmp_path
    elif kind == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "huge":
        with open(path, "wb") as fh:
            fh.write(b"<html><body><p>" + b"word " * (50 * 1024 * 1024 // 5) + b"</p></body></html>")
    code, out, err = run(capsys, "terms", str(path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and str(path) in err
    assert "Traceback" not in err


def test_undecodable_bytes_are_read_not_fatal(tmp_path, capsys):
    path = tmp_path / "bad.html"
    path.write_bytes(b"<html><body><p>caf\xe9 \xff\xfe\xfa na\xefve</p><p>All rights reserved.</p></body></html>")
    code, out, err = run(capsys, "terms", str(path), "--format", "json")
    assert code == 0 and json.loads(out)["summary"]["license"] == "all-rights-reserved"


def test_one_bad_file_among_good_ones_reports_and_goes_on(tmp_path, capsys):
    code, out, err = run(capsys, "terms", str(SEED), str(tmp_path / "missing.txt"), "--format", "json")
    assert code == 2
    assert len(json.loads(out)) == 1
    assert "missing.txt" in err


def test_pack_with_three_mistakes_reports_all_three(tmp_path, capsys):
    pack = tmp_path / "mine"
    (pack / "rules").mkdir(parents=True)
    (pack / "pack.toml").write_text('id = "mine"\nversion = "1.0.0"\ntitle = "Mine"\n')
    (pack / "rules" / "r.toml").write_text(
        """
[[rule]]
id = "MINE001"
name = "mine.one"
kind = "existance"
message = "m"
patterns = ['x']
emits = {}
explanation.what = "w"
explanation.why = "y"
examples = [{text = "x", match = true}, {text = "y", match = false}]

[[rule]]
id = "MINE002"
name = "mine.two"
kind = "existence"
message = "m"
patterns = ['(unclosed']
emits = {}
explanation.what = "w"
explanation.why = "y"
examples = [{text = "x", match = true}, {text = "y", match = false}]

[[rule]]
id = "MINE003"
name = "mine.three"
kind = "extract"
message = "m"
patterns = ['(?P<who>\\\\w+) wrote']
emits = { author = "{name}" }
explanation.what = "w"
explanation.why = "y"
examples = [{text = "x", match = true}, {text = "y", match = false}]
""")
    code, out, err = run(capsys, "packs", "validate", str(pack))
    assert code == 2
    assert "MINE001: unknown kind 'existance'; valid kinds: existence, extract, signal, conditional" in err
    assert "MINE002: patterns[0] does not compile" in err
    assert "MINE003: emits.author uses group {name} that no pattern defines" in err
    assert "Traceback" not in err


def test_catastrophic_pattern_is_flagged(tmp_path, capsys):
    pack = tmp_path / "slow"
    (pack / "rules").mkdir(parents=True)
    (pack / "pack.toml").write_text('id = "slow"\nversion = "1.0.0"\ntitle = "Slow"\n')
    (pack / "rules" / "r.toml").write_text(
        """
[[rule]]
id = "SLOW001"
name = "slow.one"
kind = "existence"
message = "m"
patterns = ['(a+)+$']
emits = {}
explanation.what = "w"
explanation.why = "y"
examples = [{text = "aaa", match = true}, {text = "b", match = false}]
""")
    code, out, err = run(capsys, "packs", "validate", str(pack))
    assert code == 2 and "SLOW001" in out and "catastrophic" in out


def test_bundled_packs_validate_and_pass_their_examples(capsys):
    assert run(capsys, "packs", "validate")[0] == 0
    code, out, _ = run(capsys, "packs", "test")
    assert code == 0 and " 0 failed" in out


def test_packs_new_scaffolds_a_pack_that_passes(tmp_path, capsys):
    code, out, _ = run(capsys, "packs", "new", "my-terms", "--dir", str(tmp_path))
    assert code == 0
    assert run(capsys, "packs", "test", str(tmp_path / "my-terms"))[0] == 0


def test_rules_and_explain(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "XPOST001" in out and "republishing.grant" in out
    code, out, _ = run(capsys, "explain", "XPOST013")
    assert code == 0
    for section in ("## What it does", "## Why", "## Examples"):
        assert section in out
    code, _, err = run(capsys, "explain", "NOPE999")
    assert code == 2 and "NOPE999" in err


def test_unknown_option_is_exit_2(capsys):
    code, _, err = run(capsys, "terms", str(SEED), "--format", "xml")
    assert code == 2 and "invalid choice" in err


def test_python_dash_m_works():
    r = subprocess.run([sys.executable, "-m", "compliance", "terms", str(SEED), "--format", "json"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and json.loads(r.stdout)["summary"]["license"] == "custom"


def test_ci_runs_the_test_command_readme_gives():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "python -m pip install -e '.[test]' && python -m pytest -q"
    assert command in readme
    assert command.replace("pip install -e", "pip install --quiet -e") in ci
