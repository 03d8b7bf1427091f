"""CLI runs of `framelens stance` and `framelens sentences`."""

from __future__ import annotations

import csv
import io
import json

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tests.conftest import invoke

STANCE_COLUMNS = ["perspective", "target", "mentions", "sentences", "rate_per_10k", "tone_mean",
                  "tone_ci_low", "tone_ci_high", "share_negative", "share_neutral",
                  "share_positive", "hedges", "boosters", "deontic", "negation", "threat",
                  "reported", "reported_share", "articles", "ci_unit",
                  "share_negative_ci_low", "share_negative_ci_high", "share_positive_ci_low",
                  "share_positive_ci_high",
                  *(f"{cue}_ci_{end}" for cue in ("hedges", "boosters", "deontic", "negation",
                                                  "threat", "reported", "reported_share")
                    for end in ("low", "high"))]
EVIDENCE_COLUMNS = ["perspective", "target", "polarity", "rank", "tone", "doc_id",
                    "sentence_index", "text"]
SENTENCE_COLUMNS = ["doc_id", "perspective", "sentence_index", "line", "text", "targets",
                    "topics", "tone", "hedges", "boosters", "deontic", "negation", "threat",
                    "reported"]


def run(*args: str):
    return invoke(list(args))


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_stance_csv_is_the_perspective_by_target_matrix(bundled):
    result = run("stance", "--sources", str(bundled), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert list(rows[0]) == STANCE_COLUMNS
    assert len(rows) == 3 * 8
    assert [r["perspective"] for r in rows[::8]] == ["ukraine", "russia", "china"]
    assert [r["target"] for r in rows[:8]] == ["NATO", "Russia", "Ukraine", "United States",
                                              "the West", "China", "EU", "OSCE"]
    for row in rows:
        if int(row["sentences"]) > 0:
            assert -1 <= float(row["tone_ci_low"]) <= float(row["tone_mean"]) \
                <= float(row["tone_ci_high"]) <= 1
            shares = sum(float(row[k]) for k in ("share_negative", "share_neutral",
                                                  "share_positive"))
            assert abs(shares - 1) < 1e-9
            assert int(row["mentions"]) >= int(row["sentences"])
        else:
            assert row["tone_mean"] == "" and row["hedges"] == ""  # NaN is an empty cell


def test_stance_json_has_null_for_targets_never_mentioned(bundled):
    result = run("stance", "--sources", str(bundled), "--format", "json", "--target", "OSCE")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["perspective"] for r in rows] == ["ukraine", "russia", "china"]
    ukraine = rows[0]
    assert ukraine["mentions"] == 0 and ukraine["tone_mean"] is None
    assert isinstance(rows[1]["tone_mean"], float)


def test_stance_output_is_deterministic(bundled):
    args = ("stance", "--sources", str(bundled), "--format", "csv")
    first = run(*args).stdout
    assert run(*args, "--no-cache").stdout == first
    assert run(*args).stdout == first


def test_evidence_for_nato_is_at_most_three_per_polarity_and_perspective(bundled):
    result = run("stance", "--sources", str(bundled), "--target", "NATO", "--evidence", "3",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert list(rows[0]) == EVIDENCE_COLUMNS
    per_group: dict[tuple[str, str], int] = {}
    for row in rows:
        assert row["target"] == "NATO"
        key = (row["perspective"], row["polarity"])
        per_group[key] = per_group.get(key, 0) + 1
        tone = float(row["tone"])
        assert tone <= -0.05 if row["polarity"] == "negative" else tone >= 0.05
    assert set(per_group) <= {(p, q) for p in ("ukraine", "russia", "china")
                              for q in ("negative", "positive")}
    assert all(1 <= n <= 3 for n in per_group.values())
    assert len(per_group) == 6


def test_window_option_changes_the_tone(bundled):
    base = csv_rows(run("stance", "--sources", str(bundled), "-t", "Russia", "-f", "csv").stdout)
    result = run("stance", "--sources", str(bundled), "-t", "Russia", "--window", "5",
                 "-f", "csv")
    assert result.exit_code == 0, result.output
    windowed = csv_rows(result.stdout)
    assert [r["mentions"] for r in windowed] == [r["mentions"] for r in base]
    assert [r["tone_mean"] for r in windowed] != [r["tone_mean"] for r in base]


def test_unknown_target_is_exit_2_and_lists_targets(bundled):
    result = run("stance", "--sources", str(bundled), "--target", "Narnia")
    assert result.exit_code == 2
    assert "unknown target 'Narnia'" in result.stderr
    assert "United States" in result.stderr
    assert "Traceback" not in result.output


def test_bad_option_values_are_exit_2(bundled):
    for args in (["--window", "0"], ["--evidence", "0"], ["--target-alias", "Turkey"]):
        result = run("stance", "--sources", str(bundled), *args)
        assert result.exit_code == 2, args


def test_target_alias_adds_a_target_and_warns_when_unmentioned(bundled):
    result = run("stance", "--sources", str(bundled), "--target-alias", "Turkey=Turkey,Ankara",
                 "--target", "turkey", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert [(r["target"], r["mentions"]) for r in rows] == [("Turkey", "0")] * 3
    assert "target 'Turkey' is not mentioned" in result.stderr


def test_target_alias_extends_an_existing_target(bundled):
    base = csv_rows(run("stance", "--sources", str(bundled), "-t", "EU", "-f", "csv").stdout)
    more = csv_rows(run("stance", "--sources", str(bundled), "-t", "EU", "--target-alias",
                        "eu=Europe,European", "-f", "csv").stdout)
    assert sum(int(r["mentions"]) for r in more) > sum(int(r["mentions"]) for r in base)


def test_table_view_has_matrix_cells_and_an_honest_caption(bundled, tmp_path):
    out = tmp_path / "stance.txt"
    result = run("stance", "--sources", str(bundled), "--format", "table", "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Stance toward targets" in text
    assert "United States" in text and "Ukraine" in text
    assert "(57)" in text  # Russia's mentions of the United States
    flat = " ".join(text.split())
    assert "not necessarily the attitude to the target" in flat
    assert "Hyland 2005" in flat and "sarcasm" in flat


def test_evidence_table_view_shows_the_sentences(bundled, tmp_path):
    out = tmp_path / "evidence.txt"
    result = run("stance", "--sources", str(bundled), "-t", "NATO", "-e", "2", "-f", "table",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Evidence: the 2 most negative" in text
    assert "ru-trenin-2022-01-21#" in text


def test_stance_markdown(bundled):
    result = run("stance", "--sources", str(bundled), "-t", "NATO", "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2].startswith("| perspective | target | mentions |")


def test_sentences_csv_has_every_sentence_with_vader_tone(bundled):
    result = run("sentences", "--sources", str(bundled), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert list(rows[0]) == SENTENCE_COLUMNS
    listing = csv_rows(run("sources", "list", "--sources", str(bundled), "-f", "csv").stdout)
    assert len(rows) == sum(int(r["sentences"]) for r in listing)
    vader = SentimentIntensityAnalyzer()
    for row in rows:
        assert float(row["tone"]) == vader.polarity_scores(row["text"])["compound"]
    assert [r["perspective"] for r in rows][0] == "ukraine"
    with_us = [r for r in rows if "United States" in r["targets"].split(";")]
    assert len(with_us) == 14 + 44 + 25


def test_sentences_topics_column(bundled):
    result = run("sentences", "--sources", str(bundled), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    # "summit" is a dialogue term; "concentration of", "troop*" and "border*" build-up terms.
    summit = next(r for r in rows if r["text"].startswith("The virtual summit of the US"))
    assert summit["topics"] == "Military build-up and exercises;US-Russia dialogue and diplomacy"
    assert summit["targets"] == "Russia;Ukraine;United States"  # joined the same way
    # Every sentence the topics command counts for a topic carries its name, and no other.
    topics = csv_rows(run("topics", "--sources", str(bundled), "-f", "csv").stdout)
    for topic in ("NATO expansion", "Crimea"):
        tagged = [r for r in rows if topic in r["topics"].split(";")]
        assert len(tagged) == sum(int(t["sentences"]) for t in topics if t["topic"] == topic)


def test_sentences_json_and_no_cache(bundled):
    result = run("sentences", "--sources", str(bundled), "--format", "json", "--no-cache")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert list(rows[0]) == SENTENCE_COLUMNS
    assert isinstance(rows[0]["tone"], float) and isinstance(rows[0]["hedges"], int)
    assert all(isinstance(r["targets"], str) and isinstance(r["topics"], str) for r in rows)


def test_sentences_table_view(bundled, tmp_path):
    out = tmp_path / "sentences.txt"
    result = run("sentences", "--sources", str(bundled), "-f", "table", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "ua-analysis-2022-01-10#1" in text and "line 11" in text
    assert "hedges 1" in text
    assert "Military build-up" in text  # the topics column
