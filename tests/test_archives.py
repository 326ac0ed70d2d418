"""Streaming archive readers: folders, zip, tar, WARC, WordPress exports."""

from __future__ import annotations

import gzip
import io
import itertools
import os
import struct
import tarfile
import zlib
import zipfile

import pytest

from compliance.archives import (
    SKIP_EMPTY_ITEM,
    SKIP_EXCLUDED,
    SKIP_HARDLINK,
    SKIP_HIDDEN,
    SKIP_HTTP_STATUS,
    SKIP_NESTED,
    SKIP_NOT_ARTICLE,
    SKIP_NOT_WXR,
    SKIP_OUTSIDE,
    SKIP_REQUEST,
    SKIP_REVISIT,
    SKIP_SYMLINK,
    SKIP_WARCINFO,
    Entry,
    Stats,
    iter_entries,
)
from compliance.document import InputError


def page(title: str, body: str = "Some text.") -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    ).encode("utf-8")


def entries(path, **kw) -> tuple[list[Entry], Stats]:
    stats = Stats()
    return list(iter_entries(str(path), stats=stats, **kw)), stats


def by_name(items: list[Entry]) -> dict[str, Entry]:
    return {e.name: e for e in items}


def snapshot(folder) -> set[str]:
    out = set()
    for root, dirs, files in os.walk(folder):
        for n in dirs + files:
            out.add(os.path.join(root, n))
    return out


# --------------------------------------------------------------------------- single files


def test_missing_path_raises_input_error_at_call(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        iter_entries(str(tmp_path / "nope.zip"))  # raised eagerly, before iteration


def test_single_article_file(tmp_path):
    p = tmp_path / "post.html"
    p.write_bytes(page("Hello"))
    items, stats = entries(p)
    assert [e.name for e in items] == [str(p)]
    assert items[0].data == page("Hello") and items[0].error is None
    assert stats.entries == 1 and stats.errors == 0


def test_single_file_over_cap(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes(b"x" * 5000)
    items, stats = entries(p, max_bytes=1000)
    assert len(items) == 1 and items[0].data == b""
    assert "over the size cap" in items[0].error
    assert stats.errors == 1


def test_entry_document_reads_text(tmp_path):
    p = tmp_path / "note.txt"
    p.write_bytes(b"Hello from a plain text note.\n\nSecond paragraph.")
    (entry,) = list(iter_entries(str(p)))
    doc = entry.document()
    assert "Hello from a plain text note." in doc.text
    with pytest.raises(InputError):
        Entry(name="x.html", error="corrupt member: bad").document()


# --------------------------------------------------------------------------- folders


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "sub").mkdir(parents=True)
    (root / "drafts").mkdir()
    (root / ".git").mkdir()
    (root / "a.html").write_bytes(page("A"))
    (root / "sub" / "b.md").write_bytes(b"# B\n\nMarkdown body.\n")
    (root / "sub" / "c.txt").write_bytes(b"C text")
    (root / "sub" / "style.css").write_bytes(b"body{}")
    (root / "drafts" / "d.html").write_bytes(page("Draft"))
    (root / ".git" / "config.html").write_bytes(page("hidden"))
    (root / ".hidden.html").write_bytes(page("hidden file"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_bytes(page("Secret"))
    os.symlink(outside, root / "linkdir")
    os.symlink(outside / "secret.html", root / "linkfile.html")
    os.symlink(root / "sub", root / "sublink")  # inside the tree: walked once, by its real path
    with zipfile.ZipFile(root / "sub" / "more.zip", "w") as zf:
        zf.writestr("z/one.html", page("Z1"))
    return root


def test_folder_recursive_sorted(site):
    items, stats = entries(site)
    names = [e.name for e in items]
    assert names == [
        f"{site}/a.html",
        f"{site}/drafts/d.html",
        f"{site}/sub/b.md",
        f"{site}/sub/c.txt",
        f"{site}/sub/more.zip!z/one.html",
    ]
    assert all(e.error is None for e in items)
    assert stats.entries == 5 and stats.errors == 0
    assert stats.skipped[SKIP_HIDDEN] == 2  # .git and .hidden.html
    assert stats.skipped[SKIP_OUTSIDE] == 2  # linkdir and linkfile.html
    assert stats.skipped[SKIP_NOT_ARTICLE] == 1  # style.css


def test_folder_symlink_outside_not_followed(site):
    items, _ = entries(site)
    assert not any("secret" in e.name or b"Secret" in e.data for e in items)
    assert not any("linkdir" in e.name or "sublink" in e.name for e in items)


def test_folder_include_exclude(site):
    items, stats = entries(site, include=["*.html"])
    assert [e.name for e in items] == [
        f"{site}/a.html",
        f"{site}/drafts/d.html",
        f"{site}/sub/more.zip!z/one.html",  # archives are opened; include picks their members
    ]
    assert stats.skipped[SKIP_EXCLUDED] == 2  # b.md, c.txt

    items, stats = entries(site, exclude=["drafts/*", "*.txt"])
    names = [e.name for e in items]
    assert f"{site}/drafts/d.html" not in names and f"{site}/sub/c.txt" not in names
    assert f"{site}/a.html" in names and f"{site}/sub/b.md" in names

    items, _ = entries(site, include=["sub/**"], exclude=["*.zip"])
    assert [e.name for e in items] == [f"{site}/sub/b.md", f"{site}/sub/c.txt"]

    items, _ = entries(site, include=["**/b.md", "**/a.html"])
    assert [e.name for e in items] == [f"{site}/a.html", f"{site}/sub/b.md"]


def test_folder_non_wxr_xml_skipped(tmp_path):
    (tmp_path / "sitemap.xml").write_bytes(
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    )
    (tmp_path / "p.html").write_bytes(page("P"))
    items, stats = entries(tmp_path)
    assert [e.name for e in items] == [f"{tmp_path}/p.html"]
    assert stats.skipped[SKIP_NOT_WXR] == 1


# --------------------------------------------------------------------------- zip


def test_zip_names_and_traversal_names_only(tmp_path):
    before = snapshot(tmp_path.parent)
    arc = tmp_path / "archive.zip"
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("x.html", page("nested"))
    with zipfile.ZipFile(arc, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dir/page.html", page("Page"))
        zf.writestr("../evil.html", page("Evil"))
        zf.writestr("/abs/root.html", page("Abs"))
        zf.writestr("img/logo.png", b"\x89PNG\r\n")
        zf.writestr("dir/", b"")
        zf.writestr("inner.zip", inner.getvalue())
    before.add(str(arc))
    items, stats = entries(arc)
    names = [e.name for e in items]
    assert names == [f"{arc}!dir/page.html", f"{arc}!../evil.html", f"{arc}!/abs/root.html"]
    assert by_name(items)[f"{arc}!../evil.html"].data == page("Evil")
    assert stats.skipped == {SKIP_NOT_ARTICLE: 1, SKIP_NESTED: 1}
    # Nothing extracted anywhere.
    assert snapshot(tmp_path.parent) == before
    assert not (tmp_path.parent / "evil.html").exists()
    assert not os.path.exists("/abs/root.html")


def test_zip_hidden_members_skipped(tmp_path):
    arc = tmp_path / "mac.zip"
    with zipfile.ZipFile(arc, "w") as zf:
        zf.writestr("site/page.html", page("Page"))
        zf.writestr("__MACOSX/site/._page.html", b"\x00\x05\x16\x07 resource fork")
        zf.writestr("site/.git/index.html", page("git"))
    items, stats = entries(arc)
    assert [e.name for e in items] == [f"{arc}!site/page.html"]
    assert stats.skipped[SKIP_HIDDEN] == 2


def test_zip_include_exclude_on_members(tmp_path):
    arc = tmp_path / "a.zip"
    with zipfile.ZipFile(arc, "w") as zf:
        zf.writestr("blog/one.html", page("1"))
        zf.writestr("blog/two.md", b"# two")
        zf.writestr("pages/three.html", page("3"))
    items, stats = entries(arc, include=["blog/*"], exclude=["*.md"])
    assert [e.name for e in items] == [f"{arc}!blog/one.html"]
    assert stats.skipped[SKIP_EXCLUDED] == 2


def test_zip_bomb_member_refused_without_reading(tmp_path, monkeypatch):
    arc = tmp_path / "bomb.zip"
    with zipfile.ZipFile(arc, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("bomb.html", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(50):
                fh.write(chunk)
        zf.writestr("ok.html", page("fine"))
    assert arc.stat().st_size < 1_000_000
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *a, **kw):
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *a, **kw)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    items, stats = entries(arc)  # default 20 MiB cap: 50 MB is over it
    bomb = by_name(items)[f"{arc}!bomb.html"]
    assert bomb.data == b"" and "over the size cap" in bomb.error
    assert by_name(items)[f"{arc}!ok.html"].error is None
    assert opened == ["ok.html"]  # the bomb was never opened
    assert stats.errors == 1

    # Under a larger size cap, the compression ratio still refuses it.
    items, _ = entries(arc, max_bytes=100 * 1024 * 1024)
    bomb = by_name(items)[f"{arc}!bomb.html"]
    assert "over the size cap" in bomb.error and "ratio" in bomb.error


def _patch_central_sizes(data: bytes, member: bytes, file_size: int) -> bytes:
    """Rewrite the declared uncompressed size of ``member`` in the central directory."""
    buf = bytearray(data)
    pos = buf.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", buf, pos + 28)[0]
        name = bytes(buf[pos + 46:pos + 46 + name_len])
        if name == member:
            struct.pack_into("<I", buf, pos + 24, file_size)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


def test_zip_lying_header_read_is_bounded(tmp_path):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("liar.html", b"<p>" + b"a" * 3_000_000 + b"</p>")
        zf.writestr("ok.html", page("ok"))
    arc = tmp_path / "liar.zip"
    arc.write_bytes(_patch_central_sizes(raw.getvalue(), b"liar.html", 100))
    items, stats = entries(arc)
    liar = by_name(items)[f"{arc}!liar.html"]
    assert liar.data == b"" and liar.error.startswith("corrupt member")
    assert by_name(items)[f"{arc}!ok.html"].error is None

    # A member that really inflates past the cap while declaring a small size.
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.html", b"a" * 5000)
    arc2 = tmp_path / "big.zip"
    arc2.write_bytes(raw.getvalue())
    (big,) = list(iter_entries(str(arc2), max_bytes=1000))
    assert "over the size cap" in big.error


def test_zip_streams_lazily(tmp_path, monkeypatch):
    arc = tmp_path / "many.zip"
    with zipfile.ZipFile(arc, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(2000):
            zf.writestr(f"p/{i:04d}.html", page(f"Page {i}"))
    opened = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *a, **kw):
        opened.append(name)
        return real_open(self, name, *a, **kw)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    gen = iter_entries(str(arc))
    first = next(gen)
    assert first.name == f"{arc}!p/0000.html" and first.data == page("Page 0")
    assert len(opened) == 1  # only the first member was read
    second = list(itertools.islice(gen, 9))
    assert len(second) == 9 and len(opened) == 10
    gen.close()
    stats = Stats()
    assert sum(1 for _ in iter_entries(str(arc), stats=stats)) == 2000
    assert stats.entries == 2000 and stats.errors == 0


def test_zip_member_limit(tmp_path):
    arc = tmp_path / "many.zip"
    with zipfile.ZipFile(arc, "w") as zf:
        for i in range(10):
            zf.writestr(f"{i}.html", page(str(i)))
    items, stats = entries(arc, max_members=3)
    assert len(items) == 4
    assert all(e.error is None for e in items[:3])
    assert items[3].name == str(arc) and "member limit reached" in items[3].error
    assert stats.errors == 1


def test_corrupt_zip_is_one_error_entry(tmp_path):
    arc = tmp_path / "broken.zip"
    arc.write_bytes(b"PK\x03\x04 this is not really a zip file at all" * 3)
    items, stats = entries(arc)
    assert len(items) == 1 and items[0].name == str(arc)
    assert "not a readable zip archive" in items[0].error
    assert "\n" not in items[0].error
    assert stats.errors == 1


def test_zip_corrupt_member_continues(tmp_path):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bad.html", page("bad", "x" * 2000))
        zf.writestr("good.html", page("good"))
    data = bytearray(raw.getvalue())
    start = data.find(b"bad.html") + len(b"bad.html") + 10  # inside the compressed data
    for i in range(start, start + 30):
        data[i] ^= 0xFF
    arc = tmp_path / "damaged.zip"
    arc.write_bytes(bytes(data))
    items, _ = entries(arc)
    got = by_name(items)
    assert got[f"{arc}!bad.html"].error.startswith("corrupt member")
    assert got[f"{arc}!good.html"].error is None


# --------------------------------------------------------------------------- tar


def _tar(path, mode, members: dict[str, bytes], *, links: bool = False):
    with tarfile.open(path, mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        if links:
            sym = tarfile.TarInfo("a/link.html")
            sym.type = tarfile.SYMTYPE
            sym.linkname = "/etc/passwd"
            tf.addfile(sym)
            hard = tarfile.TarInfo("a/hard.html")
            hard.type = tarfile.LNKTYPE
            hard.linkname = "a/b.md"
            tf.addfile(hard)
            dev = tarfile.TarInfo("a/dev.html")
            dev.type = tarfile.CHRTYPE
            tf.addfile(dev)


@pytest.mark.parametrize(
    "filename,mode", [("pages.tar.gz", "w:gz"), ("pages.tar.xz", "w:xz"), ("pages.tar.bz2", "w:bz2"), ("pages.tar", "w")]
)
def test_tar_variants(tmp_path, filename, mode):
    arc = tmp_path / filename
    _tar(arc, mode, {"a/b.md": b"# B\n", "./c/d.html": page("D"), "img.png": b"\x89PNG"}, links=True)
    items, stats = entries(arc)
    assert [e.name for e in items] == [f"{arc}!a/b.md", f"{arc}!c/d.html"]
    assert items[0].data == b"# B\n"
    assert stats.skipped[SKIP_SYMLINK] == 1
    assert stats.skipped[SKIP_HARDLINK] == 1
    assert stats.skipped["device"] == 1
    assert stats.skipped[SKIP_NOT_ARTICLE] == 1


def test_tar_streams_lazily(tmp_path):
    arc = tmp_path / "many.tar.gz"
    _tar(arc, "w:gz", {f"p/{i:04d}.html": page(f"Page {i}") for i in range(500)})
    gen = iter_entries(str(arc))
    assert next(gen).name == f"{arc}!p/0000.html"
    assert next(gen).name == f"{arc}!p/0001.html"
    gen.close()  # closes the archive without reading the rest


def test_tar_traversal_names_not_extracted(tmp_path):
    before = snapshot(tmp_path.parent)
    arc = tmp_path / "evil.tgz"
    _tar(arc, "w:gz", {"../../evil.html": page("Evil")})
    before.add(str(arc))
    items, _ = entries(arc)
    assert [e.name for e in items] == [f"{arc}!../../evil.html"]
    assert snapshot(tmp_path.parent) == before


def test_corrupt_and_truncated_tar(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + b"garbage" * 20)
    items, _ = entries(bad)
    assert len(items) == 1 and items[0].name == str(bad) and "tar" in items[0].error

    full = tmp_path / "full.tar.gz"
    _tar(full, "w:gz", {f"p{i}.html": os.urandom(3000).hex().encode() for i in range(5)})
    data = full.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) // 2])
    items, stats = entries(cut)
    assert items and items[-1].error is not None  # reported, not raised
    assert all(e.error is None for e in items[:-1])
    assert stats.errors == 1


def test_tar_member_over_cap_and_limit(tmp_path):
    arc = tmp_path / "t.tar"
    _tar(arc, "w", {"big.html": b"x" * 5000, "a.html": page("a"), "b.html": page("b"), "c.html": page("c")})
    items, _ = entries(arc, max_bytes=1000, max_members=3)
    assert "over the size cap" in items[0].error and items[0].name == f"{arc}!big.html"
    assert [e.error is None for e in items[1:3]] == [True, True]
    assert "member limit reached" in items[3].error and len(items) == 4


# --------------------------------------------------------------------------- WARC


LATIN1_BODY = "<html><head><title>Caf\u00e9</title></head><body><p>Cr\u00e8me br\u00fbl\u00e9e</p></body></html>".encode("latin-1")


def _write_warc(path, *, gz: bool):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    ids = {}
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        w.write_record(w.create_warcinfo_record(os.path.basename(path), {"software": "test"}))

        def response(url, body, headers, status="200 OK"):
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            rec = w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            w.write_record(rec)
            ids[url] = rec.rec_headers.get_header("WARC-Record-ID").strip("<>")

        response("https://example.com/latin", LATIN1_BODY, [("Content-Type", "text/html; charset=iso-8859-1")])
        raw = gzip.compress(page("Zipped"))
        chunked = b"%x\r\n" % len(raw) + raw + b"\r\n0\r\n\r\n"
        response(
            "https://example.com/gz",
            chunked,
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
        )
        response("https://example.com/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, [("Content-Type", "image/png")])
        response("https://example.com/doc.pdf", b"%PDF-1.4 ...", [("Content-Type", "application/pdf")])
        response("https://example.com/old", b"", [("Location", "/new")], status="301 Moved Permanently")
        req = StatusAndHeaders("GET /latin HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        w.write_record(w.create_warc_record("https://example.com/latin", "request", payload=io.BytesIO(b""), http_headers=req))
        w.write_record(
            w.create_revisit_record(
                "https://example.com/latin", digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                refers_to_uri="https://example.com/latin", refers_to_date="2024-01-01T00:00:00Z",
            )
        )
        res = w.create_warc_record(
            "https://example.com/notes.txt", "resource", payload=io.BytesIO(b"Plain resource text."),
            warc_content_type="text/plain; charset=utf-8",
        )
        w.write_record(res)
        ids["https://example.com/notes.txt"] = res.rec_headers.get_header("WARC-Record-ID").strip("<>")
    return ids


@pytest.mark.parametrize("filename,gz", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_warc_records(tmp_path, filename, gz):
    arc = tmp_path / filename
    ids = _write_warc(arc, gz=gz)
    items, stats = entries(arc)
    assert [e.url for e in items] == [
        "https://example.com/latin",
        "https://example.com/gz",
        "https://example.com/notes.txt",
    ]
    latin, zipped, notes = items
    assert latin.name == f"{arc}#{ids['https://example.com/latin']}"
    assert latin.media_type == "text/html" and latin.charset == "iso-8859-1"
    assert latin.data == LATIN1_BODY
    assert latin.meta["http_status"] == 200
    # chunked transfer and gzip content encoding undone
    assert zipped.data == page("Zipped") and zipped.charset == "utf-8"
    assert notes.name == f"{arc}#{ids['https://example.com/notes.txt']}"
    assert notes.media_type == "text/plain" and notes.data == b"Plain resource text."
    assert stats.skipped[SKIP_REVISIT] == 1
    assert stats.skipped[SKIP_REQUEST] == 1
    assert stats.skipped[SKIP_WARCINFO] == 1
    assert stats.skipped[SKIP_NOT_ARTICLE] == 2  # png, pdf
    assert stats.skipped[SKIP_HTTP_STATUS] == 1  # the 301
    assert stats.entries == 3 and stats.errors == 0


def test_warc_latin1_entry_decodes(tmp_path):
    arc = tmp_path / "c.warc.gz"
    _write_warc(arc, gz=True)
    latin = next(iter_entries(str(arc)))
    assert latin.data.decode(latin.charset) == LATIN1_BODY.decode("latin-1")
    assert "Crème brûlée" in latin.data.decode(latin.charset)


def test_truncated_gzip_warc(tmp_path):
    arc = tmp_path / "crawl.warc.gz"
    _write_warc(arc, gz=True)
    data = arc.read_bytes()
    # Cut inside the second response (the gzip+chunked one) by finding member boundaries.
    members = []  # start offsets of the gzip members (one per record)
    pos = 0
    while pos < len(data):
        dec = zlib.decompressobj(31)
        dec.decompress(data[pos:])
        members.append(pos)
        pos = len(data) - len(dec.unused_data)
    assert len(members) >= 4
    cut_at = members[2] + (members[3] - members[2]) // 2
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[:cut_at])
    items, stats = entries(cut)  # never raises
    assert items[0].url == "https://example.com/latin" and items[0].error is None
    assert items[-1].error is not None and "truncated" in items[-1].error
    assert items[-1].data == b""
    assert items[-1].name.startswith(f"{cut}#")
    assert stats.errors == 1


def test_truncated_plain_warc(tmp_path):
    arc = tmp_path / "crawl.warc"
    _write_warc(arc, gz=False)
    data = arc.read_bytes()
    cut_at = data.index(b"Cr\xe8me") + 3  # inside the first response body
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[:cut_at])
    items, _ = entries(cut)
    assert len(items) == 1
    assert items[0].error.startswith("truncated record")


def test_corrupt_warc_is_one_error_entry(tmp_path):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(gzip.compress(b"this is not a WARC file\r\n\r\n" * 10))
    items, stats = entries(bad)
    assert len(items) == 1 and items[0].name == str(bad)
    assert "not a readable WARC file" in items[0].error
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    items, _ = entries(empty)
    assert len(items) == 1 and "no WARC records" in items[0].error


def test_warc_garbage_after_records(tmp_path):
    arc = tmp_path / "tail.warc"
    _write_warc(arc, gz=False)
    with open(arc, "ab") as fh:
        fh.write(b"GARBAGE GARBAGE\r\n\r\n")
    items, _ = entries(arc)
    assert [e.url for e in items[:3]] == [
        "https://example.com/latin", "https://example.com/gz", "https://example.com/notes.txt",
    ]
    assert items[3].name == str(arc) and "corrupt WARC data" in items[3].error


def test_warc_record_name_falls_back_to_offset(tmp_path):
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    rec = w.create_warc_record("https://example.com/x", "resource", payload=io.BytesIO(b"text body"),
                               warc_content_type="text/plain")
    rec.rec_headers.remove_header("WARC-Record-ID")
    w.write_record(rec)
    arc = tmp_path / "noid.warc"
    arc.write_bytes(buf.getvalue())
    (entry,) = list(iter_entries(str(arc)))
    assert entry.name == f"{arc}#@0" and entry.data == b"text body"


def test_warc_body_over_cap(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    arc = tmp_path / "big.warc.gz"
    with open(arc, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://e.com/big", "response",
                                            payload=io.BytesIO(b"<p>" + b"a" * 5000), http_headers=http))
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://e.com/small", "response",
                                            payload=io.BytesIO(b"<p>small</p>"), http_headers=http))
    items, _ = entries(arc, max_bytes=1000)
    assert "over the size cap" in items[0].error
    assert items[1].url == "https://e.com/small" and items[1].error is None


# --------------------------------------------------------------------------- WordPress export


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>My Blog</title>
  <link>https://blog.example.com</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:author><wp:author_login>ann</wp:author_login></wp:author>
  <item>
    <title>First post</title>
    <link>https://blog.example.com/first/</link>
    <pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>
    <dc:creator><![CDATA[ann]]></dc:creator>
    <content:encoded><![CDATA[<p>Hello <a href="https://source.example.org/">source</a> – café</p>]]></content:encoded>
    <wp:post_id>1</wp:post_id>
    <wp:post_date><![CDATA[2024-01-01 10:00:00]]></wp:post_date>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
  <item>
    <title>A logo</title>
    <link>https://blog.example.com/logo/</link>
    <content:encoded><![CDATA[]]></content:encoded>
    <wp:post_type><![CDATA[attachment]]></wp:post_type>
  </item>
  <item>
    <title>Second post</title>
    <link>https://blog.example.com/second/</link>
    <pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate>
    <dc:creator>bob</dc:creator>
    <content:encoded><![CDATA[<p>Second &amp; last</p>]]></content:encoded>
  </item>
</channel>
</rss>
"""


def test_wxr_items(tmp_path):
    p = tmp_path / "export.xml"
    p.write_text(WXR, encoding="utf-8")
    items, stats = entries(p)
    assert [e.name for e in items] == [f"{p}#item-1", f"{p}#item-3"]
    first, second = items
    assert first.url == "https://blog.example.com/first/"
    assert first.media_type == "text/html"
    assert first.data == '<p>Hello <a href="https://source.example.org/">source</a> – café</p>'.encode("utf-8")
    assert first.meta["author"] == "ann"
    assert first.meta["date"] == "2024-01-01 10:00:00"
    assert first.meta["title"] == "First post"
    assert first.meta["status"] == "publish"
    assert second.meta["author"] == "bob"
    assert second.meta["date"] == "Tue, 02 Jan 2024 10:00:00 +0000"  # pubDate when no wp:post_date
    assert second.data == b"<p>Second &amp; last</p>"
    assert stats.skipped[SKIP_EMPTY_ITEM] == 1
    assert stats.entries == 2 and stats.errors == 0


def test_wxr_in_folder(tmp_path):
    (tmp_path / "dump").mkdir()
    (tmp_path / "dump" / "export.xml").write_text(WXR, encoding="utf-8")
    items, _ = entries(tmp_path / "dump")
    assert [e.name for e in items] == [f"{tmp_path}/dump/export.xml#item-1", f"{tmp_path}/dump/export.xml#item-3"]


def test_wxr_xxe_refused(tmp_path):
    p = tmp_path / "xxe.xml"
    p.write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>x</title>'
        "<content:encoded>&xxe;</content:encoded></item></channel></rss>\n",
        encoding="utf-8",
    )
    items, stats = entries(p)
    assert len(items) == 1 and items[0].name == str(p)
    assert items[0].data == b""
    assert "refused" in items[0].error and "entity" in items[0].error
    assert "root:" not in items[0].error  # nothing from /etc/passwd
    assert stats.errors == 1


def test_wxr_billion_laughs_refused(tmp_path):
    ents = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = f"&lol{i - 1 if i > 1 else ''};" * 10
        ents.append(f'<!ENTITY lol{i} "{prev}">')
    p = tmp_path / "laughs.xml"
    p.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [' + "".join(ents) + "]>\n"
        '<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">'
        "<channel><item><content:encoded>&lol9;</content:encoded></item></channel></rss>",
        encoding="utf-8",
    )
    items, _ = entries(p)
    assert len(items) == 1 and "refused" in items[0].error and items[0].data == b""


def test_wxr_malformed_and_not_wxr(tmp_path):
    p = tmp_path / "broken.xml"
    p.write_text(WXR[: WXR.index("Second post")], encoding="utf-8")
    items, _ = entries(p)
    assert [e.name for e in items] == [f"{p}#item-1", str(p)]
    assert items[1].error.startswith("malformed XML")

    q = tmp_path / "feed.xml"
    q.write_text('<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', encoding="utf-8")
    (entry,) = list(iter_entries(str(q)))
    assert "not a WordPress export" in entry.error


def test_wxr_member_limit(tmp_path):
    p = tmp_path / "export.xml"
    p.write_text(WXR, encoding="utf-8")
    items, _ = entries(p, max_members=1)
    assert [e.name for e in items] == [f"{p}#item-1", str(p)]
    assert "member limit reached" in items[1].error


def test_stats_accumulate_across_runs(tmp_path):
    p = tmp_path / "export.xml"
    p.write_text(WXR, encoding="utf-8")
    stats = Stats()
    list(iter_entries(str(p), stats=stats))
    list(iter_entries(str(p), stats=stats))
    assert stats.entries == 4 and stats.skipped[SKIP_EMPTY_ITEM] == 2 and stats.total_skipped == 2
