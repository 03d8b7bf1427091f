"""Stance toward targets: tone and stance cues of the sentences that mention an actor.

For every perspective and target (an actor such as NATO or Russia, with its
aliases from the config) this module collects the sentences that mention
the target and reports:

- how often the target is mentioned (``mentions``, ``sentences`` and
  ``rate_per_10k`` = mentions · 10,000 / tokens of the perspective);
- their tone: the mean VADER compound score (see ``tone.py``) with a seeded
  percentile-bootstrap 95% interval (Efron & Tibshirani 1993), and the
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

What a lexicon method cannot tell: the tone is the tone of the sentence (or
window), not necessarily the attitude toward the target ("Russia condemned
NATO's threats" is negative for both); VADER's negation handling looks three
words back only; sarcasm, irony and scare quotes read literally; a
reporting verb or a quotation marks another voice but not whether the
author agrees with it; the cue lists count words, not their sense ("may"
the month, "force" the noun).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from framelens.analysis.config.settings import Config, Target
from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.annotations import cached_annotations, matching_rules
from framelens.analysis.process.pipeline import ProcessedDocument, processed
from framelens.analysis.process.tone import (
    NEGATIVE_THRESHOLD,
    POSITIVE_THRESHOLD,
    sentence_tones,
    text_tones,
    token_spans,
    window_span,
)
from framelens.analysis.results import Result
from framelens.analysis.stats import scores as stats
from framelens.analysis.text.lexicon import WORD_RUN_RE, Lexicon, Match, WordRunScreen

CUE_NAMES = ("hedges", "boosters", "deontic", "negation", "threat", "reported")
BOOTSTRAP_RESAMPLES = 2000
# Word runs where a case-insensitive Lexicon match may start: not inside a word and not
# after a hyphenated prefix ("escalation" in "de-escalation" is not a match of "escalat*").
_MATCH_START_RUN_RE = re.compile(r"(?<![^\W_])(?<![^\W_]-)[^\W_]+")
_QUOTE = '"'


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


def parse_target_alias(spec: str) -> tuple[str, tuple[str, ...]]:
    """``"NAME=alias one,alias two"`` → ``("NAME", ("alias one", "alias two"))``."""
    name, sep, rest = spec.partition("=")
    name = name.strip()
    aliases = tuple(a.strip() for a in rest.split(",") if a.strip())
    if not sep or not name or not aliases:
        raise OptionError(f"--target-alias expects NAME=alias[,alias...], got {spec!r}")
    return name, aliases


def configured_targets(config: Config, target_alias: Iterable[str] = ()) -> tuple[Target, ...]:
    """The config's targets with ``--target-alias`` specs applied.

    A spec whose name equals a target's name (ignoring case) adds aliases to
    it; any other name becomes a new target at the end, in the given order.
    """
    targets = list(config.targets)
    for spec in target_alias:
        name, aliases = parse_target_alias(spec)
        for index, target in enumerate(targets):
            if target.name.casefold() == name.casefold():
                merged = tuple(dict.fromkeys(target.aliases + aliases))
                targets[index] = Target(target.name, merged)
                break
        else:
            targets.append(Target(name, aliases))
    return tuple(targets)


def select_targets(targets: Sequence[Target], names: Iterable[str]) -> tuple[Target, ...]:
    """Targets named in ``names`` (canonical names, any case), in config order.

    No names selects all. An unknown name is an :class:`OptionError` listing
    the targets.
    """
    names = list(names)
    if not names:
        return tuple(targets)
    by_key = {t.name.casefold(): t for t in targets}
    unknown = [n for n in names if n.casefold() not in by_key]
    if unknown:
        raise OptionError(f"unknown target {unknown[0]!r} (targets: "
                          f"{', '.join(t.name for t in targets) or 'none'}; "
                          "add one with --target-alias NAME=alias,...)")
    wanted = {n.casefold() for n in names}
    return tuple(t for t in targets if t.name.casefold() in wanted)


# ------------------------------------------------------------------- matching


class ScreenedLexicon:
    """A :class:`Lexicon` that skips its regular expression when no term can match.

    :meth:`find` returns exactly ``Lexicon.find(text)``; the screen
    (:class:`WordRunScreen`) only avoids running the regular expression on text
    where it would find nothing. Non-ASCII text is never screened (Unicode
    case folding can match across scripts).
    """

    def __init__(self, entries: Mapping[str, Iterable[str]], *, case: str):
        entries = {name: tuple(terms) for name, terms in entries.items()}
        self.lexicon = Lexicon(entries, case=case)
        self.names = self.lexicon.names
        self.case = case
        self._screen = WordRunScreen([[t for terms in entries.values() for t in terms]])

    def may_match(self, text: str) -> bool:
        """False only when no term can match ``text``."""
        return self._screen.text_statuses(text)[0] > 0

    def find(self, text: str) -> list[Match]:
        """Exactly ``Lexicon.find(text)``."""
        return self.lexicon.find(text) if self.may_match(text) else []


class CueCounter:
    """Counts the matches of each cue list (``CUE_NAMES``) in a sentence.

    One case-insensitive :class:`Lexicon` per list, so overlapping cues count
    in each list ("must not" is deontic and a negation). :meth:`counts` gives
    exactly ``len(Lexicon.find(sentence))`` per list, faster: one screen of
    the sentence's word runs decides which lists can match at all; when only
    single-word terms (``may``, ``threat*``) of a list can match, each match
    is exactly one word run where a match may start (not inside a word, not
    after a hyphenated prefix, as ``Lexicon`` rules) equal to the word or
    starting with the wildcard's prefix, so those runs are counted without the
    regular expression. A test checks the equality on every bundled sentence.
    ``reported`` adds the sentence's double-quoted spans.
    """

    def __init__(self, config: Config):
        self.lexicons = tuple(Lexicon({name: config.cue_lexicon(name)}, case="insensitive")
                              for name in CUE_NAMES)
        self._screen = WordRunScreen([config.cue_lexicon(name) for name in CUE_NAMES])
        # str.startswith takes a tuple: one call per run instead of one per prefix.
        self._prefixes = [tuple(sorted(p)) for p in self._screen.single_prefixes]

    def counts(self, sentence: str) -> tuple[int, ...]:
        if not sentence.isascii():
            counts = [len(lexicon.find(sentence)) for lexicon in self.lexicons]
        else:
            lowered = sentence.lower()
            statuses = self._screen.statuses(WORD_RUN_RE.findall(lowered))
            starts: list[str] | None = None
            counts = []
            for index, status in enumerate(statuses):
                if status == 0:
                    counts.append(0)
                elif status == 2:
                    counts.append(len(self.lexicons[index].find(sentence)))
                else:
                    if starts is None:
                        starts = _MATCH_START_RUN_RE.findall(lowered)
                    words = self._screen.single_words[index]
                    prefixes = self._prefixes[index]
                    counts.append(sum(1 for r in starts if r in words or r.startswith(prefixes)))
        counts[-1] += quoted_spans(sentence)
        return tuple(counts)


def target_lexicon(targets: Sequence[Target]) -> ScreenedLexicon:
    """Targets' aliases: word boundaries, case-sensitive (a lower-case first letter may be capital)."""
    return ScreenedLexicon({t.name: t.aliases for t in targets}, case="first-letter")


def quoted_spans(sentence: str) -> int:
    """Double-quoted spans in a sentence: pairs of ``"``, plus one for an unpaired mark
    (a quotation the sentence splitter cut at a sentence end)."""
    return (sentence.count(_QUOTE) + 1) // 2


# ------------------------------------------------- per-document annotations


def target_mentions(corpus: Corpus, targets: Sequence[Target]
                    ) -> list[tuple[tuple[tuple[int, int, int], ...], ...]]:
    """Target mentions per document and sentence: ``(target index, start, end)`` triples.

    Aligned with ``processed(corpus)``; indices refer to ``targets``. Cached
    per document (content digest + the targets' aliases), so warm runs do not
    scan the text again.
    """
    lexicon = target_lexicon(targets)
    index = {name: k for k, name in enumerate(lexicon.names)}

    def compute(doc: ProcessedDocument) -> tuple:
        return tuple(tuple((index[m.name], m.start, m.end) for m in lexicon.find(sentence))
                     for sentence in doc.sentences)

    fingerprint = (tuple((t.name, tuple(t.aliases)) for t in targets),
                   matching_rules(lexicon.lexicon))
    return cached_annotations(corpus, "stance-targets", fingerprint, compute,
                              lambda payload, doc: _valid_annotation(payload, len(doc.sentences), None))


def sentence_cues(corpus: Corpus) -> list[tuple[tuple[int, ...], ...]]:
    """Cue counts (``CUE_NAMES`` order) per document and sentence; cached like mentions."""
    counter = CueCounter(corpus.config)

    def compute(doc: ProcessedDocument) -> tuple:
        return tuple(counter.counts(sentence) for sentence in doc.sentences)

    fingerprint = (tuple((name, tuple(corpus.config.cue_lexicon(name))) for name in CUE_NAMES),
                   tuple(matching_rules(lexicon) for lexicon in counter.lexicons))
    return cached_annotations(corpus, "stance-cues", fingerprint, compute,
                              lambda payload, doc: _valid_annotation(payload, len(doc.sentences),
                                                                     len(CUE_NAMES)))


def _valid_annotation(payload: object, sentences: int, width: int | None) -> bool:
    if not isinstance(payload, tuple) or len(payload) != sentences:
        return False
    if width is None:  # mentions: a tuple of (target, start, end) triples per sentence
        return all(type(item) is tuple for item in payload)
    return all(type(item) is tuple and len(item) == width for item in payload)


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
    documents = processed(corpus)
    perspectives = corpus.perspective_ids

    # Match every target (so overlapping aliases resolve as in the full matrix), keep selected.
    wanted = {k for k, t in enumerate(all_targets) if t in selected}
    keep_all = len(wanted) == len(all_targets)
    mentions: dict[tuple[int, int], tuple[tuple[int, int, int], ...]] = {}
    for d, per_sentence in enumerate(target_mentions(corpus, all_targets)):
        for i, triples in enumerate(per_sentence):
            if triples and not keep_all:
                triples = tuple(t for t in triples if t[0] in wanted)
            if triples:
                mentions[(d, i)] = triples

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
    group_tones = [np.fromiter((u[0] for u in group_units[g]), dtype=np.float64,
                               count=len(group_units[g])) for g in groups]
    intervals = stats.bootstrap_mean_cis(group_tones, seed=seed, resamples=BOOTSTRAP_RESAMPLES)
    for g, rate, tones, (mean, low, high) in zip(groups, rates, group_tones, intervals,
                                                  strict=True):
        shares = _polarity_shares(tones)
        cue_matrix = np.array([cues[d][i] for d, i in group_sentences[g]],
                              dtype=np.float64).reshape(-1, len(CUE_NAMES))
        if len(cue_matrix):
            rates_per_sentence = cue_matrix.mean(axis=0)
            reported_share = float((cue_matrix[:, -1] > 0).mean())
        else:
            rates_per_sentence = np.full(len(CUE_NAMES), math.nan)
            reported_share = math.nan
        rows.append(StanceRow(
            g[0], all_targets[g[1]].name, mention_count[g], len(group_sentences[g]),
            float(rate), mean, low, high, *shares, *(float(v) for v in rates_per_sentence),
            reported_share))

    warnings = tuple(f"target {name!r} is not mentioned in the corpus"
                     for name in names if targets and not any(
                         mention_count[(p, index_of[name])] for p in perspectives))
    extra = {"colours": _colours(corpus), "targets": names, "window": window, "seed": seed}
    unit_word = f"±{window}-token windows around each mention" if window else "sentences"
    matrix = Result(StanceRow, tuple(rows),
                    title="Stance toward targets: tone and cues per perspective",
                    caption=stance_caption(window, seed), warnings=warnings, extra=extra)
    if evidence is None:
        return matrix

    evidence_rows, spans = _evidence(documents, all_targets, groups, group_units, mentions,
                                     evidence)
    return Result(EvidenceRow, tuple(evidence_rows),
                  title=f"Evidence: the {evidence} most negative and most positive "
                        f"{unit_word} per perspective and target",
                  caption=evidence_caption(window), warnings=warnings,
                  extra={**extra, "matrix": matrix, "spans": spans, "evidence": evidence})


# A tone unit: (tone, doc index, sentence index, start, end); start/end delimit the
# window in the sentence (the whole sentence without --window).
_Unit = tuple[float, int, int, int, int]


def _tone_units(corpus: Corpus, documents: Sequence[ProcessedDocument],
                mentions: Mapping[tuple[int, int], tuple[tuple[int, int, int], ...]],
                group_sentences: Mapping[tuple[str, int], list[tuple[int, int]]],
                window: int | None) -> dict[tuple[str, int], list[_Unit]]:
    """Tone units per group: each sentence mentioning the target, or each mention's window."""
    if window is None:
        needed: dict[int, list[int]] = {}
        for d, i in mentions:
            needed.setdefault(d, []).append(i)
        tones = sentence_tones(corpus, needed)
        return {g: [(tones[key], key[0], key[1], 0, len(documents[key[0]].sentences[key[1]]))
                    for key in keys] for g, keys in group_sentences.items()}
    pending: list[tuple[tuple[str, int], int, int, int, int]] = []
    for (d, i), triples in mentions.items():
        sentence = documents[d].sentences[i]
        token_positions = token_spans(sentence)
        perspective = documents[d].perspective
        seen: set[tuple[int, int, int]] = set()
        for k, start, end in triples:
            lo, hi = window_span(token_positions, start, end, window)
            if (k, lo, hi) not in seen:  # a second mention inside the same window: one unit
                seen.add((k, lo, hi))
                pending.append(((perspective, k), d, i, lo, hi))
    scores = text_tones(corpus, [documents[d].sentences[i][lo:hi] for _, d, i, lo, hi in pending])
    units: dict[tuple[str, int], list[_Unit]] = {g: [] for g in group_sentences}
    for (g, d, i, lo, hi), score in zip(pending, scores, strict=True):
        units[g].append((score, d, i, lo, hi))
    return units


def _polarity_shares(tones: np.ndarray) -> tuple[float, float, float]:
    """Shares of negative (<= -0.05), neutral and positive (>= 0.05) scores."""
    if tones.size == 0:
        return (math.nan, math.nan, math.nan)
    negative = float((tones <= NEGATIVE_THRESHOLD).mean())
    positive = float((tones >= POSITIVE_THRESHOLD).mean())
    neutral = float(((tones > NEGATIVE_THRESHOLD) & (tones < POSITIVE_THRESHOLD)).mean())
    return negative, neutral, positive


def _evidence(documents, targets, groups, group_units, mentions, n):
    """The n lowest (<= -0.05) and n highest (>= 0.05) units per group, ties by position."""
    rows: list[EvidenceRow] = []
    spans: list[tuple[tuple[int, int], ...]] = []
    for g in groups:
        units = group_units[g]

        def position(u: _Unit) -> tuple[str, int, int]:
            return (documents[u[1]].doc_id, u[2], u[3])

        negative = sorted((u for u in units if u[0] <= NEGATIVE_THRESHOLD),
                          key=lambda u: (u[0], position(u)))[:n]
        positive = sorted((u for u in units if u[0] >= POSITIVE_THRESHOLD),
                          key=lambda u: (-u[0], position(u)))[:n]
        for polarity, chosen in (("negative", negative), ("positive", positive)):
            for rank, (tone, d, i, lo, hi) in enumerate(chosen, start=1):
                text = documents[d].sentences[i][lo:hi]
                rows.append(EvidenceRow(g[0], targets[g[1]].name, polarity, rank, tone,
                                        documents[d].doc_id, i, text))
                spans.append(tuple((start - lo, end - lo) for k, start, end in mentions[(d, i)]
                                   if k == g[1] and start >= lo and end <= hi))
    return rows, tuple(spans)


def _colours(corpus: Corpus) -> dict[str, tuple[str, str]]:
    """Perspective id → (label, colour) for the table view."""
    result = {}
    for pid in corpus.perspective_ids:
        perspective = corpus.config.perspective(pid)
        result[pid] = (perspective.label, perspective.colour) if perspective else (pid, "")
    return result


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
        f"with a percentile-bootstrap 95% interval ({BOOTSTRAP_RESAMPLES} resamples, seed "
        f"{seed}); negative <= -0.05 < neutral < 0.05 <= positive. It measures the tone of the "
        "text around the target, not necessarily the attitude to the target. "
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
    from framelens.analysis.lenses.topics import topic_sentences

    all_targets = configured_targets(corpus.config, target_alias)
    documents = processed(corpus)
    mentions = target_mentions(corpus, all_targets)
    topics_of: dict[tuple[int, int], list[str]] = {}
    for name, positions in topic_sentences(corpus).items():  # config order
        for position in positions:
            topics_of.setdefault(position, []).append(name)
    cues = sentence_cues(corpus)
    tones = sentence_tones(corpus, {d: range(len(doc.sentences))
                                    for d, doc in enumerate(documents)})
    order = {p: k for k, p in enumerate(corpus.perspective_ids)}
    rows = []
    for d, (document, doc) in enumerate(zip(corpus.documents, documents, strict=True)):
        for i, sentence in enumerate(doc.sentences):
            found = {k for k, _, _ in mentions[d][i]}
            names = ";".join(t.name for k, t in enumerate(all_targets) if k in found)
            rows.append(SentenceRow(doc.doc_id, doc.perspective, i,
                                    document.body_line + doc.lines[i] - 1, sentence, names,
                                    ";".join(topics_of.get((d, i), ())), tones[(d, i)],
                                    *cues[d][i]))
    rows.sort(key=lambda r: (order.get(r.perspective, len(order)), r.doc_id, r.sentence_index))
    return Result(SentenceRow, tuple(rows), title=f"Sentences: {len(rows)}",
                  caption="tone: VADER compound of the sentence; cue columns: matches in the "
                          "sentence (reported adds double-quoted spans); line: file line where "
                          "the sentence's paragraph starts. " + LIMITS,
                  extra={"colours": _colours(corpus)})
