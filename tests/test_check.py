"""`compliance check`: the uses and verdicts a republisher relies on in CI."""

from __future__ import annotations

import html
import json

import pytest
from conftest import SEED, seed_parts

from compliance.cli import main

ORIGINAL = "https://www.globalresearch.ca/terrorist-retreat-syrian-forces/5485063"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def seed_copy_html(link: bool = True, credit: bool = True, link_text: str = "Global Research",
                   href: str = ORIGINAL + "?utm_source=newsletter", wrap: int = 0, smart: bool = True) -> str:
    title, body, _ = seed_parts(SEED.read_text(encoding="utf-8"))
    paras = body
    if not smart:
        paras = [p.replace("“", '"').replace("”", '"').replace("’", "'") for p in paras]
    if wrap:
        import textwrap

        paras = ["\n".join(textwrap.wrap(p, wrap)) for p in paras]
    lines = ["<!doctype html>", "<html><head><title>Community Voices</title></head>", "<body>", "<main>",
             f"<h1>{html.escape(title)}</h1>"]
    lines += [f"<p>{html.escape(p)}</p>" for p in paras]
    if credit:
        src = f'<a href="{href}">{link_text}</a>' if link else "Global Research"
        lines.append(f"<p>Republished from {src}.</p>")
        lines.append("<p>Copyright © South Front, Global Research, 2015.</p>")
    lines += ["</main>", "</body></html>"]
    return "\n".join(lines) + "\n"


def seed_copy_markdown(link: bool = True) -> str:
    title, body, _ = seed_parts(SEED.read_text(encoding="utf-8"))
    src = f"[Global Research]({ORIGINAL})" if link else "Global Research"
    return f"# {title}\n\n" + "\n\n".join(body) + f"\n\nRepublished from {src}.\n\nCopyright © South Front, Global Research, 2015.\n"


def seed_copy_text() -> str:
    title, body, _ = seed_parts(SEED.read_text(encoding="utf-8"))
    return f"{title}\n\n" + "\n\n".join(body) + f"\n\nRepublished from Global Research: {ORIGINAL}\n\nCopyright © South Front, Global Research, 2015.\n"


def check_seed(capsys, tmp_path, content: str, name: str = "copy.html", *extra):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    return run(capsys, "check", p, "--source", SEED, "--source-url", ORIGINAL, "--format", "json", *extra)


def findings(out: str) -> dict:
    data = json.loads(out)
    return {f["rule"]: f for r in data["results"] for f in r["findings"]}


def test_compliant_community_copy_exits_0(capsys, tmp_path):
    code, out, _ = check_seed(capsys, tmp_path, seed_copy_html(), "copy.html", "--venue", "community")
    f = findings(out)
    assert code == 0
    assert f["LINK001"]["status"] == "met" and f["CRED002"]["status"] == "met" and f["CRED003"]["status"] == "met"
    assert f["VEN001"]["status"] == "met"


def test_missing_link_exits_1_at_the_credit_line_with_a_fix_holding_the_url(capsys, tmp_path):
    content = seed_copy_html(link=False)
    code, out, _ = check_seed(capsys, tmp_path, content, "copy.html", "--venue", "community")
    assert code == 1
    f = findings(out)["LINK001"]
    assert f["status"] == "unmet" and f["severity"] == "error"
    expected_line = next(i for i, line in enumerate(content.splitlines(), 1) if "Republished from" in line)
    assert f["line"] == expected_line
    assert ORIGINAL in f["fix"] and "<a href=" in f["fix"]


def test_plain_text_copy_cannot_verify_the_link(capsys, tmp_path):
    code, out, _ = check_seed(capsys, tmp_path, seed_copy_text(), "copy.txt", "--venue", "community")
    f = findings(out)["LINK001"]
    assert f["status"] == "cannot_verify" and "plain text has no hyperlinks" in f["message"]
    assert "not a hyperlink" in f["message"] and ORIGINAL.split("//")[1][:20] in f["evidence"]
    assert code == 0
    code, _, _ = check_seed(capsys, tmp_path, seed_copy_text(), "copy.txt", "--venue", "community", "--fail-on", "warning")
    assert code == 1


def test_commercial_venue_names_the_contact(capsys, tmp_path):
    code, out, _ = check_seed(capsys, tmp_path, seed_copy_html(), "copy.html", "--venue", "commercial")
    assert code == 1
    f = findings(out)["VEN001"]
    assert f["status"] == "unmet" and "[email protected]" in f["message"] and "hidden" in f["message"]


def test_home_page_link_is_a_weaker_separate_finding(capsys, tmp_path):
    content = seed_copy_html(href="https://www.globalresearch.ca/")
    code, out, _ = check_seed(capsys, tmp_path, content, "copy.html", "--venue", "community")
    f = findings(out)
    assert "LINK001" not in f and f["LINK003"]["status"] == "unmet" and f["LINK003"]["severity"] == "warning"
    assert code == 0


@pytest.mark.parametrize("variant", ["rewrapped", "ascii_quotes", "markdown", "other_link_text", "amp_www_slash"])
def test_mutations_that_must_not_change_the_verdict(capsys, tmp_path, variant):
    content, name = {
        "rewrapped": (seed_copy_html(wrap=37), "c.html"),
        "ascii_quotes": (seed_copy_html(smart=False), "c.html"),
        "markdown": (seed_copy_markdown(), "c.md"),
        "other_link_text": (seed_copy_html(link_text="read the original here"), "c.html"),
        "amp_www_slash": (seed_copy_html(href="http://globalresearch.ca/terrorist-retreat-syrian-forces/5485063/amp/"), "c.html"),
    }[variant]
    code, out, _ = check_seed(capsys, tmp_path, content, name, "--venue", "community")
    f = findings(out)
    assert code == 0, [x for x in f.values() if x["status"] == "unmet"]
    assert f["LINK001"]["status"] == "met" and f["CRED002"]["status"] == "met"


@pytest.mark.parametrize("variant", ["no_link", "no_source_name", "markdown_no_link"])
def test_mutations_that_must_change_the_verdict(capsys, tmp_path, variant):
    if variant == "no_link":
        content, name, rule = seed_copy_html(link=False), "c.html", "LINK001"
    elif variant == "no_source_name":
        content = seed_copy_html().replace("Republished from <a", "Via <a").replace(">Global Research</a>", ">here</a>")
        content = content.replace("Copyright © South Front, Global Research, 2015.", "Copyright © South Front, 2015.")
        name, rule = "c.html", "CRED002"
    else:
        content, name, rule = seed_copy_markdown(link=False), "c.md", "LINK001"
    code, out, _ = check_seed(capsys, tmp_path, content, name, "--venue", "community")
    assert code == 1 and findings(out)[rule]["status"] == "unmet"


CC_ND_SOURCE = """<!doctype html><html><head><title>River towns</title>
<link rel="canonical" href="https://news.example.org/2024/river-towns">
<meta name="author" content="Dana Reyes"></head><body><main><article>
<h1>River towns brace for another flood season</h1>
<p>By Dana Reyes</p>
<p>The river rose three metres in a single night last spring, and the town of Alder Bend has not forgotten it.</p>
<p>Engineers say the levee built in 1962 was never meant to hold back water at that height for so long.</p>
<p>This year the council voted to raise the levee by a metre and to buy out the houses closest to the bank.</p>
<p>Residents remain divided about whether the buyouts are fair to families who have lived there for generations.</p>
</article></main><footer><p>This article is licensed under a
<a rel="license" href="https://creativecommons.org/licenses/by-nd/4.0/">Creative Commons Attribution-NoDerivatives 4.0 International License</a>.</p>
</footer></body></html>
"""


def cc_copy(body_edit: str | None = None, header: bool = False, licence_text: str = "CC BY-ND 4.0") -> str:
    paras = [
        "The river rose three metres in a single night last spring, and the town of Alder Bend has not forgotten it.",
        "Engineers say the levee built in 1962 was never meant to hold back water at that height for so long.",
        "This year the council voted to raise the levee by a metre and to buy out the houses closest to the bank.",
        "Residents remain divided about whether the buyouts are fair to families who have lived there for generations.",
    ]
    if body_edit:
        paras[1] = body_edit
    head = "<p>Republished from News Example with permission.</p>" if header else ""
    return ("<html><body><main>" + head + "<h1>River towns brace for another flood season</h1><p>By Dana Reyes</p>"
            + "".join(f"<p>{p}</p>" for p in paras)
            + '<p>“River towns brace for another flood season” by Dana Reyes, originally published by '
              '<a href="https://news.example.org/2024/river-towns">News Example</a>, is licensed under '
              f'<a href="https://creativecommons.org/licenses/by-nd/4.0/">{licence_text}</a>.</p></main></body></html>')


def check_cc(capsys, tmp_path, source: str, copy: str, *extra):
    (tmp_path / "src.html").write_text(source)
    (tmp_path / "copy.html").write_text(copy)
    return run(capsys, "check", tmp_path / "copy.html", "--source", tmp_path / "src.html", "--format", "json", *extra)


def test_cc_nd_reworded_sentence_is_an_edit_quoting_both(capsys, tmp_path):
    edited = "Engineers admit the levee built in 1962 could never hold back water at that height for long."
    code, out, _ = check_cc(capsys, tmp_path, CC_ND_SOURCE, cc_copy(body_edit=edited), "--venue", "commercial")
    f = findings(out)["MOD001"]
    assert code == 1 and f["status"] == "unmet"
    assert "say" in f["message"] and "admit" in f["message"]
    assert f["details"]["edits"]
    assert f["fix"].startswith("restore the source's wording: put back") and "say" in f["fix"]


def test_cc_nd_added_words_are_an_edit_whose_fix_removes_them(capsys, tmp_path):
    copy = cc_copy().replace("for so long.", "for so long, which should worry every homeowner.")
    assert copy != cc_copy()
    code, out, _ = check_cc(capsys, tmp_path, CC_ND_SOURCE, copy, "--venue", "commercial")
    f = findings(out)["MOD001"]
    assert code == 1 and f["status"] == "unmet"
    assert f["fix"] == "restore the source's wording: remove \"which should worry every homeowner\""


def test_cc_nd_unedited_with_added_header_is_not_an_edit(capsys, tmp_path):
    code, out, _ = check_cc(capsys, tmp_path, CC_ND_SOURCE, cc_copy(header=True), "--venue", "commercial")
    f = findings(out)
    assert f["MOD001"]["status"] == "met"
    assert f["LINK002"]["status"] == "met" and f["CRED001"]["status"] == "met" and f["LICN001"]["status"] == "met"
    assert code == 0, [x for x in f.values() if x["status"] == "unmet"]


def test_generic_creative_commons_mention_is_not_naming_the_licence(capsys, tmp_path):
    copy = cc_copy(licence_text="a Creative Commons license").replace(
        'href="https://creativecommons.org/licenses/by-nd/4.0/"', 'href="https://creativecommons.org/"')
    code, out, _ = check_cc(capsys, tmp_path, CC_ND_SOURCE, copy)
    f = findings(out)
    assert f["LICN001"]["status"] == "unmet" and "CC BY-ND 4.0" in f["LICN001"]["message"]
    assert f["LINK002"]["status"] == "unmet" and code == 1


def test_cc_by_sa_source_and_copy_under_by_nc_breaks_share_alike(capsys, tmp_path):
    source = CC_ND_SOURCE.replace("by-nd/4.0", "by-sa/4.0").replace("NoDerivatives", "ShareAlike")
    copy = cc_copy().replace("by-nd/4.0", "by-sa/4.0").replace("CC BY-ND 4.0", "CC BY-SA 4.0")
    copy = copy.replace("</main>", "<p>This site's content is licensed CC BY-NC 4.0.</p></main>")
    code, out, _ = check_cc(capsys, tmp_path, source, copy)
    assert findings(out)["SA001"]["status"] == "unmet" and code == 1


def test_terms_pinned_as_json_are_accepted(capsys, tmp_path):
    code, out, _ = run(capsys, "terms", SEED, "--format", "json", "--url", ORIGINAL)
    (tmp_path / "terms.json").write_text(out)
    (tmp_path / "copy.html").write_text(seed_copy_html())
    code, out, _ = run(capsys, "check", tmp_path / "copy.html", "--terms", tmp_path / "terms.json", "--venue", "community",
                       "--format", "json")
    assert code == 0 and findings(out)["LINK001"]["status"] == "met"


def test_terms_json_that_fails_the_schema_is_exit_2(capsys, tmp_path):
    (tmp_path / "terms.json").write_text(json.dumps({"schema_version": "1.0", "summary": {"license": "MIT"}}))
    (tmp_path / "copy.html").write_text(seed_copy_html())
    code, out, err = run(capsys, "check", tmp_path / "copy.html", "--terms", tmp_path / "terms.json")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not a terms document" in err


def test_unreadable_copy_is_exit_2_and_reported(capsys, tmp_path):
    code, out, err = run(capsys, "check", tmp_path / "missing.html", "--source", SEED, "--format", "json")
    assert code == 2 and "no such file" in err
    assert findings(out)["READ001"]["status"] == "unmet"


def test_inline_suppression_is_kept_visible(capsys, tmp_path):
    content = seed_copy_html(link=False).replace("<body>", "<body><!-- compliance: ignore LINK001 the editor links it in print -->")
    code, out, _ = check_seed(capsys, tmp_path, content, "copy.html", "--venue", "community")
    f = findings(out)["LINK001"]
    assert code == 0 and f["status"] == "unmet" and "the editor links it in print" in f["suppressed"]


def test_baseline_suppresses_known_findings(capsys, tmp_path):
    content = seed_copy_html(link=False)
    code, _, _ = check_seed(capsys, tmp_path, content, "copy.html", "--venue", "community",
                            "--write-baseline", tmp_path / "baseline.json")
    assert code == 1
    code, out, _ = check_seed(capsys, tmp_path, content, "copy.html", "--venue", "community",
                              "--baseline", tmp_path / "baseline.json")
    assert code == 0 and findings(out)["LINK001"]["suppressed"].startswith("baseline")


def test_select_ignore_and_exit_zero(capsys, tmp_path):
    content = seed_copy_html(link=False)
    code, out, _ = check_seed(capsys, tmp_path, content, "copy.html", "--venue", "community", "--ignore", "LINK")
    assert code == 0 and "LINK001" not in findings(out)
    code, out, _ = check_seed(capsys, tmp_path, content, "copy.html", "--venue", "community", "--select", "CRED")
    assert set(findings(out)) == {"CRED002", "CRED003"}
    code, _, _ = check_seed(capsys, tmp_path, content, "copy.html", "--venue", "community", "--exit-zero")
    assert code == 0


def test_venue_from_pyproject_config(capsys, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.compliance]\nvenue = "commercial"\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = check_seed(capsys, tmp_path, seed_copy_html(), "copy.html")
    assert code == 1 and findings(out)["VEN001"]["status"] == "unmet"
    code, out, _ = run(capsys, "config", "--show")
    assert "venue" in out and "[tool.compliance]" in out


def test_text_format_is_path_line_col_id_severity_message(capsys, tmp_path):
    p = tmp_path / "copy.html"
    p.write_text(seed_copy_html(link=False))
    code, out, _ = run(capsys, "check", p, "--source", SEED, "--source-url", ORIGINAL, "--venue", "community")
    assert code == 1
    line = next(x for x in out.splitlines() if "LINK001" in x)
    assert line.startswith(f"{p}:") and " LINK001 error " in line
    assert ORIGINAL in out and "not legal advice" in out


def test_an_author_credited_with_initials_is_credited(capsys, tmp_path):
    # (the source's credit line names the author too, so the copy's own byline is the one that counts)
    copy = cc_copy().replace("<p>By Dana Reyes</p>", "<p>By D. Reyes</p>").replace(" by Dana Reyes,", ",")
    code, out, _ = check_cc(capsys, tmp_path, CC_ND_SOURCE, copy, "--venue", "commercial")
    f = findings(out)["CRED001"]
    assert f["status"] == "met" and f["evidence"] == "D. Reyes"
    other = cc_copy().replace("<p>By Dana Reyes</p>", "<p>By M. Reyes</p>").replace(" by Dana Reyes,", ",")
    code, out, _ = check_cc(capsys, tmp_path, CC_ND_SOURCE, other, "--venue", "commercial")
    assert findings(out)["CRED001"]["status"] == "unmet"


def test_a_link_through_a_url_shortener_cannot_be_verified(capsys, tmp_path):
    """A shortened link may lead to the original; only following it would tell, and a check
    does not follow links."""
    src = ('<html><body><article><h1>Tides</h1><p>By Nina Park</p><p>Sea levels rose faster last decade than in '
           'any before, a regional study found.</p><p>You may republish this article for free, provided you '
           'credit the author and include a link back to the original article.</p></article></body></html>')
    (tmp_path / "src.html").write_text(src)

    def check(href: str):
        copy = ('<html><body><article><h1>Tides</h1><p>By Nina Park</p><p>Sea levels rose faster last decade '
                f'than in any before, a regional study found.</p><p>First published by <a href="{href}">The Harbor '
                'Review</a>.</p></article></body></html>')
        (tmp_path / "copy.html").write_text(copy)
        code, out, _ = run(capsys, "check", tmp_path / "copy.html", "--source", tmp_path / "src.html",
                           "--source-url", "https://harborreview.example/2024/tides", "--format", "json")
        return code, findings(out)["LINK001"]

    code, f = check("https://t.co/Ab12Cd")
    assert f["status"] == "cannot_verify" and "t.co/Ab12Cd" in f["message"] and code == 0
    code, f = check("https://example.org/elsewhere")
    assert f["status"] == "unmet" and code == 1

