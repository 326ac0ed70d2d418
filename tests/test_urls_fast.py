"""The shortcuts in URL comparison (a plain host read without urlsplit; links off the original's
site never parsed) give the answers the full parse gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance import urls

HOST = st.from_regex(r"[A-Za-z0-9-]{1,12}(\.[A-Za-z0-9-]{1,12}){0,3}\.(com|org|co\.uk|example|de|xn--p1ai)\.?", fullmatch=True)
TAIL = st.sampled_from(["", "/", "/a/b.html", "?x=1", "#top", "/amp/", ":8080/x", "/index.php?utm_source=z"])


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(["http://", "https://", "HTTPS://", "//", ""]), user=st.sampled_from(["", "u@", "u:p@"]),
       host=HOST, tail=TAIL)
def test_registered_domain_shortcut_agrees_with_the_parse(scheme, user, host, tail):
    url = scheme + user + host + tail
    assert urls.registered_domain(url) == urls._registered_domain(url)


def test_links_to_finds_the_original_among_many_links():
    original = "https://www.example.org/2024/05/story/"
    hrefs = [f"https://news.example.com/section/{i}/" for i in range(200)]
    hrefs += ["https://example.org/about/", "https://amp.example.org/2024/05/story/amp/?utm_source=x"]
    assert urls.links_to(hrefs, original) == 201
    assert urls.links_to(hrefs[:201], original) == -1
    assert urls.links_to(hrefs, "not a url") == -1


def test_on_site():
    assert urls.on_site("https://blog.Example.org/x", "example.org")
    assert not urls.on_site("https://example.org.evil.com/x", "example.org")
    assert not urls.on_site("https://other.com/?ref=example.org", "example.org")
    assert not urls.on_site("https://example.org/", "")
