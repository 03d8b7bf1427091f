"""How close the perspectives (or documents) are in what they talk about (``framelens similarity``).

Two measures for every pair of units (perspectives, their documents pooled;
or documents), computed on the pipeline's terms (the same as ``keywords``):

Terms are those ``keywords`` counts (config phrases and detected collocations
merged into single tokens; see :func:`framelens.analysis.lenses.tfidf.term_units`).

- **cosine**: cosine similarity of the units' TF-IDF vectors
  (:func:`framelens.analysis.lenses.tfidf.tfidf_weights`: scikit-learn smooth idf
  fitted on the compared units, L2-normalised), by scikit-learn's
  ``cosine_similarity``: cos(u, v) = u·v / (‖u‖ ‖v‖). 1 = the same term
  weights, 0 = no term in common. Terms used by every unit have the lowest
  idf, so the cosine is driven by the terms only some units use.
- **jsd**: Jensen–Shannon divergence, base 2 (Lin 1991; see
  :func:`framelens.analysis.stats.keyness.jensen_shannon_matrix`), between the units'
  term distributions (relative frequencies of raw counts, no idf): 0 =
  identical distributions, 1 = no term in common.

``vocabulary=True`` reports instead which terms the perspectives share: a
perspective *uses* a term when its count there is at least ``min_count``;
a term is shared by all when every perspective uses it, by a pair only when
exactly those two use it, unique to a perspective when no other uses it.

``topic="NAME"`` restricts both to the sentences on one configured topic (a
sentence belongs to every topic with one of its terms in it; see
:mod:`framelens.analysis.lenses.topics`): each unit's counts are those of its topic
sentences, the same pipeline terms as the unrestricted run (rows of the
cached sentences × terms matrix, :func:`framelens.analysis.lenses.tfidf.sentence_subset_counts`).
A unit without a sentence on the topic keeps its place but has no
distribution: its cosine and JSD are NaN (empty in CSV, null in JSON), a
warning names it, and the idf is fitted on the units that have sentences
only, so adding silent units never moves the others' cosines. In
``vocabulary`` such a perspective uses no term, so nothing is shared by all;
the caption and a warning say so. Title and caption name the topic and the
number of sentences each unit rests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from framelens.analysis.config.settings import Config
from framelens.analysis.counts.units import (
    BY_CHOICES,
    check_choice,
    normalize_rows,
    term_units,
    tfidf_weights,
)
from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.results import Result
from framelens.analysis.stats.divergence import jensen_shannon_matrix


@dataclass(frozen=True)
class SimilarityRow:
    """One unordered pair of units (a ≤ b in group order), diagonal included."""

    a: str
    b: str
    cosine: float
    jsd: float
    a_perspective: str
    b_perspective: str


@dataclass(frozen=True)
class VocabularyRow:
    """A set of terms: ``used`` by, shared by ``all``, by a ``pair`` only, or ``unique`` to."""

    set: str
    perspectives: tuple[str, ...]
    terms: int
    examples: tuple[str, ...]


def cosine_matrix(weights) -> np.ndarray:
    """Cosine similarities between the rows of ``weights`` (as scikit-learn's ``cosine_similarity``).

    cos(u, v) = u·v / (‖u‖ ‖v‖). The result is made exactly symmetric (the
    upper triangle is mirrored), its diagonal is 1 and values are clipped to
    [0, 1] (weights are non-negative; this only removes rounding noise). A
    row of zeros has no direction: its row and column are NaN.
    """
    from scipy import sparse

    unit_rows = sparse.csr_matrix(weights, dtype=np.float64, copy=True)
    normalize_rows(unit_rows)
    matrix = np.asarray((unit_rows @ unit_rows.T).toarray(), dtype=np.float64)
    upper = np.triu(matrix, 1)
    matrix = upper + upper.T
    np.clip(matrix, 0.0, 1.0, out=matrix)
    np.fill_diagonal(matrix, 1.0)
    empty = _empty_rows(weights)
    matrix[empty, :] = np.nan
    matrix[:, empty] = np.nan
    return matrix


def jsd_matrix(counts) -> np.ndarray:
    """Jensen–Shannon divergences (base 2) between the rows' relative frequencies.

    :func:`framelens.analysis.stats.keyness.jensen_shannon_matrix` on the non-empty
    rows; an all-zero row has no distribution, so its row and column are NaN.
    """
    from scipy import sparse

    counts = sparse.csr_matrix(counts)
    k = counts.shape[0]
    empty = _empty_rows(counts)
    present = np.flatnonzero(~empty)
    matrix = np.full((k, k), np.nan)
    if present.size:
        matrix[np.ix_(present, present)] = jensen_shannon_matrix(counts[present])
    return matrix


@dataclass(frozen=True)
class TopicScope:
    """The sentences of one topic that a restricted comparison counts.

    ``sentences``: (document index, sentence index) pairs, as
    :func:`framelens.analysis.lenses.topics.topic_sentences` lists them.
    """

    name: str
    sentences: tuple[tuple[int, int], ...]


def topic_scope(corpus: Corpus, topic: str) -> TopicScope:
    """The sentences on the configured topic ``topic`` (any case); OptionError if unknown."""
    from framelens.analysis.process.annotators import resolve_topic, topic_sentences

    name = resolve_topic(corpus, topic).name
    return TopicScope(name, tuple(topic_sentences(corpus)[name]))


def similarity(corpus: Corpus, *, by: str = "perspective", topic: str | None = None,
               vocabulary: bool = False, min_count: int = 2, examples: int = 10,
               sublinear_tf: bool = False, ngram_range: tuple[int, int] = (1, 1),
               keep_stopwords: bool = False, collocations: bool = True,
               collocation_min_count: int = 2) -> Result:
    """Cosine (TF-IDF) and JSD (term distributions) for every pair of units, diagonal included.

    Rows ``a, b, cosine, jsd, a_perspective, b_perspective``: one per
    unordered pair with a ≤ b in group order (perspectives in config order;
    documents by perspective, then id), so k units give k(k+1)/2 rows.
    ``topic`` restricts the counts to that topic's sentences (see the module
    docstring for units without any). ``vocabulary=True`` returns
    :func:`shared_vocabulary` instead.
    """
    check_choice("by", by, BY_CHOICES)
    terms = {"ngram_range": ngram_range, "keep_stopwords": keep_stopwords,
             "collocations": collocations, "collocation_min_count": collocation_min_count}
    if vocabulary:
        if by != "perspective":
            raise OptionError("--vocabulary compares perspectives; it cannot be combined "
                              "with --by document")
        return shared_vocabulary(corpus, topic=topic, min_count=min_count, examples=examples,
                                 **terms)
    scope = topic_scope(corpus, topic) if topic is not None else None
    units = term_units(corpus, by=by, sentences=scope.sentences if scope else None, **terms)
    ids, perspectives = units.ids, units.perspectives
    k = len(ids)
    if scope is None:
        on_topic = np.ones(k, dtype=bool)
        weights, _ = tfidf_weights(units.matrix, sublinear_tf=sublinear_tf)
    else:
        per_unit = _sentences_per_unit(corpus, units, scope)
        on_topic = per_unit > 0
        weights = _tfidf_of_rows(units.matrix, on_topic, sublinear_tf)
    cosine = cosine_matrix(weights)
    jsd = jsd_matrix(units.matrix)
    first, second = np.triu_indices(k)  # row-major: (0,0), (0,1), ..., (1,1), ...
    rows = tuple(
        SimilarityRow(ids[i], ids[j], c, d, perspectives[i], perspectives[j])
        for i, j, c, d in zip(first.tolist(), second.tolist(), cosine[first, second].tolist(),
                              jsd[first, second].tolist(), strict=True))
    # A unit silent on the topic gets its own warning, not the stopword one.
    warnings = [f"{unit}: no terms left after stopword removal; its cosine and JSD are "
                "undefined (empty)"
                for unit, empty, present in zip(ids, _empty_rows(units.matrix), on_topic,
                                                strict=True) if empty and present]
    if scope is not None and not on_topic.all():
        warnings.insert(0, _silent_units_warning(scope.name, ids, on_topic,
                                                 "cosine and JSD are undefined there (empty)"))
    if k == 1:
        warnings.append(f"only one {by}: nothing to compare")
    unit = "perspectives" if by == "perspective" else "documents"
    tf = "1 + ln(count)" if sublinear_tf else "count"
    if scope is None:
        fitted = f"the {k} {unit}"
    else:
        n_fitted = int(on_topic.sum())
        fitted = (f"the {n_fitted} {unit if n_fitted != 1 else unit[:-1]} with sentences on "
                  "the topic")
    caption = (
        f"cosine: cosine similarity of TF-IDF vectors (tf = {tf}, smooth idf over {fitted}, "
        "L2-normalised; 1 = same term weights, 0 = no term in common). "
        "jsd: Jensen–Shannon divergence, base 2, of relative term frequencies (0 = identical "
        "distributions, 1 = no term in common). Terms as in keywords"
        + ("" if keep_stopwords else ", stopwords removed") + ".")
    title = ("Similarity between perspectives" if by == "perspective"
             else "Similarity between documents")
    extra = {"view": "matrix", "by": by, "groups": ids, "group_perspectives": perspectives,
             "cosine": cosine, "jsd": jsd}
    if scope is not None:
        title += f" on {scope.name!r}"
        caption = _scope_note(scope.name, ids, per_unit, corpus.config, by,
                              "Empty cells: no sentence on the topic.") + " " + caption
        extra.update(topic=scope.name, topic_sentences=dict(zip(ids, per_unit.tolist(),
                                                                strict=True)))
    if by == "perspective":
        title += " (documents pooled)"
    return Result(SimilarityRow, rows, title=title, caption=caption,
                  warnings=tuple(warnings), extra=extra, styles=corpus.styles)


def shared_vocabulary(corpus: Corpus, *, topic: str | None = None, min_count: int = 2,
                      examples: int = 10, ngram_range: tuple[int, int] = (1, 1),
                      keep_stopwords: bool = False, collocations: bool = True,
                      collocation_min_count: int = 2) -> Result:
    """Terms shared by all perspectives, by each pair only, and unique to each.

    A perspective uses a term when the term's count in its pooled documents
    (with ``topic``: in its sentences on that topic) is ≥ ``min_count``.
    Rows, in this order: ``used`` (per perspective: terms
    it uses), ``all`` (used by every perspective), ``pair`` (used by exactly
    these two; only with three or more perspectives, since with two it equals
    ``all``), ``unique`` (used by this perspective and no other; with
    min_count > 1 another perspective may still have the term fewer times).
    ``examples``: up to ``examples`` terms of the set with the highest total
    count in the counted text, ties by term.
    """
    if min_count < 1:
        raise OptionError(f"--min-count must be at least 1, got {min_count}")
    if examples < 0:
        raise OptionError(f"--examples must be 0 or more, got {examples}")
    scope = topic_scope(corpus, topic) if topic is not None else None
    units = term_units(corpus, by="perspective", ngram_range=ngram_range,
                       keep_stopwords=keep_stopwords, collocations=collocations,
                       collocation_min_count=collocation_min_count,
                       sentences=scope.sentences if scope else None)
    counts = np.asarray(units.matrix.toarray(), dtype=np.int64)
    display = units.counts.display
    ids = units.ids
    k = len(ids)
    used = counts >= min_count
    n_users = used.sum(axis=0)
    total = counts.sum(axis=0)
    order = np.lexsort((np.arange(total.size), -total))  # by total count, then term key

    def row(kind: str, members: tuple[str, ...], mask: np.ndarray) -> VocabularyRow:
        chosen = order[mask[order]][:examples]
        return VocabularyRow(kind, members, int(mask.sum()),
                             tuple(display[c] for c in chosen.tolist()))

    rows = [row("used", (p,), used[i]) for i, p in enumerate(ids)]
    rows.append(row("all", ids, n_users == k))
    if k >= 3:
        rows.extend(row("pair", (ids[i], ids[j]), used[i] & used[j] & (n_users == 2))
                    for i in range(k) for j in range(i + 1, k))
    if k >= 2:
        rows.extend(row("unique", (p,), used[i] & (n_users == 1)) for i, p in enumerate(ids))
    warnings = ["only one perspective: nothing to compare"] if k == 1 else []
    where = "its documents" if scope is None else "its sentences on the topic"
    caption = (
        f"A perspective uses a term when it occurs at least {min_count} time"
        f"{'s' if min_count != 1 else ''} in {where}. used = terms the perspective uses; "
        "all = used by every perspective; pair = used by exactly these two; unique = used by "
        "this perspective only (others may have it fewer times)."
        + (f" Terms used by 3 to {k - 1} perspectives are in none of these sets." if k >= 4
           else "")
        + " Examples: most frequent in the "
        + ("corpus" if scope is None else "topic's sentences") + " first.")
    title = f"Shared and unique vocabulary (count ≥ {min_count})"
    extra = {"view": "vocabulary", "groups": ids, "min_count": min_count}
    if scope is not None:
        per_unit = _sentences_per_unit(corpus, units, scope)
        on_topic = per_unit > 0
        if not on_topic.all():
            # An empty "all" set here is an absence of text, not of common ground.
            warnings.insert(0, _silent_units_warning(
                scope.name, ids, on_topic, "no term is used there, so none is shared by all"))
        title = f"Shared and unique vocabulary on {scope.name!r} (count ≥ {min_count})"
        caption = _scope_note(scope.name, ids, per_unit, corpus.config, "perspective",
                              "A perspective without one uses no term, so nothing is shared "
                              "by all.") + " " + caption
        extra.update(topic=scope.name, topic_sentences=dict(zip(ids, per_unit.tolist(),
                                                                strict=True)))
    return Result(VocabularyRow, tuple(rows), title=title, caption=caption,
                  warnings=tuple(warnings), extra=extra, styles=corpus.styles)


def _sentences_per_unit(corpus: Corpus, units, scope: TopicScope) -> np.ndarray:
    """How many of the topic's sentences each unit holds, in group order."""
    index = {unit: i for i, unit in enumerate(units.ids)}
    documents = corpus.documents
    owner = np.fromiter(
        (index.get(documents[d].perspective if units.by == "perspective" else documents[d].id, -1)
         for d, _ in scope.sentences), dtype=np.int64, count=len(scope.sentences))
    return np.bincount(owner[owner >= 0], minlength=len(units.ids)).astype(np.int64)


def _tfidf_of_rows(count_matrix, fit: np.ndarray, sublinear_tf: bool):
    """TF-IDF weights with the idf fitted on the rows where ``fit`` holds; other rows stay 0.

    Rows without text on the topic must not count in the idf's n, or the
    number of silent units would move every other unit's cosine.
    """
    from scipy import sparse

    matrix = sparse.csr_matrix(count_matrix)
    keep = np.flatnonzero(fit)
    if keep.size == 0:
        return sparse.csr_matrix(matrix.shape, dtype=np.float64)
    fitted, _ = tfidf_weights(matrix[keep], sublinear_tf=sublinear_tf)
    placement = sparse.csr_matrix((np.ones(keep.size), (keep, np.arange(keep.size))),
                                  shape=(matrix.shape[0], keep.size))
    return sparse.csr_matrix(placement @ fitted)


def _silent_units_warning(topic: str, ids: Sequence[str], on_topic: np.ndarray,
                          consequence: str) -> str:
    silent = [unit for unit, present in zip(ids, on_topic, strict=True) if not present]
    shown = ", ".join(silent[:5]) + (f" and {len(silent) - 5} more" if len(silent) > 5 else "")
    return f"no sentence on topic {topic!r} in {shown}: {consequence}"


def _scope_note(topic: str, ids: Sequence[str], per_unit: np.ndarray,
                config: Config, by: str, silent_note: str) -> str:
    """The caption's first sentences: which sentences the comparison rests on."""
    total = int(per_unit.sum())
    note = (f"Restricted to the {total} sentence{'s' if total != 1 else ''} on the topic "
            f"{topic!r} (sentences containing one of its terms)")
    if by == "perspective":
        counts = zip(config.styles(ids), per_unit.tolist(), strict=True)
        note += ": " + ", ".join(f"{style.label} {n}" for style, n in counts) + "."
    else:
        note += f", in {int((per_unit > 0).sum())} of {len(ids)} documents."
    return note + (f" {silent_note}" if (per_unit == 0).any() else "")


def _empty_rows(matrix) -> np.ndarray:
    from scipy import sparse

    matrix = sparse.csr_matrix(matrix)
    return np.asarray(abs(matrix).sum(axis=1)).ravel() == 0
