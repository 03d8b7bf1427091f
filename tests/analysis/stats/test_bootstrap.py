"""The article as the unit: the Poisson weights per article, intervals over articles
(cluster bootstrap, Korn-Graubard), intervals within these texts, and a simulation where
intervals over articles must cover a known population mean about 95% of the time and
intervals over sentences do not (stats/bootstrap.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from framelens.analysis.stats import bootstrap
from framelens.analysis.stats.bootstrap import (
    MIN_ARTICLES_FOR_INTERVAL,
    NO_INTERVAL,
    OVER_ARTICLES,
    WITHIN_TEXTS,
    article_weights,
    clopper_pearson_ci,
    cluster_ratio_ci,
    cluster_share_ci,
)

# ------------------------------------------------------------ the Poisson weights


def test_splitmix64_mix_matches_the_reference_generator():
    # SplitMix64 (Steele, Lea & Flood 2014) seeded with 1234567: its first five outputs
    # mix(seed + k·γ), as printed by the reference C code (splitmix64.c).
    gamma = 0x9E3779B97F4A7C15
    states = np.array([(1234567 + k * gamma) % 2 ** 64 for k in range(1, 6)], dtype=np.uint64)
    assert bootstrap._mix64(states).tolist() == [
        6457827717110365317, 3203168211198807973, 9817491932198370423,
        4593380528125082431, 16408922859458223821]
    assert [bootstrap._mix64_int(int(v)) for v in states.tolist()] == \
        bootstrap._mix64(states.copy()).tolist()


def _poisson_weight_by_hand(key: int, seed: int, b: int) -> int:
    """The docstring's formula one draw at a time, in Python integers: the inverse CDF of
    Poisson(1) at u/2^64 by summing e^-1/k! in exact fractions of a 60-digit e^-1."""
    from decimal import Decimal, localcontext
    from fractions import Fraction

    gamma, mask = 0x9E3779B97F4A7C15, 2 ** 64 - 1
    base = bootstrap._mix64_int(key ^ bootstrap._mix64_int((seed + 1) * gamma))
    u = Fraction(bootstrap._mix64_int((base + (b + 1) * gamma) & mask), 2 ** 64)
    with localcontext() as context:
        context.prec = 60
        e_inverse = Fraction(Decimal(-1).exp())
    cdf, term = e_inverse, e_inverse
    for k in range(17):
        if u < cdf:
            return k
        term /= k + 1
        cdf += term
    return 17


def test_poisson_weights_follow_the_formula_draw_by_draw():
    keys = [0, 1, 2 ** 63, 2 ** 64 - 1, 0x0123456789ABCDEF]
    weights = bootstrap.poisson_weights(np.array(keys, dtype=np.uint64), seed=7, resamples=40)
    assert weights.dtype == np.float64 and weights.shape == (5, 40)
    for j, key in enumerate(keys):
        assert weights[j].tolist() == [_poisson_weight_by_hand(key, 7, b) for b in range(40)]


def test_poisson_weights_rare_values_where_the_table_is_cut():
    # Draws just below and at each threshold T_k (where the 16-bit table cannot decide)
    # land on both sides of it: k below, k + 1 at.
    cuts, lookup = bootstrap._poisson_inverse_cdf()
    assert cuts.size == bootstrap.POISSON_MAX_WEIGHT
    assert np.isclose(cuts[0] / 2 ** 64, math.exp(-1)) and np.isclose(
        cuts[2] / 2 ** 64, 2.5 * math.exp(-1))
    # 17 takes P(X ≥ 17) = 1 − F(16): P(X = 17) = e^-1/17! and the tail P(X > 17) < 2^-53.
    at_least_17 = (2 ** 64 - int(cuts[-1])) / 2 ** 64
    assert at_least_17 >= 2 ** -53 and at_least_17 - math.exp(-1) / math.factorial(17) < 2 ** -53
    assert (lookup < 0).sum() <= cuts.size
    top = np.right_shift(cuts, np.uint64(48)).astype(np.int64)
    assert (lookup[top] < 0).all()  # every cut bucket is searched, not read
    # The inverse CDF itself, through the public function's final step on chosen draws.
    draws = np.concatenate([cuts - np.uint64(1), cuts])
    expected = np.concatenate([np.arange(17), np.arange(1, 18)])
    assert np.array_equal(np.searchsorted(cuts, draws, side="right"), expected)


def test_article_keys_are_the_sha256_prefix():
    import hashlib

    assert bootstrap.article_keys(["ru-1", "ua-2"]).tolist() == [
        int.from_bytes(hashlib.sha256(b"ru-1").digest()[:8], "little"),
        int.from_bytes(hashlib.sha256(b"ua-2").digest()[:8], "little")]
    assert bootstrap.article_keys([]).dtype == np.uint64


def test_poisson_weights_have_the_poisson_one_distribution():
    """10⁶ draws (500 articles × 2,000 replicates): mean 1, variance 1 and the shares of
    0, 1, 2, … within sampling error (a χ² test of the counts)."""
    weights = article_weights([f"a{i}" for i in range(500)], seed=3, resamples=2000).dense()
    draws = weights.size
    assert (weights == np.round(weights)).all() and weights.min() >= 0
    # Standard errors on 10⁶ draws: mean 1e-3; variance √((μ4 − σ⁴)/n) = √(3/n) = 1.7e-3
    # (Poisson(1): μ4 = 1 + 3·1² = 4); a share p: √(p(1−p)/n) ≤ 5e-4.
    assert abs(weights.mean() - 1.0) < 4e-3
    assert abs(weights.var() - 1.0) < 4 * math.sqrt(3 / draws)
    assert abs((weights == 0).mean() - math.exp(-1)) < 4 * math.sqrt(0.2325 / draws)
    assert abs((weights == 1).mean() - math.exp(-1)) < 4 * math.sqrt(0.2325 / draws)
    assert abs((weights == 2).mean() - math.exp(-1) / 2) < 4 * math.sqrt(0.15 / draws)
    observed = np.bincount(weights.astype(np.int64).ravel(), minlength=7)
    observed = np.r_[observed[:6], observed[6:].sum()]  # 0…5 and 6 or more
    expected = scipy_stats.poisson.pmf(np.arange(6), 1.0)
    expected = np.r_[expected, 1 - expected.sum()] * draws
    assert scipy_stats.chisquare(observed, expected).pvalue > 1e-4


def _rms_correlation(matrix: np.ndarray) -> float:
    r = np.corrcoef(matrix)
    return float(np.sqrt(np.mean(r[~np.eye(len(r), dtype=bool)] ** 2)))


def test_poisson_weights_are_uncorrelated_across_articles_and_replicates():
    """Sample correlations of independent series of length n have root mean square
    1/√n; shared structure between articles (rows) or replicates (columns) would raise it.
    Keys 0, 1, 2, … are the hardest case for the mixing (neighbouring counters)."""
    for keys in (bootstrap.article_keys([f"doc-{i}" for i in range(400)]),
                 np.arange(400, dtype=np.uint64)):
        weights = bootstrap.poisson_weights(keys, seed=0, resamples=2000)
        assert abs(_rms_correlation(weights) * math.sqrt(2000) - 1) < 0.05  # articles
        assert abs(_rms_correlation(weights.T) * math.sqrt(400) - 1) < 0.05  # replicates
        # Neighbouring replicates of one article, and neighbouring articles.
        lag = np.corrcoef(weights[:, :-1].ravel(), weights[:, 1:].ravel())[0, 1]
        assert abs(lag) < 4 / math.sqrt(weights[:, 1:].size)
        rows = np.corrcoef(weights[:-1].ravel(), weights[1:].ravel())[0, 1]
        assert abs(rows) < 4 / math.sqrt(weights[1:].size)
    # Seeds give unrelated weights for the same article.
    one, other = (bootstrap.poisson_weights(keys, seed=s, resamples=2000) for s in (0, 1))
    assert abs(np.corrcoef(one.ravel(), other.ravel())[0, 1]) < 4 / math.sqrt(one.size)


def test_article_weights_depend_only_on_the_article_and_seed():
    ids = ["ru-1", "ua-2", "cn-3", "ru-4"]
    full = article_weights(ids, seed=5, resamples=300).dense()
    assert np.array_equal(full, article_weights(ids, seed=5, resamples=300).dense())
    # Order and company do not matter: each row is the article's own.
    assert np.array_equal(article_weights(ids[::-1], seed=5, resamples=300).dense(), full[::-1])
    assert np.array_equal(article_weights(["cn-3"], seed=5, resamples=300).dense(), full[2:3])
    many = [f"other-{i}" for i in range(700)] + ["cn-3"]
    assert np.array_equal(article_weights(many, seed=5, resamples=300).dense()[-1:], full[2:3])
    assert np.array_equal(article_weights(ids, seed=5, resamples=300).subset([3, 0]).dense(),
                          full[[3, 0]])
    assert not np.array_equal(article_weights(ids, seed=6, resamples=300).dense(), full)
    # More replicates extend the same stream.
    assert np.array_equal(article_weights(ids, seed=5, resamples=600).dense()[:, :300], full)


def test_replicate_sums_in_blocks_equal_the_whole_product_and_merge():
    rng = np.random.default_rng(1)
    ids = [f"doc-{i}" for i in range(1000)]  # 4 blocks of 262 articles at 2,000 replicates
    weights = article_weights(ids, seed=2, resamples=2000)
    values = rng.uniform(-1, 1, (1000, 3)) * (rng.uniform(size=(1000, 1)) < 0.5)
    whole = values.T @ weights.dense()
    assert np.allclose(weights.replicate_sums(values), whole, rtol=0, atol=1e-9)
    assert np.allclose(weights.replicate_sums(values[:, 0]), whole[0], rtol=0, atol=1e-9)
    from scipy.sparse import csr_matrix

    assert np.allclose(weights.replicate_sums(csr_matrix(values)), whole, rtol=0, atol=1e-9)
    sparse = np.where(rng.uniform(size=values.shape) < 0.05, values, 0.0)  # stays sparse
    assert np.allclose(weights.replicate_sums(csr_matrix(sparse)), sparse.T @ weights.dense(),
                       rtol=0, atol=1e-9)
    # Three machines each hold some of the articles: their replicate sums add up.
    parts = [np.arange(0, 1000, 3), np.arange(1, 1000, 3), np.arange(2, 1000, 3)]
    merged = sum(article_weights([ids[i] for i in part], seed=2, resamples=2000)
                 .replicate_sums(values[part]) for part in parts)
    assert np.allclose(merged, whole, rtol=0, atol=1e-9)
    with pytest.raises(ValueError):
        weights.replicate_sums(values[:10])


def test_group_weights_are_each_articles_own_rows():
    ids = ["a", "b", "c", "d", "e"]
    groups = ["x", "y", "x", "y", "x"]
    weights, row = bootstrap.group_weights(ids, groups, seed=1, resamples=50)
    assert list(row) == [0, 0, 1, 1, 2]
    assert np.array_equal(weights["x"].dense(),
                          article_weights(["a", "c", "e"], seed=1, resamples=50).dense())
    assert np.array_equal(weights["y"].dense()[1],
                          article_weights(["d"], seed=1, resamples=50).dense()[0])
    assert len(weights["x"]) == 3 and weights["x"].shape == (3, 50)


# ------------------------------------------------------------ cluster_ratio_ci


def test_cluster_ratio_ci_by_hand():
    # Three articles: tone sums 1.0, -0.5, 0.5 over 2, 1, 1 sentences: R = 1/4.
    sums = [1.0, -0.5, 0.5]
    counts = [2, 1, 1]
    weights = np.array([[1, 0, 2, 1, 0],
                        [1, 1, 0, 0, 0],
                        [1, 1, 1, 0, 0]], dtype=float)
    # Replicates: (1-.5+.5)/4 = .25; (-.5+.5)/2 = 0; (2+.5)/5 = .5; 1/2 = .5; none (dropped).
    replicates = np.array([0.25, 0.0, 0.5, 0.5])
    low, high = np.quantile(replicates, [0.025, 0.975])
    # Widening: √(m/(m−1)) · t_{m−1,.975} / z_.975 with m = 3 articles.
    inflate = math.sqrt(3 / 2) * scipy_stats.t.ppf(0.975, 2) / scipy_stats.norm.ppf(0.975)
    estimate, got_low, got_high = cluster_ratio_ci(sums, counts, weights)
    assert estimate == 0.25
    assert got_low == pytest.approx(0.25 - inflate * (0.25 - low))
    assert got_high == pytest.approx(0.25 + inflate * (high - 0.25))
    # bounds clip
    assert cluster_ratio_ci(sums, counts, weights, bounds=(0.0, 0.6))[1:] == (
        0.0, pytest.approx(min(0.6, 0.25 + inflate * (high - 0.25))))


def test_cluster_ratio_ci_edge_cases():
    weights = np.ones((2, 4))
    assert all(math.isnan(v) for v in cluster_ratio_ci([0, 0], [0, 0], weights))
    # One article with units: no spread to estimate.
    assert cluster_ratio_ci([0.6, 0.0], [3, 0], weights) == pytest.approx((0.2, 0.2, 0.2))
    with pytest.raises(ValueError):
        cluster_ratio_ci([1.0], [1, 2], weights)


def test_cluster_ratio_ci_is_order_and_merge_invariant():
    rng = np.random.default_rng(0)
    ids = [f"doc-{i}" for i in range(12)]
    counts = rng.integers(1, 9, 12)
    sums = rng.uniform(-1, 1, 12) * counts
    weights = article_weights(ids, seed=2, resamples=500)
    whole = cluster_ratio_ci(sums, counts, weights)
    assert whole == cluster_ratio_ci(sums, counts, weights.dense())  # explicit weights agree
    order = rng.permutation(12)
    shuffled = cluster_ratio_ci(sums[order], counts[order],
                                article_weights([ids[i] for i in order], seed=2, resamples=500))
    assert shuffled == pytest.approx(whole, abs=1e-12)
    # Two machines each hold half of the articles: their partial replicate sums add up.
    first, second = ids[:5], ids[5:]
    numerator = sums[:5] @ article_weights(first, seed=2, resamples=500).dense() + \
        sums[5:] @ article_weights(second, seed=2, resamples=500).dense()
    denominator = counts[:5] @ article_weights(first, seed=2, resamples=500).dense() + \
        counts[5:] @ article_weights(second, seed=2, resamples=500).dense()
    assert np.allclose(numerator, sums @ weights.dense())
    assert np.allclose(denominator, counts @ weights.dense())


def test_cluster_ratio_cis_are_each_columns_cluster_ratio_ci():
    rng = np.random.default_rng(4)
    weights = article_weights([f"doc-{i}" for i in range(30)], seed=0, resamples=800)
    counts = rng.integers(0, 6, (30, 3)).astype(float)
    counts[:, 2] = 0  # a column without units
    sums = rng.uniform(-1, 1, (30, 3)) * counts
    together = bootstrap.cluster_ratio_cis(sums, counts, weights, bounds=(-1, 1))
    for c in range(2):
        assert together[c] == pytest.approx(
            cluster_ratio_ci(sums[:, c], counts[:, c], weights, bounds=(-1, 1)), abs=1e-12)
    assert all(math.isnan(v) for v in together[2])
    shared = bootstrap.cluster_ratio_cis(sums[:, :2], counts[:, 0], weights)
    assert shared[1] == pytest.approx(cluster_ratio_ci(sums[:, 1], counts[:, 0], weights),
                                      abs=1e-12)
    with pytest.raises(ValueError):
        bootstrap.cluster_ratio_cis(sums, counts[:5], weights)


# ---------------------------------------------------- intervals that know their unit


def test_mean_interval_switches_unit_at_the_minimum_number_of_articles():
    values = [0.5, -0.2, 0.1, 0.4, -0.6, 0.3, 0.0, 0.2]
    ids = [f"a{i}" for i in range(8)]
    weights = article_weights(ids, seed=0, resamples=2000)
    few = [0, 0, 1, 1, 2, 2, 3, 3]  # four articles
    interval = bootstrap.mean_interval(values, few, weights, seed=0)
    assert interval.unit == WITHIN_TEXTS and interval.articles == 4
    assert (interval.estimate, interval.low, interval.high) == \
        bootstrap.bootstrap_mean_ci(values, seed=0)
    enough = [0, 0, 1, 1, 2, 3, 4, 4]  # five articles
    interval = bootstrap.mean_interval(values, enough, weights, seed=0, bounds=(-1, 1))
    assert interval.unit == OVER_ARTICLES and interval.articles == MIN_ARTICLES_FOR_INTERVAL
    sums = np.bincount(enough, weights=values)
    counts = np.bincount(enough)
    _, low, high = cluster_ratio_ci(sums, counts, weights.subset(range(5)), bounds=(-1, 1))
    assert interval.estimate == pytest.approx(np.mean(values))
    assert (interval.low, interval.high) == (pytest.approx(low), pytest.approx(high))
    # Several columns at once give each column's own interval.
    both = bootstrap.mean_intervals(np.column_stack([values, np.square(values)]), enough,
                                    weights, seed=0)
    assert (both[0].low, both[0].high) == (pytest.approx(low), pytest.approx(high))
    single = bootstrap.mean_interval(np.square(values), enough, weights, seed=0)
    assert (both[1].low, both[1].high) == (pytest.approx(single.low), pytest.approx(single.high))
    empty = bootstrap.mean_interval([], [], weights)
    assert empty.unit == NO_INTERVAL and math.isnan(empty.estimate)


def test_grouped_mean_intervals_are_each_requests_own():
    rng = np.random.default_rng(3)
    weights = article_weights([f"doc-{i}" for i in range(40)], seed=1, resamples=1000)
    tones = rng.uniform(-1, 1, 60)
    tones[[3, 17]] = np.nan  # VADER could not read these: not units
    cues = rng.integers(0, 3, (45, 2)).astype(float)
    requests = [
        (tones, rng.integers(0, 40, 60), (-1.0, 1.0)),  # with missing values
        (cues, rng.integers(0, 40, 45), (0.0, math.inf)),  # two columns
        (rng.uniform(-1, 1, 6), [2, 2, 5, 5, 9, 9], (-1.0, 1.0)),  # three articles
        (np.zeros((0, 2)), np.zeros(0, dtype=np.int64), (0.0, math.inf)),  # no units
    ]
    grouped = bootstrap.grouped_mean_intervals(requests, weights, seed=1, resamples=1000)
    assert [len(g) for g in grouped] == [1, 2, 1, 2]
    for (values, owner, bounds), intervals in zip(requests, grouped, strict=True):
        columns = values if np.ndim(values) == 2 else np.reshape(values, (-1, 1))
        alone = bootstrap.mean_intervals(columns, owner, weights, seed=1, resamples=1000,
                                         bounds=bounds)
        for got, want in zip(intervals, alone, strict=True):
            assert (got.unit, got.articles) == (want.unit, want.articles)
            assert (got.estimate, got.low, got.high) == pytest.approx(
                (want.estimate, want.low, want.high), abs=1e-12, nan_ok=True)
    assert grouped[0][0].estimate == pytest.approx(np.nanmean(tones))
    assert grouped[0][0].unit == OVER_ARTICLES and grouped[2][0].unit == WITHIN_TEXTS
    assert grouped[3][0].unit == NO_INTERVAL
    # Passes of a few columns each give the same intervals as one pass.
    original = bootstrap._PASS_COLUMNS
    try:
        bootstrap._PASS_COLUMNS = 2
        narrow = bootstrap.grouped_mean_intervals(requests, weights, seed=1, resamples=1000)
    finally:
        bootstrap._PASS_COLUMNS = original
    bounds = [(i.low, i.high) for g in grouped for i in g]
    assert [b for i in (j for g in narrow for j in g) for b in (i.low, i.high)] == pytest.approx(
        [b for pair in bounds for b in pair], abs=1e-12, nan_ok=True)


def test_clopper_pearson_by_hand():
    # x = 0: upper = 1 - (α/2)^(1/n); x = n: lower = (α/2)^(1/n).
    assert clopper_pearson_ci(0, 10) == (0.0, pytest.approx(1 - 0.025 ** 0.1))
    assert clopper_pearson_ci(10, 10) == (pytest.approx(0.025 ** 0.1), 1.0)
    low, high = clopper_pearson_ci(3, 20)
    assert low == pytest.approx(scipy_stats.beta.ppf(0.025, 3, 18))
    assert high == pytest.approx(scipy_stats.beta.ppf(0.975, 4, 17))
    assert all(math.isnan(v) for v in clopper_pearson_ci(0, 0))


def test_cluster_share_ci_follows_korn_graubard_by_hand():
    hits = [1, 0, 3, 0, 2]
    units = [10, 10, 10, 10, 10]
    p = 6 / 50
    # residuals h - p n: -0.2, -1.2, 1.8, -1.2, 0.8; squares sum to 6.8
    v = 5 / 4 * 6.8 / 50 ** 2
    n_eff = p * (1 - p) / v  # 31.06 < 50
    # Three articles have a hit, five a miss: 3 degrees of freedom, not m - 1 = 4.
    n_df = n_eff * (scipy_stats.norm.ppf(0.975) / scipy_stats.t.ppf(0.975, 3)) ** 2
    x = p * n_df
    share, low, high = cluster_share_ci(hits, units)
    assert share == p
    assert low == pytest.approx(scipy_stats.beta.ppf(0.025, x, n_df - x + 1), rel=1e-9)
    assert high == pytest.approx(scipy_stats.beta.ppf(0.975, x + 1, n_df - x), rel=1e-9)
    # No hits at all: lower bound 0, upper from the full (capped) sample size.
    share, low, high = cluster_share_ci([0] * 5, units)
    n_df = 50 * (scipy_stats.norm.ppf(0.975) / scipy_stats.t.ppf(0.975, 4)) ** 2
    assert (share, low) == (0.0, 0.0)
    assert high == pytest.approx(1 - 0.025 ** (1 / n_df))
    # The rarer side is a miss, in one article: 1 degree of freedom.
    share, low, high = cluster_share_ci([10, 10, 9, 10, 10], units)
    # residuals h - 0.98 n: 0.2 four times, -0.8; squares sum to 0.8
    v = 5 / 4 * 0.8 / 50 ** 2
    n_eff = 0.98 * 0.02 / v  # 49 < 50
    n_df = n_eff * (scipy_stats.norm.ppf(0.975) / scipy_stats.t.ppf(0.975, 1)) ** 2
    x = 0.98 * n_df
    assert share == 0.98
    assert low == pytest.approx(scipy_stats.beta.ppf(0.025, x, n_df - x + 1), rel=1e-9)
    assert high == pytest.approx(scipy_stats.beta.ppf(0.975, x + 1, n_df - x), rel=1e-9)


def test_share_interval_units():
    assert bootstrap.share_interval([1, 2], [10, 10]).unit == WITHIN_TEXTS
    interval = bootstrap.share_interval([1, 2], [10, 10])
    assert (interval.low, interval.high) == clopper_pearson_ci(3, 20)
    over = bootstrap.share_interval([1, 0, 3, 0, 2, 0], [10, 10, 10, 10, 10, 0])
    assert over.unit == OVER_ARTICLES and over.articles == 5
    assert (over.estimate, over.low, over.high) == cluster_share_ci([1, 0, 3, 0, 2],
                                                                    [10] * 5)
    assert bootstrap.share_interval([0], [0]).unit == NO_INTERVAL


# ------------------------------------------------------------------ the simulation


def _tone_corpus(rng, articles: int):
    """Articles with their own share of positive sentences (uniform 0…1): tone ±0.6 per
    sentence, 3 to 13 sentences each. The population mean tone is 0."""
    sizes = rng.integers(3, 14, articles)
    shares = rng.uniform(0.0, 1.0, articles)
    positive = rng.uniform(size=sizes.sum()) < np.repeat(shares, sizes)
    tones = np.where(positive, 0.6, -0.6) + rng.normal(0.0, 0.1, sizes.sum())
    return tones, np.repeat(np.arange(articles), sizes)


def _tone_coverage(cases: int, articles: int, seed: int, weights_of) -> tuple[float, float]:
    """Share of ``cases`` seeded corpora whose interval over articles (weights from
    ``weights_of(case)``) and whose interval over sentences cover the population mean 0."""
    rng = np.random.default_rng(seed)
    over_articles = within_texts = 0
    for case in range(cases):
        tones, owner = _tone_corpus(rng, articles)
        interval = bootstrap.mean_interval(tones, owner, weights_of(case), resamples=1000,
                                           bounds=(-1, 1))
        assert interval.unit == OVER_ARTICLES
        over_articles += interval.low <= 0.0 <= interval.high
        _, low, high = bootstrap.bootstrap_mean_ci(tones, seed=case, resamples=1000)
        within_texts += low <= 0.0 <= high
    return over_articles / cases, within_texts / cases


def test_intervals_over_articles_cover_the_population_mean():
    """600 seeded corpora of 25 articles, and of 6: the interval over articles covers the
    population mean tone 93–97% of the time (95% ± 2.3 standard errors of 600 cases);
    resampling sentences does not come close."""
    for articles, seed in ((25, 20260101), (6, 20260102)):
        over_articles, within_texts = _tone_coverage(
            600, articles, seed, lambda case, m=articles: article_weights(
                [f"case{case}-article{j}" for j in range(m)], seed=0, resamples=1000))
        assert 0.93 <= over_articles <= 0.97, (articles, over_articles)
        assert within_texts < 0.85, (articles, within_texts)


def test_coverage_check_fails_without_independent_weights():
    """The check above can fail: weights shared by every article of a replicate (one key
    for all) leave no spread between replicates, and the intervals shrink to the mean."""
    key = bootstrap.article_keys(["the-same"])
    over_articles, _ = _tone_coverage(
        100, 25, 20260101, lambda case: bootstrap.ArticleWeights(np.repeat(key, 25), 0, 1000))
    assert over_articles < 0.2


def test_share_intervals_over_articles_cover_a_rare_topic():
    """A rare topic (article shares Beta(0.5, 9.5), mean 5%) in 300 seeded corpora of 8
    articles: the share interval over articles covers 5% at least about 95% of the time."""
    cases, articles, truth = 300, 8, 0.05
    rng = np.random.default_rng(7)
    covered = 0
    for _ in range(cases):
        units = rng.integers(20, 60, articles)
        hits = rng.binomial(units, rng.beta(0.5, 9.5, articles))
        interval = bootstrap.share_interval(hits, units)
        covered += interval.low <= truth <= interval.high
    assert 0.93 <= covered / cases <= 0.995, covered / cases


def test_a_share_carried_by_few_articles_gets_their_degrees_of_freedom():
    """Article shares Beta(0.1, 0.9) (mean 10%, most articles never on it, a few often),
    300 seeded corpora of 12 articles: with m - 1 degrees of freedom (Korn & Graubard's) the
    interval covers 10% well under 95% of the time; with the articles of the rarer side it
    covers it about 95% of the time."""
    from scipy.special import ndtri, stdtrit

    cases, articles, truth = 300, 12, 0.1
    rng = np.random.default_rng(7)
    covered = covered_m_minus_1 = 0
    for _ in range(cases):
        units = rng.integers(20, 60, articles)
        hits = rng.binomial(units, rng.beta(0.1, 0.9, articles))
        share, low, high = cluster_share_ci(hits, units)
        covered += low <= truth <= high
        total = units.sum()
        v = articles / (articles - 1) * ((hits - share * units) ** 2).sum() / total ** 2
        n_eff = total if v == 0 or share in (0, 1) else min(total, share * (1 - share) / v)
        n_df = n_eff * (ndtri(0.975) / stdtrit(articles - 1, 0.975)) ** 2
        low, high = clopper_pearson_ci(share * n_df, n_df)
        covered_m_minus_1 += low <= truth <= high
    assert covered / cases >= 0.92, covered / cases
    assert covered_m_minus_1 / cases <= 0.91, covered_m_minus_1 / cases
