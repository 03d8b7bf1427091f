"""Similarity (TF-IDF cosine, JSD) and shared/unique vocabulary: hand values, properties, CLI."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math

import numpy as np
import pytest

from framelens.analysis.counts.matrices import count_units, document_term_counts
from framelens.analysis.counts.units import corpus_term_options, sentence_subset_counts, term_units
from framelens.analysis.errors import OptionError
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.similarity import cosine_matrix, jsd_matrix, similarity, topic_scope
from framelens.analysis.process.annotators import topic_sentences
from framelens.analysis.process.pipeline import processed
from tests.conftest import invoke, write_article

PERSPECTIVES = ("north", "south", "east")


def config_text(order=PERSPECTIVES) -> str:
    colours = {"north": "#1f77b4", "south": "#d62728", "east": "#2ca02c"}
    return "\n".join(f'[[perspectives]]\nid = "{p}"\nlabel = "{p.title()}"\n'
                     f'colour = "{colours[p]}"\n' for p in order)


@pytest.fixture
def tiny(tmp_path):
    """Pooled counts: north {tanks 2, grain 1}, south {grain 1, pipeline 1}."""
    (tmp_path / "framelens.toml").write_text(config_text(PERSPECTIVES[:2]), encoding="utf-8")
    write_article(tmp_path, "n-1", "north", "Tanks tanks.")
    write_article(tmp_path, "n-2", "north", "Grain.")
    write_article(tmp_path, "s-1", "south", "Grain pipeline.")
    return load_corpus(tmp_path)


def pairs(result):
    return {(r.a, r.b): r for r in result.rows}


# ------------------------------------------------------------------------ hand values


def test_tiny_cosine_and_jsd_by_hand(tiny):
    idf1 = math.log(1.5) + 1  # tanks, pipeline: in one of two perspectives
    north = np.array([2 * idf1, 1.0, 0.0])  # tanks, grain, pipeline
    south = np.array([0.0, 1.0, idf1])
    cosine = north @ south / (np.linalg.norm(north) * np.linalg.norm(south))
    # JSD of P = (2/3, 1/3, 0) and Q = (0, 1/2, 1/2): M = (1/3, 5/12, 1/4).
    kl_p = 2 / 3 * math.log2(2) + 1 / 3 * math.log2((1 / 3) / (5 / 12))
    kl_q = 1 / 2 * math.log2((1 / 2) / (5 / 12)) + 1 / 2 * math.log2(2)
    jsd = (kl_p + kl_q) / 2
    assert jsd == pytest.approx(0.5954373, abs=1e-7)
    rows = pairs(similarity(tiny))
    assert list(rows) == [("north", "north"), ("north", "south"), ("south", "south")]
    assert rows["north", "south"].cosine == pytest.approx(cosine, rel=1e-12)
    assert rows["north", "south"].jsd == pytest.approx(jsd, rel=1e-12)
    assert rows["north", "north"].cosine == 1.0 and rows["north", "north"].jsd == 0.0


def test_jsd_hand_values():
    counts = np.array([[3, 1, 0, 0],    # P
                       [6, 2, 0, 0],    # the same distribution as P
                       [0, 0, 5, 5],    # disjoint from P
                       [1, 1, 0, 0]])   # (1/2, 1/2)
    matrix = jsd_matrix(counts)
    assert matrix[0, 1] == pytest.approx(0.0, abs=1e-12)
    assert matrix[0, 2] == pytest.approx(1.0, abs=1e-12)
    # P = (3/4, 1/4), R = (1/2, 1/2), M = (5/8, 3/8).
    expected = (0.75 * math.log2(0.75 / 0.625) + 0.25 * math.log2(0.25 / 0.375)
                + 0.5 * math.log2(0.5 / 0.625) + 0.5 * math.log2(0.5 / 0.375)) / 2
    assert matrix[0, 3] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.0487949, abs=1e-7)


def test_empty_rows_are_nan_not_errors():
    counts = np.array([[1, 0], [0, 0], [0, 2]])
    jsd = jsd_matrix(counts)
    cosine = cosine_matrix(counts.astype(float))
    assert np.isnan(jsd[1]).all() and np.isnan(cosine[:, 1]).all()
    assert jsd[0, 2] == pytest.approx(1.0) and cosine[0, 2] == 0.0


def test_matrices_are_symmetric_with_unit_diagonal():
    rng = np.random.default_rng(7)
    counts = rng.poisson(0.6, size=(6, 40))
    counts[:, 0] += 1  # no empty row
    jsd = jsd_matrix(counts)
    cosine = cosine_matrix(counts.astype(float))
    assert np.array_equal(jsd, jsd.T) and np.array_equal(cosine, cosine.T)
    assert np.all(np.diag(cosine) == 1.0) and np.all(np.diag(jsd) == 0.0)
    assert np.all((jsd >= 0) & (jsd <= 1)) and np.all((cosine >= 0) & (cosine <= 1))
    dot = counts @ counts.T / np.outer(np.linalg.norm(counts, axis=1),
                                       np.linalg.norm(counts, axis=1))
    np.testing.assert_allclose(cosine, np.where(np.eye(6, dtype=bool), 1.0, dot), rtol=1e-12)


# ------------------------------------------------------------------- bundled corpus


def hand_tfidf(counts: np.ndarray, sublinear: bool) -> np.ndarray:
    n = counts.shape[0]
    idf = np.log((1 + n) / (1 + (counts > 0).sum(axis=0))) + 1
    tf = counts.astype(float)
    if sublinear:
        tf = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0.0)
    weights = tf * idf
    return weights / np.linalg.norm(weights, axis=1, keepdims=True)


@pytest.mark.parametrize("by", ["perspective", "document"])
@pytest.mark.parametrize("sublinear", [False, True])
def test_bundled_cosine_and_jsd_match_numpy(bundled, by, sublinear):
    corpus = load_corpus(bundled)
    counts = document_term_counts(corpus, corpus_term_options(corpus)).matrix.toarray()
    if by == "perspective":
        labels = [d.perspective for d in corpus.documents]
        names = list(corpus.perspective_ids)
        counts = np.vstack([counts[[i for i, p in enumerate(labels) if p == name]].sum(axis=0)
                            for name in names])
    else:
        names = [d.id for d in corpus.documents]
    weights = hand_tfidf(counts, sublinear)
    probabilities = counts / counts.sum(axis=1, keepdims=True)
    rows = pairs(similarity(corpus, by=by, sublinear_tf=sublinear))
    assert len(rows) == len(names) * (len(names) + 1) // 2
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            row = rows.get((a, b)) or rows[b, a]
            assert row.cosine == pytest.approx(weights[i] @ weights[j], rel=1e-9)
            p, q = probabilities[i], probabilities[j]
            m = (p + q) / 2
            with np.errstate(divide="ignore", invalid="ignore"):
                kl_p = np.nansum(np.where(p > 0, p * np.log2(p / m), 0.0))
                kl_q = np.nansum(np.where(q > 0, q * np.log2(q / m), 0.0))
            assert row.jsd == pytest.approx((kl_p + kl_q) / 2, abs=1e-12)


def test_perspective_order_permutes_the_matrix(bundled, tmp_path):
    corpus = load_corpus(bundled)
    config = tmp_path / "reversed.toml"
    config.write_text("\n".join(
        f'[[perspectives]]\nid = "{p.id}"\nlabel = "{p.label}"\ncolour = "{p.colour}"\n'
        for p in reversed(corpus.config.perspectives)), encoding="utf-8")
    flipped = load_corpus(bundled, config_path=config)
    assert flipped.perspective_ids == tuple(reversed(corpus.perspective_ids))
    forward = pairs(similarity(corpus))
    backward = pairs(similarity(flipped))
    assert len(forward) == len(backward) == 6
    for (a, b), row in forward.items():
        other = backward[b, a]
        assert other.cosine == pytest.approx(row.cosine, rel=1e-12)
        assert other.jsd == pytest.approx(row.jsd, rel=1e-12)


def test_document_order_changes_nothing(bundled):
    corpus = load_corpus(bundled)
    shuffled = dataclasses.replace(corpus, documents=tuple(reversed(corpus.documents)),
                                   memo={}, index={})
    assert shuffled.documents != corpus.documents
    for options in ({}, {"by": "document"}, {"sublinear_tf": True, "ngram_range": (1, 2)},
                    {"vocabulary": True}, {"vocabulary": True, "min_count": 1},
                    {"topic": "NATO expansion"}, {"topic": "Crimea", "by": "document"},
                    {"topic": "NATO expansion", "vocabulary": True}):
        # repr: NaN (no sentence on a topic) never equals itself.
        assert repr(similarity(shuffled, **options).rows) == \
            repr(similarity(corpus, **options).rows)


def test_documents_of_one_perspective_are_grouped(small_corpus):
    corpus = load_corpus(small_corpus)
    rows = similarity(corpus, by="document").rows
    assert [(r.a, r.b) for r in rows] == [
        ("north-one", "north-one"), ("north-one", "north-two"), ("north-one", "south-one"),
        ("north-two", "north-two"), ("north-two", "south-one"), ("south-one", "south-one")]
    assert [r.b_perspective for r in rows] == ["north", "north", "south", "north", "south",
                                               "south"]


# -------------------------------------------------------------------------- vocabulary


@pytest.mark.parametrize("min_count", [1, 2, 3])
def test_vocabulary_sets_are_consistent(bundled, min_count):
    corpus = load_corpus(bundled)
    result = similarity(corpus, vocabulary=True, min_count=min_count, examples=1000)
    units = term_units(corpus)
    counts = units.matrix.toarray()
    column = {d: i for i, d in enumerate(units.counts.display)}
    ids = list(units.ids)
    used = counts >= min_count
    by_set: dict[tuple[str, tuple[str, ...]], object] = {(r.set, r.perspectives): r
                                                          for r in result.rows}
    assert [r.set for r in result.rows] == ["used"] * 3 + ["all"] + ["pair"] * 3 + ["unique"] * 3
    for row in result.rows:
        assert len(row.examples) == row.terms  # examples=1000 lists every term here
        members = [ids.index(p) for p in row.perspectives]
        for term in row.examples:
            c = counts[:, column[term]]
            if row.set == "used":
                assert c[members[0]] >= min_count
            elif row.set == "all":
                assert (c >= min_count).all()
            else:
                inside = np.zeros(len(ids), dtype=bool)
                inside[members] = True
                assert (c[inside] >= min_count).all() and (c[~inside] < min_count).all()
    for i, p in enumerate(ids):
        pair_total = sum(r.terms for (kind, members), r in by_set.items()
                         if kind == "pair" and p in members)
        assert by_set["used", (p,)].terms == used[i].sum()
        assert (by_set["unique", (p,)].terms + pair_total + by_set["all", tuple(ids)].terms
                == used[i].sum())


def test_vocabulary_examples_are_most_frequent_first(bundled):
    corpus = load_corpus(bundled)
    units = term_units(corpus)
    totals = np.asarray(units.matrix.sum(axis=0)).ravel()
    column = {d: i for i, d in enumerate(units.counts.display)}
    for row in similarity(corpus, vocabulary=True).rows:
        assert len(row.examples) == min(10, row.terms)
        keys = [(-totals[column[t]], units.counts.terms[column[t]]) for t in row.examples]
        assert keys == sorted(keys)


def test_vocabulary_hand_example(tiny):
    rows = {(r.set, r.perspectives): r for r in similarity(tiny, vocabulary=True,
                                                           min_count=1).rows}
    assert [r.lower() for r in rows["all", ("north", "south")].examples] == ["grain"]
    assert [r.lower() for r in rows["unique", ("north",)].examples] == ["tanks"]
    assert [r.lower() for r in rows["unique", ("south",)].examples] == ["pipeline"]
    assert not any(kind == "pair" for kind, _ in rows)  # two perspectives: pair == all
    two = {(r.set, r.perspectives): r.terms for r in similarity(tiny, vocabulary=True).rows}
    assert two["used", ("north",)] == 1 and two["unique", ("north",)] == 1
    assert two["all", ("north", "south")] == 0


@pytest.mark.parametrize("options", [{"by": "document", "vocabulary": True},
                                     {"vocabulary": True, "min_count": 0},
                                     {"vocabulary": True, "examples": -1}, {"by": "outlet"}])
def test_bad_options_raise_option_error(tiny, options):
    with pytest.raises(OptionError):
        similarity(tiny, **options)


# ------------------------------------------------------------------------------ topic

TOPIC = "Grain trade"


@pytest.fixture
def on_topic(tmp_path):
    """Sentences with "grain" (the topic): north "Grain tanks." and "Grain ports.",
    south "Grain pipeline."; n-2 and east have none."""
    (tmp_path / "framelens.toml").write_text(
        config_text() + f'\n[topics."{TOPIC}"]\nterms = ["grain"]\n', encoding="utf-8")
    write_article(tmp_path, "n-1", "north", "Grain tanks. Tanks tanks. Grain ports.")
    write_article(tmp_path, "n-2", "north", "Tanks border.")
    write_article(tmp_path, "s-1", "south", "Grain pipeline. Pipeline talks.")
    write_article(tmp_path, "e-1", "east", "Tanks talks.")
    return tmp_path


def unit_counts(units) -> dict[str, dict[str, int]]:
    matrix = units.matrix.toarray()
    return {unit: {term: int(n) for term, n in zip(units.counts.terms, row, strict=True) if n}
            for unit, row in zip(units.ids, matrix, strict=True)}


def test_topic_counts_only_the_topic_sentences_by_hand(on_topic):
    corpus = load_corpus(on_topic)
    scope = topic_scope(corpus, "grain TRADE")  # names match in any case
    assert scope.name == TOPIC
    assert [(corpus.documents[d].id, i) for d, i in scope.sentences] == [
        ("n-1", 0), ("n-1", 2), ("s-1", 0)]
    assert unit_counts(term_units(corpus, sentences=scope.sentences)) == {
        "north": {"grain": 2, "tanks": 1, "ports": 1},  # "Tanks tanks." is off the topic
        "south": {"grain": 1, "pipeline": 1},
        "east": {}}


def test_topic_cosine_and_jsd_by_hand(on_topic):
    result = similarity(load_corpus(on_topic), topic=TOPIC)
    # idf fitted on north and south only (east has no sentence on the topic): n = 2.
    idf1 = math.log(3 / 2) + 1  # tanks, ports, pipeline; grain (df 2) has idf 1
    north = np.array([2.0, idf1, idf1, 0.0])  # grain, tanks, ports, pipeline
    south = np.array([1.0, 0.0, 0.0, idf1])
    cosine = north @ south / (np.linalg.norm(north) * np.linalg.norm(south))
    # P = (1/2, 1/4, 1/4, 0), Q = (1/2, 0, 0, 1/2), M = (1/2, 1/8, 1/8, 1/4):
    # KL(P||M) = 1/4 + 1/4 and KL(Q||M) = 1/2, so JSD = 1/2.
    rows = pairs(result)
    assert rows["north", "south"].cosine == pytest.approx(cosine, rel=1e-12)
    assert cosine == pytest.approx(0.4112071, abs=1e-7)
    assert rows["north", "south"].jsd == pytest.approx(0.5, rel=1e-12)
    for pair in (("north", "east"), ("south", "east"), ("east", "east")):
        assert math.isnan(rows[pair].cosine) and math.isnan(rows[pair].jsd)
    assert result.title == "Similarity between perspectives on 'Grain trade' (documents pooled)"
    assert result.caption.startswith("Restricted to the 3 sentences on the topic 'Grain trade'")
    assert "North 2, South 1, East 0." in result.caption
    assert "smooth idf over the 2 perspectives with sentences on the topic" in result.caption
    assert result.warnings == ("no sentence on topic 'Grain trade' in east: cosine and JSD "
                               "are undefined there (empty)",)
    assert result.extra["topic_sentences"] == {"north": 2, "south": 1, "east": 0}


def test_topic_by_document_leaves_documents_without_topic_sentences_empty(on_topic):
    result = similarity(load_corpus(on_topic), topic=TOPIC, by="document")
    rows = pairs(result)
    assert len(rows) == 10  # every pair of the 4 documents is still listed
    for (a, b), row in rows.items():
        silent = {a, b} & {"n-2", "e-1"}
        assert math.isnan(row.cosine) == bool(silent) == math.isnan(row.jsd)
    # n-1 and s-1 hold exactly the perspectives' topic sentences.
    by_perspective = pairs(similarity(load_corpus(on_topic), topic=TOPIC))["north", "south"]
    assert rows["n-1", "s-1"].cosine == by_perspective.cosine
    assert "in 2 of 4 documents" in result.caption
    assert "n-2, e-1" in result.warnings[0]


def test_topic_vocabulary_by_hand(on_topic):
    result = similarity(load_corpus(on_topic), topic=TOPIC, vocabulary=True, min_count=1)
    rows = {(r.set, r.perspectives): r for r in result.rows}
    everyone = ("north", "south", "east")
    assert {key: r.terms for key, r in rows.items()} == {
        ("used", ("north",)): 3, ("used", ("south",)): 2, ("used", ("east",)): 0,
        ("all", everyone): 0, ("pair", ("north", "south")): 1, ("pair", ("north", "east")): 0,
        ("pair", ("south", "east")): 0, ("unique", ("north",)): 2,
        ("unique", ("south",)): 1, ("unique", ("east",)): 0}
    # Unrestricted, east's "Tanks talks." would make tanks a north + east term.
    assert sorted(t.lower() for t in rows["unique", ("north",)].examples) == ["ports", "tanks"]
    assert [t.lower() for t in rows["pair", ("north", "south")].examples] == ["grain"]
    assert result.title == "Shared and unique vocabulary on 'Grain trade' (count ≥ 1)"
    assert "North 2, South 1, East 0" in result.caption
    assert "shared by all" in result.warnings[0] and "east" in result.warnings[0]


def test_bundled_topic_counts_equal_a_direct_count_of_its_sentences(bundled):
    corpus = load_corpus(bundled)
    options = corpus_term_options(corpus)
    positions = topic_sentences(corpus)["NATO expansion"]
    documents = processed(corpus)
    ids = corpus.perspective_ids
    # The topics module's way: count_units over each perspective's topic sentences.
    direct = count_units([[documents[d].tokens[s] for d, s in positions
                           if corpus.documents[d].perspective == p] for p in ids], options)
    units = term_units(corpus, sentences=positions)
    expected = {p: {t: int(n) for t, n in zip(direct.terms, row, strict=True) if n}
                for p, row in zip(ids, direct.matrix.toarray(), strict=True)}
    assert unit_counts(units) == expected
    assert all(len(expected[p]) > 20 for p in ids)
    counts = direct.matrix.toarray()
    weights = hand_tfidf(counts, sublinear=False)
    probabilities = counts / counts.sum(axis=1, keepdims=True)
    rows = pairs(similarity(corpus, topic="NATO expansion"))
    for i, a in enumerate(ids):
        for j in range(i, len(ids)):
            row = rows[a, ids[j]]
            assert row.cosine == pytest.approx(weights[i] @ weights[j], rel=1e-9)
            p, q = probabilities[i], probabilities[j]
            m = (p + q) / 2
            kl = [np.sum(x[x > 0] * np.log2(x[x > 0] / m[x > 0])) for x in (p, q)]
            assert row.jsd == pytest.approx(sum(kl) / 2, abs=1e-12)
    assert rows["ukraine", "russia"].cosine != pairs(similarity(corpus))["ukraine",
                                                                         "russia"].cosine


def test_every_sentence_selected_gives_the_document_counts(bundled):
    corpus = load_corpus(bundled)
    options = corpus_term_options(corpus)
    everything = [(d, s) for d, doc in enumerate(processed(corpus))
                  for s in range(len(doc.tokens))]
    subset = sentence_subset_counts(corpus, options, everything)
    whole = document_term_counts(corpus, options)
    assert subset.terms == whole.terms and subset.display == whole.display
    assert (subset.matrix != whole.matrix).nnz == 0
    assert np.array_equal(subset.token_totals, whole.token_totals)


def test_unknown_topic_raises_option_error(on_topic):
    with pytest.raises(OptionError, match="unknown topic 'Atlantis' \\(topics: .*Grain trade"):
        similarity(load_corpus(on_topic), topic="Atlantis")


# ------------------------------------------------------------------------------- CLI


def run(*args: str):
    return invoke(list(args))


def test_cli_csv_long_table(bundled):
    result = run("similarity", "--sources", str(bundled), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["a", "b", "cosine", "jsd", "a_perspective", "b_perspective"]
    assert [(r["a"], r["b"]) for r in rows] == [
        ("ukraine", "ukraine"), ("ukraine", "russia"), ("ukraine", "china"),
        ("russia", "russia"), ("russia", "china"), ("china", "china")]
    off = [r for r in rows if r["a"] != r["b"]]
    assert all(0 < float(r["cosine"]) < 1 and 0 < float(r["jsd"]) < 1 for r in off)


def test_cli_by_document_row_count(tmp_path):
    (tmp_path / "framelens.toml").write_text(config_text(), encoding="utf-8")
    words = ["tanks grain", "grain pipeline talks", "talks sanctions", "sanctions tanks",
             "pipeline sanctions grain"]
    for index, text in enumerate(words):
        write_article(tmp_path, f"doc-{index}", PERSPECTIVES[index % 3], text.capitalize() + ".")
    result = run("similarity", "--sources", str(tmp_path), "--by", "document",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    n = len(words)
    assert len(rows) == n * (n + 1) // 2
    assert sum(r["a"] == r["b"] for r in rows) == n
    assert all(r["cosine"] == 1.0 and r["jsd"] == 0.0 for r in rows if r["a"] == r["b"])
    # doc-0 (tanks grain) and doc-2 (talks sanctions) share nothing.
    disjoint = next(r for r in rows if {r["a"], r["b"]} == {"doc-0", "doc-2"})
    assert disjoint["cosine"] == 0.0 and disjoint["jsd"] == pytest.approx(1.0)


def test_cli_vocabulary_json(bundled):
    result = run("similarity", "--sources", str(bundled), "--vocabulary", "--min-count", "3",
                 "--examples", "5", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert list(rows[0]) == ["set", "perspectives", "terms", "examples"]
    assert {r["set"] for r in rows} == {"used", "all", "pair", "unique"}
    assert all(isinstance(r["perspectives"], list) and len(r["examples"]) <= 5 for r in rows)


def test_cli_vocabulary_csv_joins_lists(bundled):
    result = run("similarity", "--sources", str(bundled), "--vocabulary", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[3]["set"] == "all" and rows[3]["perspectives"] == "ukraine;russia;china"


@pytest.mark.parametrize(("args", "expected"), [
    ([], ["Ukraine", "Russia", "China", "Jensen–Shannon"]),
    (["--by", "document"], ["ua-analysis-2022-01-10", "cn-wu-2022-01-19"]),
    (["--vocabulary"], ["Ukraine + Russia only", "only China", "all 3"])])
def test_cli_table_views_render(bundled, tmp_path, args, expected):
    if "--vocabulary" not in args:
        rows = similarity(load_corpus(bundled), by=args[1] if args else "perspective").rows
        off = [r for r in rows if r.a != r.b]
        expected = expected + [f"{r.cosine:.3f}" for r in off] + [f"{r.jsd:.3f}" for r in off]
    out = tmp_path / "view.txt"
    result = run("similarity", "--sources", str(bundled), *args, "--format", "table",
                 "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for snippet in expected:
        assert snippet in text


@pytest.mark.parametrize("args", [["--by", "document", "--vocabulary"], ["--min-count", "0",
                                  "--vocabulary"], ["--ngrams", "0-2"], ["--by", "outlet"]])
def test_cli_bad_options_exit_2(bundled, args):
    result = run("similarity", "--sources", str(bundled), *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_cli_many_documents_table_lists_closest_pairs(tmp_path):
    (tmp_path / "framelens.toml").write_text(config_text(), encoding="utf-8")
    vocabulary = ["tanks", "grain", "pipeline", "talks", "sanctions", "border", "troops"]
    for index in range(13):
        words = " ".join(vocabulary[(index + k) % 7] for k in range(3))
        write_article(tmp_path, f"doc-{index:02d}", PERSPECTIVES[index % 3],
                      words.capitalize() + ".")
    out = tmp_path / "view.txt"
    result = run("similarity", "--sources", str(tmp_path), "--by", "document",
                 "--format", "table", "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "the 30 most similar of 78 pairs" in " ".join(text.split())
    assert "doc-00" in text


def test_cli_unknown_topic_is_the_topics_command_error(bundled):
    result = run("similarity", "--sources", str(bundled), "--topic", "Atlantis")
    same = run("topics", "--sources", str(bundled), "--topic", "Atlantis")
    assert result.exit_code == same.exit_code == 2  # an option error, as in topics
    assert result.stderr == same.stderr
    assert "unknown topic 'Atlantis'" in result.stderr and "NATO expansion" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output


def test_cli_topic_csv_has_empty_cells_for_silent_perspectives(on_topic):
    result = run("similarity", "--sources", str(on_topic), "-t", "grain trade", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = {(r["a"], r["b"]): r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert len(rows) == 6
    assert rows["north", "east"]["cosine"] == "" and rows["north", "east"]["jsd"] == ""
    assert float(rows["north", "south"]["jsd"]) == pytest.approx(0.5)
    assert "no sentence on topic 'Grain trade' in east" in result.stderr


def test_cli_topic_table_view_names_the_topic_and_counts(bundled, tmp_path):
    out = tmp_path / "view.txt"
    result = run("similarity", "--sources", str(bundled), "--topic", "NATO expansion",
                 "--format", "table", "--output", str(out))
    assert result.exit_code == 0, result.output
    text = " ".join(out.read_text(encoding="utf-8").split())
    sentences = {r.perspective: r.sentences
                 for r in topics_rows(bundled, "NATO expansion")}
    assert "Similarity between perspectives on 'NATO expansion'" in text
    assert (f"Ukraine {sentences['ukraine']}, Russia {sentences['russia']}, "
            f"China {sentences['china']}.") in text


def topics_rows(sources, topic):
    from framelens.analysis.lenses.topics import topics

    return topics(load_corpus(sources), topic=topic).rows
