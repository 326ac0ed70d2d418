"""A coverage-guided fuzzing campaign on the readers, with atheris (libFuzzer for Python).

    pip install atheris
    python benchmarks/fuzz_readers.py [--minutes 10] [--targets html,markdown,text,wxr,warc] [--out DIR]

Each target gets an equal share of the time, in its own process, starting from a corpus built
from ``seeds/`` (the sample article, its copies, a WordPress export and a WARC written with
warcio). An input fails when a reader raises anything but ``InputError`` (the archive readers:
anything at all), when a span of the ``Document`` lies outside its text or source (the checks of
``tests/test_fuzz.py``), when one input takes over ``--timeout`` seconds, or when the process
passes ``--rss-mb``. libFuzzer then writes the input to ``DIR/<target>/crash-…`` (or
``timeout-…``/``oom-…``) and the campaign restarts the target for the rest of its time.

At the end it prints, per target: executions, exec/s, coverage (libFuzzer's ``cov:`` edges and
``ft:`` features over the instrumented ``compliance`` package), corpus size and the failures found.
Reproduce one with ``python benchmarks/fuzz_readers.py --run TARGET DIR/TARGET/crash-…``. The
corpus in ``DIR`` is kept between campaigns (``FUZZ_FRESH=1`` starts from the seeds again).

Without atheris (``--hypothesis``, or when it does not import) the same targets run under
Hypothesis for the same time, in batches of fresh random examples: not coverage-guided.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

TARGETS = ("html", "markdown", "text", "wxr", "warc")
NAMES = {"html": "page.html", "markdown": "page.md", "text": "page.txt"}
_SCRATCH = Path(os.environ.get("FUZZ_SCRATCH", "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()))


# --- the targets -----------------------------------------------------------------------------------


def _import_targets():
    """The modules under test, imported (and so instrumented) here."""
    import compliance.archives  # noqa: F401
    import compliance.archives._tar  # noqa: F401
    import compliance.archives._warc  # noqa: F401
    import compliance.archives._wxr  # noqa: F401
    import compliance.archives._zip  # noqa: F401
    import compliance.read  # noqa: F401
    import compliance.read.decode  # noqa: F401
    import compliance.read.html  # noqa: F401
    import compliance.read.markdown  # noqa: F401
    import compliance.read.text  # noqa: F401


def make_target(name: str):
    """``TestOneInput`` for one target: raises (a crash for libFuzzer) on any broken promise."""
    from compliance.archives import iter_entries
    from compliance.document import InputError
    from compliance.read import read_bytes
    from test_fuzz import check_document

    def read_checked(data: bytes, path: str, **kw) -> None:
        try:
            doc = read_bytes(data, path, **kw)
        except InputError as exc:
            assert "\n" not in str(exc)
            return
        check_document(doc)

    if name in NAMES:
        path = NAMES[name]

        def one(data: bytes) -> None:
            read_checked(data, path)

        return one

    scratch = _SCRATCH / f"fuzz-{name}-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)

    def one_archive(data: bytes) -> None:
        if name == "wxr":
            file = scratch / "export.xml"
        else:
            file = scratch / ("crawl.warc.gz" if data.startswith(b"\x1f\x8b") else "crawl.warc")
        file.write_bytes(data)
        try:
            for entry in iter_entries(str(file), max_members=50):  # never raises
                if entry.error is not None:
                    assert entry.error and "\n" not in entry.error
                else:
                    read_checked(entry.data, entry.name, media_type=entry.media_type, url=entry.url,
                                 charset=entry.charset)
        finally:
            file.unlink(missing_ok=True)

    return one_archive


# --- seed corpus -----------------------------------------------------------------------------------


def seed_corpus(target: str) -> list[bytes]:
    seeds = ROOT / "seeds"
    pages = [seeds / "000_9e6abf22d7dd6653.txt", *sorted((seeds / "copies").iterdir())]
    if target in ("html", "markdown", "text"):
        out = [p.read_bytes() for p in pages if p.is_file()]
        out += [b"<!doctype html><html><head><base href=/x/><script type=application/ld+json>{\"license\":"
                b"\"https://creativecommons.org/licenses/by/4.0/\"}</script></head><body><p>a</p></body></html>",
                b"---\ntitle: T\nauthor: [A, B]\n---\n# T\n\n> quote [l](http://a.example) `c`\n\n|a|b|\n|-|-|\n|1|2|\n",
                b"+++\ntitle = 'T'\n+++\n\nText https://a.example/x. \xc2\xa9 2020 X.\r\n\r\nMore."]
        return out
    if target == "wxr":
        items = []
        for i, p in enumerate(x for x in pages if x.suffix == ".html"):
            body = p.read_text("utf-8").replace("]]>", "]]]]><![CDATA[>")
            items.append(f"<item><title>t{i}</title><link>https://blog.example/{i}</link>"
                         f"<dc:creator>a</dc:creator><wp:post_id>{i}</wp:post_id><wp:post_type>post</wp:post_type>"
                         f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")
        head = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                'xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                "<channel><title>x</title>")
        return [(head + "".join(items[:n]) + "</channel></rss>").encode() for n in (0, 1, 3)]
    # warc
    import gzip

    from test_fuzz import warc_records

    recs = list(warc_records())
    return [b"".join(recs), recs[0], recs[1], gzip.compress(recs[0]) + gzip.compress(recs[1])]


def libfuzzer_dict(target: str) -> str:
    """Tokens libFuzzer splices into inputs: tags, entities, Markdown marks, WARC and XML words."""
    from test_fuzz import ENTITIES, MD_BITS, TAGS

    words = {"html": TAGS + ENTITIES, "markdown": MD_BITS + ENTITIES + TAGS[:20], "text": MD_BITS[:10] + ["http://",
             "https://", "www.", "\u00a9", "Copyright", "\r\n"], "wxr": ["<item>", "</item>", "<![CDATA[", "]]>",
             "<content:encoded>", "</content:encoded>", "<!DOCTYPE", "<!ENTITY", "SYSTEM", "&amp;", "<channel>",
             "xmlns:wp=", "http://wordpress.org/export/1.2/", "<wp:post_type>", "encoding="],
             "warc": ["WARC/1.0\r\n", "WARC-Type: ", "response", "resource", "revisit", "Content-Length: ",
                      "Content-Type: ", "application/http; msgtype=response", "text/html", "WARC-Target-URI: ",
                      "WARC-Truncated: length", "HTTP/1.1 200 OK\r\n", "Transfer-Encoding: chunked",
                      "Content-Encoding: gzip", "Content-Encoding: br", "\r\n\r\n", "charset="]}[target]

    def quote(w: str) -> str:
        return '"' + "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "".join(f"\\x{b:02x}" for b in
                                                                                        c.encode("utf-8"))
                             for c in w) + '"'

    return "\n".join(quote(w) for w in words if w) + "\n"


# --- running ---------------------------------------------------------------------------------------


def run_one(target: str, argv: list[str]) -> None:
    """In this process: fuzz one target with libFuzzer (``argv`` are libFuzzer's arguments)."""
    import atheris

    with atheris.instrument_imports(include=["compliance"]):
        _import_targets()
    one = make_target(target)
    atheris.Setup([sys.argv[0], *argv], one)
    atheris.Fuzz()


_STAT = re.compile(r"#(\d+)\s+(?:INITED|NEW|REDUCE|pulse|DONE|RELOAD)\b.*?cov: (\d+) ft: (\d+) corp: (\d+)")
_EXECS = re.compile(r"stat::number_of_executed_units: (\d+)")


def campaign(args) -> int:
    out = Path(args.out)
    targets = [t for t in args.targets.split(",") if t]
    share = args.minutes * 60 / len(targets)
    rows = []
    for target in targets:
        tdir = out / target
        corpus = tdir / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        for i, data in enumerate(seed_corpus(target)):
            (corpus / f"seed-{i}").write_bytes(data)
        dictionary = tdir / "dict.txt"
        dictionary.write_text(libfuzzer_dict(target), encoding="ascii")
        end = time.monotonic() + share
        execs, cov, ft, corp, runs = 0, 0, 0, 0, 0
        failures: list[str] = []
        log = tdir / "fuzz.log"
        with open(log, "w") as lf:
            while (left := end - time.monotonic()) > 5:
                runs += 1
                cmd = [sys.executable, __file__, "--run", target, "--", str(corpus),
                       f"-max_total_time={int(left)}", f"-timeout={args.timeout}", f"-rss_limit_mb={args.rss_mb}",
                       f"-max_len={args.max_len}", f"-artifact_prefix={tdir}/", f"-dict={dictionary}",
                       "-print_final_stats=1"]
                before = set(tdir.glob("*-*"))
                proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                      errors="replace")
                lf.write(proc.stdout)
                lf.flush()
                for m in _STAT.finditer(proc.stdout):
                    cov, ft, corp = max(cov, int(m.group(2))), max(ft, int(m.group(3))), int(m.group(4))
                got = [int(x) for x in _EXECS.findall(proc.stdout)]
                if got:
                    execs += got[-1]
                else:  # killed by a crash before the final stats: count the last status line
                    lines = _STAT.findall(proc.stdout)
                    execs += int(lines[-1][0]) if lines else 0
                new = sorted(set(tdir.glob("*-*")) - before)
                new = [p for p in new if p.name.split("-")[0] in ("crash", "timeout", "oom", "leak", "slow")]
                failures += [p.name for p in new]
                if proc.returncode == 0 or not new:
                    break
        rows.append((target, execs, share, cov, ft, corp, runs, failures))
        print(f"{target:9} {execs:>9} execs {execs / share:8.0f}/s  cov {cov:5} ft {ft:6}  corpus {corp:5}  "
              f"failures {len(failures)}" + (f": {', '.join(failures)}" if failures else ""), flush=True)
    total = sum(r[1] for r in rows)
    print(f"total     {total:>9} execs in {args.minutes:.1f} min; failures: {sum(len(r[7]) for r in rows)}")
    print(f"artifacts and logs in {out}")
    return 1 if any(r[7] for r in rows) else 0


def _batch(strat, one, count: list[int], n: int = 200):
    """A Hypothesis test running ``one`` on ``n`` fresh examples of ``strat``, counting them."""
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strat)
    def prop(data):
        count[0] += 1
        one(data)

    return prop


def hypothesis_campaign(args) -> int:
    """Fallback: the same targets under Hypothesis, random inputs and mutations of the seeds."""
    from hypothesis import strategies as st
    from test_fuzz import mutated_page, mutated_warc, wxr_file

    failures = 0
    share = args.minutes * 60 / len(args.targets.split(","))
    for target in args.targets.split(","):
        one = make_target(target)
        if target in NAMES:
            strat = st.one_of(st.binary(max_size=4000), mutated_page().map(lambda p: p[1]))
        elif target == "wxr":
            strat = wxr_file()
        else:
            strat = mutated_warc()
        count = [0]
        prop = _batch(strat, one, count)
        deadline = time.monotonic() + share
        while time.monotonic() < deadline:  # batches of fresh random examples until the time is up
            try:
                prop()
            except Exception as exc:  # noqa: BLE001 - report (shrunk) and go on with the next target
                failures += 1
                print(f"{target}: failure: {type(exc).__name__}: {exc}")
                break
        print(f"{target:9} {count[0]:>9} examples in {share:.0f}s (Hypothesis, not coverage-guided)", flush=True)
    return 1 if failures else 0


def main() -> int:
    if "--run" in sys.argv:
        i = sys.argv.index("--run")
        target = sys.argv[i + 1]
        rest = sys.argv[i + 2:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        if rest and not rest[0].startswith("-") and Path(rest[0]).is_file():  # reproduce one input
            make_target(target)(Path(rest[0]).read_bytes())
            print("no failure")
            return 0
        run_one(target, rest)
        return 0
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10.0, help="total time, shared by the targets")
    p.add_argument("--targets", default=",".join(TARGETS))
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "_data" / "fuzz"))
    p.add_argument("--timeout", type=int, default=10, help="seconds one input may take")
    p.add_argument("--rss-mb", type=int, default=2048)
    p.add_argument("--max-len", type=int, default=65536)
    p.add_argument("--hypothesis", action="store_true", help="use Hypothesis instead of atheris")
    args = p.parse_args()
    if not args.hypothesis:
        try:
            import atheris  # noqa: F401
        except ImportError:
            print("atheris is not installed (pip install atheris): falling back to Hypothesis", file=sys.stderr)
            args.hypothesis = True
    if args.hypothesis:
        return hypothesis_campaign(args)
    if os.environ.get("FUZZ_FRESH"):
        shutil.rmtree(Path(args.out), ignore_errors=True)
    return campaign(args)


if __name__ == "__main__":
    sys.exit(main())
