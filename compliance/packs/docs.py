"""Rule documentation with fixed sections, for `compliance explain` and docs/rules/."""

from __future__ import annotations

from pathlib import Path

from .loader import Rule, RuleSet


def rule_doc(rule: Rule) -> str:
    """One rule's page: What it does / Why / Example / Instead / Examples / References."""
    ex = rule.explanation
    parts = [f"# {rule.id} {rule.name}", "", f"{rule.message}", "",
             f"Pack: `{rule.pack}` · kind: `{rule.kind}` · status: {rule.status}"
             + (f" · aliases: {', '.join(rule.aliases)}" if rule.aliases else ""), "",
             "## What it does", "", ex.get("what", ""), "", "## Why", "", ex.get("why", "")]
    if ex.get("example"):
        parts += ["", "## Example", "", ex["example"]]
    if ex.get("instead"):
        parts += ["", "## Not this", "", ex["instead"]]
    if rule.emits:
        parts += ["", "## Adds to the terms", ""]
        parts += [f"- `{k}`: {', '.join(v) if isinstance(v, list) else v}" for k, v in rule.emits.items()]
    parts += ["", "## Examples", ""]
    for e in rule.examples:
        verdict = "matches" if e["match"] else "does not match"
        miss = f" (known miss: {e['known_miss']})" if e.get("known_miss") else ""
        parts.append(f"- {verdict}{miss}: `{' '.join(e['text'].split())[:200]}`")
    if rule.references:
        parts += ["", "## References", ""] + [f"- <{r}>" for r in rule.references]
    return "\n".join(parts) + "\n"


def write_docs(ruleset: RuleSet, folder: Path) -> list[Path]:
    """Write docs/rules/<ID>.md and an index; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for rule in ruleset.rules:
        path = folder / f"{rule.id}.md"
        path.write_text(rule_doc(rule), encoding="utf-8")
        written.append(path)
    index = ["# Rules", "", "| ID | name | pack | kind | summary |", "|---|---|---|---|---|"]
    index += [f"| [{r.id}]({r.id}.md) | {r.name} | {r.pack} | {r.kind} | {r.message} |" for r in ruleset.rules]
    (folder / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return written + [folder / "README.md"]


_TEMPLATE_PACK = '''id = "{name}"
version = "0.1.0"
title = "{name}"
description = "A user pack."
min_engine = "0.1"
# disable = ["COPY002"]       # turn off bundled rules by id
# overrides = ["XPOST001"]    # replace bundled rules that have the same id
'''

_TEMPLATE_RULE = """[[rule]]
id = "{prefix}001"
name = "{name}.example"
kind = "existence"
message = "Describe what this rule finds in one line."
keywords = ["reprint"]
patterns = ['''\\breprints?\\s+are\\s+welcome\\b''']
emits = {{ license = "custom", permissions = ["republish"] }}
explanation.what = "What the rule finds."
explanation.why = "Why it matters to a copy."

[[rule.examples]]
text = "Reprints are welcome with credit."
match = true

[[rule.examples]]
text = "Reprints are not welcome."
match = false
"""


def scaffold(name: str, where: Path) -> Path:
    import regex

    if not regex.fullmatch(r"[a-z][a-z0-9-]*", name):
        from ..cli import UsageError

        raise UsageError(f"compliance packs new: {name!r}: use lower-case letters, digits and hyphens")
    folder = where / name
    if folder.exists():
        from ..cli import UsageError

        raise UsageError(f"compliance packs new: {folder} already exists")
    (folder / "rules").mkdir(parents=True)
    (folder / "pack.toml").write_text(_TEMPLATE_PACK.format(name=name), encoding="utf-8")
    prefix = "".join(c for c in name.upper() if c.isalpha())[:4].ljust(2, "X")
    (folder / "rules" / "rules.toml").write_text(_TEMPLATE_RULE.format(name=name, prefix=prefix), encoding="utf-8")
    return folder
