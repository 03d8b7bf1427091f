"""``check new.md`` with the cache warm from ``compare`` only (``bench/run.py``'s case 5),
this tree against another one, taking turns.

Run from the repository root::

    .venv/bin/python bench/check_after_compare.py --other /tmp/main-tree   # main's code
    .venv/bin/python bench/check_after_compare.py --corpus /work/benchdata/c10000 --repeat 5

``--other`` is a folder holding a ``framelens`` package (``framelens/analysis``,
``framelens/cli``: e.g. ``git archive main`` unpacked there), run with the same interpreter
through ``PYTHONPATH``; without it only this tree is timed. For each tree the corpus (copied
once into the scratch folder; the copy gets the article) is compared once with an empty
cache (``compare --format csv``, cold), and that cache kept. Then, ``--repeat`` times and the
trees taking turns, the kept cache is copied back, the article written as ``new.md`` 3 s
before the run (as ``bench/run.py`` does, so it is older than the manifest's settle time),
and ``check --sources COPY --format csv COPY/new.md`` timed twice: the first run after
``compare``, then again. Reported: the medians of wall time and of the child's user +
system CPU time (``wait4``), the load average at each run, and whether both trees printed
the same bytes. ``--near`` checks a near copy of the corpus's first article instead of
a generated article (then the first run counts df over the corpus: the slow path).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COMMAND = [sys.executable, "-c", "import sys; from framelens.cli.entry import main; "
           "sys.argv[0] = 'framelens'; sys.exit(main())"]


def run(argv: list[str], env: dict[str, str], stdout: Path) -> dict:
    """Wall time and child CPU time (user + system) of one command; its stdout to a file."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    with open(stdout, "wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env,
                                   cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # check exits 1 when an article fails a check
        raise SystemExit(f"{' '.join(argv)} failed ({code})")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "load": load,
            "stdout": stdout.read_bytes()}


def article(corpus: Path, scratch: Path, near: bool) -> Path:
    out = scratch / "article.md"
    if near:  # a near copy: new id, a few words changed
        first = min(corpus.glob("*.md"))
        text = re.sub(r"^id: .*$", "id: check-near-copy", first.read_text(encoding="utf-8"),
                      count=1, flags=re.MULTILINE)
        out.write_text(text.replace("\n\n", "\n\nOfficials said little more.\n\n", 1),
                       encoding="utf-8")
        return out
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                    "import generate, pathlib; generate.new_article(pathlib.Path(sys.argv[2]),"
                    " seed=8, doc_id='check-article')", str(HERE), str(out)], check=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/benchdata/c50000"))
    parser.add_argument("--other", type=Path, help="a folder holding another framelens package")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--near", action="store_true", help="check a near copy of an article")
    parser.add_argument("--scratch", type=Path, help="kept: the corpus copy and caches")
    args = parser.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="check-after-compare-"))
    scratch.mkdir(parents=True, exist_ok=True)
    corpus = scratch / "corpus"
    if not corpus.is_dir():
        shutil.copytree(args.corpus, corpus)
    (corpus / "new.md").unlink(missing_ok=True)
    new = article(corpus, scratch, args.near)
    trees = {"this tree": None, **({"other": str(args.other)} if args.other else {})}
    envs, kept = {}, {}
    for name, pythonpath in trees.items():
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FRAMELENS_NO_CACHE")}
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        envs[name] = env
        kept[name] = scratch / f"cache-{name.replace(' ', '-')}"
        if not kept[name].is_dir():
            env = {**env, "FRAMELENS_CACHE_DIR": str(kept[name])}
            figures = run([*COMMAND, "compare", "--sources", str(corpus), "--format", "csv"],
                          env, scratch / "compare.csv")
            print(f"{name}: compare cold {figures['wall']:.1f} s", file=sys.stderr, flush=True)
    results: dict[tuple[str, str], list[dict]] = {}
    for turn in range(args.repeat):
        for name in trees:
            cache = scratch / "cache-run"
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(kept[name], cache)
            shutil.copy(new, corpus / "new.md")
            time.sleep(3)
            env = {**envs[name], "FRAMELENS_CACHE_DIR": str(cache)}
            argv = [*COMMAND, "check", "--sources", str(corpus), "--format", "csv",
                    str(corpus / "new.md")]
            for state in ("first", "again"):
                figures = run(argv, env, scratch / "check.csv")
                results.setdefault((name, state), []).append(figures)
                print(f"{turn + 1} {name} {state}: {figures['wall']:.2f} s wall, "
                      f"{figures['cpu']:.2f} s CPU, load {figures['load']:.1f}",
                      file=sys.stderr, flush=True)
            (corpus / "new.md").unlink()
    print(f"\n`check new.md`, {args.corpus.name}, cache warm from `compare`, medians of "
          f"{args.repeat} ({'near copy' if args.near else 'generated article'})\n")
    print("| tree | run | wall | CPU | load average | same bytes as the first tree |")
    print("|---|---|---:|---:|---|---|")
    first = next(iter(trees))
    for (name, state), runs in results.items():
        same = all(r["stdout"] == f["stdout"]
                   for r, f in zip(runs, results[(first, state)], strict=True))
        loads = [r["load"] for r in runs]
        print(f"| {name} | {state} | {statistics.median(r['wall'] for r in runs):.2f} s | "
              f"{statistics.median(r['cpu'] for r in runs):.2f} s | "
              f"{min(loads):.1f}–{max(loads):.1f} | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
