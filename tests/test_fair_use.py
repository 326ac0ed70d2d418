"""Fair use: the § 107 facts measured on copies no grant covers, right to the word, never a verdict."""

from __future__ import annotations

import json
import random

import regex

from compliance.cli import main

ORIGINAL = "https://wire.example/2024/harbour-report"
SOURCE_WORDS = ("harbour cranes dockers cargo tide vessel pier quay tonnage freight berth customs manifest "
                "container gantry pilot tugboat anchorage breakwater lighthouse ferry crew shipment port").split()
OWN_WORDS = ("i think readers should notice how councils budget schools while parents wonder whether "
             "teachers receive fair pay and libraries stay open across our small town every winter").split()


def sentence(rng, vocab, n):
    w = [rng.choice(vocab) for _ in range(n)]
    return " ".join(w).capitalize() + "."


def paragraphs(rng, vocab, words_each, count):
    out = []
    for _ in range(count):
        words, parts = 0, []
        while words < words_each:
            n = min(12, words_each - words)
            parts.append(sentence(rng, vocab, n))
            words += n
        out.append(" ".join(parts))
    return out


RNG = random.Random(11)
TITLE = "Harbour cranes idle as tide delays cargo"
BODY = paragraphs(RNG, SOURCE_WORDS, 60, 10)  # ten 60-word paragraphs: the lead is BODY[0]
SOURCE = (
    "<!doctype html><html><head><title>" + TITLE + "</title>"
    '<meta property="og:site_name" content="Wire Example">'
    f'<link rel="canonical" href="{ORIGINAL}">'
    '<script type="application/ld+json">{"@type": "NewsArticle", "articleSection": "Business"}</script>'
    "</head><body><main><article><h1>" + TITLE + "</h1>"
    + "".join(f"<p>{p}</p>" for p in BODY)
    + "</article></main><footer><p>Copyright 2024 Wire Example. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed. For licensing, contact licensing@wire.example.</p>"
    "</footer></body></html>"
)
COMMENTARY = paragraphs(random.Random(5), OWN_WORDS, 450, 2)  # 900 words of the copier's own


def page(body: str) -> str:
    return f"<!doctype html><html><body><main>{body}</main></body></html>"


def judge(capsys, tmp_path, copy_html: str, venue: str, *extra) -> dict:
    (tmp_path / "source.html").write_text(SOURCE)
    (tmp_path / "copy.html").write_text(copy_html)
    main(["check", str(tmp_path / "copy.html"), "--source", str(tmp_path / "source.html"), "--venue", venue,
          "--format", "json", *extra])
    out, _ = capsys.readouterr()
    return json.loads(out)["results"][0]


def facts_text(fu: dict) -> str:
    return " | ".join(x["fact"] for x in fu["facts"])


VERDICT = regex.compile(r"(?i)\b(?:this|it)\s+is\s+(?:not\s+)?(?:a\s+)?fair\s+use\b|\bis\s+(?:not\s+)?fair\s+use\b")


def test_short_marked_quotation_in_commentary_with_link_leans_towards_fair_use(capsys, tmp_path):
    quote = BODY[3]
    copy = page(f"<p>{COMMENTARY[0]}</p><blockquote>{quote}</blockquote><p>{COMMENTARY[1]}</p>"
                f'<p>As reported by <a href="{ORIGINAL}">Wire Example</a>.</p>')
    r = judge(capsys, tmp_path, copy, "noncommercial")
    fu = r["fair_use"]
    m = fu["measures"]
    assert fu["why"] == "no grant in the source's terms covers this copy"
    assert m["copied_words"] == 60 and m["quoted_words"] == 60 and m["unquoted_words"] == 0
    assert m["own_words"] == 900 + 5  # the commentary and "As reported by Wire Example"
    assert m["credited"] is True and m["linked"] is True and m["market"] == "sends_readers"
    assert m["headline_taken"] is False and m["lead_taken"] is False and m["whole_body"] is False
    assert "all 60 copied words are marked as quotations" in facts_text(fu)
    assert "lean towards fair use" in fu["reading"] and "licensing@wire.example" in fu["reading"]
    assert fu["group"] == "short quotation in commentary"
    assert m["nature"]["reading"] == "a news article"


def test_same_passage_unmarked_and_uncredited(capsys, tmp_path):
    copy = page(f"<p>{COMMENTARY[0]}</p><p>{BODY[3]}</p><p>{COMMENTARY[1]}</p>")
    fu = judge(capsys, tmp_path, copy, "noncommercial")["fair_use"]
    m = fu["measures"]
    assert m["copied_words"] == 60 and m["quoted_words"] == 0 and m["unquoted_words"] == 60
    assert m["credited"] is False and m["linked"] is False
    assert "the 60 copied words are presented as the copy's own text" in facts_text(fu)
    assert "does not credit the source" in facts_text(fu)
    assert "lean towards" not in fu["reading"]


def test_full_copy_on_commercial_site_without_link_points_away(capsys, tmp_path):
    copy = page("<h1>" + TITLE + "</h1>" + "".join(f"<p>{p}</p>" for p in BODY))
    r = judge(capsys, tmp_path, copy, "commercial")
    fu = r["fair_use"]
    m = fu["measures"]
    assert m["copied_words"] == 600 + len(TITLE.split()) and m["share_of_source"] == 1.0
    assert m["whole_body"] is True and m["market"] == "substitute"
    assert m["headline_taken"] is True and m["lead_taken"] is True
    assert fu["reading"].startswith("a full copy on a commercial site with no link back: the facts point away "
                                    "from fair use; ask the publisher: licensing@wire.example")
    assert "could stand in for the original" in facts_text(fu)


def test_full_copy_under_its_own_fair_use_notice_is_judged_like_any_other(capsys, tmp_path):
    copy = page("<h1>" + TITLE + "</h1>" + "".join(f"<p>{p}</p>" for p in BODY)
                + "<p>FAIR USE NOTICE: This site contains copyrighted material the use of which has not always been "
                  "specifically authorized by the copyright owner.</p>")
    r = judge(capsys, tmp_path, copy, "noncommercial")
    assert r["status"] == "noncompliant"
    fu = r["fair_use"]
    assert fu["measures"]["claims_fair_use"] is True
    assert "the copier's claim, and it grants nothing to anyone else" in facts_text(fu)
    assert any(f["rule"] == "GRNT002" and f["status"] == "unmet" for f in r["findings"])


def test_headline_and_lead_excerpt(capsys, tmp_path):
    copy = page(f"<h1>{TITLE}</h1><p>{BODY[0]}</p><p>Read more at the wire.</p>")
    fu = judge(capsys, tmp_path, copy, "noncommercial")["fair_use"]
    m = fu["measures"]
    assert m["headline_taken"] is True and m["lead_taken"] is True and m["whole_body"] is False
    assert m["copied_words"] == 60 + len(TITLE.split())
    assert "it takes the headline and the lead paragraph" in facts_text(fu)


def test_no_report_states_a_verdict(capsys, tmp_path):
    copies = [
        page(f"<p>{COMMENTARY[0]}</p><blockquote>{BODY[3]}</blockquote><p>{COMMENTARY[1]}</p>"
             f'<p><a href="{ORIGINAL}">Wire Example</a></p>'),
        page("".join(f"<p>{p}</p>" for p in BODY)),
    ]
    (tmp_path / "source.html").write_text(SOURCE)
    for i, c in enumerate(copies):
        (tmp_path / f"c{i}.html").write_text(c)
    for fmt in ("text", "json", "markdown", "html", "sarif", "junit"):
        main(["check", str(tmp_path / "c0.html"), str(tmp_path / "c1.html"), "--source", str(tmp_path / "source.html"),
              "--venue", "commercial", "--format", fmt])
        out, _ = capsys.readouterr()
        assert "fair use" in out.lower()
        assert not VERDICT.search(out), (fmt, VERDICT.search(out))
        assert "not legal advice" in out


def test_thresholds_come_from_config(capsys, tmp_path):
    (tmp_path / "c.toml").write_text("[thresholds]\nnear_full = 1.5\n")
    copy = page("<h1>" + TITLE + "</h1>" + "".join(f"<p>{p}</p>" for p in BODY))
    fu = judge(capsys, tmp_path, copy, "commercial", "--config", str(tmp_path / "c.toml"))["fair_use"]
    assert fu["measures"]["market"] != "substitute" and fu["measures"]["whole_body"] is False


def test_copies_within_the_grant_get_no_fair_use_section(capsys, tmp_path):
    source = SOURCE.replace("This material may not be published, broadcast, rewritten or redistributed.",
                            "You are free to republish this article under Creative Commons Attribution 4.0.")
    source = source.replace("All rights reserved.", "")
    (tmp_path / "source.html").write_text(source)
    copy = page("<h1>" + TITLE + "</h1>" + "".join(f"<p>{p}</p>" for p in BODY)
                + f'<p>“{TITLE}” was originally published by <a href="{ORIGINAL}">Wire Example</a> and is licensed '
                  'under <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p>')
    (tmp_path / "copy.html").write_text(copy)
    main(["check", str(tmp_path / "copy.html"), "--source", str(tmp_path / "source.html"), "--venue", "community",
          "--format", "json"])
    out, _ = capsys.readouterr()
    assert json.loads(out)["results"][0]["fair_use"] is None


def test_audit_summary_groups_ungranted_copies_by_facts(capsys, tmp_path):
    src = tmp_path / "src"
    cand = tmp_path / "cand"
    src.mkdir()
    cand.mkdir()
    (src / "story.html").write_text(SOURCE)
    (cand / "full.html").write_text(page("".join(f"<p>{p}</p>" for p in BODY)))
    (cand / "quote.html").write_text(page(f"<p>{COMMENTARY[0]}</p><blockquote>{BODY[3]}</blockquote>"
                                          f'<p>{COMMENTARY[1]}</p><p><a href="{ORIGINAL}">Wire Example</a></p>'))
    main(["audit", "--sources", str(src), "--candidates", str(cand), "--venue", "commercial", "--out",
          str(tmp_path / "out"), "--quiet", "--jobs", "1"])
    capsys.readouterr()
    md = (tmp_path / "out" / "summary.md").read_text()
    assert "full copy, no link" in md and "short quotation in commentary" in md
    assert not VERDICT.search(md)
