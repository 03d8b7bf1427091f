"""``check``'s duplicate checks (FL040, FL041) through MinHash + LSH and cached summaries,
against a brute-force reference: every pair's TF-IDF cosine (scikit-learn) and every
document's case-folded token sequence."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from framelens.analysis.reports import duplicates
from framelens.analysis.reports.checks import check_corpus
from tests.conftest import needs_cache

CONFIG = ('[[perspectives]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n'
          '[[perspectives]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n')
EDITS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3, 0.45)


def _vocabulary(rng, size: int = 2500) -> list[str]:
    syllables = ["ka", "lo", "mi", "ra", "te", "vu", "sen", "dor", "pli", "an", "ex", "tro",
                 "ba", "ni", "quo", "zel", "fa", "gu"]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables, size=int(rng.integers(2, 4)))))
    return sorted(words)


def _body(words: list[str]) -> str:
    sentences = [" ".join(words[i:i + 12]) + "." for i in range(0, len(words), 12)]
    sentences = [sentence[0].upper() + sentence[1:] for sentence in sentences]
    return "\n\n".join(" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4))


def _write(folder: Path, doc_id: str, words: list[str], perspective: str = "north") -> None:
    header = f"---\nid: {doc_id}\ntitle: {doc_id}\nperspective: {perspective}\n---\n"
    (folder / f"{doc_id}.md").write_text(header + _body(words) + "\n", encoding="utf-8")


def generated_corpus(folder: Path, *, articles: int = 260, seed: int = 4) -> dict[str, list[str]]:
    """Articles of Zipf-distributed pseudo-words; a planted variant of ten of them at each
    edit level of EDITS (the share of word positions replaced by random words), an exact
    copy in other case, two texts equal but for the case of "US" (one term, one stopword),
    an article of stopwords only and one without words."""
    rng = np.random.default_rng(seed)
    vocabulary = _vocabulary(rng)
    weights = 1 / np.arange(1, len(vocabulary) + 1) ** 1.1
    weights /= weights.sum()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "framelens.toml").write_text(CONFIG, encoding="utf-8")
    texts: dict[str, list[str]] = {}
    for k in range(articles):
        words = list(rng.choice(vocabulary, size=int(rng.integers(150, 320)), p=weights))
        texts[f"a{k:03d}"] = words
        _write(folder, f"a{k:03d}", words, "north" if k % 2 else "south")
    for level, share in enumerate(EDITS):
        for k in range(10):
            original = texts[f"a{(level * 10 + k) % articles:03d}"]
            edited = list(original)
            for position in rng.choice(len(edited), size=int(share * len(edited)), replace=False):
                edited[position] = str(rng.choice(vocabulary, p=weights))
            _write(folder, f"v{level:02d}-{k}", edited)
    _write(folder, "copy-upper", [w.upper() for w in texts["a007"]])
    # Equal case-folded tokens, different terms: "US" is a term, "us" a stopword.
    with_us = [w for k, w in enumerate(texts["a004"]) for w in ((w, "US") if k % 8 == 0 else (w,))]
    _write(folder, "us-upper", with_us)
    _write(folder, "us-lower", [w if w != "US" else "us" for w in with_us])
    _write(folder, "stopwords-only", ["the", "and", "of", "it", "was"] * 40)
    (folder / "empty.md").write_text("---\nid: empty\ntitle: empty\nperspective: north\n---\n"
                                     "* * *\n", encoding="utf-8")
    return texts


def reference_rows(folder: Path, threshold: float) -> set[tuple[str, str, str]]:
    """(code, file, message) of FL040 and FL041 by brute force: every pair's cosine of
    scikit-learn TF-IDF rows, and case-folded token sequences compared as strings."""
    from framelens.analysis.counts.matrices import document_term_counts, term_options
    from framelens.analysis.counts.units import tfidf_weights
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.process.pipeline import processed

    corpus = load_corpus(folder, use_cache=False)
    documents = corpus.documents
    texts = [" ".join(t.casefold() for sentence in doc.tokens for t in sentence)
             for doc in processed(corpus)]
    by_text = defaultdict(list)
    for i, text in enumerate(texts):
        if text:
            by_text[text].append(i)
    rows = set()
    for i, text in enumerate(texts):
        others = [j for j in by_text.get(text, []) if j != i]
        if others:
            rows.add(("FL040", documents[i].path, "same text as " + ", ".join(sorted(
                f"{documents[j].id} ({documents[j].path})" for j in others)) + "; keep one of them"))
    weights, _ = tfidf_weights(document_term_counts(corpus, term_options(corpus)).matrix)
    similarity = (weights @ weights.T).toarray()
    for i in range(len(documents)):
        for j in range(len(documents)):
            if i != j and similarity[i, j] >= threshold and not (texts[i] and texts[i] == texts[j]):
                rows.add(("FL041", documents[i].path,
                          f"near-duplicate of {documents[j].id} ({documents[j].path}): TF-IDF "
                          f"cosine {similarity[i, j]:.3f} >= [check] near_duplicate_threshold "
                          f"= {threshold}; keep one version, or raise the threshold if both "
                          "belong in the corpus"))
    return rows


def duplicate_rows_of(folder: Path, **kwargs) -> set[tuple[str, str, str]]:
    result = check_corpus(folder, **kwargs)
    return {(r.code, r.file, r.message) for r in result.rows if r.code in ("FL040", "FL041")}


def with_threshold(folder: Path, threshold: float) -> None:
    (folder / "framelens.toml").write_text(
        CONFIG + f"\n[check]\nnear_duplicate_threshold = {threshold}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated") / "corpus"
    generated_corpus(folder)
    return folder


@pytest.mark.parametrize("threshold", [0.9, 0.85, 0.95, 0.6])  # 0.6: no banding, all pairs
def test_same_rows_as_all_pairs(corpus_folder, tmp_path, threshold):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    with_threshold(folder, threshold)
    assert (duplicates.banding(threshold) is None) == (threshold < 0.8)
    expected = reference_rows(folder, threshold)
    near = [r for r in expected if r[0] == "FL041"]
    assert len(near) >= 10  # planted pairs above the threshold ...
    assert any(r[0] == "FL040" and r[1].endswith("copy-upper.md") for r in expected)
    assert any(r[0] == "FL040" and r[1].endswith("us-upper.md") for r in expected)
    assert duplicate_rows_of(folder) == expected
    assert duplicate_rows_of(folder) == expected  # warm: from the cached summaries


def _planted_cosines(folder: Path) -> dict[str, float]:
    """The exact cosine of each planted variant with its original (scikit-learn)."""
    from framelens.analysis.counts.matrices import document_term_counts, term_options
    from framelens.analysis.counts.units import tfidf_weights
    from framelens.analysis.io.reader import load_corpus

    corpus = load_corpus(folder, use_cache=False)
    weights, _ = tfidf_weights(document_term_counts(corpus, term_options(corpus)).matrix)
    where = {d.id: i for i, d in enumerate(corpus.documents)}
    cosines = {}
    for level in range(len(EDITS)):
        for k in range(10):
            i, j = where[f"v{level:02d}-{k}"], where[f"a{(level * 10 + k) % 260:03d}"]
            cosines[f"v{level:02d}-{k}"] = float(weights[i].multiply(weights[j]).sum())
    return cosines


def test_planted_pair_at_and_above_the_threshold_is_found_with_its_exact_cosine(
        corpus_folder, tmp_path):
    cosines = _planted_cosines(corpus_folder)
    # The planted pair closest to 0.9 from above; the threshold set to its cosine (less
    # 1e-12: sums in another order may differ in the last bits), then just above it.
    name, cosine = min(((n, c) for n, c in cosines.items() if c >= 0.9),
                       key=lambda item: item[1])
    assert cosine < 0.93
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    for threshold, reported in ((cosine - 1e-12, True), (cosine + 1e-12, False), (0.9, True)):
        with_threshold(folder, threshold)
        rows = {r for r in duplicate_rows_of(folder, paths=[folder / f"{name}.md"])
                if r[0] == "FL041"}
        assert bool(rows) == reported, threshold
        if reported:
            (row,) = [r for r in rows if f"cosine {cosine:.3f}" in r[2]]
            assert row[1] == str(folder / f"{name}.md")
        # No planted variant below the threshold is reported against its original.
        below = [n for n, c in cosines.items() if c < threshold]
        assert not any(r[1].endswith(f"/{n}.md") for r in rows for n in below)


def test_checking_named_articles_matches_the_whole_corpus_check(corpus_folder, tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    whole = duplicate_rows_of(folder)
    named = [folder / "v03-2.md", folder / "a007.md", folder / "copy-upper.md"]
    assert duplicate_rows_of(folder, paths=named) == {
        r for r in whole if r[1] in {str(p) for p in named}}
    # An article outside the folder, checked against it (what `check new.md` does).
    outside = tmp_path / "new.md"
    outside.write_text((folder / "v02-5.md").read_text().replace("id: v02-5", "id: new"))
    rows = duplicate_rows_of(folder, paths=[outside])
    assert rows and all(r[1] == str(outside) for r in rows)
    assert any(r[0] == "FL040" and "v02-5" in r[2] for r in rows)  # same text as v02-5


@needs_cache
def test_fingerprints_and_term_summaries_come_from_the_cache(corpus_folder, tmp_path,
                                                           monkeypatch):
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.process.pipeline import document_digests
    from framelens.analysis.store.document_cache import DocumentCache
    from framelens.analysis.store.keys import DUPLICATES_VERSION

    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    (folder / "talks.md").write_text("---\nid: talks\ntitle: t\nperspective: north\n---\n"
                                     "The Talks ended. Talks resume in Vienna, officials "
                                     "said!\n", encoding="utf-8")
    first = duplicate_rows_of(folder)
    corpus = load_corpus(folder)
    digest = dict(zip((d.id for d in corpus.documents), document_digests(corpus),
                      strict=True))["talks"]
    # By hand: the case-folded tokens joined by one space.
    expected = hashlib.sha256(b"the talks ended talks resume in vienna officials said")
    stored = DocumentCache().get_many([f"dup-id:{DUPLICATES_VERSION}:{digest}"])
    assert stored == {f"dup-id:{DUPLICATES_VERSION}:{digest}": (expected.hexdigest(), "en")}

    def recomputed(*args, **kwargs):
        raise AssertionError("recomputed what the cache holds")

    monkeypatch.setattr(duplicates, "token_fingerprint", recomputed)
    monkeypatch.setattr(duplicates, "_summarise_terms", recomputed)
    assert duplicate_rows_of(folder) == first
    assert duplicate_rows_of(folder, paths=[folder / "v01-1.md"]) == {
        r for r in first if r[1] == str(folder / "v01-1.md")}


def check_a_near_copy_of_v01_3(folder: Path, tmp_path: Path) -> None:
    """Check one new article outside the folder, a near copy of v01-3: found as its near-duplicate."""
    outside = tmp_path / "new.md"
    outside.write_text((folder / "v01-3.md").read_text().replace("id: v01-3", "id: new")
                       .replace("\n\n", "\nextra words here\n\n", 1))
    rows = duplicate_rows_of(folder, paths=[outside])
    assert any(r[0] == "FL041" and "v01-3" in r[2] for r in rows)


@needs_cache
def test_one_new_article_processes_only_that_article(corpus_folder, tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    duplicate_rows_of(folder)  # the whole corpus: every summary is cached
    sizes = []
    processed = duplicates.processed

    def counting(corpus):
        sizes.append(len(corpus.documents))
        return processed(corpus)

    monkeypatch.setattr(duplicates, "processed", counting)
    check_a_near_copy_of_v01_3(folder, tmp_path)
    assert sizes and max(sizes) == 1  # never the other articles' tokens


@needs_cache
def test_the_first_check_after_compare_reads_each_article_once(corpus_folder, tmp_path,
                                                               monkeypatch):
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.process.pipeline import processed as process_corpus

    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    process_corpus(load_corpus(folder))  # what compare leaves: tokens cached, no check index
    read = []
    subset = duplicates.processed_subset

    def counting(corpus, indices):
        documents = subset(corpus, indices)
        read.extend(doc.digest for doc in documents)
        return documents

    monkeypatch.setattr(duplicates, "processed_subset", counting)
    check_a_near_copy_of_v01_3(folder, tmp_path)
    # Fingerprints, terms and signatures of every article come from one read of its tokens.
    # (The named article is also read by the content checks, first: one more read.)
    assert len(set(read)) > 200 and len(read) <= len(set(read)) + 1


def _edit_corpus(folder: Path) -> None:
    """Remove two articles, add a second file with a012's text, add a new article."""
    (folder / "a010.md").unlink()
    (folder / "a011.md").unlink()
    (folder / "a012-again.md").write_text((folder / "a012.md").read_text().replace(
        "id: a012", "id: a012-again"))  # the same digest twice
    (folder / "fresh.md").write_text(textwrap.dedent("""\
        ---
        id: fresh
        title: fresh
        perspective: south
        ---
        Entirely novel vocabulary zyxwv qwerty appears here once.
        """))


def _reference_df(folder: Path) -> dict[str, int]:
    from framelens.analysis.counts.matrices import document_term_counts, term_options
    from framelens.analysis.counts.units import document_frequency
    from framelens.analysis.io.reader import load_corpus

    corpus = load_corpus(folder, use_cache=False)
    counts = document_term_counts(corpus, term_options(corpus))
    return dict(zip(counts.terms, document_frequency(counts.matrix).tolist(), strict=True))


def _index_df(index) -> dict[str, int]:
    return {term: index.df[column] for term, column in index.vocabulary.items()
            if index.df[column]}


@needs_cache
@pytest.mark.parametrize("stored", [False, True])
def test_the_index_follows_added_and_removed_articles_exactly(corpus_folder, tmp_path,
                                                             monkeypatch, stored):
    from framelens.analysis.io.reader import load_corpus

    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    duplicate_rows_of(folder)  # stores the index
    _edit_corpus(folder)
    if stored:  # store the index after any change (by default: 64 changes or more)
        monkeypatch.setattr(duplicates, "_SAVE_MIN_CHANGES", 1)
    after = duplicate_rows_of(folder)
    corpus = load_corpus(folder)
    store = duplicates._Store(corpus)
    loaded = _index_df(store.index)
    store.has_terms()  # applies the changes since the stored index
    assert _index_df(store.index) == _reference_df(folder)
    # 260 articles, 140 variants, 5 others; two removed, two added.
    assert sum(store.index.multiplicity.values()) == len(corpus.documents) == 260 + 140 + 5
    assert (loaded == _reference_df(folder)) == stored
    # Digests that changed: a010 and a011 gone, a012 twice, fresh new.
    assert store.changes == (0 if stored else 4)
    # And the rows equal those of a fresh cache.
    monkeypatch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path / "fresh-cache"))
    assert duplicate_rows_of(folder) == after


def _compare_only(folder: Path) -> None:
    """What ``compare`` leaves in the cache: the one pass over every document."""
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.process.document_pass import prepare

    prepare(load_corpus(folder))


@needs_cache
@pytest.mark.parametrize(("threshold", "declared"),  # banding, every pair; languages known
                         [(0.9, True), (0.6, True), (0.9, False)])
def test_check_after_compare_gives_the_rows_of_a_cold_check_and_of_a_check_after_check(
        corpus_folder, tmp_path, monkeypatch, threshold, declared):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    with_threshold(folder, threshold)
    if declared:  # else languages are detected: the pseudo-words read as en, de, es, fr, it
        config = folder / "framelens.toml"
        config.write_text('language = "en"\n' + config.read_text(), encoding="utf-8")
    outside = tmp_path / "new.md"
    outside.write_text((folder / "v01-3.md").read_text().replace("id: v01-3", "id: new")
                       .replace("\n\n", "\nextra words here\n\n", 1))
    runs = {}
    for state in ("cold", "after compare", "after check"):
        monkeypatch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path / f"cache-{state}"))
        if state == "after compare":
            _compare_only(folder)
        elif state == "after check":
            duplicate_rows_of(folder)
        # With detected languages, compare cannot know check's stopwords (those of every
        # language detected): check then summarises the articles itself.
        warm = state != "cold" and declared
        with monkeypatch.context() as patch:
            if warm:  # the named articles' tokens are read (content checks), no others
                _forbid_recomputing(patch, read=2)
            named = (duplicate_rows_of(folder, paths=[outside]),
                     duplicate_rows_of(folder, paths=[folder / "v01-3.md", folder / "a007.md"]))
        with monkeypatch.context() as patch:
            if warm:  # every article's tokens are read (content checks), none summarised
                _forbid_recomputing(patch, read=None)
            runs[state] = (*named, duplicate_rows_of(folder))
    assert any(r[0] == "FL041" and "v01-3" in r[2] for r in runs["cold"][0])
    assert runs["after compare"] == runs["cold"] == runs["after check"]
    assert runs["cold"][2] == reference_rows(folder, threshold)


def _forbid_recomputing(monkeypatch, read: int | None) -> None:
    """Fail if check reads the tokens of more than ``read`` articles at once (None: any
    number), or summarises any article but one outside the folder."""
    summarise = duplicates._summarise_terms
    subset = duplicates.processed_subset

    def few(corpus, indices):
        assert read is None or len(indices) <= read, "read every article's tokens"
        return subset(corpus, indices)

    def summarise_few(token_lists, options):
        assert len(token_lists) <= 1 and read is not None, "summarised a cached article again"
        return summarise(token_lists, options)

    monkeypatch.setattr(duplicates, "processed_subset", few)
    monkeypatch.setattr(duplicates, "_summarise_terms", summarise_few)


@needs_cache
def test_the_index_built_after_compare_holds_the_df_of_a_cold_check(corpus_folder, tmp_path,
                                                                    monkeypatch):
    from framelens.analysis.io.reader import load_corpus

    folder = tmp_path / "corpus"
    shutil.copytree(corpus_folder, folder)
    _compare_only(folder)
    store = duplicates._Store(load_corpus(folder), with_terms=True)
    store.fingerprints()
    store.has_terms()
    assert store.index.df is None  # not counted until a cosine needs it
    store.term_matrix([0])
    assert _index_df(store.index) == _reference_df(folder)
    monkeypatch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path / "cold"))
    cold = duplicates._Store(load_corpus(folder), with_terms=True)
    cold.fingerprints()
    cold.term_matrix([0])
    # The same columns in the same order, whichever way the index was built.
    assert cold.index.vocabulary == store.index.vocabulary and cold.index.df == store.index.df
    assert cold.index.signature_rows(cold.digests).tobytes() == \
        store.index.signature_rows(store.digests).tobytes()
