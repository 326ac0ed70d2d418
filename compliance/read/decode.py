"""Bytes to text without ever raising UnicodeDecodeError.

Order: byte-order mark, the charset the transport declared (HTTP header, WARC), the
charset the document declares (``<meta charset>``, XML prolog), strict UTF-8, then
statistical detection (charset-normalizer), then UTF-8 with replacement characters.
"""

from __future__ import annotations

import codecs

import regex

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = regex.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", regex.I
)
_XML_ENCODING = regex.compile(rb"""^\s*<\?xml[^>]{0,100}encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except LookupError:
        return None
    # HTML5: a declared latin-1/ascii means windows-1252.
    if info.name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return info.name


def declared_charset(data: bytes) -> str | None:
    """The charset a document declares in its first 4 KB, if any."""
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return _codec(m.group(1).decode("ascii", "replace")) if m else None


def utf8_declared(data: bytes, charset: str | None = None) -> bool:
    """Whether ``data`` says it is UTF-8 (the transport's charset, else its own ``<meta>``) and
    starts with no byte-order mark: such bytes can go to the HTML parser undecoded."""
    if data.startswith(tuple(bom for bom, _ in _BOMS)):
        return False
    name = _codec(charset) if charset else declared_charset(data)
    return name == "utf-8"


def decode(data: bytes, transport_charset: str | None = None, sniff_markup: bool = True) -> tuple[str, str]:
    """Return ``(text, encoding used)``; never raises on any byte string."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, "replace"), name
    candidates = [_codec(transport_charset)]
    if sniff_markup:
        candidates.append(declared_charset(data))
    candidates.append("utf-8")
    for name in candidates:
        if not name:
            continue
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        from charset_normalizer import from_bytes

        results = from_bytes(data[:200_000])
        best = results.best()
        if best is not None and best.encoding:
            encoding = best.encoding
            # Several Western code pages often tie (no chaos either way); windows-1252 is
            # the web's legacy default, so a tie goes to it (else "naïve" reads "naďve").
            if encoding != "cp1252":
                for match in results:
                    if match.encoding == "cp1252" and match.chaos <= best.chaos:
                        encoding = "cp1252"
                        break
            return data.decode(encoding, "replace"), encoding
    except Exception:  # detection is best effort; replacement decoding below always works
        pass
    return data.decode("utf-8", "replace"), "utf-8"
