"""`check --source URL`: fetched only when asked, with limits; failures are one line and exit 2."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import SEED

from compliance.cli import main

ARTICLE = SEED.read_text(encoding="utf-8")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/article":
            body = ("<html><head><meta property='og:site_name' content='Global Research'></head><body><main>"
                    + "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")) + "</main></body></html>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/slow":
            time.sleep(2)
            self.send_response(200)
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            try:
                chunk = b"<p>" + b"x" * 65536
                for _ in range(800):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self.send_response(404)
            self.end_headers()


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def copy_file(tmp_path, url):
    p = tmp_path / "copy.html"
    p.write_text(f'<html><body><p>Republished from <a href="{url}">Global Research</a>. '
                 "Copyright © South Front, Global Research.</p></body></html>")
    return p


def test_source_url_is_fetched_and_judged(server, tmp_path, capsys):
    url = f"{server}/article"
    code, out, err = run(capsys, "check", copy_file(tmp_path, url), "--source", url, "--venue", "community",
                         "--format", "json")
    results = json.loads(out)["results"][0]
    assert results["source"] == url
    rules = {f["rule"]: f["status"] for f in results["findings"]}
    assert rules["LINK001"] == "met" and rules["CRED002"] == "met"


@pytest.mark.parametrize("path,extra,words", [
    ("/missing", (), "HTTP 404"),
    ("/slow", ("--fetch-timeout", "0.5"), "timed out"),
    ("/huge", (), "limit"),
])
def test_source_url_failures_are_one_line_exit_2(server, tmp_path, capsys, path, extra, words):
    url = f"{server}{path}"
    code, out, err = run(capsys, "check", copy_file(tmp_path, url), "--source", url, *extra)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err


def test_source_file_url_is_refused(tmp_path, capsys):
    code, _, err = run(capsys, "check", copy_file(tmp_path, "x"), "--source", "file:///etc/passwd")
    assert code == 2 and len(err.strip().splitlines()) == 1
