"""The data of ``framelens report``: every number the HTML page shows, as plain rows.

Nothing here computes a statistic of its own. The sections come from
:func:`framelens.analysis.reports.compare.compare` (corpus, topics, keywords,
stance, similarity, with their captions) and from the lenses it calls
(naming, topic examples, the article list); the term map takes keyness's
counts, prior and :func:`framelens.analysis.lenses.keywords.score_terms` for
every plotted term, so a term's z, counts and rates are those of ``keywords``
and of ``compare``'s keyword rows. The result is a :class:`ReportData` of
JSON-ready dicts and lists; :mod:`framelens.analysis.reports.page` turns it
into Vega-Lite figures and one self-contained HTML page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

import numpy as np

from framelens.analysis.errors import CorpusError, OptionError
from framelens.analysis.io.documents import Corpus

DEFAULT_MAX_TERMS = 2000
"""Points on the term map: the most frequent terms (all perspectives pooled)."""
DEFAULT_KWIC_LINES = 3
"""Concordance lines kept in the page per term and perspective."""
DEFAULT_KWIC_WINDOW = 8
"""Tokens of context either side of a term in its concordance lines (as ``kwic``)."""
DEFAULT_TOPIC_EXAMPLES = 3
TIMELINE_PERIODS = ("auto", "week", "month", "quarter")
MAX_AUTO_PERIODS = 52
"""``auto`` takes the finest period (week, month, quarter) whose span has at most this many."""
MIN_PLACED_SHARE = 0.9
"""``auto`` takes a period only if it places this share of the dated articles (a month-only
date has no week)."""
MAX_CHANGE_ROWS = 60
"""Change points listed under the timeline (the strongest first; all: framelens timeline
--changes)."""
LABELLED_TERMS = 6
"""Terms labelled on the term map per perspective: its highest z at p < 0.05."""
Z_CRITICAL = 1.959963984540054
"""Two-sided 5% point of the normal distribution: a term is coloured when its z reaches it."""

LEXICON_CAUTION = (
    "Tone is VADER's compound score of the sentence (or ±K-token window) that mentions a "
    "target. It measures the tone of that text, not the author's attitude to the target: "
    "\"Russia condemned NATO's threats\" is negative for both actors. VADER is lexicon- and "
    "rule-based: its negation handling looks three words back, it reads sarcasm, irony and "
    "scare quotes literally, and it cannot tell whose voice a sentence carries; on security "
    "prose it misleads easily (Trenin's \"no more NATO infrastructure - in particular, "
    "offensive weapons\" scores −0.79 for \"offensive\"; \"peace and harmony\" in a sentence "
    "denying them scores positive). `reported_share` flags sentences with a reporting verb or "
    "a quotation but cannot say whether the author agrees. The cue lists count words, not "
    "meanings (\"may\" the month, \"force\" the noun). Topic lexicons catch sentences that "
    "name a topic's terms, not every sentence about it. Use `--evidence`, `topics --examples` "
    "and `kwic` to read the sentences behind every number.")
"""The README's "What a lexicon method cannot tell", word for word (a test keeps them equal)."""


@dataclass(frozen=True)
class ReportData:
    """Everything the page shows. ``sections`` maps a section name to its rows (dicts)."""

    title: str
    perspectives: tuple[dict, ...]
    sections: dict[str, list[dict]]
    captions: dict[str, str]
    methods: str
    settings: dict[str, object]
    topics: tuple[str, ...]
    targets: tuple[str, ...]
    articles: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    exit_code: int = 0


def report_data(
    corpus: Corpus,
    *,
    max_terms: int = DEFAULT_MAX_TERMS,
    kwic_lines: int = DEFAULT_KWIC_LINES,
    window: int = DEFAULT_KWIC_WINDOW,
    topic_examples: int = DEFAULT_TOPIC_EXAMPLES,
    top: int = 5,
    min_sentences: int = 5,
    min_count: int = 2,
    alpha0: float | None = None,
    keep_stopwords: bool = False,
    collocations: bool = True,
    target_alias: Iterable[str] = (),
    timeline_period: str = "auto",
) -> ReportData:
    """The page's data for ``corpus``; the options mean what they mean in ``compare``.

    ``max_terms``: points on the term map (most frequent first); ``kwic_lines``
    and ``window``: concordance lines per term and perspective, and their
    context in tokens; ``topic_examples``: evidence sentences per topic and
    perspective; ``timeline_period``: the period of the timeline section
    (``auto``: :func:`choose_period`). A corpus with fewer than two perspectives
    is a CorpusError.
    """
    from framelens.analysis.reports.compare import compare

    perspectives = corpus.perspective_ids
    if len(perspectives) < 2:
        found = f"only {perspectives[0]!r}" if perspectives else "none"
        raise CorpusError(f"nothing to compare: the report needs articles from at least two "
                          f"perspectives, and the corpus has {found}", path=corpus.root or None)
    for name, value, low in (("--max-terms", max_terms, 1), ("--kwic-lines", kwic_lines, 0),
                             ("--window", window, 0), ("--topic-examples", topic_examples, 0)):
        if value < low:
            raise OptionError(f"{name} must be at least {low}, not {value}")
    if timeline_period not in TIMELINE_PERIODS:
        raise OptionError(f"--timeline-period must be one of {', '.join(TIMELINE_PERIODS)}, "
                          f"not {timeline_period!r}")
    target_alias = tuple(target_alias)
    summary = compare(corpus, sections=("corpus", "topics", "keywords", "stance", "similarity"),
                      top=top, min_sentences=min_sentences, min_count=min_count, alpha0=alpha0,
                      keep_stopwords=keep_stopwords, collocations=collocations,
                      target_alias=target_alias)
    built = dict(summary.sections)
    warnings = list(summary.warnings)
    sections = {name: [_row_dict(r) for r in result.rows] for name, result in built.items()}
    captions = {name: result.caption for name, result in built.items()}

    terms, articles, term_caption = term_map(
        corpus, max_terms=max_terms, kwic_lines=kwic_lines, window=window,
        min_count=min_count, alpha0=alpha0, keep_stopwords=keep_stopwords,
        collocations=collocations)
    sections["terms"] = terms
    captions["terms"] = term_caption

    topic_names: tuple[str, ...] = tuple(built["topics"].extra.get("topics", ()))
    if topic_names:
        evidence, cited = topic_evidence(corpus, topic_examples)
        sections["topic_evidence"] = evidence
        articles.update(cited)
    else:
        sections["topic_evidence"] = []

    naming_rows, naming_caption, naming_warnings = _naming(corpus, perspectives)
    sections["naming"] = naming_rows
    captions["naming"] = naming_caption
    warnings.extend(naming_warnings)

    timeline_rows, change_rows, timeline_caption, period = _timeline(
        corpus, timeline_period, target_alias)
    sections["timeline"] = timeline_rows
    sections["timeline_changes"] = change_rows
    captions["timeline"] = timeline_caption

    sections["articles"] = _article_rows(corpus)
    styles = corpus.styles
    palette = _page_colours(styles)
    return ReportData(
        title=summary.title.replace("Compare: ", "", 1),
        perspectives=tuple({"id": s.id, "label": s.label, "colour": palette[s.id]}
                           for s in styles),
        sections=sections, captions=captions, methods=summary.caption,
        settings={"max_terms": max_terms, "kwic_lines": kwic_lines, "window": window,
                  "topic_examples": topic_examples, "top": top, "min_sentences": min_sentences,
                  "min_count": min_count, "alpha0": alpha0, "keep_stopwords": keep_stopwords,
                  "collocations": collocations, "z_critical": Z_CRITICAL,
                  "target_alias": list(target_alias), "timeline_period": timeline_period,
                  "timeline_period_used": period},
        topics=topic_names, targets=tuple(built["stance"].extra.get("targets", ())),
        articles=dict(sorted(articles.items())), warnings=tuple(dict.fromkeys(warnings)))


# ------------------------------------------------------------------------ term map


def term_map(corpus: Corpus, *, max_terms: int = DEFAULT_MAX_TERMS,
             kwic_lines: int = DEFAULT_KWIC_LINES, window: int = DEFAULT_KWIC_WINDOW,
             min_count: int = 2, alpha0: float | None = None, keep_stopwords: bool = False,
             collocations: bool = True) -> tuple[list[dict], dict[str, str], str]:
    """The ``max_terms`` most frequent terms with their numbers in every perspective.

    Terms, counts and the log-odds prior are keyness's (one-vs-rest, the same
    term options, α_w from the pooled counts): per perspective ``p`` a term
    has ``count__p``, ``rate__p`` (per 10,000 tokens of p) and ``z__p`` (its
    log-odds z against the other perspectives pooled, from
    :func:`~framelens.analysis.lenses.keywords.score_terms`, for every
    plotted term, also where ``keywords`` would not list it: under
    ``min_count`` or under-represented). ``kwic__p`` holds up to
    ``kwic_lines`` concordance lines ``[doc_id, left, match, right]``.
    ``label`` marks the ``LABELLED_TERMS`` highest z per perspective with
    p < 0.05. Ties in frequency are broken by term. Also returns the titles of
    the cited articles and the caption.
    """
    from framelens.analysis.counts.matrices import document_term_counts, group_rows
    from framelens.analysis.counts.units import corpus_term_options
    from framelens.analysis.lenses.keywords import score_terms
    from framelens.analysis.stats import keyness as stats

    perspectives = corpus.perspective_ids
    prior_total = stats.DEFAULT_ALPHA0 if alpha0 is None else float(alpha0)
    options = corpus_term_options(corpus, keep_stopwords=keep_stopwords,
                                  collocations=collocations)
    counts = document_term_counts(corpus, options)
    labels = [d.perspective for d in corpus.documents]
    matrix, totals = group_rows(counts, labels, perspectives)
    matrix = np.asarray(matrix.todense(), dtype=np.int64) if hasattr(matrix, "todense") \
        else np.asarray(matrix, dtype=np.int64)
    totals = np.asarray(totals, dtype=np.int64).ravel()
    corpus_counts = matrix.sum(axis=0)
    display = np.asarray(counts.display, dtype=object)
    keys = np.asarray([str(t) for t in display])
    order = np.lexsort((keys, -corpus_counts))
    chosen = order[corpus_counts[order] > 0][:max_terms]

    rows = [{"term": str(display[c]), "total": int(corpus_counts[c])} for c in chosen]
    z_all = np.zeros((len(perspectives), chosen.size))
    # One-vs-rest: the pooled counts of target and rest are the corpus counts (as keyness).
    alpha_w = stats.informative_prior(corpus_counts, prior_total)[chosen]
    for i, p in enumerate(perspectives):
        row_a = matrix[i]
        row_b = corpus_counts - row_a
        n1 = int(totals[i])
        n2 = int(totals.sum()) - n1
        scores = score_terms(row_a[chosen], row_b[chosen], n1, n2, alpha_w,
                             alpha0=prior_total)
        z_all[i] = scores["z"]
        for j, row in enumerate(rows):
            row[f"count__{p}"] = int(scores["a"][j])
            row[f"rate__{p}"] = float(scores["rate1"][j])
            row[f"z__{p}"] = float(scores["z"][j])
    labelled: set[int] = set()
    for i in range(len(perspectives)):
        significant = np.flatnonzero(z_all[i] >= Z_CRITICAL)
        best = significant[np.lexsort((keys[chosen][significant], -z_all[i][significant]))]
        labelled.update(int(j) for j in best[:LABELLED_TERMS])
    for j, row in enumerate(rows):
        row["label"] = j in labelled
    articles = _attach_kwic(corpus, options, rows, chosen, counts.terms, kwic_lines, window)
    caption = (f"The {len(rows):,} most frequent terms (cap {max_terms:,}; "
               f"{int(np.count_nonzero(corpus_counts)):,} in the corpus), unigrams and phrases "
               "as keywords counts them. Position: each term's share of its normalised frequency "
               "(rate per 10,000 tokens) in each perspective; size: its count in the corpus; "
               "colour: the perspective where its log-odds z (informative Dirichlet prior, "
               "Monroe et al. 2008; each perspective vs the rest) is highest, when that z ≥ 1.96 "
               "(p < 0.05, no correction), else grey. Labels: the "
               f"{LABELLED_TERMS} highest z per perspective. Concordance: up to {kwic_lines} "
               f"lines per perspective, {window} tokens each side (all lines: framelens kwic "
               "TERM).")
    return rows, articles, caption


def _attach_kwic(corpus: Corpus, options, rows: list[dict], chosen: np.ndarray,
                 term_keys, limit: int, window: int) -> dict[str, str]:
    """Concordance lines of each plotted term, one per document first, by document id and
    position; returns the titles of the articles cited."""
    from framelens.analysis.counts.matrices import sentence_term_counts
    from framelens.analysis.lenses.kwic import check_query, left_context, right_context
    from framelens.analysis.process.pipeline import (
        DocumentsOnDemand,
        outlines,
        sentence_positions,
    )
    from framelens.analysis.text.lexicon import Lexicon

    perspectives = corpus.perspective_ids
    for row in rows:
        for p in perspectives:
            row[f"kwic__{p}"] = []
    if limit == 0 or not rows:
        return {}
    shapes = outlines(corpus)
    documents = DocumentsOnDemand(corpus)  # the text of the documents quoted only
    sentence_counts = sentence_term_counts(corpus, options)
    by_column = sentence_counts.matrix.tocsc()
    column_of = {term: i for i, term in enumerate(sentence_counts.terms)}
    owner, position = sentence_positions(shapes)
    id_rank = np.argsort(np.argsort([d.doc_id for d in shapes], kind="stable"))
    p_index = {p: i for i, p in enumerate(perspectives)}
    doc_persp = np.array([p_index[d.perspective] for d in shapes], dtype=np.int64)
    cited: dict[str, str] = {}
    for row, column in zip(rows, chosen.tolist(), strict=True):
        sentence_column = column_of.get(term_keys[column])
        if sentence_column is None:
            continue
        hits = by_column.indices[by_column.indptr[sentence_column]:
                                 by_column.indptr[sentence_column + 1]]
        hits = hits[np.lexsort((position[hits], id_rank[owner[hits]]))]
        try:
            lexicon = Lexicon({"term": [check_query(row["term"])]}, case="insensitive")
        except OptionError:
            lexicon = None
        for i, p in enumerate(perspectives):
            mine = hits[doc_persp[owner[hits]] == i]
            picked: list[int] = []
            seen: set[int] = set()
            for h in mine.tolist():  # one per document first
                if owner[h] not in seen:
                    picked.append(h)
                    seen.add(owner[h])
                if len(picked) == limit:
                    break
            if len(picked) < limit:
                picked += [h for h in mine.tolist() if h not in picked][:limit - len(picked)]
                picked.sort(key=lambda h: (id_rank[owner[h]], position[h]))
            lines = []
            for h in picked:
                doc = documents[owner[h]]
                sentence = doc.sentences[position[h]]
                match = next(iter(lexicon.find(sentence)), None) if lexicon else None
                if match is None:  # counted, but not found as a phrase: show the sentence
                    lines.append([doc.doc_id, "", sentence, ""])
                else:
                    lines.append([doc.doc_id, left_context(sentence, match.start, window),
                                  match.text, right_context(sentence, match.end, window)])
                cited[doc.doc_id] = corpus.document(doc.doc_id).title
            row[f"kwic__{p}"] = lines
    return cited


# ---------------------------------------------------------------------- sections


def topic_evidence(corpus: Corpus, examples: int) -> tuple[list[dict], dict[str, str]]:
    """The representative sentences of each topic × perspective (``topics --examples``)."""
    from framelens.analysis.lenses.topics import topics

    if examples == 0:
        return [], {}
    result = topics(corpus, terms=0, examples=examples)
    rows: list[dict] = []
    cited: dict[str, str] = {}
    for r in result.rows:
        sentences = r.example.split("\n") if r.example else []
        doc_ids = r.example_doc_id.split("\n") if r.example_doc_id else []
        for rank, (sentence, doc_id) in enumerate(zip(sentences, doc_ids, strict=True),
                                                  start=1):
            rows.append({"topic": r.topic, "perspective": r.perspective, "rank": rank,
                         "doc_id": doc_id, "text": sentence})
            cited[doc_id] = corpus.document(doc_id).title
    return rows, cited


def choose_period(corpus: Corpus) -> str | None:
    """The timeline period ``auto`` takes, or None when no perspective spans two periods.

    Of week, month and quarter, the finest that places at least
    ``MIN_PLACED_SHARE`` of the dated articles (a date must be as precise as
    the period) and spans at most ``MAX_AUTO_PERIODS`` periods from the first
    article to the last; quarter when none does. None when, in that period, no
    perspective has articles in two different periods: there is no line to draw.
    """
    from framelens.analysis.io.dates import publication_date
    from framelens.analysis.lenses.timeline import PERIODS, period_of, period_range

    dated = [(d.perspective, date) for d in corpus.documents
             if (date := publication_date(d.published)) is not None]
    if not dated:
        return None
    chosen = PERIODS[-1]
    for period in PERIODS:
        placed = [(p, where) for p, date in dated if (where := period_of(date, period))]
        if len(placed) < MIN_PLACED_SHARE * len(dated) or not placed:
            continue
        starts = [where[1] for _, where in placed]
        if len(period_range(min(starts), max(starts), period)) <= MAX_AUTO_PERIODS:
            chosen = period
            break
    labels: dict[str, set[str]] = {}
    for perspective, date in dated:
        where = period_of(date, chosen)
        if where is not None:
            labels.setdefault(perspective, set()).add(where[0])
    return chosen if any(len(found) >= 2 for found in labels.values()) else None


def _timeline(corpus: Corpus, period: str, target_alias: tuple[str, ...]
              ) -> tuple[list[dict], list[dict], str, str | None]:
    """The timeline lens's rows and change points, the caption and the period used.

    Empty (with a caption saying why) when the corpus has no dated articles or,
    with ``auto``, when no perspective has articles in two periods.
    """
    from framelens.analysis.lenses.timeline import timeline

    used = choose_period(corpus) if period == "auto" else period
    if used is None:
        return [], [], ("No timeline: no perspective has dated articles in two different "
                        "periods (framelens timeline shows what there is)."), None
    try:
        result = timeline(corpus, period=used, target_alias=target_alias)
    except CorpusError as exc:  # no article dated precisely enough for this period
        return [], [], f"No timeline: {exc.message}.", used
    changes = result.extra["changes"]
    notes = " ".join(result.warnings)
    caption = result.caption + (" " + notes if notes else "") + " " + changes.caption
    return ([_row_dict(r) for r in result.rows], _change_points(changes.rows), caption,
            used)


def _change_points(rows) -> list[dict]:
    """One dict per change point with the first evidence unit of each side, the largest
    shifts first (ties in the lens's order), at most ``MAX_CHANGE_ROWS``."""
    found: dict[tuple, dict] = {}
    for r in rows:
        key = (r.perspective, r.kind, r.item, r.metric, r.period)
        change = found.setdefault(key, {
            "perspective": r.perspective, "kind": r.kind, "item": r.item, "metric": r.metric,
            "previous_period": r.previous_period, "period": r.period,
            "mean_before": r.mean_before, "mean_after": r.mean_after,
            "articles_before": r.articles_before, "articles_after": r.articles_after,
            "before_doc_id": "", "before_text": "", "after_doc_id": "", "after_text": ""})
        if r.rank == 1:
            change[f"{r.side}_doc_id"] = r.doc_id
            change[f"{r.side}_text"] = r.text
    ranked = sorted(found.values(), key=lambda c: -abs(c["mean_after"] - c["mean_before"]))
    return ranked[:MAX_CHANGE_ROWS]


def _naming(corpus: Corpus, perspectives) -> tuple[list[dict], str, list[str]]:
    """Every used variant of every mentioned concept, with compare's kind of difference."""
    from framelens.analysis.lenses.naming import naming
    from framelens.analysis.reports.compare import naming_differences

    result = naming(corpus)
    differs = {r.concept: r.difference for r in naming_differences(result.rows, perspectives)}
    used = {(r.concept, r.variant) for r in result.rows if r.count > 0}
    rows = [{**_row_dict(r), "difference": differs.get(r.concept, "")}
            for r in result.rows if (r.concept, r.variant) in used]
    caption = ("count = mentions of the variant; share = its part of the perspective's "
               "mentions of the concept (empty when the perspective never names it); ★ = "
               "preferred (used strictly more than any other variant). Differs (as in compare): "
               "preferred = the perspectives prefer different variants; unshared = one uses a "
               "variant another never does; one side = only one perspective names it. Variants "
               "nobody uses are left out.")
    return rows, caption, list(result.warnings)


def _article_rows(corpus: Corpus) -> list[dict]:
    from framelens.analysis.lenses.sources import list_sources

    return [{"id": r.id, "perspective": r.perspective, "title": r.title, "author": r.author,
             "outlet": r.outlet, "published": r.published, "words": r.words,
             "sentences": r.sentences} for r in list_sources(corpus).rows]


def _page_colours(styles) -> dict[str, str]:
    """The config colours as CSS colours: '#rrggbb' as given, a terminal colour name
    (which CSS may not know) replaced by the fallback palette."""
    from framelens.analysis.config.settings import FALLBACK_COLOURS

    return {s.id: s.colour if s.colour.startswith("#") else
            FALLBACK_COLOURS[i % len(FALLBACK_COLOURS)] for i, s in enumerate(styles)}


def _row_dict(row) -> dict:
    """A result row as a dict, NaN as None (JSON has no NaN), tuples as lists."""
    out = {}
    for f in fields(row):
        value = getattr(row, f.name)
        if isinstance(value, float) and math.isnan(value):
            value = None
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


__all__ = ["DEFAULT_MAX_TERMS", "LEXICON_CAUTION", "TIMELINE_PERIODS", "ReportData",
           "choose_period", "report_data", "term_map", "topic_evidence"]
