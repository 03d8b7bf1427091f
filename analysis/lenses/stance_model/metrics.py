"""Classification figures for stance: per-class precision, recall, F1 and SemEval's F_avg.

F_avg is the official measure of SemEval-2016 Task 6 (Mohammad et al. 2016,
§4): F_avg = (F1(favor) + F1(against)) / 2, where F1 = 2PR / (P + R) for the
class; ``none`` counts as a class in the predictions but not in the mean.
A precision or recall with nothing to divide by is 0, as in the task's
evaluation script. Figures are on the 0–100 scale SemEval reports. The pooled
row's F_avg equals the "Macro F" of the task's ``eval.pl`` (P, R and F of FAVOR
and AGAINST over every row of every target, then their mean):
``bench/semeval_fav_check.py`` compares them on random label files, given a
copy of the script (300 cases, 2026-12-02: largest difference 5e-9 on the
0–100 scale, the script's printed rounding).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from framelens.analysis.lenses.stance_model.coded import LABELS

ALL_TARGETS = "(all)"
"""The ``target`` value of rows pooled over every target."""


@dataclass(frozen=True)
class MetricRow:
    """One true class of one target: its rows, the confusion counts and the figures (0–100)."""

    target: str
    stance: str
    support: int
    predicted_favor: int
    predicted_against: int
    predicted_none: int
    predicted: int
    precision: float
    recall: float
    f1: float
    f_avg: float


def confusion(true: Sequence[int], predicted: Sequence[int]) -> np.ndarray:
    """Counts ``[true class, predicted class]`` in LABELS order (rows predicted -1 are left out)."""
    k = len(LABELS)
    t = np.asarray(true, dtype=np.int64)
    p = np.asarray(predicted, dtype=np.int64)
    kept = p >= 0
    return np.bincount(t[kept] * k + p[kept], minlength=k * k).reshape(k, k)


def class_figures(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 per class (0–100) from a confusion matrix [true, predicted]."""
    counts = np.asarray(counts, dtype=np.float64)
    hits = np.diag(counts)
    predicted = counts.sum(axis=0)
    actual = counts.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros_like(hits), where=actual > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(hits), where=total > 0)
    return precision * 100, recall * 100, f1 * 100


def f_avg(counts: np.ndarray) -> float:
    """SemEval-2016 Task 6's F_avg (0–100): the mean of F1(favor) and F1(against)."""
    f1 = class_figures(counts)[2]
    return float((f1[LABELS.index("favor")] + f1[LABELS.index("against")]) / 2)


def metric_rows(target: str, counts: np.ndarray) -> list[MetricRow]:
    precision, recall, f1 = class_figures(counts)
    overall = f_avg(counts)
    predicted = counts.sum(axis=0)
    return [MetricRow(target, label, int(counts[k].sum()), *(int(v) for v in counts[k]),
                      int(predicted[k]), float(precision[k]), float(recall[k]), float(f1[k]),
                      overall) for k, label in enumerate(LABELS)]


def metrics_table(true: Sequence[int], predicted: Sequence[int], targets: Sequence[str]
                  ) -> tuple[list[MetricRow], dict[str, np.ndarray]]:
    """Rows pooled over all targets (``ALL_TARGETS``) then per target (sorted), with the
    confusion matrices by target."""
    true = np.asarray(true, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)
    matrices = {ALL_TARGETS: confusion(true, predicted)}
    names = sorted({t for t in targets if t})
    for name in names:
        rows = np.array([t == name for t in targets])
        matrices[name] = confusion(true[rows], predicted[rows])
    table = []
    for name, counts in matrices.items():
        table += metric_rows(name, counts)
    return table, matrices


def metrics_object(rows: Sequence[MetricRow]) -> dict:
    """The figures as one JSON object: overall ``f_avg`` (0–100) on top, targets nested."""

    def block(target: str) -> dict:
        mine = [r for r in rows if r.target == target]
        return {
            "f_avg": mine[0].f_avg,
            "rows": sum(r.support for r in mine),
            "classes": {r.stance: {"support": r.support, "predicted": r.predicted,
                                   "precision": r.precision, "recall": r.recall, "f1": r.f1}
                        for r in mine},
            "confusion": {"labels": list(LABELS),
                          "counts": [[r.predicted_favor, r.predicted_against, r.predicted_none]
                                     for r in mine]},
        }

    payload = block(ALL_TARGETS)
    payload["targets"] = {t: block(t) for t in dict.fromkeys(r.target for r in rows)
                          if t != ALL_TARGETS}
    return payload
