"""What each document's sentences name: targets, stance cues, topic terms, naming variants.

Every annotator is a pure function of a processed document and a lexicon,
cached per document by :func:`~framelens.analysis.process.annotations.cached_annotations`
under a fingerprint of its terms and compiled matching rules. A word-run
screen (:class:`~framelens.analysis.text.lexicon.WordRunScreen`) in front of
each lexicon skips the regular expressions where no term can match. The
annotators of one document share its word analysis (:class:`SentenceWords`),
and count single-word terms from a table of word runs
(:class:`~framelens.analysis.text.lexicon.SingleWordMatches`) rather than by
regular expression. The lenses (stance, topics, naming, similarity, compare)
read these annotations; none computes its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from framelens.analysis.config.settings import Config, Target, Topic
from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.annotations import Annotator, cached_annotations, matching_rules
from framelens.analysis.process.pipeline import ProcessedDocument, outlines
from framelens.analysis.text.lexicon import (
    OPEN_TOKENS,
    WORD_RUN_RE,
    Lexicon,
    Match,
    SingleWordMatches,
    WordRunScreen,
    match_start_runs,
    run_tokens,
)
from framelens.analysis.text.normalize import normalize

CUE_NAMES = ("hedges", "boosters", "deontic", "negation", "threat", "reported")
_QUOTE = '"'
_SENTENCE_BREAK = "\x00"


class SentenceWords:
    """What every annotator reads of a document's sentences, worked out once for all four.

    Per sentence: ``lowered`` is its lower-cased text when it is ASCII (None
    otherwise: Unicode case folding can match across scripts, so no screen
    applies), ``runs`` the set of its lower-cased word runs (None when not
    ASCII); :meth:`tokens` (its :func:`run_tokens`, what the screens read) and
    :meth:`starts` (the runs where a case-insensitive match may start) are
    found on first use.
    """

    __slots__ = ("sentences", "lowered", "runs", "all_ascii", "_run_lists", "_starts",
                 "_tokens", "_document_tokens", "_generation")

    def __init__(self, sentences: tuple[str, ...]):
        self.sentences = sentences
        self.lowered = [s.lower() if s.isascii() else None for s in sentences]
        findall = WORD_RUN_RE.findall
        self._run_lists = [None if low is None else findall(low) for low in self.lowered]
        self.runs = [None if runs is None else frozenset(runs) for runs in self._run_lists]
        self.all_ascii = None not in self.lowered
        self._starts: list[list[str] | None] = [None] * len(sentences)
        self._tokens: list[AbstractSet[str] | None] = [None] * len(sentences)
        self._document_tokens: AbstractSet[str] | None = None
        self._generation = OPEN_TOKENS.generation

    def starts(self, index: int) -> list[str]:
        found = self._starts[index]
        if found is None:
            found = self._starts[index] = match_start_runs(self.lowered[index],
                                                           self._run_lists[index])
        return found

    def distinct_starts(self, index: int) -> AbstractSet[str]:
        """``set(starts(index))``: without a hyphen every run may start a match."""
        starts = self.starts(index)
        return self.runs[index] if starts is self._run_lists[index] else frozenset(starts)

    def tokens(self, index: int) -> AbstractSet[str]:
        """:func:`run_tokens` of an ASCII sentence."""
        self._check_generation()
        found = self._tokens[index]
        if found is None:
            found = self._tokens[index] = run_tokens(self.runs[index])
        return found

    def document_tokens(self) -> AbstractSet[str]:
        """:func:`run_tokens` of all the sentences of an ASCII document (the runs of
        sentences joined by any character that is not a letter or digit)."""
        self._check_generation()
        if self._document_tokens is None:
            self._document_tokens = run_tokens(frozenset().union(*self.runs))
        return self._document_tokens

    def _check_generation(self) -> None:
        if self._generation is not OPEN_TOKENS.generation:  # a screen was made since
            self._tokens = [None] * len(self.sentences)
            self._document_tokens = None
            self._generation = OPEN_TOKENS.generation


def single_word_counts(table: SingleWordMatches, words: SentenceWords, sentence: int
                       ) -> dict[int, int]:
    """Matches per lexicon of ``table`` among the match-start runs of an ASCII sentence
    (exact for a lexicon when only its single-word terms can match)."""
    tally: dict[int, int] = {}
    counts = table.counts(words.starts(sentence), words.distinct_starts(sentence))
    for (index, _), times in counts.items():
        tally[index] = tally.get(index, 0) + times
    return tally


# The one pass runs the annotators one after another on each document: the last
# document's words serve the next annotator (the tuple of sentences is held, so its
# identity cannot be reused by another document while it is remembered).
_last_words: list = [None]


def sentence_words(doc: ProcessedDocument) -> SentenceWords:
    """:class:`SentenceWords` of ``doc``'s sentences, shared with the previous call's."""
    words = _last_words[0]
    if words is None or words.sentences is not doc.sentences:
        words = _last_words[0] = SentenceWords(doc.sentences)
    return words


# --------------------------------------------------------------------- targets


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

    def find(self, text: str, lowered: str | None = None,
             tokens: AbstractSet[str] | None = None) -> list[Match]:
        """Exactly ``Lexicon.find(text)``; ``lowered`` and ``tokens``, when given, are an
        ASCII text's ``text.lower()`` and :func:`run_tokens` of its lower-cased word runs."""
        if tokens is None:
            return self.lexicon.find(text) if self.may_match(text) else []
        return (self.lexicon.find(text, lowered) if self._screen.candidates_of_tokens(tokens)
                else [])


def target_lexicon(targets: Sequence[Target]) -> ScreenedLexicon:
    """Targets' aliases: word boundaries, case-sensitive (a lower-case first letter may be capital)."""
    return ScreenedLexicon({t.name: t.aliases for t in targets}, case="first-letter")


def target_mentions(corpus: Corpus, targets: Sequence[Target]
                    ) -> list[tuple[tuple[tuple[int, int, int], ...], ...]]:
    """Target mentions per document and sentence: ``(target index, start, end)`` triples.

    Aligned with ``corpus.documents``; indices refer to ``targets``. Cached
    per document (content digest + the targets' aliases), so warm runs do not
    scan the text again.
    """
    return cached_annotations(corpus, target_annotator(targets))


def mentioning_sentences(corpus: Corpus, targets: Sequence[Target]
                         ) -> dict[tuple[int, int], tuple[tuple[int, int, int], ...]]:
    """``{(doc index, sentence index): mention triples}`` of the sentences that mention any
    of ``targets``, in document and sentence order (memoised: stance and its contrasts
    read the same)."""
    key = ("mentioning_sentences", tuple(targets))
    found = corpus.memo.get(key)  # type: ignore[call-overload]
    if found is None:
        found = {(d, i): triples
                 for d, per_sentence in enumerate(target_mentions(corpus, targets))
                 for i, triples in enumerate(per_sentence) if triples}
        corpus.memo[key] = found  # type: ignore[index]
    return found


def target_annotator(targets: Sequence[Target]) -> Annotator:
    """The :class:`Annotator` of :func:`target_mentions`; a mention's sentence is toned."""
    return _target_annotator(tuple(targets))


# Compiling a lexicon takes milliseconds to a second: each annotator is built once a process.
@lru_cache(maxsize=16)
def _target_annotator(targets: tuple[Target, ...]) -> Annotator:
    lexicon = target_lexicon(targets)
    index = {name: k for k, name in enumerate(lexicon.names)}

    # The document is searched at once, its sentences joined by a character that no
    # alias holds and that no pattern element matches (not a letter, digit, space or
    # hyphen): each match lies within one sentence, and the word-boundary tests at a
    # sentence's edges see what they see at the start and end of a lone sentence.
    joinable = not any(_SENTENCE_BREAK in alias for t in targets for alias in t.aliases)

    def compute(doc: ProcessedDocument) -> tuple:
        words = sentence_words(doc)
        sentences = doc.sentences
        text = _SENTENCE_BREAK.join(sentences)
        if not joinable or text.count(_SENTENCE_BREAK) != len(sentences) - 1:
            return tuple(tuple((index[m.name], m.start, m.end) for m in (
                lexicon.find(sentence) if lowered is None
                else lexicon.find(sentence, lowered, words.tokens(s))))
                         for s, (sentence, lowered) in enumerate(zip(sentences, words.lowered,
                                                                     strict=True)))
        if words.all_ascii:
            found = lexicon.find(text, _SENTENCE_BREAK.join(words.lowered),
                                 words.document_tokens())
        else:
            found = lexicon.find(text)
        mentions: list[list[tuple[int, int, int]]] = [[] for _ in sentences]
        s = 0
        start = 0  # of sentence s in text
        end = len(sentences[0]) if sentences else 0
        for match in found:
            while match.start > end:
                start = end + 1
                s += 1
                end = start + len(sentences[s])
            mentions[s].append((index[match.name], match.start - start, match.end - start))
        return tuple(map(tuple, mentions))

    fingerprint = (tuple((t.name, tuple(t.aliases)) for t in targets),
                   matching_rules(lexicon.lexicon))
    return Annotator("stance-targets", fingerprint, compute,
                     lambda payload, sentences: _valid_annotation(payload, sentences, None),
                     toned=lambda payload: (s for s, triples in enumerate(payload) if triples))


# ------------------------------------------------------------------------ cues


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
        self._single_words = SingleWordMatches(self.lexicons)

    def counts(self, sentence: str) -> tuple[int, ...]:
        return self.counts_in(SentenceWords((sentence,)), 0)

    def counts_in(self, words: SentenceWords, index: int) -> tuple[int, ...]:
        """:meth:`counts` of sentence ``index``, from its :class:`SentenceWords`."""
        sentence = words.sentences[index]
        lowered = words.lowered[index]
        if lowered is None:
            counts = [lexicon.number_of_matches(sentence) for lexicon in self.lexicons]
        else:
            counts = [0] * len(self.lexicons)
            single: dict[int, int] | None = None
            for list_index, status in self._screen.candidates_of_tokens(
                    words.tokens(index)).items():
                if status == 2:
                    counts[list_index] = self.lexicons[list_index].number_of_matches(sentence,
                                                                                     lowered)
                else:
                    if single is None:
                        single = single_word_counts(self._single_words, words, index)
                    counts[list_index] = single.get(list_index, 0)
        counts[-1] += quoted_spans(sentence)
        return tuple(counts)


def quoted_spans(sentence: str) -> int:
    """Double-quoted spans in a sentence: pairs of ``"``, plus one for an unpaired mark
    (a quotation the sentence splitter cut at a sentence end)."""
    return (sentence.count(_QUOTE) + 1) // 2


def sentence_cues(corpus: Corpus) -> list[tuple[tuple[int, ...], ...]]:
    """Cue counts (``CUE_NAMES`` order) per document and sentence; cached like mentions."""
    return cached_annotations(corpus, cue_annotator(corpus.config))


@lru_cache(maxsize=16)
def cue_annotator(config: Config) -> Annotator:
    """The :class:`Annotator` of :func:`sentence_cues` (one a config and process)."""
    counter = CueCounter(config)

    def compute(doc: ProcessedDocument) -> tuple:
        words = sentence_words(doc)
        counts_in = counter.counts_in
        return tuple(counts_in(words, s) for s in range(len(doc.sentences)))

    fingerprint = (tuple((name, tuple(config.cue_lexicon(name))) for name in CUE_NAMES),
                   tuple(matching_rules(lexicon) for lexicon in counter.lexicons))
    return Annotator("stance-cues", fingerprint, compute,
                     lambda payload, sentences: _valid_annotation(payload, sentences,
                                                            len(CUE_NAMES)))


def _valid_annotation(payload: object, sentences: int, width: int | None) -> bool:
    if not isinstance(payload, tuple) or len(payload) != sentences:
        return False
    if width is None:  # mentions: a tuple of (target, start, end) triples per sentence
        return all(type(item) is tuple for item in payload)
    return all(type(item) is tuple and len(item) == width for item in payload)


# ---------------------------------------------------------------------- topics


@dataclass(frozen=True)
class TopicHits:
    """Where one topic's terms occur: parallel arrays over its sentences.

    ``doc`` and ``sentence`` index ``corpus.documents`` and the document's
    sentences; ``matches`` counts the topic-term occurrences in the sentence
    and ``tokens`` the sentence's tokens. Sorted by (doc, sentence).
    """

    doc: np.ndarray
    sentence: np.ndarray
    matches: np.ndarray
    tokens: np.ndarray


def corpus_topics(corpus: Corpus, topics: Sequence[Topic] | None = None) -> tuple[Topic, ...]:
    """The topics to use: ``topics`` if given, else the config's, in config order."""
    return tuple(corpus.config.topics if topics is None else topics)


def topic_hits(corpus: Corpus, topics: Sequence[Topic] | None = None) -> dict[str, TopicHits]:
    """Every topic's matching sentences with match and token counts (memoised per corpus)."""
    chosen = corpus_topics(corpus, topics)
    key = ("topic_hits", chosen)
    cached = corpus.memo.get(key)  # type: ignore[call-overload]
    if cached is not None:
        return cached
    shapes = outlines(corpus)
    annotations = cached_annotations(corpus, topic_annotator(chosen))
    columns: list[tuple[list[int], list[int], list[int], list[int]]] = [
        ([], [], [], []) for _ in chosen]
    for d, (outline, payload) in enumerate(zip(shapes, annotations, strict=True)):
        for s, t, found in payload:
            doc_ix, sent_ix, matches, tokens = columns[t]
            doc_ix.append(d)
            sent_ix.append(s)
            matches.append(found)
            tokens.append(outline.sentence_tokens[s])
    hits: dict[str, TopicHits] = {}
    for topic, (doc_ix, sent_ix, matches, tokens) in zip(chosen, columns, strict=True):
        hits[topic.name] = TopicHits(np.asarray(doc_ix, dtype=np.int64),
                                     np.asarray(sent_ix, dtype=np.int64),
                                     np.asarray(matches, dtype=np.int64),
                                     np.asarray(tokens, dtype=np.int64))
    corpus.memo[key] = hits  # type: ignore[index]
    return hits


def topic_annotator(topics: Sequence[Topic]) -> Annotator:
    """The :class:`Annotator` behind :func:`topic_hits`: ``(sentence, topic index, matches)``
    for every sentence a topic term hits; a hit sentence is toned."""
    return _topic_annotator(tuple(topics))


@lru_cache(maxsize=16)
def _topic_annotator(topics: tuple[Topic, ...]) -> Annotator:
    lexicons = [topic_lexicon(topic) for topic in topics]
    # Most sentences hold no topic's words: the word-run screen says which topics'
    # regular expressions can match a sentence at all, and only those run.
    screen = WordRunScreen([[normalize(term) for term in topic.terms] for topic in topics])

    single_words = SingleWordMatches(lexicons)
    every_topic = dict.fromkeys(range(len(topics)), 2)

    def compute(doc: ProcessedDocument) -> tuple:
        words = sentence_words(doc)
        hits = []
        for s, (sentence, lowered) in enumerate(zip(doc.sentences, words.lowered, strict=True)):
            candidates = (every_topic if lowered is None
                          else screen.candidates_of_tokens(words.tokens(s)))
            single: dict[int, int] | None = None
            for t in sorted(candidates):
                if candidates[t] == 2:
                    found = lexicons[t].number_of_matches(sentence, lowered)
                else:  # only single-word terms can match: counted from the word runs
                    if single is None:
                        single = single_word_counts(single_words, words, s)
                    found = single.get(t, 0)
                if found:
                    hits.append((s, t, found))
        return tuple(hits)

    def valid(payload, sentences: int) -> bool:
        return isinstance(payload, tuple) and all(
            type(item) is tuple and len(item) == 3 and 0 <= item[0] < sentences
            and 0 <= item[1] < len(lexicons) for item in payload)

    fingerprint = (tuple((t.name, tuple(t.terms)) for t in topics),
                   tuple(matching_rules(lexicon) for lexicon in lexicons))
    return Annotator("topic-hits", fingerprint, compute, valid,
                     toned=lambda payload: (s for s, _, _ in payload))


def topic_lexicon(topic: Topic) -> Lexicon:
    return Lexicon({topic.name: [normalize(t) for t in topic.terms]}, case="insensitive")


def topic_sentences(corpus: Corpus, topics: Sequence[Topic] | None = None
                    ) -> dict[str, list[tuple[int, int]]]:
    """``{topic: [(doc_index, sentence_index), ...]}`` for every topic, in config order.

    A sentence belongs to every topic with at least one term in it. Indices
    refer to ``corpus.documents`` / ``processed(corpus)`` and the document's
    sentences; lists are sorted. Memoised per corpus (via :func:`topic_hits`).
    """
    return {name: list(zip(h.doc.tolist(), h.sentence.tolist(), strict=True))
            for name, h in topic_hits(corpus, topics).items()}


def resolve_topic(corpus: Corpus, name: str) -> Topic:
    """A configured topic by name (exact, else case-insensitive); OptionError if unknown."""
    topics = corpus.config.topics
    for topic in topics:
        if topic.name == name:
            return topic
    folded = [t for t in topics if t.name.casefold() == name.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    known = "; ".join(t.name for t in topics) or "none configured"
    raise OptionError(f"unknown topic {name!r} (topics: {known})")


# ---------------------------------------------------------------------- naming


def concept_lexicon(pair) -> Lexicon:
    return Lexicon({str(i): [normalize(p) for p in variant.patterns]
                    for i, variant in enumerate(pair.variants)}, case="insensitive")


def variant_mentions(corpus: Corpus, pairs) -> list[tuple]:
    """Per document, ``(concept index, variant index, mentions)`` for every variant found.

    One Lexicon per concept over the document's sentences joined by newlines;
    cached per document like the other annotations.
    """
    return cached_annotations(corpus, naming_annotator(pairs))


def naming_annotator(pairs) -> Annotator:
    """The :class:`Annotator` of :func:`variant_mentions`."""
    return _naming_annotator(tuple(pairs))


@lru_cache(maxsize=16)
def _naming_annotator(pairs: tuple) -> Annotator:
    lexicons = [concept_lexicon(pair) for pair in pairs]
    # Most articles name few of the concepts: the word-run screen skips the others.
    screen = WordRunScreen([[normalize(p) for variant in pair.variants for p in variant.patterns]
                            for pair in pairs])

    single_words = SingleWordMatches(lexicons)
    every_concept = dict.fromkeys(range(len(pairs)), 2)

    def compute(doc: ProcessedDocument) -> tuple:
        # The sentences joined by newlines: its word runs (and the runs where a match
        # may start) are the sentences' runs, as a newline separates words.
        words = sentence_words(doc)
        candidates = (screen.candidates_of_tokens(words.document_tokens()) if words.all_ascii
                      else every_concept)
        found = []
        single: dict[tuple[int, str], int] | None = None
        text: str | None = None
        for c in sorted(candidates):
            if candidates[c] == 1:  # only single-word variants can match
                if single is None:
                    single = single_words.counts(
                        [run for s in range(len(doc.sentences)) for run in words.starts(s)])
                counts = {name: n for (concept, name), n in single.items() if concept == c}
            else:
                if text is None:
                    text = "\n".join(doc.sentences)
                counts = lexicons[c].count(text)
            found.extend((c, int(name), count) for name, count in sorted(counts.items()))
        return tuple(found)

    def valid(payload, sentences: int) -> bool:
        return isinstance(payload, tuple) and all(
            type(item) is tuple and len(item) == 3 and 0 <= item[0] < len(lexicons)
            for item in payload)

    fingerprint = (tuple((pair.concept, tuple((v.label, tuple(v.patterns)) for v in pair.variants))
                         for pair in pairs),
                   tuple(matching_rules(lexicon) for lexicon in lexicons))
    return Annotator("naming", fingerprint, compute, valid)
