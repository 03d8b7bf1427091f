"""The manifest's bulk recall and its rewrite policy: an entry is written again only when
1/_REWRITE_SHARE of it changed, and every edit, addition and removal is noticed whether
or not it was written."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from framelens.analysis.config.settings import load_config
from framelens.analysis.io import manifest
from framelens.analysis.io.reader import article_files, load_corpus
from framelens.analysis.reports.checks import check_corpus
from framelens.analysis.store.document_cache import DocumentCache
from tests.conftest import needs_cache, write_article

CONFIG = ('[[perspectives]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n'
          '[[perspectives]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n')
BODY = ("Officials from {n} capitals met in Vienna on Tuesday to discuss the security "
        "guarantees that the alliance had offered, and article {n} reports what each said.")


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """Twelve articles; the manifest may remember files written a moment ago."""
    monkeypatch.setattr(manifest, "_SETTLE_NS", 0)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "framelens.toml").write_text(CONFIG, encoding="utf-8")
    for n in range(12):
        write_article(corpus, f"article-{n:02d}", "north" if n % 2 else "south",
                      BODY.format(n=n))
    return corpus


class Writes:
    """Counts the manifest entries written (``put_entry`` of a manifest family)."""

    def __init__(self, monkeypatch):
        self.count = 0
        original = DocumentCache.put_entry

        def counting(cache, family, key, payload):
            if family.startswith("manifest:"):
                self.count += 1
            return original(cache, family, key, payload)

        monkeypatch.setattr(DocumentCache, "put_entry", counting)


class Opened:
    """Names of the article files read from disk (not recalled)."""

    def __init__(self, monkeypatch):
        self.names: list[str] = []
        original = manifest.read_text_file

        def reading(path, max_bytes):
            self.names.append(Path(path).name)
            return original(path, max_bytes)

        monkeypatch.setattr(manifest, "read_text_file", reading)


def _documents(folder: Path):
    return load_corpus(folder, use_cache=False).documents


def _load(folder: Path, opened: Opened) -> list[str]:
    """Load the corpus through the manifest, check it against a fresh reading, and return
    the names of the files the manifest had to read."""
    start = len(opened.names)
    documents = load_corpus(folder).documents
    read = opened.names[start:]
    assert documents == _documents(folder)
    return read


@needs_cache
def test_bulk_recall_gives_what_reading_each_file_gives(folder):
    load_corpus(folder)  # remembers every file
    config = load_config(None, folder)
    names, stats = article_files(folder)
    remembered = manifest.Manifest(DocumentCache(), folder)
    recalled = remembered.recall_documents(names, stats, config)
    assert all(hit is not None for hit in recalled)
    for name, (document, digest) in zip(names, recalled, strict=True):
        reading = manifest.read_article_file(folder / name, config)
        assert document == reading.document
        assert digest == manifest.document_digest(reading.document)


@needs_cache
def test_bulk_recall_leaves_changed_unknown_and_refused_files_to_the_reader(folder):
    load_corpus(folder)
    path = folder / "article-03.md"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Vienna", "Geneva"), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime: ctime moved
    write_article(folder, "article-99", "north", BODY.format(n=99))  # not remembered
    # The config no longer knows "south": those files must go through the reader's error.
    config = load_config(None, folder)
    config = replace(config, perspectives=tuple(p for p in config.perspectives
                                                if p.id == "north"))
    names, stats = article_files(folder)
    recalled = manifest.Manifest(DocumentCache(), folder).recall_documents(names, stats, config)
    missed = {name for name, hit in zip(names, recalled, strict=True) if hit is None}
    south = {f"article-{n:02d}.md" for n in range(0, 12, 2)}
    assert missed == {"article-03.md", "article-99.md"} | south


@needs_cache
def test_a_change_below_the_share_is_read_again_and_not_written(folder, monkeypatch):
    load_corpus(folder)
    monkeypatch.setattr(manifest, "_REWRITE_SHARE", 4)  # 12 files: 3 changes are worth it
    writes, opened = Writes(monkeypatch), Opened(monkeypatch)
    write_article(folder, "added-1", "north", BODY.format(n=100))
    (folder / "article-05.md").unlink()
    assert _load(folder, opened) == ["added-1.md"]  # added and removed seen
    assert writes.count == 0  # 2 changes of 12
    assert _load(folder, opened) == ["added-1.md"]  # not remembered: read again
    assert writes.count == 0
    write_article(folder, "added-2", "south", BODY.format(n=101))
    assert _load(folder, opened) == ["added-1.md", "added-2.md"]
    assert writes.count == 1  # 3 changes of 12: written
    assert _load(folder, opened) == []  # every file recalled
    assert writes.count == 1


@needs_cache
def test_an_edit_that_is_not_written_is_still_seen_on_every_run(folder, monkeypatch):
    load_corpus(folder)
    monkeypatch.setattr(manifest, "_REWRITE_SHARE", 2)  # 12 files: 6 changes are worth it
    writes = Writes(monkeypatch)
    path = folder / "article-07.md"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    for place in ("Geneva", "Berlin", "Vienna"):  # same size; the last restores the text
        path.write_text(text.replace("Vienna", place), encoding="utf-8")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime too
        assert path.stat().st_size == before.st_size
        assert f"met in {place}" in load_corpus(folder).document("article-07").text
    assert writes.count == 0


@needs_cache
def test_check_of_a_new_article_leaves_the_manifest_alone_and_matches_a_cold_check(
        folder, tmp_path, monkeypatch):
    check_corpus(folder)  # remembers every file
    monkeypatch.setattr(manifest, "_REWRITE_SHARE", 2)  # 12 files: 6 changes are worth it
    writes, opened = Writes(monkeypatch), Opened(monkeypatch)
    new = write_article(folder, "newcomer", "north", BODY.format(n=3))  # a near copy
    warm = check_corpus(folder, paths=[new])
    assert writes.count == 0 and opened.names == ["newcomer.md"]
    monkeypatch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path / "cold"))
    cold = check_corpus(folder, paths=[new])
    assert warm.rows == cold.rows and warm.title == cold.title
    assert {r.file for r in warm.rows} <= {str(new)}


@needs_cache
def test_removing_most_files_forgets_them(folder, monkeypatch):
    load_corpus(folder)
    writes = Writes(monkeypatch)
    for n in range(1, 12):
        (folder / f"article-{n:02d}.md").unlink()
    assert [d.id for d in load_corpus(folder).documents] == ["article-00"]
    assert writes.count == 1
    stored = DocumentCache().get_entry(manifest.Manifest(DocumentCache(), folder)._family,
                                       manifest.MANIFEST_VERSION)
    assert set(stored) == {"article-00.md"}


def test_article_files_matches_a_directory_scan(folder, tmp_path):
    (folder / "notes.txt").write_text("not an article", encoding="utf-8")
    (folder / ".md").write_text("a hidden file, no suffix", encoding="utf-8")
    (folder / "a.folder.md").mkdir()
    (folder / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (folder / "linked.md").symlink_to(folder / "article-01.md")
    problems = []
    names, stats = article_files(folder, problems)
    expected = sorted(n for n in os.listdir(folder) if n.endswith(".md") and n != ".md"
                      and not (folder / n).is_dir() and (folder / n).exists())
    assert names == expected
    assert [s.st_ino for s in stats] == [os.stat(folder / n).st_ino for n in expected]
    assert [(Path(p.path).name, p.code) for p in problems] == [("a.folder.md", "FL005"),
                                                              ("dangling.md", "FL005")]
    assert "dangling symbolic link" in problems[1].message
