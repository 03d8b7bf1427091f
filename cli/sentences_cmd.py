"""``framelens sentences``: every sentence with its targets, topics, tone and cue counts."""

from __future__ import annotations

import typer

from framelens.cli._command import corpus_command
from framelens.cli._options import TargetAliasOpt
from framelens.cli._style import signed, tone_colour

app = typer.Typer()


def _sentences_view(result):
    from rich.table import Table
    from rich.text import Text

    table = Table(title=result.title, caption=Text(result.caption), caption_justify="left",
                  expand=True)
    table.add_column("source", no_wrap=True)
    table.add_column("targets", max_width=16)
    table.add_column("topics", max_width=20)
    table.add_column("tone", justify="right", no_wrap=True)
    table.add_column("cues", max_width=14)
    table.add_column("text", ratio=1, overflow="fold")
    cue_names = ("hedges", "boosters", "deontic", "negation", "threat", "reported")
    for row in result.rows:
        colour = result.colour(row.perspective)
        cues = ", ".join(f"{name} {getattr(row, name)}" for name in cue_names
                         if getattr(row, name))
        table.add_row(Text(f"{row.doc_id}#{row.sentence_index}\nline {row.line}", style=colour),
                      Text(row.targets.replace(";", ", ")),
                      Text(row.topics.replace(";", "\n"), style="dim"),  # long names: one a line
                      Text(signed(row.tone, 3), style=tone_colour(row.tone)),
                      Text(cues, style="dim"), Text(row.text))
    return table


@corpus_command(app, "sentences", view=_sentences_view,
                help="Every sentence with its document, perspective, targets, topics, tone "
                     "and stance cue counts (a tidy export).")
def sentences_command(
    corpus,
    *,
    target_alias: TargetAliasOpt = None,
):
    """One row per sentence: doc_id, perspective, sentence_index, line, text, targets,
    topics, tone, hedges, boosters, deontic, negation, threat, reported."""
    from framelens.analysis.lenses.stance import sentence_stream

    return sentence_stream(corpus, target_alias=target_alias or ())
