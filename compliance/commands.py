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
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--sources", nargs="+", metavar="PATH",
                     help="the publisher's own articles: files, folders, zip/tar, WARC, WordPress exports")
    src.add_argument("--index", metavar="REF.IDX", help="a reference index from `compliance index build` "
                     "(instead of --sources)")
    p.add_argument("--candidates", nargs="+", default=[], metavar="PATH", help="pages to search for copies")
    p.add_argument("--inputs", metavar="MANIFEST", help="a file naming candidate inputs, one a line: a path, or "
                   "with --engine spark a URL (s3://, https://) and optionally a byte offset and length")
    p.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="local process pool (default) or Apache Spark (pip install 'compliance[spark]')")
    p.add_argument("--spark-master", metavar="URL", help="Spark master (default: spark-submit's, else local[N] "
                   "with N from --jobs)")
    p.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE", help="a Spark setting")
    p.add_argument("--two-stage", action="store_true", help="with --engine spark: inputs are Common Crawl WET files; "
                   "pages matched on their text are judged again from their WARC record (found through the WAT)")
    p.add_argument("--spark-results", metavar="URL", help="where executors write OUT/results (default); on a "
                   "cluster a shared filesystem such as s3://bucket/run/results (needs fsspec)")
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
    p.add_argument("--timeout-per-page", type=float, metavar="SECONDS",
                   help="give a page up as an error result after this long (default 60; 0: no limit)")
    p.add_argument("--fail-on", choices=("error", "warning", "info"))
    p.add_argument("--quiet", "-q", action="store_true")
    p.add_argument("--config", metavar="FILE")
    p.add_argument("--packs", action="append", default=[], metavar="DIR")
    p.set_defaults(handler=cmd_audit)

    p = sub.add_parser("index", help="build or describe a reference index (ref.idx) for large audits")
    isub = p.add_subparsers(dest="index_command", metavar="ACTION")
    b = isub.add_parser("build", help="read the publisher's articles once into one file")
    b.add_argument("sources", nargs="+", metavar="SOURCE", help="files, folders, zip/tar, WARC, WordPress exports")
    b.add_argument("--output", "-o", required=True, metavar="REF.IDX")
    b.add_argument("--manifest", metavar="sources.toml", help="source path -> url, title (default: sources.toml "
                   "beside the first source, if there is one)")
    b.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: all cores)")
    b.add_argument("--max-bytes", type=int, metavar="N", help="largest source page read (default 20 MiB)")
    b.add_argument("--quiet", "-q", action="store_true")
    b.add_argument("--config", metavar="FILE")
    b.add_argument("--packs", action="append", default=[], metavar="DIR")
    i = isub.add_parser("info", help="what an index holds and its size per source")
    i.add_argument("index", metavar="REF.IDX")
    p.set_defaults(handler=cmd_index)

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

    from .document import InputError
    from .shard import is_remote, parse_input_line

    cfg = load_config(args.config)
    packs = tuple(cfg["packs"]) + tuple(args.packs)
    ruleset = default_ruleset(packs)
    max_bytes = args.max_bytes or cfg["max_bytes"]
    timeout = cfg["timeout_per_page"] if args.timeout_per_page is None else args.timeout_per_page
    if timeout < 0:
        raise InputError(f"--timeout-per-page must be 0 (no limit) or more seconds, not {timeout:g}")
    thresholds = Thresholds.from_config(cfg["thresholds"], min_similarity=args.min_similarity)
    spark = args.engine == "spark"
    if spark:
        from .engines.spark import require_pyspark

        require_pyspark()
    if args.two_stage and not spark:
        raise InputError("--two-stage needs --engine spark")
    candidates = list(args.candidates)
    if args.inputs:
        from .engines.spark import read_manifest_lines

        candidates += read_manifest_lines(args.inputs)
    if not candidates:
        raise InputError("nothing to audit: give --candidates PATH… or --inputs MANIFEST")
    for p in list(args.sources or ()) + ([args.index] if args.index else []):
        if not Path(p).exists():
            raise InputError(f"{p}: no such file or folder")
    for line in candidates:
        p, rng = parse_input_line(line) or (line, None)
        if is_remote(p) or rng is not None:
            if not spark:
                raise InputError(f"{line}: URLs and byte ranges need --engine spark")
        elif not Path(p).exists():
            raise InputError(f"{p}: no such file or folder")
    out = Path(args.out)
    jobs = args.jobs or cfg["jobs"]
    ref = index_path = None
    if args.index:
        from .reference import load_reference_index, read_manifest

        head = read_manifest(args.index)
        if head.get("packs") != ruleset.versions:
            print(f"compliance: {args.index}: the sources' terms were detected with packs {head.get('packs')}, "
                  f"copies are judged with {ruleset.versions}", file=sys.stderr)
        if spark:
            index_path, n_sources = args.index, head.get("sources", 0)
        else:
            ref = load_reference_index(args.index, ruleset)
            n_sources = len(ref.sources)
        errors = _index_errors(args.index) if spark else ref.errors
        what = args.index
    else:
        manifest_path = _guess_manifest(args.sources, args.manifest)
        if spark:
            from .reference import build_reference_index

            out.mkdir(parents=True, exist_ok=True)
            import os

            info = build_reference_index(args.sources, manifest_path, out / "ref.idx", packs=packs, ruleset=ruleset,
                                         max_bytes=max_bytes, jobs=os.cpu_count() or 1)
            index_path, n_sources, errors = str(out / "ref.idx"), info.sources, info.errors
        else:
            ref = build_reference(args.sources, manifest=load_manifest(manifest_path), ruleset=ruleset,
                                  max_bytes=max_bytes)
            n_sources, errors = len(ref.sources), ref.errors
        what = ", ".join(args.sources)
    if not n_sources:
        raise InputError("no readable source articles in " + what)
    for e in errors:
        print(f"compliance: source {e['page']}: {e['error']}", file=sys.stderr)
    meta = {"tool": {"name": "compliance", "version": __version__}, "packs": ruleset.versions,
            "sources": n_sources, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "candidates": candidates}
    venues = Venues(args.venue or cfg["venue"], dict(cfg["venues"]))
    failed_inputs = []
    if spark:
        from .engines.spark import run as spark_run

        conf = dict(kv.split("=", 1) for kv in args.spark_conf if "=" in kv)
        results_path, stats, info = spark_run(
            index_path, candidates, out, master=args.spark_master, jobs=jobs, resume=args.resume, venues=venues,
            thresholds=thresholds, max_bytes=max_bytes, max_members=args.max_members, include=args.include,
            exclude=args.exclude, packs=packs, quiet=args.quiet, meta=meta, conf=conf,
            results_root=args.spark_results, two_stage=args.two_stage, timeout_per_page=timeout)
        failed_inputs = info["failed"]
    else:
        results_path, stats = run(ref, candidates, out, jobs=jobs, resume=args.resume,
                                  venues=venues, thresholds=thresholds, max_bytes=max_bytes,
                                  max_members=args.max_members, include=args.include, exclude=args.exclude,
                                  quiet=args.quiet, meta=meta, timeout_per_page=timeout)
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
    if failed_inputs:
        return 2
    return _audit_exit(lines, args.fail_on or cfg["fail_on"])


def _guess_manifest(sources: list[str], manifest: str | None) -> str | None:
    """``--manifest``, else ``sources.toml`` beside the first source when there is one."""
    from pathlib import Path

    if manifest:
        return manifest
    first = Path(sources[0])
    guess = (first if first.is_dir() else first.parent) / "sources.toml"
    return str(guess) if guess.is_file() else None


def _index_errors(path: str) -> list[dict]:
    import json
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return [json.loads(x) for x in zf.read("errors.jsonl").decode("utf-8").splitlines() if x]


def cmd_index(args) -> int:
    import json
    import os

    from .cli import UsageError

    if args.index_command == "info":
        from .reference import describe, read_manifest

        read_manifest(args.index)
        print(json.dumps(describe(args.index), indent=2, ensure_ascii=False))
        return 0
    if args.index_command != "build":
        raise UsageError("compliance index: choose build or info")
    from pathlib import Path

    from .config import load_config
    from .document import InputError
    from .reference import build_reference_index

    cfg = load_config(args.config)
    packs = tuple(cfg["packs"]) + tuple(args.packs)
    for p in args.sources:
        if not Path(p).exists():
            raise InputError(f"{p}: no such file or folder")
    jobs = args.jobs or cfg["jobs"] or os.cpu_count() or 1
    progress = None
    if not args.quiet and sys.stderr.isatty():
        def progress(n: int) -> None:
            if n % 100 == 0:
                print(f"\rcompliance: {n} sources", end="", file=sys.stderr, flush=True)
    info = build_reference_index(args.sources, _guess_manifest(args.sources, args.manifest), args.output,
                                 packs=packs, max_bytes=args.max_bytes or cfg["max_bytes"], jobs=jobs, progress=progress)
    for e in info.errors:
        print(f"compliance: source {e['page']}: {e['error']}", file=sys.stderr)
    if not info.sources:
        Path(args.output).unlink(missing_ok=True)
        raise InputError("no readable source articles in " + ", ".join(args.sources))
    if not args.quiet:
        lead = "\r" if progress else ""
        print(f"{lead}compliance: wrote {args.output}: {info.sources} sources, "
              f"{info.bytes / 1e6:.1f} MB ({info.bytes_per_source:,.0f} bytes per source), "
              f"{len(info.errors)} unreadable, {info.seconds:.1f} s", file=sys.stderr)
    return 0


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
