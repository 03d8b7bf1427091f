"""The framelens command line: the root Typer app joining one module per command group.

Command modules import the analysis code inside their functions, so
``framelens --help`` never loads numpy, scikit-learn or nltk.
"""

from __future__ import annotations

from typing import Annotated

import typer

from framelens.cli import (
    check_cmd,
    code_cmd,
    compare_cmd,
    keywords_cmd,
    kwic_cmd,
    naming_cmd,
    report_cmd,
    sentences_cmd,
    similarity_cmd,
    snapshot_cmd,
    sources_cmd,
    stance_cmd,
    stance_model_cmd,
    tfidf_cmd,
    timeline_cmd,
    topics_cmd,
)

app = typer.Typer(
    name="framelens",
    help="Compare how articles from different national perspectives frame the same topics: "
         "keywords (keyness), stance toward actors, topics and TF-IDF similarity.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# In the order `framelens --help` lists them.
for module in (compare_cmd, report_cmd, sources_cmd, keywords_cmd, naming_cmd, tfidf_cmd,
               similarity_cmd, topics_cmd, kwic_cmd, stance_cmd, sentences_cmd, code_cmd,
               stance_model_cmd, timeline_cmd, check_cmd, snapshot_cmd):
    app.add_typer(module.app)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("framelens")
        except PackageNotFoundError:  # run from a source tree that is not installed
            number = "unknown"
        typer.echo(f"framelens {number}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_print_version,
        help="Print framelens's version and exit.")] = False) -> None:
    """Compare how articles from different national perspectives frame the same topics."""
