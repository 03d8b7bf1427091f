"""The one output layer: round trips, formula neutralising, atomic writes."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framelens.analysis.io.output import write_output
from framelens.analysis.results import Result
from framelens.cli._output import OutputFormat, render_text, strip_bidi


@dataclass(frozen=True)
class Row:
    term: str
    count: int
    score: float


def _result(rows):
    return Result(Row, tuple(rows), title="T")


def _csv_rows(text: str, delimiter: str = ","):
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_csv_keeps_full_precision_and_columns():
    text = render_text(_result([Row("NATO", 3, 0.1 + 0.2)]), OutputFormat.csv)
    assert text.splitlines()[0] == "term,count,score"
    (row,) = _csv_rows(text)
    assert float(row["score"]) == 0.1 + 0.2
    assert row["score"] == "0.30000000000000004"


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+cmd", "-1+2", "@import", "\tx"])
def test_csv_neutralises_formula_cells(cell):
    (row,) = _csv_rows(render_text(_result([Row(cell, 1, 1.0)]), OutputFormat.csv))
    assert row["term"] == "'" + cell


def test_csv_leaves_negative_numbers_alone():
    (row,) = _csv_rows(render_text(_result([Row("-1.5", -2, -0.25)]), OutputFormat.csv))
    assert (row["term"], row["count"], row["score"]) == ("-1.5", "-2", "-0.25")


def test_json_nan_becomes_null_and_jsonl_lines():
    result = _result([Row("a", 1, float("nan")), Row("b", 2, 2.5)])
    assert json.loads(render_text(result, OutputFormat.json))[0]["score"] is None
    lines = render_text(result, OutputFormat.jsonl).splitlines()
    assert [json.loads(line)["term"] for line in lines] == ["a", "b"]


def test_markdown_escapes_pipes():
    text = render_text(_result([Row("a|b", 1, 1.0)]), OutputFormat.markdown)
    assert "a\\|b" in text and text.count("\n|") >= 2


_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_text, st.integers(-10**12, 10**12),
                          st.floats(allow_nan=False, allow_infinity=False)), max_size=8))
def test_csv_tsv_json_round_trip(values):
    rows = [Row(*v) for v in values]
    result = _result(rows)
    for fmt, delimiter in ((OutputFormat.csv, ","), (OutputFormat.tsv, "\t")):
        parsed = _csv_rows(render_text(result, fmt), delimiter)
        assert len(parsed) == len(rows)
        for row, back in zip(rows, parsed, strict=True):
            # Bidirectional controls are dropped (a viewer would show the cell reordered).
            expected = strip_bidi(row.term.replace("\r\n", "\n").replace("\r", "\n"))
            if expected.startswith(("=", "+", "-", "@", "\t", "\r")):
                try:
                    float(expected)
                except ValueError:
                    expected = "'" + expected
            assert back["term"] == expected
            assert int(back["count"]) == row.count
            assert float(back["score"]) == row.score
    decoded = json.loads(render_text(result, OutputFormat.json))
    assert decoded == [{"term": r.term, "count": r.count, "score": r.score} for r in rows]


def test_write_output_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    write_output(target, "new content")
    assert target.read_text() == "new content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_output_failure_keeps_old_file(tmp_path, monkeypatch):
    import os

    target = tmp_path / "out.csv"
    target.write_text("old")

    def broken_replace(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    from framelens.analysis.errors import OutputError

    with pytest.raises(OutputError, match="disk full"):
        write_output(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
