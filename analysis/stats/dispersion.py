"""Dispersion: how evenly a term's occurrences spread over the documents of a group.

A keyword that a group uses more than the rest may be used by all of its
articles or by one of them. These functions take a documents × terms count
matrix (dense or scipy sparse; rows: the group's documents) and the
documents' sizes in tokens, and return one value per term (column):

- :func:`documents_containing`: how many documents hold the term at all;
- :func:`top_document_share`: the share of the term's count that its
  busiest document holds (1.0: every occurrence is in one document);
- :func:`gries_dp` and :func:`gries_dp_norm`: Gries's deviation of
  proportions.

Nothing here loops over the vocabulary.
"""

from __future__ import annotations

import numpy as np

MOSTLY_ONE_DOCUMENT = 0.5
"""A term whose busiest document holds more than this share of its count comes "mostly from
one article" (flagged in the terminal views)."""


def _sparse(counts):
    from scipy import sparse

    matrix = sparse.csc_matrix(counts, dtype=np.float64)
    if matrix.nnz and matrix.data.min() < 0:
        raise ValueError("counts must be non-negative")
    return matrix


def documents_containing(counts) -> np.ndarray:
    """Per term: the number of documents (rows) with a positive count."""
    matrix = _sparse(counts)
    matrix.eliminate_zeros()
    return np.diff(matrix.indptr).astype(np.int64)


def top_document_share(counts) -> np.ndarray:
    """Per term: max_i f_i / Σ_i f_i, the busiest document's share of the count (NaN if 0)."""
    matrix = _sparse(counts)
    totals = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
    top = matrix.max(axis=0).toarray().ravel().astype(np.float64)
    return np.divide(top, totals, out=np.full_like(totals, np.nan), where=totals > 0)


def gries_dp(counts, sizes) -> np.ndarray:
    """Deviation of proportions, DP (Gries 2008), per term.

    Gries (2008), "Dispersions and adjusted frequencies in corpora",
    *International Journal of Corpus Linguistics* 13(4), 403–437, §3: the
    corpus is cut into n parts (here: documents) of sizes t_i;
    s_i = t_i / Σ t is a part's expected share of any term, v_i = f_i / Σ f
    the observed share of the term's occurrences, and

        DP = ½ Σ_i |v_i − s_i|.

    0: the term is spread exactly like the text; towards 1: it sits in a
    small part of it. With a single document DP = 0 (nothing to compare).
    ``sizes``: tokens per document (all positive). NaN for a term that never
    occurs. Computed over the non-zero cells only: documents without the
    term contribute |0 − s_i| = s_i, so
    Σ_i |v_i − s_i| = 1 + Σ_{f_i > 0} (|v_i − s_i| − s_i).
    """
    matrix = _sparse(counts)
    t = np.asarray(sizes, dtype=np.float64).ravel()
    if t.size != matrix.shape[0]:
        raise ValueError("sizes must have one entry per document (row)")
    if (t <= 0).any():
        raise ValueError("document sizes must be positive")
    s = t / t.sum()
    matrix.eliminate_zeros()
    totals = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
    column = np.repeat(np.arange(matrix.shape[1]), np.diff(matrix.indptr))
    expected = s[matrix.indices]
    observed = matrix.data / totals[column]
    deviation = np.bincount(column, weights=np.abs(observed - expected) - expected,
                            minlength=matrix.shape[1])
    dp = 0.5 * (1.0 + deviation)
    dp[totals == 0] = np.nan
    return np.clip(dp, 0.0, 1.0, where=totals > 0, out=dp)


def gries_dp_norm(counts, sizes) -> np.ndarray:
    """DP normalised to 0…1: DP / (1 − min_i s_i) (Lijffijt & Gries 2012).

    Lijffijt & Gries (2012), "Correction to Stefan Th. Gries' 'Dispersions and
    adjusted frequencies in corpora'", *International Journal of Corpus
    Linguistics* 17(1), 147–149: the largest DP a term can reach is
    1 − min_i s_i (all of it in the smallest part), so this divides by it and
    a term found in one document only scores 1 when that document is the
    smallest. NaN with a single document (the maximum is 0) or a term that
    never occurs.
    """
    dp = gries_dp(counts, sizes)
    t = np.asarray(sizes, dtype=np.float64).ravel()
    room = 1.0 - t.min() / t.sum()
    if room <= 0:
        return np.full_like(dp, np.nan)
    return dp / room
