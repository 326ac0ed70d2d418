"""Document + rule packs → Terms. The packs find wordings; this module weighs them.

How statements combine (docs/terms.md says the same for users):
- A Creative Commons licence in the article's own scope wins over a publisher's grant,
  which wins over a copyright reservation; a grant's conditions add duties to whichever
  licence stands.
- Licence statements in comments or image credits are recorded but are not the article's.
- Two different CC licences, or a machine-readable licence that the visible text contradicts
  ("All rights reserved" beside JSON-LD CC BY), are conflicts, reported with both quotes.
  A visible CC grant above a site-footer reservation is not a conflict: the footer is the
  site's boilerplate; nor is a bare copyright notice beside a licence. A site footer's ban on
  what the article itself grants stays out of the summary.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote

import regex

from .document import Document
from .licenses import DUTIES, PROHIBITIONS, ALL_PERMISSIONS, cc_parts, licence_terms
from .packs.engine import Engine, Hit
from .packs.loader import RuleSet, default_ruleset
from .terms import Evidence, RepublishedFrom, Summary, Terms
from .urls import registered_domain, squash

NOT_ARTICLE = ("comment", "figcaption")
#: Regions a site repeats on every page, and the article's own.
_SITE_WIDE = ("footer", "nav")
_ARTICLE = ("main", "body")
#: The permission a prohibition takes away, where its name differs.
_PERMITTING = {"modification": "modify"}
_HIDDEN_EMAIL = regex.compile(r"\[?\s*e-?mail(?:&#160;|\s)*protected\s*\]?|__cf_email__|\[at\]\s*hidden", regex.I)
_AUTHOR_SPLIT = regex.compile(r"\s*(?:,|;|\band\b|&|\by\b|\bet\b|\bund\b)\s*")
#: Rules whose "with credit" means the source only under a publisher's own grant.
_GRANT_ONLY_CREDIT = frozenset(("XPOST009",))
#: Rules that read a byline from a name's place alone, with no "By" or other label.
_UNLABELLED_BYLINES = frozenset(("ATTR004", "ATTR005", "ATTR008", "ATTR009"))
_LICENCE_SIGNAL_WEIGHT = {"a.license": 0.95, "link.license": 0.95, "jsonld.license": 0.9}


@lru_cache(maxsize=8)
def engine_for(ruleset: RuleSet) -> Engine:
    return Engine(ruleset)


def _ev(doc: Document, h: Hit) -> dict:
    if h.start >= 0:
        line, col = doc.locate(h.start)
    else:
        line, col = doc.line_col(h.source_offset)
    quote = " ".join(h.text.split())
    if len(quote) > 300:
        quote = quote[:297] + "..."
    return Evidence(h.rule, quote, line, col, h.confidence, h.region, h.signal).__dict__


def _ordered(values, vocabulary) -> tuple[str, ...]:
    got = set(values)
    return tuple(v for v in vocabulary if v in got)


def _name_ok(name: str) -> bool:
    n = name.strip()
    return (
        1 < len(n) <= 120 and not n.lower().startswith(("http://", "https://", "www.")) and any(c.isalpha() for c in n)
    )


_ALL_CAPS_TOKEN = regex.compile(r"^[\p{Lu}][\p{Lu}.'’-]*$")
_NAME_TOKEN = regex.compile(r"^(?:\p{Lu}[\p{L}'’.-]*|van|von|de|del|della|da|das|dos|do|du|des|der|den|ter|ten|al|bin|ibn|la|le|los|las|di|zu|af|av|y)$")
_NOT_NAME_WORDS = frozenset("more all view see read about our the posts stories articles author authors staff team".split())


def _is_link_text(h: Hit) -> bool:
    return h.signal == "link" and "link_text" in h.groups


def _reads_as_name(text: str) -> bool:
    """A link text that reads as a person's or an organisation's name: two to five capitalised words."""
    words = text.split()
    return (
        2 <= len(words) <= 5
        and len(text) <= 60
        and not any(c.isdigit() for c in text)
        and all(_NAME_TOKEN.match(w.rstrip(",")) for w in words)
        and not any(w.casefold().strip(".,") in _NOT_NAME_WORDS for w in words)
    )


#: "A and B, Outlet": the last name stands after a comma that follows a list joined by "and".
_AFTER_LIST = regex.compile(r"(?:\band\b|&|\by\b|\bet\b|\bund\b)[^,;]*,\s*[^,;]+$")
_FILED_FROM = regex.compile(r"\s+in\s+\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,2}$")


def _clean_author(name: str) -> str:
    """An agency byline prints the name in capitals and the agency after it ("MATT HOLLOWAY Associated
    Press"): the name is the capitalised words. A sign-off says where each reporter filed from
    ("Reporting by Ana Ruiz in Lima and …"): the place is not part of the name."""
    name = _FILED_FROM.sub("", name)
    words = name.split()
    caps = 0
    while caps < len(words) and _ALL_CAPS_TOKEN.match(words[caps]) and len(words[caps].strip(".")) > 1:
        caps += 1
    if caps >= 2 and caps < len(words):
        return " ".join(words[:caps])
    return name


def _strip_outlet(
    name: str, org_names, among_others: bool, publisher_key: str = "", affiliation: bool = False
) -> tuple[str, str | None]:
    """A byline's name without the outlet's name run into it, and that outlet; "" when the name is the
    outlet's own and the same byline names people beside it: the publisher's name, or a holder's in the
    affiliation place after a list of authors ("By A and B, Outlet")."""
    key = _name_key(name)
    words = name.split()
    for org in org_names:
        okey = _name_key(org)
        if not okey:
            continue
        if key == okey:
            # a holder may be the author herself ("By Ana Ruiz" … "© Ana Ruiz"): only the publisher's name is dropped
            return ("" if among_others and (publisher_key == okey or affiliation) else name), None
        n = len(org.split())
        if len(words) - n >= 2 and _name_key(" ".join(words[-n:])) == okey:
            return " ".join(words[:-n]), org
    return name, None


_LEADING_THE = regex.compile(r"^\s*the\s+", regex.I)


def _name_key(name: str) -> str:
    """A name's key: "The Salt Flats Review" and "Salt Flats Review" are one name."""
    return squash(_LEADING_THE.sub("", name))


def _dedupe(names):
    seen, out = set(), []
    for n in names:
        key = _name_key(n)
        if key and key not in seen:
            seen.add(key)
            out.append(n)
    return out


def detect_terms(doc: Document, ruleset: RuleSet | None = None, url: str | None = None) -> Terms:
    """The terms ``doc`` states about its own reuse. ``url``: where the page lives, if known."""
    ruleset = ruleset or default_ruleset()
    hits, warnings = engine_for(ruleset).run(doc)
    page_url = url or doc.url
    signals = {}
    for s in doc.signals:
        signals.setdefault(s.kind, []).append(s)

    # --- who: authors, publisher, copyright holders -------------------------------------
    publisher = None
    # A grant's "credit <Name>" names the publication unless the name is a byline's ("just credit Mo Adebayo").
    byline_keys = {squash(n) for h in hits if "author" in h.emits for n in _AUTHOR_SPLIT.split(h.emits["author"])}
    for h in sorted(
        (h for h in hits if "publisher" in h.emits and _name_ok(h.emits["publisher"])
         and (h.signal is not None or squash(h.emits["publisher"]) not in byline_keys)),
        key=lambda h: (h.signal is None, -h.confidence),  # machine-readable first, then the surest wording
    ):
        publisher = {"name": " ".join(h.emits["publisher"].split()), "evidence": [_ev(doc, h)]}
        break
    # A name alone on a line (no "By") that is the publication's own name, or a part of it (the dateline
    # "Lantern Bay — April 2" under the "Lantern Bay Herald" masthead), is not a byline.
    pub_key = squash(publisher["name"]) if publisher else ""
    # Visible bylines first, then machine-readable ones; lists ("A, B and C") are split.
    # A link to an author's page (a rule's empty ``link_text`` group marks it) names the author by
    # its visible text; it counts only when no visible byline names anyone.
    # The outlet's own name (the publisher's, or a copyright holder's) in a byline is the outlet, not an author:
    # "By A and B, Outlet" names two authors; "Author: Jane Doe Outlet Desk", run together, names Jane Doe.
    split_holders = {id(h): _split_holders(h.emits["holder"]) for h in hits if h.emits.get("holder")}
    org_names = [n for n in ([publisher["name"]] if publisher else []) + [
        x for names in split_holders.values() for x in names
    ] if len(n.split()) >= 2]
    publisher_key = _name_key(publisher["name"]) if publisher else ""
    authors, linked_authors = [], []
    run_in_outlet = None
    for h in sorted(
        (h for h in hits if ("author" in h.emits or _is_link_text(h)) and h.region not in NOT_ARTICLE),
        key=lambda h: h.signal is not None,
    ):
        if _is_link_text(h):
            name = " ".join(doc.text[h.start:h.end].split()) if 0 <= h.start < h.end else ""
            if _reads_as_name(name):
                linked_authors.append((name, _ev(doc, h)))
            continue
        names = _AUTHOR_SPLIT.split(h.emits["author"])
        among_others = sum(1 for n in names if n.strip()) > 1
        after_list = bool(_AFTER_LIST.search(h.emits["author"]))
        for i, name in enumerate(names):
            name = _clean_author(name)
            name, outlet = _strip_outlet(
                name, org_names, among_others, publisher_key, affiliation=after_list and i == len(names) - 1
            )
            if outlet and publisher is None:
                run_in_outlet = {"name": outlet, "evidence": [_ev(doc, h)]}
            if h.rule in _UNLABELLED_BYLINES and pub_key and squash(name) and squash(name) in pub_key:
                continue
            if _name_ok(name):
                authors.append((name.strip(), _ev(doc, h)))
    if publisher is None and run_in_outlet:
        publisher = run_in_outlet  # "Author: Jane Doe Harbour Science Desk": the outlet printed with the byline
    if linked_authors and not any(e["signal"] is None for _, e in authors):
        authors = linked_authors + authors
    author_names = _dedupe(n for n, _ in authors)

    # A notice that binds only another party's articles ("Associated Press articles: …") counts when the page
    # is that party's: its publisher, or a byline that names it ("By ANNA LOPEZ Associated Press").
    own_keys = {squash(n) for n in ([publisher["name"]] if publisher else []) + author_names}

    def binds_other(h: Hit) -> bool:
        binds = squash(h.emits.get("binds") or "")
        return bool(binds) and binds not in own_keys and not any(binds in k for k in byline_keys)

    copyright_notices = []
    for h in hits:
        if binds_other(h):
            continue
        if h.emits.get("license") == "all-rights-reserved" or "holder" in h.emits:
            if "holder" not in h.emits and "year" not in h.emits:
                continue
            holder = h.emits.get("holder")
            if holder and h.start >= 0 and _IMAGE_CREDIT_BEFORE.search(doc.text[max(0, h.start - 40):h.start]):
                continue  # "…; photos © Agency": the photos' holder, not the article's
            holders = [x for x in split_holders[id(h)] if _name_ok(x) and not _GENERIC_HOLDER.match(x)] if holder else []
            copyright_notices.append(
                {
                    "holders": holders,
                    "years": h.emits.get("year"),
                    "site_wide": h.region in ("footer", "nav") or h.emits.get("site_wide") == "true",
                    "evidence": [_ev(doc, h)],
                }
            )
    holders = _dedupe(x for c in copyright_notices if not c["site_wide"] for x in c["holders"])
    holders += [
        x
        for x in _dedupe(x for c in copyright_notices for x in c["holders"])
        if _name_key(x) not in {_name_key(y) for y in holders}
    ]

    # --- licences ---------------------------------------------------------------------
    licences = []
    for h in hits:
        lic = h.emits.get("license")
        if not lic:
            continue
        origin = h.signal or "text"
        scope = "image" if h.region == "figcaption" else ("comment" if h.region == "comment" else h.region)
        weight = _LICENCE_SIGNAL_WEIGHT.get(origin, h.confidence)
        licences.append(
            {"id": lic, "origin": origin, "scope": scope, "weight": weight, "evidence": [_ev(doc, h)], "hit": h}
        )
    article = [x for x in licences if x["scope"] not in ("image", "comment")]
    cc = [x for x in article if cc_parts(x["id"]) or x["id"] in ("CC0-1.0", "PDM-1.0")]
    # "The Creative Commons Attribution License (CC BY-NC-ND 4.0)": a bare name with the exact
    # licence in brackets right after it is one statement, and the bracket is the exact one.
    for x in cc:
        p = cc_parts(x["id"])
        h = x["hit"]
        if p and not p[1] and h.start >= 0:
            for y in cc:
                q = cc_parts(y["id"])
                if q and q[1] and y["hit"].start >= h.end and doc.text[h.end:y["hit"].start].strip() in ("(", "[", "", "-", "–", "—", ":", ","):
                    x["id"] = y["id"]
                    break
    # A versionless mention ("CC BY-ND") is the same licence as a versioned one of its type.
    versioned = {}
    for x in cc:
        p = cc_parts(x["id"])
        if p and p[1]:
            versioned.setdefault(p[0], x["id"])
    # A ported licence ("…/by-nd/2.0/uk/") is the same licence as its unported name beside it
    # ("Attribution-No Derivative Works 2.0"): the port is the more exact statement.
    ported = {}
    for x in cc:
        p = cc_parts(x["id"])
        if p and p[1] and p[2]:
            ported.setdefault((p[0], p[1]), x["id"])
    for x in cc:
        p = cc_parts(x["id"])
        if p and not p[1] and p[0] in versioned:
            x["id"] = versioned[p[0]]
            p = cc_parts(x["id"])
        if p and p[1] and not p[2] and (p[0], p[1]) in ported:
            x["id"] = ported[(p[0], p[1])]
    conflicts = []
    distinct_cc = _dedupe_ids(x["id"] for x in cc)
    chosen_cc = None
    if cc:
        # The article's own words first, then anything in the article, then words anywhere (an entry
        # footer's "This article is available under CC BY 4.0" over the site's badge), then weight.
        best = max(
            cc,
            key=lambda x: (
                x["origin"] == "text" and x["scope"] in _ARTICLE,
                x["scope"] in _ARTICLE,
                x["origin"] == "text",
                x["weight"],
            ),
        )
        chosen_cc = best["id"]
        # The article's own visible licence over a different site-wide default (a footer badge,
        # a WebSite node's licence) is the page saying "unless otherwise noted": not a conflict.
        others = [x for x in cc if x["id"] != chosen_cc]
        if _visible(best) and best["scope"] in _ARTICLE and others and all(x["scope"] in _SITE_WIDE for x in others):
            distinct_cc = [chosen_cc]
        if len(distinct_cc) > 1:
            conflicts.append(
                {
                    "field": "license",
                    "values": distinct_cc,
                    "message": "the page states more than one Creative Commons licence",
                    "evidence": [x["evidence"][0] for x in cc if x["id"] in distinct_cc][:6],
                }
            )
    grants = [
        h for h in hits
        if (h.emits.get("license") == "custom" or "permissions" in h.emits) and h.region not in NOT_ARTICLE
    ]
    reservations = [x for x in article if x["id"] == "all-rights-reserved"]
    # A copyright notice ("© 2024 Jane Doe": a hit naming a holder or a year) reserves all rights
    # only where nothing else is said. Beside a Creative Commons licence it is the licensor's
    # notice, which the licence asks copies to keep; only a reservation stated in words ("All
    # rights reserved", "may not be reproduced") disagrees with the licence.
    stated = [x for x in reservations if "holder" not in x["hit"].emits and "year" not in x["hit"].emits]
    if chosen_cc and stated:
        visible_cc = [x for x in cc if _visible(x)]
        in_article = [x for x in stated if x["scope"] in _ARTICLE]
        if not visible_cc or in_article:
            conflicts.append(
                {
                    "field": "license",
                    "values": [chosen_cc, "all-rights-reserved"],
                    "message": "a Creative Commons licence and a reservation of all rights both claim the article",
                    "evidence": [cc[0]["evidence"][0], (in_article or stated)[0]["evidence"][0]],
                }
            )
    if chosen_cc:
        licence = chosen_cc
    elif grants:
        licence = "custom"
    elif reservations or [c for c in copyright_notices if not c["site_wide"]]:
        licence = "all-rights-reserved"
    elif copyright_notices:
        licence = "all-rights-reserved"
    else:
        licence = "none"
    for x in licences:
        x["used"] = x["id"] == licence
        x.pop("hit")
        x.pop("weight")

    # --- what is granted, required, forbidden ------------------------------------------
    base = licence_terms(licence)
    permissions = set(base.permissions) if base else set()
    duties = set(base.duties) if base else set()
    prohibitions = set(base.prohibitions) if base else set()
    venues = {base.venue} if base and base.venue else set()
    # What the article itself grants, in its own text (its licence, or a publisher's grant in the
    # article): a site's footer or menu forbidding the same ("No part of this site may be
    # reproduced") is the site's boilerplate, as a footer's reservation is beside the licence.
    granted_here = set()
    if chosen_cc and any(x["id"] == chosen_cc and x["scope"] in _ARTICLE and _visible(x) for x in cc):
        granted_here.update(permissions)
    for h in grants:
        if h.region in _ARTICLE and not binds_other(h):
            granted_here.update(h.emits.get("permissions", ()))
    grant_items = []
    for h in hits:
        if binds_other(h):
            continue  # binds only another party's articles
        if h.region in NOT_ARTICLE:
            continue
        permissions.update(h.emits.get("permissions", ()))
        if chosen_cc and h.rule in _GRANT_ONLY_CREDIT:
            continue  # "with credit" beside a CC licence is the licence's own attribution
        duties.update(_credited_duties(doc, h, author_names))
        if granted_here and h.region in _SITE_WIDE:
            prohibitions.update(p for p in h.emits.get("prohibitions", ()) if _PERMITTING.get(p, p) not in granted_here)
        else:
            prohibitions.update(h.emits.get("prohibitions", ()))
        if "venue" in h.emits:
            venues.add(h.emits["venue"])
        if h in grants:
            grant_items.append(
                {
                    "permissions": list(_ordered(h.emits.get("permissions", ()), ALL_PERMISSIONS)),
                    "venue": h.emits.get("venue"),
                    "conditions": [],
                    "evidence": [_ev(doc, h)],
                }
            )
    # Each grant's conditions: the duties that conditional rules found near it.
    cond_hits = [
        h for h in hits
        if h.kind == "conditional" and h.emits.get("duties") and not (chosen_cc and h.rule in _GRANT_ONLY_CREDIT)
    ]
    for g in grant_items:
        g["conditions"] = list(_ordered({d for h in cond_hits for d in _credited_duties(doc, h, author_names)}, DUTIES))
        g["venue"] = g["venue"] or ("noncommercial" if "noncommercial" in venues else "any")
    if "commercial_use" in prohibitions:
        permissions.discard("commercial_use")
    if "republish" in prohibitions and not grants and not chosen_cc:
        permissions.clear()
    if "modification" in prohibitions:
        permissions.discard("modify")
    venue = None
    if permissions:
        # A publisher's grant says its venue in words (XPOST010); a ban on selling the copy ("do not sell ads
        # against the story") beside such a grant forbids commercial exploitation, not commercial outlets.
        venue = (
            "noncommercial"
            if "noncommercial" in venues or ("commercial_use" in prohibitions and not (grants and licence == "custom"))
            else "any"
        )

    prohibition_items = [
        {
            "what": list(_ordered(h.emits.get("prohibitions", ()), PROHIBITIONS)),
            "binds": h.emits.get("binds"),
            "evidence": [_ev(doc, h)],
        }
        for h in hits
        if h.emits.get("prohibitions")
    ]

    # --- doors, notices, excerpt limits ----------------------------------------------
    doors = []
    for h in hits:
        if "contact" in h.emits or "door_uses" in h.emits:
            contact = h.emits.get("contact")
            hidden = bool(contact and _HIDDEN_EMAIL.search(contact))
            if contact is None:
                # "For reprint requests, click here", "write to our rights desk": the door's own link
                contact, hidden = _door_link(doc, h)
            doors.append(
                {
                    "uses": list(h.emits.get("door_uses", ["any"])),
                    "contact": contact,
                    "contact_hidden": hidden,
                    "note": "the address was hidden by the site's e-mail protection when the page was saved"
                    if hidden
                    else None,
                    "evidence": [_ev(doc, h)],
                }
            )
    notices = []
    for h in hits:
        for kind in h.emits.get("notices", ()):
            if kind == "excerpt_limit":
                continue
            n = {
                "kind": kind,
                "text": " ".join(h.text.split())[:300],
                "url": h.emits.get("url") if kind == "pointer" else None,
                "evidence": [_ev(doc, h)],
            }
            if kind == "pointer" and h.signal == "link.text":
                n["url"] = next((ln.href for ln in doc.links if ln.start == h.start and ln.end == h.end), None)
            notices.append(n)
    for x in licences:
        if x["scope"] in ("image", "comment"):
            notices.append({"kind": "other_party_license", "text": x["id"], "url": None, "evidence": x["evidence"]})
    excerpt = None
    for h in hits:
        if "excerpt_words" in h.emits or "excerpt_paragraphs" in h.emits:
            excerpt = {
                "words": _int(h.emits.get("excerpt_words")),
                "paragraphs": _int(h.emits.get("excerpt_paragraphs")),
                "evidence": [_ev(doc, h)],
            }
            break

    contact = next((d["contact"] for d in doors if d["contact"]), None)
    summary = Summary(
        license=licence,
        copyright_holders=tuple(holders),
        authors=tuple(author_names),
        publisher=publisher["name"] if publisher else None,
        permissions=_ordered(permissions, ALL_PERMISSIONS),
        permission_venue=venue,
        duties=_ordered(duties, DUTIES),
        prohibitions=_ordered(prohibitions, PROHIBITIONS),
        fair_use_notice=any(n["kind"] == "fair_use" for n in notices),
        contact_for_permission=bool(doors),
        contact=contact,
        republished_from=_republished_from(doc, hits, page_url, publisher, signals),
    )
    return Terms(
        summary=summary,
        source={"path": doc.path, "url": page_url, "title": doc.title, "media_type": doc.media_type},
        licenses=tuple(licences),
        copyright=tuple(copyright_notices),
        authors=tuple({"name": n, "evidence": [e]} for n, e in _first_evidence(authors, author_names)),
        publisher=publisher,
        grants=tuple(grant_items),
        doors=tuple(doors),
        prohibitions=tuple(prohibition_items),
        notices=tuple(notices),
        conflicts=tuple(conflicts),
        excerpt_limit=excerpt,
        work=_work(signals),
        warnings=tuple(doc.warnings) + tuple(warnings),
        packs=ruleset.versions,
    )


_MORE_NAMES = regex.compile(r"\s*(?:,|and|&)\s+(?:to\s+)?(?:the\s+)?\p{Lu}")
_CREDIT_VERB = regex.compile(r"^(?:credit|cite|acknowledge|mention|name|attribut\w*)\s+(?:it\s+)?(?:to\s+)?", regex.I)


def _credited_duties(doc: Document, h: Hit, author_names) -> tuple[str, ...]:
    """A grant's "credit <Name>" names the publication, unless the name is the article's author
    ("just credit Mo Adebayo and link back"): then the duty is to credit the author."""
    duties = tuple(h.emits.get("duties", ()))
    if "credit_source" not in duties or not author_names or h.start < 0:
        return duties
    m = _CREDIT_VERB.match(h.text)
    if not m:
        return duties
    tail = doc.text[h.start + m.end():h.start + m.end() + 120]
    for name in author_names:
        if tail.casefold().startswith(name.casefold()):
            rest = tail[len(name):]
            if _MORE_NAMES.match(rest):
                return tuple(dict.fromkeys(duties + ("credit_author",)))
            return tuple(d for d in duties if d != "credit_source") + ("credit_author",)
    return duties


_IMAGE_CREDIT_BEFORE = regex.compile(
    r"(?<!\b(?:text|texts|words|story|article|reporting)\s+(?:and|&)\s+)"
    r"\b(?:photo(?:graph)?s?|images?|pictures?|illustrations?|graphics?|videos?|cover\s+art|maps?|fotos?|imagen(?:es)?|bilder?)"
    r"\s*(?:credits?)?\s*[:(]?\s*$",
    regex.I,
)
#: "Copyright owned by the author", "… remains with the respective authors": no holder is named as written.
_GENERIC_HOLDER = regex.compile(
    r"^(?:(?:the\s+|their\s+|its\s+|his\s+|her\s+)?(?:respective\s+|individual\s+|original\s+)?(?:authors?|author\(s\)|writers?|contributors?|creators?|"
    r"photographers?|owners?)(?:/funders?)?|the|a|an|by)$",
    regex.I,
)
_LEGAL_FORM = regex.compile(r"^(?:LLC|Inc|Ltd|Limited|L\.P|LLP|plc|PLC|Co|Corp|GmbH|AG|S\.A|SA|S\.L|SAS|B\.V|N\.V|Pty|S\.p\.A)\b\.?")
_NAME_WORDS = r"(?:\p{Lu}[\w'’.-]*)(?:\s+\p{Lu}[\w'’.-]*)+"
_AMPERSAND_PAIR = regex.compile(rf"^({_NAME_WORDS})\s*&\s*(?:the\s+)?({_NAME_WORDS})$")
#: The last word of a firm's name: "Guardian News & Media Limited" is one holder.
_FIRM_END = regex.compile(
    r"\b(?:LLC|Inc|Ltd|Limited|LLP|plc|PLC|Co|Corp|Corporation|Company|GmbH|AG|SA|SAS|Pty|Group|Holdings|Media|"
    r"Publishing|Publications|Press|Partners|Associates)\.?$")


_HOLDER_SEPARATOR = regex.compile(r"\s*(?:;|/|\band\b(?=\s+(?:the\s+)?\p{Lu}))\s*")
_ARTICLE_THE = regex.compile(r"^the\s+(?=\p{Lu})")


def _split_holders(holder: str) -> list[str]:
    """ "A; B", "A / B", "A and B" are two holders; so is "A & B" when both sides are names of two words or
    more ("Rooftop Radio & Peter Lindqvist"), not a firm's name with "&" in it ("Keyboard & Pipe Ltd")."""
    # "Lucía Ortega and the Salt Flats Review": the article "the" does not join the names.
    parts = _HOLDER_SEPARATOR.split(holder)
    # "Lucia Vargas, Institute for Hemispheric Affairs" names two holders; "Vox Media, LLC" one.
    split = []
    for p in parts:
        pieces = [x.strip() for x in p.split(",")]
        merged = []
        for x in pieces:
            if merged and (not x or _LEGAL_FORM.match(x)):
                merged[-1] = f"{merged[-1]}, {x}" if x else merged[-1]
            else:
                merged.append(x)
        split.extend(merged)
    parts = split
    # "A and the B": the second holder is "B".
    parts = [_ARTICLE_THE.sub("", x) if i else x for i, x in enumerate(parts)]
    out = []
    for p in parts:
        m = None if _FIRM_END.search(p.strip()) else _AMPERSAND_PAIR.match(p.strip())
        out.extend([m.group(1), m.group(2)] if m else [p])
    return out


def _int(v):
    try:
        return int(v) if v is not None else None
    except ValueError:
        words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
        return words.get(str(v).lower())


def _dedupe_ids(ids):
    out = []
    for i in ids:
        if i not in out:
            out.append(i)
    return out


def _first_evidence(pairs, names):
    for n in names:
        yield n, next(e for m, e in pairs if squash(m) == squash(n))


def _work(signals) -> dict:
    types = [s.value for s in signals.get("jsonld.@type", ()) if s.region != "figcaption"]
    section = [s.value for s in signals.get("jsonld.articleSection", ())] + [
        s.value for s in signals.get("meta.article:section", ())
    ]
    og = [s.value for s in signals.get("meta.og:type", ())]
    return {"type": types[0] if types else (og[0] if og else None), "section": section[0] if section else None}


#: How far past a door's words its link still belongs to it ("… contact our licensing team.").
_DOOR_LINK_AFTER = 40


def _visible(licence: dict) -> bool:
    """Whether a licence statement is one readers see: words, or a visible licence link."""
    return licence["origin"] in ("text", "a.license", "link")


def _door_link(doc: Document, h: Hit) -> tuple[str | None, bool]:
    """The address a door's own hyperlink gives (a ``mailto:`` address, or the page it opens), and
    whether the saved page hid the address behind e-mail protection."""
    if h.start < 0 or not doc.has_hyperlinks:
        return None, False
    for ln in doc.links:
        if ln.start >= h.start and ln.start < h.end + _DOOR_LINK_AFTER:
            href = ln.href
            if _HIDDEN_EMAIL.search(href) or "/cdn-cgi/l/email-protection" in href:
                return None, True
            if href.lower().startswith("mailto:"):
                address = unquote(href[7:].split("?", 1)[0]).strip()
                return (address or None), False
            if href.startswith(("http://", "https://")):
                return href, False
    return None, False


def _republished_from(doc: Document, hits: list[Hit], page_url, publisher, signals) -> RepublishedFrom | None:
    own_domain = registered_domain(page_url) if page_url else ""
    own_names = {squash(publisher["name"])} if publisher else set()
    if own_domain:
        own_names.add(squash(own_domain.split(".")[0]))
    # A canonical link to another site is a machine-readable statement of the original.
    canonical = [*signals.get("canonical", ()), *signals.get("frontmatter.canonical_url", ()),
                 *signals.get("frontmatter.canonical", ())]
    elsewhere = [s.value for s in canonical
                 if page_url and registered_domain(s.value) and registered_domain(s.value) != own_domain]
    for h in hits:
        name = h.emits.get("republished_from")
        if not name:
            continue
        src_url = h.emits.get("url")
        if src_url and own_domain and registered_domain(src_url) == own_domain:
            continue  # the site speaking of itself
        if squash(name) in own_names or any(squash(name) in o or o in squash(name) for o in own_names if o):
            continue
        link = _original_link(doc, name, src_url, h)
        if src_url is None:
            # The original's address: the link the statement makes, else the canonical link to
            # another site, else a link elsewhere to the original's site.
            near = link is not None and link.start < h.end + _STATEMENT_LINK_AFTER and link.end > h.start - 2
            src_url = link.href if near else (elsewhere[0] if elsewhere else (link.href if link else None))
        return RepublishedFrom(name, src_url, None if not doc.has_hyperlinks else link is not None)
    if elsewhere:
        url = elsewhere[0]
        return RepublishedFrom(None, url, None if not doc.has_hyperlinks else _original_link(doc, None, url) is not None)
    return None


#: How far past a republication statement a link still belongs to it ("… published on The
#: Conversation. Read the original article.").
_STATEMENT_LINK_AFTER = 120


def _original_link(doc: Document, name, url, statement: Hit | None = None):
    """The hyperlink that points at the original (its site, or its name as the link's text), the
    one nearest after ``statement`` first; None when none does."""
    if not doc.has_hyperlinks:
        return None
    target = registered_domain(url) if url else ""
    key = squash(name) if name else ""
    found = []
    for ln in doc.links:
        d = registered_domain(ln.href)
        if (target and d == target) or (key and d and (squash(d.split(".")[0]) in key or key in squash(d))) or (
                key and ln.text and squash(ln.text) == key):  # (the original's name is itself the link)
            found.append(ln)
    if not found:
        return None
    if statement is not None and statement.start >= 0:
        return min(found, key=lambda ln: (ln.end <= statement.start - 2, abs(ln.start - statement.start)))
    return found[0]
