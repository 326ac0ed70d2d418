"""Malformed URLs (in a page's links, its og:url or canonical, or given on the command line) are
no one's domain and no article's address: never an error."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.urls import domain_label, is_home_page, normalise, registered_domain, same_article

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_9e6abf22d7dd6653.txt"
COPY = (ROOT / "seeds" / "copies" / "compliant.html").read_text("utf-8")
ORIGINAL = "https://www.globalresearch.ca/terrorist-retreat-syrian-forces-break-through-isis-frontline/5485063"

MALFORMED = [
    "https://[x](a.example/b",  # a bracketed host that is not an IP address
    "http://[::1",  # an unclosed bracket
    "http://a]b.example/",  # a stray bracket
    "//[",
    "http://user:pw@[not-an-ip]/p",
    "http://a.example:99999/",  # a port out of range
    "http://a.example:http/",  # a port that is not a number
    "http://a.example:-1/",
    "http://ex\u2100ample.com/",  # a host that NFKC normalisation changes
    "[x](a.example/b",  # no scheme
]


@pytest.mark.parametrize("url", MALFORMED)
def test_a_malformed_url_has_no_domain_and_names_no_article(url):
    assert registered_domain(url) == ""
    assert domain_label(url) == ""
    assert normalise(url) == ""
    assert not same_article(url, url)  # not even itself: it is no article's address
    assert not same_article(url, "https://a.example/b")
    assert not same_article("https://a.example/b", url)
    assert not is_home_page(url)


def test_two_different_malformed_urls_are_not_the_same_article():
    assert not same_article("http://[::1", "https://[x](a.example/b")


def test_well_formed_urls_keep_their_domains():
    assert registered_domain("https://www.news.example.co.uk/a") == "example.co.uk"
    assert registered_domain("http://[::1]/") == "::1"  # a bracketed IP address is a host
    assert registered_domain("https://a.example:8443/p") == "a.example"
    assert same_article("https://www.globalresearch.ca/x/1?utm_source=t", "globalresearch.ca/x/1/")
    assert is_home_page("https://a.example/")


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("url", MALFORMED[:6])
def test_terms_of_a_page_whose_addresses_are_malformed(tmp_path, url):
    page = tmp_path / "bad.html"
    page.write_text(f'<html><head><meta property="og:url" content="{url}"><link rel="canonical" href="{url}">'
                    f'</head><body><p>Copyright 2020 Bad Press. All rights reserved. <a href="{url}">Source</a>'
                    "</p></body></html>")
    code, out, err = _run("terms", str(page), "--format", "json")
    assert code == 0, err
    assert "internal error" not in err and "Traceback" not in err
    data = json.loads(out)
    assert data["summary"]["license"] == "all-rights-reserved"
    assert data["source"]["url"] in (None, url)


def _link_status(out: str) -> str:
    return next(f["status"] for f in json.loads(out)["results"][0]["findings"] if f["rule"] == "LINK001")


def test_check_a_copy_whose_link_to_the_original_is_malformed(tmp_path):
    args = ["check", "--source", str(SEED), "--source-url", ORIGINAL, "--venue", "community", "--format", "json",
            "--exit-zero"]
    good = tmp_path / "good.html"
    good.write_text(COPY, "utf-8")
    code, out, err = _run(*args, str(good))
    assert code == 0, err
    assert _link_status(out) == "met"

    bad = tmp_path / "bad.html"
    bad.write_text(COPY.replace(f'href="{ORIGINAL}"', 'href="https://[x](www.globalresearch.ca/5485063"'), "utf-8")
    code, out, err = _run(*args, str(bad))
    assert code == 0, err
    assert json.loads(out)["results"][0]["error"] is None
    assert _link_status(out) == "unmet"  # a malformed link links to nothing


def test_check_with_a_malformed_source_url(tmp_path):
    copy = tmp_path / "copy.html"
    copy.write_text(COPY, "utf-8")
    code, out, err = _run("check", "--source", str(SEED), "--source-url", "https://[x](a.example/b", "--venue",
                          "community", "--format", "json", "--exit-zero", str(copy))
    assert code == 0, err
    assert json.loads(out)["results"][0]["error"] is None
