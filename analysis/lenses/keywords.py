"""Keyness: the terms each group (perspective, outlet, author, document) uses markedly more.

Every group is compared with the rest of the corpus in one run (one-vs-rest),
or two groups with each other (``pair``). For each term and comparison the
2×2 table is: a = the term's count in the target, b = its count in the
reference, n1/n2 = the groups' token totals (docs/design.md §4), and every
statistic of :mod:`framelens.analysis.stats.keyness` is computed from it:

- ``z``: log-odds ratio with an informative Dirichlet prior, z-scored
  (Monroe, Colaresi & Quinn 2008, "Fightin' Words"); α_w = α0 · f_w / Σ f,
  f being the pooled counts of the two compared groups (the whole corpus in
  one-vs-rest), α0 = ``stats.DEFAULT_ALPHA0`` unless ``alpha0`` is given;
- ``g2``: signed 4-term log-likelihood G² (Dunning 1993; as quanteda/AntConc);
- χ² with quanteda's Yates rule, when ``method="chi2"`` ranks;
- ``log_ratio`` (Hardie 2014) and ``pct_diff`` (Gabrielatos & Marchi 2012);
- ``rate_per_10k``: count per 10,000 tokens of the group.

``score`` is the signed statistic of ``method`` (``logodds`` → z, ``g2`` →
G², ``chi2`` → χ²), ``p_value`` its two-sided p (z: normal; G², χ²: χ²(1)),
and ``p_adjusted`` the Bonferroni or Benjamini–Hochberg p over every term
tested for that comparison.

Terms come from :mod:`framelens.analysis.counts.matrices` (the same keys as tfidf),
with the corpus's detected collocations
(:mod:`framelens.analysis.counts.collocations`) added to the config phrases.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from framelens.analysis.counts.matrices import (
    TermCounts,
    TermOptions,
    document_term_counts,
    group_rows,
    sentence_term_counts,
)
from framelens.analysis.counts.units import corpus_term_options
from framelens.analysis.errors import CorpusError, OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.pipeline import (
    document_texts,
    outlines,
    sentence_positions,
)
from framelens.analysis.results import Result
from framelens.analysis.stats import keyness as stats

METHODS = ("logodds", "g2", "chi2")
GROUP_FIELDS = ("perspective", "outlet", "author", "document")
CORRECTIONS = stats.P_ADJUST_METHODS
DEFAULT_TOP = 15
DEFAULT_MIN_COUNT = 2
DEFAULT_MIN_DOCS = 2
"""A term is tested for a group when at least this many of the group's documents contain it
(or all of them, when the group has fewer): a keyword of one article is that article's topic,
not the group's."""
DOC_TESTS = ("welch", "bootstrap")
DOC_TEST_SEED = 0
MAX_NGRAM = 6
REST = "rest"
"""The ``reference`` value of a one-vs-rest comparison: every other group."""

EXAMPLE_SEPARATOR = "\n"
"""Joins several examples in the ``example`` and ``example_doc_id`` columns."""
# Preferred length of an example sentence, in tokens.
_EXAMPLE_TOKENS = (8, 30)

_NGRAM_RE = re.compile(r"\s*(\d+)\s*(?:[-:]\s*(\d+)\s*)?\Z")

METHOD_NAMES = {
    "logodds": "log-odds ratio z-score with an informative Dirichlet prior (Monroe et al. 2008)",
    "g2": "signed log-likelihood G² (Dunning 1993)",
    "chi2": "signed χ² with quanteda's Yates rule",
}
_P_NAMES = {
    "logodds": "two-sided normal p of z",
    "g2": "χ²(1) p of G²",
    "chi2": "χ²(1) p of χ²",
}


@dataclass(frozen=True)
class KeynessRow:
    perspective: str
    reference: str
    term: str
    count: int
    reference_count: int
    rate_per_10k: float
    reference_rate_per_10k: float
    score: float
    z: float
    g2: float
    p_value: float
    log_ratio: float
    pct_diff: float
    documents: int
    reference_documents: int
    dp: float
    dp_norm: float
    top_document_share: float
    doc_t: float
    doc_p_value: float


@dataclass(frozen=True)
class AdjustedKeynessRow(KeynessRow):
    p_adjusted: float


@dataclass(frozen=True)
class KeynessExampleRow(KeynessRow):
    example: str
    example_doc_id: str


@dataclass(frozen=True)
class AdjustedKeynessExampleRow(AdjustedKeynessRow):
    example: str
    example_doc_id: str


def parse_ngram_range(text: str) -> tuple[int, int]:
    """``"2"`` → (2, 2), ``"1-3"`` → (1, 3); anything else is an OptionError."""
    match = _NGRAM_RE.match(text or "")
    if match is None:
        raise OptionError(f"--ngrams must be N or N-M (e.g. 1 or 1-3), not {text!r}")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if not 1 <= low <= high <= MAX_NGRAM:
        raise OptionError(f"--ngrams must satisfy 1 <= N <= M <= {MAX_NGRAM}, not {text!r}")
    return low, high


def keyness(
    corpus: Corpus,
    *,
    method: str = "logodds",
    top: int = DEFAULT_TOP,
    pair: Sequence[str] | None = None,
    by: str = "perspective",
    ngram_range: tuple[int, int] = (1, 1),
    min_count: int = DEFAULT_MIN_COUNT,
    min_docs: int = DEFAULT_MIN_DOCS,
    keep_stopwords: bool = False,
    collocations: bool = True,
    collocation_min_count: int = 2,
    correction: str = "none",
    examples: int = 0,
    alpha0: float | None = None,
    test: str = "welch",
) -> Result:
    """Top keywords of every group against the rest (or of a pair against each other).

    Rows: one per (group, term) for the ``top`` terms with a positive score
    (over-represented in the target; ``top=0`` keeps all), ranked by
    (−score, term). ``perspective`` holds the target group (an outlet, author
    or document id with ``by``); ``reference`` is ``"rest"`` or the other group
    of the pair, whose own keywords follow as rows with the roles swapped.
    A term is tested for a group when its count there is at least
    ``min_count`` and it occurs in at least ``min_docs`` of the group's
    documents (all of them when the group has fewer); ``correction`` adjusts
    p over every tested term of that comparison.

    Every row also says how the term spreads over the documents (the article
    is the unit: Lijffijt et al. 2016): ``documents`` / ``reference_documents``
    hold it, ``dp`` and ``dp_norm`` are Gries's (2008) deviation of
    proportions over the group's documents and its normalised form (Lijffijt &
    Gries 2012), ``top_document_share`` is the share of the count in the
    busiest document (see :mod:`framelens.analysis.stats.dispersion`);
    ``doc_t`` is Welch's t on the documents' relative frequencies and
    ``doc_p_value`` the document-level p of ``test`` (``welch``: Welch's
    t-test; ``bootstrap``: Lijffijt et al.'s bootstrap test over documents;
    see :mod:`framelens.analysis.stats.document_tests`), NaN when a side has
    fewer than 2 documents (Welch) or none (bootstrap).
    """
    _validate(method=method, top=top, by=by, min_count=min_count, min_docs=min_docs,
              correction=correction, examples=examples, alpha0=alpha0,
              collocation_min_count=collocation_min_count, ngram_range=ngram_range)
    if test not in DOC_TESTS:
        raise OptionError(f"unknown test {test!r} (choose from: {', '.join(DOC_TESTS)})")
    prior_total = stats.DEFAULT_ALPHA0 if alpha0 is None else float(alpha0)
    labels = [doc.metadata(by) for doc in corpus.documents]
    groups = _groups(corpus, by, labels)
    comparisons = _comparisons(groups, pair, by)
    options = corpus_term_options(corpus, ngram_range=ngram_range,
                                   keep_stopwords=keep_stopwords, collocations=collocations,
                                   collocation_min_count=collocation_min_count)
    if examples:
        sentence_term_counts(corpus, options)  # first, so the document counts are summed from them
    counts = document_term_counts(corpus, options)
    matrix, totals = group_rows(counts, labels, groups)
    matrix = matrix.tocsr()
    totals = np.asarray(totals, dtype=np.int64).ravel()
    by_document = counts.matrix.tocsr()
    doc_sizes = np.asarray(counts.token_totals, dtype=np.int64).ravel()
    members = {g: np.flatnonzero([label == g for label in labels]) for g in groups}
    doc_ids = [doc.id for doc in corpus.documents]
    display = np.asarray(counts.display, dtype=object)
    index = {g: i for i, g in enumerate(groups)}
    corpus_counts = np.asarray(matrix.sum(axis=0)).ravel()

    warnings: list[str] = []
    picked: list[tuple[str, str, np.ndarray, dict[str, np.ndarray]]] = []
    for target, reference in comparisons:
        row_a = _dense_row(matrix, index[target])
        n1 = int(totals[index[target]])
        if reference == REST:
            row_b = corpus_counts - row_a
            n2 = int(totals.sum()) - n1
        else:
            row_b = _dense_row(matrix, index[reference])
            n2 = int(totals[index[reference]])
        background = row_a + row_b
        if n1 == 0 or n2 == 0 or np.count_nonzero(background) < 2:
            warnings.append(f"{by} {target!r} vs {reference!r}: too few tokens to compare")
            continue
        mine = members[target]
        holding = np.bincount(by_document[mine].indices, minlength=len(counts.terms))
        tested = np.flatnonzero((row_a >= min_count) & (holding >= min(min_docs, mine.size)))
        # α_w = α0 f_w / Σ f, f the pooled counts of the two compared groups.
        alpha_w = stats.informative_prior(background, prior_total)[tested]
        scores = score_terms(row_a[tested], row_b[tested], n1, n2, alpha_w,
                             alpha0=prior_total, method=method, correction=correction)
        positive = np.flatnonzero(scores["score"] > 0)
        order = positive[np.lexsort((display[tested[positive]].astype(str),
                                     -scores["score"][positive]))]
        if top:
            order = order[:top]
        selected = {name: values[order] for name, values in scores.items()}
        theirs = np.flatnonzero([label != target for label in labels]) if reference == REST \
            else members[reference]
        selected.update(_document_columns(by_document, doc_sizes, doc_ids, mine, theirs,
                                          tested[order], test))
        picked.append((target, reference, tested[order], selected))

    example_text = _examples(corpus, options, labels, counts, picked, examples) \
        if examples else {}
    row_type = _row_type(correction != "none", examples > 0)
    rows = []
    for target, reference, columns, values in picked:
        for j, column in enumerate(columns):
            fields = [target, reference, str(display[column]), int(values["a"][j]),
                      int(values["b"][j]), float(values["rate1"][j]), float(values["rate2"][j]),
                      float(values["score"][j]), float(values["z"][j]), float(values["g2"][j]),
                      float(values["p"][j]), float(values["log_ratio"][j]),
                      float(values["pct_diff"][j]), int(values["documents"][j]),
                      int(values["reference_documents"][j]), float(values["dp"][j]),
                      float(values["dp_norm"][j]), float(values["top_document_share"][j]),
                      float(values["doc_t"][j]), float(values["doc_p_value"][j])]
            if correction != "none":
                fields.append(float(values["p_adjusted"][j]))
            if examples:
                sentences, doc_ids = example_text.get((target, int(column)), ((), ()))
                fields += [EXAMPLE_SEPARATOR.join(sentences), EXAMPLE_SEPARATOR.join(doc_ids)]
            rows.append(row_type(*fields))

    return Result(
        row_type, tuple(rows),
        title=_title(by, pair),
        caption=_caption(method, prior_total, by, pair, correction, options, min_count,
                         min_docs, top, collocations) + " " + _document_caption(test, by),
        warnings=tuple(warnings),
        styles=corpus.config.styles(groups, perspectives=by == "perspective"),
        extra={"groups": [target for target, _ in comparisons], "method": method,
               "alpha0": prior_total, "by": by, "pair": list(pair) if pair else None,
               "examples": examples, "test": test, "min_docs": min_docs,
               "documents": {g: int(members[g].size) for g in groups}},
    )


def score_terms(a, b, n1: int, n2: int, alpha_w, *, alpha0: float, method: str = "logodds",
                correction: str = "none") -> dict[str, np.ndarray]:
    """Every statistic of one comparison for arrays of terms, vectorised.

    ``a``/``b``: the terms' counts in target and reference; ``n1``/``n2``: the
    groups' token totals; ``alpha_w``: the terms' prior pseudo-counts out of
    ``alpha0`` (see :func:`stats.informative_prior`). Returns arrays keyed
    ``a, b, score, z, g2, p, p_adjusted, log_ratio, pct_diff, rate1, rate2``.
    ``score`` is the signed statistic of ``method`` and ``p`` its two-sided
    p-value: for z, p = 2 Φ(−|z|); for G² and χ², P(χ²₁ ≥ stat).
    ``p_adjusted`` applies ``correction`` over all the given terms. Swapping
    (a, n1) with (b, n2) negates score, z, g2 and log_ratio and keeps p.
    """
    from scipy.special import ndtr

    _, z = stats.log_odds_dirichlet(a, b, n1, n2, alpha_w, alpha0=alpha0)
    g2, g2_p = stats.g2(a, b, n1, n2)
    if method == "logodds":
        score, p = z, 2.0 * ndtr(-np.abs(z))
    elif method == "g2":
        score, p = g2, g2_p
    else:
        score, p = stats.chi2_quanteda(a, b, n1, n2)
    return {
        "a": a, "b": b, "score": np.asarray(score, dtype=np.float64), "z": z, "g2": g2,
        "p": np.asarray(p, dtype=np.float64),
        "p_adjusted": stats.adjust_p(p, correction),
        "log_ratio": stats.log_ratio(a, b, n1, n2), "pct_diff": stats.pct_diff(a, b, n1, n2),
        "rate1": stats.rate_per_10k(a, n1), "rate2": stats.rate_per_10k(b, n2),
    }


def _document_columns(by_document, sizes: np.ndarray, doc_ids: Sequence[str], mine: np.ndarray,
                      theirs: np.ndarray, columns: np.ndarray,
                      test: str) -> dict[str, np.ndarray]:
    """Dispersion and the document-level test of the picked ``columns`` for one comparison.

    Documents without a counted token (empty after stopword removal) carry no
    relative frequency and are left out.
    """
    from framelens.analysis.stats import dispersion, document_tests

    # In document id order, so that the corpus's order cannot change a float sum.
    mine = np.array(sorted(mine[sizes[mine] > 0], key=lambda i: doc_ids[i]), dtype=np.int64)
    theirs = np.array(sorted(theirs[sizes[theirs] > 0], key=lambda i: doc_ids[i]),
                      dtype=np.int64)
    my_ids = [doc_ids[i] for i in mine]
    their_ids = [doc_ids[i] for i in theirs]
    target = by_document[mine][:, columns]
    reference = by_document[theirs][:, columns]
    n = columns.size
    nan = np.full(n, np.nan)
    if mine.size:
        dp = dispersion.gries_dp(target, sizes[mine])
        dp_norm = dispersion.gries_dp_norm(target, sizes[mine])
        top = dispersion.top_document_share(target)
    else:
        dp = dp_norm = top = nan
    t, p = document_tests.welch_test(target, sizes[mine], reference, sizes[theirs]) \
        if mine.size and theirs.size else (nan, nan)
    if test == "bootstrap":
        p = document_tests.bootstrap_test(target, sizes[mine], my_ids, reference, sizes[theirs],
                                          their_ids, seed=DOC_TEST_SEED) \
            if mine.size and theirs.size else nan
    return {"documents": dispersion.documents_containing(target) if mine.size
            else np.zeros(n, dtype=np.int64),
            "reference_documents": dispersion.documents_containing(reference) if theirs.size
            else np.zeros(n, dtype=np.int64),
            "dp": dp, "dp_norm": dp_norm, "top_document_share": top, "doc_t": t,
            "doc_p_value": p}


def _dense_row(matrix, i: int) -> np.ndarray:
    row = np.zeros(matrix.shape[1], dtype=np.int64)
    start, stop = matrix.indptr[i], matrix.indptr[i + 1]
    row[matrix.indices[start:stop]] = matrix.data[start:stop]
    return row


def _validate(*, method, top, by, min_count, min_docs, correction, examples, alpha0,
              collocation_min_count, ngram_range) -> None:
    if method not in METHODS:
        raise OptionError(f"unknown method {method!r} (choose from: {', '.join(METHODS)})")
    if by not in GROUP_FIELDS:
        raise OptionError(f"cannot group by {by!r} (choose from: {', '.join(GROUP_FIELDS)})")
    if correction not in CORRECTIONS:
        raise OptionError(f"unknown correction {correction!r} "
                          f"(choose from: {', '.join(CORRECTIONS)})")
    for name, value, low in (("--top", top, 0), ("--min-count", min_count, 1),
                             ("--min-docs", min_docs, 1), ("--examples", examples, 0),
                             ("--collocation-min-count", collocation_min_count, 1)):
        if value < low:
            raise OptionError(f"{name} must be at least {low}, not {value}")
    if alpha0 is not None and not (math.isfinite(alpha0) and alpha0 > 0):
        raise OptionError(f"--alpha0 must be a positive number, not {alpha0}")
    low, high = ngram_range
    if not 1 <= low <= high <= MAX_NGRAM:
        raise OptionError(f"n-gram range must satisfy 1 <= N <= M <= {MAX_NGRAM}, "
                          f"not {low}-{high}")


def _groups(corpus: Corpus, by: str, labels: list[str]) -> tuple[str, ...]:
    groups = corpus.perspective_ids if by == "perspective" else tuple(sorted(set(labels)))
    if len(groups) < 2:
        message = (f"keyness compares groups, but every article has the same {by} "
                   f"({groups[0]!r})" if groups else "the corpus has no articles")
        if by == "perspective":
            raise CorpusError(message, path=corpus.root or None)
        raise OptionError(message + "; choose another --by")
    return groups


def _comparisons(groups: tuple[str, ...], pair: Sequence[str] | None,
                 by: str) -> list[tuple[str, str]]:
    if not pair:
        return [(g, REST) for g in groups]
    if len(pair) != 2:
        raise OptionError("--pair takes two groups: --pair A B")
    for value in pair:
        if value not in groups:
            raise OptionError(f"unknown {by} {value!r} in --pair (available: "
                              f"{', '.join(groups)})")
    first, second = pair
    if first == second:
        raise OptionError(f"--pair needs two different groups, got {first!r} twice")
    return [(first, second), (second, first)]


def _row_type(adjusted: bool, examples: bool) -> type:
    if adjusted:
        return AdjustedKeynessExampleRow if examples else AdjustedKeynessRow
    return KeynessExampleRow if examples else KeynessRow


def _examples(corpus: Corpus, options: TermOptions, labels: list[str], counts: TermCounts,
              picked, limit: int) -> dict[tuple[str, int], tuple[tuple[str, ...], tuple[str, ...]]]:
    """Up to ``limit`` example sentences from the target group for each picked term.

    Sentences are counted with the same term options, so an example contains
    the term exactly as it was counted. Preferred: sentences of 8–30 tokens,
    then shorter ones, one per document before a second from the same one.
    """
    documents = outlines(corpus)  # the examples' text is read for those documents only
    sentence_counts = sentence_term_counts(corpus, options)  # cached across runs
    by_column = sentence_counts.matrix.tocsc()
    column_of = {term: i for i, term in enumerate(sentence_counts.terms)}
    owner, position = sentence_positions(documents)
    # Ties between sentences are broken by document id, never by document order.
    id_rank = np.argsort(np.argsort([d.doc_id for d in documents], kind="stable"))
    length = np.fromiter((n for d in documents for n in d.sentence_tokens), dtype=np.int64,
                         count=len(owner))
    low, high = _EXAMPLE_TOKENS
    picked_sentences: dict[tuple[str, int], list[int]] = {}
    for target, _, columns, _ in picked:
        for column in columns:
            sentence_column = column_of.get(counts.terms[column])
            if sentence_column is None:
                continue
            hits = by_column.indices[by_column.indptr[sentence_column]:
                                     by_column.indptr[sentence_column + 1]]
            hits = hits[[labels[owner[h]] == target for h in hits]]
            if hits.size == 0:
                continue
            outside = (length[hits] < low) | (length[hits] > high)
            hits = hits[np.lexsort((position[hits], id_rank[owner[hits]], length[hits], outside))]
            chosen: list[int] = []
            seen: set[int] = set()
            for h in hits:
                if owner[h] not in seen:
                    chosen.append(int(h))
                    seen.add(owner[h])
            chosen += [int(h) for h in hits if int(h) not in chosen]
            picked_sentences[(target, int(column))] = chosen[:limit]
    texts = document_texts(corpus, {int(owner[h]) for chosen in picked_sentences.values()
                                    for h in chosen})
    return {key: (tuple(texts[int(owner[h])].sentences[position[h]] for h in chosen),
                  tuple(documents[owner[h]].doc_id for h in chosen))
            for key, chosen in picked_sentences.items()}




def _title(by: str, pair: Sequence[str] | None) -> str:
    if pair:
        return f"Keywords: {pair[0]} vs {pair[1]} (and {pair[1]} vs {pair[0]})"
    return f"Keywords: each {by} vs the rest"


def _document_caption(test: str, by: str) -> str:
    name = {"welch": "Welch's t-test", "bootstrap": "bootstrap test over documents "
            "(Lijffijt et al. 2016)"}[test]
    return (f"documents: the {by}'s documents containing the term; dp: Gries's DP (0 = spread "
            "like the text, near 1 = in few documents; dp_norm: DP / (1 − smallest document's "
            "share), Lijffijt & Gries 2012); top_document_share: share of the count in one "
            f"document; doc_t / doc_p_value: {name} on the documents' relative frequencies "
            "(empty with fewer than 2 documents a side): the article as the unit, beside the "
            "token-level p_value.")


def _caption(method: str, alpha0: float, by: str, pair, correction: str,
             options: TermOptions, min_count: int, min_docs: int, top: int,
             collocations: bool) -> str:
    reference = (f"the other {by} of the pair" if pair
                 else f"every other {by} pooled (reference 'rest')")
    terms = "unigrams" if options.ngram_range == (1, 1) else \
        f"{options.ngram_range[0]}- to {options.ngram_range[1]}-grams"
    stop = "stopwords kept" if options.keep_stopwords else "stopwords removed"
    adjust = {"none": "no multiple-comparison correction",
              "bonferroni": "p_adjusted: Bonferroni over the terms tested per comparison",
              "bh": "p_adjusted: Benjamini-Hochberg over the terms tested per comparison"}
    shown = f"top {top}" if top else "all"
    return (f"Ranked by {METHOD_NAMES[method]}. Log-odds prior: α_w ∝ pooled counts of the "
            f"compared groups, α0 = {alpha0:g}. Reference: {reference}. "
            f"p_value: {_P_NAMES[method]}; {adjust[correction]}. "
            f"Terms: {terms} and {len(options.phrases)} phrases "
            f"({'config + detected collocations' if collocations else 'config'}), "
            f"{stop}; count in target >= {min_count}, in >= {min_docs} of its documents (or all, "
            "if fewer); "
            f"{shown} over-represented terms per {by}. Rates per 10,000 tokens.")
