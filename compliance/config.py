"""Settings: defaults, then ``[tool.compliance]`` in the nearest pyproject.toml, then the file named
by ``COMPLIANCE_CONFIG``, then ``--config FILE``, then command-line options. Each value remembers
where it came from (``compliance config --show``)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .document import InputError

DEFAULTS: dict = {
    "packs": [],
    "select": [],
    "ignore": [],
    "severity": {},
    "fail_on": "error",
    "venue": None,
    "venues": {},
    "baseline": None,
    "format": "text",
    "jobs": 0,
    "max_bytes": 20 * 1024 * 1024,
    "timeout_per_page": 60.0,
    # Documented in docs/fair-use.md and README: what counts as a full copy, a copy at all,
    # a near-full copy, a short excerpt, and commentary.
    "thresholds": {
        "full_copy": 0.8,
        "min_similarity": 0.05,
        "near_full": 0.8,
        "short_excerpt_words": 150,
        "commentary_share": 0.5,
    },
}
_TYPES = {
    "packs": list,
    "select": list,
    "ignore": list,
    "severity": dict,
    "fail_on": str,
    "venue": (str, type(None)),
    "venues": dict,
    "baseline": (str, type(None)),
    "format": str,
    "jobs": int,
    "max_bytes": int,
    "timeout_per_page": (int, float),
    "thresholds": dict,
}
VENUES = ("community", "noncommercial", "commercial", "print")
SEVERITIES = ("error", "warning", "info")


@dataclass
class Config:
    values: dict = field(
        default_factory=lambda: {k: (v.copy() if isinstance(v, (dict, list)) else v) for k, v in DEFAULTS.items()}
    )
    origins: dict = field(default_factory=lambda: {k: "default" for k in DEFAULTS})

    def __getitem__(self, key):
        return self.values[key]

    def set(self, key: str, value, origin: str) -> None:
        if key == "thresholds":
            merged = dict(self.values["thresholds"])
            merged.update(value)
            value = merged
        self.values[key] = value
        self.origins[key] = origin

    def venue_for(self, url: str | None) -> str | None:
        """The venue of a copy: the per-domain map first (by registered domain), then ``venue``."""
        if url and self.values["venues"]:
            from .urls import registered_domain

            d = registered_domain(url)
            for domain, venue in self.values["venues"].items():
                if registered_domain(domain) == d:
                    return venue
        return self.values["venue"]

    def show(self) -> str:
        width = max(len(k) for k in self.values)
        return "\n".join(f"{k.ljust(width)} = {self.values[k]!r}  # {self.origins[k]}" for k in sorted(self.values))


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.compliance] table, walking up from ``start``."""
    for folder in [start, *start.parents]:
        p = folder / "pyproject.toml"
        if p.is_file():
            try:
                with open(p, "rb") as fh:
                    data = tomllib.load(fh)
            except (tomllib.TOMLDecodeError, OSError):
                continue
            if "compliance" in data.get("tool", {}):
                return p
    return None


def _load_file(path: Path, table_path: tuple[str, ...] = ()) -> dict:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    for key in table_path:
        data = data.get(key, {})
    if "tool" in data and "compliance" in data.get("tool", {}):
        data = data["tool"]["compliance"]
    return data


def _apply(cfg: Config, data: dict, origin: str) -> None:
    for key, value in data.items():
        k = key.replace("-", "_")
        if k not in DEFAULTS:
            raise InputError(f"{origin}: unknown setting {key!r}; valid: {', '.join(sorted(DEFAULTS))}")
        if not isinstance(value, _TYPES[k]):
            raise InputError(f"{origin}: setting {key!r} has the wrong type ({type(value).__name__})")
        if k == "fail_on" and value not in SEVERITIES:
            raise InputError(f"{origin}: fail_on must be one of {', '.join(SEVERITIES)}")
        if k == "venue" and value is not None and value not in VENUES:
            raise InputError(f"{origin}: venue must be one of {', '.join(VENUES)}")
        if k == "venues":
            bad = [v for v in value.values() if v not in VENUES]
            if bad:
                raise InputError(f"{origin}: venues values must be one of {', '.join(VENUES)} (got {bad[0]!r})")
        if k == "severity":
            bad = [v for v in value.values() if v not in SEVERITIES]
            if bad:
                raise InputError(f"{origin}: severity overrides must be one of {', '.join(SEVERITIES)}")
        if k in ("packs", "baseline") and value:
            base = Path(origin.split(" ")[0]).parent
            value = [str((base / p).resolve()) for p in value] if k == "packs" else str((base / value).resolve())
        cfg.set(k, value, origin)


def load_config(config_file: str | None = None, cwd: Path | None = None, env: dict | None = None) -> Config:
    cfg = Config()
    env = os.environ if env is None else env
    pyproject = find_pyproject((cwd or Path.cwd()).resolve())
    if pyproject:
        _apply(cfg, _load_file(pyproject, ("tool", "compliance")), f"{pyproject} [tool.compliance]")
    if env.get("COMPLIANCE_CONFIG"):
        p = Path(env["COMPLIANCE_CONFIG"])
        _apply(cfg, _load_file(p), f"{p} (COMPLIANCE_CONFIG)")
    if config_file:
        p = Path(config_file)
        _apply(cfg, _load_file(p), f"{p} (--config)")
    return cfg
