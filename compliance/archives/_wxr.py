"""WordPress export (WXR) files: one entry per ``<item>`` with ``content:encoded``.

Parsed with ``defusedxml.ElementTree.iterparse``: streaming, entities never resolved. A file
that declares entities (XXE, billion laughs) or references external resources gives one
error entry and nothing is expanded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from ._base import (
    SKIP_EMPTY_ITEM,
    SKIP_NOT_WXR,
    Entry,
    Options,
    Stats,
    error_entry,
    one_line,
    over_cap,
)

WP_NS_PREFIX = "http://wordpress.org/export/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"


_WP_NS = re.compile(r"http://wordpress\.org/export/\d+(?:\.\d+)*/")


class NotWxr(Exception):
    pass


def _wp_namespace(namespaces: list[str]) -> str | None:
    """The ``wp:`` namespace (``…/export/1.2/``), not ``…/export/1.2/excerpt/``."""
    for uri in namespaces:
        if _WP_NS.fullmatch(uri):
            return uri
    return next((u for u in namespaces if u.startswith(WP_NS_PREFIX)), None)


def iter_wxr(path: str, name: str, opts: Options, stats: Stats, *, explicit: bool) -> Iterator[Entry]:
    """Items of a WXR file. ``explicit``: the user named this file, so a non-WXR XML file
    is an error entry; found in a folder, it is skipped and counted."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield error_entry(name, f"cannot read: {exc.strerror or exc}")
        return
    with fh:
        try:
            yield from _items(fh, name, opts, stats)
        except NotWxr as exc:
            if explicit:
                yield error_entry(name, f"not a WordPress export (WXR): {exc}")
            else:
                stats.skip(SKIP_NOT_WXR)
        except EntitiesForbidden as exc:
            detail = f"entity {exc.name!r}" + (f" pointing to {exc.sysid}" if exc.sysid else "")
            yield error_entry(
                name, f"refused: the XML declares {detail}; entities are never expanded (XXE / entity-expansion guard)"
            )
        except ExternalReferenceForbidden as exc:
            yield error_entry(name, f"refused: the XML references an external resource ({exc.sysid}); it is never fetched")
        except DTDForbidden:  # pragma: no cover - DTDs without entities are allowed
            yield error_entry(name, "refused: the XML has a DTD")
        except DefusedXmlException as exc:  # pragma: no cover
            yield error_entry(name, f"refused unsafe XML: {exc}")
        except ParseError as exc:
            yield error_entry(name, f"malformed XML: {exc}")
        except Exception as exc:  # never raise for a bad file
            yield error_entry(name, f"cannot read the WordPress export: {one_line(exc)}")


def _items(fh, name: str, opts: Options, stats: Stats) -> Iterator[Entry]:
    events = SafeET.iterparse(
        fh, events=("start-ns", "start", "end"),
        forbid_dtd=False, forbid_entities=True, forbid_external=True,
    )
    namespaces: list[str] = []
    root = None
    channel = None
    wp_ns = None
    depth = 0
    count = 0
    for event, obj in events:
        if event == "start-ns":
            namespaces.append(obj[1])
            continue
        if event == "start":
            depth += 1
            if root is None:
                root = obj
                wp_ns = _wp_namespace(namespaces)
                if obj.tag != "rss":
                    raise NotWxr(f"root element is <{obj.tag}>, not <rss>")
                if wp_ns is None:
                    raise NotWxr("no WordPress export namespace (http://wordpress.org/export/…)")
            elif depth == 2 and obj.tag == "channel" and channel is None:
                channel = obj
            continue
        # end
        depth -= 1
        if obj.tag == "item" and depth == 2:
            count += 1
            if count > opts.max_members:
                yield error_entry(name, f"member limit reached: stopped after {opts.max_members} items")
                return
            entry = _item(obj, f"{name}#item-{count}", wp_ns or WP_NS_PREFIX, opts, stats)
            if entry is not None:
                yield entry
        if depth == 2 and channel is not None:
            # Done with this child of <channel>: free it.
            obj.clear()
            try:
                channel.remove(obj)
            except ValueError:  # pragma: no cover
                pass
    if root is None:  # pragma: no cover - expat raises on an empty document
        raise NotWxr("no root element")


def _text(item, tag: str) -> str | None:
    value = item.findtext(tag)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _item(item, shown: str, wp_ns: str, opts: Options, stats: Stats) -> Entry | None:
    content = item.find(f"{{{CONTENT_NS}}}encoded")
    html = content.text if content is not None else None
    if not html or not html.strip():
        stats.skip(SKIP_EMPTY_ITEM)
        return None
    wp = f"{{{wp_ns}}}"
    meta: dict = {}
    for key, tag in (
        ("title", "title"),
        ("author", f"{{{DC_NS}}}creator"),
        ("date", f"{wp}post_date"),
        ("post_id", f"{wp}post_id"),
        ("post_type", f"{wp}post_type"),
        ("status", f"{wp}status"),
        ("guid", "guid"),
    ):
        value = _text(item, tag)
        if value is not None:
            meta[key] = value
    if "date" not in meta:
        pub = _text(item, "pubDate")
        if pub is not None:
            meta["date"] = pub
    url = _text(item, "link")
    data = html.encode("utf-8")
    if len(data) > opts.max_bytes:
        return error_entry(shown, over_cap(len(data), opts.max_bytes), **meta)
    return Entry(name=shown, url=url, media_type="text/html", charset="utf-8", data=data, meta=meta)
