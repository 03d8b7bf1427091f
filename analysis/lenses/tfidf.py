"""TF-IDF weights per perspective or per document (``framelens tfidf``).

Terms are the pipeline's terms (:mod:`framelens.analysis.counts.matrices`) built with
the options ``keywords`` uses (:func:`framelens.analysis.lenses.keywords.corpus_term_options`:
config phrases plus, unless ``collocations=False``, the corpus's detected
collocations, merged into single tokens), so a term here is a term there;
their count matrix is weighted as scikit-learn's ``TfidfTransformer`` does
(:func:`~framelens.analysis.counts.units.tfidf_weights`; Salton & Buckley 1988;
scikit-learn user guide, "Tf–idf term weighting"):

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

from dataclasses import dataclass

import numpy as np

from framelens.analysis.counts.matrices import group_indicator
from framelens.analysis.counts.units import (
    BY_CHOICES,
    check_choice,
    document_frequency,
    term_units,
    tfidf_weights,
)
from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.results import Result, StreamedResult

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


STREAM_CHUNK_GROUPS = 2000
"""Documents whose rows a streamed ``--by document`` table makes at a time."""


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
    return tfidf_stream(corpus, by=by, top=top, sublinear_tf=sublinear_tf,
                        ngram_range=ngram_range, keep_stopwords=keep_stopwords, pooling=pooling,
                        collocations=collocations,
                        collocation_min_count=collocation_min_count).collect()


def tfidf_stream(corpus: Corpus, *, by: str = "perspective", top: int = 15,
                 sublinear_tf: bool = False, ngram_range: tuple[int, int] = (1, 1),
                 keep_stopwords: bool = False, pooling: str = "pooled",
                 collocations: bool = True, collocation_min_count: int = 2) -> StreamedResult:
    """:func:`tfidf` with its rows made ``STREAM_CHUNK_GROUPS`` groups at a time.

    The weights are computed here, whole (the idf needs every document); only
    the rows, which with ``by="document"`` grow with the corpus (``top`` per
    document), are made while they are written.
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
        mean = group_indicator(units.doc_perspectives, units.ids, dtype=np.float64)
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
    positive = np.concatenate(([0], np.cumsum(weights.data > 0)))
    has_terms = positive[weights.indptr[1:]] > positive[weights.indptr[:-1]]
    warnings.extend(f"{group}: no terms left after stopword removal"
                    for group, found in zip(units.ids, has_terms.tolist(), strict=True)
                    if not found)
    count_matrix = sparse.csr_matrix(units.matrix)

    def chunks():
        groups = list(zip(units.ids, units.perspectives, strict=True))
        for first in range(0, len(groups), STREAM_CHUNK_GROUPS):
            rows: list[TfidfRow] = []
            for index in range(first, min(first + STREAM_CHUNK_GROUPS, len(groups))):
                group, perspective = groups[index]
                columns, values = top_of_row(weights, index, top)
                group_counts = row_values(count_matrix, index, columns)
                rows.extend(
                    TfidfRow(group, counts.display[c], float(v), int(n), int(df[c]),
                             float(idf[c]), rank, perspective)
                    for rank, (c, v, n) in enumerate(zip(columns.tolist(), values.tolist(),
                                                         group_counts.tolist(), strict=True),
                                                     start=1))
            yield tuple(rows)

    def finish(rows: tuple[TfidfRow, ...]) -> Result:
        return Result(
            TfidfRow, rows,
            title=_title(by, pooling, top),
            caption=_caption(by, pooling, sublinear_tf, fitted_on),
            warnings=tuple(warnings),
            extra={"by": by, "pooling": pooling, "groups": units.ids,
                   "group_perspectives": units.perspectives},
            styles=corpus.styles,
        )

    return StreamedResult(TfidfRow, chunks, finish, warnings=lambda count: tuple(warnings),
                          styles=corpus.styles)


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
