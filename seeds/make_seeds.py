"""Regenerate the sample copies in seeds/ from the sample source (run from the repository root).

The copies show the cases an audit meets: a compliant community copy, one without the link
back, a plain-text copy, a commercial site, an edited copy, a Markdown excerpt, an unrelated
page, and the same kinds inside a WARC crawl (plus the publisher's own page, which is the
original, not a copy). Requires warcio to write the WARC: pip install warcio.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "000_9e6abf22d7dd6653.txt"
ORIGINAL = "https://www.globalresearch.ca/terrorist-retreat-syrian-forces-break-through-isis-frontline/5485063"


def parts():
    paras = [p.strip() for p in SOURCE.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    i = next(n for n, p in enumerate(paras) if p.startswith("Articles by:"))
    return paras[0], paras[1:i], paras[i:]


def page(site_url: str, site: str, body: list[str], credit: str, title: str) -> str:
    return "\n".join([
        "<!doctype html>",
        "<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{html.escape(title)} | {site}</title>",
        f"<meta property=\"og:url\" content=\"{site_url}\">",
        f"<meta property=\"og:site_name\" content=\"{site}\">",
        "</head><body>",
        f"<nav><a href=\"/\">{site}</a> <a href=\"/about\">About</a></nav>",
        "<main><article>",
        f"<h1>{html.escape(title)}</h1>",
        *[f"<p>{html.escape(p)}</p>" for p in body],
        credit,
        "</article></main>",
        f"<footer><p>{site} is a volunteer-run community site.</p></footer>",
        "</body></html>",
        "",
    ])


GOOD_CREDIT = (f'<p>This article was originally published by <a href="{ORIGINAL}">Global Research</a>.</p>\n'
               "<p>Copyright © South Front, Global Research, 2015.</p>")
NO_LINK_CREDIT = "<p>Source: Global Research. Copyright © South Front, Global Research, 2015.</p>"

UNRELATED = """<!doctype html><html><head><meta charset="utf-8"><title>Allotment notes</title>
<meta property="og:url" content="https://gardening.example/allotment-notes"></head><body><main>
<h1>Allotment notes for late autumn</h1>
<p>The last of the squash came in this week, and the beds along the north fence are finally cleared.</p>
<p>We spread a thick layer of leaf mould over the empty ground and planted garlic in the sunniest row.</p>
<p>Next month the committee meets to decide on the new water butts and the shared tool shed.</p>
</main><footer><p>© 2024 Riverside Allotments. All rights reserved.</p></footer></body></html>
"""


def write_copies() -> dict[str, str]:
    title, body, footer = parts()
    edited = list(body)
    edited[1] = edited[1].replace("broke-through ISIS’ remaining frontlines", "smashed through the last ISIS lines")
    copies = {
        "compliant.html": page("https://communityvoices.example/2015/10/terrorist-retreat", "Community Voices",
                               body, GOOD_CREDIT, title),
        "missing-link.html": page("https://peacenews.example/syria-battlespace", "Peace News Collective",
                                  body, NO_LINK_CREDIT, title),
        "commercial.html": page("https://www.dailybriefing.example/world/syria-isis", "Daily Briefing",
                                body, GOOD_CREDIT, title),
        "edited.html": page("https://communityvoices.example/2015/10/syria-edited", "Community Voices",
                            edited, GOOD_CREDIT, title),
        "plain-text.txt": f"{title}\n\n" + "\n\n".join(body)
                          + f"\n\nSource: Global Research, {ORIGINAL}\nCopyright © South Front, Global Research, 2015.\n",
        "excerpt.md": f"---\ntitle: Weekly reading\nauthor: Reading Circle\n---\n\n# Weekly reading\n\n"
                      f"From [Global Research]({ORIGINAL}), copyright © South Front, Global Research, 2015:\n\n"
                      + "\n\n".join(f"> {p}" for p in body[:2]) + "\n\nOur group discusses this on Thursday.\n",
        "unrelated.html": UNRELATED,
    }
    out = HERE / "copies"
    out.mkdir(exist_ok=True)
    for name, text in copies.items():
        (out / name).write_text(text, encoding="utf-8")
    return copies


def write_warc(copies: dict[str, str]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    title, body, footer = parts()
    original = page(ORIGINAL, "Global Research", body + footer, "", title)
    records = [
        (ORIGINAL, original),
        ("https://forum.example/t/syria-update/812", copies["missing-link.html"].replace(
            "peacenews.example/syria-battlespace", "forum.example/t/syria-update/812")),
        ("https://news-aggregator.example/item/77", copies["commercial.html"].replace(
            "www.dailybriefing.example/world/syria-isis", "news-aggregator.example/item/77")),
        ("https://gardening.example/allotment-notes", UNRELATED),
    ]
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for url, text in records:
        data = text.encode("utf-8")
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Length", str(len(data)))], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(data),
                                                      http_headers=headers))
    (HERE / "crawl.warc.gz").write_bytes(buf.getvalue())


if __name__ == "__main__":
    write_warc(write_copies())
