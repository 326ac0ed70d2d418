"""Renderers: a :class:`~compliance.findings.Report` in the formats people and CI tools read.

Every renderer is a pure function ``render(report, **options) -> str``: the same report gives
the same text, byte for byte (results sorted by path and source, findings by place and rule,
no timestamps unless one is passed in). :func:`render` dispatches on the format name.

The helpers here are shared by the renderers: which findings a copy shows (an unreadable copy
always shows a READ001 finding), what a rule id means (a check or a pack rule), the levels
the CI formats use, and the summary line.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..findings import CopyResult, Finding, Report

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html")
_MODULES = {"text": "text", "json": "json_report", "sarif": "sarif", "junit": "junit", "github": "github",
            "markdown": "markdown", "html": "html"}

# An unmet finding's CI level, by severity; cannot_verify is capped at "warning".
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(report: Report, fmt: str, **options) -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in _MODULES:
        raise ValueError(f"unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}")
    module = importlib.import_module(f".{_MODULES[fmt]}", __name__)
    return module.render(report, **options)


def sorted_results(report: Report) -> list[CopyResult]:
    """The copies in the order ``Report.to_dict()`` gives them, each with its findings sorted."""
    return [r.sorted() for r in sorted(report.results, key=lambda r: (r.path, r.source or ""))]


def copy_findings(result: CopyResult) -> list[Finding]:
    """The copy's findings, sorted; an unreadable copy without a finding that says so gets one."""
    findings = list(result.sorted().findings)
    if result.error and not any(f.duty == "unreadable" for f in findings):
        findings.insert(0, unreadable_finding(result))
    return findings


def unreadable_finding(result: CopyResult) -> Finding:
    return Finding(result.path, 1, 1, "READ001", "unreadable", "unmet", "error", result.error or "could not be read",
                   source=result.source)


def level(finding: Finding) -> str:
    """SARIF level of a failing finding: unmet → by severity, cannot_verify → "warning" at most."""
    lvl = _LEVEL.get(finding.severity, "warning")
    if finding.status == "cannot_verify" and lvl == "error":
        return "warning"
    return lvl


def suppression_kind(finding: Finding) -> str:
    """"external" for the baseline (reasons start ``baseline:``), "inSource" for inline comments."""
    reason = (finding.suppressed or "").strip().casefold()
    return "external" if reason.startswith("baseline") else "inSource"


@dataclass(frozen=True)
class RuleInfo:
    id: str
    name: str
    short: str  # one sentence: what the rule expects
    full: str  # what it does
    help_uri: str | None
    severity: str  # when unmet
    duty: str | None = None
    why: str = ""


def rule_info(rule_id: str, *, ruleset=None, example: Finding | None = None) -> RuleInfo:
    """What ``rule_id`` means: a check from ``CHECKS``, else a pack rule, else what its finding says."""
    from ..checks import CHECKS

    c = CHECKS.get(rule_id)
    if c is not None:
        return RuleInfo(c.id, c.name, c.message, c.what or c.message, c.help_uri, c.severity, c.duty, c.why)
    from ..packs.loader import PackError, default_ruleset

    try:
        rule = (ruleset if ruleset is not None else default_ruleset()).get(rule_id)
    except (PackError, OSError):  # a broken pack folder must not stop a report from being written
        rule = None
    if rule is not None:
        expl = getattr(rule, "explanation", None) or {}
        refs = tuple(getattr(rule, "references", ()) or ())
        return RuleInfo(rule_id, rule.name, rule.message, expl.get("what") or rule.message, refs[0] if refs else None,
                        getattr(rule, "severity", "info") or "info", None, expl.get("why", ""))
    msg = example.message if example is not None else rule_id
    return RuleInfo(rule_id, rule_id, msg, msg, None, example.severity if example is not None else "warning",
                    example.duty if example is not None else None)


def summary_line(report: Report) -> str:
    """``N copies: X compliant, Y noncompliant, Z unverified, W unreadable; N unmet, N cannot verify, N met``."""
    c = report.counts()
    copies = "copy" if c["copies"] == 1 else "copies"
    line = (f"{c['copies']} {copies}: {c['compliant']} compliant, {c['noncompliant']} noncompliant, "
            f"{c['unverified']} unverified, {c['error']} unreadable; "
            f"{c['unmet']} unmet, {c['cannot_verify']} cannot verify, {c['met']} met")
    if c["not_applicable"]:
        line += f", {c['not_applicable']} not applicable"
    if c["suppressed"]:
        line += f", {c['suppressed']} suppressed"
    return line


def where(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.col}"


__all__ = ["FORMATS", "RuleInfo", "copy_findings", "level", "render", "rule_info", "sorted_results", "summary_line",
           "suppression_kind", "where"]


FACTOR_NAMES = {
    "purpose_and_character": "Purpose and character",
    "nature_of_the_work": "Nature of the work",
    "amount_and_substantiality": "Amount and substantiality",
    "market_effect": "Effect on the market",
}


def fair_use_lines(fu: dict | None) -> list[str]:
    """The fair-use section as plain lines (shared by the text, Markdown, HTML and JUnit renderers)."""
    if not fu:
        return []
    out = [f"Fair use (17 U.S.C. § 107) — measured facts, not a verdict. Why: {fu.get('why', '')}."]
    for factor in FACTOR_NAMES:
        items = [x for x in fu.get("facts", []) if x.get("factor") == factor]
        if not items:
            continue
        out.append(f"{FACTOR_NAMES[factor]}:")
        for x in items:
            where = f" ({x['line']}:{x['col']})" if x.get("line") else ""
            out.append(f"  - {x['fact']}{where}" + (f": “{x['evidence']}”" if x.get("evidence") else ""))
    out.append(f"Reading: {fu.get('reading', '')}.")
    out.append(fu.get("disclaimer", ""))
    return out
