"""Checks on rule patterns that compile but could take exponential time on hostile text."""

from __future__ import annotations

import regex

from .loader import RuleSet

# The classic shape: a group holding one repeated atom, itself repeated: (a+)+, (\w*)*, (?:\s+)+.
_NESTED = regex.compile(r"\((?:\?:)?(?:\\.|\[[^\]]*\]|[^()\\])[+*]\)(?:[+*]|\{\d*,\d*\})")
#: Text that makes backtracking patterns blow up: long runs the pattern almost matches.
_PROBES = tuple(
    s * 2500 + tail
    for s in ("a", " ", "a ", "1", "Aa", "-", "A. ", "\n")
    for tail in ("!", "\x00")
)
PROBE_TIMEOUT = 0.25


def risky_patterns(ruleset: RuleSet, timeout: float = PROBE_TIMEOUT) -> list[str]:
    """Patterns shaped for catastrophic backtracking, or slow on adversarial probes; one line each."""
    out = []
    for rule in ruleset.rules:
        for i, pat in enumerate(rule.patterns + rule.exceptions):
            label = f"patterns[{i}]" if i < len(rule.patterns) else f"exceptions[{i - len(rule.patterns)}]"
            if _NESTED.search(pat.pattern):
                out.append(f"{rule.file}: {rule.id}: {label} repeats a group that itself repeats without bound "
                           "(catastrophic backtracking); bound the inner or the outer repeat")
                continue
            for probe in _PROBES:
                try:
                    for _ in pat.finditer(probe, timeout=timeout):
                        pass
                except TimeoutError:
                    out.append(f"{rule.file}: {rule.id}: {label} took over {timeout}s on a {len(probe)}-character "
                               "adversarial text (catastrophic backtracking)")
                    break
    return out
