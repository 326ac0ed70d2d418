"""Markdown: CommonMark + tables through markdown-it-py, with front matter as signals.

The visible text is rebuilt from the token stream (one block per paragraph, heading, list
item paragraph, quote paragraph, code block, table row), with offsets mapped back to the
source: block tokens give line ranges, and a few inline rules are wrapped so that links,
images, code spans, entities and raw HTML report where they stood in the inline content.
Plain text pieces are found from a forward cursor in that content.
"""

from __future__ import annotations

import html as _html
import re
import tomllib
from bisect import bisect_right
from urllib.parse import urljoin

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from ..document import MARKDOWN, Block, Document, Embed, Link, Signal
from .text import find_mentions, read_text

# ---------------------------------------------------------------------------------------
# The parser: inline rules that consume source are wrapped to record their span.

_SPAN_TYPES = frozenset(
    ("link_open", "link_close", "image", "code_inline", "html_inline", "text_special",
     "softbreak", "hardbreak")
)
_WRAPPED_RULES = ("newline", "escape", "backticks", "link", "image", "autolink", "html_inline", "entity")


def _wrap(fn):
    def rule(state, silent):  # noqa: ANN001 - markdown-it rule signature
        p0 = state.pos
        n0 = len(state.tokens)
        ok = fn(state, silent)
        if ok and not silent:
            p1 = state.pos
            for tok in state.tokens[n0:]:
                if tok.type in _SPAN_TYPES and "span" not in tok.meta:
                    tok.meta["span"] = (p0, p1)
        return ok

    return rule


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": 40}).enable("table").use(front_matter_plugin)
    # Keep entities and escapes as their own tokens: their markup is the source form.
    md.disable("text_join")
    ruler = md.inline.ruler
    for name in _WRAPPED_RULES:
        i = ruler.__find__(name)
        if i != -1:
            ruler.at(name, _wrap(ruler.__rules__[i].fn), {"alt": list(ruler.__rules__[i].alt)})
    return md


_MD = _make_parser()

_NEWLINE = re.compile(r"\r\n?|\n")
_TOML_FM = re.compile(r"\A\+\+\+[ \t]*\r?\n(.*?)(?:\r\n?|\n)\+\+\+[ \t]*(?:\r\n?|\n|\Z)", re.S)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>?")
_HTML_PIECES = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|title)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?(?:</\1\s*>|\Z)"
    r"|<\?.*?(?:\?>|\Z)"
    r"|<![^>]*>?"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*>?",
    re.S | re.I,
)
_WORD = re.compile(r"\S+")
_HTML_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table thead tbody tfoot blockquote section "
    "article header footer nav aside main figure figcaption pre hr dl dt dd details summary "
    "form address center".split()
)
_HTML_KIND = {f"h{i}": f"h{i}" for i in range(1, 7)} | {
    "li": "li", "td": "td", "th": "td", "pre": "pre", "blockquote": "quote", "dt": "li", "dd": "li",
}
_FM_KEYS_URL = ("canonical_url", "canonicalurl", "canonical")


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        name = m.group(1).lower()
        if name not in out:
            val = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
            out[name] = _html.unescape(val or "")
    return out


# ---------------------------------------------------------------------------------------
# Source positions.


class _Lines:
    """Line starts of the source as markdown-it counts lines (``\\r\\n``, ``\\r``, ``\\n``)."""

    __slots__ = ("source", "starts", "ends")

    def __init__(self, source: str) -> None:
        self.source = source
        starts = [0]
        ends = []
        for m in _NEWLINE.finditer(source):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(source))
        self.starts = starts
        self.ends = ends

    def line(self, i: int) -> tuple[int, int]:
        i = max(0, min(i, len(self.starts) - 1))
        return self.starts[i], self.ends[i]

    def content_map(self, content: str, first_line: int) -> "_ContentMap":
        """Map a block's content (lines stripped of container prefixes) to the source."""
        cstarts: list[int] = []
        sstarts: list[int] = []
        c = 0
        src = self.source
        for k, piece in enumerate(content.split("\n")):
            ls, le = self.line(first_line + k)
            line = src[ls:le]
            if not piece:
                pos = len(line) if line.strip() else 0
            else:
                pos = line.rfind(piece)
                if pos < 0:
                    stripped = piece.lstrip()
                    pos = line.rfind(stripped) if stripped else -1
                    if pos >= 0:
                        pos = max(0, pos - (len(piece) - len(stripped)))
                    else:
                        pos = max(0, len(line) - len(piece))
            cstarts.append(c)
            sstarts.append(ls + pos)
            c += len(piece) + 1
        return _ContentMap(cstarts, sstarts, len(src))


class _ContentMap:
    __slots__ = ("cstarts", "sstarts", "limit")

    def __init__(self, cstarts: list[int], sstarts: list[int], limit: int) -> None:
        self.cstarts = cstarts
        self.sstarts = sstarts
        self.limit = limit

    def __call__(self, c: int) -> int:
        i = bisect_right(self.cstarts, c) - 1
        if i < 0:
            i = 0
        return max(0, min(self.sstarts[i] + (c - self.cstarts[i]), self.limit))


class _FixedMap:
    """Content that stands verbatim at one source offset (a table cell)."""

    __slots__ = ("base", "limit")

    def __init__(self, base: int, limit: int) -> None:
        self.base = base
        self.limit = limit

    def __call__(self, c: int) -> int:
        return max(0, min(self.base + c, self.limit))


# ---------------------------------------------------------------------------------------
# Building the document.


class _Builder:
    def __init__(self, source: str, url: str | None) -> None:
        self.source = source
        self.url = url
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []
        self.links: list[Link] = []
        self.embeds: list[Embed] = []
        self.signals: list[Signal] = []
        self.anchor_t: list[int] = []
        self.anchor_s: list[int] = []
        self.first_heading: str | None = None
        # the open block
        self.kind: str | None = None
        self.cur: list[str] = []
        self.cur_len = 0
        self.cur_anchors: list[tuple[int, int]] = []
        self.cur_links: list[tuple[str, tuple[str, ...], int, int, int]] = []
        self.open_links: list[tuple[str, tuple[str, ...], int, int]] = []

    # -- blocks
    def begin(self, kind: str, source_offset: int) -> None:
        if self.kind is not None:
            self.end()
        self.kind = kind
        self.cur = []
        self.cur_len = 0
        self.cur_anchors = [(0, source_offset)]
        self.cur_links = []
        self.open_links = []

    def emit(self, s: str, source_offset: int | None = None) -> None:
        if self.kind is None:
            self.begin("p", source_offset or 0)
        if source_offset is not None:
            if self.cur_anchors and self.cur_anchors[-1][0] == self.cur_len:
                self.cur_anchors[-1] = (self.cur_len, source_offset)
            else:
                self.cur_anchors.append((self.cur_len, source_offset))
        if s:
            self.cur.append(s)
            self.cur_len += len(s)

    def open_link(self, href: str, rel: tuple[str, ...], source_offset: int) -> None:
        if self.kind is None:
            self.begin("p", source_offset)
        self.open_links.append((href, rel, self.cur_len, source_offset))

    def close_link(self) -> None:
        if self.open_links:
            href, rel, start, off = self.open_links.pop()
            self.cur_links.append((href, rel, start, self.cur_len, off))

    def end(self) -> None:
        if self.kind is None:
            return
        while self.open_links:
            self.close_link()
        text = "".join(self.cur)
        # Trim surrounding whitespace, keeping local offsets consistent.
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        kind = self.kind
        self.kind = None
        if not text:
            for href, rel, _s, _e, off in self.cur_links:
                self._add_link(href, "", rel, self.length, self.length, off)
            return
        base = self.length + 1 if self.length else 0
        if self.length:
            self.parts.append("\n")
        self.parts.append(text)
        self.length = base + len(text)
        n = len(text)
        last_t = self.anchor_t[-1] if self.anchor_t else -1
        anchors = self.cur_anchors
        # the anchor in force at the first kept character
        first_src = anchors[0][1]
        for t, s in anchors:
            if t <= lead:
                first_src = s + (lead - t)
        out = [(0, first_src)] + [(t - lead, s) for t, s in anchors if lead < t < lead + n]
        for t, s in out:
            g = base + t
            if g > last_t:
                self.anchor_t.append(g)
                self.anchor_s.append(s)
                last_t = g
            elif g == last_t:
                self.anchor_s[-1] = s
        self.blocks.append(Block(base, base + n, kind))
        if self.first_heading is None and kind[0] == "h":
            self.first_heading = text
        for href, rel, s, e, off in self.cur_links:
            s = min(max(s - lead, 0), n)
            e = min(max(e - lead, s), n)
            self._add_link(href, text[s:e], rel, base + s, base + e, off)

    def _add_link(self, href: str, text: str, rel: tuple[str, ...], start: int, end: int, off: int) -> None:
        self.links.append(Link(self.resolve(href), text.strip(), rel, start, end, off))

    def resolve(self, href: str) -> str:
        href = href.strip()
        if self.url and href:
            try:
                return urljoin(self.url, href)
            except ValueError:
                return href
        return href

    # -- raw HTML tags (inline or block)
    def html_tag(self, closing: bool, name: str, raw_attrs: str, source_offset: int) -> None:
        name = name.lower()
        if name == "a":
            if closing:
                self.close_link()
                return
            a = _attrs(raw_attrs)
            if "href" not in a:
                return
            rel = tuple(a.get("rel", "").lower().split())
            self.open_link(a["href"], rel, source_offset)
            if "license" in rel:
                self.signals.append(Signal("a.license", self.resolve(a["href"]), source_offset))
            return
        if closing:
            return
        if name in ("img", "iframe", "script", "video", "audio", "source", "embed"):
            a = _attrs(raw_attrs)
            src = a.get("src") or a.get("data-src") or ""
            if src:
                self.embeds.append(Embed(name, self.resolve(src), a.get("alt", ""), source_offset))
        elif name == "link":
            a = _attrs(raw_attrs)
            rel = a.get("rel", "").lower().split()
            if "license" in rel and a.get("href"):
                self.signals.append(Signal("link.license", self.resolve(a["href"]), source_offset))
            if "canonical" in rel and a.get("href"):
                self.signals.append(Signal("canonical", self.resolve(a["href"]), source_offset))

    def document(self, path: str, source: str, url: str | None, title: str | None, warnings: list[str]) -> Document:
        self.end()
        text = "".join(self.parts)
        spans = [(link.start, link.end) for link in self.links if link.end > link.start]
        mentions = []
        for m in find_mentions(text):
            if not any(s < m.end and m.start < e for s, e in spans):
                mentions.append(m)
        if title is None and self.first_heading:
            title = self.first_heading
        return Document(
            path=path,
            media_type=MARKDOWN,
            text=text,
            source=source,
            blocks=tuple(self.blocks),
            links=tuple(self.links),
            mentions=tuple(mentions),
            embeds=tuple(self.embeds),
            signals=tuple(self.signals),
            url=url,
            title=" ".join(title.split())[:300] if title else None,
            warnings=tuple(warnings),
            anchors=(tuple(self.anchor_t), tuple(self.anchor_s)),
        )


def _inline(b: _Builder, tokens, content: str, cmap, base: int = 0) -> None:
    """Emit inline tokens whose positions are offsets into ``content`` (+ ``base``)."""
    cursor = 0
    for tok in tokens:
        t = tok.type
        span = tok.meta.get("span") if tok.meta else None
        if t == "text":
            piece = tok.content
            if not piece:
                continue
            pos = content.find(piece, cursor)
            if pos < 0:
                pos = cursor
            else:
                cursor = pos + len(piece)
            b.emit(piece, cmap(base + pos))
        elif t == "text_special":
            if span:
                b.emit(tok.content, cmap(base + span[0]))
                cursor = max(cursor, span[1])
            else:
                b.emit(tok.content)
        elif t == "softbreak":
            b.emit(" ")
            if span:
                cursor = max(cursor, span[1])
        elif t == "hardbreak":
            b.emit("\n")
            if span:
                cursor = max(cursor, span[1])
        elif t == "code_inline":
            pos = cursor
            if span:
                found = content.find(tok.content, span[0], span[1]) if tok.content else -1
                pos = found if found >= 0 else span[0] + len(tok.markup)
                cursor = max(cursor, span[1])
            b.emit(tok.content, cmap(base + pos))
        elif t == "link_open":
            start = span[0] if span else cursor
            cursor = max(cursor, start)
            b.open_link(tok.attrs.get("href", "") or "", (), cmap(base + start))
            if tok.markup == "autolink" and span:
                cursor = max(cursor, span[0] + 1)
        elif t == "link_close":
            b.close_link()
            if span:
                cursor = max(cursor, span[1])
        elif t == "image":
            start = span[0] if span else cursor
            src = tok.attrs.get("src", "") or ""
            alt = _plain(tok.children or ())
            b.embeds.append(Embed("img", b.resolve(str(src)), alt, cmap(base + start)))
            if tok.children:
                # The alt label was parsed on its own: its offsets are relative to it.
                label_at = content.find(tok.content, start, span[1] if span else len(content)) if tok.content else -1
                if label_at < 0:
                    label_at = start + 2
                _inline(b, tok.children, tok.content, cmap, base + label_at)
            if span:
                cursor = max(cursor, span[1])
        elif t == "html_inline":
            pos = span[0] if span else cursor
            m = _TAG.match(tok.content)
            if m:
                name = m.group(2).lower()
                if name == "br" and not m.group(1):
                    b.emit("\n")
                b.html_tag(bool(m.group(1)), name, m.group(3), cmap(base + pos))
            if span:
                cursor = max(cursor, span[1])
        # em/strong open/close and anything else: markup only, nothing visible.


def _plain(tokens) -> str:
    out = []
    for tok in tokens:
        if tok.type in ("text", "text_special", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif tok.type == "image":
            out.append(_plain(tok.children or ()))
    return "".join(out)


def _html_block(b: _Builder, content: str, cmap, default_kind: str, line_offset: int) -> None:
    b.begin(default_kind, line_offset)
    space = False
    pos = 0

    def words(run: str, at: int) -> None:
        nonlocal space
        if run[:1].isspace():
            space = True
        for m in _WORD.finditer(run):
            w = _html.unescape(m.group(0))
            if space and b.cur_len:
                b.emit(" ")
            b.emit(w, cmap(at + m.start()))
            space = True
        space = run[-1:].isspace()

    for m in _HTML_PIECES.finditer(content):
        if m.start() > pos:
            words(content[pos:m.start()], pos)
        pos = m.end()
        tm = _TAG.match(m.group(0))
        if not tm:
            continue  # comment, doctype, processing instruction
        closing, name = bool(tm.group(1)), tm.group(2).lower()
        if name in ("script", "style", "textarea", "title") and not closing:
            b.html_tag(False, name, tm.group(3), cmap(m.start()))
            continue
        if name in _HTML_BLOCK_TAGS:
            b.begin(default_kind if closing else _HTML_KIND.get(name, default_kind), cmap(m.end()))
            space = False
        if name == "a" and not closing and space and b.cur_len:
            b.emit(" ")
            space = False
        b.html_tag(closing, name, tm.group(3), cmap(m.start()))
    if pos < len(content):
        words(content[pos:], pos)
    b.end()


def _code_block(b: _Builder, content: str, cmap, line_offset: int) -> None:
    text = content[:-1] if content.endswith("\n") else content
    b.begin("pre", line_offset)
    c = 0
    for i, line in enumerate(text.split("\n")):
        if i:
            b.emit("\n")
        b.emit(line, cmap(c))
        c += len(line) + 1
    b.end()


# ---------------------------------------------------------------------------------------
# Front matter.


def _scalar(v) -> str | None:
    if v is None or isinstance(v, (dict, list, tuple)):
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).strip() or None


#: Front matter longer than this is ignored with a warning (real ones are a few hundred bytes;
#: PyYAML's safe loader reads about 250 KB/s, and libyaml's crashes on deep nesting).
MAX_FRONT_MATTER = 256 * 1024
#: Front matter values read as signals; past this the rest is ignored with a warning. YAML
#: aliases let a few bytes name one list thousands of times (``k1: *a``, ``k2: *a`` …), so
#: the count, not the file size, is what bounds the work.
MAX_FRONT_SIGNALS = 1000
#: How far after its key a value is looked for in the front matter text.
_VALUE_WINDOW = 4096
# ``key:`` (YAML) or ``key =`` (TOML) at the start of a line, the key optionally quoted.
_FM_KEY = re.compile(r"""(?m)^[ \t]*["']?([^\r\n:=]*?)["']?[ \t]*[:=]""")


def _front_signals(data, fm_text: str, fm_offset: int, warnings: list[str] | None = None, path: str = "") -> list[Signal]:
    out: list[Signal] = []
    if not isinstance(data, dict):
        return out
    # Where each key is written, found in one pass (a search per key is quadratic).
    key_at: dict[str, int] = {}
    for km in _FM_KEY.finditer(fm_text):
        key_at.setdefault(km.group(1), km.start())
    lookups = 0
    for key, value in data.items():
        k = str(key).strip().lower()
        if not k:
            continue
        at_key = key_at.get(str(key))
        if at_key is None and lookups < 50:  # keys written in a form the one pass missed
            lookups += 1
            m = re.search(r"(?m)^[ \t]*[\"']?" + re.escape(str(key)) + r"[\"']?[ \t]*[:=]", fm_text)
            at_key = m.start() if m else None
        off = fm_offset + (at_key if at_key is not None else 0)
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, dict):
                item = next((item[n] for n in item if str(n).lower() == "name"), None)
            s = _scalar(item)
            if s is None:
                continue
            if len(out) >= MAX_FRONT_SIGNALS:
                if warnings is not None:
                    warnings.append(f"{path}: front matter has more than {MAX_FRONT_SIGNALS} values; the rest are ignored")
                return out
            at = fm_text.find(s, at_key, at_key + len(s) + _VALUE_WINDOW) if at_key is not None else -1
            out.append(Signal(f"frontmatter.{k}", s, fm_offset + at if at >= 0 else off))
    return out


def _fm_get(data, *keys: str) -> str | None:
    if not isinstance(data, dict):
        return None
    lower = {str(k).strip().lower(): v for k, v in data.items()}
    for k in keys:
        v = lower.get(k)
        if isinstance(v, list) and v:
            v = v[0]
        if isinstance(v, dict):
            v = v.get("name")
        s = _scalar(v)
        if s:
            return s
    return None


# ---------------------------------------------------------------------------------------


def read_markdown(source: str, path: str, url: str | None = None) -> Document:
    """Read Markdown (CommonMark, tables, YAML/TOML front matter). Never raises."""
    try:
        return _read(source, path, url)
    except Exception as exc:  # a parser bug must not cost the whole run: fall back to text
        doc = read_text(source, path, url=url)
        return Document(
            path=doc.path, media_type=MARKDOWN, text=doc.text, source=doc.source, blocks=doc.blocks,
            mentions=doc.mentions, url=url, title=doc.title, anchors=doc.anchors,
            warnings=(f"{path}: Markdown could not be parsed ({type(exc).__name__}); read as plain text",),
        )


def _read(source: str, path: str, url: str | None) -> Document:
    warnings: list[str] = []
    fm_data = None
    fm_text = ""
    fm_offset = 0
    parse_src = source
    toml = _TOML_FM.match(source)
    if toml:
        fm_text, fm_offset = toml.group(1), toml.start(1)
        if len(fm_text) > MAX_FRONT_MATTER:
            warnings.append(f"{path}: front matter over {MAX_FRONT_MATTER} characters; ignored")
        else:
            try:
                fm_data = tomllib.loads(fm_text)
            except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
                warnings.append(f"{path}: TOML front matter is not valid ({_first_line(exc)}); ignored")
        # Blank the front matter out, keeping every offset and line number.
        end = toml.end()
        parse_src = re.sub(r"[^\r\n]", " ", source[:end]) + source[end:]

    lines = _Lines(source)
    b = _Builder(source, url)
    tokens = _MD.parse(parse_src)
    containers: list[str] = []
    row_cursor = 0
    in_row = False
    cell_sep = False
    heading: str | None = None
    for tok in tokens:
        t = tok.type
        if t == "front_matter":
            fm_text = tok.content
            ls, _le = lines.line((tok.map or (0, 0))[0] + 1)
            fm_offset = ls
            if len(fm_text) > MAX_FRONT_MATTER:
                warnings.append(f"{path}: front matter over {MAX_FRONT_MATTER} characters; ignored")
                continue
            try:
                fm_data = yaml.safe_load(fm_text) if fm_text.strip() else {}
            except Exception as exc:
                warnings.append(f"{path}: YAML front matter is not valid ({_first_line(exc)}); ignored")
                fm_data = None
            else:
                if fm_data is not None and not isinstance(fm_data, dict):
                    warnings.append(f"{path}: front matter is not a mapping of keys; ignored")
                    fm_data = None
        elif t in ("blockquote_open", "list_item_open"):
            containers.append("quote" if t == "blockquote_open" else "li")
        elif t in ("blockquote_close", "list_item_close"):
            if containers:
                containers.pop()
        elif t == "heading_open":
            heading = tok.tag if tok.tag in ("h1", "h2", "h3", "h4", "h5", "h6") else "h1"
        elif t == "heading_close":
            heading = None
        elif t == "tr_open":
            in_row = True
            cell_sep = False
            first = (tok.map or (0, 0))[0]
            row_cursor = lines.line(first)[0]
            b.begin("td", row_cursor)
        elif t == "tr_close":
            in_row = False
            b.end()
        elif t == "inline":
            first = (tok.map or (0, 0))[0]
            content = tok.content
            if in_row:
                ls, le = lines.line(first)
                at = source.find(content, max(row_cursor, ls), le) if content else -1
                if at < 0 and "|" in content:
                    at = source.find(content.replace("|", "\\|"), max(row_cursor, ls), le)
                if at < 0:
                    at = max(row_cursor, ls)
                else:
                    row_cursor = at + len(content)
                if cell_sep:
                    b.emit("\t")
                cell_sep = True
                _inline(b, tok.children or (), content, _FixedMap(at, len(source)))
                continue
            cmap = lines.content_map(content, first)
            kind = heading or (containers[-1] if containers else "p")
            b.begin(kind, cmap(0))
            _inline(b, tok.children or (), content, cmap)
            b.end()
        elif t in ("fence", "code_block"):
            first = (tok.map or (0, 0))[0] + (1 if t == "fence" else 0)
            cmap = lines.content_map(tok.content, first)
            _code_block(b, tok.content, cmap, lines.line(first)[0])
        elif t == "html_block":
            first = (tok.map or (0, 0))[0]
            cmap = lines.content_map(tok.content, first)
            _html_block(b, tok.content, cmap, containers[-1] if containers else "p", lines.line(first)[0])

    signals = _front_signals(fm_data, fm_text, fm_offset, warnings, path) if fm_data else []
    b.signals[:0] = signals
    doc_url = url or _fm_get(fm_data, *_FM_KEYS_URL)
    title = _fm_get(fm_data, "title")
    return b.document(path, source, doc_url, title, warnings)


def _first_line(exc: Exception) -> str:
    msg = " ".join(str(exc).split())
    return msg[:160] if msg else type(exc).__name__
