"""A corpus restricted to a date window (``--since`` / ``--until`` of every command).

The placement rule for partial dates is in :mod:`framelens.analysis.io.dates`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from framelens.analysis.errors import CorpusError
from framelens.analysis.io.dates import DateWindow, WindowCount, publication_date
from framelens.analysis.io.documents import Corpus, Document


def within_window(corpus: Corpus, window: DateWindow) -> tuple[Corpus, WindowCount]:
    """``(corpus restricted to the window, WindowCount)``; the corpus itself when open.

    The restricted corpus keeps the run's document cache and the manifest's
    digests of the articles it keeps, so nothing is read or hashed again.
    Raises CorpusError when no article is left.
    """
    if window.is_open:
        return corpus, WindowCount(len(corpus.documents), 0, 0, 0)
    kept, count = in_window(corpus.documents, window)
    if not kept:
        raise CorpusError(f"no article is dated within {window.describe()} "
                          f"({count.outside + count.straddling} dated outside it, "
                          f"{count.undated} undated)",
                          path=corpus.root)
    restricted = Corpus(tuple(corpus.documents[i] for i in kept), corpus.config, corpus.root,
                        corpus.use_cache, corpus.lemmas)
    if "cache" in corpus.memo:
        restricted.memo["cache"] = corpus.memo["cache"]
    digests = corpus.memo.get("digests")
    if digests is not None:
        restricted.memo["digests"] = tuple(digests[i] for i in kept)  # type: ignore[index]
    return restricted, count


def in_window(documents: Sequence[Document], window: DateWindow
              ) -> tuple[list[int], WindowCount]:
    """Positions of the documents in the window, and what was kept and left out."""
    kept: list[int] = []
    outside = undated = straddling = 0
    for index, document in enumerate(documents):
        date = publication_date(document.published)
        if date is None:
            undated += 1
        elif window.holds(date):
            kept.append(index)
        elif window.overlaps(date):
            straddling += 1
        else:
            outside += 1
    return kept, WindowCount(len(kept), outside, undated, straddling)


@dataclass(frozen=True)
class DateRange:
    """The earliest and latest full dates of a corpus, and the articles they do not cover."""

    first: str
    last: str
    partial: int
    undated: int

    def describe(self) -> str:
        span = f"articles dated {self.first} to {self.last}" if self.first else \
            "no article dated to the day"
        notes = [f"{n} {what}" for n, what in ((self.partial, "dated only to a month or year"),
                                               (self.undated, "undated")) if n]
        return span + (f" ({', '.join(notes)})" if notes else "")


def date_range(corpus: Corpus) -> DateRange:
    """Earliest and latest day-precise dates; partial and missing dates counted apart."""
    days = []
    partial = undated = 0
    for document in corpus.documents:
        date = publication_date(document.published)
        if date is None:
            undated += 1
        elif date.is_day:
            days.append(date.first)
        else:
            partial += 1
    if not days:
        return DateRange("", "", partial, undated)
    return DateRange(min(days).isoformat(), max(days).isoformat(), partial, undated)
