"""How close the perspectives (or documents) are in what they talk about (``framelens similarity``).

Two measures for every pair of units (perspectives, their documents pooled;
or documents), computed on the pipeline's terms (the same as ``keywords``):

Terms are those ``keywords`` counts (config phrases and detected collocations
merged into single tokens; see :func:`framelens.analysis.tfidf.term_units`).

- **cosine**: cosine similarity of the units' TF-IDF vectors
  (:func:`framelens.analysis.tfidf.tfidf_weights`: scikit-learn smooth idf
  fitted on the compared units, L2-normalised), by scikit-learn's
  ``cosine_similarity``: cos(u, v) = u·v / (‖u‖ ‖v‖). 1 = the same term
  weights, 0 = no term in common. Terms used by every unit have the lowest
  idf, so the cosine is driven by the terms only some units use.
- **jsd**: Jensen–Shannon divergence, base 2 (Lin 1991; see
  :func:`framelens.analysis.stats.jensen_shannon_matrix`), between the units'
  term distributions (relative frequencies of raw counts, no idf): 0 =
  identical distributions, 1 = no term in common.

``vocabulary=True`` reports instead which terms the perspectives share: a
perspective *uses* a term when its count there is at least ``min_count``;
a term is shared by all when every perspective uses it, by a pair only when
exactly those two use it, unique to a perspective when no other uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from framelens.analysis.corpus import Corpus
from framelens.analysis.errors import OptionError
from framelens.analysis.results import Result
from framelens.analysis.stats import jensen_shannon_matrix
from framelens.analysis.tfidf import (
    BY_CHOICES,
    check_choice,
    perspective_styles,
    term_units,
    tfidf_weights,
)


@dataclass(frozen=True)
class SimilarityRow:
    """One unordered pair of units (a ≤ b in group order), diagonal included."""

    a: str
    b: str
    cosine: float
    jsd: float
    a_perspective: str
    b_perspective: str


@dataclass(frozen=True)
class VocabularyRow:
    """A set of terms: ``used`` by, shared by ``all``, by a ``pair`` only, or ``unique`` to."""

    set: str
    perspectives: tuple[str, ...]
    terms: int
    examples: tuple[str, ...]


def cosine_matrix(weights) -> np.ndarray:
    """Cosine similarities between the rows of ``weights`` (scikit-learn ``cosine_similarity``).

    cos(u, v) = u·v / (‖u‖ ‖v‖). The result is made exactly symmetric (the
    upper triangle is mirrored), its diagonal is 1 and values are clipped to
    [0, 1] (weights are non-negative; this only removes rounding noise). A
    row of zeros has no direction: its row and column are NaN.
    """
    from sklearn.metrics.pairwise import cosine_similarity

    matrix = np.asarray(cosine_similarity(weights), dtype=np.float64)
    upper = np.triu(matrix, 1)
    matrix = upper + upper.T
    np.clip(matrix, 0.0, 1.0, out=matrix)
    np.fill_diagonal(matrix, 1.0)
    empty = _empty_rows(weights)
    matrix[empty, :] = np.nan
    matrix[:, empty] = np.nan
    return matrix


def jsd_matrix(counts) -> np.ndarray:
    """Jensen–Shannon divergences (base 2) between the rows' relative frequencies.

    :func:`framelens.analysis.stats.jensen_shannon_matrix` on the non-empty
    rows; an all-zero row has no distribution, so its row and column are NaN.
    """
    from scipy import sparse

    counts = sparse.csr_matrix(counts)
    k = counts.shape[0]
    empty = _empty_rows(counts)
    present = np.flatnonzero(~empty)
    matrix = np.full((k, k), np.nan)
    if present.size:
        matrix[np.ix_(present, present)] = jensen_shannon_matrix(counts[present])
    return matrix


def similarity(corpus: Corpus, *, by: str = "perspective", vocabulary: bool = False,
               min_count: int = 2, examples: int = 10, sublinear_tf: bool = False,
               ngram_range: tuple[int, int] = (1, 1), keep_stopwords: bool = False,
               collocations: bool = True, collocation_min_count: int = 2) -> Result:
    """Cosine (TF-IDF) and JSD (term distributions) for every pair of units, diagonal included.

    Rows ``a, b, cosine, jsd, a_perspective, b_perspective``: one per
    unordered pair with a ≤ b in group order (perspectives in config order;
    documents by perspective, then id), so k units give k(k+1)/2 rows.
    ``vocabulary=True`` returns :func:`shared_vocabulary` instead.
    """
    check_choice("by", by, BY_CHOICES)
    terms = {"ngram_range": ngram_range, "keep_stopwords": keep_stopwords,
             "collocations": collocations, "collocation_min_count": collocation_min_count}
    if vocabulary:
        if by != "perspective":
            raise OptionError("--vocabulary compares perspectives; it cannot be combined "
                              "with --by document")
        return shared_vocabulary(corpus, min_count=min_count, examples=examples, **terms)
    units = term_units(corpus, by=by, **terms)
    weights, _ = tfidf_weights(units.matrix, sublinear_tf=sublinear_tf)
    cosine = cosine_matrix(weights)
    jsd = jsd_matrix(units.matrix)
    ids, perspectives = units.ids, units.perspectives
    k = len(ids)
    first, second = np.triu_indices(k)  # row-major: (0,0), (0,1), ..., (1,1), ...
    rows = tuple(
        SimilarityRow(ids[i], ids[j], c, d, perspectives[i], perspectives[j])
        for i, j, c, d in zip(first.tolist(), second.tolist(), cosine[first, second].tolist(),
                              jsd[first, second].tolist(), strict=True))
    warnings = [f"{unit}: no terms left after stopword removal; its cosine and JSD are "
                "undefined (empty)" for unit, empty in zip(ids, _empty_rows(units.matrix),
                                                           strict=True) if empty]
    if k == 1:
        warnings.append(f"only one {by}: nothing to compare")
    unit = "perspectives" if by == "perspective" else "documents"
    tf = "1 + ln(count)" if sublinear_tf else "count"
    caption = (
        f"cosine: cosine similarity of TF-IDF vectors (tf = {tf}, smooth idf over the {k} "
        f"{unit}, L2-normalised; 1 = same term weights, 0 = no term in common). "
        "jsd: Jensen–Shannon divergence, base 2, of relative term frequencies (0 = identical "
        "distributions, 1 = no term in common). Terms as in keywords"
        + ("" if keep_stopwords else ", stopwords removed") + ".")
    return Result(
        SimilarityRow, rows,
        title="Similarity between perspectives (documents pooled)" if by == "perspective"
        else "Similarity between documents",
        caption=caption,
        warnings=tuple(warnings),
        extra={"view": "matrix", "by": by, "groups": ids, "group_perspectives": perspectives,
               "cosine": cosine, "jsd": jsd, **perspective_styles(corpus)},
    )


def shared_vocabulary(corpus: Corpus, *, min_count: int = 2, examples: int = 10,
                      ngram_range: tuple[int, int] = (1, 1), keep_stopwords: bool = False,
                      collocations: bool = True, collocation_min_count: int = 2) -> Result:
    """Terms shared by all perspectives, by each pair only, and unique to each.

    A perspective uses a term when the term's count in its pooled documents
    is ≥ ``min_count``. Rows, in this order: ``used`` (per perspective: terms
    it uses), ``all`` (used by every perspective), ``pair`` (used by exactly
    these two; only with three or more perspectives, since with two it equals
    ``all``), ``unique`` (used by this perspective and no other; with
    min_count > 1 another perspective may still have the term fewer times).
    ``examples``: up to ``examples`` terms of the set with the highest total
    count in the corpus, ties by term.
    """
    if min_count < 1:
        raise OptionError(f"--min-count must be at least 1, got {min_count}")
    if examples < 0:
        raise OptionError(f"--examples must be 0 or more, got {examples}")
    units = term_units(corpus, by="perspective", ngram_range=ngram_range,
                       keep_stopwords=keep_stopwords, collocations=collocations,
                       collocation_min_count=collocation_min_count)
    counts = np.asarray(units.matrix.toarray(), dtype=np.int64)
    display = units.counts.display
    ids = units.ids
    k = len(ids)
    used = counts >= min_count
    n_users = used.sum(axis=0)
    total = counts.sum(axis=0)
    order = np.lexsort((np.arange(total.size), -total))  # by total count, then term key

    def row(kind: str, members: tuple[str, ...], mask: np.ndarray) -> VocabularyRow:
        chosen = order[mask[order]][:examples]
        return VocabularyRow(kind, members, int(mask.sum()),
                             tuple(display[c] for c in chosen.tolist()))

    rows = [row("used", (p,), used[i]) for i, p in enumerate(ids)]
    rows.append(row("all", ids, n_users == k))
    if k >= 3:
        rows.extend(row("pair", (ids[i], ids[j]), used[i] & used[j] & (n_users == 2))
                    for i in range(k) for j in range(i + 1, k))
    if k >= 2:
        rows.extend(row("unique", (p,), used[i] & (n_users == 1)) for i, p in enumerate(ids))
    warnings = ["only one perspective: nothing to compare"] if k == 1 else []
    caption = (
        f"A perspective uses a term when it occurs at least {min_count} time"
        f"{'s' if min_count != 1 else ''} in its documents. used = terms the perspective uses; "
        "all = used by every perspective; pair = used by exactly these two; unique = used by "
        "this perspective only (others may have it fewer times)."
        + (f" Terms used by 3 to {k - 1} perspectives are in none of these sets." if k >= 4
           else "")
        + " Examples: most frequent in the corpus first.")
    return Result(
        VocabularyRow, tuple(rows),
        title=f"Shared and unique vocabulary (count ≥ {min_count})",
        caption=caption,
        warnings=tuple(warnings),
        extra={"view": "vocabulary", "groups": ids, "min_count": min_count,
               **perspective_styles(corpus)},
    )


def _empty_rows(matrix) -> np.ndarray:
    from scipy import sparse

    matrix = sparse.csr_matrix(matrix)
    return np.asarray(abs(matrix).sum(axis=1)).ravel() == 0
