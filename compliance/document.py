"""The reader's output: an article's visible text with positions, links and signals.

Every reader (HTML, Markdown, plain text) produces one :class:`Document`. Offsets in
``Document.text`` map back to ``line:col`` of the decoded input through ``anchors``;
signals and embeds carry offsets into the decoded input directly.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"

#: Regions a block can belong to. Scope rules in packs refer to these names.
REGIONS = ("body", "main", "header", "nav", "aside", "footer", "figcaption", "comment")


@dataclass(frozen=True, slots=True)
class Block:
    """A run of text with one structural role: ``start``/``end`` index ``Document.text``."""

    start: int
    end: int
    kind: str  # p, h1..h6, li, quote, pre, td, text
    region: str = "body"  # one of REGIONS


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink: the resolved target, its visible text and where that text stands."""

    href: str
    text: str
    rel: tuple[str, ...]
    start: int  # offset of the link text in Document.text (start == end for image links)
    end: int
    source_offset: int  # offset of the tag in the decoded input
    region: str = "body"


@dataclass(frozen=True, slots=True)
class Mention:
    """A bare URL written in text. Not a hyperlink: nobody can click it."""

    url: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Embed:
    """A resource the page loads: ``img``, ``script``, ``iframe`` (tracking pixels, badges)."""

    kind: str
    url: str
    alt: str
    source_offset: int
    region: str = "body"


@dataclass(frozen=True, slots=True)
class Signal:
    """A machine-readable statement: ``kind`` such as ``link.license``, ``jsonld.license``,
    ``meta.copyright``, ``canonical``, ``frontmatter.author``; ``value`` as written."""

    kind: str
    value: str
    source_offset: int
    region: str = "body"


@dataclass(frozen=True, slots=True)
class Document:
    path: str  # display name: file path, ``archive.zip!member``, URL
    media_type: str  # HTML, MARKDOWN or TEXT
    text: str
    source: str = ""  # the decoded input, for positions and quotes
    blocks: tuple[Block, ...] = ()
    links: tuple[Link, ...] = ()
    mentions: tuple[Mention, ...] = ()
    embeds: tuple[Embed, ...] = ()
    signals: tuple[Signal, ...] = ()
    url: str | None = None  # where the page says (or the caller says) it lives
    title: str | None = None
    warnings: tuple[str, ...] = ()
    # Sorted parallel offsets: text offset anchors[0][i] stands at source offset anchors[1][i].
    anchors: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
    _line_starts: list[int] = field(default_factory=list, repr=False, compare=False)

    @property
    def has_hyperlinks(self) -> bool:
        """Plain text cannot carry a hyperlink; HTML and Markdown can."""
        return self.media_type != TEXT

    def source_offset(self, text_offset: int) -> int:
        """The offset in the decoded input where ``text[text_offset]`` was read from."""
        starts, targets = self.anchors
        if not starts:
            return min(text_offset, max(len(self.source) - 1, 0)) if self.source else 0
        i = bisect_right(starts, text_offset) - 1
        if i < 0:
            return targets[0]
        return targets[i] + (text_offset - starts[i])

    def line_col(self, source_offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of an offset in the decoded input."""
        if not self._line_starts:
            starts = [0]
            find = self.source.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts.extend(starts)
        source_offset = max(0, min(source_offset, len(self.source)))
        line = bisect_right(self._line_starts, source_offset)
        return line, source_offset - self._line_starts[line - 1] + 1

    def locate(self, text_offset: int) -> tuple[int, int]:
        """1-based ``(line, col)`` in the input file of a ``Document.text`` offset."""
        return self.line_col(self.source_offset(text_offset))

    def region_at(self, text_offset: int) -> str:
        """The region of the block containing ``text_offset`` (``body`` when none)."""
        blocks = self.blocks
        lo, hi = 0, len(blocks)
        while lo < hi:
            mid = (lo + hi) // 2
            if blocks[mid].end <= text_offset:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(blocks) and blocks[lo].start <= text_offset:
            return blocks[lo].region
        return "body"

    def signal_values(self, kind: str) -> list[str]:
        return [s.value for s in self.signals if s.kind == kind]


class InputError(Exception):
    """Input the tool cannot read: shown to the user as one line, exit status 2."""
