"""compliance.read.fetch against a real HTTP server on 127.0.0.1 (ephemeral port)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from compliance.document import HTML, InputError
from compliance.read import fetch as fetch_mod
from compliance.read.fetch import Fetched, fetch, fetch_document

CYRILLIC = "Привет, мир: условия перепечатки"
PAGE_1251 = f"<html><head><title>{CYRILLIC}</title></head><body><p>{CYRILLIC}</p></body></html>".encode("cp1251")
PAGE_UTF8 = "<html><body><p>Grüße aus dem Artikel</p></body></html>".encode()
BOMB = gzip.compress(b"a" * 600_000, 9)  # a few hundred bytes that expand to 600 KB


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", headers=(), length=True):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in headers:
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = self.path
        try:
            if path == "/cp1251":
                self._send(200, PAGE_1251, "text/html; charset=windows-1251")
            elif path.startswith("/redirect/"):
                n = int(path.rsplit("/", 1)[1])
                self._redirect(f"/redirect/{n - 1}" if n > 1 else "/cp1251", 301 if n % 2 else 307)
            elif path == "/relative/a/b":
                self._redirect("../page")  # resolves to /relative/page
            elif path == "/relative/page":
                self._send(200, PAGE_UTF8)
            elif path == "/to-file":
                self._redirect("file:///etc/passwd")
            elif path == "/to-other-loopback":
                self._redirect(f"http://127.0.0.2:{self.server.server_address[1]}/cp1251")
            elif path == "/missing":
                self._send(404, b"<p>nope</p>")
            elif path == "/broken":
                self._send(500, b"<p>oops</p>")
            elif path == "/slow":
                time.sleep(2.0)
                self._send(200, PAGE_UTF8)
            elif path == "/drip":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for _ in range(150):  # 30 s if nobody stops it
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif path == "/drip-headers":
                self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
                for _ in range(150):
                    self.wfile.write(b"y")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif path == "/big-length":
                self._send(200, b"a" * 5000, "text/plain")
            elif path == "/big-nolength":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for _ in range(10_000):  # 5 MB, streamed, no Content-Length
                    self.wfile.write(b"a" * 500)
            elif path == "/big-chunked":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for _ in range(10_000):
                    self.wfile.write(b"1f4\r\n" + b"a" * 500 + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/bomb":
                self._send(200, BOMB, "text/plain", [("Content-Encoding", "gzip")])
            elif path == "/gzip":
                self._send(200, gzip.compress(PAGE_1251), "text/html; charset=windows-1251",
                           [("Content-Encoding", "gzip")])
            elif path == "/deflate":
                self._send(200, zlib.compress(PAGE_UTF8), headers=[("Content-Encoding", "deflate")])
            elif path == "/raw-deflate":
                c = zlib.compressobj(wbits=-15)
                self._send(200, c.compress(PAGE_UTF8) + c.flush(), headers=[("Content-Encoding", "deflate")])
            elif path == "/brotli":
                self._send(200, b"\x0b\x02\x80hello\x03", headers=[("Content-Encoding", "br")])
            elif path == "/truncated":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "500")
                self.end_headers()
                self.wfile.write(b"a" * 100)
            elif path == "/image":
                self._send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image/png")
            elif path == "/echo":
                body = "".join(f"{k}: {v}\n" for k, v in self.headers.items()).encode()
                self._send(200, body, "text/plain")
            else:
                self._send(404, b"")
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass  # the client hung up on purpose


@pytest.fixture(scope="module")
def base():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def refused(url: str, **kw) -> str:
    with pytest.raises(InputError) as info:
        fetch_document(url, **kw)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message
    return message


# ------------------------------------------------------------------------- success


def test_charset_from_header_decodes_cyrillic(base):
    got = fetch(base + "/cp1251")
    assert isinstance(got, Fetched)
    assert got.status == 200
    assert got.content_type == "text/html"
    assert got.charset == "windows-1251"
    assert got.data == PAGE_1251
    assert got.url == got.final_url == base + "/cp1251"

    doc = fetch_document(base + "/cp1251")
    assert doc.media_type == HTML
    assert CYRILLIC in doc.text
    assert doc.title == CYRILLIC
    assert doc.url == doc.path == base + "/cp1251"


def test_redirect_chain_two_hops(base):
    got = fetch(base + "/redirect/2")
    assert got.url == base + "/redirect/2"
    assert got.final_url == base + "/cp1251"
    doc = fetch_document(base + "/redirect/2")
    assert doc.url == base + "/cp1251"
    assert CYRILLIC in doc.text


def test_exactly_max_redirects_is_fine(base):
    assert fetch(base + "/redirect/5").final_url == base + "/cp1251"


def test_too_many_redirects(base):
    message = refused(base + "/redirect/7")
    assert message.startswith(base + "/redirect/7: ")
    assert "too many redirects" in message


def test_relative_location_resolved(base):
    doc = fetch_document(base + "/relative/a/b")
    assert doc.url == base + "/relative/page"
    assert "Grüße" in doc.text


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/raw-deflate"])
def test_content_encoding_decoded(base, path):
    got = fetch(base + path)
    assert got.data in (PAGE_1251, PAGE_UTF8)
    doc = fetch_document(base + path)
    assert CYRILLIC in doc.text or "Grüße" in doc.text


def test_request_headers(base):
    got = fetch(base + "/echo")
    text = got.data.decode()
    assert "User-Agent: compliance/" in text and "(+terms checker)" in text
    assert f"Host: {base.split('//')[1]}" in text
    assert "Accept-Encoding: gzip, deflate" in text


# -------------------------------------------------------------------------- errors


def test_http_404_and_500(base):
    assert refused(base + "/missing") == f"{base}/missing: HTTP 404 Not Found"
    assert refused(base + "/broken") == f"{base}/broken: HTTP 500 Internal Server Error"


def test_timeout(base):
    start = time.monotonic()
    message = refused(base + "/slow", timeout=0.5)
    assert time.monotonic() - start < 1.5
    assert message == f"{base}/slow: timed out after 0.5s"


def test_slow_drip_body_hits_total_deadline(base):
    start = time.monotonic()
    message = refused(base + "/drip", timeout=0.5)  # each byte arrives well within 0.5 s
    assert time.monotonic() - start < 2.0
    assert "timed out after 1s (total time limit)" in message


def test_slow_drip_headers_hit_total_deadline(base):
    start = time.monotonic()
    message = refused(base + "/drip-headers", timeout=0.5)
    assert time.monotonic() - start < 2.0
    assert "total time limit" in message


def test_body_over_max_bytes_with_content_length(base):
    message = refused(base + "/big-length", max_bytes=1000)
    assert "Content-Length 5000" in message and "1000-byte limit" in message


@pytest.mark.parametrize("path", ["/big-nolength", "/big-chunked"])
def test_body_over_max_bytes_streamed(base, path):
    start = time.monotonic()
    message = refused(base + path, max_bytes=1000)
    assert "1000-byte limit" in message
    assert time.monotonic() - start < 1.0  # stopped early, did not read 5 MB first


def test_gzip_bomb(base):
    assert len(BOMB) < 1000
    message = refused(base + "/bomb", max_bytes=1000)
    assert "decoded body" in message and "1000-byte limit" in message


def test_unsupported_encoding_and_truncated_body(base):
    assert "Content-Encoding 'br'" in refused(base + "/brotli")
    assert "connection closed after 100 of 500 bytes" in refused(base + "/truncated")


def test_image_is_not_an_article(base):
    assert "image/png is not an article" in refused(base + "/image")


def test_redirect_to_file_refused(base):
    message = refused(base + "/to-file")
    assert message.startswith(base + "/to-file: redirected to file:///etc/passwd: ")
    assert "scheme 'file' is not allowed: only http and https" in message


@pytest.mark.parametrize(
    "url, scheme",
    [
        ("file:///etc/passwd", "file"),
        ("ftp://example.com/article.html", "ftp"),
        ("data:text/html,<p>hi</p>", "data"),
        ("javascript:alert(1)", "javascript"),
        ("gopher://example.com/", "gopher"),
    ],
)
def test_other_schemes_refused(url, scheme):
    message = refused(url)
    assert message == f"{url}: scheme '{scheme}' is not allowed: only http and https"


def test_malformed_urls_refused():
    assert "not an absolute URL" in refused("example.com/page")
    assert "no host" in refused("http:///page")
    assert "invalid" in refused("http://example.com:99999/")


def test_private_addresses_refused(base):
    message = refused(base + "/cp1251", allow_private=False)
    assert "loopback" in message and "--no-private-addresses" in message
    port = base.rsplit(":", 1)[1]
    assert "loopback" in refused(f"http://localhost:{port}/cp1251", allow_private=False)
    for url, why in [
        ("http://10.1.2.3/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[fe80::1]/", "link-local"),
        ("http://240.0.0.1/", "reserved"),
        ("http://100.64.0.1/", "non-public"),
    ]:
        assert why in refused(url, allow_private=False, timeout=0.5), url


def test_private_check_repeated_on_every_hop(base, monkeypatch):
    original = fetch_mod._classify
    monkeypatch.setattr(fetch_mod, "_classify", lambda a: None if a == "127.0.0.1" else original(a))
    # The first hop (127.0.0.1) is let through by the patch; the redirect target is not.
    assert CYRILLIC in fetch_document(base + "/cp1251", allow_private=False).text
    message = refused(base + "/to-other-loopback", allow_private=False)
    assert "redirected to http://127.0.0.2:" in message and "loopback" in message


def test_connection_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    message = refused(f"http://127.0.0.1:{port}/", timeout=0.5)
    assert "connection refused" in message


def test_dns_failure_is_one_line():
    message = refused("http://no-such-host.invalid/", timeout=0.5)
    assert message.startswith("http://no-such-host.invalid/: ")
    assert "cannot resolve" in message or "timed out" in message
