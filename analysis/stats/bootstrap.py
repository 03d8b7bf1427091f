"""Bootstrap intervals: within one text's sentences, and over articles (the article as the unit)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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


def group_weights(article_ids: Sequence[str], groups: Sequence[str], *, seed: int = 0,
                  resamples: int = 2000) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """:func:`article_weights` of each group's articles, and each article's row in them.

    ``article_ids[i]`` and ``groups[i]`` describe article i (e.g. the
    corpus's documents and their perspectives). Returns ``{group: weights}``
    (the group's articles in corpus order) and, per article, its row in its
    group's weights. An article's weights are the same as in
    ``article_weights([its id])``.
    """
    members: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        members.setdefault(group, []).append(i)
    row = np.empty(len(article_ids), dtype=np.int64)
    weights = {}
    for group, indices in members.items():
        row[indices] = np.arange(len(indices))
        weights[group] = article_weights([article_ids[i] for i in indices], seed=seed,
                                         resamples=resamples)
    return weights, row


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
    interval is the percentile interval of R*, each side's distance from R
    widened by

        c = √(m/(m−1)) · t_{m−1, (1+level)/2} / z_{(1+level)/2}

    for m articles with units: the bootstrap variance of a mean of m
    independent units is (m−1)/m times the unbiased one, and a few articles
    call for Student's t rather than the normal quantile. This is the
    reasoning of Hesterberg's (2015) "expanded percentile interval" ("What
    teachers should know about the bootstrap", *The American Statistician*
    69(4)), applied to the distances rather than the quantile levels, so it
    reads the stable 2.5%/97.5% quantiles: for a normal bootstrap
    distribution it is the t interval with the unbiased variance. Measured
    on simulated corpora (articles with their own share of positive
    sentences, 3–13 sentences each; ``bench/interval_coverage.py``, 1,000
    cases each): coverage 94.2% / 95.3% / 95.5% with 5 / 8 / 25 articles; with
    √(m/(m−1)) alone 89.1% / 92.3% / 94.4%; resampling sentences 64–68%.
    ``bounds`` clips the interval to the range
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
    return _widened_percentiles(estimate, replicates, int((n > 0).sum()), level, bounds)


def _widened_percentiles(estimate: float, replicates: np.ndarray, articles: int, level: float,
                         bounds: tuple[float, float]) -> tuple[float, float, float]:
    """The percentile interval of ``replicates`` widened around ``estimate`` as
    :func:`cluster_ratio_ci` describes."""
    if articles < 2 or replicates.size == 0:
        return (estimate, estimate, estimate)
    from scipy.special import ndtri, stdtrit

    tail = (1.0 - level) / 2.0
    low, high = np.quantile(replicates, [tail, 1.0 - tail])
    inflate = math.sqrt(articles / (articles - 1)) * float(stdtrit(articles - 1, 1.0 - tail)) \
        / float(ndtri(1.0 - tail))
    low = max(bounds[0], estimate - inflate * (estimate - float(low)))
    high = min(bounds[1], estimate + inflate * (float(high) - estimate))
    return (estimate, low, high)


# ------------------------------------------------------ intervals that know their unit

NO_INTERVAL = ""
"""``ci_unit`` of a cell without units (no sentence on the target or topic): no interval."""

CI_UNIT_NOTES = {
    OVER_ARTICLES: "95% interval over the perspective's articles",
    WITHIN_TEXTS: f"95% interval over sentences: within these texts (fewer than "
                  f"{MIN_ARTICLES_FOR_INTERVAL} articles)",
    NO_INTERVAL: "no interval",
}
"""What a ``ci_unit`` value means, in words (captions, the ``detail`` of compare's long table)."""


@dataclass(frozen=True)
class Interval:
    """A point estimate with its interval, what the interval resampled, and over how many
    articles the estimate rests."""

    estimate: float
    low: float
    high: float
    unit: str
    articles: int


def mean_interval(values, article_of, weights: np.ndarray, *, seed: int = 0,
                  resamples: int = 2000, level: float = 0.95,
                  bounds: tuple[float, float] = (-math.inf, math.inf)) -> Interval:
    """The mean of per-unit ``values`` (sentences, windows) with an interval over articles
    when at least :data:`MIN_ARTICLES_FOR_INTERVAL` articles hold a unit.

    ``article_of[i]`` is the row of ``weights`` (see :func:`article_weights`)
    of the article unit i belongs to. With enough articles the interval is
    :func:`cluster_ratio_ci` of the per-article sums and unit counts (unit
    :data:`OVER_ARTICLES`); with fewer it is :func:`bootstrap_mean_ci` of the
    units themselves, an interval within these texts (unit
    :data:`WITHIN_TEXTS`); without units, NaNs (unit :data:`NO_INTERVAL`). The
    estimate is always the plain mean of ``values`` (Σ s_j / Σ n_j over
    articles is the same number). Missing values (NaN) are left out, with
    their units.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    owner = np.asarray(article_of, dtype=np.int64).ravel()
    known = ~np.isnan(x)  # a missing value (the tone VADER cannot read) is not a unit
    return mean_intervals(x[known].reshape(-1, 1), owner[known], weights, seed=seed,
                          resamples=resamples, level=level, bounds=bounds)[0]


def mean_intervals(values, article_of, weights: np.ndarray, *, seed: int = 0,
                   resamples: int = 2000, level: float = 0.95,
                   bounds: tuple[float, float] = (-math.inf, math.inf)) -> list[Interval]:
    """:func:`mean_interval` of every column of ``values`` (units × columns, e.g. the cue
    counts of each sentence), sharing the units' articles: one matrix product for all."""
    x = np.asarray(values, dtype=np.float64)
    owner = np.asarray(article_of, dtype=np.int64).ravel()
    if x.ndim != 2 or x.shape[0] != owner.size:
        raise ValueError("values must be units × columns with one article per unit")
    if np.isnan(x).any():  # columns with missing values lose different units: one at a time
        return [mean_interval(x[:, c], owner, weights, seed=seed, resamples=resamples,
                              level=level, bounds=bounds) for c in range(x.shape[1])]
    columns = x.shape[1]
    if x.shape[0] == 0:
        return [Interval(math.nan, math.nan, math.nan, NO_INTERVAL, 0)] * columns
    present, local = np.unique(owner, return_inverse=True)
    articles = int(present.size)
    if articles < MIN_ARTICLES_FOR_INTERVAL:
        return [Interval(*bootstrap_mean_ci(x[:, c], seed=seed, resamples=resamples,
                                            level=level), WITHIN_TEXTS, articles)
                for c in range(columns)]
    sums = np.zeros((columns, articles))
    np.add.at(sums.T, local, x)
    counts = np.bincount(local, minlength=articles).astype(np.float64)
    chosen = weights[present]
    denominators = counts @ chosen
    kept = denominators > 0
    replicates = (sums @ chosen)[:, kept] / denominators[kept]
    intervals = []
    for c in range(columns):
        _, low, high = _widened_percentiles(float(sums[c].sum() / counts.sum()), replicates[c],
                                            articles, level, bounds)
        intervals.append(Interval(float(x[:, c].mean()), low, high, OVER_ARTICLES, articles))
    return intervals


def clopper_pearson_ci(successes: float, trials: float, *, level: float = 0.95
                       ) -> tuple[float, float]:
    """Clopper & Pearson (1934) "exact" binomial interval for ``successes`` out of ``trials``.

    low = B⁻¹((1 − level)/2; x, n − x + 1) (0 when x = 0) and high =
    B⁻¹((1 + level)/2; x + 1, n − x) (1 when x = n), B⁻¹ the beta quantile;
    x and n may be non-integer (as :func:`cluster_share_ci` uses them).
    NaNs when n = 0.
    """
    from scipy.special import betaincinv

    if not 0.0 < level < 1.0:
        raise ValueError("level must lie strictly between 0 and 1")
    x, n = float(successes), float(trials)
    if n <= 0:
        return (math.nan, math.nan)
    if not 0.0 <= x <= n:
        raise ValueError("successes must lie between 0 and trials")
    tail = (1.0 - level) / 2.0
    low = 0.0 if x <= 0 else float(betaincinv(x, n - x + 1.0, tail))
    high = 1.0 if x >= n else float(betaincinv(x + 1.0, n - x, 1.0 - tail))
    return (low, high)


def cluster_share_ci(hits, units, *, level: float = 0.95) -> tuple[float, float, float]:
    """A share of units over articles, Σ hits / Σ units, with the Korn–Graubard interval.

    Korn & Graubard (1998), "Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data", *Survey
    Methodology* 24(2): a Clopper–Pearson interval (:func:`clopper_pearson_ci`)
    at an effective sample size that carries the clustering. For the m
    articles with units (h_j hits of n_j units, N = Σ n_j, p = Σ h_j / N):

        v     = m/(m−1) · Σ (h_j − p n_j)² / N²    (linearisation variance of
                                                   a ratio over clusters)
        n_eff = min(N, p(1−p)/v)                   (N when v = 0 or p ∈ {0, 1})
        n_df  = n_eff · (z_{(1+level)/2} / t_{(1+level)/2, m−1})²
        interval = Clopper–Pearson(p · n_df, n_df)

    n_eff is capped at N (a design effect below 1 is not credited, as in
    Korn & Graubard's proposal). Chosen over :func:`cluster_ratio_ci` for
    shares because a share that is rare in most articles has a skewed
    bootstrap distribution: on simulated corpora (article rates
    Beta(0.5, 9.5), 20–60 sentences each; 1,000 cases per row) the cluster
    bootstrap covered 88.5% / 86.7% / 92.5% with 5 / 8 / 25 articles, this
    interval 96.3% / 91.9% / 94.3%; for common shares (Beta(2, 2)) both
    95–96% (``bench/interval_coverage.py``). Returns
    (p, low, high); NaNs without units. It needs at least 2 articles with
    units (t has m−1 degrees of freedom); callers use it from
    :data:`MIN_ARTICLES_FOR_INTERVAL` on.
    """
    from scipy.special import ndtri, stdtrit

    h = np.asarray(hits, dtype=np.float64).ravel()
    n = np.asarray(units, dtype=np.float64).ravel()
    if h.shape != n.shape:
        raise ValueError("hits and units must have one entry per article")
    if (h < 0).any() or (h > n).any():
        raise ValueError("hits must lie between 0 and the article's units")
    keep = n > 0
    h, n = h[keep], n[keep]
    total = n.sum()
    if total <= 0:
        return (math.nan, math.nan, math.nan)
    m = h.size
    if m < 2:
        raise ValueError("a share over articles needs at least 2 articles with units")
    share = float(h.sum() / total)
    variance = m / (m - 1) * float(((h - share * n) ** 2).sum()) / total ** 2
    n_eff = total if variance <= 0 or share in (0.0, 1.0) else \
        min(total, share * (1.0 - share) / variance)
    quantile = (1.0 + level) / 2.0
    n_df = n_eff * (float(ndtri(quantile)) / float(stdtrit(m - 1, quantile))) ** 2
    low, high = clopper_pearson_ci(share * n_df, n_df, level=level)
    return (share, low, high)


def share_interval(hits, units, *, level: float = 0.95) -> Interval:
    """A share of sentences (Σ hits / Σ units over articles) with the interval its
    articles allow.

    ``hits[j]``/``units[j]``: article j's sentences that count and all its
    sentences considered. With at least :data:`MIN_ARTICLES_FOR_INTERVAL`
    articles with units: :func:`cluster_share_ci` (unit
    :data:`OVER_ARTICLES`); with fewer: :func:`clopper_pearson_ci` of the
    pooled sentences, an interval within these texts (:data:`WITHIN_TEXTS`);
    without units: NaNs (:data:`NO_INTERVAL`).
    """
    h = np.asarray(hits, dtype=np.float64).ravel()
    n = np.asarray(units, dtype=np.float64).ravel()
    articles = int((n > 0).sum())
    if articles == 0:
        return Interval(math.nan, math.nan, math.nan, NO_INTERVAL, 0)
    share = float(h.sum() / n.sum())
    if articles < MIN_ARTICLES_FOR_INTERVAL:
        low, high = clopper_pearson_ci(h.sum(), n.sum(), level=level)
        return Interval(share, low, high, WITHIN_TEXTS, articles)
    _, low, high = cluster_share_ci(h, n, level=level)
    return Interval(share, low, high, OVER_ARTICLES, articles)


def units_note(units, *, what: str = "the mean") -> str:
    """One sentence for a caption: over which unit the intervals of a table were taken.

    ``units``: the ``ci_unit`` values of its rows. Says when some or all
    intervals are only within these texts.
    """
    present = {u for u in units if u != NO_INTERVAL}
    articles = (f"95% intervals of {what} are over the perspective's articles (ci_unit = "
                f"{OVER_ARTICLES}: cluster bootstrap with Poisson weights per article; shares: "
                f"Korn-Graubard) where at least {MIN_ARTICLES_FOR_INTERVAL} articles contribute")
    within = ("over the sentences of fewer articles, within these texts only (ci_unit = "
              f"{WITHIN_TEXTS}): they do not say what the perspective would publish")
    if present == {WITHIN_TEXTS}:
        return (f"Every perspective here rests on fewer than {MIN_ARTICLES_FOR_INTERVAL} "
                f"articles: the 95% intervals of {what} are within these texts only (ci_unit = "
                f"{WITHIN_TEXTS}: resampled sentences), not intervals for the perspective.")
    if present == {OVER_ARTICLES}:
        return articles + "."
    return articles + "; elsewhere " + within + "."
