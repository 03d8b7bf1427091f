"""Significance of a term's frequency difference with the document as the unit.

Lijffijt, Nevalainen, Säily, Papapetrou, Puolamäki & Mannila (2016),
"Significance testing of word frequencies in corpora", *Digital Scholarship
in the Humanities* 31(2), 374–397: χ² and G² treat every token as an
independent draw and overstate significance when a word clusters in some
texts; tests on one value per text do not. Each document i contributes its
relative frequency x_i = f_i / t_i (occurrences / tokens); the two groups
are the target's documents (x) and the reference's (y).

Both functions take documents × terms count matrices (scipy sparse or dense)
and the documents' token totals, and return one value per term, vectorised.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DOCUMENT_TEST_RESAMPLES = 1999
"""Replicates of :func:`bootstrap_test`; its smallest p is 2/2000 = 0.001."""


def relative_frequencies(counts, sizes):
    """Documents × terms relative frequencies f_i / t_i, sparse (CSR)."""
    from scipy import sparse

    t = np.asarray(sizes, dtype=np.float64).ravel()
    matrix = sparse.csr_matrix(counts, dtype=np.float64)
    if t.size != matrix.shape[0]:
        raise ValueError("sizes must have one entry per document (row)")
    if (t <= 0).any():
        raise ValueError("document sizes must be positive")
    return sparse.diags(1.0 / t) @ matrix


def _moments(frequencies) -> tuple[np.ndarray, np.ndarray, int]:
    """Per term: mean and unbiased variance of the rows' values, and the number of rows."""
    k = frequencies.shape[0]
    total = np.asarray(frequencies.sum(axis=0), dtype=np.float64).ravel()
    squares = np.asarray(frequencies.multiply(frequencies).sum(axis=0), dtype=np.float64).ravel()
    mean = total / k
    variance = np.maximum(squares - k * mean * mean, 0.0) / (k - 1) if k > 1 else \
        np.full_like(mean, np.nan)
    return mean, variance, k


def welch_test(target_counts, target_sizes, reference_counts, reference_sizes
               ) -> tuple[np.ndarray, np.ndarray]:
    """Welch's t-test on per-document relative frequencies: (t, two-sided p) per term.

    Welch (1947), "The generalization of 'Student's' problem when several
    different population variances are involved", *Biometrika* 34; applied to
    word frequencies as in Lijffijt et al. (2016, §3.3): with means x̄, ȳ,
    unbiased variances s_x², s_y² and k_x, k_y documents,

        t  = (x̄ − ȳ) / √(s_x²/k_x + s_y²/k_y)
        df = (s_x²/k_x + s_y²/k_y)² / [(s_x²/k_x)²/(k_x−1) + (s_y²/k_y)²/(k_y−1)]
        p  = 2 · P(T_df ≥ |t|)

    (as ``scipy.stats.ttest_ind(x, y, equal_var=False)``). NaN when a group
    has fewer than 2 documents or both groups' frequencies are constant.
    """
    from scipy.special import stdtr

    mx, vx, kx = _moments(relative_frequencies(target_counts, target_sizes))
    my, vy, ky = _moments(relative_frequencies(reference_counts, reference_sizes))
    if kx < 2 or ky < 2:
        nan = np.full(mx.shape, np.nan)
        return nan, nan.copy()
    ex, ey = vx / kx, vy / ky
    se2 = ex + ey
    defined = se2 > 0
    safe = np.where(defined, se2, 1.0)
    t = np.where(defined, (mx - my) / np.sqrt(safe), np.nan)
    df = np.where(defined, safe ** 2 / (ex ** 2 / (kx - 1) + ey ** 2 / (ky - 1) + ~defined),
                  np.nan)
    p = np.where(defined, 2.0 * stdtr(np.where(defined, df, 1.0), -np.abs(np.nan_to_num(t))),
                 np.nan)
    return t, p


def bootstrap_test(target_counts, target_sizes, target_ids: Sequence[str], reference_counts,
                   reference_sizes, reference_ids: Sequence[str], *, seed: int = 0,
                   resamples: int = DOCUMENT_TEST_RESAMPLES) -> np.ndarray:
    """Lijffijt et al.'s (2016, §3.4) bootstrap test over documents: two-sided p per term.

    Each replicate b resamples the documents of both groups and compares the
    mean relative frequencies: d_b = x̄*_b − ȳ*_b. With H(d) = 1 for d > 0,
    ½ for d = 0, 0 for d < 0, each one-sided p counts the replicates on the
    other side of zero, plus one (the observed sample):

        p_greater = (1 + Σ_b H(−d_b)) / (1 + B),   p_less = (1 + Σ_b H(d_b)) / (1 + B),
        p = min(1, 2 · min(p_greater, p_less))

    so the smallest p is 2/(1 + B) = 0.001 at the default B. Documents are resampled with
    the Poisson article weights of
    :func:`framelens.analysis.stats.bootstrap.article_weights` (seeded per
    document id, so a document's weights do not depend on the rest of the
    corpus): x̄*_b = Σ w_ib x_i / Σ w_ib. Replicates in which a group gets no
    document at all are left out (B counts the others). NaN when a group has
    no document.
    """
    from framelens.analysis.stats.bootstrap import article_weights

    x = relative_frequencies(target_counts, target_sizes).T.tocsr()
    y = relative_frequencies(reference_counts, reference_sizes).T.tocsr()
    terms = x.shape[0]
    if x.shape[1] == 0 or y.shape[1] == 0:
        return np.full(terms, np.nan)
    wx = article_weights(list(target_ids), seed=seed, resamples=resamples)
    wy = article_weights(list(reference_ids), seed=seed, resamples=resamples)
    nx = wx.replicate_sums(np.ones(x.shape[1]))
    ny = wy.replicate_sums(np.ones(y.shape[1]))
    kept = (nx > 0) & (ny > 0)
    nx, ny = nx[kept], ny[kept]
    replicates = int(kept.sum())
    p = np.empty(terms, dtype=np.float64)
    # Bounded memory: a chunk of terms × replicates, and the weights a block of documents
    # at a time (generated again for each chunk of terms).
    chunk = max(1, (1 << 22) // resamples)
    for start in range(0, terms, chunk):
        stop = min(terms, start + chunk)
        difference = wx.replicate_sums(x[start:stop].T.tocsr())[:, kept] / nx \
            - wy.replicate_sums(y[start:stop].T.tocsr())[:, kept] / ny
        ties = 0.5 * (difference == 0).sum(axis=1)
        greater = (1.0 + (difference < 0).sum(axis=1) + ties) / (1.0 + replicates)
        less = (1.0 + (difference > 0).sum(axis=1) + ties) / (1.0 + replicates)
        p[start:stop] = np.minimum(1.0, 2.0 * np.minimum(greater, less))
    return p
