"""The attribution block a copy should carry, built from the source's terms, in the copy's format."""

from __future__ import annotations

import html as _html

from .document import HTML, MARKDOWN
from .licenses import deed_url, is_creative_commons, licence_name
from .terms import Terms

PLACEHOLDER_URL = "ORIGINAL-ARTICLE-URL"


def _join(names) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def attribution_block(terms: Terms, media_type: str, original_url: str | None = None) -> str:
    """What to paste: title, author, source with its link, copyright and licence, as the terms ask.

    For Creative Commons the order is the licence's own (title, author, source, licence); for a
    publisher's grant: the source, the copyright and the hyperlink to the original article.
    When the original URL is unknown the block says ORIGINAL-ARTICLE-URL, to be replaced.
    """
    s = terms.summary
    url = original_url or terms.source.get("url") or PLACEHOLDER_URL
    title = terms.source.get("title") or "this article"
    authors = _join(s.authors)
    publisher = s.publisher or (s.republished_from.publisher if s.republished_from else None)
    holders = _join(s.copyright_holders) or _join([x for x in (authors, publisher) if x])
    lic = s.license

    def link(text: str, href: str) -> str:
        if media_type == HTML:
            return f'<a href="{_html.escape(href, quote=True)}">{_html.escape(text)}</a>'
        if media_type == MARKDOWN:
            return f"[{text}]({href})"
        return f"{text} ({href})"

    def esc(text: str) -> str:
        return _html.escape(text) if media_type == HTML else text

    if is_creative_commons(lic) or lic == "PDM-1.0":
        parts = [f"“{esc(title)}”"]
        if authors:
            parts.append(f"by {esc(authors)}")
        if publisher:
            parts.append(f"was originally published by {link(publisher, url)}")
        else:
            parts.append(f"was originally published at {link(url, url)}")
        deed = deed_url(lic)
        sentence = " ".join(parts) + (f" and is licensed under {link(licence_name(lic), deed)}." if deed else ".")
        if "indicate_changes" in s.duties:
            sentence += " " + esc("Changes: none." if media_type != HTML else "Changes: none.")
    else:
        source = link(publisher or url, url)
        sentence = f"This article was originally published by {source}."
        if authors:
            sentence = f"By {esc(authors)}. " + sentence
        if "credit_copyright" in s.duties or s.copyright_holders:
            sentence += f" Copyright © {esc(holders)}." if holders else " Copyright © the original publisher."
    if media_type == HTML:
        return f"<p>{sentence}</p>"
    return sentence
