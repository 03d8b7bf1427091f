"""kwic: word, phrase and wildcard queries, context windows, alignment, CLI."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from framelens.analysis.errors import OptionError
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.kwic import kwic, left_context, right_context
from framelens.analysis.process.pipeline import processed
from framelens.analysis.text.normalize import tokenize
from tests.conftest import invoke

COLUMNS = ["doc_id", "perspective", "sentence_index", "left", "match", "right"]


@pytest.fixture
def corpus(bundled):
    return load_corpus(bundled)


def sentence_of(corpus, row):
    return processed(corpus)[corpus.documents.index(corpus.document(row.doc_id))].sentences[
        row.sentence_index]


def test_context_helpers_count_tokens_and_keep_punctuation():
    sentence = 'Putin warned that Russia has "no room for retreat" if the West continues.'
    start = sentence.index("room")
    end = start + len("room")
    assert left_context(sentence, start, 2) == 'has "no'
    assert left_context(sentence, start, 0) == ""
    assert left_context(sentence, start, 50) == 'Putin warned that Russia has "no'
    assert right_context(sentence, end, 2) == 'for retreat"'
    assert right_context(sentence, end, 6) == 'for retreat" if the West continues.'
    assert right_context(sentence, len(sentence), 3) == ""


def test_wildcard_matches_word_forms_on_word_boundaries(corpus):
    result = kwic(corpus, "sanction*")
    # grep -oi '\bsanction[a-z]*' sources/*.md: ua 2, ru 2, cn 1 ("countersanctions" is
    # another word)
    assert [r.perspective for r in result.rows] == ["ukraine"] * 2 + ["russia"] * 2 + ["china"]
    assert {r.match for r in result.rows} == {"sanctions"}
    assert result.extra["counts"] == {"ukraine": 2, "russia": 2, "china": 1}


def test_phrase_is_case_insensitive_and_finds_every_occurrence(corpus):
    result = kwic(corpus, "security   GUARANTEES")
    assert len(result.rows) == 7
    assert {r.match for r in result.rows} == {"security guarantees", "Security Guarantees"}
    # two occurrences in one Chinese sentence: two rows, in text order
    china = [r for r in result.rows if r.perspective == "china"]
    assert [r.sentence_index for r in china] == [china[0].sentence_index] * 2
    assert china[0].left.endswith("a draft treaty on")
    assert china[1].left.endswith("a draft agreement on")


def test_word_does_not_match_inside_longer_words(corpus):
    rows = kwic(corpus, "Russia").rows
    assert rows and all(r.match.lower() == "russia" for r in rows)
    for row in rows:  # never the start of "Russian" or "Russians"
        followed = re.escape(row.left) + r"\s*" + re.escape(row.match) + r"(?![A-Za-z])"
        assert re.search(followed, sentence_of(corpus, row)), row


def test_left_ends_right_before_the_match_and_windows_are_trimmed(corpus):
    window = 4
    result = kwic(corpus, "NATO", window=window)
    assert len(result.rows) > 20
    for row in result.rows:
        sentence = sentence_of(corpus, row)
        pattern = re.escape(row.left) + r"\s*" + re.escape(row.match) + r"\s*" + re.escape(row.right)
        assert re.search(pattern, sentence), (row, sentence)
        assert len(tokenize(row.left)) <= window
        # the rest of the matched token ("'s" of "NATO's", "-supplied" of
        # "NATO-supplied") is kept but not counted as context
        right = row.right.split(" ", 1)[1] if row.right[:1] in ("'", "-") else row.right
        assert len(tokenize(right)) <= window
    # "...urged the U.S. and NATO to provide legally binding guarantees to halt NATO's
    # expansion into Ukraine and the deployment of weapons in Eastern Europe."
    first, second = [r for r in result.rows
                     if r.doc_id == "cn-wu-2022-01-19" and r.sentence_index == 7]
    assert (first.left, first.match, first.right) == (
        "urged the U.S. and", "NATO", "to provide legally binding")
    # the possessive 's belongs to the NATO token: kept, not counted as context
    assert (second.left, second.match, second.right) == (
        "binding guarantees to halt", "NATO", "'s expansion into Ukraine and")


def test_minsk_by_perspective(corpus):
    everywhere = kwic(corpus, "Minsk")
    assert [(r.doc_id, r.match) for r in everywhere.rows] == [
        ("ru-trenin-2022-01-21", "Minsk"), ("cn-wu-2022-01-19", "Minsk")]
    only_ukraine = kwic(corpus, "Minsk", perspective="ukraine")
    assert only_ukraine.rows == ()
    assert only_ukraine.warnings == ("no matches for 'Minsk'",)


@pytest.mark.parametrize("query", ["", "   ", "*", "*tion", "sanc*tion", "--"])
def test_bad_queries_are_option_errors(corpus, query):
    with pytest.raises(OptionError):
        kwic(corpus, query)


def test_unknown_perspective_is_an_option_error(corpus):
    with pytest.raises(OptionError, match="unknown perspective 'mars'"):
        kwic(corpus, "NATO", perspective="mars")


# ----------------------------------------------------------------------------------- CLI


def run(*args: str):
    return invoke(list(args))


def test_cli_kwic_csv_columns_and_perspective_filter(bundled):
    result = run("kwic", "Minsk", "--sources", str(bundled), "--perspective", "russia",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == COLUMNS
    assert [(r["doc_id"], r["match"], r["right"]) for r in rows] == [
        ("ru-trenin-2022-01-21", "Minsk", "process aimed at ending the conflict reached a")]
    empty = run("kwic", "Minsk", "--sources", str(bundled), "--perspective", "ukraine",
                "--format", "csv")
    assert empty.exit_code == 0
    assert empty.stdout.strip() == ",".join(COLUMNS)
    assert "no matches" in empty.stderr


def test_cli_kwic_json_window(bundled):
    result = run("kwic", "security guarantees", "--window", "2", "--sources", str(bundled),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 7
    assert list(rows[0]) == COLUMNS
    assert rows[0]["left"] == "other effective"
    assert isinstance(rows[0]["sentence_index"], int)


def test_cli_kwic_table_aligns_matches(bundled, tmp_path):
    out = tmp_path / "kwic.txt"
    result = run("kwic", "sanction*", "--sources", str(bundled), "--format", "table",
                 "--output", str(out))
    assert result.exit_code == 0, result.output
    lines = [line for line in out.read_text(encoding="utf-8").splitlines()
             if re.match(r"(ua|ru|cn)-", line)]
    assert len(lines) == 5
    assert len({line.index(" sanctions ") for line in lines}) == 1


@pytest.mark.parametrize("args", [("",), ("   ",), ("*",), ("NATO", "--perspective", "mars"),
                                  ("NATO", "--window", "-1")])
def test_cli_kwic_bad_input_exit_2(bundled, args):
    result = run("kwic", *args, "--sources", str(bundled))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
