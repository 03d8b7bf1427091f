"""The one output layer: any Result or Report to table, CSV, TSV, JSON, JSONL or Markdown.

Machine formats carry full-precision numbers (``repr`` of floats) and only
data; they are written with the csv/json modules, never through Rich. The
table view is Rich, on stdout only when it is a terminal (or asked for).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

from framelens.analysis.errors import OptionError
from framelens.analysis.io.output import write_output
from framelens.analysis.results import Report, Result, StreamedResult
from framelens.cli._errors import BIDI_CONTROLS


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"


_SUFFIX_FORMATS = {".csv": OutputFormat.csv, ".tsv": OutputFormat.tsv,
                   ".json": OutputFormat.json, ".jsonl": OutputFormat.jsonl,
                   ".ndjson": OutputFormat.jsonl, ".md": OutputFormat.markdown,
                   ".txt": OutputFormat.table}
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

TableView = Callable[[Any], Any]


def choose_format(requested: OutputFormat | None, output: Path | None) -> OutputFormat:
    """``--format`` if given; else from the output file's suffix; else table on a terminal."""
    if requested is not None:
        return requested
    if output is not None:
        return _SUFFIX_FORMATS.get(output.suffix.lower(), OutputFormat.csv)
    return OutputFormat.table if sys.stdout.isatty() else OutputFormat.csv


# Formats written row by row as a StreamedResult makes them (the others need every row).
STREAMED_FORMATS = frozenset({OutputFormat.csv, OutputFormat.tsv, OutputFormat.json,
                              OutputFormat.jsonl})


def emit(result: Result | Report | StreamedResult, fmt: OutputFormat, output: Path | None,
         table_view: TableView | None = None) -> tuple[str, ...]:
    """Render and write, atomically when ``output`` is a file; returns the warnings of a
    streamed result (known once its rows are)."""
    if isinstance(result, StreamedResult):
        if fmt in STREAMED_FORMATS:
            counted = [0]
            write_output(output, stream_text(result, fmt, counted))
            return result.warnings(counted[0])
        result = result.collect()
        emit(result, fmt, output, table_view)
        return result.warnings
    if fmt is OutputFormat.table:
        text = render_table(result, table_view, to_terminal=output is None)
        if text is None:
            return
    else:
        text = render_text(result, fmt)
    write_output(output, text)
    return ()


def stream_text(result: StreamedResult, fmt: OutputFormat, counted: list[int] | None = None
                ) -> Iterator[str]:
    """``render_text`` of the collected result, a chunk of rows at a time (the same bytes).

    ``counted[0]`` ends as the number of rows written.
    """
    counted = counted if counted is not None else [0]
    if fmt in (OutputFormat.csv, OutputFormat.tsv):
        yield _csv_text((), fmt, header=result.columns)
        for chunk in result.chunks():
            counted[0] += len(chunk)
            yield _csv_text(chunk, fmt)
    elif fmt is OutputFormat.jsonl:
        for chunk in result.chunks():
            counted[0] += len(chunk)
            yield _jsonl_text(result, chunk)
    elif fmt is OutputFormat.json:
        # json.dumps(rows, indent=2): "[", each row indented by two more spaces, "]".
        for chunk in result.chunks():
            parts = []
            for row in chunk:
                text = json.dumps(_json_row(result, row), ensure_ascii=False, indent=2,
                                  allow_nan=False)
                parts.append(("[\n" if counted[0] == 0 else ",\n")
                             + "  " + text.replace("\n", "\n  "))
                counted[0] += 1
            yield "".join(parts)
        yield "[]\n" if counted[0] == 0 else "\n]\n"
    else:
        raise OptionError(f"format {fmt.value!r} cannot be streamed")


def render_text(result: Result | Report, fmt: OutputFormat) -> str:
    """A machine format as a string."""
    if isinstance(result, Report):
        if fmt is OutputFormat.json:
            payload = {name: [_json_row(section, row) for row in section.rows]
                       for name, section in result.sections}
            return json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        if fmt is OutputFormat.markdown:
            parts = [f"# {result.title}\n"]
            for _, section in result.sections:
                parts.append(f"## {section.title}\n")
                if section.caption:
                    parts.append(f"{section.caption}\n")
                parts.append(_markdown(section))
            if result.caption:
                parts.append(result.caption + "\n")
            return "\n".join(parts)
        result = result.long_table
    if fmt in (OutputFormat.csv, OutputFormat.tsv):
        return _csv_text(result.rows, fmt, header=result.columns)
    if fmt is OutputFormat.json:
        rows = [_json_row(result, row) for row in result.rows]
        return json.dumps(rows, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    if fmt is OutputFormat.jsonl:
        return _jsonl_text(result, result.rows)
    if fmt is OutputFormat.markdown:
        parts = [f"## {result.title}\n"] if result.title else []
        parts.append(_markdown(result))
        if result.caption:
            parts.append(result.caption + "\n")
        return "\n".join(parts)
    raise OptionError(f"format {fmt.value!r} cannot be written as text")


def _csv_text(rows, fmt: OutputFormat, *, header: tuple[str, ...] | None = None) -> str:
    """CSV (or TSV) lines of ``rows``, after a ``header`` line when given."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter="," if fmt is OutputFormat.csv else "\t",
                        lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in astuple_shallow(row)])
    return buffer.getvalue()


def _jsonl_text(result: Result | StreamedResult, rows) -> str:
    return "".join(json.dumps(_json_row(result, row), ensure_ascii=False, allow_nan=False)
                   + "\n" for row in rows)


def render_table(result: Result | Report, table_view: TableView | None,
                 *, to_terminal: bool) -> str | None:
    """Rich rendering; printed directly on a terminal, captured as text for a file."""
    from rich.console import Console

    if to_terminal:
        console = Console(file=_BidiStripping(sys.stdout), highlight=False,
                          no_color="NO_COLOR" in os.environ or None)
    else:
        console = Console(file=io.StringIO(), width=120, no_color=True, highlight=False,
                          force_terminal=False)
    renderable = table_view(result) if table_view is not None else generic_table(result)
    console.print(renderable)
    if to_terminal:
        return None
    return strip_bidi(console.file.getvalue())  # type: ignore[attr-defined]


class _BidiStripping:
    """A text stream that passes everything on to ``stream`` but bidirectional controls
    (table views build their cells from raw values)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(strip_bidi(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def generic_table(result: Result | Report):
    """A plain Rich table of every column; the fallback table view."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    if isinstance(result, Report):
        return Group(*(generic_table(section) for _, section in result.sections))
    table = Table(title=result.title or None, caption=result.caption or None,
                  caption_justify="left", show_lines=False)
    for column in result.columns:
        table.add_column(column, overflow="fold")
    for row in result.rows:
        table.add_row(*(Text(format_cell(v)) for v in astuple_shallow(row)))
    return table


def format_cell(value: Any) -> str:
    """Human formatting for the table view (machine formats keep full precision)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"  # missing (e.g. the tone of a text VADER cannot read)
        if value != 0 and abs(value) < 0.001:
            return f"{value:.2e}"
        return f"{value:,.3f}" if abs(value) < 1e6 else f"{value:.3e}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, tuple | list):
        return ", ".join(format_cell(v) for v in value)
    return strip_bidi(str(value))


_NO_BIDI = str.maketrans("", "", BIDI_CONTROLS)


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters (terminal and CSV/TSV output)."""
    return text.translate(_NO_BIDI)


def astuple_shallow(row: Any) -> tuple[Any, ...]:
    """Field values of a dataclass row without deep-copying nested values."""
    return tuple(getattr(row, name) for name in row.__dataclass_fields__)




def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple | list):
        value = ";".join(str(v) for v in value)
    # A bare carriage return would end the record for some readers; keep it a newline.
    # Bidirectional controls (U+202E...) would make a viewer show a cell reordered.
    text = strip_bidi(str(value).replace("\r\n", "\n").replace("\r", "\n"))
    if text.startswith(_FORMULA_PREFIXES) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _json_row(result: Result | StreamedResult, row: Any) -> dict[str, Any]:
    return {name: _json_value(getattr(row, name)) for name in result.columns}


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    return value


def _markdown(result: Result) -> str:
    def cell(value: Any) -> str:
        return format_cell(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(result.columns) + " |",
             "| " + " | ".join("---" for _ in result.columns) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in astuple_shallow(row)) + " |"
              for row in result.rows]
    return "\n".join(lines) + "\n"


