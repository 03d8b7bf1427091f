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

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

NUM_PERMUTATIONS = 256  # positions of a signature (uint16 each: 512 bytes a document)
_SEED = 20240514  # fixed: signatures are cached, so the hash functions never change
# Set elements hashed at once (NUM_PERMUTATIONS × this many uint64: 32 MB of scratch).
_CHUNK_ELEMENTS = 1 << 14
# Below this many targets, each target's bands are compared with every document's; from
# it on, documents are grouped by sorting each band's keys.
_FEW_TARGETS = 64


def term_hashes(terms: Sequence[str]):
    """64-bit BLAKE2b of each term's UTF-8 bytes (little-endian), as a uint64 array."""
    import numpy as np

    joined = b"".join(hashlib.blake2b(term.encode(), digest_size=8).digest() for term in terms)
    return np.frombuffer(joined, dtype="<u8").astype(np.uint64)


def _hash_functions(count: int):
    import numpy as np

    generator = np.random.default_rng(_SEED)
    multipliers = generator.integers(0, 1 << 63, size=count, dtype=np.uint64) * np.uint64(2) \
        + np.uint64(1)
    offsets = generator.integers(0, 1 << 63, size=count, dtype=np.uint64) * np.uint64(2)
    return multipliers[:, None], offsets[:, None]


def minhash_signatures(hashes, indptr, num_permutations: int = NUM_PERMUTATIONS):
    """MinHash signatures of sets in CSR layout: set ``d`` is
    ``hashes[indptr[d]:indptr[d + 1]]`` (64-bit term hashes, distinct within a set).

    Returns a ``(sets, num_permutations)`` uint16 array: entry (d, i) is bits 32-47 of
    min over x in set d of (a_i·x + c_i) mod 2^64 (the shift commutes with the minimum,
    so it is taken once per minimum). An empty set's row is all zeros: callers leave empty
    sets out. Vectorised over chunks of sets, never a Python loop per set.
    """
    import numpy as np

    hashes = np.asarray(hashes, dtype=np.uint64)
    indptr = np.asarray(indptr, dtype=np.int64)
    n_sets = indptr.size - 1
    signatures = np.zeros((n_sets, num_permutations), dtype=np.uint16)
    multipliers, offsets = _hash_functions(num_permutations)
    nonempty = np.flatnonzero(np.diff(indptr) > 0)
    ends = indptr[nonempty + 1]
    scratch = np.empty(num_permutations * _CHUNK_ELEMENTS, dtype=np.uint64)
    start = 0
    while start < nonempty.size:
        # As many whole non-empty sets as fit in the chunk (at least one). Empty sets hold
        # no elements, so the slice from the first set's start to the last one's end is
        # exactly the chunk's elements.
        first = indptr[nonempty[start]]
        stop = max(start + 1, int(np.searchsorted(ends, first + _CHUNK_ELEMENTS, side="right")))
        chunk = nonempty[start:stop]
        last = indptr[chunk[-1] + 1]
        size = int(last - first)
        values = (scratch[:num_permutations * size] if size <= _CHUNK_ELEMENTS
                  else np.empty(num_permutations * size, dtype=np.uint64))
        values = values.reshape(num_permutations, size)
        np.multiply(hashes[first:last][None, :], multipliers, out=values)
        values += offsets
        minima = np.minimum.reduceat(values, indptr[chunk] - first, axis=1)
        signatures[chunk] = ((minima >> np.uint64(32)) & np.uint64(0xFFFF)).T.astype(np.uint16)
        start = stop
    return signatures


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
# What ``check`` reads of each document, pure functions of its tokens, its language and
# the term options: computed by ``check`` itself, or by the one pass over new documents
# (:mod:`framelens.analysis.process.document_pass`) and cached with the document.


def token_fingerprint(tokens: Sequence[Sequence[str]]) -> str:
    """SHA-256 (hex) of the case-folded tokens of all sentences joined by one space; ""
    for a document without tokens (never a duplicate). (Case folding maps each character
    on its own, so folding the joined text folds each token.)"""
    joined = " ".join(chain.from_iterable(tokens))
    return hashlib.sha256(joined.casefold().encode()).hexdigest() if joined else ""


@dataclass(frozen=True)
class TermSummary:
    """A document's terms (sorted), their counts, and the MinHash signature of the set
    (``NUM_PERMUTATIONS`` little-endian uint16; empty when there is no term)."""

    terms: tuple[str, ...]
    counts: tuple[int, ...]
    signature: bytes


def summarise_terms(token_lists: Sequence[Sequence[Sequence[str]]], options) -> list[TermSummary]:
    """Each document's term counts, as
    :func:`~framelens.analysis.counts.matrices.count_units` counts it alone (one unit per
    document: its counts depend on its own tokens only), and the MinHash signature of its
    set of terms.

    Single words without lemmas (``check``'s options) are counted here, configured phrases
    merged as ``count_units`` merges them, with each surface form's key and stopword test
    remembered across calls: ``count_units`` computes them again on every call, which
    dominates when the one pass calls this for each chunk of 64 documents. Other options
    go to ``count_units`` itself.
    """
    if options.ngram_range == (1, 1) and not options.keep_stopwords \
            and not options.lemma_languages:
        words = _word_table(options.extra_stopwords, tuple(options.phrases))
        counted = [words.count(tokens) for tokens in token_lists]
    else:
        from framelens.analysis.counts.matrices import count_units

        counts = count_units(token_lists, options)
        matrix = counts.matrix.tocsr()
        matrix.sort_indices()  # columns follow the sorted terms: each row's terms are sorted
        counted = []
        for row in range(matrix.shape[0]):
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            counted.append((tuple(map(counts.terms.__getitem__,
                                      matrix.indices[start:end].tolist())),
                            tuple(matrix.data[start:end].tolist())))
    import numpy as np

    every = list(chain.from_iterable(terms for terms, _ in counted))
    lengths = [len(terms) for terms, _ in counted]
    signatures = minhash_signatures(_remembered_hashes(every), np.r_[0, np.cumsum(lengths)])
    return [TermSummary(terms, counts, signatures[k].astype("<u2").tobytes() if terms else b"")
            for k, (terms, counts) in enumerate(counted)]


_HASHES: dict[str, int] = {}  # term -> term_hashes([term]), across calls
_HASHES_LIMIT = 1 << 20


def _remembered_hashes(terms: list[str]):
    """:func:`term_hashes` of these terms, each distinct term hashed once a process."""
    import numpy as np

    new = set(terms).difference(_HASHES)
    if new:
        if len(_HASHES) + len(new) > _HASHES_LIMIT:
            _HASHES.clear()
            new = set(terms)
        ordered = sorted(new)
        _HASHES.update(zip(ordered, term_hashes(ordered).tolist(), strict=True))
    return np.fromiter(map(_HASHES.__getitem__, terms), dtype=np.uint64, count=len(terms))


class _WordTable:
    """Single-word counting as :func:`~framelens.analysis.counts.matrices.count_units` does
    it without lemmas: a token's key is ``term_key`` of it, a stopword key is dropped, and
    configured phrases are merged first (in each sentence, left to right, the longest phrase
    that starts at a token and fits; the merged token's key is the phrase's lower-cased keys
    joined by one space). Each surface form's key, stopword test and lower-cased key are
    remembered for one set of stopwords and phrases."""

    _LIMIT = 1 << 20  # forms remembered at most (then forgotten at once)

    def __init__(self, stopwords: frozenset[str], phrases: tuple[str, ...]):
        from framelens.analysis.counts.matrices import phrase_keys

        self.stopwords = stopwords
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            keys = tuple(k.lower() for k in phrase_keys(phrase))
            if len(keys) >= 2:
                by_first.setdefault(keys[0], []).append(keys)
        # The candidates of each first pair of words, longest first.
        self.phrases: dict[tuple[str, str], list[tuple[str, ...]]] = {}
        for candidates in by_first.values():
            candidates.sort(key=len, reverse=True)
            for candidate in candidates:
                self.phrases.setdefault(candidate[:2], []).append(candidate)
        self.starts = {first for first, _ in self.phrases}
        self.keys: dict[str, str | None] = {}  # form -> its key, None for a stopword
        self.lowers: dict[str, str] = {}  # form -> its key lower-cased
        self.start_forms: set[str] = set()  # forms whose lower-cased key starts a phrase

    def _learn(self, forms) -> None:
        from framelens.analysis.text.normalize import is_stopword, term_key

        if len(self.keys) >= self._LIMIT:
            self.keys.clear()
            self.lowers.clear()
            self.start_forms.clear()
        for form in forms:
            key = term_key(form)
            self.keys[form] = None if is_stopword(key, self.stopwords) else key
            lower = self.lowers[form] = key.lower()
            if lower in self.starts:
                self.start_forms.add(form)

    def count(self, tokens: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """(sorted terms, their counts) of one document's tokens."""
        flat = list(chain.from_iterable(tokens))
        unknown = set(flat).difference(self.keys)
        if unknown:
            self._learn(sorted(unknown))
        keys = list(map(self.keys.__getitem__, flat))
        if not self.start_forms.isdisjoint(flat):
            self._merge(tokens, flat, keys)
        tally = Counter([key for key in keys if key is not None])
        terms = tuple(sorted(tally))
        return terms, tuple(map(tally.__getitem__, terms))

    def _merge(self, tokens: Sequence[Sequence[str]], flat: list[str],
               keys: list[str | None]) -> None:
        """Merge a document's phrases in ``keys`` (the keys of its tokens ``flat``): a
        phrase's key (None for a stopword) at its first token, None at its others. A phrase
        never crosses the end of a sentence."""
        from bisect import bisect_right
        from itertools import accumulate, compress

        from framelens.analysis.text.normalize import is_stopword

        ends = list(accumulate(map(len, tokens)))
        lowers = self.lowers
        done = 0  # tokens before this position are merged or left alone
        for i in compress(range(len(flat)), map(self.start_forms.__contains__, flat)):
            if i < done:
                continue  # inside a phrase merged just before
            sentence_end = ends[bisect_right(ends, i)]
            if i + 1 >= sentence_end:
                continue
            words = None
            for candidate in self.phrases.get((lowers[flat[i]], lowers[flat[i + 1]]), ()):
                end = i + len(candidate)
                if end > sentence_end:
                    continue
                if words is None:  # the longest candidate that fits comes first
                    words = tuple(map(lowers.__getitem__, flat[i:end]))
                if words[:len(candidate)] == candidate:
                    key = " ".join(candidate)
                    keys[i] = None if is_stopword(key, self.stopwords) else key
                    keys[i + 1:end] = [None] * (end - i - 1)
                    done = end
                    break


@lru_cache(maxsize=4)
def _word_table(stopwords: frozenset[str], phrases: tuple[str, ...]) -> _WordTable:
    return _WordTable(stopwords, phrases)


def check_term_options(config, languages):
    """The term options of ``check``'s near-duplicate search for a corpus with this config
    and these document languages: :func:`~framelens.analysis.counts.matrices.term_options`
    of a corpus without ``--lemmas`` (single words, stopwords removed)."""
    from framelens.analysis.counts.matrices import TermOptions
    from framelens.analysis.text.languages import stopwords_of

    return TermOptions((1, 1), False, config.phrases, config.stopwords | stopwords_of(languages),
                       ())


def summaries_key(options) -> str:
    """The part of a term summary's cache key that stands for the term options (and the
    versions of counting and of these products)."""
    from framelens.analysis.store.keys import COUNTS_VERSION, DUPLICATES_VERSION

    return hashlib.sha256("\0".join([
        DUPLICATES_VERSION, COUNTS_VERSION, str(options.ngram_range),
        str(options.keep_stopwords), "\x1f".join(options.phrases),
        "\x1f".join(sorted(options.extra_stopwords)),
        ",".join(options.lemma_languages)]).encode()).hexdigest()


def identity_key(digest: str) -> str:
    from framelens.analysis.store.keys import DUPLICATES_VERSION

    return f"dup-id:{DUPLICATES_VERSION}:{digest}"


def terms_key(options_key: str, digest: str) -> str:
    return f"dup-terms:{options_key}:{digest}"


def row_key(options_key: str, digest: str) -> str:
    return f"dup-row:{options_key}:{digest}"


def product_keys(digest: str, options_key: str) -> tuple[str, str, str]:
    """The cache keys of a document's products (:func:`product_values`)."""
    return (identity_key(digest), terms_key(options_key, digest), row_key(options_key, digest))


def product_values(fingerprint: str, language: str, summary: TermSummary) -> tuple:
    """A document's cache entries: its identity (fingerprint, language); its term summary;
    and its row of the index (identity and signature: what ``check new.md`` reads of every
    other document, small enough to read 50,000 of them at once)."""
    return ((fingerprint, language), (summary.terms, summary.counts, summary.signature),
            (fingerprint, language, summary.signature))


def product_entries(digest: str, fingerprint: str, language: str, summary: TermSummary,
                    options_key: str) -> dict[str, object]:
    """:func:`product_values` by :func:`product_keys`."""
    return dict(zip(product_keys(digest, options_key),
                    product_values(fingerprint, language, summary), strict=True))


def valid_summary(payload: object) -> TermSummary | None:
    """The term summary of a cache entry, or None when it has the wrong shape."""
    if not (isinstance(payload, tuple) and len(payload) == 3):
        return None
    terms, counts, signature = payload
    if not (isinstance(terms, tuple) and isinstance(counts, tuple) and len(terms) == len(counts)
            and isinstance(signature, bytes)
            and len(signature) == (2 * NUM_PERMUTATIONS if terms else 0)
            and set(map(type, terms)) <= {str} and set(map(type, counts)) <= {int}
            and min(counts, default=1) > 0):
        return None
    return TermSummary(terms, counts, signature)


def valid_row(payload: object) -> tuple[str, str, bytes] | None:
    """(fingerprint, language, signature) of a cache entry, or None when malformed."""
    if not (isinstance(payload, tuple) and len(payload) == 3):
        return None
    fingerprint, language, signature = payload
    if not (isinstance(fingerprint, str) and isinstance(language, str)
            and isinstance(signature, bytes) and len(signature) in (0, 2 * NUM_PERMUTATIONS)):
        return None
    return fingerprint, language, signature
