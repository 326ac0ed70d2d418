"""How fast the HTML reader is, and whether it still reads exactly what it used to.

    python benchmarks/bench_read.py [--pages N] [--reps R] [--cpu]
    python benchmarks/bench_read.py --equivalence N [--fuzz K] [--fixtures FILE] [--no-tests]

Timing (the default): pinned to one core, the generated pages ``corpus(N)`` (150 by default)
are each read by the frozen reference reader (``_reader_reference.py``, the reader as it was
before the speed work), by the current ``compliance.read.html.read_html`` and by the bare
parser ``ceiling()``; each page's runs are interleaved (so all three see the same machine
load) and the best of R (3) runs counts. Prints mean and median ms/page for each.
``--cpu`` times with the thread's CPU clock instead of the wall clock.

Equivalence: reads inputs with BOTH the reference reader and the current one and asserts
the Documents are equal field by field (path, media type, text, source, blocks, links,
mentions, embeds, signals, url, title, warnings, anchors) and that ``locate()`` agrees for
every block start and end and every link start and end. The inputs:

* ``corpus(N)``, each page read with and without a URL to resolve against;
* every input any test of the suite gives the HTML reader: the suite is run once (in a
  subprocess) with a recorder wrapped around the reader (``--fixtures FILE`` keeps the
  recording to reuse it; ``--no-tests`` skips this part), plus every string constant in
  ``tests/*.py`` and every ``*.html`` file of the repository;
* ``--fuzz K``: K seeded random tag soups made of the pieces the property test uses, and
  K more made of realistic page fragments (cheap, but catches cursor edge cases).

Exit status 1 when any input differs.
"""

from __future__ import annotations

import argparse
import ast
import gc
import importlib
import os
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

URL = "https://mirror.example.net/2024/05/story.html"
_RECORD_ENV = "BENCH_READ_RECORD_DIR"


# --------------------------------------------------------------------------------------
# Recording the reader's inputs while the test suite runs (this module is loaded into
# pytest with ``-p bench_read``).


def pytest_configure(config) -> None:  # pragma: no cover - runs inside the recording pytest
    out = os.environ.get(_RECORD_ENV)
    if not out:
        return
    import compliance.read.html as mod

    inner = mod._read

    def recording(source, path, url):
        try:
            with open(os.path.join(out, f"rec-{os.getpid()}.pkl"), "ab") as fh:
                pickle.dump((source, path, url), fh)
        except Exception:
            pass
        return inner(source, path, url)

    mod._read = recording


def record_test_inputs(keep: str | None = None) -> list[tuple]:
    """Every (source, path, url) the test suite passes to the HTML reader."""
    if keep and os.path.exists(keep):
        with open(keep, "rb") as fh:
            return pickle.load(fh)
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ)
        env[_RECORD_ENV] = d
        env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(ROOT), env.get("PYTHONPATH", "")])
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "bench_read", "-p", "no:cacheprovider"],
                           cwd=ROOT, env=env, capture_output=True, text=True)
        tail = (r.stdout.strip().splitlines() or [""])[-1]
        print(f"  test suite run with the recorder: {tail}")
        for line in r.stdout.splitlines():
            if line.startswith(("FAILED", "ERROR")):
                print("    " + line)
        seen: set = set()
        out: list[tuple] = []
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as fh:
                while True:
                    try:
                        item = pickle.load(fh)
                    except EOFError:
                        break
                    except Exception:
                        break
                    key = (item[0] if isinstance(item[0], str) else repr(item[0]), item[1], item[2])
                    if key not in seen:
                        seen.add(key)
                        out.append(item)
    if keep:
        with open(keep, "wb") as fh:
            pickle.dump(out, fh)
    return out


def static_test_inputs() -> list[tuple]:
    """String constants of the tests that look like markup, and the repository's HTML files."""
    out: list[tuple] = []
    for py in sorted((ROOT / "tests").glob("*.py")):
        try:
            tree = ast.parse(py.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "<" in node.value:
                out.append((node.value, f"{py.name}:{node.lineno}", None))
                out.append((node.value, f"{py.name}:{node.lineno}", "https://example.com/a/b.html"))
    for f in sorted(ROOT.rglob("*.htm*")):
        if ".git" in f.parts or "node_modules" in f.parts:
            continue
        try:
            text = f.read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        out.append((text, str(f.relative_to(ROOT)), None))
        out.append((text, str(f.relative_to(ROOT)), "https://example.org/copy/page.html"))
    return out


# --------------------------------------------------------------------------------------
# Fuzz inputs

_PIECES = [
    "<p>", "</p>", "<div>", "</div>", "<a href='/x'>", "<a href=\"javascript:x\">", "</a>", "<br>", "<b>", "</b>",
    "<li>", "<ul>", "</ul>", "<pre>", "</pre>", "<footer>", "</footer>", "<nav>", "<div class=comments>",
    "<span hidden>", "</span>", "<script>", "</script>", "<style>", "</style>", "<!--", "-->", "<table><td>",
    "<img src=i.png alt=I>", "<noscript>", "</noscript>", "&amp;", "&nbsp;", "&#8217;", "&bogus;", "\r\n", "\n",
    " ", "  ", "\t", "\x00", "word", "Other words", "“quoted”", "é", "<", ">", "\"", "'", "<h2>", "</h2>",
    '<script type="application/ld+json">{"license": "L", "author": {"name": "N"}}</script>',
    '<a rel=license href="https://creativecommons.org/licenses/by/4.0/">CC</a>', "<svg><text>s</text></svg>",
    "<template>t</template>", "<base href='https://b.example/d/'>", "<area href=/ar alt=ar>", "<blockquote>",
    # more than the property test: attributes and elements the reader treats specially
    "<P>", "<A HREF='/X'>", "</A>", "<DIV>", "<SCRIPT>x</SCRIPT>", "<iframe src='/f'>", "</iframe>",
    "<iframe src='/g'>inner</iframe>", "<title>T</title>", "<meta name=author content=A>",
    "<meta property=og:title content='O'>", "<meta name=robots content='noai'>", "<link rel=license href=/l>",
    "<link rel=canonical href=/c>", "<span property='dct:title'>", "<span rel='cc:attributionURL' href='/u'>",
    "<span property=cc:license content=L>", "<div role=contentinfo>", "<div role=navigation>", "<dialog>",
    "<dialog open>", "</dialog>", "<div style='display:none'>", "<p style='visibility: hidden'>", "<header>",
    "<aside>", "<main>", "<article>", "<figure>", "<figcaption>", "</figure>", "<textarea>", "</textarea>",
    "<select><option>o</option></select>", "<video>", "</video>", "<object>", "</object>", "<xmp>", "</xmp>",
    "<listing>", "</listing>", "<plaintext>", "<noembed>", "</noembed>", "<noframes>", "</noframes>",
    "<img data-src='/lazy.jpg'>", "<img srcset='/a.jpg 1x'>", "<script src='/s.js'></script>", "<map>",
    "</map>", "<dt>", "<dd>", "<dl>", "</dl>", "<th>", "<tr>", "</table>", "<h1>", "</h1>", "<em>", "</em>",
    "<a href='https://x.org/'>https://x.org/</a>", "see https://bare.example/x ", "www.example.com ",
    "<a href='mailto:m@x.org'>", "<a href='../up'>", "<a href='#f'>", "<a href='?q'>", "<a href='//h/p'>",
    "<a href=' /sp '>", "<a href='./dot'>", "<a href='/a/../b'>", "<a>", "<a href>", "<a href=''>",
    "<div id=comments>", "<div class='comment-body'>", "<body class='comments-open'>", "<html>", "<head>",
    "</head>", "<body>", "&lt;", "&gt;", "&quot;", "&#x27;", "&eacute;", "\u00a0", "\r", "\f", "<![CDATA[x]]>",
    "<?php x ?>", "<!DOCTYPE html>", "<svg><a href='/s'>in svg</a></svg>", "<math><mi>m</mi></math>",
    "<template><p>tp</p></template>", "<br/>", "<hr>", "<wbr>", "<button>b</button>", "<label>l</label>",
    "line one\n  line two", "x" * 30, "Same words", "Same words ", " Same words",
]

_FRAGMENTS = [
    '<li class="menu-item"><a href="/world/{w}/">{W}</a></li>\n',
    "<p>{W} {w} <a href=\"/{w}/\">{w} {w}</a>, {w}.</p>\n",
    "<p>{W}\n        {w} {w}\n        <a href=\"https://www.{w}.org/x\">{w}</a> {w}.</p>\n",
    '<figure><img src="https://cdn.example.com/{w}.jpg" alt="{W}"><figcaption>{W} '
    '<span class="credit">Photo: {W}</span></figcaption></figure>\n',
    '<div class="comment" id="comment-1"><div class="comment-author"><img src="/g.png" alt=""> {W}</div>'
    '<div class="comment-body"><p>{W} {w}</p></div><a class="reply" href="#c">Reply</a></div>\n',
    '<script>var {w} = "<p>{W}</p>";</script>\n', "<style>.{w} {{ color: red }}</style>\n",
    '<button aria-expanded="false"><svg viewBox="0 0 24 24"><path d="M3 6h18"></path></svg><span>Menu</span></button>',
    '<div class="cookie-banner" hidden><p>{W} <a href="/cookies">{w}</a></p></div>\n',
    '<p class="license">{W} <a rel="license" href="https://creativecommons.org/licenses/by/4.0/">{W}</a>. {W}</p>',
    '<noscript><img height="1" width="1" style="display:none" alt="" src="https://px.example/tr?id=1&amp;e=1"></noscript>',
    '<noscript><iframe src="https://gtm.example/ns.html" height="0" width="0"></iframe></noscript>',
    '<script type="application/ld+json">{{"@type": "NewsArticle", "author": {{"name": "{W}"}}, "license": "/l"}}</script>',
    "<h2>{W}</h2>\n", "<blockquote><p>{W} {w}</p></blockquote>\n", "<ul><li>{W}</li><li>{w}</li></ul>",
    "<p>{W} &amp; {w} &mdash; &#8220;{w}&#8221;&nbsp;{w}</p>\n", "<pre>{w}\n  {w}</pre>\n",
    "<table><tr><td>{W}</td><td>{w}</td></tr></table>\n", "<p>{W}<br>{w}</p>", "<div>{W} <p>{w}</p> {w}</div>",
    "<p>{W} <em>{w}</em> <strong>{w}</strong>{w}</p>", "<a href=\"/x\"><img src=\"/t.png\" alt=\"{W}\"></a>",
    "<time datetime=\"2024-01-01\">{w}</time>", "<nav><ul>", "</ul></nav>", "<footer>", "</footer>",
    "<main><article>", "</article></main>", "<aside>", "</aside>", "<header>", "</header>",
    "<p>{W}\r\n   {w}\r\n   {w}</p>\r\n", "<p>{W} https://example.org/{w} {w}</p>",
]
_WORDS = "the of and news report council city data river market court Example Media licence terms".split()


_JS = "var a = 1; if (a < 2 && b > 3) { x = '<div class=\"q\">' + y + '</div>'; } "
_RAW_PIECES = [
    "<script>{js}</script>", "<SCRIPT>{js}</SCRIPT>", "<Script type='text/javascript'>{js}</sCrIpT >",
    "<script>{js}</scripts>{js}</script>", "<script>{js}<!--{js}</script>", "<script><!--<script>{js}</script>-->x</script>",
    "<script type=\"application/ld+json\">{{\"license\": \"L\"}}</script>", "<script src='/a.js'></script>",
    "<script async src=\"/b.js\">{js}</script>", "<script data-x='a>b'>{js}</script>", "<script data-x=\"</script>\">{js}</script>",
    "<script id=__NEXT_DATA__ type=application/json>{{\"a\": \"{js}\"}}</script>", "<style>{css}</style>",
    "<STYLE media=all>{css}</STYLE>", "<style>{css}</styles>{css}</style>", "<!-- <script>{js}</script> -->",
    "<!-- <style>{css}</style> -->", "<textarea><script>{js}</script></textarea>", "<title><script>{js}</script></title>",
    "<div title='<script>{js}</script>'>t</div>", "<svg><script>{js}</script></svg>", "<svg><style>{css}</style></svg>",
    "<math><script>{js}</script></math>", "<math><mi>x</mi></math>", "<template><script>{js}</script></template>",
    "<noscript><script>{js}</script></noscript>", "<xmp><script>{js}</script></xmp>", "<iframe><script>{js}</script></iframe>",
    "<frameset><script>{js}</script></frameset>", "<select><script>{js}</script></select>", "<table><script>{js}</script><tr><td>c</td></tr></table>",
    "<plaintext><script>{js}</script>", "<p>Visible words</p>", "<p>More <a href='/x'>linked</a> words</p>", "\n",
    "<head>", "</head>", "<body>", "<script>{js}", "<style>{css}", "<script>", "</script>", "<noembed><script>{js}</script></noembed>",
    "<script>\ue000{js}</script>", "<p>\U000F0000</p>", "<script>document.write('<p>w</p>')</script>",
]


def raw_fuzz_inputs(k: int, seed: int = 7) -> list[tuple]:
    """Soups of long scripts and style sheets in places where they are not what they seem."""
    rng = random.Random(seed)
    out: list[tuple] = []
    for i in range(k):
        parts = []
        for _ in range(rng.randint(1, 14)):
            js = _JS * rng.randint(1, 12)
            css = ".c{color:red} " * rng.randint(1, 60)
            parts.append(rng.choice(_RAW_PIECES).format(js=js, css=css))
        out.append(("".join(parts), f"raw-{i}.html", URL if i % 2 else None))
    return out


def fuzz_inputs(k: int, seed: int = 20240501) -> list[tuple]:
    rng = random.Random(seed)
    out: list[tuple] = raw_fuzz_inputs(k)
    for i in range(k):
        src = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 80)))
        out.append((src, f"soup-{i}.html", "https://example.com/dir/page.html" if i % 2 else None))
    for i in range(k):
        parts = []
        for _ in range(rng.randint(1, 60)):
            w = rng.choice(_WORDS)
            parts.append(rng.choice(_FRAGMENTS).format(w=w, W=w.capitalize() + " " + rng.choice(_WORDS)))
        src = "<!DOCTYPE html><html><head><title>t</title></head><body>\n" + "".join(parts) + "</body></html>"
        if i % 3 == 0:
            src = src.upper() if i % 9 == 0 else src.replace("\n", "\r\n")
        out.append((src, f"frag-{i}.html", URL if i % 2 else None))
    return out


# --------------------------------------------------------------------------------------
# Comparing two Documents


_FIELDS = ("path", "media_type", "text", "source", "blocks", "links", "mentions", "embeds", "signals", "url",
           "title", "warnings", "anchors")


def _first_diff(a, b) -> str:
    if isinstance(a, tuple) and isinstance(b, tuple):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return f"[{i}] {x!r:.300} != {y!r:.300}"
        return f"lengths {len(a)} != {len(b)}"
    return f"{a!r:.300} != {b!r:.300}"


def compare(ref, new) -> list[str]:
    """Differences between two Documents, field by field, then ``locate()`` of every block
    and link boundary."""
    diffs = []
    for f in _FIELDS:
        a, b = getattr(ref, f), getattr(new, f)
        if f == "anchors":
            for name, x, y in (("anchors.starts", a[0], b[0]), ("anchors.targets", a[1], b[1])):
                if tuple(x) != tuple(y):
                    diffs.append(f"{name}: {_first_diff(tuple(x), tuple(y))}")
        elif a != b:
            diffs.append(f"{f}: {_first_diff(a, b)}")
    offsets = sorted({o for blk in ref.blocks for o in (blk.start, blk.end)}
                     | {o for lk in ref.links for o in (lk.start, lk.end)})
    bad = [(o, ref.locate(o), new.locate(o)) for o in offsets if ref.locate(o) != new.locate(o)]
    if bad:
        diffs.append(f"locate: {len(bad)} of {len(offsets)} offsets differ, first {bad[0]}")
    return diffs


def equivalence(inputs: list[tuple], label: str, ref_read, new_read, show: int = 5) -> int:
    failed = 0
    for source, path, url in inputs:
        a = ref_read(source, path, url)
        b = new_read(source, path, url)
        d = compare(a, b)
        if d:
            failed += 1
            if failed <= show:
                print(f"  DIFFERENT {label} {path!r} url={url!r} ({len(source) if isinstance(source, str) else '?'} chars):")
                for line in d:
                    print("     ", line)
    ok = len(inputs) - failed
    print(f"  {label}: {ok}/{len(inputs)} identical" + ("" if not failed else f"  ({failed} DIFFER)"))
    return failed


# --------------------------------------------------------------------------------------
# Timing


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def timing(n: int, reps: int, cpu: bool = False) -> dict[str, list[float]]:
    from pages import ceiling, corpus

    import _reader_reference as ref
    from compliance.read.html import read_html

    _pin_one_core()
    pages = corpus(n)
    texts = [p.decode("utf-8") for p in pages]
    fns = {
        "reference": lambda i: ref.read_html(texts[i], f"page-{i}.html", url=URL),
        "read_html": lambda i: read_html(texts[i], f"page-{i}.html", url=URL),
        "ceiling": lambda i: ceiling(pages[i]),
    }
    for f in fns.values():  # warm up
        for i in range(min(n, 5)):
            f(i)
    best = {k: [float("inf")] * n for k in fns}
    gc.collect()
    gc_was = gc.isenabled()
    gc.disable()
    clock = time.thread_time if cpu else time.perf_counter
    try:
        for _ in range(reps):
            for i in range(n):
                for k, f in fns.items():
                    t = clock()
                    f(i)
                    dt = clock() - t
                    if dt < best[k][i]:
                        best[k][i] = dt
    finally:
        if gc_was:
            gc.enable()
    return {k: [x * 1000 for x in v] for k, v in best.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=150)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cpu", action="store_true",
                    help="time with the thread's CPU clock (steadier when other work shares the core)")
    ap.add_argument("--equivalence", type=int, metavar="N")
    ap.add_argument("--fuzz", type=int, default=0, metavar="K")
    ap.add_argument("--fixtures", metavar="FILE", help="keep (or reuse) the recorded test-suite inputs here")
    ap.add_argument("--no-tests", action="store_true", help="equivalence without the test-suite inputs")
    args = ap.parse_args(argv)

    if args.equivalence is not None:
        from pages import corpus

        import _reader_reference as ref
        new = importlib.import_module("compliance.read.html")

        failed = 0
        print(f"equivalence: reference ({ref.__file__}) vs current ({new.__file__})")
        pages = [p.decode("utf-8") for p in corpus(args.equivalence)]
        inputs = [(t, f"page-{i}.html", URL) for i, t in enumerate(pages)]
        inputs += [(t, f"page-{i}.html", None) for i, t in enumerate(pages)]
        failed += equivalence(inputs, f"corpus({args.equivalence}) x 2 urls", ref.read_html, new.read_html)
        if not args.no_tests:
            rec = record_test_inputs(args.fixtures)
            failed += equivalence(rec, "test-suite inputs (recorded)", ref.read_html, new.read_html)
        failed += equivalence(static_test_inputs(), "test string constants + repository .html files",
                              ref.read_html, new.read_html)
        if args.fuzz:
            failed += equivalence(fuzz_inputs(args.fuzz), f"fuzz ({3 * args.fuzz} soups)", ref.read_html,
                                  new.read_html)
        print("EQUIVALENT" if not failed else f"NOT EQUIVALENT: {failed} inputs differ")
        return 1 if failed else 0

    ms = timing(args.pages, args.reps, args.cpu)
    print(f"{args.pages} pages, one core, best of {args.reps} runs per page"
          f" ({'thread CPU time' if args.cpu else 'wall clock'}):")
    for k, v in ms.items():
        print(f"  {k:10s} mean {statistics.fmean(v):6.3f} ms/page   median {statistics.median(v):6.3f}   "
              f"({1000 / statistics.fmean(v):7.1f} pages/s)")
    c = statistics.fmean(ms["ceiling"])
    r = statistics.fmean(ms["reference"])
    n = statistics.fmean(ms["read_html"])
    print(f"  read_html / ceiling {n / c:.2f}x the time (reference {r / c:.2f}x); speed-up over reference {r / n:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
