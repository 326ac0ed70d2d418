"""Duties from publishers' guidelines: tracking pixel, excerpt limits, indicating changes."""

from __future__ import annotations

import json

from compliance.cli import main

PARAS = [
    "The council met on Tuesday to debate the new budget for the harbour district and its ageing piers.",
    "Several members argued that the repairs could wait another year while the ferry contract is renegotiated.",
    "Others said the piers were already unsafe and that a delay would raise the final bill considerably.",
    "The vote was postponed until the engineers deliver their survey of the pilings at the end of the month.",
    "Residents who use the ferry every day said they were tired of hearing about delays and wanted a decision.",
    "The mayor promised a public meeting before any contract is signed and invited everyone to attend it.",
]
GUIDE = ("<aside><h2>Republish this article</h2><p>You are free to republish this story under a Creative Commons "
         "Attribution-NoDerivatives 4.0 International license. You must credit the author and the publication, "
         "include a link to the original story, and keep the tracking pixel that comes with the HTML below. "
         "Indicate if changes were made.</p></aside>")


def source(extra: str = GUIDE) -> str:
    return ("<html><head><title>Harbour budget</title><link rel='canonical' href='https://bay.example/harbour-budget'>"
            "<meta name='author' content='Rosa Vale'><meta property='og:site_name' content='Bay News'></head>"
            "<body><main><article><h1>Harbour budget</h1><p>By Rosa Vale</p>"
            + "".join(f"<p>{p}</p>" for p in PARAS) + "</article></main>" + extra
            + "<img src='https://pixel.bay.example/count.gif?id=9' width='1' height='1' alt=''></body></html>")


def credit(pixel: bool) -> str:
    img = "<img src='https://pixel.bay.example/count.gif?id=9' width='1' height='1' alt=''>" if pixel else ""
    return ("<p>“Harbour budget” by Rosa Vale was originally published by <a href='https://bay.example/harbour-budget'>"
            "Bay News</a> and is licensed under <a href='https://creativecommons.org/licenses/by-nd/4.0/'>CC BY-ND "
            f"4.0</a>.</p>{img}")


def check(capsys, tmp_path, src: str, copy: str, *extra) -> dict:
    (tmp_path / "src.html").write_text(src)
    (tmp_path / "copy.html").write_text(copy)
    code = main(["check", str(tmp_path / "copy.html"), "--source", str(tmp_path / "src.html"), "--venue",
                 "noncommercial", "--format", "json", *extra])
    out, _ = capsys.readouterr()
    data = json.loads(out)["results"][0]
    data["exit"] = code
    return data


def by_rule(result: dict) -> dict:
    return {f["rule"]: f for f in result["findings"]}


def body(paras=PARAS) -> str:
    return "<h1>Harbour budget</h1><p>By Rosa Vale</p>" + "".join(f"<p>{p}</p>" for p in paras)


def test_tracking_pixel_kept_and_dropped(capsys, tmp_path):
    kept = check(capsys, tmp_path, source(), f"<html><body>{body()}{credit(pixel=True)}</body></html>")
    assert by_rule(kept)["PIX001"]["status"] == "met"
    assert kept["exit"] == 0, [f for f in kept["findings"] if f["status"] == "unmet"]
    dropped = check(capsys, tmp_path, source(), f"<html><body>{body()}{credit(pixel=False)}</body></html>")
    f = by_rule(dropped)["PIX001"]
    assert f["status"] == "unmet" and "bay.example" in f["message"]


def test_edit_without_saying_so_breaks_indicate_changes_and_no_modification(capsys, tmp_path):
    edited = list(PARAS)
    edited[2] = "Others insisted the piers were unsafe and that waiting would only raise the final bill."
    r = by_rule(check(capsys, tmp_path, source(), f"<html><body>{body(edited)}{credit(True)}</body></html>"))
    assert r["MOD001"]["status"] == "unmet" and r["MOD002"]["status"] == "unmet"
    said = f"<html><body>{body(edited)}<p>This article has been edited for length.</p>{credit(True)}</body></html>"
    r = by_rule(check(capsys, tmp_path, source(), said))
    assert r["MOD002"]["status"] == "met" and r["MOD001"]["status"] == "unmet"


def test_excerpt_only_grant_says_how_much_was_taken(capsys, tmp_path):
    grant = ("<aside><p>Bloggers may republish the first two paragraphs of any story with a link to the original "
             "at bay.example.</p></aside>")
    src = source(grant)
    within = check(capsys, tmp_path, src, f"<html><body>{body(PARAS[:2])}{credit(True)}</body></html>")
    assert by_rule(within)["EXC001"]["status"] == "met"
    over = check(capsys, tmp_path, src, f"<html><body>{body()}{credit(True)}</body></html>")
    f = by_rule(over)["EXC001"]
    assert f["status"] == "unmet" and "first 2 paragraphs" in f["message"]
    assert str(f["details"]["words_taken"]) in f["message"]


def test_word_limit_grant(capsys, tmp_path):
    grant = "<aside><p>You may quote up to 40 words of our articles with a link to the original.</p></aside>"
    over = check(capsys, tmp_path, source(grant), f"<html><body>{body(PARAS[:3])}{credit(True)}</body></html>")
    f = by_rule(over)["EXC001"]
    assert f["status"] == "unmet" and "the grant allows 40" in f["message"]
