"""Plain text: the text as written, bare URLs recorded as mentions (never hyperlinks)."""

from __future__ import annotations

import regex

from ..document import TEXT, Block, Document, Mention

# A bare URL or a www. host; trailing punctuation is not part of it.
URL_RE = regex.compile(
    r"""(?i)\b(?:https?://|www\.)[^\s<>"'\u201c\u201d\u2018\u2019()\[\]{}]+[^\s<>"'\u201c\u201d\u2018\u2019()\[\]{}.,;:!?]"""
)


def find_mentions(text: str, base: int = 0) -> list[Mention]:
    return [Mention(m.group(0), base + m.start(), base + m.end()) for m in URL_RE.finditer(text)]


def read_text(source: str, path: str, url: str | None = None) -> Document:
    text = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    blocks = []
    pos = 0
    for para in regex.split(r"\n[ \t]*\n", text):
        start = text.find(para, pos) if para else pos
        if para.strip():
            blocks.append(Block(start, start + len(para), "p"))
        pos = start + len(para)
    title = next((text[b.start:b.end].strip() for b in blocks), None)
    # Line breaks were normalised above, so offsets only agree with the source when they
    # had none; map through anchors that skip each removed "\r".
    anchors: tuple[tuple[int, ...], tuple[int, ...]]
    if text is source:
        anchors = ((0,), (0,))
    else:
        starts, targets = [0], [0]
        removed = 0
        for i, ch in enumerate(source):
            if ch == "\r" and source[i + 1:i + 2] == "\n":
                removed += 1
                starts.append(i + 1 - removed)
                targets.append(i + 1)
        anchors = (tuple(starts), tuple(targets))
    return Document(
        path=path,
        media_type=TEXT,
        text=text,
        source=source,
        blocks=tuple(blocks),
        mentions=tuple(find_mentions(text)),
        url=url,
        title=title[:300] if title else None,
        anchors=anchors,
    )
