"""Collocation detection: multi-word terms found in the corpus itself.

Candidates are the adjacent bigrams and trigrams of counting keys
(:func:`framelens.analysis.text.term_key`) within a run of words that no
punctuation interrupts ("the United States/NATO" gives no "States NATO"
candidate; "Ukraine, Georgia" no "Ukraine Georgia"), found with
nltk's ``BigramCollocationFinder`` / ``TrigramCollocationFinder`` and scored by
their ``likelihood_ratio`` association measure: Dunning's (1993) G² of the
n-gram's contingency table against independence (Manning & Schütze 1999,
*Foundations of Statistical Natural Language Processing*, §5.3.4). For a
bigram (w1, w2) in a stream of N words:

    O = [[n(w1 w2),          n(w1) − n(w1 w2)],
         [n(w2) − n(w1 w2),  N − n(w1) − n(w2) + n(w1 w2)]]
    E_ij = row_i · col_j / N,        G² = 2 Σ O_ij ln(O_ij / E_ij)

(nltk evaluates O·ln(O/(E + 1e-20) + 1e-20), identical to the exact value
for every cell that is not empty). A trigram's table is 2×2×2 with the
expected counts of full independence of its three words.

A candidate is kept when

- it occurs at least ``min_count`` times (default 2: a phrase seen once is
  not a habit of anyone's writing);
- it neither starts nor ends with a stopword (scikit-learn's English list plus
  the config's), so "of the" is never a term while "annexation of Crimea" can be;
- its G² reaches the χ² critical value at p = 0.001: 10.83 for a bigram
  (χ²(1): a 2×2 table against independence has 1 degree of freedom) and
  18.47 for a trigram (χ²(4): a 2×2×2 table against full independence has
  8 − 1 − 3 = 4). p = 0.001 rather than 0.05 because thousands of candidates
  are tested at once; G² rather than PMI because PMI overrates rare pairs
  (Manning & Schütze §5.4);
- a trigram must also hold together at both joints, because the
  full-independence G² is large for any trigram that merely contains a strong
  bigram ("United States" + any word): the bigram G² of ((w1 w2), w3) and of
  (w1, (w2 w3)), each a 2×2 table of the pair against the word with the same
  N, must both reach 10.83; and its middle word must not be a coordinating
  conjunction ("Ukraine and Georgia" is two terms, not one).

nltk is imported inside :func:`find_collocations` only (it costs 1.6 s), and
:func:`corpus_collocations` caches its result: for the run in
``corpus.memo``, and across runs in the document cache under a digest of the
corpus's document digests and the parameters, so a warm run never imports nltk.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from framelens.analysis.corpus import Corpus
from framelens.analysis.pipeline import document_cache, processed
from framelens.analysis.text import TOKEN_RE, is_stopword, term_key, tokenize

DEFAULT_MIN_COUNT = 2
BIGRAM_G2_THRESHOLD = 10.83
"""χ²(1) critical value at p = 0.001."""
TRIGRAM_G2_THRESHOLD = 18.47
"""χ²(4) critical value at p = 0.001."""
COORDINATORS = frozenset({"and", "or", "nor", "but"})
# Bump when detection changes so cached collocations are never reused.
COLLOCATIONS_VERSION = "2"


@dataclass(frozen=True)
class Collocation:
    """A detected multi-word term: its counting keys, frequency and G²."""

    keys: tuple[str, ...]
    count: int
    g2: float

    @property
    def phrase(self) -> str:
        return " ".join(self.keys)


def find_collocations(
    sentences: Iterable[Sequence[str]],
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    extra_stopwords: frozenset[str] = frozenset(),
    bigram_threshold: float = BIGRAM_G2_THRESHOLD,
    trigram_threshold: float = TRIGRAM_G2_THRESHOLD,
) -> tuple[Collocation, ...]:
    """Bigram and trigram collocations in sentences of counting keys.

    Each sentence (or run of words between punctuation) is a sequence of
    keys; n-grams never cross from one to the next. The frequency tables are
    the ones nltk's ``from_documents`` builds (every word; adjacent pairs,
    (w1, _, w3) pairs and triples within a sentence), counted here with
    ``collections.Counter`` because nltk's own loop is about 5× slower; the
    finders then filter and score them. Returns the kept collocations sorted
    by (−G², keys).
    """
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
        if len(sentence) >= 2:
            pairs.update(zip(sentence, sentence[1:], strict=False))
        if len(sentence) >= 3:
            gapped.update(zip(sentence, sentence[2:], strict=False))
            triples.update(zip(sentence, sentence[1:], sentence[2:], strict=False))
    stop_cache: dict[str, bool] = {}

    def stop(key: str) -> bool:
        value = stop_cache.get(key)
        if value is None:
            value = stop_cache[key] = is_stopword(key, extra_stopwords)
        return value

    def candidates(table: Counter) -> FreqDist:
        """The finder's n-gram table: frequent enough, no stopword at either edge."""
        return FreqDist({ngram: count for ngram, count in table.items()
                         if count >= min_count and not (stop(ngram[0]) or stop(ngram[-1]))
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
    found.sort(key=lambda c: (-c.g2, c.keys))
    return tuple(found)


def corpus_collocations(corpus: Corpus, *, min_count: int = DEFAULT_MIN_COUNT
                        ) -> tuple[Collocation, ...]:
    """Collocations of the whole corpus, cached for the run and across runs."""
    memo_key = f"collocations:{min_count}"
    cached = corpus.memo.get(memo_key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    documents = processed(corpus)
    stopwords = corpus.config.stopwords
    digest = hashlib.sha256("\0".join(
        ["collocations", COLLOCATIONS_VERSION, str(min_count), repr(BIGRAM_G2_THRESHOLD),
         repr(TRIGRAM_G2_THRESHOLD), ",".join(sorted(stopwords)),
         *sorted(d.digest for d in documents)]).encode()).hexdigest()
    cache_key = f"collocations-{digest}"
    cache = document_cache(corpus)
    result: tuple[Collocation, ...] | None = None
    if cache is not None:
        payload = cache.get_many([cache_key]).get(cache_key)
        result = _from_payload(payload)
    if result is None:
        key_cache: dict[str, str] = {}

        def keys_of(tokens: Sequence[str]) -> list[str]:
            keys = []
            for token in tokens:
                key = key_cache.get(token)
                if key is None:
                    key = key_cache[token] = term_key(token)
                keys.append(key)
            return keys

        sentences = []
        for doc in documents:
            for sentence, tokens in zip(doc.sentences, doc.tokens, strict=True):
                keys = keys_of(tokens)
                starts = run_starts(sentence, len(keys))
                sentences.extend(keys[i:j] for i, j in zip(starts, starts[1:] + [len(keys)],
                                                           strict=True))
        result = find_collocations(sentences, min_count=min_count, extra_stopwords=stopwords)
        if cache is not None:
            cache.put_many({cache_key: tuple((c.keys, c.count, c.g2) for c in result)})
    corpus.memo[memo_key] = result
    return result


def _from_payload(payload: object) -> tuple[Collocation, ...] | None:
    """Collocations from a cached payload; None when it has the wrong shape."""
    if not isinstance(payload, tuple):
        return None
    result = []
    for item in payload:
        if not (isinstance(item, tuple) and len(item) == 3 and isinstance(item[0], tuple)
                and isinstance(item[1], int) and isinstance(item[2], float)):
            return None
        result.append(Collocation(item[0], item[1], item[2]))
    return tuple(result)


def word_runs(sentence: str) -> list[list[str]]:
    """The sentence's tokens (as :func:`tokenize` gives them) split at punctuation.

    A run ends wherever anything but whitespace separates two tokens.
    """
    tokens = tokenize(sentence)
    starts = run_starts(sentence, len(tokens))
    return [tokens[i:j] for i, j in zip(starts, starts[1:] + [len(tokens)], strict=True)
            if i < j]


def run_starts(sentence: str, token_count: int) -> list[int]:
    """Indices of the tokens that start a run of words (always 0 first).

    ``token_count`` is the number of tokens the pipeline found in the sentence;
    should the tokenizer ever disagree, the sentence is one run.
    """
    starts = [0]
    end = -1
    index = -1
    for index, match in enumerate(TOKEN_RE.finditer(sentence)):
        if index and sentence[end:match.start()].strip():
            starts.append(index)
        end = match.end()
    return starts if index + 1 == token_count else [0]
