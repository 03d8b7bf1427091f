"""``framelens sources list|show|add``: the corpus."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from framelens.cli._command import CorpusOptions, corpus_command
from framelens.cli._errors import stderr_console
from framelens.cli.check_cmd import check_view

app = typer.Typer(name="sources", help="The corpus: list, show (and add) articles.",
                  no_args_is_help=True)


_NARROW = 100  # below this console width the list leaves out author and outlet


class _ListView:
    """The article list, laid out for the console width (author and outlet need 100 columns)."""

    def __init__(self, result):
        self.result = result

    def __rich_console__(self, console, options):
        from rich.table import Table
        from rich.text import Text

        result = self.result
        wide = options.max_width >= _NARROW
        # The language column where it tells something: several, or any detected.
        languages = any(r.language != result.rows[0].language or r.language_source != "declared"
                        for r in result.rows)
        caption = result.caption + (" lang: * = detected." if languages else "")
        if not wide:
            caption += " Author and outlet: a wider terminal, or --format csv."
        table = Table(title=result.title, caption=caption, caption_justify="left", expand=True)
        table.add_column("id", min_width=10, overflow="fold")
        table.add_column("perspective", no_wrap=True)
        table.add_column("title", ratio=3, min_width=12)
        if wide:
            table.add_column("author", ratio=1, min_width=8)
            table.add_column("outlet", ratio=1, min_width=8)
        table.add_column("published", no_wrap=True)
        if languages:
            table.add_column("lang", no_wrap=True)
        table.add_column("words", justify="right", no_wrap=True)
        table.add_column("sentences" if wide else "sent.", justify="right", no_wrap=True)
        for row in result.rows:
            people = [Text(row.author), Text(row.outlet)] if wide else []
            table.add_row(Text(row.id), Text(row.perspective, style=result.colour(row.perspective)),
                          Text(row.title), *people, Text(row.published),
                          *([Text(row.language + ("" if row.language_source == "declared"
                                                  else "*"))] if languages else []),
                          f"{row.words:,}", f"{row.sentences:,}")
        yield table


def _list_view(result):
    return _ListView(result)


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
                 "language_source", "words", "sentences", "path"):
        meta.add_row(name, Text(str(getattr(row, name))))
    return Group(Panel(meta, title=Text(row.title), title_align="left"), Text(row.text))


@corpus_command(app, "list", view=_list_view,
                help="List the articles with their metadata, words and sentences.")
def list_command(
    corpus,
    *,
    perspective: Annotated[str | None, typer.Option(
        "--perspective", "-p", help="Only this perspective.")] = None,
):
    from framelens.analysis.lenses.sources import list_sources

    return list_sources(corpus, perspective=perspective)


@corpus_command(app, "show", view=_show_view,
                help="Show one article: metadata, counts and the text as analysed.")
def show_command(corpus, doc_id: Annotated[str, typer.Argument(help="Article id.")]):
    from framelens.analysis.lenses.sources import show_source

    return show_source(corpus, doc_id)


@corpus_command(app, "add", loads_corpus=False, view=check_view,
                help="Import an article from a .txt, .md or .html file or an http(s) URL (HTML "
                     "via trafilatura: text, title, author, date, site, URL), clean it, write "
                     "<dest>/<id>.md atomically (never overwriting) and run the checks on it. "
                     "Exit 1 when the new article has errors; the file is kept so that you can "
                     "fix it.")
def add_command(
    options: CorpusOptions,
    source: Annotated[str, typer.Argument(
        help="A .txt, .md or .html file, or an http(s):// URL.", show_default=False)],
    *,
    perspective: Annotated[str, typer.Option(
        "--perspective", "-p", help="The article's perspective (declared in the corpus config).",
        show_default=False)],
    doc_id: Annotated[str | None, typer.Option(
        "--id", help="Article id (default: a slug of the title).", show_default=False)] = None,
    title: Annotated[str | None, typer.Option(
        "--title", help="Title (default: extracted).", show_default=False)] = None,
    author: Annotated[str | None, typer.Option(
        "--author", help="Author (default: extracted).", show_default=False)] = None,
    outlet: Annotated[str | None, typer.Option(
        "--outlet", help="Outlet (default: the site name).", show_default=False)] = None,
    published: Annotated[str | None, typer.Option(
        "--published", help="Publication date YYYY-MM-DD (or YYYY-MM, YYYY when only that is known; "
        "default: extracted).",
        show_default=False)] = None,
    url: Annotated[str | None, typer.Option(
        "--url", help="Article URL (default: the page's canonical URL).",
        show_default=False)] = None,
    language: Annotated[str | None, typer.Option(
        "--language", help="Language code (default: the page's, else the corpus's).",
        show_default=False)] = None,
    dest: Annotated[Path | None, typer.Option(
        "--dest", help="Folder to write to (default: the --sources folder, else ./sources).",
        show_default=False)] = None,
):
    from framelens.analysis.config.settings import load_config
    from framelens.analysis.io.importer import existing_ids, import_article
    from framelens.analysis.io.reader import default_sources
    from framelens.analysis.reports.checks import check_corpus

    sources = options.sources
    if dest is None:
        dest = sources if sources is not None and sources.is_dir() else Path("sources")
        if sources is None and not dest.exists():
            dest.mkdir()
    corpus_root = sources if sources is not None else default_sources()
    settings = load_config(options.config, corpus_root if corpus_root.is_dir() else None)
    known = existing_ids(corpus_root) if corpus_root.is_dir() else {}
    overrides = {"id": doc_id, "title": title, "author": author, "outlet": outlet,
                 "published": published, "url": url, "language": language}
    article = import_article(source, perspective=perspective, dest=dest, config=settings,
                             overrides=overrides, known_ids=known)
    console = stderr_console()
    console.print(f"wrote {article.path} (id {article.id}, {article.words:,} words)",
                  highlight=False, soft_wrap=True)
    for line in article.removed:
        short = line if len(line) <= 80 else line[:79] + "…"
        console.print(f"  removed while cleaning: {short!r}", highlight=False,
                      soft_wrap=True, markup=False)
    result = check_corpus(corpus_root, options.config, [article.path],
                          use_cache=not options.no_cache)
    if result.exit_code:
        result = replace(result, warnings=result.warnings + (
            f"the article was written but has errors: fix them in {article.path}, or remove "
            f"it (rm {article.path})",))
    return result
