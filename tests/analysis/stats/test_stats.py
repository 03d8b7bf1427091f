"""Tests for framelens.analysis.stats.keyness (docs/design.md §4).

Expected values are written out with the math module from the published
definitions, never by calling the function under test. Independent scalar
reference implementations of Monroe et al. (2008) and of quanteda's
``textstat_keyness`` chi2/lr formulas (quanteda.textstats src/keyness.cpp)
are compared against the vectorised code on Hypothesis-generated tables.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon as scipy_js_distance
from scipy.stats import false_discovery_control

from framelens.analysis.stats import bootstrap, divergence
from framelens.analysis.stats import keyness as stats


def chi2_1_sf(x: float) -> float:
    """P(χ²₁ ≥ x) = erfc(√(x/2)), independent of scipy."""
    return math.erfc(math.sqrt(x / 2.0))


def log2(x: float) -> float:
    return math.log(x, 2)


# ----------------------------------------------------------------- strategies


@st.composite
def tables(draw, max_total: int = 20_000):
    """One 2×2 keyness table (a, b, n1, n2) with 0 <= a <= n1, 0 <= b <= n2."""
    n1 = draw(st.integers(1, max_total))
    n2 = draw(st.integers(1, max_total))
    a = draw(st.integers(0, n1))
    b = draw(st.integers(0, n2))
    return a, b, n1, n2


@st.composite
def small_count_tables(draw):
    """Tables with small counts, where zero cells and Yates' correction are common."""
    n1 = draw(st.integers(1, 400))
    n2 = draw(st.integers(1, 400))
    a = draw(st.integers(0, min(n1, 12)))
    b = draw(st.integers(0, min(n2, 12)))
    return a, b, n1, n2


any_table = st.one_of(tables(), small_count_tables(), tables(max_total=10**9))


@st.composite
def count_vectors(draw, min_size: int = 2, max_size: int = 30):
    """Two count vectors over one vocabulary (each group has at least one token)."""
    size = draw(st.integers(min_size, max_size))
    counts = st.lists(st.integers(0, 60), min_size=size, max_size=size)
    y_i = draw(counts.filter(lambda v: sum(v) > 0))
    y_j = draw(counts.filter(lambda v: sum(v) > 0))
    return y_i, y_j


# ------------------------------------------------------ informative prior / log-odds


def test_informative_prior_hand_computed():
    # α_w = α0 · f_w / Σf with f = (1, 3, 6), Σf = 10, α0 = 50.
    np.testing.assert_allclose(stats.informative_prior([1, 3, 6], 50.0), [5.0, 15.0, 30.0])


def test_informative_prior_default_and_total():
    prior = stats.informative_prior([2, 2, 4])
    assert stats.DEFAULT_ALPHA0 == 1000.0
    np.testing.assert_allclose(prior, [250.0, 250.0, 500.0])
    assert prior.dtype == np.float64
    assert prior.sum() == pytest.approx(stats.DEFAULT_ALPHA0)


@pytest.mark.parametrize("background", [[0, 0], [-1, 3], [1.0, math.inf]])
def test_informative_prior_rejects_bad_background(background):
    with pytest.raises(ValueError):
        stats.informative_prior(background)


def test_log_odds_hand_computed():
    # a = 10, b = 5, n1 = 1000, n2 = 2000, α_w = 2, α0 = 100
    delta = math.log(12 / (1000 + 100 - 10 - 2)) - math.log(7 / (2000 + 100 - 5 - 2))
    z = delta / math.sqrt(1 / 12 + 1 / 7)
    got_delta, got_z = stats.log_odds_dirichlet(10, 5, 1000, 2000, 2.0, alpha0=100.0)
    assert got_delta == pytest.approx(delta, rel=1e-12)
    assert got_z == pytest.approx(z, rel=1e-12)
    assert delta == pytest.approx(1.1933, abs=1e-4)
    assert z == pytest.approx(2.5090, abs=1e-4)


def test_log_odds_zero_counts_hand_computed():
    # Vocabulary of three terms with prior (1, 4, 95), so α0 = 100; n1 = 50, n2 = 80.
    alpha = np.array([1.0, 4.0, 95.0])
    a = np.array([0, 6, 44])
    b = np.array([3, 0, 77])
    delta, z = stats.log_odds_dirichlet(a, b, 50, 80, alpha)
    expected_delta = [
        math.log(1 / (150 - 0 - 1)) - math.log(4 / (180 - 3 - 1)),  # a = 0
        math.log(10 / (150 - 6 - 4)) - math.log(4 / (180 - 0 - 4)),  # b = 0
        math.log(139 / (150 - 44 - 95)) - math.log(172 / (180 - 77 - 95)),
    ]
    expected_sigma = [math.sqrt(1 / 1 + 1 / 4), math.sqrt(1 / 10 + 1 / 4),
                      math.sqrt(1 / 139 + 1 / 172)]
    np.testing.assert_allclose(delta, expected_delta, rtol=1e-12)
    np.testing.assert_allclose(z, np.divide(expected_delta, expected_sigma), rtol=1e-12)
    assert delta[0] < 0 < delta[1]


def test_log_odds_term_absent_from_both_groups():
    # Prior from an external background: δ depends only on group sizes, finite.
    delta, z = stats.log_odds_dirichlet(0, 0, 100, 300, 0.5, alpha0=1000.0)
    expected = math.log(0.5 / 1099.5) - math.log(0.5 / 1299.5)
    assert delta == pytest.approx(expected, rel=1e-12)
    assert z == pytest.approx(expected / math.sqrt(4.0), rel=1e-12)


def test_log_odds_pooled_prior_gives_zero_for_equal_rates():
    # Term 0 has rate 1/100 in both groups; background = pooled counts.
    a = np.array([10, 990])
    b = np.array([30, 2970])
    prior = stats.informative_prior(a + b)
    delta, z = stats.log_odds_dirichlet(a, b, 1000, 3000, prior)
    np.testing.assert_allclose(delta, 0.0, atol=1e-12)
    np.testing.assert_allclose(z, 0.0, atol=1e-10)


def test_log_odds_rejects_invalid_prior():
    with pytest.raises(ValueError):
        stats.log_odds_dirichlet([1, 0], [0, 1], 5, 5, [0.0, 1.0])
    with pytest.raises(ValueError):  # a single-term subset needs an explicit α0
        stats.log_odds_dirichlet(1, 0, 5, 5, 2.0)


def monroe_reference(y_i, y_j, background, alpha0):
    """Monroe, Colaresi & Quinn (2008) §3.5, informative Dirichlet prior, one word at a time.

    α_w = α0 · π_w with π_w the background proportion; posterior odds
    Ω_w = (y_w + α_w) / (n + α0 − y_w − α_w) in each group; δ_w = ln Ω_w^i − ln Ω_w^j;
    σ²_w ≈ 1/(y_w^i + α_w) + 1/(y_w^j + α_w); ζ_w = δ_w / σ_w.
    """
    n_i = sum(y_i)
    n_j = sum(y_j)
    background_total = sum(background)
    deltas, zetas = [], []
    for w in range(len(y_i)):
        alpha_w = alpha0 * background[w] / background_total
        omega_i = (y_i[w] + alpha_w) / (n_i + alpha0 - y_i[w] - alpha_w)
        omega_j = (y_j[w] + alpha_w) / (n_j + alpha0 - y_j[w] - alpha_w)
        delta = math.log(omega_i) - math.log(omega_j)
        variance = 1.0 / (y_i[w] + alpha_w) + 1.0 / (y_j[w] + alpha_w)
        deltas.append(delta)
        zetas.append(delta / math.sqrt(variance))
    return deltas, zetas


@given(count_vectors(), st.sampled_from([1.0, 10.0, 500.0, stats.DEFAULT_ALPHA0, 1e5]),
       st.booleans())
def test_log_odds_matches_monroe_reference(vectors, alpha0, pooled_background):
    y_i, y_j = vectors
    if pooled_background:  # the corpus itself, Laplace-smoothed so every α_w > 0
        background = [u + v + 1 for u, v in zip(y_i, y_j, strict=True)]
    else:  # an external background list, unrelated to the groups
        background = [(7 * w) % 11 + 1 for w in range(len(y_i))]
    want_delta, want_z = monroe_reference(y_i, y_j, background, alpha0)
    prior = stats.informative_prior(background, alpha0)
    delta, z = stats.log_odds_dirichlet(y_i, y_j, sum(y_i), sum(y_j), prior)
    np.testing.assert_allclose(delta, want_delta, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(z, want_z, rtol=1e-9, atol=1e-12)
    # A subset of the vocabulary scores the same when α0 is passed explicitly.
    part = slice(0, len(y_i) // 2 + 1)
    sub_delta, sub_z = stats.log_odds_dirichlet(
        y_i[part], y_j[part], sum(y_i), sum(y_j), prior[part], alpha0=prior.sum())
    np.testing.assert_allclose(sub_delta, want_delta[part], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sub_z, want_z[part], rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- G²


def test_g2_hand_computed():
    # a=10, b=5, n1=1000, n2=2000: N=3000, E = (5, 10, 995, 1990).
    expected = 2 * (10 * math.log(10 / 5) + 5 * math.log(5 / 10)
                    + 990 * math.log(990 / 995) + 1995 * math.log(1995 / 1990))
    value, p = stats.g2(10, 5, 1000, 2000)
    assert value == pytest.approx(expected, rel=1e-12)
    assert value == pytest.approx(6.9692, abs=1e-4)
    assert p == pytest.approx(chi2_1_sf(expected), rel=1e-9)


def test_g2_zero_counts_hand_computed():
    # a = 0: 0·ln 0 = 0; N = 400, E = (1, 3, 99, 297); under-used in the target.
    a0 = 2 * (0 + 4 * math.log(4 / 3) + 100 * math.log(100 / 99) + 296 * math.log(296 / 297))
    # b = 0: n1 = 500, n2 = 1500, N = 2000, E = (1.25, 3.75, 498.75, 1496.25).
    b0 = 2 * (5 * math.log(5 / 1.25) + 0 + 495 * math.log(495 / 498.75)
              + 1500 * math.log(1500 / 1496.25))
    value, p = stats.g2([0, 5, 0], [4, 0, 0], [100, 500, 100], [300, 1500, 300])
    np.testing.assert_allclose(value, [-a0, b0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(p, [chi2_1_sf(a0), chi2_1_sf(b0), 1.0], rtol=1e-9)
    assert a0 == pytest.approx(2.3149, abs=1e-4)
    assert b0 == pytest.approx(13.9006, abs=1e-4)


def test_g2_sign_is_zero_at_independence():
    # a = E1 exactly: 2 in 100 vs 4 in 200.
    value, p = stats.g2(2, 4, 100, 200)
    assert value == 0.0
    assert p == 1.0


def quanteda_lr(a, b, n1, n2):
    """quanteda.textstats ``textstat_keyness(measure="lr", correction="none")``, one table.

    Each cell contributes O · ln(O/E + ε) with ε = 1e-9 (so an empty cell adds 0);
    G² is twice the sum, signed +1 if a > E1 else −1.
    """
    eps = 1e-9
    c = n1 - a
    d = n2 - b
    total = a + b + c + d
    expected_a = (a + b) * (a + c) / total
    cells = [
        (a, (a + b) * (a + c) / total),
        (b, (a + b) * (b + d) / total),
        (c, (a + c) * (c + d) / total),
        (d, (b + d) * (c + d) / total),
    ]
    value = 2 * sum(o * math.log(o / e + eps) for o, e in cells)
    return value * (1.0 if a > expected_a else -1.0)


@given(tables())
def test_g2_matches_quanteda_lr(table):
    a, b, n1, n2 = table
    assume(a + b > 0 and a + b < n1 + n2)  # quanteda divides 0/0 otherwise
    value, p = stats.g2(a, b, n1, n2)
    assert float(value) == pytest.approx(quanteda_lr(a, b, n1, n2), abs=1e-4)
    assert float(p) == pytest.approx(chi2_1_sf(abs(float(value))), rel=1e-6, abs=1e-12)


@given(tables(max_total=10**8))
def test_g2_differs_from_quanteda_by_at_most_its_epsilon(table):
    # ε inside the log moves each non-empty cell by about ε·E: at most 2·ε·N in all.
    a, b, n1, n2 = table
    assume(a + b > 0 and a + b < n1 + n2)
    value, _ = stats.g2(a, b, n1, n2)
    assert abs(float(value) - quanteda_lr(a, b, n1, n2)) <= 2.1e-9 * (n1 + n2) + 1e-6


# ----------------------------------------------------------------------------- χ²


def test_chi2_hand_computed_without_correction():
    # a=10, b=5, n1=1000, n2=2000: ad − bc = 10·1995 − 5·990 = 15000; smallest E = 5 (not < 5).
    expected = 3000 * 15000**2 / (15 * 2985 * 1000 * 2000)
    value, p = stats.chi2_quanteda(10, 5, 1000, 2000)
    assert value == pytest.approx(expected, rel=1e-12)
    assert value == pytest.approx(7.5377, abs=1e-4)
    assert p == pytest.approx(chi2_1_sf(expected), rel=1e-9)


def test_chi2_hand_computed_with_yates():
    # a=3, b=1, n1=100, n2=200: E1 = 4/3 < 5 and |ad − bc| = |3·199 − 1·97| = 500 ≥ 150.
    expected = 300 * (500 - 150) ** 2 / (4 * 296 * 100 * 200)
    value, _ = stats.chi2_quanteda(3, 1, 100, 200)
    assert value == pytest.approx(expected, rel=1e-12)
    assert value == pytest.approx(1.5519, abs=1e-4)


def test_chi2_small_expected_but_small_difference_is_not_corrected():
    # a=1, b=1, n1=100, n2=200: E1 = 2/3 < 5 but |ad − bc| = |199 − 99| = 100 < 150.
    expected = 300 * 100**2 / (2 * 298 * 100 * 200)
    value, _ = stats.chi2_quanteda(1, 1, 100, 200)
    assert value == pytest.approx(expected, rel=1e-12)


def test_chi2_zero_counts_hand_computed():
    # a = 0: |ad − bc| = 4·100 = 400 ≥ 200, E1 = 1 < 5 → Yates; negative sign.
    a0 = 400 * (400 - 200) ** 2 / (4 * 396 * 100 * 300)
    # b = 0: a=5, n1=500, n2=1500; |ad − bc| = 5·1500 = 7500 ≥ 1000, E1 = 1.25 → Yates.
    b0 = 2000 * (7500 - 1000) ** 2 / (5 * 1995 * 500 * 1500)
    value, p = stats.chi2_quanteda([0, 5, 0], [4, 0, 0], [100, 500, 100], [300, 1500, 300])
    np.testing.assert_allclose(value, [-a0, b0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(p, [chi2_1_sf(a0), chi2_1_sf(b0), 1.0], rtol=1e-9)


def quanteda_chi2(a, b, n1, n2):
    """quanteda.textstats ``textstat_keyness(measure="chi2")`` (default correction), one table.

    Yates' δ = 0.5 when |ad − bc| ≥ N/2 and any expected cell is below 5;
    χ² = N(|ad − bc| − Nδ)² / ((a+b)(c+d)(a+c)(b+d)), signed +1 if a > E1 else −1.
    """
    c = n1 - a
    d = n2 - b
    total = a + b + c + d
    expected = [(a + b) * (a + c) / total, (a + b) * (b + d) / total,
                (a + c) * (c + d) / total, (c + d) * (b + d) / total]
    cross = abs(a * d - b * c)
    delta = 0.5 if cross >= total / 2 and min(expected) < 5 else 0.0
    value = total * (cross - total * delta) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    return value * (1.0 if a > expected[0] else -1.0)


@given(st.one_of(tables(), small_count_tables()))
def test_chi2_matches_quanteda(table):
    a, b, n1, n2 = table
    assume(a + b > 0 and a + b < n1 + n2)
    value, p = stats.chi2_quanteda(a, b, n1, n2)
    assert float(value) == pytest.approx(quanteda_chi2(a, b, n1, n2), rel=1e-9, abs=1e-9)
    assert float(p) == pytest.approx(chi2_1_sf(abs(float(value))), rel=1e-6, abs=1e-12)


@settings(max_examples=50)
@given(st.lists(small_count_tables(), min_size=1, max_size=40))
def test_keyness_vectorised_equals_scalar(table_list):
    a, b, n1, n2 = (np.array(column) for column in zip(*table_list, strict=True))
    for function in (stats.g2, stats.chi2_quanteda):
        values, ps = function(a, b, n1, n2)
        assert values.shape == a.shape and values.dtype == np.float64
        for i, table in enumerate(table_list):
            value, p = function(*table)
            assert values[i] == value and ps[i] == p


def test_one_vs_rest_broadcasts_over_perspectives():
    # Rows: perspectives; columns: terms. Each row against the pooled other rows.
    counts = np.array([[3, 0, 7, 1], [0, 2, 5, 9], [4, 4, 0, 1]])
    totals = counts.sum(axis=1, keepdims=True) + 20
    rest = counts.sum(axis=0) - counts
    rest_totals = totals.sum() - totals
    prior = stats.informative_prior(counts.sum(axis=0))
    delta, z = stats.log_odds_dirichlet(counts, rest, totals, rest_totals, prior)
    for function in (stats.g2, stats.chi2_quanteda):
        values, ps = function(counts, rest, totals, rest_totals)
        assert values.shape == ps.shape == counts.shape
    ratios = stats.log_ratio(counts, rest, totals, rest_totals)
    for i in range(3):
        row_delta, row_z = stats.log_odds_dirichlet(counts[i], rest[i], totals[i, 0],
                                                    rest_totals[i, 0], prior)
        np.testing.assert_array_equal(delta[i], row_delta)
        np.testing.assert_array_equal(z[i], row_z)
        np.testing.assert_array_equal(stats.g2(counts[i], rest[i], totals[i, 0],
                                               rest_totals[i, 0])[0],
                                      stats.g2(counts, rest, totals, rest_totals)[0][i])
        np.testing.assert_array_equal(ratios[i], stats.log_ratio(counts[i], rest[i], totals[i, 0],
                                                                 rest_totals[i, 0]))


# ----------------------------------------------------------------- effect sizes


def test_log_ratio_hand_computed():
    got = stats.log_ratio([10, 0, 5, 0], [5, 5, 0, 0], [1000, 1000, 500, 9], [2000, 2000, 1500, 7])
    expected = [
        log2((10 / 1000) / (5 / 2000)),   # = 2: four times as frequent
        log2((0.5 / 1000) / (5 / 2000)),  # a = 0 → 0.5
        log2((5 / 500) / (0.5 / 1500)),   # b = 0 → 0.5
        0.0,                              # absent from both
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got[0] == pytest.approx(2.0)


def test_pct_diff_hand_computed():
    got = stats.pct_diff([10, 0, 5, 0], [5, 5, 0, 0], [1000, 1000, 500, 9], [2000, 2000, 1500, 7])
    expected = [
        (10 / 1000 - 5 / 2000) * 100 / (5 / 2000),     # 300
        (0.5 / 1000 - 5 / 2000) * 100 / (5 / 2000),    # a = 0 → 0.5: −80
        (5 / 500 - 0.5 / 1500) * 100 / (0.5 / 1500),   # b = 0 → 0.5: 2900
        0.0,
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(got[:3], [300.0, -80.0, 2900.0], rtol=1e-12)


@given(any_table)
def test_pct_diff_is_a_monotone_transform_of_log_ratio(table):
    lr = float(stats.log_ratio(*table))
    assert float(stats.pct_diff(*table)) == pytest.approx(100 * (2**lr - 1), rel=1e-9, abs=1e-9)


def test_rate_per_10k():
    np.testing.assert_allclose(stats.rate_per_10k([3, 0, 7], [1500, 20, 0]), [20.0, 0.0, 0.0])
    assert stats.rate_per_10k(1, 3) == pytest.approx(10_000 / 3)


@pytest.mark.parametrize("function", [stats.g2, stats.chi2_quanteda, stats.log_ratio,
                                      stats.pct_diff])
@pytest.mark.parametrize("table", [(-1, 0, 5, 5), (6, 0, 5, 5), (0, 0, 0, 5), (1, 1, 5, math.nan)])
def test_invalid_tables_raise(function, table):
    with pytest.raises(ValueError):
        function(*table)


# ------------------------------------------------------------------- properties


def swap(table):
    a, b, n1, n2 = table
    return b, a, n2, n1


@given(any_table)
def test_swapping_groups_negates_signed_scores(table):
    assert stats.g2(*swap(table))[0] == -stats.g2(*table)[0]
    assert stats.g2(*swap(table))[1] == stats.g2(*table)[1]
    assert stats.chi2_quanteda(*swap(table))[0] == -stats.chi2_quanteda(*table)[0]
    assert stats.log_ratio(*swap(table)) == -stats.log_ratio(*table)


@given(any_table, st.floats(1e-3, 1e3))
def test_swapping_groups_negates_log_odds(table, alpha_w):
    a, b, n1, n2 = table
    alpha0 = alpha_w * 50
    delta, z = stats.log_odds_dirichlet(a, b, n1, n2, alpha_w, alpha0=alpha0)
    swapped_delta, swapped_z = stats.log_odds_dirichlet(b, a, n2, n1, alpha_w, alpha0=alpha0)
    assert swapped_delta == -delta
    assert swapped_z == -z


@given(any_table, st.floats(1e-6, 1e4))
def test_every_score_is_finite(table, alpha_w):
    scores = [
        *stats.g2(*table),
        *stats.chi2_quanteda(*table),
        *stats.log_odds_dirichlet(*table, alpha_w, alpha0=alpha_w * 2),
        stats.log_ratio(*table),
        stats.pct_diff(*table),
        stats.rate_per_10k(table[0], table[2]),
    ]
    for score in scores:
        assert isinstance(score, np.float64)  # scalar in, numpy float64 scalar out
        assert np.isfinite(score)
    assert 0.0 <= stats.g2(*table)[1] <= 1.0
    assert 0.0 <= stats.chi2_quanteda(*table)[1] <= 1.0


@given(count_vectors())
def test_log_odds_finite_with_corpus_prior(vectors):
    y_i, y_j = vectors
    prior = stats.informative_prior(np.add(y_i, y_j) + 0.5)
    delta, z = stats.log_odds_dirichlet(y_i, y_j, sum(y_i), sum(y_j), prior)
    assert np.isfinite(delta).all() and np.isfinite(z).all()


# ------------------------------------------------------------ p-value adjustment


def test_adjust_p_hand_computed():
    p = [0.01, 0.04, 0.03, 0.005]
    np.testing.assert_allclose(stats.adjust_p(p, "none"), p)
    np.testing.assert_allclose(stats.adjust_p(p, "bonferroni"), [0.04, 0.16, 0.12, 0.02])
    # Sorted: 0.005·4/1 = 0.02, 0.01·4/2 = 0.02, 0.03·4/3 = 0.04, 0.04·4/4 = 0.04.
    np.testing.assert_allclose(stats.adjust_p(p, "bh"), [0.02, 0.04, 0.04, 0.02])
    # Sorted: 0.02·3/1 = 0.06, 0.025·3/2 = 0.0375, 0.5·3/3 = 0.5; step-up takes the
    # running minimum from the largest p down, so 0.02 gets 0.0375, not 0.06.
    np.testing.assert_allclose(stats.adjust_p([0.5, 0.02, 0.025], "bh"), [0.5, 0.0375, 0.0375])
    np.testing.assert_allclose(stats.adjust_p([0.4, 0.9], "bonferroni"), [0.8, 1.0])


def test_adjust_p_edge_cases():
    assert stats.adjust_p([], "bh").shape == (0,)
    np.testing.assert_allclose(stats.adjust_p([[0.01, 0.5]], "bh"), [[0.02, 0.5]])
    with pytest.raises(ValueError):
        stats.adjust_p([0.1], "holm")
    with pytest.raises(ValueError):
        stats.adjust_p([1.5], "bh")


p_values = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60)


@given(p_values)
def test_bh_properties(p):
    p = np.array(p)
    q = stats.adjust_p(p, "bh")
    assert q.shape == p.shape
    assert (q >= p).all() and (q <= 1.0).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(q[order]) >= 0).all()  # monotone in p
    np.testing.assert_allclose(q, false_discovery_control(p), rtol=1e-12, atol=1e-15)
    bonferroni = stats.adjust_p(p, "bonferroni")
    assert (bonferroni >= q).all()


# ----------------------------------------------------------------- Jensen–Shannon


def test_jensen_shannon_hand_computed():
    # P = (1/2, 1/2), Q = (1, 0), M = (3/4, 1/4).
    expected = 0.5 * (0.5 * log2(0.5 / 0.75) + 0.5 * log2(0.5 / 0.25)) + 0.5 * (1 * log2(1 / 0.75))
    assert divergence.jensen_shannon([1, 1], [2, 0]) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.3113, abs=1e-4)
    assert divergence.jensen_shannon([3, 0], [0, 5]) == pytest.approx(1.0, rel=1e-12)
    assert divergence.jensen_shannon([2, 4, 0], [1, 2, 0]) == 0.0


def test_jensen_shannon_rejects_empty():
    with pytest.raises(ValueError):
        divergence.jensen_shannon([0, 0], [1, 0])
    with pytest.raises(ValueError):
        divergence.jensen_shannon_matrix(np.array([[1, 0], [0, 0]]))


@given(count_vectors())
def test_jensen_shannon_properties(vectors):
    p, q = vectors
    value = divergence.jensen_shannon(p, q)
    assert 0.0 <= value <= 1.0
    assert value == divergence.jensen_shannon(q, p)
    assert divergence.jensen_shannon(p, p) == 0.0
    assert value == pytest.approx(scipy_js_distance(p, q, base=2) ** 2, abs=1e-12)
    disjoint_p = [*p, *([0] * len(q))]
    disjoint_q = [*([0] * len(p)), *q]
    assert divergence.jensen_shannon(disjoint_p, disjoint_q) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=50)
@given(st.integers(2, 6).flatmap(
    lambda k: st.lists(count_vectors(min_size=8, max_size=8).map(lambda v: v[0]),
                       min_size=k, max_size=k)))
def test_jensen_shannon_matrix(rows):
    dense = np.array(rows, dtype=np.int64)
    matrix = divergence.jensen_shannon_matrix(dense)
    k = len(rows)
    assert matrix.shape == (k, k) and matrix.dtype == np.float64
    assert (matrix == matrix.T).all()
    assert (np.diag(matrix) == 0.0).all()
    assert ((matrix >= 0.0) & (matrix <= 1.0)).all()
    pairwise = [[divergence.jensen_shannon(rows[i], rows[j]) for j in range(k)] for i in range(k)]
    np.testing.assert_allclose(matrix, pairwise, atol=1e-12)
    np.testing.assert_allclose(divergence.jensen_shannon_matrix(sp.csr_matrix(dense)), matrix,
                               atol=1e-15)


def test_jensen_shannon_matrix_sparse_with_stored_zeros():
    counts = sp.csr_array((np.array([2.0, 0.0, 1.0, 3.0]), (np.array([0, 0, 1, 2]),
                                                           np.array([0, 1, 1, 0]))),
                          shape=(3, 2))
    matrix = divergence.jensen_shannon_matrix(counts)
    np.testing.assert_allclose(matrix, [[0, 1, 0], [1, 0, 1], [0, 1, 0]], atol=1e-12)


# ---------------------------------------------------------------------- bootstrap


def test_bootstrap_edge_cases():
    assert all(math.isnan(v) for v in bootstrap.bootstrap_mean_ci([]))
    assert bootstrap.bootstrap_mean_ci([0.25]) == (0.25, 0.25, 0.25)
    assert bootstrap.bootstrap_mean_ci([0.1, 0.1, 0.1]) == (0.1, 0.1, 0.1)


def test_bootstrap_deterministic_for_a_seed():
    values = [-0.8, -0.2, 0.0, 0.05, 0.3, 0.6, 0.9, 0.1, -0.4]
    first = bootstrap.bootstrap_mean_ci(values, seed=7)
    assert first == bootstrap.bootstrap_mean_ci(values, seed=7)
    assert first != bootstrap.bootstrap_mean_ci(values, seed=8)
    mean, low, high = first
    assert mean == pytest.approx(sum(values) / len(values))
    assert low < mean < high
    _, narrow_low, narrow_high = bootstrap.bootstrap_mean_ci(values, seed=7, level=0.5)
    assert low <= narrow_low < narrow_high <= high


def test_bootstrap_interval_close_to_normal_theory():
    # Large sample: the percentile interval approaches mean ± 1.96 · s/√n.
    values = np.random.default_rng(0).normal(0.2, 0.5, size=400)
    mean, low, high = bootstrap.bootstrap_mean_ci(values, resamples=4000)
    half_width = 1.959964 * values.std(ddof=1) / math.sqrt(values.size)
    assert low == pytest.approx(mean - half_width, abs=0.01)
    assert high == pytest.approx(mean + half_width, abs=0.01)


@settings(max_examples=50)
@given(st.lists(st.floats(-1.0, 1.0), min_size=1, max_size=40), st.integers(0, 2**32 - 1))
def test_bootstrap_interval_contains_mean(values, seed):
    mean, low, high = bootstrap.bootstrap_mean_ci(values, seed=seed, resamples=300)
    assert low <= mean <= high
    assert (mean, low, high) == bootstrap.bootstrap_mean_ci(values, seed=seed, resamples=300)


@pytest.mark.parametrize("parallel", [False, True])
def test_bootstrap_of_many_samples_equals_one_at_a_time(monkeypatch, parallel):
    rng = np.random.default_rng(3)
    samples = [rng.uniform(-1, 1, size) for size in (0, 1, 7, 500, 40, 2000)] + [[0.2] * 5]
    if parallel:  # a pool even for this little work
        monkeypatch.setattr(bootstrap, "_PARALLEL_BOOTSTRAP_WORK", 0)
    many = bootstrap.bootstrap_mean_cis(samples, seed=11, resamples=300, level=0.9)
    one = [bootstrap.bootstrap_mean_ci(s, seed=11, resamples=300, level=0.9) for s in samples]
    assert len(many) == len(samples)
    assert repr(many) == repr(one)  # NaN for the empty sample compares by its repr
    assert many[3][1] < many[3][0] < many[3][2]
