"""``stance --model``: per perspective × target, the shares of favor / against / none,
classified by a trained stance model and corrected for its errors (see ``correction.py``)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from framelens.analysis.io.documents import Corpus
from framelens.analysis.lenses.stance_model.coded import LABELS
from framelens.analysis.lenses.stance_model.correction import corrected_shares
from framelens.analysis.lenses.stance_model.metrics import ALL_TARGETS
from framelens.analysis.lenses.stance_model.model_file import ModelFileError, load_model
from framelens.analysis.process.annotators import (
    configured_targets,
    select_targets,
    target_mentions,
)
from framelens.analysis.process.document_pass import prepare
from framelens.analysis.process.pipeline import processed
from framelens.analysis.process.tone import sentence_tones
from framelens.analysis.results import Result
from framelens.analysis.stats.bootstrap import (
    MIN_ARTICLES_FOR_INTERVAL,
    OVER_ARTICLES,
    WITHIN_TEXTS,
)

RESAMPLES = 2000


@dataclass(frozen=True)
class StanceShareRow:
    """One stance class of one perspective × target (shares 0–1)."""

    perspective: str
    target: str
    stance: str
    sentences: int
    articles: int
    predicted: int
    raw_share: float
    raw_ci_low: float
    raw_ci_high: float
    share: float
    ci_low: float
    ci_high: float
    ci_unit: str
    tone_mean: float


def stance_shares(corpus: Corpus, model_path: str | Path, *, targets: Iterable[str] = (),
                  target_alias: Iterable[str] = (), seed: int = 0,
                  resamples: int = RESAMPLES) -> Result:
    """Model-coded stance shares per perspective × target, corrected, with 95% intervals.

    The unit is a sentence that mentions the target (classified toward that
    target); the interval resamples articles, or the sentences of these texts
    when a cell rests on fewer than ``MIN_ARTICLES_FOR_INTERVAL`` articles
    (``ci_unit`` says which). ``tone_mean`` is the mean VADER compound of the
    cell's sentences, for comparison with the stance.
    """
    loaded = load_model(model_path)
    model, meta = loaded.model, loaded.metadata
    confusions = _confusions(meta, model_path)
    all_targets = configured_targets(corpus.config, target_alias)
    targets = list(targets)
    if not targets and model.targets:  # by default the targets the model was coded on
        known = {t.name for t in all_targets}
        targets = [t for t in model.targets if t in known]
        if not targets:
            warnings_first = ("none of the model's targets "
                              f"({', '.join(model.targets)}) is a target of this corpus")
            raise ModelFileError(warnings_first + "; add them with --target-alias",
                                 path=model_path)
    selected = select_targets(all_targets, targets)
    prepare(corpus)  # one pass over every new document: its annotations and tones too
    documents = processed(corpus)
    mentions = target_mentions(corpus, all_targets)
    warnings: list[str] = []
    usable = []
    for target in selected:
        if model.model_for(target.name) is None:
            warnings.append(f"the model has no classifier for target {target.name!r} (trained "
                            f"on: {', '.join(model.targets)}); left out")
        else:
            usable.append(target)
            if model.targets and target.name not in model.targets:
                warnings.append(f"target {target.name!r} was not among the coded targets; its "
                                "shares use the model's pooled error rates")
    index_of = {t.name: k for k, t in enumerate(all_targets)}
    positions: dict[str, list[tuple[int, int]]] = {}
    for target in usable:
        k = index_of[target.name]
        positions[target.name] = [(d, i) for d, per_sentence in enumerate(mentions)
                                  for i, triples in enumerate(per_sentence)
                                  if any(t[0] == k for t in triples)]
    needed: dict[int, list[int]] = {}
    for keys in positions.values():
        for d, i in keys:
            needed.setdefault(d, []).append(i)
    tones = sentence_tones(corpus, needed)
    rows: list[StanceShareRow] = []
    few: list[str] = []
    for target in usable:
        keys = positions[target.name]
        texts = [documents[d].sentences[i] for d, i in keys]
        predicted = model.predict(texts, [target.name] * len(texts))
        confusion = confusions.get(target.name, confusions[ALL_TARGETS])
        for perspective in corpus.perspective_ids:
            mine = [n for n, (d, _) in enumerate(keys) if documents[d].perspective == perspective]
            articles = sorted({documents[keys[n][0]].doc_id for n in mine})
            if len(articles) >= MIN_ARTICLES_FOR_INTERVAL:
                unit, clusters = OVER_ARTICLES, articles
                cluster_of = [documents[keys[n][0]].doc_id for n in mine]
            else:
                unit = WITHIN_TEXTS
                cluster_of = [f"{documents[keys[n][0]].doc_id}#{keys[n][1]}" for n in mine]
                clusters = sorted(set(cluster_of))
                if mine:
                    few.append(f"{perspective}/{target.name}")
            where = {c: j for j, c in enumerate(clusters)}
            counts = np.zeros((len(clusters), len(LABELS)))
            for n, cluster in zip(mine, cluster_of, strict=True):
                counts[where[cluster], predicted[n]] += 1
            estimate = corrected_shares(counts, list(clusters), confusion, seed=seed,
                                        resamples=resamples)
            # Missing tones (sentences VADER cannot read: not English) are left out.
            toned = [tones[keys[n]] for n in mine if not math.isnan(tones[keys[n]])]
            tone = float(np.mean(toned)) if toned else math.nan
            for c, label in enumerate(LABELS):
                rows.append(StanceShareRow(
                    perspective, target.name, label, len(mine), len(articles),
                    int(estimate.predicted[c]), float(estimate.raw[c]),
                    float(estimate.raw_low[c]), float(estimate.raw_high[c]),
                    float(estimate.corrected[c]), float(estimate.low[c]),
                    float(estimate.high[c]), unit if mine else "", tone))
    if few:
        warnings.append(f"fewer than {MIN_ARTICLES_FOR_INTERVAL} articles behind "
                        f"{', '.join(few)}: those intervals resample sentences and hold only "
                        "within these texts (ci_unit = sentences)")
    f = meta.get("cv", {}).get("f_avg")
    return Result(StanceShareRow, tuple(rows),
                  title="Stance toward targets: model-coded shares per perspective, corrected "
                        "for the classifier's errors",
                  caption=shares_caption(meta, seed, resamples), warnings=tuple(warnings),
                  extra={"targets": tuple(t.name for t in usable), "model_f_avg": f,
                         "seed": seed}, styles=corpus.styles)


def _confusions(meta: dict, path: str | Path) -> dict[str, np.ndarray]:
    try:
        table = meta["cv"]["confusion"]
        matrices = {str(name): np.asarray(counts, dtype=np.int64).reshape(len(LABELS), len(LABELS))
                    for name, counts in table.items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ModelFileError("model file holds no cross-validated confusion matrix",
                             path=path) from None
    if ALL_TARGETS not in matrices or any((m < 0).any() for m in matrices.values()):
        raise ModelFileError("model file's confusion matrices are incomplete", path=path)
    return matrices


def shares_caption(meta: dict, seed: int, resamples: int) -> str:
    cv = meta.get("cv", {})
    f = cv.get("f_avg")
    figure = f"cross-validated F_avg {f:.1f}" if isinstance(f, int | float) else "its CV figures"
    return (
        "Unit: a sentence that mentions the target, classified favor / against / none toward it "
        f"by the stance model ({figure}). raw_share: the share the model assigns each class "
        "(classify and count). share: the adjusted count, the raw shares corrected with the "
        "model's cross-validated misclassification rates (Forman 2008; Hopkins & King 2010), "
        "clipped to [0, 1] and renormalised. 95% percentile-bootstrap intervals "
        f"({resamples} resamples, seed {seed}) resample articles (ci_unit = articles), or "
        f"the sentences of these texts when fewer than {MIN_ARTICLES_FOR_INTERVAL} articles "
        "carry the cell (ci_unit = sentences); the corrected interval also draws the error "
        "rates from their posterior given the coded rows. The correction assumes the model errs "
        "on these texts as it did on the coded ones. tone_mean: mean VADER compound of the "
        "cell's sentences, which is tone, not stance."
    )
