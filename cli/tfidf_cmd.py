"""``framelens tfidf`` and ``framelens similarity``: TF-IDF terms, similarity, shared vocabulary."""

from __future__ import annotations

import math
from enum import Enum
from typing import Annotated

import typer

from framelens.cli._command import corpus_command
from framelens.cli._options import KeepStopwordsOpt

app = typer.Typer()

_GROUPS_PER_TABLE = 4
_MAX_MATRIX = 12  # more units than this: the similarity table view lists the closest pairs
_TOP_PAIRS = 30
# Colour scales for the matrix cells (ColorBrewer "Blues" and "Oranges" end points).
_COSINE_SCALE = ((247, 251, 255), (8, 48, 107))
_JSD_SCALE = ((255, 245, 235), (127, 39, 4))


class By(str, Enum):
    perspective = "perspective"
    document = "document"


class Pooling(str, Enum):
    pooled = "pooled"
    mean = "mean"


ByOpt = Annotated[By, typer.Option(
    "--by", help="Compare perspectives (their documents pooled) or single documents.",
    case_sensitive=False)]
NgramsOpt = Annotated[str, typer.Option(
    "--ngrams", help="Term lengths in words: N or N-M, e.g. 1-2 (as in keywords).")]
SublinearOpt = Annotated[bool, typer.Option(
    "--sublinear-tf", help="Use 1 + ln(count) as term frequency (dampens very frequent terms).")]
NoCollocationsOpt = Annotated[bool, typer.Option(
    "--no-collocations", help="Do not add detected collocations as multi-word terms "
                              "(config phrases still count), as in keywords.")]
CollocationMinCountOpt = Annotated[int, typer.Option(
    "--collocation-min-count", help="Minimum count of a detected collocation.")]


def _terms(ngrams: str, keep_stopwords: bool, no_collocations: bool,
           collocation_min_count: int) -> dict:
    """The term options shared with keywords, parsed the way keywords parses them."""
    from framelens.analysis.lenses.keywords import parse_ngram_range

    return {"ngram_range": parse_ngram_range(ngrams), "keep_stopwords": keep_stopwords,
            "collocations": not no_collocations,
            "collocation_min_count": collocation_min_count}


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


@corpus_command(app, "tfidf", cache_result=True, table_view=_tfidf_view,
                help="Top TF-IDF terms per perspective (documents pooled) or per document.")
def tfidf_command(
    corpus,
    *,
    by: ByOpt = By.perspective,
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
    from framelens.analysis.lenses.tfidf import tfidf

    return tfidf(corpus, by=by.value, top=top, sublinear_tf=sublinear_tf, pooling=pooling.value,
                 **_terms(ngrams, keep_stopwords, no_collocations, collocation_min_count))


# ------------------------------------------------------------------------ similarity


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


@corpus_command(app, "similarity", cache_result=True, table_view=_similarity_view,
                help="Cosine (TF-IDF) and Jensen–Shannon divergence between perspectives or "
                     "documents; --vocabulary: shared and unique terms; --topic: on one topic.")
def similarity_command(
    corpus,
    *,
    by: ByOpt = By.perspective,
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
                      **_terms(ngrams, keep_stopwords, no_collocations, collocation_min_count))
