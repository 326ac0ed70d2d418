"""The report as text a person reads in a terminal (``compliance check --format text``).

One line per finding, in the ``path:line:col:`` form editors jump to::

    copy.html:12:1: LINK001 error does not link to the original article
        > Republished from Global Research
        fix:
          <a href="https://…">Original article</a>

The status word follows the severity when it is not ``unmet`` (``met``, ``cannot_verify``,
``not_applicable``), and a suppressed finding ends in ``[suppressed: reason]``. After each
copy comes the attribution block to paste, when it has one; then the summary line and the
disclaimer.
"""

from __future__ import annotations

from ..findings import CopyResult, Finding, Report
from . import copy_findings, sorted_results, summary_line, where, fair_use_lines

_INDENT = "    "


def _block(text: str, indent: str, prefix: str = "") -> list[str]:
    return [f"{indent}{prefix}{line}".rstrip() for line in text.splitlines() or [""]]


def _finding_lines(f: Finding) -> list[str]:
    head = f"{where(f)}: {f.rule} {f.severity}"
    if f.status != "unmet":
        head += f" {f.status}"
    head += f" {f.message}"
    if f.suppressed:
        head += f" [suppressed: {f.suppressed}]"
    lines = [head]
    if f.evidence:
        lines += _block(f.evidence, _INDENT, "> ")
    if f.status == "unmet" and f.fix:
        lines.append(f"{_INDENT}fix:")
        lines += _block(f.fix, _INDENT * 2)
    return lines


def _copy_header(r: CopyResult) -> str:
    bits = []
    if r.source:
        bits.append(f"source {r.source}")
    if r.url:
        bits.append(f"url {r.url}")
    if r.venue:
        bits.append(f"venue {r.venue}")
    if r.similarity is not None:
        bits.append(f"similarity {r.similarity:.2f}")
    if r.coverage is not None:
        bits.append(f"coverage {r.coverage:.2f}")
    status = "unreadable" if r.status == "error" else r.status
    return f"{r.path}: {status}" + (f" ({', '.join(bits)})" if bits else "")


def render(report: Report, *, show_met: bool = True, **_options) -> str:
    """The text report. ``show_met=False`` leaves out met and not-applicable findings (they still count)."""
    out: list[str] = []
    for r in sorted_results(report):
        out.append(_copy_header(r))
        for f in copy_findings(r):
            if not show_met and f.status in ("met", "not_applicable"):
                continue
            out += _finding_lines(f)
        if r.fix:
            out.append("attribution to add:")
            out += _block(r.fix, _INDENT)
        out += [f"{_INDENT}{line}" for line in fair_use_lines(r.fair_use)]
        out.append("")
    out.append(summary_line(report))
    out.append("")
    out.append(report.disclaimer)
    return "\n".join(out) + "\n"
