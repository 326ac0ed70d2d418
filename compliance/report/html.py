"""The report as one self-contained HTML page (``compliance check --format html``).

The same content as the Markdown page: title, the disclaimer (shown at the top and the foot),
the summary, then per copy its status, a table of findings (status, rule, duty, where, message)
and, under it, each finding's evidence and fix. The page needs nothing else: the CSS is inline,
there is no script, no font, image or style sheet to fetch, so it opens the same offline or as
a CI artifact. Every piece of text is escaped with :func:`html.escape`; statuses are coloured
(and named in words, so colour is never the only cue).
"""

from __future__ import annotations

from html import escape

from ..findings import CopyResult, Finding, Report
from . import copy_findings, rule_info, sorted_results, summary_line, fair_use_lines

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem;
     overflow-wrap: anywhere; }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; }
.disclaimer { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .6rem .9rem; }
.meta { color: #59636e; }
table { border-collapse: collapse; margin: .75rem 0; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; }
td.where, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em;
                 overflow-wrap: anywhere; }
blockquote { margin: .4rem 0; padding: .3rem .8rem; border-left: 4px solid #d0d7de; color: #3d444d;
             white-space: pre-wrap; overflow-wrap: anywhere; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem .8rem; overflow-x: auto;
      white-space: pre-wrap; overflow-wrap: anywhere; }
.status { display: inline-block; border-radius: 1em; padding: 0 .6em; font-weight: 600; font-size: .85em;
          white-space: nowrap; }
.s-met, .s-compliant { background: #dafbe1; color: #116329; }
.s-unmet, .s-noncompliant { background: #ffebe9; color: #a40e26; }
.s-cannot_verify, .s-unverified { background: #fff1c2; color: #7d4e00; }
.s-not_applicable { background: #eaeef2; color: #59636e; }
.s-error { background: #fbefff; color: #6e3d9e; }
.s-suppressed { background: #eaeef2; color: #59636e; font-style: italic; }
table.counts { width: auto; }
table.counts th, table.counts td { min-width: 6rem; }
tr.suppressed td { color: #59636e; }
footer { margin-top: 3rem; border-top: 1px solid #d0d7de; padding-top: .75rem; }
"""

_STATUS_WORD = {"met": "met", "unmet": "unmet", "cannot_verify": "cannot verify", "not_applicable": "not applicable",
                "compliant": "compliant", "noncompliant": "noncompliant", "unverified": "unverified",
                "error": "unreadable"}


def e(text) -> str:
    return escape(str(text), quote=True)


def _badge(status: str) -> str:
    return f'<span class="status s-{e(status)}">{e(_STATUS_WORD.get(status, status))}</span>'


def _finding_row(f: Finding, ruleset) -> str:
    info = rule_info(f.rule, ruleset=ruleset, example=f)
    rule = f'<a href="{e(info.help_uri)}">{e(f.rule)}</a>' if info.help_uri else e(f.rule)
    status = _badge(f.status)
    if f.suppressed:
        status += f' <span class="status s-suppressed" title="{e(f.suppressed)}">suppressed</span>'
    cls = ' class="suppressed"' if f.suppressed else ""
    return (f"<tr{cls}><td>{status}</td><td>{rule}</td><td>{e(f.duty)}</td>"
            f'<td class="where">{e(f.path)}:{f.line}:{f.col}</td><td>{e(f.message)}</td></tr>')


def _finding_detail(f: Finding) -> list[str]:
    fix = f.fix if f.status == "unmet" else None
    if not (f.evidence or fix or f.suppressed):
        return []
    out = [f"<h3>{e(f.rule)} {e(f.duty)} <span class=\"meta\">at line {f.line}, column {f.col}</span></h3>"]
    if f.suppressed:
        out.append(f"<p>Suppressed: {e(f.suppressed)}</p>")
    if f.evidence:
        out.append(f"<blockquote>{e(f.evidence)}</blockquote>")
    if fix:
        out.append(f"<p>Fix:</p>\n<pre>{e(fix)}</pre>")
    return out


def _copy_section(r: CopyResult, show_met: bool, ruleset) -> list[str]:
    out = ["<section>", f"<h2>{e(r.path)}</h2>", f"<p>Status: {_badge(r.status)}</p>"]
    facts = [("Source", r.source), ("URL", r.url), ("Venue", r.venue),
             ("Similarity", None if r.similarity is None else f"{r.similarity:.2f}"),
             ("Coverage", None if r.coverage is None else f"{r.coverage:.2f}"), ("Error", r.error)]
    facts = [(k, v) for k, v in facts if v is not None]
    if facts:
        out.append("<ul>" + "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in facts) + "</ul>")
    findings = [f for f in copy_findings(r) if show_met or f.status not in ("met", "not_applicable")]
    if findings:
        out.append("<table><thead><tr><th>Status</th><th>Rule</th><th>Duty</th><th>Where</th><th>Message</th>"
                   "</tr></thead><tbody>")
        out += [_finding_row(f, ruleset) for f in findings]
        out.append("</tbody></table>")
    else:
        out.append("<p>No findings to show.</p>")
    for f in findings:
        out += _finding_detail(f)
    if r.fix:
        out += ["<h3>Attribution to add</h3>", f"<pre>{e(r.fix)}</pre>"]
    if r.fair_use:
        lines = fair_use_lines(r.fair_use)
        out += ["<h3>Fair use: measured facts</h3>", f"<p>{e(lines[0])}</p>", "<ul>"]
        out += [f"<li>{e(x.strip()[2:] if x.strip().startswith('- ') else x.strip())}</li>" for x in lines[1:-2]]
        out += ["</ul>", f"<p><strong>{e(lines[-2])}</strong></p>", f"<p class=\"disclaimer\">{e(lines[-1])}</p>"]
    out.append("</section>")
    return out


def _summary(report: Report) -> list[str]:
    c = report.counts()
    copies = [("copies", "Copies"), ("compliant", "Compliant"), ("noncompliant", "Noncompliant"),
              ("unverified", "Unverified"), ("error", "Unreadable")]
    findings = [("unmet", "Unmet"), ("cannot_verify", "Cannot verify"), ("met", "Met"),
                ("not_applicable", "Not applicable"), ("suppressed", "Suppressed")]
    out = ["<h2>Summary</h2>", f"<p>{e(summary_line(report))}</p>"]
    for row in (copies, findings):
        out.append('<table class="counts"><thead><tr>' + "".join(f'<th class="num">{e(label)}</th>' for _, label in row)
                   + "</tr></thead><tbody><tr>" + "".join(f'<td class="num">{c[k]}</td>' for k, _ in row)
                   + "</tr></tbody></table>")
    return out


def render(report: Report, *, title: str = "Compliance report", show_met: bool = True, ruleset=None,
           **_options) -> str:
    results = sorted_results(report)
    tool = f"compliance {report.tool_version}"
    if report.packs:
        tool += " · packs: " + ", ".join(f"{k} {v}" for k, v in sorted(report.packs.items()))
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           "<header>", f"<h1>{e(title)}</h1>", f'<p class="meta">{e(tool)}</p>',
           f'<p class="disclaimer" role="note">{e(report.disclaimer)}</p>', "</header>", "<main>"]
    out += _summary(report)
    if results:
        out.append("<table><thead><tr><th>Copy</th><th>Status</th><th>Source</th></tr></thead><tbody>")
        out += [f'<tr><td class="where">{e(r.path)}</td><td>{_badge(r.status)}</td><td>{e(r.source or "")}</td></tr>'
                for r in results]
        out.append("</tbody></table>")
    for r in results:
        out += _copy_section(r, show_met, ruleset)
    out += ["</main>", f'<footer><p class="disclaimer">{e(report.disclaimer)}</p></footer>', "</body>", "</html>"]
    return "\n".join(out) + "\n"
