"""The fast tokenising paths give exactly the words of the full Unicode path.

Signatures (and every saved ``ref.idx``) depend on the words, so a fast path that split or
joined one word differently would silently break matching against an existing index.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.match import _UNI_WORD, _normalise, tokens, words

ALPHABET = (
    "abcXYZ019 '\t\n.,;-_\"()"  # ASCII
    "\u2019\u2018\u201c\u201d\u2014\u2013\xa0\u2026\xa9\u2122\u200b\xad"  # separators, curly quotes
    "éÉüÜñçøÅàÀıŁł"  # simple Latin letters
    "ßĳſʼ\u0301½ﬁΣσςİ\u02bc\uff07\u3000한"  # everything that must take the full path
)


def reference(text: str) -> list[str]:
    return [w for w in _normalise(_UNI_WORD.findall(text)) if w]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_words_equal_the_unicode_path(text):
    assert words(text) == reference(text)
    assert [t.text for t in tokens(text)] == reference(text)


def test_typical_english_page_text():
    text = "Don’t miss José Müller’s «café» report — ©2024 Example Media. It’s the ‘best’ rock 'n' roll."
    assert words(text) == reference(text) == [
        "dont", "miss", "josé", "müllers", "café", "report", "2024", "example", "media", "its", "the", "best",
        "rock", "n", "roll"]
    for t in tokens(text):
        assert t.text == reference(text[t.start:t.end])[0]
