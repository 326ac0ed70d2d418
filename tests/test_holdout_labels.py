"""The held-out corpora (tests/holdout*/): their labels follow the same format, vocabulary and
licence table as tests/corpus/, so that their scores mean the same. Their scores are printed by
`python benchmarks/eval_terms.py --corpus tests/holdout-b` and are not asserted here: a held-out
set measures the packs, it does not hold them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_corpus import NOT_DOCUMENTS, cc_kind_name, ev, licence_ok, licence_table, vocabulary

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = sorted(p for p in (ROOT / "tests").glob("holdout*") if (p / "labels.toml").is_file())


def _labels(corpus: Path) -> list[dict]:
    return ev.load_labels(corpus)


@pytest.fixture(params=HELD_OUT, ids=lambda p: p.name)
def corpus(request) -> Path:
    return request.param


def test_there_are_held_out_sets():
    assert HELD_OUT, "no tests/holdout*/labels.toml"


def test_every_document_is_labelled_once_and_exists(corpus):
    labels = _labels(corpus)
    files = [d["file"] for d in labels]
    assert len(files) == len(set(files)), "a document is labelled twice"
    assert not [f for f in files if not (corpus / f).is_file()], "labelled but missing"
    on_disk = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()} - NOT_DOCUMENTS
    assert on_disk <= set(files), f"documents without labels: {sorted(on_disk - set(files))}"


def test_labels_use_the_vocabulary_and_the_licence_table(corpus):
    voc, table = vocabulary(), licence_table()
    for d in _labels(corpus):
        where, lic = d["file"], d["license"]
        assert set(d) <= ev.LABEL_KEYS and all(f in d for f in ev.REQUIRED_FIELDS), where
        assert d["family"] == where.split("/")[0], f"{where}: family is not the folder"
        assert licence_ok(lic), f"{where}: licence {lic!r}"
        for f in ("permissions", "duties", "prohibitions"):
            assert set(d[f]) <= voc[f], f"{where}: {f} {sorted(set(d[f]) - voc[f])}"
        assert d["permission_venue"] in voc["permission_venue"], where
        kind = cc_kind_name(lic)
        if kind:
            base = table[kind]
            assert base["duties"] <= set(d["duties"]), f"{where}: {lic} carries {sorted(base['duties'])}"
            assert base["prohibitions"] <= set(d["prohibitions"]), f"{where}: {lic} forbids {sorted(base['prohibitions'])}"
        elif lic == "custom":
            assert d["permissions"] and d["permission_venue"] is not None, f"{where}: a grant grants something"
        else:
            assert not d["permissions"] and d["permission_venue"] is None, f"{where}: {lic} grants nothing"


def test_every_held_out_document_is_read_without_a_crash(corpus):
    results = ev.run(_labels(corpus), corpus)
    assert not [r["file"] for r in results if r["error"]]
