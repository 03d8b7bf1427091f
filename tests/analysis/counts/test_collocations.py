"""Collocation detection (analysis/counts/collocations.py) against nltk's finders.

The module counts n-grams and computes G² with numpy. ``nltk_collocations``
below is its earlier implementation, kept as the reference: Counter tables
handed to nltk's ``BigramCollocationFinder`` / ``TrigramCollocationFinder``
and scored by their ``likelihood_ratio``. Every test here asserts that both
give the same collocations, counts and G² (to 1e-9 relative) in the same
order, on the bundled corpus, on hand-made sentences and on generated ones.
The hand-computed G² examples and the filters are in tests/analysis/lenses/test_keywords.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framelens.analysis.counts import collocations
from framelens.analysis.counts.collocations import (
    BIGRAM_G2_THRESHOLD,
    COORDINATORS,
    DEFAULT_MIN_COUNT,
    TRIGRAM_G2_THRESHOLD,
    Collocation,
    corpus_collocations,
    find_collocations,
    run_starts,
)
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process.pipeline import processed
from framelens.analysis.text.normalize import is_stopword, term_key, tokenize
from tests.conftest import BUNDLED, REPO

# ------------------------------------------------------------------ the nltk reference


def nltk_collocations(
    sentences: Iterable[Sequence[str]],
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    extra_stopwords: frozenset[str] = frozenset(),
    bigram_threshold: float = BIGRAM_G2_THRESHOLD,
    trigram_threshold: float = TRIGRAM_G2_THRESHOLD,
) -> tuple[Collocation, ...]:
    """find_collocations as it was written with nltk's finders (the reference)."""
    from nltk.collocations import BigramCollocationFinder, TrigramCollocationFinder
    from nltk.metrics.association import BigramAssocMeasures, TrigramAssocMeasures
    from nltk.probability import FreqDist

    words: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    gapped: Counter[tuple[str, str]] = Counter()
    triples: Counter[tuple[str, str, str]] = Counter()
    for sentence in sentences:
        sentence = list(sentence)
        words.update(sentence)
        pairs.update(zip(sentence, sentence[1:], strict=False))
        gapped.update(zip(sentence, sentence[2:], strict=False))
        triples.update(zip(sentence, sentence[1:], sentence[2:], strict=False))

    def candidates(table: Counter) -> FreqDist:
        """The finder's n-gram table: frequent enough, no stopword at either edge."""
        return FreqDist({ngram: count for ngram, count in table.items()
                         if count >= min_count
                         and not (is_stopword(ngram[0], extra_stopwords)
                                  or is_stopword(ngram[-1], extra_stopwords))
                         and not (len(ngram) == 3 and ngram[1] in COORDINATORS)})

    found: list[Collocation] = []
    if pairs:
        finder = BigramCollocationFinder(FreqDist(words), candidates(pairs))
        for ngram, score in finder.score_ngrams(BigramAssocMeasures.likelihood_ratio):
            if score >= bigram_threshold:
                found.append(Collocation(tuple(ngram), int(finder.ngram_fd[ngram]),
                                         float(score)))
    if triples:
        finder = TrigramCollocationFinder(FreqDist(words), FreqDist(pairs), FreqDist(gapped),
                                          candidates(triples))
        pair_g2 = BigramAssocMeasures.likelihood_ratio
        total = finder.N
        for (w1, w2, w3), score in finder.score_ngrams(TrigramAssocMeasures.likelihood_ratio):
            if score < trigram_threshold:
                continue
            count = int(finder.ngram_fd[(w1, w2, w3)])
            left = pair_g2(count, (pairs[(w1, w2)], words[w3]), total)
            right = pair_g2(count, (words[w1], pairs[(w2, w3)]), total)
            if min(left, right) >= bigram_threshold:
                found.append(Collocation((w1, w2, w3), count, float(score)))
    found.sort(key=lambda c: (-round(c.g2, 9), c.keys))  # ties up to float noise: by keys
    return tuple(found)


def reference_runs(documents) -> list[list[str]]:
    """The corpus's runs of counting keys, one sentence at a time with :func:`run_starts`."""
    runs = []
    for doc in documents:
        for sentence, tokens in zip(doc.sentences, doc.tokens, strict=True):
            keys = [term_key(token) for token in tokens]
            starts = run_starts(sentence, len(keys))
            runs.extend(keys[i:j] for i, j in zip(starts, starts[1:] + [len(keys)], strict=True))
    return runs


def assert_same(found: Sequence[Collocation], expected: Sequence[Collocation]) -> None:
    """Same collocations and counts in the same order, G² equal to 1e-9 relative."""
    assert [(c.keys, c.count) for c in found] == [(c.keys, c.count) for c in expected]
    assert [c.g2 for c in found] == pytest.approx([c.g2 for c in expected], rel=1e-9)
    assert all(isinstance(c.count, int) and isinstance(c.g2, float) for c in found)


# ------------------------------------------------------------------- the bundled corpus


@pytest.fixture(scope="module")
def bundled_corpus():
    return load_corpus(BUNDLED, use_cache=False)


def test_corpus_collocations_match_nltk_on_the_bundled_corpus(bundled_corpus):
    documents = processed(bundled_corpus)
    stopwords = bundled_corpus.config.stopwords
    expected = nltk_collocations(reference_runs(documents), extra_stopwords=stopwords)
    assert len(expected) > 20  # enough to mean something
    assert_same(corpus_collocations(bundled_corpus), expected)
    for min_count in (1, 3):
        fresh = load_corpus(BUNDLED, use_cache=False)
        assert_same(corpus_collocations(fresh, min_count=min_count),
                    nltk_collocations(reference_runs(documents), min_count=min_count,
                                      extra_stopwords=stopwords))


def test_find_collocations_matches_nltk_on_the_bundled_runs(bundled_corpus):
    runs = reference_runs(processed(bundled_corpus))
    stopwords = bundled_corpus.config.stopwords
    assert_same(find_collocations(runs, extra_stopwords=stopwords),
                nltk_collocations(runs, extra_stopwords=stopwords))
    # Lower thresholds keep many weak candidates: their G² must agree too.
    options = {"min_count": 1, "bigram_threshold": 0.0, "trigram_threshold": 0.0}
    assert_same(find_collocations(runs, **options), nltk_collocations(runs, **options))


def test_production_path_does_not_import_nltk(tmp_path):
    script = ("import sys; from pathlib import Path; "
              "from framelens.analysis.io.reader import load_corpus; "
              "from framelens.analysis.counts.collocations import corpus_collocations; "
              f"found = corpus_collocations(load_corpus(Path({str(BUNDLED)!r}), use_cache=False)); "
              "assert found; print(sorted(m for m in sys.modules if m.split('.')[0] == 'nltk'))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=REPO, check=True,
                          env={**os.environ, "FRAMELENS_CACHE_DIR": str(tmp_path)})
    assert done.stdout.strip() == "[]"


# ----------------------------------------------------------------- hand-made sentences


def _filler(n: int) -> list[str]:
    return [f"w{i:02d}" for i in range(n)]


HAND_MADE = {
    # "new york" is strong, "new york times" fails its ((new york), times) joint.
    "joints": [["new", "york", "times", *_filler(200)[i:i + 2]] for i in range(0, 4, 2)]
    + [["new", "york", *_filler(200)[i:i + 2]] for i in range(4, 40, 2)]
    + [["times", *_filler(200)[i:i + 2]] for i in range(40, 200, 2)],
    # A genuine trigram with a stopword inside, and a coordination that never qualifies.
    "of_and": [["annexation", "of", "crimea", *_filler(60)[i:i + 3]] for i in range(0, 15, 3)]
    + [["ukraine", "and", "georgia", *_filler(60)[i:i + 3]] for i in range(15, 30, 3)]
    + [["of", "the", "security", "guarantees"]] * 3 + [_filler(60)[30:60]],
    # Runs of one and two words, a repeated pair, an acronym kept in capitals.
    "short_runs": [["US"], ["US", "sanctions"], ["US", "sanctions"], ["sanctions"], [],
                   ["the"], ["nato", "expansion", "nato", "expansion"], *[[w] for w in _filler(30)],
                   ["legally", "binding", "security", "guarantees"]] * 2,
    "empty": [],
    "one_word": [["alone"]],
}


@pytest.mark.parametrize("name", sorted(HAND_MADE))
@pytest.mark.parametrize("min_count", [1, 2, 3])
def test_find_collocations_matches_nltk_on_hand_made_sentences(name, min_count):
    sentences = HAND_MADE[name]
    for options in ({}, {"bigram_threshold": 0.0, "trigram_threshold": 0.0},
                    {"extra_stopwords": frozenset({"sanctions", "new"})}):
        assert_same(find_collocations(sentences, min_count=min_count, **options),
                    nltk_collocations(sentences, min_count=min_count, **options))


def test_a_table_with_a_negative_cell_is_dropped_where_nltk_fails():
    # "alpha" is every word: nltk's 2×2 table has n_oo = 4 − 4 − 4 + 2 < 0.
    sentences = [["alpha", "alpha"], ["alpha", "alpha"]]
    with pytest.raises(ValueError, match="math domain error"):
        nltk_collocations(sentences, bigram_threshold=0.0)
    assert find_collocations(sentences, bigram_threshold=0.0) == ()


def test_scores_match_nltk_measures_for_given_marginals():
    from nltk.metrics.association import BigramAssocMeasures, TrigramAssocMeasures

    # Tables given by their cells (nltk's order), some empty, some dominating N.
    cubes = [(1, 0, 0, 0, 0, 72, 0, 1927), (5, 3, 2, 40, 4, 20, 30, 896),
             (2, 0, 0, 0, 0, 0, 0, 8_999_998), (3, 1, 0, 250, 0, 897, 0, 6_640_648)]
    for cube in cubes:
        n_iii, pairs, words, total = TrigramAssocMeasures._marginals(*cube)
        g2 = collocations._trigram_g2(np.array([n_iii]), tuple(np.array([n]) for n in pairs),
                                      tuple(np.array([n]) for n in words), total)
        assert g2[0] == pytest.approx(
            TrigramAssocMeasures.likelihood_ratio(n_iii, pairs, words, total), rel=1e-12)
    for table in ((2, 0, 0, 38), (2, 18, 80, 222), (7, 0, 6_993, 6_634_799)):
        n_ii, (n_ix, n_xi), total = BigramAssocMeasures._marginals(*table)
        g2 = collocations._bigram_g2(np.array([n_ii]), np.array([n_ix]), np.array([n_xi]), total)
        assert g2[0] == pytest.approx(
            BigramAssocMeasures.likelihood_ratio(n_ii, (n_ix, n_xi), total), rel=1e-12)


def test_triples_are_counted_without_codes_when_they_would_overflow():
    # 3·10⁶ keys: size³ = 2.7·10¹⁹ does not fit in int64, so rows are counted as rows.
    size = 3_000_000
    rng = np.random.default_rng(7)
    columns = [rng.choice([0, 1, size - 1, size - 2], 500) for _ in range(3)]
    (first, second, third), counts = collocations._count_triples(*columns, size)
    expected = Counter(zip(*(c.tolist() for c in columns), strict=True))
    assert dict(zip(zip(first.tolist(), second.tolist(), third.tolist(), strict=True),
                    counts.tolist(), strict=True)) == expected
    small = [c % 5 for c in columns]
    (first, second, third), counts = collocations._count_triples(*small, 5)
    assert dict(zip(zip(first.tolist(), second.tolist(), third.tolist(), strict=True),
                    counts.tolist(), strict=True)) == Counter(
        zip(*(c.tolist() for c in small), strict=True))


# ------------------------------------------------------------------------- run splitting


def reference_flags(sentences: list[str], lengths: list[int]) -> list[bool]:
    flags = []
    for sentence, length in zip(sentences, lengths, strict=True):
        starts = set(run_starts(sentence, length))
        flags.extend(i in starts for i in range(length))
    return flags


def _tricky_sentences() -> list[str]:
    cases = json.loads((REPO / "tests" / "data" / "tricky_sentences.json").read_text("utf-8"))
    return [sentence for case in cases["cases"] for sentence in case["sentences"]]


def test_run_flags_match_run_starts_on_real_sentences(bundled_corpus):
    sentences = [s for doc in processed(bundled_corpus) for s in doc.sentences]
    sentences += _tricky_sentences()
    lengths = [len(tokenize(s)) for s in sentences]
    flags = collocations._run_start_flags(sentences, np.array(lengths, dtype=np.int64))
    assert flags.tolist() == reference_flags(sentences, lengths)


def test_run_flags_when_the_tokenizer_disagrees_or_the_marks_occur():
    clean = ["U.S. officials, in Kyiv, met.", "Talks - again", "", "seven, eight"]
    # The stand-in characters in the text itself: the one-sentence-at-a-time path.
    marked = ["One\x00two, three", "Four\x01five six", "", "seven, eight"]
    for sentences in (clean, marked):
        lengths = [len(tokenize(s)) for s in sentences]
        # A count that is not the tokenizer's makes the sentence one run.
        for deltas in ((0, 0, 0, 0), (-1, 0, 0, 0), (1, -1, 0, 0), (0, 1, 0, -1), (0, 0, 2, 0)):
            counts = [n + d for n, d in zip(lengths, deltas, strict=True)]
            flags = collocations._run_start_flags(sentences, np.array(counts, dtype=np.int64))
            assert flags.tolist() == reference_flags(sentences, counts), (sentences, counts)


_TEXT_ALPHABET = st.sampled_from(
    list("aZx9") + ["U.S.", "e.g.", "1,000", "3.5%", "10:30", "don't", "well-known",
                    "Ukraine's", "NATO"] + list(" .,;:/%-'\"()!?_\u2003\u00e9\u0661\u3000\x85"))


@settings(max_examples=200, deadline=None)
@given(sentences=st.lists(st.lists(_TEXT_ALPHABET, max_size=12).map("".join), max_size=6),
       miscount=st.lists(st.integers(-1, 1), max_size=6))
def test_run_flags_match_run_starts_on_generated_text(sentences, miscount):
    lengths = [len(tokenize(s)) for s in sentences]
    for i, delta in enumerate(miscount[:len(lengths)]):
        lengths[i] = max(0, lengths[i] + delta)
    flags = collocations._run_start_flags(sentences, np.array(lengths, dtype=np.int64))
    assert flags.tolist() == reference_flags(sentences, lengths)


# --------------------------------------------------------------------- generated sentences

_KEYS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "the", "of", "and", "US")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentences=st.lists(st.lists(st.sampled_from(_KEYS), max_size=8), max_size=25),
       min_count=st.integers(1, 3),
       thresholds=st.sampled_from([(BIGRAM_G2_THRESHOLD, TRIGRAM_G2_THRESHOLD), (0.0, 0.0),
                                   (2.0, 4.0)]))
def test_find_collocations_matches_nltk_on_generated_sentences(sentences, min_count, thresholds):
    options = {"min_count": min_count, "bigram_threshold": thresholds[0],
               "trigram_threshold": thresholds[1], "extra_stopwords": frozenset({"zeta"})}
    found = find_collocations(sentences, **options)
    assert list(found) == sorted(found, key=lambda c: (-round(c.g2, 9), c.keys))
    try:
        expected = nltk_collocations(sentences, **options)
    except ValueError:  # a negative cell (one word is most of the text): nltk cannot score it
        return
    assert_same(found, expected)
