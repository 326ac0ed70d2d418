"""The ``compliance`` command. Parsing and dispatch only: each command calls the library.

Exit status: 0 compliant or done, 1 findings at or above --fail-on, 2 usage, config,
pack or input error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .runtime import tune_gc

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as for every other mistake
        raise UsageError(f"{self.prog}: {message}")


def _add_packs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--packs", action="append", default=[], metavar="DIR",
                   help="add a folder of rule packs (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="compliance", description="Does each republished copy honour the terms its source states?")
    parser.add_argument("--version", action="version", version=f"compliance {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("terms", help="detect the terms each article states")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--url", help="where the article lives, when the file does not say")
    p.add_argument("--output", "-o", metavar="FILE")
    _add_packs(p)

    p = sub.add_parser("rules", help="list every rule")
    p.add_argument("--format", choices=["text", "json"], default="text")
    _add_packs(p)

    p = sub.add_parser("explain", help="explain one rule")
    p.add_argument("rule_id", metavar="ID")
    _add_packs(p)

    p = sub.add_parser("packs", help="validate, test or create rule packs")
    psub = p.add_subparsers(dest="packs_command", metavar="ACTION", parser_class=_Parser)
    v = psub.add_parser("validate", help="check packs; report every problem at once")
    v.add_argument("dirs", nargs="*", metavar="DIR")
    t = psub.add_parser("test", help="run the packs' own examples")
    t.add_argument("dirs", nargs="*", metavar="DIR")
    n = psub.add_parser("new", help="create a pack folder with one example rule")
    n.add_argument("name", metavar="NAME")
    n.add_argument("--dir", default=".", help="where to create it")

    from .commands import register

    register(sub)
    return parser


def _out(text: str, path: str | None) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_terms(args) -> int:
    from .detect import detect_terms
    from .document import InputError
    from .packs.loader import default_ruleset
    from .read import read_path
    from .report.terms_text import footer, render_terms_text

    ruleset = default_ruleset(tuple(args.packs))
    results, status = [], EXIT_OK
    for path in args.paths:
        try:
            doc = read_path(path, url=args.url)
        except InputError as exc:
            print(f"compliance: {exc}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        results.append(detect_terms(doc, ruleset, url=args.url))
    if args.format == "json":
        data = [t.to_dict() for t in results]
        _out(json.dumps(data[0] if len(args.paths) == 1 and data else data, indent=2, ensure_ascii=False), args.output)
    elif results:
        _out("\n\n".join(render_terms_text(t) for t in results) + "\n" + footer(), args.output)
    return status


def cmd_rules(args) -> int:
    from .packs.loader import default_ruleset

    from .checks import CHECKS

    rs = default_ruleset(tuple(args.packs))
    rows = [(r.id, r.name, r.kind, r.severity, r.message, r.pack) for r in rs.rules]
    rows += [(c.id, c.name, "check", c.severity, c.message, "checks") for c in CHECKS.values()]
    if args.format == "json":
        _out(json.dumps([{"id": a, "name": b, "kind": c, "severity": d, "summary": e, "pack": f}
                         for a, b, c, d, e, f in rows], indent=2), None)
        return EXIT_OK
    w = [max([len(x[i]) for x in rows] + [len(h)]) for i, h in enumerate(("ID", "NAME", "KIND", "SEVERITY"))]
    lines = [f"{'ID'.ljust(w[0])}  {'NAME'.ljust(w[1])}  {'KIND'.ljust(w[2])}  {'SEVERITY'.ljust(w[3])}  SUMMARY"]
    lines += [f"{a.ljust(w[0])}  {b.ljust(w[1])}  {c.ljust(w[2])}  {d.ljust(w[3])}  {e}" for a, b, c, d, e, _ in rows]
    _out("\n".join(lines), None)
    return EXIT_OK


def cmd_explain(args) -> int:
    from .packs.docs import rule_doc
    from .packs.loader import default_ruleset

    from .checks import CHECKS, check_doc

    if args.rule_id.upper() in CHECKS:
        _out(check_doc(CHECKS[args.rule_id.upper()]), None)
        return EXIT_OK
    rs = default_ruleset(tuple(args.packs))
    rule = rs.get(args.rule_id.upper())
    if rule is None:
        raise UsageError(f"compliance explain: no rule {args.rule_id!r} (see `compliance rules`)")
    _out(rule_doc(rule), None)
    return EXIT_OK


def cmd_packs(args) -> int:
    from pathlib import Path

    from .packs.loader import load_packs
    from .packs.testing import coverage_problems, run_examples

    if args.packs_command == "new":
        from .packs.docs import scaffold

        folder = scaffold(args.name, Path(args.dir))
        print(f"created {folder}")
        return EXIT_OK
    if args.packs_command not in ("validate", "test"):
        raise UsageError("compliance packs: choose validate, test or new")
    rs = load_packs(args.dirs, builtin=not args.dirs)
    if args.packs_command == "validate":
        problems = coverage_problems(rs)
        from .packs.lint import risky_patterns

        problems += risky_patterns(rs)
        for p in problems:
            print(p)
        print(f"{len(rs.packs)} pack(s), {len(rs.rules)} rule(s): {'ok' if not problems else f'{len(problems)} problem(s)'}")
        return EXIT_ERROR if problems else EXIT_OK
    results = run_examples(rs)
    failed = [r for r in results if (not r.passed and not r.known_miss) or (r.passed and r.known_miss)]
    for r in failed:
        rule = rs.get(r.rule)
        why = "known miss now passes: remove known_miss" if r.known_miss else r.message
        print(f"{rule.file}: {r.rule}: example {r.index}: {why}")
    misses = sum(1 for r in results if r.known_miss and not r.passed)
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed" + (f", {misses} known misses" if misses else ""))
    return EXIT_FINDINGS if failed else EXIT_OK


COMMANDS = {"terms": cmd_terms, "rules": cmd_rules, "explain": cmd_explain, "packs": cmd_packs}


def main(argv: list[str] | None = None) -> int:
    from .document import InputError
    from .packs.loader import PackError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        tune_gc(freeze=False)  # a command's process is ours: collect less often
        if not args.command:
            parser.print_help()
            return EXIT_ERROR
        handler = COMMANDS.get(args.command) or args.handler
        return handler(args)
    except (UsageError, InputError) as exc:
        print(f"compliance: {exc}" if not str(exc).startswith("compliance") else str(exc), file=sys.stderr)
        return EXIT_ERROR
    except PackError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        print(f"compliance: {len(exc.problems)} pack problem(s)", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("compliance: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        print(f"compliance: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bug: still one line; COMPLIANCE_DEBUG=1 shows the traceback
        import os

        if os.environ.get("COMPLIANCE_DEBUG"):
            raise
        print(f"compliance: internal error: {type(exc).__name__}: {exc} (set COMPLIANCE_DEBUG=1 for details)",
              file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
