"""Result containers every analysis returns and the one renderer consumes.

A :class:`Result` holds rows: instances of one frozen dataclass whose field
names are the stable snake_case column names of the machine formats. A
:class:`Report` is several named results (``compare``) plus the same numbers
as one tidy long table for CSV/TSV/JSONL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class GroupStyle:
    """How a group is shown: a perspective's label and colour from the corpus config, or
    an outlet's or author's own name with a colour from the fallback palette."""

    id: str
    label: str
    colour: str


class Styled:
    """The groups' labels and colours, the one source every view reads them from."""

    styles: tuple[GroupStyle, ...]

    def style(self, group: str) -> GroupStyle:
        for style in self.styles:
            if style.id == group:
                return style
        return GroupStyle(group, group, "")

    def label(self, group: str) -> str:
        return self.style(group).label

    def colour(self, group: str) -> str:
        return self.style(group).colour

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(style.id for style in self.styles)


@dataclass(frozen=True)
class Result(Styled):
    row_type: type
    rows: tuple[Any, ...]
    title: str = ""
    caption: str = ""
    warnings: tuple[str, ...] = ()
    exit_code: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    styles: tuple[GroupStyle, ...] = field(default=(), compare=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.row_type))


@dataclass(frozen=True)
class StreamedResult(Styled):
    """A :class:`Result` whose rows are made in chunks while they are written.

    For document-level outputs (every sentence, every concordance line), whose
    rows grow with the corpus: ``chunks()`` yields tuples of rows in output
    order, computing each chunk only when it is asked for, so a writer holds
    one chunk at a time. ``warnings(count)`` gives the warnings once every row
    is known (``count``: how many there were). ``collect()`` is the whole
    :class:`Result` (for views that need every row at once, such as the
    terminal table); ``finish(rows)`` builds it from the rows (title and
    caption may count them).
    """

    row_type: type
    chunks: Callable[[], Iterator[tuple[Any, ...]]]
    finish: Callable[[tuple[Any, ...]], Result]
    warnings: Callable[[int], tuple[str, ...]] = lambda count: ()
    styles: tuple[GroupStyle, ...] = field(default=(), compare=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self.row_type))

    def collect(self) -> Result:
        rows: list[Any] = []
        for chunk in self.chunks():
            rows.extend(chunk)
        return self.finish(tuple(rows))


@dataclass(frozen=True)
class Report:
    title: str
    sections: tuple[tuple[str, Result], ...]
    long_table: Result
    caption: str = ""
    warnings: tuple[str, ...] = ()
    exit_code: int = 0
