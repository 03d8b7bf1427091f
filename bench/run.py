"""framelens benchmark: issue #14's table in one run, each time against the ceiling.

Run from the repository root::

    .venv/bin/python bench/run.py                          # 1k, 10k, 50k (about 15-25 min)
    .venv/bin/python bench/run.py --corpora-dir /work/benchdata   # reuse c10000, c50000
    .venv/bin/python bench/run.py --sizes 1000 10000 50000 200000  # the full growth table
    .venv/bin/python bench/run.py --quick                  # checks this script: < 3 min

It writes ``bench/out/results.md`` (issue #14's table, then the growth table,
then the machine) and ``bench/out/results.json`` (every measurement);
``--quick`` writes ``results-quick.md`` and ``.json`` instead.

What is measured, each as a subprocess of the installed ``framelens`` (the
public command line only, ``--format csv`` with stdout to a file):

1. **The ceiling**: ``re.findall(r"\\w+", text.lower())`` + ``collections.Counter``
   over the same bytes (every ``.md`` file of a folder, or the whole ``.jsonl``
   file; no parsing), in a fresh Python process, timed inside that process (start-up
   excluded: the stricter choice). It is measured right before every framelens run
   on the same corpus (median of ``--ceiling-repeats`` runs), so that both see the
   same load on a shared machine; every time is also given as a multiple of it.
2. ``compare`` cold on a 10 MB corpus of 3,700 articles as JSON lines (generated:
   ``generate.py --format jsonl --mean-body-bytes 2100``). Target <= 8x the ceiling.
3. ``compare`` cold on 50k generated articles (``generate.py`` default). Target <= 20 s.
4. ``compare`` after adding one article (one appended line) to the warm 10 MB
   corpus: warm means ``compare`` already ran on it with the same cache. Target <= 2x.
5. ``check new.md`` at 50k, the cache warm from ``compare`` (and ``new.md`` added
   to the corpus folder, as a user adds an article and checks it). Target <= 3 s.
   ``--full-check`` first times ``check`` on the whole corpus (which also warms
   what ``check`` keeps of its own).
6. Peak memory of ``compare`` cold at 1x and 4x the JSONL corpus (3,700 and
   14,800 articles; the larger one begins with the smaller one). Target ratio <= 1.3.
7. Growth at each ``--sizes`` (1k, 10k, 50k; 200k on request): ``compare`` cold,
   warm, after adding one article, ``check new.md``, peak memory; and
   ``compare --engine dask`` (a local cluster) cold and warm at ``--dask-size``
   when dask and distributed are installed, with its output's bytes compared to
   ``--engine local``'s.

"Cold" is a fresh, empty ``FRAMELENS_CACHE_DIR``; "warm" is the same folder again.
A corpus is copied into a scratch folder before an article is added to it (the
folder given by ``--corpora-dir`` is only read). Each command's stdout is hashed:
a warm run must print the same bytes as the cold one, the dask engine the same
bytes as the local one; a difference is reported in the tables.

Measurements:

* wall: elapsed time of the whole command (process start to exit);
* peak memory: the largest sum of proportional set sizes (PSS) of the
  command's processes (the command, its worker pool or its local dask cluster: the
  whole session, sampled every 50 ms from /proc), and the largest single-process RSS
  (``wait4`` rusage). PSS counts pages shared by forked workers once, so it is what
  the machine had to hold.

``--commands keywords stance ...`` adds cold/warm rows for other commands at each
size. This script is not part of the test suite; it needs Linux (/proc) for the
memory figures.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXTRA_COMMANDS = ("keywords", "stance", "tfidf", "topics", "check", "report", "sentences",
                  "kwic")
DEFAULT_SIZES = (1000, 10000, 50000)
GROWTH_SIZES = (1000, 10000, 50000, 200000)  # always listed; "not run" when not asked for
QUICK_SIZES = (1000,)
GENERATOR_VERSION = 2  # bump when generate.py changes its output
SAMPLE_SECONDS = 0.05
LEFTOVER_GRACE_SECONDS = 2.0
HELP_RUNS = 5
SEED = 2022

# Issue #14's corpora and targets.
JSONL_ARTICLES = 3700
JSONL_MEAN_BODY_BYTES = 2100  # 3,700 rows of about 2.7 KB: 10.0 MB
QUICK_JSONL_ARTICLES = 370
MEMORY_FACTOR = 4
ISSUE_SIZE = 50000
TARGET_COLD_JSONL = 8.0  # x ceiling
TARGET_COLD_50K = 20.0  # s
TARGET_PLUS_ONE = 2.0  # x ceiling
TARGET_CHECK_NEW = 3.0  # s
TARGET_MEMORY_RATIO = 1.3
NEW_ID = "new-article"  # the article added for "+1 article"
CHECK_ID = "check-article"  # the article given to `check` (a different one)


@dataclass
class Run:
    """One timed framelens command."""

    key: str  # e.g. "jsonl-3700/compare/cold", "md-50000/check-new"
    label: str
    corpus: str
    articles: int
    corpus_bytes: int
    argv: list[str]
    wall: float | None = None
    peak_pss: int | None = None  # bytes
    max_rss: int | None = None  # bytes
    exit_code: int | None = None
    output_sha256: str | None = None
    output_bytes: int | None = None
    ceiling: float | None = None  # seconds, measured right before
    ceiling_samples: list[float] = field(default_factory=list)
    load_before: float | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.wall is not None and self.exit_code in self.accepted_exits

    @property
    def accepted_exits(self) -> tuple[int, ...]:
        # `check` exits 1 when an article fails a check: the run itself worked.
        return (0, 1) if "/check" in self.key else (0,)

    @property
    def ratio(self) -> float | None:
        if not self.ok or not self.ceiling:
            return None
        return self.wall / self.ceiling


# ------------------------------------------------------------------ processes


def framelens_command() -> list[str]:
    script = Path(sys.executable).parent / "framelens"
    if script.exists():
        return [str(script)]
    found = shutil.which("framelens")
    return [found] if found else [sys.executable, "-m", "framelens.cli"]


def framelens_python() -> str:
    """The interpreter the framelens command runs on (its shebang), to probe its extras."""
    command = framelens_command()
    if command[0] == sys.executable:
        return sys.executable
    try:
        with open(command[0], "rb") as f:
            first = f.readline().decode("utf-8", "replace").strip()
    except OSError:
        return sys.executable
    return first[2:].split()[0] if first.startswith("#!") and "python" in first else sys.executable


def _session_pids(session: int) -> list[int]:
    """The live (not zombie) processes in this session, from /proc (empty elsewhere)."""
    pids = []
    if not os.path.isdir("/proc"):
        return pids
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            # Fields after the command name (which may contain spaces): state ppid pgrp session
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[3]) == session and fields[0] != b"Z":
                pids.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            words = f.read().split(b"\0")
    except OSError:
        return f"pid {pid}"
    # The program and its first arguments are enough to tell which process it was.
    text = " ".join(Path(w.decode("utf-8", "replace")).name if i == 0 else
                    w.decode("utf-8", "replace") for i, w in enumerate(words[:4]) if w)
    return text[:80] or f"pid {pid}"


def _session_pss(session: int) -> int:
    """Sum of PSS (bytes) of the live processes in this session."""
    total = 0
    for pid in _session_pids(session):
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError, IndexError):
            continue
    return total


def measure(argv: list[str], env: dict[str, str], stdout_path: Path, timeout: float) -> dict:
    """Run ``argv`` with stdout to ``stdout_path``: wall, peak PSS, max RSS, exit code, stderr.

    The command runs in its own session, so that the PSS sampler finds its workers and
    a timeout can stop all of them (the session's process group, by its id).
    """
    with tempfile.TemporaryFile() as stderr, open(stdout_path, "wb") as stdout:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env, cwd=ROOT,
                                   start_new_session=True)
        peak = 0
        timed_out = False
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, timed_out
            while not done.is_set():
                if os.path.isdir("/proc"):
                    peak = max(peak, _session_pss(process.pid))
                if time.perf_counter() - started > timeout and not timed_out:
                    timed_out = True
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            wall = time.perf_counter() - started
            done.set()
            sampler.join()
        # Processes that outlive the command (they should not) would skew the next run: they
        # get a grace period to finish exiting, then are named in the notes and stopped.
        leftovers = _session_pids(process.pid)
        grace = time.perf_counter() + LEFTOVER_GRACE_SECONDS
        while leftovers and time.perf_counter() < grace:
            time.sleep(0.1)
            leftovers = _session_pids(process.pid)
        leftover_names = sorted(_command_line(pid) for pid in leftovers)
        if leftovers:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        message = stderr.read().decode("utf-8", "replace")
    if timed_out:
        message = f"timed out after {timeout:.0f} s\n" + message
    return {"wall": None if timed_out else wall, "peak_pss": peak or None,
            "max_rss": usage.ru_maxrss * 1024, "exit_code": process.returncode,
            "stderr": message, "timed_out": timed_out, "leftovers": leftover_names}


def base_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FRAMELENS_CACHE_DIR"] = str(cache)
    env.pop("FRAMELENS_NO_CACHE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as users run it: bytecode cached
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "120"
    return env


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no message)"


# ------------------------------------------------------------------ the ceiling

_CEILING = r"""
import re, sys, time
from collections import Counter
from pathlib import Path
source = Path(sys.argv[1])
paths = sorted(source.glob("*.md"), key=str) if source.is_dir() else [source]
pattern = re.compile(r"\w+")
started = time.perf_counter()
counts = Counter()
size = 0
for path in paths:
    text = path.read_text(encoding="utf-8")
    size += len(text.encode("utf-8"))
    counts.update(pattern.findall(text.lower()))
print(time.perf_counter() - started, size, sum(counts.values()), len(counts))
"""


def ceiling(source: Path, repeats: int) -> tuple[float, list[float], dict]:
    """Median seconds of the ceiling pass over ``source`` (fresh process each), samples, sizes."""
    samples = []
    info: dict = {}
    for _ in range(repeats):
        result = subprocess.run([sys.executable, "-c", _CEILING, str(source)], capture_output=True,
                                text=True, check=True)
        seconds, nbytes, tokens, types = result.stdout.split()
        samples.append(float(seconds))
        info = {"bytes": int(nbytes), "tokens": int(tokens), "types": int(types)}
    return statistics.median(samples), samples, info


# ------------------------------------------------------------------ corpora


def _generate(out: Path, articles: int, *, fmt: str = "md",
              mean_body_bytes: int | None = None) -> None:
    # In a subprocess, so that this process stays small.
    argv = [sys.executable, str(HERE / "generate.py"), "--articles", str(articles), "--out",
            str(out), "--seed", str(SEED), "--format", fmt]
    if mean_body_bytes is not None:
        argv += ["--mean-body-bytes", str(mean_body_bytes)]
    subprocess.run(argv, check=True)


def _stamped(folder: Path, want: dict) -> bool:
    stamp = folder / ".bench.json"
    return stamp.is_file() and json.loads(stamp.read_text()) == want


def md_corpus(size: int, out: Path, corpora_dir: Path | None) -> Path:
    """A folder of ``size`` generated articles: from ``corpora_dir`` if there, else generated."""
    if corpora_dir is not None:
        for name in (f"c{size}", f"corpus-{size}"):
            if (corpora_dir / name / "framelens.toml").is_file():
                return corpora_dir / name
    folder = out / f"corpus-{size}"
    want = {"articles": size, "seed": SEED, "generator": GENERATOR_VERSION}
    if not _stamped(folder, want):
        _generate(folder, size)
        (folder / ".bench.json").write_text(json.dumps(want))
    return folder


def jsonl_corpus(articles: int, mean_body_bytes: int, out: Path) -> Path:
    """The folder holding ``articles.jsonl`` and ``framelens.toml`` (generated once)."""
    folder = out / f"jsonl-{articles}-{mean_body_bytes}"
    want = {"articles": articles, "mean_body_bytes": mean_body_bytes, "seed": SEED,
            "generator": GENERATOR_VERSION, "format": "jsonl"}
    if not _stamped(folder, want):
        _generate(folder, articles, fmt="jsonl", mean_body_bytes=mean_body_bytes)
        (folder / ".bench.json").write_text(json.dumps(want))
    return folder


def source_bytes(source: Path) -> int:
    if source.is_dir():
        return sum(p.stat().st_size for p in source.glob("*.md"))
    return source.stat().st_size


_NEW = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import generate
out = Path(sys.argv[2])
generate.new_article(out / "new.md", seed=7, doc_id=sys.argv[3])
generate.new_article(out / "check.md", seed=8, doc_id=sys.argv[4])
(out / "new.jsonl").write_text(
    generate.new_record(seed=7, doc_id=sys.argv[3], mean_body_bytes=int(sys.argv[5])),
    encoding="utf-8")
"""


def new_articles(scratch: Path, mean_body_bytes: int) -> Path:
    """``new.md`` and ``new.jsonl`` (the "+1 article") and ``check.md``, from other seeds."""
    folder = scratch / "new-articles"
    folder.mkdir()
    subprocess.run([sys.executable, "-c", _NEW, str(HERE), str(folder), NEW_ID, CHECK_ID,
                    str(mean_body_bytes)], check=True)
    return folder


# ------------------------------------------------------------------ the benchmark


class Bench:
    def __init__(self, args: argparse.Namespace, scratch: Path):
        self.args = args
        self.scratch = scratch
        self.runs: list[Run] = []
        self.ceilings: dict[str, dict] = {}  # corpus name -> sizes of the ceiling pass
        self.framelens = framelens_command()

    def cache(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"cache-{name}-", dir=self.scratch))

    def run(self, key: str, label: str, corpus: str, articles: int, source: Path,
            argv: list[str], cache: Path) -> Run:
        """The ceiling on ``source``, then ``framelens *argv`` with ``cache``; recorded."""
        ceiling_s, samples, info = ceiling(source, self.args.ceiling_repeats)
        self.ceilings.setdefault(corpus, info)
        stdout_path = self.scratch / "stdout"
        full = [*self.framelens, *argv]
        run = Run(key, label, corpus, articles, source_bytes(source), full, ceiling=ceiling_s,
                  ceiling_samples=samples, load_before=os.getloadavg()[0])
        measured = measure(full, base_env(cache), stdout_path, self.args.timeout)
        run.wall, run.peak_pss, run.max_rss = (measured["wall"], measured["peak_pss"],
                                               measured["max_rss"])
        run.exit_code = measured["exit_code"]
        run.output_sha256, run.output_bytes = _sha256(stdout_path)
        if not run.ok:
            run.note = "failed: " + _last_line(measured["stderr"])
        if measured["leftovers"]:
            run.note = (run.note + "; " if run.note else "") + (
                f"{len(measured['leftovers'])} process(es) outlived the command by "
                f"{LEFTOVER_GRACE_SECONDS:g} s, stopped: " + ", ".join(measured["leftovers"]))
        self.runs.append(run)
        shown = "failed" if not run.ok else f"{run.wall:.2f} s = {run.ratio:.1f}x ceiling"
        print(f"  {key}: {shown} (ceiling {ceiling_s:.3f} s, peak "
              f"{_fmt_mb(run.peak_pss)} MB)" + (f" [{run.note}]" if run.note else ""),
              file=sys.stderr, flush=True)
        return run

    def same_bytes(self, run: Run, reference: Run | None, what: str) -> None:
        """Note on ``run`` whether it printed the same bytes as ``reference``."""
        if reference is None or not run.ok or not reference.ok:
            return
        if run.output_sha256 != reference.output_sha256:
            run.note = (run.note + "; " if run.note else "") + f"OUTPUT DIFFERS from {what}"

    # -------------------------------------------------------------- the JSONL corpus

    def jsonl_cases(self, new: Path) -> None:
        """Issue cases 2, 4 and 6: cold, warm and +1 on 1x; cold on 4x (memory)."""
        articles, mean = self.args.jsonl_articles, self.args.jsonl_mean_body_bytes
        for factor in (1, MEMORY_FACTOR):
            folder = jsonl_corpus(articles * factor, mean, self.args.out)
            # A copy: the +1 case appends a line to it.
            work = self.scratch / f"jsonl-{articles * factor}"
            work.mkdir()
            source = work / "articles.jsonl"
            shutil.copy2(folder / "articles.jsonl", source)
            corpus = f"jsonl-{articles * factor}"
            print(f"{corpus}: {source_bytes(source) / 1e6:.1f} MB", file=sys.stderr, flush=True)
            argv = ["compare", "--sources", str(source), "--config",
                    str(folder / "framelens.toml"), "--format", "csv"]
            cache = self.cache(corpus)
            label = f"{articles * factor:,} articles, JSON lines"
            cold = self.run(f"{corpus}/compare/cold", label, corpus, articles * factor, source,
                            argv, cache)
            if factor == 1:
                warm = self.run(f"{corpus}/compare/warm", label, corpus, articles, source, argv,
                                cache)
                self.same_bytes(warm, cold, "the cold run")
                with open(source, "ab") as f:
                    f.write((new / "new.jsonl").read_bytes())
                self.run(f"{corpus}/compare/plus-one", label + " + 1", corpus, articles + 1,
                         source, argv, cache)
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)

    # -------------------------------------------------------------- generated folders

    def growth_cases(self, size: int, new: Path) -> None:
        """Cold, warm, +1 article, check new.md; dask; other commands."""
        original = md_corpus(size, self.args.out, self.args.corpora_dir)
        corpus = f"md-{size}"
        started = time.perf_counter()
        folder = self.scratch / corpus
        shutil.copytree(original, folder)  # articles are added to the copy only
        for extra in (".bench.json", "new.md", "check.md"):
            (folder / extra).unlink(missing_ok=True)
        print(f"{corpus}: {source_bytes(folder) / 1e6:.1f} MB from {original} "
              f"(copied in {time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
        label = f"{size:,} generated articles"
        argv = ["compare", "--sources", str(folder), "--format", "csv"]
        cache = self.cache(corpus)
        cold = self.run(f"{corpus}/compare/cold", label, corpus, size, folder, argv, cache)
        warm = self.run(f"{corpus}/compare/warm", label, corpus, size, folder, argv, cache)
        self.same_bytes(warm, cold, "the cold run")
        local_cold = cold
        if size == self.args.dask_size and self.args.dask:
            dask_cache = self.cache(corpus + "-dask")
            dask_argv = [*argv, "--engine", "dask"]
            for state in ("cold", "warm"):
                run = self.run(f"{corpus}/compare-dask/{state}", label + ", --engine dask",
                               corpus, size, folder, dask_argv, dask_cache)
                self.same_bytes(run, local_cold, "--engine local")
            shutil.rmtree(dask_cache, ignore_errors=True)
        for command in self.args.commands:
            command_cache = self.cache(f"{corpus}-{command}")
            command_argv = [command, "--sources", str(folder), "--format", "csv"]
            if command == "kwic":  # a word every generated article has
                command_argv = [command, "NATO", "--sources", str(folder), "--format", "csv"]
            if command == "report":  # writes an HTML page, not a table
                command_argv = [command, "--sources", str(folder), "--output",
                                str(command_cache / "report.html")]
            first = None
            for state in ("cold", "warm"):
                run = self.run(f"{corpus}/{command}/{state}", label, corpus, size, folder,
                               command_argv, command_cache)
                if command != "report":
                    self.same_bytes(run, first, "the cold run")
                first = first or run
            shutil.rmtree(command_cache, ignore_errors=True)
        shutil.copy2(new / "new.md", folder / "new.md")
        self.run(f"{corpus}/compare/plus-one", label + " + 1", corpus, size + 1, folder, argv,
                 cache)
        if self.args.full_check:  # the whole corpus, as CI checks it; warms check's own state
            self.run(f"{corpus}/check-all", label + " + 1", corpus, size + 1, folder,
                     ["check", "--sources", str(folder), "--format", "csv"], cache)
        shutil.copy2(new / "check.md", folder / "check.md")
        self.run(f"{corpus}/check-new", label + " + 2", corpus, size + 2, folder,
                 ["check", "--sources", str(folder), "--format", "csv",
                  str(folder / "check.md")], cache)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)

    def help_time(self) -> dict:
        env = base_env(self.scratch / "cache-help")
        argv = [*self.framelens, "--help"]
        stdout = self.scratch / "stdout"
        measure(argv, env, stdout, 120)  # compile bytecode once
        walls = sorted(measure(argv, env, stdout, 120)["wall"] or 0.0 for _ in range(HELP_RUNS))
        return {"median": walls[len(walls) // 2], "min": walls[0], "runs": HELP_RUNS}

    def find(self, key: str) -> Run | None:
        return next((r for r in self.runs if r.key == key), None)


def dask_installed() -> bool:
    result = subprocess.run([framelens_python(), "-c", "import dask, distributed"],
                            capture_output=True)
    return result.returncode == 0


# ------------------------------------------------------------------ report


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _fmt_mb(value: int | None) -> str:
    return "–" if value is None else f"{value / 2**20:,.0f}"


def _fmt_ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}×"


def _met(value: float | None, target: float, standard: bool) -> str:
    if value is None:
        return "–"
    if not standard:
        return "n/a (not the issue's corpus)"
    return "yes" if value <= target else "**no**"


def _measured(run: Run | None) -> str:
    if run is None:
        return "not run"
    if not run.ok:
        return run.note or "failed"
    return f"{_fmt_seconds(run.wall)} s" + (f" ({run.note})" if run.note else "")


def issue_table(bench: Bench) -> tuple[str, list[dict]]:
    """Issue #14's table: case | measured | × ceiling | target | met?"""
    args = bench.args
    n = args.jsonl_articles
    standard_jsonl = (n, args.jsonl_mean_body_bytes) == (JSONL_ARTICLES, JSONL_MEAN_BODY_BYTES)
    jsonl = f"jsonl-{n}"
    jsonl_mb = (bench.find(f"{jsonl}/compare/cold").corpus_bytes / 1e6
                if bench.find(f"{jsonl}/compare/cold") else 0)
    big = f"md-{ISSUE_SIZE}"
    rows: list[dict] = []

    def add(case: str, run: Run | None, ratio: float | None, target: str, met: str,
            measured: str | None = None, **values: float | None) -> None:
        rows.append({"case": case, "measured": measured or _measured(run),
                     "x_ceiling": _fmt_ratio(ratio), "target": target, "met": met,
                     "key": run.key if run else None,
                     # For machines: seconds, the ratio to the ceiling, and met as a boolean.
                     "seconds": run.wall if run and run.ok else None, "ratio": ratio,
                     "met_bool": {"yes": True, "**no**": False}.get(met.split(" ")[0]),
                     **values})

    for key, what in ((f"{jsonl}/compare/cold", f"{jsonl_mb:.1f} MB ({n:,} articles, JSON lines)"),
                      (f"{big}/compare/cold", f"{ISSUE_SIZE // 1000}k generated articles")):
        run = bench.find(key)
        measured = (f"{run.ceiling:.3f} s (median of {len(run.ceiling_samples)}: "
                    + ", ".join(f"{s:.3f}" for s in run.ceiling_samples) + ")") if run else None
        add(f"ceiling: `re.findall(r\"\\w+\", text.lower())` + Counter, {what}", run,
            1.0 if run else None, "–", "–", measured, seconds=run.ceiling if run else None)
    run = bench.find(f"{jsonl}/compare/cold")
    add(f"`compare` cold on {jsonl_mb:.1f} MB ({n:,} articles, JSON lines)", run,
        run and run.ratio, f"≤ {TARGET_COLD_JSONL:g}×",
        _met(run and run.ratio, TARGET_COLD_JSONL, standard_jsonl))
    run = bench.find(f"{big}/compare/cold")
    add(f"`compare` cold on {ISSUE_SIZE // 1000}k generated articles"
        + (f" ({run.corpus_bytes / 1e6:.1f} MB, `bench/generate.py`)" if run else ""), run,
        run and run.ratio, f"≤ {TARGET_COLD_50K:g} s",
        _met(run.wall if run and run.ok else None, TARGET_COLD_50K, True))
    run = bench.find(f"{jsonl}/compare/plus-one")
    add(f"`compare` after adding **one** article to a warm {jsonl_mb:.1f} MB corpus", run,
        run and run.ratio, f"≤ {TARGET_PLUS_ONE:g}×",
        _met(run and run.ratio, TARGET_PLUS_ONE, standard_jsonl))
    run = bench.find(f"{big}/check-new")
    warmed = "`compare` and `check`" if args.full_check else "`compare`"
    add(f"`check new.md` with a warm cache (from {warmed}), {ISSUE_SIZE // 1000}k articles", run,
        run and run.ratio, f"≤ {TARGET_CHECK_NEW:g} s",
        _met(run.wall if run and run.ok else None, TARGET_CHECK_NEW, True))
    one = bench.find(f"{jsonl}/compare/cold")
    four = bench.find(f"jsonl-{n * MEMORY_FACTOR}/compare/cold")
    if one and four and one.peak_pss and four.peak_pss and one.ok and four.ok:
        ratio = four.peak_pss / one.peak_pss
        measured = (f"{ratio:.2f}×: {_fmt_mb(four.peak_pss)} MB at {four.corpus_bytes / 1e6:.1f} MB "
                    f"vs {_fmt_mb(one.peak_pss)} MB at {one.corpus_bytes / 1e6:.1f} MB (PSS)")
        add(f"peak memory (main process and workers), cold `compare`, {MEMORY_FACTOR}× the "
            f"corpus", four, None, f"≤ {TARGET_MEMORY_RATIO:g}× the peak at 1×",
            _met(ratio, TARGET_MEMORY_RATIO, standard_jsonl), measured, seconds=None,
            memory_ratio=ratio)
    else:
        add(f"peak memory, cold `compare`, {MEMORY_FACTOR}× the corpus", None, None,
            f"≤ {TARGET_MEMORY_RATIO:g}×", "–",
            "not run" if not (one and four) else "failed or no /proc")
    size = args.dask_size
    dask = bench.find(f"md-{size}/compare-dask/cold")
    local = bench.find(f"md-{size}/compare/cold")
    if dask is None:
        add(f"`compare --engine dask` (local cluster), cold, {size:,} articles", None, None,
            "a Dask cluster, same bytes out", "–",
            "not run" + ("" if args.dask else " (dask not installed or --no-dask)"))
    else:
        same = dask.ok and local is not None and local.ok and \
            dask.output_sha256 == local.output_sha256
        measured = (f"{_fmt_seconds(dask.wall)} s, "
                    + ("same bytes as --engine local" if same else "OUTPUT DIFFERS")
                    if dask.ok else (dask.note or "failed"))
        add(f"`compare --engine dask` (local cluster on this machine), cold, {size:,} articles",
            dask, dask.ratio, "a Dask cluster, same bytes out",
            "yes (one machine; the cluster test is tests/)" if same else "**no**", measured)
    lines = ["| case | measured | × ceiling | target | met? |", "|---|---|---|---|---|"]
    lines += [f"| {r['case']} | {r['measured']} | {r['x_ceiling']} | {r['target']} | {r['met']} |"
              for r in rows]
    return "\n".join(lines), rows


def _cell(run: Run | None) -> str:
    if run is None:
        return "not run"
    if not run.ok:
        return "failed"
    text = f"{_fmt_seconds(run.wall)} ({_fmt_ratio(run.ratio)})"
    return text + (" ⚠ output differs" if "DIFFERS" in run.note else "")


def growth_table(bench: Bench) -> tuple[str, list[dict]]:
    sizes = sorted(set(GROWTH_SIZES) | set(bench.args.sizes))
    lines = ["| articles | MB | ceiling s | cold s (× ceiling) | warm s (×) | +1 article s (×) | "
             "`check` whole corpus s (×) | `check new.md` s (×) | peak PSS cold MB | "
             "max RSS cold MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    rows = []
    for size in sizes:
        corpus = f"md-{size}"
        cold = bench.find(f"{corpus}/compare/cold")
        cells = [bench.find(f"{corpus}/compare/{s}") for s in ("cold", "warm", "plus-one")]
        cells += [bench.find(f"{corpus}/check-all"), bench.find(f"{corpus}/check-new")]
        rows.append({"articles": size, **{name: (asdict(run) if run else None) for name, run in
                     zip(("cold", "warm", "plus_one", "check_all", "check_new"), cells,
                         strict=True)}})
        if cold is None:
            lines.append(f"| {size:,} | – | – | " + " | ".join(["not run"] * 5) + " | – | – |")
            continue
        lines.append(f"| {size:,} | {cold.corpus_bytes / 1e6:.1f} | {cold.ceiling:.3f} | "
                     + " | ".join(_cell(c) for c in cells)
                     + f" | {_fmt_mb(cold.peak_pss)} | {_fmt_mb(cold.max_rss)} |")
        dask = [bench.find(f"{corpus}/compare-dask/{s}") for s in ("cold", "warm")]
        if dask[0] is not None:
            lines.append(f"| {size:,}, `--engine dask` | {cold.corpus_bytes / 1e6:.1f} | "
                         f"{dask[0].ceiling:.3f} | {_cell(dask[0])} | {_cell(dask[1])} | – | – | – | "
                         f"{_fmt_mb(dask[0].peak_pss)} | {_fmt_mb(dask[0].max_rss)} |")
    return "\n".join(lines), rows


def commands_table(bench: Bench) -> str:
    lines = ["| articles | command | cache | wall s (× ceiling) | MB/s | peak PSS MB | notes |",
             "|---:|---|---|---:|---:|---:|---|"]
    for run in bench.runs:
        _, command, *state = run.key.split("/")
        if command not in bench.args.commands:
            continue
        mbs = f"{run.corpus_bytes / 1e6 / run.wall:.1f}" if run.ok and run.wall else "–"
        lines.append(f"| {run.articles:,} | {command} | {state[0] if state else ''} | "
                     f"{_cell(run)} | {mbs} | {_fmt_mb(run.peak_pss)} | {run.note} |")
    return "\n".join(lines)


def machine() -> dict:
    memory = None
    try:
        with open("/proc/meminfo") as f:
            memory = int(f.readline().split()[1]) * 1024
    except OSError:
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"platform": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "cpu": cpu, "memory_bytes": memory}


def git_commit() -> str:
    result = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                            capture_output=True, text=True)
    branch = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--abbrev-ref", "HEAD"],
                            capture_output=True, text=True)
    return f"{result.stdout.strip()} ({branch.stdout.strip()})" if result.returncode == 0 else "?"


def write_results(bench: Bench, info: dict) -> str:
    issue, issue_rows = issue_table(bench)
    growth, growth_rows = growth_table(bench)
    loads = [r.load_before for r in bench.runs if r.load_before is not None]
    m = info["machine"]
    text = [
        "# framelens benchmark (issue #14)", "",
        f"{info['date']}, framelens at {info['commit']}, `bench/run.py "
        f"{' '.join(info['argv'])}`; total {info['total_seconds']:.0f} s."
        + (" **--quick: small corpora, checks the script only.**" if bench.args.quick else ""),
        "", issue, "",
        "Times are whole commands (process start to exit); × ceiling divides by the ceiling "
        "pass over the same bytes (median of fresh processes, timed inside them), measured "
        "right before the command. Memory is the peak PSS sum over the command's processes.",
        "", "## Growth (generated articles, `compare`; `check new.md` after the +1 run)", "",
        growth, "",
        "Cold: empty cache; warm: the same cache again; +1 article: one new article added to "
        "the warm corpus; `check` whole corpus (`--full-check`): then every article; "
        "`check new.md`: then another new article, checked against that corpus (the cache warm "
        "from " + ("`compare` and `check`" if bench.args.full_check else "`compare` only")
        + "). Peak memory is the cold `compare`'s.",
    ]
    if bench.args.commands:
        text += ["", "## Other commands", "", commands_table(bench)]
    text += [
        "", "## Machine", "",
        f"{m['platform']}, Python {m['python']}, {m['cpus']} CPUs ({m['cpu']}), "
        + (f"{m['memory_bytes'] / 2**30:.0f} GB RAM" if m["memory_bytes"] else "") + ".",
        f"Load average (1 min) before the runs: min {min(loads, default=0):.2f}, "
        f"median {statistics.median(loads) if loads else 0:.2f}, max {max(loads, default=0):.2f}; "
        f"at the end {info['load_end'][0]:.2f} {info['load_end'][1]:.2f} {info['load_end'][2]:.2f}"
        " (other work on the machine inflates the times; the × ceiling figures much less).",
        f"`framelens --help`: {info['help']['median']:.3f} s (median of {info['help']['runs']}; "
        "start-up is part of every time above).",
        f"dask: {'installed' if bench.args.dask else 'not used'}.",
    ]
    report = "\n".join(text) + "\n"
    data = {**info, "issue_table": issue_rows, "growth": growth_rows,
            "ceilings": bench.ceilings, "runs": [{**asdict(r), "ratio": r.ratio, "ok": r.ok}
                                                  for r in bench.runs]}
    out = bench.args.out
    name = "results-quick" if bench.args.quick else "results"  # a check never hides a real run
    (out / f"{name}.md").write_text(report, encoding="utf-8")
    (out / f"{name}.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")
    return report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="framelens benchmark (see module docstring)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help=f"generated corpus sizes for the growth table (default "
                             f"{' '.join(map(str, DEFAULT_SIZES))}; 200000 takes long)")
    parser.add_argument("--quick", action="store_true",
                        help=f"check this script: {QUICK_SIZES[0]:,} articles, a "
                             f"{QUICK_JSONL_ARTICLES}-article JSONL corpus (< 3 min)")
    parser.add_argument("--commands", nargs="*", default=[], choices=EXTRA_COMMANDS,
                        help="also time these commands cold and warm at each size")
    parser.add_argument("--corpora-dir", type=Path, default=None,
                        help="reuse generated corpora DIR/c<size> or DIR/corpus-<size> (only "
                             "read); other sizes are generated into --out")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--scratch", type=Path, default=None,
                        help="folder for copies and caches (default: a new temporary folder)")
    parser.add_argument("--jsonl-articles", type=int, default=None,
                        help=f"articles in the JSONL corpus (default {JSONL_ARTICLES:,}; "
                             f"{MEMORY_FACTOR}× that for the memory case)")
    parser.add_argument("--jsonl-mean-body-bytes", type=int, default=JSONL_MEAN_BODY_BYTES)
    parser.add_argument("--no-jsonl", action="store_true", help="skip the JSONL cases")
    parser.add_argument("--dask-size", type=int, default=None,
                        help="size of the --engine dask row (default 10000; --quick: 1000)")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--full-check", action="store_true",
                        help="also time `check` on the whole corpus (after the +1 run, before "
                             "`check new.md`); O(N^2) on the old engine: 244 s at 50k")
    parser.add_argument("--ceiling-repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds before a command is stopped (reported as failed)")
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if args.jsonl_articles is None:
        args.jsonl_articles = QUICK_JSONL_ARTICLES if args.quick else JSONL_ARTICLES
    if args.dask_size is None:
        args.dask_size = QUICK_SIZES[0] if args.quick else 10000
    if args.ceiling_repeats < 1:
        parser.error("--ceiling-repeats must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    args.dask = not args.no_dask and dask_installed()
    started = time.perf_counter()
    if args.scratch is not None:
        args.scratch.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="framelens-bench-", dir=args.scratch))
    bench = Bench(args, scratch)
    info = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": machine(),
            "commit": git_commit(), "argv": sys.argv[1:] if argv is None else argv,
            "framelens": bench.framelens, "load_start": list(os.getloadavg())}
    print(f"framelens {' '.join(bench.framelens)} at {info['commit']}; scratch {scratch}",
          file=sys.stderr, flush=True)
    try:
        info["help"] = bench.help_time()
        new = new_articles(scratch, args.jsonl_mean_body_bytes)
        if not args.no_jsonl:
            bench.jsonl_cases(new)
        for size in sorted(args.sizes):
            bench.growth_cases(size, new)
    finally:
        info["total_seconds"] = time.perf_counter() - started
        info["load_end"] = list(os.getloadavg())
        info.setdefault("help", {"median": 0.0, "min": 0.0, "runs": 0})
        report = write_results(bench, info)
        shutil.rmtree(scratch, ignore_errors=True)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
