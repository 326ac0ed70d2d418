"""The checks that judge a copy: one id per duty or fact, documented like pack rules.

Ids are permanent. ``compliance rules`` lists them beside the pack rules and
``compliance explain ID`` prints their page.
"""

from __future__ import annotations

from dataclasses import dataclass

ATTRIBUTION = "https://wiki.creativecommons.org/wiki/Recommended_practices_for_attribution"
FAIR_USE = "https://www.copyright.gov/fair-use/"


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    duty: str
    severity: str  # when unmet
    message: str
    what: str
    why: str
    instead: str = ""
    reference: str = ATTRIBUTION  # a public page that explains the duty (SARIF helpUri)

    @property
    def help_uri(self) -> str:
        return self.reference


CHECKS: dict[str, Check] = {
    c.id: c
    for c in (
        Check(
            "CRED001",
            "check.credit-author",
            "credit_author",
            "error",
            "The copy credits the author.",
            "Looks for each author the source names in the copy's text, tolerant of case, punctuation, smart quotes and line wrapping, and of initials for the given names (\"N. Park\" for Nina Park).",
            "Licences and grants that ask for attribution name the author; a copy without the byline drops the credit.",
        ),
        Check(
            "CRED002",
            "check.credit-source",
            "credit_source",
            "error",
            "The copy credits the source publication.",
            'Looks for the publication\'s name, or its domain ("Global Research" or "globalresearch.ca"), in the copy\'s text or links.',
            'Grants such as "as long as the source is acknowledged" ask the copy to name the publication.',
        ),
        Check(
            "CRED003",
            "check.credit-copyright",
            "credit_copyright",
            "error",
            "The copy acknowledges the copyright.",
            "Looks for a copyright mark (©, (c), \"Copyright\") near the holder's name (or, when the source names no holder, the publication's or author's).",
            'Grants that say "the source and copyright are acknowledged" ask for the copyright line itself.',
        ),
        Check(
            "LINK001",
            "check.link-original",
            "link_original",
            "error",
            "The copy links to the original article.",
            "Looks for a hyperlink whose target is the original article: compared by registered domain and normalised path, tolerating scheme, www, trailing slash, tracking parameters, AMP variants and the source's canonical URL. Link text does not matter. Plain text cannot carry a hyperlink, so a plain-text copy cannot be verified; nor can a copy whose only candidate is a shortened link (t.co, bit.ly …), which a check does not follow.",
            "Cross-post grants and most republishing guidelines require a link back to the original.",
        ),
        Check(
            "LINK002",
            "check.link-license",
            "link_license",
            "error",
            "The copy links to the licence deed.",
            "Looks for a hyperlink to the Creative Commons deed of the source's licence (any version or port of the same licence is accepted; a different licence is not).",
            "Creative Commons licences ask the copy to link to the licence.",
        ),
        Check(
            "LINK003",
            "check.link-home-only",
            "link_original",
            "warning",
            "The copy links only to the publisher's home page, not to the article.",
            "Reported when the only link to the source's site goes to its home page.",
            "A home-page link credits the site but does not take readers to the article the terms ask for.",
        ),
        Check(
            "LICN001",
            "check.licence-named",
            "keep_notices",
            "error",
            "The copy names the licence.",
            'Looks for the source\'s licence in the copy: named in words ("CC BY-ND 4.0") or by its deed link. "Republished under a Creative Commons license" without saying which is not enough.',
            "A reader of the copy must be able to tell which licence applies.",
        ),
        Check(
            "MOD001",
            "check.no-modification",
            "no_modification",
            "error",
            "The copy does not edit the source's text.",
            "Aligns the copy's body against the source's body word by word. Edits inside the copied text are listed with both versions; text added before or after it (a \"Republished from\" header, a footer) is not an edit; an excerpt is told from a full copy.",
            "NoDerivatives licences and many republishing guidelines forbid changing the text.",
        ),
        Check(
            "MOD002",
            "check.indicate-changes",
            "indicate_changes",
            "warning",
            "The copy says that it was changed.",
            'When the copy edits the source, looks for a statement that it did ("edited", "adapted", "changes were made").',
            "CC 4.0 licences ask the copy to indicate changes.",
        ),
        Check(
            "SA001",
            "check.share-alike",
            "share_alike",
            "error",
            "The copy is under the same (or a compatible) licence.",
            "Reads the copy's own licence statement and compares it with the source's ShareAlike licence.",
            "ShareAlike asks adaptations to be shared under the same terms.",
        ),
        Check(
            "PIX001",
            "check.tracking-pixel",
            "keep_tracking_pixel",
            "warning",
            "The copy keeps the publisher's tracking pixel.",
            "Looks for an image or script in the copy served from the publisher's domain or its named tracker.",
            "Nonprofit newsrooms count readers of copies through the pixel, and content management systems often strip it.",
        ),
        Check(
            "EXC001",
            "check.excerpt-limit",
            "excerpt",
            "error",
            "The copy stays within the excerpt the grant allows.",
            "Counts the source's words (or paragraphs) the copy carries and compares with the limit the grant states.",
            "An excerpt-only grant does not cover a longer copy.",
        ),
        Check(
            "VEN001",
            "check.venue",
            "venue",
            "error",
            "The copy's venue is one the grant covers.",
            "Compares the copy's venue (--venue or config) with the grant's (community/non-commercial or any); a use outside it names whom the source says to ask.",
            "Grants limited to community or non-commercial sites do not cover commercial sites or print.",
        ),
        Check(
            "GRNT001",
            "check.no-grant",
            "permission",
            "error",
            "The source grants nothing that covers this copy.",
            "Reported when the source reserves its rights (or states nothing) and grants no republication.",
            "Without a grant a copy needs the holder's permission, or must stand on fair use, which only a person can weigh.",
            reference=FAIR_USE,
        ),
        Check(
            "GRNT002",
            "check.prohibited",
            "prohibition",
            "error",
            "The source forbids this use.",
            "Reported when the source's terms forbid republication (news-agency notices) or the copy's use (commercial use, AI training).",
            "A prohibition is the plainest of terms: any such copy needs a licence from the holder.",
        ),
        Check(
            "CONF001",
            "check.source-conflict",
            "conflict",
            "warning",
            "The source's statements disagree.",
            "Reported when the source carries conflicting terms (two licences, or a licence its visible text contradicts).",
            "The copy was judged against the licence the tool chose; a person should confirm which statement holds.",
            reference="https://creativecommons.org/faq/",
        ),
        Check(
            "READ001",
            "check.unreadable",
            "unreadable",
            "error",
            "The copy could not be read.",
            "Reported when a copy is missing, binary, empty or over the size limit.",
            "Nothing can be judged about a copy that cannot be read.",
            reference="https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html",
        ),
    )
}


def check(check_id: str) -> Check:
    return CHECKS[check_id]


def check_doc(c: Check) -> str:
    parts = [
        f"# {c.id} {c.name}",
        "",
        c.message,
        "",
        f"Duty: `{c.duty}` · severity when unmet: {c.severity}",
        "",
        "## What it does",
        "",
        c.what,
        "",
        "## Why",
        "",
        c.why,
    ]
    if c.instead:
        parts += ["", "## Not this", "", c.instead]
    parts += ["", "## References", "", f"- <{c.reference}>"]
    return "\n".join(parts) + "\n"
