"""``corpus_command``: registers an analysis command with the shared options.

A command is written as ``def keywords(corpus, *, top: TopOpt = 15, ...) -> Result``.
The decorator adds the shared corpus and output options to its signature,
loads the corpus, calls it inside the error mapping, and renders the result
once, so every command behaves the same way.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, get_type_hints

import typer

from framelens.cli import _options as opt
from framelens.cli._errors import user_errors, warn
from framelens.cli._output import TableView, choose_format, emit

_SHARED: tuple[tuple[str, Any, Any], ...] = (
    ("sources", opt.SourcesOpt, None),
    ("config", opt.ConfigOpt, None),
    ("format", opt.FormatOpt, None),
    ("output", opt.OutputOpt, None),
    ("no_cache", opt.NoCacheOpt, False),
    ("text_column", opt.TextColumnOpt, "text"),
    ("id_column", opt.IdColumnOpt, "id"),
    ("perspective_column", opt.PerspectiveColumnOpt, "perspective"),
    ("title_column", opt.TitleColumnOpt, "title"),
    ("date_column", opt.DateColumnOpt, "published"),
    ("engine", opt.EngineOpt, opt.Engine.local),
    ("scheduler", opt.SchedulerOpt, None),
    ("partition_size", opt.PartitionSizeOpt, None),
)
SHARED_NAMES = tuple(name for name, _, _ in _SHARED)


def load_from_options(shared: dict[str, Any]):
    """The corpus named by the shared options."""
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.io.tables import ColumnMap

    columns = ColumnMap(text=shared["text_column"], id=shared["id_column"],
                        perspective=shared["perspective_column"], title=shared["title_column"],
                        date=shared["date_column"])
    return load_corpus(shared["sources"], config_path=shared["config"], columns=columns,
                       use_cache=not shared["no_cache"])


def engine_from_options(shared: dict[str, Any]):
    """The engine the shared options choose, for every parallel step of the command."""
    from framelens.analysis.parallel import use_engine

    return use_engine(shared["engine"].value, scheduler=shared["scheduler"],
                      partition_size=shared["partition_size"])


def corpus_command(app: typer.Typer, name: str, *, table_view: TableView | None = None,
                   needs_corpus: bool = True,
                   cache_result: bool | Callable[[dict[str, Any]], bool] = False,
                   **command_kwargs: Any):
    """Register ``func`` as command ``name`` with the shared options added.

    ``cache_result``: the command is a pure function of the corpus, its
    config and its options, so its result is reused while none of them
    (nor framelens's analysis code) changes (:mod:`framelens.analysis.store.result_cache`).
    A callable decides per call from the command's options (False where an
    option has a side effect, such as writing a file).
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        own = list(inspect.signature(func).parameters.values())[1:]
        hints = get_type_hints(func, include_extras=True)

        @functools.wraps(func)
        def command(**kwargs: Any) -> None:
            shared = {key: kwargs.pop(key) for key in SHARED_NAMES}
            with user_errors(), engine_from_options(shared):
                first = load_from_options(shared) if needs_corpus else shared
                reuse = cache_result(kwargs) if callable(cache_result) else cache_result
                if reuse and needs_corpus:
                    from framelens.analysis.process.pipeline import cached_command_result

                    result = cached_command_result(first, name, kwargs,
                                                   functools.partial(func, first, **kwargs))
                else:
                    result = func(first, **kwargs)
                for message in result.warnings:
                    warn(message)
                fmt = choose_format(shared["format"], shared["output"])
                emit(result, fmt, shared["output"], table_view)
            if result.exit_code:
                raise typer.Exit(result.exit_code)

        parameters = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY,
                                annotation=hints.get(p.name, p.annotation)) for p in own]
        parameters += [inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=default,
                                         annotation=annotation)
                       for key, annotation, default in _SHARED]
        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: hints.get(p.name, p.annotation) for p in own}
        command.__annotations__.update({key: annotation for key, annotation, _ in _SHARED})
        del command.__wrapped__
        app.command(name, **command_kwargs)(command)
        return func

    return decorate
