"""URL comparison: registered domains (bundled suffix list, no network) and normalised paths."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

import regex
import tldextract

# The suffix list snapshot that ships inside tldextract; never fetched.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

TRACKING_PARAMS = regex.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref|ref_src|ref_url|source|"
    r"cmpid|icid|ocid|yclid|_hsenc|_hsmi|s_cid|share|amp|outputType|output)$",
    regex.I,
)


def _split(url: str) -> SplitResult | None:
    """``urlsplit``, or None for a URL that cannot be taken apart: a bracketed host that is not
    an IP address (``https://[x](a.example/b``), an unclosed bracket (``http://[::1``), a host
    that changes under NFKC normalisation, a port that is not a number from 0 to 65535."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (checks the port: ValueError when it is not one)
        parts.hostname  # noqa: B018
    except ValueError:
        return None
    return parts


#: An http(s) URL whose host is plain (letters, digits, dots and hyphens; no user, port or
#: brackets): its host is read without ``urlsplit``.
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)(?:[/?#]|\Z)", re.ASCII)


def registered_domain(url_or_host: str) -> str:
    """``https://www.news.example.co.uk/a`` → ``example.co.uk``; '' when there is none, or when
    the URL is malformed."""
    m = _PLAIN_HOST.match(url_or_host)
    if m is not None:  # the commonest shape: one cached answer per host
        return _host_domain(m.group(1))
    return _registered_domain(url_or_host)


@lru_cache(maxsize=65536)
def _registered_domain(url_or_host: str) -> str:
    host = url_or_host
    if "//" in host or "/" in host:
        parts = _split(host if "//" in host else "//" + host)
        if parts is None:
            return ""
        host = parts.hostname or ""
    return _host_domain(host)


@lru_cache(maxsize=65536)
def _host_domain(host: str) -> str:
    host = host.strip(".").lower()
    if not host:
        return ""
    ext = _EXTRACT(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}"
    # No public suffix (reserved names such as .example or .test, intranet hosts): the last two labels.
    return ".".join(host.split(".")[-2:])


def domain_label(url_or_host: str) -> str:
    """The registrable name without its suffix: ``globalresearch.ca`` → ``globalresearch``."""
    rd = registered_domain(url_or_host)
    return rd.split(".", 1)[0] if rd else ""


@lru_cache(maxsize=65536)
def normalise(url: str) -> str:
    """A comparison key: registered domain + path without www, scheme, trailing slash, AMP
    variants, index pages or tracking parameters. Two URLs of one article give one key; a
    malformed URL gives '' (it is no article's key)."""
    if not url:
        return ""
    parts = _split(url.strip() if "//" in url else "//" + url.strip())
    if parts is None:
        return ""
    host = (parts.hostname or "").lower()
    if host.startswith("amp."):
        host = host[4:]
    path = parts.path or "/"
    path = regex.sub(r"/+", "/", path)
    path = regex.sub(r"(?i)(/amp/?|\.amp(?=\.html?$|$)|/amp\.html?)$", "/", path)
    path = regex.sub(r"(?i)^/amp/", "/", path)
    path = regex.sub(r"(?i)/(index|default)\.(html?|php|aspx?)$", "/", path)
    path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    q = ("?" + urlencode(sorted(query))) if query else ""
    return f"{registered_domain(host)}{_subdomain(host)}{path.lower()}{q}"


def _subdomain(host: str) -> str:
    """Keep a meaningful subdomain (``blog.example.com``) but drop ``www``/``m``/``amp``."""
    ext = _EXTRACT(host)
    sub = ext.subdomain.lower()
    sub = regex.sub(r"^(www\d*|m|mobile|amp)(\.|$)", "", sub)
    return f"|{sub}" if sub else ""


def on_site(url: str, site: str) -> bool:
    """Whether ``url``'s registered domain is ``site`` (a registered domain). Cheap for the many
    URLs of a page that are not: a URL's registered domain is written in it (hosts compare
    lowercased), so a URL that does not hold ``site`` is never parsed."""
    return bool(site) and site in url.lower() and registered_domain(url) == site


def links_to(hrefs, original: str) -> int:
    """The index of the first of ``hrefs`` that names the same article as ``original``, or -1.
    Only the hrefs on the original's site are parsed (see :func:`on_site`)."""
    key = normalise(original)
    site = registered_domain(original)
    if not key or not site:
        return -1
    for i, href in enumerate(hrefs):
        if site in href.lower() and normalise(href) == key:
            return i
    return -1


def same_article(a: str, b: str) -> bool:
    """Whether two URLs name one article; never when either is empty or malformed."""
    if not a or not b:
        return False
    key = normalise(a)
    return bool(key) and key == normalise(b)


def is_home_page(url: str) -> bool:
    parts = _split(url if "//" in url else "//" + url)
    return parts is not None and parts.path.strip("/") in ("", "index.html", "index.php", "home", "en")


_NOT_ALNUM = regex.compile(r"[\W_]+")


def squash(name: str) -> str:
    """Letters and digits only, casefolded: ``Global Research`` → ``globalresearch``."""
    return _NOT_ALNUM.sub("", name.casefold())
