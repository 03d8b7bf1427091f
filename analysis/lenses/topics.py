"""Topics: how much space each perspective gives a topic, in what tone, with which words.

A topic is a lexicon from the config (``[topics."NAME"] terms = [...]``). A
sentence belongs to every topic whose terms it contains (case-insensitive,
word boundaries, ``*`` as a suffix wildcard; see
:mod:`framelens.analysis.text.lexicon`). Each topic is matched on its own, so a
longer term of one topic ("Intermediate-Range Nuclear Forces") never hides a
shorter term of another ("nuclear").

For every topic × perspective (absent topics included, with zeros):

- ``sentences``: the perspective's sentences that belong to the topic;
- ``documents``: the perspective's documents with at least one such sentence;
- ``share_of_sentences`` = sentences / all sentences of the perspective
  (salience, 0…1);
- ``term_matches``: occurrences of the topic's terms in the perspective's
  text (non-overlapping, longest match first);
- ``rate_per_10k`` = term_matches · 10,000 / tokens of the perspective (all
  pipeline tokens, stopwords included, as ``sources list`` counts words);
- ``share_ci_low``, ``share_ci_high``: 95% interval of the share over the
  perspective's articles (Korn–Graubard,
  :func:`framelens.analysis.stats.bootstrap.cluster_share_ci`; ``share_ci_unit``
  ``"articles"``) when it has at least 5 articles, else the Clopper–Pearson
  interval of its sentences, within these texts only (``"sentences"``);
- ``tone_mean``, ``tone_ci_low``, ``tone_ci_high``: mean VADER compound of the
  topic's sentences with a seeded 95% interval: a cluster bootstrap over the
  ``documents`` holding them when there are at least 5
  (:func:`framelens.analysis.stats.bootstrap.mean_interval`, ``ci_unit``
  ``"articles"``), else a percentile bootstrap of the sentences (``"sentences"``:
  within these texts); NaN and an empty ``ci_unit`` when there are no sentences;
- ``distinctive_terms``: the terms most over-represented in this perspective's
  topic sentences against the other perspectives' sentences on the same topic
  (log-odds ratio with informative Dirichlet prior, Monroe et al. 2008; see
  :func:`distinctive_terms`);
- ``example`` / ``example_doc_id``: the representative sentence(s), those with
  the highest topic-term density = term matches / tokens, sentences under
  ``EXAMPLE_MIN_TOKENS`` tokens (headings) last, ties by position (see
  :func:`example_order`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from framelens.analysis.counts.matrices import count_units, term_options
from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.annotators import TopicHits, resolve_topic, topic_hits, topic_lexicon
from framelens.analysis.process.document_pass import prepare
from framelens.analysis.process.pipeline import document_texts, outlines
from framelens.analysis.results import Result

# Sentences shorter than this (headings such as "Security Guarantees",
# fragments) are only chosen as examples when no longer sentence is left.
EXAMPLE_MIN_TOKENS = 8
# A distinctive term must occur at least this often in the perspective's topic
# sentences (as keyness's default min_count): a word used once is no pattern.
DISTINCTIVE_MIN_COUNT = 2
TONE_SEED = 0
TONE_RESAMPLES = 2000
TONE_LEVEL = 0.95


@dataclass(frozen=True)
class TopicRow:
    perspective: str
    topic: str
    sentences: int
    documents: int
    share_of_sentences: float
    term_matches: int
    rate_per_10k: float
    tone_mean: float
    tone_ci_low: float
    tone_ci_high: float
    distinctive_terms: str
    example: str
    example_doc_id: str
    ci_unit: str
    share_ci_low: float
    share_ci_high: float
    share_ci_unit: str


def topic_density(matches: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """Topic-term density of sentences: term matches / tokens (0 for a sentence without tokens)."""
    matches = np.asarray(matches, dtype=np.float64)
    tokens = np.asarray(tokens, dtype=np.float64)
    return np.divide(matches, tokens, out=np.zeros_like(matches), where=tokens > 0)


def example_order(hits: TopicHits, chosen: np.ndarray) -> np.ndarray:
    """Positions in ``hits`` of the sentences ``chosen``, best example first.

    Sentences of at least ``EXAMPLE_MIN_TOKENS`` tokens come before shorter
    ones (headings, fragments); then highest topic-term density
    (:func:`topic_density`); ties by position (document order, sentence index).
    """
    density = topic_density(hits.matches[chosen], hits.tokens[chosen])
    short = hits.tokens[chosen] < EXAMPLE_MIN_TOKENS
    return chosen[np.lexsort((hits.sentence[chosen], hits.doc[chosen], -density, short))]


def distinctive_terms(target, reference, n1: float, n2: float, background,
                      *, alpha0: float | None = None) -> np.ndarray:
    """z-scores of the log-odds ratio with informative Dirichlet prior, target vs reference.

    Monroe, Colaresi & Quinn (2008), "Fightin' Words", *Political Analysis*
    16(4), §3.5, via :func:`framelens.analysis.stats.keyness.log_odds_dirichlet`:

        δ = ln[(a+α_w)/(n1+α0−a−α_w)] − ln[(b+α_w)/(n2+α0−b−α_w)],
        z = δ / sqrt(1/(a+α_w) + 1/(b+α_w)),

    with α_w = α0 · f_w / Σf (:func:`~framelens.analysis.stats.keyness.informative_prior`)
    where f is ``background`` (here: the topic's sentences of all
    perspectives pooled, so every scored term has a positive prior) and
    α0 = ``DEFAULT_ALPHA0`` unless given. ``a``/``b`` are the term's counts in
    the perspective's / the other perspectives' topic sentences and n1/n2
    their token totals after stopword removal (``TermCounts.token_totals``).
    :func:`topics` keeps terms with z > 0 and a >= ``DISTINCTIVE_MIN_COUNT``,
    ranked by (−z, term).
    """
    from framelens.analysis.stats.keyness import DEFAULT_ALPHA0, informative_prior, log_odds_dirichlet

    total = DEFAULT_ALPHA0 if alpha0 is None else alpha0
    alpha_w = informative_prior(background, total)
    _, z = log_odds_dirichlet(target, reference, n1, n2, alpha_w, total)
    return z


def topics(corpus: Corpus, *, topic: str | None = None, terms: int = 5,
           examples: int = 1) -> Result:
    """Salience, tone, distinctive wording and examples of each topic per perspective.

    One row per topic × perspective (topics in config order, perspectives in
    config order), absent topics included with zeros. ``topic`` restricts
    the rows to one topic; ``terms`` is the number of distinctive terms and
    ``examples`` the number of example sentences per row (several are
    separated by newlines, best first; a sentence never holds a newline).
    """
    if terms < 0:
        raise OptionError(f"--terms must be 0 or more, got {terms}")
    if examples < 0:
        raise OptionError(f"--examples must be 0 or more, got {examples}")
    if not corpus.config.topics:
        raise OptionError("the config defines no topics: add [topics.\"NAME\"] terms = [...] "
                          "to the corpus config")
    chosen = (resolve_topic(corpus, topic),) if topic is not None else corpus.config.topics
    prepare(corpus)  # one pass over every new document: its annotations and tones too
    all_hits = topic_hits(corpus)
    documents = outlines(corpus)  # counts only: the examples' documents are read for text
    perspectives = corpus.perspective_ids
    p_index = {p: i for i, p in enumerate(perspectives)}
    doc_persp = np.array([p_index[d.perspective] for d in corpus.documents], dtype=np.int64)
    sentences_per_doc = np.array([d.sentence_count for d in documents], dtype=np.int64)
    tokens_per_doc = np.array([d.token_count for d in documents], dtype=np.int64)
    n_persp = len(perspectives)
    persp_sentences = np.bincount(doc_persp, weights=sentences_per_doc, minlength=n_persp)
    persp_tokens = np.bincount(doc_persp, weights=tokens_per_doc, minlength=n_persp)

    needed: dict[int, set[int]] = {}
    for t in chosen:
        h = all_hits[t.name]
        for d, s in zip(h.doc.tolist(), h.sentence.tolist(), strict=True):
            needed.setdefault(d, set()).add(s)
    tones = _tones(corpus, needed)

    from framelens.analysis.stats import bootstrap
    from framelens.analysis.stats.keyness import rate_per_10k

    weights, row_of = bootstrap.group_weights([d.doc_id for d in documents],
                                              [d.perspective for d in documents],
                                              seed=TONE_SEED, resamples=TONE_RESAMPLES)
    empty_weights = np.zeros((0, TONE_RESAMPLES))
    requests: dict[int, list] = {p: [] for p in range(n_persp)}
    share_intervals: dict[tuple[str, int], bootstrap.Interval] = {}
    for t in chosen:
        h = all_hits[t.name]
        persp_of_hit = doc_persp[h.doc]
        hits_per_doc = np.bincount(h.doc, minlength=len(documents))
        for p in range(n_persp):
            mine = np.flatnonzero(persp_of_hit == p)
            values = np.array([tones[(int(h.doc[i]), int(h.sentence[i]))] for i in mine],
                              dtype=np.float64)
            requests[p].append((values, row_of[h.doc[mine]], (-1.0, 1.0)))
            docs = np.flatnonzero(doc_persp == p)
            share_intervals[(t.name, p)] = bootstrap.share_interval(
                hits_per_doc[docs], sentences_per_doc[docs], level=TONE_LEVEL)
    # Every topic of a perspective at once: each article's weights are generated once.
    intervals: dict[tuple[str, int], bootstrap.Interval] = {}
    for p, perspective in enumerate(perspectives):
        tone_intervals = bootstrap.grouped_mean_intervals(
            requests[p], weights.get(perspective, empty_weights), seed=TONE_SEED,
            resamples=TONE_RESAMPLES, level=TONE_LEVEL)
        for t, (interval,) in zip(chosen, tone_intervals, strict=True):
            intervals[(t.name, p)] = interval
    best_of = {(t.name, p): example_order(all_hits[t.name],
                                          np.flatnonzero(doc_persp[all_hits[t.name].doc] == p)
                                          )[:examples]
               for t in chosen for p in range(n_persp)}
    texts = document_texts(corpus, {int(all_hits[name].doc[i])
                                    for (name, _), best in best_of.items() for i in best})
    rows: list[TopicRow] = []
    spans: dict[tuple[str, str], list[list[tuple[int, int]]]] = {}
    for t in chosen:
        h = all_hits[t.name]
        lexicon = topic_lexicon(t)
        persp_of_hit = doc_persp[h.doc]
        words = _distinctive(corpus, h, persp_of_hit, n_persp, terms)
        sentence_counts = np.bincount(persp_of_hit, minlength=n_persp)
        match_counts = np.bincount(persp_of_hit, weights=h.matches, minlength=n_persp)
        rates = rate_per_10k(match_counts, persp_tokens)
        for p, perspective in enumerate(perspectives):
            mine = np.flatnonzero(persp_of_hit == p)
            tone = intervals[(t.name, p)]
            share_ci = share_intervals[(t.name, p)]
            best = best_of[(t.name, p)]
            share = sentence_counts[p] / persp_sentences[p] if persp_sentences[p] else 0.0
            spans[(perspective, t.name)] = [
                [(m.start, m.end) for m in lexicon.find(texts[h.doc[i]].sentences[h.sentence[i]])]
                for i in best]
            rows.append(TopicRow(
                perspective=perspective, topic=t.name, sentences=int(sentence_counts[p]),
                documents=int(np.unique(h.doc[mine]).size), share_of_sentences=float(share),
                term_matches=int(match_counts[p]), rate_per_10k=float(rates[p]),
                tone_mean=tone.estimate, tone_ci_low=tone.low, tone_ci_high=tone.high,
                distinctive_terms=";".join(words[p]),
                example="\n".join(texts[h.doc[i]].sentences[h.sentence[i]] for i in best),
                example_doc_id="\n".join(documents[h.doc[i]].doc_id for i in best),
                ci_unit=tone.unit, share_ci_low=share_ci.low, share_ci_high=share_ci.high,
                share_ci_unit=share_ci.unit,
            ))
    title = f"Topics: {chosen[0].name}" if topic is not None else \
        f"Topics: salience and tone of {len(chosen)} topics in {n_persp} perspectives"
    caption = (
        "share_of_sentences = the perspective's sentences containing a topic term / all its "
        "sentences; rate_per_10k = topic-term occurrences per 10,000 tokens; tone = mean VADER "
        f"compound of the topic's sentences (bootstrap {int(TONE_LEVEL * 100)}% CI, seed "
        f"{TONE_SEED}; its unit in ci_unit, the share's in share_ci_unit); distinctive "
        "terms: log-odds z (Monroe et al. 2008) of the perspective's "
        "topic sentences vs the other perspectives' sentences on the same topic, terms used at "
        f"least {DISTINCTIVE_MIN_COUNT} times (empty when no other perspective has any). "
        + bootstrap.units_note([r.ci_unit for r in rows] + [r.share_ci_unit for r in rows],
                               what="tone and share"))
    extra = {
        "topics": tuple(t.name for t in chosen),
        "totals": {p: (int(persp_sentences[i]), int(persp_tokens[i]))
                   for i, p in enumerate(perspectives)},
        "detail": topic is not None,
        "terms": {t.name: t.terms for t in chosen},
        # Character spans of the topic terms in each example sentence, for highlighting.
        "example_spans": spans,
    }
    return Result(TopicRow, tuple(rows), title=title, caption=caption, extra=extra,
                  styles=corpus.styles)


def _tones(corpus: Corpus, needed: dict[int, set[int]]) -> dict[tuple[int, int], float]:
    if not needed:
        return {}
    from framelens.analysis.process.tone import sentence_tones

    return sentence_tones(corpus, {d: sorted(s) for d, s in sorted(needed.items())})


def _distinctive(corpus: Corpus, hits: TopicHits, persp_of_hit: np.ndarray,
                 n_persp: int, top: int) -> list[list[str]]:
    """Top ``top`` distinctive terms (display forms) of each perspective on one topic."""
    empty: list[list[str]] = [[] for _ in range(n_persp)]
    if top == 0 or hits.doc.size == 0:
        return empty
    documents = document_texts(corpus, set(hits.doc.tolist()), keep=False)
    units: list[list[tuple[str, ...]]] = [[] for _ in range(n_persp)]
    for d, s, p in zip(hits.doc.tolist(), hits.sentence.tolist(), persp_of_hit.tolist(),
                       strict=True):
        units[p].append(documents[d].tokens[s])
    counts = count_units(units, term_options(corpus))
    matrix = counts.matrix.toarray().astype(np.float64)
    totals = counts.token_totals.astype(np.float64)
    if matrix.shape[1] == 0:
        return empty
    pooled = matrix.sum(axis=0)
    display = np.asarray(counts.display, dtype=object)
    result = empty
    for p in range(n_persp):
        n1 = totals[p]
        n2 = totals.sum() - n1
        if n1 <= 0 or n2 <= 0:
            continue
        a = matrix[p]
        z = distinctive_terms(a, pooled - a, n1, n2, pooled)
        candidates = np.flatnonzero((a >= DISTINCTIVE_MIN_COUNT) & (z > 0))
        order = candidates[np.lexsort((display[candidates].astype(str), -z[candidates]))]
        result[p] = [str(display[i]) for i in order[:top]]
    return result
