"""TF-IDF weights per perspective or per document (``framelens tfidf``).

Terms are the pipeline's terms (:mod:`framelens.analysis.counts.matrices`) built with
the options ``keywords`` uses (:func:`framelens.analysis.lenses.keywords.keyness_term_options`:
config phrases plus, unless ``collocations=False``, the corpus's detected
collocations, merged into single tokens), so a term here is a term there;
scikit-learn's ``TfidfTransformer`` weights their
count matrix (Salton & Buckley 1988; scikit-learn user guide, "Tf–idf term
weighting"):

    tf(t, u)    = count of t in unit u          (sublinear: 1 + ln count, 0 stays 0)
    idf(t)      = ln((1 + n) / (1 + df(t))) + 1  (smooth idf; n units, df(t) units using t)
    tfidf(t, u) = tf(t, u) · idf(t) / ‖tf(·, u) · idf‖₂

A unit is a document (``by="document"``) or a perspective. For a perspective
the default, ``pooling="pooled"``, sums its documents' counts into one text
and weights the perspectives against each other (n = perspectives, df =
perspectives using the term); ``pooling="mean"`` averages its documents'
L2-normalised TF-IDF vectors, weighted over documents (n = documents, df =
documents containing the term).

Documents are put in one canonical order (perspective in config order, then
id) before any arithmetic, so the order in which a corpus lists its documents
never changes a single bit of the output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from framelens.analysis.counts.matrices import (
    TermCounts,
    TermOptions,
    document_term_counts,
    sentence_term_counts,
)
from framelens.analysis.errors import CorpusError, OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.results import Result

BY_CHOICES = ("perspective", "document")
POOLING_CHOICES = ("pooled", "mean")


@dataclass(frozen=True)
class TfidfRow:
    """One top term of one group (a perspective, or a document with ``by="document"``)."""

    group: str
    term: str
    tfidf: float
    count: int
    df: int
    idf: float
    rank: int
    perspective: str


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

    from framelens.analysis.lenses.keywords import keyness_term_options

    check_choice("by", by, BY_CHOICES)
    if collocation_min_count < 1:
        raise OptionError(f"--collocation-min-count must be at least 1, "
                          f"got {collocation_min_count}")
    options = keyness_term_options(corpus, ngram_range=check_ngram_range(ngram_range),
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
    indicator = _indicator(doc_perspectives, perspective_ids, dtype=np.int64)
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

    from framelens.analysis.process.pipeline import processed

    by_sentence = sentence_term_counts(corpus, options)
    sentence_counts = [len(doc.tokens) for doc in processed(corpus)]
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
    """TF-IDF rows of a units × terms count matrix, as scikit-learn defines them.

    ``TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True,
    sublinear_tf=sublinear_tf)`` (scikit-learn user guide 6.2.3.4):
    idf(t) = ln((1 + n) / (1 + df(t))) + 1, tf = count (or 1 + ln count),
    each row divided by its Euclidean norm (an all-zero row stays zero).
    Returns ``(weights, idf)``: a CSR float64 matrix and the idf per term.
    """
    from sklearn.feature_extraction.text import TfidfTransformer

    transformer = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True,
                                   sublinear_tf=sublinear_tf)
    weights = transformer.fit_transform(count_matrix.astype(np.float64))
    weights.sort_indices()
    return weights, np.asarray(transformer.idf_, dtype=np.float64)


def document_frequency(count_matrix) -> np.ndarray:
    """Number of rows (units) in which each term occurs at least once."""
    from scipy import sparse

    matrix = sparse.csr_matrix(count_matrix)
    return np.bincount(matrix.indices[matrix.data > 0], minlength=matrix.shape[1]).astype(np.int64)


def tfidf(corpus: Corpus, *, by: str = "perspective", top: int = 15, sublinear_tf: bool = False,
          ngram_range: tuple[int, int] = (1, 1), keep_stopwords: bool = False,
          pooling: str = "pooled", collocations: bool = True,
          collocation_min_count: int = 2) -> Result:
    """The ``top`` terms with the highest TF-IDF weight in each perspective or document.

    See the module docstring for the weighting. Rows: groups in group order
    (perspectives in config order; documents by perspective, then id), each
    group's terms by (-tfidf, term key). ``count`` is the term's count in the
    group; ``df`` and ``idf`` are over the units the idf was fitted on: the
    perspectives for ``pooling="pooled"``, the documents otherwise.
    """
    from scipy import sparse

    check_choice("by", by, BY_CHOICES)
    check_choice("pooling", pooling, POOLING_CHOICES)
    if by == "document" and pooling != "pooled":
        raise OptionError("--pooling applies to --by perspective only (a document is one text)")
    if top < 1:
        raise OptionError(f"--top must be at least 1, got {top}")
    units = term_units(corpus, by=by, ngram_range=ngram_range, keep_stopwords=keep_stopwords,
                       collocations=collocations, collocation_min_count=collocation_min_count)
    counts = units.counts
    warnings: list[str] = []
    if pooling == "mean":
        doc_weights, idf = tfidf_weights(units.doc_matrix, sublinear_tf=sublinear_tf)
        mean = _indicator(units.doc_perspectives, units.ids, dtype=np.float64)
        sizes = np.asarray(mean.sum(axis=1)).ravel()
        mean = sparse.diags(1.0 / np.maximum(sizes, 1.0)) @ mean
        weights = sparse.csr_matrix(mean @ doc_weights)
        weights.sort_indices()
        df = document_frequency(units.doc_matrix)
        fitted_on = len(units.doc_ids)
    else:
        weights, idf = tfidf_weights(units.matrix, sublinear_tf=sublinear_tf)
        df = document_frequency(units.matrix)
        fitted_on = len(units.ids)
    if fitted_on == 1:
        noun = "perspective" if by == "perspective" and pooling == "pooled" else "document"
        warnings.append(f"only one {noun}: every term has the same idf, so TF-IDF ranks by "
                        "term frequency alone")
    count_matrix = sparse.csr_matrix(units.matrix)
    rows: list[TfidfRow] = []
    for index, (group, perspective) in enumerate(zip(units.ids, units.perspectives, strict=True)):
        columns, values = top_of_row(weights, index, top)
        group_counts = row_values(count_matrix, index, columns)
        if columns.size == 0:
            warnings.append(f"{group}: no terms left after stopword removal")
        rows.extend(
            TfidfRow(group, counts.display[c], float(v), int(n), int(df[c]), float(idf[c]),
                     rank, perspective)
            for rank, (c, v, n) in enumerate(zip(columns.tolist(), values.tolist(),
                                                 group_counts.tolist(), strict=True), start=1))
    return Result(
        TfidfRow, tuple(rows),
        title=_title(by, pooling, top),
        caption=_caption(by, pooling, sublinear_tf, fitted_on),
        warnings=tuple(warnings),
        extra={"by": by, "pooling": pooling, "groups": units.ids,
               "group_perspectives": units.perspectives, **perspective_styles(corpus)},
    )


def top_of_row(weights, row: int, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of a CSR row's ``top`` largest non-zero values.

    Ties are broken by column index, i.e. by term key (terms are sorted).
    """
    start, stop = weights.indptr[row], weights.indptr[row + 1]
    columns = weights.indices[start:stop]
    values = weights.data[start:stop]
    keep = values > 0
    columns, values = columns[keep], values[keep]
    order = np.lexsort((columns, -values))[:top]
    return columns[order], values[order]


def row_values(matrix, row: int, columns: np.ndarray) -> np.ndarray:
    """Values of a CSR row (sorted indices) at ``columns``; 0 where nothing is stored."""
    start, stop = matrix.indptr[row], matrix.indptr[row + 1]
    indices = matrix.indices[start:stop]
    data = matrix.data[start:stop]
    if indices.size == 0:
        return np.zeros(len(columns), dtype=data.dtype)
    position = np.minimum(np.searchsorted(indices, columns), indices.size - 1)
    return np.where(indices[position] == columns, data[position], 0)


def perspective_styles(corpus: Corpus) -> dict[str, dict[str, str]]:
    """Labels and colours of the corpus's perspectives, for the table views."""
    labels: dict[str, str] = {}
    colours: dict[str, str] = {}
    for perspective in corpus.config.perspectives:
        labels[perspective.id] = perspective.label
        colours[perspective.id] = perspective.colour
    return {"labels": labels, "colours": colours}


def _indicator(labels, groups, *, dtype):
    """groups × len(labels) 0/1 matrix: entry (g, i) is 1 when labels[i] == groups[g]."""
    from scipy import sparse

    index = {g: i for i, g in enumerate(groups)}
    rows = np.array([index.get(label, -1) for label in labels], dtype=np.int64)
    keep = rows >= 0
    return sparse.csr_matrix(
        (np.ones(int(keep.sum()), dtype=dtype), (rows[keep], np.flatnonzero(keep))),
        shape=(len(groups), len(labels)))


def _title(by: str, pooling: str, top: int) -> str:
    if by == "document":
        return f"Top {top} TF-IDF terms per document"
    how = "documents pooled" if pooling == "pooled" else "mean of its documents' vectors"
    return f"Top {top} TF-IDF terms per perspective ({how})"


def _caption(by: str, pooling: str, sublinear_tf: bool, n: int) -> str:
    tf = "1 + ln(count)" if sublinear_tf else "the term's count"
    if by == "document":
        unit = f"n = {n} documents; df = documents containing the term"
        lead = "Each document weighted against the others."
    elif pooling == "pooled":
        unit = f"n = {n} perspectives; df = perspectives using the term"
        lead = "Each perspective's documents pooled into one text, weighted against the others."
    else:
        unit = f"n = {n} documents; df = documents containing the term"
        lead = ("Mean of each perspective's documents' TF-IDF vectors (each weighted against "
                "all documents, L2-normalised).")
    return (f"{lead} TF-IDF = tf × idf, tf = {tf}, idf = ln((1 + n) / (1 + df)) + 1 "
            f"({unit}; scikit-learn smooth idf), vectors L2-normalised. count = the term's "
            "count in the group. Ties ordered by term.")
