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
