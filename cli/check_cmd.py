"""``framelens check`` (validate articles for CI) and ``framelens snapshot`` (drift baseline)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from framelens.cli._command import CorpusOptions, corpus_command
from framelens.cli._errors import stderr_console, warn

app = typer.Typer()


class CheckFormat(str, Enum):
    """The shared output formats plus ``github`` (workflow-command annotations)."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    github = "github"


CheckFormatOpt = Annotated[CheckFormat | None, typer.Option(
    "--format", "-f", help="Output format; 'github' prints ::error/::warning annotations for "
    "GitHub Actions (default: table on a terminal, csv when piped, or from --output's suffix).",
    rich_help_panel="Output", show_default=False, case_sensitive=False)]


def check_view(result):
    """Rich view: severity in colour, file:line, code, message."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    if not result.rows:
        return Text(f"✓ {result.extra.get('files', 0)} file(s) pass every check.",
                    style="green")
    table = Table(title=result.title, caption=result.caption, caption_justify="left",
                  show_lines=False)
    table.add_column("severity")
    table.add_column("code")
    table.add_column("where", overflow="fold")
    table.add_column("message", overflow="fold")
    for row in result.rows:
        style = "bold red" if row.severity == "error" else "yellow"
        where = row.file if row.line is None else f"{row.file}:{row.line}"
        table.add_row(Text(row.severity, style=style), Text(row.code), Text(where),
                      Text(row.message))
    return Group(table)


def github_annotations(result) -> str:
    """GitHub Actions workflow commands, one per row.

    ``::error file=F,line=L,title=CODE::message`` (``::warning`` for warnings);
    property values escape ``%``, CR, LF, ``:`` and ``,``, the message ``%``,
    CR and LF, as the Actions toolkit does.
    """
    lines = []
    for row in result.rows:
        properties = [f"file={_escape_property(row.file)}"]
        if row.line is not None:
            properties.append(f"line={row.line}")
        properties.append(f"title={_escape_property(row.code)}")
        lines.append(f"::{row.severity} {','.join(properties)}::{_escape_data(row.message)}\n")
    return "".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@corpus_command(app, "check", loads_corpus=False, format_option=CheckFormatOpt,
                help="Validate articles for CI: front matter, duplicates, near-duplicates, "
                     "repeated sentences, web-page leftovers, language, length, dates, URLs; "
                     "with --baseline, metric drift. Exit 1 on any error (or warning with "
                     "--strict).")
def check_command(
    options: CorpusOptions,
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Only report these article files (checked against the rest of the corpus).",
        show_default=False)] = None,
    *,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Warnings fail the check too (exit 1).")] = False,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="A JSON baseline written by `framelens snapshot`: report metrics "
        "that moved by more than --tolerance.", show_default=False)] = None,
    tolerance: Annotated[float, typer.Option(
        "--tolerance", min=0.0, help="Drift allowed per metric: absolute difference for "
        "numbers, Jaccard distance for keyword sets.")] = 0.1,
) -> None:
    import gc

    from framelens.analysis.reports.checks import check_corpus

    # The corpus's documents, manifest entries and index rows (a million objects at 50,000
    # articles) live until the command ends, and form no cycles: the cyclic collector
    # would only walk them again and again (0.8 s of a 3 s `check new.md`).
    gc.disable()
    try:
        result = check_corpus(options.sources, options.config, paths or None, strict=strict,
                              baseline=baseline, tolerance=tolerance,
                              columns=options.columns(), use_cache=not options.no_cache,
                              window=options.window())
    finally:
        gc.enable()
    for message in result.warnings:
        warn(message)
    _emit_check(result, options.format, options.output)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _emit_check(result, fmt: CheckFormat | None, output: Path | None) -> None:
    from framelens.analysis.io.output import write_output
    from framelens.cli._output import OutputFormat, choose_format, emit

    if fmt is CheckFormat.github:
        write_output(output, github_annotations(result))
        stderr_console().print(result.title, highlight=False, soft_wrap=True)
        return
    chosen = choose_format(OutputFormat(fmt.value) if fmt is not None else None, output)
    emit(result, chosen, output, check_view)
    if chosen is not OutputFormat.table or output is not None:
        stderr_console().print(result.title, highlight=False, soft_wrap=True)


