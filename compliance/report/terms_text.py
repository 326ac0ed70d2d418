"""Terms as text a person reads (``compliance terms --format text``)."""

from __future__ import annotations

from .. import DISCLAIMER
from ..terms import Terms


def _list(values) -> str:
    return ", ".join(values) if values else "—"


def render_terms_text(terms: Terms) -> str:
    s = terms.summary
    src = terms.source
    lines = [f"{src.get('path')}" + (f"  ({src['url']})" if src.get("url") else "")]
    rows = [
        ("licence", s.license),
        ("authors", _list(s.authors)),
        ("publisher", s.publisher or "—"),
        ("copyright holders", _list(s.copyright_holders)),
        ("permissions", _list(s.permissions) + (f"  (venue: {s.permission_venue})" if s.permission_venue else "")),
        ("duties", _list(s.duties)),
        ("prohibitions", _list(s.prohibitions)),
        ("fair-use notice", "yes" if s.fair_use_notice else "no"),
        ("ask for permission", (s.contact or "yes") if s.contact_for_permission else "no"),
    ]
    if s.republished_from:
        rf = s.republished_from
        linked = {True: "linked", False: "not linked", None: "links cannot be seen in this format"}[rf.linked]
        rows.append(("republished from", f"{rf.publisher or rf.url} ({linked})"))
    width = max(len(k) for k, _ in rows)
    lines += [f"  {k.ljust(width)}  {v}" for k, v in rows]
    evidence = []
    for g in terms.grants:
        evidence.append(("grant", g["evidence"][0]))
    for d in terms.doors:
        e = dict(d["evidence"][0])
        if d.get("contact_hidden"):
            e["quote"] += "  [address hidden by the site's e-mail protection]"
        evidence.append(("door", e))
    for p in terms.prohibitions:
        if not p.get("binds"):
            evidence.append(("prohibition", p["evidence"][0]))
    for lic in terms.licenses:
        if lic.get("used") and lic["id"] not in ("custom",):
            evidence.append((f"licence {lic['id']}", lic["evidence"][0]))
    for n in terms.notices:
        label = {"pointer": "terms stated elsewhere", "other_party_license": "not the article's licence"}.get(n["kind"], n["kind"])
        e = dict(n["evidence"][0])
        if n.get("url"):
            e["quote"] += f"  -> {n['url']}"
        evidence.append((label, e))
    if evidence:
        lines.append("  evidence:")
        for label, e in evidence:
            lines.append(f"    {e['line']}:{e['col']}  {e['rule']}  {label}: {e['quote']}")
    for c in terms.conflicts:
        lines.append(f"  conflict ({c['field']}): {c.get('message', '')}: {' vs '.join(map(str, c['values']))}")
        for e in c["evidence"]:
            lines.append(f"    {e['line']}:{e['col']}  {e['rule']}  {e['quote']}")
    for w in terms.warnings:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)


def footer() -> str:
    return f"\n{DISCLAIMER}"
