"""Keyness (analysis/lenses/keywords.py) and collocation detection (analysis/counts/collocations.py).

Expected numbers are computed in the tests from the published formulas
(Monroe et al. 2008 eq. 16–22, Dunning's 4-cell G², Hardie's log ratio,
%DIFF) with the math module, on corpora small enough to count by hand.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framelens.analysis.config.settings import load_config
from framelens.analysis.counts.collocations import (
    BIGRAM_G2_THRESHOLD,
    TRIGRAM_G2_THRESHOLD,
    corpus_collocations,
    find_collocations,
    word_runs,
)
from framelens.analysis.counts.matrices import document_term_counts, group_rows
from framelens.analysis.counts.units import corpus_term_options
from framelens.analysis.errors import CorpusError, OptionError
from framelens.analysis.io.documents import Corpus, Document
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.keywords import REST, KeynessRow, keyness, parse_ngram_range, score_terms
from framelens.analysis.process.pipeline import processed
from framelens.analysis.stats import keyness as stats
from tests.conftest import needs_cache, write_article

COLUMNS = ("perspective", "reference", "term", "count", "reference_count", "rate_per_10k",
           "reference_rate_per_10k", "score", "z", "g2", "p_value", "log_ratio", "pct_diff",
           "documents", "reference_documents", "dp", "dp_norm", "top_document_share", "doc_t",
           "doc_p_value")


def same(rows) -> list[str]:
    """Rows as comparable text: NaN (an undefined dispersion or test) equals NaN."""
    return [repr(row) for row in rows]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def greek(tmp_path):
    """Three perspectives, word counts small enough to check by hand.

    north: alpha ×3, beta, gamma (5 tokens); south: beta ×2, gamma, delta (4);
    east: alpha, delta ×2 (3). Whole corpus: alpha 4, beta 3, gamma 2, delta 3 (12).
    """
    (tmp_path / "framelens.toml").write_text(
        "".join(f'[[perspectives]]\nid = "{p}"\nlabel = "{p.title()}"\ncolour = "#1f77b4"\n\n'
                for p in ("north", "south", "east")), encoding="utf-8")
    write_article(tmp_path, "n-1", "north", "alpha alpha alpha beta gamma.", outlet="Paper A")
    write_article(tmp_path, "s-1", "south", "beta beta gamma delta.", outlet="Paper B")
    write_article(tmp_path, "e-1", "east", "alpha delta delta.", outlet="Paper B")
    return load_corpus(tmp_path)


@pytest.fixture(scope="module")
def bundled_corpus():
    from tests.conftest import BUNDLED

    return load_corpus(BUNDLED, use_cache=False)


def monroe_z(a, b, n1, n2, alpha_w, alpha0):
    """Monroe, Colaresi & Quinn (2008) eq. 16–22, written out independently."""
    delta = (math.log((a + alpha_w) / (n1 + alpha0 - a - alpha_w))
             - math.log((b + alpha_w) / (n2 + alpha0 - b - alpha_w)))
    return delta / math.sqrt(1 / (a + alpha_w) + 1 / (b + alpha_w))


def dunning_g2(a, b, n1, n2):
    total = n1 + n2
    cells = [(a, n1 * (a + b) / total), (b, n2 * (a + b) / total),
             (n1 - a, n1 * (total - a - b) / total), (n2 - b, n2 * (total - a - b) / total)]
    value = 2 * sum(o * math.log(o / e) for o, e in cells if o > 0)
    return math.copysign(value, a / n1 - b / n2)


def by_term(result, perspective):
    return {r.term: r for r in result.rows if r.perspective == perspective}


# ------------------------------------------------------------------- hand-computed values


def test_one_vs_rest_row_matches_hand_computation(greek):
    result = keyness(greek, min_count=1, collocations=False)
    assert result.columns == COLUMNS
    row = by_term(result, "north")["alpha"]
    # alpha: a = 3 of n1 = 5 (north), b = 1 of n2 = 4 + 3 = 7 (south + east).
    assert (row.reference, row.count, row.reference_count) == (REST, 3, 1)
    alpha_w = 1000 * 4 / 12  # α0 · f_alpha / Σ f over the whole corpus
    z = monroe_z(3, 1, 5, 7, alpha_w, 1000)
    assert row.z == pytest.approx(z, rel=1e-12)
    assert row.score == row.z
    assert row.g2 == pytest.approx(dunning_g2(3, 1, 5, 7), rel=1e-12)
    assert row.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-9)
    assert row.log_ratio == pytest.approx(math.log2((3 / 5) / (1 / 7)), rel=1e-12)
    assert row.pct_diff == pytest.approx((3 / 5 - 1 / 7) * 100 / (1 / 7), rel=1e-12)
    assert row.rate_per_10k == pytest.approx(3 * 10_000 / 5)
    assert row.reference_rate_per_10k == pytest.approx(1 * 10_000 / 7)


def test_only_over_represented_terms_are_listed(greek):
    result = keyness(greek, min_count=1, collocations=False)
    # north: alpha 3/5 vs 1/7 and gamma 1/5 vs 1/7 are over-represented; beta 1/5 vs 2/7 not.
    assert set(by_term(result, "north")) == {"alpha", "gamma"}
    # delta: 1/4 in south, 2/8 in the rest: the same rate, δ = 0 exactly, not listed.
    assert set(by_term(result, "south")) == {"beta", "gamma"}
    assert set(by_term(result, "east")) == {"delta"}
    assert all(r.score > 0 for r in result.rows)


def test_zero_reference_count_and_g2_method(greek):
    result = keyness(greek, method="g2", min_count=1, collocations=False)
    row = by_term(result, "east")["delta"]
    # delta: a = 2 of 3 (east), b = 1 of 9 (north + south)
    assert row.score == row.g2 == pytest.approx(dunning_g2(2, 1, 3, 9), rel=1e-12)
    assert row.p_value == pytest.approx(math.erfc(math.sqrt(row.g2 / 2)), rel=1e-9)
    assert row.z == pytest.approx(monroe_z(2, 1, 3, 9, 1000 * 3 / 12, 1000), rel=1e-12)


def test_chi2_method_uses_quanteda_yates_rule(greek):
    result = keyness(greek, method="chi2", min_count=1, collocations=False)
    row = by_term(result, "east")["delta"]
    a, b, c, d = 2, 1, 1, 8
    n = a + b + c + d
    # Expected cell a+b=3 → E = 3·3/12 = 0.75 < 5 and |ad − bc| = 15 ≥ N/2: Yates applies.
    chi2 = n * (abs(a * d - b * c) - n / 2) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    assert row.score == pytest.approx(chi2, rel=1e-12)
    assert row.p_value == pytest.approx(math.erfc(math.sqrt(chi2 / 2)), rel=1e-9)


def test_pair_uses_only_the_two_groups_and_their_pooled_prior(greek):
    result = keyness(greek, pair=("north", "south"), min_count=1, collocations=False)
    assert {(r.perspective, r.reference) for r in result.rows} == {("north", "south"),
                                                                   ("south", "north")}
    row = by_term(result, "north")["alpha"]
    # a = 3 of 5, b = 0 of 4; prior from north + south: alpha 3, beta 3, gamma 2, delta 1.
    assert (row.count, row.reference_count) == (3, 0)
    assert row.z == pytest.approx(monroe_z(3, 0, 5, 4, 1000 * 3 / 9, 1000), rel=1e-12)
    assert row.log_ratio == pytest.approx(math.log2((3 / 5) / (0.5 / 4)), rel=1e-12)
    assert row.pct_diff == pytest.approx(380.0)
    south = by_term(result, "south")
    assert set(south) == {"beta", "gamma", "delta"}


def test_alpha0_option_changes_the_prior(greek):
    result = keyness(greek, min_count=1, collocations=False, alpha0=10)
    row = by_term(result, "north")["alpha"]
    assert row.z == pytest.approx(monroe_z(3, 1, 5, 7, 10 * 4 / 12, 10), rel=1e-12)
    assert "α0 = 10" in result.caption


def test_bonferroni_counts_every_tested_term_of_the_comparison(greek):
    result = keyness(greek, min_count=1, collocations=False, correction="bonferroni")
    assert result.columns == COLUMNS + ("p_adjusted",)
    row = by_term(result, "north")["alpha"]
    # north's tested terms: alpha, beta, gamma (count >= 1 in north), m = 3.
    assert row.p_adjusted == pytest.approx(min(1.0, 3 * row.p_value))


def test_benjamini_hochberg_on_bundled(bundled_corpus):
    result = keyness(bundled_corpus, correction="bh", top=0)
    for row in result.rows:
        assert row.p_value <= row.p_adjusted <= 1.0


def test_keep_stopwords_totals_count_every_word_token(tmp_path):
    (tmp_path / "framelens.toml").write_text(
        '[[perspectives]]\nid = "a"\n\n[[perspectives]]\nid = "b"\n', encoding="utf-8")
    write_article(tmp_path, "a-1", "a", "the cat sat on the mat. the cat is here.")
    write_article(tmp_path, "b-1", "b", "A dog ran to the park.")
    corpus = load_corpus(tmp_path)
    kept = by_term(keyness(corpus, min_count=1, keep_stopwords=True, collocations=False), "a")
    assert kept["the"].count == 3
    assert kept["the"].rate_per_10k == pytest.approx(3 * 10_000 / 10)  # 10 word tokens in a
    dropped = by_term(keyness(corpus, min_count=1, collocations=False), "a")
    assert "the" not in dropped
    assert dropped["cat"].rate_per_10k == pytest.approx(2 * 10_000 / 4)  # cat sat mat cat


def test_min_count_and_min_docs_filters(greek, bundled_corpus):
    assert "gamma" not in by_term(keyness(greek, min_count=2, collocations=False), "north")
    # delta occurs in two documents (south, east), alpha in two (north, east).
    result = keyness(greek, min_count=1, min_docs=2, collocations=False)
    assert {r.term for r in result.rows} <= {"alpha", "beta", "gamma", "delta"}
    assert "gamma" in by_term(result, "north")  # gamma is in north and south
    result = keyness(bundled_corpus, min_count=3, top=0)
    assert min(r.count for r in result.rows) >= 3


# ------------------------------------------------------------------------- properties


def test_every_score_is_finite_for_every_method(bundled_corpus):
    for method in ("logodds", "g2", "chi2"):
        result = keyness(bundled_corpus, method=method, top=0, min_count=1, ngram_range=(1, 2))
        assert result.rows
        for row in result.rows:
            values = (row.score, row.z, row.g2, row.p_value, row.log_ratio, row.pct_diff,
                      row.rate_per_10k, row.reference_rate_per_10k)
            assert all(math.isfinite(v) for v in values), row
            assert 0.0 <= row.p_value <= 1.0


def test_rows_are_ranked_by_score_then_term(bundled_corpus):
    result = keyness(bundled_corpus, top=0)
    for perspective in bundled_corpus.perspective_ids:
        rows = [r for r in result.rows if r.perspective == perspective]
        assert rows == sorted(rows, key=lambda r: (-r.score, r.term))
    top = keyness(bundled_corpus, top=5)
    assert [r.perspective for r in top.rows] == [p for p in ("ukraine", "russia", "china")
                                                 for _ in range(5)]


def test_document_order_changes_nothing(bundled_corpus):
    expected = keyness(bundled_corpus, examples=1, correction="bh").rows
    for order in itertools.permutations(bundled_corpus.documents):
        shuffled = Corpus(tuple(order), bundled_corpus.config, bundled_corpus.root,
                          use_cache=False)
        assert same(keyness(shuffled, examples=1, correction="bh").rows) == same(expected)


def test_swapping_the_pair_negates_every_signed_score(bundled_corpus):
    options = corpus_term_options(bundled_corpus)
    counts = document_term_counts(bundled_corpus, options)
    labels = [d.perspective for d in bundled_corpus.documents]
    matrix, totals = group_rows(counts, labels, ["russia", "china"])
    dense = matrix.toarray()
    present = dense.sum(axis=0) > 0
    a, b = dense[0, present], dense[1, present]
    alpha_w = stats.informative_prior(a + b)
    for method in ("logodds", "g2", "chi2"):
        forward = score_terms(a, b, totals[0], totals[1], alpha_w, alpha0=1000.0, method=method)
        backward = score_terms(b, a, totals[1], totals[0], alpha_w, alpha0=1000.0,
                               method=method)
        for name in ("score", "z", "g2", "log_ratio"):
            np.testing.assert_allclose(backward[name], -forward[name], rtol=0, atol=1e-12)
        np.testing.assert_allclose(backward["p"], forward["p"], rtol=1e-12)


def test_pair_a_b_and_b_a_give_the_same_keywords(bundled_corpus):
    forward = keyness(bundled_corpus, pair=("russia", "china"), top=0)
    backward = keyness(bundled_corpus, pair=("china", "russia"), top=0)
    assert sorted(same(forward.rows)) == sorted(same(backward.rows))
    assert forward.rows[0].perspective == "russia"
    assert backward.rows[0].perspective == "china"


# -------------------------------------------------------------------------- terms


def test_named_phrases_are_terms_on_the_bundled_corpus(bundled_corpus):
    counts = document_term_counts(bundled_corpus, corpus_term_options(bundled_corpus))
    terms = set(counts.terms)
    # The corpus writes "Minsk Agreement" (cn) and "Minsk process" (ru), never the plural.
    for phrase in ("security guarantees", "minsk agreement", "nato expansion",
                   "post-soviet space"):
        assert phrase in terms, phrase
    display = dict(zip(counts.terms, counts.display, strict=True))
    assert display["nato expansion"] == "NATO expansion"
    rows = keyness(bundled_corpus, top=0, min_count=1).rows
    assert ("ukraine", "post-Soviet space") in {(r.perspective, r.term) for r in rows}


def test_collocation_detection_alone_finds_phrases(bundled_corpus):
    found = {c.phrase for c in corpus_collocations(bundled_corpus)}
    assert {"security guarantees", "nato expansion", "legally binding",
            "annexation of crimea"} <= found
    # Stopword-edged candidates and coordinations never qualify.
    assert not any(p.split()[0] in {"the", "of"} or p.split()[-1] in {"the", "of"}
                   for p in found)
    assert "ukraine and georgia" not in found
    # "the United States/NATO": punctuation separates the words.
    assert "united states nato" not in found


def test_collocations_are_merged_as_terms_unless_turned_off(bundled_corpus):
    with_collocations = document_term_counts(bundled_corpus, corpus_term_options(bundled_corpus))
    without = document_term_counts(bundled_corpus,
                                   corpus_term_options(bundled_corpus, collocations=False))
    assert "russian-ukrainian border" in with_collocations.terms  # detected, not in the config
    assert "russian-ukrainian border" not in without.terms
    assert "nato expansion" in without.terms  # config phrase


def test_ngram_range_adds_multiword_terms(bundled_corpus):
    rows = keyness(bundled_corpus, ngram_range=(1, 3), top=0, min_count=2).rows
    assert any(" " in r.term and r.term.lower() not in {"united states"} for r in rows)


def test_parse_ngram_range():
    assert parse_ngram_range("1") == (1, 1)
    assert parse_ngram_range("1-3") == (1, 3)
    assert parse_ngram_range(" 2 - 2 ") == (2, 2)
    for bad in ("", "x", "3-1", "0", "1-9", "1-2-3", "-1"):
        with pytest.raises(OptionError):
            parse_ngram_range(bad)


# ------------------------------------------------------------------------ groups


def test_by_outlet_and_by_document(greek):
    outlets = keyness(greek, by="outlet", min_count=1, collocations=False)
    assert {r.perspective for r in outlets.rows} == {"Paper A", "Paper B"}
    row = by_term(outlets, "Paper A")["alpha"]
    # Paper A = north (5 tokens); Paper B = south + east (7 tokens, alpha once).
    assert (row.count, row.reference_count) == (3, 1)
    documents = keyness(greek, by="document", min_count=1, collocations=False)
    assert {r.perspective for r in documents.rows} == {"n-1", "s-1", "e-1"}


def test_unknown_pair_names_the_available_groups(greek):
    with pytest.raises(OptionError, match=r"unknown perspective 'west'.*north, south, east"):
        keyness(greek, pair=("north", "west"))
    with pytest.raises(OptionError, match="two different"):
        keyness(greek, pair=("north", "north"))


def test_single_group_is_an_error(tmp_path_factory, greek):
    folder = tmp_path_factory.mktemp("single")
    write_article(folder, "only", "north", "Alpha beta gamma.")
    with pytest.raises(CorpusError, match="same perspective"):
        keyness(load_corpus(folder))
    with pytest.raises(OptionError, match="same author"):
        keyness(greek, by="author")  # every article's author is "unknown"


@pytest.mark.parametrize("options", [
    {"method": "pmi"}, {"by": "title"}, {"correction": "holm"}, {"top": -1},
    {"min_count": 0}, {"min_docs": 0}, {"examples": -2}, {"alpha0": 0.0},
    {"alpha0": float("nan")}, {"ngram_range": (2, 1)},
])
def test_bad_options_are_option_errors(greek, options):
    with pytest.raises(OptionError):
        keyness(greek, **options)


# ------------------------------------------------------------------------ examples


def test_examples_come_from_the_target_and_contain_the_term(bundled_corpus):
    result = keyness(bundled_corpus, examples=2, top=10)
    assert result.columns == COLUMNS + ("example", "example_doc_id")
    perspective_of = {d.id: d.perspective for d in bundled_corpus.documents}
    sentences = {s for doc in processed(bundled_corpus) for s in doc.sentences}
    for row in result.rows:
        examples = row.example.split("\n")
        doc_ids = row.example_doc_id.split("\n")
        assert 1 <= len(examples) == len(doc_ids) <= 2
        for sentence, doc_id in zip(examples, doc_ids, strict=True):
            assert perspective_of[doc_id] == row.perspective
            assert sentence in sentences
            assert row.term.lower() in sentence.lower().replace("'s ", " ")


def test_no_example_columns_by_default(greek):
    result = keyness(greek, min_count=1, collocations=False)
    assert result.row_type is KeynessRow


# --------------------------------------------------------------------- collocations


def _filler(n: int) -> list[str]:
    return [f"w{i:02d}" for i in range(n)]


def test_bigram_likelihood_ratio_hand_computed():
    filler = _filler(36)
    sentences = [["alpha", "beta", *filler[0:2]], ["alpha", "beta", *filler[2:4]]]
    sentences += [filler[i:i + 4] for i in range(4, 36, 4)]
    (found,) = find_collocations(sentences)
    # N = 40 words; O = [[2, 0], [0, 38]]; E = [[0.1, 1.9], [1.9, 36.1]]
    # G² = 2 (2 ln(2/0.1) + 38 ln(38/36.1)) = 15.88122
    assert found.keys == ("alpha", "beta")
    assert found.count == 2
    assert found.g2 == pytest.approx(2 * (2 * math.log(20) + 38 * math.log(38 / 36.1)),
                                     rel=1e-9)
    assert found.g2 == pytest.approx(15.88122, abs=1e-5)
    assert found.g2 >= BIGRAM_G2_THRESHOLD


def test_collocation_filters():
    filler = _filler(40)
    sentences = [["alpha", "beta", *filler[0:2]], ["alpha", "beta", *filler[2:4]],
                 ["gamma", "delta"],  # seen once: below the minimum count
                 ["of", "epsilon", *filler[4:6]], ["of", "epsilon", *filler[6:8]]]
    sentences += [filler[i:i + 4] for i in range(8, 40, 4)]
    phrases = {c.phrase for c in find_collocations(sentences)}
    assert phrases == {"alpha beta"}
    assert {c.phrase for c in find_collocations(sentences, min_count=3)} == set()
    # With a threshold above its G², "alpha beta" goes too.
    assert find_collocations(sentences, bigram_threshold=1e6) == ()


def test_trigram_needs_both_joints():
    filler = _filler(200)
    # "new york" is a strong bigram; "new york times" occurs twice, but "times"
    # is common, so ((new york), times) is not a collocation on its own.
    sentences = [["new", "york", "times", *filler[i:i + 2]] for i in range(0, 4, 2)]
    sentences += [["new", "york", *filler[i:i + 2]] for i in range(4, 40, 2)]
    sentences += [["times", *filler[i:i + 2]] for i in range(40, 200, 2)]
    from nltk.collocations import TrigramCollocationFinder
    from nltk.metrics.association import TrigramAssocMeasures

    finder = TrigramCollocationFinder.from_documents(sentences)
    # Against full independence the trigram looks strong (G² ≈ 153 ≥ 18.47) ...
    assert finder.score_ngram(TrigramAssocMeasures.likelihood_ratio,
                              "new", "york", "times") > TRIGRAM_G2_THRESHOLD
    # ... but ((new york), times): n = 2, n(new york) = 20, n(times) = 82, N = 322 gives
    # G² ≈ 3.2 < 10.83, so it is dropped.
    phrases = {c.phrase for c in find_collocations(sentences)}
    assert "new york" in phrases
    assert "new york times" not in phrases


def test_word_runs_split_at_punctuation():
    assert word_runs("The United States/NATO, and Ukraine's \"security guarantees\" - now") == [
        ["The", "United", "States"], ["NATO"], ["and", "Ukraine"],
        ["security", "guarantees"], ["now"]]
    assert word_runs("U.S. officials met.") == [["U.S.", "officials", "met"]]


@needs_cache
def test_collocations_are_cached_across_runs(bundled, monkeypatch):
    import framelens.analysis.counts.collocations as module

    found = corpus_collocations(load_corpus(bundled))
    assert found
    monkeypatch.setattr(module, "_corpus_word_ids", None)  # counting tokens would fail loudly
    assert corpus_collocations(load_corpus(bundled)) == found


# ------------------------------------------------------------------ Hypothesis properties

_WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "the", "of")


@st.composite
def generated_corpora(draw):
    """2–5 documents from 2–3 perspectives, each a few sentences of words from _WORDS."""
    perspectives = ["p0", "p1", "p2"][:draw(st.integers(2, 3))]
    count = draw(st.integers(len(perspectives), 5))
    owners = perspectives + draw(st.lists(st.sampled_from(perspectives),
                                          min_size=count - len(perspectives),
                                          max_size=count - len(perspectives)))
    documents = []
    for i, owner in enumerate(owners):
        sentences = draw(st.lists(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=8),
                                  min_size=1, max_size=4))
        text = " ".join(" ".join(words) + "." for words in sentences)
        documents.append(Document(f"d{i}", f"D{i}", owner, text))
    config = load_config().with_perspectives_from(perspectives)
    return Corpus(tuple(sorted(documents, key=lambda d: d.id)), config, use_cache=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=generated_corpora(), method=st.sampled_from(["logodds", "g2", "chi2"]),
       seed=st.randoms(use_true_random=False))
def test_generated_corpora_properties(corpus, method, seed):
    options = {"method": method, "top": 0, "min_count": 1, "collocations": False,
               "correction": "bh"}
    result = keyness(corpus, **options)
    for row in result.rows:
        assert row.score > 0
        assert all(math.isfinite(v) for v in (row.score, row.z, row.g2, row.p_value,
                                              row.p_adjusted, row.log_ratio, row.pct_diff))
    shuffled = list(corpus.documents)
    seed.shuffle(shuffled)
    again = Corpus(tuple(shuffled), corpus.config, use_cache=False)
    assert same(keyness(again, **options).rows) == same(result.rows)
    first, second = corpus.perspective_ids[:2]
    forward = keyness(corpus, pair=(first, second), **options).rows
    backward = keyness(corpus, pair=(second, first), **options).rows
    assert sorted(same(forward)) == sorted(same(backward))


@pytest.mark.parametrize("ngram_range,keep_stopwords", [((1, 1), False), ((1, 3), False),
                                                        ((2, 3), True)])
def test_document_counts_summed_from_sentences_equal_counting_documents(bundled, ngram_range,
                                                                         keep_stopwords):
    from framelens.analysis.counts.matrices import (
        count_units,
        document_term_counts,
        sentence_term_counts,
        term_options,
    )
    from framelens.analysis.process.pipeline import processed

    corpus = load_corpus(bundled, use_cache=False)
    options = term_options(corpus, ngram_range=ngram_range, keep_stopwords=keep_stopwords)
    sentence_term_counts(corpus, options)  # held by the run: document rows are summed from it
    summed = document_term_counts(corpus, options)
    direct = document_term_counts(load_corpus(bundled, use_cache=False), options)
    assert direct.matrix.shape == count_units([doc.tokens for doc in processed(corpus)],
                                              options).matrix.shape
    assert summed.terms == direct.terms and summed.display == direct.display
    assert (summed.matrix != direct.matrix).nnz == 0 and summed.matrix.shape == direct.matrix.shape
    assert summed.token_totals.tolist() == direct.token_totals.tolist()
    assert summed.token_totals.dtype == direct.token_totals.dtype == np.int64
    assert summed.matrix.sum() > 1000
