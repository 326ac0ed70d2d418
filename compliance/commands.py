"""Subcommands that judge copies: ``check`` and ``config``."""

from __future__ import annotations

import sys

from .config import VENUES

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html")


def register(sub) -> None:
    """Add the commands defined here to the ``compliance`` parser."""
    p = sub.add_parser("check", help="check copies against their source's terms")
    p.add_argument("copies", nargs="+", metavar="COPY")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--source", metavar="SOURCE", help="the original article: a file, or an http(s) URL (fetched)")
    src.add_argument("--terms", metavar="TERMS.json", help="terms pinned with `compliance terms --format json`")
    p.add_argument("--source-url", metavar="URL", help="the original article's address")
    p.add_argument("--venue", choices=VENUES, help="where the copy is published")
    p.add_argument("--format", choices=FORMATS)
    p.add_argument("--output", "-o", metavar="FILE")
    p.add_argument("--fail-on", choices=("error", "warning", "info"))
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings fail")
    p.add_argument("--select", metavar="IDS", help="comma-separated ids or prefixes to report")
    p.add_argument("--ignore", metavar="IDS", help="comma-separated ids or prefixes to leave out")
    p.add_argument("--config", metavar="FILE")
    p.add_argument("--baseline", metavar="FILE", help="suppress the findings recorded in FILE")
    p.add_argument("--write-baseline", metavar="FILE", help="record the failing findings in FILE")
    p.add_argument("--no-private-addresses", action="store_true", help="refuse URLs that resolve to private addresses")
    p.add_argument("--fetch-timeout", type=float, default=15.0, metavar="SECONDS", help="for a --source URL")
    p.add_argument("--max-bytes", type=int, metavar="N", help="largest page read or fetched (default 20 MiB)")
    p.add_argument("--packs", action="append", default=[], metavar="DIR")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("audit", help="find a publisher's copies in archives and judge each one")
    p.add_argument("--sources", nargs="+", required=True, metavar="PATH",
                   help="the publisher's own articles: files, folders, zip/tar, WARC, WordPress exports")
    p.add_argument("--candidates", nargs="+", required=True, metavar="PATH", help="pages to search for copies")
    p.add_argument("--manifest", metavar="sources.toml", help="source path -> url, title (default: sources.toml "
                   "beside the first source, if there is one)")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--venue", choices=VENUES, help="venue of every copy (config `venues` maps domains)")
    p.add_argument("--out", default="compliance-report", metavar="DIR", help="output folder (default: %(default)s)")
    p.add_argument("--format", choices=("json", "markdown", "html", "sarif", "junit"), default="html",
                   help="the report printed to stdout as well as written to DIR (default: the HTML path)")
    p.add_argument("--resume", action="store_true", help="keep results.jsonl and judge only the pages it lacks")
    p.add_argument("--min-similarity", type=float, metavar="X", help="share of shared text that makes a copy")
    p.add_argument("--include", action="append", metavar="GLOB")
    p.add_argument("--exclude", action="append", metavar="GLOB")
    p.add_argument("--max-bytes", type=int, metavar="N", help="largest page read (default 20 MiB)")
    p.add_argument("--max-members", type=int, default=1_000_000, metavar="N", help="most members read per archive")
    p.add_argument("--fail-on", choices=("error", "warning", "info"))
    p.add_argument("--quiet", "-q", action="store_true")
    p.add_argument("--config", metavar="FILE")
    p.add_argument("--packs", action="append", default=[], metavar="DIR")
    p.set_defaults(handler=cmd_audit)

    p = sub.add_parser("summarize", help="re-render an audit's saved results")
    p.add_argument("results", metavar="RESULTS", help="results.jsonl, or the audit's output folder")
    p.add_argument("--format", choices=("markdown", "html", "json"), default="markdown")
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(handler=cmd_summarize)

    p = sub.add_parser("config", help="show the resolved settings")
    p.add_argument("--show", action="store_true", help="print every setting and where it came from")
    p.add_argument("--config", metavar="FILE")
    p.set_defaults(handler=cmd_config)


def _ids(text: str | None) -> list[str]:
    return [x.strip().upper() for x in (text or "").split(",") if x.strip()]


def load_source(source: str, *, url: str | None, allow_private: bool, max_bytes: int, timeout: float = 15.0):
    """The source Document, from a file or (only when it is one) an http(s) URL."""
    if source.startswith(("http://", "https://")):
        from .read.fetch import fetch_document

        return fetch_document(source, allow_private=allow_private, max_bytes=max_bytes, timeout=timeout)
    from .read import read_path

    return read_path(source, url=url, max_bytes=max_bytes)


def cmd_check(args) -> int:
    from .config import load_config
    from .detect import detect_terms
    from .document import InputError
    from .findings import CopyResult, Finding, Report
    from .packs.loader import default_ruleset
    from .read import read_path
    from .report import render
    from .suppress import apply, baseline_document, inline_suppressions, load_baseline
    from .terms import Terms
    from .validate import Thresholds, check_copy

    cfg = load_config(args.config)
    ruleset = default_ruleset(tuple(cfg["packs"]) + tuple(args.packs))
    fmt = args.format or cfg["format"]
    fail_on = args.fail_on or cfg["fail_on"]
    select = _ids(args.select) or [x.upper() for x in cfg["select"]]
    ignore = _ids(args.ignore) or [x.upper() for x in cfg["ignore"]]
    baseline_path = args.baseline or cfg["baseline"]
    baseline = load_baseline(baseline_path) if baseline_path else {}
    thresholds = Thresholds.from_config(cfg["thresholds"])

    max_bytes = args.max_bytes or cfg["max_bytes"]
    source_doc = None
    if args.terms:
        terms = Terms.load(args.terms)
    else:
        source_doc = load_source(args.source, url=args.source_url, allow_private=not args.no_private_addresses,
                                 max_bytes=max_bytes, timeout=args.fetch_timeout)
        terms = detect_terms(source_doc, ruleset, url=args.source_url or source_doc.url)
    source_url = args.source_url or terms.source.get("url")
    results = []
    for path in args.copies:
        try:
            copy = read_path(path, max_bytes=max_bytes)
        except InputError as exc:
            print(f"compliance: {exc}", file=sys.stderr)
            f = Finding(path, 1, 1, "READ001", "unreadable", "unmet", "error", str(exc), source=source_url)
            results.append(CopyResult(path, source_url, (f,), error=str(exc)))
            continue
        venue = args.venue or cfg.venue_for(copy.url)
        result = check_copy(copy, terms, source=source_doc, venue=venue, source_url=source_url, ruleset=ruleset,
                            thresholds=thresholds)
        results.append(apply(result, inline=inline_suppressions(copy), baseline=baseline, select=select,
                             ignore=ignore, severity=cfg["severity"]))
    report = Report(tuple(results), packs=ruleset.versions)
    text = render(report, fmt)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if args.write_baseline:
        with open(args.write_baseline, "w", encoding="utf-8") as fh:
            fh.write(baseline_document(report.findings))
    code = report.exit_code(fail_on)
    if args.exit_zero and code == 1:
        return 0
    return code


def cmd_config(args) -> int:
    from .config import load_config

    cfg = load_config(args.config)
    print(cfg.show())
    return 0


def _audit_report(lines: list[dict]):
    """A findings Report rebuilt from result lines (for SARIF and JUnit)."""
    from .findings import CopyResult, Finding, Report

    keys = Finding.__dataclass_fields__
    results = []
    for x in lines:
        if x.get("status") in ("unmatched", "original"):
            continue
        fs = tuple(Finding(**{k: f[k] for k in keys if k in f}) for f in x.get("findings", []))
        if x.get("error"):
            fs = (Finding(x["page"], 1, 1, "READ001", "unreadable", "unmet", "error", x["error"]),)
        results.append(CopyResult(x["page"], x.get("source"), fs, venue=x.get("venue"), url=x.get("url"),
                                  similarity=x.get("similarity"), coverage=x.get("coverage"), fix=x.get("fix"),
                                  error=x.get("error")))
    return Report(tuple(results))


def cmd_audit(args) -> int:
    import time
    from pathlib import Path

    from . import __version__
    from .audit import build_reference, load_manifest
    from .config import load_config
    from .engines.local import Venues, run
    from .packs.loader import default_ruleset
    from .summary import load_results, render_html, render_json, render_markdown, summarise
    from .validate import Thresholds

    cfg = load_config(args.config)
    ruleset = default_ruleset(tuple(cfg["packs"]) + tuple(args.packs))
    max_bytes = args.max_bytes or cfg["max_bytes"]
    thresholds = Thresholds.from_config(cfg["thresholds"], min_similarity=args.min_similarity)
    manifest_path = args.manifest
    if not manifest_path:
        first = Path(args.sources[0])
        guess = (first if first.is_dir() else first.parent) / "sources.toml"
        manifest_path = str(guess) if guess.is_file() else None
    for p in args.sources + args.candidates:
        if not Path(p).exists():
            from .document import InputError

            raise InputError(f"{p}: no such file or folder")
    ref = build_reference(args.sources, manifest=load_manifest(manifest_path), ruleset=ruleset, max_bytes=max_bytes)
    if not ref.sources:
        from .document import InputError

        raise InputError("no readable source articles in " + ", ".join(args.sources))
    for e in ref.errors:
        print(f"compliance: source {e['page']}: {e['error']}", file=sys.stderr)
    out = Path(args.out)
    meta = {"tool": {"name": "compliance", "version": __version__}, "packs": ruleset.versions,
            "sources": len(ref.sources), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "candidates": args.candidates}
    venues = Venues(args.venue or cfg["venue"], dict(cfg["venues"]))
    results_path, stats = run(ref, args.candidates, out, jobs=args.jobs or cfg["jobs"], resume=args.resume,
                              venues=venues, thresholds=thresholds, max_bytes=max_bytes, max_members=args.max_members,
                              include=args.include, exclude=args.exclude, quiet=args.quiet, meta=meta)
    run_meta, lines = load_results(results_path)
    summary = summarise(lines, run_meta)
    outputs = {"summary.md": render_markdown(summary), "summary.html": render_html(summary),
               "summary.json": render_json(summary)}
    if args.format in ("sarif", "junit"):
        from .report import render

        outputs["report.sarif" if args.format == "sarif" else "report.junit.xml"] = render(_audit_report(lines), args.format)
    for name, text in outputs.items():
        (out / name).write_text(text, encoding="utf-8")
    if not args.quiet:
        skipped = ", ".join(f"{v} {k}" for k, v in sorted(stats.skipped.items()))
        print(f"compliance: wrote {out / 'results.jsonl'}, {out / 'summary.html'}, {out / 'summary.md'}"
              + (f"; skipped {skipped}" if skipped else ""), file=sys.stderr)
    shown = {"json": "summary.json", "markdown": "summary.md", "html": None, "sarif": "report.sarif",
             "junit": "report.junit.xml"}[args.format]
    if shown:
        sys.stdout.write(outputs[shown])
    else:
        print(out / "summary.html")
    return _audit_exit(lines, args.fail_on or cfg["fail_on"])


def _audit_exit(lines: list[dict], fail_on: str) -> int:
    from .findings import severity_rank

    if any(x.get("status") == "error" for x in lines):
        return 2
    threshold = severity_rank(fail_on)
    for x in lines:
        for f in x.get("findings", []):
            if f["status"] in ("unmet", "cannot_verify") and not f.get("suppressed") \
                    and severity_rank(f["severity"]) >= threshold:
                return 1
    return 0


def cmd_summarize(args) -> int:
    from pathlib import Path

    from .document import InputError
    from .summary import load_results, render_html, render_json, render_markdown, summarise

    path = Path(args.results)
    if path.is_dir():
        path = path / "results.jsonl"
    if not path.is_file():
        raise InputError(f"{path}: no such results file")
    meta, lines = load_results(path)
    summary = summarise(lines, meta)
    text = {"markdown": render_markdown, "html": render_html, "json": render_json}[args.format](summary)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
