"""Corpora that come as one table: CSV, TSV, JSON lines or Parquet, an article a row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framelens.analysis.config.settings import Config
from framelens.analysis.errors import CorpusError
from framelens.analysis.io.documents import Document, check_date, check_perspective, read_text_file
from framelens.analysis.text.languages import language_code


@dataclass(frozen=True)
class ColumnMap:
    """Which columns of a CSV/JSONL/Parquet file hold which field."""

    text: str = "text"
    id: str = "id"
    perspective: str = "perspective"
    title: str = "title"
    date: str = "published"
    author: str = "author"
    outlet: str = "outlet"
    url: str = "url"
    language: str = "language"


TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")


def table_rows(path: Path, *, max_bytes: int = 1 << 40, legacy_encoding: str | None = None
               ) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, row)`` of a CSV/TSV, JSONL or Parquet file, chosen by suffix (else Parquet);
    a ``.txt`` file is read as tab-separated lines without quoting, the layout of data sets
    such as SemEval-2016 Task 6's (a tweet may hold any quote character).

    ``line`` is the file line where a CSV/TSV record or a JSONL object starts,
    the 1-based row number in a Parquet file; the header is line 1. A malformed
    record (more or fewer fields than the header, an unclosed quote, a column
    named twice, invalid JSON) is a :class:`CorpusError` naming the file and line.
    ``legacy_encoding``: see :func:`~framelens.analysis.io.documents.read_text_file`.
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _csv_rows(path, "\t" if suffix != ".csv" else ",", max_bytes,
                         quoted=suffix != ".txt", legacy_encoding=legacy_encoding)
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_rows(path, max_bytes)
    return _parquet_rows(path)


# Ids of rows: letters, digits and ``_ . -`` inside, a letter or digit first, so that an id
# is never a path (``../x``), a spreadsheet formula (``=1+1``) or an option (``-x``).
TABLE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}\Z")


def read_table(path: Path, columns: ColumnMap, config: Config) -> Iterator[Document]:
    """Documents from a CSV/TSV, JSONL or Parquet file, one article a row.

    Every malformed row is a :class:`CorpusError` naming the file and line: a value
    of the wrong type, a row with more or fewer fields than the header, an
    unclosed quote, a header naming a column twice, an invalid id.
    """
    suffix = path.suffix.lower()
    tabular = suffix in (".csv", ".tsv")
    rows = table_rows(path, max_bytes=max(config.check.max_file_bytes, 1 << 40))
    first = True
    for line, row in rows:
        if first:
            for needed in (columns.text, columns.perspective):
                if needed not in row:
                    # CSV/TSV columns are named in the header line; JSONL keys in the row.
                    raise CorpusError(f"no column {needed!r} (columns: {', '.join(map(str, row))}); "
                                      "name it with --text-column / --perspective-column",
                                      path=path, line=1 if tabular else line, code="FL006")
            first = False
        yield _row_document(row, line, path, columns, config)
    if first:
        where = "no rows after the header line" if tabular else "no rows"
        raise CorpusError(f"{where}: the table has no articles", path=path,
                          line=2 if tabular else None, code="FL006")


def _row_document(row: dict[str, Any], line: int, path: Path, columns: ColumnMap,
                  config: Config) -> Document:
    def cell(name: str) -> str:
        value = row.get(name)
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()[:10]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise CorpusError(f"column {name!r} must be text, got {_json_type(value)} "
                              f"{_short(value)}", path=path, line=line, code="FL006")
        if isinstance(value, float) and not math.isfinite(value):
            raise CorpusError(f"column {name!r} must be text, got {value!r}", path=path,
                              line=line, code="FL006")
        if name in (columns.text, columns.perspective, columns.title) and not isinstance(
                value, str):
            raise CorpusError(f"column {name!r} must be text, got {_json_type(value)} "
                              f"{_short(value)}", path=path, line=line, code="FL006")
        return str(value).strip()

    text = cell(columns.text)
    if not text:
        raise CorpusError(f"empty text in column {columns.text!r}", path=path, line=line,
                          code="FL006")
    perspective = cell(columns.perspective)
    if not perspective:
        raise CorpusError(f"empty perspective in column {columns.perspective!r}", path=path,
                          line=line, code="FL006")
    check_perspective(perspective, config, path, line)
    doc_id = cell(columns.id) or f"row-{line}"
    if not TABLE_ID_RE.match(doc_id):
        raise CorpusError(f"id {_short(doc_id)} in column {columns.id!r} must be letters, digits "
                          "and _ . - (starting with a letter or digit, at most 200)", path=path,
                          line=line, code="FL014")
    published = cell(columns.date)
    if published:
        check_date(published[:10], path, line)
        published = published[:10]
    language = cell(columns.language)
    if language:
        code = language_code(language)
        if code is None:
            raise CorpusError(f"language {language!r} in column {columns.language!r} is not an "
                              "ISO 639-1 code (en, ru, uk, zh...)", path=path, line=line)
        language = code
    return Document(
        id=doc_id, title=cell(columns.title) or doc_id, perspective=perspective, text=text,
        author=cell(columns.author) or "unknown", outlet=cell(columns.outlet) or "unknown",
        published=published, url=cell(columns.url), language=language or config.language,
        path=str(path), body_line=line,
    )


def _json_type(value: Any) -> str:
    names = {list: "a list", tuple: "a list", dict: "an object", bool: "a boolean",
             int: "a number", float: "a number"}
    return next((name for kind, name in names.items() if isinstance(value, kind)),
                type(value).__name__)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _csv_rows(path: Path, delimiter: str, max_bytes: int, *, quoted: bool = True,
              legacy_encoding: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line where the record starts, {column: value})`` for each record after the header."""
    text = read_text_file(path, max_bytes, legacy_encoding=legacy_encoding)
    csv.field_size_limit(1 << 30)
    if not quoted and delimiter not in text.split("\n", 1)[0]:
        raise CorpusError("a .txt table must be tab-separated with a header line (or save it "
                          "as .csv, .tsv, .jsonl or .parquet)", path=path, line=1, code="FL006")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True,
                        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
    start = 1
    try:
        header = next(reader, None)
        if header is None:
            return
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise CorpusError(f"the header names column {_short(name)} twice", path=path,
                                  line=1, code="FL006")
            seen.add(name)
        start = reader.line_num + 1
        for record in reader:
            if record and len(record) != len(header):
                more = "more" if len(record) > len(header) else "fewer"
                raise CorpusError(f"row has {len(record)} fields, {more} than the header's "
                                  f"{len(header)} (a missing or extra delimiter or quote?)",
                                  path=path, line=start, code="FL006")
            if record:
                yield start, dict(zip(header, record, strict=True))
            start = reader.line_num + 1
    except csv.Error as exc:
        problem = str(exc)
        if "unexpected end of data" in problem or reader.line_num > text.count("\n"):
            problem = "a quote opened here is never closed"
        raise CorpusError(f"malformed CSV: {problem}", path=path, line=start,
                          code="FL006") from None


def _jsonl_rows(path: Path, max_bytes: int) -> Iterator[tuple[int, dict[str, Any]]]:
    text = read_text_file(path, max_bytes)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError, ValueError) as exc:
            problem = (exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                       if isinstance(exc, RecursionError) else str(exc).split(";")[0])
            raise CorpusError(f"invalid JSON: {problem}", path=path, line=number,
                              code="FL006") from None
        if not isinstance(row, dict):
            raise CorpusError("each line must be a JSON object", path=path, line=number,
                              code="FL006")
        yield number, row


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise CorpusError("reading Parquet needs pyarrow (pip install pyarrow)", path=path) from None
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise CorpusError(f"cannot read Parquet file: {exc}", path=path) from None
    yield from enumerate(table.to_pylist(), start=1)
