"""MinHash signatures, LSH banding and the TF-IDF pair cosine, against hand-computed values
and brute-force references."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

from framelens.analysis.counts import near_duplicates as nd


def test_candidate_probability_by_hand():
    # s = 0.5, b = 2 bands of r = 2 rows: 1 - (1 - 0.25)^2 = 0.4375.
    assert nd.candidate_probability(0.5, 2, 2) == pytest.approx(0.4375, abs=1e-15)
    assert nd.candidate_probability(1.0, 3, 5) == 1.0
    assert nd.candidate_probability(0.0, 3, 5) == 0.0


def test_banding_for_picks_the_most_rows_within_the_miss_bound():
    # s = 0.59, 256 positions: r = 5 (b = 51) misses with (1 - 0.59^5)^51 = 0.0228 > 0.001;
    # r = 4 (b = 64) with (1 - 0.59^4)^64 = 2.57e-4.
    miss_five_rows, miss_four_rows = (1 - 0.59 ** 5) ** 51, (1 - 0.59 ** 4) ** 64
    assert miss_five_rows == pytest.approx(0.0228, abs=5e-4)
    assert miss_four_rows == pytest.approx(2.57e-4, abs=1e-6)
    assert nd.banding_for(0.59, 1e-3) == (64, 4)
    # Too dissimilar for banding with at least three rows: (1 - 0.3^3)^85 = 0.097.
    assert nd.banding_for(0.3, 1e-3) is None
    assert nd.banding_for(0.0, 1e-3) is None


def test_term_hashes_are_blake2b():
    expected = int.from_bytes(hashlib.blake2b(b"Kyiv", digest_size=8).digest(), "little")
    assert nd.term_hashes(["Kyiv"]).tolist() == [expected]


def test_signature_of_one_element_set_by_hand():
    hashes = nd.term_hashes(["talks", "border"])
    signatures = nd.minhash_signatures(hashes, [0, 1, 1, 2])  # {talks}, {}, {border}
    multipliers, offsets = nd._hash_functions(nd.NUM_PERMUTATIONS)
    for row, x in ((0, int(hashes[0])), (2, int(hashes[1]))):
        expected = [(((int(a) * x + int(c)) % 2 ** 64) >> 32) & 0xFFFF
                    for a, c in zip(multipliers.ravel(), offsets.ravel(), strict=True)]
        assert signatures[row].tolist() == expected
    assert not signatures[1].any()  # the empty set
    assert signatures.dtype == np.uint16 and signatures.shape == (3, nd.NUM_PERMUTATIONS)


def test_signature_is_the_minimum_over_the_set_whatever_the_order_or_chunking(monkeypatch):
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 2 ** 63, size=60, dtype=np.uint64)
    indptr = [0, 20, 20, 45, 60]
    whole = nd.minhash_signatures(hashes, indptr)
    from framelens.analysis.process import term_summaries

    monkeypatch.setattr(term_summaries, "_CHUNK_ELEMENTS", 7)  # sets longer than a chunk, and many chunks
    assert (nd.minhash_signatures(hashes, indptr) == whole).all()
    reversed_sets = np.concatenate([hashes[0:20][::-1], hashes[20:45][::-1], hashes[45:60]])
    assert (nd.minhash_signatures(reversed_sets, indptr) == whole).all()
    # Position i of set {x1..xk} equals the position of the element with the least g_i.
    multipliers, offsets = nd._hash_functions(nd.NUM_PERMUTATIONS)
    values = [[(int(a) * int(x) + int(c)) % 2 ** 64 for x in hashes[20:45]]
              for a, c in zip(multipliers.ravel()[:5], offsets.ravel()[:5], strict=True)]
    assert whole[2, :5].tolist() == [(min(v) >> 32) & 0xFFFF for v in values]


def test_equal_positions_estimate_the_jaccard_similarity():
    # 400 pairs of sets with Jaccard 60/140 = 0.4286: the share of equal positions is an
    # unbiased estimate (plus 2^-16 for the 16-bit values), sd sqrt(J(1-J)/256) = 0.031 a
    # pair, so the mean over 400 pairs is within 0.0016 (one sd) of J.
    rng = np.random.default_rng(11)
    shares = []
    for _ in range(400):
        pool = rng.integers(0, 2 ** 63, size=140, dtype=np.uint64)
        a, b = pool[:100], pool[40:]  # 60 shared, 140 in the union
        signatures = nd.minhash_signatures(np.concatenate([a, b]), [0, 100, 200])
        shares.append((signatures[0] == signatures[1]).mean())
    jaccard = 60 / 140
    assert abs(np.mean(shares) - jaccard) < 0.005
    assert np.std(shares) == pytest.approx(math.sqrt(jaccard * (1 - jaccard) / 256), rel=0.15)


def _brute_force_candidates(signatures, targets, bands, rows):
    pairs = set()
    for i in targets:
        for j in range(signatures.shape[0]):
            if i != j and any((signatures[i, b * rows:(b + 1) * rows]
                               == signatures[j, b * rows:(b + 1) * rows]).all()
                              for b in range(bands)):
                pairs.add((i, j))
    return sorted(pairs)


@pytest.mark.parametrize("n_targets", [3, 80])  # the direct path and the sorting path
def test_candidate_pairs_equal_brute_force(n_targets):
    rng = np.random.default_rng(5)
    # Values from a small alphabet, so that bands agree by chance often enough to matter.
    signatures = rng.integers(0, 3, size=(120, nd.NUM_PERMUTATIONS), dtype=np.uint16)
    signatures[7] = signatures[3]  # a copy agrees on every band
    signatures[9, :12] = signatures[4, :12]  # agrees on the first bands of 4 rows
    targets = sorted(rng.choice(120, size=n_targets, replace=False).tolist() + [3, 9])
    bands, rows = 16, 6
    first, second = nd.candidate_pairs(signatures, targets, bands=bands, rows=rows)
    expected = _brute_force_candidates(signatures, sorted(set(targets)), bands, rows)
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == expected
    assert (3, 7) in expected and (9, 4) in expected


def test_band_keys_differ_when_any_row_differs():
    signatures = np.zeros((3, nd.NUM_PERMUTATIONS), dtype=np.uint16)
    signatures[1, 5] = 1  # band 0 of 8 rows differs in its second word
    signatures[2, 8] = 1  # band 1 differs
    keys = nd.band_keys(signatures, 2, 8)
    assert keys[0, 0] != keys[1, 0] and keys[0, 1] == keys[1, 1]
    assert keys[0, 0] == keys[2, 0] and keys[0, 1] != keys[2, 1]


def test_tfidf_cosine_by_hand():
    from scipy import sparse

    # d1 = {a: 1, b: 1}, d2 = {a: 1}, n = 2: idf(a) = ln(3/3) + 1 = 1, idf(b) = ln(3/2) + 1
    # = 1.405465; d1 = (1, 1.405465) / 1.724915 = (0.579739, 0.814802), d2 = (1, 0).
    counts = sparse.csr_matrix(np.array([[1, 1], [1, 0]]))
    cosine = nd.pair_cosines(counts, [2, 1], 2, [0], [1])
    assert cosine.tolist() == pytest.approx([0.579739], abs=1e-6)
    assert nd.pair_cosines(counts, [2, 1], 2, [0], [0]).tolist() == pytest.approx([1.0])


def test_tfidf_rows_equal_scikit_learn():
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    rng = np.random.default_rng(2)
    dense = rng.poisson(0.4, size=(30, 50))
    dense[4] = 0  # an empty row stays empty
    counts = sparse.csr_matrix(dense)
    df = (dense > 0).sum(axis=0)
    ours = nd.tfidf_rows(counts, df, 30).toarray()
    theirs = TfidfTransformer(norm="l2", smooth_idf=True).fit_transform(counts).toarray()
    assert (ours == theirs).all()  # to the last bit
    # Rows taken from a bigger corpus: the df and n of the corpus, not of these rows.
    sub = nd.tfidf_rows(counts[10:20], df, 30).toarray()
    assert (sub == theirs[10:20]).all()


def test_agreeing_positions_counts_equal_positions():
    signatures = np.zeros((3, 6), dtype=np.uint16)
    signatures[1, [0, 2]] = 7
    signatures[2] = 7
    assert nd.agreeing_positions(signatures, [0, 0, 1], [1, 2, 2]).tolist() == [4, 0, 2]


def test_min_agreement_is_the_binomial_lower_tail_by_hand():
    # X ~ Binomial(4, 0.5): P(X = 0) = 1/16 = 0.0625, P(X <= 1) = 5/16 = 0.3125.
    assert nd.min_agreement(0.5, 0.1, num_permutations=4) == 1
    assert nd.min_agreement(0.5, 0.05, num_permutations=4) == 0
    assert nd.min_agreement(0.5, 0.4, num_permutations=4) == 2
    # At the default floor s = 0.59 over 256 positions: mean 151, sd 7.87; c = 122 sits
    # 3.7 sd below the mean (a normal tail of about 1e-4).
    assert nd.min_agreement(0.59, 1e-4) == 122


# ------------------------------------------------------------------ per-document products


def _reference_summaries(token_lists, options):
    """Term summaries by the definition: ``count_units`` over all the documents at once,
    each row's terms and counts, and the MinHash signature of each row's term set."""
    from framelens.analysis.counts.matrices import count_units

    counts = count_units(token_lists, options)
    matrix = counts.matrix.tocsr()
    matrix.sort_indices()
    signatures = nd.minhash_signatures(nd.term_hashes(counts.terms)[matrix.indices],
                                       matrix.indptr)
    summaries = []
    for k in range(matrix.shape[0]):
        start, end = matrix.indptr[k], matrix.indptr[k + 1]
        summaries.append(nd.TermSummary(
            tuple(counts.terms[c] for c in matrix.indices[start:end]),
            tuple(int(v) for v in matrix.data[start:end]),
            signatures[k].astype("<u2").tobytes() if end > start else b""))
    return summaries


PHRASE_TEXTS = (
    # Overlapping phrases (the longest that fits wins, left to right), a phrase cut by the
    # end of its sentence, "US" (a term) against "us" (a stopword), a phrase in capitals,
    # a stopword-only phrase, repeated phrases, and a document without tokens.
    "The Security Council of the United Nations met. The UN Security Council voted. "
    "Security. Council members said the security council would meet the US envoy with us.",
    "Minsk agreements and the Minsk agreement; the Minsk process stalled. Minsk. "
    "Process servers and security guarantees, security guarantee, SECURITY GUARANTEES.",
    "of the of the. the of. United States of America and the United States.",
    "",
)


def _phrase_options():
    from framelens.analysis.counts.matrices import TermOptions

    return TermOptions((1, 1), False, ("security council", "UN Security Council",
                                       "Minsk agreements", "Minsk agreement", "Minsk process",
                                       "security guarantees", "security guarantee",
                                       "of the", "United States", "United States of America"),
                       frozenset({"minsk"}), ())


def _tokens(text):
    from framelens.analysis.process.pipeline import process_text

    return process_text(text, False, "en")[1]


@pytest.mark.parametrize("chunk", [1, 2, 64])
def test_summaries_equal_count_units_with_phrases_and_stopwords(chunk):
    options = _phrase_options()
    token_lists = [_tokens(text) for text in PHRASE_TEXTS]
    expected = _reference_summaries(token_lists, options)
    assert any("security council" in s.terms for s in expected)  # the phrases do merge
    assert any("US" in s.terms for s in expected) and expected[-1].terms == ()
    found = [s for start in range(0, len(token_lists), chunk)
             for s in nd.summarise_terms(token_lists[start:start + chunk], options)]
    assert found == expected


def test_summaries_equal_count_units_on_the_bundled_and_a_generated_corpus(bundled, tmp_path):
    import sys

    from framelens.analysis.counts.matrices import term_options
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.process.pipeline import processed
    from tests.conftest import REPO

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    generated = generate(300, tmp_path / "generated", quiet=True)
    for folder in (bundled, generated):
        corpus = load_corpus(folder, use_cache=False)
        options = term_options(corpus)
        assert options.phrases  # the default phrases: merging is exercised
        token_lists = [doc.tokens for doc in processed(corpus)]
        expected = _reference_summaries(token_lists, options)
        for chunk in (len(token_lists), 16):
            assert [s for start in range(0, len(token_lists), chunk) for s in
                    nd.summarise_terms(token_lists[start:start + chunk], options)] == expected
        # Options counted by count_units itself (lemmas) give its summaries too.
        lemma_options = term_options(load_corpus(folder, use_cache=False, lemmas=True))
        assert nd.summarise_terms(token_lists, lemma_options) == _reference_summaries(
            token_lists, lemma_options)


def test_token_fingerprint_folds_each_token():
    tokens = (("Straße", "ΣΊΣΥΦΟΣ"), ("İstanbul", "US"), ())
    folded = " ".join(t.casefold() for sentence in tokens for t in sentence)
    assert nd.token_fingerprint(tokens) == hashlib.sha256(folded.encode()).hexdigest()
    assert nd.token_fingerprint(((), ())) == ""


def test_check_term_options_are_those_of_check(bundled):
    from framelens.analysis.counts.matrices import term_options
    from framelens.analysis.io.reader import load_corpus

    corpus = load_corpus(bundled, use_cache=False)
    declared = {d.language for d in corpus.documents}
    assert nd.check_term_options(corpus.config, declared) == term_options(corpus)
