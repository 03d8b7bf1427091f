"""Typed user errors.

Everything a user can cause (a bad file, a bad option value) is raised as a
:class:`FramelensError`; ``cli/_errors.py`` turns it into one line on stderr
and exit code 1. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class FramelensError(Exception):
    """A problem with the user's input, reported without a traceback."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return where + self.message


class CorpusError(FramelensError):
    """An article or corpus file cannot be read or is malformed.

    ``code`` is the stable check code (``FL001``...) of the problem when it is
    one that ``framelens check`` reports (see ``analysis/reports/checks.py``), else None.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None,
                 code: str | None = None):
        super().__init__(message, path=path, line=line)
        self.code = code


class ConfigError(FramelensError):
    """The corpus config has an unknown key or a bad value."""


class OptionError(FramelensError):
    """An option value that parses but makes no sense for this corpus."""


class OutputError(FramelensError):
    """The output cannot be written where it was asked to go (a folder, a full disk, an article)."""


def os_error(exc: OSError, action: str, path: str | Path | None = None) -> FramelensError:
    """An OSError as a one-line user error: ``PATH: cannot ACTION: No space left on device``."""
    reason = exc.strerror or type(exc).__name__
    return FramelensError(f"cannot {action}: {reason}", path=path or exc.filename)
