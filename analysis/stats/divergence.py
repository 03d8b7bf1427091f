"""Distances between term distributions: Jensen–Shannon divergence (docs/design.md §4)."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.special import rel_entr

_LN2 = math.log(2.0)


def _distribution(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if not np.isfinite(x).all() or (x < 0).any():
        raise ValueError(f"{name} must be finite and non-negative")
    total = x.sum()
    if total <= 0:
        raise ValueError(f"{name} is empty (sums to zero)")
    return x / total


def jensen_shannon(p, q) -> float:
    """Jensen–Shannon divergence (base 2) between two count or probability vectors.

    Lin (1991), "Divergence measures based on the Shannon entropy", *IEEE
    Trans. Information Theory* 37(1): 145–151:

        JSD(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M),   M = (P + Q) / 2,
        KL(P ‖ M) = Σ P_w log2(P_w / M_w),  0 · log 0 = 0.

    Both vectors are normalised to sum to 1 first. The value lies in [0, 1]:
    0 for identical distributions, 1 for distributions with disjoint support.
    It is the square of scipy's ``jensenshannon(p, q, base=2)`` distance.
    An all-zero vector has no distribution and raises ValueError.
    """
    p = _distribution(p, "p")
    q = _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError("p and q must have the same length")
    m = (p + q) / 2.0
    divergence = (rel_entr(p, m).sum() / 2.0 + rel_entr(q, m).sum() / 2.0) / _LN2
    return float(min(max(divergence, 0.0), 1.0))


def jensen_shannon_matrix(counts_matrix) -> np.ndarray:
    """Pairwise Jensen–Shannon divergences (base 2) between the rows of a matrix.

    Same definition as :func:`jensen_shannon` (Lin 1991), for every pair of
    rows of a dense array or scipy.sparse matrix of counts (rows: documents
    or perspectives; columns: terms). Rows are normalised to sum to 1; an
    all-zero row raises ValueError.

    Computed over the stored non-zeros only, so memory stays O(non-zeros):
    a term in only one of P, Q adds P_w (resp. Q_w) bits · ½, hence

        JSD(P, Q) = 1 + ½ Σ_{w: P_w>0, Q_w>0} [P_w log2(2P_w/(P_w+Q_w))
                                              + Q_w log2(2Q_w/(P_w+Q_w)) − P_w − Q_w].

    Returns a symmetric k×k float64 array with zero diagonal, values in [0, 1].
    """
    if not sp.issparse(counts_matrix) and np.ndim(counts_matrix) != 2:
        raise ValueError("counts_matrix must be two-dimensional")
    matrix = sp.csr_array(counts_matrix, dtype=np.float64)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()  # stored zeros would give 0 · log 0 = nan below
    k, vocab = matrix.shape
    data, indices, indptr = matrix.data, matrix.indices, matrix.indptr
    if not np.isfinite(data).all() or (data < 0).any():
        raise ValueError("counts must be finite and non-negative")
    row_nnz = np.diff(indptr)
    row_of = np.repeat(np.arange(k), row_nnz)
    row_sums = np.bincount(row_of, weights=data, minlength=k)
    empty = np.flatnonzero(row_sums <= 0)
    if empty.size:
        raise ValueError(f"row {int(empty[0])} of the counts matrix is empty (sums to zero)")
    probs = data / row_sums[row_of]

    result = np.zeros((k, k), dtype=np.float64)
    dense_row = np.zeros(vocab, dtype=np.float64)
    for i in range(k - 1):  # loop over rows (documents), vectorised over terms
        start, stop = indptr[i], indptr[i + 1]
        dense_row[indices[start:stop]] = probs[start:stop]
        rest = slice(indptr[i + 1], indptr[k])
        q = probs[rest]
        p = dense_row[indices[rest]]
        shared = p > 0
        p, q = p[shared], q[shared]
        mix = p + q
        terms = p * np.log2(2.0 * p / mix) + q * np.log2(2.0 * q / mix) - p - q
        sums = np.bincount(row_of[rest][shared] - (i + 1), weights=terms, minlength=k - i - 1)
        result[i, i + 1:] = 1.0 + sums / 2.0
        dense_row[indices[start:stop]] = 0.0
    np.clip(result, 0.0, 1.0, out=result)
    result = np.triu(result, 1)
    return result + result.T
