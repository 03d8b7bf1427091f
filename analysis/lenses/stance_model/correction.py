"""Stance shares corrected for the classifier's errors, with intervals over articles.

Classify and count (the share of units the model labels each class) is
biased whenever the classifier errs: a class it misses is undercounted, a
class it over-assigns is inflated, and the bias does not shrink with more
data. The adjusted count (Forman 2008, "Quantifying counts and costs via
classification", Data Mining and Knowledge Discovery 17, §3.2 "adjusted
count"; for several classes Hopkins & King 2010, "A method of automated
nonparametric content analysis for social science", AJPS 54, eq. 3;
González et al. 2017, "A review on quantification learning", ACM Computing
Surveys 50, §5.1) inverts the misclassification rates: with

    M[i, j] = P(predicted i | true j)      (from the cross-validated confusion matrix)
    q[i]    = share of units predicted i

the true shares p solve q = M p, so p = M⁻¹ q; for two classes this is
Forman's (q − fpr) / (tpr − fpr). Sampling noise can put p outside the
simplex: it is clipped to [0, 1] and renormalised to sum 1 (Forman 2008). The
correction assumes the rates M hold on the uncoded text as on the coded
rows: the same kind of text, coded the same way (no domain shift in P(text |
stance)); the shares themselves may differ.

Intervals: a percentile bootstrap with two sources of noise in each
replicate b. (1) The units: articles get Poisson(1) weights
(:func:`~framelens.analysis.stats.bootstrap.article_weights`), so an
article's sentences stay together (the cluster bootstrap); q*_b is the
weighted share. (2) The error rates: each true class's row of the confusion
counts n_j· draws rates from Dirichlet(n_j· + ½) (the Jeffreys posterior of
a multinomial), M*_b. Then p*_b = correct(q*_b, M*_b). As
:func:`~framelens.analysis.stats.bootstrap.cluster_ratio_ci` (without its
Student-t factor t_{m−1}/z), the percentile interval is widened by
√(m/(m−1)) around the estimate for m articles, and clipped to [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from framelens.analysis.stats.bootstrap import article_weights, cluster_ratio_cis

JEFFREYS = 0.5


def misclassification_rates(confusion: np.ndarray) -> np.ndarray:
    """M[i, j] = P(predicted i | true j) from counts [true, predicted].

    A class with no coded row has no rates: its column is the identity (it is
    then never predicted either, so its corrected share is 0).
    """
    counts = np.asarray(confusion, dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    rates = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    empty = totals.ravel() == 0
    rates[empty] = np.eye(len(counts))[empty]
    return rates.T


def adjusted_count(observed: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Shares p solving ``observed = rates @ p``, clipped to [0, 1] and renormalised.

    ``observed`` is (..., K) predicted shares, ``rates`` (..., K, K) with
    rates[i, j] = P(predicted i | true j); both may carry leading batch
    dimensions. A singular ``rates`` falls back to the least-squares solution
    (the pseudo-inverse). All-zero results are NaN.
    """
    q = np.asarray(observed, dtype=np.float64)
    m = np.broadcast_to(np.asarray(rates, dtype=np.float64), q.shape + q.shape[-1:])
    solved = np.einsum("...ij,...j->...i", np.linalg.pinv(m), q)
    clipped = np.clip(solved, 0.0, 1.0)
    total = clipped.sum(axis=-1, keepdims=True)
    return np.divide(clipped, total, out=np.full_like(clipped, math.nan), where=total > 0)


@dataclass(frozen=True)
class ShareEstimate:
    """Per class (LABELS order): raw and corrected shares with their intervals."""

    units: int
    clusters: int
    predicted: np.ndarray
    raw: np.ndarray
    raw_low: np.ndarray
    raw_high: np.ndarray
    corrected: np.ndarray
    low: np.ndarray
    high: np.ndarray


def corrected_shares(cluster_counts: np.ndarray, cluster_ids: list[str], confusion: np.ndarray,
                     *, seed: int = 0, resamples: int = 2000, level: float = 0.95
                     ) -> ShareEstimate:
    """Raw and adjusted-count shares of the classes with bootstrap intervals (module docstring).

    ``cluster_counts`` is (m, K): per cluster (article, or sentence when the
    interval is within the texts), how many of its units the model predicted
    each class. ``confusion`` is the (K, K) cross-validated counts [true,
    predicted] whose rates correct the shares.
    """
    k = np.asarray(confusion).shape[0]
    counts = np.asarray(cluster_counts, dtype=np.float64).reshape(len(cluster_ids), k)
    nan = np.full(k, math.nan)
    sizes = counts.sum(axis=1)
    total = sizes.sum()
    clusters = int((sizes > 0).sum())
    if total <= 0:
        return ShareEstimate(0, 0, np.zeros(k, dtype=np.int64), nan, nan, nan, nan, nan, nan)
    raw = counts.sum(axis=0) / total
    rates = misclassification_rates(confusion)
    corrected = adjusted_count(raw, rates)
    weights = article_weights(cluster_ids, seed=seed, resamples=resamples)
    replicate_sums = weights.replicate_sums(np.column_stack([counts, sizes]))  # (K + 1, R)
    denominators = replicate_sums[k]
    kept = denominators > 0
    raw_replicates = replicate_sums[:k, kept] / denominators[kept]  # (K, R')
    rng = np.random.default_rng([seed, 0x5EED])
    prior = np.asarray(confusion, dtype=np.float64) + JEFFREYS
    drawn = np.stack([rng.dirichlet(row, size=raw_replicates.shape[1]) for row in prior],
                     axis=1)  # (R', true, predicted)
    replicates = adjusted_count(raw_replicates.T, np.swapaxes(drawn, 1, 2))  # (R', K)
    inflate = math.sqrt(clusters / (clusters - 1)) if clusters > 1 else 1.0
    raw_intervals = cluster_ratio_cis(counts, sizes, weights, level=level, bounds=(0.0, 1.0))
    raw_low = np.array([interval[1] for interval in raw_intervals])
    raw_high = np.array([interval[2] for interval in raw_intervals])
    low, high = _interval(corrected, replicates, inflate, level, clusters)
    return ShareEstimate(int(total), clusters, counts.sum(axis=0).astype(np.int64), raw,
                         raw_low, raw_high, corrected, low, high)


def _interval(estimate: np.ndarray, replicates: np.ndarray, inflate: float, level: float,
              clusters: int) -> tuple[np.ndarray, np.ndarray]:
    if clusters < 2 or not len(replicates):
        return estimate.copy(), estimate.copy()
    finite = replicates[np.isfinite(replicates).all(axis=1)]
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail], axis=0)
    low = np.clip(estimate - inflate * (estimate - low), 0.0, 1.0)
    high = np.clip(estimate + inflate * (high - estimate), 0.0, 1.0)
    return low, high
