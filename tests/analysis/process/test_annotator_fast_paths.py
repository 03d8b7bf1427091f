"""The annotators' fast paths against the plain matching they stand for.

The annotators share one word analysis per document (``SentenceWords``),
count single-word terms from a per-run table (``SingleWordMatches``), screen
texts by their word-run tokens (``WordRunScreen`` with the process's open-prefix
table), try only the terms of one first letter where the screen found a place
(``Lexicon``), and search a document's target mentions at once. Each must give
exactly what running each ``Lexicon`` on each sentence (or text) gives: these
tests compare them on tricky texts (multi-word and overlapping terms, wildcards,
case, hyphens, other scripts, regular-expression metacharacters, NUL bytes) and
on generated ones.
"""

from __future__ import annotations

import pickle
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from framelens.analysis.config.settings import NamingPair, NamingVariant, Target, Topic, load_config
from framelens.analysis.process import annotators
from framelens.analysis.process.pipeline import ProcessedDocument
from framelens.analysis.text import lexicon as lexicon_module
from framelens.analysis.text.lexicon import (
    MATCH_START_RUN_RE,
    OPEN_TOKENS,
    WORD_RUN_RE,
    Lexicon,
    SingleWordMatches,
    WordRunScreen,
    _RunWords,
    match_start_runs,
    term_runs,
)
from framelens.analysis.text.normalize import normalize

TRICKY_SENTENCES = [
    "The U.S.-Russian talks on NATO's non-expansion; de-escalation and the post-war order.",
    'Kyiv (Kiev) and Moscow: the Alliance said "no", The Alliance agreed, an alliance did not.',
    "SANCTIONED firms, sanctions, Sanction-busting and counter-sanctions; re-sanctioned.",
    "Киев и Украина; НАТО расширяется, Украины и Украине.",
    "北约东扩 and the West; 北大西洋公约组织.",
    "Zürich, ſanctions, naïve threats; the US, us, USA, EU-wide, the EU's.",
    "Special: (a+b)*[c]? $100 \\d+ .* ^x$ | {2,3} C++ and c++ and U.S. and u.s. policy.",
    "A NUL \x00 inside, and NATO\x00NATO across it.",
    "new members of NATO, joining NATO, new\nmembers, new  members, NATO expansion.",
    "may May MAY mayor dismay; must not, mustn't, must-not; threat threaten threatening.",
    "Kiev-based Kyivan Kievan Rus, Donbas Donbass, Crimea's Krym.",
    "",
    "-", "a-b-c -d --e _f g_h x-_y",
]

TARGETS = (
    Target("NATO", ("NATO", "the Alliance", "North Atlantic Alliance", "НАТО", "北约")),
    Target("United States", ("US", "U.S.", "United States", "Washington", "America*")),
    Target("Russia", ("Russia", "Russian Federation", "Kremlin*", "Росси*", "Moscow")),
    Target("Ukraine", ("Ukraine", "Kyiv", "Kiev", "Україн*", "Украин*")),
    Target("Odd", ("C++", "(a+b)*", "$100", "u.s. policy", "western", "EU")),
)

TOPICS = (
    Topic("Expansion", ("NATO expansion", "expan*", "non-expansion", "new members",
                        "members of NATO", "joining NATO", "расширени* НАТО", "北约东扩")),
    Topic("Sanctions", ("sanction*", "sanctions", "SANCTIONED", "counter-sanctions", "embargo")),
    Topic("Hedges", ("may", "might", "mayor", "dismay", "must not", "threat*", "threaten")),
    Topic("Odd", ("C++", "\\d+", ".*", "x$", "{2,3}", "a-b", "g_h", "NUL")),
)

NAMING = (
    NamingPair("Capital", (NamingVariant("Kyiv", ("Kyiv", "Kyivan")),
                           NamingVariant("Kiev", ("Kiev*",)),
                           NamingVariant("Киев", ("Киев*",)))),
    NamingPair("Region", (NamingVariant("Donbas", ("Donbas",)),
                          NamingVariant("Donbass", ("Donbass", "Donbas*")))),
    NamingPair("Peninsula", (NamingVariant("Crimea", ("Crimea", "Crimea's")),
                             NamingVariant("Krym", ("Krym",)))),
)


def document(sentences) -> ProcessedDocument:
    sentences = tuple(normalize(s) for s in sentences)
    return ProcessedDocument("d", "p", "x", sentences, tuple(() for _ in sentences),
                             tuple(1 for _ in sentences), tuple(range(len(sentences))))


def expected_mentions(doc: ProcessedDocument, targets) -> tuple:
    lexicon = Lexicon({t.name: t.aliases for t in targets}, case="first-letter")
    index = {t.name: k for k, t in enumerate(targets)}
    return tuple(tuple((index[m.name], m.start, m.end)
                       for m in re_find(lexicon, sentence)) for sentence in doc.sentences)


def re_find(lexicon: Lexicon, text: str) -> list[tuple[str, int, int]]:
    """The plain regular expression's matches: what every fast path must reproduce."""
    if not lexicon.pattern:
        return []
    names = lexicon._group_name
    return [lexicon_module.Match(names[m.lastgroup], m.start(), m.end(), m.group())
            for m in re.finditer(lexicon.pattern, text)]


def test_target_mentions_equal_each_sentences_plain_matches():
    annotator = annotators.target_annotator(TARGETS)
    for sentences in [TRICKY_SENTENCES, TRICKY_SENTENCES[:3], TRICKY_SENTENCES[7:9], [""], []]:
        doc = document(sentences)
        assert annotator.compute(doc) == expected_mentions(doc, TARGETS)
    found = annotator.compute(document(TRICKY_SENTENCES))
    assert sum(map(len, found)) > 20


def test_cue_counts_equal_one_plain_lexicon_per_list():
    config = load_config()
    annotator = annotators.cue_annotator(config)
    lexicons = [Lexicon({name: config.cue_lexicon(name)}) for name in annotators.CUE_NAMES]
    doc = document(TRICKY_SENTENCES)
    expected = []
    for sentence in doc.sentences:
        counts = [len(re_find(lexicon, sentence)) for lexicon in lexicons]
        counts[-1] += annotators.quoted_spans(sentence)
        expected.append(tuple(counts))
    assert annotator.compute(doc) == tuple(expected)


def test_topic_hits_equal_each_topics_plain_matches():
    annotator = annotators.topic_annotator(TOPICS)
    doc = document(TRICKY_SENTENCES)
    lexicons = [annotators.topic_lexicon(topic) for topic in TOPICS]
    expected = tuple((s, t, len(found)) for s, sentence in enumerate(doc.sentences)
                     for t, lexicon in enumerate(lexicons)
                     if (found := re_find(lexicon, sentence)))
    assert annotator.compute(doc) == expected
    assert len(expected) >= 8


def test_naming_mentions_equal_each_concepts_plain_count_of_the_joined_text():
    annotator = annotators.naming_annotator(NAMING)
    for sentences in [TRICKY_SENTENCES, TRICKY_SENTENCES[10:11], ["Kyiv Kyivan Kievan kiev"]]:
        doc = document(sentences)
        text = "\n".join(doc.sentences)
        expected = []
        for c, pair in enumerate(NAMING):
            counts: dict[str, int] = {}
            for match in re_find(annotators.concept_lexicon(pair), text):
                counts[match.name] = counts.get(match.name, 0) + 1
            expected.extend((c, int(name), n) for name, n in sorted(counts.items()))
        assert annotator.compute(doc) == tuple(expected), sentences


# Texts and terms from small alphabets, so that terms overlap, share prefixes and meet
# hyphens, underscores, capitals and letters outside ASCII.
_TEXT = st.text(alphabet="abAB -_'\n.é", max_size=40)
_WORD = st.text(alphabet="abAB", min_size=1, max_size=4)
_TERM = st.builds(lambda words, wildcard: " ".join(words) + ("*" if wildcard else ""),
                  st.lists(_WORD, min_size=1, max_size=2), st.booleans())
_ENTRIES = st.dictionaries(st.sampled_from("pqr"), st.lists(_TERM, min_size=1, max_size=4),
                           min_size=1, max_size=3)


@given(_TEXT)
def test_match_start_runs_equal_the_look_behind_pattern(text):
    assert match_start_runs(text) == MATCH_START_RUN_RE.findall(text)
    assert match_start_runs(text, WORD_RUN_RE.findall(text)) == MATCH_START_RUN_RE.findall(text)


@settings(max_examples=300, deadline=None)
@given(_ENTRIES, _TEXT, st.sampled_from(["insensitive", "first-letter"]))
def test_lexicon_find_equals_the_plain_regular_expression(entries, text, case):
    lexicon = Lexicon(entries, case=case)
    assert lexicon.find(text) == re_find(lexicon, text)
    assert lexicon.number_of_matches(text) == len(re_find(lexicon, text))
    if text.isascii():
        assert lexicon.find(text, text.lower()) == re_find(lexicon, text)


def _reference_statuses(lists, text: str) -> list[int]:
    """The screen's rule read literally: a term passes when each closed run is a run of
    the text and each open run starts one; 1 if only single-word terms pass."""
    if not text.isascii():
        return [2] * len(lists)
    runs = set(WORD_RUN_RE.findall(text.lower()))
    status = [0] * len(lists)
    for index, terms in enumerate(lists):
        for term in terms:
            term = term.strip()
            if not term:
                continue
            closed, opened = term_runs(term)
            if not term.isascii() or (not closed and not opened):
                status[index] = 2  # never screened (or "é" alone: never matches ASCII)
                continue
            if set(closed) <= runs and all(any(r.startswith(o) for r in runs) for o in opened):
                literal = term[:-1] if term.endswith("*") and len(term) > 1 else term
                single = (len(closed) + len(opened) == 1
                          and literal.lower() == (closed or opened)[0])
                status[index] = max(status[index], 1 if single else 2)
    return status


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_TERM, min_size=1, max_size=4), min_size=1, max_size=3), _TEXT)
def test_screen_statuses_follow_the_rule_and_never_miss_a_match(lists, text):
    screen = WordRunScreen(lists)
    statuses = screen.text_statuses(text)
    assert statuses == _reference_statuses(lists, text)
    for status, terms in zip(statuses, lists, strict=True):
        if re_find(Lexicon({"x": terms}), text):
            assert status > 0


@settings(max_examples=300, deadline=None)
@given(st.lists(_ENTRIES, min_size=1, max_size=3), _TEXT)
def test_single_word_counts_equal_the_plain_count_where_only_single_words_can_match(
        entry_lists, text):
    lexicons = [Lexicon(entries) for entries in entry_lists]
    table = SingleWordMatches(lexicons)
    if not text.isascii():
        return
    lowered = text.lower()
    counts = table.counts(match_start_runs(lowered))
    screen = WordRunScreen([[t for terms in entries.values() for t in terms]
                            for entries in entry_lists])
    for index, (lexicon, status) in enumerate(zip(lexicons, screen.text_statuses(text),
                                                  strict=True)):
        if status == 1:
            plain: dict[str, int] = {}
            for match in re_find(lexicon, text):
                plain[match.name] = plain.get(match.name, 0) + 1
            assert {name: n for (k, name), n in counts.items() if k == index} == plain


def test_a_screen_made_after_a_documents_words_still_sees_its_prefixes():
    doc = document(["Zyxwvut-ish quorblings everywhere."])
    words = annotators.sentence_words(doc)
    assert words.tokens(0)  # computed before the new screen exists
    screen = WordRunScreen([["quorbl* everywhere"]])
    assert screen.candidates_of_tokens(words.tokens(0)) == {0: 2}
    assert screen.candidates_of_tokens(words.document_tokens()) == {0: 2}


def test_an_unpickled_screen_registers_its_prefixes_in_a_fresh_table():
    screen = WordRunScreen([["glorptiz*"], ["blanket"]])
    saved = OPEN_TOKENS.words.prefixes
    try:
        OPEN_TOKENS._state = OPEN_TOKENS._fresh(_RunWords.of((), ()))  # as in a new worker
        copy = pickle.loads(pickle.dumps(screen))
        assert copy.statuses(WORD_RUN_RE.findall("the glorptizing blanket")) == [1, 1]
        assert copy.text_statuses("the GLORPTIZE") == [1, 0]
    finally:
        OPEN_TOKENS.register(saved)


def test_a_single_word_table_pickles_without_what_it_learnt():
    table = SingleWordMatches([Lexicon({"p": ["may", "threat*"], "q": ["mayor"]})])
    starts = ["may", "mayor", "threats", "may", "x"]
    counts = table.counts(starts)
    assert counts == {(0, "p"): 3, (0, "q"): 1}
    copy = pickle.loads(pickle.dumps(table))
    assert copy.fact_runs(frozenset()) == {}
    assert copy.counts(starts) == counts
