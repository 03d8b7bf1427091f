"""Bootstrap intervals: within one text's sentences, and over articles (the article as the unit).

Over articles, every article has its own Poisson(1) weights from a counter-based generator
(:func:`poisson_weights`), generated a block of articles at a time
(:meth:`ArticleWeights.replicate_sums`): replicate sums Σ_j w_jb s_j of any partition of the
articles merge by addition, and memory does not grow with articles × replicates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

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


# SplitMix64's constants (Steele, Lea & Flood 2014): the increment γ = ⌊2^64/φ⌋ (odd) and
# the finaliser's shifts and multipliers (Stafford's "Mix13" variant of MurmurHash3's).
_GOLDEN_GAMMA = 0x9E3779B97F4A7C15
_MIX_SHIFTS = (30, 27, 31)
_MIX_MULTIPLIERS = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB)
_UINT64 = (1 << 64) - 1

# The inverse CDF reads the top bits of each 64-bit draw in a table first.
_LOOKUP_BITS = 16

# Weights generated at once by :meth:`ArticleWeights.replicate_sums` (4 MiB of float64):
# whatever the number of articles, never more than a block of them is held.
_WEIGHT_BLOCK_ELEMENTS = 1 << 19


def article_keys(article_ids: Sequence[str]) -> np.ndarray:
    """Each article's 64-bit key: the first 8 bytes of SHA-256 of its id (UTF-8), little-endian."""
    import hashlib

    return np.fromiter((int.from_bytes(hashlib.sha256(article_id.encode()).digest()[:8],
                                       "little") for article_id in article_ids),
                       dtype=np.uint64, count=len(article_ids))


def _mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, in place on uint64 (arithmetic wraps modulo 2^64):
    z ← (z ⊕ z≫30)·M1, z ← (z ⊕ z≫27)·M2, z ← z ⊕ z≫31."""
    shifted = np.empty_like(z)
    for shift, multiplier in zip(_MIX_SHIFTS, (*_MIX_MULTIPLIERS, None), strict=True):
        np.right_shift(z, np.uint64(shift), out=shifted)
        np.bitwise_xor(z, shifted, out=z)
        if multiplier is not None:
            np.multiply(z, np.uint64(multiplier), out=z)
    return z


def _mix64_int(value: int) -> int:
    """:func:`_mix64` of one Python integer."""
    value &= _UINT64
    for shift, multiplier in zip(_MIX_SHIFTS, (*_MIX_MULTIPLIERS, 1), strict=True):
        value = ((value ^ (value >> shift)) * multiplier) & _UINT64
    return value


POISSON_MAX_WEIGHT = 17
"""Largest weight drawn: P(X > 17) ≈ 5.6·10⁻¹⁷ < 2⁻⁵³ for X ~ Poisson(1), and that tail
is given to 17 (see :func:`poisson_weights`)."""


@cache
def _poisson_inverse_cdf() -> tuple[np.ndarray, np.ndarray]:
    """The thresholds T_k = ⌈F(k)·2^64⌉ of the Poisson(1) CDF F for k = 0…16, and a table
    of the weight for each value of a draw's top :data:`_LOOKUP_BITS` bits (−1 where the
    thresholds cut that range).

    F is computed in decimal arithmetic at 60 digits, so the table is the same on every
    machine (a platform's exp() may differ in the last bit)."""
    from decimal import Decimal, localcontext

    thresholds = []
    with localcontext() as context:
        context.prec = 60
        term = cdf = Decimal(-1).exp()  # P(X = 0)
        k = 0
        while 1 - cdf >= Decimal(2) ** -53:
            scaled = cdf * (1 << 64)
            thresholds.append(int(scaled) + (scaled != int(scaled)))  # ceiling
            k += 1
            term /= k
            cdf += term
    if len(thresholds) != POISSON_MAX_WEIGHT:
        raise AssertionError("Poisson(1) table does not end at POISSON_MAX_WEIGHT")
    cuts = np.array(thresholds, dtype=np.uint64)
    width = 64 - _LOOKUP_BITS
    starts = np.arange(1 << _LOOKUP_BITS, dtype=np.uint64) << np.uint64(width)
    first = np.searchsorted(cuts, starts, side="right")
    last = np.searchsorted(cuts, starts + np.uint64((1 << width) - 1), side="right")
    lookup = np.where(first == last, first, -1).astype(np.float64)
    return cuts, lookup


def poisson_weights(keys, *, seed: int = 0, resamples: int = 2000) -> np.ndarray:
    """Poisson(1) bootstrap weights of the articles with these 64-bit ``keys``
    (:func:`article_keys`): one row per key, one column per replicate (float64).

    The Poisson bootstrap (Hanley & MacGibbon 2006, "Creating non-parametric
    bootstrap samples using Poisson frequencies", *Computer Methods and
    Programs in Biomedicine* 83; Chamandy et al. 2012, "Estimating uncertainty
    for massive data streams", Google) gives each unit an independent
    Poisson(1) count of copies instead of one multinomial draw of n units: for
    large n the two agree, and each unit's weights depend on nothing but the
    unit, so per-article partial sums merge in any order and across machines.

    The weights come from a counter-based generator: weight[j, b] is a pure
    function of (seed, key_j, b), computed for all j and b at once. With
    SplitMix64's finaliser mix and increment γ (Steele, Lea & Flood 2014,
    "Fast splittable pseudorandom number generators", OOPSLA) and arithmetic
    modulo 2^64:

        base_j  = mix(key_j ⊕ mix((seed + 1)·γ))
        u_jb    = mix(base_j + (b + 1)·γ)            (b = 0 … resamples − 1)
        w_jb    = #{k : T_k ≤ u_jb},  T_k = ⌈F(k)·2^64⌉, F the Poisson(1) CDF

    so u_jb is draw b + 1 of a SplitMix64 generator started at base_j, and
    w_jb is the inverse CDF of Poisson(1) at u_jb / 2^64 (a table of the top
    16 bits first, an exact search of the thresholds where they cut). The
    table stops at k = 16: P(X > 17) = 5.6·10⁻¹⁷ < 2⁻⁵³ is given to
    :data:`POISSON_MAX_WEIGHT` = 17 (no 53-bit uniform could tell it apart).
    Two articles' streams overlap only if their bases differ by fewer than
    ``resamples`` multiples of γ (probability about 2·resamples/2^64 a pair).
    This is a sampler for the bootstrap, not a cryptographic one.
    """
    keys = np.asarray(keys, dtype=np.uint64).ravel()
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    cuts, lookup = _poisson_inverse_cdf()
    base = _mix64(keys ^ np.uint64(_mix64_int((int(seed) + 1) * _GOLDEN_GAMMA)))
    steps = np.arange(1, resamples + 1, dtype=np.uint64)
    np.multiply(steps, np.uint64(_GOLDEN_GAMMA), out=steps)
    draws = _mix64(base[:, None] + steps[None, :])
    # The top bits fit in 16, so the uint64 shift is read as int64 as it is (no cast pass).
    top = np.right_shift(draws, np.uint64(64 - _LOOKUP_BITS)).view(np.int64)
    weights = lookup.take(top)
    cut = np.flatnonzero(weights < 0)
    if cut.size:
        weights.flat[cut] = np.searchsorted(cuts, draws.ravel()[cut], side="right")
    return weights


@dataclass(frozen=True, eq=False)
class ArticleWeights:
    """The Poisson(1) weights of some articles (rows) in ``resamples`` replicates (columns).

    Only the articles' keys are held; weights are generated when needed
    (:func:`poisson_weights`), a block of articles at a time, so memory does
    not grow with articles × replicates. Row j is the article ``keys[j]``'s
    own weights whatever else is here.
    """

    keys: np.ndarray
    seed: int = 0
    resamples: int = 2000

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.keys), self.resamples)

    def subset(self, rows) -> ArticleWeights:
        """The weights of the articles at ``rows`` (in that order)."""
        return ArticleWeights(self.keys[np.asarray(rows, dtype=np.intp)], self.seed,
                              self.resamples)

    def dense(self) -> np.ndarray:
        """The whole articles × replicates matrix (for a few articles: tests, examples)."""
        return poisson_weights(self.keys, seed=self.seed, resamples=self.resamples)

    def replicate_sums(self, values) -> np.ndarray:
        """Σ_j w_jb · values[j, c] for every column c and replicate b: (columns, resamples).

        ``values`` is articles × columns (a numpy array or a SciPy sparse
        matrix; a vector is one column and gives a vector). Weights are
        generated for :data:`_WEIGHT_BLOCK_ELEMENTS` // resamples articles at a
        time and added up block by block.
        """
        vector = not hasattr(values, "tocsr") and np.ndim(values) == 1
        if vector:
            values = np.asarray(values, dtype=np.float64).reshape(-1, 1)
        elif hasattr(values, "tocsr"):
            values = values.tocsr()  # row blocks are slices
        else:
            values = np.asarray(values, dtype=np.float64)
        if values.shape[0] != len(self.keys):
            raise ValueError("values must have one row per article")
        sums = np.zeros((values.shape[1], self.resamples), dtype=np.float64)
        block = max(1, _WEIGHT_BLOCK_ELEMENTS // self.resamples)
        # One thread: a block's product is too small for BLAS threads to pay, and on a busy
        # machine they cost several times the product (the process pool uses the cores).
        with _blas_controller().limit(limits=1, user_api="blas"):
            for start in range(0, len(self.keys), block):
                stop = min(len(self.keys), start + block)
                weights = poisson_weights(self.keys[start:stop], seed=self.seed,
                                          resamples=self.resamples)
                part = values[start:stop]
                if hasattr(part, "tocsr") and 4 * part.nnz >= part.shape[0] * part.shape[1]:
                    part = part.toarray()  # a quarter filled or more: BLAS beats sparse
                sums += part.T @ weights
        return sums[0] if vector else sums


@cache
def _blas_controller():
    """threadpoolctl's view of the loaded BLAS (threadpoolctl comes with scikit-learn)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def article_weights(article_ids: Sequence[str], *, seed: int = 0, resamples: int = 2000
                    ) -> ArticleWeights:
    """The Poisson(1) bootstrap weights of these articles (:func:`poisson_weights` of their
    :func:`article_keys`): the same article has the same weights in every run, whatever
    else the corpus holds, and any subset of articles can be weighed alone."""
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    return ArticleWeights(article_keys(article_ids), int(seed), int(resamples))


def group_weights(article_ids: Sequence[str], groups: Sequence[str], *, seed: int = 0,
                  resamples: int = 2000) -> tuple[dict[str, ArticleWeights], np.ndarray]:
    """:func:`article_weights` of each group's articles, and each article's row in them.

    ``article_ids[i]`` and ``groups[i]`` describe article i (e.g. the
    corpus's documents and their perspectives). Returns ``{group: weights}``
    (the group's articles in corpus order) and, per article, its row in its
    group's weights. An article's weights are the same as in
    ``article_weights([its id])``.
    """
    keys = article_keys(article_ids)
    members: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        members.setdefault(group, []).append(i)
    row = np.empty(len(article_ids), dtype=np.int64)
    weights = {}
    for group, indices in members.items():
        row[indices] = np.arange(len(indices))
        weights[group] = ArticleWeights(keys[indices], int(seed), int(resamples))
    return weights, row


def _replicate_sums(weights: ArticleWeights | np.ndarray, values) -> np.ndarray:
    """Σ_j w_jb · values[j, c]: (columns, replicates), from generated or explicit weights."""
    if isinstance(weights, ArticleWeights):
        return weights.replicate_sums(values)
    if not hasattr(values, "tocsr"):
        values = np.asarray(values, dtype=np.float64)
    return np.asarray(values.T @ np.asarray(weights, dtype=np.float64))


def _weight_rows(weights: ArticleWeights | np.ndarray, rows: np.ndarray
                 ) -> ArticleWeights | np.ndarray:
    if isinstance(weights, ArticleWeights):
        return weights.subset(rows)
    return np.asarray(weights)[rows]


def cluster_ratio_ci(sums, counts, weights: ArticleWeights | np.ndarray, *, level: float = 0.95,
                     bounds: tuple[float, float] = (-math.inf, math.inf)
                     ) -> tuple[float, float, float]:
    """A ratio of totals over articles, Σ sums / Σ counts, with a cluster bootstrap interval.

    ``sums[j]`` and ``counts[j]`` are article j's total and number of units
    (e.g. the tones of its sentences on a target and how many there are; or
    the sentences on a topic and all its sentences, for a share). The
    estimate is the pooled ratio R = Σ s_j / Σ n_j. Each bootstrap replicate
    b weighs the articles by ``weights[:, b]`` (:func:`article_weights`, or an
    explicit articles × replicates matrix),
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
    cases each): coverage 93.9% / 95.9% / 95.7% with 5 / 8 / 25 articles; with
    √(m/(m−1)) alone 89.1% / 92.3% / 94.4% (measured with the earlier per-article numpy
    generators, under which this interval covered 94.2% / 95.3% / 95.5%); resampling
    sentences 64–68%.
    ``bounds`` clips the interval to the range
    the ratio can take (e.g. (−1, 1) for VADER tone, (0, 1) for a share).
    Returns (R, low, high); NaNs when no article has a unit; (R, R, R) with
    a single such article.
    """
    s = np.asarray(sums, dtype=np.float64).ravel()
    n = np.asarray(counts, dtype=np.float64).ravel()
    if s.shape != n.shape:
        raise ValueError("sums, counts and weights must have one entry per article")
    return cluster_ratio_cis(s.reshape(-1, 1), n, weights, level=level, bounds=bounds)[0]


def cluster_ratio_cis(sums, counts, weights: ArticleWeights | np.ndarray, *,
                      level: float = 0.95, bounds: tuple[float, float] = (-math.inf, math.inf)
                      ) -> list[tuple[float, float, float]]:
    """:func:`cluster_ratio_ci` of every column of ``sums`` (articles × columns) over
    ``counts`` (one count per article shared by every column, or articles × columns), with
    the weights generated once for all columns."""
    s = np.asarray(sums, dtype=np.float64)
    n = np.asarray(counts, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError("sums must be articles × columns")
    shared = n.ndim == 1
    if n.shape != ((s.shape[0],) if shared else s.shape) or len(weights) != s.shape[0]:
        raise ValueError("sums, counts and weights must have one entry per article")
    if not 0.0 < level < 1.0:
        raise ValueError("level must lie strictly between 0 and 1")
    columns = s.shape[1]
    n_columns = n.reshape(-1, 1) if shared else n
    totals = n_columns.sum(axis=0) * np.ones(columns)
    carrying = (n_columns > 0).sum(axis=0) * np.ones(columns, dtype=np.int64)
    # Articles without units or totals add nothing to a replicate: they need no weights.
    active = np.flatnonzero((n_columns != 0).any(axis=1) | (s != 0).any(axis=1))
    replicate_sums = _replicate_sums(_weight_rows(weights, active),
                                     np.column_stack([s[active], n_columns[active]]))
    numerators = replicate_sums[:columns]
    denominators = replicate_sums[columns:]
    if shared:
        denominators = np.broadcast_to(denominators, numerators.shape)
    intervals = []
    for c in range(columns):
        if totals[c] <= 0:
            intervals.append((math.nan, math.nan, math.nan))
            continue
        estimate = float(s[:, c].sum() / totals[c])
        kept = denominators[c] > 0
        replicates = numerators[c][kept] / denominators[c][kept]
        intervals.append(_widened_percentiles(estimate, replicates, int(carrying[c]), level,
                                              bounds))
    return intervals


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


def mean_interval(values, article_of, weights: ArticleWeights | np.ndarray, *, seed: int = 0,
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
    return mean_intervals(x.reshape(-1, 1), article_of, weights, seed=seed, resamples=resamples,
                          level=level, bounds=bounds)[0]


def mean_intervals(values, article_of, weights: ArticleWeights | np.ndarray, *, seed: int = 0,
                   resamples: int = 2000, level: float = 0.95,
                   bounds: tuple[float, float] = (-math.inf, math.inf)) -> list[Interval]:
    """:func:`mean_interval` of every column of ``values`` (units × columns, e.g. the cue
    counts of each sentence), sharing the units' articles: one pass over their weights."""
    return grouped_mean_intervals([(values, article_of, bounds)], weights, seed=seed,
                                  resamples=resamples, level=level)[0]


# Columns of replicate sums computed in one pass by grouped_mean_intervals (4 MiB of
# float64 at 2,000 replicates): more requests take more passes, not more memory.
_PASS_COLUMNS = 256


@dataclass(frozen=True)
class _PendingMeans:
    """Columns of one request that take an interval over articles: per-article sums."""

    request: int
    columns: list[int]
    present: np.ndarray  # the articles' rows in the weights
    sums: np.ndarray  # columns × articles
    counts: np.ndarray  # units per article
    means: np.ndarray  # the plain mean of each column's units
    bounds: tuple[float, float]


def grouped_mean_intervals(requests: Sequence[tuple[object, object, tuple[float, float]]],
                           weights: ArticleWeights | np.ndarray, *, seed: int = 0,
                           resamples: int = 2000, level: float = 0.95) -> list[list[Interval]]:
    """:func:`mean_intervals` of several requests ``(values, article_of, bounds)`` whose
    ``article_of`` are rows of the same ``weights`` (e.g. every target of one perspective).

    Each request gets the intervals :func:`mean_intervals` gives it alone (up
    to the order of floating-point additions): an article's weights are its
    own, so the replicate sums of all requests are taken in one pass over the
    union of their articles (:meth:`ArticleWeights.replicate_sums`, at most
    :data:`_PASS_COLUMNS` columns a pass), and each article's weights are
    generated once instead of once per request. ``values`` is units ×
    columns (a vector is one column).
    """
    results: list[list[Interval | None]] = []
    pending: list[_PendingMeans] = []
    for r, (values, article_of, bounds) in enumerate(requests):
        x = np.asarray(values, dtype=np.float64)
        x = x.reshape(-1, 1) if x.ndim == 1 else x
        owner = np.asarray(article_of, dtype=np.int64).ravel()
        if x.ndim != 2 or x.shape[0] != owner.size:
            raise ValueError("values must be units × columns with one article per unit")
        columns = x.shape[1]
        intervals: list[Interval | None] = [None] * columns
        missing = np.isnan(x)
        if missing.any():  # a missing value (the tone VADER cannot read) is not a unit
            parts = [([c], x[~missing[:, c], c:c + 1], owner[~missing[:, c]])
                     for c in range(columns)]
        else:
            parts = [(list(range(columns)), x, owner)]
        for part_columns, part, part_owner in parts:
            if part.shape[0] == 0:
                for c in part_columns:
                    intervals[c] = Interval(math.nan, math.nan, math.nan, NO_INTERVAL, 0)
                continue
            present, local = np.unique(part_owner, return_inverse=True)
            articles = int(present.size)
            if articles < MIN_ARTICLES_FOR_INTERVAL:
                for k, c in enumerate(part_columns):
                    intervals[c] = Interval(*bootstrap_mean_ci(part[:, k], seed=seed,
                                                               resamples=resamples,
                                                               level=level),
                                            WITHIN_TEXTS, articles)
                continue
            sums = np.zeros((len(part_columns), articles))
            np.add.at(sums.T, local, part)
            counts = np.bincount(local, minlength=articles).astype(np.float64)
            pending.append(_PendingMeans(r, part_columns, present, sums, counts,
                                         part.mean(axis=0), bounds))
        results.append(intervals)
    start = 0
    while start < len(pending):
        stop, width = start, 0
        while stop < len(pending) and (stop == start or
                                       width + len(pending[stop].columns) + 1 <= _PASS_COLUMNS):
            width += len(pending[stop].columns) + 1
            stop += 1
        _finish_means(pending[start:stop], weights, level, results)
        start = stop
    return [list(intervals) for intervals in results]


def _finish_means(parts: Sequence[_PendingMeans], weights: ArticleWeights | np.ndarray,
                  level: float, results: list[list[Interval | None]]) -> None:
    """One pass of :func:`grouped_mean_intervals`: the replicate sums of ``parts`` over the
    union of their articles (each part's sums, then its unit counts, as columns)."""
    from scipy.sparse import csr_matrix

    active = np.unique(np.concatenate([p.present for p in parts]))
    rows, columns, data = [], [], []
    offset = 0
    for p in parts:
        at = np.searchsorted(active, p.present)
        for k in range(len(p.columns) + 1):
            rows.append(at)
            columns.append(np.full(at.size, offset + k))
            data.append(p.sums[k] if k < len(p.columns) else p.counts)
        offset += len(p.columns) + 1
    values = csr_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(columns))),
                        shape=(active.size, offset))
    replicate_sums = _replicate_sums(_weight_rows(weights, active), values)
    offset = 0
    for p in parts:
        denominators = replicate_sums[offset + len(p.columns)]
        kept = denominators > 0
        for k, c in enumerate(p.columns):
            replicates = replicate_sums[offset + k][kept] / denominators[kept]
            _, low, high = _widened_percentiles(float(p.sums[k].sum() / p.counts.sum()),
                                                replicates, p.present.size, level, p.bounds)
            results[p.request][c] = Interval(float(p.means[k]), low, high, OVER_ARTICLES,
                                             int(p.present.size))
        offset += len(p.columns) + 1


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
        d     = min(m − 1, max(1, k))              (k: the articles on the rarer
                                                   side, with a hit or with a miss)
        n_df  = n_eff · (z_{(1+level)/2} / t_{(1+level)/2, d})²
        interval = Clopper–Pearson(p · n_df, n_df)

    n_eff is capped at N (a design effect below 1 is not credited, as in
    Korn & Graubard's proposal). Their degrees of freedom are m − 1; framelens
    takes fewer when fewer articles carry the rarer side (d = m − 1 when
    p ∈ {0, 1}), because a share that rests on k articles is estimated from k
    clusters, and m − 1 then overstates what v knows. On simulated corpora
    (``bench/interval_coverage.py``, 1,000 cases a figure; 20–60 sentences an
    article) with 5 / 8 / 12 / 25 articles: skewed shares (article rates
    Beta(0.1, 0.9)) m − 1 covered 76.0% / 84.2% / 88.4% / 93.6%, d 87.9% /
    94.1% / 95.8% / 95.7%; rare shares (Beta(0.5, 9.5)) m − 1 95.4% / 92.2% /
    93.6% / 95.5%, d 97.8% / 98.1% / 96.5% / 95.8% (wider: the cost of not
    under-covering); common shares (Beta(2, 2)) are the same with both
    (95.3–96.7%). Chosen over :func:`cluster_ratio_ci` for shares because a
    share that is rare in most articles has a skewed bootstrap distribution
    that percentile intervals miss (the cluster bootstrap covered 87.9–93.5%
    of the rare shares, 69.8–89.9% of the skewed ones). Returns (p, low, high); NaNs
    without units. It needs at least 2 articles with units (t has at least one
    degree of freedom); callers use it from :data:`MIN_ARTICLES_FOR_INTERVAL` on.
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
    degrees = m - 1
    if 0.0 < share < 1.0:
        rarer_side = int(min(np.count_nonzero(h > 0), np.count_nonzero(h < n)))
        degrees = min(m - 1, max(1, rarer_side))
    quantile = (1.0 + level) / 2.0
    n_df = n_eff * (float(ndtri(quantile)) / float(stdtrit(degrees, quantile))) ** 2
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
