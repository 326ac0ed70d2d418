"""Suppressions: inline comments in the copy and a baseline file. Suppressed findings stay in
the report, marked with the reason; they no longer count towards the exit status."""

from __future__ import annotations

import json
from dataclasses import replace

import regex

from .document import Document, InputError
from .findings import CopyResult, Finding

# <!-- compliance: ignore LINK001,CRED003 reason words -->, or the same words in a Markdown/text line.
_INLINE = regex.compile(
    r"compliance:\s*ignore\s+(?P<ids>[A-Z]{2,6}\d{3}(?:\s*,\s*[A-Z]{2,6}\d{3})*)(?P<reason>[^\n>]*?)\s*(?:-->|$)",
    regex.M,
)


def inline_suppressions(doc: Document) -> dict[str, str]:
    """Rule id → reason, from ``compliance: ignore ID[,ID] reason`` comments anywhere in the copy."""
    out: dict[str, str] = {}
    for m in _INLINE.finditer(doc.source or doc.text):
        reason = m.group("reason").strip(" -:") or "suppressed in the copy"
        for rid in regex.split(r"\s*,\s*", m.group("ids")):
            out[rid] = f"inline: {reason}"
    return out


def load_baseline(path: str) -> dict[str, str]:
    """Fingerprint → reason, from a baseline file written by ``--write-baseline``."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise InputError(f"{path}: baseline not found") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a baseline file: {exc}") from None
    items = data.get("findings", []) if isinstance(data, dict) else data
    out = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and "fingerprint" in item:
            out[item["fingerprint"]] = f"baseline: {item.get('reason') or 'known finding'}"
        elif isinstance(item, str):
            out[item] = "baseline: known finding"
    return out


def baseline_document(findings: list[Finding]) -> str:
    items = [
        {"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "message": f.message, "reason": "known finding"}
        for f in findings
        if f.fails
    ]
    return json.dumps({"version": 1, "findings": items}, indent=2, ensure_ascii=False) + "\n"


def _matches(rule_id: str, patterns) -> bool:
    return any(rule_id == p or (p and rule_id.startswith(p) and not p[-1].isdigit()) for p in patterns)


def apply(
    result: CopyResult,
    *,
    inline: dict[str, str] | None = None,
    baseline: dict[str, str] | None = None,
    select=(),
    ignore=(),
    severity: dict | None = None,
) -> CopyResult:
    """Filter by select/ignore (ids or prefixes), apply severity overrides, mark suppressions."""
    out = []
    for f in result.findings:
        if select and not _matches(f.rule, select):
            continue
        if ignore and _matches(f.rule, ignore):
            continue
        if severity and f.rule in severity and f.status in ("unmet", "cannot_verify"):
            f = replace(f, severity=severity[f.rule])
        reason = (inline or {}).get(f.rule) or (baseline or {}).get(f.fingerprint)
        if reason and f.status in ("unmet", "cannot_verify"):
            f = replace(f, suppressed=reason)
        out.append(f)
    return replace(result, findings=tuple(out))
