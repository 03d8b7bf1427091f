"""Bootstrap intervals: within one text's sentences, and over articles (the article as the unit)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# Upper bound on elements drawn at once by the bootstrap (32 MiB of int64).
_BOOTSTRAP_CHUNK = 1 << 22


# Below this many resampled values (values × resamples) a process pool costs more than it saves.
_PARALLEL_BOOTSTRAP_WORK = 50_000_000


def bootstrap_mean_ci(values, *, seed: int = 0, resamples: int = 2000, level: float = 0.95
                      ) -> tuple[float, float, float]:
    """Mean with a percentile bootstrap confidence interval.

    Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13
    (percentile interval): draw ``resamples`` samples of size n with
    replacement, take each sample's mean θ*_b, and report

        (mean(x), quantile(θ*, (1 − level)/2), quantile(θ*, (1 + level)/2)).

    Resampling uses ``numpy.random.default_rng(seed)`` and is vectorised
    (in chunks of bounded memory), so the result is deterministic for a given
    seed and input. Empty input returns (nan, nan, nan): there is no mean to
    report. A single value v, or n equal values v, returns (v, v, v). Values
    must be finite.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if not np.isfinite(x).all():
        raise ValueError("values must be finite")
    if not 0.0 < level < 1.0:
        raise ValueError("level must lie strictly between 0 and 1")
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    n = x.size
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1 or (x == x[0]).all():
        value = float(x[0])
        return (value, value, value)
    rng = np.random.default_rng(seed)
    per_chunk = max(1, _BOOTSTRAP_CHUNK // n)
    means = np.empty(resamples, dtype=np.float64)
    for start in range(0, resamples, per_chunk):
        stop = min(resamples, start + per_chunk)
        draws = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = x[draws].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return (mean, float(low), float(high))


def bootstrap_mean_cis(samples: Sequence, *, seed: int = 0, resamples: int = 2000,
                       level: float = 0.95) -> list[tuple[float, float, float]]:
    """:func:`bootstrap_mean_ci` of each sample (each with the same ``seed``), in order.

    Missing values (NaN: the tone of a sentence VADER cannot read) are left
    out of each sample first. The same numbers as calling it on each sample;
    when the resampling work (values × resamples, summed) is large, the samples
    are spread over a process pool on every core.
    """
    arrays = [np.asarray(values, dtype=np.float64).ravel() for values in samples]
    arrays = [a[~np.isnan(a)] if np.isnan(a).any() else a for a in arrays]
    work = sum(a.size for a in arrays) * resamples
    if work < _PARALLEL_BOOTSTRAP_WORK or len(arrays) < 2:
        return [bootstrap_mean_ci(a, seed=seed, resamples=resamples, level=level) for a in arrays]
    from framelens.analysis.parallel import parallel_map

    # Largest first, one sample a task, so the workers finish together.
    order = sorted(range(len(arrays)), key=lambda i: -arrays[i].size)
    results = parallel_map(_bootstrap_each, [(arrays[i], seed, resamples, level) for i in order],
                           min_items=2, chunks_per_worker=len(arrays))
    by_index = dict(zip(order, results, strict=True))
    return [by_index[i] for i in range(len(arrays))]


def _bootstrap_each(items: list) -> list[tuple[float, float, float]]:
    return [bootstrap_mean_ci(values, seed=seed, resamples=resamples, level=level)
            for values, seed, resamples, level in items]


# ----------------------------------------------------------- the article as the unit

MIN_ARTICLES_FOR_INTERVAL = 5
"""Fewest articles a group needs for an interval over articles.

With fewer, resampling articles cannot say how another sample of the
group's articles would differ (with one article there is nothing to
resample); the interval is then only over the sentences of these texts, and
labelled so (:data:`WITHIN_TEXTS`)."""

OVER_ARTICLES = "articles"
WITHIN_TEXTS = "sentences"
"""Values of a ``ci_unit`` column: what the interval resampled."""


def article_weights(article_ids: Sequence[str], *, seed: int = 0, resamples: int = 2000
                    ) -> np.ndarray:
    """Poisson(1) bootstrap weights, one row per article and one column per replicate.

    The Poisson bootstrap (Hanley & MacGibbon 2006, "Creating non-parametric
    bootstrap samples using Poisson frequencies", Computer Methods and
    Programs in Biomedicine 83; Chamandy et al. 2012, "Estimating uncertainty
    for massive data streams", Google) gives each unit an independent
    Poisson(1) count of copies instead of one multinomial draw of n units: for
    large n the two agree, and each unit's weights depend on nothing but the
    unit, so per-article partial sums merge in any order and across machines.
    Each article's weights come from its own generator seeded by
    ``(seed, sha256(article id))``: the same article has the same weights in
    every run, whatever else the corpus holds.
    """
    import hashlib

    weights = np.empty((len(article_ids), resamples), dtype=np.float64)
    for row, article_id in enumerate(article_ids):
        key = int.from_bytes(hashlib.sha256(article_id.encode()).digest()[:8], "little")
        weights[row] = np.random.default_rng([seed, key]).poisson(1.0, resamples)
    return weights


def cluster_ratio_ci(sums, counts, weights: np.ndarray, *, level: float = 0.95,
                     bounds: tuple[float, float] = (-math.inf, math.inf)
                     ) -> tuple[float, float, float]:
    """A ratio of totals over articles, Σ sums / Σ counts, with a cluster bootstrap interval.

    ``sums[j]`` and ``counts[j]`` are article j's total and number of units
    (e.g. the tones of its sentences on a target and how many there are; or
    the sentences on a topic and all its sentences, for a share). The
    estimate is the pooled ratio R = Σ s_j / Σ n_j. Each bootstrap replicate
    b weighs the articles by ``weights[:, b]`` (see :func:`article_weights`),
    keeping each article's sentences together (the cluster bootstrap:
    Davison & Hinkley 1997, *Bootstrap Methods and their Application*,
    §3.8; Field & Welsh 2007, "Bootstrapping clustered data", JRSS B 69),
    R*_b = Σ w_jb s_j / Σ w_jb n_j over replicates with Σ w_jb n_j > 0. The
    interval is the percentile interval of R*, widened by √(m/(m−1)) around
    R for m articles with units: the bootstrap variance of a mean of m
    independent units is (m−1)/m times the unbiased one, which makes plain
    percentile intervals too narrow for few articles. Measured on simulated
    corpora (articles with their own tone, 8 sentences each; 1,500 cases):
    coverage 94.6% with 25 articles, 93.7% with 8, where resampling
    sentences covers about 72%. ``bounds`` clips the interval to the range
    the ratio can take (e.g. (−1, 1) for VADER tone, (0, 1) for a share).
    Returns (R, low, high); NaNs when no article has a unit; (R, R, R) with
    a single such article.
    """
    s = np.asarray(sums, dtype=np.float64).ravel()
    n = np.asarray(counts, dtype=np.float64).ravel()
    if s.shape != n.shape or weights.shape[0] != s.size:
        raise ValueError("sums, counts and weights must have one entry per article")
    if not 0.0 < level < 1.0:
        raise ValueError("level must lie strictly between 0 and 1")
    total = n.sum()
    if total <= 0:
        return (math.nan, math.nan, math.nan)
    estimate = float(s.sum() / total)
    denominators = n @ weights
    kept = denominators > 0
    replicates = (s @ weights)[kept] / denominators[kept]
    articles = int((n > 0).sum())
    if articles < 2 or replicates.size == 0:
        return (estimate, estimate, estimate)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(replicates, [tail, 1.0 - tail])
    inflate = math.sqrt(articles / (articles - 1))
    low = max(bounds[0], estimate - inflate * (estimate - float(low)))
    high = min(bounds[1], estimate + inflate * (float(high) - estimate))
    return (estimate, low, high)
