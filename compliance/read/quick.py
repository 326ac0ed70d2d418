"""A page's words without a ``Document``: the first, cheap stage of an audit.

Most pages of a crawl copy nothing of the publisher's. Telling them apart needs only their
words, which the HTML parser gives in C; the full reader (blocks, regions, positions, links,
signals) costs several times more and runs only on the pages this stage cannot rule out.

The text here is a superset of what :func:`compliance.validate.body_text` keeps (navigation,
footers and hidden elements stay in), so a copy never loses words at this stage; the caller
searches the index with a lower threshold than the full stage to allow for the extra words.
"""

from __future__ import annotations

from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

#: The elements ``body_text`` leaves out (navigation, headers, footers, asides, figures): by tag,
#: removed with their content in one pass in C, and by ARIA role.
_BOILERPLATE_TAGS = ["nav", "header", "footer", "aside", "figure", "figcaption"]
_BOILERPLATE_ROLES = "[role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=figure]"
#: Elements whose content is never page text.
_NOT_TEXT = ["script", "style", "noscript", "template", "svg", "head", "title", "iframe", "select", "object"]


def quick_html(source: str | bytes, url: str | None = None) -> tuple[str, str | None]:
    """``(text, url)`` of HTML (decoded, or UTF-8 bytes): the visible words (a space between any two text
    nodes) and the page's own URL as the reader gives it (``url``, else the first
    ``rel=canonical`` link, else the last ``og:url``, resolved against ``<base href>``)."""
    from .html import _base_href, _resolver

    tree = LexborHTMLParser(source)
    doc_url = url
    if not doc_url:
        canonical = og_url = None
        for node in tree.css("link[rel][href], meta[content]"):
            a = node.attributes
            if node.tag == "link":
                if canonical is None and "canonical" in (a.get("rel") or "").lower().split():
                    href = (a.get("href") or "").strip()
                    if href:
                        canonical = href
            elif (a.get("name") or a.get("property") or "").strip().lower() == "og:url":
                og_url = (a.get("content") or "").strip()
        if canonical or og_url:
            bh = _base_href(tree)
            resolve = _resolver(bh or None)
            canonical = resolve(canonical) if canonical else None
            og_url = resolve(og_url) if og_url else None
            if canonical and og_url and "://" not in canonical and "://" in og_url:
                try:
                    canonical = urljoin(og_url, canonical)
                except ValueError:
                    pass
            doc_url = canonical or og_url or None
    root = tree.body or tree.root
    if root is None:
        return "", doc_url
    tree.strip_tags(_NOT_TEXT)
    everything = root.text(separator=" ") or ""
    # Without the regions an article's text is not in (as ``body_text`` leaves them out),
    # unless that leaves less than a fifth of the page.
    # (When the page has none of them, the text is ``everything`` again.)
    tree.strip_tags(_BOILERPLATE_TAGS, recursive=True)
    outer: list = []  # the outermost of them: removing one removes what it holds
    ids: set[int] = set()
    for node in tree.css(_BOILERPLATE_ROLES):  # document order: an element comes before the ones inside it
        up = node.parent
        while up is not None and up.mem_id not in ids:
            up = up.parent
        if up is None:
            outer.append(node)
            ids.add(node.mem_id)
    for node in outer:
        node.decompose(recursive=True)
    body = root.text(separator=" ") or ""
    return (body if len(body) >= 0.2 * len(everything) else everything), doc_url
