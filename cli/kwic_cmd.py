"""``framelens kwic``: keyword in context across perspectives."""

from __future__ import annotations

from typing import Annotated

import typer

from framelens.cli._command import corpus_command

app = typer.Typer()


def _kwic_view(result):
    return _Concordance(result)


class _Concordance:
    """The kwic table, sized at render time so every left context fits right-aligned."""

    def __init__(self, result):
        self.result = result

    def __rich_console__(self, console, options):
        from rich.table import Table
        from rich.text import Text

        result = self.result
        doc_width = max((len(r.doc_id) for r in result.rows), default=6)
        match_width = max((len(r.match) for r in result.rows), default=5)
        index_width = max((len(str(r.sentence_index)) for r in result.rows), default=1)
        fixed = doc_width + index_width + match_width + 8
        side = max(12, (options.max_width - fixed) // 2)
        table = Table(title=Text(result.title), caption=Text(result.caption),
                      caption_justify="left", box=None, pad_edge=False)
        table.add_column("doc_id", style="dim", no_wrap=True)
        table.add_column("#", justify="right", style="dim", no_wrap=True)
        table.add_column("left", justify="right", no_wrap=True)
        table.add_column("match", no_wrap=True)
        table.add_column("right", no_wrap=True)
        for row in result.rows:
            left = row.left if len(row.left) <= side else "…" + row.left[-(side - 1):]
            right = row.right if len(row.right) <= side else row.right[:side - 1] + "…"
            colour = result.colour(row.perspective)
            table.add_row(Text(row.doc_id, style=colour), str(row.sentence_index), Text(left),
                          Text(row.match, style=f"bold reverse {colour}".strip()), Text(right))
        yield table


@corpus_command(app, "kwic", view=_kwic_view,
                help="Keyword in context: every occurrence of a word, phrase or wildcard "
                     "(e.g. 'sanction*'), case-insensitive, with aligned context.")
def kwic_command(
    corpus,
    query: Annotated[str, typer.Argument(
        help="A word, phrase or wildcard: Minsk, \"security guarantees\", sanction*.")],
    *,
    window: Annotated[int, typer.Option(
        "--window", "-w", min=0, help="Tokens of context on each side, within the sentence.")] = 8,
    perspective: Annotated[str | None, typer.Option(
        "--perspective", "-p", help="Only this perspective.", show_default=False)] = None,
):
    from framelens.analysis.lenses.kwic import kwic_stream

    return kwic_stream(corpus, query, window=window, perspective=perspective)
