"""Topic discovery: NMF over paragraph-level TF-IDF, and each perspective's weight on each topic.

Method (Lee & Seung 1999, "Learning the parts of objects by non-negative
matrix factorization", *Nature* 401; as in scikit-learn's topic-extraction
example):

1. Units are paragraphs. Each paragraph is counted with the pipeline's
   tokens through :func:`framelens.analysis.counts.matrices.count_units` (case-folded
   keys, config phrases merged, stopwords removed). Terms without a letter
   (numbers, years) and terms in fewer than ``MIN_PARAGRAPHS`` paragraphs are
   dropped.
2. X = TF-IDF of the paragraph × term counts (scikit-learn
   ``TfidfTransformer`` defaults: raw tf, smooth idf = ln((1+n)/(1+df)) + 1,
   rows L2-normalised).
3. X ≈ W·H with ``NMF(n_components=K, init="nndsvd", random_state=0)``
   (Frobenius loss, coordinate descent). NNDSVD initialisation (Boutsidis &
   Gallopoulos 2008) has no randomness, so the factorisation is the same on
   every run.
4. A topic's term weight is H[k, t] / Σ_t H[k, t] (its share of the topic's
   loadings); its top terms are the largest, ties by term.
5. A paragraph's topic weights are its row of W normalised to sum to 1
   (paragraphs whose row is all zero, e.g. only stopwords, are left out); a
   perspective's weight on topic k is the mean of that over its paragraphs,
   so each perspective's weights sum to 1 over the K topics.

Topics are numbered by their mean weight over all paragraphs, largest
first (ties by NMF component order), and labelled by their three top terms.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass

import numpy as np

from framelens.analysis.counts.matrices import count_units, term_options
from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.pipeline import processed
from framelens.analysis.results import Report, Result
from framelens.analysis.text.normalize import term_key

MIN_PARAGRAPHS = 2
RANDOM_STATE = 0
MAX_ITER = 1000
LABEL_TERMS = 3


@dataclass(frozen=True)
class DiscoveredTerm:
    topic: int
    label: str
    rank: int
    term: str
    weight: float


@dataclass(frozen=True)
class PerspectiveWeight:
    topic: int
    label: str
    perspective: str
    rank: int
    weight: float


@dataclass(frozen=True)
class DiscoveredRow:
    """One row of the long table: ``kind`` is ``term`` or ``perspective``."""

    topic: int
    label: str
    kind: str
    rank: int
    term: str
    perspective: str
    weight: float


def discover_topics(corpus: Corpus, k: int, *, terms: int = 10) -> Report:
    """K topics found by NMF, their top ``terms`` terms, and each perspective's weight."""
    if k < 2:
        raise OptionError(f"--discover needs at least 2 topics, got {k}")
    if terms < 1:
        raise OptionError(f"--terms must be at least 1 with --discover, got {terms}")
    units, unit_persp = _paragraph_units(corpus)
    counts = count_units(units, term_options(corpus))
    matrix = counts.matrix.tocsc()
    df = np.diff(matrix.indptr)
    has_letter = np.array([any(ch.isalpha() for ch in key) for key in counts.terms], dtype=bool)
    keep = np.flatnonzero((df >= MIN_PARAGRAPHS) & has_letter)
    matrix = matrix[:, keep].tocsr()
    rows_kept = np.flatnonzero(np.diff(matrix.indptr) > 0)
    if keep.size < k or rows_kept.size < k:
        raise OptionError(f"--discover {k}: the corpus has only {rows_kept.size} paragraphs and "
                          f"{keep.size} terms in at least {MIN_PARAGRAPHS} paragraphs; ask for "
                          "fewer topics")
    display = [counts.display[i] for i in keep]

    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = TfidfTransformer().fit_transform(matrix.astype(np.float64))
    model = NMF(n_components=k, init="nndsvd", random_state=RANDOM_STATE, max_iter=MAX_ITER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w = model.fit_transform(tfidf)
    h = model.components_
    notes: list[str] = []
    if model.n_iter_ >= MAX_ITER:
        notes.append(f"NMF did not converge in {MAX_ITER} iterations; topics may be unstable")

    h_sums = h.sum(axis=1, keepdims=True)
    term_weight = np.divide(h, h_sums, out=np.zeros_like(h), where=h_sums > 0)
    w_sums = w.sum(axis=1, keepdims=True)
    used = w_sums[:, 0] > 0
    paragraph_weight = w[used] / w_sums[used]
    persp_of_row = unit_persp[used]
    overall = paragraph_weight.mean(axis=0)
    topic_order = np.lexsort((np.arange(k), -overall))

    perspectives = corpus.perspective_ids
    persp_weight = np.zeros((len(perspectives), k))
    for p in range(len(perspectives)):
        rows = paragraph_weight[persp_of_row == p]
        if rows.shape[0]:
            persp_weight[p] = rows.mean(axis=0)

    display_arr = np.asarray(display, dtype=str)
    term_rows: list[DiscoveredTerm] = []
    weight_rows: list[PerspectiveWeight] = []
    labels: list[str] = []
    for number, component in enumerate(topic_order, start=1):
        weights = term_weight[component]
        ranked = np.lexsort((display_arr, -weights))
        ranked = ranked[weights[ranked] > 0]
        top = ranked[:terms]
        label = ", ".join(display_arr[ranked[:LABEL_TERMS]])
        labels.append(label)
        term_rows += [DiscoveredTerm(number, label, rank, str(display_arr[i]), float(weights[i]))
                      for rank, i in enumerate(top, start=1)]
        column = persp_weight[:, component]
        ranked = np.lexsort((np.arange(len(perspectives)), -column))
        rank_of = np.empty(len(perspectives), dtype=np.int64)
        rank_of[ranked] = np.arange(1, len(perspectives) + 1)
        weight_rows += [PerspectiveWeight(number, label, perspective, int(rank_of[p]),
                                          float(column[p]))
                        for p, perspective in enumerate(perspectives)]

    long_rows = [DiscoveredRow(r.topic, r.label, "term", r.rank, r.term, "", r.weight)
                 for r in term_rows]
    long_rows += [DiscoveredRow(r.topic, r.label, "perspective", r.rank, "", r.perspective,
                                r.weight) for r in weight_rows]
    long_rows.sort(key=lambda r: (r.topic, r.kind != "term", r.rank, r.perspective))
    extra = {
        "k": k,
        "topic_labels": tuple(labels),
        "paragraphs": int(used.sum()),
        "vocabulary": int(keep.size),
    }
    title = f"Discovered topics: NMF, K={k}, over {int(used.sum())} paragraphs"
    caption = (f"NMF (init=nndsvd, random_state={RANDOM_STATE}) of paragraph TF-IDF over "
               f"{keep.size} terms in at least {MIN_PARAGRAPHS} paragraphs (stopwords and "
               "numbers removed). Term weight = share of the topic's loadings; perspective "
               "weight = mean normalised topic weight of its paragraphs (sums to 1 over topics).")
    terms_result = Result(DiscoveredTerm, tuple(term_rows), title="Top terms per topic",
                          caption="weight = H[k, term] / sum of H[k]", extra=extra, styles=corpus.styles)
    weights_result = Result(PerspectiveWeight, tuple(weight_rows),
                            title="Perspective weight per topic",
                            caption="weight = mean over the perspective's paragraphs of the "
                                    "paragraph's normalised topic weight", extra=extra,
                                    styles=corpus.styles)
    long_table = Result(DiscoveredRow, tuple(long_rows), title=title, caption=caption,
                        extra=extra)
    return Report(title, (("terms", terms_result), ("perspectives", weights_result)),
                  long_table, caption=caption, warnings=tuple(notes))


def lexicon_toml(report: Report, *, command: str = "") -> str:
    """The discovered topics as a config lexicon: ``[topics."NAME"] terms = [...]``.

    Topic names are ``Discovered N: <label>``, so they never replace a
    configured topic when the file is loaded with ``--config``. Strings are
    written as TOML basic strings (JSON escapes are valid TOML escapes).
    """
    terms_result = dict(report.sections)["terms"]
    by_topic: dict[int, list[str]] = {}
    labels: dict[int, str] = {}
    for row in terms_result.rows:
        by_topic.setdefault(row.topic, []).append(row.term)
        labels[row.topic] = row.label
    lines = ["# Topic lexicon discovered by framelens" + (f" ({command})" if command else ""),
             "# " + report.caption,
             "# Load it with --config FILE, or copy the sections into the corpus's framelens.toml;",
             "# rename the topics and prune their terms before relying on them.", ""]
    for topic, terms in by_topic.items():
        name = f"Discovered {topic}: {labels[topic]}"
        # Topic terms match case-insensitively, so a case-kept key such as "US"
        # (never merged with "us" when counting) would also match the pronoun.
        usable = [t for t in terms if not _case_sensitive(t)]
        left_out = [t for t in terms if _case_sensitive(t)]
        lines.append(f"[topics.{_toml_string(name)}]")
        lines.append("terms = [" + ", ".join(_toml_string(t) for t in usable) + "]")
        if left_out:
            lines.append("# left out (would also match a stopword, case-insensitively): "
                         + ", ".join(left_out))
        lines.append("")
    return "\n".join(lines)


def _case_sensitive(term: str) -> bool:
    return any(term_key(word) != term_key(word).lower() for word in term.split())


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _paragraph_units(corpus: Corpus) -> tuple[list[list[tuple[str, ...]]], np.ndarray]:
    """One unit per paragraph (its sentences' tokens) and the unit's perspective index."""
    order = {p: i for i, p in enumerate(corpus.perspective_ids)}
    units: list[list[tuple[str, ...]]] = []
    persp: list[int] = []
    for doc in processed(corpus):
        current = -1
        for tokens, paragraph in zip(doc.tokens, doc.paragraph, strict=True):
            if paragraph != current:
                units.append([])
                persp.append(order[doc.perspective])
                current = paragraph
            units[-1].append(tokens)
    return units, np.asarray(persp, dtype=np.int64)
