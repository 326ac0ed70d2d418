"""An optional accelerator: Hyperscan tells which patterns cannot match a page, before any regex runs.

Every text pattern of a rule set is rewritten into a *looser* Hyperscan expression (one that
matches wherever the pattern does, and maybe elsewhere), and all of them are compiled into one
database. One Hyperscan pass over a page's UTF-8 bytes then tells which patterns may match
somewhere on it; the engine skips the others. The regexes still decide every hit, so the
findings are the same as without the accelerator; what goes is the regex work of scanning
stretches of text for patterns that cannot match there.

The loosening keeps the database small, fast and quick to compile:

* look-arounds, ``\\b``, ``\\K`` and end anchors are dropped (a match can only gain places);
* the database reads bytes, not Unicode: a non-ASCII character is "one or more bytes of
  0x80-0xff", and ``\\w``, ``\\d``, ``\\s``, ``.``, negated classes and ``\\p{…}`` also take
  one, so no Unicode tables are needed;
* subroutine calls (``(?&name)``) and back-references are replaced by the group they name;
* a bounded repeat with a large upper bound loses the bound;
* the expression starts at the pattern's most literal top-level part (a match of the pattern
  holds a match of it): the loops of words often written before a grant's verb cost Hyperscan
  the most and tell the least.

Hyperscan is optional (``pip install 'compliance[fast]'``: wheels for x86_64 Linux with
glibc, macOS and Windows); without it, or with
``COMPLIANCE_ACCEL=0`` in the environment, the engine runs every pattern itself. A pattern the
rewriting or Hyperscan cannot take is always run. Compiled databases are cached on disk
(``$XDG_CACHE_HOME/compliance``, or ``~/.cache/compliance``), keyed by the expressions and the
Hyperscan version. The engine loads a cached database at once, but compiles one only once a
run has read enough pages to repay the compile (see ``engine.ACCEL_AFTER_PAGES``): a check of
one page never waits for it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import time
from pathlib import Path

_hs = None  # the hyperscan module, once imported


def _import() -> bool:
    global _hs
    if _hs is None:
        try:  # the accelerator is optional
            import hyperscan
        except Exception:  # pragma: no cover - depends on the platform
            return False
        _hs = hyperscan
    return True

#: Bumped whenever the rewriting changes, so that cached databases are rebuilt.
_REWRITE_VERSION = 4
#: Upper bounds of bounded repeats above this are dropped (``{3,200}`` becomes ``{3,}``).
MAX_BOUND = 8
_ANY = r"[\x00-\xff]"
_LETTER_PROPS = frozenset(("L", "Lu", "Ll", "Lt", "Lm", "Lo", "L&", "Letter", "Alpha", "Alphabetic"))
_SIMPLE_ESCAPES = frozenset("ntrfvae0")


class _Unsupported(Exception):
    """A construct the rewriting does not know: the pattern is run without the accelerator."""


def available() -> bool:
    """Whether Hyperscan is installed and not switched off with ``COMPLIANCE_ACCEL=0``."""
    if os.environ.get("COMPLIANCE_ACCEL", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return importlib.util.find_spec("hyperscan") is not None


# --- parsing a pattern into a small tree ------------------------------------------------------


def _parse(src: str) -> tuple[list, dict[str, list]]:
    """The pattern as a list of nodes, and its named groups' contents by name.

    Nodes: ``("raw", text)`` (already rewritten), ``("group", kind, name, children)``,
    ``("call", name)``, ``("backref", name)`` and ``("quant", text)``."""
    pos = 0
    n = len(src)
    named: dict[str, list] = {}
    numbered: list[list] = []

    def parse_seq(depth: int) -> list:
        nonlocal pos
        out: list = []
        while pos < n:
            c = src[pos]
            if c == ")":
                if depth == 0:
                    raise _Unsupported("unbalanced )")
                return out
            if c == "(":
                out.append(parse_group(depth))
            elif c == "[":
                out.append(parse_class())
            elif c == "\\":
                out.append(parse_escape())
            elif c in "*+?":
                pos += 1
                q = c
                if pos < n and src[pos] == "?":
                    q += "?"
                    pos += 1
                elif pos < n and src[pos] == "+":  # possessive: as greedy
                    pos += 1
                out.append(("quant", q))
            elif c == "{":
                out.append(parse_brace())
            elif c == ".":
                pos += 1
                out.append(("wide", "[^\\n]"))
            elif c in "^|":
                pos += 1
                out.append(("raw", c))
            elif c == "$":  # see \\Z
                pos += 1
                out.append(("raw", ""))
            else:
                pos += 1
                out.append(_literal_node(c))
        if depth:
            raise _Unsupported("unclosed (")
        return out

    def parse_brace():
        nonlocal pos
        end = src.find("}", pos)
        body = src[pos + 1:end] if end > 0 else ""
        parts = body.split(",")
        if end < 0 or not (1 <= len(parts) <= 2) or not all(p.strip().isdigit() or (i == 1 and p.strip() == "")
                                                             for i, p in enumerate(parts)) or not parts[0].strip():
            pos += 1
            return ("raw", r"\{")  # a literal brace
        pos = end + 1
        lo = int(parts[0])
        if len(parts) == 1:
            q = "{%d}" % lo if lo <= MAX_BOUND else "{%d,}" % MAX_BOUND
        else:
            hi = parts[1].strip()
            if hi and int(hi) <= MAX_BOUND:
                q = "{%d,%s}" % (lo, hi)
            else:
                q = "{%d,}" % min(lo, MAX_BOUND)
        if pos < n and src[pos] in "?+":
            if src[pos] == "?":
                q += "?"
            pos += 1
        return ("quant", q)

    def parse_group(depth: int):
        nonlocal pos
        pos += 1  # "("
        kind, name = "plain", None
        if src.startswith("?", pos):
            rest = src[pos:pos + 12]
            if rest.startswith("?:"):
                kind, pos = "plain", pos + 2
            elif rest.startswith("?P<") or (rest.startswith("?<") and not rest.startswith(("?<=", "?<!"))):
                start = pos + (3 if rest.startswith("?P<") else 2)
                end = src.find(">", start)
                if end < 0:
                    raise _Unsupported("group name")
                kind, name, pos = "named", src[start:end], end + 1
            elif rest.startswith(("?=", "?!")):
                kind, pos = "look", pos + 2
            elif rest.startswith(("?<=", "?<!")):
                kind, pos = "look", pos + 3
            elif rest.startswith("?>"):
                kind, pos = "plain", pos + 2
            elif rest.startswith("?(DEFINE)"):
                kind, pos = "define", pos + 9
            elif rest.startswith("?#"):
                end = src.find(")", pos)
                if end < 0:
                    raise _Unsupported("comment")
                pos = end + 1
                return ("raw", "")
            elif rest.startswith(("?&", "?P>")):
                start = pos + (2 if rest.startswith("?&") else 3)
                end = src.find(")", start)
                if end < 0:
                    raise _Unsupported("call")
                pos = end + 1
                return ("call", src[start:end])
            elif rest.startswith("?P="):
                end = src.find(")", pos)
                if end < 0:
                    raise _Unsupported("back-reference")
                name = src[pos + 3:end]
                pos = end + 1
                return ("backref", name)
            else:
                # inline flags: (?i) (?-i) (?i:...) (?-i:...); only i, m, s are understood
                j = pos + 1
                while j < n and src[j] in "imsx-":
                    j += 1
                flags = src[pos + 1:j]
                if j >= n or not flags or "x" in flags:
                    raise _Unsupported("group " + rest)
                if src[j] == ")":
                    pos = j + 1
                    return ("raw", "(?" + flags + ")")
                if src[j] != ":":
                    raise _Unsupported("group " + rest)
                kind, name, pos = "flags", flags, j + 1
        else:
            kind = "numbered"
        children = parse_seq(depth + 1)
        if pos >= n or src[pos] != ")":
            raise _Unsupported("unclosed (")
        pos += 1
        if kind == "named":
            named[name] = children
            numbered.append(children)
        elif kind == "numbered":
            numbered.append(children)
        elif kind == "define":
            return ("raw", "")  # its named groups are recorded; it matches nothing itself
        return ("group", kind, name, children)

    def parse_escape():
        nonlocal pos
        if pos + 1 >= n:
            raise _Unsupported("trailing backslash")
        c = src[pos + 1]
        pos += 2
        if c in "bBKGmM":
            return ("raw", "")
        if c == "A":
            return ("raw", "\\A")
        if c in "zZ":  # an end anchor may hold at the end of a stretch of text and not in the whole
            return ("raw", "")
        if c in "wds":
            return ("wide", "[\\%s\\x80-\\xff]" % c)
        if c in "WDS":  # (as bytes, these take every byte of 0x80-0xff already)
            return ("wide", "[\\%s]" % c)
        if c in "pP":
            return ("wide", _prop(c))
        if c in _SIMPLE_ESCAPES:
            return ("raw", "\\" + c)
        if c in "xuUN":
            return _literal_node(_code_escape(c))
        if c.isdigit():
            numbers = c
            while pos < n and src[pos].isdigit():
                numbers += src[pos]
                pos += 1
            return ("backref", int(numbers))
        if c.isalnum():
            raise _Unsupported("escape \\" + c)
        return _literal_node(c)

    def _code_escape(c: str) -> str:
        nonlocal pos
        if c == "N":
            end = src.find("}", pos)
            pos = end + 1 if end > 0 else n
            return "\u00a0"  # some named character: any non-ASCII one will do
        if pos < n and src[pos] == "{":
            end = src.find("}", pos)
            if end < 0:
                raise _Unsupported("escape")
            digits, pos = src[pos + 1:end], end + 1
        else:
            width = {"x": 2, "u": 4, "U": 8}[c]
            digits, pos = src[pos:pos + width], pos + width
        try:
            return chr(int(digits, 16))
        except ValueError:
            raise _Unsupported("escape") from None

    def _prop(c: str) -> str:
        nonlocal pos
        if pos < n and src[pos] == "{":
            end = src.find("}", pos)
            if end < 0:
                raise _Unsupported("property")
            prop, pos = src[pos + 1:end], end + 1
        else:
            prop, pos = src[pos:pos + 1], pos + 1
        if c == "p" and not prop.startswith("^") and prop.split("=")[-1] in _LETTER_PROPS:
            return "[A-Za-z\\x80-\\xff]"
        return _ANY

    def parse_class() -> tuple:
        """A character class, rewritten; non-ASCII members become the whole non-ASCII range
        (or, in a negated class, are dropped)."""
        nonlocal pos
        pos += 1
        negated = src.startswith("^", pos)
        if negated:
            pos += 1
        members: list[str] = []
        wide = False  # the class must also take every non-ASCII character
        first = True
        prev_char: str | None = None  # the last single character, for ranges
        while True:
            if pos >= n:
                raise _Unsupported("unclosed [")
            c = src[pos]
            if c == "]" and not first:
                pos += 1
                break
            first = False
            if c == "[":
                if src.startswith("[:", pos):
                    end = src.find(":]", pos)
                    if end < 0:
                        raise _Unsupported("class")
                    members.append(src[pos:end + 2])
                    pos = end + 2
                    prev_char = None
                    continue
                raise _Unsupported("nested class")
            if c == "-" and prev_char is not None and pos + 1 < n and src[pos + 1] != "]":
                pos += 1
                hi = class_char()
                if hi is None:
                    raise _Unsupported("range")
                lo = prev_char
                members.pop()
                if ord(lo) <= 0x7F:
                    members.append(_class_char(lo) + "-" + _class_char(chr(min(ord(hi), 0x7F))))
                if ord(hi) > 0x7F:
                    wide = wide or not negated
                prev_char = None
                continue
            if c == "\\":
                e = src[pos + 1] if pos + 1 < n else ""
                if e in "wdsWDS":
                    pos += 2
                    members.append("\\" + e)
                    wide = wide or not negated
                    prev_char = None
                    continue
                if e in "pP":
                    pos += 2
                    _prop(e)
                    if not negated:
                        members.append("A-Za-z0-9_")
                        wide = True
                    prev_char = None
                    continue
            ch = class_char()
            if ch is None:
                raise _Unsupported("class member")
            if ord(ch) > 0x7F:
                wide = wide or not negated
                members.append("")  # a placeholder, so that a range can pop it
            else:
                members.append(_class_char(ch))
            prev_char = ch
        body = "".join(members)
        if negated:  # (as bytes, a negated class of ASCII members takes every byte of 0x80-0xff)
            return ("wide", "[^%s]" % body if body else _ANY)
        if wide:
            return ("wide", "[%s\\x80-\\xff]" % body)
        return ("raw", "[%s]" % body if body else "[^\\x00-\\xff]")

    def class_char() -> str | None:
        nonlocal pos
        c = src[pos]
        if c != "\\":
            pos += 1
            return c
        e = src[pos + 1] if pos + 1 < n else ""
        pos += 2
        if e in "xuUN":
            return _code_escape(e)
        if e in _SIMPLE_ESCAPES:
            return {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "e": "\x1b", "0": "\0"}[e]
        if e == "b":
            return "\b"
        if e.isalnum():
            return None
        return e

    tree = parse_seq(0)
    return tree, {"names": named, "numbers": numbered}


def _literal_node(c: str) -> tuple:
    return ("wide", "[\\x80-\\xff]") if ord(c) > 0x7F else ("lit", _literal(c))


def _literal(c: str) -> str:
    if c.isalnum() or c in " _" or c == "\n":
        return c if c != "\n" else "\\n"
    if c == "\t":
        return "\\t"
    if ord(c) < 0x20 or c == "\x7f":
        return "\\x{%x}" % ord(c)
    return "\\" + c


def _class_char(c: str) -> str:
    if c.isalnum() and ord(c) < 0x80:
        return c
    return "\\x{%x}" % ord(c)


def _wide_quant(q: str) -> str:
    """The repeat of a byte class standing for characters that may take several bytes each:
    at least as many bytes as characters, and no upper bound."""
    lazy = "?" if len(q) > 1 and q.endswith("?") else ""
    base = q[:-1] if lazy else q
    if base in ("*", "+"):
        return base + lazy
    if base == "?":
        return "*" + lazy
    lo = base[1:-1].split(",")[0]
    return "{%s,}" % lo + lazy


def _emit(nodes: list, groups: dict, depth: int = 0) -> str:
    if depth > 20:
        raise _Unsupported("recursion")
    out: list[str] = []
    dropped = False  # the last node was dropped: a quantifier after it goes too
    quant_done = False  # the last node took its quantifier itself
    for i, node in enumerate(nodes):
        kind = node[0]
        if kind == "quant":
            if dropped or not out or quant_done:
                quant_done = False
                continue
            out.append(node[1])
            continue
        dropped = quant_done = False
        if kind == "raw" or kind == "lit":
            if node[1] == "":
                dropped = True
            out.append(node[1])
        elif kind == "wide":
            # one character that may be non-ASCII: a byte class (with 0x80-0xff) repeated, as a
            # character of several bytes needs several of them
            nxt = nodes[i + 1] if i + 1 < len(nodes) else None
            if nxt is not None and nxt[0] == "quant":
                out.append(node[1] + _wide_quant(nxt[1]))
                quant_done = True
            else:
                out.append(node[1] + "+")
        elif kind == "group":
            gkind, name, children = node[1], node[2], node[3]
            if gkind == "look":
                dropped = True
                continue
            body = _emit(children, groups, depth)
            if gkind == "flags":
                out.append("(?%s:%s)" % (name, body))
            else:
                out.append("(?:%s)" % body)
        elif kind == "call":
            children = groups["names"].get(node[1])
            if children is None:
                raise _Unsupported("call to an unknown group")
            out.append("(?:%s)" % _emit(children, groups, depth + 1))
        elif kind == "backref":
            ref = node[1]
            if isinstance(ref, int):
                children = groups["numbers"][ref - 1] if 0 < ref <= len(groups["numbers"]) else None
            else:
                children = groups["names"].get(ref)
            if children is None:
                raise _Unsupported("back-reference to an unknown group")
            out.append("(?:%s)" % _emit(children, groups, depth + 1))
    return "".join(out)


def _min_zero(q: str) -> bool:
    return q.startswith(("*", "?", "{0,", "{0}"))


def _units(nodes: list):
    """``(index, score)`` for each part of a sequence that every match of it holds (a run of
    literal characters so far, or a group), where ``score`` is the length of the longest literal
    run the part guarantees."""
    run_start = run = 0
    for i, node in enumerate(nodes):
        kind = node[0]
        if kind == "quant" or (kind == "raw" and node[1] == ""):
            continue  # (a dropped anchor or look-around: a run goes on through it)
        nxt = nodes[i + 1] if i + 1 < len(nodes) else None
        optional = nxt is not None and nxt[0] == "quant" and _min_zero(nxt[1])
        if kind == "lit" and not optional:
            if run == 0:
                run_start = i
            run += 1
            yield run_start, run
            if nxt is not None and nxt[0] == "quant":
                run = 0  # a repeated character ends the run
            continue
        run = 0
        if kind == "group" and node[1] != "look" and not optional:
            yield i, _score(node[3])


def _score(nodes: list) -> int:
    """The length of the longest run of literal characters every match of ``nodes`` holds."""
    branches: list[list] = [[]]
    for node in nodes:
        if node[0] == "raw" and node[1] == "|":
            branches.append([])
        else:
            branches[-1].append(node)
    if len(branches) > 1:
        return min(_score(b) for b in branches)
    return max((score for _, score in _units(nodes)), default=0)


#: A pattern's looser expression starts at its most literal part when that part holds a run of
#: at least this many characters: what comes before it (a loop of words, say) costs Hyperscan
#: the most and tells the least.
MIN_CORE = 3


def _core(tree: list) -> list:
    """The top-level nodes from the one that holds the longest literal run to the end (a match
    of the pattern holds a match of them, so the page-level answer stays a superset)."""
    if any(node[0] == "raw" and node[1] == "|" for node in tree):
        return tree  # an alternation at the top: no common part to start from
    best = start = 0
    for i, score in _units(tree):
        if score >= best:  # the latest of equals: the loops before it are what costs
            best, start = score, i
    return tree[start:] if best >= MIN_CORE else tree


def loosen(pattern: str) -> str | None:
    """A Hyperscan expression that matches somewhere in every text ``pattern`` (a ``regex``
    pattern) matches in, or None when the pattern holds a construct this rewriting does not
    know."""
    try:
        tree, groups = _parse(pattern)
        return _emit(_core(tree), groups)
    except (_Unsupported, IndexError, ValueError, RecursionError):
        return None


# --- the database -------------------------------------------------------------------------------


def _flags(case_sensitive: bool) -> int:
    _import()
    f = _hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_MULTILINE | _hs.HS_FLAG_SINGLEMATCH
    if not case_sensitive:
        f |= _hs.HS_FLAG_CASELESS
    return f


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "compliance"


#: Cached databases kept, the most recently used ones: each rule set (the bundled packs, a
#: project's own, every edit of them) has its own, of up to a few MB.
CACHE_KEEP = 8


def _read_cache(path: Path):
    """(database, held pattern numbers) from a cache file, or None (missing, or unreadable:
    a damaged or foreign file is simply rebuilt)."""
    try:
        raw = path.read_bytes()
        head, _, blob = raw.partition(b"\n")
        if not head.startswith(b"held:"):
            return None
        held = [int(x) for x in head[5:].split()]
        db = _hs.loadb(blob, _hs.HS_MODE_BLOCK)
        db.scratch = _hs.Scratch(db)  # a loaded database comes without one
    except Exception:
        return None
    try:
        os.utime(path)  # used now: pruning keeps the most recently used
    except OSError:
        pass
    return db, held


def _prune(directory: Path, keep: int = CACHE_KEEP) -> None:
    """Remove all but the ``keep`` most recently used databases in ``directory`` (and files an
    interrupted write or an older release left there)."""
    now = time.time()
    dbs = []
    try:
        for p in directory.iterdir():
            name = p.name
            if name.startswith("prefilter-") and name.endswith(".hsdb"):
                dbs.append((p.stat().st_mtime, name, p))
            elif (name.startswith("prefilter-") and name.endswith(".held")) or (
                    name.startswith("tmp") and now - p.stat().st_mtime > 3600):
                p.unlink(missing_ok=True)
        dbs.sort(reverse=True)
        for _, _, p in dbs[keep:]:
            p.unlink(missing_ok=True)
    except OSError:  # another process pruning at the same time, or a read-only cache
        pass


def _write_cache(path: Path, db, held: list[int]) -> None:
    if db is None:
        return
    try:  # the cache is a convenience: a read-only home only costs the next run a compile
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as fh:
            fh.write(b"held:" + " ".join(map(str, held)).encode() + b"\n" + _hs.dumpb(db))
        os.replace(fh.name, path)
    except OSError:
        return
    _prune(path.parent)


def _compile(exprs: list[tuple[int, bytes, int]]):
    db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
    db.compile(expressions=[e for _, e, _ in exprs], ids=[i for i, _, _ in exprs], flags=[f for _, _, f in exprs])
    return db


def _build(patterns: list[tuple[str, bool]]):
    """Compile the loosened patterns: (database or None, the pattern numbers it holds)."""
    exprs: list[tuple[int, bytes, int]] = []
    for i, (src, cs) in enumerate(patterns):
        loose = loosen(src)
        if loose is not None:
            exprs.append((i, loose.encode("utf-8"), _flags(cs)))
    try:
        return (_compile(exprs), [i for i, _, _ in exprs]) if exprs else (None, [])
    except Exception:
        pass
    # one expression spoils the lot: keep those that compile on their own
    kept = [x for x in exprs if _compiles(x[1], x[2])]
    try:
        return (_compile(kept), [i for i, _, _ in kept]) if kept else (None, [])
    except Exception:
        return None, []


def _compiles(expr: bytes, flags: int) -> bool:
    try:
        _hs.Database().compile(expressions=[expr], ids=[0], flags=[flags])
        return True
    except Exception:
        return False


class NotCached(Exception):
    """No compiled database for these patterns is in the cache yet."""


def _cache_path(patterns: list[tuple[str, bool]]) -> Path:
    key = hashlib.sha256()
    key.update(f"{_hs.__version__}|{MAX_BOUND}|{_REWRITE_VERSION}".encode())
    for src, cs in patterns:
        key.update(b"%d|" % cs + src.encode("utf-8", "surrogatepass") + b"\0")
    return _cache_dir() / f"prefilter-{key.hexdigest()[:32]}.hsdb"


class Prefilter:
    """One compiled database for a list of ``(pattern, case_sensitive)``, numbered in order:
    :meth:`scan` tells which of the patterns it holds may match a text."""

    def __init__(self, patterns: list[tuple[str, bool]], *, cached_only: bool = False):
        """Load the database from the cache, or compile it (and cache it). With ``cached_only``,
        raise :class:`NotCached` instead of compiling."""
        if not _import():
            raise RuntimeError("the accelerator needs hyperscan (pip install 'compliance[fast]')")
        self.size = len(patterns)
        path = _cache_path(patterns)
        loaded = _read_cache(path)
        if loaded is None:
            if cached_only:
                raise NotCached(path)
            loaded = _build(patterns)
            _write_cache(path, *loaded)
        self.db, self.held = loaded
        self._held_set = frozenset(self.held)

    def holds(self, index: int) -> bool:
        return index in self._held_set

    def scan(self, text: str) -> set[int]:
        """The held patterns that may match somewhere in ``text``: a held pattern not in the
        set cannot match anywhere in it."""
        may: set[int] = set()
        if self.db is None or not text:
            return may
        self.db.scan(text.encode("utf-8", "surrogatepass"),
                     match_event_handler=lambda i, _from, _to, _flags, _ctx: may.add(i))
        return may
