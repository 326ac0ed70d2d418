"""Deterministic, realistic news-article HTML pages for benchmarks and tests.

Each page is 100-300 KB (median about 180 KB) and looks like what publishers serve:
a head full of meta tags, large inline scripts (minified JS, JSON state blobs that repeat
the article text), style blocks, a navigation of 100+ links, a header, an ``<article>``
with byline, paragraphs with inline links and figures with image credits, an aside of
related links, a comments section, a JSON-LD ``NewsArticle`` block and a footer with one
of several terms statements.

    python -m benchmarks.pages OUTDIR [N]       # writes N pages (default 50)
    python benchmarks/pages.py OUTDIR [N]
    python benchmarks/pages.py --bench [N]      # times read_html against ceiling() on N pages

``ceiling(html)`` is the bare selectolax extraction (parse + visible text + links +
``rel=license`` + JSON-LD + meta) that ``read_html`` is compared against.
"""

from __future__ import annotations

import json
import os
import random
import sys

__all__ = ["make_page", "corpus", "ceiling", "bench", "SIZE_MIN", "SIZE_MAX"]

SIZE_MIN = 100_000
SIZE_MAX = 300_000
SIZE_MODE = 150_000  # triangular(102 K, 290 K, 150 K): a median of about 178 K

_WORDS = """
the of and to in a is that for it as was with be by on not he this are or his from at which
but have an they you were her she there would their we him been has when who will more no if
out so said what up its about into than them can only other new some could time these two may
then do first any my now such like our over man me even most made after also did many before
must through back years where much your way well down should because each just those people how
too little state good very make world still own see men work long get here between both life
being under never day same another know while last might us great old year off come since
against go came right used take three government council minister report officials week city
country police economy market court election policy health school water energy region workers
company director people's community residents program budget agency village farmers border
security research scientists study data climate river coast forest mountain industry trade
prices inflation bank investors plan project bridge hospital doctors patients students teachers
children families museum festival season team players coach match league final record history
archive library university campaign protest union strike parliament senator committee hearing
evidence witness judge lawyer statement spokesperson interview analysis survey percent million
billion district province capital harbor airport railway station highway traffic weather storm
drought flood harvest supply demand shortage exports imports tariff currency debt reform vote
""".split()

_FIRST = "Maria James Aiko Pedro Fatima Lars Chen Amara Olga Tomás Priya Kwame Sofia Ivan Leila Noah Zainab Mateo Hana Rui".split()
_LAST = "Okafor Lindqvist Tanaka García Haddad Novak Müller Ito Kowalski Mensah Rossi Petrov Silva Nguyen Dubois Ahmed Kim Walsh Costa Berg".split()
_SECTIONS = ["World", "Politics", "Business", "Science", "Environment", "Health", "Culture", "Sport", "Technology", "Opinion"]

_CC = [
    ("by", "Attribution"),
    ("by-sa", "Attribution-ShareAlike"),
    ("by-nd", "Attribution-NoDerivatives"),
    ("by-nc", "Attribution-NonCommercial"),
    ("by-nc-nd", "Attribution-NonCommercial-NoDerivatives"),
    ("by-nc-sa", "Attribution-NonCommercial-ShareAlike"),
]


def _cc_footer(rng: random.Random) -> tuple[str, str | None]:
    code, name = rng.choice(_CC)
    ver = rng.choice(["4.0", "4.0", "3.0"])
    url = f"https://creativecommons.org/licenses/{code}/{ver}/"
    html = (
        f'<p class="license">This work is licensed under a <a rel="license" href="{url}">'
        f"Creative Commons {name} {ver} International License</a>. "
        f"You may republish it with attribution to Example Media and a link to the original.</p>"
    )
    return html, url


def _terms(rng: random.Random, kind: int) -> tuple[str, str | None]:
    """One footer terms statement and, for CC pages, the licence URL."""
    if kind == 0:
        return _cc_footer(rng)
    if kind == 1:
        return "<p class=\"copyright\">&copy; 2024 Example Media. All rights reserved.</p>", None
    if kind == 2:
        return (
            "<p class=\"agency\">Copyright 2024 The Example Press. All rights reserved. "
            "This material may not be published, broadcast, rewritten or redistributed.</p>",
            None,
        )
    if kind == 3:
        return (
            "<p class=\"crosspost\">Permission is granted to cross-post articles on community websites "
            "provided the source and copyright are acknowledged with a hyperlink to the original article. "
            'For commercial use contact: <a href="mailto:editor@example.org">editor@example.org</a></p>',
            None,
        )
    return (
        "<p class=\"fairuse\">This site contains copyrighted material the use of which has not always been "
        "specifically authorized by the copyright owner. We are making such material available in an effort "
        "to advance understanding of political, economic and social issues. We believe this constitutes a "
        "&lsquo;fair use&rsquo; of any such copyrighted material as provided for in section 107 of the US "
        "Copyright Law.</p>",
        None,
    )


def _sentence(rng: random.Random, lo: int = 8, hi: int = 24) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(lo, hi))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.25:
        words.insert(rng.randint(1, len(words) - 1), rng.choice(_FIRST) + " " + rng.choice(_LAST))
    if rng.random() < 0.15:
        words.insert(rng.randint(1, len(words) - 1), rng.choice(["“", "‘"]) + rng.choice(_WORDS) + rng.choice(["”", "’"]))
    end = rng.choice([".", ".", ".", ".", "?", "!"])
    s = " ".join(words) + end
    if rng.random() < 0.1:
        s = s.replace(" and ", " &amp; ", 1)
    if rng.random() < 0.1:
        s = s.replace(" the ", " the&nbsp;", 1)
    return s


def _slug(rng: random.Random, n: int = 4) -> str:
    return "-".join(rng.choice(_WORDS).replace("'", "") for _ in range(n))


def _ident(rng: random.Random) -> str:
    a = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$"
    return "".join(rng.choice(a) for _ in range(rng.randint(1, 3)))


def _minified_js(rng: random.Random, size: int) -> str:
    """Minified-looking JavaScript of about ``size`` characters."""
    out: list[str] = ["!function(e,t){\"use strict\";"]
    n = len(out[0])
    templates = [
        "var {a}=function({b},{c}){{return {b}&&{b}.{d}?{c}({b}.{d}):void 0}};",
        "function {a}({b}){{for(var {c}=0;{c}<{b}.length;{c}++)if({b}[{c}]==={n})return {c};return-1}}",
        "{a}.prototype.{d}=function({b}){{this.{e}=this.{e}||[];this.{e}.push({b});return this}};",
        "e.{a}=\"<div class=\\\"{w}\\\"><a href=\\\"/{w}\\\">{w}</a></div>\";",
        "{a}[\"{w}\"]={{id:{n},name:\"{w}\",enabled:!0,ratio:.{n}}};",
        "if(\"undefined\"!=typeof window&&window.{d}){{{a}=window.{d}.{e}({n})}}",
        "t.{a}=function(){{return document.querySelectorAll(\"p > a[href^='http']\").length<{n}}};",
        "var {a}=/[<>&\"]/g,{b}={{\"<\":\"&lt;\",\">\":\"&gt;\"}};",
    ]
    while n < size:
        s = rng.choice(templates).format(
            a=_ident(rng), b=_ident(rng), c=_ident(rng), d=rng.choice(_WORDS).replace("'", ""),
            e=rng.choice(_WORDS).replace("'", ""), n=rng.randint(0, 99999), w=rng.choice(_WORDS).replace("'", ""),
        )
        out.append(s)
        n += len(s)
    out.append("}(window,document);")
    return "".join(out)


def _css(rng: random.Random, size: int) -> str:
    out: list[str] = []
    n = 0
    while n < size:
        s = (
            f".{rng.choice(_WORDS).replace(chr(39), '')}-{rng.randint(1, 99)}"
            f"{{margin:{rng.randint(0, 40)}px {rng.randint(0, 40)}px;color:#{rng.randrange(16**6):06x};"
            f"font-size:{rng.randint(10, 40)}px;display:{rng.choice(['block', 'flex', 'grid', 'none'])}}}"
        )
        out.append(s)
        n += len(s)
    return "".join(out)


def _link_list(rng: random.Random, n: int, indent: str, cls: str = "menu-item") -> list[str]:
    lines = []
    for _ in range(n):
        sec = rng.choice(_SECTIONS).lower()
        label = " ".join(w.capitalize() for w in (rng.choice(_WORDS) for _ in range(rng.randint(1, 3))))
        lines.append(f'{indent}<li class="{cls}"><a href="/{sec}/{_slug(rng, 2)}/">{label}</a></li>')
    return lines


_ICON = '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2L2 7l10 5 10-5-10-5z"/><title>icon</title></svg>'


def make_page(i: int) -> bytes:
    """Page number ``i``: the same bytes for the same ``i`` on every machine."""
    rng = random.Random(0xC0FFEE ^ (i * 7919))
    target = int(rng.triangular(SIZE_MIN + 2_000, SIZE_MAX - 10_000, SIZE_MODE))
    terms_kind = i % 5
    section = rng.choice(_SECTIONS)
    headline = _sentence(rng, 6, 12).rstrip(".?!")
    author = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    slug = _slug(rng, 5)
    url = f"https://news.example.com/{section.lower()}/2024/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{slug}/"
    date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
    terms_html, licence_url = _terms(rng, terms_kind)

    paragraphs: list[str] = []
    plain_paragraphs: list[str] = []
    for _ in range(rng.randint(8, 25)):
        sents = [_sentence(rng) for _ in range(rng.randint(2, 6))]
        plain_paragraphs.append(" ".join(sents))
        parts = []
        for s in sents:
            if rng.random() < 0.35:
                words = s.split(" ")
                k = rng.randint(0, max(0, len(words) - 3))
                m = rng.randint(1, 3)
                href = rng.choice([
                    f"/{rng.choice(_SECTIONS).lower()}/{_slug(rng)}/",
                    f"https://www.{rng.choice(_WORDS).replace(chr(39), '')}.org/{_slug(rng, 2)}",
                    f"../{_slug(rng, 2)}.html",
                ])
                words[k:k + m] = [f'<a href="{href}">' + " ".join(words[k:k + m]) + "</a>"]
                s = " ".join(words)
            if rng.random() < 0.1:
                s = s.replace(" ", " <em>", 1).replace(" ", "</em> ", 2).replace("</em> ", " ", 1)
            parts.append(s)
        # Source text wrapped at ~100 columns like many CMS outputs.
        body = " ".join(parts)
        if rng.random() < 0.5:
            wrapped, line = [], []
            for w in body.split(" "):
                line.append(w)
                if sum(len(x) + 1 for x in line) > 100:
                    wrapped.append(" ".join(line))
                    line = []
            if line:
                wrapped.append(" ".join(line))
            body = "\n        ".join(wrapped)
        paragraphs.append(f"        <p>{body}</p>")

    figures = []
    image_licensed = rng.random() < 0.4
    for k in range(rng.randint(1, 4)):
        photographer = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        agency = rng.choice(["Reuters", "AFP via Getty Images", "AP Photo", "Example Media", "Wikimedia Commons (CC BY-SA 4.0)"])
        figures.append(
            f'        <figure class="wp-block-image">\n'
            f'          <img src="https://cdn.example.com/img/{slug}-{k}.jpg" data-src="https://cdn.example.com/img/{slug}-{k}@2x.jpg" '
            f'alt="{_sentence(rng, 4, 9).rstrip(".?!")}" width="1200" height="800" loading="lazy">\n'
            f'          <figcaption>{_sentence(rng, 6, 14)} <span class="credit">Photo: {photographer} / {agency}</span></figcaption>\n'
            f"        </figure>"
        )
    article_parts = list(paragraphs)
    for f in figures:
        article_parts.insert(rng.randint(1, len(article_parts)), f)
    if rng.random() < 0.5:
        article_parts.insert(rng.randint(2, len(article_parts)), f"        <h2>{_sentence(rng, 3, 7).rstrip('.?!')}</h2>")
    if rng.random() < 0.4:
        article_parts.insert(rng.randint(2, len(article_parts)), f"        <blockquote><p>{_sentence(rng)}</p></blockquote>")
    if rng.random() < 0.4:
        items = "".join(f"<li>{_sentence(rng, 4, 10)}</li>" for _ in range(rng.randint(3, 6)))
        article_parts.insert(rng.randint(2, len(article_parts)), f"        <ul>{items}</ul>")

    # JSON-LD
    person = {"@type": "Person", "name": author, "url": f"https://news.example.com/author/{author.lower().replace(' ', '-')}/"}
    publisher = {"@type": "NewsMediaOrganization", "name": "Example Media",
                 "logo": {"@type": "ImageObject", "url": "https://news.example.com/logo.png", "width": 600, "height": 60}}
    image = {"@type": "ImageObject", "url": f"https://cdn.example.com/img/{slug}-0.jpg", "width": 1200, "height": 800}
    if image_licensed:
        image.update({"license": "https://www.example-photos.com/license", "acquireLicensePage": "https://www.example-photos.com/buy",
                      "creditText": rng.choice(["Reuters", "AFP", "Getty Images"]), "copyrightNotice": "© 2024 Example Photos"})
    article = {
        "@type": "NewsArticle", "headline": headline, "url": url, "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": date, "dateModified": date, "articleSection": section,
        "author": [person] if rng.random() < 0.5 else person, "publisher": publisher, "image": [image],
        "isAccessibleForFree": rng.choice([True, "True", False]),
        "copyrightHolder": {"@type": "Organization", "name": "Example Media"}, "copyrightYear": 2024,
    }
    if licence_url:
        article["license"] = licence_url
    if rng.random() < 0.5:
        ld = {"@context": "https://schema.org", "@graph": [
            {"@type": "WebSite", "@id": "https://news.example.com/#website", "url": "https://news.example.com/", "name": "Example Media"},
            {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "position": 1, "name": section}]},
            article,
        ]}
    else:
        ld = {"@context": "https://schema.org", **article}
    ld_json = json.dumps(ld, ensure_ascii=False, indent=rng.choice([None, 2]))

    # Inline scripts fill the page up to its target size.
    state = json.dumps({"article": {"headline": headline, "body": plain_paragraphs, "author": author},
                        "config": {"ads": {"slots": [f"slot-{k}" for k in range(30)]}, "flags": {w: rng.random() < 0.5 for w in _WORDS[:60]}}},
                       ensure_ascii=False)

    head_meta = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{headline} | Example Media</title>",
        f'<meta name="description" content="{_sentence(rng, 10, 20)}">',
        f'<meta name="author" content="{author}">',
        f'<meta property="og:title" content="{headline}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:url" content="{url}">',
        '<meta property="og:site_name" content="Example Media">',
        f'<meta property="og:image" content="https://cdn.example.com/img/{slug}-0.jpg">',
        f'<meta property="article:section" content="{section}">',
        f'<meta property="article:published_time" content="{date}">',
        '<meta property="article:publisher" content="https://www.facebook.com/examplemedia">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:site" content="@examplemedia">',
        f'<meta name="twitter:title" content="{headline}">',
        f'<link rel="canonical" href="{url}">',
        '<link rel="preconnect" href="https://cdn.example.com">',
        '<link rel="stylesheet" href="/static/css/main.4f3a2b.css">',
        '<link rel="icon" href="/favicon.ico">',
        '<link rel="alternate" type="application/rss+xml" href="/feed/">',
    ]
    if terms_kind == 0 and licence_url:
        head_meta.append(f'<link rel="license" href="{licence_url}">')
    if terms_kind in (1, 2):
        head_meta.append('<meta name="copyright" content="© 2024 Example Media">')
    if rng.random() < 0.3:
        head_meta.append('<meta name="tdm-reservation" content="1">')
        head_meta.append('<meta name="tdm-policy" content="https://news.example.com/tdm-policy.json">')
    if rng.random() < 0.3:
        head_meta.append('<meta name="robots" content="index, follow, noai, noimageai">')
    else:
        head_meta.append('<meta name="robots" content="index, follow, max-image-preview:large">')
    for k in range(rng.randint(10, 25)):
        head_meta.append(f'<meta name="x-{rng.choice(_WORDS)}-{k}" content="{rng.randint(0, 10**9)}">')
    for k in range(rng.randint(3, 8)):
        head_meta.append(f'<link rel="preload" as="script" href="/static/js/chunk-{k}.{rng.randrange(16**8):08x}.js">')

    nav_links = _link_list(rng, rng.randint(100, 180), "          ")
    footer_links = _link_list(rng, rng.randint(30, 60), "        ", "footer-item")
    related = _link_list(rng, rng.randint(5, 12), "        ", "related")
    comments = []
    for k in range(rng.randint(3, 15)):
        who = f"{rng.choice(_FIRST)}{rng.randint(1, 999)}"
        comments.append(
            f'      <div class="comment" id="comment-{k}">\n'
            f'        <div class="comment-author"><img src="https://gravatar.example.com/{k}.png" alt="" width="32" height="32"> {who}</div>\n'
            f'        <div class="comment-body"><p>{_sentence(rng, 5, 30)}</p></div>\n'
            f'        <a class="reply" href="#comment-{k}">Reply</a>\n'
            f"      </div>"
        )

    def assemble(script_sizes: list[int], css_size: int) -> str:
        scripts = [f"<script>{_minified_js(random.Random(i * 31 + k), s)}</script>" for k, s in enumerate(script_sizes)]
        out = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            *("  " + m for m in head_meta),
            f"  <style>{_css(random.Random(i), css_size)}</style>",
            "  " + scripts[0],
            f"  <script>window.__INITIAL_STATE__={state};</script>",
            f'  <script type="application/ld+json">{ld_json}</script>',
            '  <script async src="https://www.googletagmanager.com/gtag/js?id=G-EXAMPLE"></script>',
            "</head>",
            f'<body class="single post-template {section.lower()}">',
            '  <noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-EXAMPLE" height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>',
            '  <div id="page" class="site">',
            '    <header class="site-header">',
            '      <div class="logo"><a href="/" rel="home"><img src="/static/logo.svg" alt="Example Media"></a></div>',
            '      <button class="menu-toggle" aria-expanded="false">' + _ICON + "<span>Menu</span></button>",
            '      <nav class="main-navigation" aria-label="Main">',
            '        <ul class="menu">',
            *nav_links,
            "        </ul>",
            "      </nav>",
            '      <div class="share">' + "".join(f'<a href="https://social.example/{k}" class="share-{k}">{_ICON}</a>' for k in range(6)) + "</div>",
            "    </header>",
            '    <div class="cookie-banner" hidden><p>We use cookies to improve your experience. <a href="/cookies">Learn more</a></p></div>',
            '    <div class="modal" style="display: none"><p>Subscribe to our newsletter for daily updates.</p></div>',
            '    <main id="main" class="site-main">',
            '      <article class="post">',
            f'        <header class="entry-header"><span class="cat">{section}</span>',
            f"          <h1 class=\"entry-title\">{headline}</h1>",
            f'          <div class="byline">By <a href="/author/{author.lower().replace(" ", "-")}/" rel="author">{author}</a> '
            f'<time datetime="{date}">{date[:10]}</time></div>',
            "        </header>",
            '        <div class="entry-content">',
            *article_parts,
            "        </div>",
            '        <div class="tags">' + " ".join(f'<a href="/tag/{w}/" rel="tag">{w}</a>' for w in rng.sample(_WORDS, 5)) + "</div>",
            "      </article>",
            '      <aside class="related-posts">',
            "        <h3>Related</h3>",
            "        <ul>",
            *related,
            "        </ul>",
            "      </aside>",
            '      <section id="comments" class="comments-area">',
            f'      <h2 class="comments-title">{len(comments)} comments</h2>',
            *comments,
            "      </section>",
            "    </main>",
            '    <footer class="site-footer">',
            '      <ul class="footer-menu">',
            *footer_links,
            "      </ul>",
            "      " + terms_html,
            '      <p class="powered">Powered by <a href="https://wordpress.org/" rel="nofollow">WordPress</a></p>',
            "    </footer>",
            "  </div>",
            '  <noscript><img height="1" width="1" style="display:none" alt="" src="https://www.facebook.com/tr?id=123456&amp;ev=PageView&amp;noscript=1"></noscript>',
            *("  " + s for s in scripts[1:]),
            f'  <script id="__NEXT_DATA__" type="application/json">{state}</script>',
            "</body>",
            "</html>",
            "",
        ]
        return "\n".join(out)

    n_scripts = rng.randint(3, 6)
    css_size = rng.randint(5_000, 20_000)
    base = assemble([100] * n_scripts, css_size)
    room = max(n_scripts * 500, target - len(base.encode("utf-8")))
    weights = [rng.random() + 0.2 for _ in range(n_scripts)]
    total = sum(weights)
    sizes = [max(500, int(room * w / total)) for w in weights]
    return assemble(sizes, css_size).encode("utf-8")


def corpus(n: int) -> list[bytes]:
    """The first ``n`` pages."""
    return [make_page(i) for i in range(n)]


# --------------------------------------------------------------------------------------
# The ceiling: the least work any HTML reader must do on these pages with selectolax.

def ceiling(html: bytes) -> dict:
    """Bare selectolax extraction: parse, visible text, links, rel=license, JSON-LD, meta.

    No positions, blocks, regions or URL resolution: the floor under ``read_html``'s cost.
    """
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    jsonld = []
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            jsonld.append(json.loads(node.text()))
        except ValueError:
            pass
    meta = {}
    for node in tree.css("meta[content]"):
        a = node.attributes
        key = a.get("name") or a.get("property")
        if key:
            meta[key.lower()] = a.get("content")
    licences = [n.attributes.get("href") for n in tree.css('[rel~="license"]')]
    links = [(n.attributes.get("href"), n.text()) for n in tree.css("a[href]")]
    tree.strip_tags(["script", "style", "noscript", "template", "svg"])
    body = tree.body
    text = body.text(separator="\n", strip=True, skip_empty=True) if body is not None else ""
    return {"text": text, "links": links, "licences": licences, "jsonld": jsonld, "meta": meta}


def bench(n: int = 40, reps: int = 9) -> dict[str, float]:
    """Milliseconds per page (median over pages of the best of ``reps`` runs) for
    ``read_html`` (on the decoded text, with a URL to resolve against) and for ``ceiling``.
    Each page's runs are interleaved so that both see the same machine load."""
    import gc
    import statistics
    import time

    from compliance.read.html import read_html

    pages = corpus(n)
    ours: list[float] = []
    floor: list[float] = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for i, page in enumerate(pages):
            text = page.decode("utf-8")
            best_r = best_c = float("inf")
            for _ in range(reps):
                t0 = time.perf_counter()
                read_html(text, f"page-{i}.html", url="https://mirror.example.net/2024/05/story.html")
                t1 = time.perf_counter()
                ceiling(page)
                t2 = time.perf_counter()
                best_r = min(best_r, t1 - t0)
                best_c = min(best_c, t2 - t1)
            ours.append(best_r * 1000)
            floor.append(best_c * 1000)
    finally:
        if gc_was:
            gc.enable()
    sizes = sorted(len(p) for p in pages)
    return {
        "pages": n,
        "median_kb": sizes[len(sizes) // 2] / 1000,
        "read_html_ms": statistics.median(ours),
        "ceiling_ms": statistics.median(floor),
        "read_html_mean_ms": statistics.fmean(ours),
        "ceiling_mean_ms": statistics.fmean(floor),
    }


def _main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    if argv[0] == "--bench":
        r = bench(int(argv[1]) if len(argv) > 1 else 40)
        print(
            f"{r['pages']} pages, median {r['median_kb']:.0f} KB: read_html {r['read_html_ms']:.2f} ms/page "
            f"(mean {r['read_html_mean_ms']:.2f}), ceiling {r['ceiling_ms']:.2f} ms/page "
            f"(mean {r['ceiling_mean_ms']:.2f}), ratio {r['read_html_ms'] / r['ceiling_ms']:.2f}"
        )
        return 0
    out = argv[0]
    n = int(argv[1]) if len(argv) > 1 else 50
    os.makedirs(out, exist_ok=True)
    sizes = []
    for i in range(n):
        data = make_page(i)
        sizes.append(len(data))
        with open(os.path.join(out, f"page-{i:04d}.html"), "wb") as fh:
            fh.write(data)
    sizes.sort()
    print(f"wrote {n} pages to {out}: min {sizes[0]} median {sizes[len(sizes) // 2]} max {sizes[-1]} bytes")
    return 0


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(_main(sys.argv[1:]))
