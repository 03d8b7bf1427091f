"""What each document's sentences name: targets, stance cues, topic terms, naming variants.

Every annotator is a pure function of a processed document and a lexicon,
cached per document by :func:`~framelens.analysis.process.annotations.cached_annotations`
under a fingerprint of its terms and compiled matching rules. A word-run
screen (:class:`~framelens.analysis.text.lexicon.WordRunScreen`) in front of
each lexicon skips the regular expressions where no term can match. The
lenses (stance, topics, naming, similarity, compare) read these annotations;
none computes its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from framelens.analysis.config.settings import Config, Target, Topic
from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.annotations import Annotator, cached_annotations, matching_rules
from framelens.analysis.process.pipeline import ProcessedDocument, processed
from framelens.analysis.text.lexicon import WORD_RUN_RE, Lexicon, Match, WordRunScreen
from framelens.analysis.text.normalize import normalize

CUE_NAMES = ("hedges", "boosters", "deontic", "negation", "threat", "reported")
# Word runs where a case-insensitive Lexicon match may start: not inside a word and not
# after a hyphenated prefix ("escalation" in "de-escalation" is not a match of "escalat*").
_MATCH_START_RUN_RE = re.compile(r"(?<![^\W_])(?<![^\W_]-)[^\W_]+")
_QUOTE = '"'


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

    def find(self, text: str) -> list[Match]:
        """Exactly ``Lexicon.find(text)``."""
        return self.lexicon.find(text) if self.may_match(text) else []


def target_lexicon(targets: Sequence[Target]) -> ScreenedLexicon:
    """Targets' aliases: word boundaries, case-sensitive (a lower-case first letter may be capital)."""
    return ScreenedLexicon({t.name: t.aliases for t in targets}, case="first-letter")


def target_mentions(corpus: Corpus, targets: Sequence[Target]
                    ) -> list[tuple[tuple[tuple[int, int, int], ...], ...]]:
    """Target mentions per document and sentence: ``(target index, start, end)`` triples.

    Aligned with ``processed(corpus)``; indices refer to ``targets``. Cached
    per document (content digest + the targets' aliases), so warm runs do not
    scan the text again.
    """
    return cached_annotations(corpus, target_annotator(targets))


def target_annotator(targets: Sequence[Target]) -> Annotator:
    """The :class:`Annotator` of :func:`target_mentions`; a mention's sentence is toned."""
    return _target_annotator(tuple(targets))


# Compiling a lexicon takes milliseconds to a second: each annotator is built once a process.
@lru_cache(maxsize=16)
def _target_annotator(targets: tuple[Target, ...]) -> Annotator:
    lexicon = target_lexicon(targets)
    index = {name: k for k, name in enumerate(lexicon.names)}

    def compute(doc: ProcessedDocument) -> tuple:
        return tuple(tuple((index[m.name], m.start, m.end) for m in lexicon.find(sentence))
                     for sentence in doc.sentences)

    fingerprint = (tuple((t.name, tuple(t.aliases)) for t in targets),
                   matching_rules(lexicon.lexicon))
    return Annotator("stance-targets", fingerprint, compute,
                     lambda payload, doc: _valid_annotation(payload, len(doc.sentences), None),
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
        return tuple(counter.counts(sentence) for sentence in doc.sentences)

    fingerprint = (tuple((name, tuple(config.cue_lexicon(name))) for name in CUE_NAMES),
                   tuple(matching_rules(lexicon) for lexicon in counter.lexicons))
    return Annotator("stance-cues", fingerprint, compute,
                     lambda payload, doc: _valid_annotation(payload, len(doc.sentences),
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
    documents = processed(corpus)
    annotations = cached_annotations(corpus, topic_annotator(chosen))
    columns: list[tuple[list[int], list[int], list[int], list[int]]] = [
        ([], [], [], []) for _ in chosen]
    for d, (doc, payload) in enumerate(zip(documents, annotations, strict=True)):
        for s, t, found in payload:
            doc_ix, sent_ix, matches, tokens = columns[t]
            doc_ix.append(d)
            sent_ix.append(s)
            matches.append(found)
            tokens.append(len(doc.tokens[s]))
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

    def compute(doc: ProcessedDocument) -> tuple:
        hits = []
        for s, sentence in enumerate(doc.sentences):
            for t, status in enumerate(screen.text_statuses(sentence)):
                if not status:
                    continue
                found = len(lexicons[t].find(sentence))
                if found:
                    hits.append((s, t, found))
        return tuple(hits)

    def valid(payload, doc) -> bool:
        return isinstance(payload, tuple) and all(
            type(item) is tuple and len(item) == 3 and 0 <= item[0] < len(doc.sentences)
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

    def compute(doc: ProcessedDocument) -> tuple:
        text = "\n".join(doc.sentences)
        statuses = screen.text_statuses(text)
        return tuple((c, int(name), count) for c, lexicon in enumerate(lexicons) if statuses[c]
                     for name, count in sorted(lexicon.count(text).items()))

    def valid(payload, doc) -> bool:
        return isinstance(payload, tuple) and all(
            type(item) is tuple and len(item) == 3 and 0 <= item[0] < len(lexicons)
            for item in payload)

    fingerprint = (tuple((pair.concept, tuple((v.label, tuple(v.patterns)) for v in pair.variants))
                         for pair in pairs),
                   tuple(matching_rules(lexicon) for lexicon in lexicons))
    return Annotator("naming", fingerprint, compute, valid)
