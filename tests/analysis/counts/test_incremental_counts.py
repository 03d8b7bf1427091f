"""The count stage follows a changed corpus by merging, and equals a cold count exactly.

Collocation totals and the sentence × term and document × term matrices are stored
per corpus folder with the documents they cover; a run on a corpus that differs by a
few documents adds or subtracts only those. Every test here compares the merged result
with a count from a fresh cache (or none at all): collocations (phrases, counts, G²,
order), both matrices (values, columns, display forms, token totals) and the bytes of
``compare`` and ``keywords``.
"""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from framelens.analysis.counts import collocations, matrices
from framelens.analysis.counts.collocations import (
    NgramTotals,
    corpus_collocations,
    ngram_totals,
)
from framelens.analysis.counts.matrices import (
    document_term_counts,
    sentence_term_counts,
)
from framelens.analysis.counts.units import corpus_term_options
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process.pipeline import processed
from framelens.analysis.store import corpus_summary
from tests.conftest import invoke, needs_cache

ARTICLES = 24


@pytest.fixture
def corpus_folder(tmp_path, generator_module) -> Path:
    """A small generated corpus (short articles, four perspectives)."""
    folder = tmp_path / "corpus"
    generator_module.generate(ARTICLES, folder, seed=11, quiet=True, mean_body_bytes=500)
    return folder


def article_text(generator_module, seed: int, index: int, doc_id: str) -> str:
    """A generated article (from another seed than the corpus) under the id ``doc_id``."""
    _, _, text = generator_module.Generator(seed, 4, 500).article(index)
    return re.sub(r"^id: .*$", f"id: {doc_id}", text, count=1, flags=re.MULTILINE)


def counted_units(monkeypatch) -> list[int]:
    """The number of units of every call of count_units_with_forms from now on."""
    seen: list[int] = []
    count_units = matrices.count_units_with_forms

    def counting(units, options):
        seen.append(len(units))
        return count_units(units, options)

    monkeypatch.setattr(matrices, "count_units_with_forms", counting)
    return seen


def snapshot(folder: Path, *, use_cache: bool = True):
    """Collocations and both matrices of the corpus in ``folder``, each as plain data.

    The document matrices (unigrams and bigrams, unigrams) are requested on their own
    (counted, merged or loaded from their own entries), then the sentence matrix, then,
    in a new run, the sentence matrix and the document matrix summed from it.
    """
    corpus = load_corpus(folder, use_cache=use_cache)
    found = corpus_collocations(corpus)
    options = corpus_term_options(corpus, ngram_range=(1, 2))
    unigrams = corpus_term_options(corpus)
    result = [tuple((c.keys, c.count, c.g2) for c in found)]
    result += [counts_data(document_term_counts(corpus, options)),
               counts_data(document_term_counts(corpus, unigrams)),
               counts_data(sentence_term_counts(corpus, unigrams))]
    corpus = load_corpus(folder, use_cache=use_cache)
    options = corpus_term_options(corpus)
    sentence_term_counts(corpus, options)
    result.append(counts_data(document_term_counts(corpus, options)))
    return result


def counts_data(counts) -> tuple:
    matrix = counts.matrix.tocsr()
    assert matrix.has_sorted_indices
    return (matrix.shape, matrix.indptr.tolist(), matrix.indices.tolist(), matrix.data.tolist(),
            counts.terms, counts.display, counts.ngram.tolist(), counts.token_totals.tolist())


def cold_snapshot(folder: Path, monkeypatch, tmp_path_factory):
    """The snapshot counted in full, with a cache folder nobody used before."""
    with monkeypatch.context() as patch:
        patch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path_factory.mktemp("cold")))
        return snapshot(folder)


def command_bytes(folder: Path) -> tuple[str, str]:
    outputs = []
    for command in (["compare"], ["keywords", "--ngrams", "1-2"]):
        run = invoke([*command, "--sources", folder, "--format", "csv"])
        assert run.exit_code == 0, run.stderr
        outputs.append(run.stdout)
    return outputs[0], outputs[1]


def change_corpus(folder: Path, rng: random.Random, generator_module, step: int) -> str:
    """Add, remove or edit one article (or add an exact copy of one); returns what it did."""
    articles = sorted(folder.glob("*.md"))
    action = rng.choice(["add", "add", "remove", "edit", "copy"] if len(articles) > 3 else ["add"])
    if action == "add":
        doc_id = f"added-{step}"
        text = article_text(generator_module, 1000 + rng.randrange(10_000), rng.randrange(500),
                            doc_id)
        (folder / f"{doc_id}.md").write_text(text, encoding="utf-8")
    elif action == "remove":
        rng.choice(articles).unlink()
    elif action == "edit":
        path = rng.choice(articles)
        doc_id = re.search(r"^id: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)[1]
        path.write_text(article_text(generator_module, 5000 + rng.randrange(10_000),
                                     rng.randrange(500), doc_id), encoding="utf-8")
    else:  # a second document with the same text (same digest) under another id
        source = rng.choice(articles).read_text(encoding="utf-8")
        (folder / f"copy-{step}.md").write_text(
            re.sub(r"^id: .*$", f"id: copy-{step}", source, count=1, flags=re.MULTILINE),
            encoding="utf-8")
    return action


@needs_cache
@pytest.mark.parametrize("seed", range(4))
def test_changed_corpus_merges_to_the_cold_count(seed, corpus_folder, generator_module,
                                                 monkeypatch, tmp_path_factory):
    """Random additions, removals, edits and copies: after each, the merged counts equal
    a cold count; odd seeds store the merged entry after every change, even seeds only
    the first (so later runs apply every change since, from the per-document cache)."""
    if seed % 2:
        monkeypatch.setattr(corpus_summary, "SAVE_MIN_CHANGES", 1)
    rng = random.Random(seed)
    assert snapshot(corpus_folder) == cold_snapshot(corpus_folder, monkeypatch, tmp_path_factory)
    for step in range(5):
        change_corpus(corpus_folder, rng, generator_module, step)
        merged = snapshot(corpus_folder)
        assert merged == cold_snapshot(corpus_folder, monkeypatch, tmp_path_factory)
        assert snapshot(corpus_folder) == merged  # again, from the same entries


@needs_cache
def test_commands_after_a_change_give_the_cold_bytes(corpus_folder, generator_module,
                                                     monkeypatch, tmp_path_factory):
    rng = random.Random(7)
    command_bytes(corpus_folder)
    for step in range(3):
        change_corpus(corpus_folder, rng, generator_module, step)
        merged = command_bytes(corpus_folder)
        with monkeypatch.context() as patch:
            patch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path_factory.mktemp("cold")))
            assert merged == command_bytes(corpus_folder)


@needs_cache
def test_one_added_article_is_the_only_one_counted(corpus_folder, generator_module,
                                                   monkeypatch):
    """After a change, only the changed documents' tokens are counted (the rest come
    from the stored entries)."""
    snapshot(corpus_folder)
    (corpus_folder / "added.md").write_text(article_text(generator_module, 3, 4, "added"),
                                            encoding="utf-8")
    seen: list[int] = []
    count_units = matrices.count_units_with_forms
    word_ids = collocations._corpus_word_ids

    def counting_units(units, options):
        seen.append(len(units))
        return count_units(units, options)

    def counting_words(documents):
        seen.append(len(documents))
        return word_ids(documents)

    monkeypatch.setattr(matrices, "count_units_with_forms", counting_units)
    monkeypatch.setattr(collocations, "_corpus_word_ids", counting_words)
    corpus = load_corpus(corpus_folder)
    corpus_collocations(corpus)
    options = corpus_term_options(corpus)
    document_term_counts(corpus, options)
    added = [doc for doc in processed(corpus) if doc.doc_id == "added"][0]
    assert seen == [1, 1]  # one document for the totals, one unit (the document) for the rows
    seen.clear()
    sentence_term_counts(corpus, options)
    assert seen == [len(added.tokens)]


def split_totals(documents, stopwords, groups: list[list[int]]) -> list[NgramTotals]:
    return [ngram_totals(*collocations._corpus_word_ids([documents[i] for i in group]),
                         stopwords) for group in groups]


def totals_by_string(totals: NgramTotals) -> tuple[dict, ...]:
    keys = totals.keys
    words = {keys[i]: n for i, n in enumerate(totals.words.tolist()) if n}
    tables = tuple({tuple(keys[i] for i in row[:-1]): row[-1] for row in table.tolist()}
                   for table in (totals.pairs, totals.gapped, totals.triples))
    return (words, *tables)


@pytest.mark.parametrize("seed", range(5))
def test_merging_totals_ignores_grouping_and_order(seed, corpus_folder):
    """Totals of any partition of the documents, merged in any order or tree, equal the
    totals of the whole corpus; subtracting a part again gives the rest."""
    corpus = load_corpus(corpus_folder, use_cache=False)
    documents = processed(corpus)
    stopwords = collocations.collocation_stopwords(corpus)
    whole = totals_by_string(collocations._count_totals(documents, stopwords))
    rng = random.Random(seed)
    order = list(range(len(documents)))
    rng.shuffle(order)
    cuts = sorted(rng.sample(range(1, len(order)), 4))
    groups = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True)]
    parts = split_totals(documents, stopwords, groups)
    folded = parts[0]
    for part in parts[1:]:
        folded = folded.merged(part)
    assert totals_by_string(folded) == whole
    tree = parts[3].merged(parts[4]).merged(parts[0].merged(parts[2]).merged(parts[1]))
    assert totals_by_string(tree) == whole
    rest = folded.merged(parts[2], -1)
    expected = parts[0].merged(parts[1]).merged(parts[3]).merged(parts[4])
    assert totals_by_string(rest) == totals_by_string(expected)
    assert rest.merged(parts[2], -1) is None  # subtracting twice: a count goes negative
    assert collocations.detect_collocations(tree, min_count=2, extra_stopwords=stopwords) == \
        corpus_collocations(corpus)


def test_no_cache_counts_in_full_and_equals_the_cached_path(corpus_folder, generator_module,
                                                            monkeypatch, tmp_path_factory):
    """With the cache off nothing is stored or read, and the counts are the cold ones."""
    monkeypatch.setenv("FRAMELENS_NO_CACHE", "1")
    uncached = snapshot(corpus_folder)
    assert uncached == snapshot(corpus_folder, use_cache=False)
    (corpus_folder / "added.md").write_text(article_text(generator_module, 3, 4, "added"),
                                            encoding="utf-8")
    uncached = snapshot(corpus_folder)
    monkeypatch.delenv("FRAMELENS_NO_CACHE")
    assert uncached == cold_snapshot(corpus_folder, monkeypatch, tmp_path_factory)


def summary_entries(cache_folder: Path) -> list[str]:
    [path] = cache_folder.glob("cache-*.sqlite")
    with sqlite3.connect(path) as connection:
        return [family for (family,) in connection.execute(
            "SELECT family FROM corpus_entries WHERE family LIKE 'counts-%' "
            "OR family LIKE 'collocation-totals-%'")]


@needs_cache
def test_a_damaged_entry_is_recounted(corpus_folder, generator_module, isolated_cache,
                                      monkeypatch, tmp_path_factory):
    """A flipped byte in any stored summary: the entry is ignored and counted again."""
    snapshot(corpus_folder)
    families = summary_entries(isolated_cache)
    assert len(families) == 4  # the totals and three count entries
    [path] = isolated_cache.glob("cache-*.sqlite")
    with sqlite3.connect(path) as connection:
        for family in families:
            (payload,) = connection.execute("SELECT payload FROM corpus_entries WHERE family = ?",
                                            (family,)).fetchone()
            damaged = bytearray(payload)
            damaged[len(damaged) // 2] ^= 0x01
            connection.execute("UPDATE corpus_entries SET payload = ? WHERE family = ?",
                               (bytes(damaged), family))
    (corpus_folder / "added.md").write_text(article_text(generator_module, 3, 4, "added"),
                                            encoding="utf-8")
    assert snapshot(corpus_folder) == cold_snapshot(corpus_folder, monkeypatch,
                                                    tmp_path_factory)


@needs_cache
def test_an_entry_that_does_not_hold_together_is_recounted(corpus_folder, isolated_cache,
                                                           monkeypatch, tmp_path_factory):
    """Entries with a valid checksum but impossible contents (a count matrix whose rows
    do not add up, totals with a negative count) are ignored."""
    snapshot(corpus_folder)
    from framelens.analysis.store.document_cache import DocumentCache
    from framelens.analysis.store.keys import COLLOCATIONS_VERSION, COUNTS_VERSION

    cache = DocumentCache()
    for family in summary_entries(isolated_cache):
        version = COUNTS_VERSION if family.startswith("counts-") else COLLOCATIONS_VERSION
        body = list(corpus_summary.load_summary(cache, family, version))
        if family.startswith("counts-"):
            body[4] += 1  # one row more than the documents have
        else:
            words = np.frombuffer(body[4][2], dtype=body[4][0]).copy()
            words[0] = -1
            body[4] = (body[4][0], body[4][1], words.tobytes())
        corpus_summary.save_summary(cache, family, version, tuple(body))
    cache.close()
    assert snapshot(corpus_folder) == cold_snapshot(corpus_folder, monkeypatch,
                                                    tmp_path_factory)


@needs_cache
def test_a_removed_document_missing_from_the_cache_means_a_recount(
        corpus_folder, isolated_cache, monkeypatch, tmp_path_factory):
    """Subtracting a removed document needs its tokens from the per-document cache; when
    they are gone, the stored summaries cannot be brought up to date and are recounted."""
    snapshot(corpus_folder)
    removed = sorted(corpus_folder.glob("*.md"))[3]
    digest = {doc.doc_id: doc.digest for doc in processed(load_corpus(corpus_folder))}
    doc_id = re.search(r"^id: (.*)$", removed.read_text(encoding="utf-8"), re.MULTILINE)[1]
    removed.unlink()
    [path] = isolated_cache.glob("cache-*.sqlite")
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM documents WHERE digest = ?", (digest[doc_id],))
    assert snapshot(corpus_folder) == cold_snapshot(corpus_folder, monkeypatch,
                                                    tmp_path_factory)


@needs_cache
def test_display_forms_follow_removed_and_added_documents(small_corpus, monkeypatch,
                                                          tmp_path_factory):
    """A term's display form is its most frequent surface form over the corpus as it is
    now: removing the documents that made "Sanctions" the most frequent form gives
    "sanctions" back, and adding them again "Sanctions"."""
    from tests.conftest import write_article

    write_article(small_corpus, "south-two", "south", "The sanctions are only sanctions.")
    shouting = write_article(small_corpus, "north-three", "north",
                             "Sanctions, Sanctions and Sanctions. Sanctions work.")
    snapshot(small_corpus)
    display = dict(zip(*snapshot(small_corpus)[2][4:6], strict=True))
    assert display["sanctions"] == "Sanctions"
    saved = shouting.read_text(encoding="utf-8")
    shouting.unlink()
    merged = snapshot(small_corpus)
    assert dict(zip(*merged[2][4:6], strict=True))["sanctions"] == "sanctions"
    assert merged == cold_snapshot(small_corpus, monkeypatch, tmp_path_factory)
    shouting.write_text(saved, encoding="utf-8")
    merged = snapshot(small_corpus)
    assert dict(zip(*merged[2][4:6], strict=True))["sanctions"] == "Sanctions"
    assert merged == cold_snapshot(small_corpus, monkeypatch, tmp_path_factory)


@needs_cache
def test_changed_phrases_recount_only_the_documents_that_hold_them(
        corpus_folder, generator_module, monkeypatch, tmp_path_factory):
    """A second copy of an article doubles its n-grams, so new collocations are detected;
    only documents whose tokens hold a changed phrase are counted again, and the counts
    still equal a cold count."""
    before = snapshot(corpus_folder)
    source = sorted(corpus_folder.glob("*.md"))[5].read_text(encoding="utf-8")
    (corpus_folder / "copy.md").write_text(
        re.sub(r"^id: .*$", "id: copy", source, count=1, flags=re.MULTILINE), encoding="utf-8")
    count_units = matrices.count_units_with_forms
    counted = counted_units(monkeypatch)
    corpus = load_corpus(corpus_folder)
    phrases = {c.phrase for c in corpus_collocations(corpus)}
    assert phrases != {" ".join(keys) for keys, _, _ in before[0]}
    document_term_counts(corpus, corpus_term_options(corpus))
    # The copied document (new count only: the stored corpus had its digest once, the
    # new one twice) and the documents a changed phrase touches (old and new counts).
    assert counted and sum(counted) < len(corpus.documents)
    monkeypatch.setattr(matrices, "count_units_with_forms", count_units)
    assert snapshot(corpus_folder) == cold_snapshot(corpus_folder, monkeypatch,
                                                    tmp_path_factory)
