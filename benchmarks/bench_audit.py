"""Audit a generated archive and measure what a publisher would ask of it.

    python benchmarks/bench_audit.py [--pages 10000] [--sources 200] [--forms folder,zip,warc] [--jobs 1,2]

Generates (seeded) source articles with a cross-post grant, and candidate pages: full copies
(with and without the link back), three-paragraph excerpts, copies with 5% of words edited,
and unrelated pages. Audits them in folder, zip and WARC form with the local engine and prints,
for each form and job count: pages/s, copies found, precision and recall against the planted
copies, and peak RSS of the main process and of the largest worker.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compliance.audit import build_reference  # noqa: E402
from compliance.engines.local import Venues, run  # noqa: E402

WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at which but have an they "
         "you were her she there would their we him been has when who will more no if out so said what up its about "
         "into than them can only other new some could time these two may then do first any my now such like our over "
         "council minister report officials week city country police economy market court election policy health "
         "school water energy region workers river flood levee bridge budget housing transport village farmers "
         "hospital teachers students prices wages drought storm harvest factory strike protest museum library").split()
GRANT = ("Permission is granted to cross-post our articles on community internet sites as long as the source and "
         "copyright are acknowledged together with a hyperlink to the original article. For publication in print or "
         "on commercial sites, contact: rights@publisher.example")


def article(rng: random.Random, paras: int) -> list[str]:
    out = []
    for _ in range(paras):
        sentences = []
        for _ in range(rng.randint(3, 6)):
            w = [rng.choice(WORDS) for _ in range(rng.randint(9, 22))]
            w[0] = w[0].capitalize()
            sentences.append(" ".join(w) + ".")
        out.append(" ".join(sentences))
    return out


def html(title: str, paras: list[str], extra: str = "", url: str = "") -> str:
    meta = f'<meta property="og:url" content="{url}">' if url else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{meta}</head><body>"
            f"<nav><a href='/'>Home</a><a href='/world'>World</a></nav><main><article><h1>{title}</h1>"
            + "".join(f"<p>{p}</p>" for p in paras) + extra + "</article></main>"
            "<footer><p>A site with pages.</p></footer></body></html>")


def generate(n_pages: int, n_sources: int, seed: int = 7):
    rng = random.Random(seed)
    sources, truth, pages = {}, {}, []
    for i in range(n_sources):
        url = f"https://publisher.example/2024/story-{i}"
        paras = article(rng, rng.randint(8, 16))
        sources[f"src-{i:04d}.html"] = (url, html(f"Story {i}", paras, f"<p>By Staff Writer {i}</p><p>{GRANT}</p>", url), paras)
    keys = list(sources)
    for j in range(n_pages):
        kind = rng.random()
        name = f"page-{j:05d}.html"
        site = f"https://site{rng.randint(0, 400)}.example/p/{j}"
        if kind < 0.6:
            pages.append((name, site, html(f"Other {j}", article(rng, rng.randint(4, 12)), url=site)))
            continue
        k = rng.choice(keys)
        url, _, paras = sources[k]
        credit = (f'<p>Source: Publisher Example <a href="{url}">original</a>. © Publisher Example.</p>'
                  if rng.random() < 0.5 else "<p>Source: Publisher Example.</p>")
        if kind < 0.8:
            body = paras
        elif kind < 0.9:
            start = rng.randint(0, len(paras) - 3)
            body = paras[start:start + 3]
        else:
            body = []
            for p in paras:
                w = p.split()
                for _ in range(max(1, len(w) // 20)):
                    w[rng.randrange(len(w))] = rng.choice(WORDS)
                body.append(" ".join(w))
        pages.append((name, site, html(f"Copy {j}", body, credit, url=site)))
        truth[name] = url
    return sources, pages, truth


def write_forms(root: Path, sources, pages, forms):
    src_dir = root / "sources"
    src_dir.mkdir()
    manifest = []
    for name, (url, text, _) in sources.items():
        (src_dir / name).write_text(text)
        manifest.append(f'[[source]]\npath = "{name}"\nurl = "{url}"\n')
    (src_dir / "sources.toml").write_text("\n".join(manifest))
    out = {}
    if "folder" in forms:
        d = root / "folder"
        d.mkdir()
        for name, _, text in pages:
            (d / name).write_text(text)
        out["folder"] = d
    if "zip" in forms:
        z = root / "pages.zip"
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, _, text in pages:
                zf.writestr(f"site/{name}", text)
        out["zip"] = z
    if "warc" in forms:
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        w = root / "crawl.warc.gz"
        with open(w, "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for name, url, text in pages:
                data = text.encode()
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                rec = writer.create_warc_record(url, "response", payload=io.BytesIO(data), http_headers=headers,
                                                warc_headers_dict={"WARC-Record-ID": f"<urn:page:{name}>"})
                writer.write_record(rec)
        out["warc"] = w
    return src_dir, out


def score(results: Path, truth: dict, by_url: dict) -> tuple[int, float, float]:
    found = {}
    for line in results.read_text().splitlines():
        x = json.loads(line)
        if x.get("type") != "result" or not x.get("source") or x["status"] in ("unmatched", "original"):
            continue
        page = x["page"].split("!")[-1].split("/")[-1]
        if "#" in x["page"]:
            page = x["page"].split("urn:page:")[-1]
        found[page] = x["source"]
    tp = sum(1 for p, s in found.items() if truth.get(p) == s)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    return len(found), precision, recall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--forms", default="folder,zip,warc")
    ap.add_argument("--jobs", default="1,2")
    args = ap.parse_args()
    forms = args.forms.split(",")
    root = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    try:
        t = time.perf_counter()
        sources, pages, truth = generate(args.pages, args.sources)
        src_dir, inputs = write_forms(root, sources, pages, forms)
        print(f"generated {len(pages)} pages ({len(truth)} planted copies) and {len(sources)} sources "
              f"in {time.perf_counter() - t:.1f}s")
        t = time.perf_counter()
        from compliance.audit import load_manifest

        ref = build_reference([str(src_dir)], manifest=load_manifest(str(src_dir / "sources.toml")))
        print(f"reference set: {len(ref.sources)} sources in {time.perf_counter() - t:.1f}s")
        for form in forms:
            for jobs in [int(j) for j in args.jobs.split(",")]:
                out = root / f"out-{form}-{jobs}"
                t = time.perf_counter()
                results, stats = run(ref, [str(inputs[form])], out, jobs=jobs, venues=Venues("community"), quiet=True)
                elapsed = time.perf_counter() - t
                n, p, r = score(results, truth, {})
                rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                rss_kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                print(f"{form:6s} jobs={jobs}: {len(pages) / elapsed:7.1f} pages/s  ({elapsed:.1f}s)  copies found {n}  "
                      f"precision {p:.3f}  recall {r:.3f}  peak RSS main {rss_self:.0f} MB, largest worker "
                      f"{rss_kids:.0f} MB")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
