"""Property: whatever bytes a user feeds the loaders, the outcome is a result or a
CorpusError (a one-line message naming the file), never another exception (issue #17)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framelens.analysis.config.settings import load_config
from framelens.analysis.errors import CorpusError
from framelens.analysis.io.documents import ArticleFields, parse_article_fields
from framelens.analysis.io.manifest import read_article_file
from framelens.analysis.io.tables import ColumnMap, read_table

CONFIG = load_config(None, None)
PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Pieces that YAML, CSV and JSON give meaning to, mixed with arbitrary text.
YAML_PIECES = st.sampled_from([
    "id", "title", "perspective", "published", "author", "url", "language", ": ", ":", "\n",
    "  ", "- ", "&a ", "*a", "!!python/object ", "!!binary ", "[", "]", "{", "}", ",", "'",
    '"', "#", "|", ">", "? ", "2022-13-45", "2022-01-10", "yes", "null", "~", "1e400", "0x1F",
    "ukraine", "russia", "---", "...", "%YAML 1.1\n", "\t", "\\", "\u202e", "\ufeff", "\x00",
])
CSV_PIECES = st.sampled_from([
    "id", "text", "perspective", "published", "title", ",", "\t", '"', '""', "\n", "\r\n",
    "\r", "x", "ukraine", "russia", "=1+1", "../x", "2022-01-10", "2022-02-30", " ",
    "Some article text.", "\x00", "\ufeff", "\u202e",
])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "text", "perspective", "published", "title", "x"]), children,
        max_size=4),
    max_leaves=8)


def _mixed(pieces):
    return st.lists(pieces | st.text(max_size=8), max_size=40).map("".join)


_FOLDER = Path(tempfile.mkdtemp(prefix="framelens-properties-"))
atexit.register(shutil.rmtree, _FOLDER, True)


def _written(suffix: str, data: bytes | str) -> Path:
    """The one file of this suffix in a scratch folder, overwritten by each example."""
    path = _FOLDER / f"corpus{suffix}"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(data)
    return path


@PROPERTY
@given(header=_mixed(YAML_PIECES), body=st.text(max_size=30))
def test_front_matter_gives_fields_or_a_corpus_error(header, body):
    try:
        fields = parse_article_fields(f"---\n{header}\n---\n{body}", Path("a.md"))
    except CorpusError as exc:
        assert exc.path == "a.md" and str(exc).startswith("a.md")
        assert "\n" not in exc.message and len(exc.message) < 2000
    else:
        assert isinstance(fields, ArticleFields) and fields.id and fields.text


@PROPERTY
@given(data=st.binary(max_size=200) | _mixed(YAML_PIECES).map(lambda t: ("---\n" + t).encode(
    "utf-8", "surrogatepass")))
def test_article_bytes_give_a_document_or_a_corpus_error(data):
    path = _written(".md", data)
    try:
        read_article_file(path, CONFIG)
    except CorpusError as exc:
        assert exc.path == str(path)


@PROPERTY
@given(text=_mixed(CSV_PIECES), suffix=st.sampled_from([".csv", ".tsv"]))
def test_csv_gives_documents_or_a_corpus_error(text, suffix):
    path = _written(suffix, "id,text,perspective\n" + text)
    try:
        documents = list(read_table(path, ColumnMap(), CONFIG))
    except CorpusError as exc:
        assert exc.path == str(path)
    else:
        assert all(d.text and d.perspective and d.id for d in documents)


@PROPERTY
@given(rows=st.lists(JSON_VALUES, max_size=4), junk=st.text(max_size=10))
def test_jsonl_gives_documents_or_a_corpus_error(rows, junk):
    import json

    lines = [json.dumps(row) for row in rows] + [junk]
    path = _written(".jsonl", "\n".join(lines))
    try:
        documents = list(read_table(path, ColumnMap(), CONFIG))
    except CorpusError as exc:
        assert exc.path == str(path)
    else:
        assert all(isinstance(d.text, str) and isinstance(d.perspective, str)
                   for d in documents)
