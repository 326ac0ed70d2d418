"""The report as JUnit XML (``compliance check --format junit``), for CI test-result views.

``<testsuites>`` holds one ``<testsuite>`` per copy (name = the copy's path) and each suite one
``<testcase>`` per finding: ``classname`` is the copy's path, ``name`` is ``RULE duty``.

- unmet → ``<failure message=… type=SEVERITY>`` whose body has the message, the evidence and
  the fix;
- cannot_verify → ``<skipped message=…>``;
- suppressed (unmet or cannot_verify) → ``<skipped message="suppressed: REASON">``;
- not_applicable → ``<skipped message="not applicable: …">``;
- met → a passing test case;
- a copy that could not be read → ``<error>`` on its READ001 test case.

The ``tests``, ``failures``, ``errors`` and ``skipped`` attributes of every suite and of the
whole count those elements. No ``time`` or ``timestamp`` is written unless ``timestamp`` is
passed in, so the output is the same for the same report.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..findings import CopyResult, Finding, Report
from . import copy_findings, sorted_results, summary_line, fair_use_lines


def _body(f: Finding) -> str:
    parts = [f"{f.path}:{f.line}:{f.col}: {f.message}"]
    if f.evidence:
        parts.append("evidence:\n" + "\n".join(f"> {line}" for line in f.evidence.splitlines()))
    if f.fix:
        parts.append("fix:\n" + f.fix)
    if f.source:
        parts.append(f"source: {f.source}")
    return "\n\n".join(parts)


def _case(suite: ET.Element, r: CopyResult, f: Finding, counts: dict) -> None:
    case = ET.SubElement(suite, "testcase", {"classname": r.path, "name": f"{f.rule} {f.duty}",
                                             "file": f.path, "line": str(f.line)})
    counts["tests"] += 1
    if f.duty == "unreadable" and r.error and f.status == "unmet" and not f.suppressed:
        el = ET.SubElement(case, "error", {"message": f.message, "type": "unreadable"})
        el.text = _body(f)
        counts["errors"] += 1
    elif f.suppressed and f.status in ("unmet", "cannot_verify"):
        el = ET.SubElement(case, "skipped", {"message": f"suppressed: {f.suppressed}"})
        el.text = _body(f)
        counts["skipped"] += 1
    elif f.status == "unmet":
        el = ET.SubElement(case, "failure", {"message": f.message, "type": f.severity})
        el.text = _body(f)
        counts["failures"] += 1
    elif f.status == "cannot_verify":
        el = ET.SubElement(case, "skipped", {"message": f"cannot verify: {f.message}"})
        el.text = _body(f)
        counts["skipped"] += 1
    elif f.status == "not_applicable":
        ET.SubElement(case, "skipped", {"message": f"not applicable: {f.message}"})
        counts["skipped"] += 1
    else:  # met
        out = ET.SubElement(case, "system-out")
        out.text = f"{f.path}:{f.line}:{f.col}: met: {f.message}" + (f"\n> {f.evidence}" if f.evidence else "")


def _set_counts(el: ET.Element, counts: dict) -> None:
    for k in ("tests", "failures", "errors", "skipped"):
        el.set(k, str(counts[k]))


def render(report: Report, *, timestamp: str | None = None, suite_name: str = "compliance", **_options) -> str:
    """The JUnit XML document. ``timestamp`` (ISO 8601), when given, is set on every suite."""
    root = ET.Element("testsuites", {"name": suite_name})
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in sorted_results(report):
        suite = ET.Element("testsuite", {"name": r.path})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        props = ET.SubElement(suite, "properties")
        for key, value in (("status", r.status), ("source", r.source), ("url", r.url), ("venue", r.venue),
                           ("similarity", r.similarity), ("coverage", r.coverage)):
            if value is not None:
                ET.SubElement(props, "property", {"name": key, "value": str(value)})
        for f in copy_findings(r):
            _case(suite, r, f, counts)
        if r.fix or r.fair_use:
            out = ET.SubElement(suite, "system-out")
            out.text = "\n".join(([f"attribution to add:\n{r.fix}"] if r.fix else []) + fair_use_lines(r.fair_use))
        _set_counts(suite, counts)
        if timestamp:
            suite.set("timestamp", timestamp)
        for k in total:
            total[k] += counts[k]
        root.append(suite)
    _set_counts(root, total)
    for el in root.iter():
        el.text = _xml_chars(el.text) if el.text else el.text
        for k, v in el.attrib.items():
            el.set(k, _xml_chars(v))
    ET.indent(root, space="  ")
    xml = ET.tostring(root, encoding="unicode")
    comment = f"<!-- {_comment(summary_line(report))}\n     {_comment(report.disclaimer)} -->"
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{comment}\n{xml}\n'


# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_chars(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _comment(text: str) -> str:
    """Text that may stand in an XML comment (no "--", no trailing "-")."""
    while "--" in text:
        text = text.replace("--", "- -")
    return _xml_chars(text).rstrip("-")
