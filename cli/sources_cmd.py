"""``framelens sources list|show``: the corpus."""

from __future__ import annotations

from typing import Annotated

import typer

from framelens.cli._command import corpus_command

app = typer.Typer(name="sources", help="The corpus: list, show (and add) articles.",
                  no_args_is_help=True)


def _show_view(result):
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    row = result.rows[0]
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    for name in ("id", "perspective", "author", "outlet", "published", "url", "language",
                 "words", "sentences", "path"):
        meta.add_row(name, Text(str(getattr(row, name))))
    return Group(Panel(meta, title=Text(row.title), title_align="left"), Text(row.text))


@corpus_command(app, "list", help="List the articles with their metadata, words and sentences.")
def list_command(
    corpus,
    *,
    perspective: Annotated[str | None, typer.Option(
        "--perspective", "-p", help="Only this perspective.")] = None,
):
    from framelens.analysis.inventory import list_sources

    return list_sources(corpus, perspective=perspective)


@corpus_command(app, "show", table_view=_show_view,
                help="Show one article: metadata, counts and the text as analysed.")
def show_command(corpus, doc_id: Annotated[str, typer.Argument(help="Article id.")]):
    from framelens.analysis.inventory import show_source

    return show_source(corpus, doc_id)
