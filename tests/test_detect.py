"""Detection: what a user sees in `compliance terms` for real shapes of terms."""

from __future__ import annotations

from conftest import SEED, SEED_SUMMARY, seed_as_html, seed_as_markdown

from compliance.detect import detect_terms
from compliance.document import HTML, MARKDOWN, TEXT
from compliance.read import read_bytes, read_path
from compliance.terms import Terms, schema_problems


def terms_of(content: str, media_type: str = HTML, url: str | None = None) -> Terms:
    return detect_terms(read_bytes(content.encode("utf-8"), "page", media_type=media_type, url=url), url=url)


def summary_subset(terms: Terms) -> dict:
    d = terms.to_dict()["summary"]
    return {k: d[k] for k in SEED_SUMMARY}


def test_seed_text_summary_matches_design_and_schema():
    terms = detect_terms(read_path(str(SEED)))
    assert schema_problems(terms.to_dict()) == []
    assert summary_subset(terms) == SEED_SUMMARY
    door = next(d for d in terms.doors if "print" in d["uses"])
    assert door["contact_hidden"] is True and "hidden" in door["note"]
    assert door["evidence"][0]["line"] == 24


def test_seed_as_html_and_markdown_give_the_same_summary(seed_text):
    for content, media in ((seed_as_html(seed_text), HTML), (seed_as_markdown(seed_text), MARKDOWN)):
        terms = terms_of(content, media)
        assert schema_problems(terms.to_dict()) == []
        assert summary_subset(terms) == SEED_SUMMARY, media


def test_seed_html_footer_evidence_is_in_the_footer(seed_text):
    terms = terms_of(seed_as_html(seed_text))
    assert terms.grants[0]["evidence"][0]["region"] == "footer"


def test_rel_license_only_signal_gives_cc_by_nd():
    page = ('<html><body><article><p>Story text.</p></article>'
            '<a rel="license" href="https://creativecommons.org/licenses/by-nd/4.0/"><img alt="cc"></a></body></html>')
    s = terms_of(page).summary
    assert s.license == "CC-BY-ND-4.0"
    assert {"credit_author", "link_license", "no_modification"} <= set(s.duties)
    assert "modification" in s.prohibitions and "modify" not in s.permissions


def test_json_ld_license_gives_cc_by_3():
    page = ('<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
            '"headline":"H","license":"https://creativecommons.org/licenses/by/3.0/"}</script></head>'
            '<body><p>Text.</p></body></html>')
    s = terms_of(page).summary
    assert s.license == "CC-BY-3.0"
    assert s.permission_venue == "any" and "commercial_use" in s.permissions


def test_news_agency_footer_prohibits_republishing():
    page = ("<html><body><p>Story.</p><footer><p>Copyright 2024 The Associated Press. All rights reserved. "
            "This material may not be published, broadcast, rewritten or redistributed.</p></footer></body></html>")
    s = terms_of(page).summary
    assert s.license == "all-rights-reserved"
    assert "republish" in s.prohibitions and "modification" in s.prohibitions
    assert s.permissions == () and s.permission_venue is None
    assert s.copyright_holders == ("The Associated Press",)


def test_agency_notice_for_another_partys_articles_is_not_the_pages_terms():
    page = ("<html><body><p>Our own reporting.</p><footer><p>Associated Press articles: Copyright © 2016 The Associated "
            "Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed."
            "</p></footer></body></html>")
    terms = terms_of(page)
    assert terms.summary.prohibitions == ()
    assert any(p["binds"] == "Associated Press" for p in terms.prohibitions)


def test_jsonld_cc_against_visible_all_rights_reserved_is_a_conflict():
    page = ('<html><head><script type="application/ld+json">{"@type":"Article","license":'
            '"https://creativecommons.org/licenses/by/4.0/"}</script></head><body><p>Story.</p>'
            "<footer><p>© 2024 Example Media. All rights reserved.</p></footer></body></html>")
    terms = terms_of(page)
    assert terms.summary.license == "CC-BY-4.0"
    assert terms.conflicts and set(terms.conflicts[0]["values"]) == {"CC-BY-4.0", "all-rights-reserved"}
    assert len(terms.conflicts[0]["evidence"]) == 2


def test_a_copyright_notice_beside_a_cc_licence_is_not_a_conflict():
    # The licensor's notice is what a CC licence asks copies to keep, in the article or beside
    # a licence only machine-readable pages state.
    in_article = ('<html><body><article><p>Story.</p><p>© 2024 Jane Doe. This work is licensed under a '
                  '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">Creative Commons '
                  'Attribution 4.0 International License</a>.</p></article></body></html>')
    jsonld_only = ('<html><head><script type="application/ld+json">{"@type":"Article","license":'
                   '"https://creativecommons.org/licenses/by-nc-nd/4.0/"}</script></head><body><p>Story.</p>'
                   "<footer><p>© 2024 Harbor Times. Some rights reserved.</p></footer></body></html>")
    for page, licence, holder in ((in_article, "CC-BY-4.0", "Jane Doe"), (jsonld_only, "CC-BY-NC-ND-4.0", "Harbor Times")):
        terms = terms_of(page)
        assert terms.summary.license == licence
        assert terms.conflicts == ()
        assert terms.summary.copyright_holders == (holder,)


def test_a_reservation_in_words_in_the_article_beside_a_visible_cc_licence_is_a_conflict():
    page = ('<html><body><article><p>Story.</p><p>© 2024 Jane Doe. All rights reserved.</p>'
            '<p>Licensed under <a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p>'
            "</article></body></html>")
    terms = terms_of(page)
    assert terms.conflicts and set(terms.conflicts[0]["values"]) == {"CC-BY-4.0", "all-rights-reserved"}
    assert "All rights reserved" in terms.conflicts[0]["evidence"][1]["quote"]


def test_visible_cc_grant_over_site_footer_reservation_is_not_a_conflict():
    page = ('<html><body><article><p>Story.</p><p>This article is republished under a Creative Commons '
            'Attribution-NoDerivatives 4.0 International License.</p></article>'
            "<footer><p>© 2024 Example Media. All rights reserved.</p></footer></body></html>")
    terms = terms_of(page)
    assert terms.summary.license == "CC-BY-ND-4.0"
    assert terms.conflicts == ()
    assert any(c["site_wide"] for c in terms.copyright)


FOOTER_BAN = ("<footer><p>© 2024 Desert Dispatch. All rights reserved. No part of this site may be reproduced "
              "without our written permission.</p></footer>")


def test_a_site_footer_ban_yields_to_what_the_article_itself_grants():
    page = ('<html><body><article><p>Story.</p><p>This story is licensed under '
            '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p></article>'
            + FOOTER_BAN + "</body></html>")
    terms = terms_of(page)
    assert terms.summary.license == "CC-BY-4.0" and "republish" in terms.summary.permissions
    assert terms.summary.prohibitions == () and terms.conflicts == ()
    assert [p["what"] for p in terms.prohibitions] == [["republish"]]  # still recorded, with its evidence
    grant = ('<html><body><article><p>Story.</p><p>You are welcome to republish this story for free, '
             'provided you credit Desert Dispatch.</p></article>' + FOOTER_BAN + "</body></html>")
    s = terms_of(grant).summary
    assert "republish" in s.permissions and "republish" not in s.prohibitions


def test_a_site_footer_ban_stands_where_the_article_grants_nothing_or_something_else():
    alone = "<html><body><article><p>Story.</p></article>" + FOOTER_BAN + "</body></html>"
    s = terms_of(alone).summary
    assert s.license == "all-rights-reserved" and s.prohibitions == ("republish",) and s.permissions == ()
    # an ND licence grants no modification: a footer's ban on rewriting still stands beside it
    nd = ('<html><body><article><p>Story.</p><p>Licensed under <a href="https://creativecommons.org/licenses/by-nd/4.0/">'
          "CC BY-ND 4.0</a>.</p></article><footer><p>This material may not be published, broadcast, rewritten or "
          "redistributed.</p></footer></body></html>")
    s = terms_of(nd).summary
    assert s.license == "CC-BY-ND-4.0" and "modification" in s.prohibitions and "republish" not in s.prohibitions


def test_two_different_cc_licences_are_a_conflict():
    page = ('<html><body><p>Licensed under CC BY-SA 4.0.</p>'
            '<p><a rel="license" href="https://creativecommons.org/licenses/by-nc/4.0/">licence</a></p></body></html>')
    terms = terms_of(page)
    assert terms.conflicts and set(terms.conflicts[0]["values"]) == {"CC-BY-SA-4.0", "CC-BY-NC-4.0"}


def test_licence_in_an_image_credit_is_not_the_articles():
    page = ('<html><body><article><p>Story text.</p><figure><img src="a.jpg"><figcaption>Photo: Jane Doe, '
            '<a rel="license" href="https://creativecommons.org/licenses/by/2.0/">CC BY 2.0</a></figcaption></figure>'
            "</article></body></html>")
    terms = terms_of(page)
    assert terms.summary.license == "none"
    assert any(n["kind"] == "other_party_license" for n in terms.notices)


def test_republished_from_linked_and_unlinked():
    html = ('<html><body><p>Story.</p><p>This article was originally published on '
            '<a href="https://theconversation.com/x-123">The Conversation</a>.</p></body></html>')
    rf = terms_of(html, url="https://example.org/x").summary.republished_from
    assert rf is not None and rf.publisher == "The Conversation" and rf.linked is True
    text = "Story.\n\nThis article was originally published on The Conversation.\n"
    rf = detect_terms(read_bytes(text.encode(), "p.txt")).summary.republished_from
    assert rf.linked is None
    unlinked = "<html><body><p>This article was originally published on The Conversation.</p></body></html>"
    assert terms_of(unlinked).summary.republished_from.linked is False


def test_republished_from_takes_the_originals_address_from_the_statements_link_or_the_canonical():
    linked = ('<html><body><nav><a href="https://theconversation.com/">The Conversation</a></nav><p>Story.</p>'
              '<p>This article is republished from <a href="https://theconversation.com/rivers-123">The Conversation</a>'
              ' under a Creative Commons license.</p></body></html>')
    rf = terms_of(linked, url="https://example.org/x").summary.republished_from
    assert (rf.publisher, rf.url, rf.linked) == ("The Conversation", "https://theconversation.com/rivers-123", True)
    read_more = ('<html><body><p>This article first appeared in The Harbor Review. '
                 '<a href="https://harborreview.example/2024/tides">Read the original article.</a></p></body></html>')
    rf = terms_of(read_more, url="https://example.org/x").summary.republished_from
    assert rf.url == "https://harborreview.example/2024/tides" and rf.linked is True
    canonical = ('<html><head><link rel="canonical" href="https://harborreview.example/2024/tides"></head><body>'
                 "<p>Story.</p><p>This article first appeared in The Harbor Review.</p></body></html>")
    rf = terms_of(canonical, url="https://example.org/x").summary.republished_from
    assert (rf.publisher, rf.url) == ("The Harbor Review", "https://harborreview.example/2024/tides")
    assert rf.linked is False  # a canonical link is not a hyperlink a reader sees
    unlinked = "<html><body><p>This article was originally published on The Conversation.</p></body></html>"
    assert terms_of(unlinked).summary.republished_from.url is None


def test_site_saying_originally_published_of_itself_is_not_a_republication():
    page = ('<html><head><meta property="og:site_name" content="Example News"></head><body><p>Story.</p>'
            "<p>This story was originally published on Example News.</p></body></html>")
    assert terms_of(page, url="https://examplenews.com/a").summary.republished_from is None


def test_canonical_to_another_site_is_a_republication():
    page = ('<html><head><link rel="canonical" href="https://original.example.com/story"></head>'
            "<body><p>Story.</p></body></html>")
    rf = terms_of(page, url="https://copier.example.net/story").summary.republished_from
    assert rf is not None and rf.url == "https://original.example.com/story" and rf.linked is False


def test_no_statement_at_all_is_none():
    s = terms_of("<html><body><p>Just a story about rivers.</p></body></html>").summary
    assert s.license == "none" and s.permissions == () and s.duties == () and s.permission_venue is None


def test_republishing_guidelines_with_cc_licence_add_duties():
    page = ("<html><body><article><p>Story.</p></article><aside><h2>Republish this article</h2>"
            "<p>You are free to republish this article under a Creative Commons Attribution-NonCommercial-NoDerivatives "
            "4.0 International license. You have to credit the author and the publication, include a link to the "
            "original story, and keep the tracking pixel. You can't edit our material.</p></aside></body></html>")
    s = terms_of(page).summary
    assert s.license == "CC-BY-NC-ND-4.0"
    assert s.permission_venue == "noncommercial"
    assert {"credit_author", "credit_source", "link_original", "keep_tracking_pixel", "no_modification",
            "link_license"} <= set(s.duties)


def test_terms_json_round_trips(tmp_path):
    terms = detect_terms(read_path(str(SEED)))
    p = tmp_path / "t.json"
    p.write_text(terms.to_json())
    again = Terms.load(str(p))
    assert again.summary == terms.summary


def test_credit_naming_the_author_is_credit_author_not_source():
    page = ("<html><body><article><h1>T</h1><p class='byline'>By Mo Adebayo</p><p>Body.</p>"
            "<p>Feel free to share this post anywhere — just credit Mo Adebayo and link back here.</p>"
            "</article></body></html>")
    s = terms_of(page).summary
    assert s.license == "custom"
    assert "credit_author" in s.duties and "credit_source" not in s.duties and "link_original" in s.duties
    both = page.replace("credit Mo Adebayo and link", "credit Mo Adebayo and Open Harbour and link")
    s = terms_of(both).summary
    assert {"credit_author", "credit_source"} <= set(s.duties)


def test_text_and_photo_holders_and_two_named_holders():
    page = ("<html><body><article><h1>T</h1><p>Body.</p>"
            "<p>Text &copy; Ruth Abernathy; photos &copy; Northlight Agency</p></article></body></html>")
    s = terms_of(page).summary
    assert s.license == "all-rights-reserved" and s.copyright_holders == ("Ruth Abernathy",)
    page = "<html><body><article><p>Body.</p></article><footer><p>Copyright &copy; 2024 Rooftop Radio &amp; Peter Lindqvist</p><p>&copy; 2020 Keyboard &amp; Pipe Ltd</p></footer></body></html>"
    assert terms_of(page).summary.copyright_holders == ("Rooftop Radio", "Peter Lindqvist", "Keyboard & Pipe Ltd")


def test_grant_credit_name_is_the_publisher_unless_it_is_the_byline():
    text = "Title of the post\nBy Mo Adebayo\n\nBody.\n\nLocal papers can run our stories at no cost; please give credit to Westfield Weekly.\n"
    s = terms_of(text, TEXT).summary
    assert s.license == "custom" and s.publisher == "Westfield Weekly"
    s = terms_of(text.replace("give credit to Westfield Weekly", "credit Mo Adebayo"), TEXT).summary
    assert s.publisher is None and "credit_author" in s.duties


def test_ban_on_selling_beside_a_grant_keeps_the_venue():
    s = terms_of("Body.\n\nRepublish this story for free. Do not sell ads against the story.\n", TEXT).summary
    assert s.license == "custom" and "commercial_use" in s.prohibitions and s.permission_venue == "any"
    s = terms_of("Body.\n\nYou may republish our articles; commercial use is not permitted.\n", TEXT).summary
    assert s.permission_venue == "noncommercial"


def test_a_commenters_grant_is_not_the_articles():
    page = ("<html><body><article><h1>Title here</h1><p>By Ana Ruiz</p><p>Body.</p></article>"
            "<section class='comments'><div class='comment'><p>Feel free to repost my comment anywhere, you may "
            "republish this post too!</p></div></section></body></html>")
    assert terms_of(page).summary.license == "none"


def test_holders_named_as_written():
    s = terms_of("<html><body><article><p>Body.</p><p>Copyright owned by the author.</p></article></body></html>").summary
    assert s.license == "all-rights-reserved" and s.copyright_holders == ()
    s = terms_of("<html><body><article><p>Body.</p></article><footer><p>Copyright &copy; Lucia Vargas, "
                 "Institute for Hemispheric Affairs, 2023</p><p>&copy; 2024 Vox Media, LLC</p></footer></body></html>").summary
    assert s.copyright_holders == ("Lucia Vargas", "Institute for Hemispheric Affairs", "Vox Media, LLC")


def test_with_credit_beside_a_cc_licence_adds_no_source_credit():
    s = terms_of("Body.\n\nOur stories are licensed CC BY 4.0; you may republish this article with credit.\n", TEXT).summary
    assert s.license == "CC-BY-4.0" and "credit_source" not in s.duties
    s = terms_of("Body.\n\nYou may republish this article with credit.\n", TEXT).summary
    assert s.license == "custom" and "credit_source" in s.duties


def test_a_firm_with_an_ampersand_is_one_holder_and_two_names_are_two():
    from compliance.detect import _split_holders

    assert _split_holders("Guardian News & Media Limited") == ["Guardian News & Media Limited"]
    assert _split_holders("Smith & Jones Media") == ["Smith & Jones Media"]
    assert _split_holders("Ines Duarte & Kofi Mensah") == ["Ines Duarte", "Kofi Mensah"]


def test_a_doors_own_link_gives_its_contact():
    def door(link: str):
        page = (f"<html><body><article><p>Story.</p><p>For reprint and licensing requests for this article, "
                f"{link}.</p></article></body></html>")
        terms = terms_of(page)
        assert terms.summary.contact_for_permission
        return terms.doors[0]
    d = door('<a href="https://licensing.example.com/r?id=4">click here</a>')
    assert d["contact"] == "https://licensing.example.com/r?id=4" and not d["contact_hidden"]
    d = door('<a href="mailto:rights@example.org?subject=Reprint">click here</a>')
    assert d["contact"] == "rights@example.org"
    # a saved page whose e-mail protection hid the address: the door stays, the address is said to be hidden
    d = door('<a href="/cdn-cgi/l/email-protection#7a08131d">click here</a>')
    assert d["contact"] is None and d["contact_hidden"]
    # a link elsewhere on the page is not the door's
    far = ("<html><body><p>For reprint and licensing requests for this article, click here.</p>"
           + "<p>" + "More story text. " * 20 + '<a href="https://example.org/other">other</a></p></body></html>')
    assert terms_of(far).doors[0]["contact"] is None


def test_json_ld_the_articles_own_licence_ranks_above_the_sites_default():
    graph = ('<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":['
             '{"@type":"WebSite","license":"https://creativecommons.org/licenses/by/4.0/"},'
             '{"@type":"NewsArticle","headline":"x","license":"https://creativecommons.org/licenses/by-nd/4.0/"}]}'
             "</script></head><body><p>Story.</p></body></html>")
    terms = terms_of(graph)
    assert terms.summary.license == "CC-BY-ND-4.0"
    by_id = {x["id"]: x["evidence"][0]["region"] for x in terms.licenses}
    assert by_id == {"CC-BY-4.0": "footer", "CC-BY-ND-4.0": "main"}  # the site's default is site-wide
    site_only = ('<html><head><script type="application/ld+json">{"@type":"Organization","name":"Open Desk",'
                 '"license":"https://creativecommons.org/licenses/by-sa/4.0/"}</script></head><body><p>Story.</p></body></html>')
    assert terms_of(site_only).summary.license == "CC-BY-SA-4.0"  # with nothing else said, the default stands


def test_a_bare_licence_name_with_the_exact_licence_in_brackets_is_one_statement():
    page = ("<html><body><p>Story.</p><p>All articles are free to access under the terms of the Creative Commons "
            "Attribution License (CC BY-NC-ND 4.0).</p></body></html>")
    terms = terms_of(page)
    assert terms.summary.license == "CC-BY-NC-ND-4.0" and terms.conflicts == ()
    apart = ("<html><body><p>Story.</p><p>Our text is under a Creative Commons Attribution licence.</p>"
             "<p>Our maps are CC BY-NC-ND 4.0.</p></body></html>")
    assert terms_of(apart).conflicts  # two statements, two licences: still reported


def test_a_holder_ending_in_an_abbreviation_keeps_its_full_stop():
    for notice, holder in (("©2024 Bloomberg L.P.", "Bloomberg L.P."), ("Copyright © 2024 Vox Media, Inc. All rights reserved.",
                                                                       "Vox Media, Inc."), ("© 2024 Jane Doe.", "Jane Doe")):
        terms = detect_terms(read_bytes(f"Story.\n\n{notice}\n".encode(), "p.txt"))
        assert terms.summary.copyright_holders == (holder,), notice


def test_the_articles_own_visible_licence_over_a_different_site_wide_badge_is_not_a_conflict():
    page = ('<html><body><article><p>Story.</p><p>This article is licensed under '
            '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p></article>'
            '<footer><p>Unless otherwise noted, content is <a rel="license" '
            'href="https://creativecommons.org/licenses/by-nc-nd/4.0/">CC BY-NC-ND 4.0</a>.</p></footer></body></html>')
    terms = terms_of(page)
    assert terms.summary.license == "CC-BY-4.0" and terms.conflicts == ()
    # the article's licence only machine-readable, the footer's visible: still a conflict
    hidden = ('<html><head><script type="application/ld+json">{"@type":"NewsArticle","license":'
              '"https://creativecommons.org/licenses/by/4.0/"}</script></head><body><article><p>Story.</p></article>'
              '<footer><p>Content is <a rel="license" href="https://creativecommons.org/licenses/by-nc-nd/4.0/">'
              "CC BY-NC-ND 4.0</a>.</p></footer></body></html>")
    assert terms_of(hidden).conflicts

