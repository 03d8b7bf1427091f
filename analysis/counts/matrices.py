"""Term counting: case-folded keys, phrases, n-grams, stopwords → a sparse matrix.

Every analysis that counts terms (keywords, tfidf, similarity, topics) goes
through :func:`count_units`, so a term means the same thing everywhere. A
term is a counting key (:func:`framelens.analysis.text.normalize.term_key`); multi-word
phrases from the config are merged into one token before n-grams are formed
(as quanteda's ``tokens_compound`` does), and each term is displayed in its
most frequent surface form.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import chain

import numpy as np

from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.pipeline import (
    cached_sentence_tokens,
    corpus_languages,
    document_cache,
    document_digests,
    processed,
)
from framelens.analysis.store.corpus_summary import (
    digest_changes,
    load_summary,
    save_summary,
    worth_saving,
)
from framelens.analysis.store.keys import COUNTS_VERSION
from framelens.analysis.text.languages import LEMMA_LANGUAGES, lemma, stopwords_of
from framelens.analysis.text.normalize import is_stopword, term_key, tokenize


@dataclass(frozen=True)
class TermOptions:
    """What counts as a term. ``ngram_range`` is inclusive, like scikit-learn's."""

    ngram_range: tuple[int, int] = (1, 1)
    keep_stopwords: bool = False
    phrases: tuple[str, ...] = ()
    extra_stopwords: frozenset[str] = frozenset()
    # Languages whose words count by lemma (--lemmas), most documents first: a
    # word's key is its lemma in the first of them that knows it (simplemma).
    lemma_languages: tuple[str, ...] = ()


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
    """Options with the corpus config's phrases and extra stopwords filled in.

    The stopwords are the config's plus the list of each non-English language in
    the corpus (:func:`framelens.analysis.text.languages.stopwords`; English's
    list is built into :func:`is_stopword`). With ``corpus.lemmas``, words of the
    corpus's languages that simplemma knows count by lemma.
    """
    languages = corpus_languages(corpus)
    lemma_languages = tuple(code for code in languages if code in LEMMA_LANGUAGES) \
        if corpus.lemmas else ()
    return TermOptions(ngram_range, keep_stopwords, corpus.config.phrases,
                       corpus.config.stopwords | stopwords_of(languages), lemma_languages)


def document_term_counts(corpus: Corpus, options: TermOptions) -> TermCounts:
    """Documents × terms for the whole corpus, memoised for the run and cached across runs.

    Cached per corpus folder and options with the documents it covers
    (:func:`_merged_counts`): a warm run on an unchanged corpus loads the matrix
    without reading any tokens, and a corpus that differs by a few documents (or
    detected phrases) counts only the documents whose rows change.

    Equal to ``count_units([doc.tokens for doc in processed(corpus)], options)``;
    nothing in counting depends on the unit (n-grams never cross sentences),
    so when this run already holds :func:`sentence_term_counts` for the same
    options (request them first when both are needed) the document rows are
    summed from them instead of counting the corpus again; so are they when the cache
    holds a sentence entry for these options and no document entry (after ``compare``).
    """
    key = ("document_term_counts", options)
    if key not in corpus.memo and ("sentence_term_counts", options) in corpus.memo:
        corpus.memo[key] = _documents_from_sentences(corpus, options)  # type: ignore[index]
    return _cached_counts(corpus, options, "document_term_counts",
                          lambda: count_units([doc.tokens for doc in processed(corpus)], options))


def sentence_term_counts(corpus: Corpus, options: TermOptions) -> TermCounts:
    """Sentences × terms: one row per sentence of every document, in corpus order.

    Exactly ``count_units([[tokens] for doc in processed(corpus) for tokens in
    doc.tokens], options)``, memoised for the run (under the memo key
    ``("sentence_term_counts", options)``) and cached across runs like
    :func:`document_term_counts`.
    """
    return _cached_counts(corpus, options, "sentence_term_counts",
                          lambda: count_units([[tokens] for doc in processed(corpus)
                                               for tokens in doc.tokens], options))


def _documents_from_sentences(corpus: Corpus, options: TermOptions) -> TermCounts:
    """Document rows as the sums of their sentences' rows."""
    from scipy import sparse

    sentences = sentence_term_counts(corpus, options)
    per_document = sentences_per_document(corpus)
    owner = np.repeat(np.arange(per_document.size, dtype=np.int64), per_document)
    indicator = sparse.csr_matrix((np.ones(owner.size, dtype=np.int64),
                                   (owner, np.arange(owner.size, dtype=np.int64))),
                                  shape=(per_document.size, owner.size))
    matrix = (indicator @ sentences.matrix).tocsr()
    matrix.sort_indices()
    totals = np.bincount(owner, weights=sentences.token_totals,
                         minlength=per_document.size).astype(np.int64)
    return TermCounts(matrix, sentences.terms, sentences.display, sentences.ngram, totals)


def _cached_counts(corpus: Corpus, options: TermOptions, kind: str, compute) -> TermCounts:
    """The counts of ``kind`` for these options: from this run's memo, merged from the
    stored counts of an earlier corpus (:func:`_merged_counts`), or ``compute()`` when
    nothing is cached."""
    key = (kind, options)
    cached = corpus.memo.get(key)  # type: ignore[call-overload]
    if cached is None:
        cache = document_cache(corpus)
        if cache is None:
            cached = compute()
        elif kind == "document_term_counts" and _stored_entry(corpus, options, kind, cache) \
                is None and _stored_entry(corpus, options, "sentence_term_counts", cache):
            # No document entry but a sentence one (compare stores only that): merging
            # the sentence rows and summing them costs what the merge costs, not a count.
            cached = _documents_from_sentences(corpus, options)
        else:
            cached = _merged_counts(corpus, options, kind, cache)
        corpus.memo[key] = cached  # type: ignore[index]
    return cached


def _stored_entry(corpus: Corpus, options: TermOptions, kind: str, cache
                  ) -> _StoredCounts | None:
    """The stored entry of ``kind`` for these options, read once a run (kept in the memo
    until :func:`_merged_counts` takes it)."""
    key = ("stored_counts", kind, options)
    if key not in corpus.memo:  # type: ignore[operator]
        corpus.memo[key] = _stored_from_payload(load_summary(  # type: ignore[index]
            cache, _counts_family(corpus, options, kind), COUNTS_VERSION))
    return corpus.memo[key]  # type: ignore[index]


def sentences_per_document(corpus: Corpus) -> np.ndarray:
    """How many sentences each document has, in corpus order (without decoding the
    documents when this run merged stored sentence counts)."""
    known = corpus.memo.get("sentences_per_document")
    if known is None:
        known = np.fromiter((len(doc.tokens) for doc in processed(corpus)), dtype=np.int64,
                            count=len(corpus.documents))
        corpus.memo["sentences_per_document"] = known
    return known  # type: ignore[return-value]


# ------------------------------------------------------------ counts that follow the corpus
#
# One entry per (kind, corpus folder, options but the phrases) holds the rows of every
# document of the corpus it was stored for (digests in corpus order, rows per document),
# the phrases they were counted with, the terms, the token totals and the surface form
# totals. A run whose corpus differs by a few documents takes the rows of the unchanged
# ones from it and counts only the others; the vocabulary is the terms some row still
# counts, and display forms come from the surface totals with the recounted documents'
# old forms subtracted and new ones added. Counting a document depends only on its tokens
# and the options (phrases merge within a sentence), so the rows equal a full count's.
#
# Detected collocations change with the corpus (a phrase near the G² threshold crosses
# it when one article is added), so the phrases may differ from the stored ones. A
# phrase changes the counts of a sentence only where its keys follow one another, and
# its edge keys are content words, which every row that holds them counts (as a word or
# inside a merged phrase): among the rows that hold the edge keys of a changed phrase,
# the sentences whose tokens hold the phrase's keys one after another are counted with
# the old phrases and the new ones, and the difference is added to their rows (counting
# adds over sentences); every other sentence keeps its counts. When a changed phrase has
# no edge that is always counted (both stopwords in lower case), n-grams start above 1
# or words count by lemma, every document is recounted.

_COUNTS_FORMAT = "term-counts-2"


@dataclass(frozen=True)
class _StoredCounts:
    digests: tuple[str, ...]  # the documents of the stored corpus, in its order
    rows: np.ndarray  # rows of each of those documents
    phrases: tuple[str, ...]  # the phrases the rows were counted with (sorted, distinct)
    counts: TermCounts
    surface_keys: tuple[str, ...]  # "block\x1fform", sorted
    surface_term: np.ndarray  # column in counts.terms
    surface_frequency: np.ndarray


def _rows_of(kind: str, documents) -> list:
    """The units of these processed documents: one per sentence or one per document."""
    if kind == "sentence_term_counts":
        return [[tokens] for doc in documents for tokens in doc.tokens]
    return [doc.tokens for doc in documents]


def _unit_counts(kind: str, documents) -> np.ndarray:
    return np.fromiter((len(doc.tokens) if kind == "sentence_term_counts" else 1
                        for doc in documents), dtype=np.int64, count=len(documents))


def _merged_counts(corpus: Corpus, options: TermOptions, kind: str, cache) -> TermCounts:
    """Counts of the corpus, from the stored entry plus the changed documents, else counted
    in full; the entry is written again after a full count or enough changes."""
    family = _counts_family(corpus, options, kind)
    digests = document_digests(corpus)
    phrases = tuple(sorted(set(options.phrases)))
    stored = _stored_entry(corpus, options, kind, cache)
    corpus.memo.pop(("stored_counts", kind, options))  # type: ignore[call-overload]
    merged = None
    if stored is not None:
        if stored.digests == digests and stored.phrases == phrases:
            display = _stored_display(stored)
            if display is not None:
                merged = replace(stored.counts, display=display), stored.rows, None, 0
        else:
            merged = _apply_counts(corpus, options, kind, stored, cache)
    if merged is None:
        documents = processed(corpus)
        counts, surfaces = count_units_with_forms(_rows_of(kind, documents), options)
        rows = _unit_counts(kind, documents)
        entry = _StoredCounts(digests, rows, phrases, counts, *_sorted_surfaces(surfaces))
        save = True
    else:
        counts, rows, updated_entry, recounted = merged
        save = updated_entry is not None and worth_saving(recounted, len(digests))
        entry = updated_entry() if save else None
    if kind == "sentence_term_counts":
        corpus.memo.setdefault("sentences_per_document", rows)
    if save:
        save_summary(cache, family, COUNTS_VERSION, _stored_payload(entry))
    return counts


def _phrase_affected(corpus: Corpus, stored: _StoredCounts, options: TermOptions, kind: str,
                     present: set[str]) -> dict[str, list[tuple[int, Sequence[str]]]] | None:
    """The sentences of stored documents (of those ``present``) whose counts may change with
    the phrases that differ between the stored entry and ``options``: digest → (sentence
    index, tokens) of each, in order; None: any sentence may.

    A sentence is touched only where a changed phrase's keys follow one another in it;
    candidates are the stored rows that hold every edge word of such a phrase that is
    always counted (an edge that is a stopword in lower case, like "us" of "US", may be
    uncounted and is not looked for; a phrase with no such edge means None)."""
    old = {keys for candidates in _phrase_index(stored.phrases).values() for keys in candidates}
    new = {keys for candidates in _phrase_index(options.phrases).values() for keys in candidates}
    changed = sorted(old ^ new)
    if not changed:
        return {}
    edges_of = [sorted({word for word in (keys[0], keys[-1])
                        if not is_stopword(word, options.extra_stopwords)}) for keys in changed]
    if options.ngram_range[0] != 1 or options.lemma_languages or not all(edges_of):
        return None
    from scipy import sparse

    edges = {word for words in edges_of for word in words}
    terms = stored.counts.terms
    holds: dict[str, list[int]] = {word: [] for word in edges}
    # Columns that count a word: the word itself (any case) or a merged phrase holding it.
    for column in np.flatnonzero(stored.counts.ngram == 1).tolist():
        word = terms[column].lower()
        if word in holds:
            holds[word].append(column)
    merged_phrases = {" ".join(keys) for keys in old}
    for column in np.flatnonzero(stored.counts.ngram > 1).tolist():
        if terms[column] in merged_phrases:
            for word in set(terms[column].split(" ")) & edges:
                holds[word].append(column)
    # One selector column per (phrase, edge word); a row is a candidate for a phrase when
    # it holds all the phrase's edge words.
    columns, selected, phrase_of_edge = [], [], []
    for k, words in enumerate(edges_of):
        for word in words:
            columns.extend(holds[word])
            selected.extend([len(phrase_of_edge)] * len(holds[word]))
            phrase_of_edge.append(k)
    selector = sparse.csr_matrix((np.ones(len(columns), dtype=np.int64), (columns, selected)),
                                 shape=(len(terms), len(phrase_of_edge)))
    hits = sparse.csr_matrix(stored.counts.matrix @ selector)
    hits.data = (hits.data > 0).astype(np.int64)
    edge_to_phrase = sparse.csr_matrix(
        (np.ones(len(phrase_of_edge), dtype=np.int64),
         (np.arange(len(phrase_of_edge)), phrase_of_edge)),
        shape=(len(phrase_of_edge), len(changed)))
    both = sparse.csr_matrix(hits @ edge_to_phrase)  # rows × phrases: edge words held
    required = np.array([len(words) for words in edges_of], dtype=np.int64)
    both.data = (both.data == required[both.indices]).astype(np.int64)
    both.eliminate_zeros()
    candidates = np.flatnonzero(np.diff(both.indptr))
    # The candidate rows' documents (and, for sentence rows, which sentence).
    if kind == "sentence_term_counts":
        ends = np.cumsum(stored.rows)
        owner = np.searchsorted(ends, candidates, side="right")
        sentence = candidates - (ends - stored.rows)[owner]
    else:
        owner, sentence = candidates, np.full(candidates.size, -1)
    wanted: dict[str, list[tuple[int, list[tuple[str, ...]]]]] = {}
    for row, doc, index in zip(candidates.tolist(), owner.tolist(), sentence.tolist(),
                               strict=True):
        digest = stored.digests[doc]
        if digest in present:
            phrases = [changed[k] for k in
                       both.indices[both.indptr[row]:both.indptr[row + 1]].tolist()]
            wanted.setdefault(digest, []).append((index, phrases))
    # Exactly: a sentence is touched where a changed phrase's keys follow one another.
    from framelens.analysis.counts.collocations import processed_digests

    if kind == "sentence_term_counts":  # only the candidate sentences are split out
        sentence_tokens = cached_sentence_tokens(
            corpus, {digest: [index for index, _ in rows] for digest, rows in wanted.items()})
    else:
        sentence_tokens = {digest: dict(enumerate(document.tokens)) for digest, document in
                           zip(wanted, processed_digests(corpus, list(wanted)), strict=True)}
    affected: dict[str, list[tuple[int, Sequence[str]]]] = {}
    lower_key: dict[str, str] = {}
    for digest, rows in wanted.items():
        tokens = sentence_tokens[digest]
        touched = {}
        for index, phrases in rows:
            for at in tokens if index < 0 else (index,):
                if at not in touched and _holds_sequence(tokens[at], phrases, lower_key):
                    touched[at] = tokens[at]
        if touched:
            affected[digest] = sorted(touched.items())
    return affected


def _holds_sequence(tokens: Sequence[str], phrases: list[tuple[str, ...]],
                    lower_key: dict[str, str]) -> bool:
    """Whether the lower-cased counting keys of ``tokens`` hold one of ``phrases`` as
    consecutive keys (where merging could start it); ``lower_key`` memoises keys."""
    keys = []
    for token in tokens:
        key = lower_key.get(token)
        if key is None:
            key = lower_key[token] = term_key(token).lower()
        keys.append(key)
    firsts = {phrase[0] for phrase in phrases}
    for i, key in enumerate(keys):
        if key in firsts and any(tuple(keys[i:i + len(p)]) == p for p in phrases):
            return True
    return False


def _apply_counts(corpus: Corpus, options: TermOptions, kind: str, stored: _StoredCounts,
                  cache):
    """(counts, rows per document, a function that builds the updated entry, work redone)
    of the corpus from the stored entry; None when a removed document is not cached, the
    phrases changed where it cannot be told which sentences they touch, or the totals do
    not add up.

    Every document whose digest the corpus holds a different number of times is
    recounted: its stored count (old phrases) taken away as many times as the stored
    corpus held it, its new count added as many times as the corpus holds it. Of the other
    documents, only the sentences a changed phrase touches are counted, with the old
    phrases and the new ones, and the difference is added to their stored rows (counting
    adds over sentences). The work redone is in documents: the recounted ones plus the
    touched sentences' tokens over a stored document's mean.
    """
    from bisect import bisect_left

    from scipy import sparse

    from framelens.analysis.counts.collocations import changed_documents

    digests = document_digests(corpus)
    old_times = Counter(stored.digests)
    new_times = Counter(digests)
    changed = sorted(digest_changes(old_times, digests))
    touched = _phrase_affected(corpus, stored, options, kind,
                               (set(old_times) & set(new_times)) - set(changed))
    if touched is None:
        return None
    present = [d for d in changed if new_times[d]]
    gone = [d for d in changed if not new_times[d]]
    documents = changed_documents(corpus, present, gone, cache)
    if documents is None:
        return None
    old_options = replace(options, phrases=stored.phrases)
    old_terms = stored.counts.terms
    # Documents counted together by (options, how many times): (times, group, counts, forms).
    groups = []
    for phrases_of, times_of, sign in ((old_options, old_times, -1), (options, new_times, 1)):
        for times in sorted({times_of[d] for d in changed} - {0}):
            group = [d for d in changed if times_of[d] == times]
            counts, surfaces = count_units_with_forms(
                _rows_of(kind, [documents[d] for d in group]), phrases_of)
            groups.append((sign * times, group, counts, surfaces))
    # Touched sentences, one unit each, counted with both phrase sets: (sign, times,
    # (digest, sentence) of each unit, counts, forms); same multiplicity in both corpora.
    patches = []
    for times in sorted({old_times[d] for d in touched}):
        places = [(d, index) for d in sorted(touched) if old_times[d] == times
                  for index, _ in touched[d]]
        units = [[tokens] for d in sorted(touched) if old_times[d] == times
                 for _, tokens in touched[d]]
        for phrases_of, sign in ((old_options, -1), (options, 1)):
            patches.append((sign, times, places, *count_units_with_forms(units, phrases_of)))
    # The vocabulary: the stored terms and the groups' new ones, sorted.
    new_terms = sorted({t for counts in chain((g[2] for g in groups), (p[3] for p in patches))
                        for t in counts.terms
                        if (i := bisect_left(old_terms, t)) == len(old_terms)
                        or old_terms[i] != t})
    insert_at = np.array([bisect_left(old_terms, t) for t in new_terms], dtype=np.int64)
    old_column = np.arange(len(old_terms), dtype=np.int64) + np.searchsorted(
        insert_at, np.arange(len(old_terms)), side="right")
    terms = list(old_terms)
    for offset, (position, term) in enumerate(zip(insert_at.tolist(), new_terms, strict=True)):
        terms.insert(position + offset, term)  # few new terms: cheaper than a full sort
    column_of = {t: i for i, t in zip((insert_at + np.arange(len(new_terms))).tolist(),
                                      new_terms, strict=True)}

    def columns_of(group_terms) -> np.ndarray:
        return np.fromiter((column_of[t] if t in column_of else
                            int(old_column[bisect_left(old_terms, t)]) for t in group_terms),
                           dtype=np.int64, count=len(group_terms))

    width = len(terms)
    stored_matrix = stored.counts.matrix
    parts = [sparse.csr_matrix((stored_matrix.data, old_column[stored_matrix.indices],
                                stored_matrix.indptr), shape=(stored_matrix.shape[0], width))]
    totals_parts = [stored.counts.token_totals]
    # Where each document's rows are in the stack of the stored rows and the new counts'.
    first_row = {}
    offset = 0
    for digest, count in zip(stored.digests, stored.rows.tolist(), strict=True):
        first_row.setdefault(digest, (offset, count))
        offset += count
    patch_rows, patch_columns, patch_values, patch_totals = [], [], [], []
    surface_changes = []
    for sign, times, places, counts, surfaces in patches:
        unit_row = np.fromiter((first_row[d][0] + (index if kind == "sentence_term_counts"
                                                   else 0) for d, index in places),
                               dtype=np.int64, count=len(places))
        group_columns = columns_of(counts.terms)
        matrix = counts.matrix.tocoo()
        patch_rows.append(unit_row[matrix.row])
        patch_columns.append(group_columns[matrix.col])
        patch_values.append(sign * matrix.data)
        patch_totals.append((unit_row, sign * counts.token_totals))
        surface_changes.append((surfaces, group_columns[surfaces.term], sign * times))
    for times, group, counts, surfaces in groups:
        group_columns = columns_of(counts.terms)
        if times > 0:
            matrix = counts.matrix
            parts.append(sparse.csr_matrix((matrix.data, group_columns[matrix.indices],
                                            matrix.indptr), shape=(matrix.shape[0], width)))
            totals_parts.append(counts.token_totals)
            for digest, count in zip(group, _unit_counts(kind, [documents[d] for d in group])
                                     .tolist(), strict=True):
                first_row[digest] = (offset, count)
                offset += count
        surface_changes.append((surfaces, group_columns[surfaces.term], times))
    starts = np.fromiter((first_row[d][0] for d in digests), dtype=np.int64, count=len(digests))
    rows = np.fromiter((first_row[d][1] for d in digests), dtype=np.int64, count=len(digests))
    stack = sparse.vstack(parts, format="csr") if len(parts) > 1 else parts[0]
    stack_totals = np.concatenate(totals_parts)
    if patches:
        stack = stack + sparse.csr_matrix(
            (np.concatenate(patch_values), (np.concatenate(patch_rows),
                                            np.concatenate(patch_columns))), shape=stack.shape)
        stack.eliminate_zeros()
        stack_totals = stack_totals.copy()
        for unit_row, change in patch_totals:
            np.add.at(stack_totals, unit_row, change)
        if (stack.data.size and stack.data.min() < 0) or \
                (stack_totals.size and stack_totals.min() < 0):
            return None  # the stored rows did not hold what the old phrases count
    take = np.repeat(starts - (np.cumsum(rows) - rows), rows) + np.arange(int(rows.sum()))
    matrix = stack[take]
    token_totals = stack_totals[take]
    # Surface totals: the stored ones with the recounted documents' taken away and added.
    surface_keys = list(stored.surface_keys)
    surface_term = old_column[stored.surface_term]
    frequency = stored.surface_frequency.copy()
    appended_keys: list[str] = []
    appended_term: list[int] = []
    appended_frequency: list[int] = []
    appended_at: dict[str, int] = {}
    for surfaces, columns, times in surface_changes:
        for form, n, column, count in zip(surfaces.forms, surfaces.block.tolist(),
                                          columns.tolist(), surfaces.frequency.tolist(),
                                          strict=True):
            key = f"{n}\x1f{form}"
            i = bisect_left(surface_keys, key)
            if i < len(surface_keys) and surface_keys[i] == key:
                frequency[i] += times * count
            elif key in appended_at:
                appended_frequency[appended_at[key]] += times * count
            else:
                appended_at[key] = len(appended_keys)
                appended_keys.append(key)
                appended_term.append(column)
                appended_frequency.append(times * count)
    surface_keys.extend(appended_keys)
    surface_term = np.concatenate((surface_term, np.array(appended_term, dtype=np.int64)))
    frequency = np.concatenate((frequency, np.array(appended_frequency, dtype=np.int64)))
    if frequency.size and frequency.min() < 0:
        return None
    # Terms no row counts any more (their documents were removed or recounted) are dropped.
    present_columns = np.bincount(matrix.indices, minlength=width) > 0
    counted = frequency > 0
    if not np.array_equal(np.unique(surface_term[counted]), np.flatnonzero(present_columns)):
        return None  # the surface totals and the rows disagree on which terms occur
    if not present_columns.all():
        kept = np.flatnonzero(present_columns)
        renumber = np.cumsum(present_columns) - 1
        matrix = sparse.csr_matrix((matrix.data, renumber[matrix.indices], matrix.indptr),
                                   shape=(matrix.shape[0], kept.size))
        terms = [terms[i] for i in kept.tolist()]
        surface_term = np.where(counted, renumber[surface_term], -1)
    counted = np.flatnonzero(counted)
    display = _display_forms([surface_keys[i].split("\x1f", 1)[1] for i in counted.tolist()],
                             surface_term[counted], frequency[counted], len(terms))
    matrix.sort_indices()
    ngram = np.array([key.count(" ") + 1 for key in terms], dtype=np.int64)
    counts = TermCounts(matrix, tuple(terms), display, ngram, token_totals)

    def updated_entry() -> _StoredCounts:  # only when it is written
        order = sorted(counted.tolist(), key=surface_keys.__getitem__)
        return _StoredCounts(digests, rows, tuple(sorted(set(options.phrases))), counts,
                             tuple(surface_keys[i] for i in order), surface_term[order],
                             frequency[order])

    touched_tokens = sum(int(p[3].token_totals.sum()) for p in patches if p[0] < 0)
    stored_tokens = int(stored.counts.token_totals.sum())
    per_document = stored_tokens / len(stored.digests) if stored_tokens else 1.0
    return counts, rows, updated_entry, len(changed) + math.ceil(touched_tokens / per_document)


def _sorted_surfaces(surfaces: SurfaceTotals) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    keys = [f"{n}\x1f{form}" for n, form in zip(surfaces.block.tolist(), surfaces.forms,
                                                strict=True)]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    index = np.array(order, dtype=np.int64)
    return (tuple(keys[i] for i in order), surfaces.term[index] if index.size else
            surfaces.term[:0], surfaces.frequency[index] if index.size else surfaces.frequency[:0])


def _counts_family(corpus: Corpus, options: TermOptions, kind: str) -> str:
    """The entry's family: kind, counting version, corpus folder and the options but the
    phrases (the entry holds those)."""
    import hashlib
    import os

    low, high = options.ngram_range
    return "counts-" + hashlib.sha256("\0".join([
        kind, COUNTS_VERSION, _COUNTS_FORMAT, os.path.abspath(corpus.root) if corpus.root else "",
        f"{low},{high}", str(options.keep_stopwords),
        "\x1f".join(sorted(options.extra_stopwords)),
        *(("lemmas:" + ",".join(options.lemma_languages),) if options.lemma_languages else ())
        ]).encode()).hexdigest()


def _array_payload(array: np.ndarray) -> tuple:
    """(dtype, bytes), int32 when every value fits (halves the entry)."""
    array = np.asarray(array)
    fits = not array.size or (array.min() >= -(1 << 31) and array.max() < 1 << 31)
    return ("<i4", array.astype("<i4").tobytes()) if fits else ("<i8",
                                                                 array.astype("<i8").tobytes())


def _array_from_payload(payload: object, *, index: bool = False) -> np.ndarray:
    """The stored array as int64; ``index``: a sparse matrix's indices or indptr, kept as
    stored when int32 (scipy's own index type, so nothing is converted twice)."""
    dtype, data = payload  # type: ignore[misc]
    if dtype not in ("<i4", "<i8") or not isinstance(data, bytes):
        raise ValueError("not a stored array")
    array = np.frombuffer(data, dtype=dtype)
    return array.astype(np.int32) if index and dtype == "<i4" else array.astype(np.int64)


def _stored_payload(entry: _StoredCounts) -> tuple:
    counts = entry.counts
    matrix = counts.matrix
    return (_COUNTS_FORMAT, entry.digests, _array_payload(entry.rows), entry.phrases,
            matrix.shape[0],
            matrix.shape[1], _array_payload(matrix.data), _array_payload(matrix.indices),
            _array_payload(matrix.indptr), counts.terms, _array_payload(counts.token_totals),
            entry.surface_keys, _array_payload(entry.surface_term),
            _array_payload(entry.surface_frequency))


def _stored_from_payload(payload: object) -> _StoredCounts | None:
    """The stored counts of an entry; None when it is missing or does not hold together."""
    from scipy import sparse

    try:
        (fmt, digests, rows, phrases, n_rows, n_columns, data, indices, indptr, terms, totals,
         surface_keys, surface_term, frequency) = payload  # type: ignore[misc]
        if fmt != _COUNTS_FORMAT:
            return None
        rows, data, totals, surface_term, frequency = map(
            _array_from_payload, (rows, data, totals, surface_term, frequency))
        indices, indptr = (_array_from_payload(a, index=True) for a in (indices, indptr))
        if not (isinstance(digests, tuple) and isinstance(terms, tuple)
                and isinstance(surface_keys, tuple) and isinstance(phrases, tuple)
                and all(type(p) is str for p in phrases) and _increasing(phrases)
                and type(n_rows) is int and type(n_columns) is int
                and len(digests) == len(rows) and int(rows.sum()) == n_rows == len(totals)
                and len(terms) == n_columns and len(indptr) == n_rows + 1
                and indptr[0] == 0 and indptr[-1] == len(data) == len(indices)
                and (np.diff(indptr) >= 0).all() and len(surface_keys) == len(surface_term)
                == len(frequency)
                and (not data.size or (data.min() > 0 and indices.min() >= 0
                                       and indices.max() < n_columns))
                and (not rows.size or rows.min() >= 0) and (not totals.size or totals.min() >= 0)
                and (not frequency.size or (frequency.min() > 0 and surface_term.min() >= 0
                                            and surface_term.max() < n_columns))
                and all(type(d) is str for d in digests)
                and all(type(t) is str for t in terms) and _increasing(terms)
                and all(type(k) is str for k in surface_keys) and _increasing(surface_keys)):
            return None
        matrix = sparse.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))
    except (TypeError, ValueError):
        return None
    matrix.has_sorted_indices = True  # stored sorted
    ngram = np.array([term.count(" ") + 1 for term in terms], dtype=np.int64)
    # Display forms only when the entry is used as it is (a merge derives them again).
    return _StoredCounts(digests, rows, phrases,
                         TermCounts(matrix, terms, (), ngram, totals), surface_keys,
                         surface_term, frequency)


def _stored_display(stored: _StoredCounts) -> tuple[str, ...] | None:
    """The display forms of the stored terms; None when a term has no surface form."""
    display = _display_forms([k.split("\x1f", 1)[-1] for k in stored.surface_keys],
                             stored.surface_term, stored.surface_frequency,
                             len(stored.counts.terms)) if stored.counts.terms else ()
    return None if any(form is None for form in display) else display


def _increasing(items: tuple[str, ...]) -> bool:
    return all(a < b for a, b in zip(items, items[1:], strict=False))


def group_rows(counts: TermCounts, labels: Sequence[str], groups: Sequence[str]):
    """Sum document rows into one row per group (in ``groups`` order); rows whose label is
    no group are left out."""
    indicator = group_indicator(labels, groups, dtype=np.int64)
    return indicator @ counts.matrix, indicator @ counts.token_totals


def count_units(units: Sequence[Iterable[Sequence[str]]], options: TermOptions) -> TermCounts:
    """Count terms in each unit, a unit being an iterable of tokenised sentences
    (see :func:`count_units_with_forms`)."""
    return count_units_with_forms(units, options)[0]


@dataclass(frozen=True)
class SurfaceTotals:
    """How often each surface form was counted, the totals display forms come from.

    One entry per counted column before folding: ``block`` is 1 for single
    tokens (merged phrases too) and n for n-grams, ``forms`` the surface
    text, ``term`` the column of its counting key, ``frequency`` its count
    over all units. Entries add over units, so display forms can be derived
    again from merged totals.
    """

    forms: list[str]
    block: np.ndarray
    term: np.ndarray
    frequency: np.ndarray


def count_units_with_forms(units: Sequence[Iterable[Sequence[str]]], options: TermOptions
                           ) -> tuple[TermCounts, SurfaceTotals]:
    """Count terms in each unit, a unit being an iterable of tokenised sentences.

    Implementation (vectorised; the Python work is per distinct form, per
    sentence holding a phrase and per distinct n-gram, never per token):
    every token becomes the id of its surface form; configured phrases are
    merged where a token pair starts one; unigram and n-gram occurrences
    (n-grams never cross a sentence) are collected as (unit, surface form)
    pairs with numpy, and the surface-form columns are folded onto their
    counting keys (forms sharing a key are summed). A key's display form is
    its most frequent surface form (ties: the smallest string).
    """
    from scipy import sparse

    low, high = options.ngram_range
    sentences: list[Sequence[str]] = []
    per_unit: list[int] = []
    for unit in units:
        before = len(sentences)
        sentences.extend(unit)
        per_unit.append(len(sentences) - before)
    n_units = len(per_unit)
    surfaces = _Surfaces(options.extra_stopwords, options.keep_stopwords,
                         options.lemma_languages)
    flat = list(chain.from_iterable(sentences))
    surfaces.learn(dict.fromkeys(flat))
    ids = np.fromiter(map(surfaces.index.__getitem__, flat), dtype=np.int64, count=len(flat))
    lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
    del sentences
    phrase_index = _phrase_index(options.phrases)
    if phrase_index and ids.size:
        ids, lengths = _merge_phrases(flat, ids, lengths, surfaces, phrase_index)
    del flat
    unit_of_token = np.repeat(np.repeat(np.arange(n_units, dtype=np.int64),
                                        np.asarray(per_unit, dtype=np.int64)), lengths)
    kept = surfaces.kept_array()
    token_kept = kept[ids]
    totals = np.bincount(unit_of_token[token_kept], minlength=n_units).astype(np.int64)

    # Blocks of occurrences: (unit, local column) per occurrence, with the columns' forms and keys.
    blocks: list[tuple[np.ndarray, np.ndarray, list[str], list[str], int]] = []
    if low <= 1 <= high:
        blocks.append((unit_of_token[token_kept], ids[token_kept], surfaces.forms, surfaces.keys,
                       1))
    if high >= 2 and ids.size:
        ends = np.repeat(np.cumsum(lengths), lengths)  # end (exclusive) of each token's sentence
        positions = np.arange(ids.size, dtype=np.int64)
        width = int(ids.max()) + 1
        previous = ids  # id of the (n-1)-gram starting at each position; -1: none
        for n in range(2, high + 1):
            starts = positions[(positions + (n - 1) < ends) & (previous >= 0)]
            codes = previous[starts] * width + ids[starts + (n - 1)]
            _, first, gram = np.unique(codes, return_index=True, return_inverse=True)
            del codes
            gram = gram.reshape(-1)
            example_at = starts[first]  # one position of each distinct n-gram
            if n < high:
                previous = np.full(ids.size, -1, dtype=np.int64)
                previous[starts] = gram
            if n < low:
                continue
            if not options.keep_stopwords:
                counted = kept[ids[starts]] & kept[ids[starts + (n - 1)]]
                starts, gram = starts[counted], gram[counted]
            blocks.append(_gram_block(ids, example_at, starts, gram, n, unit_of_token, surfaces))
    return _fold_blocks(blocks, n_units, totals, sparse)


def _gram_block(ids: np.ndarray, example_at: np.ndarray, starts: np.ndarray, gram: np.ndarray,
                n: int, unit_of_token: np.ndarray, surfaces: _Surfaces):
    """The occurrence block of counted n-grams, with the forms and keys of those counted."""
    present = np.bincount(gram, minlength=example_at.size) > 0
    at = example_at[np.flatnonzero(present)]
    local = (np.cumsum(present) - 1)[gram]
    form_parts = [map(surfaces.forms.__getitem__, ids[at + k].tolist()) for k in range(n)]
    key_parts = [map(surfaces.keys.__getitem__, ids[at + k].tolist()) for k in range(n)]
    forms = list(map(" ".join, zip(*form_parts, strict=True)))
    keys = list(map(" ".join, zip(*key_parts, strict=True)))
    return unit_of_token[starts], local, forms, keys, n


class _Surfaces:
    """Distinct surface forms (tokens and merged phrases): ids, keys, stopword status."""

    def __init__(self, stop: frozenset[str], keep_all: bool,
                 lemma_languages: tuple[str, ...] = ()):
        self.stop = stop
        self.keep_all = keep_all
        self.lemma_languages = lemma_languages
        self.forms: list[str] = []
        self.keys: list[str] = []
        self.kept: list[bool] = []
        self.index: dict[str, int] = {}

    def learn(self, forms: Iterable[str], keys: Iterable[str] | None = None) -> None:
        """Add new forms (with their keys, or ``term_key`` of the form)."""
        new = [form for form in forms if form not in self.index]
        if keys is not None:
            new_keys = list(keys)
        elif self.lemma_languages:
            new_keys = [lemma_key(form, self.lemma_languages) for form in new]
        else:
            new_keys = [term_key(form) for form in new]
        self.index.update(zip(new, range(len(self.forms), len(self.forms) + len(new)), strict=True))
        self.forms.extend(new)
        self.keys.extend(new_keys)
        if self.lemma_languages and keys is None:
            # A stopword stays one whatever its lemma ("т" of "т. е." is not "тонна").
            self.kept.extend(self.keep_all or not (is_stopword(key, self.stop) or
                                                   is_stopword(term_key(form), self.stop))
                             for form, key in zip(new, new_keys, strict=True))
        else:
            self.kept.extend(self.keep_all or not is_stopword(key, self.stop) for key in new_keys)

    def kept_array(self) -> np.ndarray:
        return np.fromiter(self.kept, dtype=bool, count=len(self.kept))


def _merge_phrases(flat: list[str], ids: np.ndarray, lengths: np.ndarray, surfaces: _Surfaces,
                   phrase_index: dict[str, list[tuple[str, ...]]]) -> tuple[np.ndarray, np.ndarray]:
    """Merge configured phrases (greedy, longest first, left to right in each sentence).

    A merged token is its surface words joined by one space; its counting key
    is the phrase's lower-cased keys joined by one space (learned here). Only
    positions where a token pair starts some phrase are looked at; they are
    found with numpy over the lower-cased key ids of all tokens. Returns the
    token ids and sentence lengths after merging.
    """
    lower_ids: dict[str, int] = {}
    lower_of = np.fromiter((lower_ids.setdefault(key.lower(), len(lower_ids))
                            for key in surfaces.keys), dtype=np.int64, count=len(surfaces.keys))
    lower_words = list(lower_ids)
    pairs: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for candidates in phrase_index.values():  # each list is longest first
        for candidate in candidates:
            pairs.setdefault(candidate[:2], []).append(candidate)
    width = len(lower_ids)
    codes = np.array([lower_ids[a] * width + lower_ids[b] for a, b in pairs
                      if a in lower_ids and b in lower_ids], dtype=np.int64)
    if not codes.size:
        return ids, lengths
    token_lower = lower_of[ids]
    # Candidate starts: tokens whose lower-cased key starts a phrase, then the
    # pairs among them that start one.
    starts_phrase = np.zeros(width, dtype=bool)
    starts_phrase[codes // width] = True
    candidates = np.flatnonzero(starts_phrase[token_lower[:-1]])
    pair_codes = token_lower[candidates] * width + token_lower[candidates + 1]
    hits = candidates[np.isin(pair_codes, codes)]
    ends = np.cumsum(lengths)
    owner = np.searchsorted(ends, hits, side="right")  # the sentence of each hit
    sentence_end = ends[owner]
    inside = hits + 1 < sentence_end  # a pair must not cross a sentence end
    hits, sentence_end = hits[inside].tolist(), sentence_end[inside].tolist()
    merges: list[tuple[int, int, str, str]] = []  # (start, end, form, key), flat positions
    consumed = 0  # flat position up to which tokens are merged into a phrase
    for i, end_of_sentence in zip(hits, sentence_end, strict=True):
        if i < consumed:
            continue  # inside a phrase merged just before
        words = None
        for candidate in pairs[(lower_words[token_lower[i]], lower_words[token_lower[i + 1]])]:
            end = i + len(candidate)
            if end > end_of_sentence:
                continue
            if words is None:  # the longest candidate that fits comes first
                words = tuple(lower_words[w] for w in token_lower[i:end].tolist())
            if words[:len(candidate)] == candidate:
                merges.append((i, end, " ".join(flat[i:end]), " ".join(candidate)))
                consumed = end
                break
    if not merges:
        return ids, lengths
    forms = dict.fromkeys(form for _, _, form, _ in merges)
    keys = {form: key for _, _, form, key in merges}
    new = [form for form in forms if form not in surfaces.index]
    surfaces.learn(new, [keys[form] for form in new])
    keep = np.ones(ids.size, dtype=bool)
    ids = ids.copy()
    for start, end, form, _ in merges:
        ids[start] = surfaces.index[form]
        keep[start + 1:end] = False
    removed = np.zeros(ids.size, dtype=np.int64)
    removed[~keep] = 1
    owner_of_token = np.repeat(np.arange(lengths.size), lengths)
    lengths = lengths - np.bincount(owner_of_token, weights=removed,
                                    minlength=lengths.size).astype(np.int64)
    return ids[keep], lengths


def _fold_blocks(blocks, n_units: int, totals: np.ndarray, sparse
                 ) -> tuple[TermCounts, SurfaceTotals]:
    """Units × surface columns (per block) → units × counting keys, with display forms.

    Each block is (row of each occurrence, local column of each occurrence,
    forms, keys, n); columns never counted are dropped.
    """
    rows_parts, column_parts = [], []
    forms: list[str] = []
    keys: list[str] = []
    block_of_form: list[np.ndarray] = []
    for rows, local, block_forms, block_keys, n in blocks:
        present = np.bincount(local, minlength=len(block_forms)) > 0
        used = np.flatnonzero(present)
        renumber = np.cumsum(present) - 1 + len(forms)
        rows_parts.append(rows)
        column_parts.append(renumber[local])
        forms.extend(map(block_forms.__getitem__, used.tolist()))
        keys.extend(map(block_keys.__getitem__, used.tolist()))
        block_of_form.append(np.full(used.size, n, dtype=np.int64))
    rows = np.concatenate(rows_parts) if rows_parts else np.zeros(0, dtype=np.int64)
    columns = np.concatenate(column_parts) if column_parts else np.zeros(0, dtype=np.int64)
    terms = sorted(set(keys))
    term_index = {key: i for i, key in enumerate(terms)}
    term_of_surface = np.fromiter(map(term_index.__getitem__, keys), dtype=np.int64,
                                  count=len(keys))
    matrix = sparse.csr_matrix((np.ones(rows.size, dtype=np.int64),
                                (rows, term_of_surface[columns])), shape=(n_units, len(terms)))
    matrix.sum_duplicates()
    matrix.sort_indices()
    frequency = np.bincount(columns, minlength=len(forms)).astype(np.int64)
    display = _display_forms(forms, term_of_surface, frequency, len(terms))
    ngram = np.array([key.count(" ") + 1 for key in terms], dtype=np.int64)
    block = np.concatenate(block_of_form) if block_of_form else np.zeros(0, dtype=np.int64)
    return (TermCounts(matrix, tuple(terms), display, ngram, totals),
            SurfaceTotals(forms, block, term_of_surface, frequency))


def _display_forms(forms: list[str], term_of_surface: np.ndarray, frequency: np.ndarray,
                   n_terms: int) -> tuple[str, ...]:
    """Most frequent surface form of each term; ties go to the smallest form (as a string)."""
    if not forms:
        return ()
    best = np.zeros(n_terms, dtype=np.int64)
    np.maximum.at(best, term_of_surface, frequency)
    candidates = np.flatnonzero(frequency == best[term_of_surface])
    owners = term_of_surface[candidates]
    shared = np.bincount(owners, minlength=n_terms) > 1
    display = np.empty(n_terms, dtype=object)
    alone = ~shared[owners]
    display[owners[alone]] = np.array(forms, dtype=object)[candidates[alone]]
    ties: dict[int, str] = {}
    for term, surface in zip(owners[~alone].tolist(), candidates[~alone].tolist(), strict=True):
        form = forms[surface]
        if term not in ties or form < ties[term]:
            ties[term] = form
    for term, form in ties.items():
        display[term] = form
    return tuple(display.tolist())


def lemma_key(form: str, languages: tuple[str, ...]) -> str:
    """The counting key of a form counted by lemma: its lemma in the first of ``languages``
    whose dictionary knows it (case kept for the acronyms :func:`term_key` keeps)."""
    key = term_key(form)
    if key != key.lower():
        return key
    for language in languages:
        found = lemma(form, language)  # as written: "Киев" is a city, "киев" unknown
        if found != form:
            return found.lower()
    return key


def phrase_keys(phrase: str) -> tuple[str, ...]:
    """The counting keys of a phrase as written in the config."""
    return tuple(term_key(t) for t in tokenize(phrase))


@lru_cache(maxsize=1 << 16)
def _lower_phrase_keys(phrase: str) -> tuple[str, ...]:
    """The lower-cased keys of a phrase (memoised: the stored entry's phrases and this
    run's are mostly the same thousands)."""
    return tuple(k.lower() for k in phrase_keys(phrase))


@lru_cache(maxsize=16)
def _phrase_index(phrases: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases by their first lower-cased key, longest first (memoised: a run asks for
    the same thousands of detected phrases several times; callers only read it)."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        keys = _lower_phrase_keys(phrase)
        if len(keys) >= 2:
            index.setdefault(keys[0], []).append(keys)
    for candidates in index.values():
        candidates.sort(key=len, reverse=True)
    return index


def group_indicator(labels, groups, *, dtype):
    """groups × len(labels) 0/1 matrix: entry (g, i) is 1 when labels[i] == groups[g]."""
    from scipy import sparse

    index = {g: i for i, g in enumerate(groups)}
    rows = np.array([index.get(label, -1) for label in labels], dtype=np.int64)
    keep = rows >= 0
    return sparse.csr_matrix(
        (np.ones(int(keep.sum()), dtype=dtype), (rows[keep], np.flatnonzero(keep))),
        shape=(len(groups), len(labels)))
