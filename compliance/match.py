"""Find copies of a publisher's articles and align each copy with its source.

Three layers, all over plain strings:

``tokens(text)``
    Words normalised for matching (NFKC, casefold, in-word apostrophes of any shape
    dropped, every other punctuation mark and dash a separator) with the ``(start, end)``
    offsets of each word in the original text, so every finding can quote both texts.

``signature(text)`` and :class:`Index`
    MinHash over 5-word shingles, and a locality-sensitive index over the signatures.

``align(source, copy)``
    A word-level alignment: which runs of the copy come from the source, how much of the
    source the copy carries, and the edits made inside the copied region.

Signatures
----------
Each distinct normalised word is hashed once with ``zlib.crc32`` (stable across processes
and machines; Python's salted ``hash()`` is never used for anything that is stored), the
word ids of each 5-word window are combined by a polynomial in wrapping ``uint64``
arithmetic and finalised with the splitmix64 mixer, all in NumPy. The 128 "permutations"
are the multiply-add-shift family ``h_i(x) = ((a_i * x + b_i) mod 2**64) >> 32`` (``a_i``
odd; Dietzfelbinger's universal family) rather than ``(a*x + b) mod p``: NumPy has no
128-bit product, and ``% p`` on ``uint64`` alone costs ~2 ms for 1,500 shingles, ten
times the whole multiply-shift pass, for the same estimator error (measured: bias < 0.003,
standard deviation within the binomial bound, on structured inputs). A signature is a
``uint32`` array (:class:`Signature`, a thin ``ndarray`` subclass that also carries the
number of distinct shingles, which containment needs). A text shorter than five words is
one shingle of the words it has; a text without words gets :data:`EMPTY` in every slot,
a value no real shingle produces, and it matches nothing, not even another empty text.

Why one row per band, and how containment is handled
----------------------------------------------------
The index must find an excerpt of 3 paragraphs of a 20-paragraph article: the copy holds
~15% of the source's shingles, a Jaccard similarity of ~0.15, and lower still once the
copy adds a header or the source is longer. Classic banding (``b`` bands of ``r`` rows,
candidate when one band agrees entirely) cannot reach that with 128 hashes: ``P(candidate)
= 1 - (1 - J**r)**b`` is 0.47 at ``J = 0.1`` for ``r = 2, b = 64`` and worse for larger
``r``. So the index uses ``rows = 1, bands = num_perm`` and counts votes: a source is a
candidate when at least ``min_hits`` of the 128 MinHash slots agree with the query
(``P = P[Binomial(128, J) >= min_hits]``). With the default ``threshold = 0.1`` the design
point is two equal-sized texts sharing 10% of their shingles (``J = 0.1 / 1.9 = 0.053``),
and :func:`lsh_params` picks ``min_hits = 2``: 99% recall there, 99.99% at ``J = 0.1``.
An unrelated text (``J`` ~ 0.002) is a candidate with probability ~3%, and is then
dropped by the containment filter. What the filter cannot drop is chance agreement with
a very short query: for a 150-shingle excerpt each agreeing slot is worth ~0.07 of
containment, so two stray votes pass a 0.1 threshold. In the benchmark this is the only
source of false positives (precision ~98.5% at 100,000 references); ``Index(min_hits=3)``
removes most of them at the cost of recall at the design point (99% -> 97%). The audit
confirms every candidate with :func:`align`, which is exact, so the default favours recall.

Containment rather than per-paragraph chunks: the index keeps the number of distinct
shingles of every source, so ``|A ∩ B| = J (|A| + |B|) / (1 + J)`` and the containment of
the smaller side, ``|A ∩ B| / min(|A|, |B|)``, come out of the same 128 slots. An excerpt
that is fully copied estimates close to 1.0 even though its Jaccard is 0.15. Chunking the
sources would multiply memory and lookups by the number of chunks per article (8-20) for
no gain in the case the audit cares about (a copy of one article, whole or in part). The
limit: the MinHash still has to see the overlap, so a copied part smaller than ~5% of the
union of both texts (one paragraph of a long article pasted into a long page) is found
only sometimes; :func:`align` on a pair is exact. A signature passed in as a plain array
(without its shingle count) gets the count estimated from its minima (~9% error).

Storage: each (slot, value) pair is packed into one ``uint32`` key (slot in the top
``ceil(log2(num_perm))`` bits, the value remixed into the rest); key and source number
share one ``uint64`` in a single sorted array, 8 bytes per slot, ~1 KiB per article, plus
its name and a bucket directory over the top bits of the keys (4-8 keys per bucket, 40-80
bytes per article). A lookup reads the directory and one short run of the table per slot
(no binary search through 100 MB, which measured 175 us per query at 100,000 sources)
and counts votes over the few postings. Slots whose bucket holds more than
``max_bucket`` sources are skipped and the estimate is made on the other slots: distinct
articles rarely share a minimum, so such a bucket is shared text (a standard footer, a
newsletter blurb). In the benchmark, where 30% of sources end with one of three footers,
a cap of 16 instead of 100 lifts precision at 1,000 references from 83% to 99% with no
recall lost. Additions go to a pending buffer merged into the table on the next query,
save or 65,536 additions; ``save``/``load`` write and read an uncompressed ``.npz``
without pickle (the directory is rebuilt on load).

Alignment
---------
Patience-diff style: 5-word shingles that occur once in each text are anchors; the
longest chain of anchors in the same order in both texts fixes the alignment, each gap
between anchors is solved the same way inside the gap (uniqueness recomputed there), and
small gaps go to ``difflib.SequenceMatcher(autojunk=False)``. A gap that is still large
and has no anchor is left unmatched, so the cost stays near linear on long texts.
Matched runs shorter than ``min_run`` words that stand alone (typically "of the" inside a
rewritten sentence) are absorbed into the surrounding edit, so a reworded sentence is one
``replace`` edit quoting both versions. Text the copy adds before its first or after its
last matched run (a "Republished from ..." header, a footer) is not an edit; text moved
to another place shows as a delete and an insert.
"""

from __future__ import annotations

import difflib
import math
import re
import sys
import unicodedata
import zlib
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple, Self

import numpy as np
import regex

__all__ = [
    "EMPTY",
    "Alignment",
    "Edit",
    "Hit",
    "Index",
    "MatchedRun",
    "Signature",
    "Token",
    "align",
    "estimate_containment",
    "estimate_jaccard",
    "lsh_params",
    "shingle_set",
    "signature",
    "tokens",
    "word_spans",
    "words",
]

# --------------------------------------------------------------------------- tokens

_ASCII_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_APOSTROPHES = "'\u2019\u2018\u02bc\uff07"
_UNI_WORD = regex.compile(r"[\p{L}\p{N}\p{M}]+(?:[" + _APOSTROPHES + r"][\p{L}\p{N}\p{M}]+)*")
_NOT_WORD = regex.compile(r"[^\p{L}\p{N}\p{M}\x00]+")


#: Characters that are neither letters, digits nor marks (spaces, dashes, quotes, symbols),
#: which the full Unicode path treats as separators, as ASCII punctuation is.
_SEPARATORS = ("\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
               "\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\xad\u2010\u2011\u2012\u2013\u2014"
               "\u2015\u201c\u201d\u201e\u201f\xab\xbb\u2039\u203a\u2026\xa9\xae\u2122\u2022"
               "\xb7\xb6\xa7\u2020\u2021\xb0\u2032\u2033\u2212\xd7\u20ac\xa3\xa5\xa2\u2190"
               "\u2192\u25b6\u25ba\u2605\u2713\u2714\xbf\xa1\xa6")
#: Curly single quotes join words as ``'`` does (U+02BC is a letter, and not among them).
_CURLY = "\u2018\u2019"


def _simple_letter(c: str) -> bool:
    """A Latin letter that the full path leaves as one character, the same one ``lower()``
    gives: NFKC-stable, casefolds as it lowercases, in both cases (not ß, ĳ, ſ, ŉ …)."""
    low = c.lower()
    return (unicodedata.category(c).startswith("L") and len(low) == 1 and low == c.casefold()
            and unicodedata.normalize("NFKC", c) == c and unicodedata.normalize("NFKC", low) == low
            and unicodedata.category(low).startswith("L") and low.casefold() == low)


_LATIN = "".join(c for c in map(chr, range(0xC0, 0x250)) if _simple_letter(c))
_LATIN_LOWER = "".join(sorted({c.lower() for c in _LATIN}))
#: A text of nothing but ASCII, simple Latin letters, those separators and curly quotes is
#: tokenised by :data:`_LATIN_WORD` exactly as by the Unicode path, several times faster.
_NOT_LATIN = re.compile("[^\\x00-\\x7f" + _LATIN + _SEPARATORS + _CURLY + "]")
_LATIN_WORD = re.compile("[a-z0-9" + _LATIN_LOWER + "]+(?:['" + _CURLY + "][a-z0-9" + _LATIN_LOWER + "]+)*")
_LATIN_RUN = re.compile("[a-z0-9" + _LATIN_LOWER + "]+")
_JOINING_APOSTROPHE = re.compile(
    "['" + _CURLY + "](?<=[a-z0-9" + _LATIN_LOWER + "]['" + _CURLY + "])(?=[a-z0-9" + _LATIN_LOWER + "])")


class Token(NamedTuple):
    """A normalised word and where it stands in the original text (``text[start:end]``)."""

    text: str
    start: int
    end: int


def _normalise(raw: list[str]) -> list[str]:
    """NFKC, casefold, strip apostrophes and anything else that is not a letter, digit or
    mark; one output per input (possibly empty)."""
    joined = "\x00".join(raw)
    joined = unicodedata.normalize("NFKC", joined).casefold()
    joined = _NOT_WORD.sub("", joined)
    return joined.split("\x00")


def _scan(text: str) -> tuple[list[str], list[int], list[int]]:
    """Normalised words with start and end offsets, as three parallel lists."""
    if not text:
        return [], [], []
    if text.isascii() or _NOT_LATIN.search(text) is None:
        # One match per word (apostrophes joining as in words()); lower() keeps offsets here.
        spans = [m.span() for m in _LATIN_WORD.finditer(text.lower())]
        return words(text), [a for a, _ in spans], [b for _, b in spans]
    found = list(_UNI_WORD.finditer(text))
    out = _normalise([m.group() for m in found])
    starts = [m.start() for m in found]
    ends = [m.end() for m in found]
    if "" in out:
        keep = [i for i, w in enumerate(out) if w]
        out = [out[i] for i in keep]
        starts = [starts[i] for i in keep]
        ends = [ends[i] for i in keep]
    return out, starts, ends


def words(text: str) -> list[str]:
    """The normalised words of ``text`` (what :func:`tokens` yields, without offsets)."""
    if not text:
        return []
    if text.isascii() or _NOT_LATIN.search(text) is None:
        # An apostrophe between two word characters joins them (``don't`` is ``dont``); any
        # other is a separator.
        return _LATIN_RUN.findall(_JOINING_APOSTROPHE.sub("", text.lower()))
    out = _normalise(_UNI_WORD.findall(text))
    return [w for w in out if w] if "" in out else out


def word_spans(text: str) -> tuple[list[str], list[int], list[int]]:
    """:func:`tokens` as three parallel lists (words, starts, ends): cheaper for long texts."""
    return _scan(text)


def tokens(text: str) -> list[Token]:
    """Words normalised for matching, each with its ``(start, end)`` in ``text``.

    Normalisation: NFKC, casefold, apostrophes inside a word (``'`` ``’`` ``‘`` ``ʼ``)
    removed (``don’t`` and ``don't`` are both ``dont``); dashes, hyphens, quotes and all
    other punctuation separate words and are otherwise ignored.
    """
    w, s, e = _scan(text)
    return [Token(*t) for t in zip(w, s, e)]


def shingle_set(text: str, shingle: int = 5) -> set[tuple[str, ...]]:
    """The exact set of word shingles :func:`signature` sketches (for tests and checks)."""
    w = words(text)
    if not w:
        return set()
    if len(w) < shingle:
        return {tuple(w)}
    return set(zip(*(w[i : len(w) - shingle + 1 + i] for i in range(shingle))))


# ----------------------------------------------------------------------- signatures

#: The value of every slot of the signature of a text without words. No shingle hashes to
#: it (real values are clamped below it), so it never matches.
EMPTY = np.uint32(0xFFFFFFFF)
_MAX_REAL = np.uint64(0xFFFFFFFE)
_M64 = (1 << 64) - 1
_POLY = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier combining the words of a shingle
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_WORD_IDS: dict[str, int] = {}
#: Words whose crc32 is kept between pages. Cleared when full: a crawl's vocabulary has no end
#: (names, numbers, typos), and 2**18 words hold about 16 MB, so a worker's memory stays flat.
_WORD_CACHE_LIMIT = 1 << 18
_CHUNK = 512  # shingles per block of the (num_perm x shingles) product: 512 KB, within the L2 cache


class Signature(np.ndarray):
    """A MinHash signature (``uint32``) that also knows how many distinct shingles it
    summarises (``shingles``; -1 when unknown, e.g. after arithmetic on it)."""

    shingles: int

    def __new__(cls, values: np.ndarray, shingles: int) -> Self:
        obj = np.asarray(values, dtype=np.uint32).view(cls)
        obj.shingles = int(shingles)
        return obj

    def __array_finalize__(self, obj: object) -> None:
        self.shingles = getattr(obj, "shingles", -1)

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        # Results of ufuncs (comparisons, sums) are plain arrays, not signatures.
        arr = np.asarray(arr).view(np.ndarray)
        return arr[()] if return_scalar else arr

    def __reduce__(self):  # pickling keeps the shingle count
        return (Signature, (np.asarray(self).view(np.ndarray), self.shingles))


def _splitmix64(state: int) -> tuple[int, int]:
    state = (state + 0x9E3779B97F4A7C15) & _M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return state, z ^ (z >> 31)


@lru_cache(maxsize=16)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``a`` (odd) and ``b`` for each slot, from a pure-Python splitmix64 stream so they do
    not depend on NumPy's random generators across versions."""
    state = seed & _M64
    a, b = [], []
    for _ in range(num_perm):
        state, x = _splitmix64(state)
        state, y = _splitmix64(state)
        a.append(x | 1)
        b.append(y)
    return (
        np.array(a, dtype=np.uint64)[:, None],
        np.array(b, dtype=np.uint64)[:, None],
    )


def _word_ids(ws: list[str]) -> np.ndarray:
    cache = _WORD_IDS
    missing = set(ws).difference(cache)
    if missing:
        if len(cache) + len(missing) > _WORD_CACHE_LIMIT:
            cache.clear()
        for w in missing:
            cache[w] = zlib.crc32(w.encode("utf-8"))
    return np.fromiter(map(cache.__getitem__, ws), dtype=np.uint64, count=len(ws))


def _shingle_hashes(ws: list[str], shingle: int) -> np.ndarray:
    """Distinct 64-bit hashes of the shingles of a word list (sorted, unique)."""
    ids = _word_ids(ws)
    n = len(ids)
    width = min(shingle, n)
    m = n - width + 1
    with np.errstate(over="ignore"):
        h = ids[:m].copy()
        for t in range(1, width):
            h *= _POLY
            h += ids[t : t + m]
        h += np.uint64(width)  # a 3-word text is not the prefix of a 5-word one
        h ^= h >> np.uint64(30)
        h *= _MIX1
        h ^= h >> np.uint64(27)
        h *= _MIX2
        h ^= h >> np.uint64(31)
    # Sorted and distinct: a sort and a neighbour compare cost a tenth of np.unique's hashing
    # on a page's 1,000-2,000 shingles.
    h.sort()
    keep = np.empty(len(h), dtype=bool)
    keep[:1] = True
    np.not_equal(h[1:], h[:-1], out=keep[1:])
    return h[keep]


def _minhash(x: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    a, b = _permutations(num_perm, seed)
    out = np.full(num_perm, _M64, dtype=np.uint64)
    buf = np.empty((num_perm, min(_CHUNK, len(x))), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for lo in range(0, len(x), _CHUNK):
            part = x[lo : lo + _CHUNK]
            m = buf[:, : len(part)]
            np.multiply(a, part, out=m)
            m += b
            np.minimum(out, m.min(axis=1), out=out)
    # The top 32 bits of each slot's least (a*x+b mod 2**64): shifting is monotonic, so it is
    # done once on the minima rather than on every product.
    out >>= np.uint64(32)
    np.minimum(out, _MAX_REAL, out=out)
    return out.astype(np.uint32)


def signature(text: str, num_perm: int = 128, shingle: int = 5, seed: int = 1) -> Signature:
    """The MinHash signature of ``text`` over ``shingle``-word shingles.

    Deterministic across processes and machines for the same ``num_perm``, ``shingle``
    and ``seed``. A text without words gets :data:`EMPTY` in every slot and ``shingles=0``.
    """
    if num_perm < 1 or shingle < 1:
        raise ValueError("num_perm and shingle must be positive")
    ws = words(text)
    if not ws:
        return Signature(np.full(num_perm, EMPTY, dtype=np.uint32), 0)
    x = _shingle_hashes(ws, shingle)
    return Signature(_minhash(x, num_perm, seed), len(x))


def _cardinality(sig: np.ndarray) -> int:
    """Distinct shingles behind a signature: the exact count when it carries one, else
    estimated from the minima (``(k - 1) / sum(u_i)`` for ``u_i`` the minima in [0, 1))."""
    n = getattr(sig, "shingles", -1)
    if n >= 0:
        return int(n)
    v = np.asarray(sig)
    valid = v != EMPTY
    if not valid.any():
        return 0
    u = (v[valid].astype(np.float64) + 1.0) / 4294967296.0
    k = int(valid.sum())
    return max(1, round((k - 1) / float(u.sum()))) if k > 1 else max(1, round(1 / u[0] - 1))


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of slots where the two signatures agree: an estimate of the shingle Jaccard."""
    a = np.asarray(a).view(np.ndarray)
    b = np.asarray(b).view(np.ndarray)
    if a.shape != b.shape:
        raise ValueError("signatures of different lengths")
    if a.size == 0:
        return 0.0
    return float(np.count_nonzero((a == b) & (a != EMPTY))) / a.size


def _containment(j: np.ndarray | float, na, nb):
    """Share of the smaller shingle set that the other one holds, from Jaccard and sizes."""
    if isinstance(j, float):
        small = max(min(na, nb), 1)
        return min(j * (na + nb) / (1.0 + j) / small, 1.0)
    inter = np.asarray(j, dtype=np.float64) * (np.asarray(na) + np.asarray(nb)) / (1.0 + np.asarray(j))
    small = np.maximum(np.minimum(na, nb), 1)
    return np.minimum(inter / small, 1.0)


def estimate_containment(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated share of the *smaller* shingle set that is in the other one."""
    j = estimate_jaccard(a, b)
    if j == 0.0:
        return 0.0
    return float(_containment(j, _cardinality(a), _cardinality(b)))


# ------------------------------------------------------------------------------ LSH


def _binom_sf(n: int, p: float, m: int) -> float:
    """P[Binomial(n, p) >= m]."""
    if m <= 0:
        return 1.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    return 1.0 - sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(m))


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int = 128, recall: float = 0.99) -> tuple[int, int, int]:
    """``(bands, rows, min_hits)`` for a containment ``threshold``.

    The design point is two equal-sized texts sharing ``threshold`` of their shingles,
    Jaccard ``t / (2 - t)``; ``min_hits`` is the largest vote count that still catches that
    pair with probability ``recall`` (at least 1). Bands always have one row (see the
    module docstring for why banding with ``rows > 1`` cannot reach these thresholds).
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    j = threshold / (2.0 - threshold)
    m = 1
    while m < num_perm and _binom_sf(num_perm, j, m + 1) >= recall:
        m += 1
    return num_perm, 1, m


class Hit(NamedTuple):
    """One source found for a query."""

    key: str
    jaccard: float  # estimated shingle Jaccard
    containment: float  # estimated share of the smaller side's shingles found in the other
    votes: int  # agreeing slots


def _best_first(h: Hit) -> tuple[float, float, str]:
    return (-h.jaccard, -h.containment, h.key)


def _as_signature(obj: str | np.ndarray, num_perm: int, shingle: int, seed: int) -> np.ndarray:
    if isinstance(obj, str):
        return signature(obj, num_perm, shingle, seed)
    arr = np.asarray(obj)
    if arr.shape != (num_perm,):
        raise ValueError(f"signature has shape {arr.shape}, the index uses ({num_perm},)")
    if arr.dtype != np.uint32:
        if arr.size and (arr.min() < 0 or arr.max() > 0xFFFFFFFF):
            raise ValueError("signature values must fit in uint32")
        sig = Signature(arr.astype(np.uint32), getattr(obj, "shingles", -1))
        return sig
    return obj


_FORMAT = 1
_WIDE_BUCKET = 64  # directory buckets longer than this are bounded by binary search


class Index:
    """MinHash LSH over sources, with containment estimates.

    ``threshold`` is the default minimum estimated containment of the smaller side (see
    the module docstring). ``max_bucket``: a slot whose (slot, value) bucket holds more
    sources than this is treated as boilerplate and skipped at query time, unless more
    than half of the query's slots are that crowded (then the query is a copy of an
    article indexed many times over, and all slots count). ``min_hits``: agreeing slots a
    candidate needs; by default :func:`lsh_params` derives it from the threshold (2 for
    0.1). 3 trades recall at the design point (99% -> 97%) for fewer chance candidates
    among very short queries.
    """

    def __init__(
        self,
        threshold: float = 0.1,
        num_perm: int = 128,
        shingle: int = 5,
        seed: int = 1,
        max_bucket: int = 16,
        min_hits: int | None = None,
    ) -> None:
        if not 1 <= num_perm <= 1 << 12:
            raise ValueError("num_perm must be between 1 and 4096")
        lsh_params(threshold, num_perm)  # validates threshold
        self.threshold = float(threshold)
        self.num_perm = int(num_perm)
        self.shingle = int(shingle)
        self.seed = int(seed)
        self.max_bucket = int(max_bucket)
        self.min_hits = None if min_hits is None else max(1, int(min_hits))
        self._slot_bits = max(1, (num_perm - 1).bit_length())
        self._value_shift = np.uint32(self._slot_bits)
        self._slot_prefix = (np.arange(num_perm, dtype=np.uint32) << np.uint32(32 - self._slot_bits))
        self._names: list[str] = []
        self._ids: dict[str, int] = {}
        self._sizes = np.zeros(0, dtype=np.uint32)
        # sorted postings: packed slot key in the high 32 bits, source number in the low
        self._table = np.zeros(0, dtype=np.uint64)
        self._pending_keys: list[np.ndarray] = []
        self._pending_docs: list[int] = []
        self._pending_sizes: list[int] = []
        self._build_directory()

    def _min_hits(self, threshold: float) -> int:
        return self.min_hits if self.min_hits is not None else lsh_params(threshold, self.num_perm)[2]

    # -- building

    def _slot_keys(self, sig: np.ndarray) -> np.ndarray:
        """One packed ``uint32`` key per slot: slot number on top, remixed value below.
        EMPTY slots get ordinary keys: callers mask them."""
        v = np.asarray(sig, dtype=np.uint32)
        with np.errstate(over="ignore"):
            mixed = v * np.uint32(0x9E3779B1)
        return self._slot_prefix[: v.shape[-1]] | (mixed >> self._value_shift)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def keys(self) -> list[str]:
        return list(self._names)

    def add(self, key: str, text_or_signature: str | np.ndarray) -> None:
        """Index one source. Keys are unique; a text without words is kept but never found."""
        if key in self._ids:
            raise ValueError(f"duplicate key {key!r}")
        sig = _as_signature(text_or_signature, self.num_perm, self.shingle, self.seed)
        doc = len(self._names)
        self._names.append(key)
        self._ids[key] = doc
        size = _cardinality(sig)
        self._pending_sizes.append(size)
        self._pending_docs.append(doc)
        if size and not (np.asarray(sig) == EMPTY).all():
            self._pending_keys.append(self._slot_keys(sig))
        else:
            self._pending_keys.append(np.zeros(0, dtype=np.uint32))
        if len(self._pending_docs) >= 65536:
            self._merge()

    def add_many(self, items: Iterable[tuple[str, str | np.ndarray]]) -> None:
        for key, obj in items:
            self.add(key, obj)
        self._merge()

    def flush(self) -> None:
        """Merge pending additions into the table now (queries and ``save`` do it anyway)."""
        self._merge()

    def _merge(self) -> None:
        if not self._pending_docs:
            return
        sizes = np.asarray(self._pending_sizes, dtype=np.uint32)
        lens = np.fromiter((len(k) for k in self._pending_keys), dtype=np.int64, count=len(self._pending_keys))
        new = np.concatenate(self._pending_keys).astype(np.uint64) if lens.sum() else np.zeros(0, np.uint64)
        new <<= np.uint64(32)
        new |= np.repeat(np.asarray(self._pending_docs, dtype=np.uint64), lens)
        new.sort()
        if len(self._table):
            self._table = np.insert(self._table, np.searchsorted(self._table, new), new)
        else:
            self._table = new
        self._sizes = np.concatenate([self._sizes, sizes])
        self._build_directory()
        self._pending_keys.clear()
        self._pending_docs.clear()
        self._pending_sizes.clear()

    # -- querying

    def _build_directory(self) -> None:
        """Bucket directory over the sorted keys: ``dir[t]`` is the first position whose key
        has top bits ``t``, 4-8 keys per bucket, so a lookup touches two cache lines instead
        of a 24-step binary search through tens of megabytes."""
        m = len(self._table)
        bits = min(26, max(4, math.floor(math.log2(max(m, 64) / 4))))
        self._dir_shift = np.uint32(32 - bits)
        counts = np.bincount((self._table >> np.uint64(32 + 32 - bits)).astype(np.intp), minlength=1 << bits)
        directory = np.zeros((1 << bits) + 1, dtype=np.int64 if m >= 1 << 32 else np.uint32)
        np.cumsum(counts, out=directory[1:])
        self._dir = directory

    def _postings(self, flat: np.ndarray, valid: np.ndarray, cap: int | None):
        """Postings of packed query keys ``flat``: (needle of each posting, doc of each
        posting, needles whose bucket holds more than ``cap`` sources and was skipped)."""
        table = self._table
        b = flat >> self._dir_shift
        lo = self._dir[b].astype(np.int64)
        cnt = self._dir[b + np.uint32(1)].astype(np.int64)
        cnt -= lo
        cnt[~valid] = 0
        crowded = np.zeros(flat.size, dtype=bool)
        wide = cnt > _WIDE_BUCKET
        if wide.any():
            # A long run of one key (boilerplate, mirrors): bound it exactly before reading.
            fw = flat[wide].astype(np.uint64) << np.uint64(32)
            lw = table.searchsorted(fw, "left")
            cw = table.searchsorted(fw | np.uint64(0xFFFFFFFF), "right") - lw
            if cap is not None:
                over = cw > cap
                crowded[wide] = over
                cw[over] = 0
            lo[wide] = lw
            cnt[wide] = cw
        total = int(cnt.sum())
        if not total:
            return None, None, crowded
        ends = cnt.cumsum()
        pos = np.arange(total) + np.repeat(lo - (ends - cnt), cnt)
        needle = np.repeat(np.arange(flat.size), cnt)
        got = table[pos]
        hit = (got >> np.uint64(32)).astype(np.uint32) == flat[needle]
        got, needle = got[hit], needle[hit]
        if cap is not None and len(needle):
            over = np.bincount(needle, minlength=flat.size) > cap
            if over.any():
                crowded |= over
                keep = ~over[needle]
                got, needle = got[keep], needle[keep]
        if not len(got):
            return None, None, crowded
        return needle, (got & np.uint64(0xFFFFFFFF)).astype(np.int64), crowded

    def _votes(self, qkeys: np.ndarray, valid: np.ndarray):
        """(row, doc, votes) for every query row and source sharing a slot, plus the
        number of slots evaluated per row."""
        rows_n, P = qkeys.shape
        needle, docs, crowded = self._postings(qkeys.ravel(), valid.ravel(), self.max_bucket)
        crowded = crowded.reshape(rows_n, P)
        redo = np.flatnonzero(crowded.sum(axis=1) > P // 2)
        rows = needle // P if needle is not None else np.zeros(0, np.int64)
        if docs is None:
            docs = np.zeros(0, np.int64)
        if len(redo):
            # Mostly crowded: a copy of an article indexed many times over. Count all slots.
            crowded[redo] = False
            drop = np.isin(rows, redo)
            rows, docs = rows[~drop], docs[~drop]
            n2, d2, _ = self._postings(qkeys[redo].ravel(), valid[redo].ravel(), None)
            if n2 is not None:
                rows = np.concatenate([rows, redo[n2 // P]])
                docs = np.concatenate([docs, d2])
        evaluated = P - (crowded | ~valid).sum(axis=1)
        if not len(rows):
            return None, None, None, evaluated
        if rows_n == 1:
            pair = docs.astype(np.int64)
        else:
            pair = (rows.astype(np.int64) << 32) | docs.astype(np.int64)
        pair.sort()
        starts = np.empty(len(pair), dtype=bool)
        starts[0] = True
        np.not_equal(pair[1:], pair[:-1], out=starts[1:])
        starts = np.flatnonzero(starts)
        votes = np.diff(starts, append=len(pair))
        pair = pair[starts]
        return pair >> 32, pair & 0xFFFFFFFF, votes, evaluated

    def search_many(
        self, objs: Sequence[str | np.ndarray], threshold: float | None = None, limit: int | None = None
    ) -> list[list[Hit]]:
        """:meth:`search` for many queries at once (vectorised; faster per query)."""
        if self._pending_docs:
            self._merge()
        threshold = self.threshold if threshold is None else float(threshold)
        min_hits = self._min_hits(threshold)
        out: list[list[Hit]] = [[] for _ in objs]
        if not len(objs) or not len(self._table):
            return out
        sigs = [_as_signature(o, self.num_perm, self.shingle, self.seed) for o in objs]
        mat = np.array(sigs, dtype=np.uint32).reshape(len(sigs), self.num_perm)
        with np.errstate(over="ignore"):
            qkeys = self._slot_prefix | ((mat * np.uint32(0x9E3779B1)) >> self._value_shift)
        r, d, votes, evaluated = self._votes(qkeys, mat != EMPTY)
        if r is None:
            return out
        good = votes >= min_hits
        r, d, votes = r[good], d[good], votes[good]
        if not len(r):
            return out
        qsizes = np.array([_cardinality(sigs[i]) for i in range(len(sigs))], dtype=np.float64)
        jac = votes / np.maximum(evaluated[r], 1)
        con = _containment(jac, qsizes[r], self._sizes[d].astype(np.float64))
        keep = con >= threshold - 1e-12
        r, d, votes, jac, con = r[keep], d[keep], votes[keep], jac[keep], con[keep]
        names = self._names
        for row, doc, j, c, v in zip(r.tolist(), d.tolist(), jac.tolist(), con.tolist(), votes.tolist()):
            out[row].append(Hit(names[doc], j, c, v))
        for i, hits in enumerate(out):
            if len(hits) > 1:
                hits.sort(key=_best_first)
                if limit is not None:
                    out[i] = hits[:limit]
        return out

    def search(
        self, text_or_signature: str | np.ndarray, threshold: float | None = None, limit: int | None = None
    ) -> list[Hit]:
        """Sources whose estimated containment (of the smaller side) is at least
        ``threshold``, best (highest Jaccard) first, with both estimates and the votes."""
        if self._pending_docs:
            self._merge()
        threshold = self.threshold if threshold is None else float(threshold)
        min_hits = self._min_hits(threshold)
        sig = _as_signature(text_or_signature, self.num_perm, self.shingle, self.seed)
        v = np.asarray(sig).view(np.ndarray)
        with np.errstate(over="ignore"):
            qkeys = self._slot_prefix | ((v * np.uint32(0x9E3779B1)) >> self._value_shift)
        valid = v != EMPTY
        _, docs, crowded = self._postings(qkeys, valid, self.max_bucket)
        n_crowded = int(np.count_nonzero(crowded))
        if n_crowded > self.num_perm // 2:  # see _votes
            _, docs, crowded = self._postings(qkeys, valid, None)
            n_crowded = 0
        if docs is None or len(docs) < min_hits:
            return []
        evaluated = int(np.count_nonzero(valid)) - n_crowded
        docs.sort()
        starts = np.empty(len(docs), dtype=bool)
        starts[0] = True
        np.not_equal(docs[1:], docs[:-1], out=starts[1:])
        starts = np.flatnonzero(starts).tolist()
        starts.append(len(docs))
        hits = []
        qsize = _cardinality(sig)
        sizes = self._sizes
        names = self._names
        for a, b in pairwise(starts):
            n = b - a
            if n >= min_hits:
                d = int(docs[a])
                j = n / evaluated
                c = _containment(j, qsize, int(sizes[d]))
                if c >= threshold - 1e-12:
                    hits.append(Hit(names[d], j, c, n))
        hits.sort(key=_best_first)
        return hits[:limit] if limit is not None else hits

    def query(
        self, text_or_signature: str | np.ndarray, threshold: float | None = None, limit: int | None = None
    ) -> list[tuple[str, float]]:
        """``[(key, estimated_jaccard), ...]`` best first; see :meth:`search`."""
        return [(h.key, h.jaccard) for h in self.search(text_or_signature, threshold, limit)]

    def query_many(
        self, objs: Sequence[str | np.ndarray], threshold: float | None = None, limit: int | None = None
    ) -> list[list[tuple[str, float]]]:
        return [[(h.key, h.jaccard) for h in hits] for hits in self.search_many(objs, threshold, limit)]

    # -- persistence and size

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (an uncompressed ``.npz``; no pickle)."""
        self._merge()
        blob = "\x00".join(self._names).encode("utf-8")
        if any("\x00" in n for n in self._names):
            raise ValueError("keys must not contain NUL")
        params = np.array(
            [_FORMAT, self.num_perm, self.shingle, self.seed, self.max_bucket, len(self._names), self.min_hits or 0],
            dtype=np.int64,
        )
        with open(path, "wb") as fh:
            np.savez(
                fh,
                params=params,
                threshold=np.array([self.threshold]),
                table=self._table,
                sizes=self._sizes,
                names=np.frombuffer(blob, dtype=np.uint8),
            )

    @classmethod
    def load(cls, path: str | Path) -> Index:
        with np.load(path, allow_pickle=False) as z:
            fmt, num_perm, shingle, seed, max_bucket, n, min_hits = (int(v) for v in z["params"])
            if fmt != _FORMAT:
                raise ValueError(f"unknown index format {fmt}")
            idx = cls(float(z["threshold"][0]), num_perm, shingle, seed, max_bucket, min_hits or None)
            idx._table = z["table"]
            idx._sizes = z["sizes"]
            names = z["names"].tobytes().decode("utf-8")
        idx._build_directory()
        idx._names = names.split("\x00") if n else []
        if len(idx._names) != n:
            raise ValueError("corrupt index: key count does not match")
        idx._ids = {k: i for i, k in enumerate(idx._names)}
        return idx

    def bytes_per_entry(self) -> float:
        """Memory per indexed source: the sorted arrays plus the key strings and the
        key→number table (Python object overhead included)."""
        self._merge()
        n = len(self._names)
        if not n:
            return 0.0
        arrays = self._table.nbytes + self._sizes.nbytes + self._dir.nbytes
        strings = sum(map(sys.getsizeof, self._names))
        tables = sys.getsizeof(self._names) + sys.getsizeof(self._ids)
        return (arrays + strings + tables) / n


# ------------------------------------------------------------------------ alignment


@dataclass(frozen=True, slots=True)
class Edit:
    """A change inside the copied region. Spans are ``(start, end)`` offsets; the span on
    the side without text is empty and stands where the other side's text would go."""

    kind: str  # 'replace' | 'insert' | 'delete'
    source_span: tuple[int, int]
    copy_span: tuple[int, int]
    source_text: str
    copy_text: str


class MatchedRun(NamedTuple):
    """A run of words the copy shares with the source, in both texts."""

    source_span: tuple[int, int]
    copy_span: tuple[int, int]
    words: int
    source_word: int  # index of the first word in tokens(source)
    copy_word: int  # index of the first word in tokens(copy)


@dataclass(frozen=True, slots=True)
class Alignment:
    similarity: float  # share of the copy's words that come from the source
    coverage: float  # share of the source's words present in the copy, in order
    longest: int  # words in the longest contiguous copied run
    matched_words: int
    source_words: int
    copy_words: int
    blocks: tuple[MatchedRun, ...]
    edits: tuple[Edit, ...]
    is_excerpt: bool  # coverage below the excerpt threshold
    copied_text_spans: tuple[tuple[int, int], ...]  # spans of the copy that come from the source


_SMALL_GAP = 10_000  # cells (len_a * len_b) below which difflib runs directly
_MAX_GAP = 250_000  # cells above which a gap without anchors is left unmatched
_MAX_DEPTH = 8


def _shingle_keys(ids: np.ndarray, k: int) -> np.ndarray:
    """A 64-bit key per ``k``-word window of ``ids`` (equal windows, equal keys)."""
    m = len(ids) - k + 1
    with np.errstate(over="ignore"):
        h = ids[:m].copy()
        for t in range(1, k):
            h *= _POLY
            h += ids[t : t + m]
    return h


def _unique_anchors(ia: np.ndarray, alo: int, ahi: int, ib: np.ndarray, blo: int, bhi: int, k: int) -> list[tuple[int, int]]:
    """Start positions ``(i, j)`` of ``k``-word shingles occurring once in ``a[alo:ahi]``
    and once in ``b[blo:bhi]`` (by word id), ordered by ``j``. Keys can collide in theory,
    so callers check the words of the anchors they use."""
    if ahi - alo < k or bhi - blo < k:
        return []
    ha = _shingle_keys(ia[alo:ahi], k)
    hb = _shingle_keys(ib[blo:bhi], k)
    ua, pa, ca = np.unique(ha, return_index=True, return_counts=True)
    ub, pb, cb = np.unique(hb, return_index=True, return_counts=True)
    once_a, once_b = ca == 1, cb == 1
    _, xa, xb = np.intersect1d(ua[once_a], ub[once_b], assume_unique=True, return_indices=True)
    i = pa[once_a][xa] + alo
    j = pb[once_b][xb] + blo
    order = np.argsort(j, kind="stable")
    return list(zip(i[order].tolist(), j[order].tolist()))


def _longest_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence of ``pairs`` (ordered by j) whose i also increases."""
    ii = [i for i, _ in pairs]
    if ii == sorted(ii):  # the usual case: the copy keeps the source's order
        return pairs
    tails: list[int] = []
    tail_at: list[int] = []
    prev = [-1] * len(pairs)
    for n, (i, _j) in enumerate(pairs):
        pos = bisect_left(tails, i)
        if pos == len(tails):
            tails.append(i)
            tail_at.append(n)
        else:
            tails[pos] = i
            tail_at[pos] = n
        prev[n] = tail_at[pos - 1] if pos else -1
    chain = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        chain.append(pairs[n])
        n = prev[n]
    chain.reverse()
    return chain


def _match(
    a: list[str], b: list[str], ia: np.ndarray, ib: np.ndarray,
    alo: int, ahi: int, blo: int, bhi: int, out: list, k: int, depth: int,
) -> None:
    """Append matched blocks ``(i, j, n)`` of ``a[alo:ahi]`` vs ``b[blo:bhi]`` to ``out``."""
    # common prefix and suffix
    i, j = alo, blo
    while i < ahi and j < bhi and a[i] == b[j]:
        i += 1
        j += 1
    if i > alo:
        out.append((alo, blo, i - alo))
    alo, blo = i, j
    i, j = ahi, bhi
    while i > alo and j > blo and a[i - 1] == b[j - 1]:
        i -= 1
        j -= 1
    if i < ahi:
        out.append((i, j, ahi - i))
    ahi, bhi = i, j
    if alo >= ahi or blo >= bhi:
        return
    cells = (ahi - alo) * (bhi - blo)
    if cells <= _SMALL_GAP:
        _difflib(a, b, alo, ahi, blo, bhi, out)
        return
    chain = _longest_chain(_unique_anchors(ia, alo, ahi, ib, blo, bhi, k)) if depth < _MAX_DEPTH else []
    if not chain:
        if cells <= _MAX_GAP:
            _difflib(a, b, alo, ahi, blo, bhi, out)
        return  # a huge gap without anchors stays unmatched
    ca, cb = alo, blo
    for i, j in chain:
        if i < ca or j < cb:  # overlaps the previous anchor: clip or skip
            shift = max(ca - i, cb - j)
            i, j, n = i + shift, j + shift, k - shift
            if n <= 0:
                continue
        else:
            n = k
        if a[i : i + n] != b[j : j + n]:  # a key collision, not an anchor
            continue
        if i > ca or j > cb:
            _match(a, b, ia, ib, ca, i, cb, j, out, k, depth + 1)
        ea, eb = i + n, j + n
        while ea < ahi and eb < bhi and a[ea] == b[eb]:  # extend along the diagonal
            ea += 1
            eb += 1
        out.append((i, j, ea - i))
        ca, cb = ea, eb
    if ca < ahi or cb < bhi:
        _match(a, b, ia, ib, ca, ahi, cb, bhi, out, k, depth + 1)


def _difflib(a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int, out: list) -> None:
    if ahi - alo == 1 and bhi - blo == 1:
        return  # the prefix trim already found them different
    sm = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
    for i, j, n in sm.get_matching_blocks():
        if n:
            out.append((alo + i, blo + j, n))


def _drop_stray(blocks: list, weak: int) -> list:
    """Drop short runs that stand far from any other run: a common phrase matched in a
    header, a footer or a rewritten passage, not copying. A run shorter than ``weak`` words
    is stray when the gaps to both neighbouring runs (a text edge counts as infinitely far)
    are more than three times its length."""
    if len(blocks) < 2:
        return blocks
    changed = True
    while changed and len(blocks) > 1:
        changed = False
        out: list = []
        for t, (i, j, n) in enumerate(blocks):
            if n < weak:
                prev = out[-1] if out else None
                nxt = blocks[t + 1] if t + 1 < len(blocks) else None
                gp = max(i - prev[0] - prev[2], j - prev[1] - prev[2]) if prev else math.inf
                gn = max(nxt[0] - i - n, nxt[1] - j - n) if nxt else math.inf
                if min(gp, gn) > 3 * n:
                    changed = True
                    continue
            out.append((i, j, n))
        blocks = out
    return blocks


def align(
    source: str,
    copy: str,
    *,
    excerpt_threshold: float = 0.8,
    min_run: int = 4,
    anchor: int = 5,
) -> Alignment:
    """Align ``copy`` with ``source`` word by word (see the module docstring).

    ``min_run``: matched runs shorter than this (scaled down for texts under
    ``4 * min_run`` words) are treated as part of the surrounding edit, and runs shorter
    than ``2 * min_run`` that stand more than three times their length away from any
    other run (a stock phrase matched in a header or a rewritten passage) are dropped.
    ``anchor``: the shingle length of the anchors. Texts with no shingle that occurs once
    in each (long stretches of repeated text) can only be aligned where they differ
    little: a gap above 250,000 word pairs without such an anchor is left unmatched.
    """
    a, a_start, a_end = _scan(source)
    b, b_start, b_end = _scan(copy)
    na, nb = len(a), len(b)
    raw: list[tuple[int, int, int]] = []
    if na and nb:
        ia, ib = _word_ids(a), _word_ids(b)  # crc32: a collision only costs an anchor
        _match(a, b, ia, ib, 0, na, 0, nb, raw, max(1, anchor), 0)
    raw.sort()
    merged: list[list[int]] = []
    for i, j, n in raw:
        if merged:
            pi, pj, pn = merged[-1]
            if pi + pn == i and pj + pn == j:
                merged[-1][2] += n
                continue
            if i < pi + pn or j < pj + pn:  # defensive: never overlap
                continue
        merged.append([i, j, n])
    shortest = min(min_run, max(1, min(na, nb) // 4))
    kept = [(i, j, n) for i, j, n in merged if n >= shortest or n == na or n == nb]
    kept = _drop_stray(kept, 2 * min_run)

    blocks = tuple(
        MatchedRun((a_start[i], a_end[i + n - 1]), (b_start[j], b_end[j + n - 1]), n, i, j) for i, j, n in kept
    )
    edits: list[Edit] = []
    for (pi, pj, pn), (i, j, _n) in pairwise(kept):
        s0, s1 = pi + pn, i
        c0, c1 = pj + pn, j
        if s0 == s1 and c0 == c1:
            continue
        if s1 > s0:
            sspan = (a_start[s0], a_end[s1 - 1])
        else:
            sspan = (a_end[s0 - 1], a_end[s0 - 1])
        if c1 > c0:
            cspan = (b_start[c0], b_end[c1 - 1])
        else:
            cspan = (b_end[c0 - 1], b_end[c0 - 1])
        kind = "replace" if s1 > s0 and c1 > c0 else ("delete" if s1 > s0 else "insert")
        edits.append(Edit(kind, sspan, cspan, source[sspan[0] : sspan[1]], copy[cspan[0] : cspan[1]]))

    spans: list[list[int]] = []
    last_word = -2
    for i, j, n in kept:
        if spans and j == last_word:
            spans[-1][1] = b_end[j + n - 1]
        else:
            spans.append([b_start[j], b_end[j + n - 1]])
        last_word = j + n
    matched = sum(n for _, _, n in kept)
    coverage = matched / na if na else 0.0
    return Alignment(
        similarity=matched / nb if nb else 0.0,
        coverage=coverage,
        longest=max((n for _, _, n in kept), default=0),
        matched_words=matched,
        source_words=na,
        copy_words=nb,
        blocks=blocks,
        edits=tuple(edits),
        is_excerpt=coverage < excerpt_threshold,
        copied_text_spans=tuple((s, e) for s, e in spans),
    )
