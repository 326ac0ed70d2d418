"""Attacks on the tool, through the command line as a user would run it (its ``main`` in this
process, or a real process where a hang must be stopped by a timeout).

Each attack ends as a result (or a one-line error) with its reason, in bounded time, and
nothing is written outside the output folder: archives are read in memory, never extracted;
XML entities are never expanded; rule regexes run under a time budget.

Tests marked ``xfail(strict=True)`` pin bugs found here in files owned elsewhere (named in the
reason); they turn red when the bug is fixed, so that the marker is removed.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import struct
import subprocess
import sys
import tarfile
import threading
import time
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from compliance.archives import SKIP_SYMLINK, Stats, iter_entries
from compliance.document import InputError
from compliance.read import read_bytes

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_9e6abf22d7dd6653.txt"
COPY = (ROOT / "seeds" / "copies" / "compliant.html").read_bytes()


# --- helpers ---------------------------------------------------------------------------------------


def cli(*args: str, cwd: Path, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``python -m compliance ARGS`` in ``cwd``; (process, seconds)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("COMPLIANCE_CONFIG", None)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "compliance", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)
    return proc, time.monotonic() - t0


def run(*args: str) -> tuple[int, str, str, float]:
    """``compliance ARGS`` in this process (faster than a subprocess): (status, stdout, stderr, seconds)."""
    from contextlib import redirect_stderr, redirect_stdout

    from compliance.cli import main

    out, err = io.StringIO(), io.StringIO()
    t0 = time.monotonic()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue(), time.monotonic() - t0


def tree(root: Path) -> set[str]:
    """Every path under ``root`` (files, folders, links), relative."""
    out = set()
    for folder, dirs, files in os.walk(root):
        for n in dirs + files:
            out.add(os.path.relpath(os.path.join(folder, n), root))
    return out


def results(out: Path) -> list[dict]:
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text("utf-8").splitlines() if x.strip()]
    return [x for x in lines if x.get("type") == "result"]


def audit(work: Path, candidates: list[str], *extra: str, subprocess_timeout: float | None = None):
    """``compliance audit`` of the sample source against ``candidates`` (in ``work``) into
    ``work/out``; checks that nothing appeared in ``work`` (nor its parent) outside ``out``.
    (status, stderr, seconds, result lines). In this process, or in a subprocess with a timeout."""
    before_work, before_parent = tree(work), tree(work.parent)
    args = ["audit", "--sources", str(SEED), "--candidates", *[str(work / c) for c in candidates],
            "--out", str(work / "out"), "--jobs", "1", "--venue", "community", "--format", "json", *extra]
    if subprocess_timeout:
        proc, elapsed = cli(*args, cwd=work, timeout=subprocess_timeout)
        code, err = proc.returncode, proc.stderr
    else:
        code, _, err, elapsed = run(*args)
    assert "internal error" not in err, err
    new_work = tree(work) - before_work
    assert all(p == "out" or p.startswith("out" + os.sep) for p in new_work), sorted(new_work)[:10]
    new_parent = tree(work.parent) - before_parent
    assert all(p.startswith(work.name + os.sep) for p in new_parent), sorted(new_parent)[:10]
    return code, err, elapsed, [dict(x, page=_rel(x["page"], work)) for x in results(work / "out")]


def _rel(page: str, work: Path) -> str:
    prefix = str(work) + os.sep
    return page[len(prefix):] if page.startswith(prefix) else page


def by_page(lines: list[dict]) -> dict[str, dict]:
    return {x["page"]: x for x in lines}


@pytest.fixture
def work(tmp_path: Path) -> Path:
    w = tmp_path / "work"
    w.mkdir()
    return w


@pytest.fixture
def token() -> str:
    return uuid.uuid4().hex[:12]


def escape_targets(work: Path, token: str) -> list[Path]:
    """Where a naive extractor would have written the traversal members."""
    return [work.parent / f"escape-{token}.html", work.parent.parent / f"escape-{token}.html",
            work / f"escape-{token}.html", Path.cwd() / f"escape-{token}.html",
            Path.cwd().parent / f"escape-{token}.html", Path(f"/tmp/compliance-hostile-{token}")]


# --- zip and tar: traversal, absolute paths, links --------------------------------------------------


def test_zip_traversal_absolute_and_symlink_members_are_only_names(work, token):
    with zipfile.ZipFile(work / "evil.zip", "w") as z:
        z.writestr(f"../../escape-{token}.html", COPY)
        z.writestr(f"/tmp/compliance-hostile-{token}/abs.html", COPY)
        z.writestr(f"..\\..\\escape-{token}.html", COPY)
        link = zipfile.ZipInfo(f"link-{token}.html")
        link.create_system = 3  # Unix: the mode is in the high 16 bits
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
        z.writestr("ok.html", COPY)
    _, err, _, lines = audit(work, ["evil.zip"])
    pages = by_page(lines)
    for member in (f"../../escape-{token}.html", f"/tmp/compliance-hostile-{token}/abs.html",
                   f"..\\..\\escape-{token}.html", "ok.html"):
        line = pages[f"evil.zip!{member}"]  # judged like any page, by its name
        assert line["status"] == "compliant" and line["source"], line
    assert not any(f"link-{token}" in p for p in pages)  # the link's target is never read as a page
    assert "1 symlink" in err
    for target in escape_targets(work, token):
        assert not target.exists(), target


def _tar_member(tf: tarfile.TarFile, name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE,
                linkname: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    tf.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def test_tar_traversal_absolute_symlinks_and_hardlinks(work, token):
    with tarfile.open(work / "evil.tar.gz", "w:gz") as tf:
        _tar_member(tf, f"../../escape-{token}.html", COPY)
        _tar_member(tf, f"/tmp/compliance-hostile-{token}/abs.html", COPY)
        _tar_member(tf, "passwd.html", kind=tarfile.SYMTYPE, linkname="/etc/passwd")
        _tar_member(tf, "hard.html", kind=tarfile.LNKTYPE, linkname="/etc/passwd")
        # The classic two-step: a link to a folder outside, then a file "through" it.
        _tar_member(tf, "outside", kind=tarfile.SYMTYPE, linkname=f"/tmp/compliance-hostile-{token}")
        _tar_member(tf, "outside/through-link.html", COPY)
        _tar_member(tf, "zero", kind=tarfile.CHRTYPE)
        _tar_member(tf, "pipe", kind=tarfile.FIFOTYPE)
        _tar_member(tf, "ok.html", COPY)
    _, err, _, lines = audit(work, ["evil.tar.gz"])
    pages = by_page(lines)
    for member in (f"../../escape-{token}.html", f"/tmp/compliance-hostile-{token}/abs.html",
                   "outside/through-link.html", "ok.html"):
        assert pages[f"evil.tar.gz!{member}"]["status"] == "compliant"
    assert "evil.tar.gz!passwd.html" not in pages and "evil.tar.gz!hard.html" not in pages
    assert "2 symlink" in err and "1 hardlink" in err and "2 device" in err
    for target in escape_targets(work, token):
        assert not target.exists(), target


def test_zip_symlink_member_is_skipped_in_process(tmp_path):
    """Regression: a zip symlink member used to be read as a page whose text is its target."""
    path = tmp_path / "links.zip"
    with zipfile.ZipFile(path, "w") as z:
        link = zipfile.ZipInfo("a.html")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "../../../../etc/passwd")
        z.writestr("b.html", "<p>b</p>")
    stats = Stats()
    names = [e.name for e in iter_entries(str(path), stats=stats)]
    assert names == [f"{path}!b.html"]
    assert stats.skipped == {SKIP_SYMLINK: 1}


def test_reports_escape_what_hostile_pages_say(work):
    # A copy without the link back: listed by name among the copies to act on.
    copy = (ROOT / "seeds" / "copies" / "missing-link.html").read_text("utf-8")
    copy = copy.replace("<h1>", "<h1>&lt;script&gt;alert('title')&lt;/script&gt; ", 1)
    with zipfile.ZipFile(work / "xss.zip", "w") as z:
        z.writestr("<img src=x onerror=alert(1)>.html", copy)
        z.writestr("a\"'><script>alert(2)</script>.html", copy)
    code, _, _, lines = audit(work, ["xss.zip"], "--format", "junit")
    assert len(lines) == 2
    out = work / "out"
    html_summary = (out / "summary.html").read_text("utf-8")
    assert "<script>alert" not in html_summary and "<img src=x" not in html_summary
    assert "&lt;script&gt;alert(2)" in html_summary
    markdown = (out / "summary.md").read_text("utf-8")
    assert "<script>" not in markdown and "<img src=x" not in markdown
    import xml.etree.ElementTree as ET

    junit = ET.parse(out / "report.junit.xml").getroot()  # well-formed whatever the names hold
    texts = [v for el in junit.iter() for v in [*el.attrib.values(), el.text or ""]]
    assert any("<script>alert(2)</script>" in t for t in texts)  # kept as text, escaped in the XML


# --- decompression bombs ---------------------------------------------------------------------------


def _lie_about_size(path: Path, member: str, size: int) -> None:
    """Rewrite the uncompressed size of ``member`` in the local and central headers."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        n = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30:local + 30 + n] == name:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        n = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + n] == name:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def test_zip_bombs(work):
    with zipfile.ZipFile(work / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("ratio.html", b"<p>" + b"a " * (3 * 1024 * 1024))  # 6 MiB from ~6 KB: ratio ~1000:1
        z.writestr("big.html", b"<p>" + b"b" * (24 * 1024 * 1024))  # over the 20 MiB default
        z.writestr("liar.html", b"<p>" + b"c" * (8 * 1024 * 1024))  # declares 100 bytes
        z.writestr("ok.html", COPY)
    _lie_about_size(work / "bomb.zip", "liar.html", 100)
    code, _, elapsed, lines = audit(work, ["bomb.zip"])
    pages = by_page(lines)
    assert "compression ratio" in pages["bomb.zip!ratio.html"]["error"]
    assert "over the size cap" in pages["bomb.zip!big.html"]["error"]
    assert pages["bomb.zip!liar.html"]["status"] == "error"  # read up to its declared size: CRC mismatch
    assert pages["bomb.zip!ok.html"]["status"] == "compliant"
    assert code == 2 and elapsed < 30


def _warc_record(writer, url: str, body: bytes, headers: list[tuple[str, str]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders

    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                  length=len(body)))


def test_gzip_warc_decompression_bombs(work):
    from warcio.warcwriter import WARCWriter

    path = work / "crawl.warc.gz"
    inflated = b"<html><body><p>" + b"a" * (25 * 1024 * 1024) + b"</p></body></html>"
    encoded = gzip.compress(inflated, 9)
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        # A record whose block inflates past --max-bytes (the record itself is ~25 KB compressed).
        _warc_record(w, "https://bomb.example/record", inflated, [("Content-Type", "text/html")])
        # A small record whose body says Content-Encoding: gzip and inflates past --max-bytes.
        _warc_record(w, "https://bomb.example/encoded", encoded,
                     [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
        _warc_record(w, "https://copy.example/ok", COPY, [("Content-Type", "text/html; charset=utf-8")])
    assert path.stat().st_size < 200_000
    code, _, elapsed, lines = audit(work, ["crawl.warc.gz"])
    assert len(lines) == 3 and code == 2
    bombs, ok = lines[:2], lines[2]
    assert "over the size cap: 26214433 bytes (limit 20971520)" in bombs[0]["error"]  # the declared length
    assert "over the size cap: more than 20971520 bytes" in bombs[1]["error"]  # inflated, stopped at the cap
    assert ok["url"] == "https://copy.example/ok" and ok["status"] == "compliant"
    assert elapsed < 30
    # With a smaller cap the same crawl is refused the same way.
    _, _, _, lines = audit(work, ["crawl.warc.gz"], "--max-bytes", "100000")
    assert [("over the size cap" in (x["error"] or "")) for x in lines] == [True, True, False]


# --- many members ----------------------------------------------------------------------------------


def many_member_tar(path: Path, n: int) -> None:
    """A tar of ``n`` empty members (``m/e0000000.html``…), written header by header (fast)."""
    info = tarfile.TarInfo("m/e0000000.html")
    info.mtime = 0
    block = bytearray(info.tobuf(tarfile.USTAR_FORMAT))
    base = sum(block[:148]) + sum(block[156:]) + 8 * 32 - sum(block[3:10])  # checksum without the digits
    out = bytearray()
    for i in range(n):
        digits = b"%07d" % i
        block[3:10] = digits
        block[148:156] = b"%06o\0 " % (base + sum(digits))
        out += block
    path.write_bytes(bytes(out) + b"\0" * 1024)


def test_tar_with_200000_empty_members_and_member_cap(work):
    many_member_tar(work / "many.tar", 200_000)
    _, _, elapsed, lines = audit(work, ["many.tar"], "--max-members", "1000")
    assert len(lines) == 1001
    assert lines[-1]["page"] == "many.tar" and "member limit reached: stopped after 1000" in lines[-1]["error"]
    assert all(x["status"] == "error" and "empty file" in x["error"] for x in lines[:-1])
    assert elapsed < 30


def many_entry_zip(path: Path, n: int, declared: int | None = None) -> None:
    """A zip of ``n`` empty stored entries whose end record declares ``declared`` (default n)."""
    local, central = bytearray(), bytearray()
    for i in range(n):
        name = b"e%07d.html" % i
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0, 0, 0, 0,
                               0, len(local)) + name
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name
    count = n if declared is None else declared
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))


@pytest.mark.parametrize("declared", [None, 3], ids=["declared", "lying-count"])
def test_zip_listing_more_entries_than_the_cap_is_refused_unread(tmp_path, declared):
    """zipfile parses the whole central directory (~500 bytes of memory an entry) before the
    member cap applied: 1,000,000 listed entries cost about 500 MB to read 1,000 of them."""
    import tracemalloc

    path = tmp_path / "listing.zip"
    many_entry_zip(path, 30_000, declared)
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        import compliance.archives._zip as zip_mod

        out = []
        limit = zip_mod.EAGER_LISTING
        zip_mod.EAGER_LISTING = 20_000  # a smaller zip makes the same point faster
        try:
            out = list(iter_entries(str(path), max_members=1000))
        finally:
            zip_mod.EAGER_LISTING = limit
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(out) == 1 and out[0].name == str(path)
    assert "member limit reached: the zip lists" in out[0].error and "not read" in out[0].error
    assert peak < 5_000_000 and time.monotonic() - t0 < 10
    # Under the eager-listing threshold a zip is still read up to the cap, as before.
    out = list(iter_entries(str(path), max_members=1000))
    assert len(out) == 1001 and "stopped after 1000" in out[-1].error


# --- deeply nested HTML ----------------------------------------------------------------------------


def test_html_nested_100000_levels_through_terms(work):
    page = "<html><body>" + "<div>" * 100_000 + "<p>Copyright 2020 Deep Press.</p>" + "</div>" * 100_000 + \
           "<blockquote>" * 50_000 + "end" + "</body></html>"
    (work / "deep.html").write_text(page)
    code, out, err, elapsed = run("terms", str(work / "deep.html"), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["schema_version"].startswith("1.")
    assert elapsed < 30


# --- XML: XXE and entity expansion -----------------------------------------------------------------

WXR_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>x</title>'
            '<item><title>{title}</title><link>https://blog.example/a</link>'
            '<content:encoded><![CDATA[<p>hello</p>]]></content:encoded></item></channel></rss>\n')


def test_wxr_xxe_and_billion_laughs_are_refused(work, token):
    secret = work.parent / "secret.txt"
    secret.write_text(f"SECRET-{token}")
    fifo = work.parent / "pipe"
    os.mkfifo(fifo)  # opening it would block: the run would hang instead of finishing
    laughs = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10}">' for i in range(1, 10))
    exports = {
        "xxe.xml": (f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;"),
        "xxe-fifo.xml": (f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{fifo}">]>', "&xxe;"),
        "param.xml": (f'<!DOCTYPE rss [<!ENTITY % ext SYSTEM "file://{fifo}"> %ext;]>', "t"),
        "laughs.xml": (f"<!DOCTYPE rss [{laughs}]>", "&lol9;"),
        "external-dtd.xml": (f'<!DOCTYPE rss SYSTEM "file://{fifo}">', "t"),
    }
    for name, (doctype, title) in exports.items():
        (work / name).write_text(WXR_HEAD.format(doctype=doctype, title=title))
    _, _, elapsed, lines = audit(work, list(exports), subprocess_timeout=60)
    pages = by_page(lines)
    for name in ("xxe.xml", "xxe-fifo.xml", "param.xml", "laughs.xml"):
        assert pages[name]["status"] == "error" and "refused" in pages[name]["error"], pages[name]
        assert "never expanded" in pages[name]["error"]
    # An external DTD without entities is allowed, but never fetched (the fifo was not opened).
    assert pages["external-dtd.xml#item-1"]["status"] == "unmatched"
    assert elapsed < 30
    out = work / "out"
    for f in out.iterdir():
        text = f.read_text("utf-8")
        assert f"SECRET-{token}" not in text and "lollol" not in text
    assert (out / "results.jsonl").stat().st_size < 50_000  # nothing expanded


# --- a 50 MB Markdown line -------------------------------------------------------------------------


def test_markdown_50mb_single_line(work, capsys):
    unit = b"lorem ipsum dolor sit amet reprint license copyright the a "
    data = b"# Title\n\n" + unit * (50 * 1024 * 1024 // len(unit))
    (work / "big.md").write_bytes(data)
    code, _, err, elapsed = run("terms", str(work / "big.md"))
    assert code == 2 and elapsed < 15
    err = err.strip()
    assert "\n" not in err and "over the 20971520-byte limit" in err
    # With the limit raised it is read and its terms found, in bounded time.
    from compliance.detect import detect_terms

    t0 = time.monotonic()
    doc = read_bytes(data, "big.md", max_bytes=64 * 1024 * 1024)
    t1 = time.monotonic()
    terms = detect_terms(doc)
    t2 = time.monotonic()
    with capsys.disabled():
        print(f"\n50 MB Markdown line: read {t1 - t0:.1f}s, terms {t2 - t1:.1f}s", end=" ")
    assert len(doc.text) > 50_000_000 and terms.summary is not None
    assert t2 - t0 < 120


# --- a catastrophic regex in a user pack -----------------------------------------------------------


def write_pack(folder: Path, pack_id: str, rule: str) -> Path:
    (folder / pack_id / "rules").mkdir(parents=True)
    (folder / pack_id / "pack.toml").write_text(
        f'id = "{pack_id}"\nversion = "0.1.0"\ntitle = "{pack_id}"\ndescription = "hostile"\nmin_engine = "0.1"\n')
    (folder / pack_id / "rules" / "rules.toml").write_text(rule)
    return folder / pack_id


EVIL_RULE = '''[[rule]]
id = "EVIL001"
name = "evil.backtrack"
kind = "existence"
message = "a pattern that backtracks catastrophically"
patterns = ['(a+)+$']
emits = { license = "custom" }
explanation.what = "x"
explanation.why = "y"

[[rule.examples]]
text = "aaa"
match = true

[[rule.examples]]
text = "bbb"
match = false
'''


def test_catastrophic_user_pack_is_flagged_and_times_out(work):
    pack = write_pack(work, "evil", EVIL_RULE)
    code, out, _, _ = run("packs", "validate", str(pack))
    assert code == 2
    assert "EVIL001" in out and "catastrophic backtracking" in out
    (work / "page.txt").write_text("a" * 50_000 + "!")
    # A real process: if the budget did not hold, the timeout stops it.
    proc, elapsed = cli("terms", "page.txt", "--packs", str(pack), "--format", "json", cwd=work, timeout=30)
    assert proc.returncode == 0, proc.stderr
    warnings = json.loads(proc.stdout)["warnings"]
    assert any("EVIL001 ran out of time" in w for w in warnings), warnings
    assert elapsed < 8
    # In an audit, the source's warning reaches the summary.
    code, out, _, elapsed = run("audit", "--sources", str(work / "page.txt"), "--candidates",
                                str(ROOT / "seeds" / "copies"), "--packs", str(pack), "--out", str(work / "out"),
                                "--jobs", "1", "--format", "markdown", "-q")
    assert "EVIL001 ran out of time" in out
    assert elapsed < 20


# --- URL fetching: --no-private-addresses through the CLI ------------------------------------------


class _Page(BaseHTTPRequestHandler):
    hits = 0

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits += 1
        body = SEED.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_check_source_url_honours_no_private_addresses(work):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/article"
        (work / "copy.html").write_bytes(COPY)
        _Page.hits = 0
        copy = str(work / "copy.html")
        code, out, err, _ = run("check", copy, "--source", url, "--no-private-addresses")
        assert code == 2 and out == ""
        err = err.strip()
        assert "\n" not in err and "--no-private-addresses" in err and "loopback" in err
        assert _Page.hits == 0  # refused before connecting
        code, out, err, _ = run("check", copy, "--source", url, "--format", "json")
        assert code in (0, 1), err
        assert json.loads(out)["results"][0]["source"] == url
        assert _Page.hits == 1
    finally:
        server.shutdown()
        server.server_close()


# --- regressions for the bugs this found -----------------------------------------------------------


def test_front_matter_alias_amplification_is_bounded():
    """30 KB of YAML naming one 2,000-item list 2,000 times took 38 s and 1 GB (4 M signals)."""
    items = ",".join(f"x{i}" for i in range(2000))
    fm = "\n".join([f"a: &a [{items}]"] + [f"k{i}: *a" for i in range(2000)])
    data = f"---\n{fm}\n---\n# Title\n\nText.\n".encode()
    t0 = time.monotonic()
    doc = read_bytes(data, "amp.md")
    assert time.monotonic() - t0 < 5
    assert len(doc.signals) <= 1000
    assert any("more than 1000 values" in w for w in doc.warnings)


def test_front_matter_many_keys_is_not_quadratic():
    """A regex search of the whole front matter per key: 50,000 keys took 146 s."""
    fm = "\n".join(f"k{i}: v{i}" for i in range(18_000))
    assert len(fm) < 256 * 1024
    t0 = time.monotonic()
    doc = read_bytes(f"---\n{fm}\n---\n# T\n\nText.\n".encode(), "keys.md")
    assert time.monotonic() - t0 < 10
    sig = [s for s in doc.signals if s.kind.startswith("frontmatter.")]
    assert len(sig) == 1000
    assert doc.source[sig[5].source_offset:].startswith("v5")  # values still located


def test_front_matter_over_the_cap_is_ignored_with_a_warning():
    fm = "title: T\n" + "x: " + "y" * (300 * 1024) + "\n"
    doc = read_bytes(f"---\n{fm}---\n# T\n\nText.\n".encode(), "huge.md")
    assert any("front matter over" in w for w in doc.warnings)
    assert not [s for s in doc.signals if s.kind.startswith("frontmatter.")]


def test_audit_survives_a_source_whose_terms_cannot_be_read(monkeypatch, tmp_path):
    """One hostile source page stopped the whole audit with an internal error."""
    import compliance.audit as audit_mod

    (tmp_path / "bad.html").write_text("<p>poison</p>")
    real = audit_mod.detect_terms

    def detect(doc, *a, **kw):
        if "poison" in doc.text:
            raise ValueError("boom")
        return real(doc, *a, **kw)

    monkeypatch.setattr(audit_mod, "detect_terms", detect)
    ref = audit_mod.build_reference([str(SEED), str(tmp_path / "bad.html")])
    assert len(ref.sources) == 1
    assert ref.errors and "internal error while reading its terms: ValueError: boom" in ref.errors[0]["error"]


def test_audit_with_a_source_page_whose_url_is_malformed(work):
    (work / "bad.html").write_text('<html><head><meta property="og:url" content="https://[x](a.example/b">'
                                   "</head><body><p>Copyright 2020 Bad Press. All rights reserved.</p></body></html>")
    (work / "copy.html").write_bytes(COPY)
    code, _, err, _ = run("audit", "--sources", str(SEED), str(work / "bad.html"), "--candidates",
                          str(work / "copy.html"), "--out", str(work / "out"), "--jobs", "1", "--venue", "community",
                          "-q")
    assert "compliance: internal error" not in err, err
    assert code != 2 or "internal error while reading its terms" in err
    assert by_page(results(work / "out"))[str(work / "copy.html")]["status"] == "compliant"


def test_terms_of_a_page_whose_url_is_malformed(work):
    (work / "bad.html").write_text('<html><head><meta property="og:url" content="https://[x](a.example/b">'
                                   "</head><body><p>Text.</p></body></html>")
    code, _, err, _ = run("terms", str(work / "bad.html"))
    assert code == 0, err


def test_html_anchors_stay_inside_the_source():
    doc = read_bytes(b" ht>>ht<i>c><i>c", "p.html")
    assert all(t <= len(doc.source) for t in doc.anchors[1]), doc.anchors
    # each text run is anchored where it stands, not at a later copy of its first letters
    assert doc.text == "ht>>htc>c"
    assert doc.anchors == ((0, 6, 8), (1, 10, 15))


SIGNAL_RULE = EVIL_RULE.replace('kind = "existence"', 'kind = "signal"\nsignals = ["meta.*"]').replace(
    'text = "aaa"', 'text = "<meta name=\'description\' content=\'aaa\'>"\nformat = "html"').replace(
    'text = "bbb"', 'text = "<meta name=\'description\' content=\'bbb\'>"\nformat = "html"')


def test_catastrophic_signal_rule_is_bounded(work):
    pack = write_pack(work, "evsig", SIGNAL_RULE)
    (work / "sig.html").write_text('<html><head><meta name="description" content="' + "a" * 2000 + '!"></head>'
                                   "<body><p>x</p></body></html>")
    proc, _ = cli("terms", "sig.html", "--packs", str(pack), "--format", "json", cwd=work, timeout=4)
    assert proc.returncode == 0, proc.stderr
    warnings = json.loads(proc.stdout)["warnings"]
    assert "rule EVIL001 ran out of time (0.5s) and was skipped on this page" in warnings, warnings


def test_catastrophic_rule_budget_is_per_page_not_per_window(work):
    rule = EVIL_RULE.replace("patterns = ['(a+)+$']", "keywords = [\"reprint\"]\npatterns = ['(a+)+!']").replace(
        'text = "aaa"', 'text = "reprint aaa!"').replace('text = "bbb"', 'text = "reprint bbb"')
    pack = write_pack(work, "evkw", rule)
    unit = "a" * 590 + " reprint " + "a" * 395 + "\n" + "b " * 1100 + "\n"
    (work / "kw.txt").write_text(unit * 40)  # 40 windows: 20 s at 0.5 s each, were the budget per window
    proc, _ = cli("terms", "kw.txt", "--packs", str(pack), "--format", "json", cwd=work, timeout=4)
    assert proc.returncode == 0, proc.stderr
    warnings = json.loads(proc.stdout)["warnings"]
    assert [w for w in warnings if "EVIL001" in w] == [
        "rule EVIL001 ran out of time (0.5s) and was skipped on this page"], warnings


def _warc_bytes(records: list[tuple[str, str, bytes]]) -> bytes:
    """Uncompressed WARC response records (record id, target URI, HTML body)."""
    out = b""
    for rid, uri, body in records:
        block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
        out += (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: {rid}\r\nWARC-Target-URI: {uri}\r\n"
                f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n"
                ).encode("latin-1") + block + b"\r\n\r\n"
    return out


def test_warc_record_ids_that_run_on_and_repeat_give_one_line_unique_names(tmp_path):
    """Found by fuzzing: a header value with a bare CR or LF ran on into the page name, and the
    one-line error messages built from it spanned lines; repeated IDs gave one name twice."""
    page = b"<html><body><p>Copyright 2020 X.</p></body></html>"
    data = _warc_bytes([
        ("<urn:uuid:1>\rFFFF\nWARC-Injected: x", "https://a.example/1\nWARC-Evil: y", page),
        ("<urn:uuid:2>", "https://a.example/2", b"\x00\x01binary"),
        ("<urn:uuid:2>", "https://a.example/3", page),
        ("<urn:uuid:4 with blanks>", "<https://a.example/4>", page),
    ])
    (tmp_path / "c.warc").write_bytes(data)
    out = list(iter_entries(str(tmp_path / "c.warc")))
    names = [e.name.rsplit("#", 1)[1] for e in out]
    assert names[0] == "urn:uuid:1" and names[1] == "urn:uuid:2" and names[2].startswith("@")
    assert names[3] == "urn:uuid:4"
    assert len(set(e.name for e in out)) == len(out)
    assert [e.url for e in out] == ["https://a.example/1", "https://a.example/2", "https://a.example/3",
                                    "https://a.example/4"]
    for e in out:
        assert e.name.isprintable()
        try:
            read_bytes(e.data, e.name, media_type=e.media_type)
        except InputError as exc:
            assert str(exc).isprintable()


def test_read_errors_stay_one_line_for_names_with_control_characters(work):
    with zipfile.ZipFile(work / "names.zip", "w") as z:
        z.writestr("a\nfake: line.html", b"")
        z.writestr("b\r\x1b[31mred.html", b"\x00\x00binary")
    try:
        read_bytes(b"", "a\nb.html")
    except InputError as exc:
        assert str(exc) == "a\\x0ab.html: empty file"
    _, _, _, lines = audit(work, ["names.zip"])
    assert len(lines) == 2
    for x in lines:
        assert x["status"] == "error" and x["error"].isprintable(), x["error"]
