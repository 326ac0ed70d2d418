"""Findings and reports: what validation produced, in the shape every renderer reads.

Renderers (``compliance/report/``) are pure functions of a :class:`Report`; nothing here prints.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace

from . import DISCLAIMER, __version__

REPORT_SCHEMA_VERSION = "1.0"
STATUSES = ("met", "unmet", "cannot_verify", "not_applicable")
SEVERITIES = ("error", "warning", "info")
_RANK = {"error": 3, "warning": 2, "info": 1}


def severity_rank(severity: str) -> int:
    return _RANK.get(severity, 0)


@dataclass(frozen=True)
class Finding:
    """One duty (or one fact about the copy) judged, with where in the copy it was seen."""

    path: str  # the copy
    line: int
    col: int
    rule: str  # check id, e.g. LINK001
    duty: str  # a duty word, or venue, prohibition, permission, conflict, unreadable, excerpt
    status: str  # met | unmet | cannot_verify | not_applicable
    severity: str  # error | warning | info
    message: str
    evidence: str | None = None  # quoted text from the copy
    fix: str | None = None  # what to paste or do
    source: str | None = None  # the source's path or URL
    details: dict = field(default_factory=dict)
    suppressed: str | None = None  # the reason, when an inline comment or the baseline suppresses it

    @property
    def fails(self) -> bool:
        """Counts against the copy: unmet or unverifiable, and not suppressed."""
        return self.status in ("unmet", "cannot_verify") and self.suppressed is None

    @property
    def fingerprint(self) -> str:
        """Stable across runs and line moves: rule + document + normalised evidence."""
        ev = " ".join((self.evidence or self.message).casefold().split())
        raw = f"{self.rule}|{self.path}|{self.duty}|{ev}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]

    def with_(self, **changes) -> Finding:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["fingerprint"] = self.fingerprint
        return d


def _sort_key(f: Finding):
    return (f.path, f.line, f.col, f.rule, f.duty, f.message)


@dataclass(frozen=True)
class CopyResult:
    """Everything judged about one copy against one source."""

    path: str
    source: str | None
    findings: tuple[Finding, ...]
    venue: str | None = None
    url: str | None = None
    similarity: float | None = None
    coverage: float | None = None
    fix: str | None = None  # the attribution block to paste, when anything is unmet
    fair_use: dict | None = None
    error: str | None = None  # the copy could not be read

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        active = [f for f in self.findings if f.suppressed is None]
        if any(f.status == "unmet" and f.severity == "error" for f in active):
            return "noncompliant"
        if any(f.status in ("unmet", "cannot_verify") for f in active):
            return "unverified"
        return "compliant"

    def sorted(self) -> CopyResult:
        return replace(self, findings=tuple(sorted(self.findings, key=_sort_key)))

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "url": self.url,
            "source": self.source,
            "venue": self.venue,
            "status": self.status,
            "similarity": self.similarity,
            "coverage": self.coverage,
            "error": self.error,
            "fix": self.fix,
            "fair_use": self.fair_use,
            "findings": [f.to_dict() for f in sorted(self.findings, key=_sort_key)],
        }


@dataclass(frozen=True)
class Report:
    results: tuple[CopyResult, ...]
    packs: dict = field(default_factory=dict)
    tool_version: str = __version__
    disclaimer: str = DISCLAIMER

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for r in self.results for f in r.findings), key=_sort_key)

    def counts(self) -> dict:
        c = {s: 0 for s in STATUSES}
        c["suppressed"] = 0
        for f in self.findings:
            if f.suppressed:
                c["suppressed"] += 1
            else:
                c[f.status] += 1
        statuses = [r.status for r in self.results]
        c["copies"] = len(self.results)
        for s in ("compliant", "noncompliant", "unverified", "error"):
            c[s] = statuses.count(s)
        return c

    def exit_code(self, fail_on: str = "error") -> int:
        """2 when a copy could not be read, 1 when a finding at or above ``fail_on`` fails, else 0."""
        if any(r.error for r in self.results):
            return 2
        threshold = severity_rank(fail_on)
        if any(f.fails and severity_rank(f.severity) >= threshold for f in self.findings):
            return 1
        return 0

    def to_dict(self) -> dict:
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "tool": {"name": "compliance", "version": self.tool_version},
            "packs": self.packs,
            "disclaimer": self.disclaimer,
            "summary": self.counts(),
            "results": [r.to_dict() for r in sorted(self.results, key=lambda r: (r.path, r.source or ""))],
        }
