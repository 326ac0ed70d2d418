"""The report as JSON (``compliance check --format json``): exactly ``Report.to_dict()`` (packs sorted by id).

``compliance/schemas/report.schema.json`` (JSON Schema draft 2020-12) describes it;
:func:`validate_report` checks a document against it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ..findings import Report


def render(report: Report, **_options) -> str:
    """``Report.to_dict()`` as JSON; the packs sorted by id so the order they were loaded in does not show."""
    data = report.to_dict()
    data["packs"] = dict(sorted(data["packs"].items()))
    return json.dumps(data, indent=2, ensure_ascii=False)


@lru_cache(maxsize=1)
def report_schema() -> dict:
    text = resources.files("compliance").joinpath("schemas/report.schema.json").read_text("utf-8")
    return json.loads(text)


def validate_report(data) -> list[str]:
    """Every way ``data`` (a parsed JSON report) breaks the schema, as ``where: what`` lines; [] when valid."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(report_schema())
    problems = []
    for err in validator.iter_errors(data):
        where = "/".join(str(p) for p in err.absolute_path) or "(document)"
        problems.append(f"{where}: {err.message}")
    return sorted(problems)
