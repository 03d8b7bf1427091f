"""Time `stance-model train` on a SemEval-sized coded set (about 2,900 short rows, 5 targets).

The rows come from the hand-written templates of the tests (tests/analysis/lenses/stance_coded_data.py), so
the figures say how long training takes at that size, not how well it classifies tweets.
Run: python bench/stance_model_train.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from framelens.analysis.lenses.stance_model.coded import read_coded  # noqa: E402
from framelens.analysis.lenses.stance_model.train import train  # noqa: E402
from tests.analysis.lenses.stance_coded_data import coded_rows, write_coded  # noqa: E402


def main() -> None:
    targets = ("Atheism", "Climate Change", "Feminist Movement", "Hillary Clinton", "Abortion")
    rows = coded_rows(194, seed=1, targets=targets)
    with tempfile.TemporaryDirectory() as folder:
        path = write_coded(Path(folder) / "coded.csv", rows)
        coded = read_coded(path, text_column="text", label_column="stance",
                           target_column="target")
        start = time.perf_counter()
        training = train(coded, seed=0)
        elapsed = time.perf_counter() - start
    print(f"{len(rows)} rows, {len(targets)} targets: train {elapsed:.1f} s "
          f"(grid {len(training.grid)} candidates x {training.folds} folds + a fresh CV), "
          f"chosen {training.candidate.describe()}")


if __name__ == "__main__":
    main()
