"""Time ``compare`` when one article is added to a warm corpus (the count stage's merge).

Run from the repository root::

    .venv/bin/python bench/count_merge.py --sources /work/benchdata/j3700.jsonl/articles.jsonl \\
        --config /work/benchdata/j3700.jsonl/framelens.toml --repeat 3 \\
        --pythonpath before=/tmp/base --pythonpath after=

copies the corpus (a JSON lines file, or a folder of Markdown articles) to a scratch
folder for each framelens tree named by ``--pythonpath LABEL=SRC`` (SRC a folder holding a
``framelens`` package; empty: the installed one) and, with a fresh cache for each, runs
``compare --format csv``: once cold, ``--repeat`` times warm, then ``--repeat`` times after
adding one new article each time (a new JSON line, or a new .md file, from
``bench/generate.py``'s ``new_record``/``new_article`` with another seed). The trees take
turns at every step, so their figures come from the same minutes. At the end each tree's
output on the last corpus is compared byte for byte with a cold run (fresh cache) of the
installed tree. Prints wall and CPU (user + system of the child) times; the +1 figures are
medians over the repeats.

``--fresh-plus-one`` makes every +1 run a true +1: the same one article added to the
corpus as it was cold, with the cache as the cold run left it (copied back before each
run), so no run inherits entries an earlier +1 wrote. ``--sections keywords`` (repeatable;
``all`` is the whole ``compare``) times ``compare --sections NAME`` that way too, each
compared byte for byte with its own cold run. The keywords and similarity sections of
``compare`` are also timed from inside the command (wall and CPU of that process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

# The command, with the keywords and similarity sections of compare timed from inside
# (wall and this process's CPU), reported on stderr as one JSON line.
COMMAND = [sys.executable, "-c", """
import atexit, json, sys, time
import framelens.analysis.reports.compare as report
spent = {}
def timed(name, section):
    def run(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return section(*args, **kwargs)
        finally:
            before = spent.get(name, (0.0, 0.0))
            spent[name] = (before[0] + time.perf_counter() - wall,
                           before[1] + time.process_time() - cpu)
    return run
report._keywords_section = timed("keywords", report._keywords_section)
report._similarity_section = timed("similarity", report._similarity_section)
atexit.register(lambda: sys.stderr.write("SECTION-TIMES " + json.dumps(spent) + "\\n"))
from framelens.cli.entry import main
sys.argv[0] = "framelens"
sys.exit(main())
"""]
SECTIONS_MARK = b"SECTION-TIMES "


def run(arguments: list[str], env: dict[str, str]
        ) -> tuple[float, float, bytes, dict[str, tuple[float, float]]]:
    """(wall seconds, CPU seconds of the child, stdout, (wall, CPU) of each timed section
    that ran) of one framelens command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*COMMAND, *arguments], env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"framelens {' '.join(arguments)} failed:\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    sections = {}
    for line in done.stderr.splitlines():
        if line.startswith(SECTIONS_MARK):
            sections = {name: tuple(times) for name, times in
                        json.loads(line[len(SECTIONS_MARK):]).items()}
    return wall, cpu, done.stdout, sections


class Tree:
    """One framelens tree with its own copy of the corpus and its own cache."""

    def __init__(self, label: str, pythonpath: str, sources: Path, config: Path | None,
                 scratch: Path):
        self.label = label
        folder = scratch / label
        folder.mkdir()
        if sources.is_dir():
            shutil.copytree(sources, folder / "corpus")
            self.sources = folder / "corpus"
        else:
            self.sources = folder / sources.name
            shutil.copy(sources, self.sources)
        self.config = config
        self.env = dict(os.environ, FRAMELENS_CACHE_DIR=str(folder / "cache"))
        self.env.pop("FRAMELENS_NO_CACHE", None)
        if pythonpath:
            self.env["PYTHONPATH"] = pythonpath
        else:
            self.env.pop("PYTHONPATH", None)
        self.cache = folder / "cache"
        self.times: dict[str, list[tuple[float, float]]] = {}
        self.output = b""
        self.outputs: dict[str, bytes] = {}

    def arguments(self, sections: str = "all") -> list[str]:
        extra = ["--config", str(self.config)] if self.config else []
        chosen = [] if sections == "all" else ["--sections", sections]
        return ["compare", "--sources", str(self.sources), *extra, *chosen, "--format", "csv"]

    def step(self, name: str, sections: str = "all") -> None:
        wall, cpu, self.output, spent = run(self.arguments(sections), self.env)
        self.times.setdefault(name, []).append((wall, cpu))
        for section, times in spent.items():
            self.times.setdefault(f"{name}: {section} section", []).append(times)
        self.outputs[sections] = self.output

    def keep_cold_state(self) -> None:
        """Copy the corpus and the cache aside, as the cold run left them."""
        shutil.copytree(self.cache, self.cache.with_name("cache-cold"))
        if self.sources.is_dir():
            shutil.copytree(self.sources, self.sources.with_name("corpus-cold"))
        else:
            shutil.copy(self.sources, self.sources.with_name("cold-" + self.sources.name))

    def back_to_cold_plus_one(self) -> None:
        """The cold corpus plus one article, and the cache as the cold run left it."""
        shutil.rmtree(self.cache)
        shutil.copytree(self.cache.with_name("cache-cold"), self.cache)
        if self.sources.is_dir():
            shutil.rmtree(self.sources)
            shutil.copytree(self.sources.with_name("corpus-cold"), self.sources)
        else:
            shutil.copy(self.sources.with_name("cold-" + self.sources.name), self.sources)
        self.add_article(0)

    def add_article(self, index: int) -> None:
        doc_id = f"bench-added-{index}"
        if self.sources.is_dir():
            generate.new_article(self.sources / f"{doc_id}.md", seed=100 + index, doc_id=doc_id)
        else:
            with self.sources.open("a", encoding="utf-8") as handle:
                handle.write(generate.new_record(seed=100 + index, doc_id=doc_id))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pythonpath", action="append", default=[],
                        help="LABEL=SRC: a framelens tree to time (repeatable)")
    parser.add_argument("--fresh-plus-one", action="store_true",
                        help="every +1 run: the cold corpus plus one article, the cold cache")
    parser.add_argument("--sections", action="append", default=[],
                        help="with --fresh-plus-one: compare --sections NAME (repeatable; "
                             "'all': the whole compare, the default)")
    args = parser.parse_args(argv)
    if args.sections and not args.fresh_plus_one:
        parser.error("--sections needs --fresh-plus-one")
    sections = args.sections or ["all"]
    scratch = Path(tempfile.mkdtemp(prefix="count-merge-"))
    try:
        trees = [Tree(label, path, args.sources, args.config, scratch) for label, path in
                 (item.split("=", 1) for item in args.pythonpath or ["installed="])]
        for tree in trees:
            tree.step("cold")
            if args.fresh_plus_one:
                tree.keep_cold_state()
        for _ in range(args.repeat):
            for tree in trees:
                tree.step("warm")
        for index in range(args.repeat):
            for name in sections:
                for tree in trees:
                    if args.fresh_plus_one:
                        tree.back_to_cold_plus_one()
                    else:
                        tree.add_article(index)
                    tree.step("+1" if name == "all" else f"+1 --sections {name}", name)
        for name in sections:
            cold = Tree(f"check-{name}", "", trees[0].sources, args.config, scratch)
            cold.step("cold", name)
            for tree in trees:
                output = tree.outputs[name]
                same = "identical" if cold.output == output else "DIFFERENT"
                print(f"{tree.label}: +1 output ({name}) {same} to a cold run of the installed "
                      f"tree ({len(output):,} bytes)")
        print("| tree | run | wall (s) | CPU (s) |\n|---|---|---:|---:|")
        for tree in trees:
            for name, times in tree.times.items():
                print(f"| {tree.label} | {name} | {statistics.median(t[0] for t in times):.2f} "
                      f"| {statistics.median(t[1] for t in times):.2f} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
