"""Framing over time: topic salience, tone and naming per perspective and period, with change points.

A period is one more grouping key on the per-article annotations every lens
reads (:mod:`framelens.analysis.process.annotators`, tones from
:mod:`framelens.analysis.process.tone`): each article contributes a total and
a count of units to each series, and a period's value is the ratio of the
totals over its articles,

- ``topic`` / ``target``, ``share_of_sentences``: sentences on the topic (or
  mentioning the target) / all sentences of the period's articles;
- ``topic`` / ``target``, ``tone``: mean VADER compound of those sentences;
- ``naming``, ``variant_share``: mentions of the variant / mentions of any
  variant of its concept.

The article is the unit of the interval: a 95% Poisson cluster bootstrap
over the period's articles (:func:`framelens.analysis.stats.bootstrap.cluster_ratio_ci`),
reported only when at least ``MIN_ARTICLES_FOR_INTERVAL`` articles carry the
series in that period; with fewer, ``few_articles`` is true and the interval
is left empty: a number resting on one or two articles is shown, not dressed
up.

Periods: ``week`` is the ISO 8601 week (Monday to Sunday, labelled
``2022-W02`` by its ISO year, so 2021-01-03 is in 2020-W53), ``month``
``2022-01``, ``quarter`` ``2022-Q1``. An article is placed only when its date
is at least as precise as the period (a month-only date has no week; a
year-only date has no month or quarter); the others are left out with a
warning that counts them.

Change points (:mod:`framelens.analysis.stats.changepoints`): each
perspective's series of per-article values in date order is segmented by
penalised optimal partitioning, with changes allowed only between periods
and at least ``MIN_ARTICLES_FOR_INTERVAL`` articles on each side; each change
comes with the most typical sentences on either side. A change point
describes when a series' level shifts; it does not say why.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from framelens.analysis.errors import CorpusError, OptionError
from framelens.analysis.io.dates import DAY, YEAR, PublicationDate, publication_date
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.annotators import (
    concept_lexicon,
    configured_targets,
    resolve_topic,
    select_targets,
    target_mentions,
    topic_hits,
    variant_mentions,
)
from framelens.analysis.process.document_pass import prepare
from framelens.analysis.process.pipeline import DocumentsOnDemand, outlines
from framelens.analysis.results import Result
from framelens.analysis.stats.bootstrap import (
    MIN_ARTICLES_FOR_INTERVAL,
    article_weights,
    cluster_ratio_cis,
)
from framelens.analysis.stats.changepoints import PENALTY_PER_LOG_N, mean_segments

PERIODS = ("week", "month", "quarter")
KINDS = ("topic", "target", "naming")
SHARE = "share_of_sentences"
TONE = "tone"
VARIANT_SHARE = "variant_share"
RESAMPLES = 2000
LEVEL = 0.95
TONE_BOUNDS = (-1.0, 1.0)
SHARE_BOUNDS = (0.0, 1.0)


@dataclass(frozen=True)
class TimelineRow:
    period: str
    perspective: str
    kind: str
    item: str
    metric: str
    value: float
    articles: int
    ci_low: float
    ci_high: float
    units: int
    few_articles: bool
    period_start: str
    period_end: str


@dataclass(frozen=True)
class ChangeRow:
    perspective: str
    kind: str
    item: str
    metric: str
    period: str
    previous_period: str
    mean_before: float
    mean_after: float
    articles_before: int
    articles_after: int
    side: str
    rank: int
    doc_id: str
    published: str
    sentence_index: int | None
    unit_value: float
    text: str


# ------------------------------------------------------------------- periods


def period_of(date: PublicationDate, period: str) -> tuple[str, dt.date, dt.date] | None:
    """``(label, first day, last day)`` of the period holding ``date``; None when the date is
    less precise than the period (a month-only date has no week)."""
    if date.precision == YEAR or (period == "week" and date.precision != DAY):
        return None
    day = date.first
    if period == "week":
        year, week, weekday = day.isocalendar()
        start = day - dt.timedelta(days=weekday - 1)
        return f"{year}-W{week:02d}", start, start + dt.timedelta(days=6)
    if period == "month":
        return day.strftime("%Y-%m"), day.replace(day=1), _month_end(day.year, day.month)
    if period == "quarter":
        quarter = (day.month - 1) // 3 + 1
        first_month = 3 * quarter - 2
        return (f"{day.year}-Q{quarter}", dt.date(day.year, first_month, 1),
                _month_end(day.year, first_month + 2))
    raise OptionError(f"--period must be one of {', '.join(PERIODS)}, got {period!r}")


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_range(first: dt.date, last: dt.date, period: str) -> list[tuple[str, dt.date, dt.date]]:
    """Every period from the one holding ``first`` to the one holding ``last``, in order."""
    found = []
    day = first
    while day <= last:
        placed = period_of(PublicationDate(day, day, DAY), period)
        assert placed is not None
        found.append(placed)
        day = placed[2] + dt.timedelta(days=1)
    return found


# -------------------------------------------------------------------- series


@dataclass(frozen=True)
class _Series:
    """One framing series: per-article totals and unit counts, and where its evidence is."""

    kind: str
    item: str
    metric: str
    sums: np.ndarray
    counts: np.ndarray
    bounds: tuple[float, float]
    # (doc, sentence) -> the unit's value, for evidence (tone series), or the sentences
    # that show the series (share series).
    units: dict[tuple[int, int], float]


def _topic_series(corpus: Corpus, names: Sequence[str], n_sentences: np.ndarray) -> list[_Series]:
    chosen = [resolve_topic(corpus, name) for name in names] if names else \
        list(corpus.config.topics)
    hits = topic_hits(corpus)  # every configured topic: the cache the topics lens fills too
    positions = {t.name: list(zip(hits[t.name].doc.tolist(), hits[t.name].sentence.tolist(),
                                  strict=True)) for t in chosen}
    tones = _tones(corpus, [p for found in positions.values() for p in found])
    series = []
    for topic in chosen:
        series += _sentence_series(corpus, "topic", topic.name, positions[topic.name], tones,
                                   n_sentences)
    return series


def _target_series(corpus: Corpus, names: Sequence[str], n_sentences: np.ndarray,
                   target_alias: Iterable[str]) -> list[_Series]:
    all_targets = configured_targets(corpus.config, target_alias)
    selected = select_targets(all_targets, names)
    index = {t.name: k for k, t in enumerate(all_targets)}
    positions: dict[int, list[tuple[int, int]]] = {index[t.name]: [] for t in selected}
    # Matched with every target, as stance does, so overlapping aliases resolve the same way.
    for d, per_sentence in enumerate(target_mentions(corpus, all_targets)):
        for i, triples in enumerate(per_sentence):
            for k in dict.fromkeys(t[0] for t in triples):
                if k in positions:
                    positions[k].append((d, i))
    tones = _tones(corpus, [p for found in positions.values() for p in found])
    series = []
    for target in selected:
        series += _sentence_series(corpus, "target", target.name, positions[index[target.name]],
                                   tones, n_sentences)
    return series


def _sentence_series(corpus: Corpus, kind: str, item: str, positions: list[tuple[int, int]],
                     tones: dict[tuple[int, int], float], n_sentences: np.ndarray
                     ) -> list[_Series]:
    on_it = np.zeros(len(n_sentences), dtype=np.float64)
    toned = np.zeros(len(n_sentences), dtype=np.float64)  # sentences with a tone (English)
    tone_sum = np.zeros(len(n_sentences), dtype=np.float64)
    for d, i in positions:
        on_it[d] += 1
        if not math.isnan(tones[(d, i)]):  # missing: a language VADER cannot read
            toned[d] += 1
            tone_sum[d] += tones[(d, i)]
    return [
        _Series(kind, item, SHARE, on_it, n_sentences.astype(np.float64), SHARE_BOUNDS,
                dict.fromkeys(positions, 1.0)),
        _Series(kind, item, TONE, tone_sum, toned, TONE_BOUNDS,
                {p: tones[p] for p in positions if not math.isnan(tones[p])}),
    ]


def _naming_series(corpus: Corpus, concepts: Sequence[str]) -> list[_Series]:
    pairs = list(corpus.config.naming)
    by_name = {pair.concept.casefold(): pair for pair in pairs}
    unknown = [c for c in concepts if c.casefold() not in by_name]
    if unknown:
        known = "; ".join(pair.concept for pair in pairs) or "none configured"
        raise OptionError(f"unknown naming concept {unknown[0]!r} (concepts: {known})")
    wanted = {c.casefold() for c in concepts}
    n_docs = len(corpus.documents)
    mentions = [np.zeros((len(pair.variants), n_docs)) for pair in pairs]
    for d, payload in enumerate(variant_mentions(corpus, pairs)):  # all pairs: the shared cache
        for c, v, count in payload:
            mentions[c][v, d] = count
    series = []
    for pair, counts in zip(pairs, mentions, strict=True):
        if wanted and pair.concept.casefold() not in wanted:
            continue
        total = counts.sum(axis=0)
        for v, variant in enumerate(pair.variants):
            series.append(_Series("naming", f"{pair.concept}: {variant.label}", VARIANT_SHARE,
                                  counts[v], total, SHARE_BOUNDS, {}))
    return series


def _tones(corpus: Corpus, positions: Iterable[tuple[int, int]]) -> dict[tuple[int, int], float]:
    needed: dict[int, set[int]] = {}
    for d, i in positions:
        needed.setdefault(d, set()).add(i)
    if not needed:
        return {}
    from framelens.analysis.process.tone import sentence_tones

    return sentence_tones(corpus, {d: sorted(s) for d, s in sorted(needed.items())})


# ------------------------------------------------------------------ timeline


def timeline(corpus: Corpus, *, period: str = "week", topics: Iterable[str] = (),
             targets: Iterable[str] = (), naming: Iterable[str] = (),
             target_alias: Iterable[str] = (), changes: bool = False, evidence: int = 1,
             seed: int = 0) -> Result:
    """Per perspective and period, every chosen series with its article count and interval.

    With none of ``topics``, ``targets``, ``naming`` every configured topic,
    target and naming concept is followed; naming any of them follows only
    those. Rows: :class:`TimelineRow` sorted by kind, item (config order),
    metric, perspective (config order) and period; one row per series and
    perspective-period that has articles. The change points are in
    ``extra["changes"]`` (a Result of :class:`ChangeRow`), or the rows
    themselves with ``changes=True``.
    """
    if period not in PERIODS:
        raise OptionError(f"--period must be one of {', '.join(PERIODS)}, got {period!r}")
    if evidence < 0:
        raise OptionError(f"--evidence must be 0 or more, got {evidence}")
    topics, targets, naming = list(topics), list(targets), list(naming)
    everything = not (topics or targets or naming)
    prepare(corpus)  # one pass over every new document: its annotations and tones too
    n_sentences = np.array([outline.sentence_count for outline in outlines(corpus)],
                           dtype=np.int64)
    documents = DocumentsOnDemand(corpus)  # the text of the few documents cited as evidence

    placed: list[tuple[int, str, dt.date, dt.date, PublicationDate]] = []
    undated = imprecise = 0
    for d, document in enumerate(corpus.documents):
        date = publication_date(document.published)
        if date is None:
            undated += 1
            continue
        where = period_of(date, period)
        if where is None:
            imprecise += 1
            continue
        placed.append((d, *where, date))
    warnings = []
    if undated:
        warnings.append(f"{undated} article{'s' * (undated != 1)} without a date left out of "
                        "the timeline")
    if imprecise:
        warnings.append(f"{imprecise} article{'s' * (imprecise != 1)} dated less precisely "
                        f"than a {period} left out of the timeline")
    if not placed:
        raise CorpusError(f"no article has a date precise enough for a {period}ly timeline "
                          f"({undated} undated, {imprecise} dated only to a month or year)",
                          path=corpus.root)

    series: list[_Series] = []
    if (everything or topics) and (corpus.config.topics or topics):
        series += _topic_series(corpus, topics, n_sentences)
    if everything or targets:
        series += _target_series(corpus, targets, n_sentences, target_alias)
    if everything or naming:
        series += _naming_series(corpus, naming)

    perspectives = corpus.perspective_ids
    label_of = {label: (start, end) for _, label, start, end, _ in placed}
    groups: dict[tuple[str, str], list[int]] = {}
    order_key = {d: (start, date.first, corpus.documents[d].id)
                 for d, _, start, _, date in placed}
    for d, label, _, _, _ in sorted(placed, key=lambda p: order_key[p[0]]):
        groups.setdefault((corpus.documents[d].perspective, label), []).append(d)
    period_labels = sorted(label_of, key=lambda lab: label_of[lab][0])
    # One period's intervals for every series at once (the articles' weights generated
    # once), then the rows in their order: series, perspective, period.
    row_of: dict[tuple[int, str, str], TimelineRow] = {}
    for perspective in perspectives:
        for label in period_labels:
            members = groups.get((perspective, label))
            if members:
                for k, row in enumerate(_period_rows(series, perspective, label,
                                                     label_of[label], members, corpus, seed)):
                    row_of[(k, perspective, label)] = row
    rows = [row_of[(k, perspective, label)] for k in range(len(series))
            for perspective in perspectives for label in period_labels
            if (k, perspective, label) in row_of]
    change_rows = _changes(corpus, documents, series, perspectives, groups, period_labels,
                           evidence)
    first, last = label_of[period_labels[0]][0], label_of[period_labels[-1]][1]
    axis = [label for label, _, _ in period_range(first, last, period)]
    title = (f"Timeline by {period}: {len(series)} series, {len(perspectives)} perspectives, "
             f"{period_labels[0]} to {period_labels[-1]}")
    extra = {"period": period, "periods": axis,
             "articles": {key: len(members) for key, members in groups.items()},
             "series": [(s.kind, s.item, s.metric) for s in series]}
    change_result = Result(ChangeRow, tuple(change_rows), title=f"Change points by {period}",
                           caption=CHANGE_CAPTION, warnings=tuple(warnings),
                           styles=corpus.styles, extra=extra)
    if changes:
        return change_result
    return Result(TimelineRow, tuple(rows), title=title, caption=timeline_caption(period, seed),
                  warnings=tuple(warnings), styles=corpus.styles,
                  extra={**extra, "changes": change_result})


def _period_rows(series: Sequence[_Series], perspective: str, label: str,
                 span: tuple[dt.date, dt.date], members: list[int], corpus: Corpus,
                 seed: int) -> list[TimelineRow]:
    """The row of each series for one perspective and period; the series that have
    intervals share one pass over the period's article weights."""
    index = np.asarray(members, dtype=np.int64)
    counts = [s.counts[index] for s in series]
    carrying = [int((c > 0).sum()) for c in counts]
    with_interval = [k for k, c in enumerate(carrying) if c >= MIN_ARTICLES_FOR_INTERVAL]
    interval_of: dict[int, tuple[float, float, float]] = {}
    if with_interval:
        weights = article_weights([corpus.documents[d].id for d in members], seed=seed,
                                  resamples=RESAMPLES)
        # Series with the same bounds share one call (cluster_ratio_cis clips to one range).
        for bounds in dict.fromkeys(series[k].bounds for k in with_interval):
            chosen = [k for k in with_interval if series[k].bounds == bounds]
            found = cluster_ratio_cis(np.column_stack([series[k].sums[index] for k in chosen]),
                                      np.column_stack([counts[k] for k in chosen]), weights,
                                      level=LEVEL, bounds=bounds)
            interval_of.update(zip(chosen, found, strict=True))
    rows = []
    for k, s in enumerate(series):
        units = int(counts[k].sum())
        if k in interval_of:
            value, low, high = interval_of[k]
        else:
            value = float(s.sums[index].sum() / units) if units else math.nan
            low = high = math.nan
        rows.append(TimelineRow(label, perspective, s.kind, s.item, s.metric, value, carrying[k],
                                low, high, units, carrying[k] < MIN_ARTICLES_FOR_INTERVAL,
                                span[0].isoformat(), span[1].isoformat()))
    return rows


# ------------------------------------------------------------- change points


def _changes(corpus: Corpus, documents, series: list[_Series], perspectives: Sequence[str],
             groups: dict[tuple[str, str], list[int]], period_labels: list[str],
             evidence: int) -> list[ChangeRow]:
    rows: list[ChangeRow] = []
    for s in series:
        for perspective in perspectives:
            ordered: list[int] = []
            period_index: list[int] = []
            for p, label in enumerate(period_labels):
                for d in groups.get((perspective, label), ()):
                    if s.counts[d] > 0:
                        ordered.append(d)
                        period_index.append(p)
            if len(ordered) < 2 * MIN_ARTICLES_FOR_INTERVAL:
                continue
            values = s.sums[ordered] / s.counts[ordered]
            candidates = [k for k in range(1, len(ordered))
                          if period_index[k] != period_index[k - 1]]
            segments = mean_segments(values, candidates, min_size=MIN_ARTICLES_FOR_INTERVAL)
            for before, after in zip(segments, segments[1:], strict=False):
                change = (perspective, s.kind, s.item, s.metric,
                          period_labels[period_index[after.start]],
                          period_labels[period_index[after.start - 1]],
                          before.mean, after.mean, before.stop - before.start,
                          after.stop - after.start)
                sides = (("before", before, period_index[after.start - 1]),
                         ("after", after, period_index[after.start]))
                for side, segment, p in sides:
                    near = [d for d, q in zip(ordered, period_index, strict=True) if q == p]
                    for rank, (d, i, value) in enumerate(
                            _typical(s, documents, near, segment.mean, corpus)[:evidence], 1):
                        rows.append(ChangeRow(
                            *change, side, rank, corpus.documents[d].id,
                            corpus.documents[d].published, i,
                            value, documents[d].sentences[i] if i is not None else ""))
    return rows


def _typical(s: _Series, documents, near: list[int], level: float, corpus: Corpus
             ) -> list[tuple[int, int | None, float]]:
    """Units of the articles ``near`` the change, most typical of the side's level first.

    Tone: the sentences whose tone is closest to the segment's mean. Shares: the articles
    whose share is closest to it, each shown by its first sentence on the item (None when
    it has none). Ties by document id and sentence index.
    """
    if s.metric == TONE:
        nearby = set(near)
        units = [(abs(value - level), corpus.documents[d].id, i, d, value)
                 for (d, i), value in s.units.items() if d in nearby]
        return [(d, i, value) for _, _, i, d, value in sorted(units)]
    found = []
    for d in near:
        share = float(s.sums[d] / s.counts[d])
        found.append((abs(share - level), corpus.documents[d].id, d, share))
    chosen = []
    for _, _, d, share in sorted(found):
        chosen.append((d, _first_sentence(s, documents, d, corpus), share))
    return chosen


def _first_sentence(s: _Series, documents, d: int, corpus: Corpus) -> int | None:
    if s.kind != "naming":
        on_it = sorted(i for doc, i in s.units if doc == d)
        return on_it[0] if on_it else None
    concept = s.item.rsplit(": ", 1)[0]
    pair = next(p for p in corpus.config.naming if p.concept == concept)
    lexicon = concept_lexicon(pair)  # only to point at the sentence shown, never to count
    for i, sentence in enumerate(documents[d].sentences):
        if lexicon.find(sentence):
            return i
    return None


# ------------------------------------------------------------------ captions


CHANGE_CAPTION = (
    "Change points: each perspective's series of per-article values (the article's share or "
    "mean tone) in date order, segmented by penalised optimal partitioning of a change in "
    f"mean (normal cost, penalty {PENALTY_PER_LOG_N:g}·ln n, σ from successive differences; "
    "Jackson et al. 2005, Killick et al. 2012), changes only between periods and at least "
    f"{MIN_ARTICLES_FOR_INTERVAL} articles on each side. period: the first period at the new "
    "level; mean_before/mean_after: mean of the per-article values of the two segments; "
    "evidence: the unit of the period on each side closest to its segment's mean. A change "
    "point describes when the level shifts; it is not a cause."
)


def timeline_caption(period: str, seed: int) -> str:
    week = " ISO weeks (Monday to Sunday, labelled by ISO year)." if period == "week" else ""
    return (
        f"Periods: {period}s.{week} share_of_sentences: sentences on the topic (or mentioning "
        "the target) / all sentences of the period's articles; tone: mean VADER compound of "
        "those sentences; variant_share: the variant's mentions / the concept's. articles: "
        "articles carrying the series in the period (units: their sentences or mentions). "
        f"{int(LEVEL * 100)}% interval over articles (Poisson cluster bootstrap, {RESAMPLES} "
        f"resamples, seed {seed}) only with at least {MIN_ARTICLES_FOR_INTERVAL} articles; "
        "fewer are marked few_articles and have no interval."
    )
