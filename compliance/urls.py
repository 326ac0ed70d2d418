"""URL comparison: registered domains (bundled suffix list, no network) and normalised paths."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

import regex
import tldextract

# The suffix list snapshot that ships inside tldextract; never fetched.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

TRACKING_PARAMS = regex.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref|ref_src|ref_url|source|"
    r"cmpid|icid|ocid|yclid|_hsenc|_hsmi|s_cid|share|amp|outputType|output)$",
    regex.I,
)


@lru_cache(maxsize=65536)
def registered_domain(url_or_host: str) -> str:
    """``https://www.news.example.co.uk/a`` → ``example.co.uk``; '' when there is none."""
    host = url_or_host
    if "//" in host or "/" in host:
        host = urlsplit(host if "//" in host else "//" + host).hostname or ""
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
    variants, index pages or tracking parameters. Two URLs of one article give one key."""
    if not url:
        return ""
    parts = urlsplit(url.strip() if "//" in url else "//" + url.strip())
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


def same_article(a: str, b: str) -> bool:
    return bool(a) and bool(b) and normalise(a) == normalise(b)


def is_home_page(url: str) -> bool:
    path = urlsplit(url if "//" in url else "//" + url).path
    return path.strip("/") in ("", "index.html", "index.php", "home", "en")


def squash(name: str) -> str:
    """Letters and digits only, casefolded: ``Global Research`` → ``globalresearch``."""
    return regex.sub(r"[\W_]+", "", name.casefold())
