"""The console-script entry point: signals first, then the app.

Installed before anything heavy is imported, so that Ctrl-C at any moment (start-up
included) ends framelens with one line on stderr and exit code 130, like a shell
reports SIGINT:

- the first SIGINT raises :class:`Interrupted` where the main thread is; ``finally``
  blocks run on the way out (the process pool is terminated, SQLite rolls back an
  open transaction) and :func:`main` prints the line;
- if that takes longer than ``GRACE_SECONDS`` (a call blocked in C code), or a
  second SIGINT comes, the process ends at once: every cache write is an SQLite
  transaction and every file is written by rename, so nothing is left half-done.

:class:`Interrupted` is not a KeyboardInterrupt, so that neither Click nor Typer
turns it into a silent exit or "Aborted!".
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

EXIT_INTERRUPTED = 130
GRACE_SECONDS = 1.5
_MESSAGE = b"framelens: interrupted\n"


class Interrupted(BaseException):
    """SIGINT arrived (Ctrl-C)."""


_interrupted = threading.Event()
_announced = threading.Lock()


def _announce() -> None:
    if _announced.acquire(blocking=False):
        with contextlib.suppress(OSError):
            os.write(2, _MESSAGE)


def _exit_now() -> None:
    _announce()
    os._exit(EXIT_INTERRUPTED)


def _on_sigint(signum, frame) -> None:
    if _interrupted.is_set():
        _exit_now()
    _interrupted.set()
    timer = threading.Timer(GRACE_SECONDS, _exit_now)
    timer.daemon = True
    timer.start()
    raise Interrupted


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGINT, _on_sigint)
    if hasattr(signal, "SIGPIPE"):
        # Piping into `head` ends us quietly instead of raising BrokenPipeError.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        from framelens.cli.app import app

        code = app()
    except (Interrupted, KeyboardInterrupt):
        _exit_now()
    except SystemExit as exc:
        if _interrupted.is_set():  # Typer turned a KeyboardInterrupt into Exit(130)
            _exit_now()
        code = exc.code
    sys.exit(code)
