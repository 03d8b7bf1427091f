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
import threading
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

_WORD_BEFORE = r"(?<![^\W_])"
# Word lists (topics, cues) also refuse a hyphenated prefix: "escalat*" must not count
# "de-escalation", nor "war" "post-war". Target aliases keep "U.S.-Russian" → Russian.
_WORD_BEFORE_NO_PREFIX = r"(?<![^\W_])(?<![^\W_]-)"
_WORD_AFTER = r"(?![^\W_])"
# Han characters: Chinese terms match without word boundaries.
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD_RUN_RE = re.compile(r"[^\W_]+")
"""Maximal runs of letters and digits."""
MATCH_START_RUN_RE = re.compile(r"(?<![^\W_])(?<![^\W_]-)[^\W_]+")
"""Word runs where a case-insensitive match may start: not inside a word, and not
after a hyphenated prefix ("escalation" in "de-escalation" is not a match of "escalat*")."""
# The first run of each hyphen-joined chain: the same runs as MATCH_START_RUN_RE, found
# without testing two look-behinds at every character.
_CHAIN_FIRST_RUN_RE = re.compile(r"([^\W_]+)(?:-[^\W_]+)*")


def match_start_runs(text: str, runs: list[str] | None = None) -> list[str]:
    """``MATCH_START_RUN_RE.findall(text)``; ``runs``, when given, are
    ``WORD_RUN_RE.findall(text)`` (the same list when ``text`` has no hyphen)."""
    if runs is not None and "-" not in text:
        return runs
    return _CHAIN_FIRST_RUN_RE.findall(text)


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
        alternatives: list[tuple[int, str, str, bool, str]] = []
        for name, terms in entries.items():
            for term in terms:
                term = term.strip()
                if term:
                    alternatives.append((len(term.rstrip("*")), name, _term_pattern(term, case),
                                         _HAN_RE.search(term) is None, term))
        # Longest first, so "Russian Federation" wins over "Russian" at the same place.
        alternatives.sort(key=lambda item: -item[0])
        self._group_name = {f"a{i}": name for i, (_, name, _, _, _) in enumerate(alternatives)}
        bounded = "|".join(f"(?P<a{i}>{pattern})"
                           for i, (_, _, pattern, words, _) in enumerate(alternatives) if words)
        unbounded = "|".join(f"(?P<a{i}>{pattern})"
                             for i, (_, _, pattern, words, _) in enumerate(alternatives)
                             if not words)
        # Single-word ASCII terms ("may", "threat*") in the order the alternation tries
        # them: (lower-cased literal, wildcard?, entry name).
        self.single_words: tuple[tuple[str, bool, str], ...] = tuple(
            (literal.lower(), wildcard, name) for _, name, _, _, term in alternatives
            for wildcard in [term.endswith("*") and len(term) > 1]
            for literal in [term[:-1] if wildcard else term]
            if case == "insensitive" and literal.isascii() and WORD_RUN_RE.fullmatch(literal))
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
        # At a place the screen found in ASCII text, only the terms whose first letter
        # is the text's there can match: ``_regex`` restricted to them (same order, same
        # groups) tries a handful of alternatives instead of all.
        self._by_first_letter: dict[str, list[str]] = {}
        for i, (_, _, pattern, words, term) in enumerate(alternatives):
            if words and term[0].isascii():
                if case == "insensitive":
                    letters = {term[0].lower()}
                else:  # a lower-case first letter may be a capital
                    letters = {term[0], term[0].upper()} if term[0].islower() else {term[0]}
                for letter in letters:
                    self._by_first_letter.setdefault(letter, []).append(f"(?P<a{i}>{pattern})")
        self._before = before
        self._first_letter_regexes: dict[str, re.Pattern[str]] = {}
        # A fast screen for ASCII text: a trie of the terms' lower-cased literal
        # parts (up to the first wildcard), searched in the lower-cased text. It
        # matches wherever ``_regex`` can (it drops the word boundaries, the case
        # rules and the wildcard tails), so ``_regex`` is tried only there.
        # Terms with non-ASCII letters (Unicode case folding) disable it.
        # A case-sensitive lexicon's screen keeps the case (and reads the text as it is):
        # "US" is then not looked for in "because".
        self._exact_screen = case == "first-letter"
        units_of = _exact_units if self._exact_screen else _literal_units
        literals = [units_of(term.strip()) for terms in entries.values()
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

    def find(self, text: str, lowered: str | None = None) -> list[Match]:
        """Non-overlapping matches, left to right: exactly ``_regex.finditer(text)``.

        ``lowered``, when given, is ``text.lower()`` of an ASCII ``text`` (a caller
        that has it already saves lowering it again).
        """
        group_name = self._group_name
        return [Match(group_name[m.lastgroup], m.start(), m.end(), m.group())
                for m in self._matches(text, lowered)]

    def number_of_matches(self, text: str, lowered: str | None = None) -> int:
        """``len(find(text))``."""
        return len(self._matches(text, lowered))

    def _matches(self, text: str, lowered: str | None) -> list[re.Match[str]]:
        regex = self._regex
        if regex is None:
            return []
        screen_regex = self._screen
        if screen_regex is None or (lowered is None and not text.isascii()):
            return list(regex.finditer(text))
        if self._exact_screen:
            scanned = text
        elif lowered is None:
            scanned = text.lower()  # ASCII: same length, same positions
        else:
            scanned = lowered
        screen = screen_regex.search
        candidate = screen(scanned)
        if candidate is None:
            return []
        regexes = self._first_letter_regexes
        found = []
        while candidate is not None:
            start = candidate.start()
            letter = scanned[start]
            first_letter_regex = regexes.get(letter)
            if first_letter_regex is None:
                first_letter_regex = regexes[letter] = self._first_letter_regex(letter)
            m = first_letter_regex.match(text, start)
            if m is None:
                candidate = screen(scanned, start + 1)
                continue
            found.append(m)
            candidate = screen(scanned, m.end())
        return found

    def _first_letter_regex(self, letter: str) -> re.Pattern[str]:
        alternatives = self._by_first_letter.get(letter)
        if not alternatives:
            return _NEVER
        return re.compile(f"{self._before}(?:{'|'.join(alternatives)}){_WORD_AFTER}")

    def names_in(self, text: str) -> tuple[str, ...]:
        """Entry names found in ``text``, in entry order, each once."""
        found = {m.name for m in self.find(text)}
        return tuple(name for name in self.names if name in found)

    def count(self, text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        group_name = self._group_name
        for match in self._matches(text, None):
            name = group_name[match.lastgroup]
            counts[name] = counts.get(name, 0) + 1
        return counts


class _RunWords(NamedTuple):
    """What makes a run worth a fact: equal to one of ``whole``, or starting with one of
    ``prefixes`` (``starting`` finds those among runs written one a line)."""

    whole: frozenset[str]
    prefixes: frozenset[str]
    lengths: tuple[int, ...]
    starting: re.Pattern[str] | None

    @classmethod
    def of(cls, whole: Iterable[str], prefixes: Iterable[str]) -> _RunWords:
        prefixes = frozenset(prefixes)
        starting = None
        if prefixes:
            trie = _trie_pattern(tuple(map(re.escape, p)) for p in sorted(prefixes))
            starting = re.compile(f"^(?={trie})[^\\n]*", re.MULTILINE)
        return cls(frozenset(whole), prefixes, tuple(sorted({len(p) for p in prefixes})),
                   starting)


class _RunFacts:
    """Facts about lower-cased word runs, worked out once per distinct run.

    Only a run that :class:`_RunWords` calls worth it can have a fact
    (:meth:`_fact`, never empty for those that have one). A text's runs cost
    set operations: one regular expression over the batch of runs not seen
    before finds those worth :meth:`_fact`. The state (the words, the facts,
    the runs that have one, the runs seen) is replaced whole, never changed
    half-way, so threads sharing a table each read a consistent one.
    """

    _LIMIT = 1 << 18  # distinct runs remembered before starting afresh

    def __init__(self, whole: Iterable[str] = (), prefixes: Iterable[str] = ()):
        self._lock = threading.Lock()
        self._state = self._fresh(_RunWords.of(whole, prefixes))

    @staticmethod
    def _fresh(words: _RunWords) -> tuple[_RunWords, dict[str, tuple], set[str], set[str]]:
        return words, {}, set(), set()

    @property
    def words(self) -> _RunWords:
        return self._state[0]

    def fact_runs(self, runs: AbstractSet[str]) -> dict[str, tuple]:
        """``{run: fact}`` for the runs of ``runs`` that have a fact."""
        state = self._state
        new = runs - state[3]
        if new:
            state = self._learn(state, new)
        facts = state[1]
        return {run: facts[run] for run in runs & state[2]}

    def _learn(self, state: tuple, new: AbstractSet[str]) -> tuple:
        if len(state[3]) + len(new) > self._LIMIT:
            with self._lock:
                if self._state is state:
                    self._state = self._fresh(state[0])
                state = self._state
        words, facts, with_facts, seen = state
        worth = new & words.whole
        if words.starting is not None:
            worth = worth.union(words.starting.findall("\n".join(new)))
        for run in worth:
            fact = self._fact(run, words)
            if fact:
                facts[run] = fact  # before with_facts: a reader finds every run it lists
                with_facts.add(run)
        seen |= new
        return state

    def _fact(self, run: str, words: _RunWords) -> tuple:
        raise NotImplementedError

    def __getstate__(self) -> dict:
        # Sent to a worker: the words, not what this process learnt, nor its lock.
        return {name: value for name, value in self.__dict__.items()
                if name not in ("_lock", "_state")} | {"_words": self._state[0]}

    def __setstate__(self, state: dict) -> None:
        words = state.pop("_words")
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._state = self._fresh(words)


class SingleWordMatches(_RunFacts):
    """``facts[run] = ((lexicon index, entry name), ...)``: what single-word terms match a run.

    For case-insensitive lexicons and a lower-cased ASCII word run where a match
    may start (:data:`MATCH_START_RUN_RE`): a single-word term ("may",
    "threat*") matches there exactly when the whole run equals the word or
    starts with the wildcard's prefix, and the alternation reports the entry of
    the first fitting term in its order (:attr:`Lexicon.single_words`). One
    pair per lexicon that has a fitting term, in lexicon order. When no longer
    term of a lexicon can match a text (a :class:`WordRunScreen` status of 1),
    these pairs over the text's match-start runs are exactly its matches.
    One table serves several lexicons, as texts repeat words.
    """

    def __init__(self, lexicons: Sequence[Lexicon]):
        # literal -> [(lexicon index, rank in its alternation, entry name)]
        self._closed: dict[str, list[tuple[int, int, str]]] = {}
        by_length: dict[int, dict[str, list[tuple[int, int, str]]]] = {}
        for index, lexicon in enumerate(lexicons):
            for rank, (literal, wildcard, name) in enumerate(lexicon.single_words):
                table = by_length.setdefault(len(literal), {}) if wildcard else self._closed
                table.setdefault(literal, []).append((index, rank, name))
        self._open = sorted(by_length.items())
        super().__init__(self._closed, [p for _, table in self._open for p in table])

    def counts(self, starts: list[str], distinct: AbstractSet[str] | None = None
               ) -> dict[tuple[int, str], int]:
        """Matches per ``(lexicon index, entry name)`` among the match-start runs ``starts``
        (``distinct``: ``set(starts)``, when the caller has it)."""
        tally: dict[tuple[int, str], int] = {}
        for run, matches in self.fact_runs(set(starts) if distinct is None else distinct).items():
            times = starts.count(run)
            for match in matches:
                tally[match] = tally.get(match, 0) + times
        return tally

    def _fact(self, run: str, words: _RunWords) -> tuple[tuple[int, str], ...]:
        fitting = list(self._closed.get(run, ()))
        for length, table in self._open:
            if length > len(run):
                break
            fitting.extend(table.get(run[:length], ()))
        first: dict[int, tuple[int, str]] = {}
        for index, rank, name in fitting:
            if index not in first or rank < first[index][0]:
                first[index] = (rank, name)
        return tuple((index, first[index][1]) for index in sorted(first))


class WordRunScreen:
    """Which of several word lists can match a text, decided from its word runs.

    Any match of a term contains each of the term's word runs (maximal runs
    of letters and digits) as a whole word run of the text, and a run
    followed by ``*`` as the start of one. Runs are compared lower-cased,
    which can only let more through than a case-sensitive list matches. A
    list none of whose terms passes this test cannot match: the screen is
    exact in that direction and conservative in the other.

    Each term is the set of tokens it needs: its closed runs, and ``prefix*``
    for each open run. A text's tokens are its runs plus ``prefix*`` for every
    open prefix one of its runs starts with (:func:`run_tokens`: the process's
    table of every screen's prefixes, one set of tokens serving all screens).
    Terms are indexed by one of their tokens, so a text looks up only the
    terms that share a token with it.
    """

    def __init__(self, lists: Sequence[Iterable[str]]):
        self.size = len(lists)
        self.always = [False] * self.size
        self.single_words: list[set[str]] = [set() for _ in lists]
        self.single_prefixes: list[set[str]] = [set() for _ in lists]
        # token -> (lists with a single-word term that is this token,
        #           (list index, tokens needed) of the longer terms indexed by it)
        index_of: dict[str, tuple[set[int], list[tuple[int, frozenset[str]]]]] = {}
        prefixes: set[str] = set()
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
                prefixes.update(opened)
                needed = frozenset(closed) | {prefix + "*" for prefix in opened}
                if single:
                    (self.single_words if closed else self.single_prefixes)[index].add(
                        (closed or opened)[0])
                    index_of.setdefault(next(iter(needed)), (set(), []))[0].add(index)
                else:
                    # The longest closed run is likely the rarest key.
                    anchor = max(closed, key=len) if closed else max(opened, key=len) + "*"
                    index_of.setdefault(anchor, (set(), []))[1].append((index, needed))
        self._index = {token: (tuple(sorted(singles)), tuple(longer))
                       for token, (singles, longer) in index_of.items()}
        self._tokens = frozenset(self._index)
        self._always = {index: 2 for index, always in enumerate(self.always) if always}
        self._prefixes = frozenset(prefixes)
        OPEN_TOKENS.register(self._prefixes)

    def __setstate__(self, state: dict) -> None:
        # Unpickled in another process (a worker): its table needs this screen's prefixes.
        self.__dict__.update(state)
        OPEN_TOKENS.register(self._prefixes)

    def text_statuses(self, text: str) -> list[int]:
        """:meth:`statuses` of the text's word runs; every list may match non-ASCII text
        (Unicode case folding can match across scripts, so the screen does not apply)."""
        if not text.isascii():
            return [2] * self.size
        return self.statuses(WORD_RUN_RE.findall(text.lower()))

    def statuses(self, runs: Iterable[str]) -> list[int]:
        """Per list: 0 cannot match; 1 only single-word terms can; 2 a longer term can."""
        status = [0] * self.size
        for index, value in self.candidates(runs if isinstance(runs, AbstractSet)
                                            else set(runs)).items():
            status[index] = value
        return status

    def candidates(self, runs: AbstractSet[str]) -> dict[int, int]:
        """:meth:`statuses` of a set of lower-cased word runs, only the lists that may match."""
        return self.candidates_of_tokens(run_tokens(runs))

    def candidates_of_tokens(self, tokens: AbstractSet[str]) -> dict[int, int]:
        """:meth:`candidates` from a text's :func:`run_tokens` (made after this screen)."""
        status = self._always.copy()
        index = self._index
        for token in tokens & self._tokens:
            singles, longer = index[token]
            for list_index in singles:
                if list_index not in status:
                    status[list_index] = 1
            for list_index, needed in longer:
                if status.get(list_index) != 2 and needed <= tokens:
                    status[list_index] = 2
        return status


class _OpenTokens(_RunFacts):
    """``facts[run] = ("prefix*", ...)``: the registered open prefixes a run starts with.

    One table per process holds the prefixes of every :class:`WordRunScreen`
    made (or unpickled) in it, so that a text's tokens serve every screen:
    tokens of another screen's prefixes are never among a screen's keys.
    ``generation`` changes whenever prefixes are added (and the table emptied).
    """

    def __init__(self):
        super().__init__()
        self.generation = object()

    def register(self, prefixes: AbstractSet[str]) -> None:
        if prefixes <= self.words.prefixes:
            return
        with self._lock:
            words = self.words
            if not prefixes <= words.prefixes:
                self._state = self._fresh(_RunWords.of((), words.prefixes | prefixes))
                self.generation = object()

    def _fact(self, run: str, words: _RunWords) -> tuple[str, ...]:
        return tuple(run[:n] + "*" for n in words.lengths
                     if n <= len(run) and run[:n] in words.prefixes)


# The process's open-prefix table (made at the end of the module, which it needs).
OPEN_TOKENS: _OpenTokens


def run_tokens(runs: AbstractSet[str]) -> AbstractSet[str]:
    """A text's tokens for :meth:`WordRunScreen.candidates_of_tokens`: its word runs and
    ``prefix*`` for every registered open prefix one of them starts with."""
    with_prefixes = OPEN_TOKENS.fact_runs(runs)
    if not with_prefixes:
        return runs
    tokens = set(runs)
    tokens.update(*with_prefixes.values())
    return tokens


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
    for position, literal in enumerate(_leading_literals(term)):
        if position:
            units.append(r"\s+")
        for char in literal:
            if not char.isascii():
                if not _ascii_equivalent(char):
                    return ()
                return None
            units.append(re.escape(char.lower()))
    return tuple(units)


def _leading_literals(term: str) -> list[str]:
    """The words of ``term`` up to its first wildcard word, that one without its ``*``:
    the part every match of the term starts with."""
    words = []
    for word in term.split():
        wildcard = word.endswith("*") and len(word) > 1
        words.append(word[:-1] if wildcard else word)
        if wildcard:
            break
    return words


def _exact_units(term: str) -> tuple[str, ...]:
    """Regex units every ASCII match of a ``"first-letter"`` ``term`` starts with.

    As :func:`_literal_units`, with the case kept: the characters as written,
    except that a lower-case first letter may be a capital (``[Tt]``); ``()``
    when the term holds a non-ASCII character, which no ASCII text matches
    (the rule compares characters exactly).
    """
    units: list[str] = []
    for position, literal in enumerate(_leading_literals(term)):
        if position:
            units.append(r"\s+")
        for index, char in enumerate(literal):
            if not char.isascii():
                return ()
            if position == 0 and index == 0 and char.islower():
                units.append(f"[{char.upper()}{char}]")
            else:
                units.append(re.escape(char))
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


OPEN_TOKENS = _OpenTokens()
