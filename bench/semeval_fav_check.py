"""Check framelens's F_avg against SemEval-2016 Task 6's own evaluation script.

The task's ``eval.pl`` (Xiaodan Zhu, 2015; in the task's data and tools page,
http://alt.qcri.org/semeval2016/task6/) is not part of this repository. With a
copy of it and perl::

    .venv/bin/python bench/semeval_fav_check.py path/to/eval.pl [CASES]

writes random gold and guessed stance files (several targets, 1-200 rows,
skewed label shares, any accuracy) in the task's format, runs the script on
each and compares its "Macro F" with the ``f_avg`` of framelens's pooled row
(``metrics_table``), on the 0-100 scale. It prints the largest difference and
exits 1 when it exceeds what the script's printed decimals explain.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from framelens.analysis.lenses.stance_model.coded import LABELS
from framelens.analysis.lenses.stance_model.metrics import ALL_TARGETS, metrics_table

TASK_LABELS = {"favor": "FAVOR", "against": "AGAINST", "none": "NONE"}
HEADER = "ID\tTarget\tTweet\tStance\n"


def write_task_file(path: Path, targets, labels) -> None:
    lines = [f"{i}\t{target}\ttext {i}\t{TASK_LABELS[LABELS[label]]}\n"
             for i, (target, label) in enumerate(zip(targets, labels, strict=True))]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")


def script_macro_f(script: Path, gold: Path, guess: Path) -> tuple[float, int]:
    """The script's Macro F on the 0-100 scale and the decimals it printed."""
    out = subprocess.run(["perl", str(script), str(gold), str(guess)], capture_output=True,
                         text=True, check=True).stdout
    value = re.search(r"Macro F:\s*([0-9.]+)", out)
    if value is None:
        raise SystemExit(f"no 'Macro F' in the script's output:\n{out}")
    decimals = len(value.group(1).split(".")[1]) if "." in value.group(1) else 0
    return float(value.group(1)) * 100, decimals


def main() -> int:
    script = Path(sys.argv[1])
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rng = np.random.default_rng(2016)
    largest = allowed = 0.0
    with tempfile.TemporaryDirectory() as folder:
        gold, guess = Path(folder) / "gold.txt", Path(folder) / "guess.txt"
        for _ in range(cases):
            n = int(rng.integers(1, 200))
            true = rng.choice(3, n, p=rng.dirichlet(np.ones(3) * rng.uniform(0.2, 3)))
            noise = rng.choice(3, n, p=rng.dirichlet(np.ones(3)))
            predicted = np.where(rng.uniform(size=n) < rng.uniform(), true, noise)
            targets = rng.choice(["Target A", "Target B", "Target C"], n)
            rows, _ = metrics_table(true, predicted, targets)
            ours = next(r.f_avg for r in rows if r.target == ALL_TARGETS)
            write_task_file(gold, targets, true)
            write_task_file(guess, targets, predicted)
            theirs, decimals = script_macro_f(script, gold, guess)
            largest = max(largest, abs(theirs - ours))
            allowed = 0.5 * 10.0 ** -decimals * 100
    print(f"{cases} cases: largest |framelens f_avg - eval.pl Macro F| = {largest:.3g} "
          f"(0-100 scale; the script's rounding allows {allowed:.3g})")
    return 0 if largest <= allowed else 1


if __name__ == "__main__":
    sys.exit(main())
