"""What makes ``check new.md`` after ``compare`` fast, and that it changes no row: the
cached index rows read as one range of keys, no index stored when it would hold nothing
but those rows, the digest changes of a corpus, and the collector paused in the command."""

from __future__ import annotations

import gc
import marshal
import shutil
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from framelens.analysis.store.corpus_summary import digest_changes
from framelens.analysis.store.document_cache import DocumentCache
from tests.analysis.reports.test_duplicates import (
    _compare_only,
    duplicate_rows_of,
    generated_corpus,
)
from tests.conftest import invoke, needs_cache


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated") / "corpus"
    generated_corpus(folder)
    return folder


def _declared_copy(corpus_folder: Path, tmp_path: Path) -> Path:
    """A copy of the corpus whose config declares the language, so that ``compare`` leaves
    ``check``'s rows (with detected languages it cannot know check's stopwords)."""
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    config = folder / "framelens.toml"
    config.write_text('language = "en"\n' + config.read_text(), encoding="utf-8")
    return folder


def _fresh_article(path: Path) -> Path:
    path.write_text(textwrap.dedent("""\
        ---
        id: fresh
        title: fresh
        perspective: south
        ---
        Entirely novel vocabulary zyxwv qwerty appears here once, and nowhere else.
        """), encoding="utf-8")
    return path


def _near_copy(folder: Path, path: Path) -> Path:
    path.write_text((folder / "v01-3.md").read_text().replace("id: v01-3", "id: near")
                    .replace("\n\n", "\nextra words here\n\n", 1))
    return path


class Spy:
    """Range reads, one-by-one lookups of index rows, and index writes of the cache."""

    def __init__(self, monkeypatch):
        self.ranges = self.lookups = self.index_writes = 0
        get_prefixed, get_many, put_entry = (DocumentCache.get_prefixed, DocumentCache.get_many,
                                             DocumentCache.put_entry)

        def ranged(cache, prefix):
            self.ranges += prefix.startswith("dup-row:")
            return get_prefixed(cache, prefix)

        def looked_up(cache, keys):
            keys = list(keys)
            self.lookups += sum(key.startswith("dup-row:") for key in keys)
            return get_many(cache, keys)

        def written(cache, family, key, payload):
            self.index_writes += family.startswith("check-duplicates-")
            return put_entry(cache, family, key, payload)

        monkeypatch.setattr(DocumentCache, "get_prefixed", ranged)
        monkeypatch.setattr(DocumentCache, "get_many", looked_up)
        monkeypatch.setattr(DocumentCache, "put_entry", written)


def _cold(folder: Path, tmp_path: Path, monkeypatch, name: str, **kwargs):
    with monkeypatch.context() as patch:
        patch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path / f"cold-{name}"))
        return duplicate_rows_of(folder, **kwargs)


@needs_cache
def test_prefixed_reads_return_exactly_the_keys_under_the_prefix():
    cache = DocumentCache()
    cache.put_many({"dup-row:abc:1": ("one",), "dup-row:abc:2": ("two",),
                    "dup-row:abd:1": ("other options",), "dup-row:ab": ("shorter",),
                    "dup-row:abc;": ("the next character",), "dup-row:abc": ("no colon",)})
    cache.put_blobs({"dup-row:abc:3": b"\x00not marshal"})
    assert cache.get_prefixed("dup-row:abc:") == {"dup-row:abc:1": ("one",),
                                                  "dup-row:abc:2": ("two",)}
    assert cache.count_prefixed("dup-row:abc:") == 3  # the unreadable one is stored too
    assert cache.get_prefixed("dup-row:zzz:") == {} and cache.count_prefixed("dup-row:zzz:") == 0
    with pytest.raises(ValueError):
        cache.get_prefixed("dup-row:é")


@needs_cache
def test_the_first_check_after_compare_reads_rows_as_a_range_and_stores_no_index(
        corpus_folder, tmp_path, monkeypatch):
    folder = _declared_copy(corpus_folder, tmp_path)
    _compare_only(folder)
    spy = Spy(monkeypatch)
    fresh = _fresh_article(tmp_path / "fresh.md")
    assert duplicate_rows_of(folder, paths=[fresh]) == set()
    assert spy.ranges == 1 and spy.lookups == 0  # every index row in one read
    assert spy.index_writes == 0  # it would hold nothing but the cached rows
    assert duplicate_rows_of(folder, paths=[fresh]) == set()
    assert spy.ranges == 2 and spy.index_writes == 0  # read again, still not written
    # A near copy needs a cosine, so df: the index is stored with it, and used next time.
    near = _near_copy(folder, tmp_path / "near.md")
    rows = duplicate_rows_of(folder, paths=[near])
    assert any(r[0] == "FL041" and "v01-3" in r[2] for r in rows)
    assert spy.index_writes == 1
    assert duplicate_rows_of(folder, paths=[near]) == rows
    assert spy.ranges == 3 and spy.index_writes == 1  # the stored index, not the rows
    spy.ranges = 0
    assert rows == _cold(folder, tmp_path, monkeypatch, "near", paths=[near])


@needs_cache
def test_rows_are_looked_up_one_by_one_when_the_cache_holds_many_others(
        corpus_folder, tmp_path, monkeypatch):
    folder = _declared_copy(corpus_folder, tmp_path)
    _compare_only(folder)
    corpus_rows = DocumentCache().count_prefixed("dup-row:")
    assert corpus_rows >= 390  # one a distinct text (and none of another corpus yet)
    prefix = next(iter(DocumentCache().get_prefixed("dup-row:")))[:-64]
    # Another corpus's rows under the same options: more than twice this corpus's.
    DocumentCache().put_many({f"{prefix}{n:064x}": ("f" * 64, "en", b"")
                              for n in range(2 * corpus_rows + 1)})
    spy = Spy(monkeypatch)
    near = _near_copy(folder, tmp_path / "near.md")
    rows = duplicate_rows_of(folder, paths=[near])
    assert spy.ranges == 0 and spy.lookups >= corpus_rows
    assert rows == _cold(folder, tmp_path, monkeypatch, "lookups", paths=[near])


@needs_cache
def test_without_a_stored_index_edits_additions_and_removals_are_followed(
        corpus_folder, tmp_path, monkeypatch):
    folder = _declared_copy(corpus_folder, tmp_path)
    _compare_only(folder)
    spy = Spy(monkeypatch)
    fresh = _fresh_article(tmp_path / "fresh.md")
    duplicate_rows_of(folder, paths=[fresh])
    (folder / "a010.md").unlink()  # v01-0's original: its near-duplicate row goes
    (folder / "a012-again.md").write_text((folder / "a012.md").read_text().replace(
        "id: a012", "id: a012-again"))  # the same text twice: an exact duplicate
    edited = (folder / "a020.md").read_text().replace("\n\n", "\nnew words appear\n\n", 1)
    (folder / "a020.md").write_text(edited)
    named = [folder / "v01-0.md", folder / "a012.md", folder / "v02-0.md", folder / "a020.md"]
    warm = duplicate_rows_of(folder, paths=named)
    assert spy.ranges == 2  # no index was stored: the rows again, a012-again's and a020's made
    assert warm == _cold(folder, tmp_path, monkeypatch, "edited", paths=named)
    assert any(r[0] == "FL040" and "a012-again" in r[2] for r in warm)
    assert any(r[0] == "FL041" and r[1].endswith("v02-0.md") and "a020" in r[2] for r in warm)
    assert not any(r[1].endswith("v01-0.md") and "a010" in r[2] for r in warm)


@given(st.lists(st.sampled_from("abcdef"), max_size=30),
       st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 3), max_size=8))
def test_digest_changes_are_the_multiset_difference_sorted_by_digest(digests, stored):
    wanted = Counter(digests)
    expected = {d: wanted[d] - stored.get(d, 0) for d in sorted(wanted.keys() | stored.keys())
                if wanted[d] != stored.get(d, 0)}
    changes = digest_changes(stored, digests)
    assert changes == expected and list(changes) == list(expected)


def test_check_command_leaves_the_collector_as_it_found_it(bundled):
    assert gc.isenabled()
    result = invoke(["check", "--sources", bundled, "--format", "csv"])
    assert result.exit_code == 0 and result.stdout.startswith("code,severity,file")
    assert gc.isenabled()


@needs_cache
def test_rows_of_other_term_options_are_never_read(corpus_folder, tmp_path, monkeypatch):
    """Rows stored under other term options share the "dup-row:" start, not the prefix:
    read by mistake, their equal fingerprints would make every article an exact duplicate."""
    folder = _declared_copy(corpus_folder, tmp_path)
    _compare_only(folder)
    cache = DocumentCache()
    rows = cache.get_prefixed("dup-row:")
    assert len({key[:-64] for key in rows}) == 1  # one set of options so far
    other = "dup-row:" + "0" * 64 + ":"
    cache.put_blobs({other + key[-64:]: marshal.dumps(("f" * 64, "en", bytes(512)))
                     for key in rows})
    near = _near_copy(folder, tmp_path / "near.md")
    assert duplicate_rows_of(folder, paths=[near]) == _cold(folder, tmp_path, monkeypatch,
                                                           "other", paths=[near])
