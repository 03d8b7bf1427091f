"""Coded rows: the hand-coded sentences (or tweets) a stance model learns from or is tested on.

A coded file is a CSV, TSV, JSON-lines or Parquet table with a text column,
a label column and optionally a target column; a ``.txt`` file is read as
tab-separated lines, and a file that is not UTF-8 as Windows-1252 (with a
warning), so that SemEval-2016 Task 6's files read as they are published. Labels follow the SemEval-2016
Task 6 scheme (Mohammad et al. 2016, "SemEval-2016 Task 6: Detecting Stance in
Tweets"): ``favor``, ``against`` or ``none`` (any case; SemEval's ``FAVOR``,
``AGAINST``, ``NONE`` read as they are).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from framelens.analysis.errors import FramelensError
from framelens.analysis.io.tables import table_rows

LABELS = ("favor", "against", "none")
"""The stance classes, in the order of every array and table (SemEval-2016 Task 6)."""

LEGACY_ENCODING = "cp1252"
"""How a coded file that is not UTF-8 is read (SemEval-2016's files are Windows-1252)."""

MIN_ROWS = 10
"""Fewest coded rows ``train`` accepts: below this cross-validation says nothing."""


class CodedFileError(FramelensError):
    """A coded file that cannot be used: missing columns, empty or unknown labels, too few rows."""


@dataclass(frozen=True)
class CodedRows:
    """Coded rows in file order: texts, labels (indices into ``LABELS``), targets ("" if none)."""

    path: str
    digest: str
    texts: tuple[str, ...]
    labels: tuple[int, ...]
    targets: tuple[str, ...]
    lines: tuple[int, ...]
    has_targets: bool
    warnings: tuple[str, ...] = ()


def label_index(value: object) -> int | None:
    """Index of a label in ``LABELS`` (case and surrounding space ignored), None if unknown."""
    text = "" if value is None else str(value).strip().casefold()
    return LABELS.index(text) if text in LABELS else None


def file_digest(path: Path) -> str:
    """sha256 of the file's bytes, hex."""
    hasher = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def read_coded(path: str | Path, *, text_column: str, label_column: str,
               target_column: str | None = None) -> CodedRows:
    """Read and validate a coded file.

    Every row needs a non-empty text and a label in :data:`LABELS`; with a
    target column, a non-empty target. Problems raise :class:`CodedFileError`
    naming the file and line (the header is line 1 of a CSV/TSV file).
    """
    path = Path(path)
    if not path.is_file():
        raise CodedFileError("no such file", path=path)
    suffix = path.suffix.lower()
    header_line = 1 if suffix in (".csv", ".tsv", ".txt") else None
    texts: list[str] = []
    labels: list[int] = []
    targets: list[str] = []
    lines: list[int] = []
    needed = [c for c in (text_column, label_column, target_column) if c]
    for line, row in table_rows(path, legacy_encoding=LEGACY_ENCODING):
        if not lines:
            missing = [c for c in needed if c not in row]
            if missing:
                flag = {text_column: "--text-column", label_column: "--label-column",
                        target_column: "--target-column"}[missing[0]]
                raise CodedFileError(f"no column {missing[0]!r} (columns: "
                                     f"{', '.join(map(str, row))}); name it with {flag}",
                                     path=path, line=header_line or line)
        text = _cell(row.get(text_column))
        if not text:
            raise CodedFileError(f"empty text in column {text_column!r}", path=path, line=line)
        raw_label = _cell(row.get(label_column))
        if not raw_label:
            raise CodedFileError(f"empty label in column {label_column!r} (every row needs one "
                                 f"of {', '.join(LABELS)}; drop uncoded rows)", path=path,
                                 line=line)
        index = label_index(raw_label)
        if index is None:
            raise CodedFileError(f"unknown label {raw_label!r} in column {label_column!r} "
                                 f"(expected one of {', '.join(LABELS)})", path=path, line=line)
        target = _cell(row.get(target_column)) if target_column else ""
        if target_column and not target:
            raise CodedFileError(f"empty target in column {target_column!r}", path=path,
                                 line=line)
        texts.append(text)
        labels.append(index)
        targets.append(target)
        lines.append(line)
    return CodedRows(str(path), file_digest(path), tuple(texts), tuple(labels), tuple(targets),
                     tuple(lines), target_column is not None, _encoding_warnings(path))


def check_trainable(rows: CodedRows) -> None:
    """Refuse rows no classifier can learn from: fewer than MIN_ROWS, or a single class."""
    if len(rows.texts) < MIN_ROWS:
        raise CodedFileError(f"{len(rows.texts)} coded rows; training needs at least {MIN_ROWS}",
                             path=rows.path)
    present = sorted(set(rows.labels))
    if len(present) < 2:
        raise CodedFileError(f"every row is coded {LABELS[present[0]]!r}; a classifier needs at "
                             "least two classes", path=rows.path)


def class_counts(labels: Sequence[int]) -> tuple[int, ...]:
    """Rows per class in ``LABELS`` order."""
    return tuple(sum(1 for label in labels if label == k) for k in range(len(LABELS)))


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def _encoding_warnings(path: Path) -> tuple[str, ...]:
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return (f"{path}: not UTF-8; read as {LEGACY_ENCODING} (Windows-1252). If the text "
                "looks wrong, re-save the file as UTF-8",)
    return ()
