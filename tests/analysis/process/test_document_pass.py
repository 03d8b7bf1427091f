"""The one-pass map: sentences, annotations and tones of new documents in one task each."""

from __future__ import annotations

import pytest

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process import annotations, document_pass, tone
from framelens.analysis.process.annotators import (
    configured_targets,
    sentence_cues,
    target_mentions,
    topic_hits,
    variant_mentions,
)
from framelens.analysis.process.pipeline import processed
from tests.conftest import needs_cache


def _products(corpus):
    """Everything the framing lenses read of every document, in a comparable form."""
    config = corpus.config
    hits = {name: (h.doc.tolist(), h.sentence.tolist(), h.matches.tolist(), h.tokens.tolist())
            for name, h in topic_hits(corpus).items()}
    mentions = target_mentions(corpus, configured_targets(config))
    needed = {d: [i for i, triples in enumerate(per_sentence) if triples]
              for d, per_sentence in enumerate(mentions)}
    return (tuple((d.sentences, d.tokens, d.lines, d.paragraph, d.language)
                  for d in processed(corpus)),
            mentions, sentence_cues(corpus), hits, variant_mentions(corpus, config.naming),
            tone.sentence_tones(corpus, needed))


def _forbid_lens_paths(monkeypatch):
    """Fail if a lens has to annotate or score anything itself."""
    def refuse(*args, **kwargs):
        raise AssertionError("computed outside the one-pass map")

    monkeypatch.setattr(annotations, "compute_many", refuse)
    monkeypatch.setattr(tone, "compounds", refuse)


def test_one_pass_gives_what_each_annotator_gives(bundled, monkeypatch):
    separately = _products(load_corpus(bundled, use_cache=False))
    corpus = load_corpus(bundled, use_cache=False)
    document_pass.prepare(corpus)
    _forbid_lens_paths(monkeypatch)
    assert _products(corpus) == separately


def test_one_pass_tones_exactly_the_mention_and_topic_sentences(bundled):
    corpus = load_corpus(bundled, use_cache=False)
    document_pass.prepare(corpus)
    documents = processed(corpus)
    expected = {(documents[d].digest, i)
                for d, per_sentence in enumerate(target_mentions(
                    corpus, configured_targets(corpus.config)))
                for i, triples in enumerate(per_sentence) if triples}
    for hits in topic_hits(corpus).values():
        expected.update((documents[d].digest, i)
                        for d, i in zip(hits.doc.tolist(), hits.sentence.tolist(), strict=True))
    toned = corpus.memo[tone.TONE_MEMO_KEY]
    assert set(toned) == expected and len(expected) > 100
    text = {(doc.digest, i): sentence for doc in documents
            for i, sentence in enumerate(doc.sentences)}
    assert all(tone.compound(text[key]) == score for key, score in toned.items())


@needs_cache
def test_a_later_run_reads_the_pass_from_the_cache(bundled, monkeypatch):
    document_pass.prepare(load_corpus(bundled))
    expected = _products(load_corpus(bundled, use_cache=False))
    _forbid_lens_paths(monkeypatch)
    corpus = load_corpus(bundled)
    document_pass.prepare(corpus)  # every document is cached: nothing runs
    assert _products(corpus) == expected


def test_the_pass_waits_for_nothing_once_documents_are_processed(bundled, monkeypatch):
    corpus = load_corpus(bundled, use_cache=False)
    processed(corpus)
    monkeypatch.setattr(document_pass, "parallel_map",
                        lambda *a, **k: pytest.fail("the pass ran twice"))
    document_pass.prepare(corpus)


def _generated(folder, articles: int):
    import sys

    from tests.conftest import REPO

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    return generate(articles, folder, quiet=True)


@needs_cache
@pytest.mark.parametrize("source", ["bundled", "generated"])
def test_the_pass_caches_what_check_computes_of_each_document(bundled, tmp_path, monkeypatch,
                                                              source):
    """Fingerprint, language, terms, counts and signature of every document, as the
    definitions give them: ``count_units`` on the document with check's term options."""
    import hashlib

    from framelens.analysis.counts import near_duplicates
    from framelens.analysis.counts.matrices import count_units, term_options
    from framelens.analysis.store.document_cache import DocumentCache

    folder = bundled if source == "bundled" else _generated(tmp_path / "generated", 400)
    monkeypatch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path / "cache"))
    document_pass.prepare(load_corpus(folder))  # 400 documents: on the process pool
    corpus = load_corpus(folder, use_cache=False)
    options = term_options(corpus)  # check's: single words, stopwords of every language
    key = near_duplicates.summaries_key(options)
    cache = DocumentCache()
    for doc in processed(corpus):
        counts = count_units([doc.tokens], options)
        terms = tuple(counts.terms[c] for c in counts.matrix.tocsr().indices)
        signature = near_duplicates.minhash_signatures(
            near_duplicates.term_hashes(terms), [0, len(terms)])[0].astype("<u2").tobytes()
        folded = " ".join(t.casefold() for sentence in doc.tokens for t in sentence)
        fingerprint = hashlib.sha256(folded.encode()).hexdigest() if folded else ""
        expected = ((fingerprint, doc.language),
                    (terms, tuple(counts.matrix.tocsr().data.tolist()),
                     signature if terms else b""),
                    (fingerprint, doc.language, signature if terms else b""))
        keys = near_duplicates.product_keys(doc.digest, key)
        stored = cache.get_many(keys)
        assert tuple(stored[k] for k in keys) == expected
    cache.close()


def test_nothing_is_computed_for_check_without_a_cache(bundled, monkeypatch):
    monkeypatch.setattr(document_pass, "_check_products",
                        lambda payloads, options: [None] * len(payloads)
                        if options is None else pytest.fail("computed for no cache"))
    document_pass.prepare(load_corpus(bundled, use_cache=False))
