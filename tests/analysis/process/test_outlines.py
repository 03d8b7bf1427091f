"""Outlines: the lenses that need only counts, annotations and tones do not decode every
document's sentences and tokens, and give the same bytes as a run without the cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.topics import topics
from framelens.analysis.process import pipeline
from framelens.analysis.process.pipeline import OUTLINE_KEY, document_digests, outlines, processed
from framelens.analysis.reports.compare import compare
from framelens.analysis.store.document_cache import DocumentCache
from tests.conftest import needs_cache

ARTICLES = 60
COUNT_FREE_SECTIONS = ("corpus", "topics", "stance", "naming", "contrasts")


@pytest.fixture
def corpus_folder(tmp_path, generator_module) -> Path:
    folder = tmp_path / "corpus"
    generator_module.generate(ARTICLES, folder, seed=5, quiet=True, mean_body_bytes=600)
    return folder


def _add_article(folder: Path, generator_module, doc_id: str) -> None:
    _, _, text = generator_module.Generator(77, 4, 600).article(3)
    (folder / f"{doc_id}.md").write_text(
        re.sub(r"^id: .*$", f"id: {doc_id}", text, count=1, flags=re.MULTILINE),
        encoding="utf-8")


def _count_decodes(monkeypatch) -> list[int]:
    decoded = [0]
    real = pipeline.decode_cached_blob

    def counting(blob):
        decoded[0] += 1
        return real(blob)

    monkeypatch.setattr(pipeline, "decode_cached_blob", counting)
    return decoded


def _report(folder: Path, *, use_cache: bool = True):
    corpus = load_corpus(folder, use_cache=use_cache)
    return compare(corpus, sections=COUNT_FREE_SECTIONS), corpus


def test_an_outline_holds_the_counts_of_its_document(bundled):
    corpus = load_corpus(bundled, use_cache=False)
    for doc, outline in zip(processed(corpus), outlines(corpus), strict=True):
        assert outline.sentence_count == len(doc.sentences) > 0
        assert outline.token_count == doc.token_count
        assert outline.sentence_tokens == tuple(len(tokens) for tokens in doc.tokens)
        assert (outline.doc_id, outline.perspective, outline.digest, outline.language) == \
            (doc.doc_id, doc.perspective, doc.digest, doc.language)


@needs_cache
def test_a_new_article_decodes_only_the_documents_shown(corpus_folder, generator_module,
                                                        monkeypatch):
    _report(corpus_folder)  # cold: every document processed, annotated and cached
    _add_article(corpus_folder, generator_module, "added-article")
    expected, _ = _report(corpus_folder, use_cache=False)
    decoded = _count_decodes(monkeypatch)
    found, corpus = _report(corpus_folder)
    assert found == expected
    assert "processed" not in corpus.memo
    # Only the documents whose sentences are shown as examples or evidence are read, once.
    read = {corpus.documents[i].id for i in corpus.memo["texts"]}
    assert decoded[0] == len(read) > 0
    examples = {doc_id for row in topics(corpus, terms=0, examples=1).rows
                for doc_id in row.example_doc_id.split("\n") if doc_id}
    evidence = {row.evidence_doc_id for row in dict(found.sections)["contrasts"].rows
                if row.evidence_doc_id}
    assert read == examples | evidence
    assert len(read) < len(corpus.documents)


@needs_cache
def test_outlines_missing_from_an_older_cache_are_made_and_stored(corpus_folder, monkeypatch):
    _report(corpus_folder)
    digests = document_digests(load_corpus(corpus_folder))
    cache = DocumentCache()
    connection = cache._connect()
    assert connection is not None
    with connection:  # as a cache written before outlines were: blobs only
        connection.execute("DELETE FROM documents WHERE digest LIKE ?", (OUTLINE_KEY + "%",))
        connection.execute("UPDATE documents SET payload = ? WHERE digest = ?",
                           (b"not marshal", OUTLINE_KEY + digests[0]))
    cache.close()
    expected, _ = _report(corpus_folder, use_cache=False)
    found, corpus = _report(corpus_folder)
    assert found == expected
    assert "processed" in corpus.memo  # made from the documents once
    stored = DocumentCache().get_many(OUTLINE_KEY + digest for digest in digests)
    assert len(stored) == len(set(digests))
    decoded = _count_decodes(monkeypatch)
    again, corpus = _report(corpus_folder)
    assert again == expected and "processed" not in corpus.memo
    assert decoded[0] == len(corpus.memo["texts"]) < len(corpus.documents)


@needs_cache
def test_a_broken_outline_is_made_again(corpus_folder):
    _report(corpus_folder)
    digests = document_digests(load_corpus(corpus_folder))
    DocumentCache().put_many({OUTLINE_KEY + digests[1]: ("en", (3, -1))})
    expected = outlines(load_corpus(corpus_folder, use_cache=False))
    corpus = load_corpus(corpus_folder)
    assert outlines(corpus) == expected
    assert DocumentCache().get_many([OUTLINE_KEY + digests[1]]) == {
        OUTLINE_KEY + digests[1]: (expected[1].language, expected[1].sentence_tokens)}


@needs_cache
def test_annotating_cached_documents_keeps_none_of_them(corpus_folder):
    from framelens.analysis.lenses.stance import stance

    processed(load_corpus(corpus_folder))  # documents cached, not annotated (as `keywords`)
    expected = stance(load_corpus(corpus_folder, use_cache=False))
    corpus = load_corpus(corpus_folder)
    assert stance(corpus) == expected
    assert "processed" not in corpus.memo
    assert not corpus.memo.get("texts")  # read to annotate, then let go


@needs_cache
def test_compare_after_a_new_article_never_decodes_the_whole_corpus(corpus_folder,
                                                                     generator_module,
                                                                     monkeypatch):
    compare(load_corpus(corpus_folder))
    _add_article(corpus_folder, generator_module, "added-article")
    expected = compare(load_corpus(corpus_folder, use_cache=False))
    decoded = _count_decodes(monkeypatch)
    corpus = load_corpus(corpus_folder)
    assert compare(corpus) == expected
    assert "processed" not in corpus.memo
    # Counting reads the new article's neighbours in phrase changes; lenses their examples.
    assert decoded[0] < len(corpus.documents), decoded[0]


@needs_cache
def test_sentence_tokens_split_out_of_the_cache_equal_the_documents(corpus_folder):
    from framelens.analysis.process.pipeline import cached_sentence_tokens

    expected = processed(load_corpus(corpus_folder))  # processes and caches every document
    wanted = {doc.digest: sorted({0, len(doc.tokens) // 2, len(doc.tokens) - 1})
              for doc in expected[::3]}
    truth = {doc.digest: {i: doc.tokens[i] for i in wanted[doc.digest]}
             for doc in expected[::3]}
    corpus = load_corpus(corpus_folder)
    assert cached_sentence_tokens(corpus, wanted) == truth
    assert "processed" not in corpus.memo and not corpus.memo.get("texts")
    # A broken entry and a missing one: those documents are processed again.
    digests = list(wanted)
    cache = DocumentCache()
    cache.put_blobs({digests[0]: b"not marshal"})
    connection = cache._connect()
    assert connection is not None
    with connection:
        connection.execute("DELETE FROM documents WHERE digest = ?", (digests[1],))
    cache.close()
    assert cached_sentence_tokens(load_corpus(corpus_folder), wanted) == truth
    # An index past the end of a cached document is not read from the entry.
    corpus = load_corpus(corpus_folder)
    digest = digests[2]
    with pytest.raises(IndexError):
        cached_sentence_tokens(corpus, {digest: [len(expected[0].tokens) + 10_000]})
