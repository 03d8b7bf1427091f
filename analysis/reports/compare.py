"""``framelens compare``: one overview of how the perspectives frame the topics.

Every number comes from the analysis of another command, called here with the
same options; this module only selects, reshapes and ranks their rows:

- ``corpus``: articles, words (pipeline tokens) and sentences per perspective,
  summed from :func:`framelens.analysis.lenses.sources.list_sources`;
- ``topics``: share of the perspective's sentences on each topic and the mean
  VADER tone of those sentences with its bootstrap 95% interval
  (:func:`framelens.analysis.lenses.topics.topics`);
- ``keywords``: the ``top`` terms per perspective by log-odds ratio z with an
  informative Dirichlet prior, each perspective against the rest
  (:func:`framelens.analysis.lenses.keywords.keyness`), with a short phrase around the
  term from keyness's example sentence (``PHRASE_TOKENS`` tokens either side);
- ``stance``: tone of the sentences mentioning each target, with mentions
  (:func:`framelens.analysis.lenses.stance.stance`);
- ``naming``: the contested names (:func:`framelens.analysis.lenses.naming.naming`)
  on which the perspectives differ (see :func:`naming_differences`);
- ``similarity``: TF-IDF cosine and Jensen–Shannon divergence for every pair
  of perspectives and the shared/unique vocabulary counts
  (:func:`framelens.analysis.lenses.similarity.similarity`, ``vocabulary=True``);
- ``contrasts``: the largest contrasts (:mod:`framelens.analysis.reports.contrasts`).

The result is a :class:`~framelens.analysis.results.Report`: one Result per
section, plus the same numbers as one tidy long table (``section,
perspective, item, metric, value, detail``; :mod:`framelens.analysis.reports.long_table`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.io.window import date_range
from framelens.analysis.process.document_pass import prepare
from framelens.analysis.reports.contrasts import (
    DEFAULT_CONTRASTS,
    DEFAULT_MIN_SENTENCES,
    contrasts_section,
)
from framelens.analysis.reports.long_table import long_table, units_note
from framelens.analysis.results import GroupStyle, Report, Result

SECTIONS = ("corpus", "topics", "keywords", "stance", "naming", "similarity", "contrasts")
DEFAULT_TOP = 5

DOMINANT_SHARE = 0.8
"""A perspective holding more than this share of the corpus's words gets a warning: one-vs-rest
keyness then mostly contrasts it with a small remainder."""
DEFAULT_MIN_DOCS = 2
"""Keywords must occur in at least this many of the perspective's articles (or all it has)."""
PHRASE_TOKENS = 6
"""Tokens either side of a keyword in its example phrase."""
PHRASE_SLACK = 3
"""A phrase keeps the rest of its sentence rather than cut this many tokens or fewer."""
VOCABULARY_EXAMPLES = 5


Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: called before each step (for a progress display)."""


# ------------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class CorpusSummaryRow:
    perspective: str
    label: str
    articles: int
    words: int
    sentences: int


@dataclass(frozen=True)
class TopicSummaryRow:
    perspective: str
    topic: str
    sentences: int
    share_of_sentences: float
    tone_mean: float
    tone_ci_low: float
    tone_ci_high: float
    documents: int
    ci_unit: str
    share_ci_low: float
    share_ci_high: float
    share_ci_unit: str


@dataclass(frozen=True)
class KeywordSummaryRow:
    perspective: str
    rank: int
    term: str
    z: float
    p_value: float
    count: int
    reference_count: int
    rate_per_10k: float
    reference_rate_per_10k: float
    alias_of: str
    example: str
    example_doc_id: str
    documents: int
    dp: float
    top_document_share: float
    doc_p_value: float


@dataclass(frozen=True)
class StanceSummaryRow:
    perspective: str
    target: str
    mentions: int
    sentences: int
    tone_mean: float
    tone_ci_low: float
    tone_ci_high: float
    share_negative: float
    share_positive: float
    articles: int
    ci_unit: str


@dataclass(frozen=True)
class NamingSummaryRow:
    concept: str
    difference: str
    variant: str
    perspective: str
    count: int
    share: float
    preferred: bool


@dataclass(frozen=True)
class SimilaritySummaryRow:
    kind: str
    perspective: str
    other: str
    cosine: float | None
    jsd: float | None
    terms: int
    examples: tuple[str, ...]


# ------------------------------------------------------------------------- options


def parse_sections(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"topics,stance"`` (or a list of names) → sections in canonical order.

    Names are case-insensitive; an empty value selects every section; an
    unknown name is an :class:`OptionError` listing the valid ones.
    """
    if text is None:
        return SECTIONS
    parts = text.split(",") if isinstance(text, str) else list(text)
    names = [p.strip().lower() for p in parts if p and p.strip()]
    if not names:
        return SECTIONS
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise OptionError(f"unknown section {unknown[0]!r} in --sections (valid: "
                          f"{', '.join(SECTIONS)})")
    return tuple(s for s in SECTIONS if s in names)


def _validate(top: int, contrasts: int, min_sentences: int, min_count: int) -> None:
    for name, value, low in (("--top", top, 1), ("--contrasts", contrasts, 0),
                             ("--min-sentences", min_sentences, 1),
                             ("--min-count", min_count, 1)):
        if value < low:
            raise OptionError(f"{name} must be at least {low}, not {value}")


# ------------------------------------------------------------------------ compare


def compare(
    corpus: Corpus,
    *,
    sections: Sequence[str] = SECTIONS,
    top: int = DEFAULT_TOP,
    contrasts: int = DEFAULT_CONTRASTS,
    min_sentences: int = DEFAULT_MIN_SENTENCES,
    min_count: int = 2,
    alpha0: float | None = None,
    keep_stopwords: bool = False,
    collocations: bool = True,
    target_alias: Iterable[str] = (),
    progress: Progress | None = None,
    min_docs: int = DEFAULT_MIN_DOCS,
    stance_model: str | Path | None = None,
) -> Report:
    """The overview: the chosen ``sections`` (canonical order) as one Report.

    ``top``: keywords per perspective; ``contrasts``: contrasts listed per
    kind; ``min_sentences``: sentences a perspective needs for its tone to
    count in a tone contrast; ``min_count``, ``alpha0``, ``keep_stopwords``,
    ``collocations``: as in ``keywords`` (``min_count`` also sets when a
    perspective "uses" a term in the vocabulary counts, as in
    ``similarity --vocabulary``); ``target_alias``: as in ``stance``;
    ``min_docs``: as in ``keywords`` (default 2: a keyword of one article is
    that article's, not the perspective's). ``progress`` is called before
    each step.

    Warnings (once each): a perspective holding more than ``DOMINANT_SHARE``
    of the words; perspectives whose articles all come from one outlet
    (their keywords then carry the outlet's house style).

    ``stance_model``: a model file from ``stance-model train``; the stance
    section is then followed by ``stance_shares``, the model-coded stance
    shares corrected for its error rates
    (:func:`~framelens.analysis.lenses.stance_model.shares.stance_shares`).
    """
    chosen = parse_sections(sections)
    _validate(top, contrasts, min_sentences, min_count)
    if min_docs < 1:
        raise OptionError(f"--min-docs must be at least 1, not {min_docs}")
    target_alias = tuple(target_alias)
    if alpha0 is not None and not (math.isfinite(alpha0) and alpha0 > 0):
        raise OptionError(f"--alpha0 must be a positive number, not {alpha0}")
    if set(chosen) & {"topics", "stance", "naming", "contrasts"}:
        prepare(corpus)  # one pass over every new document, before any section reads it
    steps = list(chosen)
    if "contrasts" in chosen:
        steps = [s for s in steps if s != "contrasts"]
        for needed in ("topics", "stance"):
            if needed not in steps:
                steps.append(needed)
        steps.append("contrasts")
    done = 0

    def step(name: str) -> None:
        nonlocal done
        if progress is not None:
            progress(name, done, len(steps))
        done += 1

    styles = corpus.styles
    warnings: list[str] = list(corpus_warnings(corpus))
    built: dict[str, Result] = {}
    from framelens.analysis.process.pipeline import word_comparison_note

    # Keywords and similarity compare words: within one language only (--language XX).
    mixed = word_comparison_note(corpus)
    topic_result = stance_result = None
    for name in steps:
        step(name)
        if name == "corpus":
            built[name] = _corpus_section(corpus, styles)
        elif name == "topics":
            topic_result = _topic_rows(corpus, warnings)
            built[name] = _topics_section(topic_result, styles, min_sentences=min_sentences)
        elif name in ("keywords", "similarity") and mixed:
            warnings.append(mixed)
            built[name] = Result(KeywordSummaryRow if name == "keywords" else SimilaritySummaryRow,
                                 (), title=f"{name.title()}: not across languages",
                                 caption=mixed, styles=styles)
        elif name == "keywords":
            built[name] = _keywords_section(corpus, styles, top=top, min_count=min_count,
                                            alpha0=alpha0, keep_stopwords=keep_stopwords,
                                            collocations=collocations, min_docs=min_docs,
                                            target_alias=target_alias, warnings=warnings)
        elif name == "stance":
            stance_result = _stance_rows(corpus, target_alias, warnings)
            built[name] = _stance_section(stance_result, styles, min_sentences=min_sentences)
        elif name == "naming":
            built[name] = _naming_section(corpus, styles, warnings)
        elif name == "similarity":
            built[name] = _similarity_section(corpus, styles, min_count=min_count,
                                              keep_stopwords=keep_stopwords,
                                              collocations=collocations, warnings=warnings)
        elif name == "contrasts":
            built[name] = contrasts_section(corpus, topic_result, stance_result, styles,
                                            per_kind=contrasts, min_sentences=min_sentences,
                                            target_alias=target_alias)
    if progress is not None:
        progress("done", len(steps), len(steps))
    ordered = tuple((name, built[name]) for name in chosen)
    if stance_model is not None and "stance" in chosen:
        from framelens.analysis.lenses.stance_model.shares import stance_shares

        shares = stance_shares(corpus, stance_model, target_alias=target_alias)
        warnings.extend(shares.warnings)
        at = [name for name, _ in ordered].index("stance") + 1
        ordered = ordered[:at] + (("stance_shares", shares),) + ordered[at:]
    sources = _corpus_totals(corpus)
    k = len(corpus.perspective_ids)
    title = (f"Compare: {sources[0]} article{'s' if sources[0] != 1 else ''}, "
             f"{sources[1]:,} words, {k} perspective{'s' if k != 1 else ''}; "
             + date_range(corpus).describe())
    prior = alpha0 if alpha0 is not None else _default_alpha0()
    return Report(title=title, sections=ordered, long_table=long_table(ordered),
                  caption=methods_caption(prior), warnings=tuple(dict.fromkeys(warnings)))


def methods_caption(alpha0: float) -> str:
    """The methods and where to look for detail (the footer of every view)."""
    return (
        "Methods: keywords = log-odds ratio with an informative Dirichlet prior (Monroe, "
        f"Colaresi & Quinn 2008; α0 = {alpha0:g}), z-scored, each perspective vs the rest; "
        "tone = VADER compound (-1…1) of each sentence, averaged with a seeded bootstrap 95% "
        "interval over the perspective's articles when at least "
        f"{_min_articles()} contribute, else over sentences, within these texts only (ci_unit; "
        "a lexicon reads words, not attitudes: read the evidence); similarity = "
        "TF-IDF cosine and Jensen–Shannon divergence of term distributions. Detail: framelens "
        "keywords --examples 3, framelens stance --evidence 3, framelens topics --topic NAME, "
        "framelens similarity --vocabulary, framelens naming.")


def _min_articles() -> int:
    from framelens.analysis.stats.bootstrap import MIN_ARTICLES_FOR_INTERVAL

    return MIN_ARTICLES_FOR_INTERVAL


def corpus_warnings(corpus: Corpus) -> tuple[str, ...]:
    """What an analyst must know before reading keyness: a perspective that holds most of the
    corpus's words, and perspectives whose articles all come from one outlet."""
    from framelens.analysis.lenses.sources import list_sources

    words: dict[str, int] = {}
    outlets: dict[str, set[str]] = {}
    for document, row in zip(corpus.documents, list_sources(corpus).rows, strict=True):
        words[row.perspective] = words.get(row.perspective, 0) + row.words
        outlets.setdefault(document.perspective, set()).add(document.outlet)
    total = sum(words.values())
    found = []
    for style in corpus.styles:
        share = words.get(style.id, 0) / total if total else 0.0
        if share > DOMINANT_SHARE and len(corpus.styles) > 1:
            found.append(f"{style.label} holds {share:.0%} of the corpus's words: its keywords "
                         "against the rest compare it with a small remainder, and the others' "
                         "keywords are mostly what they do not share with it")
    single = [f"{style.label} ({next(iter(outlets[style.id]))})" for style in corpus.styles
              if len(outlets.get(style.id, ())) == 1 and
              next(iter(outlets[style.id])) not in ("", "unknown")]
    if single:
        found.append("single outlet: " + ", ".join(single) + " — keyness then reflects the "
                     "outlet's house style (datelines, abbreviations) as much as the perspective")
    return tuple(found)


def _default_alpha0() -> float:
    from framelens.analysis.stats.keyness import DEFAULT_ALPHA0

    return DEFAULT_ALPHA0


def _corpus_totals(corpus: Corpus) -> tuple[int, int]:
    from framelens.analysis.lenses.sources import list_sources

    rows = list_sources(corpus).rows
    return len(rows), sum(r.words for r in rows)


# ------------------------------------------------------------------------ sections


def _corpus_section(corpus: Corpus, styles) -> Result:
    from framelens.analysis.lenses.sources import list_sources

    sources = list_sources(corpus).rows
    rows = []
    for style in styles:
        p = style.id
        mine = [r for r in sources if r.perspective == p]
        rows.append(CorpusSummaryRow(p, style.label, len(mine),
                                     sum(r.words for r in mine), sum(r.sentences for r in mine)))
    return Result(CorpusSummaryRow, tuple(rows), title="Corpus: articles, words and sentences "
                  "per perspective",
                  caption="words = tokens of framelens's tokenizer (stopwords included); "
                          "sentences from its splitter.", styles=styles)


def _topic_rows(corpus: Corpus, warnings: list[str]) -> Result | None:
    if not corpus.config.topics:
        warnings.append("the config defines no topics: the topics section and topic "
                        "contrasts are empty")
        return None
    from framelens.analysis.lenses.topics import topics

    return topics(corpus, terms=0, examples=1)


def _topics_section(result: Result | None, styles: tuple[GroupStyle, ...], *,
                    min_sentences: int) -> Result:
    rows = () if result is None else tuple(
        TopicSummaryRow(r.perspective, r.topic, r.sentences, r.share_of_sentences, r.tone_mean,
                        r.tone_ci_low, r.tone_ci_high, r.documents, r.ci_unit, r.share_ci_low,
                        r.share_ci_high, r.share_ci_unit) for r in result.rows)
    topics = () if result is None else result.extra["topics"]
    return Result(TopicSummaryRow, rows,
                  title="Topics: share of each perspective's sentences on the topic, and their "
                        "mean tone",
                  caption="share_of_sentences = sentences with a topic term / all the "
                          "perspective's sentences; tone = mean VADER compound of those "
                          "sentences with a seeded bootstrap 95% interval (NaN/empty when the "
                          "perspective has none); documents = articles with such sentences. "
                          "Topic lexicons from the config. " + units_note(
                              [r.ci_unit for r in rows] + [r.share_ci_unit for r in rows],
                              "tone and share"),
                  extra={"topics": topics, "min_sentences": min_sentences}, styles=styles)


def _keywords_section(corpus: Corpus, styles, *, top: int, min_count: int,
                      alpha0: float | None, keep_stopwords: bool, collocations: bool,
                      target_alias: tuple[str, ...], warnings: list[str],
                      min_docs: int = DEFAULT_MIN_DOCS) -> Result:
    from framelens.analysis.lenses.keywords import keyness
    from framelens.analysis.process.annotators import configured_targets

    if len(tuple(style.id for style in styles)) < 2:
        warnings.append("only one perspective: no keywords to compare")
        rows: tuple[KeywordSummaryRow, ...] = ()
        caption = ""
        documents: dict[str, int] = {}
    else:
        result = keyness(corpus, method="logodds", top=top, min_count=min_count,
                         min_docs=min_docs, keep_stopwords=keep_stopwords,
                         collocations=collocations, examples=1, alpha0=alpha0, test="welch")
        documents = result.extra["documents"]
        warnings.extend(result.warnings)
        aliases = _alias_index(configured_targets(corpus.config, target_alias))
        rank: dict[str, int] = {}
        built = []
        for r in result.rows:
            rank[r.perspective] = rank.get(r.perspective, 0) + 1
            built.append(KeywordSummaryRow(
                r.perspective, rank[r.perspective], r.term, r.z, r.p_value, r.count,
                r.reference_count,
                r.rate_per_10k, r.reference_rate_per_10k, aliases.get(_key(r.term), ""),
                example_phrase(r.example, r.term), r.example_doc_id, r.documents, r.dp,
                r.top_document_share, r.doc_p_value))
        rows = tuple(built)
        caption = result.caption
    from framelens.analysis.stats.bootstrap import MIN_ARTICLES_FOR_INTERVAL

    # The document-level p decides what is dimmed only when every perspective has the articles.
    document_level = bool(documents) and min(documents.values()) >= MIN_ARTICLES_FOR_INTERVAL
    return Result(KeywordSummaryRow, rows, extra={"documents": documents,
                                                  "document_level": document_level},
                  title=f"Keywords: top {top} per perspective by log-odds z (vs the rest)",
                  caption=(caption + f" example: the term with {PHRASE_TOKENS} tokens either "
                           "side, from keyness's example sentence. alias_of: the stance target "
                           "the term names (spellings such as US / U.S. / United States differ "
                           "between outlets; compare the target's mentions).").strip(),
                  styles=styles)


def _key(term: str) -> str:
    from framelens.analysis.text.normalize import term_key, tokenize

    return " ".join(term_key(t) for t in tokenize(term))


def _alias_index(targets) -> dict[str, str]:
    index: dict[str, str] = {}
    for target in targets:
        for alias in (target.name, *target.aliases):
            index.setdefault(_key(alias), target.name)
    return index


def example_phrase(sentence: str, term: str, size: int = PHRASE_TOKENS) -> str:
    """``sentence`` cut to ``size`` tokens either side of the first occurrence of ``term``.

    The term is found by its tokens' counting keys (as keyness counts it, so
    "Russia's" matches "Russia"). A side is kept whole when cutting it would
    leave out at most ``PHRASE_SLACK`` tokens; "…" marks a cut. When the term
    cannot be found (it should always be), the phrase starts at the sentence.
    """
    from framelens.analysis.process.tone import token_spans
    from framelens.analysis.text.normalize import term_key, tokenize

    spans = token_spans(sentence)
    if not spans:
        return sentence.strip()
    keys = [term_key((tokenize(sentence[s:e]) or [sentence[s:e]])[0]) for s, e in spans]
    wanted = [term_key(t) for t in tokenize(term)]
    n = len(wanted)
    first = next((i for i in range(len(keys) - n + 1) if n and keys[i:i + n] == wanted), 0)
    last = first + max(n, 1) - 1
    lo = first - size if first - size > PHRASE_SLACK else 0
    hi = last + size if len(spans) - 1 - (last + size) > PHRASE_SLACK else len(spans) - 1
    start = 0 if lo == 0 else spans[lo][0]
    end = len(sentence) if hi == len(spans) - 1 else spans[hi][1]
    text = sentence[start:end].strip()
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(spans) - 1 else "")


def _stance_rows(corpus: Corpus, target_alias: tuple[str, ...],
                 warnings: list[str]) -> Result:
    from framelens.analysis.lenses.stance import stance

    result = stance(corpus, target_alias=target_alias)
    warnings.extend(result.warnings)
    return result


def _stance_section(result: Result, styles: tuple[GroupStyle, ...], *,
                    min_sentences: int) -> Result:
    rows = tuple(StanceSummaryRow(r.perspective, r.target, r.mentions, r.sentences, r.tone_mean,
                                  r.tone_ci_low, r.tone_ci_high, r.share_negative,
                                  r.share_positive, r.articles, r.ci_unit) for r in result.rows)
    return Result(StanceSummaryRow, rows,
                  title="Stance: tone of the sentences mentioning each target",
                  caption="mentions = alias matches; sentences = sentences with a mention; "
                          "tone = their mean VADER compound with a seeded bootstrap 95% "
                          "interval; share_negative / share_positive = shares of those "
                          "sentences at <= -0.05 / >= 0.05; articles = articles with such "
                          "sentences. The tone of a sentence is not necessarily the attitude "
                          "toward the target. " + units_note([r.ci_unit for r in rows], "tone"),
                  extra={"targets": tuple(result.extra.get("targets", ())), "min_sentences": min_sentences},
                  styles=styles)


def _naming_section(corpus: Corpus, styles, warnings: list[str]) -> Result:
    from framelens.analysis.lenses.naming import naming

    result = naming(corpus)
    warnings.extend(result.warnings)
    rows = naming_differences(result.rows, tuple(style.id for style in styles))
    return Result(NamingSummaryRow, tuple(rows),
                  title="Naming: contested names where the perspectives' choices differ",
                  caption="Only concepts where the perspectives that mention them prefer "
                          "different variants (preferred_differs), or where one uses a variant "
                          "another that mentions the concept never uses (variant_not_shared), "
                          "or that only one perspective mentions (one_side_only); variants "
                          "nobody uses are left out. count = mentions; share = part of the "
                          "perspective's mentions of the concept; preferred = used strictly "
                          "more than any other variant.",
                  styles=styles)


def naming_differences(rows: Sequence, perspectives: Sequence[str]) -> list[NamingSummaryRow]:
    """The naming rows of the concepts on which the perspectives differ.

    For the perspectives that mention a concept at all: ``preferred_differs``
    when at least two of them have a preferred variant and these differ;
    else ``variant_not_shared`` when one of them uses a variant another never
    uses; else, when exactly one perspective mentions the concept,
    ``one_side_only``. Concepts every mentioning perspective names alike, and
    concepts nobody mentions, are left out, and so are variants nobody uses.
    """
    by_concept: dict[str, list] = {}
    for row in rows:
        by_concept.setdefault(row.concept, []).append(row)
    result: list[NamingSummaryRow] = []
    for concept, concept_rows in by_concept.items():
        total = {p: sum(r.count for r in concept_rows if r.perspective == p)
                 for p in perspectives}
        mentioning = [p for p in perspectives if total[p] > 0]
        if not mentioning:
            continue
        preferred = {r.perspective: r.variant for r in concept_rows
                     if r.preferred and r.perspective in mentioning}
        used = {p: {r.variant for r in concept_rows if r.perspective == p and r.count > 0}
                for p in mentioning}
        if len(set(preferred.values())) > 1:
            difference = "preferred_differs"
        elif len(mentioning) > 1 and any(used[p] - used[q] for p in mentioning
                                         for q in mentioning):
            difference = "variant_not_shared"
        elif len(mentioning) == 1:
            difference = "one_side_only"
        else:
            continue
        variants_used = {r.variant for r in concept_rows if r.count > 0}
        result.extend(NamingSummaryRow(concept, difference, r.variant, r.perspective, r.count,
                                       r.share, r.preferred)
                      for r in concept_rows if r.variant in variants_used)
    return result


def _similarity_section(corpus: Corpus, styles, *, min_count: int, keep_stopwords: bool,
                        collocations: bool, warnings: list[str]) -> Result:
    from framelens.analysis.lenses.similarity import similarity

    terms = {"keep_stopwords": keep_stopwords, "collocations": collocations}
    matrix = similarity(corpus, **terms)
    vocabulary = similarity(corpus, vocabulary=True, min_count=min_count,
                            examples=VOCABULARY_EXAMPLES, **terms)
    warnings.extend(matrix.warnings)
    warnings.extend(vocabulary.warnings)
    pair_only = {tuple(v.perspectives): v for v in vocabulary.rows if v.set == "pair"}
    shared_all = next((v for v in vocabulary.rows if v.set == "all"), None)
    rows: list[SimilaritySummaryRow] = []
    for r in matrix.rows:
        if r.a == r.b:
            continue
        # Terms used by exactly these two; with two perspectives that is the "all" set.
        shared = pair_only.get((r.a, r.b), shared_all if len(tuple(style.id for style in styles)) == 2
                               else None)
        rows.append(SimilaritySummaryRow("pair", r.a, r.b, r.cosine, r.jsd,
                                         shared.terms if shared else 0,
                                         tuple(shared.examples) if shared else ()))
    for kind in ("used", "unique"):
        rows.extend(SimilaritySummaryRow(kind, v.perspectives[0], "", None, None, v.terms,
                                         tuple(v.examples))
                    for v in vocabulary.rows if v.set == kind)
    if shared_all is not None:
        rows.append(SimilaritySummaryRow("all", "", "", None, None, shared_all.terms,
                                         tuple(shared_all.examples)))
    return Result(SimilaritySummaryRow, tuple(rows),
                  title="Similarity: how close the perspectives' vocabularies are",
                  caption=f"pair rows: cosine of TF-IDF vectors (1 = same term weights) and "
                          "Jensen–Shannon divergence, base 2 (0 = same distribution); terms = "
                          "terms used by these two perspectives and no other. A perspective "
                          f"uses a term with at least {min_count} occurrences: used = its "
                          "vocabulary, unique = used by no other perspective, all = used by "
                          "every one. examples: most frequent first.",
                  extra={"min_count": min_count}, styles=styles)


# ----------------------------------------------------------------------- contrasts




# ---------------------------------------------------------------------- long table


