"""``framelens topics`` (salience, tone, wording; ``--discover K``) and ``framelens kwic``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from framelens.cli._command import corpus_command
from framelens.cli._style import BAR_WIDTH, CI_OVER, bar, signed, tone_colour

app = typer.Typer()

_BAR_WIDTH = BAR_WIDTH


# ----------------------------------------------------------------------------- helpers


def _highlight(sentence: str, spans, style: str):
    from rich.text import Text

    text = Text(sentence)
    for start, end in spans:
        text.stylize(style, start, end)
    return text


# ----------------------------------------------------------------------------- topics


def _topics_view(result):
    from framelens.analysis.results import Report

    if isinstance(result, Report):
        return _discover_view(result)
    if result.extra.get("detail"):
        return _topic_detail_view(result)
    return _TopicGrid(result)


class _TopicGrid:
    """Topics × perspectives; bar width chosen at render time to fit the console."""

    def __init__(self, result):
        self.result = result

    def __rich_console__(self, console, options):
        from rich.table import Table
        from rich.text import Text

        result = self.result
        extra = result.extra
        perspectives = result.groups
        cells = {(r.topic, r.perspective): r for r in result.rows}
        top_share = max((r.share_of_sentences for r in result.rows), default=0.0) or 1.0
        # cell = bar + " 12.3% +0.12" (12 characters); 3 of padding and border per column
        topic_width = min(max((len(t) for t in extra["topics"]), default=5), 24)
        spare = options.max_width - (topic_width + 4) - len(perspectives) * (3 + 12)
        width = max(1, min(_BAR_WIDTH, spare // max(len(perspectives), 1)))
        table = Table(title=Text(result.title), caption_justify="left", show_lines=False,
                      caption=Text("Cell: bar and % = share of the perspective's sentences on "
                                   "the topic (bar scaled to the largest cell); colour and "
                                   "number = mean VADER tone of those sentences (red negative, "
                                   "grey neutral, green positive); '·' = not mentioned. "
                                   "Details: framelens topics --topic NAME."))
        table.add_column("topic", style="bold", overflow="fold", min_width=min(topic_width, 12))
        for p in perspectives:
            sentences, _ = extra["totals"][p]
            header = Text(result.label(p), style=f"bold {result.colour(p)}")
            header.append(f"\n{sentences} sentences", style="dim")
            table.add_column(header, no_wrap=True)
        for topic in extra["topics"]:
            row_cells = []
            for p in perspectives:
                row = cells[(topic, p)]
                if row.sentences == 0:
                    row_cells.append(Text("·".ljust(width) + "   0.0%", style="dim"))
                    continue
                colour = tone_colour(row.tone_mean)
                cell = Text(bar(row.share_of_sentences / top_share, width), style=colour)
                cell.append(f" {row.share_of_sentences * 100:5.1f}%")
                cell.append(f" {signed(row.tone_mean)}", style=colour)
                row_cells.append(cell)
            table.add_row(Text(topic), *row_cells)
        yield table


def _topic_detail_view(result):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    extra = result.extra
    (topic,) = extra["topics"]
    summary = Table(title=Text(result.title), caption=Text(result.caption),
                    caption_justify="left")
    summary.add_column("perspective", style="bold")
    summary.add_column("sentences", justify="right")
    summary.add_column("share (95% CI)", justify="right")
    summary.add_column("per 10k", justify="right")
    summary.add_column("tone (95% CI)", justify="right")
    summary.add_column("CI over", justify="left")
    summary.add_column("distinctive terms", overflow="fold")
    parts = [summary, Text("terms: " + ", ".join(extra["terms"][topic]), style="dim")]
    for row in result.rows:
        colour = result.colour(row.perspective)
        ci = "" if math.isnan(row.tone_mean) else \
            f" ({signed(row.tone_ci_low)} to {signed(row.tone_ci_high)})"
        summary.add_row(Text(result.label(row.perspective), style=colour),
                        str(row.sentences), f"{row.share_of_sentences * 100:.1f}%"
                        + ("" if math.isnan(row.share_ci_low) else
                           f" ({row.share_ci_low * 100:.1f}–{row.share_ci_high * 100:.1f})"),
                        f"{row.rate_per_10k:.1f}",
                        Text(signed(row.tone_mean) + ci, style=tone_colour(row.tone_mean)),
                        Text(*CI_OVER.get(row.ci_unit, ("", ""))),
                        Text(row.distinctive_terms.replace(";", ", ")))
    for row in result.rows:
        colour = result.colour(row.perspective)
        heading = Text(f"\n{result.label(row.perspective)}", style=f"bold {colour}")
        parts.append(heading)
        if not row.example:
            parts.append(Text("  (no sentence on this topic)", style="dim"))
            continue
        spans = extra["example_spans"].get((row.perspective, topic), [])
        for k, (sentence, doc_id) in enumerate(zip(row.example.split("\n"),
                                                   row.example_doc_id.split("\n"), strict=True)):
            line = Text("  ")
            line.append(_highlight(sentence, spans[k] if k < len(spans) else (), "bold underline"))
            line.append(f"  [{doc_id}]", style="dim")
            parts.append(line)
    return Group(*parts)


def _discover_view(report):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    sections = dict(report.sections)
    terms, weights = sections["terms"], sections["perspectives"]
    extra = terms.extra
    perspectives = terms.groups
    by_topic: dict[int, list] = {}
    for row in terms.rows:
        by_topic.setdefault(row.topic, []).append(row)
    weight_of = {(r.topic, r.perspective): r.weight for r in weights.rows}
    top = max((r.weight for r in weights.rows), default=0.0) or 1.0
    table = Table(title=Text(report.title), caption=Text(report.caption), caption_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column("top terms", overflow="fold", ratio=1)
    for p in perspectives:
        table.add_column(Text(terms.label(p), style=f"bold {terms.colour(p)}"),
                         no_wrap=True)
    for number in range(1, extra["k"] + 1):
        rows = by_topic.get(number, [])
        cells = []
        for p in perspectives:
            value = weight_of.get((number, p), 0.0)
            cell = Text(bar(value / top, 8), style=terms.colour(p))
            cell.append(f" {value * 100:4.1f}%")
            cells.append(cell)
        table.add_row(str(number), Text(", ".join(r.term for r in rows)), *cells)
    return Group(table)


@corpus_command(app, "topics", view=_topics_view,
                cache_result=lambda options: options["save_lexicon"] is None,
                help="Topic salience, tone and wording per perspective (topic lexicons from the "
                     "config), or topics discovered from the corpus with --discover K (NMF).")
def topics_command(
    corpus,
    *,
    topic: Annotated[str | None, typer.Option(
        "--topic", "-t", help="Only this topic, with details: distinctive terms and examples.",
        show_default=False)] = None,
    terms: Annotated[int | None, typer.Option(
        "--terms", min=0, help="Distinctive terms per row [default: 5], or top terms per "
        "discovered topic with --discover [default: 10].", show_default=False)] = None,
    examples: Annotated[int, typer.Option(
        "--examples", min=0, help="Example sentences per row (newline-separated in the "
        "example column, best first).")] = 1,
    discover: Annotated[int | None, typer.Option(
        "--discover", min=2, metavar="K", help="Discover K topics with NMF over paragraph "
        "TF-IDF instead of using the config's lexicons.", show_default=False)] = None,
    save_lexicon: Annotated[Path | None, typer.Option(
        "--save-lexicon", help="With --discover: write the discovered topics as a TOML topic "
        "lexicon loadable with --config.", show_default=False)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Let --save-lexicon overwrite an existing file.")] = False,
):
    from framelens.analysis.errors import OptionError

    if discover is None:
        if save_lexicon is not None:
            raise OptionError("--save-lexicon needs --discover K")
        from framelens.analysis.lenses.topics import topics

        return topics(corpus, topic=topic, terms=5 if terms is None else terms,
                      examples=examples)
    if topic is not None:
        raise OptionError("--topic and --discover cannot be combined")
    if save_lexicon is not None and save_lexicon.exists() and not force:
        raise OptionError(f"{save_lexicon} exists; pass --force to overwrite it")
    from framelens.analysis.lenses.discover import discover_topics, lexicon_toml

    report = discover_topics(corpus, discover, terms=10 if terms is None else max(terms, 1))
    if save_lexicon is not None:
        from framelens.analysis.io.output import write_output
        from framelens.cli._errors import stderr_console

        write_output(save_lexicon, lexicon_toml(report, command=f"topics --discover {discover}"))
        stderr_console().print(f"wrote {discover} topics to {save_lexicon}", highlight=False,
                               markup=False)
    return report


# ----------------------------------------------------------------------------- kwic


