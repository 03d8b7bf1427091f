"""Partial publication dates, the --since/--until window on every command, and its edges."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from framelens.analysis.errors import CorpusError, OptionError
from framelens.analysis.io.dates import DAY, MONTH, YEAR, date_window, parse_publication_date
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.io.window import date_range, within_window
from tests.conftest import invoke, write_article

CONFIG = ('[[perspectives]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n'
          '[[perspectives]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n')
BODY = "NATO and Russia met in Geneva to discuss security guarantees and arms control."


@pytest.fixture
def dated(tmp_path):
    """Articles on both sides of 2022-01-15, a month-only, a year-only and an undated one."""
    (tmp_path / "framelens.toml").write_text(CONFIG, encoding="utf-8")
    for doc_id, perspective, published in (
            ("a-early", "north", "2022-01-03"), ("b-edge", "north", "2022-01-15"),
            ("c-late", "south", "2022-01-31"), ("d-feb", "south", "2022-02-01"),
            ("e-month", "north", "2022-01"), ("f-year", "south", "2022"),
            ("g-undated", "north", None)):
        meta = {"published": published} if published else {}
        write_article(tmp_path, doc_id, perspective, BODY, **meta)
    return tmp_path


def ids(folder, *options: str) -> list[str]:
    result = invoke(["sources", "list", "--sources", str(folder), "-f", "csv",
                                 *options])
    assert result.exit_code == 0, result.output
    return [row["id"] for row in csv.DictReader(io.StringIO(result.stdout))]


def test_partial_dates_keep_their_precision():
    assert parse_publication_date("2022-01-15").first == dt.date(2022, 1, 15)
    month = parse_publication_date("2024-02")
    assert (month.first, month.last, month.precision) == (dt.date(2024, 2, 1),
                                                          dt.date(2024, 2, 29), MONTH)
    year = parse_publication_date("2022")
    assert (year.first, year.last, year.precision) == (dt.date(2022, 1, 1),
                                                       dt.date(2022, 12, 31), YEAR)
    assert parse_publication_date("2022-01-15").precision == DAY


@pytest.mark.parametrize("bad", ["2022-13", "2022-02-30", "22-01-01", "2022/01/01",
                                 "January 2022", "2022-1-5", "2022-00"])
def test_bad_dates_are_refused(bad):
    with pytest.raises(ValueError):
        parse_publication_date(bad)


def test_window_edges_are_inclusive_and_partial_dates_need_their_whole_span(dated):
    corpus = load_corpus(dated)
    window = date_window("2022-01-15", "2022-01-31")
    kept, count = within_window(corpus, window)
    assert [d.id for d in kept.documents] == ["b-edge", "c-late"]
    # e-month reaches back before the 15th, f-year past the window: both straddle it.
    assert (count.kept, count.outside, count.undated, count.straddling) == (2, 2, 1, 2)
    whole_month, _ = within_window(corpus, date_window("2022-01", "2022-01"))
    assert [d.id for d in whole_month.documents] == ["a-early", "b-edge", "c-late", "e-month"]
    whole_year, _ = within_window(corpus, date_window("2022", None))
    assert len(whole_year.documents) == 6  # everything dated; never the undated one


def test_window_keeps_the_cache_and_digests_of_the_articles_it_keeps(dated):
    corpus = load_corpus(dated)
    corpus.memo["digests"] = tuple(f"digest-{d.id}" for d in corpus.documents)
    kept, _ = within_window(corpus, date_window("2022-01-15", None))
    assert kept.memo["digests"] == tuple(f"digest-{d.id}" for d in kept.documents)


def test_reversed_or_malformed_window_is_an_option_error():
    with pytest.raises(OptionError, match="after --until"):
        date_window("2022-02-01", "2022-01-31")
    with pytest.raises(OptionError, match="--until"):
        date_window(None, "31/01/2022")
    assert date_window("2022-01", "2022-01").describe() == "2022-01-01 to 2022-01-31"


def test_empty_window_is_a_corpus_error(dated):
    with pytest.raises(CorpusError, match="no article is dated within"):
        within_window(load_corpus(dated), date_window("2023-01-01", None))


def test_date_range_reports_dates_as_written(dated):
    found = date_range(load_corpus(dated))
    assert (found.first, found.last, found.partial, found.undated) == \
        ("2022-01-03", "2022-02-01", 2, 1)
    assert found.describe() == ("articles dated 2022-01-03 to 2022-02-01 (2 dated only to a "
                                "month or year, 1 undated)")


def test_since_until_on_sources_list_with_one_warning_counting_undated(dated):
    result = invoke(["sources", "list", "--sources", str(dated), "-f", "csv",
                                 "--since", "2022-01-15", "--until", "2022-01-31"])
    assert result.exit_code == 0
    assert [r["id"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["b-edge", "c-late"]
    assert result.stderr.count("1 article without a date") == 1
    assert "2 articles dated only to a month or year" in result.stderr
    assert ids(dated, "--until", "2022-01-03") == ["a-early"]
    assert sorted(ids(dated)) == ["a-early", "b-edge", "c-late", "d-feb", "e-month", "f-year",
                          "g-undated"]


@pytest.mark.parametrize("command", [["compare"], ["keywords"], ["naming"], ["stance"],
                                     ["topics"], ["tfidf"], ["similarity"], ["sentences"],
                                     ["kwic", "NATO"], ["sources", "show", "b-edge"]])
def test_every_corpus_command_takes_the_window(dated, command):
    result = invoke([*command, "--sources", str(dated), "-f", "json",
                                 "--since", "2022-01-15", "--until", "2022-01-31"])
    assert result.exit_code == 0, result.output
    assert "without a date" in result.stderr
    json.loads(result.stdout)


def test_since_after_until_is_exit_2_and_bad_date_exit_2(dated):
    result = invoke(["compare", "--sources", str(dated), "--since", "2022-02",
                                 "--until", "2022-01"])
    assert result.exit_code == 2
    assert "after --until" in result.stderr
    result = invoke(["keywords", "--sources", str(dated), "--since", "2022-1-1"])
    assert result.exit_code == 2
    assert "--since" in result.stderr and "Traceback" not in result.output


def test_bad_published_date_names_file_and_line_exit_1(tmp_path):
    path = write_article(tmp_path, "bad-date", "north", BODY, published="2022-13")
    result = invoke(["sources", "list", "--sources", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{path}:5:" in result.stderr and "'2022-13' does not exist" in result.stderr


def test_unquoted_year_is_read_as_a_year(tmp_path):
    (tmp_path / "a.md").write_text("---\nid: a\ntitle: A\nperspective: north\npublished: 2021\n"
                                   f"---\n{BODY}\n", encoding="utf-8")
    assert load_corpus(tmp_path).documents[0].published == "2021"


def test_check_accepts_partial_dates_and_reports_only_the_window(dated):
    result = invoke(["check", "--sources", str(dated), "-f", "json"])
    assert not any(r["code"] == "FL030" for r in json.loads(result.stdout))
    # A pasted-twice sentence in an article outside the window is not reported.
    write_article(dated, "h-repeat", "south", f"{BODY} {BODY}", published="2021-06-01")
    full = json.loads(invoke(["check", "--sources", str(dated), "-f",
                                          "json"]).stdout)
    assert any(r["file"].endswith("h-repeat.md") for r in full)
    windowed = invoke(["check", "--sources", str(dated), "-f", "json",
                                   "--since", "2022-01-01"])
    assert not any(r["file"].endswith("h-repeat.md") for r in json.loads(windowed.stdout))
    assert "without a date" in windowed.stderr


def test_check_reports_a_nonexistent_partial_date_as_fl030(dated):
    write_article(dated, "h-bad", "south", BODY, published="2022-13")
    rows = json.loads(invoke(["check", "--sources", str(dated), "-f",
                                          "json"]).stdout)
    assert [(r["code"], r["line"]) for r in rows if r["file"].endswith("h-bad.md")] == \
        [("FL030", 5)]


def test_snapshot_takes_the_window(dated):
    result = invoke(["snapshot", "--sources", str(dated), "--since", "2022-01-15",
                                 "--until", "2022-01-31"])
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.stdout)["articles"]) == ["b-edge", "c-late"]
