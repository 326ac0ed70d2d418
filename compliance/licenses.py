"""What each licence grants and asks (the table in docs/terms.md), and licence-id helpers."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

ALL_PERMISSIONS = ("republish", "excerpt", "translate", "modify", "commercial_use", "print")
DUTIES = (
    "credit_author",
    "credit_source",
    "credit_copyright",
    "link_original",
    "link_license",
    "keep_notices",
    "no_modification",
    "share_alike",
    "indicate_changes",
    "keep_tracking_pixel",
)
PROHIBITIONS = ("republish", "commercial_use", "print", "modification", "ai_training")


@dataclass(frozen=True)
class LicenceTerms:
    permissions: tuple[str, ...]
    venue: str | None
    duties: tuple[str, ...]
    prohibitions: tuple[str, ...]


_BY_DUTIES = ("credit_author", "keep_notices", "link_license", "indicate_changes")
_ND_DUTIES = ("credit_author", "keep_notices", "link_license", "no_modification")
_CC = {
    "BY": LicenceTerms(ALL_PERMISSIONS, "any", _BY_DUTIES, ()),
    "BY-SA": LicenceTerms(ALL_PERMISSIONS, "any", _BY_DUTIES + ("share_alike",), ()),
    "BY-NC": LicenceTerms(
        tuple(p for p in ALL_PERMISSIONS if p != "commercial_use"), "noncommercial", _BY_DUTIES, ("commercial_use",)
    ),
    "BY-NC-SA": LicenceTerms(
        tuple(p for p in ALL_PERMISSIONS if p != "commercial_use"),
        "noncommercial",
        _BY_DUTIES + ("share_alike",),
        ("commercial_use",),
    ),
    "BY-ND": LicenceTerms(("republish", "excerpt", "commercial_use", "print"), "any", _ND_DUTIES, ("modification",)),
    "BY-NC-ND": LicenceTerms(
        ("republish", "excerpt", "print"), "noncommercial", _ND_DUTIES, ("commercial_use", "modification")
    ),
}
_PUBLIC = LicenceTerms(ALL_PERMISSIONS, "any", (), ())
_CC_ID = regex.compile(r"^CC-(BY(?:-NC)?(?:-ND|-SA)?)(?:-(\d\.\d))?(?:-([A-Z]{2,3}))?$")


def cc_parts(licence_id: str) -> tuple[str, str | None, str | None] | None:
    """``CC-BY-NC-ND-3.0-US`` → ``("BY-NC-ND", "3.0", "US")``; None for other ids."""
    m = _CC_ID.match(licence_id or "")
    return (m.group(1), m.group(2), m.group(3)) if m else None


def licence_terms(licence_id: str | None) -> LicenceTerms | None:
    """The permissions and duties a licence carries by itself, or None when it is not a licence."""
    if not licence_id:
        return None
    if licence_id in ("CC0-1.0", "PDM-1.0"):
        return _PUBLIC
    parts = cc_parts(licence_id)
    if parts:
        return _CC[parts[0]]
    return None


def is_creative_commons(licence_id: str | None) -> bool:
    return bool(licence_id) and (licence_id.startswith("CC-") or licence_id == "CC0-1.0")


def deed_url(licence_id: str) -> str | None:
    """The Creative Commons deed a copy should link to for ``licence_id``."""
    if licence_id == "CC0-1.0":
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    if licence_id == "PDM-1.0":
        return "https://creativecommons.org/publicdomain/mark/1.0/"
    parts = cc_parts(licence_id)
    if not parts:
        return None
    kind, version, port = parts
    version = version or "4.0"
    tail = f"{port.lower()}/" if port else ""
    return f"https://creativecommons.org/licenses/{kind.lower()}/{version}/{tail}"


def licence_name(licence_id: str) -> str:
    """A human name: ``CC-BY-ND-4.0`` → ``CC BY-ND 4.0``."""
    parts = cc_parts(licence_id)
    if parts:
        kind, version, port = parts
        return " ".join(x for x in ("CC " + kind, version, port) if x)
    return {"CC0-1.0": "CC0 1.0", "PDM-1.0": "Public Domain Mark 1.0"}.get(licence_id, licence_id)


# --- normalising the named groups that Creative Commons rules capture -------------------

_ELEMENTS = (
    # (element, words that name it in licence names, deed URLs and translations)
    (
        "NC",
        r"nc|non[\s-]?commercial|no[\s-]?comercial|pas d.utilisation commerciale|utilisation non commerciale|"
        r"nicht[\s-]?kommerziell|n[ãa]o[\s-]?comercial|nichtkommerziell|non[\s-]commerciale|"
        r"niet[\s-]?commercieel",
    ),
    (
        "ND",
        r"nd|no[\s-]?deriv\w*|no[\s-]?derivative[s]?|sin[\s-]?obra[\s-]?derivada|sin[\s-]?derivadas|"
        r"sin[\s-]?derivar|pas de modification|pas d.(?:œ|oe)uvres? d[ée]riv[ée]es?|keine[\s-]?bearbeitung(?:en)?|"
        r"sem[\s-]?deriva[çc][õo]es|sem[\s-]?derivados|vedada a cria[çc][ãa]o de obras derivadas|"
        r"non?[\s-]?opere[\s-]?derivate|geen[\s-]?afgeleide(?:[\s-]?werken)?|sense[\s-]?obra[\s-]?derivada",
    ),
    (
        "SA",
        r"sa|share[\s-]?alike|compartir[\s-]?igual|partage dans les m[êe]mes conditions|"
        r"partage des conditions initiales [àa] l.identique|partage [àa] l.identique|"
        r"weitergabe unter gleichen bedingungen|compartilha[\s-]?igual|compartilhamento pela mesma licen[çc]a|"
        r"condividi allo stesso modo|gelijk[\s-]?delen",
    ),
)
_ELEMENT_RES = [(name, regex.compile(rf"(?<![a-z])(?:{words})(?![a-z])", regex.I)) for name, words in _ELEMENTS]


def cc_type(raw: str | None) -> str:
    """Any wording of a CC licence's elements → ``BY``, ``BY-NC-ND`` …"""
    if not raw:
        return ""
    s = unicodedata.normalize("NFKC", raw).casefold().replace("_", "-")
    elements = ["BY"]
    for name, rx in _ELEMENT_RES:
        if rx.search(s):
            elements.append(name)
    if "ND" in elements and "SA" in elements:  # not a licence; keep the stronger restriction
        elements.remove("SA")
    return "-".join(elements)


def cc_version(raw: str | None) -> str:
    if not raw:
        return ""
    m = regex.search(r"([1-4])(?:[.,_-]([05]))?", raw)
    if not m:
        return ""
    return f"{m.group(1)}.{m.group(2) or '0'}"


#: Ports written out in licence names ("3.0 United States", "2.5 España"), casefolded and
#: without accents, to the code the deed URL uses; versions without a port say so in words.
_PORT_NAMES = {
    "united states": "US",
    "estados unidos": "US",
    "australia": "AU",
    "deutschland": "DE",
    "germany": "DE",
    "osterreich": "AT",
    "austria": "AT",
    "schweiz": "CH",
    "switzerland": "CH",
    "suisse": "CH",
    "france": "FR",
    "espana": "ES",
    "spain": "ES",
    "italia": "IT",
    "italy": "IT",
    "brasil": "BR",
    "brazil": "BR",
    "portugal": "PT",
    "canada": "CA",
    "england and wales": "UK",
    "england & wales": "UK",
    "nederland": "NL",
    "netherlands": "NL",
    "new zealand": "NZ",
    "ireland": "IE",
    "japan": "JP",
    "india": "IN",
    "chile": "CL",
    "argentina": "AR",
    "mexico": "MX",
    "colombia": "CO",
    "peru": "PE",
    "ecuador": "EC",
    "singapore": "SG",
    "hong kong": "HK",
    "taiwan": "TW",
    "south africa": "ZA",
    "polska": "PL",
    "poland": "PL",
    "china mainland": "CN",
    "israel": "IL",
    "greece": "GR",
}
_NO_PORT = frozenset(
    (
        "",
        "DEED",
        "LEGALCODE",
        "INTERNATIONAL",
        "INTERNACIONAL",
        "INTERNAZIONALE",
        "INTERNATIONAAL",
        "UNPORTED",
        "GENERIC",
        "GENERIQUE",
        "NO ADAPTADA",
        "NAO ADAPTADA",
    )
)


def cc_port(raw: str | None) -> str:
    if not raw:
        return ""
    s = raw.strip(" /").upper()
    plain = "".join(c for c in unicodedata.normalize("NFKD", " ".join(raw.split())) if not unicodedata.combining(c))
    if plain.upper().strip(" /") in _NO_PORT:
        return ""
    named = _PORT_NAMES.get(plain.casefold().strip(" /"))
    if named:
        return "-" + named
    if s == "IGO" or regex.fullmatch(r"[A-Z]{2}", s):
        return "-" + s
    return ""


_NORMALISERS = {"cc_type": cc_type, "cc_version": cc_version, "cc_port": cc_port}


#: A name that ends in an abbreviation, whose full stop belongs to it ("L.P.", "Inc.").
_ABBREVIATION_END = regex.compile(r"(?:\b\p{Lu}\.)+\p{Lu}$|\b(?:Inc|Ltd|Co|Corp|Jr|Sr|Bros|Pty|Ltda|Cie|Int|Intl)$")


def normalise_group(name: str, value: str | None) -> str:
    """Normalise a named group's text before it fills an ``emits`` template."""
    if value is None:
        return ""
    fn = _NORMALISERS.get(name)
    if fn:
        return fn(value)
    text = " ".join(value.split())
    out = text.strip(" \t,;:.-–—|")
    if out and text.rstrip(" \t,;:-–—|").endswith(".") and _ABBREVIATION_END.search(out):
        out += "."  # "Bloomberg L.P.", "Vox Media, Inc.": the full stop is the name's own
    return out

