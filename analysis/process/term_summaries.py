"""What ``check`` reads of each document, computed with the rest of the one pass.

Pure functions of a document's tokens, language and term options: its fingerprint (exact
duplicates), its terms and counts, and the MinHash signature of its set of terms
(near-duplicates; the method and its parameters are written in
:mod:`framelens.analysis.counts.near_duplicates`), and their cache entries. They live in
the process stage so that the one pass (:mod:`framelens.analysis.process.document_pass`)
computes them for every new document; ``check``
(:mod:`framelens.analysis.reports.duplicates`) computes them the same way for what the
cache lacks.
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


def summarise_words(token_lists: Sequence[Sequence[Sequence[str]]], stopwords: frozenset[str],
                    phrases: tuple[str, ...]) -> list[TermSummary]:
    """Each document's single-word term counts (no lemmas; ``stopwords`` removed,
    ``phrases`` merged) as :func:`~framelens.analysis.counts.matrices.count_units` counts
    the document alone, and the MinHash signature of its set of terms.

    Each surface form's key and stopword test are remembered across calls:
    ``count_units`` computes them again on every call, which dominates when the one pass
    calls this for each chunk of 64 documents.
    """
    words = _word_table(stopwords, tuple(phrases))
    return signed([words.count(tokens) for tokens in token_lists])


def signed(counted: list[tuple[tuple[str, ...], tuple[int, ...]]]) -> list[TermSummary]:
    """Term summaries of (terms, counts) pairs: with the MinHash signature of each term set."""
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
        from framelens.analysis.text.normalize import term_key, tokenize

        self.stopwords = stopwords
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:  # keys as counts.matrices.phrase_keys gives them, lower-cased
            keys = tuple(term_key(t).lower() for t in tokenize(phrase))
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


def summaries_key(ngram_range: tuple[int, int], keep_stopwords: bool, phrases: Sequence[str],
                  extra_stopwords: frozenset[str], lemma_languages: Sequence[str]) -> str:
    """The part of a term summary's cache key that stands for the term options (the fields
    of :class:`~framelens.analysis.counts.matrices.TermOptions`) and the versions of
    counting and of these products."""
    from framelens.analysis.store.keys import COUNTS_VERSION, DUPLICATES_VERSION

    return hashlib.sha256("\0".join([
        DUPLICATES_VERSION, COUNTS_VERSION, str(tuple(ngram_range)),
        str(keep_stopwords), "\x1f".join(phrases),
        "\x1f".join(sorted(extra_stopwords)),
        ",".join(lemma_languages)]).encode()).hexdigest()


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
