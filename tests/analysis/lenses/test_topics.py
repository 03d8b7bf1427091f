"""Topics: hand-checked sentence counts on the bundled corpus, zeros for silence, NMF discovery."""

from __future__ import annotations

import csv
import io
import json
import math
import tomllib

import numpy as np
import pytest

from framelens.analysis.config.settings import load_config
from framelens.analysis.errors import OptionError
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.discover import discover_topics, lexicon_toml
from framelens.analysis.lenses.topics import TopicRow, distinctive_terms, topics
from framelens.analysis.process.annotators import topic_sentences
from framelens.analysis.process.pipeline import processed
from framelens.analysis.process.tone import compound
from framelens.cli._output import OutputFormat, render_text
from tests.conftest import invoke

# Test lexicons with fixed terms, so the hand counts below do not move when the
# default lexicons in analysis/config/defaults.toml are tuned. Counted by reading
# sources/*.md (grep -oi for each term, then checking which sentence holds it).
TEST_TOPICS = """
[topics."Test Crimea"]
terms = ["Crimea*"]

[topics."Test Minsk and Donbas"]
terms = ["Minsk", "Donbas*"]

[topics."Test security guarantees"]
terms = ["security guarantee*"]

[topics."Test INF treaty"]
terms = ["Intermediate-Range Nuclear Forces"]

[topics."Test nuclear"]
terms = ["nuclear"]

[topics."Test silence"]
terms = ["zeppelin*", "hovercraft"]
"""
COLUMNS = ["perspective", "topic", "sentences", "documents", "share_of_sentences",
           "term_matches", "rate_per_10k", "tone_mean", "tone_ci_low", "tone_ci_high",
           "distinctive_terms", "example", "example_doc_id", "ci_unit", "share_ci_low",
           "share_ci_high", "share_ci_unit"]


@pytest.fixture
def test_config(tmp_path, bundled):
    path = tmp_path / "topics-test.toml"
    path.write_text((bundled / "framelens.toml").read_text(encoding="utf-8") + TEST_TOPICS,
                    encoding="utf-8")
    return path


@pytest.fixture
def corpus(bundled, test_config):
    return load_corpus(bundled, config_path=test_config)


def rows_of(result, topic):
    return {r.perspective: r for r in result.rows if r.topic == topic}


def sentence_totals(corpus):
    totals = {}
    for doc in processed(corpus):
        sentences, tokens = totals.get(doc.perspective, (0, 0))
        totals[doc.perspective] = (sentences + len(doc.sentences), tokens + doc.token_count)
    return totals


# ------------------------------------------------------------------- hand-checked counts


@pytest.mark.parametrize(("topic", "expected"), [
    # Crimea: only the Ukrainian article; 4 sentences, one mention each
    # ("Since Russia's annexation of Crimea", "after the annexation of Crimea and the
    # Russian aggression in Donbass", "coordination of positions on Crimea",
    # "The annexation of Crimea was a strong blow").
    ("Test Crimea", {"ukraine": (4, 4), "russia": (0, 0), "china": (0, 0)}),
    # Donbass x3 (ua, three sentences); "Minsk process" + "the Donbas" (ru, two
    # sentences); "the Minsk Agreement" (cn, one sentence).
    ("Test Minsk and Donbas", {"ukraine": (3, 3), "russia": (2, 2), "china": (1, 1)}),
    # ua: 2 sentences; ru: the heading "Security Guarantees" and 2 sentences; cn: one
    # sentence naming "security guarantees" twice ("a draft treaty on security
    # guarantees, along with a draft agreement on security guarantees").
    ("Test security guarantees", {"ukraine": (2, 2), "russia": (3, 3), "china": (1, 2)}),
])
def test_hand_checked_sentence_and_match_counts(corpus, topic, expected):
    result = topics(corpus, topic=topic)
    by_perspective = rows_of(result, topic)
    totals = sentence_totals(corpus)
    assert set(by_perspective) == {"ukraine", "russia", "china"}
    for perspective, (sentences, matches) in expected.items():
        row = by_perspective[perspective]
        assert (row.sentences, row.term_matches) == (sentences, matches), perspective
        assert row.documents == (1 if sentences else 0)
        total_sentences, total_tokens = totals[perspective]
        assert row.share_of_sentences == pytest.approx(sentences / total_sentences)
        assert row.rate_per_10k == pytest.approx(matches * 10_000 / total_tokens)


def test_topic_sentences_positions_hold_the_terms(corpus):
    found = topic_sentences(corpus)
    documents = processed(corpus)
    crimea = found["Test Crimea"]
    assert len(crimea) == 4
    assert all(corpus.documents[d].id == "ua-analysis-2022-01-10" for d, _ in crimea)
    texts = [documents[d].sentences[s] for d, s in crimea]
    assert texts[0] == "Since Russia's annexation of Crimea, this attempt looks to be well prepared."
    assert all("Crimea" in t for t in texts)
    assert crimea == sorted(crimea)
    # memoised on the corpus: the same object on a second call
    assert topic_sentences(corpus)["Test Crimea"] == crimea


def test_each_topic_matches_on_its_own(corpus):
    """A longer term of one topic never hides a shorter term of another."""
    found = topic_sentences(corpus)
    inf = set(found["Test INF treaty"])
    assert len(inf) == 1
    assert inf <= set(found["Test nuclear"])


def test_a_topic_nobody_mentions_is_listed_with_zeros(corpus):
    rows = rows_of(topics(corpus), "Test silence")
    assert set(rows) == {"ukraine", "russia", "china"}
    for row in rows.values():
        assert (row.sentences, row.documents, row.term_matches) == (0, 0, 0)
        assert row.share_of_sentences == 0.0 and row.rate_per_10k == 0.0
        assert math.isnan(row.tone_mean) and math.isnan(row.tone_ci_low)
        assert row.distinctive_terms == "" and row.example == "" and row.example_doc_id == ""


def test_small_corpus_extra_topic_shows_zeros_and_a_sentence_in_two_topics(small_corpus):
    config = small_corpus / "framelens.toml"
    config.write_text(config.read_text(encoding="utf-8") + """
[topics."Zeppelins"]
terms = ["zeppelin*"]

[topics."Geneva talks"]
terms = ["Geneva", "talks"]

[topics."Guarantees"]
terms = ["security guarantee*"]
""", encoding="utf-8")
    corpus = load_corpus(small_corpus)
    result = topics(corpus)
    zeppelins = rows_of(result, "Zeppelins")
    assert {p: r.sentences for p, r in zeppelins.items()} == {"north": 0, "south": 0}
    found = topic_sentences(corpus)
    first = corpus.documents.index(corpus.document("north-one"))
    # "The U.S. and NATO discussed security guarantees in Geneva." is in both topics
    assert (first, 0) in found["Geneva talks"] and (first, 0) in found["Guarantees"]
    assert {p: r.sentences for p, r in rows_of(result, "Guarantees").items()} == \
        {"north": 1, "south": 1}
    # rows: every topic (config order) x every perspective (config order)
    names = [t.name for t in corpus.config.topics]
    assert [(r.topic, r.perspective) for r in result.rows] == \
        [(n, p) for n in names for p in ("north", "south")]


# ------------------------------------------------------------------------ tone, words, examples


def test_tone_is_the_mean_vader_compound_of_the_topic_sentences(corpus):
    row = rows_of(topics(corpus, topic="Test Crimea"), "Test Crimea")["ukraine"]
    documents = processed(corpus)
    values = [compound(documents[d].sentences[s])
              for d, s in topic_sentences(corpus)["Test Crimea"]]
    assert row.tone_mean == pytest.approx(sum(values) / len(values))
    assert row.tone_ci_low <= row.tone_mean <= row.tone_ci_high


def test_distinctive_terms_contrast_the_perspectives_on_the_topic(corpus):
    rows = rows_of(topics(corpus, topic="Test Minsk and Donbas", terms=3), "Test Minsk and Donbas")
    # The Ukrainian sentences: "...the conflict in Donbass is changing...", "...the Russian
    # aggression in Donbass.", "...key security problem - the conflict in Donbass." Only
    # "Donbass" (3) and "conflict" (2) reach the minimum count of 2; "Donbass" is never
    # used by the others, "conflict" twice in their (larger) topic text.
    assert rows["ukraine"].distinctive_terms == "Donbass;conflict"
    assert "Donbass" not in rows["russia"].distinctive_terms.split(";")
    assert "Donbass" not in rows["china"].distinctive_terms.split(";")
    # only one perspective speaks of Crimea: there is nothing to contrast with
    crimea = rows_of(topics(corpus, topic="Test Crimea"), "Test Crimea")
    assert all(r.distinctive_terms == "" for r in crimea.values())


def test_distinctive_terms_z_by_hand():
    # target counts (3, 1) of n1 = 4 tokens, reference (0, 2) of n2 = 2, prior from the
    # pooled counts (3, 3) scaled to alpha0 = 10: alpha_w = (5, 5)
    z = distinctive_terms(np.array([3.0, 1.0]), np.array([0.0, 2.0]), 4, 2,
                          np.array([3.0, 3.0]), alpha0=10.0)
    delta0 = math.log(8 / 6) - math.log(5 / 7)
    delta1 = math.log(6 / 8) - math.log(7 / 5)
    assert z[0] == pytest.approx(delta0 / math.sqrt(1 / 8 + 1 / 5))
    assert z[1] == pytest.approx(delta1 / math.sqrt(1 / 6 + 1 / 7))


def test_examples_by_density_with_headings_last(corpus):
    rows = rows_of(topics(corpus, topic="Test security guarantees", examples=3),
                   "Test security guarantees")
    russia = rows["russia"].example.split("\n")
    # 1 match in 21 tokens beats 1 in 35; the 2-token heading comes last
    assert russia == [
        "Credible national security guarantees are not based on non-aggression pacts with a "
        "potential enemy, but on effective deterrence of any adversary.",
        "None of the measures outlined above comprise either security guarantees or legally "
        "binding documents, but, as previously noted, Russia has long had the former via its "
        "nuclear arsenal and armed forces, while the latter are effectively impossible and "
        "would in any case not be absolute.",
        "Security Guarantees",
    ]
    assert rows["russia"].example_doc_id.split("\n") == ["ru-trenin-2022-01-21"] * 3
    assert rows["china"].example.startswith("In the middle of last month, Russia submitted")
    assert rows["china"].example_doc_id == "cn-wu-2022-01-19"


def test_unknown_topic_is_an_option_error_listing_topics(corpus):
    with pytest.raises(OptionError, match="unknown topic 'Nope'.*Test Crimea"):
        topics(corpus, topic="Nope")
    # names match case-insensitively
    assert topics(corpus, topic="test crimea").extra["topics"] == ("Test Crimea",)


def test_topics_output_is_deterministic(bundled):
    first = render_text(topics(load_corpus(bundled)), OutputFormat.csv)
    second = render_text(topics(load_corpus(bundled, use_cache=False)), OutputFormat.csv)
    assert first == second


def test_default_lexicons_cover_every_topic_for_every_perspective(bundled):
    corpus = load_corpus(bundled)
    result = topics(corpus)
    assert result.row_type is TopicRow
    assert len(result.rows) == len(corpus.config.topics) * 3
    assert list(result.columns) == COLUMNS


# ----------------------------------------------------------------------------- discovery


def test_discover_is_identical_across_runs(bundled):
    first = discover_topics(load_corpus(bundled), 5, terms=6)
    second = discover_topics(load_corpus(bundled, use_cache=False), 5, terms=6)
    for fmt in (OutputFormat.csv, OutputFormat.json):
        assert render_text(first, fmt) == render_text(second, fmt)


def test_discover_weights(bundled):
    report = discover_topics(load_corpus(bundled), 4, terms=5)
    sections = dict(report.sections)
    terms, weights = sections["terms"], sections["perspectives"]
    assert sorted({r.topic for r in terms.rows}) == [1, 2, 3, 4]
    for topic in range(1, 5):
        ranked = [r for r in terms.rows if r.topic == topic]
        assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]
        assert all(0 < r.weight <= 1 for r in ranked)
        assert [r.weight for r in ranked] == sorted((r.weight for r in ranked), reverse=True)
        assert ranked[0].label.startswith(ranked[0].term)
    for perspective in ("ukraine", "russia", "china"):
        total = sum(r.weight for r in weights.rows if r.perspective == perspective)
        assert total == pytest.approx(1.0)
    # topics are numbered by their mean weight over all paragraphs
    assert report.long_table.columns == ("topic", "label", "kind", "rank", "term", "perspective",
                                         "weight")


def test_discover_rejects_more_topics_than_the_corpus_holds(bundled):
    with pytest.raises(OptionError, match="ask for fewer topics"):
        discover_topics(load_corpus(bundled), 5000)
    with pytest.raises(OptionError):
        discover_topics(load_corpus(bundled), 1)


def test_saved_lexicon_loads_as_config_topics(bundled, tmp_path):
    report = discover_topics(load_corpus(bundled), 3, terms=4)
    text = lexicon_toml(report)
    data = tomllib.loads(text)
    assert len(data["topics"]) == 3
    path = tmp_path / "lexicon.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    names = [t.name for t in config.topics if t.name.startswith("Discovered ")]
    assert len(names) == 3
    first = dict(report.sections)["terms"].rows[0]
    assert names[0] == f"Discovered 1: {first.label}"


# ----------------------------------------------------------------------------------- CLI


def run(*args: str):
    return invoke(list(args))


def test_cli_topics_csv(bundled):
    result = run("topics", "--sources", str(bundled), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == COLUMNS
    config = load_corpus(bundled).config
    assert len(rows) == len(config.topics) * 3
    assert [r["perspective"] for r in rows[:3]] == ["ukraine", "russia", "china"]
    for row in rows:
        assert 0.0 <= float(row["share_of_sentences"]) <= 1.0
        assert int(row["sentences"]) >= 0


def test_cli_topic_detail_json(bundled, test_config):
    result = run("topics", "--sources", str(bundled), "--config", str(test_config),
                 "--topic", "Test security guarantees", "--terms", "2", "--examples", "2",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["perspective"] for r in rows] == ["ukraine", "russia", "china"]
    assert [r["sentences"] for r in rows] == [2, 3, 1]
    assert all(len(r["distinctive_terms"].split(";")) <= 2 for r in rows)
    assert len(rows[1]["example"].split("\n")) == 2
    silent = run("topics", "--sources", str(bundled), "--config", str(test_config),
                 "--topic", "Test silence", "--format", "json")
    assert silent.exit_code == 0
    assert all(r["tone_mean"] is None and r["sentences"] == 0 for r in json.loads(silent.stdout))


def test_cli_topics_table_views(bundled, test_config):
    overview = run("topics", "--sources", str(bundled), "--config", str(test_config),
                   "--format", "table")
    assert overview.exit_code == 0, overview.output
    assert "Test silence" in overview.stdout and "%" in overview.stdout
    detail = run("topics", "--sources", str(bundled), "--config", str(test_config),
                 "--topic", "Test Crimea", "--format", "table")
    assert detail.exit_code == 0, detail.output
    assert "Since Russia's annexation of Crimea" in detail.stdout
    assert "no sentence on this topic" in detail.stdout


def test_cli_unknown_topic_exit_2(bundled):
    result = run("topics", "--sources", str(bundled), "--topic", "Atlantis")
    assert result.exit_code == 2
    assert "unknown topic 'Atlantis'" in result.stderr
    assert "NATO expansion" in result.stderr
    assert "Traceback" not in result.output


def test_cli_discover_csv_identical_across_runs(bundled):
    args = ("topics", "--sources", str(bundled), "--discover", "4", "--terms", "5",
            "--format", "csv")
    first, second = run(*args), run(*args)
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    rows = list(csv.DictReader(io.StringIO(first.stdout)))
    assert list(rows[0]) == ["topic", "label", "kind", "rank", "term", "perspective", "weight"]
    assert sum(r["kind"] == "term" for r in rows) == 4 * 5
    assert sum(r["kind"] == "perspective" for r in rows) == 4 * 3
    weights = np.array([float(r["weight"]) for r in rows if r["perspective"] == "russia"])
    assert weights.sum() == pytest.approx(1.0)


def test_cli_save_lexicon_refuses_to_overwrite(bundled, tmp_path):
    path = tmp_path / "found.toml"
    base = ("topics", "--sources", str(bundled), "--discover", "3", "--format", "csv",
            "--save-lexicon", str(path))
    result = run(*base)
    assert result.exit_code == 0, result.output
    saved = path.read_text(encoding="utf-8")
    assert len(tomllib.loads(saved)["topics"]) == 3
    path.write_text("# mine\n", encoding="utf-8")
    again = run(*base)
    assert again.exit_code == 2
    assert "--force" in again.stderr
    assert path.read_text(encoding="utf-8") == "# mine\n"
    forced = run(*base, "--force")
    assert forced.exit_code == 0
    assert path.read_text(encoding="utf-8") == saved
    # the saved lexicon is a config the topics command can load
    loaded = run("topics", "--sources", str(bundled), "--config", str(path), "--format", "csv")
    assert loaded.exit_code == 0, loaded.output
    assert "Discovered 1: " in loaded.stdout


@pytest.mark.parametrize("args", [
    ("--save-lexicon", "x.toml"),
    ("--discover", "1"),
    ("--discover", "3", "--topic", "Crimea"),
    ("--examples", "-1"),
])
def test_cli_bad_options_exit_2(bundled, args):
    result = run("topics", "--sources", str(bundled), *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_screened_topic_hits_equal_every_topic_lexicon_on_every_sentence(tmp_path, bundled):
    """The word-run screen only skips work: hits equal running each topic's Lexicon."""
    from framelens.analysis.process.annotators import topic_hits
    from framelens.analysis.text.lexicon import Lexicon
    from framelens.analysis.text.normalize import normalize
    from tests.conftest import write_article

    # Hyphens, wildcards, capitals and non-ASCII text next to the bundled sentences.
    for path in [*bundled.glob("*.md"), bundled / "framelens.toml"]:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    write_article(tmp_path, "edge-cases", "russia", """
        De-sanctioning is not sanctions. NATO-Russia talks; post-NATO expansion talk.
        SANCTIONED firms and the Minsk-2 deal. Crimea’s status and Krym.
        """)
    corpus = load_corpus(tmp_path, use_cache=False)
    hits = topic_hits(corpus)
    for topic in corpus.config.topics:
        lexicon = Lexicon({topic.name: [normalize(t) for t in topic.terms]}, case="insensitive")
        expected = [(d, s, len(found)) for d, doc in enumerate(processed(corpus))
                    for s, sentence in enumerate(doc.sentences)
                    if (found := lexicon.find(sentence))]
        h = hits[topic.name]
        assert list(zip(h.doc.tolist(), h.sentence.tolist(), h.matches.tolist(),
                        strict=True)) == expected, topic.name
    assert any(len(h.doc) for h in hits.values())
