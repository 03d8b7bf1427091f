"""TF-IDF weights and cosines computed with scipy.sparse, checked against scikit-learn and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from framelens.analysis.counts.units import normalize_rows, tfidf_weights
from framelens.analysis.lenses.similarity import cosine_matrix


def _random_counts(rows: int, columns: int, seed: int):
    rng = np.random.default_rng(seed)
    dense = rng.integers(0, 6, size=(rows, columns)) * (rng.random((rows, columns)) < 0.05)
    dense[3] = 0  # an empty unit
    matrix = sparse.csr_matrix(dense)
    matrix.sort_indices()
    return matrix


@pytest.mark.parametrize("sublinear_tf", [False, True])
def test_weights_equal_scikit_learn_to_the_last_bit(sublinear_tf):
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = _random_counts(400, 3000, seed=7)
    weights, idf = tfidf_weights(counts, sublinear_tf=sublinear_tf)
    transformer = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True,
                                   sublinear_tf=sublinear_tf)
    expected = transformer.fit_transform(counts.astype(np.float64))
    expected.sort_indices()
    assert np.array_equal(idf, transformer.idf_)
    assert np.array_equal(weights.indptr, expected.indptr)
    assert np.array_equal(weights.indices, expected.indices)
    assert np.array_equal(weights.data, expected.data)


def test_weights_by_hand():
    # Two units, three terms: df = (2, 1, 1), n = 2.
    counts = sparse.csr_matrix(np.array([[2, 1, 0], [1, 0, 3]]))
    weights, idf = tfidf_weights(counts)
    common, rare = math.log(3 / 3) + 1, math.log(3 / 2) + 1
    assert idf.tolist() == pytest.approx([common, rare, rare])
    first = np.array([2 * common, rare, 0.0])
    second = np.array([common, 0.0, 3 * rare])
    assert weights.toarray()[0] == pytest.approx(first / np.linalg.norm(first))
    assert weights.toarray()[1] == pytest.approx(second / np.linalg.norm(second))


def test_normalize_rows_leaves_zero_rows_and_gives_unit_rows():
    matrix = sparse.csr_matrix(np.array([[3.0, 4.0], [0.0, 0.0], [0.0, 2.0]]))
    normalize_rows(matrix)
    assert matrix.toarray().tolist() == [[0.6, 0.8], [0.0, 0.0], [0.0, 1.0]]


def test_cosines_agree_with_scikit_learn():
    from sklearn.metrics.pairwise import cosine_similarity

    weights, _ = tfidf_weights(_random_counts(120, 800, seed=3))
    ours = cosine_matrix(weights)
    expected = np.clip(cosine_similarity(weights), 0.0, 1.0)
    np.fill_diagonal(expected, 1.0)
    empty = np.isnan(ours).all(axis=1)
    assert empty.tolist() == [i == 3 for i in range(120)]
    keep = ~empty
    assert np.abs(ours[np.ix_(keep, keep)] - expected[np.ix_(keep, keep)]).max() < 1e-12
