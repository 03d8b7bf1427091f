"""Stance toward targets: tone and stance cues of the sentences that mention an actor.

For every perspective and target (an actor such as NATO or Russia, with its
aliases from the config) this module collects the sentences that mention
the target and reports:

- how often the target is mentioned (``mentions``, ``sentences`` and
  ``rate_per_10k`` = mentions · 10,000 / tokens of the perspective);
- their tone: the mean VADER compound score (see ``tone.py``), and the
  shares of negative (<= -0.05), neutral and positive (>= 0.05) units,
  VADER's own thresholds (Hutto & Gilbert 2014);
- stance cues, as rates per sentence (cue matches / sentences):
  hedges and boosters (Hyland 2005, *Metadiscourse*), deontic modality
  (Biber et al. 1999; Palmer 2001), negation, threat vocabulary and
  reported speech (reporting verbs plus quotations). ``reported_share`` is
  the share of the target's sentences that contain a reporting verb or a
  double-quoted span, which tells the author's own voice apart from the
  voices the author reports.

The unit of tone is the sentence; with ``window=K`` it is the text of the
K tokens before to the K tokens after each mention, within its sentence.

Intervals (95%) are over the perspective's articles, the population a
perspective is read for: sentences of one article share its author and
angle. ``articles`` counts the perspective's articles with a sentence on
the target; from ``MIN_ARTICLES_FOR_INTERVAL`` (5) on, every interval is a
cluster bootstrap over them (tone and cue rates:
:func:`~framelens.analysis.stats.bootstrap.cluster_ratio_ci` with the
per-article Poisson weights; the shares negative/positive and
``reported_share``: :func:`~framelens.analysis.stats.bootstrap.cluster_share_ci`)
and ``ci_unit`` is ``"articles"``. With fewer, the intervals resample the
sentences (tone, cues: percentile bootstrap, Efron & Tibshirani 1993;
shares: Clopper–Pearson) and describe these texts only: ``ci_unit`` is
``"sentences"``; without a sentence it is empty. Point estimates do not
depend on the unit.

What a lexicon method cannot tell: the tone is the tone of the sentence (or
window), not necessarily the attitude toward the target ("Russia condemned
NATO's threats" is negative for both); VADER's negation handling looks three
words back only; sarcasm, irony and scare quotes read literally; a
reporting verb or a quotation marks another voice but not whether the
author agrees with it; the cue lists count words, not their sense ("may"
the month, "force" the noun).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.annotators import (
    CUE_NAMES,
    configured_targets,
    mentioning_sentences,
    select_targets,
    sentence_cues,
    target_mentions,
)
from framelens.analysis.process.document_pass import prepare
from framelens.analysis.process.pipeline import (
    DocumentOutline,
    corpus_part,
    document_texts,
    outlines,
    processed,
)
from framelens.analysis.process.tone import (
    NEGATIVE_THRESHOLD,
    POSITIVE_THRESHOLD,
    sentence_tones,
    text_tones,
    token_spans,
    window_span,
)
from framelens.analysis.results import Result, StreamedResult
from framelens.analysis.stats import bootstrap
from framelens.analysis.stats import keyness as stats

BOOTSTRAP_RESAMPLES = 2000
STREAM_CHUNK_DOCUMENTS = 2000
"""Documents a streamed sentence table reads, annotates and writes at a time."""


# ----------------------------------------------------------------------- rows


@dataclass(frozen=True)
class StanceRow:
    perspective: str
    target: str
    mentions: int
    sentences: int
    rate_per_10k: float
    tone_mean: float
    tone_ci_low: float
    tone_ci_high: float
    share_negative: float
    share_neutral: float
    share_positive: float
    hedges: float
    boosters: float
    deontic: float
    negation: float
    threat: float
    reported: float
    reported_share: float
    articles: int
    ci_unit: str
    share_negative_ci_low: float
    share_negative_ci_high: float
    share_positive_ci_low: float
    share_positive_ci_high: float
    hedges_ci_low: float
    hedges_ci_high: float
    boosters_ci_low: float
    boosters_ci_high: float
    deontic_ci_low: float
    deontic_ci_high: float
    negation_ci_low: float
    negation_ci_high: float
    threat_ci_low: float
    threat_ci_high: float
    reported_ci_low: float
    reported_ci_high: float
    reported_share_ci_low: float
    reported_share_ci_high: float


@dataclass(frozen=True)
class EvidenceRow:
    perspective: str
    target: str
    polarity: str
    rank: int
    tone: float
    doc_id: str
    sentence_index: int
    text: str


@dataclass(frozen=True)
class SentenceRow:
    doc_id: str
    perspective: str
    sentence_index: int
    line: int
    text: str
    targets: str
    topics: str
    tone: float
    hedges: int
    boosters: int
    deontic: int
    negation: int
    threat: int
    reported: int


# -------------------------------------------------------------------- targets


# ------------------------------------------------------------------- matching


# ------------------------------------------------- per-document annotations


# --------------------------------------------------------------------- stance


def stance(
    corpus: Corpus,
    *,
    targets: Iterable[str] = (),
    target_alias: Iterable[str] = (),
    window: int | None = None,
    evidence: int | None = None,
    seed: int = 0,
) -> Result:
    """Tone and stance cues per perspective × target (or, with ``evidence``, the sentences).

    Returns the matrix as :class:`StanceRow` rows sorted by perspective
    (config order) and target (config order). With ``evidence=N`` the
    result's rows are :class:`EvidenceRow` (the N most negative and N most
    positive units per perspective × target) and the matrix is in
    ``extra["matrix"]``.
    """
    if window is not None and window < 1:
        raise OptionError(f"--window must be at least 1 token, got {window}")
    if evidence is not None and evidence < 1:
        raise OptionError(f"--evidence must be at least 1, got {evidence}")
    all_targets = configured_targets(corpus.config, target_alias)
    selected = select_targets(all_targets, targets)
    names = tuple(t.name for t in selected)
    prepare(corpus)  # one pass over every new document: its annotations and tones too
    documents = outlines(corpus)  # counts only: sentences are read for windows and evidence
    perspectives = corpus.perspective_ids

    # Match every target (so overlapping aliases resolve as in the full matrix), keep selected.
    wanted = {k for k, t in enumerate(all_targets) if t in selected}
    keep_all = len(wanted) == len(all_targets)
    mentions = mentioning_sentences(corpus, all_targets)
    if not keep_all:
        kept = {key: tuple(t for t in triples if t[0] in wanted)
                for key, triples in mentions.items()}
        mentions = {key: triples for key, triples in kept.items() if triples}

    index_of = {t.name: k for k, t in enumerate(all_targets)}
    groups = [(p, index_of[name]) for p in perspectives for name in names]
    mention_count = dict.fromkeys(groups, 0)
    group_sentences: dict[tuple[str, int], list[tuple[int, int]]] = {g: [] for g in groups}
    for key, triples in mentions.items():
        perspective = documents[key[0]].perspective
        for k in dict.fromkeys(t[0] for t in triples):
            group_sentences[(perspective, k)].append(key)
        for t in triples:
            mention_count[(perspective, t[0])] += 1
    group_units = _tone_units(corpus, documents, mentions, group_sentences, window)
    cues = sentence_cues(corpus)

    tokens = dict.fromkeys(perspectives, 0)
    for doc in documents:
        tokens[doc.perspective] = tokens.get(doc.perspective, 0) + doc.token_count
    counts = np.array([mention_count[g] for g in groups], dtype=np.int64)
    totals = np.array([tokens[p] for p, _ in groups], dtype=np.int64)
    rates = stats.rate_per_10k(counts, totals)
    rows = []
    weights, row_of = bootstrap.group_weights([d.doc_id for d in documents],
                                              [d.perspective for d in documents], seed=seed,
                                              resamples=BOOTSTRAP_RESAMPLES)
    group_values = []
    requests: dict[str, list] = {}
    for g in groups:
        units = group_units[g]
        tones = np.fromiter((u[0] for u in units), dtype=np.float64, count=len(units))
        unit_rows = row_of[np.fromiter((u[1] for u in units), dtype=np.int64, count=len(units))]
        cue_matrix = np.array([cues[d][i] for d, i in group_sentences[g]],
                              dtype=np.float64).reshape(-1, len(CUE_NAMES))
        sentence_rows = row_of[np.array([d for d, _ in group_sentences[g]], dtype=np.int64)]
        group_values.append((tones, unit_rows, cue_matrix, sentence_rows))
        requests.setdefault(g[0], []).extend([(tones, unit_rows, (-1.0, 1.0)),
                                              (cue_matrix, sentence_rows, (0.0, math.inf))])
    # Every target of a perspective at once: each article's weights are generated once.
    no_weights = np.zeros((0, BOOTSTRAP_RESAMPLES))
    intervals_of = {p: iter(bootstrap.grouped_mean_intervals(
        batch, weights.get(p, no_weights), seed=seed, resamples=BOOTSTRAP_RESAMPLES))
        for p, batch in requests.items()}
    for g, rate, (tones, unit_rows, cue_matrix, sentence_rows) in zip(groups, rates, group_values,
                                                                     strict=True):
        shares = _polarity_shares(tones)
        if len(cue_matrix):
            rates_per_sentence = cue_matrix.mean(axis=0)
            reported_share = float((cue_matrix[:, -1] > 0).mean())
        else:
            rates_per_sentence = np.full(len(CUE_NAMES), math.nan)
            reported_share = math.nan
        articles = len(weights.get(g[0], no_weights))
        (tone,) = next(intervals_of[g[0]])
        cue_intervals = next(intervals_of[g[0]])
        read = ~np.isnan(tones)  # shares of the units whose tone VADER can read
        negative = _share(tones[read] <= NEGATIVE_THRESHOLD, unit_rows[read], articles)
        positive = _share(tones[read] >= POSITIVE_THRESHOLD, unit_rows[read], articles)
        reported_interval = _share(cue_matrix[:, -1] > 0, sentence_rows, articles)
        rows.append(StanceRow(
            g[0], all_targets[g[1]].name, mention_count[g], len(group_sentences[g]),
            float(rate), tone.estimate, tone.low, tone.high, *shares,
            *(float(v) for v in rates_per_sentence), reported_share, tone.articles, tone.unit,
            *(bound for interval in (negative, positive, *cue_intervals, reported_interval)
              for bound in (interval.low, interval.high))))

    warnings = tuple(f"target {name!r} is not mentioned in the corpus"
                     for name in names if targets and not any(
                         mention_count[(p, index_of[name])] for p in perspectives))
    extra = {"targets": names, "window": window, "seed": seed}
    unit_word = f"±{window}-token windows around each mention" if window else "sentences"
    matrix = Result(StanceRow, tuple(rows),
                    title="Stance toward targets: tone and cues per perspective",
                    caption=stance_caption(window, seed) + " " + bootstrap.units_note(
                        (r.ci_unit for r in rows), what="tone, shares and cue rates"),
                    warnings=warnings, extra=extra,
                    styles=corpus.styles)
    if evidence is None:
        return matrix

    evidence_rows, spans = _evidence(corpus, all_targets, groups, group_units, mentions,
                                     evidence)
    return Result(EvidenceRow, tuple(evidence_rows),
                  title=f"Evidence: the {evidence} most negative and most positive "
                        f"{unit_word} per perspective and target",
                  caption=evidence_caption(window), warnings=warnings, styles=corpus.styles,
                  extra={**extra, "matrix": matrix, "spans": spans, "evidence": evidence})


# A tone unit: (tone, doc index, sentence index, start, end); start/end delimit the
# window in the sentence; without --window the unit is the whole sentence: (0, WHOLE).
_Unit = tuple[float, int, int, int, int]
_WHOLE = -1


def _tone_units(corpus: Corpus, documents: Sequence[DocumentOutline],
                mentions: Mapping[tuple[int, int], tuple[tuple[int, int, int], ...]],
                group_sentences: Mapping[tuple[str, int], list[tuple[int, int]]],
                window: int | None) -> dict[tuple[str, int], list[_Unit]]:
    """Tone units per group: each sentence mentioning the target, or each mention's window."""
    if window is None:
        needed: dict[int, list[int]] = {}
        for d, i in mentions:
            needed.setdefault(d, []).append(i)
        tones = sentence_tones(corpus, needed)
        return {g: [(tones[key], key[0], key[1], 0, _WHOLE) for key in keys]
                for g, keys in group_sentences.items()}
    texts = document_texts(corpus, {d for d, _ in mentions})
    pending: list[tuple[tuple[str, int], int, int, int, int]] = []
    for (d, i), triples in mentions.items():
        sentence = texts[d].sentences[i]
        token_positions = token_spans(sentence)
        perspective = documents[d].perspective
        seen: set[tuple[int, int, int]] = set()
        for k, start, end in triples:
            lo, hi = window_span(token_positions, start, end, window)
            if (k, lo, hi) not in seen:  # a second mention inside the same window: one unit
                seen.add((k, lo, hi))
                pending.append(((perspective, k), d, i, lo, hi))
    scores = text_tones(corpus, [texts[d].sentences[i][lo:hi] for _, d, i, lo, hi in pending],
                        [d for _, d, _, _, _ in pending])
    units: dict[tuple[str, int], list[_Unit]] = {g: [] for g in group_sentences}
    for (g, d, i, lo, hi), score in zip(pending, scores, strict=True):
        units[g].append((score, d, i, lo, hi))
    return units


def _share(hit: np.ndarray, rows: np.ndarray, articles: int) -> bootstrap.Interval:
    """Share of units that ``hit``, with the interval over the articles in ``rows``."""
    hits = np.bincount(rows, weights=hit.astype(np.float64), minlength=articles)
    units = np.bincount(rows, minlength=articles)
    return bootstrap.share_interval(hits, units)


def _polarity_shares(tones: np.ndarray) -> tuple[float, float, float]:
    """Shares of negative (<= -0.05), neutral and positive (>= 0.05) scores (missing left out)."""
    tones = tones[~np.isnan(tones)]
    if tones.size == 0:
        return (math.nan, math.nan, math.nan)
    negative = float((tones <= NEGATIVE_THRESHOLD).mean())
    positive = float((tones >= POSITIVE_THRESHOLD).mean())
    neutral = float(((tones > NEGATIVE_THRESHOLD) & (tones < POSITIVE_THRESHOLD)).mean())
    return negative, neutral, positive


def _evidence(corpus: Corpus, targets, groups, group_units, mentions, n):
    """The n lowest (<= -0.05) and n highest (>= 0.05) units per group, ties by position.

    Only the chosen units' documents are read for their text."""
    doc_ids = [document.id for document in corpus.documents]
    picked: list[tuple[tuple[str, int], str, list[_Unit]]] = []
    for g in groups:
        units = group_units[g]

        def position(u: _Unit) -> tuple[str, int, int]:
            return (doc_ids[u[1]], u[2], u[3])

        negative = heapq.nsmallest(n, (u for u in units if u[0] <= NEGATIVE_THRESHOLD),
                                   key=lambda u: (u[0], position(u)))
        positive = heapq.nsmallest(n, (u for u in units if u[0] >= POSITIVE_THRESHOLD),
                                   key=lambda u: (-u[0], position(u)))
        picked.extend([(g, "negative", negative), (g, "positive", positive)])
    texts = document_texts(corpus, {u[1] for _, _, chosen in picked for u in chosen})
    rows: list[EvidenceRow] = []
    spans: list[tuple[tuple[int, int], ...]] = []
    for g, polarity, chosen in picked:
        for rank, (tone, d, i, lo, hi) in enumerate(chosen, start=1):
            sentence = texts[d].sentences[i]
            hi = len(sentence) if hi == _WHOLE else hi
            rows.append(EvidenceRow(g[0], targets[g[1]].name, polarity, rank, tone,
                                    doc_ids[d], i, sentence[lo:hi]))
            spans.append(tuple((start - lo, end - lo) for k, start, end in mentions[(d, i)]
                               if k == g[1] and start >= lo and end <= hi))
    return rows, tuple(spans)



CUES_EXPLAINED = (
    "Cues are matches per sentence of the target's sentences: hedges and boosters "
    "(Hyland 2005), deontic modality (must, should, need to, have to), negation, threat "
    "vocabulary, reported speech (reporting verbs such as said, warned, according to, plus "
    "double-quoted spans); reported_share is the share of those sentences with reported "
    "speech or a quotation. The lists count words, not meanings."
)
LIMITS = (
    "A lexicon method cannot tell the attitude toward the target from the tone of the "
    "sentence it sits in, whose voice a reported sentence carries, sarcasm or irony, or "
    "negation beyond VADER's three-word look-back."
)


def stance_caption(window: int | None, seed: int) -> str:
    unit = (f"the text of the {window} tokens before to the {window} tokens after each mention "
            "(within its sentence)" if window else "the sentences that mention the target")
    return (
        f"Tone: mean VADER compound (-1 to 1; lexicon- and rule-based, vaderSentiment) of {unit}, "
        f"with a bootstrap 95% interval ({BOOTSTRAP_RESAMPLES} resamples, seed "
        f"{seed}; its unit in ci_unit); negative <= -0.05 < neutral < 0.05 <= positive. "
        "It measures the tone of the text around the target, not necessarily the attitude to the target. "
        "Rate: mentions per 10,000 tokens of the perspective. "
        + CUES_EXPLAINED + " " + LIMITS
    )


def evidence_caption(window: int | None) -> str:
    unit = "window" if window else "sentence"
    return (f"Tone is the VADER compound of the {unit} shown; negative <= -0.05, positive "
            ">= 0.05 (fewer rows when fewer units pass). Ties: by document id and sentence "
            "index. " + LIMITS)


# ------------------------------------------------------------------ sentences


def sentence_table(corpus: Corpus, *, target_alias: Iterable[str] = ()) -> Result:
    """Every sentence with its targets, topics, tone and cue counts (the tidy export).

    Rows are sorted by perspective (config order), document id and sentence
    index. ``line`` is the file line where the sentence's paragraph starts;
    ``targets`` the canonical names of the targets it mentions, ``;``-joined
    in config order; ``topics`` the names of the topics it belongs to (those
    with a term in it, :func:`framelens.analysis.lenses.topics.topic_sentences`),
    joined the same way; cue columns are match counts in the sentence.
    """
    return sentence_stream(corpus, target_alias=target_alias).collect()


def sentence_stream(corpus: Corpus, *, target_alias: Iterable[str] = ()) -> StreamedResult:
    """:func:`sentence_table` made ``STREAM_CHUNK_DOCUMENTS`` documents at a time.

    The documents are taken in output order (perspective, id), so the rows of
    each part follow those of the part before; a part is processed, annotated
    and toned in one pass when new (:func:`prepare`), and nothing of it is kept
    once its rows are written: memory does not grow with the corpus.
    """
    all_targets = configured_targets(corpus.config, target_alias)  # bad aliases fail first
    order = {p: k for k, p in enumerate(corpus.perspective_ids)}
    ranked = sorted(corpus.documents,
                    key=lambda d: (order.get(d.perspective, len(order)), d.id))

    def chunks():
        for start in range(0, len(ranked), STREAM_CHUNK_DOCUMENTS):
            part = corpus_part(corpus, ranked[start:start + STREAM_CHUNK_DOCUMENTS])
            yield _sentence_rows(part, all_targets)

    def finish(rows: tuple[SentenceRow, ...]) -> Result:
        return Result(SentenceRow, rows, title=f"Sentences: {len(rows)}", caption=(
            "tone: VADER compound of the sentence; cue columns: matches in the sentence "
            "(reported adds double-quoted spans); line: file line where the sentence's "
            "paragraph starts. " + LIMITS), styles=corpus.styles)

    return StreamedResult(SentenceRow, chunks, finish, styles=corpus.styles)


def _sentence_rows(corpus: Corpus, all_targets) -> tuple[SentenceRow, ...]:
    """The rows of every sentence of ``corpus``, documents in the corpus's order."""
    from framelens.analysis.process.annotators import topic_sentences

    prepare(corpus)  # one pass over the new documents: annotations and tones
    documents = processed(corpus)
    mentions = target_mentions(corpus, all_targets)
    topics_of: dict[tuple[int, int], list[str]] = {}
    for name, positions in topic_sentences(corpus).items():  # config order
        for position in positions:
            topics_of.setdefault(position, []).append(name)
    cues = sentence_cues(corpus)
    tones = sentence_tones(corpus, {d: range(len(doc.sentences))
                                    for d, doc in enumerate(documents)})
    rows = []
    for d, (document, doc) in enumerate(zip(corpus.documents, documents, strict=True)):
        for i, sentence in enumerate(doc.sentences):
            found = {k for k, _, _ in mentions[d][i]}
            names = ";".join(t.name for k, t in enumerate(all_targets) if k in found)
            rows.append(SentenceRow(doc.doc_id, doc.perspective, i,
                                    document.body_line + doc.lines[i] - 1, sentence, names,
                                    ";".join(topics_of.get((d, i), ())), tones[(d, i)],
                                    *cues[d][i]))
    return tuple(rows)
