"""TF-IDF per perspective and per document: hand-computed weights, options, determinism, CLI."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math

import numpy as np
import pytest

from framelens.analysis.counts.matrices import document_term_counts
from framelens.analysis.counts.units import corpus_term_options
from framelens.analysis.errors import OptionError
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.tfidf import tfidf
from tests.conftest import invoke, write_article

TWO_PERSPECTIVES = ('[[perspectives]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n'
                    '[[perspectives]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n')


@pytest.fixture
def tiny(tmp_path):
    """north: tanks ×2, grain ×1 (two documents); south: grain ×1, pipeline ×1."""
    (tmp_path / "framelens.toml").write_text(TWO_PERSPECTIVES, encoding="utf-8")
    write_article(tmp_path, "n-1", "north", "Tanks tanks.")
    write_article(tmp_path, "n-2", "north", "Grain.")
    write_article(tmp_path, "s-1", "south", "Grain pipeline.")
    return load_corpus(tmp_path)


def by_group(result):
    groups: dict[str, dict[str, object]] = {}
    for row in result.rows:
        groups.setdefault(row.group, {})[row.term.lower()] = row
    return groups


def hand_tfidf(counts: np.ndarray, sublinear: bool = False) -> np.ndarray:
    """scikit-learn's TF-IDF written out: smooth idf, optional 1 + ln tf, L2 rows."""
    n = counts.shape[0]
    df = (counts > 0).sum(axis=0)
    idf = np.log((1 + n) / (1 + df)) + 1
    tf = counts.astype(float)
    if sublinear:
        tf = np.where(counts > 0, 1 + np.log(np.where(counts > 0, counts, 1)), 0.0)
    weights = tf * idf
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    return weights / np.where(norms == 0, 1, norms)


def test_pooled_weights_by_hand(tiny):
    # Pooled: north {tanks 2, grain 1}, south {grain 1, pipeline 1}; n = 2 perspectives.
    # idf(tanks) = idf(pipeline) = ln(3/2) + 1, idf(grain) = ln(3/3) + 1 = 1.
    idf1 = math.log(1.5) + 1
    north_norm = math.hypot(2 * idf1, 1.0)
    south_norm = math.hypot(1.0, idf1)
    groups = by_group(tfidf(tiny))
    assert list(groups) == ["north", "south"]
    assert groups["north"]["tanks"].tfidf == pytest.approx(2 * idf1 / north_norm, rel=1e-12)
    assert groups["north"]["grain"].tfidf == pytest.approx(1 / north_norm, rel=1e-12)
    assert groups["south"]["pipeline"].tfidf == pytest.approx(idf1 / south_norm, rel=1e-12)
    assert groups["south"]["grain"].tfidf == pytest.approx(1 / south_norm, rel=1e-12)
    tanks = groups["north"]["tanks"]
    assert (tanks.count, tanks.df, tanks.rank, tanks.perspective) == (2, 1, 1, "north")
    assert tanks.idf == pytest.approx(idf1)
    assert (groups["north"]["grain"].count, groups["north"]["grain"].df) == (1, 2)


def test_sublinear_by_hand(tiny):
    idf1 = math.log(1.5) + 1
    tf = 1 + math.log(2)
    norm = math.hypot(tf * idf1, 1.0)
    north = by_group(tfidf(tiny, sublinear_tf=True))["north"]
    assert north["tanks"].tfidf == pytest.approx(tf * idf1 / norm, rel=1e-12)
    assert north["grain"].tfidf == pytest.approx(1 / norm, rel=1e-12)


def test_mean_pooling_by_hand(tiny):
    # Documents n-1 {tanks 2}, n-2 {grain 1}, s-1 {grain 1, pipeline 1}; n = 3 documents.
    idf_tanks = math.log(4 / 2) + 1   # df 1
    idf_grain = math.log(4 / 3) + 1   # df 2
    # n-1 → tanks 1.0; n-2 → grain 1.0 (each alone in its L2-normalised vector).
    result = tfidf(tiny, pooling="mean")
    groups = by_group(result)
    assert groups["north"]["tanks"].tfidf == pytest.approx(0.5)
    assert groups["north"]["grain"].tfidf == pytest.approx(0.5)
    south_norm = math.hypot(idf_grain, idf_tanks)  # pipeline has df 1 like tanks
    assert groups["south"]["pipeline"].tfidf == pytest.approx(idf_tanks / south_norm)
    assert groups["south"]["grain"].tfidf == pytest.approx(idf_grain / south_norm)
    # df and idf are over documents; count stays the perspective's pooled count.
    assert (groups["north"]["grain"].df, groups["north"]["grain"].count) == (2, 1)
    assert groups["north"]["grain"].idf == pytest.approx(idf_grain)
    assert "n = 3 documents" in result.caption


def test_ties_are_ordered_by_term(tiny):
    north = [r for r in tfidf(tiny, pooling="mean").rows if r.group == "north"]
    assert [r.term.lower() for r in north] == ["grain", "tanks"]  # equal 0.5, by term
    assert [r.rank for r in north] == [1, 2]


def test_document_mode_rows(tiny):
    result = tfidf(tiny, by="document")
    assert [r.group for r in result.rows] == ["n-1", "n-2", "s-1", "s-1"]
    assert [r.perspective for r in result.rows] == ["north", "north", "south", "south"]
    s1 = {r.term.lower(): r for r in result.rows if r.group == "s-1"}
    assert s1["grain"].df == 2 and s1["pipeline"].df == 1
    norm = math.hypot(math.log(4 / 3) + 1, math.log(2) + 1)
    assert s1["pipeline"].tfidf == pytest.approx((math.log(2) + 1) / norm)


@pytest.mark.parametrize("sublinear", [False, True])
def test_bundled_matches_numpy(bundled, sublinear):
    corpus = load_corpus(bundled)
    counts = document_term_counts(corpus, corpus_term_options(corpus))
    labels = [d.perspective for d in corpus.documents]
    matrix = counts.matrix.toarray()
    pooled = np.vstack([matrix[[i for i, p in enumerate(labels) if p == pid]].sum(axis=0)
                        for pid in corpus.perspective_ids])
    expected = hand_tfidf(pooled, sublinear)
    result = tfidf(corpus, top=25, sublinear_tf=sublinear)
    key_of = {d: k for d, k in zip(counts.display, counts.terms, strict=True)}
    for row in result.rows:
        g = corpus.perspective_ids.index(row.group)
        column = counts.terms.index(key_of[row.term])
        assert row.tfidf == pytest.approx(expected[g, column], rel=1e-12)
        assert row.count == pooled[g, column]
        assert row.df == (pooled[:, column] > 0).sum()
    for g, pid in enumerate(corpus.perspective_ids):
        scores = [r.tfidf for r in result.rows if r.group == pid]
        assert len(scores) == 25
        assert scores == sorted(scores, reverse=True)
        assert scores[0] == pytest.approx(expected[g].max(), rel=1e-12)


def test_document_order_changes_nothing(bundled):
    corpus = load_corpus(bundled)
    shuffled = dataclasses.replace(corpus, documents=tuple(reversed(corpus.documents)),
                                   memo={}, index={})
    assert shuffled.documents[0].id != corpus.documents[0].id
    for options in ({}, {"by": "document"}, {"pooling": "mean"},
                    {"ngram_range": (1, 2), "sublinear_tf": True}):
        assert tfidf(shuffled, **options).rows == tfidf(corpus, **options).rows


def test_terms_match_pipeline_counts(bundled):
    corpus = load_corpus(bundled)
    counts = document_term_counts(corpus, corpus_term_options(corpus, ngram_range=(1, 2)))
    terms = set(counts.display)
    rows = tfidf(corpus, ngram_range=(1, 2), top=40).rows
    assert {r.term for r in rows} <= terms
    assert any(" " in r.term for r in rows)


def test_keep_stopwords_brings_stopwords(bundled):
    corpus = load_corpus(bundled)
    plain = {r.term.lower() for r in tfidf(corpus, top=30).rows}
    kept = {r.term.lower() for r in tfidf(corpus, top=30, keep_stopwords=True).rows}
    assert "the" not in plain and "the" in kept


@pytest.mark.parametrize("options", [{"top": 0}, {"by": "outlet"}, {"pooling": "median"},
                                     {"by": "document", "pooling": "mean"},
                                     {"ngram_range": (2, 1)}, {"ngram_range": (0, 1)}])
def test_bad_options_raise_option_error(tiny, options):
    with pytest.raises(OptionError):
        tfidf(tiny, **options)


# ------------------------------------------------------------------------------- CLI


def run(*args: str):
    return invoke(list(args))


def test_cli_csv_columns_and_groups(bundled):
    result = run("tfidf", "--sources", str(bundled), "--format", "csv", "--top", "4")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["group", "term", "tfidf", "count", "df", "idf", "rank",
                             "perspective"]
    assert [r["group"] for r in rows] == ["ukraine"] * 4 + ["russia"] * 4 + ["china"] * 4
    assert all(0 < float(r["tfidf"]) <= 1 and 1 <= int(r["df"]) <= 3 for r in rows)
    assert [int(r["rank"]) for r in rows[:4]] == [1, 2, 3, 4]


def test_cli_by_document_json(bundled):
    result = run("tfidf", "--sources", str(bundled), "--by", "document", "-n", "20",
                 "--ngrams", "1-2", "--sublinear-tf", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    groups = {r["group"]: r["perspective"] for r in rows}
    assert groups == {"ua-analysis-2022-01-10": "ukraine", "ru-trenin-2022-01-21": "russia",
                      "cn-wu-2022-01-19": "china"}
    assert len(rows) == 60


def test_cli_table_view_lists_perspectives(bundled, tmp_path):
    out = tmp_path / "tfidf.txt"
    result = run("tfidf", "--sources", str(bundled), "--format", "table", "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Ukraine" in text and "Russia" in text and "China" in text
    assert "idf = ln((1 + n) / (1 + df)) + 1" in " ".join(text.split())


@pytest.mark.parametrize("args", [["--ngrams", "x"], ["--ngrams", "3-1"], ["--top", "0"],
                                  ["--by", "document", "--pooling", "mean"], ["--by", "nope"]])
def test_cli_bad_options_exit_2(bundled, args):
    result = run("tfidf", "--sources", str(bundled), *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_corpus_without_terms_is_exit_1(tmp_path):
    write_article(tmp_path, "a", "north", "The and of it.")
    for command in ("tfidf", "similarity"):
        result = run(command, "--sources", str(tmp_path), "--format", "csv")
        assert result.exit_code == 1, result.output
        assert "no terms left" in result.stderr and "--keep-stopwords" in result.stderr
        assert "Traceback" not in result.output
    kept = run("tfidf", "--sources", str(tmp_path), "--keep-stopwords", "--format", "csv")
    assert kept.exit_code == 0 and "the" in kept.stdout.lower()


def test_document_without_terms_warns_and_gives_empty_cells(tmp_path):
    write_article(tmp_path, "a", "north", "The and of it.")
    write_article(tmp_path, "b", "south", "Tanks grain tanks.")
    result = run("similarity", "--sources", str(tmp_path), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = {(r["a"], r["b"]): r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["north", "south"]["cosine"] == "" and rows["north", "south"]["jsd"] == ""
    assert rows["south", "south"]["cosine"] == "1.0"
    assert "north: no terms left" in result.stderr
