"""Summaries of an audit's results.jsonl: reading, numbers, ordering, and the three renderings."""

from __future__ import annotations

import html
import json
import random
import time
from html.parser import HTMLParser

import pytest

from compliance import DISCLAIMER
from compliance.summary import load_results, render_html, render_json, render_markdown, summarise, summarize_file

S1 = "https://www.globalresearch.ca/terrorist-retreat/5485063"
S2 = "https://www.globalresearch.ca/another-article/5500001"
HOSTILE = "copies/<script>alert(1)</script>.html"
FIX1 = '<p>Originally published by <a href="https://www.globalresearch.ca/terrorist-retreat/5485063">Global Research</a></p>'
FIX2 = 'Source: <a href="https://www.globalresearch.ca/another-article/5500001">Global Research</a> & South Front'


def finding(page, rule, duty, status, severity, message, evidence=None, line=1, col=1, suppressed=None, source=S1):
    return {"path": page, "line": line, "col": col, "rule": rule, "duty": duty, "status": status,
            "severity": severity, "message": message, "evidence": evidence, "fix": None, "source": source,
            "details": {}, "suppressed": suppressed, "fingerprint": "f" * 32}


def result(page, status, *, url=None, source=None, title=None, similarity=None, coverage=None, findings=(),
           fix=None, fair_use=None, error=None, venue=None):
    return {"type": "result", "page": page, "url": url, "source": source, "source_title": title,
            "similarity": similarity, "coverage": coverage, "status": status, "venue": venue,
            "findings": list(findings), "fix": fix, "fair_use": fair_use, "error": error}


P1, P2 = "crawl.warc.gz#urn:uuid:0001", "crawl.warc.gz#urn:uuid:0002"


def lines() -> list[str]:
    run = {"type": "run", "sources": 2, "started": "2024-05-01T10:00:00Z", "tool": "0.1.0",
           "options": {"threshold": 0.5}}
    rows = [
        run,
        result("site.zip!globalresearch/terrorist-retreat.html", "original", url=S1, source=S1, title="Terrorist Retreat"),
        # first version of P1, replaced by a later line
        result(P1, "noncompliant", url="https://www.mirror-a.com/a1", source=S1, title="Terrorist Retreat",
               findings=[finding(P1, "LINK001", "link_original", "unmet", "error", "no link")]),
        result(P2, "noncompliant", url="https://news.mirror-b.co.uk/copy", source=S1, title="Terrorist Retreat",
               similarity=0.97, coverage=0.9, venue="commercial", fix=FIX1,
               findings=[finding(P2, "LINK001", "link_original", "unmet", "error",
                                 "does not link to the original article", "Republished from Global Research", 12, 3),
                         finding(P2, "CREDIT001", "credit_source", "unmet", "error", "does not name the source", None, 4),
                         finding(P2, "VENUE001", "venue", "unmet", "error", "commercial venue", suppressed="baseline: ok"),
                         finding(P2, "TITLE001", "keep_title", "met", "info", "title kept")],
               fair_use={"reading": "full copy on a commercial site",
                         "facts": [{"factor": "amount", "fact": "90% of the source", "evidence": "coverage 0.9"},
                                   {"factor": "purpose", "fact": "commercial venue", "evidence": "ads"}]}),
        result("copies/b.html", "noncompliant", url="https://mirror-a.com/b", source=S2, title="Another Article",
               similarity=0.6, coverage=0.3, fix=FIX2,
               findings=[finding("copies/b.html", "LINK001", "link_original", "unmet", "error", "no link to the source",
                                 "via GR", 7, 1, source=S2)],
               fair_use={"group": "excerpt", "reading": "short excerpt",
                         "facts": [{"factor": "amount", "fact": "30% of the source", "evidence": "coverage 0.3"}]}),
        result("copies/c.html", "unverified", url=None, source=S2, title="Another Article", similarity=0.7,
               coverage=0.5,
               findings=[finding("copies/c.html", "CREDIT002", "credit_copyright", "cannot_verify", "warning",
                                 "copyright line not found in the extracted text", source=S2)]),
        result("copies/broken.html", "error", url="https://broken.example.org/x", error="could not decode: bad bytes"),
        result("copies/unrelated.html", "unmatched", url="https://mirror-a.com/other"),
        {"type": "progress", "done": 5},
        result(HOSTILE, "noncompliant", url="javascript:alert(1)", source=S2, title="Another Article",
               similarity=0.9, coverage=0.85, fix="<script>alert('fix')</script>",
               findings=[finding(HOSTILE, "LINK001", "link_original", "unmet", "error",
                                 "no link <b>here</b>", "<img src=x onerror=alert(2)>", 2, 5, source=S2)]),
        # the later line for P1 wins: compliant
        result(P1, "compliant", url="https://www.mirror-a.com/a1", source=S1, title="Terrorist Retreat",
               similarity=0.99, coverage=0.95,
               findings=[finding(P1, "LINK001", "link_original", "met", "error", "links to the original")]),
        result("site.zip!mirror-c/x.html", "compliant", url="http://mirror-c.net/x", source=S2,
               title="Another Article", similarity=0.8, coverage=None,
               fair_use={"reading": "full copy on a commercial site", "facts": []}),
    ]
    out = [json.dumps(r) for r in rows]
    out.append('{"type": "result", "page": "copies/trunc.html", "status": "compl')  # cut off, no newline
    return out


@pytest.fixture
def results_file(tmp_path):
    p = tmp_path / "results.jsonl"
    p.write_text("\n".join(lines()), encoding="utf-8")
    return p


@pytest.fixture
def summary(results_file):
    meta, results = load_results(results_file)
    return summarise(results, meta)


# -- reading ---------------------------------------------------------------------------------


def test_load_results_dedups_skips_and_warns(results_file):
    meta, results = load_results(results_file)
    pages = [r["page"] for r in results]
    assert len(pages) == len(set(pages)) == 9
    assert "copies/trunc.html" not in pages
    assert next(r for r in results if r["page"] == P1)["status"] == "compliant"  # last wins
    assert meta["sources"] == 2 and meta["started"] == "2024-05-01T10:00:00Z" and "type" not in meta
    assert meta["duplicates"] == 1
    assert len(meta["warnings"]) == 1 and "truncated" in meta["warnings"][0] and "line 13" in meta["warnings"][0]


def test_load_results_malformed_middle_line_and_no_run_line(tmp_path):
    p = tmp_path / "r.jsonl"
    p.write_text(json.dumps(result("a", "compliant", source=S1)) + "\n{oops\n\n[1]\n"
                 + json.dumps(result("b", "unmatched")) + "\n", encoding="utf-8")
    meta, results = load_results(p)
    assert [r["page"] for r in results] == ["a", "b"]
    assert meta["warnings"] == ["line 2: not valid JSON, skipped", "line 4: not a JSON object, skipped"]
    clean = tmp_path / "clean.jsonl"
    clean.write_text(json.dumps(result("a", "compliant", source=S1)) + "\n", encoding="utf-8")
    assert load_results(clean)[0] is None


# -- numbers -----------------------------------------------------------------------------------


def test_totals(summary):
    t = summary["totals"]
    assert t == {"pages": 9, "copies": 6, "compliant": 2, "noncompliant": 3, "unverified": 1, "error": 1,
                 "original": 1, "unmatched": 1, "compliant_share": 0.3333}
    assert summary["input"] == {"results": 9, "duplicates": 1}
    assert summary["disclaimer"] == DISCLAIMER
    assert summary["run"]["sources"] == 2 and "warnings" not in summary["run"]
    assert any("truncated" in w for w in summary["warnings"])


def test_per_source(summary):
    by = {s["source"]: s for s in summary["sources"]}
    assert [s["source"] for s in summary["sources"]] == [S2, S1]  # most copies first
    s1, s2 = by[S1], by[S2]
    assert (s1["copies"], s1["compliant"], s1["noncompliant"], s1["unverified"], s1["compliant_share"]) == (2, 1, 1, 0, 0.5)
    assert s1["title"] == "Terrorist Retreat"
    assert (s1["full"], s1["excerpt"], s1["coverage_unknown"]) == (2, 0, 0)
    assert s1["unmet"] == [{"rule": "CREDIT001", "duty": "credit_source", "count": 1},
                           {"rule": "LINK001", "duty": "link_original", "count": 1}]  # suppressed VENUE001 left out
    assert (s2["copies"], s2["compliant"], s2["noncompliant"], s2["unverified"], s2["compliant_share"]) == (4, 1, 2, 1, 0.25)
    assert (s2["full"], s2["excerpt"], s2["coverage_unknown"]) == (1, 2, 1)
    assert s2["unmet"] == [{"rule": "LINK001", "duty": "link_original", "count": 2}]
    assert s2["sites"] == 3  # mirror-a.com, (no URL), mirror-c.net


def test_per_site(summary):
    rows = [(s["site"], s["copies"], s["compliant"], s["unverified"], s["noncompliant"], s["error"], s["compliant_share"])
            for s in summary["sites"]]
    assert rows == [
        ("(no URL)", 2, 0, 1, 1, 0, 0.0),  # no URL, and a javascript: one
        ("mirror-a.com", 2, 1, 0, 1, 0, 0.5),  # www. and bare host together; the unmatched page is not a copy
        ("mirror-b.co.uk", 1, 0, 0, 1, 0, 0.0),
        ("mirror-c.net", 1, 1, 0, 0, 0, 1.0),
        ("example.org", 0, 0, 0, 0, 1, None),
    ]


def test_per_rule(summary):
    rules = {r["rule"]: r for r in summary["rules"]}
    assert [r["rule"] for r in summary["rules"]] == ["LINK001", "CREDIT001", "CREDIT002", "VENUE001"]
    assert (rules["LINK001"]["unmet"], rules["LINK001"]["cannot_verify"], rules["LINK001"]["pages"]) == (3, 0, 3)
    assert (rules["CREDIT002"]["unmet"], rules["CREDIT002"]["cannot_verify"]) == (0, 1)
    assert (rules["VENUE001"]["unmet"], rules["VENUE001"]["suppressed"]) == (0, 1)
    assert "TITLE001" not in rules  # met findings are not counted


def test_act_on_sorted_worst_first(summary):
    act = summary["act_on"]
    assert [c["page"] for c in act] == [P2, HOSTILE, "copies/b.html", "copies/c.html"]
    assert [c["unmet_errors"] for c in act] == [2, 1, 1, 0]
    first = act[0]
    assert first["fix"] == FIX1 and first["source"] == S1 and first["similarity"] == 0.97 and first["coverage"] == 0.9
    assert [(f["rule"], f["line"], f["col"]) for f in first["findings"]] == [("CREDIT001", 4, 1), ("LINK001", 12, 3)]
    assert first["findings"][1]["evidence"] == "Republished from Global Research"
    assert act[3]["findings"][0]["status"] == "cannot_verify"


def test_unmatched_and_original_counted_not_listed(summary, results_file):
    listed = [c["page"] for c in summary["act_on"]] + [e["page"] for e in summary["errors"]] + \
        [p["page"] for g in summary["fair_use"] for p in g["pages"]]
    assert "copies/unrelated.html" not in listed
    assert "site.zip!globalresearch/terrorist-retreat.html" not in listed
    assert sum(s["copies"] for s in summary["sites"]) == summary["totals"]["copies"] == 6
    for text in (render_html(summary), render_markdown(summary)):
        assert "copies/unrelated.html" not in text


def test_errors_and_fair_use(summary):
    assert summary["errors"] == [{"page": "copies/broken.html", "url": "https://broken.example.org/x",
                                  "site": "example.org", "source": None, "error": "could not decode: bad bytes"}]
    groups = summary["fair_use"]
    assert [g["group"] for g in groups] == ["full copy on a commercial site", "excerpt"]
    g0 = groups[0]
    assert (g0["copies"], g0["noncompliant"], g0["compliant"], g0["full"]) == (2, 1, 1, 1)
    assert [p["page"] for p in g0["pages"]] == [P2, "site.zip!mirror-c/x.html"]  # noncompliant first
    assert {"fact": "amount: 90% of the source", "copies": 1} in g0["facts"]
    assert groups[1]["readings"] == [{"reading": "short excerpt", "copies": 1}]


def test_order_independent_and_deterministic(results_file):
    meta, results = load_results(results_file)
    a = render_json(summarise(results, meta))
    shuffled = results[:]
    random.Random(7).shuffle(shuffled)
    assert render_json(summarise(shuffled, meta)) == a
    assert render_html(summarise(shuffled, meta)) == render_html(summarise(results, meta))


def test_summarise_without_status_or_meta():
    s = summarise([{"page": "x", "source": S1, "findings": [finding("x", "LINK001", "link_original", "unmet", "error", "m")]},
                   {"page": "y"}, {"no_page": 1}, "junk"])
    assert s["totals"]["noncompliant"] == 1 and s["totals"]["unmatched"] == 1 and s["totals"]["pages"] == 2
    assert s["run"] is None and s["warnings"] == []
    render_html(s), render_markdown(s)


def test_run_metadata_made_json_safe(tmp_path):
    p = tmp_path / "r.jsonl"
    p.write_text('{"type": "run", "threshold": NaN, "options": {"k": [1, Infinity]}}\n'
                 + json.dumps(result("a", "compliant", source=S1, similarity=float("nan"))) + "\n", encoding="utf-8")
    s = summarise(*reversed(load_results(p)))
    assert s["run"] == {"threshold": None, "options": {"k": [1, None]}}
    assert json.loads(render_json(s)) == s


# -- renderings ----------------------------------------------------------------------------------


def test_json_round_trips(summary):
    text = render_json(summary)
    assert json.loads(text) == summary
    again = json.loads(text)
    assert render_html(again) == render_html(summary) and render_markdown(again) == render_markdown(summary)


def test_markdown(summary):
    md = render_markdown(summary)
    assert md.count(DISCLAIMER) == 2
    assert md.index(DISCLAIMER) < md.index("## Totals")
    for page in ("crawl.warc.gz#urn:uuid:0002", "copies/b.html", "copies/c.html"):
        assert page in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "<script>" not in md.replace("<script>alert('fix')", "")
    assert FIX1 in md and FIX2 in md  # inside fenced blocks, verbatim
    for section in ("## Sources", "## Sites", "## Rules", "## Copies to act on (4)", "## Pages that could not be read (1)",
                    "## Fair use", "## Compliance by site (top 20)"):
        assert section in md
    assert "| mirror-a.com | 1 | 0 | 1 |" in md  # the text table that stands for the chart
    assert "<svg" not in md


def test_markdown_fence_survives_backticks():
    s = summarise([result("p", "noncompliant", source=S1, fix="```\nbreak out\n```",
                          findings=[finding("p", "LINK001", "link_original", "unmet", "error", "m")])])
    md = render_markdown(s)
    assert "````text\n```\nbreak out\n```\n````" in md


def test_html_content(summary):
    page = render_html(summary)
    esc = html.escape
    assert page.startswith("<!DOCTYPE html>")
    assert page.count(esc(DISCLAIMER)) == 2
    assert page.index(esc(DISCLAIMER)) < page.index('id="totals"')
    assert page.rindex(esc(DISCLAIMER)) > page.index('id="errors"')
    for c in summary["act_on"]:
        assert esc(c["page"]) in page
    assert f'<pre class="fix">{esc(FIX1)}</pre>' in page and f'<pre class="fix">{esc(FIX2)}</pre>' in page
    assert esc("Republished from Global Research") in page
    # hostile text stays text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "<img" not in page.lower() and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<b>here</b>" not in page
    assert 'href="javascript' not in page.lower()
    # charts and tables
    assert page.count("<svg") == 2 and 'id="chart-sites"' in page and 'id="chart-sources"' in page
    sites_svg = page[page.index('id="chart-sites"'):page.index("</svg>", page.index('id="chart-sites"'))]
    assert sites_svg.count('<g class="bar"><title>') == 4  # sites with judged copies
    assert "mirror-a.com: 2 copies: 1 compliant, 0 unverified, 1 noncompliant" in sites_svg
    for sec in ('id="sources"', 'id="sites"', 'id="rules"', 'id="act-on"', 'id="errors"', 'id="fair-use"'):
        assert sec in page
    assert page.count("<table>") >= 5
    assert '<a href="https://news.mirror-b.co.uk/copy" rel="nofollow noopener noreferrer">' in page


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained(summary):
    page = render_html(summary)
    parser = _Tags()
    parser.feed(page)
    names = {t for t, _ in parser.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "image", "use", "video", "audio", "source"}
    for tag, attrs in parser.tags:
        assert "src" not in attrs and "srcset" not in attrs and "xlink:href" not in attrs, tag
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if "href" in attrs:  # only links to the copies' and sources' own pages
            assert tag == "a" and attrs["href"].startswith(("http://", "https://")), (tag, attrs)
    low = page.lower()
    assert 'src="http' not in low and "src='http" not in low
    assert "@import" not in low and "url(" not in low
    assert "content-security-policy" in low and "default-src 'none'" in low


def test_summarize_file(results_file):
    for fmt in ("html", "markdown", "json"):
        assert DISCLAIMER in summarize_file(results_file, fmt) or html.escape(DISCLAIMER) in summarize_file(results_file, fmt)
    with pytest.raises(ValueError):
        summarize_file(results_file, "pdf")


def _big_lines(n: int) -> list[str]:
    rng = random.Random(1)
    out = [json.dumps({"type": "run", "sources": 50})]
    statuses = ["compliant", "noncompliant", "unverified", "error", "unmatched", "original"]
    for i in range(n):
        st = statuses[rng.randrange(6)]
        src = f"https://pub.example/a/{i % 50}" if st not in ("unmatched",) else None
        page = f"crawl-{i // 1000}.warc.gz#urn:uuid:{i:08d}"
        fs = []
        if st in ("noncompliant", "unverified"):
            fs = [finding(page, f"RULE{j}", "link_original", "unmet" if st == "noncompliant" else "cannot_verify",
                          "error" if st == "noncompliant" else "warning", "message", "evidence " * 5, j + 1, 1, source=src)
                  for j in range(rng.randrange(1, 5))]
        out.append(json.dumps(result(page, st, url=f"https://site{i % 800}.example.com/p/{i}", source=src,
                                     title="T", similarity=rng.random(), coverage=rng.random(), findings=fs,
                                     fix="<p>attribution</p>" if fs else None,
                                     fair_use={"reading": f"r{i % 3}"} if st != "unmatched" else None,
                                     error="boom" if st == "error" else None)))
    return out


def test_fast_enough(tmp_path):
    n = 20000
    p = tmp_path / "big.jsonl"
    p.write_text("\n".join(_big_lines(n)) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    meta, results = load_results(p)
    s = summarise(results, meta)
    elapsed = time.perf_counter() - t0
    assert s["totals"]["pages"] == n
    assert elapsed < 5.0, f"{n} lines took {elapsed:.1f}s to load and summarise"
    render_html(s), render_markdown(s), render_json(s)
