"""Terms: what an article states about its own reuse, with evidence, in one vocabulary.

The JSON form (``Terms.to_dict``) is a versioned contract described by
``compliance/schemas/terms.schema.json`` and docs/terms.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources

from jsonschema import Draft202012Validator

from . import DISCLAIMER, __version__
from .document import InputError

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Evidence:
    rule: str
    quote: str
    line: int
    col: int
    confidence: float
    region: str = "body"
    signal: str | None = None  # the machine-readable signal, when the evidence is one


@dataclass(frozen=True)
class RepublishedFrom:
    publisher: str | None
    url: str | None
    linked: bool | None  # None: the format cannot show links


@dataclass(frozen=True)
class Summary:
    license: str = "none"
    copyright_holders: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    permissions: tuple[str, ...] = ()
    permission_venue: str | None = None
    duties: tuple[str, ...] = ()
    prohibitions: tuple[str, ...] = ()
    fair_use_notice: bool = False
    contact_for_permission: bool = False
    contact: str | None = None
    republished_from: RepublishedFrom | None = None


@dataclass(frozen=True)
class Terms:
    summary: Summary
    source: dict = field(default_factory=dict)  # path, url, title, media_type
    licenses: tuple[dict, ...] = ()  # {id, origin, scope, used, evidence}
    copyright: tuple[dict, ...] = ()  # {holders, years, site_wide, evidence}
    authors: tuple[dict, ...] = ()  # {name, evidence}
    publisher: dict | None = None  # {name, evidence}
    grants: tuple[dict, ...] = ()  # {permissions, venue, conditions, evidence}
    doors: tuple[dict, ...] = ()  # {uses, contact, contact_hidden, evidence}
    prohibitions: tuple[dict, ...] = ()  # {what, binds, evidence}
    notices: tuple[dict, ...] = ()  # {kind, text, url, evidence}
    conflicts: tuple[dict, ...] = ()  # {field, values, evidence}
    excerpt_limit: dict | None = None  # {words, paragraphs, evidence}
    work: dict = field(default_factory=dict)  # what the source is: {type, section}
    warnings: tuple[str, ...] = ()
    packs: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        s = d.pop("summary")
        for k in ("copyright_holders", "authors", "permissions", "duties", "prohibitions"):
            s[k] = list(s[k])
        out = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "compliance", "version": __version__},
            "packs": d.pop("packs"),
            "disclaimer": DISCLAIMER,
            "source": d.pop("source"),
            "summary": s,
        }
        for k, v in d.items():
            out[k] = list(v) if isinstance(v, tuple) else v
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_dict(cls, data: dict, origin: str = "terms", *, checked: bool = True) -> Terms:
        """Read terms JSON (as ``compliance terms --format json`` writes it), checked by schema.

        ``checked=False`` trusts a document this tool wrote itself (a record of a reference index,
        whose zlib checksum held) when it carries this schema version: checking it again costs
        more than the rest of loading the source."""
        if checked or not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
            problems = schema_problems(data)
            if problems:
                raise InputError(f"{origin}: not a terms document: {problems[0]}")
        s = dict(data["summary"])
        rf = s.get("republished_from")
        s["republished_from"] = RepublishedFrom(**rf) if rf else None
        for k in ("copyright_holders", "authors", "permissions", "duties", "prohibitions"):
            s[k] = tuple(s.get(k) or ())
        summary = Summary(**{k: s.get(k, getattr(Summary(), k)) for k in Summary.__dataclass_fields__})
        kw = {}
        for k in (
            "licenses",
            "copyright",
            "authors",
            "grants",
            "doors",
            "prohibitions",
            "notices",
            "conflicts",
            "warnings",
        ):
            kw[k] = tuple(data.get(k) or ())
        return cls(
            summary=summary,
            source=data.get("source") or {},
            publisher=data.get("publisher"),
            excerpt_limit=data.get("excerpt_limit"),
            work=data.get("work") or {},
            packs=data.get("packs") or {},
            **kw,
        )

    @classmethod
    def load(cls, path: str) -> Terms:
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not JSON: {exc.msg} at line {exc.lineno}") from None
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        if not isinstance(data, dict):
            raise InputError(f"{path}: not a terms document: expected a JSON object")
        return cls.from_dict(data, path)


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    text = resources.files("compliance").joinpath("schemas/terms.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def schema_problems(data: dict) -> list[str]:
    """Schema violations of a terms document, as ``path: message`` lines (empty when valid)."""
    out = []
    for err in sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        out.append(f"{where}: {err.message}")
    return out
