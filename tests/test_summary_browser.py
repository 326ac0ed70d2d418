"""The HTML summary in a real headless browser (Debian's chromium): it renders, it draws the
charts and tables, and it loads with no console message (no script error, nothing blocked by
the page's Content-Security-Policy). Skipped when chromium is not installed."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import struct
import subprocess
from pathlib import Path

import pytest

from compliance import DISCLAIMER
from compliance.summary import summarize_file

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium); the browser checks need it")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio"]


def _fixture_lines() -> list[str]:
    """The hand-written result lines of test_summary.py (loaded by path: tests is not a package)."""
    spec = importlib.util.spec_from_file_location("_summary_fixture", Path(__file__).with_name("test_summary.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.lines()


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("summary_html")
    results = d / "results.jsonl"
    results.write_text("\n".join(_fixture_lines()), encoding="utf-8")
    out = d / "summary.html"
    out.write_text(summarize_file(results, "html"), encoding="utf-8")
    return out


def chromium(tmp: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run chromium headless with a profile of its own under ``tmp``; on a timeout its whole
    process group (the browser and the helpers it started) is ended and the test fails."""
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
    env = {**os.environ, "HOME": str(tmp)}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                            cwd=tmp, env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"chromium did not finish in {timeout:.0f}s: {' '.join(cmd)}")
    finally:
        try:  # helpers left behind by the browser we started
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def console_lines(stderr: str) -> list[str]:
    """Console messages (``INFO:CONSOLE:…`` or ``CONSOLE(…)``) and uncaught exceptions in chromium's log."""
    return [ln for ln in stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_screenshot(page, tmp_path):
    shot = tmp_path / "shot.png"
    r = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    assert shot.exists(), f"no screenshot; chromium exited {r.returncode}: {r.stderr[-2000:]}"
    assert png_size(shot) == (1280, 2000)
    # a blank 1280x2000 page compresses to a few KB; text, tables and two charts do not
    assert shot.stat().st_size > 30_000, shot.stat().st_size


def test_dom_has_tables_and_charts_and_no_console_messages(page, tmp_path):
    r = chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri())
    assert r.returncode == 0, r.stderr[-2000:]
    dom = r.stdout
    assert console_lines(r.stderr) == []
    assert dom.count("<svg") == 2 and 'id="chart-sites"' in dom and 'id="chart-sources"' in dom
    assert dom.count('<g class="bar">') == 6  # 4 sites and 2 sources with judged copies
    for section in ('id="sources"', 'id="sites"', 'id="rules"', 'id="act-on"', 'id="errors"', 'id="fair-use"'):
        assert section in dom
    assert dom.count("<table") >= 5 and dom.count('<pre class="fix">') == 3
    assert dom.count(DISCLAIMER) == 2
    # the hostile page name is text in the DOM, not an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "<script" not in dom.lower() and "<img" not in dom.lower()


def test_console_check_sees_errors(tmp_path):
    """The check above is not vacuous: this chromium does log a script error and a blocked load."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>x</p>'
                   '<script>throw new Error("boom")</script></body></html>', encoding="utf-8")
    r = chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", bad.as_uri())
    assert any("boom" in ln for ln in console_lines(r.stderr)), r.stderr[-2000:]
