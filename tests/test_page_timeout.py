"""--timeout-per-page: a page that takes too long to judge becomes an error result that says so,
and the pages around it are judged as usual, in one process or in a pool of workers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_hostile import COPY, SEED, run

from compliance.audit import PageTimeout, build_reference, judge_entry
from compliance.archives import Entry
from compliance.config import DEFAULTS

FILLER = "<p>" + " ".join(f"word{i} of the long appendix that follows the story" for i in range(40)) + "</p>\n"


def slow_copy() -> bytes:
    """A copy of the sample with some megabytes of text after it: seconds to read and align."""
    html = COPY.decode("utf-8")
    return html.replace("</body>", FILLER * 4000 + "</body>").encode("utf-8")


def lines(out: Path) -> dict[str, dict]:
    got = [json.loads(x) for x in (out / "results.jsonl").read_text("utf-8").splitlines()]
    return {Path(x["page"]).name: x for x in got if x.get("type") == "result"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_slow_page_is_given_up_and_the_run_goes_on(tmp_path, jobs):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "copy.html").write_bytes(COPY)
    (pages / "slow.html").write_bytes(slow_copy())
    out = tmp_path / "out"
    status, _, err, _ = run("audit", "--sources", str(SEED), "--candidates", str(pages), "--out", str(out),
                            "--jobs", jobs, "--timeout-per-page", "0.2", "--quiet")
    assert "Traceback" not in err
    got = lines(out)
    assert got["slow.html"]["status"] == "error"
    assert re.fullmatch(r"gave up after 0\.2 s \(--timeout-per-page\)", got["slow.html"]["error"])
    assert got["copy.html"]["status"] in ("compliant", "noncompliant", "unverified")
    assert got["copy.html"]["source"]


def test_without_a_limit_the_slow_page_is_judged():
    ref = build_reference([str(SEED)])
    entry = Entry(name="slow.html", url="https://mirror.example/slow", media_type="text/html", charset="utf-8",
                  data=slow_copy())
    assert judge_entry(ref, entry, timeout=0)["status"] != "error"


def test_the_limit_has_a_default_and_leaves_no_timer_behind():
    import signal

    assert DEFAULTS["timeout_per_page"] == 60.0
    ref = build_reference([str(SEED)])
    entry = Entry(name="copy.html", url="https://mirror.example/c", media_type="text/html", charset="utf-8", data=COPY)
    before = signal.getsignal(signal.SIGALRM)
    judge_entry(ref, entry, timeout=5)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
    assert issubclass(PageTimeout, BaseException) and not issubclass(PageTimeout, Exception)


def test_a_negative_limit_is_a_usage_error(tmp_path):
    status, _, err, _ = run("audit", "--sources", str(SEED), "--candidates", str(SEED), "--out", str(tmp_path / "o"),
                            "--timeout-per-page", "-1")
    assert status == 2 and "--timeout-per-page" in err and "Traceback" not in err
