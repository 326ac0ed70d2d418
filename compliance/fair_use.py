"""The facts a person weighing fair use (17 U.S.C. § 107) would look at, measured on one copy.

The tool never decides fair use: it measures the four factors' facts, each with its evidence,
and says in plain words which way they point, with the disclaimer and the source's door.
It never says "this is fair use" or "this is not fair use".
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from . import DISCLAIMER
from .document import Document
from .match import Alignment, words

FACTORS = ("purpose_and_character", "nature_of_the_work", "amount_and_substantiality", "market_effect")
_QUOTES_OPEN = "\"“„«‘'"
_QUOTES_CLOSE = "\"”«»’'"
_WORK_TYPES = {
    "newsarticle": "a news article",
    "reportagenewsarticle": "a news article",
    "article": "an article",
    "analysisnewsarticle": "an analysis article",
    "opinionnewsarticle": "an opinion piece",
    "backgroundnewsarticle": "a background article",
    "reviewnewsarticle": "a review",
    "review": "a review",
    "blogposting": "a blog post",
    "socialmediaposting": "a social media post",
    "creativework": "a creative work",
    "scholarlyarticle": "a scholarly article",
    "report": "a report",
}


@dataclass(frozen=True)
class FairUseThresholds:
    """Documented defaults; ``[tool.compliance.thresholds]`` overrides them (docs/fair-use.md)."""

    near_full: float = 0.8  # share of the source at or above which a copy could stand in for it
    short_excerpt_words: int = 150  # at most this many words taken is a short excerpt
    commentary_share: float = 0.5  # the copier's own words at or above this share of the copy: commentary


def body_blocks(doc: Document, regions_out=("nav", "footer", "aside", "comment", "header", "figcaption")):
    """The article text as ``validate.body_text`` builds it, with each piece's block:
    ``(text, [(body_start, body_end, Block)])``."""
    blocks = [b for b in doc.blocks if b.region not in regions_out]
    if not blocks or sum(b.end - b.start for b in blocks) < 0.2 * len(doc.text):
        return doc.text, [(b.start, b.end, b) for b in doc.blocks]
    pieces, spans, pos = [], [], 0
    for b in blocks:
        piece = doc.text[b.start : b.end]
        spans.append((pos, pos + len(piece), b))
        pieces.append(piece)
        pos += len(piece) + 1
    return "\n".join(pieces), spans


def _block_at(spans, offset):
    for s, e, b in spans:
        if s <= offset < e:
            return s, b
    return None, None


def _is_quoted(body: str, start: int, end: int, block) -> bool:
    if block is not None and block.kind == "quote":
        return True
    before = body[max(0, start - 3) : start].rstrip()
    after = body[end : end + 3].lstrip()
    return bool(before) and before[-1] in _QUOTES_OPEN and bool(after) and after[0] in _QUOTES_CLOSE


def _pct(x: float) -> str:
    return f"{x:.0%}"


def measure(
    copy: Document,
    source: Document | None,
    terms,
    alignment: Alignment | None,
    *,
    venue: str | None,
    credited: bool,
    linked: bool | None,
    copy_claims_fair_use: bool,
    why: str,
    source_body: str | None = None,
    thresholds: FairUseThresholds = FairUseThresholds(),
) -> dict:
    """The § 107 facts for one copy, each with evidence, and a plain reading (never a verdict)."""
    facts: list[dict] = []

    def fact(factor: str, text: str, evidence: str | None = None, where: tuple[int, int] | None = None):
        item = {"factor": factor, "fact": text, "evidence": evidence}
        if where:
            item["line"], item["col"] = where
        facts.append(item)

    body, spans = body_blocks(copy)
    m: dict = {"venue": venue, "credited": credited, "linked": linked, "claims_fair_use": copy_claims_fair_use}

    # --- purpose and character ------------------------------------------------------------
    fact(
        "purpose_and_character",
        f"the copy's venue is {venue}" if venue else "the copy's venue is unknown (set --venue or venues in config)",
    )
    if alignment is not None and alignment.copy_words:
        own = max(0, alignment.copy_words - alignment.matched_words)
        m["own_words"], m["own_share"] = own, round(own / alignment.copy_words, 4)
        fact(
            "purpose_and_character",
            f"{own} of the copy's {alignment.copy_words} words "
            f"({_pct(own / alignment.copy_words)}) are the copier's own text around the copied passages",
        )
        quoted = unquoted = 0
        first_unquoted = None
        for run in alignment.blocks:
            start, end = run.copy_span
            base, block = _block_at(spans, start)
            if _is_quoted(body, start, end, block):
                quoted += run.words
            else:
                unquoted += run.words
                if first_unquoted is None and block is not None:
                    first_unquoted = (block, start - base, end - base)
        m["quoted_words"], m["unquoted_words"] = quoted, unquoted
        if quoted and not unquoted:
            fact(
                "purpose_and_character",
                f"all {quoted} copied words are marked as quotations (blockquote or quotation marks)",
            )
        elif quoted:
            fact(
                "purpose_and_character",
                f"{quoted} copied words are marked as quotations and {unquoted} are presented as the copy's own text",
            )
        else:
            ev, where = None, None
            if first_unquoted:
                block, s, e = first_unquoted
                ev = " ".join(copy.text[block.start + s : block.start + min(e, s + 160)].split())
                where = copy.locate(block.start + s)
            fact(
                "purpose_and_character",
                f"the {unquoted} copied words are presented as the copy's own text, not marked as quotations",
                ev,
                where,
            )
    fact("purpose_and_character", "the copy credits the source" if credited else "the copy does not credit the source")
    if copy_claims_fair_use:
        fact(
            "purpose_and_character",
            "the copy carries its own fair-use notice: that is the copier's claim, and it "
            "grants nothing to anyone else",
        )

    # --- nature of the work ----------------------------------------------------------------
    work = (terms.work or {}) if terms is not None else {}
    kind = (work.get("type") or "").replace("https://schema.org/", "").replace("http://schema.org/", "")
    label = _WORK_TYPES.get(kind.casefold())
    section = work.get("section")
    if section and regex.search(r"(?i)opinion|comment|column|editorial", section):
        label = "an opinion piece"
    m["nature"] = {"type": kind or None, "section": section, "reading": label}
    if label:
        fact(
            "nature_of_the_work",
            f"the source's own signals say it is {label}"
            + (f" (type {kind}" + (f", section {section}" if section else "") + ")" if kind else ""),
        )
    else:
        fact("nature_of_the_work", "the source's signals do not say what kind of work it is")

    # --- amount and substantiality --------------------------------------------------------------
    if alignment is None:
        fact("amount_and_substantiality", "not measured: the source's text was not given (pass --source)")
    else:
        m.update(
            {
                "copied_words": alignment.matched_words,
                "source_words": alignment.source_words,
                "share_of_source": round(alignment.coverage, 4),
                "longest_passage_words": alignment.longest,
            }
        )
        fact(
            "amount_and_substantiality",
            f"{alignment.matched_words} words taken, {_pct(alignment.coverage)} of "
            f"the source's text; the longest contiguous passage is {alignment.longest} words",
        )
        whole = alignment.coverage >= thresholds.near_full
        m["whole_body"] = whole
        if source is not None:
            title = (terms.source.get("title") if terms is not None else None) or source.title or ""
            t_words = words(title)
            c_words = " ".join(words(copy.text))
            m["headline_taken"] = bool(t_words) and " ".join(t_words) in c_words
            lead = _lead_paragraph(source, source_body)
            l_words = words(lead)
            m["lead_taken"] = bool(l_words) and _share_in(l_words, c_words) >= 0.8
            taken = [
                name
                for name, key in (("the headline", "headline_taken"), ("the lead paragraph", "lead_taken"))
                if m[key]
            ]
            fact(
                "amount_and_substantiality",
                ("it takes " + " and ".join(taken))
                if taken
                else "it takes neither the headline nor the lead paragraph",
            )
        fact("amount_and_substantiality", "the whole body is taken" if whole else "an excerpt, not the whole body")

    # --- market effect ------------------------------------------------------------------------------
    coverage = alignment.coverage if alignment is not None else None
    if coverage is not None and coverage >= thresholds.near_full and not linked:
        m["market"] = "substitute"
        fact("market_effect", "a near-full copy with no link back: it could stand in for the original")
    elif linked and (coverage is None or coverage < thresholds.near_full):
        m["market"] = "sends_readers"
        fact("market_effect", "an excerpt with a hyperlink to the original: it sends readers to it")
    elif linked:
        m["market"] = "substitute_with_link"
        fact("market_effect", "a near-full copy, though it links to the original")
    else:
        m["market"] = "unclear"
        fact(
            "market_effect",
            "an excerpt without a link back"
            if linked is False
            else "whether it sends readers to the original cannot be seen (plain text has no hyperlinks)",
        )

    reading, group = _reading(m, alignment, thresholds)
    door = _door(terms)
    return {
        "why": why,
        "measures": m,
        "facts": facts,
        "reading": f"{reading}; ask the publisher: {door}" if door else reading,
        "group": group,
        "door": door,
        "disclaimer": DISCLAIMER + " Only a court can decide fair use.",
    }


def _lead_paragraph(source: Document, source_body: str | None) -> str:
    for b in source.blocks:
        if b.kind in ("p", "text") and b.region not in ("nav", "footer", "aside", "comment", "header"):
            text = source.text[b.start : b.end]
            if len(words(text)) >= 12:
                return text
    return ""


def _share_in(needle: list[str], hay: str) -> float:
    """Share of ``needle``'s 5-word windows found in ``hay`` (a space-joined word string)."""
    if len(needle) < 5:
        return 1.0 if " ".join(needle) in hay else 0.0
    windows = [" ".join(needle[i : i + 5]) for i in range(len(needle) - 4)]
    return sum(1 for w in windows if w in hay) / len(windows)


def _reading(m: dict, alignment: Alignment | None, th: FairUseThresholds) -> tuple[str, str]:
    """Plain words for which way the facts point, and a short group label. Never a verdict."""
    if alignment is None:
        return (
            "the amount taken could not be measured, so the facts cannot be read; a person must weigh them",
            "amount not measured",
        )
    coverage, taken = alignment.coverage, alignment.matched_words
    commercial = m.get("venue") in ("commercial", "print")
    own_share = m.get("own_share", 0.0)
    marked = m.get("quoted_words", 0) > 0 and not m.get("unquoted_words", 0)
    if coverage >= th.near_full and not m.get("linked"):
        where = "on a commercial site" if commercial else ("in print" if m.get("venue") == "print" else "")
        text = f"a full copy {where} with no link back".replace("  ", " ")
        return f"{text}: the facts point away from fair use", "full copy, no link"
    if coverage >= th.near_full:
        return (
            "a full copy, with a link back: taking the whole work points away from fair use even with a link",
            "full copy with link",
        )
    if taken <= th.short_excerpt_words and m.get("linked") and own_share >= th.commentary_share and marked:
        return (
            "a short, marked quotation with a link inside the copier's own commentary: the facts lean towards fair use",
            "short quotation in commentary",
        )
    if taken <= th.short_excerpt_words and m.get("linked"):
        return (
            "a short excerpt with a link back: the facts are mixed and lean towards fair use only if the copy "
            "comments on it",
            "short excerpt with link",
        )
    if m.get("lead_taken") and m.get("headline_taken"):
        return (
            "the headline and lead taken"
            + ("" if m.get("linked") else " with no link back")
            + ": mixed facts, which a person must weigh",
            "headline and lead",
        )
    return (
        "an excerpt"
        + (" with a link back" if m.get("linked") else " without a link back")
        + ": mixed facts, which a person must weigh",
        "excerpt" + (" with link" if m.get("linked") else ", no link"),
    )


def _door(terms) -> str | None:
    if terms is None:
        return None
    for d in terms.doors:
        if d.get("contact"):
            hidden = (
                " (hidden by the site's e-mail protection; see the original page)" if d.get("contact_hidden") else ""
            )
            return f"{d['contact']}{hidden}"
    return "the publisher (the source names no contact)" if not terms.doors else "the publisher"
