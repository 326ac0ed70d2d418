"""The closed set of rule kinds. Each kind names the fields it needs and allows.

- ``existence``: a pattern in the text; the rule's ``emits`` are added to the terms.
- ``extract``: like existence, but named groups carry values (holder, author, licence parts)
  into ``emits`` templates such as ``"{holder}"``.
  Either may also name ``signals``: machine-readable values written in words (a JSON-LD
  ``copyrightNotice``, a ``dc.rights`` meta tag) that its patterns read as well as the text.
- ``signal``: patterns run over machine-readable signals (``signals = ["link.license", …]``),
  over hyperlinks (``"link"``: the link text, the href is the value) or embeds
  (``"img.src"``, ``"img.alt"``).
- ``conditional``: runs only near a hit of another rule (``within = [ids]``, ``window``
  characters after its start): the conditions that come with a grant.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMON_REQUIRED = ("id", "name", "kind", "message", "patterns", "emits", "explanation", "examples")
COMMON_OPTIONAL = (
    "severity", "keywords", "scope", "exceptions", "references", "status", "confidence",
    "aliases", "case_sensitive",
)


@dataclass(frozen=True)
class Kind:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    summary: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("existence", COMMON_REQUIRED, COMMON_OPTIONAL + ("signals",), "a wording in the text"),
        Kind("extract", COMMON_REQUIRED, COMMON_OPTIONAL + ("signals",), "a wording whose named groups carry values"),
        Kind("signal", COMMON_REQUIRED + ("signals",), COMMON_OPTIONAL,
             "a machine-readable signal, hyperlink or embed"),
        Kind("conditional", COMMON_REQUIRED + ("within",), COMMON_OPTIONAL + ("window",),
             "a wording near another rule's hit (a grant's conditions)"),
    )
}

ALL_FIELDS = frozenset(
    f for k in KINDS.values() for f in k.required + k.optional
)

#: Signal kinds a ``signal`` rule may name; a trailing ``*`` matches a prefix.
SIGNAL_KINDS = (
    "link", "link.text", "img.src", "img.alt", "script.src",
    "link.license", "a.license", "canonical",
    "jsonld.*", "meta.*", "rdfa.*", "frontmatter.*", "tdm.*", "robots.*",
)

EMIT_LISTS = {
    "permissions": ("republish", "excerpt", "translate", "modify", "commercial_use", "print"),
    "duties": (
        "credit_author", "credit_source", "credit_copyright", "link_original", "link_license",
        "keep_notices", "no_modification", "share_alike", "indicate_changes", "keep_tracking_pixel",
    ),
    "prohibitions": ("republish", "commercial_use", "print", "modification", "ai_training"),
    "notices": ("fair_use", "disclaimer", "pointer", "ai_reservation", "excerpt_limit"),
    "door_uses": ("republish", "commercial_use", "print", "modification", "translate", "any"),
}
EMIT_SCALARS = {
    "license": None,  # SPDX-style id, "custom", "all-rights-reserved", or a template
    "venue": ("any", "noncommercial"),
    "holder": None, "year": None, "author": None, "publisher": None,
    "contact": None, "url": None,
    "republished_from": None,  # publisher named as the original; template
    "binds": None,  # a notice that binds only another party's articles (e.g. "Associated Press")
    "excerpt_words": None, "excerpt_paragraphs": None,
    "site_wide": ("true", "false"),
}
EMIT_KEYS = frozenset(EMIT_LISTS) | frozenset(EMIT_SCALARS)


def signal_kind_known(name: str) -> bool:
    for k in SIGNAL_KINDS:
        if k.endswith("*") and name.startswith(k[:-1]):
            return True
        if name == k:
            return True
    return False
