"""HTML: visible text in blocks with regions, hyperlinks, embeds and machine-readable signals.

Parsing is done by Lexbor (through selectolax), a real HTML5 parser, so the tree is the one a
browser builds. Lexbor keeps no source positions; they are recovered by finding each text
node's text (and each interesting tag) in the decoded input with a cursor that only moves
forward. The tree is walked once, iteratively (no Python recursion), so any nesting depth is
safe; block tags nested past 512 levels are blanked out before parsing (Lexbor's tree
builder is quadratic in that depth).

Speed (a news page is ~180 KB, mostly inline scripts and menus), none of it changing what is
read: the parser gets the page with long script and style bodies cut out (checked during the
walk, else the page is parsed whole: see ``_cut_raw``); runs of one-link list items (menus)
take a straight path through the walk's steps (``_FAST_PATHS``); plain hrefs are resolved
without ``urljoin``; the result objects are made in bulk at the end; bare URLs are looked for
only where one can start. ``benchmarks/bench_read.py`` times the reader and checks it against
a frozen copy of the walk without these (``--equivalence``).

Whitespace, no-break spaces included, collapses to one space outside ``<pre>``. RDFa values
follow RDFa: ``property`` takes ``content``, else the element's text (its link when it has
no ``rel``); ``rel`` takes the link. Machine-readable statements (``rel=license``, RDFa,
JSON-LD, meta) count even inside hidden elements; hidden links are not hyperlinks. Embeds
count wherever they are (a tracking pixel is loaded even when hidden or in ``<noscript>``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from bisect import bisect_left
from collections import deque
from itertools import repeat
from urllib.parse import urljoin, urlparse, urlsplit, uses_netloc, uses_relative

from selectolax.lexbor import LexborHTMLParser

from ..document import HTML, Block, Document, Embed, Link, Mention, Signal
from .text import URL_RE, find_mentions

__all__ = ["read_html"]

# --------------------------------------------------------------------------------------
# Element tables

#: Block-level elements: entering or leaving one ends the current block.
_BLOCK = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html
    legend li listing main menu nav ol p plaintext pre search section summary table tbody td
    tfoot th thead tr ul xmp option optgroup select textarea video audio canvas iframe object
    noscript map""".split()
)

#: Block kind an element gives its text.
_KIND = {
    "p": "p", "h1": "h1", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h5", "h6": "h6",
    "li": "li", "dt": "li", "dd": "li", "blockquote": "quote", "pre": "pre", "listing": "pre",
    "xmp": "pre", "plaintext": "pre", "td": "td", "th": "td",
}

#: Region an element opens for its descendants.
_REGION_TAG = {
    "footer": "footer", "aside": "aside", "nav": "nav", "header": "header",
    "figure": "figcaption", "figcaption": "figcaption", "main": "main", "article": "main",
}
_REGION_ROLE = {
    "contentinfo": "footer", "complementary": "aside", "navigation": "nav", "banner": "header",
    "main": "main", "article": "main", "figure": "figcaption", "comment": "comment",
}

#: Never descended into: no visible text and nothing we collect inside.
_SKIP = frozenset("script style template svg title iframe noembed noframes".split())
#: Of those, the ones whose raw content the source cursor must jump over.
_RAWTEXT = frozenset("style template svg noembed noframes".split())
#: Descended into (for embeds and signals) but their text is not shown.
_NOTEXT = frozenset("head noscript video audio canvas object select datalist".split())

#: Attributes that make an element more than its tag (``id``/``class`` only when they say
#: "comment", tested apart).
_SPECIAL_ATTRS = frozenset(("hidden", "style", "role", "property", "rel"))

# RDFa names (lowercased, prefixes normalised) to the kind suffix reported.
_RDFA = {
    "cc:attributionname": "cc:attributionName",
    "cc:attributionurl": "cc:attributionURL",
    "dct:title": "dct:title",
    "dcterms:title": "dct:title",
    "dc:title": "dc:title",
    "dct:creator": "dct:creator",
    "dcterms:creator": "dct:creator",
    "http://creativecommons.org/ns#attributionname": "cc:attributionName",
    "http://creativecommons.org/ns#attributionurl": "cc:attributionURL",
    "http://purl.org/dc/terms/title": "dct:title",
    "http://purl.org/dc/elements/1.1/title": "dc:title",
    "http://purl.org/dc/terms/creator": "dct:creator",
}
_RDFA_LICENSE = frozenset(
    ("license", "cc:license", "dct:license", "dcterms:license", "http://creativecommons.org/ns#license",
     "http://purl.org/dc/terms/license", "http://www.w3.org/1999/xhtml/vocab#license", "xhv:license")
)

_META = {
    "author": "meta.author",
    "copyright": "meta.copyright",
    "dc.rights": "meta.dc.rights",
    "dc:rights": "meta.dc.rights",
    "dcterms.rights": "meta.dc.rights",
    "dcterms:rights": "meta.dc.rights",
    "dc.creator": "meta.dc.creator",
    "dcterms.creator": "meta.dc.creator",
    "dc.publisher": "meta.dc.publisher",
    "dcterms.publisher": "meta.dc.publisher",
    "og:url": "meta.og:url",
    "og:site_name": "meta.og:site_name",
    "og:title": "meta.og:title",
    "og:type": "meta.og:type",
    "article:author": "meta.article:author",
    "article:publisher": "meta.article:publisher",
    "article:section": "meta.article:section",
    "description": "meta.description",
    "citation_author": "meta.citation_author",
    "tdm-reservation": "tdm.reservation",
    "tdm-policy": "tdm.policy",
}
_ROBOTS = frozenset(("robots", "googlebot", "bingbot", "googlebot-news", "googlebot-image"))

_JSONLD_KEYS = frozenset(
    """license copyrightHolder copyrightNotice copyrightYear author publisher creditText
    isAccessibleForFree @type articleSection headline url mainEntityOfPage datePublished
    acquireLicensePage""".split()
)
_JSONLD_ID_KEYS = frozenset(("license", "mainEntityOfPage", "acquireLicensePage"))
_MEDIA_TYPES = frozenset(("ImageObject", "Photograph", "VideoObject", "AudioObject", "MediaObject"))
#: Nodes that speak for the whole site: what they state is its default, as a site footer's is.
_SITE_TYPES = frozenset(("WebSite", "Organization", "NewsMediaOrganization", "Corporation", "Brand"))
_MEDIA_KEYS = frozenset(("image", "thumbnail", "logo", "video", "associatedMedia", "primaryImageOfPage", "audio"))

# A run of characters that appear literally in the source (no entity could have made them).
_LITERAL_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z ,.:;!?()/_%+=*#@$-]*")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_URL_WS = re.compile(r"[\t\n\r]")

_tag_res: dict[str, re.Pattern[str]] = {}
_close_res: dict[str, re.Pattern[str]] = {}


def _tag_re(tag: str) -> re.Pattern[str]:
    r = _tag_res.get(tag)
    if r is None:
        r = _tag_res[tag] = re.compile("<" + re.escape(tag) + r"(?=[\s/>])", re.I)
    return r


def _close_re(tag: str) -> re.Pattern[str]:
    r = _close_res.get(tag)
    if r is None:
        r = _close_res[tag] = re.compile("</" + re.escape(tag) + r"(?=[\s/>])", re.I)
    return r


_NOT_COMMENTS = frozenset(("comments-open", "comments-closed", "no-comments", "nocomments"))


def _is_comment(value: str) -> bool:
    """Does an id or class name a comments section (not "commentary", not WordPress's
    "comments-open" body class)?"""
    v = value.lower()
    if "comment" not in v:
        return False
    for tok in v.split():
        if "comment" in tok and "commentar" not in tok and tok not in _NOT_COMMENTS:
            return True
    return False


def _is_javascript(href: str) -> bool:
    return _URL_WS.sub("", href).lstrip().lower().startswith("javascript:")


def _collapse(s: str) -> str:
    return " ".join(s.split())


# --------------------------------------------------------------------------------------
# URL resolution, fast for the common shapes


_OPAQUE_OK = frozenset(("http", "https", "ftp", "file", "ws", "wss"))


def _clean_href(href: str) -> str:
    h = href.strip()
    if "\n" in h or "\t" in h or "\r" in h:
        h = _URL_WS.sub("", h)
    return h


#: A path and nothing else (printable ASCII but for : ; ? # \\), for _path_joiner.
_PLAIN_PATH = re.compile(r"[!-\"$-9<->@-\[\]-~]+\Z").match


def _path_joiner(base: str):
    """A function joining a plain path (see _PLAIN_PATH, not starting with "//") to ``base``
    exactly as ``urljoin`` does (RFC 3986 dot segments, Python's way), or None."""
    try:
        bscheme, bnetloc, bpath = urlparse(base, "")[:3]
    except ValueError:
        return None
    if not (bnetloc and bscheme in uses_relative and bscheme in uses_netloc):
        return None
    base_parts = bpath.split("/")
    if base_parts[-1] != "":
        del base_parts[-1]
    prefix = bscheme + "://" + bnetloc

    def join(h: str) -> str:
        if h[:1] == "/":
            segments = h.split("/")
        else:
            segments = base_parts + h.split("/")
            segments[1:-1] = filter(None, segments[1:-1])
        resolved: list[str] = []
        for seg in segments:
            if seg == "..":
                if resolved:
                    resolved.pop()
            elif seg != ".":
                resolved.append(seg)
        if segments[-1] in (".", ".."):
            resolved.append("")
        path = "/".join(resolved) or "/"
        return prefix + path if path[0] == "/" else prefix + "/" + path

    return join


def _resolver(base: str | None):
    """A function resolving hrefs against ``base`` like ``urljoin``, fast for the usual shapes
    (``/path``, ``#frag``, ``?q``, absolute, ``mailto:``, plain relative paths)."""
    if not base:
        return _clean_href
    try:
        sp = urlsplit(base)
    except ValueError:
        return _clean_href
    cache: dict[str, str] = {}
    join = _path_joiner(base)

    def slow(h: str) -> str:
        if join is not None and _PLAIN_PATH(h) is not None and h[:2] != "//":
            return join(h)  # what urljoin gives, without its parsing
        try:
            return urljoin(base, h)
        except ValueError:
            return h

    if not (sp.scheme and sp.netloc):
        def resolve_any(href: str) -> str:
            out = cache.get(href)
            if out is None:
                h = _clean_href(href)
                out = cache[href] = slow(h) if h else h
            return out
        return resolve_any

    scheme = sp.scheme + ":"
    origin = f"{sp.scheme}://{sp.netloc}"
    nofrag = base.split("#", 1)[0]
    noquery = nofrag.split("?", 1)[0]
    cut = noquery.rfind("/")
    basedir = noquery[:cut + 1] if cut >= len(origin) else origin + "/"

    def resolve(href: str) -> str:
        h = href.strip()
        if "\n" in h or "\t" in h or "\r" in h:
            h = _URL_WS.sub("", h)
        if not h:
            return h
        c = h[0]
        if c == "/":
            if "/." in h:
                return slow(h)
            if h[1:2] == "/":
                return scheme + h
            return origin + h
        if c == "#":
            return nofrag + h
        if c == "?":
            return noquery + h
        if h.startswith(("https://", "http://")):
            return h if "/." not in h else slow(h)
        out = cache.get(h)
        if out is None:
            colon = h.find(":")
            stop = len(h)
            for ch in "/?#":
                k = h.find(ch)
                if 0 <= k < stop:
                    stop = k
            if 0 < colon < stop:
                out = slow(h) if h[:colon].lower() in _OPAQUE_OK else h  # mailto:, tel:, data: ...
            elif "." in h[:1] or "/." in h:
                out = slow(h)
            else:
                out = basedir + h
            cache[h] = out
        return out

    resolve.origin = origin  # type: ignore[attr-defined]  # for the walk's inline shortcut
    return resolve


# --------------------------------------------------------------------------------------
# Pathological nesting: Lexbor's tree builder is quadratic in the depth of open block
# elements (each start tag scans the stack of open elements). Deeply nested block tags past
# _MAX_DEPTH are blanked out (same length, so offsets are unchanged) before parsing.

_MAX_DEPTH = 512
_SCAN_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>\x00]*)|<!--")
_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr basefont bgsound frame".split())
_SCAN_RAW = frozenset("script style textarea title xmp iframe noembed noframes plaintext".split())
_IMPLIED = frozenset("p li dt dd option optgroup tr td th".split())


def _defuse_nesting(s: str) -> str:
    blanks: list[tuple[int, int]] = []
    stack: list[tuple[str, bool]] = []
    search = _SCAN_TAG.search
    find = s.find
    pos = 0
    n = len(s)
    while pos < n:
        m = search(s, pos)
        if m is None:
            break
        name = m.group(2)
        if name is None:  # comment
            e = find("-->", m.end())
            pos = n if e < 0 else e + 3
            continue
        gt = find(">", m.end())
        if gt < 0:
            break
        end = gt + 1
        name = name.lower()
        if m.group(1):
            lo = max(-1, len(stack) - 65)
            for k in range(len(stack) - 1, lo, -1):
                if stack[k][0] == name:
                    if stack[k][1]:
                        blanks.append((m.start(), end))
                    del stack[k:]
                    break
            pos = end
            continue
        if name in _SCAN_RAW:
            cm = _close_re(name).search(s, end)
            pos = n if cm is None else cm.end()
            continue
        if name in _VOID or s[gt - 1] == "/":
            pos = end
            continue
        if name in _IMPLIED and stack and stack[-1][0] == name:
            stack.pop()
        blank = len(stack) >= _MAX_DEPTH and name in _BLOCK
        if blank:
            blanks.append((m.start(), end))
        stack.append((name, blank))
        pos = end
    if not blanks:
        return s
    out = []
    last = 0
    for a, b in blanks:
        out.append(s[last:a])
        out.append(" " * (b - a))
        last = b
    out.append(s[last:])
    return "".join(out)


# --------------------------------------------------------------------------------------
# JSON-LD


def _strip_wrappers(s: str) -> str:
    """JSON-LD as pages botch it: CDATA and comment wrappers, trailing commas."""
    t = s.strip()
    changed = True
    while changed:
        changed = False
        for a in ("//<![CDATA[", "<![CDATA[", "<!--", "/*<![CDATA[*/"):
            if t.startswith(a):
                t = t[len(a):].strip()
                changed = True
        for b in ("//]]>", "]]>", "-->", "/*]]>*/"):
            if t.endswith(b):
                t = t[: -len(b)].strip()
                changed = True
    return _TRAILING_COMMA.sub(r"\1", t)


def _load_jsonld(raw: str) -> tuple[list, str | None, int]:
    """Parsed values, or an error (reason, line within ``raw``)."""
    try:
        return [json.loads(raw, strict=False)], None, 0
    except RecursionError:
        return [], "nested too deeply", 1
    except ValueError as exc:
        first = exc
    try:
        fixed = _strip_wrappers(raw)
        if not fixed:
            return [], None, 0
        dec = json.JSONDecoder(strict=False)
        values = []
        i = 0
        n = len(fixed)
        while i < n:
            v, i = dec.raw_decode(fixed, i)
            values.append(v)
            while i < n and fixed[i] in " \t\r\n;":
                i += 1
        return values, None, 0
    except RecursionError:
        return [], "nested too deeply", 1
    except ValueError:
        pass
    msg = getattr(first, "msg", None) or str(first)
    return [], msg[:80], getattr(first, "lineno", 1) or 1


def _jsonld_names(values: list) -> dict[str, str]:
    """``@id`` -> ``name`` of every node that has both: a ``publisher`` or ``author`` given as
    ``{"@id": "#org"}`` names the node of the ``@graph`` it refers to."""
    names: dict[str, str] = {}
    todo = list(values)
    seen = 0
    while todo and seen < 10_000:  # (a bound on hostile nesting and size)
        x = todo.pop()
        seen += 1
        if isinstance(x, dict):
            i, n = x.get("@id"), x.get("name")
            if isinstance(i, str) and isinstance(n, str) and n.strip() and i not in names:
                names[i] = n.strip()
            todo.extend(v for v in x.values() if isinstance(v, (dict, list)))
        elif isinstance(x, list):
            todo.extend(v for v in x if isinstance(v, (dict, list)))
    return names


def _jsonld_values(key: str, v, names: dict[str, str] | None = None) -> list[str]:
    out: list[str] = []
    todo = [v]
    while todo:
        x = todo.pop(0)
        if isinstance(x, str):
            x = x.strip()
            if x:
                out.append(x)
        elif isinstance(x, bool):
            out.append("true" if x else "false")
        elif isinstance(x, (int, float)):
            out.append(str(x))
        elif isinstance(x, dict):
            if key in _JSONLD_ID_KEYS:
                y = x.get("@id") or x.get("url") or x.get("name")
            else:
                y = x.get("name")
                if isinstance(y, dict):
                    y = y.get("@value")
                elif isinstance(y, list):
                    y = next((z for z in y if isinstance(z, str)), None)
                if not y and key == "url":
                    y = x.get("@id")
                if not y and names and isinstance(x.get("@id"), str):
                    y = names.get(x["@id"])
            if isinstance(y, str) and y.strip():
                out.append(y.strip())
        elif isinstance(x, list) and x is v:
            todo.extend(x)
    return out


_END = object()


def _walk_jsonld(values: list, emit) -> None:
    """Call ``emit(key, value, media, site)`` for the wanted keys of every object, in document
    order: ``media`` when the object is an image's (or another medium's), ``site`` when it is the
    whole site's (a ``WebSite`` or ``Organization`` node: its licence is the site's default)."""
    names = _jsonld_names(values)
    stack: list = [(iter(values), False, False, False)]
    while stack:
        it, media, site, is_dict = stack[-1]
        item = next(it, _END)
        if item is _END:
            stack.pop()
            continue
        if is_dict:
            key, v = item
            if key in _JSONLD_KEYS:
                for s in _jsonld_values(key, v, names):
                    emit(key, s, media, site)
            if isinstance(v, (dict, list)) and v:
                stack.append(_jsonld_frame(v, media or key in _MEDIA_KEYS, site))
        elif isinstance(item, (dict, list)) and item:
            stack.append(_jsonld_frame(item, media, site))


def _jsonld_frame(v, media: bool, site: bool):
    if isinstance(v, list):
        return (iter(v), media, site, False)
    t = v.get("@type")
    if isinstance(t, str):
        types = (t,)
    elif isinstance(t, list):
        types = tuple(x for x in t if isinstance(x, str))
    else:
        types = ()
    if types:
        media = media or any(x in _MEDIA_TYPES for x in types)
        site = any(x in _SITE_TYPES for x in types)
    return (iter(v.items()), media, site, True)


def _find_mentions(text: str) -> list[Mention]:
    """``find_mentions(text)``, without running the pattern over the whole text: each of its
    matches starts where "http" or "www." stands (in any case), so it is only tried there
    (anchored, and from where the last match ended, as a search would). ``str.lower`` keeps
    offsets, but for U+0130, the one character it lowers to two."""
    if "\u0130" in text:
        return find_mentions(text)
    low = text.lower()
    starts = []
    for needle in ("http", "www."):
        k = low.find(needle)
        while k >= 0:
            starts.append(k)
            k = low.find(needle, k + 1)
    if not starts:
        return []
    starts.sort()
    out = []
    end = 0
    match = URL_RE.match
    for k in starts:
        if k >= end:
            m = match(text, k)
            if m is not None:
                out.append(Mention(m.group(0), m.start(), m.end()))
                end = m.end()
    return out


# --------------------------------------------------------------------------------------
# Fast constructors for the (frozen, slotted) result dataclasses: a frozen dataclass's
# __init__ sets each field through object.__setattr__, which is half of the cost of building
# the hundreds of blocks and links a page has.


def _maker(cls):
    names = [f.name for f in dataclasses.fields(cls)]
    if "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        return cls
    ns = {"new": object.__new__, "cls": cls}
    body = ["def make(" + ", ".join(names) + "):", "    o = new(cls)"]
    for i, n in enumerate(names):
        ns[f"set{i}"] = cls.__dict__[n].__set__
        body.append(f"    set{i}(o, {n})")
    body.append("    return o")
    exec("\n".join(body), ns)  # noqa: S102 - a fixed template over the dataclass's own field names
    return ns["make"]


_mk_block = _maker(Block)
_mk_link = _maker(Link)


def _setters(cls) -> tuple:
    return tuple(cls.__dict__[f.name].__set__ for f in dataclasses.fields(cls))


_BLOCK_SETTERS = _setters(Block)
_LINK_SETTERS = _setters(Link)


def _make_all(cls, setters: tuple, rows: list[tuple]) -> tuple:
    """Instances of a frozen, slotted dataclass from rows of its field values, a column at a
    time: the setters run from ``map`` (no Python frame per object)."""
    if not rows:
        return ()
    objs = tuple(map(object.__new__, repeat(cls, len(rows))))
    for setter, column in zip(setters, zip(*rows)):
        deque(map(setter, objs, column), 0)
    return objs
_mk_signal = _maker(Signal)
_mk_embed = _maker(Embed)


# --------------------------------------------------------------------------------------
# Finding text and tags in the source


def _locate(source: str, t: str, cur: int, srclen: int, far: bool = True, p0: int = -2) -> tuple[int, int, int, int]:
    """Where text node ``t`` stands in the source from ``cur``.

    Returns ``(offset of its first visible character, offset of the node, new cursor,
    newline width)``: width 1 or 2 (CRLF) when the node was found literally (or its start
    was, before an entity); width 0 and node offset -1 when only a literal run of it was
    found, the first offset then being an estimate; first offset -1 too when it was not
    found at all. Nearby places are tried before far ones, so a node that is not literally
    in the source does not cost a scan of the rest of the page. ``p0`` is what the caller's
    own look in the nearby window gave (-1 nothing, -2 not looked).
    """
    lead = len(t) - len(t.lstrip())
    needles = [(t, 1)]
    if "\n" in t and source.find("\r\n", cur, cur + 2 * len(t) + 4096) >= 0:
        needles.append((t.replace("\n", "\r\n"), 2))
    window = 4096
    for needle, nl in needles:
        if needle is t and p0 != -2:
            p = -1 if p0 < 0 else _find_whole(source, needle, p0 + 1, cur + len(needle) + window, srclen)
        else:
            p = _find_whole(source, needle, cur, cur + len(needle) + window, srclen)
        if p >= 0:
            return p + len(needle) - len(needle.lstrip()), p, p + len(needle), nl
    # Entities or character references: the node's literal beginning, right after a tag. The
    # node takes at least as many characters in the source as in the text (a reference is
    # longer than its character), so it cannot start later than ``srclen - len(t)``.
    m = _ENTITYISH.search(t)
    if m is not None:
        k = m.start()
        k2 = _first_non_ascii(t, k)  # and before any non-ASCII character, which may be one too
        last = srclen - len(t)
        for prefix in (t[:k], t[:k2]) if k2 < k else (t[:k],):
            if prefix.strip():
                p = _find_start(source, prefix, cur, min(cur + 8 * len(t) + window, last + len(prefix)))
                if p >= 0:
                    return p + lead, p, p + len(t), 1
    # Entities: the longest run of characters that must be literal in the source.
    runs = _LITERAL_RUN.findall(t)
    run = max(runs, key=len) if runs else ""
    if run:
        q = _find_run(source, run, cur, cur + len(run) + 2 * window)
        if q >= 0:
            return max(cur, q - t.find(run) + lead), -1, q + len(run), 0
    # Far away (after hidden content, say): the rest of the page, for text long enough not
    # to be found by chance (and not while the search keeps failing: no quadratic work).
    if not far or len(t) < 8:
        return -1, -1, cur, 0
    for needle, nl in needles:
        p = _find_whole(source, needle, cur, srclen, srclen)
        if p >= 0:
            return p + len(needle) - len(needle.lstrip()), p, p + len(needle), nl
    if len(run) >= 12:
        q = _find_run(source, run, cur, srclen)
        if q >= 0:
            return max(cur, q - t.find(run) + lead), -1, q + len(run), 0
    return -1, -1, cur, 0


_ENTITYISH = re.compile(r"[&<>\"'\xa0]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _first_non_ascii(t: str, end: int) -> int:
    m = _NON_ASCII.search(t, 0, end)
    return end if m is None else m.start()


def _find_start(source: str, prefix: str, start: int, end: int) -> int:
    """The first occurrence of ``prefix`` in ``source[start:end]`` right after a tag (or after
    the blanks that open the document, which the parser drops)."""
    find = source.find
    p = find(prefix, start, end)
    tries = 0
    while p >= 0 and tries < 50:
        if p == 0 or source[p - 1] in ">\n" or (p <= 64 and source[:p].isspace()):
            return p
        tries += 1
        p = find(prefix, p + 1, end)
    return -1


def _find_whole(source: str, needle: str, start: int, end: int, srclen: int) -> int:
    """The first occurrence of ``needle`` in ``source[start:end]`` that is a whole text node."""
    find = source.find
    n = len(needle)
    p = find(needle, start, end)
    while p >= 0:
        e = p + n
        if (p == 0 or source[p - 1] in ">\n") and (e >= srclen or source[e] == "<"):
            return p
        p = find(needle, p + 1, end)
    return -1


def _find_run(source: str, run: str, start: int, end: int) -> int:
    """The first occurrence of a literal run of a text node in ``source[start:end]`` that is
    outside any tag."""
    find = source.find
    p = find(run, start, end)
    tries = 0
    while p >= 0 and tries < 50:
        if source.rfind("<", start, p) <= source.rfind(">", start, p):
            return p
        tries += 1
        p = find(run, p + 1, end)
    return -1


def _tagpos(source: str, tag: str, start: int, upper: bool) -> int:
    """Offset of the next ``<tag`` start tag from ``start``, or -1."""
    if upper:
        m = _tag_re(tag).search(source, start)
        return m.start() if m is not None else -1
    needle = "<" + tag
    n = len(needle)
    find = source.find
    p = find(needle, start)
    while p >= 0:
        if source[p + n:p + n + 1] in " \t\n\r\f/>":
            return p
        p = find(needle, p + 1)
    return -1


def _raw_end(source: str, tag: str, start: int, upper: bool) -> int:
    """Offset of the ``</tag`` that ends a raw-text element opened before ``start``, or -1."""
    if not upper:
        e = source.find("</" + tag, start)
        if e >= 0:
            return e
    m = _close_re(tag).search(source, start)
    return m.start() if m is not None else -1


_UPPER_TAGS = re.compile(r"<(?:HTML|HEAD|BODY|TITLE|META|LINK|SCRIPT|STYLE|DIV|TABLE|P|A|IMG|FONT|CENTER|BR)[\s/>]")


def _maybe_deep(source: str) -> bool:
    """Cheap test for pathological nesting: a 1 KB window every 32 KB dense with tags."""
    n = len(source)
    if n < 50_000:
        return False
    count = source.count
    for start in range(0, n, 32_768):
        if count("<", start, start + 1024) > 100:
            return source.count("<") > 20_000
    return False


# --------------------------------------------------------------------------------------
# The parser's input without the bodies of inline scripts and style sheets
#
# A news page is mostly inline JavaScript, JSON state and CSS, which Lexbor has to encode,
# tokenize and store although nothing here reads it: the walk only needs to know that such
# an element has content (and where it ends in the source, which it finds in the source).
# So, when there is something worth cutting, the parser is given the page with each long
# script (other than JSON-LD) or style body replaced by one mark character (outside the
# Basic Multilingual Plane, so never found in a page that has no such characters), found
# with the tokenizer's own rules: script data ends at the first ``</script`` followed by
# whitespace, ``/`` or ``>`` in any case, unless it holds ``<!--`` (escaped script data:
# left alone, and nothing after it is cut); a style sheet at the first ``</style`` so
# followed. Only where the tokenizer really is in a script or style element does that
# leave the tree as it was but for that text; elsewhere (a "<script" in a comment, in an
# attribute, in a textarea, in SVG...) the mark ends up anything but the whole text of a
# script or style element the walk meets. So the walk counts the marks it meets as such,
# and when they are not all there (or a MathML element, where "script" is not HTML's, was
# met), the page is read again from a parse of the whole source.

_MARK = "\U000F0000"
_MARK_BYTES = _MARK.encode("utf-8")
_CUT_MIN = 512
_SCRIPT_TAG = re.compile(
    r"""<(script|style)(?:[\t\n\f\r /]+[^\t\n\f\r />"'<=][^\t\n\f\r />=]*(?:[\t\n\f\r ]*=[\t\n\f\r ]*"""
    r"""(?:"[^"]*"|'[^']*'|[^\t\n\f\r >"'=<`]+))?)*[\t\n\f\r /]*>"""
)
# The first lowercase "</script" (where _raw_end looks), an end tag in any case, or "<!--".
_SCRIPT_STOP = re.compile(r"<(?:/script|/[sS][cC][rR][iI][pP][tT](?=[\t\n\f\r />])|!--)")
_STYLE_STOP = re.compile(r"</(?:style|[sS][tT][yY][lL][eE](?=[\t\n\f\r />]))")
_END_DELIM = frozenset("\t\n\f\r />")
_RAW_OPEN = re.compile(r"<(?:script|style)(?=[\t\n\f\r />])")


def _cut_raw(source: str) -> tuple[bytes, int, dict[int, int], dict[int, int]] | None:
    """The parser's input with long script and style bodies cut to a mark, the number of
    marks, and the ends ``_raw_end`` gives for the scripts and style sheets seen (by the
    offset of their start tag); None when there is nothing worth cutting."""
    m = _RAW_OPEN.search(source)
    if m is None or _MARK in source:
        return None
    pieces: list[str] = []
    last = 0
    n = 0
    script_ends: dict[int, int] = {}
    style_ends: dict[int, int] = {}
    match = _SCRIPT_TAG.match
    search = _RAW_OPEN.search
    while m is not None:
        i = m.start()
        t = match(source, i)
        if t is None:
            m = search(source, i + 6)  # not a tag this scan understands: look on
            continue
        body = t.end()
        tag = t.group(0)
        if t.group(1) == "script":
            stop = _SCRIPT_STOP.search(source, body)
            if stop is None:
                break
            e = stop.start()
            if source[e + 1] == "!":
                break  # escaped script data: where it ends is not worth working out
            if source.startswith("</script", e):
                if "</script" not in tag:
                    script_ends[i] = e
                while source[e + 8:e + 9] not in _END_DELIM:
                    # "</scripts...": not an end tag, the real end is further
                    stop = _SCRIPT_STOP.search(source, e + 8)
                    if stop is None:
                        break
                    e = stop.start()
                    if source[e + 1] == "!" or not source.startswith("</script", e):
                        break
                if stop is None or source[e + 1] == "!":
                    break
            cut = e - body >= _CUT_MIN and "ld+json" not in tag.lower()
        else:
            stop = _STYLE_STOP.search(source, body)
            if stop is None:
                break
            e = stop.start()
            if source.startswith("</style", e):
                if "</style" not in tag:
                    style_ends[i] = e
                while source[e + 7:e + 8] not in _END_DELIM:
                    stop = _STYLE_STOP.search(source, e + 7)
                    if stop is None:
                        break
                    e = stop.start()
                    if not source.startswith("</style", e):
                        break
                if stop is None:
                    break
            cut = e - body >= _CUT_MIN
        if cut:
            pieces.append(source[last:body])
            last = e
            n += 1
        m = search(source, e)
    if not n:
        return None
    pieces.append(source[last:])
    return _MARK_BYTES.join([p.encode("utf-8", "ignore") for p in pieces]), n, script_ends, style_ends


# --------------------------------------------------------------------------------------
# The element table: flags, block kind, region, action

_F_BLOCK, _F_NOTEXT, _F_SKIP = 1, 2, 4
(_A_A, _A_IMG, _A_SCRIPT, _A_META, _A_LINK, _A_IFRAME, _A_AREA, _A_BR, _A_TITLE, _A_RAW,
 _A_DIALOG, _A_BASE) = range(1, 13)
_ACTIONS = {
    "a": _A_A, "img": _A_IMG, "script": _A_SCRIPT, "meta": _A_META, "link": _A_LINK,
    "iframe": _A_IFRAME, "area": _A_AREA, "br": _A_BR, "title": _A_TITLE, "dialog": _A_DIALOG,
    "base": _A_BASE,
    **{t: _A_RAW for t in _RAWTEXT},
}
_TAGS: dict[str, tuple[int, str | None, str | None, int]] = {}
for _t in _BLOCK | _NOTEXT | _SKIP | set(_ACTIONS) | set(_KIND) | set(_REGION_TAG):
    _flags = (_F_BLOCK if _t in _BLOCK else 0) | (_F_NOTEXT if _t in _NOTEXT else 0) | (_F_SKIP if _t in _SKIP else 0)
    _TAGS[_t] = (_flags, _KIND.get(_t), _REGION_TAG.get(_t), _ACTIONS.get(_t, 0))
del _t, _flags


def _republish_box(attrs: dict) -> bool:
    """A hidden element that is a publisher's "Republish this story" box (a modal or a closed
    dialog that opens on a click): what it says are the page's terms, so it is read, as an
    aside (outside the article's text, as a sidebar box would be)."""
    for key in ("id", "class", "aria-label", "aria-labelledby", "data-modal", "data-target"):
        v = attrs.get(key)
        if v and "republish" in v.lower():
            return True
    return False


def _plain_transition(ctx: tuple, tag: str, attrs: dict, ctxs: dict) -> tuple:
    """``(context, flags, action)`` an element of no telling attribute leads to from ``ctx``
    (what the walk's full look at it gives), cached in ``ctx`` as the walk caches it."""
    flags, k, r, act = _TAGS.get(tag, _PLAIN_INFO)
    kind = nk = ctx[0]
    nr = ctx[1]
    nm = ctx[2]
    cacheable = True
    if flags & 1:
        if k is not None:
            if k == "pre" and nm == 0:
                nm = 2
            nk = "quote" if (k == "p" and kind == "quote") else k
        if r is not None:
            nr = r
    if flags & 2:
        nm = 1
    if act == _A_DIALOG:
        act = 0
        if "open" not in attrs:
            nm = 1
            cacheable = False
    if nm == 1 and ctx[2] != 1 and attrs and _republish_box(attrs):
        nm, nr, cacheable = ctx[2], "aside", False
    key = (nk, nr, nm)
    nctx = ctxs.get(key)
    if nctx is None:
        nctx = ctxs[key] = (nk, nr, nm, {})
    tr = (nctx, flags & 5, act)
    if cacheable and tag != "math":  # (the walk's own look notes a math element: see _cut_raw)
        ctx[3][tag] = tr
    return tr


_PLAIN_INFO = (0, None, None, 0)

#: The walk's shortcuts (an element's only text read in place, runs of one-link blocks, the
#: inline resolution of plain hrefs). Each does exactly what the plain walk does; off, the
#: plain walk alone reads (the tests compare both).
_FAST_PATHS = True
#: Where a run of one-link blocks is looked for: lists (a try elsewhere mostly fails, and
#: failing costs more than it saves).
_RUN_TAGS = frozenset(("ul", "ol", "menu", "dir", "dl"))


# --------------------------------------------------------------------------------------
# The reader


def _base_href(tree) -> str:
    """The first ``<base href>`` in ``<head>``, where it belongs (one elsewhere is taken up
    by the walk, for the links after it)."""
    head = tree.head
    if head is not None:
        for child in head.iter():
            if child.tag == "base":
                h = (child.attributes.get("href") or "").strip()
                if h:
                    return h
    return ""


def read_html(source: str, path: str, url: str | None = None) -> Document:
    """Read decoded HTML into a :class:`Document`. Never raises on any input string."""
    try:
        return _read(source, path, url)
    except Exception as exc:  # a last line of defence: no input may stop a batch
        try:
            text = _collapse(re.sub(r"<[^>]*>", " ", source))
        except Exception:
            text = ""
        return Document(
            path=path, media_type=HTML, text=text, source=source if isinstance(source, str) else "",
            blocks=(Block(0, len(text), "text"),) if text else (), url=url,
            warnings=(f"HTML reader failed ({type(exc).__name__}: {str(exc)[:80]}); text is approximate",),
        )


def _read(source: str, path: str, url: str | None) -> Document:
    if not isinstance(source, str):
        source = str(source)
    return _read_doc(source, path, url, True)


def _read_doc(source: str, path: str, url: str | None, cut_raw: bool) -> Document:
    parse_input = source
    cut = None
    if _maybe_deep(source):
        parse_input = _defuse_nesting(source)
    elif cut_raw:
        cut = _cut_raw(source)
    if cut is not None:
        tree = LexborHTMLParser(cut[0])
        marks, script_ends, style_ends = cut[1], cut[2], cut[3]
    else:
        try:
            tree = LexborHTMLParser(parse_input)
        except Exception:
            tree = LexborHTMLParser(parse_input.encode("utf-8", "replace"))
        marks = 0
        script_ends = style_ends = {}
    seen = 0  # marks met as the whole text of a script or style element
    saw_math = False
    root = tree.root

    warnings: list[str] = []
    signals: list[Signal] = []
    embeds: list[Embed] = []
    link_rows: list[tuple] = []  # (href, text, rel, start, end, source offset, region), made Links at the end
    block_rows: list[tuple] = []  # (start, end, kind, region), made Blocks at the end
    parts: list[str] = []
    anchors: list[tuple[int, int]] = []  # (text offset, source offset)
    mk_signal = _mk_signal

    # <base href>: the first one counts for the whole document.
    base_url = url
    bh = _base_href(tree)
    if bh:
        try:
            base_url = urljoin(url, bh) if url else bh
        except ValueError:
            base_url = bh
    resolve = _resolver(base_url)
    # With an absolute base, what resolve gives for the two commonest shapes (a root-relative
    # path, an http(s) URL), when they need no cleaning and hold no dot segment.
    fast = _FAST_PATHS
    origin = getattr(resolve, "origin", None) if fast else None

    find = source.find
    srclen = len(source)
    upper = _UPPER_TAGS.search(source, 0, 8192) is not None
    if upper:
        script_ends = style_ends = {}  # _raw_end looks otherwise then
    tinfo = _TAGS.get
    special = _SPECIAL_ATTRS
    title_text: str | None = None
    og_title: str | None = None
    og_url: str | None = None
    canonical: str | None = None

    # Cursors into the source, moving forward only: ``cur`` after the last text found (or
    # raw-text element skipped), ``tcur`` after the last tag found.
    cur = 0
    tcur = 0
    skip_at = -1  # offset of a script whose end the cursors have yet to skip to
    misses = 0  # text nodes in a row not found in the source

    pos = 0  # length of the text so far
    blk_open = False
    blk_start = 0
    blk_kind = "text"
    blk_region = "body"
    pending_space = False

    # The context elements give their descendants: (block kind, region, text mode, transitions).
    # Text mode: 0 shown, 1 hidden, 2 preformatted. Contexts are shared, and each caches the
    # context a plain element (no action, no telling attribute) of a given tag leads to.
    ctxs: dict[tuple[str, str, int], tuple] = {}
    ctx: tuple = ("text", "body", 0, {})
    ctxs[ctx[:3]] = ctx
    mode = 0
    trans = ctx[3]
    link = None  # the open <a>'s record: [href, rel, offset, region, start, parts index, alt, outer]
    plain_info = (0, None, None, 0)

    stack: list = []
    node = root
    while node is not None:
        tag = node.tag
        if tag == "-text":
            if mode == 0:
                t = node.text_content
                ws = t.split()
                if ws:
                    if blk_open:
                        if pending_space or t[0].isspace():
                            parts.append(" ")
                            pos += 1
                    else:
                        if pos:
                            parts.append("\n")
                            pos += 1
                        blk_open = True
                        blk_start = pos
                        blk_kind = ctx[0]
                        blk_region = ctx[1]
                    if link is not None and link[4] < 0:
                        link[4] = pos
                        link[5] = len(parts)
                    # where the text stands in the source
                    if skip_at >= 0:  # a script passed by: move the cursors past its end now
                        e = script_ends.get(skip_at, -2)
                        if e == -2:
                            e = _raw_end(source, "script", skip_at, upper)
                        if e > cur:
                            cur = tcur = e
                        skip_at = -1
                    n = len(t)
                    p = find(t, cur, cur + n + 4096)
                    if p >= 0 and (p == 0 or source[p - 1] in ">\n") and (p + n >= srclen or source[p + n] == "<"):
                        anchors.append((pos, p + n - len(t.lstrip()) if t[0].isspace() else p))
                        cur = p + n
                        nl = 1
                    else:
                        first, p, newcur, nl = _locate(source, t, cur, srclen, misses < 64, p)
                        if first >= 0:
                            anchors.append((pos, first))
                            cur = newcur
                            misses = 0
                        else:
                            anchors.append((pos, cur))
                            misses += 1
                    if len(ws) == 1:
                        words = ws[0]
                    else:
                        words = " ".join(ws)
                        if nl and "\n" in t:
                            # one anchor per source line, so line numbers stay exact
                            q = p
                            out = pos
                            firstline = True
                            lines = t.split("\n")
                            last = len(lines) - 1
                            for i, line in enumerate(lines):
                                lws = line.split()
                                if lws:
                                    if not firstline:
                                        a = q + len(line) - len(line.lstrip())
                                        anchors.append((out, a if a < srclen else srclen))
                                    firstline = False
                                    out += len(lws) + sum(map(len, lws))
                                if i < last:
                                    e = find("\n", q)
                                    if e < 0:
                                        break
                                    q = e + 1
                            # past the last line's anchor: the next anchor may not fall before it
                            if anchors[-1][1] > q:
                                q = anchors[-1][1]
                            if q > cur:
                                cur = q
                    parts.append(words)
                    pos += len(words)
                    pending_space = t[-1].isspace()
                elif t:
                    pending_space = True
            elif mode == 1:
                # hidden: not shown, but the cursor moves past it, so that the same words
                # shown later are not placed here
                t = node.text_content
                if t and not t.isspace():
                    n = len(t)
                    p = find(t, cur, cur + n + 4096)
                    if p >= 0 and (p == 0 or source[p - 1] in ">\n") and (p + n >= srclen or source[p + n] == "<"):
                        cur = p + n
            else:
                # preformatted: the text as it is
                t = node.text_content
                if t:
                    if not blk_open:
                        if pos:
                            parts.append("\n")
                            pos += 1
                        blk_open = True
                        blk_start = pos
                        blk_kind = ctx[0]
                        blk_region = ctx[1]
                    if link is not None and link[4] < 0:
                        link[4] = pos
                        link[5] = len(parts)
                    if skip_at >= 0:  # a script passed by: move the cursors past its end now
                        e = script_ends.get(skip_at, -2)
                        if e == -2:
                            e = _raw_end(source, "script", skip_at, upper)
                        if e > cur:
                            cur = tcur = e
                        skip_at = -1
                    first, p, newcur, nl = _locate(source, t, cur, srclen, misses < 64)
                    if first >= 0:
                        anchors.append((pos, p if p >= 0 else first))
                        cur = newcur
                        misses = 0
                    else:
                        anchors.append((pos, cur))
                        misses += 1
                    parts.append(t)
                    pos += len(t)
                    pending_space = False
        elif tag[0] != "-":
            attrs = node.attributes
            tr = trans.get(tag)
            link_rec = None
            if tr is not None and (not attrs or (special.isdisjoint(attrs) and "omment" not in (
                    attrs.get("class") or "") and "omment" not in (attrs.get("id") or ""))):
                nctx, fl, act = tr
            else:
                # the full look at an element
                flags, k, r, act = tinfo(tag, plain_info)
                if tag == "math":
                    saw_math = True  # (a "script" in it is MathML's: see _cut_raw)
                kind, region, m = ctx[0], ctx[1], ctx[2]
                nk, nr, nm = kind, region, m
                cacheable = True
                if flags & 1:
                    if k is not None:
                        if k == "pre" and nm == 0:
                            nm = 2
                        nk = "quote" if (k == "p" and kind == "quote") else k
                    if r is not None:
                        nr = r
                if flags & 2:
                    nm = 1
                if attrs and not (special.isdisjoint(attrs) and "omment" not in (
                        attrs.get("class") or "") and "omment" not in (attrs.get("id") or "")):
                    cacheable = False
                    if "hidden" in attrs:
                        nm = 1
                    st = attrs.get("style")
                    if st and ("none" in st or "hidden" in st):
                        st = st.replace(" ", "").lower()
                        if "display:none" in st or "visibility:hidden" in st:
                            nm = 1
                    role = attrs.get("role")
                    if role:
                        r = _REGION_ROLE.get(role.strip().lower())
                        if r is not None:
                            nr = r
                    if tag != "body" and tag != "html":
                        v = attrs.get("id")
                        if v and "omment" in v and _is_comment(v):
                            nr = "comment"
                        else:
                            v = attrs.get("class")
                            if v and "omment" in v and _is_comment(v):
                                nr = "comment"
                    prop = attrs.get("property")
                    rel_attr = attrs.get("rel")
                    if (prop or (rel_attr and (":" in rel_attr or "icense" in rel_attr))) and act != _A_LINK and act != _A_META:
                        if skip_at >= 0:  # a script passed by: move the cursors past its end now
                            e = script_ends.get(skip_at, -2)
                            if e == -2:
                                e = _raw_end(source, "script", skip_at, upper)
                            if e > cur:
                                cur = tcur = e
                            skip_at = -1
                        sp = _rdfa(node, tag, attrs, prop, rel_attr, nr, resolve, signals,
                                   source, tcur if tcur > cur else cur, upper)
                        if sp >= 0:
                            tcur = sp + 1

                if act == _A_DIALOG:
                    act = 0
                    if "open" not in attrs:
                        nm = 1
                        cacheable = False
                if nm == 1 and m != 1 and attrs and _republish_box(attrs):
                    nm, nr, cacheable = m, "aside", False
                fl = flags & 5
                key = (nk, nr, nm)
                nctx = ctxs.get(key)
                if nctx is None:
                    nctx = ctxs[key] = (nk, nr, nm, {})
                if cacheable:
                    trans[tag] = (nctx, fl, act)

            if act:
                if skip_at >= 0:  # a script passed by: move the cursors past its end now
                    e = script_ends.get(skip_at, -2)
                    if e == -2:
                        e = _raw_end(source, "script", skip_at, upper)
                    if e > cur:
                        cur = tcur = e
                    skip_at = -1
                if act == _A_A:
                    href = attrs.get("href")
                    if href and (href[0] not in "jJ \t\n\r\f" or not _is_javascript(href)):
                        if origin is not None and href[-1] != " " and "/." not in href and href.isprintable():
                            if href[0] == "/" and href[1:2] != "/":
                                res = origin + href
                            elif href.startswith(("https://", "http://")):
                                res = href
                            else:
                                res = resolve(href)
                        else:
                            res = resolve(href)
                        if res:
                            rel_attr = attrs.get("rel")
                            rel = tuple(rel_attr.lower().split()) if rel_attr else ()
                            st = tcur if tcur > cur else cur
                            if upper:
                                sp = _tagpos(source, "a", st, upper)
                            else:
                                sp = find("<a", st)
                                while sp >= 0 and source[sp + 2:sp + 3] not in " \t\n\r\f/>":
                                    sp = find("<a", sp + 1)
                            if sp >= 0:
                                tcur = sp + 1
                            else:
                                sp = st if st < srclen else max(srclen - 1, 0)
                            if "license" in rel:
                                signals.append(mk_signal("a.license", res, sp, nctx[1]))
                            if nctx[2] != 1:
                                link_rec = [res, rel, sp, nctx[1], -1, -1, "", link]
                elif act == _A_IMG:
                    src = attrs.get("src")
                    src = src.strip() if src else ""
                    if not src or src.startswith("data:"):
                        src = (attrs.get("data-src") or attrs.get("data-lazy-src") or src).strip()
                        if not src:
                            srcset = attrs.get("srcset") or attrs.get("data-srcset")
                            src = srcset.strip().split(None, 1)[0].rstrip(",") if srcset and srcset.strip() else ""
                    alt = attrs.get("alt") or ""
                    if src:
                        st = tcur if tcur > cur else cur
                        sp = _tagpos(source, "img", st, upper)
                        if sp >= 0:
                            tcur = sp + 1
                        else:
                            sp = st if st < srclen else max(srclen - 1, 0)
                        embeds.append(_mk_embed("img", resolve(src), alt, sp, nctx[1]))
                    if link is not None and alt and not link[6]:
                        link[6] = alt
                elif act == _A_SCRIPT:
                    st = tcur if tcur > cur else cur
                    sp = _tagpos(source, "script", st, upper)
                    if sp >= 0:
                        tcur = sp + 1
                    else:
                        sp = st if st < srclen else max(srclen - 1, 0)
                    src = attrs.get("src")
                    if src and src.strip():
                        embeds.append(_mk_embed("script", resolve(src), "", sp, nctx[1]))
                    else:
                        typ = attrs.get("type")
                        if typ and "ld+json" in typ.lower():
                            _jsonld(node, sp, source, signals, warnings)
                    fc = node.first_child
                    if fc is not None:
                        skip_at = sp  # its end is looked for when something is next looked for
                        if marks and fc.next is None and fc.text_content == _MARK:
                            seen += 1
                elif act == _A_META:
                    content = attrs.get("content")
                    if content is not None:
                        name = attrs.get("name") or attrs.get("property") or ""
                        if name:
                            name = name.strip().lower()
                            k = _META.get(name)
                            sig = None
                            if k is not None:
                                content = content.strip()
                                if name == "og:title":
                                    og_title = content
                                elif name == "og:url":
                                    og_url = content
                                sig = [k]
                            elif name in _ROBOTS:
                                toks = re.split(r"[\s,]+", content.lower())
                                sig = [x for x in ("robots.noai", "robots.noimageai") if x[7:] in toks]
                            elif name in _RDFA_LICENSE or name in _RDFA:
                                st = tcur if tcur > cur else cur
                                sp = _rdfa(node, tag, attrs, attrs.get("property") or name, None, nctx[1],
                                           resolve, signals, source, st, upper)
                                if sp >= 0:
                                    tcur = sp + 1
                            if sig:
                                st = tcur if tcur > cur else cur
                                sp = _tagpos(source, "meta", st, upper)
                                if sp >= 0:
                                    tcur = sp + 1
                                else:
                                    sp = st if st < srclen else max(srclen - 1, 0)
                                for k in sig:
                                    signals.append(mk_signal(k, content, sp, nctx[1]))
                elif act == _A_LINK:
                    rel_attr = attrs.get("rel")
                    href = attrs.get("href")
                    if rel_attr and href and href.strip():
                        rels = rel_attr.lower().split()
                        sig = []
                        if "license" in rels:
                            sig.append("link.license")
                        if "canonical" in rels:
                            sig.append("canonical")
                        if "tdm-policy" in rels:
                            sig.append("tdm.policy")
                        if any(x != "license" and x in _RDFA_LICENSE for x in rels):
                            sig.append("a.license")
                        if sig:
                            res = resolve(href)
                            st = tcur if tcur > cur else cur
                            sp = _tagpos(source, "link", st, upper)
                            if sp >= 0:
                                tcur = sp + 1
                            else:
                                sp = st if st < srclen else max(srclen - 1, 0)
                            for k in sig:
                                if k == "canonical" and canonical is None:
                                    canonical = res
                                signals.append(mk_signal(k, res, sp, nctx[1]))
                elif act == _A_IFRAME:
                    st = tcur if tcur > cur else cur
                    sp = _tagpos(source, "iframe", st, upper)
                    if sp >= 0:
                        tcur = sp + 1
                    else:
                        sp = st if st < srclen else max(srclen - 1, 0)
                    src = attrs.get("src")
                    if src and src.strip():
                        embeds.append(_mk_embed("iframe", resolve(src), attrs.get("title") or "", sp, nctx[1]))
                    if node.first_child is not None:
                        e = _raw_end(source, "iframe", sp, upper)
                        if e > cur:
                            cur = tcur = e
                elif act == _A_AREA:
                    href = attrs.get("href")
                    href = href.strip() if href else ""
                    if href and not _is_javascript(href):
                        rel_attr = attrs.get("rel")
                        rel = tuple(rel_attr.lower().split()) if rel_attr else ()
                        res = resolve(href)
                        st = tcur if tcur > cur else cur
                        sp = _tagpos(source, "area", st, upper)
                        if sp >= 0:
                            tcur = sp + 1
                        else:
                            sp = st if st < srclen else max(srclen - 1, 0)
                        if "license" in rel:
                            signals.append(mk_signal("a.license", res, sp, nctx[1]))
                        if nctx[2] != 1:
                            link_rows.append((res, attrs.get("alt") or "", rel, pos, pos, sp, nctx[1]))
                elif act == _A_BR:
                    if blk_open and ctx[2] != 1:
                        parts.append("\n")
                        pos += 1
                        pending_space = False
                elif act == _A_TITLE:
                    if node.first_child is not None:
                        if title_text is None:
                            title_text = _collapse(node.text())
                        st = tcur if tcur > cur else cur
                        sp = _tagpos(source, "title", st, upper)
                        e = _raw_end(source, "title", sp if sp >= 0 else st, upper)
                        if e > cur:
                            cur = tcur = e
                elif act == _A_BASE:
                    if not bh:
                        bh = (attrs.get("href") or "").strip()
                        if bh:
                            try:
                                resolve = _resolver(urljoin(url, bh) if url else bh)
                            except ValueError:
                                resolve = _resolver(bh)
                            origin = getattr(resolve, "origin", None) if fast else None
                elif act == _A_RAW:
                    # (a template's content is not among its children, but it is in the source)
                    fc = node.first_child
                    if fc is not None or tag == "template":
                        st = tcur if tcur > cur else cur
                        sp = _tagpos(source, tag, st, upper)
                        e = style_ends.get(sp, -2) if tag == "style" else -2
                        if e == -2:
                            e = _raw_end(source, tag, sp if sp >= 0 else st, upper)
                        if marks and tag == "style" and fc is not None and fc.next is None and fc.text_content == _MARK:
                            seen += 1
                        if e > cur:
                            cur = tcur = e

            if fl & 1:
                if blk_open:
                    block_rows.append((blk_start, pos, blk_kind, blk_region))
                    blk_open = False
                pending_space = False
            if not fl & 4:
                child = node.first_child
                if fast and child is not None and tag in _RUN_TAGS and not nctx[2] and not blk_open and link is None \
                        and link_rec is None:
                    # A run of items: blocks holding one link (or plain text) each, like a menu
                    # (the walk's steps for exactly these shapes, none other). No block is open
                    # between them, so whitespace between them changes nothing: it is skipped.
                    items = node.iter(True, True)
                    ntrans = nctx[3]
                    for c in items:
                        ct = c.tag
                        if ct == "-text":
                            t = c.text_content
                            if t.split():
                                break
                            continue
                        if ct == "-comment":
                            continue
                        if ct is None or ct[0] == "-":
                            break
                        a = c.first_child
                        g = None
                        if a is not None:
                            if a.next is not None:
                                break
                            at = a.tag
                            if at == "a":
                                g = a.first_child
                                if g is not None and (g.next is not None or g.tag != "-text"):
                                    break
                            elif at == "-text":
                                g = a
                                a = None
                            else:
                                break
                        cattrs = c.attributes
                        if cattrs and not (special.isdisjoint(cattrs) and "omment" not in (
                                cattrs.get("class") or "") and "omment" not in (cattrs.get("id") or "")):
                            break
                        cn, cfl, cact = ntrans.get(ct) or _plain_transition(nctx, ct, cattrs, ctxs)
                        if cfl != 1 or cact or cn[2]:
                            break
                        if a is not None:
                            aattrs = a.attributes
                            if aattrs and not (special.isdisjoint(aattrs) and "omment" not in (
                                    aattrs.get("class") or "") and "omment" not in (aattrs.get("id") or "")):
                                break
                            an, afl, aact = cn[3].get("a") or _plain_transition(cn, "a", aattrs, ctxs)
                            if aact != _A_A or afl or an is not cn:
                                break
                            # the link (as the walk's act == _A_A)
                            if skip_at >= 0:
                                e = script_ends.get(skip_at, -2)
                                if e == -2:
                                    e = _raw_end(source, "script", skip_at, upper)
                                if e > cur:
                                    cur = tcur = e
                                skip_at = -1
                            res = ""
                            href = aattrs.get("href")
                            if href and (href[0] not in "jJ \t\n\r\f" or not _is_javascript(href)):
                                if origin is not None and href[0] == "/" and href[1:2] != "/" and href[-1] != " " and \
                                        "/." not in href and href.isprintable():
                                    res = origin + href
                                else:
                                    res = resolve(href)
                                if res:
                                    st = tcur if tcur > cur else cur
                                    if upper:
                                        sp = _tagpos(source, "a", st, upper)
                                    else:
                                        sp = find("<a", st)
                                        while sp >= 0 and source[sp + 2:sp + 3] not in " \t\n\r\f/>":
                                            sp = find("<a", sp + 1)
                                    if sp >= 0:
                                        tcur = sp + 1
                                    else:
                                        sp = st if st < srclen else max(srclen - 1, 0)
                        else:
                            res = ""
                        # the text: the block's only words, so a block opens for them and closes after
                        ws = g.text_content.split() if g is not None else None
                        if ws:
                            t = g.text_content
                            if pos:
                                parts.append("\n")
                                pos += 1
                            blk_start = pos
                            if skip_at >= 0:  # (a script passed by, and no link before the text)
                                e = script_ends.get(skip_at, -2)
                                if e == -2:
                                    e = _raw_end(source, "script", skip_at, upper)
                                if e > cur:
                                    cur = tcur = e
                                skip_at = -1
                            n = len(t)
                            p = find(t, cur, cur + n + 4096)
                            if p >= 0 and (p == 0 or source[p - 1] in ">\n") and (p + n >= srclen or source[p + n] == "<"):
                                anchors.append((pos, p + n - len(t.lstrip()) if t[0].isspace() else p))
                                cur = p + n
                                nl = 1
                            else:
                                first, p, newcur, nl = _locate(source, t, cur, srclen, misses < 64, p)
                                if first >= 0:
                                    anchors.append((pos, first))
                                    cur = newcur
                                    misses = 0
                                else:
                                    anchors.append((pos, cur))
                                    misses += 1
                            if len(ws) == 1:
                                words = ws[0]
                            else:
                                words = " ".join(ws)
                                if nl and "\n" in t:
                                    # one anchor per source line, so line numbers stay exact
                                    q = p
                                    out = pos
                                    firstline = True
                                    lines = t.split("\n")
                                    last = len(lines) - 1
                                    for i, line in enumerate(lines):
                                        lws = line.split()
                                        if lws:
                                            if not firstline:
                                                a = q + len(line) - len(line.lstrip())
                                                anchors.append((out, a if a < srclen else srclen))
                                            firstline = False
                                            out += len(lws) + sum(map(len, lws))
                                        if i < last:
                                            e = find("\n", q)
                                            if e < 0:
                                                break
                                            q = e + 1
                                    # past the last line's anchor: the next anchor may not fall before it
                                    if anchors[-1][1] > q:
                                        q = anchors[-1][1]
                                    if q > cur:
                                        cur = q
                            parts.append(words)
                            pos += len(words)
                            block_rows.append((blk_start, pos, cn[0], cn[1]))
                            if res:
                                link_rows.append((res, words, (), blk_start, pos, sp, cn[1]))
                        elif res:
                            link_rows.append((res, "", (), pos, pos, sp, cn[1]))
                    else:
                        c = None
                    pending_space = False
                    if c is not None:
                        stack.append((node, ctx, fl & 1, link_rec))
                        ctx = nctx
                        mode = 0
                        trans = ntrans
                        node = c
                        continue
                elif child is not None:
                    stack.append((node, ctx, fl & 1, link_rec))
                    ctx = nctx
                    mode = nctx[2]
                    trans = nctx[3]
                    if link_rec is not None:
                        link = link_rec
                    node = child
                    continue
            # the element ends here (no children, or the run of items below it was read)
            if fl & 1 and blk_open:
                block_rows.append((blk_start, pos, blk_kind, blk_region))
                blk_open = False
                pending_space = False
            if link_rec is not None:
                link_rows.append((link_rec[0], link_rec[6], link_rec[1], pos, pos, link_rec[2], link_rec[3]))

        # move on: the next sibling, or up (leaving elements) until one has a next sibling
        while True:
            if not stack:
                node = None
                break
            nxt = node.next
            if nxt is not None:
                node = nxt
                break
            node, ctx, was_block, was_link = stack.pop()
            mode = ctx[2]
            trans = ctx[3]
            if was_block and blk_open:
                block_rows.append((blk_start, pos, blk_kind, blk_region))
                blk_open = False
                pending_space = False
            if was_link is not None:
                # the link ends here: its text is what was added since its first word
                if was_link[4] < 0:
                    link_rows.append((was_link[0], was_link[6], was_link[1], pos, pos, was_link[2], was_link[3]))
                else:
                    link_rows.append((was_link[0], "".join(parts[was_link[5]:]), was_link[1], was_link[4], pos,
                                         was_link[2], was_link[3]))
                link = was_link[7]
    if blk_open:
        block_rows.append((blk_start, pos, blk_kind, blk_region))
    if marks and (seen != marks or saw_math):
        return _read_doc(source, path, url, False)  # the cut was not where the parser saw scripts

    text = "".join(parts)
    blocks = _make_all(Block, _BLOCK_SETTERS, block_rows)
    links = _make_all(Link, _LINK_SETTERS, link_rows)

    mentions = []
    if "http" in text or "www." in text or "HTTP" in text or "WWW." in text:
        spans = sorted((r[3], r[4]) for r in link_rows if r[4] > r[3])
        starts = [a for a, _ in spans]
        for m in _find_mentions(text):
            i = bisect_left(starts, m.end) - 1
            if i >= 0 and spans[i][1] > m.start:
                continue  # the URL is a link's text: a hyperlink, not a bare mention
            mentions.append(m)

    if og_title:
        title = _collapse(og_title)
    elif title_text:
        title = title_text
    else:
        title = next((text[r[0]:r[1]] for r in block_rows if r[2] == "h1"), None)
    og_url = resolve(og_url) if og_url else None
    if canonical and og_url and "://" not in canonical and "://" in og_url:
        try:
            canonical = urljoin(og_url, canonical)  # a relative canonical, and nothing else to go by
        except ValueError:
            pass
    doc_url = url or canonical or og_url or None

    return Document(
        path=path,
        media_type=HTML,
        text=text,
        source=source,
        blocks=blocks,
        links=links,
        mentions=tuple(mentions),
        embeds=tuple(embeds),
        signals=tuple(signals),
        url=doc_url,
        title=title[:300] if title else None,
        warnings=tuple(warnings),
        anchors=tuple(zip(*anchors)) if anchors else ((), ()),
    )


def _rdfa(node, tag, attrs, prop, rel_attr, region, resolve, signals, source, start, upper) -> int:
    """RDFa statements on any element: licence, attribution name/URL, title, creator.

    Returns the element's offset in the source when it made a signal, else -1."""
    names = [(n, True) for n in prop.split()] if prop else []
    if rel_attr:
        names.extend((n, False) for n in rel_attr.split())
    # <a rel="license" href>: already reported with the link
    skip_license = tag == "a" and bool(rel_attr) and "license" in rel_attr.lower().split() and bool((attrs.get("href") or "").strip())
    found: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for n, from_prop in names:
        low = n.lower()
        if low in _RDFA_LICENSE:
            if skip_license:
                continue
            kind = "a.license"
        else:
            k = _RDFA.get(low)
            if k is None:
                continue
            kind = "rdfa." + k
        if kind not in seen:
            seen.add(kind)
            found.append((kind, from_prop))
    if not found:
        return -1
    sp = _tagpos(source, tag, start, upper)
    found_at = sp
    if sp < 0:
        sp = min(start, max(len(source) - 1, 0))
    content = attrs.get("content")
    url_attr = attrs.get("href") or attrs.get("resource") or attrs.get("src")
    url_attr = url_attr.strip() if url_attr else ""
    text = None
    for kind, from_prop in found:
        # RDFa: @property takes @content, else the text (or the link when there is no @rel);
        # @rel takes the link (@href, @resource).
        if from_prop and content is not None:
            v = content.strip()
        elif url_attr and (not from_prop or not rel_attr):
            v = resolve(url_attr)
        else:
            if text is None:
                text = _collapse(node.text())
            v = text
        if v:
            signals.append(_mk_signal(kind, v, sp, region))
    return found_at


def _jsonld(node, p: int, source: str, signals: list, warnings: list) -> None:
    raw = node.text()
    if not raw.strip():
        return
    gt = source.find(">", p)
    body = gt + 1 if gt >= 0 else p
    values, err, line = _load_jsonld(raw)
    if err is not None:
        n = source.count("\n", 0, body) + line
        # the text usually starts right after '>' in the source
        warnings.append(f"malformed JSON-LD at line {n}: {err}")
        return
    end = body + len(raw)
    cursors: dict[str, int] = {}

    def emit(key: str, value: str, media: bool, site: bool) -> None:
        c = cursors.get(key, body)
        q = source.find('"' + key + '"', c, end)
        if q < 0:
            q = p
        else:
            cursors[key] = q + 1
        signals.append(_mk_signal("jsonld." + key, value, q, "figcaption" if media else "footer" if site else "main"))

    _walk_jsonld(values, emit)
