"""User errors and faults to one line on stderr and an exit code, in one place.

Exit codes: 0 success, 1 bad input, a failed check or an OS error (a full
disk, a folder that cannot be read), 2 bad usage (Typer's own usage errors
already exit with 2), 130 interrupted (Ctrl-C, as shells report SIGINT).
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator

import typer

from framelens.analysis.errors import FramelensError, OptionError, os_error

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# A message is one line of readable length whatever the input put into it (a YAML
# problem quoting a huge value, a file name with a newline or a right-to-left override).
_MAX_MESSAGE = 400
# Bidirectional control characters: an article or a file name holding U+202E would
# reverse what a terminal or spreadsheet shows after it ("Trojan Source").
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BIDI_CONTROLS_RE = re.compile(f"[{BIDI_CONTROLS}]")
_CONTROLS_RE = re.compile(r"[\x00-\x1f\x7f]+")


def one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    """``text`` without line breaks, control or bidirectional-control characters, cut at
    ``limit`` characters."""
    text = _CONTROLS_RE.sub(" ", BIDI_CONTROLS_RE.sub("", text))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, no_color="NO_COLOR" in os.environ or None, highlight=False)


def warn(message: str) -> None:
    from rich.text import Text

    # One line, however long: a log or a CI annotation reads it whole.
    stderr_console().print(Text("warning: ", style="yellow").append(
        Text(one_line(message, limit=sys.maxsize), style="")), soft_wrap=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a FramelensError into ``error: file:line: message`` and exit 1 (2 for options);
    an OSError (a fault of the machine, not of framelens) into ``error: file: cannot ...``."""
    try:
        yield
    except OptionError as exc:
        print_error(exc)
        raise typer.Exit(EXIT_USAGE) from None
    except FramelensError as exc:
        print_error(exc)
        raise typer.Exit(EXIT_FAILED) from None
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise  # the reader went away: main() ends quietly
        print_error(os_error(exc, "read or write"))
        raise typer.Exit(EXIT_FAILED) from None


def print_error(exc: FramelensError | str) -> None:
    from rich.text import Text

    stderr_console().print(Text("error: ", style="bold red").append(Text(one_line(str(exc)),
                                                                          style="")),
                           soft_wrap=True)
