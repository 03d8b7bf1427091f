"""Corpora that come as one table: CSV, TSV, JSON lines or Parquet, an article a row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
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


def table_rows(path: Path, *, max_bytes: int = 1 << 40) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, row)`` of a CSV/TSV, JSONL or Parquet file, chosen by suffix (else Parquet).

    ``line`` is the file line where a CSV/TSV record or a JSONL object starts,
    the 1-based row number in a Parquet file; the header is line 1.
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return _csv_rows(path, "\t" if suffix == ".tsv" else ",", max_bytes)
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_rows(path, max_bytes)
    return _parquet_rows(path)


def read_table(path: Path, columns: ColumnMap, config: Config) -> Iterator[Document]:
    """Documents from a CSV/TSV, JSONL or Parquet file, one article a row."""
    suffix = path.suffix.lower()
    rows = table_rows(path, max_bytes=max(config.check.max_file_bytes, 1 << 40))
    first = True
    for line, row in rows:
        if first:
            for needed in (columns.text, columns.perspective):
                if needed not in row:
                    # CSV/TSV columns are named in the header line; JSONL keys in the row.
                    raise CorpusError(f"no column {needed!r} (columns: {', '.join(map(str, row))}); "
                                      "name it with --text-column / --perspective-column",
                                      path=path, line=1 if suffix in (".csv", ".tsv") else line)
            first = False
        yield _row_document(row, line, path, columns, config)


def _row_document(row: dict[str, Any], line: int, path: Path, columns: ColumnMap,
                  config: Config) -> Document:
    def cell(name: str) -> str:
        value = row.get(name)
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()[:10]
        return str(value).strip()

    text = cell(columns.text)
    if not text:
        raise CorpusError(f"empty text in column {columns.text!r}", path=path, line=line)
    perspective = cell(columns.perspective)
    if not perspective:
        raise CorpusError(f"empty perspective in column {columns.perspective!r}", path=path,
                          line=line)
    check_perspective(perspective, config, path, line)
    doc_id = cell(columns.id) or f"row-{line}"
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


def _csv_rows(path: Path, delimiter: str, max_bytes: int) -> Iterator[tuple[int, dict[str, Any]]]:
    text = read_text_file(path, max_bytes)
    csv.field_size_limit(1 << 30)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise CorpusError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None


def _jsonl_rows(path: Path, max_bytes: int) -> Iterator[tuple[int, dict[str, Any]]]:
    text = read_text_file(path, max_bytes)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"invalid JSON: {exc.msg}", path=path, line=number) from None
        if not isinstance(row, dict):
            raise CorpusError("each line must be a JSON object", path=path, line=number)
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
