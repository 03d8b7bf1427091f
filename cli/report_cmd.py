"""``framelens report``: one self-contained HTML page of the comparison, and its figures as SVG.

The data come from :func:`framelens.analysis.reports.html_report.report_data`
(the analyses ``compare`` runs, cached like ``compare``'s result); this module
assembles the page and writes it (and, with ``--figures DIR``, the SVG files).
vl-convert, which bundles the plotting library and renders SVG without a
browser, is imported only here.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Annotated, Any

import typer

from framelens.cli._command import CorpusOptions, corpus_command
from framelens.cli._errors import stderr_console, warn
from framelens.cli._options import KeepStopwordsOpt, NoCollocationsOpt, TargetAliasOpt
from framelens.cli.compare_cmd import MinCountOpt, MinSentencesOpt, TopOpt
from framelens.cli.keywords_cmd import Alpha0Opt

app = typer.Typer()

DEFAULT_OUTPUT = Path("framelens-report.html")

FiguresOpt = Annotated[Path | None, typer.Option(
    "--figures", metavar="DIR", help="Also write every figure as an SVG file into DIR "
    "(created if missing), rendered without a browser.", show_default=False)]
MaxTermsOpt = Annotated[int, typer.Option(
    "--max-terms", min=1, help="Points on the term map: the most frequent terms (the cap "
    "keeps the page responsive on large corpora; the page states it).")]
TimelinePeriodOpt = Annotated[str, typer.Option(
    "--timeline-period", help="Period of the timeline section: week, month, quarter, or auto "
    "(the finest with at most 52 periods; no section when no perspective spans two).")]
KwicLinesOpt = Annotated[int, typer.Option(
    "--kwic-lines", min=0, help="Concordance lines kept per term and perspective.")]


def _write_report(data, shared: CorpusOptions, options: dict[str, Any]) -> None:
    from framelens.analysis.errors import FramelensError
    from framelens.analysis.reports.page import assemble
    from framelens.analysis.reports.page.specs import figures as figure_specs

    output = Path(shared.output or DEFAULT_OUTPUT)
    figures = figure_specs(data)
    page = assemble.render_page(data, figures, command_line=_command_line(shared, options),
                                version=_version(), bundle=assemble.javascript_bundle(_cache(shared)))
    _write(output, page)
    written = f"wrote {output} ({len(page.encode('utf-8')) / 1e6:.1f} MB)"
    folder = options.get("figures")
    if folder is not None:
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FramelensError(f"cannot create the figures folder: {exc.strerror}",
                                 path=folder) from None
        for name, svg in assemble.figure_svgs(figures).items():
            _write(folder / f"{name}.svg", svg)
        written += f" and {len(figures)} SVG figures to {folder}"
    stderr_console().print(written, soft_wrap=True)


def _cache(shared: CorpusOptions):
    if shared.no_cache:
        return None
    from framelens.analysis.store.document_cache import DocumentCache

    return DocumentCache()


def _check_writable(path: Path) -> None:
    """Fail before the corpus is read when the page could not be written."""
    from framelens.analysis.errors import FramelensError

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise FramelensError("cannot write the report: this is a folder (give a file name "
                             "such as report.html)", path=path)
    if not folder.is_dir():
        raise FramelensError("cannot write the report: the folder does not exist", path=path)
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise FramelensError("cannot write the report: permission denied", path=path)


def _write(path: Path, text: str) -> None:
    from framelens.analysis.errors import FramelensError
    from framelens.analysis.io.output import write_output

    try:
        # A new page gets the permissions of any new file (the umask's), a replaced one keeps
        # its own (cli/_output.write_output).
        write_output(path, text)
    except OSError as exc:
        raise FramelensError(f"cannot write: {exc.strerror or exc}", path=path) from None


def _command_line(shared: CorpusOptions, options: dict[str, Any]) -> str:
    """The command that writes this page: every option that differs from its default, in a
    fixed order (so the page does not depend on how the options were spelled)."""
    import dataclasses
    import inspect

    defaults = {f.name: f.default for f in dataclasses.fields(CorpusOptions)}
    defaults.update((name, p.default) for name, p in
                    inspect.signature(report_command).parameters.items() if name != "options")
    words = ["framelens", "report"]
    values = {f.name: getattr(shared, f.name) for f in dataclasses.fields(CorpusOptions)}
    for name, value in (*values.items(), *options.items()):
        if value == defaults.get(name) or value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            words.append(flag)
        elif isinstance(value, list | tuple):
            for item in value:
                words += [flag, str(item)]
        else:
            words += [flag, str(value.value if hasattr(value, "value") else value)]
    return shlex.join(words)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("framelens")
    except PackageNotFoundError:
        return "unknown"


@corpus_command(app, "report", loads_corpus=False, format_option=None,
                help="One self-contained HTML page (works offline): term map, topics, stance, "
                     "naming, timeline, similarity, methods; every figure downloadable as SVG and PNG.")
def report_command(
    options: CorpusOptions,
    *,
    figures: FiguresOpt = None,
    max_terms: MaxTermsOpt = 2000,
    kwic_lines: KwicLinesOpt = 3,
    top: TopOpt = 5,
    min_sentences: MinSentencesOpt = 5,
    min_count: MinCountOpt = 2,
    alpha0: Alpha0Opt = None,
    keep_stopwords: KeepStopwordsOpt = False,
    no_collocations: NoCollocationsOpt = False,
    target_alias: TargetAliasOpt = None,
    timeline_period: TimelinePeriodOpt = "auto",
) -> None:
    """Write the report page to --output (default framelens-report.html); --figures DIR also
    writes the figures as SVG files. The numbers are compare's (compare --format json)."""
    from framelens.analysis.process.pipeline import cached_command_result
    from framelens.analysis.reports.html_report import report_data

    output = Path(options.output or DEFAULT_OUTPUT)
    _check_writable(output)  # before the analysis, which can take minutes
    corpus = options.load()
    # The data are a pure function of the corpus and these options: kept like compare's
    # result, so a second run only writes the page.
    settings = {"max_terms": max_terms, "kwic_lines": kwic_lines, "top": top,
                "min_sentences": min_sentences, "min_count": min_count, "alpha0": alpha0,
                "keep_stopwords": keep_stopwords, "no_collocations": no_collocations,
                "target_alias": tuple(target_alias or ()), "timeline_period": timeline_period}
    data = cached_command_result(corpus, "report", settings, lambda: report_data(
        corpus, max_terms=max_terms, kwic_lines=kwic_lines, top=top,
        min_sentences=min_sentences, min_count=min_count, alpha0=alpha0,
        keep_stopwords=keep_stopwords, collocations=not no_collocations,
        target_alias=target_alias or (), timeline_period=timeline_period))
    for message in data.warnings:
        warn(message)
    _write_report(data, options, {**settings, "figures": figures,
                                  "target_alias": list(target_alias or ())})
