"""Term counting: case-folded keys, phrases, n-grams, stopwords → a sparse matrix.

Every analysis that counts terms (keywords, tfidf, similarity, topics) goes
through :func:`count_units`, so a term means the same thing everywhere. A
term is a counting key (:func:`framelens.analysis.text.term_key`); multi-word
phrases from the config are merged into one token before n-grams are formed
(as quanteda's ``tokens_compound`` does), and each term is displayed in its
most frequent surface form.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from framelens.analysis.corpus import Corpus
from framelens.analysis.pipeline import processed
from framelens.analysis.text import is_stopword, term_key, tokenize


@dataclass(frozen=True)
class TermOptions:
    """What counts as a term. ``ngram_range`` is inclusive, like scikit-learn's."""

    ngram_range: tuple[int, int] = (1, 1)
    keep_stopwords: bool = False
    phrases: tuple[str, ...] = ()
    extra_stopwords: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TermCounts:
    """Counts of terms (columns) in units (rows: documents or groups).

    ``token_totals[i]`` is the number of unigram tokens of unit ``i`` that
    survive the same filtering as the terms (stopwords removed unless kept;
    a merged phrase counts as one token): the group size of keyness.
    """

    matrix: object  # scipy.sparse.csr_matrix, int64, units × terms
    terms: tuple[str, ...]
    display: tuple[str, ...]
    ngram: np.ndarray
    token_totals: np.ndarray

    def column(self, key: str) -> int | None:
        try:
            return self.terms.index(key)
        except ValueError:
            return None


def term_options(corpus: Corpus, *, ngram_range: tuple[int, int] = (1, 1),
                 keep_stopwords: bool = False) -> TermOptions:
    """Options with the corpus config's phrases and extra stopwords filled in."""
    return TermOptions(ngram_range, keep_stopwords, corpus.config.phrases,
                       corpus.config.stopwords)


def document_term_counts(corpus: Corpus, options: TermOptions) -> TermCounts:
    """Documents × terms for the whole corpus, memoised for the run."""
    key = ("document_term_counts", options)
    cached = corpus.memo.get(key)  # type: ignore[call-overload]
    if cached is None:
        cached = count_units([doc.tokens for doc in processed(corpus)], options)
        corpus.memo[key] = cached  # type: ignore[index]
    return cached


def group_rows(counts: TermCounts, labels: Sequence[str], groups: Sequence[str]):
    """Sum document rows into one row per group (in ``groups`` order)."""
    from scipy import sparse

    index = {g: i for i, g in enumerate(groups)}
    rows = np.array([index.get(label, -1) for label in labels])
    keep = rows >= 0
    indicator = sparse.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.int64), (rows[keep], np.flatnonzero(keep))),
        shape=(len(groups), len(labels)))
    return indicator @ counts.matrix, indicator @ counts.token_totals


def count_units(units: Sequence[Iterable[Sequence[str]]], options: TermOptions) -> TermCounts:
    """Count terms in each unit, a unit being an iterable of tokenised sentences."""
    from scipy import sparse

    low, high = options.ngram_range
    phrase_index = _phrase_index(options.phrases)
    stop = options.extra_stopwords
    vocabulary: dict[str, int] = {}
    surface: Counter[tuple[str, str]] = Counter()
    indptr = [0]
    indices: list[int] = []
    values: list[int] = []
    totals = np.zeros(len(units), dtype=np.int64)
    key_cache: dict[str, str] = {}
    for unit_index, sentences in enumerate(units):
        counts: Counter[str] = Counter()
        for tokens in sentences:
            keys = []
            for token in tokens:
                key = key_cache.get(token)
                if key is None:
                    key = key_cache[token] = term_key(token)
                keys.append(key)
            surfaces = list(tokens)
            if phrase_index:
                keys, surfaces = _merge_phrases(keys, surfaces, phrase_index)
            keep = [options.keep_stopwords or not is_stopword(k, stop) for k in keys]
            totals[unit_index] += sum(keep)
            for n in range(low, high + 1):
                for start in range(len(keys) - n + 1):
                    if n == 1:
                        if not keep[start]:
                            continue
                        key, form = keys[start], surfaces[start]
                    else:
                        if not options.keep_stopwords and not (keep[start] and keep[start + n - 1]):
                            continue
                        key = " ".join(keys[start:start + n])
                        form = " ".join(surfaces[start:start + n])
                    counts[key] += 1
                    surface[(key, form)] += 1
        for key, count in counts.items():
            column = vocabulary.get(key)
            if column is None:
                column = vocabulary[key] = len(vocabulary)
            indices.append(column)
            values.append(count)
        indptr.append(len(indices))
    terms = sorted(vocabulary)
    order = np.empty(len(vocabulary), dtype=np.int64)
    for new, key in enumerate(terms):
        order[vocabulary[key]] = new
    matrix = sparse.csr_matrix(
        (np.asarray(values, dtype=np.int64), order[np.asarray(indices, dtype=np.int64)]
         if indices else np.asarray([], dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(units), len(terms)))
    matrix.sort_indices()
    best: dict[str, tuple[int, str]] = {}
    for (key, form), count in surface.items():
        current = best.get(key)
        if current is None or (-count, form) < (-current[0], current[1]):
            best[key] = (count, form)
    display = tuple(best[key][1] for key in terms)
    ngram = np.array([key.count(" ") + 1 for key in terms], dtype=np.int64)
    return TermCounts(matrix, tuple(terms), display, ngram, totals)


def phrase_keys(phrase: str) -> tuple[str, ...]:
    """The counting keys of a phrase as written in the config."""
    return tuple(term_key(t) for t in tokenize(phrase))


def _phrase_index(phrases: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        keys = tuple(k.lower() for k in phrase_keys(phrase))
        if len(keys) >= 2:
            index.setdefault(keys[0], []).append(keys)
    for candidates in index.values():
        candidates.sort(key=len, reverse=True)
    return index


def _merge_phrases(keys: list[str], surfaces: list[str],
                   index: dict[str, list[tuple[str, ...]]]) -> tuple[list[str], list[str]]:
    """Greedy longest-match merge of configured phrases into single tokens."""
    if not any(k.lower() in index for k in keys):
        return keys, surfaces
    merged_keys: list[str] = []
    merged_surfaces: list[str] = []
    i = 0
    lowered = [k.lower() for k in keys]
    while i < len(keys):
        for candidate in index.get(lowered[i], ()):
            if tuple(lowered[i:i + len(candidate)]) == candidate:
                merged_keys.append(" ".join(candidate))
                merged_surfaces.append(" ".join(surfaces[i:i + len(candidate)]))
                i += len(candidate)
                break
        else:
            merged_keys.append(keys[i])
            merged_surfaces.append(surfaces[i])
            i += 1
    return merged_keys, merged_surfaces
