"""framelens benchmark: wall time, MB/s and peak memory on generated corpora.

Run from the repository root (one command; generates the corpora on first use)::

    .venv/bin/python bench/run.py                      # 1k, 10k and 50k articles
    .venv/bin/python bench/run.py --sizes 1000 10000   # quicker

For each corpus size it runs ``framelens compare``, ``keywords``, ``stance``,
``tfidf``, ``check`` and ``report`` as subprocesses (``--format csv``, stdout to
/dev/null; ``report`` writes its page into the scratch folder and the table
notes the page's size), each once cold (``FRAMELENS_CACHE_DIR`` pointing at a fresh,
empty folder) and once warm (the same folder again); on the largest corpus
it then adds one new article and runs ``framelens check new.md`` with the
warm cache. It also times ``framelens --help`` and measures the throughput
of tokenizing and counting (reading the files, framelens's text pipeline and
its document-term count matrix) against the practical ceiling of a Python
pipeline, ``re.findall(r"\\w+", text.lower())`` + ``collections.Counter``
over the same files, both measured in a fresh process in the same run.

Measurements:

* wall: elapsed time of the whole command (process start to exit);
* MB/s: corpus bytes (all article files) divided by wall time;
* peak memory: the largest sum of proportional set sizes (PSS) of the
  command's processes (the command and its worker pool, sampled every
  50 ms from /proc), and the largest single-process RSS (``wait4`` rusage).
  PSS counts pages shared by forked workers once, so it is what the
  machine had to hold.

Commands that do not exist are reported as "not available". The table is
printed as Markdown and written to ``bench/out/results.md`` (with the
machine, load average and corpus sizes). This script is not part of the
test suite; it needs Linux (/proc) for the memory figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COMMANDS = ("compare", "keywords", "stance", "tfidf", "check", "report")
DEFAULT_SIZES = (1000, 10000, 50000)
GENERATOR_VERSION = 1  # bump when generate.py changes its output
SAMPLE_SECONDS = 0.05
HELP_RUNS = 7
TIMEOUT = 1800


@dataclass
class Run:
    label: str
    size: int
    corpus_bytes: int
    state: str = ""  # cold / warm / ""
    wall: float | None = None
    peak_pss: int | None = None  # bytes
    max_rss: int | None = None  # bytes
    exit_code: int | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def mb_per_s(self) -> float | None:
        if not self.wall or not self.corpus_bytes:
            return None
        return self.corpus_bytes / 1e6 / self.wall


# ------------------------------------------------------------------ processes


def framelens_command() -> list[str]:
    script = Path(sys.executable).parent / "framelens"
    if script.exists():
        return [str(script)]
    found = shutil.which("framelens")
    return [found] if found else [sys.executable, "-m", "framelens.cli"]


def _session_pss(session: int) -> int:
    """Sum of PSS (bytes) of the live processes in this session."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            # Fields after the command name (which may contain spaces): state ppid pgrp session
            fields = stat[stat.rindex(b")") + 2:].split()
            if int(fields[3]) != session:
                continue
            with open(f"/proc/{entry.name}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError, IndexError):
            continue
    return total


def measure(argv: list[str], env: dict[str, str], *, cwd: Path = ROOT) -> dict:
    """Run ``argv`` (stdout to /dev/null); wall time, peak PSS, max RSS, exit code, stderr."""
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr, env=env,
                                   cwd=cwd, start_new_session=True)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _session_pss(process.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        if os.path.isdir("/proc"):  # Linux; elsewhere only the max RSS is reported
            sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            wall = time.perf_counter() - started
            done.set()
            if sampler.is_alive():
                sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        message = stderr.read().decode("utf-8", "replace")
    return {"wall": wall, "peak_pss": peak or None, "max_rss": usage.ru_maxrss * 1024,
            "exit_code": process.returncode, "stderr": message}


def available(command: str, env: dict[str, str]) -> bool:
    result = subprocess.run([*framelens_command(), command, "--help"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return result.returncode == 0


def base_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FRAMELENS_CACHE_DIR"] = str(cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as users run it: bytecode cached
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "120"
    return env


# ------------------------------------------------------------------ corpora


def corpus_for(size: int, out: Path, seed: int) -> Path:
    folder = out / f"corpus-{size}"
    stamp = folder / ".bench.json"
    want = {"articles": size, "seed": seed, "generator": GENERATOR_VERSION}
    if stamp.is_file() and json.loads(stamp.read_text()) == want:
        return folder
    # In a subprocess, so that this process stays small: a child's max RSS
    # (wait4) starts from the size of the process that forked it.
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--articles", str(size),
                    "--out", str(folder), "--seed", str(seed)], check=True)
    stamp.write_text(json.dumps(want))
    return folder


def corpus_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.md"))


# ------------------------------------------------------------------ throughput

_CEILING = r"""
import re, sys, time
from collections import Counter
from pathlib import Path
paths = sorted(Path(sys.argv[1]).glob("*.md"), key=str)
pattern = re.compile(r"\w+")
started = time.perf_counter()
counts = Counter()
size = 0
for path in paths:
    text = path.read_text(encoding="utf-8")
    size += len(text.encode("utf-8"))
    counts.update(pattern.findall(text.lower()))
print(time.perf_counter() - started, size, len(counts))
"""

_FRAMELENS = r"""
import sys, time
from pathlib import Path
import scipy.sparse
from framelens.analysis.process import pipeline
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.counts.matrices import document_term_counts, term_options
if sys.argv[2] == "1":
    pipeline.PARALLEL_MIN_DOCUMENTS = 1 << 62
started = time.perf_counter()
corpus = load_corpus(Path(sys.argv[1]), use_cache=False)
loaded = time.perf_counter()
documents = pipeline.processed(corpus)
split = time.perf_counter()
counts = document_term_counts(corpus, term_options(corpus))
done = time.perf_counter()
print(done - started, loaded - started, split - loaded, done - split, len(counts.terms))
"""


def throughput(folder: Path, size: int, nbytes: int, env: dict[str, str]) -> list[Run]:
    """Ceiling vs framelens tokenizing+counting, timed inside fresh processes."""
    runs = []
    result = subprocess.run([sys.executable, "-c", _CEILING, str(folder)], env=env,
                            capture_output=True, text=True, check=True)
    seconds, measured_bytes, types = result.stdout.split()
    ceiling = Run("tokenize+count ceiling: re.findall + Counter (1 process)", size,
                  int(measured_bytes), wall=float(seconds))
    ceiling.note = f"{int(types):,} types"
    runs.append(ceiling)
    for workers, label in (("1", "1 process"), ("0", "process pool, as the CLI runs")):
        result = subprocess.run([sys.executable, "-c", _FRAMELENS, str(folder), workers], env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            runs.append(Run(f"tokenize+count framelens ({label})", size, nbytes,
                            note="failed: " + result.stderr.strip().splitlines()[-1][:120]))
            continue
        total, load, split, count, terms = result.stdout.split()
        run = Run(f"tokenize+count framelens ({label})", size, nbytes, wall=float(total))
        share = ceiling.wall / float(total) if ceiling.wall else 0
        run.note = (f"{share:.2f} of ceiling; read+front matter {float(load):.1f} s, "
                    f"split+tokenize {float(split):.1f} s, count matrix {float(count):.1f} s, "
                    f"{int(terms):,} terms")
        run.extra = {"share": share}
        runs.append(run)
    return runs


# ------------------------------------------------------------------ the benchmark


def command_runs(command: str, folder: Path, size: int, nbytes: int, scratch: Path) -> list[Run]:
    cache = Path(tempfile.mkdtemp(prefix=f"cache-{command}-{size}-", dir=scratch))
    env = base_env(cache)
    argv = [*framelens_command(), command, "--sources", str(folder), "--format", "csv"]
    page = cache / "report.html"
    if command == "report":  # writes an HTML page, not a table
        argv = [*framelens_command(), command, "--sources", str(folder), "--output", str(page)]
    runs = []
    for state in ("cold", "warm"):
        page.unlink(missing_ok=True)
        measured = measure(argv, env)
        run = Run(f"{command}", size, nbytes, state, measured["wall"], measured["peak_pss"],
                  measured["max_rss"], measured["exit_code"])
        if measured["exit_code"] not in (0, 1):  # check exits 1 when an article fails a check
            run.note = "error: " + _last_line(measured["stderr"])
        elif page.exists():
            run.note = f"page {page.stat().st_size / 1e6:.1f} MB"
        runs.append(run)
    shutil.rmtree(cache, ignore_errors=True)
    return runs


def new_article_run(folder: Path, size: int, nbytes: int, scratch: Path) -> list[Run]:
    """Warm the cache with ``check`` on the corpus, add one article, ``check new.md``."""
    cache = Path(tempfile.mkdtemp(prefix=f"cache-new-{size}-", dir=scratch))
    env = base_env(cache)
    base = [*framelens_command(), "check", "--sources", str(folder), "--format", "csv"]
    measure(base, env)  # fill the cache
    new = folder / "new.md"
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                    "import generate; generate.new_article(__import__('pathlib').Path(sys.argv[2]))",
                    str(HERE), str(new)], check=True)
    try:
        measured = measure([*base, str(new)], env)
    finally:
        new.unlink(missing_ok=True)
        shutil.rmtree(cache, ignore_errors=True)
    run = Run("check new.md (one new article)", size, nbytes, "warm", measured["wall"],
              measured["peak_pss"], measured["max_rss"], measured["exit_code"])
    if measured["exit_code"] not in (0, 1):
        run.note = "error: " + _last_line(measured["stderr"])
    return [run]


def help_run(scratch: Path) -> Run:
    env = base_env(scratch / "cache-help")
    walls = []
    measure([*framelens_command(), "--help"], env)  # compile bytecode once
    for _ in range(HELP_RUNS):
        walls.append(measure([*framelens_command(), "--help"], env)["wall"])
    walls.sort()
    run = Run("framelens --help", 0, 0, "", walls[len(walls) // 2])
    run.note = f"median of {HELP_RUNS}; min {walls[0]:.3f} s"
    return run


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else "(no message)"


# ------------------------------------------------------------------ report


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _fmt_mb(value: int | None) -> str:
    return "–" if value is None else f"{value / 2**20:,.0f}"


def table(runs: list[Run]) -> str:
    lines = ["| articles | MB | command | cache | wall s | MB/s | peak PSS MB | max RSS MB | notes |",
             "|---:|---:|---|---|---:|---:|---:|---:|---|"]
    for run in runs:
        mbs = run.mb_per_s
        lines.append(
            f"| {run.size:,} | {run.corpus_bytes / 1e6:.1f} | {run.label} | {run.state} | "
            f"{_fmt_seconds(run.wall)} | {'–' if mbs is None else f'{mbs:.1f}'} | "
            f"{_fmt_mb(run.peak_pss)} | {_fmt_mb(run.max_rss)} | {run.note} |"
            if run.size else
            f"| – | – | {run.label} | | {_fmt_seconds(run.wall)} | – | {_fmt_mb(run.peak_pss)} | "
            f"{_fmt_mb(run.max_rss)} | {run.note} |")
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            memory = f"{int(f.readline().split()[1]) / 2**20:.0f} GB RAM, "
    except OSError:
        pass
    return (f"{platform.platform()}, Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, {memory}load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="framelens benchmark (see module docstring)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--commands", nargs="+", default=list(COMMANDS))
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--no-throughput", action="store_true",
                        help="skip the tokenize+count throughput comparison")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="framelens-bench-"))
    env = base_env(scratch / "cache-probe")
    started = time.perf_counter()
    runs: list[Run] = [help_run(scratch)]
    present = {c: available(c, env) for c in args.commands}
    print(f"machine: {machine()}", file=sys.stderr)
    try:
        for size in sorted(args.sizes):
            folder = corpus_for(size, args.out, args.seed)
            nbytes = corpus_bytes(folder)
            print(f"{size:,} articles, {nbytes / 1e6:.1f} MB", file=sys.stderr)
            if not args.no_throughput:
                runs += throughput(folder, size, nbytes, env)
            for command in args.commands:
                if not present[command]:
                    runs.append(Run(command, size, nbytes, note="not available"))
                    continue
                runs += command_runs(command, folder, size, nbytes, scratch)
                print(f"  {command}: " + ", ".join(f"{r.state} {r.wall:.1f} s" for r in runs[-2:]),
                      file=sys.stderr)
            if size == max(args.sizes) and present.get("check", available("check", env)):
                runs += new_article_run(folder, size, nbytes, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report = table(runs)
    header = (f"framelens benchmark, {time.strftime('%Y-%m-%d %H:%M')}; {machine()} at the end; "
              f"total {time.perf_counter() - started:.0f} s.\n\n")
    print(report)
    (args.out / "results.md").write_text(header + report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
