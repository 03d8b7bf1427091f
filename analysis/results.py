"""Result containers every analysis returns and the one renderer consumes.

A :class:`Result` holds rows: instances of one frozen dataclass whose field
names are the stable snake_case column names of the machine formats. A
:class:`Report` is several named results (``compare``) plus the same numbers
as one tidy long table for CSV/TSV/JSONL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Result:
    row_type: type
    rows: tuple[Any, ...]
    title: str = ""
    caption: str = ""
    warnings: tuple[str, ...] = ()
    exit_code: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.row_type))


@dataclass(frozen=True)
class Report:
    title: str
    sections: tuple[tuple[str, Result], ...]
    long_table: Result
    caption: str = ""
    warnings: tuple[str, ...] = ()
    exit_code: int = 0
