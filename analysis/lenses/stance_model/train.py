"""Training by measurement: a small grid chosen by cross-validated F_avg, figures from fresh folds.

The grid: the strategy (one model per target, or one pooled model with a
target block when the rows name targets), the SVM's C and class weights
(none, or "balanced": n / (classes · rows of the class), King & Zeng 2001's
reweighting as scikit-learn implements it). Every candidate is scored on the
same stratified k folds (strata: target × label; k = 5, fewer when no
stratum has 5 rows); the vocabulary and idf are refitted inside each fold, so
no held-out row leaks into its features. The winner (highest F_avg, then
highest macro-F1 over the three classes, then grid order) is scored once
more on a second, independent split, so the reported figures and the
confusion matrix the share correction uses are not the ones that chose it
(selection on the same folds flatters a model; Cawley & Talbot 2010, JMLR
11). It is then fitted on every row.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from framelens.analysis.lenses.stance_model.coded import (
    LABELS,
    CodedFileError,
    CodedRows,
    check_trainable,
    class_counts,
)
from framelens.analysis.lenses.stance_model.metrics import (
    ALL_TARGETS,
    MetricRow,
    class_figures,
    f_avg,
    metrics_table,
)
from framelens.analysis.lenses.stance_model.model import (
    LinearModel,
    StanceModel,
    features,
    fit_blocks,
    fit_linear,
    predict_features,
    prepare,
)

C_GRID = (0.1, 0.3, 1.0)
CLASS_WEIGHTS = (None, "balanced")
MAX_FOLDS = 5
FEW_ROWS = 20
"""A class with fewer coded rows (per target) than this is too few to learn from: warned."""


@dataclass(frozen=True)
class Candidate:
    strategy: str
    c: float
    class_weight: str | None

    def describe(self) -> dict:
        return {"strategy": self.strategy, "c": self.c, "class_weight": self.class_weight}


@dataclass(frozen=True)
class Training:
    """A trained model with its cross-validated figures and what chose it."""

    model: StanceModel
    candidate: Candidate
    rows: tuple[MetricRow, ...]
    confusion: dict[str, np.ndarray]
    grid: tuple[tuple[Candidate, float], ...]
    counts: dict[str, tuple[int, ...]]
    folds: int
    seed: int
    warnings: tuple[str, ...] = field(default=())


def candidates(has_targets: bool) -> list[Candidate]:
    strategies = ("per_target", "pooled") if has_targets else ("pooled",)
    return [Candidate(s, c, w) for s in strategies for w in CLASS_WEIGHTS for c in C_GRID]


def fold_of_rows(rows: CodedRows, *, seed: int) -> tuple[np.ndarray, int]:
    """A fold number per row: stratified k-fold over target × label, shuffled with ``seed``."""
    from sklearn.model_selection import StratifiedKFold

    strata = [f"{t}\x00{label}" for t, label in zip(rows.targets, rows.labels, strict=True)]
    _, sizes = np.unique(strata, return_counts=True)
    k = int(max(2, min(MAX_FOLDS, sizes.max())))
    folds = np.empty(len(strata), dtype=np.int64)
    with warnings.catch_warnings():  # strata smaller than k only warn; they spread over folds
        warnings.simplefilter("ignore")
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        for number, (_, test) in enumerate(splitter.split(np.zeros(len(strata)), strata)):
            folds[test] = number
    return folds, k


def _groups(rows: CodedRows, strategy: str, subset: np.ndarray) -> list[tuple[str, np.ndarray]]:
    if strategy != "per_target":
        return [("", subset)]
    targets = np.asarray(rows.targets, dtype=object)
    return [(name, subset[targets[subset] == name]) for name in sorted(set(rows.targets))]


def cross_validate(rows: CodedRows, grid: Sequence[Candidate], folds: np.ndarray, *, seed: int
                   ) -> list[np.ndarray]:
    """Out-of-fold predictions of every candidate (features fitted once per fold and group)."""
    texts = [prepare(t) for t in rows.texts]
    labels = np.asarray(rows.labels, dtype=np.int64)
    targets = list(rows.targets)
    predictions = [np.full(len(texts), -1, dtype=np.int64) for _ in grid]
    for strategy in dict.fromkeys(c.strategy for c in grid):
        chosen = [(i, c) for i, c in enumerate(grid) if c.strategy == strategy]
        for fold in np.unique(folds):
            train_rows = np.flatnonzero(folds != fold)
            test_rows = np.flatnonzero(folds == fold)
            test_by_group = dict(_groups(rows, strategy, test_rows))
            for name, train_part in _groups(rows, strategy, train_rows):
                test_part = test_by_group.get(name, np.zeros(0, dtype=np.int64))
                if not len(test_part):
                    continue
                if not len(train_part):  # a target with every row in this fold: no model
                    continue
                block_targets = ([targets[r] for r in train_part]
                                 if strategy == "pooled" and rows.has_targets else None)
                blocks = fit_blocks([texts[r] for r in train_part], block_targets)
                x_train = features(blocks, [texts[r] for r in train_part],
                                   [targets[r] for r in train_part])
                x_test = features(blocks, [texts[r] for r in test_part],
                                  [targets[r] for r in test_part])
                for i, candidate in chosen:
                    model = fit_linear(blocks, x_train, labels[train_part], c=candidate.c,
                                       class_weight=candidate.class_weight, seed=seed)
                    predictions[i][test_part] = predict_features(model, x_test)
    return predictions


def _score(labels: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    from framelens.analysis.lenses.stance_model.metrics import confusion

    counts = confusion(labels, predicted)
    return f_avg(counts), float(class_figures(counts)[2].mean())


def fit_all(rows: CodedRows, candidate: Candidate, *, seed: int) -> StanceModel:
    """The candidate fitted on every row."""
    texts = [prepare(t) for t in rows.texts]
    labels = np.asarray(rows.labels, dtype=np.int64)
    everything = np.arange(len(texts))
    models: dict[str, LinearModel] = {}
    for name, part in _groups(rows, candidate.strategy, everything):
        part_texts = [texts[r] for r in part]
        part_targets = [rows.targets[r] for r in part]
        blocks = fit_blocks(part_texts, part_targets
                            if candidate.strategy == "pooled" and rows.has_targets else None)
        x = features(blocks, part_texts, part_targets)
        models[name] = fit_linear(blocks, x, labels[part], c=candidate.c,
                                  class_weight=candidate.class_weight, seed=seed)
    trained_on = tuple(sorted(set(rows.targets))) if rows.has_targets else ()
    return StanceModel(candidate.strategy, models, trained_on)


def train(rows: CodedRows, *, seed: int = 0) -> Training:
    """Choose, score and fit a stance model on coded rows (see the module docstring)."""
    check_trainable(rows)
    labels = np.asarray(rows.labels, dtype=np.int64)
    grid = candidates(rows.has_targets)
    folds, k = fold_of_rows(rows, seed=seed)
    scores = [_score(labels, p) for p in cross_validate(rows, grid, folds, seed=seed)]
    best = max(range(len(grid)), key=lambda i: (scores[i][0], scores[i][1], -i))
    candidate = grid[best]
    fresh, _ = fold_of_rows(rows, seed=seed + 1)
    predicted = cross_validate(rows, [candidate], fresh, seed=seed)[0]
    table, matrices = metrics_table(labels, predicted, rows.targets if rows.has_targets
                                    else [""] * len(labels))
    counts = {ALL_TARGETS: class_counts(rows.labels)}
    if rows.has_targets:
        for name in sorted(set(rows.targets)):
            counts[name] = class_counts([label for label, t in zip(rows.labels, rows.targets,
                                                                   strict=True) if t == name])
    few = []
    for name, per_class in counts.items():
        if name == ALL_TARGETS and rows.has_targets and candidate.strategy == "per_target":
            continue
        for label, count in zip(LABELS, per_class, strict=True):
            if count < FEW_ROWS:
                few.append(f"{label} {count}" if name == ALL_TARGETS
                           else f"{name}/{label} {count}")
    notes = [f"classes with fewer than {FEW_ROWS} coded rows, too few to learn from (their "
             f"figures are unreliable; code more): {', '.join(few)}"] if few else []
    model = fit_all(rows, candidate, seed=seed)
    return Training(model, candidate, tuple(table), matrices,
                    tuple(zip(grid, (s[0] for s in scores), strict=True)), counts, k, seed,
                    tuple(notes))


def evaluate(model: StanceModel, rows: CodedRows) -> tuple[list[MetricRow], dict[str, np.ndarray]]:
    """The model's figures on held-out coded rows (pooled, then per target)."""
    if model.strategy == "per_target" and not rows.has_targets:
        raise CodedFileError("the model has one classifier per target; name the target column "
                             "with --target-column", path=rows.path)
    if model.strategy == "per_target":
        for target, line in zip(rows.targets, rows.lines, strict=True):
            if model.model_for(target) is None:
                raise CodedFileError(f"target {target!r} has no classifier in the model "
                                     f"(trained on: {', '.join(model.targets)})", path=rows.path,
                                     line=line)
    if not rows.texts:
        raise CodedFileError("no coded rows", path=rows.path)
    targets = rows.targets if rows.has_targets else [""] * len(rows.texts)
    predicted = model.predict(list(rows.texts), list(targets))
    return metrics_table(rows.labels, predicted, targets)


def training_metadata(training: Training, rows: CodedRows, *, text_column: str,
                      label_column: str, target_column: str | None) -> dict:
    """What a model file records about its training (no timestamp: same input, same bytes)."""
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    from framelens.analysis.lenses.stance_model.metrics import metrics_object

    try:
        framelens_version = version("framelens")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        framelens_version = "unknown"
    cv = metrics_object(training.rows)
    cv["confusion"] = {name: counts.tolist() for name, counts in training.confusion.items()}
    return {
        "framelens_version": framelens_version,
        "labels": list(LABELS),
        "training_file": {"name": Path(rows.path).name, "sha256": rows.digest,
                          "rows": len(rows.texts), "text_column": text_column,
                          "label_column": label_column, "target_column": target_column},
        "rows_per_class": {name: list(c) for name, c in training.counts.items()},
        "seed": training.seed,
        "settings": training.candidate.describe(),
        "features": {"word_ngrams": [1, 3], "char_ngrams": [2, 5],
                     "weighting": "sublinear tf-idf, L2 per block", "classifier": "linear SVM"},
        "cv": {**cv, "folds": training.folds,
               "grid": [{**c.describe(), "f_avg": score} for c, score in training.grid]},
    }
