"""How ``framelens check`` scales: the whole corpus, and one new article against it.

Run from the repository root::

    .venv/bin/python bench/check_scale.py                        # 10k and 50k articles
    .venv/bin/python bench/check_scale.py --sizes 10000 --repeat 3
    .venv/bin/python bench/check_scale.py --recall               # the LSH recall experiment

For each size it uses ``--corpora DIR/c{size}`` when that folder exists (read only: the new
article is written outside it), else generates the corpus with ``bench/generate.py`` in the
scratch folder. With a fresh cache folder (``FRAMELENS_CACHE_DIR``) it runs, as subprocesses
with ``--format csv``:

1. ``check --sources CORPUS`` cold (empty cache), then warm;
2. ``check --sources CORPUS new.md`` right after a warm whole-corpus check (what
   ``bench/run.py`` measures: the article is new, the rest of the corpus is cached);
3. the same again (the article is cached too).

Steps 1 (warm) to 3 are repeated ``--repeat`` times and the medians reported. Each run
reports wall time, the child's user + system CPU time (less sensitive than wall time to
other load on a shared machine) and its max RSS (``wait4``; workers of the process pool are
not included). The ceiling, ``re.findall(r"\\w+", text.lower())`` + ``Counter`` over the
same files, is timed in this process in the same run, so figures from different runs compare
through it. ``--pythonpath SRC`` runs another framelens tree (a folder holding a
``framelens`` package, e.g. main's code) with the same interpreter, for before/after figures.

``--recall`` repeats the experiment behind the banding parameters of
:mod:`framelens.analysis.reports.duplicates`: near-duplicates are made from articles of a
generated corpus by substituting terms with corpus-random ones, deleting a run of terms,
appending another article's terms, or substituting rare terms, at 30 edit levels; for each
cosine threshold it prints the smallest term-set Jaccard among pairs whose TF-IDF cosine
lies in [t, t + 0.03), the bound t² - 0.22 the banding is tuned for, and how many of the
pairs with cosine >= t the banding missed (no band in common, or too few equal signature
positions).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_SIZES = (10000, 50000)
DEFAULT_CORPORA = Path("/work/benchdata")


def ceiling_seconds(folder: Path) -> tuple[float, int]:
    """Seconds to read every article and count ``\\w+`` tokens (lower-cased), and the
    bytes, measured in a fresh process (a big parent would lend its memory high-water mark
    to the commands it starts: ``ru_maxrss`` survives ``exec``)."""
    output = subprocess.run([sys.executable, __file__, "--ceiling", str(folder)], check=True,
                            capture_output=True, text=True).stdout.split()
    return float(output[0]), int(output[1])


def _ceiling(folder: Path) -> None:
    started = time.perf_counter()
    counts: Counter = Counter()
    size = 0
    pattern = re.compile(r"\w+")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".md"):
            with open(folder / name, encoding="utf-8") as handle:
                text = handle.read()
            size += len(text.encode())
            counts.update(pattern.findall(text.lower()))
    print(time.perf_counter() - started, size)


def run(argv: list[str], env: dict[str, str]) -> dict:
    """Wall time, child CPU time (user + system), max RSS and exit code of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # check exits 1 when an article fails a check
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{stderr}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss": usage.ru_maxrss / 1024, "summary": stderr.strip().splitlines()[-1:]}


def corpus_folder(size: int, corpora: Path, scratch: Path) -> Path:
    folder = corpora / f"c{size}"
    if folder.is_dir():
        return folder
    folder = scratch / f"c{size}"
    if not folder.is_dir():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--articles", str(size),
                        "--out", str(folder)], check=True)
    return folder


def new_article(scratch: Path) -> Path:
    """``generate.new_article`` in a fresh process (its generator's tables would otherwise
    raise this process's memory high-water mark, which the commands it starts inherit)."""
    out = scratch / "new.md"
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                    "import generate, pathlib; generate.new_article(pathlib.Path(sys.argv[2]))",
                    str(HERE), str(out)], check=True)
    return out


def bench_size(size: int, folder: Path, new: Path, scratch: Path, pythonpath: str | None,
               repeat: int) -> list[tuple[str, dict]]:
    cache = tempfile.mkdtemp(prefix=f"cache-{size}-", dir=scratch)
    try:
        return _bench_size(size, folder, new, cache, pythonpath, repeat)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _bench_size(size: int, folder: Path, new: Path, cache: str, pythonpath: str | None,
                repeat: int) -> list[tuple[str, dict]]:
    env = dict(os.environ)
    env["FRAMELENS_CACHE_DIR"] = cache
    env.pop("FRAMELENS_NO_CACHE", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    command = [sys.executable, "-c", "import sys; from framelens.cli.entry import main; "
               "sys.argv[0] = 'framelens'; sys.exit(main())"]
    whole = [*command, "check", "--sources", str(folder), "--format", "csv"]
    one = [*whole, str(new)]
    results = [("whole corpus, cold", run(whole, env))]
    warm, first, second = [], [], []
    for _ in range(repeat):
        warm.append(run(whole, env))
        first.append(run(one, env))
        second.append(run(one, env))
    for label, runs in (("whole corpus, warm", warm), ("new.md, first run after the whole "
                        "corpus", first), ("new.md, again", second)):
        results.append((label, {key: statistics.median(r[key] for r in runs)
                                for key in ("wall", "cpu", "rss")}))
    return results


def recall_experiment(folder: Path, *, articles: int = 400, seed: int = 1) -> str:
    """The near-duplicate experiment of the module docstring, as a Markdown table."""
    import numpy as np

    from framelens.analysis.counts.matrices import count_units, term_options
    from framelens.analysis.counts.near_duplicates import (
        agreeing_positions,
        candidate_pairs,
        min_agreement,
        minhash_signatures,
        pair_cosines,
        term_hashes,
    )
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.process.pipeline import processed
    from framelens.analysis.reports.duplicates import (
        JACCARD_MARGIN,
        MAX_FILTER_MISS,
        banding,
        jaccard_floor,
    )

    corpus = load_corpus(folder)
    counts = count_units([doc.tokens for doc in processed(corpus)], term_options(corpus))
    matrix = counts.matrix.tocsr()
    n_docs, n_terms = matrix.shape
    df = np.bincount(matrix.indices, minlength=n_terms)
    frequency = np.asarray(matrix.sum(axis=0)).ravel().astype(float)
    frequency /= frequency.sum()
    rare = np.flatnonzero(df <= 2)
    hashes = term_hashes(counts.terms)
    rng = np.random.default_rng(seed)
    pairs = []  # (kind, original term sequence, edited term sequence)
    for doc in rng.choice(n_docs, size=articles, replace=False).tolist():
        row = matrix[doc]
        sequence = np.repeat(row.indices, row.data)
        rng.shuffle(sequence)
        if sequence.size < 20:
            continue
        other = matrix[int(rng.integers(n_docs))]
        other_sequence = np.repeat(other.indices, other.data)
        for share in np.linspace(0.02, 0.6, 30):
            k = int(share * sequence.size)
            where = rng.choice(sequence.size, size=k, replace=False)
            edited = sequence.copy()
            edited[where] = rng.choice(n_terms, size=k, p=frequency)
            pairs.append(("substitute", sequence, edited))
            start = int(rng.integers(0, sequence.size - k + 1))
            pairs.append(("delete", sequence, np.r_[sequence[:start], sequence[start + k:]]))
            pairs.append(("append", sequence, np.r_[sequence, other_sequence[:k]]))
            edited = sequence.copy()
            edited[where] = rng.choice(rare, size=k)
            pairs.append(("rare terms", sequence, edited))
    pairs = [p for p in pairs if p[2].size]
    # Rows 2p and 2p + 1: the two sides of pair p; df and n of the corpus (the edited
    # article is one more document: its terms' df + 1).
    from scipy import sparse

    rows, columns, values = [], [], []
    for index, (_, left, right) in enumerate(pairs):
        for side, sequence in enumerate((left, right)):
            terms, numbers = np.unique(sequence, return_counts=True)
            rows += [2 * index + side] * terms.size
            columns += terms.tolist()
            values += numbers.tolist()
    pair_counts = sparse.csr_matrix((values, (rows, columns)), shape=(2 * len(pairs), n_terms))
    pair_counts.sort_indices()
    left_rows = np.arange(0, 2 * len(pairs), 2)
    cosines = pair_cosines(pair_counts, df + 1, n_docs + 1, left_rows, left_rows + 1)
    jaccards = np.array([len(set(a.tolist()) & set(b.tolist())) / len(set(a.tolist())
                                                                      | set(b.tolist()))
                         for _, a, b in pairs])
    signatures = minhash_signatures(hashes[pair_counts.indices], pair_counts.indptr)
    lines = ["| threshold t | pairs with cosine in [t, t+0.03) | smallest Jaccard | 1% quantile"
             " | t² − 0.22 | bands × rows | pairs with cosine ≥ t | missed by LSH |",
             "|---:|---:|---:|---:|---:|---|---:|---:|"]
    for threshold in (0.8, 0.85, 0.9, 0.95):
        near = (cosines >= threshold) & (cosines < threshold + 0.03)
        above = np.flatnonzero(cosines >= threshold)
        parameters = banding(threshold)
        missed = "exact"
        if parameters is not None:
            missed = 0
            enough = min_agreement(jaccard_floor(threshold), MAX_FILTER_MISS)
            for index in above.tolist():
                pair = signatures[[2 * index, 2 * index + 1]]
                found, _ = candidate_pairs(pair, [0], bands=parameters[0], rows=parameters[1])
                missed += found.size == 0 or agreeing_positions(pair, [0], [1])[0] < enough
        lines.append(f"| {threshold} | {near.sum()} | {jaccards[near].min():.3f} | "
                     f"{np.quantile(jaccards[near], 0.01):.3f} | "
                     f"{threshold ** 2 - JACCARD_MARGIN:.3f} | "
                     f"{'exact' if parameters is None else '{} × {}'.format(*parameters)} | "
                     f"{above.size} | {missed} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help="folder holding c{size} corpora (used read-only)")
    parser.add_argument("--scratch", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--pythonpath", default=None,
                        help="run the framelens package found in this folder instead")
    parser.add_argument("--recall", action="store_true",
                        help="run the LSH recall experiment instead of the timings")
    parser.add_argument("--ceiling", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ceiling:
        _ceiling(args.ceiling)
        return
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="check-scale-"))
    scratch.mkdir(parents=True, exist_ok=True)
    if args.recall:
        folder = corpus_folder(min(args.sizes), args.corpora, scratch)
        print(f"Recall experiment on {folder}:\n")
        print(recall_experiment(folder))
        return
    new = new_article(scratch)
    lines = [f"check scaling, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
             f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
             + (f", PYTHONPATH={args.pythonpath}" if args.pythonpath else ""), "",
             "| articles | MB | ceiling | run | wall | CPU (user+sys) | max RSS |",
             "|---:|---:|---:|---|---:|---:|---:|"]
    for size in args.sizes:
        folder = corpus_folder(size, args.corpora, scratch)
        seconds, nbytes = ceiling_seconds(folder)
        for label, figures in bench_size(size, folder, new, scratch, args.pythonpath,
                                         args.repeat):
            lines.append(f"| {size:,} | {nbytes / 1e6:.1f} | {seconds:.2f} s | {label} | "
                         f"{figures['wall']:.2f} s | {figures['cpu']:.2f} s | "
                         f"{figures['rss']:.0f} MB |")
            print(lines[-1], flush=True)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "check_scale.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
