"""Terms + a copy → findings: every duty met, unmet or "cannot verify", with evidence and the fix."""

from __future__ import annotations

from functools import lru_cache
from dataclasses import dataclass

import regex

from .checks import CHECKS
from .detect import detect_terms
from .document import Document
from .findings import CopyResult, Finding
from .fix import attribution_block
from .licenses import cc_parts, deed_url, licence_name
from .match import Alignment, align, word_spans
from .match import words as words_of
from .packs.loader import RuleSet, default_ruleset
from .terms import Terms
from .urls import domain_label, is_home_page, links_to, normalise, on_site, registered_domain, same_article, squash

VENUES = ("community", "noncommercial", "commercial", "print")
BOILERPLATE_REGIONS = ("nav", "footer", "aside", "comment", "header", "figcaption")
_CC_DEED = regex.compile(r"creativecommons\.org/licen[cs]es/(by(?:-nc)?(?:-nd|-sa)?)/", regex.I)
_DOMAIN_IN_TEXT = regex.compile(r"(?i)\b(?:www\.)?([\w-]+)\.[a-z]{2,}(?:\.[a-z]{2,})?\b")
_COPYRIGHT_MARK = regex.compile(r"©|\(c\)|&copy;|\bcopyright\b", regex.I)
_CHANGES_STATED = regex.compile(
    r"\b(?:edited|adapted|abridged|condensed|shortened|translated|modified|updated)\b|"
    r"\bchanges?\s+(?:were|have\s+been|was)\s+made\b|\b(?:has|have)\s+been\s+(?:edited|changed|modified)\b",
    regex.I,
)
_GENERIC_CC = regex.compile(r"creative\s+commons(?:\s+licen[cs]e)?", regex.I)
_PIXEL_HINT = regex.compile(r"pixel|count|track|beacon|analytics|stats|/p\.gif|1x1", regex.I)


@lru_cache(maxsize=8)
def copy_ruleset(ruleset: RuleSet) -> RuleSet:
    """The rules that read what a copy states about itself: the licences it names (every rule
    that emits a licence, all-rights-reserved and custom grants included) and its fair-use
    notice, with the rules their conditions depend on. Validation needs nothing else of a copy's
    own terms, and the bylines, grants' conditions and doors it leaves out are most of the work."""
    wanted = {r.id for r in ruleset.rules if "license" in r.emits or "notices" in r.emits}
    grew = True
    while grew:
        needed = {w for r in ruleset.rules if r.id in wanted for w in r.within} - wanted
        wanted |= needed
        grew = bool(needed)
    return RuleSet(ruleset.packs, tuple(r for r in ruleset.rules if r.id in wanted))


@dataclass(frozen=True)
class Thresholds:
    """Documented defaults; config ``[tool.compliance.thresholds]`` overrides them."""

    full_copy: float = 0.8  # coverage at or above which a copy is a full copy, not an excerpt
    min_similarity: float = 0.05  # audit: below this share (of the source or of the page) nothing was copied
    near_full: float = 0.8  # fair use: a copy this complete could stand in for the original
    short_excerpt_words: int = 150  # fair use: at most this many words taken is a short excerpt
    commentary_share: float = 0.5  # fair use: the copier's own words at this share of the copy is commentary

    @classmethod
    def from_config(cls, values: dict, **override) -> Thresholds:
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        known.update({k: v for k, v in override.items() if v is not None})
        return cls(**known)


def article_blocks(doc: Document) -> list:
    """The blocks outside navigation, footers, asides and comments; all blocks when those would
    leave less than a fifth of the text (a page without structure)."""
    blocks = [b for b in doc.blocks if b.region not in BOILERPLATE_REGIONS]
    if not blocks or sum(b.end - b.start for b in blocks) < 0.2 * len(doc.text):
        return list(doc.blocks)
    return blocks


def body_text(doc: Document) -> str:
    """The article's own text: blocks outside navigation, footers, asides and comments."""
    blocks = [b for b in doc.blocks if b.region not in BOILERPLATE_REGIONS]
    if not blocks or sum(b.end - b.start for b in blocks) < 0.2 * len(doc.text):
        return doc.text
    return "\n".join(doc.text[b.start : b.end] for b in blocks)


def source_body(doc: Document, ruleset: RuleSet | None = None) -> str:
    """The source's article text without the blocks where it states its terms (bylines, grants,
    notices, copyright lines): copies often drop those, and dropping them is not taking less."""
    from .detect import engine_for

    hits, _ = engine_for(ruleset or default_ruleset()).run(doc)
    spans = [(h.start, h.end) for h in hits if h.start >= 0]
    blocks = article_blocks(doc)
    kept = [b for b in blocks if not any(s < b.end and b.start < e for s, e in spans)]
    if not kept:
        return body_text(doc)
    return "\n".join(doc.text[b.start : b.end] for b in kept)


@lru_cache(maxsize=4096)
def _word_count(text: str) -> int:
    """Words in a source's core text; an audit asks for it once per candidate."""
    return len(words_of(text))


def measured(alignment: Alignment, core: str, full_copy: float) -> Alignment:
    """Coverage measured against the source's core text (without its terms blocks)."""
    from dataclasses import replace

    n = _word_count(core)
    if not n:
        return alignment
    coverage = min(1.0, alignment.matched_words / n)
    return replace(alignment, coverage=coverage, is_excerpt=coverage < full_copy)


def _occurrences(ws: list[str], word: str):
    """Indexes of ``word`` in the words ``ws``, in order."""
    i = -1
    while True:
        try:
            i = ws.index(word, i + 1)
        except ValueError:
            return
        yield i


def _name_spans(scanned: tuple[list[str], list[int], list[int]], name: str) -> list[tuple[int, int]]:
    """Where the words of ``name`` stand consecutively in a text's words (``word_spans``)."""
    want = words_of(name)
    if not want:
        return []
    ws, starts, ends = scanned
    n = len(want)
    return [(starts[i], ends[i + n - 1]) for i in _occurrences(ws, want[0]) if ws[i:i + n] == want]


def _initialled_spans(scanned: tuple[list[str], list[int], list[int]], name: str) -> list[tuple[int, int]]:
    """Where a person's name stands with its given names as initials: "N. Park", "N.J. Park",
    "N Park" for Nina Park (the surname whole, each initial the first letter of a given name)."""
    want = words_of(name)
    if len(want) < 2:
        return []
    given, surname = want[:-1], want[-1]
    ws, starts, ends = scanned
    out = []
    for i in _occurrences(ws, surname):
        # the initials just before the surname: one word per given name, or only the first one
        for k in (len(given), 1):
            if i - k >= 0 and all(len(ws[i - k + j]) == 1 and ws[i - k + j] == given[j][0] for j in range(k)):
                out.append((starts[i - k], ends[i]))
                break
    return out


class _Copy:
    """The copy, read once for all checks."""

    def __init__(self, doc: Document):
        self.doc = doc
        self._words: tuple[list[str], list[int], list[int]] | None = None
        self._to_original: dict[str, int] = {}

    @property
    def words(self) -> tuple[list[str], list[int], list[int]]:
        """The copy's words and their spans, scanned once."""
        if self._words is None:
            self._words = word_spans(self.doc.text)
        return self._words

    def link_to(self, original: str) -> int:
        """Index of the copy's link to the original article, or -1 (looked for once)."""
        found = self._to_original.get(original)
        if found is None:
            found = self._to_original[original] = links_to([ln.href for ln in self.doc.links], original)
        return found

    def find_name(self, name: str) -> tuple[int, int] | None:
        """A name in the copy's text, or its domain form (``globalresearch.ca`` for Global Research)."""
        spans = _name_spans(self.words, name)
        if spans:
            return spans[0]
        key = squash(name)
        if not key:
            return None
        # "Global Research" ~ "globalresearch.ca" / "www.globalresearch.ca" in text.
        for m in _DOMAIN_IN_TEXT.finditer(self.doc.text):
            if squash(m.group(1)) == key:
                return m.span()
        return None

    def find_person(self, name: str) -> tuple[int, int] | None:
        """A person's name in the copy, whole or with initials for the given names ("N. Park")."""
        span = self.find_name(name)
        if span is None:
            spans = _initialled_spans(self.words, name)
            span = spans[0] if spans else None
        return span

    def find_name_in_links(self, name: str):
        key = squash(name)
        for ln in self.doc.links:
            if key and squash(domain_label(ln.href)) == key:
                return ln
        return None

    def where(self, offset: int | None) -> tuple[int, int]:
        if offset is None or offset < 0:
            return self.doc.locate(max(0, len(self.doc.text) - 1)) if self.doc.text else (1, 1)
        return self.doc.locate(offset)

    def quote(self, span: tuple[int, int]) -> str:
        s, e = span
        return " ".join(self.doc.text[s:e].split())


def check_copy(
    copy: Document,
    terms: Terms,
    *,
    source: Document | None = None,
    venue: str | None = None,
    source_url: str | None = None,
    ruleset: RuleSet | None = None,
    thresholds: Thresholds = Thresholds(),
    alignment: Alignment | None = None,
) -> CopyResult:
    """Judge ``copy`` against ``terms``: one finding per duty, plus venue, prohibitions and conflicts."""
    c = _Copy(copy)
    s = terms.summary
    original = source_url or terms.source.get("url")
    src_label = terms.source.get("url") or terms.source.get("path")
    findings: list[Finding] = []
    fix_block = attribution_block(terms, copy.media_type, original)
    if alignment is None and source is not None:
        alignment = measured(
            align(body_text(source), body_text(copy), excerpt_threshold=thresholds.full_copy),
            source_body(source, ruleset),
            thresholds.full_copy,
        )

    def add(check_id: str, status: str, message: str, span=None, offset=None, fix=None, details=None, severity=None):
        chk = CHECKS[check_id]
        if span is not None:
            line, col = c.where(span[0])
            evidence = c.quote(span)
        else:
            line, col = c.where(offset)
            evidence = None
        sev = severity or (chk.severity if status in ("unmet", "cannot_verify") else "info")
        if status == "cannot_verify" and not severity:
            sev = "warning"
        findings.append(
            Finding(
                copy.path,
                line,
                col,
                check_id,
                chk.duty,
                status,
                sev,
                message,
                evidence,
                fix if status == "unmet" else None,
                src_label,
                details or {},
            )
        )

    copy_terms = None

    def own_terms() -> Terms:
        nonlocal copy_terms
        if copy_terms is None:
            copy_terms = detect_terms(copy, copy_ruleset(ruleset or default_ruleset()))
        return copy_terms

    credit_anchor = None
    # --- credits ----------------------------------------------------------------------
    if "credit_source" in s.duties:
        name = s.publisher or (s.republished_from.publisher if s.republished_from else None)
        if not name:
            add("CRED002", "cannot_verify", "the source names no publication, so its credit cannot be checked")
        else:
            span = c.find_name(name)
            if span:
                credit_anchor = span[0]
                add("CRED002", "met", f"credits the source, {name}", span=span)
            else:
                link = c.find_name_in_links(name)
                hint = f" (it links to {registered_domain(link.href)}, but readers do not see the name)" if link else ""
                if link is not None:
                    credit_anchor = link.start
                add("CRED002", "unmet", f"does not name the source, {name}{hint}", offset=credit_anchor, fix=fix_block)
    if "credit_author" in s.duties:
        if not s.authors:
            add("CRED001", "cannot_verify", "the source names no author, so the author's credit cannot be checked")
        else:
            missing = [a for a in s.authors if c.find_person(a) is None]
            if missing:
                add(
                    "CRED001",
                    "unmet",
                    f"does not name the author{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
                    fix=fix_block,
                )
            else:
                span = c.find_person(s.authors[0])
                add("CRED001", "met", f"credits {', '.join(s.authors)}", span=span)
    if "credit_copyright" in s.duties:
        names = list(s.copyright_holders) or [n for n in (s.publisher, *s.authors) if n]
        hit = None
        for m in _COPYRIGHT_MARK.finditer(copy.text):
            window = copy.text[max(0, m.start() - 120) : m.end() + 160]
            wt = word_spans(window)
            if any(_name_spans(wt, n) for n in names) or not names:
                hit = (m.start(), min(len(copy.text), m.end() + 80))
                break
        if hit:
            end = copy.text.find("\n", hit[0])
            add(
                "CRED003",
                "met",
                "acknowledges the copyright",
                span=(hit[0], end if end != -1 and end < hit[1] else hit[1]),
            )
        else:
            who = ", ".join(names) if names else "the holder"
            add("CRED003", "unmet", f"does not acknowledge the copyright (© {who})", fix=fix_block)

    # --- links ------------------------------------------------------------------------
    if "link_original" in s.duties:
        _check_link_original(c, terms, original, credit_anchor, fix_block, add)
    if "link_license" in s.duties and cc_parts(s.license):
        _check_link_license(c, s.license, credit_anchor, fix_block, add)
    if "keep_notices" in s.duties and cc_parts(s.license):
        _check_licence_named(c, s.license, own_terms, fix_block, add)

    # --- the text itself ----------------------------------------------------------------
    if "no_modification" in s.duties or "indicate_changes" in s.duties:
        _check_modification(c, s, alignment, add)
    if "share_alike" in s.duties:
        _check_share_alike(c, s.license, own_terms, add)
    if "keep_tracking_pixel" in s.duties:
        _check_pixel(c, terms, source, add)
    if terms.excerpt_limit and alignment is not None:
        _check_excerpt(c, terms.excerpt_limit, alignment, source, add)

    # --- venue, prohibitions, grants ------------------------------------------------------
    _check_use(c, terms, venue, add)
    for conflict in terms.conflicts:
        add(
            "CONF001",
            "unmet",
            f"the source's statements disagree: {conflict.get('message', '')} "
            f"({' vs '.join(map(str, conflict['values']))}); judged against {s.license}",
            details={"conflict": conflict},
        )
    fair = _fair_use(c, terms, source, alignment, venue, original, findings, own_terms, thresholds)
    return CopyResult(
        copy.path,
        src_label,
        tuple(findings),
        venue=venue,
        url=copy.url,
        similarity=round(alignment.similarity, 4) if alignment else None,
        coverage=round(alignment.coverage, 4) if alignment else None,
        fix=fix_block if any(f.status == "unmet" for f in findings) else None,
        fair_use=fair,
    ).sorted()


def _fair_use(c: _Copy, terms: Terms, source, alignment, venue, original, findings, own_terms, thresholds):
    """The § 107 facts, for a copy that no grant covers or whose grant it breaks; else None."""
    from .fair_use import measure

    unmet = [f for f in findings if f.status == "unmet" and f.severity == "error"]
    if not unmet:
        return None
    outside = [f for f in unmet if f.rule in ("GRNT001", "GRNT002", "VEN001")]
    if outside:
        why = "no grant in the source's terms covers this copy"
    else:
        why = "the copy breaks the grant's conditions: " + ", ".join(sorted({f.duty for f in unmet}))
    s = terms.summary
    name = s.publisher or (s.republished_from.publisher if s.republished_from else None)
    credited = bool(name and c.find_name(name)) or any(f.rule == "CRED002" and f.status == "met" for f in findings)
    if not c.doc.has_hyperlinks:
        linked = None
    elif original:
        linked = c.link_to(original) >= 0
    else:
        site = registered_domain(terms.source.get("url") or "")
        linked = any(on_site(ln.href, site) for ln in c.doc.links)
    return measure(
        c.doc,
        source,
        terms,
        alignment,
        venue=venue,
        credited=credited,
        linked=linked,
        copy_claims_fair_use=own_terms().summary.fair_use_notice,
        why=why,
        thresholds=thresholds,
    )


def _check_link_original(c: _Copy, terms: Terms, original, anchor, fix_block, add) -> None:
    doc = c.doc
    if not original:
        add(
            "LINK001",
            "cannot_verify",
            "the original article's URL is unknown: pass --source-url (or a source that carries its canonical URL)",
        )
        return
    if not doc.has_hyperlinks:
        mention = next(
            (
                m
                for m in doc.mentions
                if same_article(m.url if "//" in m.url else "https://" + m.url, original)
                or registered_domain(m.url) == registered_domain(original)
            ),
            None,
        )
        msg = "plain text has no hyperlinks, so the link to the original cannot be verified"
        if mention:
            msg += f"; the text names {mention.url} (a URL written out is not a hyperlink)"
            add("LINK001", "cannot_verify", msg, span=(mention.start, mention.end))
        else:
            add("LINK001", "cannot_verify", msg, offset=anchor)
        return
    found = c.link_to(original)
    if found >= 0:
        ln = doc.links[found]
        span = (ln.start, ln.end) if ln.end > ln.start else None
        add("LINK001", "met", f"links to the original article ({ln.href})", span=span, offset=ln.start)
        return
    key = normalise(original)
    site = registered_domain(original)
    canonical = [s.value for s in doc.signals if s.kind == "canonical" and normalise(s.value) == key]
    same_site = [ln for ln in doc.links if on_site(ln.href, site)]
    home = [ln for ln in same_site if is_home_page(ln.href)]
    if home and len(home) == len(same_site):
        ln = home[0]
        add(
            "LINK003",
            "unmet",
            f"links only to the publisher's home page ({ln.href}), not to the original article {original}",
            span=(ln.start, ln.end) if ln.end > ln.start else None,
            offset=ln.start,
            fix=fix_block,
        )
        return
    shortened = _shortened_link(doc, anchor)
    if shortened is not None:
        add(
            "LINK001",
            "cannot_verify",
            f"links through a URL shortener ({shortened.href}), which is not followed here: whether it "
            f"leads to the original article {original} cannot be verified",
            span=(shortened.start, shortened.end) if shortened.end > shortened.start else None,
            offset=shortened.start,
        )
        return
    msg = f"no hyperlink to the original article {original}"
    if same_site:
        msg += f"; it links to {same_site[0].href}, another page of the same site"
    if canonical:
        msg += "; the copy's rel=canonical names the original, but readers cannot follow it"
    add("LINK001", "unmet", msg, offset=anchor, fix=fix_block)


#: Link shorteners: where their links lead is known only by following them.
_SHORTENERS = frozenset((
    "t.co", "bit.ly", "ow.ly", "buff.ly", "tinyurl.com", "goo.gl", "lnkd.in", "fb.me", "dlvr.it", "trib.al",
    "is.gd", "rebrand.ly", "tiny.cc", "cutt.ly", "rb.gy", "shorturl.at", "j.mp", "wp.me", "t.ly", "bl.ink",
))


def _shortened_link(doc: Document, anchor):
    """A shortened link (the one nearest the copy's credit, else the first): any of them may
    lead to the original, and only following it would tell."""
    short = [ln for ln in doc.links if registered_domain(ln.href) in _SHORTENERS]
    if not short:
        return None
    if anchor is None:
        return short[0]
    return min(short, key=lambda ln: abs(ln.start - anchor))


def _check_link_license(c: _Copy, licence: str, anchor, fix_block, add) -> None:
    want = cc_parts(licence)
    if not c.doc.has_hyperlinks:
        add(
            "LINK002",
            "cannot_verify",
            "plain text has no hyperlinks, so the link to the licence cannot be verified",
            offset=anchor,
        )
        return
    wrong = None
    for ln in c.doc.links:
        if "creativecommons" not in ln.href.lower():
            continue
        m = _CC_DEED.search(ln.href)
        if not m:
            continue
        if m.group(1).upper() == want[0]:
            add(
                "LINK002",
                "met",
                f"links to the licence deed ({ln.href})",
                span=(ln.start, ln.end) if ln.end > ln.start else None,
                offset=ln.start,
            )
            return
        wrong = ln
    if wrong is not None:
        add(
            "LINK002",
            "unmet",
            f"links to a different licence ({wrong.href}); the source is under "
            f"{licence_name(licence)}: {deed_url(licence)}",
            offset=wrong.start,
            fix=fix_block,
        )
    else:
        add("LINK002", "unmet", f"no hyperlink to the licence deed {deed_url(licence)}", offset=anchor, fix=fix_block)


def _check_licence_named(c: _Copy, licence: str, own_terms, fix_block, add) -> None:
    want = cc_parts(licence)
    found = [x for x in own_terms().licenses if cc_parts(x["id"]) and cc_parts(x["id"])[0] == want[0]]
    if found:
        ev = found[0]["evidence"][0]
        add(
            "LICN001",
            "met",
            f"names the licence ({found[0]['id']})",
            offset=None if ev["line"] < 1 else None,
            details={"quote": ev["quote"]},
        )
        return
    generic = _GENERIC_CC.search(c.doc.text)
    if generic:
        add(
            "LICN001",
            "unmet",
            f'says "{generic.group(0)}" without naming which licence: the source is under {licence_name(licence)}',
            span=generic.span(),
            fix=fix_block,
        )
    else:
        add("LICN001", "unmet", f"does not name the licence ({licence_name(licence)})", fix=fix_block)


def _check_modification(c: _Copy, s, alignment: Alignment | None, add) -> None:
    if alignment is None:
        if "no_modification" in s.duties:
            add("MOD001", "cannot_verify", "no source text to compare with: pass --source to check for edits")
        return
    if alignment.matched_words == 0:
        if "no_modification" in s.duties:
            add("MOD001", "cannot_verify", "the copy shares no text with the source")
        return
    share = f"{alignment.coverage:.0%} of the source"
    kind = "an excerpt" if alignment.is_excerpt else "a full copy"
    edits = alignment.edits
    details = {
        "coverage": round(alignment.coverage, 4),
        "similarity": round(alignment.similarity, 4),
        "excerpt": alignment.is_excerpt,
        "edits": [{"kind": e.kind, "source": e.source_text, "copy": e.copy_text} for e in edits[:50]],
    }
    if "no_modification" in s.duties:
        if edits:
            first = edits[0]
            diff = _first_few(edits, _edit_line)
            span = first.copy_span if first.copy_span[1] > first.copy_span[0] else None
            add(
                "MOD001",
                "unmet",
                f"{kind} ({share}) with {len(edits)} edit{'s' if len(edits) > 1 else ''} inside "
                f"the copied text: {diff}",
                span=span,
                offset=first.copy_span[0],
                fix="restore the source's wording: " + _first_few(edits, _undo_step),
                details=details,
            )
        else:
            add("MOD001", "met", f"{kind} ({share}), no edits inside the copied text", details=details)
    if "indicate_changes" in s.duties:
        if not edits:
            add("MOD002", "not_applicable", "nothing was changed, so there is nothing to indicate")
        else:
            said = _CHANGES_STATED.search(c.doc.text)
            if said:
                add("MOD002", "met", "says that the text was changed", span=said.span())
            else:
                add(
                    "MOD002",
                    "unmet",
                    f"changes the text ({len(edits)} edit{'s' if len(edits) > 1 else ''}) without saying so",
                    fix='add a line such as "This article has been edited."',
                )


def _first_few(edits, render, shown: int = 5) -> str:
    """The first ``shown`` edits, each as ``render`` words it, and how many more there are."""
    more = f"; and {len(edits) - shown} more" if len(edits) > shown else ""
    return "; ".join(render(e) for e in edits[:shown]) + more


def _undo_step(e) -> str:
    if e.kind == "replace":
        return f'put back "{_short(e.source_text)}" for "{_short(e.copy_text)}"'
    if e.kind == "delete":
        return f'put back "{_short(e.source_text)}"'
    return f'remove "{_short(e.copy_text)}"'


def _edit_line(e) -> str:
    if e.kind == "replace":
        return f'"{_short(e.source_text)}" became "{_short(e.copy_text)}"'
    if e.kind == "delete":
        return f'"{_short(e.source_text)}" was removed'
    return f'"{_short(e.copy_text)}" was added'


def _short(t: str, n: int = 120) -> str:
    t = " ".join(t.split())
    return t if len(t) <= n else t[: n - 1] + "…"


_SA_COMPATIBLE = {"BY-SA": ("BY-SA",)}


def _check_share_alike(c: _Copy, licence: str, own_terms, add) -> None:
    want = cc_parts(licence)
    theirs = own_terms()
    stated = [x for x in theirs.licenses if x.get("scope") not in ("image", "comment")]
    ids = [x["id"] for x in stated]

    def compatible(i: str) -> bool:
        p = cc_parts(i)
        return bool(p) and p[0] == want[0] and (not p[1] or not want[1] or p[1] >= want[1])

    # The credit line names the source's licence; any other licence the copy states is its own.
    bad = [i for i in ids if not compatible(i) and i not in ("custom",)]
    ok = [i for i in ids if compatible(i)]
    if bad:
        add(
            "SA001",
            "unmet",
            f"states {bad[0]}, which is not compatible with the source's {licence_name(licence)}: "
            f"ShareAlike asks for the same licence",
            fix=f"publish the copy under {licence_name(licence)} ({deed_url(licence)})",
        )
    elif ok:
        add("SA001", "met", f"states a compatible licence ({ok[0]})")
    else:
        add(
            "SA001",
            "unmet",
            f"states no licence: ShareAlike asks the copy to be under {licence_name(licence)}",
            fix=f"state that the copy is licensed under {licence_name(licence)} ({deed_url(licence)})",
        )


def _check_pixel(c: _Copy, terms: Terms, source: Document | None, add) -> None:
    site = registered_domain(terms.source.get("url") or "") if terms.source.get("url") else ""
    wanted_domains = set()
    if source is not None:
        for e in source.embeds:
            d = registered_domain(e.url)
            if d and (d == site or _PIXEL_HINT.search(e.url)):
                wanted_domains.add(d)
    if site:
        wanted_domains.add(site)
    if not wanted_domains:
        add(
            "PIX001", "cannot_verify", "the source's tracking pixel is unknown: pass --source (the page with the pixel)"
        )
        return
    if not c.doc.has_hyperlinks:
        add("PIX001", "cannot_verify", "plain text cannot carry a tracking pixel")
        return
    for e in c.doc.embeds:
        if registered_domain(e.url) in wanted_domains:
            add("PIX001", "met", f"keeps the publisher's {e.kind} from {registered_domain(e.url)}", offset=None)
            return
    add(
        "PIX001",
        "unmet",
        f"no image or script from {', '.join(sorted(wanted_domains))}: the tracking pixel was dropped",
        fix="paste the republishing HTML from the source page again, including its tracking pixel",
    )


def _check_excerpt(c: _Copy, limit: dict, alignment: Alignment, source: Document | None, add) -> None:
    words = limit.get("words")
    paras = limit.get("paragraphs")
    taken = alignment.matched_words
    if words:
        if taken > words:
            add(
                "EXC001",
                "unmet",
                f"takes {taken} words of the source; the grant allows {words}",
                details={"words_taken": taken, "limit_words": words},
            )
        else:
            add("EXC001", "met", f"takes {taken} words of the source, within the {words} allowed")
    elif paras and source is not None:
        # The first N paragraphs of the article: headings and short lines before them (title,
        # byline) come with them; a paragraph is a block of a dozen words or more.
        allowed, seen = 0, 0
        for b in source.blocks:
            if b.region in BOILERPLATE_REGIONS:
                continue
            n = len(words_of(source.text[b.start : b.end]))
            if b.kind == "p" and n >= 12:
                if seen == paras:
                    break
                seen += 1
            allowed += n
        if allowed and taken > allowed * 1.05:
            add(
                "EXC001",
                "unmet",
                f"takes {taken} words, more than the first {paras} paragraphs ({allowed} words)",
                details={"words_taken": taken, "limit_paragraphs": paras},
            )
        else:
            add("EXC001", "met", f"takes {taken} words, within the first {paras} paragraphs")


def _door_text(terms: Terms, use: str) -> str:
    for d in terms.doors:
        if use in d["uses"] or "any" in d["uses"]:
            if d.get("contact"):
                hidden = (
                    " (the address was hidden by the site's e-mail protection; see the original page)"
                    if d.get("contact_hidden")
                    else ""
                )
                return f"ask {d['contact']}{hidden}"
    return "ask the publisher" if terms.doors else "the source names no one to ask"


def _check_use(c: _Copy, terms: Terms, venue: str | None, add) -> None:
    s = terms.summary
    use = {"commercial": "commercial_use", "print": "print"}.get(venue or "", "republish")
    forbidden = [p for p in s.prohibitions if p in ("republish", use)]
    if "republish" in s.prohibitions and "republish" not in s.permissions:
        ev = next(
            (p["evidence"][0]["quote"] for p in terms.prohibitions if "republish" in p["what"] and not p.get("binds")),
            "",
        )
        add(
            "GRNT002",
            "unmet",
            f"the source forbids republication{': “' + ev + '”' if ev else ''}; {_door_text(terms, 'republish')}",
            fix=_door_text(terms, "republish"),
        )
        return
    if not s.permissions:
        if s.license == "none":
            msg = "the source states no terms, so nothing grants republication (copyright applies by default)"
        else:
            msg = f"the source grants nothing ({s.license}): republication needs permission"
        add("GRNT001", "unmet", f"{msg}; {_door_text(terms, 'republish')}", fix=_door_text(terms, "republish"))
        return
    if venue is None:
        if s.permission_venue == "noncommercial" or (s.permissions and "print" not in s.permissions):
            add(
                "VEN001",
                "cannot_verify",
                f"the grant covers only {s.permission_venue or 'some'} venues and the copy's "
                "venue is unknown: set --venue (community, noncommercial, commercial or print) or `venue` in config",
            )
        else:
            add("VEN001", "met", "the grant covers any venue")
        return
    if venue in ("commercial",) and (s.permission_venue == "noncommercial" or "commercial_use" in forbidden):
        add(
            "VEN001",
            "unmet",
            f"a commercial site is outside the grant (community and non-commercial sites only); "
            f"{_door_text(terms, 'commercial_use')}",
            fix=_door_text(terms, "commercial_use"),
        )
    elif venue == "print" and "print" not in s.permissions:
        add(
            "VEN001",
            "unmet",
            f"print is outside the grant; {_door_text(terms, 'print')}",
            fix=_door_text(terms, "print"),
        )
    else:
        add("VEN001", "met", f"the grant covers {venue} venues")
