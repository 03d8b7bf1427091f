"""Document-level tests of a term's frequency (Lijffijt et al. 2016): Welch's t by hand and
against scipy, and the bootstrap test over documents with hand-set weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from framelens.analysis.stats import bootstrap, document_tests

# Three documents of 100, 50 and 200 tokens; term 0 occurs 3, 1, 0 times, term 1 0, 2, 5.
COUNTS = np.array([[3, 0], [1, 2], [0, 5]])
SIZES = [100, 50, 200]
REFERENCE = np.array([[0, 1], [1, 1], [0, 0], [2, 0]])
REFERENCE_SIZES = [80, 120, 60, 100]


def test_welch_on_relative_frequencies_by_hand_and_against_scipy():
    t, p = document_tests.welch_test(COUNTS, SIZES, REFERENCE, REFERENCE_SIZES)
    x = COUNTS / np.array(SIZES)[:, None]
    y = REFERENCE / np.array(REFERENCE_SIZES)[:, None]
    # term 0 by hand: x = .03, .02, 0; y = 0, 1/120, 0, .02
    mx, my = 0.05 / 3, (1 / 120 + 0.02) / 4
    vx = ((0.03 - mx) ** 2 + (0.02 - mx) ** 2 + mx ** 2) / 2
    vy = (my ** 2 + (1 / 120 - my) ** 2 + my ** 2 + (0.02 - my) ** 2) / 3
    assert t[0] == pytest.approx((mx - my) / math.sqrt(vx / 3 + vy / 4))
    reference = scipy_stats.ttest_ind(x, y, equal_var=False)
    assert t == pytest.approx(reference.statistic)
    assert p == pytest.approx(reference.pvalue)


def test_welch_needs_two_documents_per_group():
    t, p = document_tests.welch_test(COUNTS[:1], SIZES[:1], REFERENCE, REFERENCE_SIZES)
    assert np.isnan(t).all() and np.isnan(p).all()
    t, p = document_tests.welch_test([[1], [1]], [10, 10], [[1], [1]], [10, 10])
    assert np.isnan(t).all() and np.isnan(p).all()  # both constant: undefined


class _GivenWeights:
    """Explicit weights (articles × replicates) where article_weights' are generated."""

    def __init__(self, matrix: np.ndarray):
        self.matrix = matrix

    def replicate_sums(self, values) -> np.ndarray:
        values = values.toarray() if hasattr(values, "toarray") else np.asarray(values)
        return values.T @ self.matrix


def test_bootstrap_test_by_hand_weights(monkeypatch):
    weights = {
        "x": _GivenWeights(np.array([[1, 0, 2], [1, 1, 0]], dtype=float)),
        "y": _GivenWeights(np.array([[1, 1, 0], [1, 0, 0]], dtype=float)),
    }
    monkeypatch.setattr(bootstrap, "article_weights",
                        lambda ids, seed, resamples: weights[ids[0][0]])
    # Target rates .1, .3; reference .2, 0 for one term.
    p = document_tests.bootstrap_test([[1], [3]], [10, 10], ["x1", "x2"],
                                      [[2], [0]], [10, 10], ["y1", "y2"], resamples=3)
    # Replicate 3 leaves the reference empty: dropped. d = .2 − .1 = .1; .3 − .2 = .1.
    # Both above zero: p_greater = (1 + 0)/3, p_less = (1 + 2)/3 → p = 2/3.
    assert p == pytest.approx([2 / 3])


def test_bootstrap_test_agrees_with_welch_on_a_clear_difference():
    rng = np.random.default_rng(1)
    target = rng.poisson(5, (20, 3))
    reference = rng.poisson(5, (20, 3))
    target[:, 0] += 10  # term 0 clearly more frequent in the target
    sizes = [500] * 20
    p = document_tests.bootstrap_test(target, sizes, [f"t{i}" for i in range(20)],
                                      reference, sizes, [f"r{i}" for i in range(20)])
    _, welch = document_tests.welch_test(target, sizes, reference, sizes)
    assert p[0] == pytest.approx(2 / (1 + document_tests.DOCUMENT_TEST_RESAMPLES))
    assert welch[0] < 1e-6
    # The others (no built-in difference) land on the same side of 0.05 as Welch's.
    assert ((p[1:] < 0.05) == (welch[1:] < 0.05)).all()
    assert p[1:] == pytest.approx(welch[1:], abs=0.02)
