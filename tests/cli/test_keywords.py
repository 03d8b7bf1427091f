"""CLI runs of `framelens keywords` and `framelens naming`."""

from __future__ import annotations

import csv
import io
import json
import math

from tests.conftest import invoke

COLUMNS = ["perspective", "reference", "term", "count", "reference_count", "rate_per_10k",
           "reference_rate_per_10k", "score", "z", "g2", "p_value", "log_ratio", "pct_diff",
           "documents", "reference_documents", "dp", "dp_norm", "top_document_share", "doc_t",
           "doc_p_value"]


def run(bundled, *args: str):
    return invoke([*args, "--sources", str(bundled)])


def csv_rows(result):
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_keywords_default_csv(bundled):
    result = run(bundled, "keywords", "--format", "csv")
    rows = csv_rows(result)
    assert list(rows[0]) == COLUMNS
    per_perspective = {p: [r for r in rows if r["perspective"] == p]
                       for p in ("ukraine", "russia", "china")}
    assert all(len(v) == 15 for v in per_perspective.values())
    assert {r["reference"] for r in rows} == {"rest"}
    for row in rows:
        assert float(row["score"]) == float(row["z"]) > 0
        assert all(math.isfinite(float(row[c])) for c in COLUMNS[5:13])
        # One article per perspective: one document holds every keyword; DPnorm and the
        # document-level test are undefined (empty), never invented.
        assert (row["documents"], row["top_document_share"], row["dp"]) == ("1", "1.0", "0.0")
        assert row["dp_norm"] == row["doc_t"] == row["doc_p_value"] == ""
    # ranked by score within each perspective
    scores = [float(r["score"]) for r in per_perspective["china"]]
    assert scores == sorted(scores, reverse=True)


def test_keywords_g2_top_30(bundled):
    rows = csv_rows(run(bundled, "keywords", "--method", "g2", "--top", "30", "--format", "csv"))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 90
    assert all(float(r["score"]) == float(r["g2"]) for r in rows)


def test_keywords_ngrams_min_count_keep_stopwords(bundled):
    rows = csv_rows(run(bundled, "keywords", "--ngrams", "1-3", "--min-count", "3",
                        "--keep-stopwords", "--format", "csv"))
    assert all(int(r["count"]) >= 3 for r in rows)
    assert any(" " in r["term"] for r in rows)


def test_keywords_pair(bundled):
    rows = csv_rows(run(bundled, "keywords", "--pair", "russia", "china", "--format", "csv"))
    assert {(r["perspective"], r["reference"]) for r in rows} == {("russia", "china"),
                                                                  ("china", "russia")}
    assert rows[0]["perspective"] == "russia"


def test_keywords_pair_unknown_perspective_is_exit_2(bundled):
    result = run(bundled, "keywords", "--pair", "russia", "mars")
    assert result.exit_code == 2
    assert "unknown perspective 'mars'" in result.stderr
    assert "ukraine, russia, china" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_keywords_bad_ngrams_is_exit_2(bundled):
    for value in ("x", "3-1", "0"):
        result = run(bundled, "keywords", "--ngrams", value)
        assert result.exit_code == 2, value
        assert "--ngrams" in result.stderr


def test_keywords_bad_method_is_exit_2(bundled):
    assert run(bundled, "keywords", "--method", "pmi").exit_code == 2


def test_keywords_correction_json(bundled):
    result = run(bundled, "keywords", "--correction", "bh", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert list(rows[0]) == [*COLUMNS, "p_adjusted"]
    assert all(r["p_value"] <= r["p_adjusted"] <= 1 for r in rows)


def test_keywords_examples_columns(bundled):
    rows = csv_rows(run(bundled, "keywords", "--examples", "2", "--top", "3", "--format", "csv"))
    assert list(rows[0]) == [*COLUMNS, "example", "example_doc_id"]
    prefix = {"ukraine": "ua-", "russia": "ru-", "china": "cn-"}
    for row in rows:
        doc_ids = row["example_doc_id"].split("\n")
        assert len(row["example"].split("\n")) == len(doc_ids) >= 1
        assert all(d.startswith(prefix[row["perspective"]]) for d in doc_ids)


def test_keywords_by_outlet(bundled):
    rows = csv_rows(run(bundled, "keywords", "--by", "outlet", "--top", "2", "--format", "csv"))
    assert {r["perspective"] for r in rows} == {"China-US Focus", "The Moscow Times", "unknown"}


def test_keywords_output_is_deterministic(bundled):
    first = run(bundled, "keywords", "--format", "csv", "--examples", "1")
    second = run(bundled, "keywords", "--format", "csv", "--examples", "1")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_keywords_no_collocations(bundled):
    with_ = csv_rows(run(bundled, "keywords", "--top", "0", "--min-count", "1",
                         "--format", "csv"))
    without = csv_rows(run(bundled, "keywords", "--top", "0", "--min-count", "1",
                           "--no-collocations", "--format", "csv"))
    assert "Russian-Ukrainian border" in {r["term"] for r in with_}
    assert "Russian-Ukrainian border" not in {r["term"] for r in without}


def test_keywords_table_view(bundled):
    result = run(bundled, "keywords", "--format", "table", "--top", "5", "--examples", "1")
    assert result.exit_code == 0, result.output
    for text in ("Ukraine", "Russia", "China", "vs rest", "U.S.", "Ranked by log-odds"):
        assert text in result.stdout


def test_naming_csv(bundled):
    rows = csv_rows(run(bundled, "naming", "--format", "csv"))
    assert list(rows[0]) == ["concept", "variant", "perspective", "count", "documents",
                             "rate_per_10k", "share", "preferred"]
    kyiv = {r["perspective"]: r for r in rows if r["variant"] == "Kyiv"}
    assert {p: int(r["count"]) for p, r in kyiv.items()} == {"ukraine": 1, "russia": 1,
                                                             "china": 0}
    assert kyiv["ukraine"]["preferred"] == "true"
    assert kyiv["china"]["share"] == ""  # no mention of the concept at all


def test_naming_json_and_table(bundled):
    result = run(bundled, "naming", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert any(r["variant"] == "Donbass" and r["count"] == 3 for r in rows)
    assert any(r["share"] is None for r in rows)
    table = run(bundled, "naming", "--format", "table")
    assert table.exit_code == 0, table.output
    assert "Donbass" in table.stdout and "Capital of Ukraine" in table.stdout
