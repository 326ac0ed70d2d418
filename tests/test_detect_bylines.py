"""Detection: bylines in their many shapes, author-page links, and the licence a page's statements add up to."""

from __future__ import annotations

from compliance.detect import detect_terms
from compliance.document import HTML, MARKDOWN, TEXT
from compliance.read import read_bytes


def summary(content: str, media_type: str = HTML):
    return detect_terms(read_bytes(content.encode("utf-8"), "page", media_type=media_type)).summary


def test_wordpress_byline_after_the_date():
    page = ('<html><body><header><h1>Marsh birds return</h1><div class="entry-meta">Posted on '
            '<time>June 3, 2023</time> <span class="byline">by <a href="/author/dw/">Dana Whitfield</a></span>'
            '</div></header><article><p>Text.</p></article></body></html>')
    assert summary(page).authors == ("Dana Whitfield",)


def test_agency_credit_line_names_the_reporter_not_the_editor():
    text = "The fleet sailed on.\n\n(Reporting by Daniel Okafor; Editing by Sarah Whitfield)\n"
    assert summary(text, TEXT).authors == ("Daniel Okafor",)


def test_agency_caps_byline_drops_the_agency():
    assert summary("Ferries cut\n\nBy MATT HOLLOWAY Associated Press\n\nText.\n", TEXT).authors == ("MATT HOLLOWAY",)


def test_name_and_desk_byline():
    assert summary("# A bridge runs late\n\nAlan Ruiz | Statehouse Bureau\n\nText.\n", MARKDOWN).authors == ("Alan Ruiz",)


def test_author_page_link_is_the_byline_when_nothing_else_names_one():
    page = ('<html><body><header><h1>Ranchers sell early</h1><div class="byline-meta">'
            '<a href="/author/walt/">Wendell Arce</a></div></header><article><p>Text.</p></article></body></html>')
    assert summary(page).authors == ("Wendell Arce",)


def test_author_page_link_gives_way_to_a_visible_byline_and_needs_a_name():
    page = ('<html><body><article><p>By Jane Doe</p><p>Text.</p>'
            '<p><a href="/author/other/">Someone Else</a> <a href="/author/x/">More from this author</a></p>'
            '</article></body></html>')
    assert summary(page).authors == ("Jane Doe",)


def test_prose_by_is_not_a_byline():
    text = "The company was founded in 1998 by Jane Doe and her brother.\nA study by Jane Doe, who teaches, agreed.\n"
    assert summary(text, TEXT).authors == ()


def test_port_in_the_deed_url_refines_the_unported_name():
    page = ('<html><body><article><p>Text.</p><p>This work is licensed under a <a rel="license" '
            'href="http://creativecommons.org/licenses/by-nd/2.0/uk/">Creative Commons Attribution-No Derivative '
            'Works 2.0 UK: England &amp; Wales License</a>.</p></article></body></html>')
    assert summary(page).license == "CC-BY-ND-2.0-UK"


def test_entry_footer_words_win_over_the_site_badge():
    page = ('<html><body><article><p>Text.</p><footer class="entry-footer"><p>This article is available under '
            'CC BY 4.0.</p></footer></article><footer class="site-footer"><a rel="license" '
            'href="https://creativecommons.org/licenses/by-nc-nd/4.0/"><img alt="Creative Commons License" '
            'src="https://licensebuttons.net/l/by-nc-nd/4.0/80x15.png"></a></footer></body></html>')
    assert summary(page).license == "CC-BY-4.0"


def test_front_matter_spdx_id_is_the_licence():
    md = "---\ntitle: Counting birds\nlicense: CC-BY-4.0\n---\n\nText.\n\n© 2022 Lena Park. All rights reserved.\n"
    assert summary(md, MARKDOWN).license == "CC-BY-4.0"


def test_door_beside_a_grant():
    text = ("You may republish this story for free. Credit the author.\n"
            "Questions? Email republish@example.org.\n")
    s = summary(text, TEXT)
    assert s.license == "custom" and s.contact_for_permission and s.contact == "republish@example.org"


def test_a_quoted_reservation_is_not_the_articles():
    text = ("Band sues label\n\n“The cover page said all rights reserved to the company, and nobody asked what that "
            "meant,” he told the court.\n")
    assert summary(text, TEXT).license == "none"


def test_dateline_that_is_part_of_the_masthead_is_not_a_byline():
    page = ('<html><head><meta property="og:site_name" content="Lantern Bay Herald"></head><body><article>'
            '<h1>What happened to the payphones?</h1><p>Written by Hana Sato and Lucas Ferreira</p>'
            '<p>Lantern Bay — April 2, 2024</p><p>In 2005 there were forty.</p></article></body></html>')
    assert summary(page).authors == ("Hana Sato", "Lucas Ferreira")


def test_sign_off_and_work_by_lines():
    assert summary("Dear editor,\n\nThe benches are excellent.\n\n— Rosalind Achebe\nTillford\n", TEXT).authors == (
        "Rosalind Achebe",)
    assert summary("ON KEEPING A BOOK\nan essay by Rashida Quennell\n\nI have kept one.\n", TEXT).authors == (
        "Rashida Quennell",)
    assert summary("“Start.”\n— Mark Twain\nThat is how the coach opened.\n", TEXT).authors == ()
