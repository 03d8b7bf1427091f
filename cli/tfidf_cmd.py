"""``framelens tfidf`` and ``framelens similarity``: TF-IDF terms, similarity, shared vocabulary."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from framelens.cli._command import corpus_command
from framelens.cli._options import (
    CollocationMinCountOpt,
    KeepStopwordsOpt,
    NgramsOpt,
    NoCollocationsOpt,
    SublinearOpt,
    UnitsBy,
    UnitsByOpt,
    term_arguments,
)

app = typer.Typer()

_GROUPS_PER_TABLE = 4


class Pooling(str, Enum):
    pooled = "pooled"
    mean = "mean"


# ----------------------------------------------------------------------------- tfidf


def _tfidf_view(result):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    extra = result.extra
    groups = list(extra["groups"])
    by_group: dict[str, list] = {g: [] for g in groups}
    for row in result.rows:
        by_group[row.group].append(row)
    depth = max((len(rows) for rows in by_group.values()), default=0)
    tables = []
    for first in range(0, max(len(groups), 1), _GROUPS_PER_TABLE):
        chunk = groups[first:first + _GROUPS_PER_TABLE]
        last = first + _GROUPS_PER_TABLE >= len(groups)
        table = Table(title=Text(result.title) if first == 0 else None,
                      caption=Text(result.caption) if last else None, caption_justify="left")
        table.add_column("#", justify="right", style="dim")
        for group, perspective in zip(chunk, extra["group_perspectives"][first:], strict=False):
            colour = result.colour(perspective)
            header = Text(result.label(group), style=f"bold {colour}")
            if extra["by"] == "document":
                header.append("\n" + result.label(perspective),
                              style=colour)
            table.add_column(header, overflow="fold")
        for rank in range(depth):
            cells = [Text(str(rank + 1))]
            for group, perspective in zip(chunk, extra["group_perspectives"][first:],
                                          strict=False):
                rows = by_group[group]
                if rank >= len(rows):
                    cells.append(Text(""))
                    continue
                row = rows[rank]
                cell = Text(row.term, style=result.colour(perspective))
                cell.append(f"  {row.tfidf:.3f}", style="dim")
                cells.append(cell)
            table.add_row(*cells)
        tables.append(table)
    return Group(*tables)


@corpus_command(app, "tfidf", compares_words=True,
                # Rows per document stream as they are made; per perspective they are few.
                cache_result=lambda values: values["by"] != UnitsBy.document,
                view=_tfidf_view,
                help="Top TF-IDF terms per perspective (documents pooled) or per document.")
def tfidf_command(
    corpus,
    *,
    by: UnitsByOpt = UnitsBy.perspective,
    top: Annotated[int, typer.Option("--top", "-n", help="Terms per group.")] = 15,
    pooling: Annotated[Pooling, typer.Option(
        "--pooling", help="Perspective vectors: 'pooled' sums its documents' counts into one "
        "text; 'mean' averages its documents' TF-IDF vectors.", case_sensitive=False)
    ] = Pooling.pooled,
    sublinear_tf: SublinearOpt = False,
    ngrams: NgramsOpt = "1",
    keep_stopwords: KeepStopwordsOpt = False,
    no_collocations: NoCollocationsOpt = False,
    collocation_min_count: CollocationMinCountOpt = 2,
):
    from framelens.analysis.lenses.tfidf import tfidf, tfidf_stream

    arguments = dict(by=by.value, top=top, sublinear_tf=sublinear_tf, pooling=pooling.value,
                     **term_arguments(ngrams, keep_stopwords, no_collocations,
                                      collocation_min_count))
    if by is UnitsBy.document:
        return tfidf_stream(corpus, **arguments)
    return tfidf(corpus, **arguments)


# ------------------------------------------------------------------------ similarity


