"""How well `compliance terms` reads the terms publishers state, on a labelled corpus.

    python benchmarks/eval_terms.py [--corpus tests/corpus] [--verbose] [--worst N] [--family NAME] [--json]

Runs `compliance.read.read_path` + `compliance.detect.detect_terms` on every document listed in
`tests/corpus/labels.toml` and compares the `summary` with the hand-written labels
(tests/corpus/README.md says how they were written). Prints:

- per summary field: precision, recall and F1 — micro-averaged over items for the set fields
  (copyright_holders, authors, permissions, duties, prohibitions); exact-match accuracy for the
  scalar fields (license, permission_venue, publisher, fair_use_notice, contact_for_permission,
  republished_from), plus precision/recall/F1 of `true` (of "present" for republished_from);
- the licence-id exact-match rate, and the confusion of licence ids (expected -> got, wrong cells only);
- per corpus family: documents, documents read entirely right, wrong fields, licence accuracy;
- with --verbose, the worst documents: path, field, expected, got.

`--json` prints the same as one JSON object. Fields a label leaves out (publisher,
republished_from are optional) are not scored for that document.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
import tomllib
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT / "tests" / "corpus"
SET_FIELDS = ("copyright_holders", "authors", "permissions", "duties", "prohibitions")
NAME_FIELDS = ("copyright_holders", "authors")
SCALAR_FIELDS = ("license", "permission_venue", "publisher", "fair_use_notice", "contact_for_permission",
                 "republished_from")
BOOL_FIELDS = ("fair_use_notice", "contact_for_permission")
OPTIONAL_FIELDS = ("publisher", "republished_from")
FIELDS = ("license", "copyright_holders", "authors", "publisher", "permissions", "permission_venue", "duties",
          "prohibitions", "fair_use_notice", "contact_for_permission", "republished_from")
REQUIRED_FIELDS = tuple(f for f in FIELDS if f not in OPTIONAL_FIELDS)
LABEL_KEYS = frozenset(FIELDS) | {"file", "family", "url"}

_HONORIFIC = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|mx|sir|dame)\.?\s+", re.IGNORECASE)
_LEGAL_SUFFIX = re.compile(r"[\s,]+(?:inc|ltd|llc|plc|gmbh|ag|s\.?a|as|co|corp|limited)\.?$", re.IGNORECASE)


# --- labels --------------------------------------------------------------------------

def load_labels(corpus: Path = DEFAULT_CORPUS) -> list[dict]:
    """The labelled documents, in file order. TOML has no null: the string "null" stands for it."""
    with open(corpus / "labels.toml", "rb") as fh:
        data = tomllib.load(fh)
    docs = []
    for d in data.get("doc", []):
        docs.append({k: _null(v) for k, v in d.items()})
    return docs


def _null(v):
    if v == "null":
        return None
    if isinstance(v, dict):
        return {k: _null(x) for k, x in v.items()}
    return v


# --- normalising what is compared ----------------------------------------------------

def norm_name(name: str | None) -> str:
    """Names match regardless of case, punctuation, spacing, a leading "The", an honorific or a
    trailing legal form ("Inc.", "GmbH"): "The Associated Press" == "Associated Press"."""
    if not name:
        return ""
    s = unicodedata.normalize("NFKC", name).strip()
    s = _HONORIFIC.sub("", s)
    s = _LEGAL_SUFFIX.sub("", s)
    s = s.casefold()
    s = re.sub(r"^the\s+", "", s)
    return "".join(ch for ch in s if ch.isalnum())


def _set(field: str, values) -> set[str]:
    values = values or []
    if field in NAME_FIELDS:
        return {n for n in (norm_name(v) for v in values) if n}
    return set(values)


def _rep_expected(v):
    return None if v is None else {"publisher": v.get("publisher"), "linked": v.get("linked")}


def rep_matches(expected, got) -> bool:
    if expected is None:
        return got is None
    if got is None:
        return False
    if expected.get("publisher") is not None and norm_name(expected["publisher"]) != norm_name(got.get("publisher")):
        return False
    return expected.get("linked") == got.get("linked")


def licence_kind(lic: str | None) -> str | None:
    """CC-BY-NC-ND-3.0-US -> CC-BY-NC-ND (the type, without version or port)."""
    if lic and lic.startswith("CC-BY"):
        return re.sub(r"-\d\.\d.*$", "", lic)
    return lic


# --- running -------------------------------------------------------------------------

def detect_summary(path: Path, url: str | None = None) -> dict:
    from compliance.detect import detect_terms
    from compliance.read import read_path

    doc = read_path(str(path), url=url)
    terms = detect_terms(doc, url=url)
    s = terms.to_dict()["summary"]
    rep = s.get("republished_from")
    s["republished_from"] = None if rep is None else {"publisher": rep.get("publisher"), "url": rep.get("url"),
                                                      "linked": rep.get("linked")}
    return s


def run(labels: list[dict], corpus: Path = DEFAULT_CORPUS) -> list[dict]:
    """Detect every document; each result: {file, family, expected, got, error, wrong}."""
    results = []
    for lab in labels:
        path = corpus / lab["file"]
        error = None
        try:
            got = detect_summary(path, lab.get("url"))
        except Exception as exc:  # noqa: BLE001 -- a crash is a result too: every field counts as missed
            error = f"{type(exc).__name__}: {exc}"
            got = {"license": None, "copyright_holders": [], "authors": [], "publisher": None, "permissions": [],
                   "permission_venue": None, "duties": [], "prohibitions": [], "fair_use_notice": None,
                   "contact_for_permission": None, "republished_from": None}
        results.append({"file": lab["file"], "family": lab.get("family", "?"), "expected": lab, "got": got,
                        "error": error, "wrong": wrong_fields(lab, got)})
    return results


def wrong_fields(lab: dict, got: dict) -> list[dict]:
    out = []
    for f in FIELDS:
        if f not in lab:
            continue
        exp = lab[f]
        if f in SET_FIELDS:
            e, g = _set(f, exp), _set(f, got.get(f))
            if e != g:
                out.append({"field": f, "expected": exp, "got": got.get(f),
                            "missing": sorted(e - g), "extra": sorted(g - e)})
        elif f == "republished_from":
            if not rep_matches(_rep_expected(exp), got.get(f)):
                out.append({"field": f, "expected": exp, "got": got.get(f)})
        elif f == "publisher":
            if norm_name(exp) != norm_name(got.get(f)):
                out.append({"field": f, "expected": exp, "got": got.get(f)})
        elif exp != got.get(f):
            out.append({"field": f, "expected": exp, "got": got.get(f)})
    return out


# --- scoring -------------------------------------------------------------------------

def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1}


def score(results: list[dict]) -> dict:
    fields = {}
    for f in SET_FIELDS:
        tp = fp = fn = n = 0
        for r in results:
            if f not in r["expected"]:
                continue
            n += 1
            e, g = _set(f, r["expected"][f]), _set(f, r["got"].get(f))
            tp += len(e & g)
            fp += len(g - e)
            fn += len(e - g)
        m = _prf(tp, fp, fn)
        fields[f] = {"kind": "set", "documents": n, **m, "score": m["f1"]}
    for f in SCALAR_FIELDS:
        n = ok = 0
        tp = fp = fn = 0
        for r in results:
            if f not in r["expected"]:
                continue
            n += 1
            exp, got = r["expected"][f], r["got"].get(f)
            right = not any(w["field"] == f for w in r["wrong"])
            ok += right
            if f in BOOL_FIELDS or f == "republished_from":
                e_true = bool(exp) if f in BOOL_FIELDS else exp is not None
                g_true = bool(got) if f in BOOL_FIELDS else got is not None
                if f == "republished_from" and e_true and g_true and not right:
                    fp += 1  # present, but the wrong publisher or link state
                    fn += 1
                    continue
                tp += e_true and g_true
                fp += (not e_true) and g_true
                fn += e_true and not g_true
        acc = ok / n if n else 1.0
        entry = {"kind": "bool" if f in BOOL_FIELDS else "scalar", "documents": n, "correct": ok, "accuracy": acc,
                 "score": acc}
        if f in BOOL_FIELDS or f == "republished_from":
            entry["true"] = _prf(tp, fp, fn)
        fields[f] = entry

    confusion = collections.Counter()
    kind_ok = 0
    for r in results:
        e, g = r["expected"]["license"], r["got"].get("license")
        if e != g:
            confusion[(e, g)] += 1
        kind_ok += licence_kind(e) == licence_kind(g)
    n = len(results)
    families = collections.OrderedDict()
    for r in results:
        fam = families.setdefault(r["family"], {"documents": 0, "all_right": 0, "wrong_fields": 0, "license_right": 0,
                                                "errors_by_field": collections.Counter()})
        fam["documents"] += 1
        fam["all_right"] += not r["wrong"]
        fam["wrong_fields"] += len(r["wrong"])
        fam["license_right"] += r["expected"]["license"] == r["got"].get("license")
        for w in r["wrong"]:
            fam["errors_by_field"][w["field"]] += 1
    for fam in families.values():
        fam["errors_by_field"] = dict(fam["errors_by_field"].most_common())
        fam["license_accuracy"] = fam["license_right"] / fam["documents"]
        fam["wrong_per_document"] = fam["wrong_fields"] / fam["documents"]
    return {
        "documents": n,
        "crashed": [r["file"] for r in results if r["error"]],
        "documents_all_right": sum(1 for r in results if not r["wrong"]),
        "fields": fields,
        "license": {
            "exact_match": fields["license"]["accuracy"],
            "kind_match": kind_ok / n if n else 1.0,
            "confusion": [{"expected": e, "got": g, "count": c} for (e, g), c in
                          sorted(confusion.items(), key=lambda kv: (-kv[1], str(kv[0])))],
        },
        "families": families,
    }


def headline(metrics: dict) -> dict:
    """The numbers the product promises: licence exact match, duties F1, prohibitions F1, lowest field."""
    f = metrics["fields"]
    lowest = min(f, key=lambda k: f[k]["score"])
    return {"license_exact_match": metrics["license"]["exact_match"], "duties_f1": f["duties"]["f1"],
            "prohibitions_f1": f["prohibitions"]["f1"], "lowest_field": lowest, "lowest_score": f[lowest]["score"]}


# --- printing ------------------------------------------------------------------------

def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _short(v, width=60) -> str:
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
    return s if len(s) <= width else s[: width - 1] + "…"


def print_report(results, metrics, verbose=False, worst=25, out=sys.stdout) -> None:
    w = out.write
    w(f"documents: {metrics['documents']}   read entirely right: {metrics['documents_all_right']}"
      f"   crashed: {len(metrics['crashed'])}\n\n")
    w(f"{'field':<24}{'kind':<8}{'docs':>5}{'tp/ok':>7}{'fp':>5}{'fn':>5}{'prec':>8}{'recall':>8}{'F1':>8}{'acc':>8}\n")
    w("-" * 86 + "\n")
    for f in FIELDS:
        m = metrics["fields"][f]
        if m["kind"] == "set":
            w(f"{f:<24}{'set':<8}{m['documents']:>5}{m['tp']:>7}{m['fp']:>5}{m['fn']:>5}"
              f"{_fmt(m['precision']):>8}{_fmt(m['recall']):>8}{_fmt(m['f1']):>8}{'':>8}\n")
        else:
            t = m.get("true")
            if t:
                w(f"{f:<24}{m['kind']:<8}{m['documents']:>5}{m['correct']:>7}{t['fp']:>5}{t['fn']:>5}"
                  f"{_fmt(t['precision']):>8}{_fmt(t['recall']):>8}{_fmt(t['f1']):>8}{_fmt(m['accuracy']):>8}\n")
            else:
                w(f"{f:<24}{m['kind']:<8}{m['documents']:>5}{m['correct']:>7}{'':>5}{'':>5}{'':>8}{'':>8}{'':>8}"
                  f"{_fmt(m['accuracy']):>8}\n")
    w("(set fields: micro-averaged over items; bool fields and republished_from: prec/recall/F1 of true/present,"
      " acc = exact match)\n\n")
    lic = metrics["license"]
    w(f"licence id exact match: {lic['exact_match']:.3f}   licence type match (ignoring version/port):"
      f" {lic['kind_match']:.3f}\n")
    if lic["confusion"]:
        w("licence confusion (expected -> got, wrong cells only):\n")
        for c in lic["confusion"]:
            w(f"  {c['count']:>3}  {c['expected']} -> {c['got']}\n")
    h = headline(metrics)
    w(f"\nheadline: licence exact {h['license_exact_match']:.3f} (>= 0.95), duties F1 {h['duties_f1']:.3f} (>= 0.90),"
      f" prohibitions F1 {h['prohibitions_f1']:.3f} (>= 0.90), lowest field {h['lowest_field']}"
      f" {h['lowest_score']:.3f} (>= 0.85)\n\n")
    w(f"{'family':<16}{'docs':>5}{'all right':>10}{'wrong fields':>13}{'per doc':>9}{'licence':>9}   most missed\n")
    w("-" * 100 + "\n")
    fams = sorted(metrics["families"].items(), key=lambda kv: -kv[1]["wrong_per_document"])
    for name, fam in fams:
        top = ", ".join(f"{k} {v}" for k, v in list(fam["errors_by_field"].items())[:4])
        w(f"{name:<16}{fam['documents']:>5}{fam['all_right']:>10}{fam['wrong_fields']:>13}"
          f"{fam['wrong_per_document']:>9.2f}{fam['license_accuracy']:>9.2f}   {top}\n")
    if metrics["crashed"]:
        w("\ncrashed:\n")
        for r in results:
            if r["error"]:
                w(f"  {r['file']}: {r['error']}\n")
    if verbose:
        bad = sorted((r for r in results if r["wrong"]), key=lambda r: (-len(r["wrong"]), r["file"]))
        if worst:
            bad = bad[:worst]
        w(f"\nworst documents ({len(bad)} shown):\n")
        for r in bad:
            w(f"\n{r['file']}  ({len(r['wrong'])} wrong)\n")
            for x in r["wrong"]:
                if "missing" in x:
                    w(f"  {x['field']:<22} missing {_short(x['missing'])}  extra {_short(x['extra'])}\n")
                else:
                    w(f"  {x['field']:<22} expected {_short(x['expected'])}  got {_short(x['got'])}\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--verbose", "-v", action="store_true", help="list the worst documents field by field")
    ap.add_argument("--worst", type=int, default=25, help="how many documents --verbose lists (0: all with errors)")
    ap.add_argument("--family", action="append", help="only these corpus families (repeatable)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = ap.parse_args(argv)
    labels = load_labels(args.corpus)
    if args.family:
        labels = [d for d in labels if d.get("family") in set(args.family)]
    t = time.perf_counter()
    results = run(labels, args.corpus)
    secs = time.perf_counter() - t
    metrics = score(results)
    if args.json:
        out = {**metrics, "headline": headline(metrics), "seconds": round(secs, 3),
               "documents_detail": [{"file": r["file"], "family": r["family"], "error": r["error"], "wrong": r["wrong"]}
                                    for r in results if r["wrong"] or r["error"]]}
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        print_report(results, metrics, verbose=args.verbose, worst=args.worst)
        sys.stdout.write(f"\n{len(results)} documents in {secs:.2f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
