"""Publication dates at the precision they are written, and a corpus restricted to a date window.

Real data dates some articles only to the month (``2022-01``) or the year
(``2022``). Such a date is kept at its precision and read as the span of days
it may stand for (``2022-01`` is 2022-01-01 … 2022-01-31); no day is ever
invented for it. The rule for a window ``--since S --until U`` (both
inclusive, each itself a year, month or day):

- the window runs from the first day of S to the last day of U;
- an article is in the window only when the whole span of its date is, so
  ``2022-01`` is in ``--since 2022-01-01 --until 2022-01-31`` and in
  ``--until 2022-02-15``, but not in ``--since 2022-01-15``: it may have
  appeared before the 15th;
- an article without a date is left out of any window (and counted in one
  warning).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from framelens.analysis.errors import CorpusError, OptionError

DAY = "day"
MONTH = "month"
YEAR = "year"

PARTIAL_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")
PARTIAL_DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"


@dataclass(frozen=True, order=True)
class PublicationDate:
    """A date as precise as it was written: the first and last day it may stand for."""

    first: dt.date
    last: dt.date
    precision: str

    @property
    def is_day(self) -> bool:
        return self.precision == DAY


def parse_publication_date(value: str) -> PublicationDate:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as a :class:`PublicationDate`.

    Raises ValueError with a message naming the problem: not one of the three
    forms, or a month or day that does not exist.
    """
    match = PARTIAL_DATE_RE.match(value)
    if match is None:
        raise ValueError(f"date {value!r} is not an ISO date ({PARTIAL_DATE_FORMS})")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if month is None:
            return PublicationDate(dt.date(year, 1, 1), dt.date(year, 12, 31), YEAR)
        if day is None:
            last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            return PublicationDate(dt.date(year, month, 1), dt.date(year, month, last), MONTH)
        date = dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"date {value!r} does not exist") from None
    return PublicationDate(date, date, DAY)


def publication_date(value: str) -> PublicationDate | None:
    """The parsed date of a validated ``Document.published`` (None when there is none)."""
    return parse_publication_date(value) if value else None


@dataclass(frozen=True)
class DateWindow:
    """Inclusive bounds ``since`` … ``until``; either may be open (None)."""

    since: PublicationDate | None = None
    until: PublicationDate | None = None

    @property
    def is_open(self) -> bool:
        return self.since is None and self.until is None

    def holds(self, date: PublicationDate) -> bool:
        """True when the whole span of ``date`` lies in the window."""
        if self.since is not None and date.first < self.since.first:
            return False
        return self.until is None or date.last <= self.until.last

    def overlaps(self, date: PublicationDate) -> bool:
        """True when some day of ``date`` lies in the window."""
        if self.since is not None and date.last < self.since.first:
            return False
        return self.until is None or date.first <= self.until.last

    def describe(self) -> str:
        since = self.since.first.isoformat() if self.since else None
        until = self.until.last.isoformat() if self.until else None
        if since and until:
            return f"{since} to {until}"
        return f"from {since} on" if since else f"up to {until}" if until else "any date"


def date_window(since: str | None, until: str | None) -> DateWindow:
    """The window of ``--since`` / ``--until`` values; OptionError for a bad or reversed one."""
    bounds = []
    for option, value in (("--since", since), ("--until", until)):
        if value is None or not value.strip():
            bounds.append(None)
            continue
        try:
            bounds.append(parse_publication_date(value.strip()))
        except ValueError as exc:
            raise OptionError(f"{option}: {exc}") from None
    window = DateWindow(*bounds)
    if window.since is not None and window.until is not None \
            and window.since.first > window.until.last:
        raise OptionError(f"--since {since} is after --until {until}: the window is empty")
    return window


@dataclass(frozen=True)
class WindowCount:
    """What a window kept and left out, for the one warning about it."""

    kept: int
    outside: int
    undated: int
    straddling: int

    def warnings(self, window: DateWindow) -> tuple[str, ...]:
        found = []
        if self.undated:
            found.append(f"{self.undated} article{'s' * (self.undated != 1)} without a date "
                         f"left out of the window ({window.describe()})")
        if self.straddling:
            found.append(f"{self.straddling} article{'s' * (self.straddling != 1)} dated only "
                         f"to a month or year that reaches past the window ({window.describe()}) "
                         "left out (a partial date is in a window only if its whole month or "
                         "year is)")
        return tuple(found)


def check_published(value: str, path, line: int | None) -> str:
    """``value`` when it is a date :func:`parse_publication_date` reads; CorpusError FL030 if not."""
    try:
        parse_publication_date(value)
    except ValueError as exc:
        raise CorpusError(str(exc), path=path, line=line, code="FL030") from None
    return value
