"""The article as the unit in the lenses: stance, topics, keywords and compare on corpora
with several articles per perspective (the bundled corpus has one each)."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.keywords import keyness
from framelens.analysis.lenses.stance import sentence_table, stance
from framelens.analysis.lenses.topics import topics
from framelens.analysis.reports.compare import compare, corpus_warnings
from framelens.analysis.stats import bootstrap, dispersion
from tests.conftest import invoke, write_article

POSITIVE = "NATO is a great and wonderful partner for peace."
NEGATIVE = "NATO threatens everyone and causes terrible harm."
NEUTRAL = "NATO met in Brussels on Tuesday."


def _write_corpus(folder, north: int, south: int, *, south_words: int = 1):
    """``north`` articles from one outlet and ``south`` articles from two outlets; each
    article mentions NATO in its own mix of tones, and the sanctions topic now and then.
    North article 0 alone says "cinema" many times (a one-article keyword)."""
    (folder / "framelens.toml").write_text(
        '[[perspectives]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n'
        '[[perspectives]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n',
        encoding="utf-8")
    for i in range(north):
        sentences = [POSITIVE] * (i % 3 + 1) + [NEGATIVE] * ((i + 1) % 2) + [NEUTRAL]
        sentences += ["Sanctions hurt the harbour economy badly."] * (i % 2)
        sentences += ["The harbour workers discussed wages and the weather."] * 3
        if i == 0:
            sentences += ["The cinema festival filled every cinema in town with cinema fans."] * 3
        write_article(folder, f"north-{i}", "north", " ".join(sentences),
                      outlet="Daily North", published="2022-01-10")
    for i in range(south):
        sentences = [NEGATIVE] * (i % 2 + 1) + [NEUTRAL] * south_words
        sentences += ["Sanctions are a heavy price, the minister said."] * ((i + 1) % 2)
        write_article(folder, f"south-{i}", "south", " ".join(sentences),
                      outlet=f"South Paper {i % 2}", published="2022-01-11")
    return folder


@pytest.fixture
def mixed(tmp_path):
    """North: 6 articles (intervals over articles); South: 2 (within these texts)."""
    (tmp_path / "mixed").mkdir()
    return load_corpus(_write_corpus(tmp_path / "mixed", 6, 2), use_cache=False)


@pytest.fixture
def even(tmp_path):
    """Six articles on each side: every interval and the keyword dimming over articles."""
    (tmp_path / "even").mkdir()
    return load_corpus(_write_corpus(tmp_path / "even", 6, 6, south_words=6), use_cache=False)


def _tones(corpus, perspective, target="NATO"):
    rows = [r for r in sentence_table(corpus).rows
            if r.perspective == perspective and target in r.targets.split(";")]
    return rows


# ----------------------------------------------------------------------------- stance


def test_stance_interval_over_articles_from_five_articles(mixed):
    rows = {r.perspective: r for r in stance(mixed, targets=["NATO"]).rows}
    north, south = rows["north"], rows["south"]
    assert (north.articles, north.ci_unit) == (6, bootstrap.OVER_ARTICLES)
    assert (south.articles, south.ci_unit) == (2, bootstrap.WITHIN_TEXTS)

    sentences = _tones(mixed, "north")
    tones = np.array([r.tone for r in sentences])
    ids = sorted({r.doc_id for r in sentences})
    owner = np.array([ids.index(r.doc_id) for r in sentences])
    # Point estimate unchanged: the plain mean of the sentences' tones.
    assert north.tone_mean == pytest.approx(tones.mean(), abs=1e-15)
    _, low, high = bootstrap.cluster_ratio_ci(
        np.bincount(owner, weights=tones), np.bincount(owner),
        bootstrap.article_weights(ids, seed=0, resamples=2000), bounds=(-1, 1))
    assert (north.tone_ci_low, north.tone_ci_high) == (pytest.approx(low), pytest.approx(high))
    # Shares of negative sentences by Korn-Graubard over the same articles.
    negative = np.bincount(owner, weights=(tones <= -0.05).astype(float))
    _, low, high = bootstrap.cluster_share_ci(negative, np.bincount(owner))
    assert (north.share_negative_ci_low, north.share_negative_ci_high) == \
        (pytest.approx(low), pytest.approx(high))

    south_tones = [r.tone for r in _tones(mixed, "south")]
    assert (south.tone_mean, south.tone_ci_low, south.tone_ci_high) == \
        bootstrap.bootstrap_mean_ci(south_tones, seed=0)
    assert "within these texts" in stance(mixed).caption


def test_stance_window_tone_is_over_articles_too(mixed):
    rows = {r.perspective: r for r in stance(mixed, targets=["NATO"], window=3).rows}
    assert rows["north"].ci_unit == bootstrap.OVER_ARTICLES
    assert rows["north"].tone_ci_low <= rows["north"].tone_mean <= rows["north"].tone_ci_high


def test_stance_interval_is_wider_than_the_sentence_interval(mixed):
    north = next(r for r in stance(mixed, targets=["NATO"]).rows if r.perspective == "north")
    _, low, high = bootstrap.bootstrap_mean_ci([r.tone for r in _tones(mixed, "north")], seed=0)
    assert north.tone_ci_high - north.tone_ci_low > high - low


# ----------------------------------------------------------------------------- topics


def test_topic_share_and_tone_intervals_know_their_unit(mixed):
    rows = {r.perspective: r for r in topics(mixed, topic="Sanctions and economic pressure").rows}
    north, south = rows["north"], rows["south"]
    assert north.share_ci_unit == bootstrap.OVER_ARTICLES
    assert south.share_ci_unit == bootstrap.WITHIN_TEXTS
    # North: 3 of 6 articles hold the topic, fewer than 5: the tone is within these texts.
    assert (north.documents, north.ci_unit) == (3, bootstrap.WITHIN_TEXTS)
    table = sentence_table(mixed).rows
    per_doc = {}
    for r in table:
        if r.perspective == "north":
            hits, units = per_doc.get(r.doc_id, (0, 0))
            per_doc[r.doc_id] = (hits + ("Sanctions" in r.topics), units + 1)
    hits, units = zip(*per_doc.values(), strict=True)
    share, low, high = bootstrap.cluster_share_ci(hits, units)
    assert north.share_of_sentences == pytest.approx(share)
    assert (north.share_ci_low, north.share_ci_high) == (pytest.approx(low), pytest.approx(high))
    low, high = bootstrap.clopper_pearson_ci(south.sentences, sum(
        1 for r in table if r.perspective == "south"))
    assert (south.share_ci_low, south.share_ci_high) == (pytest.approx(low), pytest.approx(high))


# ---------------------------------------------------------------------------- keywords


def test_keywords_carry_documents_and_dispersion(mixed):
    result = keyness(mixed, top=0, min_count=1, min_docs=1, collocations=False)
    north = {r.term: r for r in result.rows if r.perspective == "north"}
    cinema = north["cinema"]
    assert (cinema.count, cinema.documents, cinema.top_document_share) == (9, 1, 1.0)
    assert cinema.reference_documents == 0
    harbour = north["harbour"]
    assert harbour.documents == 6
    # DP by hand from the north documents' counts and sizes.
    from framelens.analysis.counts.matrices import document_term_counts
    from framelens.analysis.counts.units import corpus_term_options

    counts = document_term_counts(mixed, corpus_term_options(mixed, collocations=False))
    rows = [i for i, d in enumerate(mixed.documents) if d.perspective == "north"]
    column = counts.terms.index("harbour")
    f = counts.matrix.toarray()[rows, column].astype(float)
    t = counts.token_totals[rows].astype(float)
    expected = 0.5 * np.abs(f / f.sum() - t / t.sum()).sum()
    assert harbour.dp == pytest.approx(expected)
    assert harbour.dp_norm == pytest.approx(expected / (1 - t.min() / t.sum()))
    # Welch over documents beside the token-level p: 6 north vs 2 south documents.
    assert math.isfinite(harbour.doc_t) and 0 <= harbour.doc_p_value <= 1


def test_min_docs_keeps_one_article_keywords_out_by_default(mixed):
    terms = {r.term for r in keyness(mixed, top=0, min_count=1, collocations=False).rows
             if r.perspective == "north"}
    assert "cinema" not in terms and "harbour" in terms
    assert all(r.documents >= 2 for r in keyness(mixed, top=0, min_count=1).rows
               if r.perspective == "north")
    # South has 2 documents: a South keyword must be in both.
    assert all(r.documents == 2 for r in keyness(mixed, top=0, min_count=1).rows
               if r.perspective == "south")


def test_keywords_bootstrap_test_and_view_flag(mixed, tmp_path):
    welch = keyness(mixed, top=0, min_count=1, min_docs=1, collocations=False)
    boot = keyness(mixed, top=0, min_count=1, min_docs=1, collocations=False, test="bootstrap")
    assert [r.term for r in welch.rows] == [r.term for r in boot.rows]
    assert [r.doc_t for r in welch.rows] == pytest.approx([r.doc_t for r in boot.rows],
                                                          nan_ok=True)
    assert all(0 < r.doc_p_value <= 1 for r in boot.rows)
    result = invoke(["keywords", "--sources", str(mixed.root), "--min-docs", "1",
                     "--min-count", "1", "--top", "0", "--format", "table"],
                    env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "cinema" in result.stdout and "1!" in result.stdout
    assert "more than half of the term's count comes from one document" in result.stdout
    csv_out = invoke(["keywords", "--sources", str(mixed.root), "--test", "bootstrap",
                      "--format", "csv"])
    assert csv_out.exit_code == 0, csv_out.output
    rows = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert rows and all(float(r["doc_p_value"]) > 0 for r in rows)


# ----------------------------------------------------------------------------- compare


def test_compare_warns_about_a_dominant_perspective_and_single_outlets(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    corpus = load_corpus(_write_corpus(tmp_path / "one", 6, 1), use_cache=False)
    warnings = corpus_warnings(corpus)
    assert any("North holds" in w and "of the corpus's words" in w for w in warnings)
    # South's one article is trivially from one outlet too.
    assert any(w.startswith("single outlet: North (Daily North), South (South Paper 0)")
               for w in warnings)
    assert not any(w.startswith("single outlet") for w in corpus_warnings(
        load_corpus(_write_corpus(tmp_path / "two", 0, 2), use_cache=False)))
    report = compare(corpus, sections=["corpus"])
    assert sum("single outlet" in w for w in report.warnings) == 1


def test_compare_dims_by_the_document_level_p_with_five_articles_each(even, mixed):
    report = compare(even, sections=["keywords", "stance"])
    keywords = dict(report.sections)["keywords"]
    assert keywords.extra["document_level"] is True
    assert all(math.isfinite(r.doc_p_value) for r in keywords.rows)
    stance_rows = dict(report.sections)["stance"].rows
    assert {r.ci_unit for r in stance_rows if r.target == "NATO"} == {bootstrap.OVER_ARTICLES}
    assert dict(compare(mixed, sections=["keywords"]).sections)["keywords"] \
        .extra["document_level"] is False


def test_compare_machine_output_says_the_unit(mixed):
    result = invoke(["compare", "--sources", str(mixed.root), "--format", "csv",
                     "--sections", "stance"])
    assert result.exit_code == 0, result.output
    nato = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["item"] == "NATO"]
    details = {r["perspective"]: r["detail"] for r in nato}
    assert details["north"] == "tone: " + bootstrap.CI_UNIT_NOTES[bootstrap.OVER_ARTICLES]
    assert details["south"] == "tone: " + bootstrap.CI_UNIT_NOTES[bootstrap.WITHIN_TEXTS]
    data = json.loads(invoke(["compare", "--sources", str(mixed.root), "--format", "json",
                              "--sections", "stance"]).stdout)
    assert {(r["perspective"], r["ci_unit"]) for r in data["stance"] if r["target"] == "NATO"} \
        == {("north", "articles"), ("south", "sentences")}


def test_dispersion_module_agrees_with_keyword_rows(mixed):
    result = keyness(mixed, top=0, min_count=1, min_docs=1, collocations=False)
    row = next(r for r in result.rows if r.term == "cinema")
    assert row.dp == pytest.approx(float(dispersion.gries_dp(
        [[9], [0], [0], [0], [0], [0]], [1, 1, 1, 1, 1, 1])[0]), abs=0.2)
