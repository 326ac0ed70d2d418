"""Find, load and check rule packs. Every mistake in every pack is reported at once."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import regex
from jsonschema import Draft202012Validator

from .kinds import ALL_FIELDS, EMIT_KEYS, EMIT_LISTS, EMIT_SCALARS, KINDS, signal_kind_known

ENGINE_VERSION = "0.1"
_TEMPLATE = regex.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Named groups as a pattern's source spells them: ``(?P<name>`` and ``(?<name>``.
_GROUP_NAME = regex.compile(r"(?<!\\)(?:\\\\)*\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
FLAGS = regex.UNICODE | regex.MULTILINE


@dataclass(frozen=True, eq=False)
class Rule:
    id: str
    name: str
    kind: str
    message: str
    pack: str
    file: str
    pattern_sources: tuple[str, ...]
    emits: dict
    keywords: tuple[str, ...] = ()
    exception_sources: tuple[str, ...] = ()
    case_sensitive: bool = False
    scope: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    within: tuple[str, ...] = ()
    window: int = 400
    severity: str = "info"
    confidence: float = 0.9
    references: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    status: str = "stable"
    explanation: dict = field(default_factory=dict)
    examples: tuple[dict, ...] = ()

    @property
    def summary(self) -> str:
        return self.message

    # Compiled on first use: a run compiles only the rules whose keywords occur in what it
    # reads, which keeps a one-page command's start-up short. User packs are compiled (and
    # every pattern checked) when they are loaded.
    @cached_property
    def patterns(self) -> tuple[regex.Pattern, ...]:
        return tuple(_compile(p, self.case_sensitive) for p in self.pattern_sources)

    @cached_property
    def exceptions(self) -> tuple[regex.Pattern, ...]:
        return tuple(_compile(p, self.case_sensitive) for p in self.exception_sources)


@dataclass(frozen=True, eq=False)
class Pack:
    id: str
    version: str
    title: str
    path: str
    rules: tuple[Rule, ...]
    disable: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, eq=False)
class RuleSet:
    """The packs in force, after disables and overrides, rules in a stable order."""

    packs: tuple[Pack, ...]
    rules: tuple[Rule, ...]

    def get(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id or rule_id in r.aliases:
                return r
        return None

    @property
    def versions(self) -> dict[str, str]:
        return {p.id: p.version for p in self.packs}


class PackError(Exception):
    """One or more pack mistakes; ``problems`` lists each as ``file: rule-id: message``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def builtin_dir() -> Path:
    """The bundled ``policies/``: beside the package in a checkout, inside it when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "policies", here / "policies"):
        if candidate.is_dir():
            return candidate
    return here.parent / "policies"


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    text = resources.files("compliance").joinpath("schemas/pack.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def _schema_errors(instance: dict, ref: str) -> list[tuple[str, str]]:
    schema = _validator().schema
    sub = {"$defs": schema["$defs"], "$ref": f"#/$defs/{ref}"}
    v = Draft202012Validator(sub)
    out = []
    for err in sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        path = list(err.absolute_path)
        rule_id = "-"
        if len(path) >= 2 and path[0] == "rule" and isinstance(path[1], int):
            rules = instance.get("rule", [])
            if path[1] < len(rules) and isinstance(rules[path[1]], dict):
                rule_id = str(rules[path[1]].get("id", f"rule[{path[1]}]"))
            path = path[2:]
        where = ".".join(str(p) for p in path)
        out.append((rule_id, f"{where + ': ' if where else ''}{err.message}"))
    return out


def _compile(pattern: str, case_sensitive: bool) -> regex.Pattern:
    flags = FLAGS if case_sensitive else FLAGS | regex.IGNORECASE
    return regex.compile(pattern, flags)


def _check_rule(raw: dict, problems: list[str], fname: str, pack_id: str, compile_now: bool = True) -> Rule | None:
    rid = str(raw.get("id", "?"))

    def bad(msg: str) -> None:
        problems.append(f"{fname}: {rid}: {msg}")

    before = len(problems)
    unknown = sorted(set(raw) - ALL_FIELDS)
    if unknown:
        bad(f"unknown field(s) {', '.join(unknown)}; valid fields: {', '.join(sorted(ALL_FIELDS))}")
    kind = KINDS.get(str(raw.get("kind")))
    if kind is None:
        bad(f"unknown kind {raw.get('kind')!r}; valid kinds: {', '.join(KINDS)}")
    else:
        allowed = set(kind.required) | set(kind.optional)
        for f in kind.required:
            if f not in raw:
                bad(f"kind {kind.name} needs field {f!r}")
        for f in sorted(set(raw) & ALL_FIELDS - allowed):
            bad(f"field {f!r} does not apply to kind {kind.name}")
    case_sensitive = bool(raw.get("case_sensitive", False))
    sources = tuple(raw.get("patterns", []) or [])
    exception_sources = tuple(raw.get("exceptions", []) or [])
    compiled: list[regex.Pattern] = []
    exceptions: list[regex.Pattern] = []
    groups: set[str] = set()
    if compile_now:
        for i, pat in enumerate(sources):
            try:
                c = _compile(pat, case_sensitive)
            except regex.error as exc:
                bad(f"patterns[{i}] does not compile: {exc}")
                continue
            compiled.append(c)
            groups.update(c.groupindex)
        for i, pat in enumerate(exception_sources):
            try:
                exceptions.append(_compile(pat, case_sensitive))
            except regex.error as exc:
                bad(f"exceptions[{i}] does not compile: {exc}")
    else:
        groups = {g for p in sources if isinstance(p, str) for g in _GROUP_NAME.findall(p)}
    emits = raw.get("emits", {}) or {}
    for key, value in emits.items():
        if key not in EMIT_KEYS:
            bad(f"emits.{key} is not a terms field; valid: {', '.join(sorted(EMIT_KEYS))}")
            continue
        if key in EMIT_LISTS:
            if not isinstance(value, list) or any(v not in EMIT_LISTS[key] for v in value):
                bad(f"emits.{key} must be a list drawn from {', '.join(EMIT_LISTS[key])}")
            continue
        if not isinstance(value, str):
            bad(f"emits.{key} must be a string")
            continue
        allowed_values = EMIT_SCALARS[key]
        if allowed_values and value not in allowed_values:
            bad(f"emits.{key} must be one of {', '.join(allowed_values)}")
        for g in _TEMPLATE.findall(value):
            if sources and g not in groups:
                bad(f"emits.{key} uses group {{{g}}} that no pattern defines")
    for s in raw.get("signals", []) or []:
        if not signal_kind_known(s):
            bad(f"unknown signal kind {s!r}")
    keywords = tuple(k.casefold() for k in raw.get("keywords", []) or [])
    if len(problems) > before:
        return None
    rule = Rule(
        id=rid,
        name=raw["name"],
        kind=raw["kind"],
        message=raw["message"],
        pack=pack_id,
        file=fname,
        pattern_sources=sources,
        emits=dict(emits),
        keywords=keywords,
        exception_sources=exception_sources,
        case_sensitive=case_sensitive,
        scope=tuple(raw.get("scope", ()) or ()),
        signals=tuple(raw.get("signals", ()) or ()),
        within=tuple(raw.get("within", ()) or ()),
        window=int(raw.get("window", 400)),
        severity=raw.get("severity", "info"),
        confidence=float(raw.get("confidence", 0.9)),
        references=tuple(raw.get("references", ()) or ()),
        aliases=tuple(raw.get("aliases", ()) or ()),
        status=raw.get("status", "stable"),
        explanation=dict(raw.get("explanation", {})),
        examples=tuple(raw.get("examples", ()) or ()),
    )
    if compile_now:
        rule.__dict__["patterns"] = tuple(compiled)
        rule.__dict__["exceptions"] = tuple(exceptions)
    return rule


def _read_toml(path: Path, problems: list[str]) -> dict | None:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: -: not valid TOML: {exc}")
    except OSError as exc:
        problems.append(f"{path}: -: cannot read: {exc.strerror or exc}")
    return None


def load_pack(folder: Path, problems: list[str], compile_now: bool = True) -> Pack | None:
    """Load one pack folder, appending every problem found to ``problems``. With
    ``compile_now=False`` patterns are compiled when first used and the schema is not
    checked again (for the bundled packs, which the test suite checks in full)."""
    manifest = folder / "pack.toml"
    if not manifest.is_file():
        problems.append(f"{folder}: -: not a pack (no pack.toml)")
        return None
    meta = _read_toml(manifest, problems)
    if meta is None:
        return None
    for rid, msg in _schema_errors(meta, "pack") if compile_now else ():
        problems.append(f"{manifest}: {rid}: {msg}")
    pack_id = str(meta.get("id", folder.name))
    rules: list[Rule] = []
    files = sorted((folder / "rules").glob("*.toml")) if (folder / "rules").is_dir() else []
    for f in files:
        data = _read_toml(f, problems)
        if data is None:
            continue
        schema_errs = _schema_errors(data, "rule_file") if compile_now else []
        for rid, msg in schema_errs:
            problems.append(f"{f}: {rid}: {msg}")
        bad_ids = {rid for rid, _ in schema_errs}
        for raw in data.get("rule", []) if isinstance(data.get("rule"), list) else []:
            if not isinstance(raw, dict):
                continue
            rule = _check_rule(raw, problems, str(f), pack_id, compile_now)
            if rule is not None and rule.id not in bad_ids:
                rules.append(rule)
    return Pack(
        id=pack_id,
        version=str(meta.get("version", "0.0.0")),
        title=str(meta.get("title", pack_id)),
        path=str(folder),
        rules=tuple(rules),
        disable=tuple(meta.get("disable", ()) or ()),
        overrides=tuple(meta.get("overrides", ()) or ()),
        description=str(meta.get("description", "")),
    )


def pack_folders(root: Path) -> list[Path]:
    """A pack folder itself, or every pack folder directly inside ``root``."""
    if (root / "pack.toml").is_file():
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "pack.toml").is_file())


def load_packs(extra: list[str] | tuple[str, ...] = (), *, builtin: bool = True, lazy_builtin: bool = False) -> RuleSet:
    """Load the bundled packs and any user pack folders; raise ``PackError`` listing all problems.

    User packs are always compiled and checked in full; ``lazy_builtin`` leaves the bundled
    packs' patterns to be compiled on first use."""
    problems: list[str] = []
    packs: list[Pack] = []
    roots = ([builtin_dir()] if builtin else []) + [Path(p) for p in extra]
    for root in roots:
        if not root.is_dir():
            problems.append(f"{root}: -: no such pack folder")
            continue
        folders = pack_folders(root)
        if not folders and root != builtin_dir():
            problems.append(f"{root}: -: no pack.toml here or in its sub-folders")
        lazy = lazy_builtin and builtin and root == roots[0]
        for folder in folders:
            pack = load_pack(folder, problems, compile_now=not lazy)
            if pack is not None:
                packs.append(pack)
    rules = _resolve(packs, problems)
    if problems:
        raise PackError(problems)
    return RuleSet(tuple(packs), tuple(rules))


def _resolve(packs: list[Pack], problems: list[str]) -> list[Rule]:
    """Apply overrides and disables; check ids are unique and references exist."""
    by_id: dict[str, Rule] = {}
    order: list[str] = []
    for pack in packs:
        for rule in pack.rules:
            if rule.id in by_id and rule.id not in pack.overrides:
                problems.append(
                    f"{rule.file}: {rule.id}: duplicate id (also in {by_id[rule.id].file}); "
                    "list it in pack.toml `overrides` to replace it"
                )
                continue
            if rule.id not in by_id:
                order.append(rule.id)
            by_id[rule.id] = rule
    names: dict[str, str] = {}
    for rid in order:
        r = by_id[rid]
        if r.name in names and names[r.name] != rid:
            problems.append(f"{r.file}: {rid}: name {r.name!r} is already used by {names[r.name]}")
        names[r.name] = rid
    disabled = {d for p in packs for d in p.disable}
    for pack in packs:
        for d in pack.disable:
            if d not in by_id:
                problems.append(f"{pack.path}/pack.toml: {d}: `disable` names a rule that does not exist")
    known = set(by_id)
    for rid in order:
        for ref in by_id[rid].within:
            if ref not in known:
                problems.append(f"{by_id[rid].file}: {rid}: `within` names unknown rule {ref}")
    return [by_id[rid] for rid in order if rid not in disabled]


@lru_cache(maxsize=8)
def _cached(extra: tuple[str, ...]) -> RuleSet:
    return load_packs(extra, lazy_builtin=True)


def default_ruleset(extra: tuple[str, ...] = ()) -> RuleSet:
    """The bundled packs plus ``extra`` folders, loaded once per process."""
    return _cached(tuple(os.path.abspath(p) for p in extra))
