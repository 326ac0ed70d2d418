"""The report as SARIF 2.1.0 (``compliance check --format sarif``), for code-scanning tools.

One run; ``tool.driver.rules`` describes every rule a result uses (checks from ``CHECKS``,
pack rules from the rule packs), sorted by id, and each result points at its rule by
``ruleId`` and ``ruleIndex``.

Only findings that count against a copy become results: status ``unmet`` (level by
severity: error → "error", warning → "warning", info → "note") and ``cannot_verify``
(the same, but "warning" at most, since nothing was shown to be wrong). Findings that are
``met`` or ``not_applicable`` are left out: SARIF reports problems, and the other formats
(json, text, junit) list them. Suppressed findings *are* included, each with a
``suppressions`` entry (``inSource`` for an inline comment, ``external`` for the baseline)
whose justification is the reason, so viewers show them as suppressed rather than lose them.
An unreadable copy without a READ001 finding gets one.

Locations: ``artifactLocation.uri`` is the copy's path as a URI reference: a relative path
stays relative (forward slashes, percent-encoded), an absolute path becomes a ``file://`` URI,
a URL stays as it is. Columns count Unicode code points (``run.columnKind``).
``partialFingerprints["complianceFingerprint/v1"]`` is the finding's fingerprint, stable
across runs and line moves; ``properties`` carries duty, status, source, fix and details.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from ..findings import Finding, Report
from . import copy_findings, level, rule_info, sorted_results, suppression_kind

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "complianceFingerprint/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_WIN_ABS = re.compile(r"^[A-Za-z]:[\\/]")
_SAFE = "/-._~!$&'()*+,;=@"  # RFC 3986 pchar minus ":" (a colon in a first segment would read as a scheme)


def artifact_uri(path: str) -> str:
    """``path`` as a URI reference: relative stays relative (forward slashes), absolute → file URI."""
    if _URL.match(path):
        return path
    if _WIN_ABS.match(path):
        return PureWindowsPath(path).as_uri()
    if path.startswith("/"):
        return PurePosixPath(path).as_uri()
    rel = path.replace("\\", "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return quote(rel, safe=_SAFE)


def _reported(f: Finding) -> bool:
    return f.status in ("unmet", "cannot_verify")


def _rule(rule_id: str, example: Finding, ruleset) -> dict:
    info = rule_info(rule_id, ruleset=ruleset, example=example)
    d = {
        "id": rule_id,
        "name": info.name,
        "shortDescription": {"text": info.short},
        "fullDescription": {"text": info.full},
    }
    if info.help_uri:
        d["helpUri"] = info.help_uri
    if info.why:
        d["help"] = {"text": info.why}
    d["defaultConfiguration"] = {"level": _LEVEL.get(info.severity, "warning")}
    if info.duty:
        d["properties"] = {"duty": info.duty}
    return d


def _result(f: Finding, index: int) -> dict:
    region = {"startLine": max(1, f.line), "startColumn": max(1, f.col)}
    if f.evidence:
        region["snippet"] = {"text": f.evidence}
    res = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": level(f),
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(f.path)}, "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    }
    if f.suppressed:
        res["suppressions"] = [{"kind": suppression_kind(f), "justification": f.suppressed}]
    props = {"duty": f.duty, "status": f.status, "source": f.source, "fix": f.fix}
    if f.details:
        props["details"] = f.details
    res["properties"] = props
    return res


def render(report: Report, *, information_uri: str | None = None, ruleset=None, **_options) -> str:
    """The SARIF log. ``information_uri`` sets ``tool.driver.informationUri``; ``ruleset`` the packs to describe rules from."""
    findings = [f for r in sorted_results(report) for f in copy_findings(r) if _reported(f)]
    examples: dict[str, Finding] = {}
    for f in findings:
        examples.setdefault(f.rule, f)
    rule_ids = sorted(examples)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    driver = {"name": "compliance", "version": report.tool_version, "semanticVersion": report.tool_version}
    if information_uri:
        driver["informationUri"] = information_uri
    driver["rules"] = [_rule(rid, examples[rid], ruleset) for rid in rule_ids]
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule]) for f in findings],
        "properties": {"disclaimer": report.disclaimer, "packs": dict(sorted(report.packs.items())),
                       "summary": report.counts(),
                       "fair_use": {r.path: r.fair_use for r in sorted_results(report) if r.fair_use}},
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False)
