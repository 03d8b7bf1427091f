"""Keyness and effect-size statistics of a term between two groups (docs/design.md, Statistics).

Every function is a small vectorised numpy/scipy computation over arrays of
counts, with the source and the formula in its docstring. Nothing here loops
over the vocabulary, prints, or imports anything heavier than scipy.

Notation for a term compared between a target group and a reference group
(docs/design.md §4):

    a   count of the term in the target group      n1  tokens in the target group
    b   count of the term in the reference group   n2  tokens in the reference group
    c = n1 - a      d = n2 - b      N = n1 + n2
    E1 = n1 (a + b) / N             E2 = n2 (a + b) / N

``a`` and ``b`` may be arrays of any shape; ``n1`` and ``n2`` broadcast against
them (scalars for a pairwise comparison, a column for one-vs-rest over several
perspectives at once). Counts may be floats but must be non-negative with
``a <= n1``, ``b <= n2`` and ``n1, n2 > 0``; anything else raises ValueError.
For such input every score is finite and float64: an array shaped like the
broadcast input, or a numpy float64 scalar when every input is a scalar.

Signed scores are positive when the term is relatively more frequent in the
target group, negative when it is more frequent in the reference group, and
exactly negated when the two groups are swapped.
"""

from __future__ import annotations

import math

import numpy as np

DEFAULT_ALPHA0 = 1000.0
"""Default total pseudo-count α0 of the informative Dirichlet prior.

See :func:`informative_prior` for why 1,000.
"""

ZERO_COUNT = 0.5
"""Count substituted for a zero count in :func:`log_ratio` and :func:`pct_diff` (Hardie 2014)."""

P_ADJUST_METHODS = ("none", "bonferroni", "bh")



# --------------------------------------------------------------------------- helpers


def _table(a, b, n1, n2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Broadcast and validate one 2×2 table per element: (a, b, n1, n2) as float64."""
    a, b, n1, n2 = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (a, b, n1, n2)))
    if not (np.isfinite(a).all() and np.isfinite(b).all()
            and np.isfinite(n1).all() and np.isfinite(n2).all()):
        raise ValueError("counts and totals must be finite")
    if (a < 0).any() or (b < 0).any():
        raise ValueError("counts must be non-negative")
    if (n1 <= 0).any() or (n2 <= 0).any():
        raise ValueError("group totals n1 and n2 must be positive")
    if (a > n1).any() or (b > n2).any():
        raise ValueError("a count exceeds its group total (need a <= n1 and b <= n2)")
    return a, b, n1, n2


def _out(x) -> np.ndarray:
    """Return a float64 array, or a numpy float64 scalar for 0-d results."""
    return np.asarray(x, dtype=np.float64)[()]


def _direction(a: np.ndarray, b: np.ndarray, n1: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """sign(a − E1) as −1, 0 or +1.

    a − E1 = (a·n2 − b·n1) / N = (ad − bc) / N, so the sign is taken from
    a·n2 − b·n1, which is exact for integer counts (no rounding of E1) and is
    exactly negated when the groups are swapped.
    """
    return np.sign(a * n2 - b * n1)


# --------------------------------------------------------------- Monroe et al. 2008


def informative_prior(background_counts, alpha0: float = DEFAULT_ALPHA0) -> np.ndarray:
    """Informative Dirichlet prior α_w for the log-odds ratio.

    Monroe, Colaresi & Quinn (2008), "Fightin' Words: Lexical Feature Selection
    and Evaluation for Identifying the Content of Political Conflict",
    *Political Analysis* 16(4): 372–403, §3.5 (informative Dirichlet prior):

        α_w = α0 · f_w / Σ_v f_v

    where f_w is the term's frequency in the whole corpus or in a background
    frequency list, and α0 = Σ_w α_w is the prior's total weight, i.e. how many
    tokens of evidence the prior is worth.

    Why DEFAULT_ALPHA0 = 1,000. Monroe et al. leave α0 to the analyst, and
    well-known implementations disagree by orders of magnitude: scattertext's
    ``LogOddsRatioInformativeDirichletPrior`` scales priors so that they sum to
    ``sigma`` = 10 in its "word" mode (which it calls the original
    formulation) but uses raw background counts by default, as Jurafsky et al.
    (2014) did; tidylo's ``bind_log_odds`` takes the pooled counts themselves
    as α_w (α0 = N, so the prior weighs as much as the data); and the widely
    copied FightingWords script (J. Hessel) defaults to a flat α_w = 0.01, an
    uninformative prior. A fixed α0 that is small next to a typical perspective
    (framelens compares news articles, a few thousand to a few hundred
    thousand tokens a side) and large enough to matter for rare terms sits
    between these. With α0 = 1,000 a term at background rate 1/1,000 gets α_w = 1
    (add-one smoothing for mid-frequency words), rarer terms get less, and
    function words get tens of pseudo-counts, which damps differences among
    them, as Monroe et al. intend. The prior weighs about one short article and
    fades as corpora grow, where the estimate should be driven by the data.

    ``background_counts`` must be non-negative and finite with a positive sum.
    A term with zero background count gets α_w = 0, which
    :func:`log_odds_dirichlet` rejects; use a background in which every scored
    term occurs, such as the pooled counts of the compared groups.

    Returns α_w as float64 with the shape of ``background_counts``.
    """
    f = np.asarray(background_counts, dtype=np.float64)
    if not np.isfinite(f).all() or (f < 0).any():
        raise ValueError("background counts must be finite and non-negative")
    total = f.sum()
    if total <= 0:
        raise ValueError("background counts sum to zero")
    if not (math.isfinite(alpha0) and alpha0 > 0):
        raise ValueError("alpha0 must be a positive finite number")
    return alpha0 * (f / total)


def _log_odds(count: np.ndarray, total: np.ndarray, alpha_w: np.ndarray, alpha0) -> np.ndarray:
    """ln[(y + α_w) / (n + α0 − y − α_w)], the posterior log-odds of one group."""
    return np.log(count + alpha_w) - np.log(total + alpha0 - count - alpha_w)


def log_odds_dirichlet(a, b, n1, n2, alpha_w, alpha0: float | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio with an informative Dirichlet prior, and its z-score.

    Monroe, Colaresi & Quinn (2008), "Fightin' Words", *Political Analysis*
    16(4): 372–403, §3.5 (point estimate, approximate variance, z-score):

        δ  = ln[(a + α_w) / (n1 + α0 − a − α_w)] − ln[(b + α_w) / (n2 + α0 − b − α_w)]
        σ² ≈ 1/(a + α_w) + 1/(b + α_w)
        z  = δ / σ

    ``alpha_w`` is the per-term prior (see :func:`informative_prior`),
    broadcast against ``a`` and ``b``. ``alpha0`` is its total; by default
    ``alpha_w.sum()``. Pass it explicitly when ``a``/``b``/``alpha_w`` hold only
    a subset of the vocabulary, because α0 is the prior's total over the
    whole vocabulary.

    Every α_w must be positive and below α0 (the prior must put some mass on
    other terms); then both logarithms and σ are finite for every valid table,
    including a = 0, b = 0 and a term absent from both groups. (With the
    pooled counts of the two groups as background, a term used at the same
    rate in both groups gets δ = 0; a background that disagrees with the data
    can move δ for a term absent from both, through the group sizes.)

    Returns ``(delta, z)`` as float64 arrays.
    """
    a, b, n1, n2 = _table(a, b, n1, n2)
    alpha_w = np.asarray(alpha_w, dtype=np.float64)
    if not np.isfinite(alpha_w).all() or (alpha_w <= 0).any():
        raise ValueError("every prior alpha_w must be positive and finite")
    alpha0 = float(alpha_w.sum()) if alpha0 is None else float(alpha0)
    if not math.isfinite(alpha0) or (alpha_w >= alpha0).any():
        raise ValueError("alpha0 must be finite and larger than every alpha_w")
    delta = _log_odds(a, n1, alpha_w, alpha0) - _log_odds(b, n2, alpha_w, alpha0)
    sigma = np.sqrt(1.0 / (a + alpha_w) + 1.0 / (b + alpha_w))
    return _out(delta), _out(delta / sigma)


# ------------------------------------------------------------------- G² and χ²


def g2(a, b, n1, n2) -> tuple[np.ndarray, np.ndarray]:
    """Signed log-likelihood G² (4-term) and its χ²(1) p-value.

    Dunning (1993), "Accurate Methods for the Statistics of Surprise and
    Coincidence", *Computational Linguistics* 19(1): 61–74; the 4-cell form
    used by quanteda's ``textstat_keyness(measure = "lr")``, AntConc and
    scattertext:

        G² = 2 Σ O ln(O / E)  over the cells a, b, c, d with expectations
             E1 = n1(a+b)/N, E2 = n2(a+b)/N, n1(c+d)/N, n2(c+d)/N,

    with 0 · ln 0 = 0, signed by sign(a − E1) (0 when a = E1), and
    p = P(χ²₁ ≥ G²).

    Comparison with quanteda. quanteda.textstats computes each cell as
    O · ln(O/E + ε) with ε = 1e-9 (src/keyness.cpp), which gives 0 for an
    empty cell, as our 0 · ln 0 = 0 does, and otherwise differs from the exact
    O · ln(O/E) by about ε·E, so the two G² differ by at most about 2·ε·N:
    below 1e-4 for tables up to 50,000 tokens (tests/analysis/stats/test_stats.py checks
    this). Two further differences: quanteda's sign is −1 whenever a ≤ E1,
    where ours is 0 when a = E1 (G² is 0 there anyway); and quanteda's
    *default* correction for "lr" shifts every cell by 0.5 towards independence
    when Yates' rule applies (see :func:`chi2_quanteda`), although its help page
    says Williams' correction. This function is the uncorrected statistic,
    i.e. ``textstat_keyness(measure = "lr", correction = "none")``.

    A term absent from both groups, or making up every token of both, has
    G² = 0 and p = 1. Returns ``(g2_signed, p_value)`` as float64 arrays.
    """
    a, b, n1, n2 = _table(a, b, n1, n2)
    c = n1 - a
    d = n2 - b
    total = n1 + n2
    row_term = a + b
    row_rest = c + d

    def cell(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
        # O · ln(O/E), 0 when O = 0. E > 0 whenever O > 0 (its row and column hold O).
        ratio = np.divide(observed, expected, out=np.ones_like(observed), where=observed > 0)
        return observed * np.log(ratio)

    stat = 2.0 * (
        (cell(a, n1 * row_term / total) + cell(b, n2 * row_term / total))
        + (cell(c, n1 * row_rest / total) + cell(d, n2 * row_rest / total))
    )
    stat = np.maximum(stat, 0.0)  # G² ≥ 0; drop rounding noise near independence
    return _out(_direction(a, b, n1, n2) * stat), _out(_chi2_1_upper_tail(stat))


def chi2_quanteda(a, b, n1, n2) -> tuple[np.ndarray, np.ndarray]:
    """Signed Pearson χ² for the 2×2 table, with quanteda's Yates rule, and its p-value.

    Pearson's χ² for a 2×2 table with Yates' (1934) continuity correction, as
    computed by quanteda.textstats' ``textstat_keyness(measure = "chi2")`` with
    its default correction (``chisq_lambda``/``yates_correction`` in
    src/keyness.cpp):

        χ² = N (|ad − bc| − N·δ)² / ((a+b)(c+d)(a+c)(b+d))

    with δ = 1/2 where some expected cell ((a+b)(a+c)/N, (a+b)(b+d)/N,
    (a+c)(c+d)/N or (b+d)(c+d)/N) is below 5 *and* |ad − bc| ≥ N/2, else δ = 0.
    (a + c = n1, b + d = n2.) Signed by sign(a − E1), 0 when a = E1 (where χ²
    is 0); quanteda uses −1 there. p = P(χ²₁ ≥ χ²), as quanteda's
    ``1 - pchisq(abs(stat), 1)``.

    Where (a+b)(c+d) = 0 (a term absent from both groups, or one that is every
    token of both) quanteda divides 0 by 0; here χ² = 0 and p = 1.
    Returns ``(chi2_signed, p_value)`` as float64 arrays.
    """
    a, b, n1, n2 = _table(a, b, n1, n2)
    c = n1 - a
    d = n2 - b
    total = n1 + n2
    row_term = a + b
    row_rest = c + d
    # |ad − bc| = |a·n2 − b·n1|: same quantity, exact for integer counts.
    cross = np.abs(a * n2 - b * n1)
    smallest_expected = np.minimum(row_term, row_rest) * np.minimum(n1, n2) / total
    yates = (smallest_expected < 5.0) & (cross >= total / 2.0)
    deviation = cross - np.where(yates, total / 2.0, 0.0)
    numerator = total * deviation**2
    denominator = (row_term * row_rest) * (n1 * n2)
    stat = np.divide(numerator, denominator, out=np.zeros_like(numerator),
                     where=denominator > 0)
    return _out(_direction(a, b, n1, n2) * stat), _out(_chi2_1_upper_tail(stat))


def _chi2_1_upper_tail(stat: np.ndarray) -> np.ndarray:
    """P(χ²₁ ≥ stat). scipy.special is imported here, not with the module: it is a third
    of a warm run's time, and most commands never ask for a χ² p-value."""
    from scipy.special import chdtrc

    return chdtrc(1, stat)


# ------------------------------------------------------------------- effect sizes


def _adjusted_frequencies(a, b, n1, n2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts with a zero replaced by ZERO_COUNT, and a mask of terms absent from both."""
    a, b, n1, n2 = _table(a, b, n1, n2)
    both_zero = (a == 0) & (b == 0)
    a_adj = np.where(a == 0, ZERO_COUNT, a)
    b_adj = np.where(b == 0, ZERO_COUNT, b)
    return a_adj / n1, b_adj / n2, both_zero


def log_ratio(a, b, n1, n2) -> np.ndarray:
    """Hardie's Log Ratio: binary log of the ratio of relative frequencies.

    Hardie (2014), "Log Ratio – an informal introduction", CASS blog, Lancaster
    University:

        LR = log2[(a / n1) / (b / n2)]

    Zero counts: a count of 0 (``a``, ``b`` or both) is replaced by 0.5
    (ZERO_COUNT) before dividing; the totals n1 and n2 are not changed. A term
    absent from both groups has LR = 0 (no difference), not log2(n2/n1).
    Each unit is a doubling: LR = 1 means twice as frequent in the target.

    Returns a float64 array, finite for every valid table.
    """
    freq1, freq2, both_zero = _adjusted_frequencies(a, b, n1, n2)
    return _out(np.where(both_zero, 0.0, np.log2(freq1) - np.log2(freq2)))


def pct_diff(a, b, n1, n2) -> np.ndarray:
    """%DIFF: percentage difference of normalised frequencies.

    Gabrielatos & Marchi (2012), "Keyness: Appropriate metrics and practical
    issues", CADS International Conference, Bologna:

        %DIFF = (NF1 − NF2) · 100 / NF2,   NF1 = a / n1, NF2 = b / n2

    (the per-million scaling of NF cancels). Gabrielatos & Marchi replace a
    zero NF2 with a tiny number, which makes %DIFF astronomically large; here
    the zero-count rule of :func:`log_ratio` is used instead: a zero ``a`` or
    ``b`` becomes 0.5, and a term absent from both groups has %DIFF = 0. So
    %DIFF = 100 · (2^LR − 1) with LR from :func:`log_ratio`, and the two rank
    terms identically. The range is (−100, ∞), always finite.

    Returns a float64 array.
    """
    freq1, freq2, both_zero = _adjusted_frequencies(a, b, n1, n2)
    return _out(np.where(both_zero, 0.0, (freq1 - freq2) * 100.0 / freq2))


def rate_per_10k(count, total) -> np.ndarray:
    """Occurrences per 10,000 tokens: count · 10,000 / total.

    The normalised frequency of corpus linguistics (e.g. Biber, Conrad &
    Reppen 1998, *Corpus Linguistics*, ch. 9) with base 10,000. A total of 0
    (an empty group) gives 0. Returns a float64 array.
    """
    count = np.asarray(count, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    if (count < 0).any() or (total < 0).any():
        raise ValueError("counts and totals must be non-negative")
    count, total = np.broadcast_arrays(count, total)
    return _out(np.divide(count * 10_000.0, total, out=np.zeros_like(count), where=total > 0))


# -------------------------------------------------------------- multiple testing


def adjust_p(p, method: str = "bh") -> np.ndarray:
    """Multiple-comparison adjusted p-values, in the input's order and shape.

    method:
      "none"        p unchanged (as float64).
      "bonferroni"  min(1, m · p)  (Bonferroni; Dunn 1961).
      "bh"          Benjamini & Hochberg (1995), "Controlling the false
                    discovery rate", *JRSS B* 57(1): 289–300, step-up adjusted
                    p-values: with p₍₁₎ ≤ … ≤ p₍ₘ₎,
                    q₍ᵢ₎ = min(1, min_{j ≥ i} m · p₍ⱼ₎ / j)
                    (as R's ``p.adjust(method = "BH")``).

    m is the number of p-values. The BH values are monotone in p (a smaller
    p never gets a larger q), at least p, and at most 1. p-values must lie in
    [0, 1].
    """
    p = np.asarray(p, dtype=np.float64).copy()
    if method not in P_ADJUST_METHODS:
        raise ValueError(f"unknown p-value adjustment {method!r}; "
                         f"choose one of {', '.join(P_ADJUST_METHODS)}")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p-values must lie in [0, 1]")
    if method == "none" or p.size == 0:
        return p
    m = p.size
    if method == "bonferroni":
        return np.minimum(1.0, p * m)
    flat = p.ravel()
    order = np.argsort(flat, kind="stable")
    # p · (m/i) with m/i ≥ 1 rounds to at least p, so q ≥ p holds in floating point too.
    scaled = flat[order] * (m / np.arange(1, m + 1))
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty_like(flat)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted.reshape(p.shape)


# -------------------------------------------------------------------- similarity




