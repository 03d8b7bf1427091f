"""Collocation detection: multi-word terms found in the corpus itself.

Candidates are the adjacent bigrams and trigrams of counting keys
(:func:`framelens.analysis.text.normalize.term_key`) within a run of words that no
punctuation interrupts ("the United States/NATO" gives no "States NATO"
candidate; "Ukraine, Georgia" no "Ukraine Georgia"), scored by Dunning's
(1993) likelihood-ratio G² of the n-gram's contingency table against
independence (Manning & Schütze 1999, *Foundations of Statistical Natural
Language Processing*, §5.3.4). For a bigram (w1, w2) in a stream of N words:

    O = [[n(w1 w2),          n(w1) − n(w1 w2)],
         [n(w2) − n(w1 w2),  N − n(w1) − n(w2) + n(w1 w2)]]
    E_ij = row_i · col_j / N,        G² = 2 Σ O_ij ln(O_ij / E_ij)

A trigram's table is 2×2×2: its cells follow by inclusion–exclusion from
n(w1 w2 w3), the pairs n(w1 w2) and n(w2 w3), the gapped pair n(w1 _ w3)
and the three word counts, and E = Π (word j present ? n(wj) : N − n(wj)) / N²
is full independence of the three words. These are exactly the tables and
marginals of nltk's ``BigramCollocationFinder`` / ``TrigramCollocationFinder``
with their ``likelihood_ratio`` measure (``nltk/metrics/association.py``),
which this module used until it was rewritten in numpy; like nltk, each cell
adds O·ln(O/(E + 1e-20) + 1e-20), identical to the exact term for every cell
that is not empty and 0 for an empty one. ``tests/analysis/counts/test_collocations.py``
keeps the nltk implementation as the reference and checks that both agree.

A candidate is kept when

- it occurs at least ``min_count`` times (default 2: a phrase seen once is
  not a habit of anyone's writing);
- it neither starts nor ends with a stopword (scikit-learn's English list plus
  the config's), so "of the" is never a term while "annexation of Crimea" can be;
- its G² reaches the χ² critical value at p = 0.001: 10.83 for a bigram
  (χ²(1): a 2×2 table against independence has 1 degree of freedom) and
  18.47 for a trigram (χ²(4): a 2×2×2 table against full independence has
  8 − 1 − 3 = 4). p = 0.001 rather than 0.05 because thousands of candidates
  are tested at once; G² rather than PMI because PMI overrates rare pairs
  (Manning & Schütze §5.4);
- a trigram must also hold together at both joints, because the
  full-independence G² is large for any trigram that merely contains a strong
  bigram ("United States" + any word): the bigram G² of ((w1 w2), w3) and of
  (w1, (w2 w3)), each a 2×2 table of the pair against the word with the same
  N, must both reach 10.83; and its middle word must not be a coordinating
  conjunction ("Ukraine and Georgia" is two terms, not one).

How it is computed: every counting key gets an integer id, the whole corpus
becomes one array of ids with a flag on each word that starts a run, and
words, pairs, gapped pairs and triples are counted by encoding each n-gram's
ids as one int64 (base = vocabulary size) and ``np.unique``; filtering and
G² are array operations, with each expected count rounded once as nltk's
is, so the scores agree with nltk's to the last bit wherever numpy's log is
the C library's. The runs come from ``TOKEN_RE`` run over the joined
sentences, and only over the whitespace-separated chunks that are not plain
words (:func:`_run_start_flags`), instead of once per sentence. nltk is not
imported at all. A table with a negative cell (only possible when one word
makes up most of a tiny text, e.g. "a a" twice) made nltk raise a math
domain error; here its G² is NaN and it is not kept.

:func:`corpus_collocations` memoises its result for the run in ``corpus.memo``.
Across runs the document cache keeps the totals detection reads
(:class:`NgramTotals`: word, pair, gapped-pair and triple counts, keyed by
strings) per corpus folder and stopword list, with the multiset of document
digests they cover; a run on a changed corpus counts only the documents added
or removed since and adds or subtracts them (:func:`corpus_ngram_totals`).
Totals are sums over documents (no n-gram crosses a sentence), so detection on
merged totals finds exactly what a full count finds.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.pipeline import (
    ProcessedDocument,
    corpus_languages,
    corpus_part,
    decode_cached_blob,
    document_cache,
    document_digests,
    document_positions,
    processed,
)
from framelens.analysis.store.corpus_summary import (
    digest_changes,
    load_summary,
    save_summary,
    worth_saving,
)
from framelens.analysis.store.document_cache import DocumentCache
from framelens.analysis.store.keys import COLLOCATIONS_VERSION
from framelens.analysis.text.languages import stopwords_of
from framelens.analysis.text.normalize import TOKEN_RE, is_stopword, term_key, tokenize

DEFAULT_MIN_COUNT = 2
BIGRAM_G2_THRESHOLD = 10.83
"""χ²(1) critical value at p = 0.001."""
TRIGRAM_G2_THRESHOLD = 18.47
"""χ²(4) critical value at p = 0.001."""
COORDINATORS = frozenset({"and", "or", "nor", "but"})
# Bump when detection changes so cached collocations are never reused.

# nltk's smoothing of every G² term (see the module docstring).
_SMALL = 1e-20
_INT64_MAX = int(np.iinfo(np.int64).max)
# Stand-ins in the corpus-wide pass that finds runs: every token becomes
# _TOKEN_MARK, sentences are joined with _SENTENCE_MARK. Neither is
# whitespace nor a word character, and in UTF-8 each is one byte that no
# other character's encoding contains.
_TOKEN_MARK = "\x00"
_SENTENCE_MARK = "\x01"
_SKELETON_BLOCK = 4096  # sentences


@dataclass(frozen=True)
class Collocation:
    """A detected multi-word term: its counting keys, frequency and G²."""

    keys: tuple[str, ...]
    count: int
    g2: float

    @property
    def phrase(self) -> str:
        return " ".join(self.keys)


def find_collocations(
    sentences: Iterable[Sequence[str]],
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    extra_stopwords: frozenset[str] = frozenset(),
    bigram_threshold: float = BIGRAM_G2_THRESHOLD,
    trigram_threshold: float = TRIGRAM_G2_THRESHOLD,
) -> tuple[Collocation, ...]:
    """Bigram and trigram collocations in sentences of counting keys.

    Each sentence (or run of words between punctuation) is a sequence of
    keys; n-grams never cross from one to the next. Returns the kept
    collocations sorted by (−G², keys), G² rounded to 9 decimals so that
    ties up to floating-point noise are broken by the keys.
    """
    runs = [tuple(run) for run in sentences]
    lengths = np.fromiter(map(len, runs), dtype=np.int64, count=len(runs))
    ids_of = _DenseIds()
    ids = np.fromiter(map(ids_of.__getitem__, chain.from_iterable(runs)), dtype=np.int64,
                      count=int(lengths.sum()))
    return _collocations(ids, _first_of_each(lengths, len(ids)), list(ids_of),
                         min_count=min_count, extra_stopwords=extra_stopwords,
                         bigram_threshold=bigram_threshold, trigram_threshold=trigram_threshold)


def corpus_collocations(corpus: Corpus, *, min_count: int = DEFAULT_MIN_COUNT
                        ) -> tuple[Collocation, ...]:
    """Collocations of the whole corpus, memoised for the run.

    Detection reads corpus totals (:class:`NgramTotals`), which the document
    cache keeps per corpus folder and stopword list with the digests they
    cover: a run on a corpus that differs by a few documents counts only
    those and adds or subtracts them (:func:`corpus_ngram_totals`).
    """
    memo_key = f"collocations:{min_count}"
    cached = corpus.memo.get(memo_key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    stopwords = collocation_stopwords(corpus)
    result = detect_collocations(corpus_ngram_totals(corpus, stopwords), min_count=min_count,
                                 extra_stopwords=stopwords)
    corpus.memo[memo_key] = result
    return result


def collocation_stopwords(corpus: Corpus) -> frozenset[str]:
    """The config's stopwords and each non-English language's list (English's is built in)."""
    return corpus.config.stopwords | stopwords_of(corpus_languages(corpus))


def corpus_ngram_totals(corpus: Corpus, stopwords: frozenset[str]) -> NgramTotals:
    """The corpus's word, pair, gapped-pair and triple totals, merged from a stored summary.

    The stored totals (one entry per corpus folder and stopword list, with the
    multiset of document digests they cover) are brought to this corpus by
    counting only the documents added or removed since (a removed document's
    tokens come from the per-document cache by digest); any count that would
    go negative, a removed document the cache no longer holds, or a damaged
    entry means a full count instead. Totals are sums over documents, so the
    result equals a full count exactly.
    """
    memo_key = ("ngram_totals", stopwords)
    cached = corpus.memo.get(memo_key)  # type: ignore[call-overload]
    if cached is not None:
        return cached  # type: ignore[return-value]
    cache = document_cache(corpus)
    digests = document_digests(corpus)
    family = "collocation-totals-" + hashlib.sha256("\0".join([
        COLLOCATIONS_VERSION, os.path.abspath(corpus.root) if corpus.root else "",
        ",".join(sorted(stopwords))]).encode()).hexdigest()
    stored = _totals_from_payload(load_summary(cache, family, COLLOCATIONS_VERSION))
    totals = None
    save = True
    if stored is not None:
        covered, stored_totals = stored
        delta = digest_changes(covered, digests)
        totals = _apply_changes(corpus, stored_totals, delta, stopwords, cache)
        save = totals is None or worth_saving(len(delta), len(digests))
    if totals is None:
        totals = _count_totals(processed(corpus), stopwords)
    if cache is not None and save:
        save_summary(cache, family, COLLOCATIONS_VERSION,
                     _totals_payload(Counter(digests), totals))
    corpus.memo[memo_key] = totals
    return totals


def _apply_changes(corpus: Corpus, totals: NgramTotals, delta: dict[str, int],
                   stopwords: frozenset[str], cache) -> NgramTotals | None:
    """``totals`` plus the added documents' counts minus the removed ones'; None when a
    removed document's tokens are not cached or a count would go negative."""
    if not delta:
        return totals
    documents = changed_documents(corpus, [d for d, change in delta.items() if change > 0],
                                  [d for d, change in delta.items() if change < 0], cache)
    if documents is None:
        return None
    # n-grams never cross a sentence, so a group of documents counts as the sum of each.
    for change in sorted(set(delta.values())):
        group = [documents[d] for d, c in delta.items() if c == change]
        totals = totals.merged(_count_totals(group, stopwords), change)
        if totals is None:
            return None
    return totals


@dataclass(frozen=True)
class CachedTokens:
    """A document's sentences and tokens read back from the per-document cache (a removed
    document's: its text is no longer in the corpus)."""

    sentences: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]


def cached_tokens(cache: DocumentCache | None, digests: Sequence[str]
                          ) -> dict[str, CachedTokens]:
    """The sentences and tokens of documents by digest, from the per-document cache;
    digests whose entry is missing or unreadable are left out."""
    if cache is None or not digests:
        return {}
    found = {}
    for digest, blob in cache.get_blobs(digests).items():
        payload = decode_cached_blob(blob)
        if payload is not None:
            found[digest] = CachedTokens(payload[0], payload[1])
    return found


def changed_documents(corpus: Corpus, present: Sequence[str], gone: Sequence[str], cache
                      ) -> dict[str, ProcessedDocument | CachedTokens] | None:
    """The tokens of the documents a merge adds (``present``: in the corpus, processed or
    loaded) and subtracts (``gone``: from the per-document cache), by digest; None when
    a gone document's tokens are not cached (the merge cannot be exact)."""
    documents: dict[str, ProcessedDocument | CachedTokens] = dict(
        zip(present, processed_digests(corpus, present), strict=True))
    if gone:
        payloads = cached_tokens(cache, gone)
        if len(payloads) < len(gone):
            return None
        documents.update(payloads)
    return documents


def processed_digests(corpus: Corpus, digests: Sequence[str]) -> list[ProcessedDocument]:
    """The processed documents of these digests (one each; each must be in the corpus),
    processing or loading only those unless the run already holds the whole corpus."""
    position = document_positions(corpus)
    indices = [position[d] for d in digests]
    if "processed" in corpus.memo or len(indices) == len(corpus.documents):
        every = processed(corpus)
        return [every[i] for i in indices]
    if not indices:
        return []
    return list(processed(corpus_part(corpus, [corpus.documents[i] for i in indices])))


def _count_totals(documents: Sequence, stopwords: frozenset[str]) -> NgramTotals:
    ids, starts, keys = _corpus_word_ids(documents)
    return ngram_totals(ids, starts, keys, stopwords)


_TOTALS_FORMAT = "ngram-totals-1"


def _totals_payload(covered: Counter, totals: NgramTotals) -> tuple:
    digests = sorted(covered)
    return (_TOTALS_FORMAT, tuple(digests), tuple(covered[d] for d in digests),
            tuple(totals.keys), *(_array_payload(a) for a in
                                   (totals.words, totals.pairs, totals.gapped, totals.triples)))


def _array_payload(array: np.ndarray) -> tuple:
    """(dtype, shape, bytes), int32 when every value fits (halves the entry)."""
    if array.size and array.min() >= -(1 << 31) and array.max() < 1 << 31:
        array = array.astype("<i4")
    else:
        array = array.astype("<i8")
    return array.dtype.str, array.shape, array.tobytes()


def _array_from_payload(payload: object) -> np.ndarray:
    dtype, shape, data = payload  # type: ignore[misc]
    if dtype not in ("<i4", "<i8") or not isinstance(data, bytes):
        raise ValueError("not a stored count array")
    return np.frombuffer(data, dtype=dtype).astype(np.int64).reshape(shape)


def _totals_from_payload(payload: object) -> tuple[dict[str, int], NgramTotals] | None:
    """(digest → multiplicity covered, totals) of a stored entry; None when it has the
    wrong shape or holds counts no corpus can have."""
    try:
        fmt, digests, multiplicity, keys, *arrays = payload  # type: ignore[misc]
        if fmt != _TOTALS_FORMAT or len(arrays) != 4:
            return None
        words, pairs, gapped, triples = map(_array_from_payload, arrays)
    except (TypeError, ValueError):
        return None
    size = len(keys)
    if not (isinstance(digests, tuple) and isinstance(multiplicity, tuple)
            and isinstance(keys, tuple) and len(digests) == len(multiplicity)
            and all(type(d) is str for d in digests) and all(type(k) is str for k in keys)
            and all(type(m) is int and m > 0 for m in multiplicity)
            and len(set(keys)) == size and words.shape == (size,)
            and pairs.ndim == gapped.ndim == triples.ndim == 2
            and pairs.shape[1] == gapped.shape[1] == 3 and triples.shape[1] == 4):
        return None
    for table in (pairs, gapped, triples):
        ids, counts = table[:, :-1], table[:, -1]
        if table.size and (ids.min() < 0 or ids.max() >= size or counts.min() <= 0):
            return None
        codes = _codes(ids, size)
        if codes.dtype.names is None and codes.size and not (codes[1:] > codes[:-1]).all():
            return None  # the tables are stored sorted, each n-gram once
    if words.size and words.min() < 0:
        return None
    return dict(zip(digests, multiplicity, strict=True)), NgramTotals(list(keys), words, pairs,
                                                                       gapped, triples)


def word_runs(sentence: str) -> list[list[str]]:
    """The sentence's tokens (as :func:`tokenize` gives them) split at punctuation.

    A run ends wherever anything but whitespace separates two tokens.
    """
    tokens = tokenize(sentence)
    starts = run_starts(sentence, len(tokens))
    return [tokens[i:j] for i, j in zip(starts, starts[1:] + [len(tokens)], strict=True)
            if i < j]


def run_starts(sentence: str, token_count: int) -> list[int]:
    """Indices of the tokens that start a run of words (always 0 first).

    ``token_count`` is the number of tokens the pipeline found in the sentence;
    should the tokenizer ever disagree, the sentence is one run.
    """
    starts = [0]
    end = -1
    index = -1
    for index, match in enumerate(TOKEN_RE.finditer(sentence)):
        if index and sentence[end:match.start()].strip():
            starts.append(index)
        end = match.end()
    return starts if index + 1 == token_count else [0]


# ------------------------------------------------------------------ corpus to arrays


class _DenseIds(dict):
    """Numbers each new key 0, 1, 2, … on its first lookup."""

    def __missing__(self, key: str) -> int:
        value = self[key] = len(self)
        return value


def _corpus_word_ids(documents: Sequence[ProcessedDocument]
                     ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every token of the corpus as a key id, the flags of run starts, and the keys.

    Surface tokens are numbered first (C-level dict lookups), so
    :func:`term_key` runs once per distinct token rather than once per token.
    """
    lengths = np.fromiter((len(tokens) for doc in documents for tokens in doc.tokens),
                          dtype=np.int64)
    total = int(lengths.sum())
    surface_ids = _DenseIds()
    tokens = chain.from_iterable(chain.from_iterable(doc.tokens for doc in documents))
    surface = np.fromiter(map(surface_ids.__getitem__, tokens), dtype=np.int64, count=total)
    key_ids = _DenseIds()
    key_of_surface = np.fromiter(map(key_ids.__getitem__, map(term_key, surface_ids)),
                                 dtype=np.int64, count=len(surface_ids))
    sentences = [sentence for doc in documents for sentence in doc.sentences]
    return key_of_surface[surface], _run_start_flags(sentences, lengths), list(key_ids)


def _first_of_each(lengths: np.ndarray, total: int) -> np.ndarray:
    """Flags marking the first token of each non-empty sentence (or run) of ``lengths``."""
    flags = np.zeros(total, dtype=bool)
    offsets = np.cumsum(lengths) - lengths
    flags[offsets[lengths > 0]] = True
    return flags


def _run_start_flags(sentences: list[str], lengths: np.ndarray) -> np.ndarray:
    """For every token of the sentences, whether it starts a run: :func:`run_starts` for all.

    ``lengths`` are the pipeline's token counts. In the sentences' skeleton
    (:func:`_skeleton`), a token starts a run exactly when the character
    before its mark is not another mark (it is punctuation, a sentence mark,
    or nothing). A sentence whose mark count differs from its token count is
    one run, as in :func:`run_starts`.
    """
    total = int(lengths.sum())
    if any(_TOKEN_MARK in sentence or _SENTENCE_MARK in sentence for sentence in sentences):
        # The marks occur in the text itself: the slow path, one sentence at a time.
        flags = np.zeros(total, dtype=bool)
        offset = 0
        for sentence, length in zip(sentences, lengths.tolist(), strict=True):
            if length:
                flags[[offset + i for i in run_starts(sentence, length)]] = True
            offset += length
        return flags
    # In blocks of sentences, so the chunk strings of one block at a time are in memory.
    skeleton = _SENTENCE_MARK.encode().join(
        _skeleton(sentences[i:i + _SKELETON_BLOCK])
        for i in range(0, len(sentences), _SKELETON_BLOCK))
    codes = np.frombuffer(skeleton, dtype=np.uint8)
    mark_at = np.flatnonzero(codes == ord(_TOKEN_MARK))
    after_gap = np.ones(len(mark_at), dtype=bool)
    if len(mark_at):
        after_gap[1:] = codes[mark_at[1:] - 1] != ord(_TOKEN_MARK)
    # Marks before each sentence mark, hence marks in each sentence.
    marks_before = np.searchsorted(mark_at, np.flatnonzero(codes == ord(_SENTENCE_MARK)))
    marks = np.diff(marks_before, prepend=0, append=len(mark_at))[:len(sentences)]
    agrees = marks == lengths
    if agrees.all():
        return after_gap
    flags = _first_of_each(lengths, total)
    flags[np.repeat(agrees, lengths)] = after_gap[np.repeat(agrees, marks)]
    return flags


def _skeleton(sentences: list[str]) -> bytes:
    """The sentences joined by the sentence mark, every token a token mark, no whitespace.

    Only the whitespace-separated chunks that are not all letters and digits
    go through ``TOKEN_RE``: such a chunk is exactly one token (the regex's
    last alternative takes it whole, the others need punctuation), and no
    token spans whitespace. In news text that skips most of the words.
    """
    chunks = _SENTENCE_MARK.join(sentences).split()
    plain = np.fromiter(map(str.isalnum, chunks), dtype=bool, count=len(chunks))
    special = np.flatnonzero(~plain).tolist()
    pieces = [_TOKEN_MARK] * len(chunks)
    if special:
        marked = TOKEN_RE.sub(_TOKEN_MARK, " ".join([chunks[i] for i in special])).split(" ")
        for index, piece in zip(special, marked, strict=True):
            pieces[index] = piece
    return "".join(pieces).encode()


# ----------------------------------------------------------------- counting and scores


@dataclass(frozen=True)
class NgramTotals:
    """What detection reads of a stream of key ids: totals that add over documents.

    ``keys``: the counting keys (ids index them); ``words``: the count of each
    key (every token, stopwords too: N is their sum); ``pairs``: (w1, w2,
    count) of adjacent words in one run with a content word at an edge;
    ``gapped``: (w1, w3, count) and ``triples``: (w1, w2, w3, count) of three
    words in one run with content words at both edges (triples also without a
    coordinating conjunction in the middle). Each table is sorted by its ids,
    each n-gram once with a positive count.
    """

    keys: list[str]
    words: np.ndarray
    pairs: np.ndarray
    gapped: np.ndarray
    triples: np.ndarray

    def merged(self, other: NgramTotals, times: int = 1) -> NgramTotals | None:
        """These totals plus ``times`` × ``other`` (negative: subtract); None when a count
        would go negative (``other`` was never part of these totals)."""
        index = {key: i for i, key in enumerate(self.keys)}
        size_before = len(index)
        remap = np.fromiter((index.setdefault(key, len(index)) for key in other.keys),
                            dtype=np.int64, count=len(other.keys))
        keys = self.keys + list(index)[size_before:] if len(index) > size_before else self.keys
        words = np.zeros(len(keys), dtype=np.int64)
        words[:size_before] = self.words
        words[remap] += times * other.words
        if words.size and words.min() < 0:
            return None
        tables = []
        for mine, theirs in ((self.pairs, other.pairs), (self.gapped, other.gapped),
                             (self.triples, other.triples)):
            theirs = np.column_stack((remap[theirs[:, :-1]], times * theirs[:, -1])) \
                if theirs.size else theirs
            table = _merge_table(mine, theirs, len(keys))
            if table is None:
                return None
            tables.append(table)
        return NgramTotals(keys, words, *tables)


def _merge_table(table: np.ndarray, change: np.ndarray, size: int) -> np.ndarray | None:
    """A sorted count table plus rows of distinct (ids, count) changes, sorted, zero rows
    dropped; None when a count goes negative. The few changed rows are found in the table
    by binary search and new ones inserted, instead of sorting the table again; the table
    is copied once (a few changes to a large table)."""
    if not change.size:
        return table
    change = change[np.argsort(_codes(change[:, :-1], size), kind="stable")]
    codes = _codes(table[:, :-1], size)
    wanted = _codes(change[:, :-1], size)
    at = np.searchsorted(codes, wanted)
    found = at < len(codes)
    found[found] = codes[at[found]] == wanted[found]
    updated = table[at[found], -1] + change[found, -1]
    added = change[~found]
    if (updated.size and updated.min() < 0) or (added.size and added[:, -1].min() < 0):
        return None
    nonzero = added[:, -1] > 0
    added, inserted_at = added[nonzero], at[~found][nonzero]
    # Row positions after the insertion: each found row moves down by the rows inserted
    # at or before it (np.insert puts a row before the index it is given).
    moved = at[found] + np.searchsorted(inserted_at, at[found], side="right")
    merged = np.insert(table, inserted_at, added, axis=0) if added.size else table.copy()
    merged[moved, -1] = updated
    emptied = moved[updated == 0]
    return np.delete(merged, emptied, axis=0) if emptied.size else merged


def _codes(ids: np.ndarray, size: int) -> np.ndarray:
    """Each row of ids as one int64 in base ``size`` (ordered as the rows); the rows as
    one structured record each (same order) when size ** columns does not fit."""
    if size ** ids.shape[1] > _INT64_MAX:  # pragma: no cover - huge vocabularies only
        return np.ascontiguousarray(ids).view([(f"c{k}", ids.dtype)
                                               for k in range(ids.shape[1])]).reshape(-1)
    codes = np.zeros(len(ids), dtype=np.int64)
    for column in range(ids.shape[1]):
        codes = codes * size + ids[:, column]
    return codes


def ngram_totals(ids: np.ndarray, starts: np.ndarray, keys: list[str],
                 extra_stopwords: frozenset[str]) -> NgramTotals:
    """The totals of a stream of key ids; ``starts`` flags each word that starts a run."""
    size = len(keys)
    if size * size > _INT64_MAX:  # pragma: no cover - needs over 3·10⁹ distinct keys
        raise OverflowError("vocabulary too large to encode pairs in int64")
    word_counts = np.bincount(ids, minlength=size).astype(np.int64)
    stop = _stop_flags(keys, extra_stopwords)
    coordinator = np.fromiter((key in COORDINATORS for key in keys), dtype=bool, count=size)
    # Position i of these views is the n-gram starting at word i; boolean
    # masks over them select n-grams (cheaper than gathering by index).
    content = ~stop[ids]
    joined = ~starts[1:]  # word i + 1 continues the run of word i
    # Only pairs with a content word at one edge are ever candidates or marginals.
    pair = joined & (content[:-1] | content[1:])
    pair_codes, pair_counts = np.unique(ids[:-1][pair] * size + ids[1:][pair],
                                        return_counts=True)
    # Triples and gapped pairs with content words at both edges (no other is a
    # candidate or the marginal of one), in one run.
    edges = joined[:-1] & joined[1:] & content[:-2] & content[2:]
    first, third = ids[:-2], ids[2:]
    gapped_codes, gapped_counts = np.unique(first[edges] * size + third[edges],
                                            return_counts=True)
    triple = edges & ~coordinator[ids[1:-1]]
    (w1, w2, w3), count = _count_triples(first[triple], ids[1:-1][triple], third[triple], size)
    return NgramTotals(
        keys, word_counts,
        np.column_stack((*np.divmod(pair_codes, size), pair_counts)).astype(np.int64),
        np.column_stack((*np.divmod(gapped_codes, size), gapped_counts)).astype(np.int64),
        np.column_stack((w1, w2, w3, count)).astype(np.int64))


def _stop_flags(keys: list[str], extra_stopwords: frozenset[str]) -> np.ndarray:
    return np.fromiter((is_stopword(key, extra_stopwords) for key in keys), dtype=bool,
                       count=len(keys))


def _collocations(ids: np.ndarray, starts: np.ndarray, keys: list[str], *, min_count: int,
                  extra_stopwords: frozenset[str],
                  bigram_threshold: float = BIGRAM_G2_THRESHOLD,
                  trigram_threshold: float = TRIGRAM_G2_THRESHOLD) -> tuple[Collocation, ...]:
    """Collocations of a stream of key ids; ``starts`` flags each word that starts a run."""
    if len(ids) < 2:
        return ()
    return detect_collocations(ngram_totals(ids, starts, keys, extra_stopwords),
                               min_count=min_count, extra_stopwords=extra_stopwords,
                               bigram_threshold=bigram_threshold,
                               trigram_threshold=trigram_threshold)


def detect_collocations(totals: NgramTotals, *, min_count: int, extra_stopwords: frozenset[str],
                        bigram_threshold: float = BIGRAM_G2_THRESHOLD,
                        trigram_threshold: float = TRIGRAM_G2_THRESHOLD
                        ) -> tuple[Collocation, ...]:
    """The collocations the totals hold (the tests of the module docstring).

    Depends on the totals only, not on how keys are numbered: every score is
    computed per candidate and the result is sorted by (−G², keys).
    """
    keys = totals.keys
    size = len(keys)
    total = int(totals.words.sum())
    if total < 2:
        return ()
    word_counts = totals.words
    pair_codes = _codes(totals.pairs[:, :2], size)
    pair_counts = totals.pairs[:, 2]

    found: list[Collocation] = []
    frequent = pair_counts >= min_count
    w1, w2, count = totals.pairs[frequent, 0], totals.pairs[frequent, 1], pair_counts[frequent]
    # Stopword flags of the words of frequent pairs only (not of the whole vocabulary).
    used = np.unique(np.concatenate((w1, w2)))
    stop = np.zeros(size, dtype=bool)
    stop[used] = _stop_flags([keys[i] for i in used.tolist()], extra_stopwords)
    keep = ~stop[w1] & ~stop[w2]
    w1, w2, count = w1[keep], w2[keep], count[keep]
    g2 = _bigram_g2(count, word_counts[w1], word_counts[w2], total)
    kept = np.flatnonzero(g2 >= bigram_threshold)
    found.extend(Collocation((keys[a], keys[b]), n, score) for a, b, n, score in zip(
        w1[kept].tolist(), w2[kept].tolist(), count[kept].tolist(), g2[kept].tolist(),
        strict=True))

    gapped_codes = _codes(totals.gapped[:, :2], size)
    gapped_counts = totals.gapped[:, 2]
    frequent = totals.triples[:, 3] >= min_count
    w1, w2, w3, count = (totals.triples[frequent, column] for column in range(4))
    left_pair = _lookup(pair_codes, pair_counts, w1 * size + w2)
    right_pair = _lookup(pair_codes, pair_counts, w2 * size + w3)
    gapped = _lookup(gapped_codes, gapped_counts, w1 * size + w3)
    g2 = _trigram_g2(count, (left_pair, gapped, right_pair),
                     (word_counts[w1], word_counts[w2], word_counts[w3]), total)
    joints = np.minimum(_bigram_g2(count, left_pair, word_counts[w3], total),
                        _bigram_g2(count, word_counts[w1], right_pair, total))
    kept = np.flatnonzero((g2 >= trigram_threshold) & (joints >= bigram_threshold))
    found.extend(Collocation((keys[a], keys[b], keys[c]), n, score) for a, b, c, n, score in zip(
        w1[kept].tolist(), w2[kept].tolist(), w3[kept].tolist(), count[kept].tolist(),
        g2[kept].tolist(), strict=True))
    found.sort(key=lambda c: (-round(c.g2, 9), c.keys))  # ties up to float noise: by keys
    return tuple(found)


def _count_triples(first: np.ndarray, second: np.ndarray, third: np.ndarray, size: int
                   ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Distinct (first, second, third) id triples and their counts.

    Encoded as one int64 in base ``size`` while size³ fits (a vocabulary
    under 2,097,152 keys); beyond that np.unique over rows, slower but exact.
    """
    if size ** 3 <= _INT64_MAX:
        codes, counts = np.unique((first * size + second) * size + third, return_counts=True)
        head, last = np.divmod(codes, size)
        return (*np.divmod(head, size), last), counts
    rows, counts = np.unique(np.column_stack((first, second, third)), axis=0,
                             return_counts=True)
    return (rows[:, 0], rows[:, 1], rows[:, 2]), counts


def _lookup(codes: np.ndarray, counts: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Counts of ``wanted`` codes in a sorted code table (0 for a code not in it)."""
    if not len(codes):
        return np.zeros(len(wanted), dtype=np.int64)
    index = np.minimum(np.searchsorted(codes, wanted), len(codes) - 1)
    return np.where(codes[index] == wanted, counts[index], 0)


def _g2(observed: Sequence[np.ndarray], expected: Sequence[np.ndarray]) -> np.ndarray:
    """2 Σ O ln(O / E) over the cells, smoothed as nltk does, summed in cell order."""
    total = np.zeros(len(observed[0]))
    with np.errstate(divide="ignore", invalid="ignore"):
        for cell, expect in zip(observed, expected, strict=True):
            total += cell * np.log(cell / (expect + _SMALL) + _SMALL)
    return 2 * total


def _bigram_g2(n_ii: np.ndarray, n_ix: np.ndarray, n_xi: np.ndarray, total: int) -> np.ndarray:
    """Dunning's G² of each 2×2 table: n_ii joint count, n_ix and n_xi the two marginals.

    Cells in nltk's order (n_ii, n_oi, n_io, n_oo), where "o" marks the
    absent word; E = (first word's row) · (second word's column) / N, whose
    product stays below 2⁵³ and is exact in float64.
    """
    n_ii, n_ix, n_xi = (np.asarray(a, dtype=np.float64) for a in (n_ii, n_ix, n_xi))
    n_oi = n_xi - n_ii
    n_io = n_ix - n_ii
    n_oo = total - n_ii - n_oi - n_io
    first = (n_ix, total - n_ix)  # first word present, absent
    second = (n_xi, total - n_xi)
    expected = [first[cell & 1] * second[cell >> 1] / total for cell in range(4)]
    return _g2((n_ii, n_oi, n_io, n_oo), expected)


def _trigram_g2(n_iii: np.ndarray, pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
                words: tuple[np.ndarray, np.ndarray, np.ndarray], total: int) -> np.ndarray:
    """G² of each trigram's 2×2×2 table against full independence of its words.

    ``pairs`` are n(w1 w2), n(w1 _ w3), n(w2 w3) and ``words`` n(w1), n(w2),
    n(w3). Cells in nltk's order: in the cell's index, the bit worth 1 marks
    w1 absent, 2 w2 and 4 w3; each cell follows by inclusion–exclusion (exact
    in int64), and E = Π (present ? n(wj) : N − n(wj)) / N². ``total`` is N
    as a Python int.
    """
    n_iix, n_ixi, n_xii = pairs
    n_ixx, n_xix, n_xxi = words
    n_oii = n_xii - n_iii
    n_ioi = n_ixi - n_iii
    n_iio = n_iix - n_iii
    n_ooi = n_xxi - n_iii - n_oii - n_ioi
    n_oio = n_xix - n_iii - n_oii - n_iio
    n_ioo = n_ixx - n_iii - n_ioi - n_iio
    n_ooo = total - n_iii - n_oii - n_ioi - n_iio - n_ooi - n_oio - n_ioo
    observed = [np.asarray(c, dtype=np.float64)
                for c in (n_iii, n_oii, n_ioi, n_ooi, n_iio, n_oio, n_ioo, n_ooo)]
    # The product of three margins exceeds 2⁵³, so a float product would round
    # twice; as Python ints it is exact and int / int rounds once, as in nltk.
    # A loop over the candidate trigrams: 29,000 on the 50,000-article benchmark.
    margins = []
    for word_count in (n_ixx, n_xix, n_xxi):
        present = word_count.tolist()
        margins.append((present, [total - n for n in present]))
    square = total * total
    expected = [np.array([a * b * c / square for a, b, c in zip(
        margins[0][cell & 1], margins[1][(cell >> 1) & 1], margins[2][cell >> 2], strict=True)],
        dtype=np.float64) for cell in range(8)]
    return _g2(observed, expected)
