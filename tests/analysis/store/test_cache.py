"""The per-document cache: hits, stale and corrupt entries, --no-cache."""

from __future__ import annotations

import marshal
import sqlite3

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process import pipeline
from framelens.analysis.store.document_cache import DocumentCache
from tests.conftest import invoke, needs_cache


def _count_processing(monkeypatch):
    calls = []
    original = pipeline.process_text

    def counting(text, markdown, language="en"):
        calls.append(text)
        return original(text, markdown, language)

    monkeypatch.setattr(pipeline, "process_text", counting)
    return calls


@needs_cache
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


@needs_cache
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


@needs_cache
def test_edited_article_is_reprocessed(small_corpus, monkeypatch):
    pipeline.processed(load_corpus(small_corpus))
    path = small_corpus / "north-two.md"
    path.write_text(path.read_text().replace("likely", "unlikely"))
    calls = _count_processing(monkeypatch)
    docs = pipeline.processed(load_corpus(small_corpus))
    assert len(calls) == 1
    assert any("unlikely" in s for d in docs for s in d.sentences)


def test_count_matrix_from_cache_equals_a_fresh_count(small_corpus):
    from framelens.analysis.counts.matrices import document_term_counts, term_options

    fresh = document_term_counts(load_corpus(small_corpus, use_cache=False),
                                 term_options(load_corpus(small_corpus, use_cache=False)))
    first_corpus = load_corpus(small_corpus)
    document_term_counts(first_corpus, term_options(first_corpus))  # fills the cache
    warm_corpus = load_corpus(small_corpus)
    warm = document_term_counts(warm_corpus, term_options(warm_corpus))
    assert warm.terms == fresh.terms and warm.display == fresh.display
    assert (warm.matrix != fresh.matrix).nnz == 0
    assert (warm.token_totals == fresh.token_totals).all()


# ------------------------------------------------------------------ manifest


def _settle_now(monkeypatch):
    """Let the manifest remember files written a moment ago (tests cannot wait 2 s)."""
    from framelens.analysis.io import manifest

    monkeypatch.setattr(manifest, "_SETTLE_NS", 0)


def test_manifest_gives_the_same_corpus_as_reading_the_files(small_corpus, monkeypatch):
    _settle_now(monkeypatch)
    fresh = load_corpus(small_corpus, use_cache=False)
    first = load_corpus(small_corpus)
    second = load_corpus(small_corpus)
    assert first.documents == second.documents == fresh.documents
    assert second.memo["digests"] == pipeline.document_digests(fresh)


@needs_cache
def test_manifest_hit_does_not_open_the_file(small_corpus, monkeypatch):
    from framelens.analysis.io import manifest

    _settle_now(monkeypatch)
    load_corpus(small_corpus)

    def refuse(path, max_bytes):
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(manifest, "read_text_file", refuse)
    assert len(load_corpus(small_corpus).documents) == 3


def test_manifest_sees_an_edit_that_keeps_size_and_mtime(small_corpus, monkeypatch):
    import os

    _settle_now(monkeypatch)
    path = small_corpus / "north-two.md"
    load_corpus(small_corpus)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Sanctions against", "Penalties against"[:len("Sanctions against")]),
                    encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    document = load_corpus(small_corpus).document("north-two")
    assert "Penalties agains" in document.text


def test_manifest_applies_the_config_checks_on_every_run(small_corpus, monkeypatch):
    import pytest

    from framelens.analysis.errors import CorpusError

    _settle_now(monkeypatch)
    load_corpus(small_corpus)
    config = small_corpus / "framelens.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('id = "south"', 'id = "west"'),
                      encoding="utf-8")
    with pytest.raises(CorpusError) as error:
        load_corpus(small_corpus)
    assert "unknown perspective 'south'" in str(error.value)
    assert error.value.path.endswith("south-one.md") and error.value.line == 4


def test_manifest_never_remembers_a_file_written_just_now(small_corpus, monkeypatch):
    from framelens.analysis.io import manifest

    load_corpus(small_corpus)  # the fixture's files were written within the settle time
    opened = []
    original = manifest.read_text_file
    monkeypatch.setattr(manifest, "read_text_file",
                        lambda path, max_bytes: opened.append(path) or original(path, max_bytes))
    load_corpus(small_corpus)
    assert len(opened) == 3


# -------------------------------------------------------------- result cache


@needs_cache
def test_result_cache_reuses_a_result_until_an_input_changes(small_corpus, monkeypatch):
    from framelens.analysis.process.pipeline import cached_command_result
    from tests.conftest import write_article

    _settle_now(monkeypatch)
    calls = []

    def compute(corpus, label):
        calls.append(label)
        return {"documents": [d.id for d in corpus.documents], "label": label}

    def run(options, corpus=None):
        corpus = corpus or load_corpus(small_corpus)
        return cached_command_result(corpus, "test", options, lambda: compute(corpus, options["label"]))

    first = run({"label": "a"})
    assert run({"label": "a"}) == first and calls == ["a"]
    run({"label": "b"})  # other options
    assert calls == ["a", "b"]
    write_article(small_corpus, "south-two", "south", "A new article about NATO.")
    assert run({"label": "a"})["documents"][-1] == "south-two"  # another corpus
    assert calls == ["a", "b", "a"]
    run({"label": "a"}, corpus=load_corpus(small_corpus, use_cache=False))  # --no-cache
    assert calls == ["a", "b", "a", "a"]


def test_result_cache_misses_when_the_code_changes(small_corpus, monkeypatch):
    from framelens.analysis.process.pipeline import cached_command_result
    from framelens.analysis.store import result_cache

    calls = []
    corpus = load_corpus(small_corpus)
    cached_command_result(corpus, "test", {}, lambda: calls.append(1) or 1)
    monkeypatch.setattr(result_cache, "code_fingerprint", lambda: "another version")
    cached_command_result(corpus, "test", {}, lambda: calls.append(1) or 1)
    assert calls == [1, 1]


def test_cached_command_output_is_byte_identical(small_corpus):

    args = ["keywords", "--sources", str(small_corpus), "--format", "csv"]
    first = invoke(args)
    second = invoke(args)
    assert first.exit_code == second.exit_code == 0
    assert first.output == second.output and "term" in first.output


def test_annotations_on_forked_workers_equal_those_computed_here(bundled, monkeypatch):
    from framelens.analysis import parallel
    from framelens.analysis.process import annotations
    from framelens.analysis.process.annotators import sentence_cues, target_mentions, topic_hits

    def annotate(corpus):
        hits = topic_hits(corpus)
        return (target_mentions(corpus, corpus.config.targets), sentence_cues(corpus),
                {name: (h.doc.tolist(), h.sentence.tolist(), h.matches.tolist())
                 for name, h in hits.items()})

    here = annotate(load_corpus(bundled, use_cache=False))
    from multiprocessing.pool import Pool

    pooled = []
    original = Pool.imap
    # parallel_map hands the pool functools.partial(_run_chunk, function)
    monkeypatch.setattr(Pool, "imap", lambda pool, task, chunks:
                        pooled.append(task.args[0]) or original(pool, task, chunks))
    monkeypatch.setattr(annotations, "PARALLEL_MIN_DOCUMENTS", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)  # a pool even on one core
    assert annotate(load_corpus(bundled, use_cache=False)) == here
    assert pooled.count(parallel._with_inherited) == 3  # the three annotation kinds
    assert here[1] and any(here[0][0])  # cues and mentions were found at all


@needs_cache
def test_manifest_readings_are_not_reused_by_another_version_of_the_reader(small_corpus,
                                                                         monkeypatch):
    from framelens.analysis.io import manifest

    _settle_now(monkeypatch)
    load_corpus(small_corpus)
    opened = []
    original = manifest.read_text_file
    monkeypatch.setattr(manifest, "read_text_file",
                        lambda path, max_bytes: opened.append(path) or original(path, max_bytes))
    load_corpus(small_corpus)
    assert opened == []
    monkeypatch.setattr(manifest, "source_digest", lambda *modules: "a changed reader")
    load_corpus(small_corpus)
    assert len(opened) == 3
