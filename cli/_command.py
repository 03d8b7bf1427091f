"""The one seam every command is registered through.

A command is written as a plain function of its own options::

    @corpus_command(app, "keywords", view=keywords_view, cache_result=True)
    def keywords_command(corpus, *, top: TopOpt = 15, ...) -> Result: ...

and the seam does the rest, the same way for every command: it adds the
shared options (corpus, output and engine options, declared once in
:data:`SHARED_OPTIONS`), loads the corpus, runs the command on the chosen
engine inside the error mapping, reuses a stored result where allowed, and
renders the result once. Commands that do not analyse a loaded corpus
(``check``, ``snapshot``, ``sources add``) say ``loads_corpus=False`` and
receive the shared options as a :class:`CorpusOptions` instead; a command that
writes its own output returns None.

How: Typer builds a command's options from its function's signature. The
seam registers a wrapper whose signature is the command's own parameters
followed by the shared ones, and which splits the values it is called with
back into the two.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path
from typing import Any, get_type_hints

import typer

from framelens.analysis.io.output import protect_corpus
from framelens.analysis.results import StreamedResult
from framelens.cli import _options as opt
from framelens.cli._errors import user_errors, warn
from framelens.cli._output import OutputFormat, TableView, choose_format, emit


@dataclass(frozen=True)
class CorpusOptions:
    """The values of the shared options of one command line."""

    sources: Path | None = None
    config: Path | None = None
    format: Enum | None = None
    output: Path | None = None
    no_cache: bool = False
    text_column: str = "text"
    id_column: str = "id"
    perspective_column: str = "perspective"
    title_column: str = "title"
    date_column: str = "published"
    engine: opt.Engine = opt.Engine.local
    scheduler: str | None = None
    partition_size: int | None = None
    since: str | None = None
    until: str | None = None
    language_column: str = "language"
    language: str | None = None
    lemmas: bool = False

    def load(self):
        """The corpus these options name, restricted to ``--since`` / ``--until`` and to the
        ``--language`` articles."""
        from framelens.analysis.errors import OptionError
        from framelens.analysis.io.reader import load_corpus
        from framelens.analysis.io.window import within_window
        from framelens.analysis.text.languages import language_code

        window = self.window()  # bad usage before any reading
        code = language_code(self.language) if self.language else None
        if self.language and code is None:
            raise OptionError(f"--language {self.language!r} is not an ISO 639-1 code "
                              "(en, ru, uk, zh...)")
        corpus = load_corpus(self.sources, config_path=self.config, columns=self.columns(),
                             use_cache=not self.no_cache, lemmas=self.lemmas)
        corpus, count = within_window(corpus, window)
        for message in count.warnings(window):
            warn(message)
        if code is None:
            return corpus
        from framelens.analysis.process.pipeline import only_language

        return only_language(corpus, code)

    def window(self):
        """The ``--since`` / ``--until`` date window."""
        from framelens.analysis.io.dates import date_window

        return date_window(self.since, self.until)

    def columns(self):
        """The column names of a table corpus."""
        from framelens.analysis.io.tables import ColumnMap

        return ColumnMap(text=self.text_column, id=self.id_column,
                         perspective=self.perspective_column, title=self.title_column,
                         date=self.date_column, language=self.language_column)

    def engine_context(self):
        """Every parallel step of the command runs on the engine these options choose."""
        from framelens.analysis.parallel import use_engine

        return use_engine(self.engine.value, scheduler=self.scheduler,
                          partition_size=self.partition_size)

    def chosen_format(self) -> OutputFormat:
        requested = OutputFormat(self.format.value) if self.format is not None else None
        return choose_format(requested, self.output)


# Each shared option: its parameter name and its declaration (in cli/_options.py). The
# defaults are CorpusOptions's.
SHARED_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("sources", opt.SourcesOpt),
    ("config", opt.ConfigOpt),
    ("format", opt.FormatOpt),
    ("output", opt.OutputOpt),
    ("no_cache", opt.NoCacheOpt),
    ("text_column", opt.TextColumnOpt),
    ("id_column", opt.IdColumnOpt),
    ("perspective_column", opt.PerspectiveColumnOpt),
    ("title_column", opt.TitleColumnOpt),
    ("date_column", opt.DateColumnOpt),
    ("engine", opt.EngineOpt),
    ("scheduler", opt.SchedulerOpt),
    ("partition_size", opt.PartitionSizeOpt),
    ("since", opt.SinceOpt),
    ("until", opt.UntilOpt),
    ("language_column", opt.LanguageColumnOpt),
    ("language", opt.LanguageOpt),
    ("lemmas", opt.LemmasOpt),
)
_DEFAULTS = {f.name: f.default for f in fields(CorpusOptions)}
# Options about the loaded corpus: not offered by commands that read the files themselves
# (check, sources add, whose --language is the new article's).
_LOADED_CORPUS_ONLY = frozenset({"language", "lemmas"})


def corpus_command(app: typer.Typer, name: str, *, view: TableView | None = None,
                   loads_corpus: bool = True,
                   cache_result: bool | Callable[[dict[str, Any]], bool] = False,
                   compares_words: bool = False,
                   format_option: Any = opt.FormatOpt, **typer_kwargs: Any):
    """Register the decorated function as command ``name`` of ``app`` with the shared options.

    ``view``: the Rich table view of its result (default: a generic table).
    ``loads_corpus``: the function's first argument is the loaded corpus;
    else the :class:`CorpusOptions`. ``cache_result``: the command is a pure
    function of the corpus, its config and its options, so its result is reused
    while none of them (nor framelens's code) changes; a callable decides per
    call from the command's options (False where an option has a side effect).
    ``compares_words``: the command compares word counts (keyness, TF-IDF,
    similarity), which mean nothing across languages: on a corpus that mixes
    languages it warns and points to ``--language``.
    ``format_option``: the ``--format`` declaration (``check`` adds ``github``;
    None: the command has no ``--format``). ``typer_kwargs`` go to
    ``app.command`` (``help``...).
    """
    shared = tuple((key, format_option if key == "format" else annotation)
                   for key, annotation in SHARED_OPTIONS
                   if not (key == "format" and format_option is None)
                   and not (key in _LOADED_CORPUS_ONLY and not loads_corpus))

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        hints = get_type_hints(func, include_extras=True)
        own = [parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY,
                                 annotation=hints.get(parameter.name, parameter.annotation))
               for parameter in list(inspect.signature(func).parameters.values())[1:]]

        def command(**values: Any) -> None:
            options = CorpusOptions(**{key: values.pop(key) for key, _ in shared})
            with user_errors(), options.engine_context():
                protect_corpus(options.sources, options.config)  # --output never overwrites it
                first = options.load() if loads_corpus else options
                result = _run(func, name, first, values, cache_result if loads_corpus else False)
                if result is None:  # the command wrote its own output
                    return
                if compares_words and loads_corpus:
                    from framelens.analysis.process.pipeline import word_comparison_note

                    note = word_comparison_note(first)
                    if note:
                        warn(note)
                if isinstance(result, StreamedResult):
                    # Rows are written as they are made; their warnings are known after.
                    for message in emit(result, options.chosen_format(), options.output, view):
                        warn(message)
                    return
                for message in result.warnings:
                    warn(message)
                emit(result, options.chosen_format(), options.output, view)
            if result.exit_code:
                raise typer.Exit(result.exit_code)

        command.__name__ = func.__name__
        command.__doc__ = func.__doc__
        command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            own + [inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=_DEFAULTS[key],
                                     annotation=annotation) for key, annotation in shared])
        app.command(name, **typer_kwargs)(command)
        return func

    return decorate


def _run(func, name: str, first, values: dict[str, Any], cache_result) -> Any:
    reuse = cache_result(values) if callable(cache_result) else cache_result
    if not reuse:
        return func(first, **values)
    from framelens.analysis.process.pipeline import cached_command_result

    return cached_command_result(first, name, values, functools.partial(func, first, **values))
