"""Sentence tone: VADER compound scores, computed only where needed, cached by digest."""

from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process import tone
from framelens.analysis.process.pipeline import processed
from framelens.analysis.store.document_cache import DocumentCache
from tests.conftest import needs_cache, write_article


class CountingAnalyzer:
    """Wraps VADER and counts the texts it scores."""

    def __init__(self):
        self.inner = SentimentIntensityAnalyzer()
        self.texts: list[str] = []

    def compound(self, text):
        self.texts.append(text)
        return self.inner.polarity_scores(text)["compound"]


@pytest.fixture
def counting(monkeypatch):
    analyzer = CountingAnalyzer()
    monkeypatch.setattr(tone, "_analyzer", lambda: analyzer)
    return analyzer


def everything(corpus):
    return {d: range(len(doc.sentences)) for d, doc in enumerate(processed(corpus))}


def test_tone_is_vader_compound_of_every_bundled_sentence(bundled):
    corpus = load_corpus(bundled)
    tones = tone.sentence_tones(corpus, everything(corpus))
    reference = SentimentIntensityAnalyzer()
    documents = processed(corpus)
    assert len(tones) == sum(len(doc.sentences) for doc in documents) > 200
    for (d, i), score in tones.items():
        sentence = documents[d].sentences[i]
        assert score == reference.polarity_scores(sentence)["compound"], sentence
    # Original case matters to VADER (capitalised emphasis), and it is kept.
    assert any(s != s.lower() for doc in documents for s in doc.sentences)


def test_compound_matches_polarity_scores_on_hand_written_text():
    text = "The talks were NOT a success, and the outlook is grim!"
    assert tone.compound(text) == SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert tone.compounds([text, "Good."]) == [tone.compound(text), tone.compound("Good.")]


@pytest.mark.parametrize(("score", "expected"), [
    (0.05, "positive"), (0.0499, "neutral"), (0.0, "neutral"), (-0.0499, "neutral"),
    (-0.05, "negative"), (-1.0, "negative"), (1.0, "positive"),
])
def test_polarity_uses_vader_thresholds(score, expected):
    assert tone.polarity(score) == expected


def test_only_requested_sentences_are_scored(bundled, counting):
    corpus = load_corpus(bundled)
    tones = tone.sentence_tones(corpus, {0: [0, 2], 2: [1]})
    assert set(tones) == {(0, 0), (0, 2), (2, 1)}
    documents = processed(corpus)
    assert counting.texts == [documents[0].sentences[0], documents[0].sentences[2],
                              documents[2].sentences[1]]


@needs_cache
def test_second_run_reads_tones_from_the_cache(bundled, counting):
    first = load_corpus(bundled)
    scores = tone.sentence_tones(first, everything(first))
    computed = len(counting.texts)
    assert computed == len(scores)
    second = load_corpus(bundled)  # a new run: empty memo, same cache folder
    assert tone.sentence_tones(second, everything(second)) == scores
    assert len(counting.texts) == computed  # nothing rescored


def test_within_one_run_scores_are_memoised(bundled, counting):
    corpus = load_corpus(bundled, use_cache=False)
    tone.sentence_tones(corpus, {0: [0, 1]})
    tone.sentence_tones(corpus, {0: [1, 2]})
    assert len(counting.texts) == 3


def test_no_cache_scores_every_run_and_writes_nothing(bundled, counting, isolated_cache):
    for _ in range(2):
        corpus = load_corpus(bundled, use_cache=False)
        scores = tone.sentence_tones(corpus, {0: range(5)})
    assert len(counting.texts) == 10
    assert len(scores) == 5
    digests = [doc.digest for doc in processed(corpus)]
    assert DocumentCache().get_tones(digests) == {}


def test_documents_with_identical_text_share_scores(tmp_path, counting):
    body = "NATO is a threat. Russia wants peace."
    write_article(tmp_path, "a-one", "north", body)
    write_article(tmp_path, "a-two", "north", body)
    corpus = load_corpus(tmp_path)
    tones = tone.sentence_tones(corpus, everything(corpus))
    assert tones[(0, 0)] == tones[(1, 0)] and tones[(0, 1)] == tones[(1, 1)]
    assert len(counting.texts) == 2


def test_out_of_range_sentence_is_an_error(bundled):
    corpus = load_corpus(bundled)
    with pytest.raises(IndexError):
        tone.sentence_tones(corpus, {0: [10_000]})


def window(sentence: str, mention: str, size: int) -> str:
    start = sentence.index(mention)
    lo, hi = tone.window_span(tone.token_spans(sentence), start, start + len(mention), size)
    return sentence[lo:hi]


def test_window_takes_k_tokens_either_side_within_the_sentence():
    sentence = "Officials said the talks with NATO were long and very difficult."
    assert window(sentence, "NATO", 2) == "talks with NATO were long"
    assert window(sentence, "NATO", 0) == "NATO"
    # Clipped at the first and last token: the final full stop is not part of the window.
    assert window(sentence, "NATO", 50) == sentence[:-1]


def test_window_around_a_multi_token_mention_keeps_punctuation_between_tokens():
    sentence = "Yes, the North Atlantic Treaty Organization, frankly, is strong!"
    assert window(sentence, "North Atlantic Treaty Organization", 1) == \
        "the North Atlantic Treaty Organization, frankly"
    assert window("U.S. officials met.", "U.S.", 1) == "U.S. officials"


@needs_cache
def test_text_tones_are_scored_once_and_cached_by_content(bundled, counting):
    texts = ["NATO is a threat", "Russia wants peace", "NATO is a threat"]
    first = tone.text_tones(load_corpus(bundled), texts)
    reference = SentimentIntensityAnalyzer()
    assert first == [reference.polarity_scores(t)["compound"] for t in texts]
    assert sorted(counting.texts) == ["NATO is a threat", "Russia wants peace"]  # each once
    calls = len(counting.texts)
    assert tone.text_tones(load_corpus(bundled), texts[::-1]) == first[::-1]
    assert len(counting.texts) == calls  # a new run reads them from the cache
    no_cache = load_corpus(bundled, use_cache=False)
    assert tone.text_tones(no_cache, texts) == first
    assert len(counting.texts) == calls + 2
