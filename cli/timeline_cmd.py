"""``framelens timeline``: framing per perspective and period, with change points."""

from __future__ import annotations

import math
from enum import Enum
from typing import Annotated

import typer

from framelens.cli._command import corpus_command
from framelens.cli._style import UNDEFINED, signed
from framelens.cli.stance_cmd import TargetAliasOpt

app = typer.Typer()

_SPARKS = "▁▂▃▄▅▆▇█"
_METRIC_NAMES = {"share_of_sentences": "share", "tone": "tone", "variant_share": "share"}


class Period(str, Enum):
    week = "week"
    month = "month"
    quarter = "quarter"


def sparkline(values: list[float | None]) -> list[tuple[str, bool]]:
    """One character per period: ``None`` (no articles) is a blank, NaN (articles but no
    unit) a '·', values are eighth blocks from the row's minimum to its maximum."""
    known = [v for v in values if v is not None and not math.isnan(v)]
    low, high = (min(known), max(known)) if known else (0.0, 0.0)
    marks = []
    for v in values:
        if v is None:
            marks.append(" ")
        elif math.isnan(v):
            marks.append("·")
        elif high == low:
            marks.append(_SPARKS[3])
        else:
            marks.append(_SPARKS[round((v - low) / (high - low) * (len(_SPARKS) - 1))])
    return marks


def _number(metric: str, value: float) -> str:
    if value is None or math.isnan(value):
        return UNDEFINED
    return signed(value) if metric == "tone" else f"{value * 100:.0f}%"


class _TimelineTable:
    """Series × perspective rows with a sparkline over the periods that fit the console."""

    def __init__(self, result):
        self.result = result

    def __rich_console__(self, console, options):
        from rich import box
        from rich.table import Table
        from rich.text import Text

        result = self.result
        axis = result.extra["periods"]
        by_series: dict[tuple, dict[str, object]] = {}
        for row in result.rows:
            by_series.setdefault((row.kind, row.item, row.metric, row.perspective),
                                 {})[row.period] = row
        item_width = min(28, max((len(f"{i} · {_METRIC_NAMES[m]}") for _, i, m in
                                  result.extra["series"]), default=10))
        persp_width = max((len(result.label(p)) for p in result.groups), default=5)
        # padding ~12, values "+0.12 → -0.30" 13, articles 5, change 8
        room = options.max_width - item_width - persp_width - 13 - 5 - 9 - 12
        shown = axis[-max(4, min(len(axis), room)):]
        table = Table(title=Text(result.title), box=box.SIMPLE_HEAD, pad_edge=False,
                      caption_justify="left")
        table.add_column("series", overflow="fold", max_width=item_width)
        table.add_column("persp.", no_wrap=True)
        table.add_column(Text(f"{shown[0]} … {shown[-1]}" if len(shown) > 1 else shown[0]),
                         no_wrap=True)
        table.add_column("first → last", no_wrap=True, justify="right")
        table.add_column("art.", no_wrap=True, justify="right")
        table.add_column("change", no_wrap=True)
        changes = {}
        for change in result.extra["changes"].rows:
            changes.setdefault((change.kind, change.item, change.metric, change.perspective),
                               change.period)
        empty = 0
        previous_item = None
        for kind, item, metric in result.extra["series"]:
            for perspective in result.groups:
                cells = by_series.get((kind, item, metric, perspective), {})
                values = [cells[p].value if p in cells else None for p in shown]
                # Series never seen in these periods (no unit, or a share of 0 throughout)
                # are in the machine formats; here they would bury the ones that move.
                if not any(v is not None and not math.isnan(v)
                           and (v != 0 or metric == "tone") for v in values):
                    empty += 1
                    continue
                spark = Text()
                for period, mark in zip(shown, sparkline(values), strict=True):
                    row = cells.get(period)
                    few = row is not None and row.few_articles
                    spark.append(mark, style="dim" if few else result.colour(perspective))
                known = [cells[p] for p in shown if p in cells and not math.isnan(cells[p].value)]
                name = f"{item} · {_METRIC_NAMES[metric]}"
                table.add_row(Text(name if name != previous_item else "", style="bold"),
                              Text(result.label(perspective), style=result.colour(perspective)),
                              spark,
                              Text(f"{_number(metric, known[0].value)} → "
                                   f"{_number(metric, known[-1].value)}"),
                              Text(str(sum(cells[p].articles for p in shown if p in cells))),
                              Text(changes.get((kind, item, metric, perspective), "")))
                previous_item = name
        notes = []
        if len(shown) < len(axis):
            notes.append(f"the last {len(shown)} of {len(axis)} periods fit the terminal "
                         "(all are in --format csv)")
        if empty:
            notes.append(f"{empty} series × perspective never on the item in these periods "
                         "omitted (they are in --format csv)")
        table.caption = Text(
            "Sparkline: one character per period, scaled from the row's lowest to highest "
            "value; dim = fewer than 5 articles (no interval), blank = no article, '·' = "
            "articles but nothing on the item. art.: articles carrying the series in the "
            "periods shown. change: the first period at a new level "
            "(framelens timeline --changes for the evidence). "
            + ("; ".join(notes) + ". " if notes else "") + result.caption)
        yield table


def _changes_view(result):
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(result.title), caption=Text(result.caption),
                  caption_justify="left", show_lines=True)
    table.add_column("series", overflow="fold", max_width=24)
    table.add_column("persp.", no_wrap=True)
    table.add_column("from", no_wrap=True)
    table.add_column("level", no_wrap=True)
    table.add_column("evidence", overflow="fold", ratio=1)
    for row in result.rows:
        level = row.mean_before if row.side == "before" else row.mean_after
        table.add_row(
            Text(f"{row.item} · {_METRIC_NAMES[row.metric]}"),
            Text(result.label(row.perspective), style=result.colour(row.perspective)),
            Text(f"{row.previous_period} →\n{row.period}"),
            Text(f"{row.side}: {_number(row.metric, level)}"),
            Text(f"{row.doc_id} ({row.published}): {row.text or '(no sentence on it)'}"))
    if not result.rows:
        return Text("No change point: no series shifts clearly between periods (or no "
                    "perspective has 10 articles carrying it). " + result.caption)
    return table


def _timeline_view(result):
    if result.extra.get("changes") is None:
        return _changes_view(result)
    return _TimelineTable(result)


@corpus_command(app, "timeline", view=_timeline_view,
                help="Framing over time: topic salience, tone toward targets and on topics, "
                     "and naming-variant shares per perspective and week/month/quarter, with "
                     "intervals over articles and change points (--changes for the evidence).")
def timeline_command(
    corpus,
    *,
    period: Annotated[Period, typer.Option(
        "--period", "-p", help="Period: ISO week (Monday-Sunday), month or quarter.",
        case_sensitive=False)] = Period.week,
    topic: Annotated[list[str] | None, typer.Option(
        "--topic", metavar="NAME", help="Follow this topic; repeat for several.",
        show_default=False)] = None,
    target: Annotated[list[str] | None, typer.Option(
        "--target", "-t", metavar="NAME", help="Follow this target; repeat for several.",
        show_default=False)] = None,
    naming: Annotated[list[str] | None, typer.Option(
        "--naming", metavar="CONCEPT", help="Follow this naming concept; repeat for several. "
        "Without --topic/--target/--naming every topic, target and concept is followed.",
        show_default=False)] = None,
    target_alias: TargetAliasOpt = None,
    changes: Annotated[bool, typer.Option(
        "--changes", help="Output the change points with their evidence sentences instead "
        "of the series.")] = False,
    evidence: Annotated[int, typer.Option(
        "--evidence", "-e", min=0, metavar="N",
        help="Evidence units per side of a change point.")] = 1,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the bootstrap intervals.")] = 0,
):
    """Per perspective and period: salience, tone and naming shares, with change points."""
    from framelens.analysis.lenses.timeline import timeline

    return timeline(corpus, period=period.value, topics=topic or (), targets=target or (),
                    naming=naming or (), target_alias=target_alias or (), changes=changes,
                    evidence=evidence, seed=seed)
