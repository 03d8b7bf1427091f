"""Options shared by every command, declared once (as the ``hf`` CLI keeps them)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from framelens.cli._output import OutputFormat


class Engine(str, Enum):
    local = "local"
    dask = "dask"

SOURCES_HELP = "Corpus: a folder of .md articles or a CSV/TSV/JSONL/Parquet file " \
               "(default: ./sources if present, else the bundled corpus)."
_CORPUS = "Corpus"
_OUTPUT = "Output"

SourcesOpt = Annotated[Path | None, typer.Option(
    "--sources", help=SOURCES_HELP, rich_help_panel=_CORPUS, show_default=False)]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="Corpus config TOML (default: <corpus>/framelens.toml if present).",
    rich_help_panel=_CORPUS, show_default=False)]
NoCacheOpt = Annotated[bool, typer.Option(
    "--no-cache", help="Process every article afresh; neither read nor write the cache.",
    rich_help_panel=_CORPUS)]
TextColumnOpt = Annotated[str, typer.Option(
    "--text-column", help="Tabular corpora: column holding the article text.",
    rich_help_panel=_CORPUS)]
IdColumnOpt = Annotated[str, typer.Option(
    "--id-column", help="Tabular corpora: column holding the article id.",
    rich_help_panel=_CORPUS)]
PerspectiveColumnOpt = Annotated[str, typer.Option(
    "--perspective-column", help="Tabular corpora: column holding the perspective.",
    rich_help_panel=_CORPUS)]
TitleColumnOpt = Annotated[str, typer.Option(
    "--title-column", help="Tabular corpora: column holding the title.",
    rich_help_panel=_CORPUS)]
DateColumnOpt = Annotated[str, typer.Option(
    "--date-column", help="Tabular corpora: column holding the ISO publication date.",
    rich_help_panel=_CORPUS)]
_ENGINE = "Engine"
EngineOpt = Annotated[Engine, typer.Option(
    "--engine", help="Where the per-document work runs: 'local' (this machine's cores) or "
    "'dask' (a Dask cluster; install framelens[dask]). Same output either way.",
    rich_help_panel=_ENGINE, case_sensitive=False)]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="--engine dask: address of a running scheduler (tcp://HOST:PORT); "
    "default: a local cluster for this run.", rich_help_panel=_ENGINE, show_default=False)]
PartitionSizeOpt = Annotated[int | None, typer.Option(
    "--partition-size", min=1, help="Documents (or texts) per task; default: about 8 tasks "
    "per worker. Never changes the output.", rich_help_panel=_ENGINE, show_default=False)]
_WINDOW_HELP = ("Inclusive; YYYY-MM-DD, YYYY-MM or YYYY. Articles without a date are left out; "
                "one dated only to a month or year counts only if that whole month or year is "
                "in the window.")
SinceOpt = Annotated[str | None, typer.Option(
    "--since", metavar="DATE", help="Only articles published on or after DATE. " + _WINDOW_HELP,
    rich_help_panel=_CORPUS, show_default=False)]
UntilOpt = Annotated[str | None, typer.Option(
    "--until", metavar="DATE", help="Only articles published on or before DATE. " + _WINDOW_HELP,
    rich_help_panel=_CORPUS, show_default=False)]
LanguageColumnOpt = Annotated[str, typer.Option(
    "--language-column", help="Tabular corpora: column holding the article's language "
    "(ISO 639-1; empty or missing: detected).", rich_help_panel=_CORPUS)]
LanguageOpt = Annotated[str | None, typer.Option(
    "--language", help="Only the articles in this language (ISO 639-1: en, ru, uk, zh...), "
    "declared or detected: word comparisons (keyness, TF-IDF, similarity) run within one "
    "language.", rich_help_panel=_CORPUS, show_default=False)]
LemmasOpt = Annotated[bool, typer.Option(
    "--lemmas", help="Count words by lemma (simplemma; en, ru, uk): Киева, Киеве, Киев are "
    "one term, shown in its most frequent form.", rich_help_panel=_CORPUS)]
FormatOpt = Annotated[OutputFormat | None, typer.Option(
    "--format", "-f", help="Output format [default: table on a terminal, csv when piped, "
    "or from --output's suffix].", rich_help_panel=_OUTPUT, show_default=False,
    case_sensitive=False)]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write to this file (atomically) instead of stdout.",
    rich_help_panel=_OUTPUT, show_default=False)]
KeepStopwordsOpt = Annotated[bool, typer.Option(
    "--keep-stopwords", help="Keep stopwords (scikit-learn's English list, each other "
    "language's list, plus the config's).")]


# What counts as a term, for every command that counts terms (keywords, tfidf, similarity).
NgramsOpt = Annotated[str, typer.Option(
    "--ngrams", help="Term lengths in words: N or N-M, e.g. 1-3.")]
NoCollocationsOpt = Annotated[bool, typer.Option(
    "--no-collocations", help="Do not add detected collocations as multi-word terms "
                              "(config phrases still count).")]
CollocationMinCountOpt = Annotated[int, typer.Option(
    "--collocation-min-count", help="Minimum count of a detected collocation.")]
TargetOpt = Annotated[list[str] | None, typer.Option(
    "--target", "-t", metavar="NAME",
    help="Only this target (canonical name, any case); repeat for several. Default: all.",
    show_default=False)]
TargetAliasOpt = Annotated[list[str] | None, typer.Option(
    "--target-alias", metavar="NAME=ALIAS,...",
    help="Add aliases to a target, or a new target: --target-alias 'Turkey=Turkey,Ankara'. "
         "Aliases match on word boundaries, case-sensitive except the first letter.",
    show_default=False)]


def term_arguments(ngrams: str, keep_stopwords: bool, no_collocations: bool,
                   collocation_min_count: int) -> dict:
    """The term options (``--ngrams``, ``--keep-stopwords``, ``--no-collocations``,
    ``--collocation-min-count``) as the lenses' keyword arguments."""
    from framelens.analysis.lenses.keywords import parse_ngram_range

    return {"ngram_range": parse_ngram_range(ngrams), "keep_stopwords": keep_stopwords,
            "collocations": not no_collocations,
            "collocation_min_count": collocation_min_count}


class UnitsBy(str, Enum):
    """Units of tfidf and similarity: perspectives (their documents pooled) or documents."""

    perspective = "perspective"
    document = "document"


UnitsByOpt = Annotated[UnitsBy, typer.Option(
    "--by", help="Compare perspectives (their documents pooled) or single documents.",
    case_sensitive=False)]


SublinearOpt = Annotated[bool, typer.Option(
    "--sublinear-tf", help="Use 1 + ln(count) as term frequency (dampens very frequent terms).")]
