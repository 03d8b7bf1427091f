"""Corpus loading and validation: every bad-input case gets a precise message."""

from __future__ import annotations

import json

import pytest

from framelens.analysis.errors import ConfigError, CorpusError
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.io.tables import ColumnMap
from tests.conftest import write_article

GOOD_BODY = "NATO and Russia talked in Geneva. The talks ended without a result."


def test_bundled_corpus_loads_with_three_perspectives(bundled):
    corpus = load_corpus(bundled)
    assert corpus.perspective_ids == ("ukraine", "russia", "china")
    assert [d.id for d in corpus.documents] == sorted(d.id for d in corpus.documents)
    trenin = corpus.document("ru-trenin-2022-01-21")
    assert trenin.author == "Dmitry Trenin"
    assert trenin.outlet == "The Moscow Times"
    assert trenin.published == "2022-01-21"
    wu = corpus.document("cn-wu-2022-01-19")
    assert (wu.author, wu.outlet, wu.published) == ("Wu Zhenglong", "China-US Focus", "2022-01-19")
    ukraine = corpus.of_perspective("ukraine")[0]
    assert ukraine.author == "unknown" and ukraine.outlet == "unknown"


def test_bundled_bodies_have_no_web_chrome(bundled):
    for document in load_corpus(bundled).documents:
        for chrome in ("Related article", "Back to Top", "You might also like", "Language :",
                       "](#)", "Original url"):
            assert chrome not in document.text, (document.id, chrome)


def test_bundled_ukrainian_article_has_no_repeated_pull_quotes(bundled):
    from framelens.analysis.process.pipeline import processed

    corpus = load_corpus(bundled)
    for doc in processed(corpus):
        assert len(doc.sentences) == len(set(doc.sentences)), doc.doc_id


def _error(tmp_path, content: bytes | str, name: str = "bad.md") -> CorpusError:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(CorpusError) as info:
        load_corpus(tmp_path)
    return info.value


def test_binary_file(tmp_path):
    error = _error(tmp_path, b"---\nid: x\n---\n\x00\x01\x02")
    assert "binary" in error.message and error.path.endswith("bad.md") and error.line == 4


def test_non_utf8_file_names_line(tmp_path):
    error = _error(tmp_path, "---\nid: a\ntitle: T\nperspective: p\n---\nCaf\xe9".encode("latin-1"))
    assert "not UTF-8" in error.message and error.line == 6


def test_empty_file(tmp_path):
    assert "empty file" in _error(tmp_path, "  \n").message


def test_oversized_file(tmp_path):
    (tmp_path / "framelens.toml").write_text("[check]\nmax_file_bytes = 100\n")
    error = _error(tmp_path, "---\nid: a\ntitle: T\nperspective: p\n---\n" + "word " * 100)
    assert "limit" in error.message


def test_missing_front_matter(tmp_path):
    error = _error(tmp_path, "Just text.\n")
    assert "front matter" in error.message and error.line == 1


def test_unclosed_front_matter(tmp_path):
    assert "not closed" in _error(tmp_path, "---\nid: a\ntitle: T\n").message


def test_broken_yaml_names_line(tmp_path):
    error = _error(tmp_path, "---\nid: a\ntitle: [unclosed\nperspective: p\n---\nBody.\n")
    assert "broken front matter" in error.message and error.line is not None


def test_unknown_key_names_key_and_line(tmp_path):
    error = _error(tmp_path, "---\nid: a\ntitle: T\nperspective: p\nsource: x\n---\nBody.\n")
    assert "'source'" in error.message and error.line == 5


def test_missing_required_key(tmp_path):
    assert "'perspective'" in _error(tmp_path, "---\nid: a\ntitle: T\n---\nBody.\n").message


def test_yaml_types_are_checked(tmp_path):
    error = _error(tmp_path, "---\nid: a\ntitle: no\nperspective: p\n---\nBody.\n")
    assert "must be a string" in error.message and "quote it" in error.message
    assert error.line == 3


def test_bare_yaml_date_is_accepted_as_iso(tmp_path):
    write_article(tmp_path, "a", "p", GOOD_BODY)
    (tmp_path / "b.md").write_text("---\nid: b\ntitle: T\nperspective: p\npublished: 2022-01-10\n"
                                   "---\nBody text.\n")
    assert load_corpus(tmp_path).document("b").published == "2022-01-10"


@pytest.mark.parametrize("date", ["2022-13-01", "10/01/2022", "2022-02-30"])
def test_bad_dates(tmp_path, date):
    error = _error(tmp_path, f"---\nid: a\ntitle: T\nperspective: p\npublished: \"{date}\"\n"
                             "---\nBody.\n")
    assert "date" in error.message and error.line == 5


def test_bad_id(tmp_path):
    assert "[a-z0-9-]+" in _error(tmp_path, "---\nid: Bad_Id\ntitle: T\nperspective: p\n---\n"
                                             "Body.\n").message


def test_empty_body(tmp_path):
    assert "no body" in _error(tmp_path, "---\nid: a\ntitle: T\nperspective: p\n---\n\n").message


def test_unknown_perspective_with_config(small_corpus):
    write_article(small_corpus, "east-one", "east", GOOD_BODY)
    with pytest.raises(CorpusError) as info:
        load_corpus(small_corpus)
    assert "unknown perspective 'east'" in info.value.message
    assert "north, south" in info.value.message
    assert info.value.line == 4


def test_duplicate_ids_name_both_files(tmp_path):
    write_article(tmp_path, "a", "p", GOOD_BODY)
    (tmp_path / "copy.md").write_text((tmp_path / "a.md").read_text())
    with pytest.raises(CorpusError) as info:
        load_corpus(tmp_path)
    assert "duplicate id 'a'" in info.value.message
    assert info.value.path.endswith("copy.md") and "a.md" in info.value.message


def test_corpus_without_config_takes_perspectives_from_data(tmp_path):
    write_article(tmp_path, "a", "west", GOOD_BODY)
    write_article(tmp_path, "b", "east", GOOD_BODY + " More.")
    corpus = load_corpus(tmp_path)
    assert corpus.perspective_ids == ("east", "west")


def test_no_articles(tmp_path):
    with pytest.raises(CorpusError, match="no articles"):
        load_corpus(tmp_path)


def test_missing_path(tmp_path):
    with pytest.raises(CorpusError, match="no such file"):
        load_corpus(tmp_path / "nope")


def test_csv_corpus_with_column_options(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("doc,side,body,headline,date\n"
                    "a1,west,\"NATO met. It said =1+1.\",One,2022-01-10\n"
                    "a2,east,Russia answered.,Two,2022-01-11\n", encoding="utf-8")
    corpus = load_corpus(path, columns=ColumnMap(text="body", id="doc", perspective="side",
                                                 title="headline", date="date"))
    assert [(d.id, d.perspective, d.title, d.published) for d in corpus.documents] == [
        ("a1", "west", "One", "2022-01-10"), ("a2", "east", "Two", "2022-01-11")]


def test_csv_missing_column_names_options(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("id,body\na,Text\n")
    with pytest.raises(CorpusError, match="--text-column") as error:
        load_corpus(path)
    assert error.value.line == 1  # the header names the columns


def test_csv_bad_row_names_line(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("id,perspective,text\na,west,Fine text.\nb,,Missing perspective.\n")
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    assert info.value.line == 3 and "empty perspective" in info.value.message


def test_jsonl_corpus_and_bad_line(tmp_path):
    path = tmp_path / "news.jsonl"
    rows = [{"id": "a", "perspective": "west", "text": "NATO met."},
            {"id": "b", "perspective": "east", "text": "Russia answered."}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert [d.id for d in load_corpus(path).documents] == ["a", "b"]
    path.write_text(json.dumps(rows[0]) + "\n{broken\n")
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    assert info.value.line == 2


def test_parquet_corpus(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "news.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "perspective": ["west", "east"],
                             "text": ["NATO met.", "Russia answered."]}), path)
    assert [d.perspective for d in load_corpus(path).documents] == ["west", "east"]


def test_tabular_duplicate_ids(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("id,perspective,text\na,west,One.\na,east,Two.\n")
    with pytest.raises(CorpusError, match="duplicate id 'a'"):
        load_corpus(path)


@pytest.mark.parametrize(("content", "fragment"), [
    ("colour = 1\n", "unknown key 'colour'"),
    ("[[perspectives]]\nid = \"Bad Id\"\n", "perspectives[0].id"),
    ("[[perspectives]]\nid = \"a\"\ncolour = \"not a colour!\"\n", "colour"),
    ("[targets.NATO]\naliases = \"NATO\"\n", "targets.NATO.aliases"),
    ("[topics.X]\nwords = [\"a\"]\n", "topics.X.words"),
    ("[check]\nmin_words = \"ten\"\n", "check.min_words"),
    ("stopwords = [\n", "invalid TOML"),
])
def test_config_errors_name_file_and_key(tmp_path, content, fragment):
    write_article(tmp_path, "a", "a", GOOD_BODY)
    (tmp_path / "framelens.toml").write_text(content)
    with pytest.raises(ConfigError) as info:
        load_corpus(tmp_path)
    assert fragment in str(info.value)
    assert info.value.path.endswith("framelens.toml")


def test_config_merges_over_defaults(tmp_path):
    write_article(tmp_path, "a", "a", GOOD_BODY)
    (tmp_path / "framelens.toml").write_text(
        'stopwords = ["geneva"]\n[targets.OSCE]\naliases = ["OSCE"]\n'
        '[targets.NATO]\naliases = ["NATO"]\n')
    config = load_corpus(tmp_path).config
    targets = {t.name: t.aliases for t in config.targets}
    assert targets["NATO"] == ("NATO",)
    assert targets["OSCE"] == ("OSCE",)
    assert "Russia" in targets  # defaults kept
    assert "geneva" in config.stopwords


def test_bare_impossible_yaml_date_is_a_clean_error(tmp_path):
    error = _error(tmp_path, "---\nid: a\ntitle: T\nperspective: p\npublished: 2022-13-45\n---\nBody.\n")
    assert "broken front matter" in error.message
