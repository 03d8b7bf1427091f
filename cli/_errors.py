"""User errors to one line on stderr and an exit code, in one place.

Exit codes: 0 success, 1 bad input or a failed check, 2 bad usage (Typer's
own usage errors already exit with 2).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import typer

from framelens.analysis.errors import FramelensError, OptionError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, no_color="NO_COLOR" in os.environ or None, highlight=False)


def warn(message: str) -> None:
    from rich.text import Text

    # One line, however long: a log or a CI annotation reads it whole.
    stderr_console().print(Text("warning: ", style="yellow").append(Text(message, style="")),
                           soft_wrap=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a FramelensError into ``error: file:line: message`` and exit 1 (2 for options)."""
    try:
        yield
    except OptionError as exc:
        _print_error(exc)
        raise typer.Exit(EXIT_USAGE) from None
    except FramelensError as exc:
        _print_error(exc)
        raise typer.Exit(EXIT_FAILED) from None


def _print_error(exc: FramelensError) -> None:
    from rich.text import Text

    stderr_console().print(Text("error: ", style="bold red").append(Text(str(exc), style="")),
                           soft_wrap=True)
