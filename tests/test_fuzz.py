"""Property tests on hostile input: the readers, the archive readers, terms and checks.

Every reader must, on any bytes, either return a ``Document`` whose every span lies inside
its text and source, or raise ``InputError`` — nothing else, and within a time budget. The
archive readers (WXR, WARC) never raise: what they cannot read becomes an error entry.
Terms and reports built from fuzzed pages validate against their JSON schemas.

The default run stays short (``FUZZ_SCALE`` multiplies every ``max_examples`` for a longer
local run, e.g. ``FUZZ_SCALE=20 python -m pytest tests/test_fuzz.py``);
``benchmarks/fuzz_readers.py`` is the long, coverage-guided campaign.
"""

from __future__ import annotations

import io
import json
import os
import time
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from compliance.archives import Entry, Stats, iter_entries
from compliance.detect import detect_terms
from compliance.document import HTML, Document, InputError
from compliance.findings import Report
from compliance.packs.loader import default_ruleset
from compliance.read import read_bytes
from compliance.report.json_report import validate_report
from compliance.terms import schema_problems
from compliance.validate import check_copy

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_9e6abf22d7dd6653.txt"
COPIES = sorted((ROOT / "seeds" / "copies").glob("*"))
SCALE = max(1, int(os.environ.get("FUZZ_SCALE", "1")))

#: Seconds one small fuzzed page may take to read (generous: CI machines are slow).
READ_BUDGET = 5.0
#: Seconds for terms and a check on one small fuzzed page.
JUDGE_BUDGET = 10.0


def fuzz_settings(n: int, **kw) -> settings:
    return settings(max_examples=n * SCALE, deadline=None, derandomize=SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much], **kw)


@lru_cache(maxsize=None)
def seed_pages() -> tuple[tuple[str, bytes], ...]:
    """(name, bytes) of the sample article and its copies: the starting points of mutation."""
    pages = [(SEED.name, SEED.read_bytes())]
    pages += [(p.name, p.read_bytes()) for p in COPIES if p.suffix in (".html", ".md", ".txt")]
    return tuple(pages)


# --- invariants ------------------------------------------------------------------------------------


def check_document(doc: Document) -> None:
    """Every offset a Document carries lies inside the text or the source it belongs to."""
    n, m = len(doc.text), len(doc.source)
    assert isinstance(doc.text, str) and isinstance(doc.source, str)
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= n, (b, n)
    for ln in doc.links:
        assert 0 <= ln.start <= ln.end <= n, (ln, n)
        assert 0 <= ln.source_offset <= m, (ln, m)
    for mn in doc.mentions:
        assert 0 <= mn.start <= mn.end <= n, (mn, n)
    for e in doc.embeds:
        assert 0 <= e.source_offset <= m, (e, m)
    for s in doc.signals:
        assert 0 <= s.source_offset <= m, (s, m)
    starts, targets = doc.anchors
    assert len(starts) == len(targets)
    assert list(starts) == sorted(starts)
    for t in starts:
        assert 0 <= t <= n, (t, n)
    for t in targets:
        assert 0 <= t and t <= m, (t, m)
    for b in doc.blocks:
        assert 0 <= doc.source_offset(b.start) <= m
        line, col = doc.locate(b.start)
        assert line >= 1 and col >= 1, (b, line, col)
    for ln in doc.links:
        line, col = doc.locate(ln.start)
        assert line >= 1 and col >= 1
    for w in doc.warnings:
        assert isinstance(w, str) and "\n" not in w


def read_or_refuse(data: bytes, name: str, **kw) -> Document | None:
    """``read_bytes``: a checked Document, or None when it refused with InputError; within budget."""
    t0 = time.monotonic()
    try:
        doc = read_bytes(data, name, **kw)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        doc = None
    elapsed = time.monotonic() - t0
    assert elapsed < READ_BUDGET, f"{name}: {len(data)} bytes took {elapsed:.1f}s to read"
    if doc is not None:
        check_document(doc)
    return doc


def check_terms_and_report(doc: Document) -> None:
    """Terms of ``doc`` and a check of ``doc`` against the sample (and back) validate."""
    _check_terms_and_report(doc)


def _check_terms_and_report(doc: Document) -> None:
    t0 = time.monotonic()
    rs = default_ruleset()
    terms = detect_terms(doc, rs)
    assert schema_problems(terms.to_dict()) == []
    source = sample_source()
    results = [
        check_copy(doc, source[1], source=source[0], venue="community", ruleset=rs),
        check_copy(source[0], terms, source=doc, venue="commercial", ruleset=rs),
    ]
    report = Report(tuple(results), packs=rs.versions)
    data = json.loads(json.dumps(report.to_dict()))
    assert validate_report(data) == []
    for r in results:
        for f in r.findings:
            assert f.line >= 1 and f.col >= 1
    elapsed = time.monotonic() - t0
    assert elapsed < JUDGE_BUDGET, f"terms and checks took {elapsed:.1f}s"


@lru_cache(maxsize=1)
def sample_source():
    doc = read_bytes(SEED.read_bytes(), SEED.name,
                     url="https://www.globalresearch.ca/terrorist-retreat-syrian-forces-break-through-isis-frontline/5485063")
    return doc, detect_terms(doc, default_ruleset())


# --- mutations -------------------------------------------------------------------------------------

TAGS = [
    "<div>", "</div>", "<p>", "</p>", "<a href='https://x.example/a'>", "</a>", "<a href=javascript:alert(1)>",
    "<a href='//[::1'>", "<a href='http://%zz'>", "<script>", "</script>", "<style>", "<!--", "-->",
    "<![CDATA[", "]]>", "<table><tr><td>", "</td></tr></table>", "<base href='::'>", "<base href='http://b.example/'>",
    "<meta charset='utf-7'>", "<meta charset=\"x-unknown\">", "<svg><foreignObject>", "<math><mi>", "<template>",
    "<noscript>", "<iframe src='https://t.example'>", "<img src=x alt='(c) 2020'>", "<img src=''>",
    "<link rel=license href='https://creativecommons.org/licenses/by/4.0/'>", "<footer>", "<aside>", "<nav>",
    "<main>", "<article>", "<figure><figcaption>", "<br>", "<hr>", "<pre>", "<textarea>", "<title>", "</title>",
    "<meta name=copyright content='\u00a9 X'>", "<link rel=canonical href='https://c.example/a'>",
    "<script type='application/ld+json'>{\"license\": \"https://creativecommons.org/licenses/by-nd/4.0/\"}</script>",
    "<script type='application/ld+json'>{\"@graph\": [{\"author\": {\"name\": [1, {}]}}]}</script>",
    "<html>", "</html>", "<body>", "<head>", "<!doctype html>", "<?xml version='1.0'?>", "<h1>", "<blockquote>",
    "<li>", "<ul>", "<ol start=-1>", "<select><option>", "<object data=x>", "<embed src=x>", "<a name=x>",
    "<p style='display:none'>", "<span hidden>", "<x-custom attr=\"\">", "<a href='mailto:[email protected]'>",
    "<a href=\"/cdn-cgi/l/email-protection#1f2e\">", "<div dir=rtl>", "<bdo>", "<wbr>", "<ruby><rt>",
]
ENTITIES = ["&amp;", "&#0;", "&#x10FFFF;", "&#xD800;", "&nbsp", "&copy;", "&#99999999999;", "&#x;", "&;",
            "&notin", "&CounterClockwiseContourIntegral;", "&#128512;", "&lt;script&gt;", "&#13;", "&#x85;"]
MD_BITS = ["[x](", "](", "```", "~~~", "---\n", "+++\n", "|", "| --- |", "* ", "- ", "> ", "1. ", "# ", "![a](",
           "[^1]", "\\", "<div>", "<!--", "`", "**", "__", "[ref]: http://r.example", "<http://a.example>",
           "---\ntitle: [\n---\n", "---\nauthor: &a x\nx: *a\n---\n", "+++\ntitle = 1\n+++\n", "    code\n",
           "\n\n", "\r\n", "\r", "|a|b|\n|-|-|\n|c|d|\n", "[a]: <", "<", ">", "&", "\t"]
RAW = [b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\r",
       b"\x1b", b"\x7f", b"\xe2\x80\xae", b"\xcc\x81" * 30, b"\x85", b"\x0c", b"\xa0"]


@st.composite
def mutated_page(draw, max_ops: int = 6) -> tuple[str, bytes]:
    """A seed page after a few structural mutations: truncate, insert tags, entities, NULs and
    bad bytes, duplicate a slice, nest a slice in tags or quotes."""
    name, data = draw(st.sampled_from(seed_pages()))
    data = bytearray(data)
    markdownish = name.endswith((".md", ".txt"))
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(["truncate", "tag", "entity", "raw", "dup", "nest", "md", "delete"]))
        at = draw(st.integers(0, len(data)))
        if op == "truncate":
            del data[at:]
        elif op == "tag":
            data[at:at] = draw(st.sampled_from(TAGS)).encode()
        elif op == "entity":
            data[at:at] = draw(st.sampled_from(ENTITIES)).encode()
        elif op == "raw":
            data[at:at] = draw(st.sampled_from(RAW)) * draw(st.integers(1, 3))
        elif op == "dup":
            end = draw(st.integers(at, min(len(data), at + 2000)))
            data[at:at] = data[at:end] * draw(st.integers(1, 4))
        elif op == "nest":
            end = draw(st.integers(at, min(len(data), at + 500)))
            depth = draw(st.integers(1, 60))
            if markdownish and draw(st.booleans()):
                open_, close = b"> " * depth, b""
            else:
                tag = draw(st.sampled_from(["div", "b", "a", "ul", "table", "p", "blockquote", "span", "li"]))
                open_, close = f"<{tag}>".encode() * depth, f"</{tag}>".encode() * draw(st.integers(0, depth))
            data[at:end] = open_ + data[at:end] + close
        elif op == "md":
            data[at:at] = draw(st.sampled_from(MD_BITS)).encode()
        else:
            end = draw(st.integers(at, min(len(data), at + 300)))
            del data[at:end]
    as_name = draw(st.sampled_from([name, "page.html", "page.md", "page.txt", "page"]))
    return as_name, bytes(data)


# --- readers: arbitrary bytes ----------------------------------------------------------------------

NAMES = st.sampled_from(["p.html", "p.md", "p.txt", "p", "p.xhtml", "p.markdown"])


@fuzz_settings(300)
@given(data=st.binary(max_size=3000), name=NAMES, media=st.sampled_from([None, "text/html", "text/markdown",
                                                                            "text/plain", "application/xhtml+xml"]),
       charset=st.sampled_from([None, "utf-8", "latin-1", "utf-16", "shift_jis", "x-bogus", "utf-7"]))
def test_read_bytes_arbitrary(data, name, media, charset):
    read_or_refuse(data, name, media_type=media, charset=charset)


@fuzz_settings(300)
@given(text=st.text(max_size=2000), name=NAMES)
def test_read_text_arbitrary_unicode(text, name):
    read_or_refuse(text.encode("utf-8", "surrogatepass"), name)


@fuzz_settings(120)
@given(parts=st.lists(st.sampled_from(TAGS + ENTITIES + MD_BITS + ["word ", "Copyright ", "\u00a9 ", "by ", "\n"]),
                      max_size=80), name=NAMES)
def test_read_token_soup(parts, name):
    read_or_refuse("".join(parts).encode("utf-8"), name)


# --- readers: mutated real pages -------------------------------------------------------------------


@fuzz_settings(160)
@given(page=mutated_page())
def test_read_mutated_pages(page):
    name, data = page
    read_or_refuse(data, name)


def test_seed_pages_are_read():
    for name, data in seed_pages():
        doc = read_or_refuse(data, name)
        assert doc is not None, name


# --- JSON-LD ---------------------------------------------------------------------------------------

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                      st.text(max_size=30),
                      st.sampled_from(["https://creativecommons.org/licenses/by/4.0/", "CC BY-NC 4.0", "\u00a9 2015",
                                       "Person", "NewsArticle", "@graph", "</script>", "<!--", "\u2028"]))
JSON_KEYS = st.one_of(st.sampled_from(["@context", "@type", "@graph", "@id", "license", "author", "name",
                                       "publisher", "copyrightHolder", "copyrightNotice", "copyrightYear",
                                       "url", "isAccessibleForFree", "creditText", "sameAs", "mainEntityOfPage"]),
                      st.text(max_size=10))
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                             st.dictionaries(JSON_KEYS, inner, max_size=6)),
                          max_leaves=40)


@fuzz_settings(120)
@given(value=JSON_VALUE, broken=st.integers(-1, 200), copies=st.integers(1, 3))
def test_jsonld_scripts(value, broken, copies):
    try:
        text = json.dumps(value, allow_nan=True)
    except (ValueError, RecursionError):
        text = "{"
    if broken >= 0:  # cut the JSON short: it must be ignored, not crash the reader
        text = text[:broken]
    script = f"<script type=\"application/ld+json\">{text}</script>"
    seed = dict(seed_pages())["compliant.html"].decode("utf-8")
    page = seed.replace("</head>", script * copies + "</head>", 1)
    doc = read_or_refuse(page.encode("utf-8"), "page.html")
    assert doc is not None
    check_terms_and_report(doc)


# --- terms and checks on fuzzed documents ----------------------------------------------------------


@fuzz_settings(60)
@given(page=mutated_page(max_ops=4))
def test_terms_and_checks_on_mutated_pages(page):
    name, data = page
    doc = read_or_refuse(data, name)
    assume(doc is not None)
    check_terms_and_report(doc)


@fuzz_settings(50)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=1500), name=NAMES)
def test_terms_and_checks_on_arbitrary_text(text, name):
    doc = read_or_refuse(text.encode("utf-8", "surrogatepass"), name)
    assume(doc is not None)
    check_terms_and_report(doc)


# --- archive readers: WordPress exports ------------------------------------------------------------


def check_entries(path: str, **kw) -> list[Entry]:
    """``iter_entries`` never raises; errors are one-line reasons; good entries read or refuse."""
    t0 = time.monotonic()
    stats = Stats()
    out = list(iter_entries(path, stats=stats, **kw))
    assert time.monotonic() - t0 < READ_BUDGET
    for e in out:
        assert e.name
        if e.error is not None:
            assert e.error and "\n" not in e.error and e.data == b""
        else:
            read_or_refuse(e.data, e.name, media_type=e.media_type, charset=e.charset, url=e.url)
    assert stats.errors == sum(1 for e in out if e.error is not None)
    return out


WXR_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml_text(text: str) -> str:
    import re

    # XML 1.0 forbids most control characters even escaped: drop them (the fuzz covers them
    # below, in the raw mutations).
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def wxr_file(draw) -> bytes:
    items = []
    for _ in range(draw(st.integers(0, 4))):
        body = draw(st.one_of(WXR_TEXT, st.sampled_from([p.decode("utf-8", "replace") for n, p in seed_pages()
                                                         if n.endswith(".html")])))
        content = draw(st.sampled_from(["cdata", "escaped", "missing", "empty"]))
        enc = {"cdata": _cdata(body), "escaped": _xml_text(body), "missing": None, "empty": ""}[content]
        fields = [f"<title>{_xml_text(draw(WXR_TEXT))}</title>", f"<link>{_xml_text(draw(WXR_TEXT))}</link>",
                  f"<dc:creator>{_xml_text(draw(WXR_TEXT))}</dc:creator>",
                  f"<wp:post_id>{draw(st.integers(-5, 10**12))}</wp:post_id>",
                  f"<wp:post_type>{draw(st.sampled_from(['post', 'page', 'attachment', '']))}</wp:post_type>"]
        if enc is not None:
            fields.append(f"<content:encoded>{enc}</content:encoded>")
        items.append("<item>" + "".join(draw(st.permutations(fields))) + "</item>")
    ns = draw(st.sampled_from(["http://wordpress.org/export/1.2/", "http://wordpress.org/export/1.1/",
                               "http://wordpress.org/export/1.2/excerpt/", "http://example.org/not-wp/"]))
    doctype = draw(st.sampled_from([
        "", "<!DOCTYPE rss>", '<!DOCTYPE rss [<!ENTITY x "y">]>',
        '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>', '<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/x.dtd">',
    ]))
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<rss version="2.0" '
           f'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="{ns}" '
           f'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>'
           + "".join(items) + "</channel></rss>")
    data = bytearray(xml.encode("utf-8"))
    for _ in range(draw(st.integers(0, 3))):  # structural breakage
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["cut", "insert", "delete", "byte"]))
        if op == "cut":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.sampled_from([b"<item>", b"</item>", b"</channel>", b"&x;", b"&amp", b"<", b"]]>",
                                                b"\x00", b"\xff", b"<!ENTITY a 'b'>", b"<?pi x?>", b"<!-- -->"]))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        else:
            if at < len(data):
                data[at] = draw(st.integers(0, 255))
    return bytes(data)


@fuzz_settings(120)
@given(data=wxr_file(), max_members=st.sampled_from([1, 3, 1_000_000]), max_bytes=st.sampled_from([10, 20 * 2**20]))
def test_wxr_never_raises(tmp_path_factory, data, max_members, max_bytes):
    path = tmp_path_factory.mktemp("wxr") / "export.xml"
    path.write_bytes(data)
    out = check_entries(str(path), max_members=max_members, max_bytes=max_bytes)
    for e in out:
        assert b"root:" not in e.data  # nothing ever read from the external entity (/etc/passwd)
        if e.ok:
            assert b"<!ENTITY" not in data[:data.find(b"<rss")]  # a file that declares entities yields no page


# --- archive readers: WARC record headers ----------------------------------------------------------

_WARC_HEADERS = ["WARC-Type", "WARC-Target-URI", "Content-Length", "Content-Type", "WARC-Record-ID", "WARC-Date",
                 "WARC-Truncated", "WARC-Payload-Digest", "WARC-Block-Digest", "WARC-Refers-To"]
_HTTP_HEADERS = ["Content-Type", "Content-Encoding", "Transfer-Encoding", "Content-Length", "Status"]


def _warc_records() -> list[bytes]:
    """Three small uncompressed WARC records (response, resource, request) as written by warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    records = []
    seed = dict(seed_pages())["compliant.html"]
    for kind, body, http in (
        ("response", seed, [("Content-Type", "text/html; charset=utf-8")]),
        ("resource", b"A plain page. Copyright 2015 Someone.", None),
        ("request", b"", [("Host", "x.example")]),
    ):
        buf = io.BytesIO()
        w = WARCWriter(buf, gzip=False)
        if kind == "response":
            hdr = StatusAndHeaders("200 OK", http, protocol="HTTP/1.1")
            rec = w.create_warc_record("https://copy.example/a", kind, payload=io.BytesIO(body), http_headers=hdr,
                                       length=len(body))
        elif kind == "request":
            hdr = StatusAndHeaders("GET /a HTTP/1.1", http, is_http_request=True)
            rec = w.create_warc_record("https://copy.example/a", kind, payload=io.BytesIO(body), http_headers=hdr)
        else:
            rec = w.create_warc_record("https://copy.example/b", kind, payload=io.BytesIO(body),
                                       warc_content_type="text/plain", length=len(body))
        w.write_record(rec)
        records.append(buf.getvalue())
    return records


@lru_cache(maxsize=1)
def warc_records() -> tuple[bytes, ...]:
    return tuple(_warc_records())


HEADER_VALUES = st.one_of(
    st.sampled_from(["", " ", "-1", "0", "1", "99999999999999999999", "0x10", "1e3", "response", "resource",
                     "revisit", "warcinfo", "conversion", "continuation", "metadata", "text/html", "application/http",
                     "application/http; msgtype=response", "text/html; charset=x-bogus", "<urn:uuid:x>", "length",
                     "gzip", "br", "zstd", "deflate", "chunked", "gzip, gzip", "chunked, gzip", "\u00e9", "a: b"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=20),
)


@st.composite
def mutated_warc(draw) -> bytes:
    out = []
    for rec in draw(st.lists(st.sampled_from(warc_records()), min_size=1, max_size=4)):
        head, sep, rest = rec.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        # HTTP header lines of a response record live at the start of ``rest``.
        http_head, hsep, http_rest = rest.partition(b"\r\n\r\n") if rest.startswith(b"HTTP/") else (b"", b"", rest)
        http_lines = http_head.split(b"\r\n") if http_head else []
        for _ in range(draw(st.integers(1, 4))):
            target = lines if not http_lines or draw(st.booleans()) else http_lines
            op = draw(st.sampled_from(["set", "delete", "dup", "garble", "first"]))
            i = draw(st.integers(0, len(target) - 1))
            if op == "set":
                names = _WARC_HEADERS if target is lines else _HTTP_HEADERS
                line = f"{draw(st.sampled_from(names))}: {draw(HEADER_VALUES)}".encode("utf-8")
                target.insert(draw(st.integers(1, len(target))), line)
            elif op == "delete" and i > 0:
                del target[i]
            elif op == "dup":
                target.insert(i, target[i])
            elif op == "garble":
                line = bytearray(target[i])
                if line:
                    j = draw(st.integers(0, len(line) - 1))
                    line[j:j + draw(st.integers(0, 3))] = draw(st.sampled_from([b"", b":", b"\n", b"\x00", b" ", b"\xff"]))
                target[i] = bytes(line)
            else:
                target[0] = draw(st.sampled_from([b"WARC/1.0", b"WARC/1.1", b"WARC/2.0", b"WARC/", b"HTTP/1.1 200 OK",
                                                  b"HTTP/1.1 404 Not Found", b"HTTP/1.1 abc", b""]))
        rest = (b"\r\n".join(http_lines) + hsep + http_rest) if http_lines else rest
        if draw(st.booleans()):
            cut = draw(st.integers(0, len(rest)))
            rest = rest[:cut]
        out.append(b"\r\n".join(lines) + sep + rest)
    return b"".join(out)


@fuzz_settings(160)
@given(data=mutated_warc(), gz=st.booleans(), max_bytes=st.sampled_from([100, 20 * 2**20]))
def test_warc_mutated_headers_never_raise(tmp_path_factory, data, gz, max_bytes):
    import gzip

    folder = tmp_path_factory.mktemp("warc")
    if gz:
        path = folder / "crawl.warc.gz"
        path.write_bytes(gzip.compress(data))
    else:
        path = folder / "crawl.warc"
        path.write_bytes(data)
    check_entries(str(path), max_bytes=max_bytes)


@fuzz_settings(80)
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".warc", ".warc.gz", ".zip", ".tar", ".tar.gz", ".xml"]),
       prefix=st.sampled_from([b"", b"WARC/1.0\r\n", b"PK\x03\x04", b"\x1f\x8b\x08\x00", b"<?xml version='1.0'?><rss"]))
def test_archive_readers_on_arbitrary_bytes(tmp_path_factory, data, suffix, prefix):
    path = tmp_path_factory.mktemp("arch") / f"input{suffix}"
    path.write_bytes(prefix + data)
    check_entries(str(path))
