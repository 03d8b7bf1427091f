"""The per-document cache: hits, stale and corrupt entries, --no-cache."""

from __future__ import annotations

import marshal
import sqlite3

from framelens.analysis import pipeline
from framelens.analysis.cache import DocumentCache
from framelens.analysis.corpus import load_corpus


def _count_processing(monkeypatch):
    calls = []
    original = pipeline.process_text

    def counting(text, markdown):
        calls.append(text)
        return original(text, markdown)

    monkeypatch.setattr(pipeline, "process_text", counting)
    return calls


def test_second_run_processes_nothing_and_one_new_article_processes_one(small_corpus,
                                                                       monkeypatch):
    from tests.conftest import write_article

    calls = _count_processing(monkeypatch)
    first = pipeline.processed(load_corpus(small_corpus))
    assert len(calls) == 3
    second = pipeline.processed(load_corpus(small_corpus))
    assert len(calls) == 3
    assert first == second
    write_article(small_corpus, "south-two", "south", "A new article about NATO.")
    pipeline.processed(load_corpus(small_corpus))
    assert len(calls) == 4


def test_no_cache_never_writes(small_corpus, isolated_cache, monkeypatch):
    calls = _count_processing(monkeypatch)
    pipeline.processed(load_corpus(small_corpus, use_cache=False))
    pipeline.processed(load_corpus(small_corpus, use_cache=False))
    assert len(calls) == 6
    assert not any(isolated_cache.iterdir())


def test_corrupt_entry_is_rebuilt(small_corpus, monkeypatch):
    reference = pipeline.processed(load_corpus(small_corpus))
    cache = DocumentCache()
    with sqlite3.connect(cache.path) as connection:
        connection.execute("UPDATE documents SET payload = ?", (b"\x00garbage",))
        digest = reference[0].digest
        connection.execute("UPDATE documents SET payload = ? WHERE digest = ?",
                           (marshal.dumps(("wrong", "shape")), digest))
    calls = _count_processing(monkeypatch)
    again = pipeline.processed(load_corpus(small_corpus))
    assert again == reference
    assert len(calls) == 3


def test_corrupt_database_file_is_replaced(small_corpus):
    reference = pipeline.processed(load_corpus(small_corpus))
    path = DocumentCache().path
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    assert pipeline.processed(load_corpus(small_corpus)) == reference


def test_edited_article_is_reprocessed(small_corpus, monkeypatch):
    pipeline.processed(load_corpus(small_corpus))
    path = small_corpus / "north-two.md"
    path.write_text(path.read_text().replace("likely", "unlikely"))
    calls = _count_processing(monkeypatch)
    docs = pipeline.processed(load_corpus(small_corpus))
    assert len(calls) == 1
    assert any("unlikely" in s for d in docs for s in d.sentences)


def test_count_matrix_from_cache_equals_a_fresh_count(small_corpus):
    from framelens.analysis.counts import document_term_counts, term_options

    fresh = document_term_counts(load_corpus(small_corpus, use_cache=False),
                                 term_options(load_corpus(small_corpus, use_cache=False)))
    first_corpus = load_corpus(small_corpus)
    document_term_counts(first_corpus, term_options(first_corpus))  # fills the cache
    warm_corpus = load_corpus(small_corpus)
    warm = document_term_counts(warm_corpus, term_options(warm_corpus))
    assert warm.terms == fresh.terms and warm.display == fresh.display
    assert (warm.matrix != fresh.matrix).nnz == 0
    assert (warm.token_totals == fresh.token_totals).all()
