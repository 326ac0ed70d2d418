"""The HTML reader: visible text in blocks, regions, links, embeds, signals and positions."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from compliance.document import HTML, REGIONS, Block, Document, Embed, Link, Signal
from compliance.read.html import read_html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Page title | Site</title>
  <meta name="author" content="Ana Lopez">
  <meta property="og:title" content="The OG title">
  <meta property="og:url" content="https://example.com/og-url">
  <meta name="copyright" content="© 2024 Example Media">
  <meta name="DC.rights" content="CC BY 4.0">
  <meta name="dcterms.rights" content="All rights reserved">
  <meta name="description" content="A short description">
  <meta name="tdm-reservation" content="1">
  <meta name="tdm-policy" content="https://example.com/tdm.json">
  <meta name="robots" content="index, follow, noai, noimageai">
  <meta name="googlebot" content="noai">
  <link rel="canonical" href="/news/story">
  <link rel="license" href="https://creativecommons.org/licenses/by-nd/4.0/">
  <link rel="tdm-policy" href="/tdm-policy.json">
  <style>.x { color: red } p::after { content: "STYLE TEXT" }</style>
  <script>var secret = "SCRIPT TEXT"; document.write("<a href='/nope'>x</a>");</script>
  <script src="/static/app.js"></script>
</head>
<body>
  <nav><ul><li><a href="/home">Home</a></li><li><a href="/world">World</a></li></ul></nav>
  <header class="masthead"><p>Example Media masthead</p></header>
  <main>
    <article>
      <h1>The headline</h1>
      <p>First paragraph with <a href="/inline" rel="Nofollow noopener">an inline link</a> in it.</p>
      <p hidden>Hidden paragraph</p>
      <p style="display: none">Display none paragraph</p>
      <div style="visibility:hidden">Invisible div</div>
      <template><p>Template paragraph</p></template>
      <noscript><p>Noscript paragraph</p><img src="https://px.example.com/p.gif?id=1" width="1" height="1" alt=""></noscript>
      <svg><text>SVG TEXT</text></svg>
      <figure><img src="/img/photo.jpg" alt="A photo"><figcaption>Photo: Jo Doe / Agency</figcaption></figure>
      <blockquote><p>A quoted line.</p></blockquote>
      <ul><li>Item one</li><li>Item two</li></ul>
      <table><tr><td>Cell A</td><td>Cell B</td></tr></table>
      <pre>line one
  line two</pre>
      <p><a href="javascript:void(0)">Script link</a> and <a href="">empty</a> and <a href="mailto:ed@example.org">mail us</a>.</p>
      <p><a href="/pic"><img src="/thumb.png" alt="Thumbnail alt"></a></p>
    </article>
    <aside><p>Related <a href="/related">story</a></p></aside>
    <section id="comments"><div class="comment-body"><p>Great article!</p></div></section>
  </main>
  <footer>
    <p>This work is licensed under a <a rel="license" href="https://creativecommons.org/licenses/by-nd/4.0/">Creative Commons Attribution-NoDerivatives 4.0 International License</a>.</p>
    <p>&copy; 2024 Example Media. All rights reserved.</p>
  </footer>
  <iframe src="https://video.example.com/embed/1"></iframe>
</body>
</html>
"""


@pytest.fixture(scope="module")
def doc() -> Document:
    return read_html(PAGE, "page.html", url="https://example.com/news/story?id=1")


def block_text(doc: Document, kind: str | None = None, region: str | None = None) -> list[str]:
    return [doc.text[b.start:b.end] for b in doc.blocks
            if (kind is None or b.kind == kind) and (region is None or b.region == region)]


def region_of(doc: Document, needle: str) -> str:
    return doc.region_at(doc.text.index(needle))


# -- visible text ----------------------------------------------------------------------

def test_document_basics(doc):
    assert doc.media_type == HTML
    assert doc.path == "page.html"
    assert doc.source == PAGE
    assert doc.has_hyperlinks


@pytest.mark.parametrize("hidden", [
    "SCRIPT TEXT", "STYLE TEXT", "color: red", "Hidden paragraph", "Display none paragraph",
    "Invisible div", "Template paragraph", "Noscript paragraph", "SVG TEXT", "Page title", "secret",
])
def test_invisible_text_is_dropped(doc, hidden):
    assert hidden not in doc.text


def test_visible_text_in_order(doc):
    order = ["Home", "World", "Example Media masthead", "The headline", "First paragraph with an inline link in it.",
             "Photo: Jo Doe / Agency", "A quoted line.", "Item one", "Item two", "Cell A", "Cell B",
             "Related story", "Great article!", "This work is licensed", "© 2024 Example Media. All rights reserved."]
    positions = [doc.text.index(s) for s in order]
    assert positions == sorted(positions)


def test_text_is_blocks_joined_by_newlines(doc):
    assert doc.text == "\n".join(doc.text[b.start:b.end] for b in doc.blocks)


def test_blocks_sorted_and_not_overlapping(doc):
    ends = 0
    for b in doc.blocks:
        assert ends <= b.start < b.end
        assert b.region in REGIONS
        assert b.kind in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "quote", "pre", "td", "text")
        ends = b.end


def test_block_kinds(doc):
    assert "The headline" in block_text(doc, "h1")
    assert "A quoted line." in block_text(doc, "quote")
    assert block_text(doc, "li", "main") == ["Item one", "Item two"]
    assert block_text(doc, "td") == ["Cell A", "Cell B"]
    assert "line one\n  line two" in block_text(doc, "pre")
    assert "First paragraph with an inline link in it." in block_text(doc, "p")


def test_whitespace_collapses_and_inline_boundaries():
    d = read_html("<p>  one\n   two\t three  <b>bold</b><i>italic</i> <span>x</span>\n</p><p>a<br>b</p>", "x.html")
    assert d.text.split("\n")[0] == "one two three bolditalic x"
    assert d.text.split("\n")[1:] == ["a", "b"]
    assert [b.kind for b in d.blocks] == ["p", "p"]


def test_loose_text_of_a_container_is_its_own_block():
    d = read_html("<div>before <p>para</p> after</div>", "x.html")
    assert block_text(d) == ["before", "para", "after"]
    assert [b.kind for b in d.blocks] == ["text", "p", "text"]


# -- regions -----------------------------------------------------------------------------

def test_footer_text_is_kept_with_region_footer(doc):
    assert "© 2024 Example Media. All rights reserved." in block_text(doc, region="footer")
    assert region_of(doc, "This work is licensed") == "footer"


def test_regions(doc):
    assert region_of(doc, "Home") == "nav"
    assert region_of(doc, "Example Media masthead") == "header"
    assert region_of(doc, "The headline") == "main"
    assert region_of(doc, "Photo: Jo Doe") == "figcaption"
    assert region_of(doc, "Related") == "aside"
    assert region_of(doc, "Great article!") == "comment"


def test_comment_class_and_role_regions():
    d = read_html(
        '<body class="single comments-open"><article class="commentary"><p>Body text</p></article>'
        '<div class="Comment-Body"><p>Reader says</p></div>'
        '<div role="contentinfo"><p>Role footer</p></div><div role="navigation"><p>Role nav</p></div></body>',
        "x.html",
    )
    assert region_of(d, "Body text") == "main"
    assert region_of(d, "Reader says") == "comment"
    assert region_of(d, "Role footer") == "footer"
    assert region_of(d, "Role nav") == "nav"


# -- links -------------------------------------------------------------------------------

def links_by_text(doc: Document) -> dict[str, Link]:
    return {lk.text: lk for lk in doc.links}


def test_links_resolved_against_url_argument(doc):
    links = links_by_text(doc)
    assert links["Home"].href == "https://example.com/home"
    assert links["an inline link"].href == "https://example.com/inline"
    assert links["mail us"].href == "mailto:ed@example.org"


def test_links_resolved_against_base():
    html = ('<html><head><base href="https://cdn.example.net/dir/"></head><body>'
            '<p><a href="page.html">rel</a> <a href="/root">root</a> <a href="../up">up</a> '
            '<a href="#frag">frag</a> <a href="https://other.org/x">abs</a></p></body></html>')
    d = read_html(html, "x.html", url="https://example.com/a/b.html")
    assert [lk.href for lk in d.links] == [
        "https://cdn.example.net/dir/page.html", "https://cdn.example.net/root", "https://cdn.example.net/up",
        "https://cdn.example.net/dir/#frag", "https://other.org/x",
    ]


def test_relative_base_resolves_against_url_and_hrefs_stay_as_written_without_either():
    d = read_html('<head><base href="/sub/"></head><p><a href="x">x</a></p>', "x.html", url="https://example.com/a/b")
    assert d.links[0].href == "https://example.com/sub/x"
    d = read_html('<p><a href=" ../x.html ">x</a></p>', "x.html")
    assert d.links[0].href == "../x.html"


def test_rel_is_a_lowercased_tuple(doc):
    links = links_by_text(doc)
    assert links["an inline link"].rel == ("nofollow", "noopener")
    assert links["Home"].rel == ()


def test_link_span_is_the_visible_link_text(doc):
    for lk in doc.links:
        if lk.end > lk.start:
            assert doc.text[lk.start:lk.end] == lk.text
    lk = links_by_text(doc)["Creative Commons Attribution-NoDerivatives 4.0 International License"]
    assert lk.region == "footer"
    assert lk.rel == ("license",)


def test_javascript_and_empty_hrefs_are_skipped(doc):
    texts = [lk.text for lk in doc.links]
    assert "Script link" not in texts
    assert "empty" not in texts
    assert "Script link" in doc.text  # still visible text


def test_image_link_uses_alt(doc):
    lk = links_by_text(doc)["Thumbnail alt"]
    assert lk.href == "https://example.com/pic"
    assert lk.start == lk.end


def test_area_links_and_link_regions(doc):
    d = read_html('<map name="m"><area href="/a" alt="Area A"></map><p><a href="/b">B</a></p>', "x.html",
                  url="https://e.com/")
    assert [(lk.href, lk.text) for lk in d.links] == [("https://e.com/a", "Area A"), ("https://e.com/b", "B")]
    assert links_by_text(doc)["Home"].region == "nav"
    assert links_by_text(doc)["story"].region == "aside"


def test_hidden_links_are_not_links_but_rel_license_still_counts():
    d = read_html('<div hidden><a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC</a></div>'
                  "<p>Shown</p>", "x.html")
    assert d.links == ()
    assert d.signal_values("a.license") == ["https://creativecommons.org/licenses/by/4.0/"]


def test_bare_urls_are_mentions_but_link_texts_are_not():
    d = read_html('<p>See https://example.org/terms or <a href="https://a.org/">https://a.org/</a></p>', "x.html")
    assert [m.url for m in d.mentions] == ["https://example.org/terms"]


# -- embeds ------------------------------------------------------------------------------

def test_embeds(doc):
    got = {(e.kind, e.url) for e in doc.embeds}
    assert ("img", "https://px.example.com/p.gif?id=1") in got  # tracking pixel inside <noscript>
    assert ("img", "https://example.com/img/photo.jpg") in got
    assert ("script", "https://example.com/static/app.js") in got
    assert ("iframe", "https://video.example.com/embed/1") in got
    photo = next(e for e in doc.embeds if e.url.endswith("photo.jpg"))
    assert photo.alt == "A photo" and photo.region == "figcaption"
    pixel = next(e for e in doc.embeds if "px.example.com" in e.url)
    assert PAGE[pixel.source_offset:].startswith("<img src=\"https://px.example.com")


def test_lazy_image_uses_data_src():
    d = read_html('<img data-src="/lazy.jpg" alt="lazy"><img src="data:image/gif;base64,R0lGOD" data-src="/real.jpg">',
                  "x.html", url="https://e.com/")
    assert [e.url for e in d.embeds] == ["https://e.com/lazy.jpg", "https://e.com/real.jpg"]
    d = read_html('<img srcset="/a-320.jpg 320w, /a-640.jpg 640w">', "x.html", url="https://e.com/")
    assert [e.url for e in d.embeds] == ["https://e.com/a-320.jpg"]


def test_tracking_pixel_in_noscript_in_head():
    html = ('<html><head><noscript><img height="1" width="1" style="display:none" '
            'src="https://www.facebook.com/tr?id=1&amp;ev=PageView&amp;noscript=1"></noscript>'
            '<link rel="canonical" href="https://e.com/c"></head><body><p>Text</p></body></html>')
    d = read_html(html, "x.html")
    assert [e.url for e in d.embeds] == ["https://www.facebook.com/tr?id=1&ev=PageView&noscript=1"]
    assert d.signal_values("canonical") == ["https://e.com/c"]
    assert d.text == "Text"


# -- signals -----------------------------------------------------------------------------

def test_link_and_a_license_signals(doc):
    assert doc.signal_values("link.license") == ["https://creativecommons.org/licenses/by-nd/4.0/"]
    assert doc.signal_values("a.license") == ["https://creativecommons.org/licenses/by-nd/4.0/"]
    a_sig = next(s for s in doc.signals if s.kind == "a.license")
    assert a_sig.region == "footer"
    assert PAGE[a_sig.source_offset:].startswith('<a rel="license"')


def test_meta_signals(doc):
    assert doc.signal_values("meta.author") == ["Ana Lopez"]
    assert doc.signal_values("meta.copyright") == ["© 2024 Example Media"]
    assert doc.signal_values("meta.dc.rights") == ["CC BY 4.0", "All rights reserved"]
    assert doc.signal_values("meta.og:title") == ["The OG title"]
    assert doc.signal_values("meta.og:url") == ["https://example.com/og-url"]
    assert doc.signal_values("meta.description") == ["A short description"]
    sig = next(s for s in doc.signals if s.kind == "meta.author")
    assert PAGE[sig.source_offset:].startswith('<meta name="author"')


def test_tdm_and_robots_signals(doc):
    assert doc.signal_values("tdm.reservation") == ["1"]
    assert doc.signal_values("tdm.policy") == ["https://example.com/tdm.json", "https://example.com/tdm-policy.json"]
    assert doc.signal_values("robots.noai") == ["index, follow, noai, noimageai", "noai"]
    assert doc.signal_values("robots.noimageai") == ["index, follow, noai, noimageai"]
    d = read_html('<meta name="robots" content="index, follow">', "x.html")
    assert d.signal_values("robots.noai") == []


def test_canonical_url_and_title(doc):
    assert doc.signal_values("canonical") == ["https://example.com/news/story"]
    assert doc.url == "https://example.com/news/story?id=1"  # the caller's url wins
    assert doc.title == "The OG title"
    d = read_html(PAGE, "page.html")
    assert d.url == "https://example.com/news/story"  # the relative canonical, against og:url
    d = read_html('<head><meta property="og:url" content="https://e.com/og"><title> A\n title </title></head>', "x")
    assert d.url == "https://e.com/og"
    assert d.title == "A title"
    d = read_html("<body><h1>Only heading</h1></body>", "x")
    assert d.url is None and d.title == "Only heading"


def test_rdfa_signals():
    html = ('<div xmlns:cc="http://creativecommons.org/ns#" about="">'
            '<span property="dct:title">The Work</span> by '
            '<a property="cc:attributionName" rel="cc:attributionURL" href="https://ann.example/">Ann</a> '
            'is licensed under <a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA</a>. '
            '<span property="dc:title" content="Content title">shown</span>'
            '<span rel="dct:creator" resource="https://bob.example/">Bob</span>'
            '<span property="cc:license" resource="https://creativecommons.org/licenses/by/4.0/"></span></div>')
    d = read_html(html, "x.html")
    assert d.signal_values("rdfa.dct:title") == ["The Work"]
    assert d.signal_values("rdfa.cc:attributionName") == ["Ann"]
    assert d.signal_values("rdfa.cc:attributionURL") == ["https://ann.example/"]
    assert d.signal_values("rdfa.dc:title") == ["Content title"]
    assert d.signal_values("rdfa.dct:creator") == ["https://bob.example/"]
    assert d.signal_values("a.license") == ["https://creativecommons.org/licenses/by-sa/4.0/",
                                            "https://creativecommons.org/licenses/by/4.0/"]


JSONLD = """<html><head>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Site", "url": "https://example.com/"},
  {"@type": "NewsArticle", "headline": "Big news",
   "author": [{"@type": "Person", "name": "Ann Author", "url": "https://example.com/ann"}, {"@type": "Person", "name": "Bob"}],
   "publisher": {"@type": "Organization", "name": "Example Media", "logo": {"@type": "ImageObject", "url": "https://example.com/logo.png"}},
   "copyrightHolder": {"@type": "Organization", "name": "Example Holdings"},
   "copyrightYear": 2024, "isAccessibleForFree": false,
   "license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
   "mainEntityOfPage": {"@type": "WebPage", "@id": "https://example.com/story"},
   "datePublished": "2024-05-01",
   "image": {"@type": "ImageObject", "url": "https://example.com/p.jpg", "license": "https://photos.example/license",
             "creditText": "Photo Agency", "copyrightNotice": "© Photo Agency", "acquireLicensePage": "https://photos.example/buy"}}
]}
</script>
<script type="application/ld+json">[{"@type": "Photograph", "creditText": "Second credit"}, {"@type": "Article", "author": "Plain Name"}]</script>
</head><body><p>Body</p></body></html>"""


def test_jsonld_signals_graph_arrays_nested():
    d = read_html(JSONLD, "x.html")
    assert d.warnings == ()
    assert d.signal_values("jsonld.author") == ["Ann Author", "Bob", "Plain Name"]
    assert d.signal_values("jsonld.publisher") == ["Example Media"]
    assert d.signal_values("jsonld.copyrightHolder") == ["Example Holdings"]
    assert d.signal_values("jsonld.copyrightYear") == ["2024"]
    assert d.signal_values("jsonld.isAccessibleForFree") == ["false"]
    assert d.signal_values("jsonld.headline") == ["Big news"]
    assert d.signal_values("jsonld.mainEntityOfPage") == ["https://example.com/story"]
    assert d.signal_values("jsonld.datePublished") == ["2024-05-01"]
    assert "NewsArticle" in d.signal_values("jsonld.@type")
    lic = {s.value: s.region for s in d.signals if s.kind == "jsonld.license"}
    assert lic == {"https://creativecommons.org/licenses/by/4.0/": "main", "https://photos.example/license": "figcaption"}


def test_jsonld_image_object_gets_region_figcaption():
    d = read_html(JSONLD, "x.html")
    by_kind = {(s.kind, s.value): s.region for s in d.signals}
    assert by_kind[("jsonld.creditText", "Photo Agency")] == "figcaption"
    assert by_kind[("jsonld.copyrightNotice", "© Photo Agency")] == "figcaption"
    assert by_kind[("jsonld.acquireLicensePage", "https://photos.example/buy")] == "figcaption"
    assert by_kind[("jsonld.creditText", "Second credit")] == "figcaption"  # a Photograph at top level
    assert by_kind[("jsonld.url", "https://example.com/logo.png")] == "figcaption"  # under "logo"
    assert by_kind[("jsonld.author", "Ann Author")] == "main"
    # signals point into the script, at their key
    s = next(s for s in d.signals if s.kind == "jsonld.creditText" and s.value == "Photo Agency")
    assert JSONLD[s.source_offset:].startswith('"creditText"')


def test_malformed_jsonld_is_a_warning_not_an_exception():
    html = ('<html><head>\n\n<script type="application/ld+json">\n{"@type": "Article",\n "author": "A" "oops"}\n'
            "</script></head><body><p>Body text</p></body></html>")
    d = read_html(html, "x.html")
    assert d.text == "Body text"
    assert len(d.warnings) == 1
    assert d.warnings[0].startswith("malformed JSON-LD at line 5:")
    assert not [s for s in d.signals if s.kind.startswith("jsonld.")]


def test_jsonld_repairs_trailing_commas_comments_and_cdata():
    html = ('<script type="application/ld+json">//<![CDATA[\n<!--\n{"@type": "Article", "license": '
            '"https://creativecommons.org/licenses/by/4.0/", "author": ["A", "B",],}\n-->\n//]]></script>')
    d = read_html(html, "x.html")
    assert d.warnings == ()
    assert d.signal_values("jsonld.license") == ["https://creativecommons.org/licenses/by/4.0/"]
    assert d.signal_values("jsonld.author") == ["A", "B"]


# -- positions ---------------------------------------------------------------------------

def test_paragraph_line_number():
    lines = ["<!DOCTYPE html>", "<html>", "<head>", "<title>t</title>", "</head>", "<body>"]
    while len(lines) < 39:
        lines.append(f"<div class=\"filler\"><span>filler {len(lines) + 1}</span></div>")
    lines.append("    <p>The paragraph on line forty.</p>")
    lines += ["<p>Next &amp; last, with an entity</p>", "</body>", "</html>"]
    src = "\n".join(lines)
    d = read_html(src, "x.html")
    assert d.locate(d.text.index("The paragraph on line forty.")) == (40, 8)
    assert d.locate(d.text.index("forty")) == (40, 30)
    assert d.locate(d.text.index("filler 20")) == (20, 27)
    assert d.locate(d.text.index("Next & last"))[0] == 41
    assert d.locate(d.text.index("entity"))[0] == 41


def test_wrapped_paragraph_lines_and_crlf():
    src = "<html><body>\r\n<p>first line\r\n   second line\r\n   third line</p>\r\n<p>after</p></body></html>"
    d = read_html(src, "x.html")
    assert d.text == "first line second line third line\nafter"
    assert d.locate(d.text.index("second"))[0] == 3
    assert d.locate(d.text.index("third"))[0] == 4
    assert d.locate(d.text.index("after"))[0] == 5


def test_wrapped_paragraph_with_entities_keeps_its_lines():
    src = ("<html><body>\n<p>Caf&eacute; &amp; bar on the first line,\n"
           "   the second line after&nbsp;entities,\n   and &#8220;the third&#8221; line</p>\n<p>next</p></body></html>")
    d = read_html(src, "x.html")
    # no-break spaces count as spaces (and collapse like them): phrases match either way
    assert d.text.startswith("Café & bar on the first line, the second line after entities,")
    assert d.locate(d.text.index("Café"))[0] == 2
    assert d.locate(d.text.index("the second"))[0] == 3
    assert d.locate(d.text.index("and “the third”")) == (4, 4)
    assert d.locate(d.text.index("next"))[0] == 5


def test_link_positions(doc):
    lk = links_by_text(doc)["an inline link"]
    line_no = next(i for i, line in enumerate(PAGE.split("\n"), 1) if "an inline link" in line)
    assert doc.line_col(lk.source_offset)[0] == line_no
    assert PAGE[lk.source_offset:].startswith('<a href="/inline"')
    assert doc.locate(lk.start)[0] == line_no
    assert PAGE[doc.source_offset(lk.start):].startswith("an inline link")


def test_text_offsets_map_back_to_the_source(doc):
    for start, target in zip(*doc.anchors):
        word = doc.text[start:].split("\n", 1)[0].split(" ", 1)[0]
        if word and word != "©":
            assert PAGE[target:target + len(word)] == word


def test_tags_inside_scripts_do_not_shift_positions():
    src = ('<script>var s = "<a href=x>not a link</a><p>not text</p>";</script>\n'
           '<p>Real <a href="/r">link</a></p>')
    d = read_html(src, "x.html")
    assert d.text == "Real link"
    assert src[d.links[0].source_offset:].startswith('<a href="/r">')
    assert d.locate(0) == (2, 4)


def test_template_content_does_not_take_the_place_of_visible_text():
    for hide in ("<template><p>Same words</p></template>", "<p hidden>Same words</p>",
                 "<body><noscript>Same words</noscript>", '<div style="display:none"><b>Same words</b></div>'):
        src = hide + "\n<p>Same words</p>"
        d = read_html(src, "x.html")
        assert d.text == "Same words"
        assert d.locate(0) == (2, 4)


def test_anchor_tuples_are_sorted(doc):
    starts, targets = doc.anchors
    assert list(starts) == sorted(starts)
    assert list(targets) == sorted(targets)
    assert len(starts) == len(targets)


# -- robustness --------------------------------------------------------------------------

def test_deep_nesting_does_not_crash():
    depth = 100_000
    src = "<div>" * depth + "deep text" + "</div>" * depth
    d = read_html(src, "deep.html")
    assert d.text == "deep text"
    assert d.warnings == ()


def test_deep_unclosed_nesting_and_deep_json():
    d = read_html("<section><span>" * 20_000 + "x", "x.html")
    assert d.text == "x"
    d = read_html('<script type="application/ld+json">' + "[" * 100_000 + "</script><p>ok</p>", "x.html")
    assert d.text == "ok"
    assert d.warnings and d.warnings[0].startswith("malformed JSON-LD at line 1:")


@pytest.mark.parametrize("src", [
    "", " ", "\x00", "<", ">", "<<>>", "</p>", "<a", "<a href", '<a href="', "<!--", "<![CDATA[", "<script>",
    "<p>\x00nul\x00 bytes</p><div <p>broken <b><i>mis</b>nested</i>",
    "<table><td>cell<tr><p>loose</table>text after", "<html><html><body><body>twice",
    "\ud800 lone surrogate <p>x</p>", "<svg><a href='/s'>svg link</a></svg>", "&amp;&#0;&#xD800;&bogus;",
    "<meta name=robots><meta content=x><link rel=license><a rel=license>no href</a>",
    '<script type="application/ld+json">{"license": null, "author": [null, 1, {"name": {"@value": "V"}}]}</script>',
    "<base href='http://[bad'><a href='x'>y</a>", "<a href='http://[::1'>bad url</a>",
])
def test_garbage_never_raises(src):
    d = read_html(src, "x.html", url="https://example.com/a/")
    assert isinstance(d, Document)
    assert d.text == "\n".join(d.text[b.start:b.end] for b in d.blocks)
    for lk in d.links:
        assert 0 <= lk.start <= lk.end <= len(d.text)
    for off in range(0, len(d.text) + 1, 3):
        d.locate(off)


def test_nul_bytes_and_broken_markup():
    d = read_html("<p>before\x00after</p><div <p>broken", "x.html")
    assert "before" in d.text and "after" in d.text


def test_results_are_real_dataclass_instances(doc):
    for coll, cls in ((doc.blocks, Block), (doc.links, Link), (doc.signals, Signal), (doc.embeds, Embed)):
        for item in coll:
            assert type(item) is cls
            assert item == dataclasses.replace(item)
            with pytest.raises(dataclasses.FrozenInstanceError):
                item.region = "x"  # type: ignore[misc]


# -- benchmark pages ---------------------------------------------------------------------

def test_benchmark_pages_read():
    from benchmarks.pages import ceiling, make_page

    for i in range(5):
        page = make_page(i)
        assert page == make_page(i)  # deterministic
        assert 100_000 <= len(page) <= 300_000
        d = read_html(page.decode("utf-8"), f"page-{i}.html")
        c = ceiling(page)
        assert d.warnings == ()
        assert d.title and d.url and d.url.startswith("https://news.example.com/")
        assert len(d.links) >= 100
        assert any(b.region == "footer" for b in d.blocks)
        assert any(b.region == "comment" for b in d.blocks)
        assert "We use cookies" not in d.text and "newsletter" not in d.text
        assert "window.__INITIAL_STATE__" not in d.text
        assert c["jsonld"] and c["links"]
        if i % 5 == 0:
            assert d.signal_values("link.license") == d.signal_values("a.license") == c["licences"][:1]


# -- property: any soup of tags, text, entities and attributes keeps the invariants ----------

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None

if given is not None:
    _PIECES = st.sampled_from([
        "<p>", "</p>", "<div>", "</div>", "<a href='/x'>", "<a href=\"javascript:x\">", "</a>", "<br>", "<b>", "</b>",
        "<li>", "<ul>", "</ul>", "<pre>", "</pre>", "<footer>", "</footer>", "<nav>", "<div class=comments>",
        "<span hidden>", "</span>", "<script>", "</script>", "<style>", "</style>", "<!--", "-->", "<table><td>",
        "<img src=i.png alt=I>", "<noscript>", "</noscript>", "&amp;", "&nbsp;", "&#8217;", "&bogus;", "\r\n", "\n",
        " ", "  ", "\t", "\x00", "word", "Other words", "“quoted”", "é", "<", ">", "\"", "'", "<h2>", "</h2>",
        '<script type="application/ld+json">{"license": "L", "author": {"name": "N"}}</script>',
        '<a rel=license href="https://creativecommons.org/licenses/by/4.0/">CC</a>', "<svg><text>s</text></svg>",
        "<template>t</template>", "<base href='https://b.example/d/'>", "<area href=/ar alt=ar>", "<blockquote>",
    ])

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(_PIECES, max_size=60))
    def test_property_invariants(pieces):
        src = "".join(pieces)
        d = read_html(src, "fuzz.html", url="https://example.com/dir/page.html")
        assert d.text == "\n".join(d.text[b.start:b.end] for b in d.blocks)
        end = 0
        for b in d.blocks:
            assert end <= b.start < b.end <= len(d.text)
            assert b.region in REGIONS
            end = b.end
        for lk in d.links:
            assert 0 <= lk.start <= lk.end <= len(d.text)
            if lk.end > lk.start:
                assert d.text[lk.start:lk.end] == lk.text
            assert 0 <= lk.source_offset <= max(len(src) - 1, 0)
        starts, targets = d.anchors
        assert list(starts) == sorted(starts) and list(targets) == sorted(targets)
        assert all(0 <= t <= len(src) for t in targets)
        for s in d.signals:
            assert 0 <= s.source_offset <= max(len(src) - 1, 0)
        for off in range(0, len(d.text) + 1, 7):
            line, col = d.locate(off)
            assert line >= 1 and col >= 1


# -- the reader's shortcuts read exactly what the plain walk reads ------------------------------

_JS = "var a = 1; if (a < 2 && b > 3) { x = '<div class=\"q\">' + y + '</div>'; } " * 12
_CSS = ".c{color:red} " * 60

_MENUS = [
    '<nav><ul class="menu">\n  <li class="menu-item"><a href="/a/b/">Home</a></li>\n  <li><a href="/c/">World News</a></li>\n</ul></nav>'
    "<p>After the menu</p>",
    "<ul><li>Plain</li><li><a href='/x'>Link</a></li><li></li><li><a href='/e'></a></li><li><a>no href</a></li></ul>",
    "<ul><li><a href='javascript:void(0)'>js</a></li><li><a href=''>empty</a></li><li><a href=' /sp '>sp</a></li></ul>",
    "<ul><li><a href='/one'>Home</a></li><li><a href='/two' rel='nofollow'>Rel</a></li><li><a href='/3'>Home</a></li></ul>",
    "<ul><li hidden><a href='/h'>Hidden</a></li><li style='display:none'>Gone</li><li class='comment'><a href='/c'>C</a></li></ul>",
    "<ul><li><a href='/m'>multi\n   line\n   label</a></li><li><a href='/n'>  padded  </a></li><li><a href='/e'>&amp; &nbsp;x</a></li></ul>",
    "<ul>text in the list<li><a href='/t'>T</a></li></ul><ol><li><p>para</p></li><li><a href='/i'><img src='i.png' alt='I'></a></li></ol>",
    "<dl><dt>Term</dt><dd><a href='/d'>Def</a></dd></dl><menu><li><a href='../up/x.html'>Up</a></li></menu>",
    "<a href='/outer'><ul><li><a href='/in'>in</a></li></ul></a><ul><li><a href='/./dot/../x'>dots</a></li></ul>",
    "<ul><li><a href='https://other.example/p'>abs</a></li><li><a href='//proto.example/q'>proto</a></li>"
    "<li><a href='#frag'>frag</a></li><li><a href='?q=1'>query</a></li><li><a href='mailto:a@b.c'>mail</a></li></ul>",
    "<UL><LI><A HREF='/U'>Upper</A></LI></UL>",
    "<script>" + _JS + "</script><ul>\n<li><a href='/after'>after a script</a></li></ul><p>" + "filler " * 700 + "</p>",
    "<ul><li><a href='/x'>Same words</a></li></ul><p>Same words</p><ul><!-- c --><li>Same words</li></ul>",
]

_RAW = [
    "<script>" + _JS + "</script><p>after</p>", "<SCRIPT>" + _JS + "</SCRIPT><p>upper</p>",
    "<script>" + _JS + "</scripts>" + _JS + "</script><p>not an end</p>",
    "<script>" + _JS + "<!--" + _JS + "</script><p>escaped</p>",
    "<script><!--<script>" + _JS + "</script>-->x</script><p>double escaped</p>",
    "<script type='application/ld+json'>{\"license\": \"https://creativecommons.org/licenses/by/4.0/\"}</script>",
    "<script data-x='a>b'>" + _JS + "</script><p>quoted</p>", "<style>" + _CSS + "</style><p>styled</p>",
    "<!-- <script>" + _JS + "</script> --><p>commented out</p>", "<textarea><script>" + _JS + "</script></textarea>",
    "<title><script>" + _JS + "</script></title><p>in a title</p>", "<div title='<script>" + _JS + "</script>'>attr</div>",
    "<svg><script>" + _JS + "</script></svg><p>svg</p>", "<svg><style>" + _CSS + "</style></svg><p>svg style</p>",
    "<math><script>" + _JS + "</script></math><p>math</p>", "<template><script>" + _JS + "</script></template><p>t</p>",
    "<noscript><script>" + _JS + "</script></noscript><p>n</p>", "<xmp><script>" + _JS + "</script></xmp>",
    "<frameset><script>" + _JS + "</script></frameset>", "<plaintext><script>" + _JS + "</script>",
    "<table><script>" + _JS + "</script><tr><td>cell</td></tr></table>", "<script>" + _JS,
    "<p>\U000F0000 a mark in the page</p><script>" + _JS + "</script>",
]


def _menu_and_raw_pages():
    from benchmarks.pages import make_page

    return _MENUS + _RAW + [PAGE, JSONLD] + [make_page(i).decode("utf-8") for i in range(3)]


@pytest.mark.parametrize("src", _menu_and_raw_pages(), ids=lambda s: f"{len(s)}:{s[:24]!r}")
def test_shortcuts_read_what_the_plain_walk_reads(src, monkeypatch):
    import compliance.read.html as reader

    for url in (None, "https://example.com/dir/page.html"):
        fast = read_html(src, "x.html", url=url)
        monkeypatch.setattr(reader, "_FAST_PATHS", False)
        plain = reader._read_doc(src, "x.html", url, False)  # and the parser given the whole page
        monkeypatch.setattr(reader, "_FAST_PATHS", True)
        assert fast == plain
        assert fast.anchors == plain.anchors
        assert [fast.locate(b.start) for b in fast.blocks] == [plain.locate(b.start) for b in plain.blocks]


def test_script_bodies_are_cut_from_the_parser_input_only_where_they_are_scripts():
    import compliance.read.html as reader

    cut = reader._cut_raw(_RAW[0])
    assert cut is not None and cut[1] == 1 and _JS.encode() not in cut[0]
    assert reader._cut_raw(_RAW[5]) is None  # JSON-LD is read: never cut
    assert reader._cut_raw("<p>" + _JS + "</p>") is None
    d = read_html(_RAW[8], "x.html")  # a script in a comment: the mark is not met, the page is parsed whole
    assert d.text == "commented out"


def test_a_news_page_is_parsed_once_with_its_scripts_cut(monkeypatch):
    import compliance.read.html as reader
    from benchmarks.pages import make_page

    calls = []
    inner = reader._read_doc

    def spy(source, path, url, cut_raw):
        calls.append(cut_raw)
        return inner(source, path, url, cut_raw)

    monkeypatch.setattr(reader, "_read_doc", spy)
    page = make_page(1).decode("utf-8")
    assert reader._cut_raw(page)[1] >= 3
    read_html(page, "page.html")
    assert calls == [True]  # every mark was met where a script was: no second parse


def test_bare_url_search_matches_find_mentions():
    import random

    from compliance.read.html import _find_mentions
    from compliance.read.text import find_mentions

    rng = random.Random(11)
    alphabet = ["http://", "https://", "HTTP://", "hTtPs://", "www.", "WWW.", "x", "é", "_", "-", ".", ",", " ", "\n",
                "(", ")", '"', "“", "a", "9", "/", "?", ":", "ſ", "İ", "http", "ww.", "<", "\u00a0", "ß"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert _find_mentions(text) == find_mentions(text)


def test_plain_paths_join_like_urljoin():
    import random
    from urllib.parse import urljoin

    from compliance.read.html import _PLAIN_PATH, _path_joiner

    rng = random.Random(5)
    segments = ["..", ".", "", "a", "b.html", "%20", "~u", "...", ".a", "a."]
    bases = ["https://e.com", "https://e.com/", "https://e.com/a/b.html", "https://e.com/a/b/", "http://e.com/a;p/b;q?x#y",
             "https://u@e.com:8080/x/y/z", "https://e.com/a//b/c", "https://e.com/a/./b/../c", "ftp://h/p/q"]
    for _ in range(5000):
        base = rng.choice(bases)
        path = ("/" if rng.random() < 0.3 else "") + "/".join(rng.choice(segments) for _ in range(rng.randint(1, 6)))
        if _PLAIN_PATH(path) is None or path[:2] == "//":
            continue
        assert _path_joiner(base)(path) == urljoin(base, path), (base, path)


def test_jsonld_publisher_and_author_given_by_reference_are_named():
    page = ('<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
            '{"@type": "Organization", "@id": "https://q.example/#org", "name": "Quillon Review"},'
            '{"@type": "NewsArticle", "headline": "Tides", "publisher": {"@id": "https://q.example/#org"},'
            ' "author": [{"@id": "#p1"}, {"@id": "#nobody"}]},'
            '{"@type": "Person", "@id": "#p1", "name": "Ada Byrne"}]}</script></head><body><p>Text.</p></body></html>')
    doc = read_html(page, "page.html")
    signals = [(s.kind, s.value) for s in doc.signals]
    assert ("jsonld.publisher", "Quillon Review") in signals
    assert ("jsonld.author", "Ada Byrne") in signals
    assert not any(v == "#nobody" for _, v in signals)


def test_a_hidden_republish_box_is_read_as_an_aside_and_other_hidden_text_is_not():
    page = ('<html><body><article><p>Story.</p></article>'
            '<div id="republish-modal" class="modal" hidden><h2>Republish this article</h2>'
            '<p>You may republish this story under CC BY-ND 4.0.</p></div>'
            '<dialog class="republish-dialog"><p>Credit the newsroom.</p></dialog>'
            '<div style="display: none"><p>Draft notes.</p></div><dialog><p>Sign in</p></dialog></body></html>')
    doc = read_html(page, "page.html")
    assert "You may republish this story under CC BY-ND 4.0." in doc.text
    assert "Credit the newsroom." in doc.text
    assert "Draft notes" not in doc.text and "Sign in" not in doc.text
    box = doc.text.index("You may republish")
    assert doc.region_at(box) == "aside"
    assert doc.region_at(doc.text.index("Story.")) != "aside"
