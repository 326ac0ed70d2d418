"""The report as one Markdown page a person reads (``compliance check --format markdown``).

Title, the disclaimer, a summary table, then a section per copy: its status and facts, a table
of its findings (status, rule, duty, where, message), and for each finding with evidence or a
fix a short entry: the evidence quoted, the fix in a fenced block. Text from the copies is
escaped (CommonMark backslash escapes), so a copy's ``<script>`` or ``|`` shows as written;
fixes sit in fences longer than any run of backticks they hold. ``title`` sets the heading;
``show_met=False`` leaves met and not-applicable findings out of the tables.
"""

from __future__ import annotations

import re

from ..findings import CopyResult, Finding, Report
from . import copy_findings, rule_info, sorted_results, summary_line, fair_use_lines

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~&])")
_STATUS = {"met": "met", "unmet": "**unmet**", "cannot_verify": "cannot verify", "not_applicable": "not applicable"}
_COPY_STATUS = {"compliant": "compliant", "noncompliant": "**noncompliant**", "unverified": "unverified",
                "error": "**unreadable**"}


def esc(text: str) -> str:
    """Inline text, escaped: shows as written, never as markup."""
    return _SPECIAL.sub(r"\\\1", text)


def cell(text: str) -> str:
    """Escaped text for a table cell: one line, ``|`` escaped."""
    return "<br>".join(esc(line) for line in text.splitlines()) if text else ""


def code(text: str) -> str:
    """A code span around ``text`` (an identifier such as a duty word)."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    bar = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{bar}{pad}{text}{pad}{bar}" if text else ""


def fence(text: str, info: str = "text") -> list[str]:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return [f"{bar}{info}", *text.splitlines(), bar]


def _status(f: Finding) -> str:
    s = _STATUS.get(f.status, f.status)
    return f"{s} (suppressed)" if f.suppressed else s


def _copy_section(r: CopyResult, show_met: bool, ruleset) -> list[str]:
    out = [f"## {esc(r.path)}", "", f"Status: {_COPY_STATUS.get(r.status, r.status)}", ""]
    facts = [("Source", r.source), ("URL", r.url), ("Venue", r.venue),
             ("Similarity", None if r.similarity is None else f"{r.similarity:.2f}"),
             ("Coverage", None if r.coverage is None else f"{r.coverage:.2f}"), ("Error", r.error)]
    facts = [(k, v) for k, v in facts if v is not None]
    if facts:
        out += [f"- {k}: {esc(str(v))}" for k, v in facts] + [""]
    findings = [f for f in copy_findings(r) if show_met or f.status not in ("met", "not_applicable")]
    if findings:
        out += ["| Status | Rule | Duty | Where | Message |", "| --- | --- | --- | --- | --- |"]
        for f in findings:
            info = rule_info(f.rule, ruleset=ruleset, example=f)
            rule = f"[{f.rule}](<{info.help_uri}>)" if info.help_uri else f.rule
            out.append(f"| {_status(f)} | {rule} | {code(f.duty)} | {cell(f.path)}:{f.line}:{f.col} | {cell(f.message)} |")
        out.append("")
    else:
        out += ["No findings to show.", ""]
    for f in findings:
        fix = f.fix if f.status == "unmet" else None
        if not (f.evidence or fix or f.suppressed):
            continue
        out += [f"### {f.rule} {code(f.duty)} at line {f.line}, column {f.col}", ""]
        if f.suppressed:
            out += [f"Suppressed: {esc(f.suppressed)}", ""]
        if f.evidence:
            out += [f"> {esc(line)}" if line.strip() else ">" for line in f.evidence.splitlines()] + [""]
        if fix:
            out += ["Fix:", "", *fence(fix), ""]
    if r.fix:
        out += ["### Attribution to add", "", *fence(r.fix), ""]
    if r.fair_use:
        lines = fair_use_lines(r.fair_use)
        out += ["### Fair use: measured facts", "", *[_md_line(x) for x in lines[1:]], ""]
    return out


def render(report: Report, *, title: str = "Compliance report", show_met: bool = True, ruleset=None,
           **_options) -> str:
    c = report.counts()
    out = [f"# {esc(title)}", "", f"> {report.disclaimer}", "", f"Tool: compliance {esc(report.tool_version)}"]
    if report.packs:
        out[-1] += " · packs: " + ", ".join(f"{esc(k)} {esc(str(v))}" for k, v in sorted(report.packs.items()))
    out += ["", "## Summary", "", summary_line(report), "",
            "| Copies | Compliant | Noncompliant | Unverified | Unreadable |", "| ---: | ---: | ---: | ---: | ---: |",
            f"| {c['copies']} | {c['compliant']} | {c['noncompliant']} | {c['unverified']} | {c['error']} |", "",
            "| Unmet | Cannot verify | Met | Not applicable | Suppressed |", "| ---: | ---: | ---: | ---: | ---: |",
            f"| {c['unmet']} | {c['cannot_verify']} | {c['met']} | {c['not_applicable']} | {c['suppressed']} |", ""]
    results = sorted_results(report)
    if results:
        out += ["| Copy | Status | Source |", "| --- | --- | --- |"]
        out += [f"| {cell(r.path)} | {_COPY_STATUS.get(r.status, r.status)} | {cell(r.source or '')} |" for r in results]
        out.append("")
    for r in results:
        out += _copy_section(r, show_met, ruleset)
    out += ["---", "", report.disclaimer]
    return "\n".join(out) + "\n"


def _md_line(line: str) -> str:
    """A fair-use line as Markdown: factor headings bold, facts as list items, HTML escaped."""
    text = line.replace("<", "&lt;").replace(">", "&gt;")
    if text.startswith("  - "):
        return text[2:]
    if text.endswith(":") and not text.startswith("Reading"):
        return f"\n**{text}**\n"
    return f"\n{text}"
