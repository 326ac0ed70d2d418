"""Every report format, read back by what reads it: the JSON schema, the SARIF 2.1.0 schema and a
SARIF consumer (sarif-tools), a JUnit parser (junitparser), and plain checks for the rest.

The SARIF schema, ``tests/data/sarif-schema-2.1.0-rtm.4.json``, is the SARIF 2.1.0 JSON Schema
(release-candidate rtm.4, draft-04) as shipped in the source distribution of the MIT-licensed
``sarif-om`` 1.0.4 package on PyPI (Microsoft's SARIF object model), copied unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator

from compliance import DISCLAIMER
from compliance.findings import CopyResult, Finding, Report
from compliance.report import FORMATS, render
from compliance.report.github import escape_data, escape_property
from compliance.report.json_report import report_schema, validate_report
from compliance.report.sarif import FINGERPRINT_KEY, artifact_uri

DATA = Path(__file__).parent / "data"
SARIF_SCHEMA = DATA / "sarif-schema-2.1.0-rtm.4.json"

GOOD = "copies/compliant.html"
BAD = "copies/republished.html"
GONE = "copies/gone.html"
SRC = "https://www.globalresearch.ca/terrorist-retreat/5485063"
LINK_FIX = '<a href="https://www.globalresearch.ca/terrorist-retreat/5485063">Original article</a>'
ATTRIBUTION = ("<p>Copyright © South Front, Global Research, 2016</p>\n"
               '<p><a href="https://www.globalresearch.ca/terrorist-retreat/5485063">Original article</a></p>')
EVIL = "<script>alert('x')</script> Republished from Global Research"


def _report() -> Report:
    good = CopyResult(GOOD, SRC, (
        Finding(GOOD, 3, 1, "CRED001", "credit_author", "met", "info", "credits South Front", "By South Front",
                source=SRC),
        Finding(GOOD, 40, 5, "LINK001", "link_original", "met", "info", "links to the original article",
                'Originally published <a href="…">here</a>', source=SRC),
        Finding(GOOD, 1, 1, "MOD002", "indicate_changes", "not_applicable", "info",
                "nothing was changed, so there is nothing to indicate", source=SRC),
    ), venue="community", url="https://example.org/a", similarity=0.98, coverage=1.0)
    bad = CopyResult(BAD, SRC, (
        # deliberately out of order: renderers sort
        Finding(BAD, 12, 3, "LINK001", "link_original", "unmet", "error",
                "does not link to the original article: 100% of links go elsewhere", EVIL, LINK_FIX, SRC,
                {"links": ["https://example.org/"]}),
        Finding(BAD, 2, 1, "CRED001", "credit_author", "met", "info", "credits South Front", "By South Front",
                source=SRC),
        Finding(BAD, 30, 7, "LINK003", "link_original", "unmet", "warning",
                "links only to the home page, not to the article", "https://www.globalresearch.ca/",
                "link to the article itself", SRC),
        Finding(BAD, 5, 1, "MOD001", "no_modification", "cannot_verify", "warning",
                "no source text to compare with: pass --source, then run again", source=SRC),
        Finding(BAD, 8, 2, "CRED003", "credit_copyright", "unmet", "error", "no copyright line", None,
                "add: Copyright © South Front", SRC, suppressed="inline: the holder agreed by e-mail"),
        Finding(BAD, 9, 1, "PROH001", "prohibition", "unmet", "warning", "agency text forbids republication",
                "may not be published, broadcast, rewritten or redistributed", None, SRC,
                suppressed="baseline: known finding"),
    ), venue="commercial", similarity=0.7, coverage=0.65, fix=ATTRIBUTION, fair_use={"purpose": "news"})
    gone = CopyResult(GONE, SRC, (
        Finding(GONE, 1, 1, "READ001", "unreadable", "unmet", "error", "copies/gone.html: no such file",
                source=SRC),
    ), error="copies/gone.html: no such file")
    return Report((bad, gone, good), packs={"agency": "1.0.0", "attribution": "1.2.0"})


@pytest.fixture
def report() -> Report:
    return _report()


def test_formats_listed_and_dispatched(report):
    assert FORMATS == ("text", "json", "sarif", "junit", "github", "markdown", "html")
    for fmt in FORMATS:
        assert render(report, fmt).strip()
    with pytest.raises(ValueError):
        render(report, "pdf")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(report, fmt):
    first = render(report, fmt)
    # the same report built again, with copies and findings in another order
    shuffled = Report(tuple(CopyResult(r.path, r.source, tuple(reversed(r.findings)), r.venue, r.url, r.similarity,
                                       r.coverage, r.fix, r.fair_use, r.error) for r in reversed(report.results)),
                      packs=dict(reversed(list(report.packs.items()))))
    assert render(shuffled, fmt) == first
    assert render(_report(), fmt) == first


# --- json -------------------------------------------------------------------------------------------


def test_json_is_to_dict_and_validates(report):
    text = render(report, "json")
    data = json.loads(text)
    assert data == json.loads(json.dumps(report.to_dict()))
    Draft202012Validator.check_schema(report_schema())
    assert validate_report(data) == []
    assert data["summary"]["unmet"] == 3 and data["summary"]["suppressed"] == 2
    assert [r["status"] for r in data["results"]] == ["compliant", "error", "noncompliant"]


def test_json_schema_rejects_what_is_not_a_report(report):
    data = report.to_dict()
    data["results"][2]["findings"][0]["line"] = 0
    data["results"][2]["findings"][0]["status"] = "passed"
    data["results"][0]["extra"] = 1
    del data["summary"]["met"]
    problems = validate_report(data)
    assert len(problems) == 4
    assert any("line" in p for p in problems) and any("passed" in p for p in problems)
    assert validate_report({"schema_version": "1.0"})


# --- sarif ------------------------------------------------------------------------------------------


def _sarif(report) -> dict:
    return json.loads(render(report, "sarif"))


def test_sarif_validates_against_the_2_1_0_schema(report):
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    errors = sorted(Draft4Validator(schema).iter_errors(_sarif(report)), key=str)
    assert not errors, "\n".join(e.message for e in errors)


def test_sarif_content(report):
    log = _sarif(report)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "compliance" and driver["version"] == report.tool_version
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["CRED003", "LINK001", "LINK003", "MOD001", "PROH001", "READ001"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert rules["LINK001"]["name"] == "check.link-original"
    assert rules["LINK001"]["helpUri"].startswith("https://wiki.creativecommons.org/")
    assert rules["LINK001"]["defaultConfiguration"]["level"] == "error"
    assert rules["LINK003"]["defaultConfiguration"]["level"] == "warning"
    # a pack rule: name, message and first reference from the pack
    assert rules["PROH001"]["name"] == "agency.no-publish-broadcast-rewrite"
    assert rules["PROH001"]["helpUri"] == "https://www.ap.org/about/terms-of-use/"
    results = run["results"]
    assert len(results) == 6  # met and not_applicable are left out
    for res in results:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["LINK001"]["level"] == "error"
    assert by_rule["LINK003"]["level"] == "warning"
    assert by_rule["MOD001"]["level"] == "warning" and by_rule["MOD001"]["properties"]["status"] == "cannot_verify"
    loc = by_rule["LINK001"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == BAD
    assert loc["region"]["startLine"] == 12 and loc["region"]["startColumn"] == 3
    assert loc["region"]["snippet"]["text"] == EVIL
    assert by_rule["LINK001"]["properties"]["fix"] == LINK_FIX
    assert by_rule["LINK001"]["properties"]["details"] == {"links": ["https://example.org/"]}
    bad_link = next(f for f in report.findings if f.rule == "LINK001" and f.path == BAD)
    assert by_rule["LINK001"]["partialFingerprints"] == {FINGERPRINT_KEY: bad_link.fingerprint}
    assert by_rule["CRED003"]["suppressions"] == [{"kind": "inSource",
                                                   "justification": "inline: the holder agreed by e-mail"}]
    assert by_rule["PROH001"]["suppressions"][0]["kind"] == "external"
    assert "suppressions" not in by_rule["LINK001"]
    assert by_rule["READ001"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == GONE


def test_sarif_read_back_by_sarif_tools(report, tmp_path):
    from sarif import loader

    path = tmp_path / "report.sarif"
    path.write_text(render(report, "sarif"), encoding="utf-8")
    sarif_file = loader.load_sarif_file(str(path))
    assert sarif_file.get_distinct_tool_names() == ["compliance"]
    assert sarif_file.get_result_count() == 6
    records = sarif_file.get_records()
    assert sorted(r["Code"] for r in records) == ["CRED003", "LINK001", "LINK003", "MOD001", "PROH001", "READ001"]
    link = next(r for r in records if r["Code"] == "LINK001")
    assert link["Location"] == BAD and link["Line"] == 12 and link["Severity"] == "error"
    assert link["Description"].startswith("does not link to the original article")
    severities = sorted(r["Severity"] for r in records)
    assert severities == ["error", "error", "error", "warning", "warning", "warning"]
    assert sarif_file.get_rules_by_id("PROH001")[0]["name"] == "agency.no-publish-broadcast-rewrite"
    assert len(loader.load_sarif_files(str(tmp_path))) == 1


def test_sarif_uris():
    assert artifact_uri("copies/a.html") == "copies/a.html"
    assert artifact_uri("./copies/a.html") == "copies/a.html"
    assert artifact_uri("copies\\sub dir\\a b.html") == "copies/sub%20dir/a%20b.html"
    assert artifact_uri("c:weird%.html") == "c%3Aweird%25.html"
    assert artifact_uri("/srv/site/a b.html") == "file:///srv/site/a%20b.html"
    assert artifact_uri("C:\\site\\a.html") == "file:///C:/site/a.html"
    assert artifact_uri("https://example.org/a?b=1") == "https://example.org/a?b=1"


def test_sarif_unreadable_copy_without_finding_gets_one():
    r = Report((CopyResult("x.html", None, (), error="x.html: binary file"),))
    (run,) = json.loads(render(r, "sarif"))["runs"]
    assert [(x["ruleId"], x["level"], x["message"]["text"]) for x in run["results"]] == [
        ("READ001", "error", "x.html: binary file")]


# --- junit ------------------------------------------------------------------------------------------


def test_junit_read_back_by_junitparser(report, tmp_path):
    from junitparser import Error, Failure, JUnitXml, Skipped

    path = tmp_path / "report.xml"
    path.write_text(render(report, "junit"), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suites = {s.name: s for s in xml}
    assert list(suites) == [GOOD, GONE, BAD]
    assert (xml.tests, xml.failures, xml.skipped, xml.errors) == (10, 2, 4, 1)
    good, gone, bad = suites[GOOD], suites[GONE], suites[BAD]
    assert (good.tests, good.failures, good.skipped, good.errors) == (3, 0, 1, 0)
    assert (bad.tests, bad.failures, bad.skipped, bad.errors) == (6, 2, 3, 0)
    assert (gone.tests, gone.failures, gone.skipped, gone.errors) == (1, 0, 0, 1)
    cases = {c.name: c for c in bad}
    assert sorted(cases) == ["CRED001 credit_author", "CRED003 credit_copyright", "LINK001 link_original",
                             "LINK003 link_original", "MOD001 no_modification", "PROH001 prohibition"]
    assert all(c.classname == BAD for c in bad)
    (fail,) = cases["LINK001 link_original"].result
    assert isinstance(fail, Failure) and fail.type == "error"
    assert fail.message.startswith("does not link") and EVIL in fail.text and LINK_FIX in fail.text
    (skip,) = cases["CRED003 credit_copyright"].result
    assert isinstance(skip, Skipped) and skip.message == "suppressed: inline: the holder agreed by e-mail"
    (skip,) = cases["MOD001 no_modification"].result
    assert isinstance(skip, Skipped) and "no source text" in skip.message
    assert cases["CRED001 credit_author"].is_passed
    (err,) = next(iter(gone)).result
    assert isinstance(err, Error) and "no such file" in err.message


def test_junit_escapes(report):
    text = render(report, "junit")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    r = Report((CopyResult("a.html", None, (Finding("a.html", 1, 1, "LINK001", "link_original", "unmet", "error",
                                                    "bad \x00 byte -- here", "\x1b[31m"),)),))
    from xml.etree import ElementTree as ET

    ET.fromstring(render(r, "junit").encode("utf-8"))  # still well-formed


# --- github -----------------------------------------------------------------------------------------


def test_github_commands(report):
    lines = render(report, "github").splitlines()
    assert len(lines) == 5  # four failing findings (suppressed ones are not), then the summary
    assert lines[0].startswith(f"::error file={GONE},line=1,col=1,title=READ001 unreadable::")
    prefixes = [line.split("::")[1].split(" ")[0] for line in lines[:4]]
    assert prefixes == ["error", "warning", "error", "warning"]
    mod = next(line for line in lines if "MOD001" in line)
    assert mod.startswith(f"::warning file={BAD},line=5,col=1,title=MOD001 no_modification::")
    assert mod.endswith("no source text to compare with: pass --source, then run again")
    link = next(line for line in lines if "title=LINK001" in line)
    assert "100%25 of links" in link and "%0A> <script>" in link and "%0Afix:%0A" in link
    assert not any("CRED003" in line or "PROH001" in line for line in lines)
    assert lines[-1].startswith("::notice::3 copies: 1 compliant, 1 noncompliant")
    assert all("\r" not in line for line in lines)


def test_github_escaping():
    assert escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    f = Finding("dir,x/a:b.html", 2, 4, "LINK001", "link_original", "unmet", "info", "m")
    line = render(Report((CopyResult(f.path, None, (f,)),)), "github").splitlines()[0]
    assert line == "::notice file=dir%2Cx/a%3Ab.html,line=2,col=4,title=LINK001 link_original::m"


# --- text -------------------------------------------------------------------------------------------


def test_text(report):
    text = render(report, "text")
    assert f"{BAD}:12:3: LINK001 error does not link to the original article" in text
    assert f"{BAD}:5:1: MOD001 warning cannot_verify no source text" in text
    assert f"{BAD}:2:1: CRED001 info met credits South Front" in text
    assert f"{GOOD}:1:1: MOD002 info not_applicable" in text
    assert "[suppressed: inline: the holder agreed by e-mail]" in text
    assert f"    > {EVIL}" in text
    assert f"    fix:\n        {LINK_FIX}" in text
    assert "\nattribution to add:\n    <p>Copyright © South Front" in text
    assert "3 copies: 1 compliant, 1 noncompliant, 0 unverified, 1 unreadable; 3 unmet, 1 cannot verify, 3 met" in text
    assert text.rstrip().endswith(DISCLAIMER)
    hidden = render(report, "text", show_met=False)
    assert "CRED001 info met" not in hidden and "not_applicable" not in hidden and "LINK001 error" in hidden


# --- markdown and html ------------------------------------------------------------------------------


def _unmet(report):
    return [f for f in report.findings if f.status == "unmet"]


def test_markdown(report):
    md = render(report, "markdown")
    assert md.startswith("# Compliance report")
    assert DISCLAIMER in md
    for f in _unmet(report):
        assert f.rule in md
        if f.fix:
            assert f.fix in md
    assert f"```text\n{LINK_FIX}\n```" in md
    assert "<script>" not in md and r"\<script\>" in md
    assert "| Status | Rule | Duty | Where | Message |" in md
    assert "[LINK001](<https://wiki.creativecommons.org/" in md
    assert ATTRIBUTION in md


def test_markdown_fence_longer_than_backticks_in_fix():
    f = Finding("a.md", 1, 1, "LINK001", "link_original", "unmet", "error", "m", None, "use ```code``` here")
    md = render(Report((CopyResult("a.md", None, (f,)),)), "markdown")
    assert "````text\nuse ```code``` here\n````" in md


def test_html(report):
    page = render(report, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert '<p class="disclaimer" role="note">' + DISCLAIMER.replace('"', "&quot;") in page
    for f in _unmet(report):
        assert f.rule in page
    from html import escape

    for f in _unmet(report):
        if f.fix:
            assert escape(f.fix) in page
    assert "<script" not in page  # none of ours, and the copy's is escaped
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"<script[^>]*\bsrc=", page) and not re.search(r"<link[^>]*href=[\"']?http", page)
    assert "@import" not in page and "url(" not in page
    assert "<style>" in page and "s-unmet" in page and "s-compliant" in page


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_empty_report(fmt):
    out = render(Report(()), fmt)
    assert "0 copies" in out and DISCLAIMER.split(":")[0] in out
