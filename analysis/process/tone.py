"""Sentence tone: VADER compound scores, computed only where needed and cached.

Tone is the ``compound`` score of VADER (Hutto & Gilbert 2014, "VADER: A
Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text",
ICWSM). The compound score sums the valences of the lexicon words in a text
(after VADER's rules for negation, boosters, "but", capitals and
punctuation) and normalises the sum ``x`` to ``x / sqrt(x**2 + 15)``, so it
lies in -1...1. Following the VADER README, a text is positive when
``compound >= 0.05``, negative when ``compound <= -0.05`` and neutral in
between.

Scores come from :mod:`framelens.analysis.process.vader`, which reads the
lexicons of the ``vaderSentiment`` package (VADER's reference
implementation) and applies its rules four to six times faster than the
package does; its score of every text equals the package's
``polarity_scores(text)["compound"]`` (the same float, which
tests/analysis/process/test_vader.py proves on real, generated and random
text).

A sentence's tone is that score of the pipeline's normalised, original-case
sentence text. VADER's lexicon and rules are English: the tone of a sentence
of a document in any other language is missing (NaN: empty in CSV, "n/a" in
tables), never 0.0, and means are taken over the sentences that have one
(:data:`TONE_LANGUAGES`). Sentence scores are cached with the document
(``(digest, sentence_index)`` in the document cache), so a re-run never
rescores a sentence. Other texts (the window of
tokens around a mention) are cached by their content: the key is a hash of
the text itself, so the same window is scored once whatever the window size,
target list or document it came from.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.pipeline import (
    document_cache,
    document_languages,
    document_positions,
    document_texts,
    outlines,
)
from framelens.analysis.text.normalize import TOKEN_RE

# Languages VADER reads.
TONE_LANGUAGES = frozenset({"en"})
MISSING = math.nan
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

TONE_MEMO_KEY = "tones"
_TEXT_MEMO_KEY = "text-tones"
# Text tones live in the tone table under (this prefix + text hash, 0), apart from the
# (document digest, sentence index) keys of sentence tones.
_TEXT_KEY_PREFIX = "text:"


@lru_cache(maxsize=1)
def _analyzer():
    """One VADER scorer per process (loading its lexicons takes ~15 ms)."""
    from framelens.analysis.process.vader import CompoundScorer

    return CompoundScorer()


def compound(text: str) -> float:
    """VADER's compound score of ``text`` (the reference's ``polarity_scores(text)["compound"]``)."""
    return _analyzer().compound(text)


def compounds(texts: Iterable[str]) -> list[float]:
    """Compound scores of several texts, in order (on every core when there are many)."""
    from framelens.analysis.parallel import parallel_map

    return parallel_map(score_texts, list(texts), min_items=PARALLEL_MIN_TEXTS)


# Below this many texts a process pool costs more than it saves (the scorer does
# about 100,000 generated-corpus sentences a second on one core; on 2 cores a pool
# broke even near 40,000 of them: bench/vader_speed.py's sentences).
PARALLEL_MIN_TEXTS = 30_000


def score_texts(texts: Sequence[str]) -> list[float]:
    """:func:`compound` of each text, here (the function every process's map runs)."""
    score = _analyzer().compound
    return [score(text) for text in texts]


def polarity(score: float) -> str:
    """``negative`` (<= -0.05), ``positive`` (>= 0.05) or ``neutral`` (VADER's thresholds)."""
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def sentence_tones(corpus: Corpus,
                   needed: Mapping[int, Iterable[int]]) -> dict[tuple[int, int], float]:
    """Tone of the sentences asked for: ``{doc_index: [sentence indices]}``.

    ``doc_index`` indexes ``corpus.documents``.
    Returns ``{(doc_index, sentence_index): compound}``. Scores come from the
    run's memo, then the document cache, and only the rest are computed
    (and written back to the cache). Documents with identical text share
    their scores, since the cache key is the content digest.
    """
    documents = outlines(corpus)
    memo: dict[tuple[str, int], float] = corpus.memo.setdefault(TONE_MEMO_KEY, {})  # type: ignore[assignment]
    wanted: dict[tuple[int, int], tuple[str, int]] = {}
    untoned: dict[tuple[int, int], float] = {}
    for doc_index, indices in needed.items():
        doc = documents[doc_index]
        indices = list(indices)
        if indices and (min(indices) < 0 or max(indices) >= doc.sentence_count):
            bad = next(i for i in indices if not 0 <= i < doc.sentence_count)
            raise IndexError(f"sentence {bad} out of range for document {doc.doc_id!r}")
        if doc.language in TONE_LANGUAGES:
            digest = doc.digest
            wanted.update(((doc_index, i), (digest, i)) for i in indices)
        else:
            untoned.update(((doc_index, i), MISSING) for i in indices)
    missing_digests = {key[0] for key in wanted.values() if key not in memo}
    cache = document_cache(corpus)
    if cache is not None and missing_digests:
        memo.update(cache.get_tones(sorted(missing_digests)))
    # In request order (deterministic, and independent of the digests' values).
    to_score = list(dict.fromkeys(key for key in wanted.values() if key not in memo))
    if to_score:
        position = document_positions(corpus)
        texts = document_texts(corpus, {position[digest] for digest, _ in to_score},
                               keep=False)
        text_of = {doc.digest: doc.sentences for doc in texts.values()}
        fresh = dict(zip(to_score, compounds(text_of[d][i] for d, i in to_score), strict=True))
        memo.update(fresh)
        if cache is not None:
            cache.put_tones(fresh)
    if untoned:
        return {position: memo[wanted[position]] if position in wanted else MISSING
                for position in (*wanted, *untoned)}
    return {position: memo[key] for position, key in wanted.items()}


def text_tones(corpus: Corpus, texts: Sequence[str],
               documents: Sequence[int] | None = None) -> list[float]:
    """Compound scores of arbitrary texts (mention windows), memoised and cached by content.

    ``documents[k]`` is the index of the document text ``k`` comes from; a text
    from a document VADER cannot read (:data:`TONE_LANGUAGES`) gets a missing tone.
    """
    if documents is not None:
        languages = document_languages(corpus)
        readable = [languages[d] in TONE_LANGUAGES for d in documents]
        if not all(readable):
            scores = iter(text_tones(corpus, [t for t, ok in zip(texts, readable, strict=True)
                                              if ok]))
            return [next(scores) if ok else MISSING for ok in readable]
    memo: dict[str, float] = corpus.memo.setdefault(_TEXT_MEMO_KEY, {})  # type: ignore[assignment]
    keys = [_TEXT_KEY_PREFIX + hashlib.sha256(t.encode()).hexdigest()[:32] for t in texts]
    missing = sorted(set(keys).difference(memo))
    cache = document_cache(corpus)
    if cache is not None and missing:
        memo.update((digest, score) for (digest, _), score in cache.get_tones(missing).items())
    text_of = dict(zip(keys, texts, strict=True))
    to_score = sorted(set(keys).difference(memo))
    if to_score:
        fresh = dict(zip(to_score, compounds(text_of[k] for k in to_score), strict=True))
        memo.update(fresh)
        if cache is not None:
            cache.put_tones({(k, 0): score for k, score in fresh.items()})
    return [memo[k] for k in keys]


def token_spans(sentence: str) -> list[tuple[int, int]]:
    """Character spans of the sentence's tokens (the pipeline tokenizer's pattern)."""
    return [m.span() for m in TOKEN_RE.finditer(sentence)]


def window_span(spans: Sequence[tuple[int, int]], start: int, end: int,
                size: int) -> tuple[int, int]:
    """Character span from ``size`` tokens before a mention to ``size`` tokens after it.

    ``spans`` are the sentence's token spans (:func:`token_spans`) and
    ``start``/``end`` the mention's character span. The window never crosses
    the sentence: it is clipped at its first and last token. Slicing the
    sentence with the result keeps the text between the tokens (punctuation,
    spaces) as written, since VADER reads it; punctuation after the last
    token of the window is not included.
    """
    if not spans:
        return start, end
    inside = [k for k, (s, e) in enumerate(spans) if s < end and e > start]
    if inside:
        first, last = inside[0], inside[-1]
    else:  # the mention holds no token (an alias of punctuation only): nearest token
        first = last = min(range(len(spans)), key=lambda k: abs(spans[k][0] - start))
    lo = max(0, first - size)
    hi = min(len(spans) - 1, last + size)
    return min(spans[lo][0], start), max(spans[hi][1], end)
