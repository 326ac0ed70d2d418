"""compliance: does each republished copy honour the terms its source states?

Python API (typed; see README):

    import compliance
    source = compliance.read("article.html", url="https://example.org/a")
    terms = compliance.detect_terms(source)
    result = compliance.check_copy(compliance.read("copy.html"), terms, source=source, venue="community")
    for finding in result.findings: ...

Findings are information, not legal advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

DISCLAIMER = (
    "Findings are information, not legal advice: they report what the pages state and "
    "what the copies show, and say so where they cannot tell."
)

if TYPE_CHECKING:
    from .document import Document
    from .findings import CopyResult
    from .terms import Terms


def read(path: str, *, url: str | None = None, media_type: str | None = None) -> "Document":
    """Read an article file (HTML, Markdown or text), or an http(s) URL when given one."""
    if path.startswith(("http://", "https://")):
        from .read.fetch import fetch_document

        return fetch_document(path)
    from .read import read_path

    return read_path(path, url=url, media_type=media_type)


def detect_terms(doc: "Document", *, url: str | None = None, packs: tuple[str, ...] = ()) -> "Terms":
    """The terms an article states about its own reuse, with evidence."""
    from .detect import detect_terms as _detect
    from .packs.loader import default_ruleset

    return _detect(doc, default_ruleset(packs), url=url)


def check_copy(copy: "Document", terms: "Terms", *, source: "Document | None" = None, venue: str | None = None,
               source_url: str | None = None) -> "CopyResult":
    """Judge a copy against its source's terms: one finding per duty, with evidence and the fix."""
    from .validate import check_copy as _check

    return _check(copy, terms, source=source, venue=venue, source_url=source_url)


__all__ = ["read", "detect_terms", "check_copy", "DISCLAIMER", "__version__"]
