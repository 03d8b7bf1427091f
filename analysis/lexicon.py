"""Matching word lists (targets, topics, naming variants, stance cues) in sentences.

One compiled alternation per lexicon; which entry matched is read from the
named group. Terms match on word boundaries (a letter or digit on either side
blocks a match, so "Russian" never matches inside "Russians"; a hyphen does
not block, so "Russian" is found in "Russian-Ukrainian", except that a word
list ignores a hyphenated prefix: "escalat*" does not match "de-escalation"). ``*`` at the end of
a word is a suffix wildcard (``sanction*``); spaces match any whitespace.

Two case rules:

- ``"insensitive"`` (topics, naming, cues): case never matters;
- ``"first-letter"`` (stance target aliases): the first letter may be either
  case, the rest is matched exactly, so "US" never matches "us" and
  "the Alliance" matches "The Alliance" but not "alliance".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_WORD_BEFORE = r"(?<![^\W_])"
# Word lists (topics, cues) also refuse a hyphenated prefix: "escalat*" must not count
# "de-escalation", nor "war" "post-war". Target aliases keep "U.S.-Russian" → Russian.
_WORD_BEFORE_NO_PREFIX = r"(?<![^\W_])(?<![^\W_]-)"
_WORD_AFTER = r"(?![^\W_])"


@dataclass(frozen=True)
class Match:
    name: str
    start: int
    end: int
    text: str


class Lexicon:
    """Compiled matcher for named entries, each a list of terms."""

    def __init__(self, entries: Mapping[str, Iterable[str]], *, case: str = "insensitive"):
        if case not in ("insensitive", "first-letter"):
            raise ValueError(f"unknown case rule {case!r}")
        self.names: tuple[str, ...] = tuple(entries)
        alternatives: list[tuple[int, str, str]] = []
        for name, terms in entries.items():
            for term in terms:
                term = term.strip()
                if term:
                    alternatives.append((len(term.rstrip("*")), name, _term_pattern(term, case)))
        # Longest first, so "Russian Federation" wins over "Russian" at the same place.
        alternatives.sort(key=lambda item: -item[0])
        self._group_name = {f"a{i}": name for i, (_, name, _) in enumerate(alternatives)}
        body = "|".join(f"(?P<a{i}>{pattern})" for i, (_, _, pattern) in enumerate(alternatives))
        before = _WORD_BEFORE if case == "first-letter" else _WORD_BEFORE_NO_PREFIX
        self._regex = re.compile(f"{before}(?:{body}){_WORD_AFTER}") if body else None

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, left to right."""
        if self._regex is None:
            return []
        return [Match(self._group_name[m.lastgroup], m.start(), m.end(), m.group())
                for m in self._regex.finditer(text)]

    def names_in(self, text: str) -> tuple[str, ...]:
        """Entry names found in ``text``, in entry order, each once."""
        found = {m.name for m in self.find(text)}
        return tuple(name for name in self.names if name in found)

    def count(self, text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for match in self.find(text):
            counts[match.name] = counts.get(match.name, 0) + 1
        return counts


def _term_pattern(term: str, case: str) -> str:
    words = term.split()
    parts = []
    for position, word in enumerate(words):
        wildcard = word.endswith("*") and len(word) > 1
        literal = word[:-1] if wildcard else word
        if case == "first-letter" and position == 0 and literal[:1].isalpha():
            first = literal[0]
            piece = f"[{first.upper()}{first.lower()}]" + re.escape(literal[1:])
        elif case == "first-letter":
            piece = re.escape(literal)
        else:
            piece = f"(?i:{re.escape(literal)})"
        parts.append(piece + (r"[^\W_]*" if wildcard else ""))
    return r"\s+".join(parts)
