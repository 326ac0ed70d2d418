"""Soak test: a long audit, killed and resumed, must end with exactly one result per page.

    python benchmarks/soak_audit.py [--pages 100000] [--kills 3] [--jobs 2] [--seed 1] [--dir DIR] [--keep]
    python benchmarks/soak_audit.py --many-members 1000000     # one tar of a million empty members

Generates ``--pages`` candidate pages (seeded): mostly small ones (full copies of the sources,
with and without the link back, excerpts, unrelated pages, a few KB each), and 5% corrupt or
hostile ones: truncated gzip (``.warc.gz`` and ``.tar.gz`` cut short), binary data, pages over
``--max-bytes``, bad encodings (bogus charsets, invalid UTF-8, UTF-16 without a BOM), HTML nested
thousands of levels deep, and members of broken zips (a bad CRC, a zip cut short).

The page list is what ``iter_entries`` yields for the candidates (names only, nothing judged):
every file, archive member, WARC record, and one error entry per unreadable archive.

Then it runs ``compliance audit --jobs N`` as a real subprocess in its own process group, kills
the group with SIGKILL at ``--kills`` random moments (by the number of results written), resumes
with ``--resume`` each time, and at the end checks that every page has exactly one result line
(none lost, none doubled, none unknown). Every second it samples the RSS of the main process and
of its workers from /proc and prints it at 10%, 50% and 100% of the pages done, plus the peak of
the final summary step (which loads every result).

Exit status 0 when the results are exact, 1 otherwise.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at which but have an they "
         "you were her she there would their we him been has when who will more no if out so said what up its about "
         "into than them can only other new some could time these two may then do first any my now such like our over "
         "council minister report officials week city country police economy market court election policy health "
         "school water energy region workers river flood levee bridge budget housing transport village farmers "
         "hospital teachers students prices wages drought storm harvest factory strike protest museum library").split()
GRANT = ("Permission is granted to cross-post our articles on community internet sites as long as the source and "
         "copyright are acknowledged together with a hyperlink to the original article. For publication in print or "
         "on commercial sites, contact: rights@publisher.example")
PAGES_PER_FOLDER = 1000


# --- generation ------------------------------------------------------------------------------------


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    return " ".join(words).capitalize() + "."


def paragraphs(rng: random.Random, n: int) -> list[str]:
    return [" ".join(sentence(rng) for _ in range(rng.randint(3, 6))) for _ in range(n)]


def html_page(title: str, paras: list[str], extra: str = "", url: str = "") -> bytes:
    canon = f'<link rel="canonical" href="{url}">' if url else ""
    body = "".join(f"<p>{p}</p>\n" for p in paras)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{canon}</head><body>"
            f"<main><article><h1>{title}</h1>\n{body}{extra}</article></main></body></html>\n").encode()


def make_sources(root: Path, n: int, rng: random.Random) -> list[tuple[str, list[str], str]]:
    folder = root / "sources"
    folder.mkdir(parents=True)
    out = []
    for i in range(n):
        title = f"Report {i}: " + sentence(rng)[:50]
        paras = paragraphs(rng, rng.randint(5, 8))
        url = f"https://publisher.example/{i}/report"
        foot = (f"<p>Copyright \u00a9 Publisher Press, 2024. {GRANT}</p>"
                f"<p>The original source of this article is <a href='{url}'>Publisher Press</a>.</p>")
        (folder / f"s{i:04d}.html").write_bytes(html_page(title, paras, foot, url))
        out.append((title, paras, url))
    return out


def copy_page(rng: random.Random, src, kind: str, site: int) -> bytes:
    title, paras, url = src
    if kind == "excerpt":
        paras = paras[:3]
    credit = "" if kind == "nolink" else (f"<p>Originally published by <a href='{url}'>Publisher Press</a>. "
                                          "Copyright \u00a9 Publisher Press.</p>")
    return html_page(title, paras, credit, f"https://site{site}.example/{rng.randrange(10**9)}")


def hostile_file(rng: random.Random, kind: str, max_bytes: int) -> tuple[str, bytes]:
    """(suffix, bytes) of one hostile single-file page."""
    if kind == "binary":
        return ".html", bytes(rng.randrange(256) for _ in range(rng.randint(200, 3000))) + b"\x00\x00"
    if kind == "huge":
        return ".html", b"<html><body><p>" + b"huge " * (max_bytes // 5 + 100) + b"</p></body></html>"
    if kind == "bogus-charset":
        return ".html", ("<html><head><meta charset='x-no-such-charset'></head><body><p>"
                         + " ".join(paragraphs(rng, 2)) + " caf\u00e9 na\u00efve</p></body></html>").encode("latin-1")
    if kind == "invalid-utf8":
        return ".html", b"<html><body><p>" + b"\xc3\x28 \xa0\xa1 \xed\xa0\x80 \xf4\x90\x80\x80 " * 50 + b"</p></body></html>"
    if kind == "utf16-nobom":
        return ".txt", " ".join(paragraphs(rng, 2)).encode("utf-16-le")
    if kind == "nested":
        depth = rng.randint(3000, 20000)
        return ".html", b"<html><body>" + b"<div>" * depth + b"deep" + b"</div>" * (depth // 2) + b"</body></html>"
    if kind == "empty":
        return ".html", b""
    return ".md", ("---\ntitle: [unclosed\n---\n# " + sentence(rng) + "\n\n" + "> " * 500 + "x\n").encode()


def truncated_warc_gz(rng: random.Random, n: int) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    for i in range(n):
        body = html_page(f"crawled {i}", paragraphs(rng, 3))
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://crawl{rng.randrange(10**6)}.example/{i}", "response",
                                            payload=io.BytesIO(body), http_headers=http, length=len(body)))
    data = buf.getvalue()
    return data[: rng.randint(len(data) // 3, len(data) - 10)]


def truncated_tar_gz(rng: random.Random, n: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for i in range(n):
            data = html_page(f"tarred {i}", paragraphs(rng, 3))
            info = tarfile.TarInfo(f"t/{i:03d}.html")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    return data[: rng.randint(len(data) // 3, len(data) - 10)]


def broken_zip(rng: random.Random, n: int, cut: bool) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            z.writestr(f"z/{i:03d}.html", html_page(f"zipped {i}", paragraphs(rng, 3)))
    data = bytearray(buf.getvalue())
    if cut:  # the central directory is gone: the whole zip is one error
        return bytes(data[: len(data) // 2])
    # Flip bytes inside a few members' compressed data: CRC or inflate errors, member by member.
    pos = 0
    for _ in range(max(1, n // 3)):
        pos = data.find(b"PK\x03\x04", pos + 4)
        if pos < 0:
            break
        for k in range(60, 80):
            data[pos + k] ^= 0x5A
    return bytes(data)


def generate(root: Path, n_pages: int, n_sources: int, seed: int, max_bytes: int):
    rng = random.Random(seed)
    sources = make_sources(root, n_sources, rng)
    cand = root / "candidates"
    arch = cand / "archives"
    arch.mkdir(parents=True)
    hostile_kinds = ["binary", "bogus-charset", "invalid-utf8", "utf16-nobom", "nested", "empty", "markdown",
                     "warc.gz", "tar.gz", "zip-crc", "zip-cut"]
    n_hostile = n_pages * 5 // 100
    n_huge = max(1, n_pages // 1000)
    made = Counter()
    written = 0
    # Hostile first (their page counts vary by archive), then the small pages up to --pages.
    i = 0
    while written < n_hostile:
        kind = "huge" if made["huge"] < n_huge else rng.choice(hostile_kinds)
        if kind in ("warc.gz", "tar.gz", "zip-crc", "zip-cut"):
            members = rng.randint(5, 12)
            data = {"warc.gz": truncated_warc_gz, "tar.gz": truncated_tar_gz}.get(kind)
            if data is not None:
                blob = data(rng, members)
            else:
                blob = broken_zip(rng, members, cut=kind == "zip-cut")
            suffix = {"warc.gz": ".warc.gz", "tar.gz": ".tar.gz"}.get(kind, ".zip")
            (arch / f"h{i:06d}{suffix}").write_bytes(blob)
            written += members
        else:
            suffix, blob = hostile_file(rng, kind, max_bytes)
            folder = cand / "hostile" / f"d{i // PAGES_PER_FOLDER:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"h{i:06d}{suffix}").write_bytes(blob)
            written += 1
        made[kind] += 1
        i += 1
    for j in range(n_pages - written):
        folder = cand / f"d{j // PAGES_PER_FOLDER:03d}"
        if j % PAGES_PER_FOLDER == 0:
            folder.mkdir()
        r = rng.random()
        if r < 0.25:
            blob = copy_page(rng, rng.choice(sources), "full", rng.randrange(200))
        elif r < 0.35:
            blob = copy_page(rng, rng.choice(sources), "nolink", rng.randrange(200))
        elif r < 0.45:
            blob = copy_page(rng, rng.choice(sources), "excerpt", rng.randrange(200))
        else:
            blob = html_page(sentence(rng)[:60], paragraphs(rng, rng.randint(2, 6)))
        (folder / f"p{j:07d}.html").write_bytes(blob)
    return made


def expected_pages(cand: Path, max_bytes: int) -> Counter:
    """The page names the audit must give one result each: what the archive readers yield."""
    from compliance.archives import iter_entries

    return Counter(e.name for e in iter_entries(str(cand), max_bytes=max_bytes))


# --- running, killing, sampling --------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        if ppid == pid:
            out.append(int(name))
    return out


class Sampler(threading.Thread):
    """Every second: results written so far, RSS of the main process and of each worker."""

    def __init__(self, results: Path, total: int):
        super().__init__(daemon=True)
        self.results, self.total = results, total
        self.pid: int | None = None
        self.samples: list[tuple[float, int, int, int, int]] = []  # (t, done, main KB, max worker KB, sum KB)
        self.stop = threading.Event()
        self._offset = 0
        self._lines = 0
        self._lock = threading.Lock()
        self.t0 = time.monotonic()

    def done(self) -> int:
        """Result lines in the file (counted incrementally; restarts after a resume truncates it)."""
        with self._lock:
            return self._done()

    def _done(self) -> int:
        try:
            size = self.results.stat().st_size
        except OSError:
            return 0
        if size < self._offset:
            self._offset, self._lines = 0, 0
        with open(self.results, "rb") as fh:
            fh.seek(self._offset)
            chunk = fh.read()
        end = chunk.rfind(b"\n") + 1
        self._lines += chunk[:end].count(b'"type": "result"')
        self._offset += end
        return self._lines

    def run(self) -> None:
        while not self.stop.wait(1.0):
            pid = self.pid
            if pid is None:
                continue
            workers = [rss_kb(c) for c in children(pid)]
            self.samples.append((time.monotonic() - self.t0, self.done(), rss_kb(pid), max(workers, default=0),
                                 rss_kb(pid) + sum(workers)))


def audit_cmd(root: Path, jobs: int, max_bytes: int, resume: bool) -> list[str]:
    cmd = [sys.executable, "-m", "compliance", "audit", "--sources", str(root / "sources"), "--candidates",
           str(root / "candidates"), "--out", str(root / "out"), "--jobs", str(jobs), "--max-bytes", str(max_bytes),
           "--venue", "community", "--format", "json", "--quiet"]
    return cmd + (["--resume"] if resume else [])


def run_once(cmd: list[str], sampler: Sampler, kill_at: int | None, log) -> tuple[int, bool]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True, cwd=ROOT)
    sampler.pid = proc.pid
    killed = False
    try:
        while proc.poll() is None:
            if kill_at is not None and sampler.done() >= kill_at:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                proc.wait()
                break
            time.sleep(0.2)
    finally:
        if proc.poll() is None:  # pragma: no cover - interrupted
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        sampler.pid = None
    return proc.returncode, killed


def many_member_tar(path: Path, n: int) -> None:
    """A tar of ``n`` empty members (``m/e0000000.html``…), written header by header (fast)."""
    info = tarfile.TarInfo("m/e0000000.html")
    info.mtime = 0
    block = bytearray(info.tobuf(tarfile.USTAR_FORMAT))
    base = sum(block[:148]) + sum(block[156:]) + 8 * 32 - sum(block[3:10])
    with open(path, "wb") as fh:
        out = bytearray()
        for i in range(n):
            digits = b"%07d" % i
            block[3:10] = digits
            block[148:156] = b"%06o\0 " % (base + sum(digits))
            out += block
            if len(out) > 1 << 24:
                fh.write(out)
                out.clear()
        fh.write(bytes(out) + b"\0" * 1024)


def many_members(args) -> int:
    """``--many-members N``: one tar of N empty members, read in-process, then audited with
    ``--max-members 1000`` and with the default cap; time, results and peak RSS of each."""
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="soak-tar-"))
    root.mkdir(parents=True, exist_ok=True)
    tar = root / "many.tar"
    t0 = time.monotonic()
    many_member_tar(tar, args.many_members)
    print(f"tar of {args.many_members} empty members: {tar.stat().st_size / 2**20:.0f} MiB, "
          f"written in {time.monotonic() - t0:.1f}s", flush=True)
    from compliance.archives import iter_entries

    t0 = time.monotonic()
    n = sum(1 for _ in iter_entries(str(tar)))
    print(f"iter_entries: {n} entries in {time.monotonic() - t0:.1f}s", flush=True)
    (root / "src").mkdir(exist_ok=True)
    shutil.copy(ROOT / "seeds" / "000_9e6abf22d7dd6653.txt", root / "src")
    for cap in ("1000", None):
        out = root / f"out-{cap or 'default'}"
        cmd = [sys.executable, "-m", "compliance", "audit", "--sources", str(root / "src"), "--candidates", str(tar),
               "--out", str(out), "--jobs", str(args.jobs), "--format", "json", "--quiet"]
        if cap:
            cmd += ["--max-members", cap]
        sampler = Sampler(out / "results.jsonl", n)
        sampler.start()
        t0 = time.monotonic()
        with open(root / "audit.stderr", "a") as log:
            code, _ = run_once(cmd, sampler, None, log)
        elapsed = time.monotonic() - t0
        sampler.stop.set()
        sampler.join()
        lines = sampler.done()
        judging = [s for s in sampler.samples if s[1] < lines and s[2] > 0]
        summary = [s for s in sampler.samples if s[1] >= lines and s[2] > 0]
        def peak(samples, i: int) -> str:
            return f"{max(s[i] for s in samples) / 1024:.0f} MB" if samples else "not sampled (under 1 s)"

        print(f"audit --max-members {cap or '1000000 (default)'}: exit {code}, {lines} results in {elapsed:.1f}s; "
              f"peak RSS judging: main {peak(judging, 2)}, main+workers {peak(judging, 4)}; "
              f"summary step: main {peak(summary, 2)}", flush=True)
    if not args.keep and not args.dir:
        shutil.rmtree(root, ignore_errors=True)
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pages", type=int, default=100_000)
    p.add_argument("--sources", type=int, default=50)
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-bytes", type=int, default=256 * 1024, help="page size cap (small, so 'huge' pages stay small on disk)")
    p.add_argument("--dir", help="work folder (default: a temporary one)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--many-members", type=int, metavar="N",
                   help="instead: audit one tar of N empty members (e.g. 1000000), with and without --max-members")
    args = p.parse_args()
    if args.many_members:
        return many_members(args)

    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="soak-"))
    if root.exists() and any(root.iterdir()):
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    t0 = time.monotonic()
    made = generate(root, args.pages, args.sources, args.seed, args.max_bytes)
    print(f"generated {args.pages} pages in {time.monotonic() - t0:.0f}s under {root}; hostile: "
          + ", ".join(f"{v} {k}" for k, v in sorted(made.items())), flush=True)
    t0 = time.monotonic()
    expected = expected_pages(root / "candidates", args.max_bytes)
    total = sum(expected.values())
    dup_names = [k for k, v in expected.items() if v > 1]
    print(f"expected results: {total} ({len(dup_names)} names yielded twice by the readers) "
          f"[listed in {time.monotonic() - t0:.0f}s]", flush=True)

    results = root / "out" / "results.jsonl"
    sampler = Sampler(results, total)
    sampler.start()
    kill_points = sorted(rng.randint(total // 20, total * 19 // 20) for _ in range(args.kills))
    runs = []
    log = open(root / "audit.stderr", "w")
    t_start = time.monotonic()
    resume = False
    for k in kill_points + [None]:
        t1 = time.monotonic()
        before = sampler.done() if resume else 0
        code, killed = run_once(audit_cmd(root, args.jobs, args.max_bytes, resume), sampler, k, log)
        after = sampler.done()
        runs.append((k, code, killed, before, after, time.monotonic() - t1))
        what = f"killed (SIGKILL to the group) at {after} results" if killed else f"finished, exit {code}"
        print(f"run {len(runs)}{' --resume' if resume else ''}: {what}, {time.monotonic() - t1:.0f}s", flush=True)
        resume = True
    elapsed = time.monotonic() - t_start
    sampler.stop.set()
    sampler.join()
    log.close()

    # --- the checks ---
    counts: Counter = Counter()
    bad_lines = 0
    run_lines = 0
    with open(results, "rb") as fh:
        for raw in fh:
            try:
                obj = json.loads(raw)
            except ValueError:
                bad_lines += 1
                continue
            if obj.get("type") == "run":
                run_lines += 1
            elif obj.get("type") == "result":
                counts[obj["page"]] += 1
    doubled = {k: v for k, v in counts.items() if v > expected.get(k, 0) and k in expected}
    lost = [k for k in expected if counts.get(k, 0) < expected[k]]
    unknown = [k for k in counts if k not in expected]
    print(f"\nresults: {sum(counts.values())} result lines for {len(counts)} pages, expected {total}; "
          f"lost {len(lost)}, doubled {len(doubled)}, unknown {len(unknown)}, unparsable lines {bad_lines}, "
          f"run lines {run_lines}")
    for name, items in (("lost", lost), ("doubled", list(doubled)), ("unknown", unknown)):
        for x in items[:5]:
            print(f"  {name}: {x}")
    statuses = Counter()
    with open(results, "rb") as fh:
        for raw in fh:
            obj = json.loads(raw)
            if obj.get("type") == "result":
                statuses[obj["status"]] += 1
    print("statuses: " + ", ".join(f"{v} {k}" for k, v in statuses.most_common()))
    print(f"wall time over {len(runs)} runs: {elapsed:.0f}s ({total / elapsed:.0f} pages/s including re-work)")

    # --- memory ---
    print("\nRSS (MB)          pages done   main   largest worker   main+workers")
    for pct in (10, 50, 100):
        target = total * pct // 100
        near = [s for s in sampler.samples if s[1] >= target and s[2] > 0]
        if pct == 100:  # the last sample while pages were still being judged
            near = [s for s in sampler.samples if s[1] < total and s[2] > 0][-1:] or near
        if near:
            s = near[0] if pct != 100 else near[-1]
            print(f"  at {pct:3}%      {s[1]:>10}   {s[2] / 1024:5.0f}   {s[3] / 1024:14.0f}   {s[4] / 1024:12.0f}")
    during = [s for s in sampler.samples if s[1] < total and s[2] > 0]
    if during:
        print(f"  peak while judging:        {max(s[2] for s in during) / 1024:5.0f}   "
              f"{max(s[3] for s in during) / 1024:14.0f}   {max(s[4] for s in during) / 1024:12.0f}")
    after = [s for s in sampler.samples if s[1] >= total and s[2] > 0]
    if after:
        print(f"  peak in the summary step:  {max(s[2] for s in after) / 1024:5.0f}")

    ok = not lost and not doubled and not unknown and runs[-1][1] in (0, 1, 2) and not runs[-1][2]
    print("\nOK: exactly one result per page" if ok else "\nFAILED")
    if not args.keep and not args.dir:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
