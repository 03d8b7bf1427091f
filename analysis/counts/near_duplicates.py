"""Near-duplicate candidates without comparing every pair: MinHash signatures of each
document's set of terms, banded for locality-sensitive hashing (LSH), and the exact TF-IDF
cosine of the candidate pairs.

MinHash (Broder 1997, "On the resemblance and containment of documents"): for a random
hash function h, the probability that two sets A and B have the same minimum of h is their
Jaccard similarity s = |A ∩ B| / |A ∪ B|. A signature holds the minima under
:data:`NUM_PERMUTATIONS` hash functions; the fraction of equal positions estimates s.
Each position keeps 16 bits of its minimum (b-bit minwise hashing, Li & König 2010,
"b-Bit minwise hashing", WWW): two positions then agree with probability
p = s + (1 - s)·2^-16 ≥ s, so the recall bound below still holds, at half the storage.

Banding (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, 3rd ed., §3.4): cut
the first ``b·r`` positions into ``b`` bands of ``r`` rows; two documents become a candidate
pair when all ``r`` rows of at least one band agree, which happens with probability

    P(candidate | s) = 1 - (1 - p^r)^b ≥ 1 - (1 - s^r)^b,

an S-curve near 0 for dissimilar pairs and near 1 for similar ones, so the pairs compared
grow with the number of similar pairs, not with the square of the corpus.

The hash functions: each term is hashed to 64 bits with BLAKE2b (stable across runs and
machines, unlike Python's ``hash``); function ``i`` is the multiply-add map
g_i(x) = (a_i·x + c_i) mod 2^64 with fixed odd ``a_i`` and even ``c_i`` drawn once from a
seeded generator (multiply-shift, Dietzfelbinger et al. 1997, "A reliable randomized
algorithm for the closest-pair problem"); the signature keeps bits 32-47 of the minimum of
g_i over the set (bits that are uniform, unlike the low ones). A signature is therefore a
pure function of the term set and can be cached per document.
"""

from __future__ import annotations

from collections.abc import Sequence

from framelens.analysis.process.term_summaries import (  # noqa: F401 - with the method here
    NUM_PERMUTATIONS,
    TermSummary,
    _hash_functions,
    identity_key,
    minhash_signatures,
    product_entries,
    product_keys,
    product_values,
    row_key,
    signed,
    summarise_words,
    term_hashes,
    terms_key,
    token_fingerprint,
    valid_row,
    valid_summary,
)

# Below this many targets, each target's bands are compared with every document's; from
# it on, documents are grouped by sorting each band's keys.
_FEW_TARGETS = 64


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Lower bound of P(candidate | Jaccard s) = 1 - (1 - s^r)^b for ``b`` bands of ``r``."""
    return 1.0 - (1.0 - similarity ** rows) ** bands


def band_keys(signatures, bands: int, rows: int):
    """One uint64 key per document and band: the band's ``rows`` 16-bit values, packed four
    to a 64-bit word, words folded by a multiply-add (equal bands always get equal keys;
    unequal ones rarely collide, which only adds a candidate that the cosine then rejects)."""
    import numpy as np

    signatures = np.asarray(signatures, dtype=np.uint16)
    n_docs = signatures.shape[0]
    keys = np.zeros((n_docs, bands), dtype=np.uint64)
    block = signatures[:, :bands * rows].reshape(n_docs, bands, rows).astype(np.uint64)
    for row in range(rows):
        if row and row % 4 == 0:
            keys *= np.uint64(0x9E3779B97F4A7C15)  # odd: a new word starts
        keys ^= block[:, :, row] << np.uint64(16 * (row % 4))
    return keys


def candidate_pairs(signatures, targets, *, bands: int, rows: int):
    """Pairs (i, j), i in ``targets`` and j != i, whose signatures agree on every row of at
    least one of ``bands`` bands of ``rows`` rows (rows of ``signatures`` are documents).

    Returns two int64 arrays (i, j), sorted by (i, j), without repeats. The work grows
    with documents × bands plus the candidate pairs found, not with documents squared.
    """
    import numpy as np

    signatures = np.asarray(signatures, dtype=np.uint16)
    n_docs = signatures.shape[0]
    targets = np.unique(np.asarray(targets, dtype=np.int64))
    found_i, found_j = [], []
    if targets.size < _FEW_TARGETS:  # compare each target's bands with every document's
        banded = signatures[:, :bands * rows].reshape(n_docs, bands, rows)
        for target in targets.tolist():
            others = np.flatnonzero((banded == banded[target]).all(axis=2).any(axis=1))
            others = others[others != target]
            found_i.append(np.full(others.size, target, dtype=np.int64))
            found_j.append(others)
    else:
        keys = band_keys(signatures, bands, rows)
        is_target = np.zeros(n_docs, dtype=bool)
        is_target[targets] = True
        for band in range(bands):
            order = np.argsort(keys[:, band], kind="stable")
            ordered = keys[order, band]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            sizes = np.diff(np.r_[starts, ordered.size])
            shared = sizes > 1
            first, second = _pairs_within_runs(starts[shared], sizes[shared],
                                               is_target[order])
            found_i.append(order[first])
            found_j.append(order[second])
    if not found_i:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    codes = np.unique(np.concatenate(found_i) * n_docs + np.concatenate(found_j))
    return codes // n_docs, codes % n_docs


def _pairs_within_runs(starts, sizes, is_target):
    """Ordered pairs (p, q), p != q, of positions in the same run (runs: ``starts`` and
    ``sizes``), p a target position: vectorised, no Python loop per run."""
    import numpy as np

    def ranges(begin, length):  # begin[k], begin[k] + 1, ..., begin[k] + length[k] - 1
        total = int(length.sum())
        offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(length) - length, length)
        return np.repeat(begin, length) + offsets

    position = ranges(starts, sizes)
    run_start = np.repeat(starts, sizes)
    run_size = np.repeat(sizes, sizes)
    chosen = is_target[position]
    position, run_start, run_size = position[chosen], run_start[chosen], run_size[chosen]
    first = np.repeat(position, run_size)
    second = ranges(run_start, run_size)
    keep = first != second
    return first[keep], second[keep]


def tfidf_rows(counts, document_frequency, n_documents: int):
    """L2-normalised TF-IDF rows (CSR, float64) of a sparse matrix of raw term counts.

    ``document_frequency``: df(t) in the whole corpus of ``n_documents`` documents (not only
    these rows), so a few rows get the weights the whole corpus's matrix gives them. Weights
    as scikit-learn's ``TfidfTransformer(norm="l2", smooth_idf=True)`` (user guide 6.2.3.4)
    and :func:`framelens.analysis.counts.units.tfidf_weights`, in the same order of
    operations: w(t) = tf(t) · (ln((1 + n) / (1 + df(t))) + 1), each row divided by its
    Euclidean norm (an all-zero row stays zero).
    """
    from framelens.analysis.counts.units import tfidf_with_frequencies

    return tfidf_with_frequencies(counts, document_frequency, n_documents)[0]


def pair_cosines(counts, document_frequency, n_documents: int, first, second):
    """TF-IDF cosine u·v = Σ_t u(t)·v(t) of the row pairs (first[p], second[p]) of
    ``counts``, with the rows of :func:`tfidf_rows` (an all-zero row's cosines are 0)."""
    import numpy as np

    weights = tfidf_rows(counts, document_frequency, n_documents)
    return _over_pairs(first, second, 1 << 16, np.float64, lambda a, b: np.asarray(
        weights[a].multiply(weights[b]).sum(axis=1)).ravel())


def banding_for(jaccard: float, max_miss: float, *, min_rows: int = 3, max_rows: int = 8,
                num_permutations: int = NUM_PERMUTATIONS) -> tuple[int, int] | None:
    """(bands, rows) that miss a pair of Jaccard ``jaccard`` with probability at most
    ``max_miss``: the most rows per band r in [min_rows, max_rows] (fewest chance
    candidates) with b = num_permutations // r and (1 - s^r)^b <= max_miss; None when no r
    qualifies (the similarity is too low for banding to save work)."""
    if not 0.0 < jaccard <= 1.0:
        return None
    for rows in range(max_rows, min_rows - 1, -1):
        bands = num_permutations // rows
        if 1.0 - candidate_probability(jaccard, bands, rows) <= max_miss:
            return bands, rows
    return None


def agreeing_positions(signatures, first, second):
    """Number of equal positions of the signature pairs (first[p], second[p]): X ~
    Binomial(NUM_PERMUTATIONS, p) for a pair of Jaccard s, with p = s + (1 - s)·2^-16."""
    import numpy as np

    return _over_pairs(first, second, 1 << 14, np.int64,
                       lambda a, b: (signatures[a] == signatures[b]).sum(axis=1))


def _over_pairs(first, second, step: int, dtype, values_of):
    """``values_of(first, second)`` for the pairs, ``step`` pairs at a time (bounded memory)."""
    import numpy as np

    first = np.asarray(first, dtype=np.int64)
    second = np.asarray(second, dtype=np.int64)
    values = np.zeros(first.size, dtype=dtype)
    for start in range(0, first.size, step):
        part = slice(start, start + step)
        values[part] = values_of(first[part], second[part])
    return values


def min_agreement(jaccard: float, max_miss: float,
                  num_permutations: int = NUM_PERMUTATIONS) -> int:
    """The largest count c with P(X < c) <= max_miss for X ~ Binomial(k, jaccard): a pair
    of Jaccard ``jaccard`` or more has fewer than c equal positions with probability at most
    ``max_miss`` (the binomial lower tail, summed exactly)."""
    from math import comb

    tail = 0.0
    for count in range(num_permutations + 1):
        term = comb(num_permutations, count) * jaccard ** count \
            * (1 - jaccard) ** (num_permutations - count)
        if tail + term > max_miss:
            return count
        tail += term
    return num_permutations


# ------------------------------------------------------------------ per-document products


def summarise_terms(token_lists: Sequence[Sequence[Sequence[str]]], options) -> list[TermSummary]:
    """Each document's term counts, as
    :func:`~framelens.analysis.counts.matrices.count_units` counts it alone (one unit per
    document: its counts depend on its own tokens only), and the MinHash signature of its
    set of terms. Single words without lemmas (``check``'s options) are counted by
    :func:`~framelens.analysis.process.term_summaries.summarise_words`; other options by
    ``count_units`` itself."""
    if options.ngram_range == (1, 1) and not options.keep_stopwords \
            and not options.lemma_languages:
        return summarise_words(token_lists, options.extra_stopwords, tuple(options.phrases))
    from framelens.analysis.counts.matrices import count_units

    counts = count_units(token_lists, options)
    matrix = counts.matrix.tocsr()
    matrix.sort_indices()  # columns follow the sorted terms: each row's terms are sorted
    counted = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        counted.append((tuple(map(counts.terms.__getitem__, matrix.indices[start:end].tolist())),
                        tuple(matrix.data[start:end].tolist())))
    return signed(counted)


def check_term_options(config, languages):
    """The term options of ``check``'s near-duplicate search for a corpus with this config
    and these document languages: :func:`~framelens.analysis.counts.matrices.term_options`
    of a corpus without ``--lemmas`` (single words, stopwords removed)."""
    from framelens.analysis.counts.matrices import TermOptions
    from framelens.analysis.text.languages import stopwords_of

    return TermOptions((1, 1), False, config.phrases, config.stopwords | stopwords_of(languages),
                       ())


def summaries_key(options) -> str:
    """:func:`~framelens.analysis.process.term_summaries.summaries_key` of these options."""
    from framelens.analysis.process.term_summaries import summaries_key as key_of

    return key_of(options.ngram_range, options.keep_stopwords, options.phrases,
                  options.extra_stopwords, options.lemma_languages)
