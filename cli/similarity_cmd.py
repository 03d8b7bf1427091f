"""``framelens similarity``: cosine and Jensen–Shannon matrices, shared and unique vocabulary."""

from __future__ import annotations

import math
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


_MAX_MATRIX = 12  # more units than this: the similarity table view lists the closest pairs


_TOP_PAIRS = 30


# Colour scales for the matrix cells (ColorBrewer "Blues" and "Oranges" end points).
_COSINE_SCALE = ((247, 251, 255), (8, 48, 107))


_JSD_SCALE = ((255, 245, 235), (127, 39, 4))


def _scaled_cell(value: float, scale) -> object:
    from rich.color import Color
    from rich.style import Style
    from rich.text import Text

    if value is None or math.isnan(value):
        return Text("–", justify="right")
    t = min(max(value, 0.0), 1.0)
    low, high = scale
    rgb = tuple(round(a + (b - a) * t) for a, b in zip(low, high, strict=True))
    luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    style = Style(bgcolor=Color.from_rgb(*rgb),
                  color=Color.from_rgb(0, 0, 0) if luminance > 140 else Color.from_rgb(255, 255, 255))
    return Text(f" {value:.3f} ", style=style, justify="right")


def _matrix_table(title: str, matrix, names, colours, scale, numbered: bool):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title, style="bold"), box=box.SIMPLE_HEAD, padding=(0, 0),
                  pad_edge=False)
    table.add_column("", no_wrap=True)
    for index, (name, colour) in enumerate(zip(names, colours, strict=True), start=1):
        table.add_column(Text(str(index) if numbered else name, style=f"bold {colour}"),
                         justify="right")
    for i, (name, colour) in enumerate(zip(names, colours, strict=True)):
        label = Text()
        if numbered:
            label.append(f"{i + 1} ", style="dim")
        label.append(name + " ", style=f"bold {colour}")
        table.add_row(label, *(_scaled_cell(float(v), scale) for v in matrix[i]))
    return table


def _similarity_view(result):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    extra = result.extra
    if extra.get("view") == "vocabulary":
        return _vocabulary_view(result)
    groups = list(extra["groups"])
    perspectives = list(extra["group_perspectives"])
    colours = [result.colour(p) for p in perspectives]
    by_document = extra["by"] == "document"
    names = groups if by_document else [result.label(g) for g in groups]
    if len(groups) > _MAX_MATRIX:
        return _pairs_view(result, colours={g: c for g, c in zip(groups, colours, strict=True)})
    cosine = _matrix_table("cosine (higher = closer)", extra["cosine"], names,
                           colours, _COSINE_SCALE, by_document)
    jsd = _matrix_table("JSD (lower = closer)", extra["jsd"], names,
                        colours, _JSD_SCALE, by_document)
    if not by_document and len(groups) <= 5:
        grid = Table.grid(padding=(0, 4))
        grid.add_row(cosine, jsd)
        body = [grid]
    else:
        body = [cosine, jsd]
    return Group(Text(result.title, style="bold"), *body,
                 Text(result.caption + " Cell colour: the value on a fixed 0–1 scale.",
                      style="dim"))


def _pairs_view(result, *, colours):
    """Too many units for a matrix: the most similar pairs of different units."""
    from rich.table import Table
    from rich.text import Text

    pairs = sorted((r for r in result.rows if r.a != r.b and not math.isnan(r.cosine)),
                   key=lambda r: (-r.cosine, r.a, r.b))
    shown = pairs[:_TOP_PAIRS]
    table = Table(title=Text(f"{result.title}: the {len(shown)} most similar of {len(pairs)} "
                             f"pairs ({len(result.extra['groups'])} units; every pair: "
                             "--format csv)"),
                  caption=Text(result.caption), caption_justify="left")
    table.add_column("a", no_wrap=True)
    table.add_column("b", no_wrap=True)
    table.add_column("cosine", justify="right", no_wrap=True)
    table.add_column("jsd", justify="right", no_wrap=True)
    for row in shown:
        table.add_row(Text(row.a, style=colours.get(row.a, "")),
                      Text(row.b, style=colours.get(row.b, "")),
                      _scaled_cell(row.cosine, _COSINE_SCALE), _scaled_cell(row.jsd, _JSD_SCALE))
    return table


def _vocabulary_view(result):
    from rich.table import Table
    from rich.text import Text

    extra = result.extra
    total_groups = len(extra["groups"])

    def names(members) -> Text:
        text = Text()
        for index, member in enumerate(members):
            if index:
                text.append(" + ")
            text.append(result.label(member), style=f"bold {result.colour(member)}")
        return text

    table = Table(title=Text(result.title), caption=Text(result.caption),
                  caption_justify="left")
    table.add_column("Terms used by")
    table.add_column("Terms", justify="right")
    table.add_column("Examples (most frequent first)", overflow="fold")
    last_used = max((i for i, row in enumerate(result.rows) if row.set == "used"), default=-1)
    for index, row in enumerate(result.rows):
        if row.set == "used":
            who = names(row.perspectives).append(" uses", style="dim")
        elif row.set == "all":
            who = Text(f"all {total_groups}", style="bold")
        elif row.set == "pair":
            who = names(row.perspectives).append(" only", style="dim")
        else:
            who = Text("only ", style="dim").append_text(names(row.perspectives))
        table.add_row(who, Text(str(row.terms)), Text(", ".join(row.examples)),
                      end_section=row.set == "used" and index == last_used)
    return table


@corpus_command(app, "similarity", cache_result=True, compares_words=True,
                view=_similarity_view,
                help="Cosine (TF-IDF) and Jensen–Shannon divergence between perspectives or "
                     "documents; --vocabulary: shared and unique terms; --topic: on one topic.")
def similarity_command(
    corpus,
    *,
    by: UnitsByOpt = UnitsBy.perspective,
    topic: Annotated[str | None, typer.Option(
        "--topic", "-t", help="Compare only the sentences on this topic (a topic of the config, "
        "any case; see framelens topics). Units without one are left empty.",
        show_default=False)] = None,
    vocabulary: Annotated[bool, typer.Option(
        "--vocabulary", help="Terms shared by all perspectives, by each pair only, and unique "
        "to each, instead of the matrices.")] = False,
    min_count: Annotated[int, typer.Option(
        "--min-count", help="--vocabulary: a perspective uses a term when it occurs at least "
        "this often in its documents.")] = 2,
    examples: Annotated[int, typer.Option(
        "--examples", help="--vocabulary: example terms per set (most frequent first).")] = 10,
    sublinear_tf: SublinearOpt = False,
    ngrams: NgramsOpt = "1",
    keep_stopwords: KeepStopwordsOpt = False,
    no_collocations: NoCollocationsOpt = False,
    collocation_min_count: CollocationMinCountOpt = 2,
):
    from framelens.analysis.lenses.similarity import similarity

    return similarity(corpus, by=by.value, topic=topic, vocabulary=vocabulary,
                      min_count=min_count, examples=examples, sublinear_tf=sublinear_tf,
                      **term_arguments(ngrams, keep_stopwords, no_collocations, collocation_min_count))
