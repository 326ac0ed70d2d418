"""The report as GitHub Actions workflow commands (``compliance check --format github``).

One line per failing finding (unmet or cannot_verify, not suppressed), which the runner turns
into an annotation on the file::

    ::error file=copy.html,line=12,col=1,title=LINK001 link_original::does not link to the original

The command is ``error``, ``warning`` or ``notice`` by severity; a cannot_verify finding is a
``warning`` at most. In the message, ``%``, CR and LF are written ``%25``, ``%0D``, ``%0A``
(a multi-line message stays one command); in the properties ``:`` and ``,`` also become
``%3A`` and ``%2C``. The message carries the evidence and, for an unmet finding, the fix.
A ``::notice::`` line with the summary comes last.
"""

from __future__ import annotations

from ..findings import Finding, Report
from . import copy_findings, level, sorted_results, summary_line

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(f: Finding, details: bool) -> str:
    msg = f.message
    if details and f.evidence:
        msg += "\n> " + "\n> ".join(f.evidence.splitlines())
    if details and f.status == "unmet" and f.fix:
        msg += "\nfix:\n" + f.fix
    return msg


def command(f: Finding, *, details: bool = True) -> str:
    props = [("file", f.path), ("line", str(f.line)), ("col", str(f.col)), ("title", f"{f.rule} {f.duty}")]
    prop_text = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{_COMMAND[level(f)]} {prop_text}::{escape_data(_message(f, details))}"


def render(report: Report, *, details: bool = True, **_options) -> str:
    """The workflow commands. ``details=False`` leaves evidence and fix out of the messages."""
    lines = [command(f, details=details) for r in sorted_results(report) for f in copy_findings(r) if f.fails]
    lines.append(f"::notice::{escape_data(summary_line(report))}")
    return "\n".join(lines) + "\n"
