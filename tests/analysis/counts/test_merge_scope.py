"""What a merge of the count stage recounts: only the sentences a changed phrase touches,
and document rows summed from a stored sentence entry when no document entry is stored.

Each test checks the counts against a cold count as well, so a merge that counts less
than it should fails here even when it is fast.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from framelens.analysis.counts.matrices import (
    _phrase_index,
    document_term_counts,
    sentence_term_counts,
    term_key,
)
from framelens.analysis.counts.units import corpus_term_options
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process.pipeline import processed
from tests.analysis.counts import test_incremental_counts as incremental
from tests.analysis.counts.test_incremental_counts import (
    article_text,
    cold_snapshot,
    counted_units,
    counts_data,
    snapshot,
)
from tests.conftest import needs_cache, write_article

# The generated corpus as the incremental tests make it (its generator: conftest's).
corpus_folder = incremental.corpus_folder


def holding_sentences(corpus, phrases: set[tuple[str, ...]], skip: set[str]) -> int:
    """Sentences of the corpus's distinct documents (but ``skip``) whose lower-cased keys
    hold one of ``phrases`` one key after another."""
    found = 0
    seen = set(skip)
    for doc in processed(corpus):
        if doc.digest in seen:
            continue
        seen.add(doc.digest)
        for tokens in doc.tokens:
            keys = [term_key(t).lower() for t in tokens]
            found += any(tuple(keys[i:i + len(p)]) == p for p in phrases
                         for i in range(len(keys)))
    return found


def phrase_keys(phrases) -> set[tuple[str, ...]]:
    return {keys for candidates in _phrase_index(tuple(phrases)).values() for keys in candidates}


@needs_cache
def test_a_repeated_sentence_patches_only_the_sentences_holding_a_changed_phrase(
        corpus_folder, generator_module, monkeypatch, tmp_path_factory):
    """An added article that repeats a sentence of another doubles that sentence's
    n-grams, so new collocations are detected; of the documents already counted, exactly
    the sentences that hold a changed phrase's keys are counted again (once with the old
    phrases, once with the new), for sentence rows and for document rows."""
    corpus = load_corpus(corpus_folder)
    old_phrases = corpus_term_options(corpus).phrases
    repeated = max((sentence for doc in processed(corpus) for sentence in doc.sentences),
                   key=len)
    snapshot(corpus_folder)
    (corpus_folder / "echo.md").write_text(
        article_text(generator_module, 3, 4, "echo") + "\n" + repeated + "\n",
        encoding="utf-8")
    corpus = load_corpus(corpus_folder)
    options = corpus_term_options(corpus)
    changed = phrase_keys(old_phrases) ^ phrase_keys(options.phrases)
    echo = next(doc for doc in processed(corpus) if doc.doc_id == "echo")
    touched = holding_sentences(corpus, changed, {echo.digest})
    assert changed and touched
    corpus = load_corpus(corpus_folder)  # a new run: nothing memoised
    seen = counted_units(monkeypatch)
    sentence_term_counts(corpus, options)
    assert sorted(seen) == sorted([len(echo.tokens), touched, touched])
    seen.clear()
    document_term_counts(corpus, options)  # summed from this run's sentence rows
    assert seen == []
    corpus = load_corpus(corpus_folder)
    seen.clear()
    document_term_counts(corpus, options)  # its own entry: one unit per document
    assert sorted(seen) == sorted([1, touched, touched])
    monkeypatch.undo()
    assert snapshot(corpus_folder) == cold_snapshot(corpus_folder, monkeypatch,
                                                    tmp_path_factory)


@needs_cache
def test_a_phrase_whose_edge_may_be_a_stopword_is_found_by_its_other_edge(
        small_corpus, monkeypatch, tmp_path_factory):
    """"sanctions US" merges "sanctions us" too, whose "us" is an uncounted stopword: the
    sentences are found by "sanctions" alone, and only they are counted again."""
    write_article(small_corpus, "south-two", "south",
                  "New sanctions US officials announced. Sanctions us all. Talks go on.")
    snapshot(small_corpus)
    config = small_corpus / "framelens.toml"
    config.write_text('phrases = ["sanctions US"]\n' + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    corpus = load_corpus(small_corpus)
    options = corpus_term_options(corpus)
    assert "sanctions US" in options.phrases
    seen = counted_units(monkeypatch)
    merged = counts_data(sentence_term_counts(corpus, options))
    assert seen == [2, 2]  # the two sentences that hold it, old and new phrases
    assert "sanctions us" in merged[4]
    monkeypatch.undo()
    assert snapshot(small_corpus) == cold_snapshot(small_corpus, monkeypatch, tmp_path_factory)


def count_entries(cache_folder: Path) -> int:
    [path] = cache_folder.glob("cache-*.sqlite")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM corpus_entries "
                                  "WHERE family LIKE 'counts-%'").fetchone()[0]


@needs_cache
@pytest.mark.parametrize("first", ["documents", "sentences"])
def test_document_rows_follow_a_stored_sentence_entry(
        first, corpus_folder, generator_module, isolated_cache, monkeypatch,
        tmp_path_factory):
    """After a run that stored sentence rows only (as compare does), document rows of a
    changed corpus are summed from the merged sentence rows: only the added article is
    counted, no document entry is written, and the rows equal a cold count's."""
    corpus = load_corpus(corpus_folder)
    options = corpus_term_options(corpus)
    sentence_term_counts(corpus, options)
    document_term_counts(corpus, options)
    assert count_entries(isolated_cache) == 1
    (corpus_folder / "added.md").write_text(article_text(generator_module, 3, 4, "added"),
                                            encoding="utf-8")
    corpus = load_corpus(corpus_folder)
    options = corpus_term_options(corpus)
    added = len(next(doc for doc in processed(corpus) if doc.doc_id == "added").tokens)
    seen = counted_units(monkeypatch)
    if first == "sentences":
        sentence_term_counts(corpus, options)
    merged = counts_data(document_term_counts(corpus, options))
    assert seen == [added]  # the added article's sentences, once
    assert count_entries(isolated_cache) == 1
    monkeypatch.undo()
    with monkeypatch.context() as patch:
        patch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path_factory.mktemp("cold")))
        cold = load_corpus(corpus_folder)
        assert merged == counts_data(document_term_counts(cold, corpus_term_options(cold)))
