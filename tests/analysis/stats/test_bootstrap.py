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


def test_article_weights_are_poisson_one_per_article_and_replicate():
    weights = article_weights([f"a{i}" for i in range(50)], seed=3, resamples=2000)
    assert weights.shape == (50, 2000)
    assert (weights >= 0).all() and (weights == np.round(weights)).all()
    assert weights.mean() == pytest.approx(1.0, abs=0.02)
    assert weights.var() == pytest.approx(1.0, abs=0.05)


def test_article_weights_depend_only_on_the_article_and_seed():
    ids = ["ru-1", "ua-2", "cn-3", "ru-4"]
    full = article_weights(ids, seed=5, resamples=300)
    assert np.array_equal(full, article_weights(ids, seed=5, resamples=300))
    # Order and company do not matter: each row is the article's own.
    assert np.array_equal(article_weights(ids[::-1], seed=5, resamples=300), full[::-1])
    assert np.array_equal(article_weights(["cn-3"], seed=5, resamples=300), full[2:3])
    assert not np.array_equal(article_weights(ids, seed=6, resamples=300), full)


def test_group_weights_are_each_articles_own_rows():
    ids = ["a", "b", "c", "d", "e"]
    groups = ["x", "y", "x", "y", "x"]
    weights, row = bootstrap.group_weights(ids, groups, seed=1, resamples=50)
    assert list(row) == [0, 0, 1, 1, 2]
    assert np.array_equal(weights["x"], article_weights(["a", "c", "e"], seed=1, resamples=50))
    assert np.array_equal(weights["y"][1], article_weights(["d"], seed=1, resamples=50)[0])


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
    order = rng.permutation(12)
    shuffled = cluster_ratio_ci(sums[order], counts[order],
                                article_weights([ids[i] for i in order], seed=2, resamples=500))
    assert shuffled == pytest.approx(whole, abs=1e-12)
    # Two machines each hold half of the articles: their partial replicate sums add up.
    first, second = ids[:5], ids[5:]
    numerator = sums[:5] @ article_weights(first, seed=2, resamples=500) + \
        sums[5:] @ article_weights(second, seed=2, resamples=500)
    denominator = counts[:5] @ article_weights(first, seed=2, resamples=500) + \
        counts[5:] @ article_weights(second, seed=2, resamples=500)
    assert np.allclose(numerator, sums @ weights)
    assert np.allclose(denominator, counts @ weights)


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
    _, low, high = cluster_ratio_ci(sums, counts, weights[:5], bounds=(-1, 1))
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
    n_df = n_eff * (scipy_stats.norm.ppf(0.975) / scipy_stats.t.ppf(0.975, 4)) ** 2
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


def test_intervals_over_articles_cover_the_population_mean():
    """300 seeded corpora of 25 articles: the interval over articles covers the population
    mean tone 93–97% of the time; resampling sentences does not come close."""
    cases, articles, truth = 300, 25, 0.0
    rng = np.random.default_rng(20260101)
    over_articles = within_texts = 0
    for case in range(cases):
        tones, owner = _tone_corpus(rng, articles)
        weights = article_weights([f"case{case}-article{j}" for j in range(articles)],
                                  seed=0, resamples=1000)
        interval = bootstrap.mean_interval(tones, owner, weights, resamples=1000,
                                           bounds=(-1, 1))
        assert interval.unit == OVER_ARTICLES
        over_articles += interval.low <= truth <= interval.high
        _, low, high = bootstrap.bootstrap_mean_ci(tones, seed=case, resamples=1000)
        within_texts += low <= truth <= high
    assert 0.93 <= over_articles / cases <= 0.97, over_articles / cases
    assert within_texts / cases < 0.85, within_texts / cases


def test_share_intervals_over_articles_cover_a_rare_topic():
    """A rare topic (article shares Beta(0.5, 9.5), mean 5%) in 300 seeded corpora of 8
    articles: Korn-Graubard over articles covers 5% about 95% of the time."""
    cases, articles, truth = 300, 8, 0.05
    rng = np.random.default_rng(7)
    covered = 0
    for _ in range(cases):
        units = rng.integers(20, 60, articles)
        hits = rng.binomial(units, rng.beta(0.5, 9.5, articles))
        interval = bootstrap.share_interval(hits, units)
        covered += interval.low <= truth <= interval.high
    assert 0.92 <= covered / cases <= 0.98, covered / cases
