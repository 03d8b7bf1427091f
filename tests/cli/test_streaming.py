"""Streamed outputs: rows written a part of the corpus at a time, the same bytes as whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from framelens.analysis.io.output import write_output
from framelens.analysis.lenses import kwic as kwic_lens
from framelens.analysis.lenses import stance as stance_lens
from framelens.analysis.lenses import tfidf as tfidf_lens
from framelens.analysis.results import Result, StreamedResult
from framelens.cli._output import STREAMED_FORMATS, OutputFormat, render_text, stream_text
from tests.conftest import BUNDLED, invoke, write_article


@dataclass(frozen=True)
class Row:
    name: str
    value: float
    count: int


ROWS = (Row("a", 1.5, 1), Row("=b, \"quoted\"\nline", float("nan"), 2), Row("é ü", -0.0, 3),
        Row("", 1e-300, 4))


def _streamed(chunks, events=None) -> StreamedResult:
    def make():
        for number, chunk in enumerate(chunks):
            if events is not None:
                events.append(f"made {number}")
            yield tuple(chunk)

    return StreamedResult(Row, make, lambda rows: Result(Row, rows, title="t"),
                          warnings=lambda count: (f"{count} rows",))


@pytest.mark.parametrize("fmt", sorted(STREAMED_FORMATS, key=lambda f: f.value))
@pytest.mark.parametrize("chunks", [[ROWS], [ROWS[:1], (), ROWS[1:3], ROWS[3:]],
                                    [(), ()], []])
def test_streamed_text_is_the_whole_text(fmt, chunks):
    streamed = _streamed(chunks)
    counted = [0]
    text = "".join(stream_text(streamed, fmt, counted))
    assert text == render_text(streamed.collect(), fmt)
    assert counted[0] == sum(map(len, chunks))


def test_a_part_is_made_only_when_it_is_written():
    events: list[str] = []
    pieces = stream_text(_streamed([ROWS[:2], ROWS[2:]], events), OutputFormat.jsonl)
    assert events == []
    next(pieces)
    assert events == ["made 0"]
    next(pieces)
    assert events == ["made 0", "made 1"]


def test_a_failure_while_streaming_leaves_the_file_as_it_was(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")

    def broken():
        yield ROWS[:1]
        raise RuntimeError("the disk went away")

    streamed = StreamedResult(Row, broken, lambda rows: Result(Row, rows))
    with pytest.raises(RuntimeError):
        write_output(target, stream_text(streamed, OutputFormat.csv))
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


@pytest.fixture
def many_articles(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for source in BUNDLED.glob("*.md"):
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "framelens.toml").write_bytes((BUNDLED / "framelens.toml").read_bytes())
    bodies = ["NATO and Russia met in Geneva. Sanctions were \"on the table\", NATO said.",
              "Ukraine asked NATO for guarantees. Russia wants no NATO expansion at all."]
    for i in range(7):
        write_article(folder, f"z-extra-{i}", ("ukraine", "russia", "china")[i % 3],
                      bodies[i % 2], published=f"2022-01-{10 + i:02d}")
    return folder


@pytest.mark.parametrize("command", [["sentences"], ["kwic", "NATO"], ["kwic", "sanction*",
                                                                       "--window", "3"],
                                     ["tfidf", "--by", "document", "--top", "4"]])
def test_parts_of_any_size_write_the_same_bytes(many_articles, monkeypatch, tmp_path, command):
    outputs = {}
    for size in (1, 3, 2000):
        monkeypatch.setattr(stance_lens, "STREAM_CHUNK_DOCUMENTS", size)
        monkeypatch.setattr(kwic_lens, "STREAM_CHUNK_DOCUMENTS", size)
        monkeypatch.setattr(tfidf_lens, "STREAM_CHUNK_GROUPS", size)
        monkeypatch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path / f"cache-{size}"))
        for fmt in ("csv", "json", "jsonl", "markdown"):
            result = invoke([*command, "--sources", many_articles, "--format", fmt])
            assert result.exit_code == 0, result.output
            outputs.setdefault(fmt, set()).add(result.stdout)
    assert all(len(texts) == 1 for texts in outputs.values())
    assert outputs["csv"].pop().count("\n") > 5


def test_no_match_is_an_empty_list_and_a_warning():
    result = invoke(["kwic", "zzqq", "--sources", BUNDLED, "--format", "json"])
    assert result.exit_code == 0
    assert result.stdout == "[]\n"
    assert "no matches for 'zzqq'" in result.stderr


def test_tfidf_per_document_streams_its_rows_and_warns_after_them(many_articles, tmp_path):
    write_article(many_articles, "z-only-stopwords", "china", "It was of the and to them.")
    from framelens.analysis.io.reader import load_corpus

    corpus = load_corpus(many_articles)
    streamed = tfidf_lens.tfidf_stream(corpus, by="document", top=3)
    whole = tfidf_lens.tfidf(corpus, by="document", top=3)
    assert isinstance(streamed, StreamedResult)
    assert streamed.collect() == whole
    assert streamed.warnings(len(whole.rows)) == whole.warnings == (
        "z-only-stopwords: no terms left after stopword removal",)
    groups = [row.group for row in whole.rows]
    assert "z-only-stopwords" not in groups and len(set(groups)) == len(corpus.documents) - 1
    assert all(1 <= row.rank <= 3 and row.tfidf > 0 for row in whole.rows)
    result = invoke(["tfidf", "--by", "document", "--top", "3", "--sources", many_articles,
                     "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout == render_text(whole, OutputFormat.csv)
    assert "no terms left after stopword removal" in result.stderr
