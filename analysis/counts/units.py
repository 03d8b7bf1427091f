"""The units a lens compares: perspectives (their documents' counts summed) or documents.

One term specification for every lens that counts terms
(:func:`corpus_term_options`: the config's phrases plus the corpus's detected
collocations), the units' count rows, and the same counts restricted to a
set of sentences (one topic's, say).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from framelens.analysis.counts.matrices import (
    TermCounts,
    TermOptions,
    document_term_counts,
    group_indicator,
    sentence_term_counts,
    sentences_per_document,
    term_options,
)
from framelens.analysis.errors import CorpusError, OptionError
from framelens.analysis.io.documents import Corpus

BY_CHOICES = ("perspective", "document")


def corpus_term_options(corpus: Corpus, *, ngram_range: tuple[int, int] = (1, 1),
                         keep_stopwords: bool = False, collocations: bool = True,
                         collocation_min_count: int = 2) -> TermOptions:
    """Term options with the config phrases plus the corpus's detected collocations."""
    options = term_options(corpus, ngram_range=ngram_range, keep_stopwords=keep_stopwords)
    if not collocations:
        return options
    from framelens.analysis.counts.collocations import corpus_collocations

    found = corpus_collocations(corpus, min_count=collocation_min_count)
    known = {p.lower() for p in options.phrases}
    extra = tuple(c.phrase for c in found if c.phrase.lower() not in known)
    return replace(options, phrases=options.phrases + extra)


@dataclass(frozen=True)
class Units:
    """The units compared, in group order, with their count rows.

    ``ids``/``perspectives``: one entry per unit (a perspective id twice in
    perspective mode). ``matrix``: units × terms counts (scipy CSR, int64).
    ``doc_ids``/``doc_perspectives``/``doc_matrix``: the documents in
    canonical order (perspective in config order, then id).
    """

    by: str
    ids: tuple[str, ...]
    perspectives: tuple[str, ...]
    matrix: object
    counts: TermCounts
    doc_ids: tuple[str, ...]
    doc_perspectives: tuple[str, ...]
    doc_matrix: object


def check_ngram_range(ngram_range: tuple[int, int]) -> tuple[int, int]:
    """Validate an inclusive (min, max) n-gram range."""
    try:
        low, high = (int(n) for n in ngram_range)
    except (TypeError, ValueError):
        raise OptionError(f"n-gram range must be two whole numbers, got {ngram_range!r}") from None
    if low < 1 or high < low:
        raise OptionError(f"--ngrams {low}-{high} is not valid: need 1 <= MIN <= MAX")
    return low, high


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise OptionError(f"--{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def term_units(corpus: Corpus, *, by: str = "perspective", ngram_range: tuple[int, int] = (1, 1),
               keep_stopwords: bool = False, collocations: bool = True,
               collocation_min_count: int = 2,
               sentences: Sequence[tuple[int, int]] | None = None) -> Units:
    """Count rows for perspectives (documents' counts summed) or documents, in group order.

    Terms as ``keywords`` counts them (same term options, same memoised matrix).
    ``sentences``, when given, restricts the counts to those (document index,
    sentence index) positions (see :func:`sentence_subset_counts`); the terms
    and their display forms stay those of the whole corpus.
    """
    from scipy import sparse


    check_choice("by", by, BY_CHOICES)
    if collocation_min_count < 1:
        raise OptionError(f"--collocation-min-count must be at least 1, "
                          f"got {collocation_min_count}")
    options = corpus_term_options(corpus, ngram_range=check_ngram_range(ngram_range),
                                   keep_stopwords=keep_stopwords, collocations=collocations,
                                   collocation_min_count=collocation_min_count)
    counts = document_term_counts(corpus, options)
    if not counts.terms:
        raise CorpusError("the corpus has no terms left to weigh"
                          + ("" if keep_stopwords else " after stopword removal "
                             "(try --keep-stopwords)"), path=corpus.root)
    if sentences is not None:
        counts = sentence_subset_counts(corpus, options, sentences)
    perspective_ids = corpus.perspective_ids
    rank = {p: i for i, p in enumerate(perspective_ids)}
    docs = corpus.documents
    order = sorted(range(len(docs)),
                   key=lambda i: (rank.get(docs[i].perspective, len(rank)), docs[i].id))
    doc_matrix = sparse.csr_matrix(counts.matrix)[order]
    doc_matrix.sort_indices()
    doc_ids = tuple(docs[i].id for i in order)
    doc_perspectives = tuple(docs[i].perspective for i in order)
    if by == "document":
        return Units(by, doc_ids, doc_perspectives, doc_matrix, counts, doc_ids,
                     doc_perspectives, doc_matrix)
    indicator = group_indicator(doc_perspectives, perspective_ids, dtype=np.int64)
    matrix = sparse.csr_matrix(indicator @ doc_matrix)
    matrix.sort_indices()
    return Units(by, perspective_ids, perspective_ids, matrix, counts, doc_ids,
                 doc_perspectives, doc_matrix)


def sentence_subset_counts(corpus: Corpus, options: TermOptions,
                           sentences: Sequence[tuple[int, int]]) -> TermCounts:
    """Documents × terms counting only the sentences at ``sentences``.

    ``sentences`` holds (document index, sentence index) pairs, indices into
    ``corpus.documents`` and the document's sentences, each pair once (as
    :func:`framelens.analysis.lenses.topics.topic_sentences` lists them). The rows of
    the cached sentences × terms matrix
    (:func:`framelens.analysis.counts.matrices.sentence_term_counts`, same options)
    are summed per document. Terms never span two sentences (n-grams and
    merged phrases stop at a sentence end), so with every sentence selected
    this is exactly :func:`~framelens.analysis.counts.matrices.document_term_counts`.
    """
    from scipy import sparse

    by_sentence = sentence_term_counts(corpus, options)
    sentence_counts = sentences_per_document(corpus).tolist()
    first_row = np.concatenate(([0], np.cumsum(sentence_counts)[:-1])).astype(np.int64)
    doc_index = np.fromiter((d for d, _ in sentences), dtype=np.int64, count=len(sentences))
    sentence_index = np.fromiter((s for _, s in sentences), dtype=np.int64,
                                 count=len(sentences))
    row_index = first_row[doc_index] + sentence_index
    selector = sparse.csr_matrix(  # documents × sentences, 1 where the sentence is selected
        (np.ones(doc_index.size, dtype=np.int64), (doc_index, row_index)),
        shape=(len(sentence_counts), by_sentence.matrix.shape[0]))
    matrix = sparse.csr_matrix(selector @ by_sentence.matrix)
    matrix.sort_indices()
    return TermCounts(matrix, by_sentence.terms, by_sentence.display, by_sentence.ngram,
                      np.asarray(selector @ by_sentence.token_totals, dtype=np.int64))


def tfidf_weights(count_matrix, *, sublinear_tf: bool = False):
    """TF-IDF rows of a units × terms count matrix, as scikit-learn's ``TfidfTransformer`` defines them.

    ``TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True,
    sublinear_tf=sublinear_tf)`` (scikit-learn user guide 6.2.3.4):
    idf(t) = ln((1 + n) / (1 + df(t))) + 1 for n units, tf = count (or
    1 + ln count), each row divided by its Euclidean norm (an all-zero row
    stays zero). Computed here with scipy.sparse in the same order of
    operations (a test checks the numbers against scikit-learn), because
    importing scikit-learn costs a second or two on every run.
    Returns ``(weights, idf)``: a CSR float64 matrix and the idf per term.
    """
    return tfidf_with_frequencies(count_matrix, document_frequency(count_matrix),
                                  count_matrix.shape[0], sublinear_tf=sublinear_tf)


def tfidf_with_frequencies(count_matrix, document_frequency, n_units: int, *,
                           sublinear_tf: bool = False):
    """:func:`tfidf_weights` with df(t) and n given: those of a whole corpus of which
    ``count_matrix`` holds some rows, so that a few rows get the weights the whole corpus's
    matrix gives them. Returns ``(weights, idf)``."""
    from scipy import sparse

    weights = sparse.csr_matrix(count_matrix, dtype=np.float64, copy=True)
    weights.eliminate_zeros()
    weights.sort_indices()
    idf = np.full(weights.shape[1], float(n_units + 1))
    idf /= np.asarray(document_frequency, dtype=np.float64) + 1.0
    np.log(idf, out=idf)
    idf += 1.0
    if sublinear_tf:
        np.log(weights.data, out=weights.data)
        weights.data += 1.0
    weights.data *= idf[weights.indices]
    normalize_rows(weights)
    return weights, idf


def normalize_rows(matrix) -> None:
    """Divide each row of a CSR float matrix by its Euclidean norm, in place (zero rows stay zero).

    Each row's sum of squares is accumulated in order along the row (a
    running sum, as scikit-learn's ``normalize`` does), so the weights equal
    scikit-learn's to the last bit.
    """
    if not matrix.nnz:
        return
    lengths = np.diff(matrix.indptr)
    squares = matrix.data * matrix.data
    norms = np.ones(matrix.shape[0])
    filled = np.flatnonzero(lengths)
    ends = matrix.indptr[filled + 1] - 1
    running = np.empty_like(squares)
    for row, start, end in zip(filled.tolist(), matrix.indptr[filled].tolist(), ends.tolist(),
                               strict=True):
        np.cumsum(squares[start:end + 1], out=running[start:end + 1])
        norms[row] = running[end]
    np.sqrt(norms, out=norms)
    norms[norms == 0.0] = 1.0
    matrix.data /= np.repeat(norms, lengths)


def document_frequency(count_matrix) -> np.ndarray:
    """Number of rows (units) in which each term occurs at least once."""
    from scipy import sparse

    matrix = sparse.csr_matrix(count_matrix)
    return np.bincount(matrix.indices[matrix.data > 0], minlength=matrix.shape[1]).astype(np.int64)
