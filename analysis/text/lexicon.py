"""Matching word lists (targets, topics, naming variants, stance cues) in sentences.

One compiled alternation per lexicon; which entry matched is read from the
named group. Terms match on word boundaries (a letter or digit on either side
blocks a match, so "Russian" never matches inside "Russians"; a hyphen does
not block, so "Russian" is found in "Russian-Ukrainian", except that a word
list ignores a hyphenated prefix: "escalat*" does not match "de-escalation"). ``*`` at the end of
a word is a suffix wildcard (``sanction*``); spaces match any whitespace.

Other scripts: Cyrillic terms follow the same rules (``Украин*`` matches
Украины, Украине; a written ``ё`` also matches ``е``, as Russian text mostly
omits the dots). Chinese is written without spaces, so a term holding a Han
character has no word boundaries: ``北约`` is found in ``北约东扩``.

Two case rules:

- ``"insensitive"`` (topics, naming, cues): case never matters;
- ``"first-letter"`` (stance target aliases): matched exactly as written, except
  that an alias starting with a lower-case letter may also start with a capital
  (at a sentence start): "US" never matches "us", "Western" never matches
  "western borders", "the Alliance" matches "The Alliance" but not "alliance".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

_WORD_BEFORE = r"(?<![^\W_])"
# Word lists (topics, cues) also refuse a hyphenated prefix: "escalat*" must not count
# "de-escalation", nor "war" "post-war". Target aliases keep "U.S.-Russian" → Russian.
_WORD_BEFORE_NO_PREFIX = r"(?<![^\W_])(?<![^\W_]-)"
_WORD_AFTER = r"(?![^\W_])"
# Han characters: Chinese terms match without word boundaries.
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD_RUN_RE = re.compile(r"[^\W_]+")
"""Maximal runs of letters and digits."""


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
        alternatives: list[tuple[int, str, str, bool]] = []
        for name, terms in entries.items():
            for term in terms:
                term = term.strip()
                if term:
                    alternatives.append((len(term.rstrip("*")), name, _term_pattern(term, case),
                                         _HAN_RE.search(term) is None))
        # Longest first, so "Russian Federation" wins over "Russian" at the same place.
        alternatives.sort(key=lambda item: -item[0])
        self._group_name = {f"a{i}": name for i, (_, name, _, _) in enumerate(alternatives)}
        bounded = "|".join(f"(?P<a{i}>{pattern})"
                           for i, (_, _, pattern, words) in enumerate(alternatives) if words)
        unbounded = "|".join(f"(?P<a{i}>{pattern})"
                             for i, (_, _, pattern, words) in enumerate(alternatives) if not words)
        before = _WORD_BEFORE if case == "first-letter" else _WORD_BEFORE_NO_PREFIX
        # Han terms: a look-ahead on their first characters lets the scan skip the
        # other positions of a Chinese sentence with one character-class test.
        firsts = "".join(sorted({re.escape(term.strip()[0]) for terms in entries.values()
                                 for term in terms if term.strip() and _HAN_RE.search(term)}))
        parts = ([f"{before}(?:{bounded}){_WORD_AFTER}"] if bounded else []) + \
            ([f"(?=[{firsts}])(?:{unbounded})"] if unbounded else [])
        body = "|".join(parts)
        self._body = body
        self._compiled: re.Pattern[str] | None = None
        # A fast screen for ASCII text: a trie of the terms' lower-cased literal
        # parts (up to the first wildcard), searched in the lower-cased text. It
        # matches wherever ``_regex`` can (it drops the word boundaries, the case
        # rules and the wildcard tails), so ``_regex`` is tried only there.
        # Terms with non-ASCII letters (Unicode case folding) disable it.
        literals = [_literal_units(term.strip()) for terms in entries.values()
                    for term in terms if term.strip()]
        screened = [units for units in literals if units]  # () never matches ASCII text
        self._screen_source = (_trie_pattern(screened) if screened else _NEVER.pattern) \
            if body and all(u is not None for u in literals) else None
        self._compiled_screen: re.Pattern[str] | None = None

    @property
    def pattern(self) -> str:
        """The regular expression's source ("" for an empty lexicon): what a cache of
        matches must be keyed on, since it changes whenever the matching rules do."""
        return self._body

    # Compiled on first use: a run whose annotations are all cached never compiles them.
    @property
    def _regex(self) -> re.Pattern[str] | None:
        if self._compiled is None and self._body:
            self._compiled = re.compile(self._body)
        return self._compiled

    @property
    def _screen(self) -> re.Pattern[str] | None:
        if self._compiled_screen is None and self._screen_source is not None:
            self._compiled_screen = re.compile(self._screen_source)
        return self._compiled_screen

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, left to right: exactly ``_regex.finditer(text)``."""
        regex = self._regex
        if regex is None:
            return []
        screen_regex = self._screen
        if screen_regex is None or not text.isascii():
            return [Match(self._group_name[m.lastgroup], m.start(), m.end(), m.group())
                    for m in regex.finditer(text)]
        lowered = text.lower()  # ASCII: same length, same positions
        screen = screen_regex.search
        candidate = screen(lowered)
        if candidate is None:
            return []
        match = regex.match
        found = []
        while candidate is not None:
            start = candidate.start()
            m = match(text, start)
            if m is None:
                candidate = screen(lowered, start + 1)
                continue
            found.append(Match(self._group_name[m.lastgroup], start, m.end(), m.group()))
            candidate = screen(lowered, m.end())
        return found

    def names_in(self, text: str) -> tuple[str, ...]:
        """Entry names found in ``text``, in entry order, each once."""
        found = {m.name for m in self.find(text)}
        return tuple(name for name in self.names if name in found)

    def count(self, text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for match in self.find(text):
            counts[match.name] = counts.get(match.name, 0) + 1
        return counts


class WordRunScreen:
    """Which of several word lists can match a text, decided from its word runs.

    Any match of a term contains each of the term's word runs (maximal runs
    of letters and digits) as a whole word run of the text, and a run
    followed by ``*`` as the start of one. Runs are compared lower-cased,
    which can only let more through than a case-sensitive list matches. A
    list none of whose terms passes this test cannot match: the screen is
    exact in that direction and conservative in the other.
    """

    def __init__(self, lists: Sequence[Iterable[str]]):
        self.size = len(lists)
        self.always = [False] * self.size
        # entry: (list index, closed runs, open runs, single-word term?, open key)
        self._anchored: dict[str, list[tuple[int, frozenset[str], tuple[str, ...], bool]]] = {}
        self._open: dict[str, list[tuple[int, frozenset[str], tuple[str, ...], bool]]] = {}
        self.single_words: list[set[str]] = [set() for _ in lists]
        self.single_prefixes: list[set[str]] = [set() for _ in lists]
        open_only: list[tuple[int, frozenset[str], tuple[str, ...], bool]] = []
        for index, terms in enumerate(lists):
            for term in terms:
                term = term.strip()
                if not term:
                    continue
                if not term.isascii() and _literal_units(term) == ():
                    continue  # can never match ASCII text; non-ASCII text is never screened
                closed, opened = term_runs(term)
                if not term.isascii() or (not closed and not opened):
                    self.always[index] = True
                    continue
                literal = term[:-1] if term.endswith("*") and len(term) > 1 else term
                single = (len(closed) + len(opened) == 1
                          and literal.lower() == (closed or opened)[0])
                entry = (index, frozenset(closed), tuple(opened), single)
                if closed:
                    self._anchored.setdefault(max(closed, key=len), []).append(entry)
                    if single:
                        self.single_words[index].add(closed[0])
                else:
                    open_only.append(entry)
                    if single:
                        self.single_prefixes[index].add(opened[0])
        # Open-only terms are looked up by the first ``key_length`` letters of a run.
        self.key_length = min((len(max(e[2], key=len)) for e in open_only), default=1)
        for entry in open_only:
            self._open.setdefault(max(entry[2], key=len)[:self.key_length], []).append(entry)

    def text_statuses(self, text: str) -> list[int]:
        """:meth:`statuses` of the text's word runs; every list may match non-ASCII text
        (Unicode case folding can match across scripts, so the screen does not apply)."""
        if not text.isascii():
            return [2] * self.size
        return self.statuses(WORD_RUN_RE.findall(text.lower()))

    def statuses(self, runs: Iterable[str]) -> list[int]:
        """Per list: 0 cannot match; 1 only single-word terms can; 2 a longer term can."""
        runs = set(runs)
        status = [0] * self.size
        candidates = [entry for anchor in runs.intersection(self._anchored)
                      for entry in self._anchored[anchor]]
        if self._open:
            keys = {r[:self.key_length] for r in runs}
            candidates += [entry for key in keys.intersection(self._open)
                           for entry in self._open[key]]
        for index, closed, opened, single in candidates:
            if status[index] == 2 or not closed <= runs:
                continue
            if all(any(r.startswith(o) for r in runs) for o in opened):
                status[index] = 1 if single else 2
        for index, always in enumerate(self.always):
            if always:
                status[index] = 2
        return status


def term_runs(term: str) -> tuple[list[str], list[str]]:
    """Closed word runs (matched whole) and open ones (``*``: matched as a prefix)."""
    closed: list[str] = []
    opened: list[str] = []
    for word in term.split():
        wildcard = word.endswith("*") and len(word) > 1
        literal = word[:-1] if wildcard else word
        runs = WORD_RUN_RE.findall(literal.lower())
        if wildcard and runs and literal[-1:].isalnum():
            opened.append(runs.pop())
        closed.extend(runs)
    return closed, opened


def _term_pattern(term: str, case: str) -> str:
    words = term.split()
    parts = []
    for position, word in enumerate(words):
        wildcard = word.endswith("*") and len(word) > 1
        literal = word[:-1] if wildcard else word
        if case == "first-letter" and position == 0 and literal[:1].islower():
            # "the Alliance" may open a sentence; "Western" must not match "western borders".
            first = literal[0]
            piece = f"[{first.upper()}{first}]" + re.escape(literal[1:])
        elif case == "first-letter":
            piece = re.escape(literal)
        else:
            piece = f"(?i:{re.escape(literal)})"
        if "ё" in literal.lower():  # Russian text mostly writes ё as е
            piece = piece.replace("ё", "[ёе]").replace("Ё", "[ЁЕ]")
        parts.append(piece + (r"[^\W_]*" if wildcard else ""))
    return r"\s+".join(parts)


_NEVER = re.compile(r"(?!)")


def _literal_units(term: str) -> tuple[str, ...] | None:
    """Regex units every lower-cased ASCII match of ``term`` starts with.

    Units are lower-case characters, with ``\\s+`` between words; they stop
    after the literal part of the first wildcard word. ``()`` when the term
    can never match ASCII text (a letter such as "é" that no ASCII letter
    matches in any case); None when it might, through Unicode case folding
    ("ſ" matches "s"), so that the screen cannot be used.
    """
    units: list[str] = []
    for position, word in enumerate(term.split()):
        wildcard = word.endswith("*") and len(word) > 1
        literal = word[:-1] if wildcard else word
        if position:
            units.append(r"\s+")
        for char in literal:
            if not char.isascii():
                if not _ascii_equivalent(char):
                    return ()
                return None
            units.append(re.escape(char.lower()))
        if wildcard:
            break
    return tuple(units)


@lru_cache(maxsize=4096)
def _ascii_equivalent(char: str) -> bool:
    """Whether some ASCII character matches ``char`` case-insensitively (or a case of it)."""
    if any(c.isascii() for c in char.upper() + char.lower() + char.casefold() + char.title()):
        return True
    pattern = re.compile(f"(?i:{re.escape(char)})")
    return any(pattern.fullmatch(chr(code)) for code in range(128))


def _trie_pattern(sequences: Iterable[tuple[str, ...]]) -> str:
    """One alternation matching any of the unit sequences, factored as a prefix trie.

    Where one sequence is a prefix of another, the shorter one suffices (the
    screen only has to match where some sequence starts).
    """
    trie: dict[str, dict] = {}
    for units in sequences:
        node = trie
        for unit in units:
            node = node.setdefault(unit, {})
        node[""] = {}
    pattern = _emit_trie(trie)
    if pattern is None:  # too many nested branches for the regex parser: a flat alternation
        pattern = "(?:" + "|".join(sorted(_trie_paths(trie))) + ")"
    return pattern


_MAX_TRIE_NESTING = 64


def _emit_trie(trie: dict[str, dict]) -> str | None:
    """The trie as a regex, without recursion: a run of single-child nodes (a long term)
    is one string; None when branches nest deeper than ``_MAX_TRIE_NESTING``."""

    def chain(node: dict[str, dict]) -> tuple[str, dict[str, dict]]:
        units = []
        while "" not in node and len(node) == 1:
            (unit, node), = node.items()
            units.append(unit)
        return "".join(units), node

    def emit(node: dict[str, dict], depth: int) -> str | None:
        prefix, node = chain(node)
        if "" in node or not node:
            return prefix
        if depth > _MAX_TRIE_NESTING:
            return None
        branches = []
        for unit, child in sorted(node.items()):
            rest = emit(child, depth + 1)
            if rest is None:
                return None
            branches.append(unit + rest)
        return prefix + "(?:" + "|".join(branches) + ")"

    return emit(trie, 0)


def _trie_paths(trie: dict[str, dict]) -> list[str]:
    """Every sequence the trie holds (up to a shorter one that it starts with), joined."""
    paths: list[str] = []
    stack = [(trie, "")]
    while stack:
        node, prefix = stack.pop()
        if "" in node:
            paths.append(prefix)
            continue
        stack.extend((child, prefix + unit) for unit, child in node.items())
    return paths
