"""VADER's compound score, equal to the reference package's and several times faster.

VADER (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for
Sentiment Analysis of Social Media Text", ICWSM) scores a text by summing the
valences of its lexicon words after a few rules, then normalising the sum
``x`` to ``x / sqrt(x**2 + 15)``. :class:`CompoundScorer` gives exactly the
float that ``vaderSentiment`` 3.3 (the authors' reference implementation)
returns as ``polarity_scores(text)["compound"]``, for every string: it reads
the package's own lexicon files and word lists, applies the same rules in the
same floating-point order, and tests/analysis/process/test_vader.py checks
equality (``==``) against the package on real, generated and random text.

What the reference does, and so what this does:

- every emoji character that has an entry in the emoji lexicon is replaced by
  its description, after a space (none after it: an emoji glued to a word
  before a letter makes one token of its description's last word and that
  word); descriptions are read like any other words;
- the text is split on whitespace and each token loses its leading and trailing
  ASCII punctuation, unless that leaves two characters or fewer (emoticons
  such as ``:)`` keep theirs);
- a token scores if its lower case is in the lexicon and is not a booster
  ("very", "kinda", ...), and "kind" scores nothing when "of" follows;
- "no" before a lexicon word scores 0, and a word one or two tokens after
  "no" (or three, with "or"/"nor" just before it) is negated (times -0.74);
- an ALL-CAPS word gains 0.733 in its direction when the text mixes case
  (some tokens all capitals, some not); with a valence of 0 it loses it;
- each of the three tokens before the word that is not itself a lexicon word
  may be a booster (+-0.293 towards the word's sign, more in capitals; times
  0.95 two tokens back, 0.9 three back) and may negate it ("not", "never",
  any token containing "n't", ...), except "never so/this" (times 1.25),
  "without doubt" (unchanged), and "so"/"this" just before the word when the
  third token back is checked (times 1.25, a quirk of the reference);
- three tokens back also looks for idioms ("the shit", "kiss of death", ...:
  the idiom's valence replaces the word's) and adds the dampener of "kind
  of", "sort of" or "just enough" when they precede the word;
- "least" just before a word negates it, unless "at least" or "very least";
- when "but" occurs, the scores before its first occurrence are halved and
  those after it multiplied by 1.5, in the reference's order: each score in
  turn rescales the first score equal to it, which is not always its own;
- the sum gains 0.292 per "!" (at most 4) and 0.18 per "?" when there are two
  or three (0.96 for more), away from zero, before normalisation; the
  compound is rounded to 4 decimals.

Speed comes from doing each step once: one lower-casing per token, set and
dict look-ups instead of list scans, the modifier rules only for tokens in
the lexicon (and the idiom strings only when their words occur), and no
per-character loop unless the text holds an emoji.
"""

from __future__ import annotations

import math
import re
import string
from importlib import resources

# The rule tables (negations, boosters, idioms, their increments) are read from
# the reference package, like its lexicons, so the two cannot drift apart.
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
)

_PACKAGE = "vaderSentiment"
LEXICON_FILE = "vader_lexicon.txt"
EMOJI_LEXICON_FILE = "emoji_utf8_lexicon.txt"

NORMALISATION_ALPHA = 15
# Hutto & Gilbert's empirical increments for punctuation emphasis.
EXCLAMATION_INCREMENT = 0.292
MAX_EXCLAMATIONS = 4
QUESTION_INCREMENT = 0.18
MAX_QUESTION_AMPLIFIER = 0.96
# A booster two and three tokens before a word counts less.
BOOSTER_DISTANCE_FACTORS = (1.0, 0.95, 0.9)
NEVER_SO_FACTOR = 1.25
BUT_BEFORE_FACTOR = 0.5
BUT_AFTER_FACTOR = 1.5

_NEGATIONS = frozenset(NEGATE)
_SO_THIS = ("so", "this")
# Words of the multi-word idioms and boosters: an idiom can only match where its words occur.
_PHRASE_WORDS = frozenset(word for phrase in (*SPECIAL_CASES, *BOOSTER_DICT)
                          if " " in phrase for word in phrase.split(" "))


def _read_package_text(name: str) -> str:
    # Bytes decoded as UTF-8, as the reference reads them (no newline translation).
    return resources.files(_PACKAGE).joinpath(name).read_bytes().decode("utf-8")


def _tab_separated_pairs(text: str) -> list[tuple[str, str]]:
    """(first, second) field of each non-empty line of a lexicon file."""
    pairs = []
    for line in text.split("\n"):
        if line.strip():
            first, second = line.strip().split("\t")[:2]
            pairs.append((first, second))
    return pairs


def _negates(word: str) -> bool:
    """Whether a lower-case token is a negation: listed, or containing "n't"."""
    return word in _NEGATIONS or "n't" in word


def _mixes_case(words: list[str]) -> bool:
    """Whether some but not all tokens are ALL CAPS (VADER's cap differential)."""
    capitals = sum(map(str.isupper, words))
    return 0 < capitals < len(words)


class CompoundScorer:
    """VADER compound scores (:meth:`compound`), with the reference package's lexicons."""

    def __init__(self) -> None:
        self.lexicon: dict[str, float] = {
            word: float(valence)
            for word, valence in _tab_separated_pairs(_read_package_text(LEXICON_FILE))}
        # Only single characters are ever replaced (the reference reads the text a
        # character at a time).
        self.emoji_descriptions: dict[str, str] = {
            emoji: description
            for emoji, description in _tab_separated_pairs(_read_package_text(EMOJI_LEXICON_FILE))
            if len(emoji) == 1}
        self._emoji_pattern = re.compile(
            "[" + "".join(map(re.escape, sorted(self.emoji_descriptions))) + "]")
        # Boosters score nothing even when they are lexicon words.
        self._scoring = {word: valence for word, valence in self.lexicon.items()
                         if word not in BOOSTER_DICT}

    def compound(self, text: str) -> float:
        """``SentimentIntensityAnalyzer().polarity_scores(text)["compound"]``, exactly."""
        if not text.isascii() and self._emoji_pattern.search(text) is not None:
            text = self._describe_emoji(text)
        words = text.split()
        if not words:
            return 0.0
        punctuation = string.punctuation
        words = [word if len(bare := word.strip(punctuation)) <= 2 else bare for word in words]
        # Lower-cased together: str.lower's one rule that reads the context (final
        # sigma) stops at spaces, and no character lower-cases to a space.
        lowers = " ".join(words).lower().split(" ")
        scoring = self._scoring
        hits = [i for i, word in enumerate(lowers) if word in scoring]
        if not hits:
            return 0.0
        lexicon = self.lexicon
        last = len(lowers) - 1
        mixes_case: bool | None = None  # computed when a capitalised token asks for it
        positions: list[int] = []
        valences: list[float] = []
        for i in hits:
            word = lowers[i]
            if word == "kind" and i < last and lowers[i + 1] == "of":
                continue
            valence = lexicon[word]
            if word == "no" and i < last and lowers[i + 1] in lexicon:
                valence = 0.0  # "no" negates the next word instead of scoring itself
            if ((i > 0 and lowers[i - 1] == "no") or (i > 1 and lowers[i - 2] == "no")
                    or (i > 2 and lowers[i - 3] == "no" and lowers[i - 1] in ("or", "nor"))):
                valence = lexicon[word] * N_SCALAR
            if words[i].isupper():
                if mixes_case is None:
                    mixes_case = _mixes_case(words)
                if mixes_case:
                    valence = valence + C_INCR if valence > 0 else valence - C_INCR
            for distance in (1, 2, 3):
                if i < distance:
                    break
                before = lowers[i - distance]
                if before in lexicon:
                    continue
                if before in BOOSTER_DICT:
                    if mixes_case is None and words[i - distance].isupper():
                        mixes_case = _mixes_case(words)
                    scalar = self._booster_scalar(words[i - distance], before, valence,
                                                  bool(mixes_case))
                    if distance > 1:
                        scalar = scalar * BOOSTER_DISTANCE_FACTORS[distance - 1]
                    valence = valence + scalar
                if before in _NEGATIONS or "n't" in before \
                        or (distance == 3 and lowers[i - 1] in _SO_THIS):
                    valence = self._after_negation(valence, lowers, i, distance)
                if distance == 3 and (lowers[i - 2] in _PHRASE_WORDS
                                      or lowers[i - 1] in _PHRASE_WORDS
                                      or word in _PHRASE_WORDS):
                    valence = self._after_idioms(valence, lowers, i)
            if i > 0 and lowers[i - 1] == "least" and "least" not in lexicon \
                    and not (i > 1 and lowers[i - 2] in ("at", "very")):
                valence = valence * N_SCALAR
            positions.append(i)
            valences.append(valence)
        if "but" in lowers:
            _rescale_around_but(valences, positions, lowers.index("but"))
        total = float(sum(valences))
        if total == 0:
            return 0.0
        emphasis = _punctuation_emphasis(text)
        total = total + emphasis if total > 0 else total - emphasis
        normalised = total / math.sqrt(total * total + NORMALISATION_ALPHA)
        return round(max(-1.0, min(1.0, normalised)), 4)

    def _describe_emoji(self, text: str) -> str:
        # The reference adds the space only after a character other than a space;
        # an extra space changes no token, so one always goes before the description.
        descriptions = self.emoji_descriptions
        return self._emoji_pattern.sub(lambda match: " " + descriptions[match.group()], text)

    @staticmethod
    def _booster_scalar(word: str, lower: str, valence: float, mixes_case: bool) -> float:
        """The booster's increment towards the sign of ``valence`` (more in capitals)."""
        scalar = BOOSTER_DICT[lower]
        if valence < 0:
            scalar = -scalar
        if mixes_case and word.isupper():
            scalar = scalar + C_INCR if valence > 0 else scalar - C_INCR
        return scalar

    @staticmethod
    def _after_negation(valence: float, lowers: list[str], i: int, distance: int) -> float:
        """The valence of word ``i`` once the token ``distance`` before it is read as a negation.

        Only a negation, or "so"/"this" just before the word when ``distance`` is 3,
        changes it.
        """
        before = lowers[i - distance]
        if distance == 2:
            if before == "never" and lowers[i - 1] in _SO_THIS:
                return valence * NEVER_SO_FACTOR
            if before == "without" and lowers[i - 1] == "doubt":
                return valence
        elif distance == 3:
            if (before == "never" and lowers[i - 2] in _SO_THIS) or lowers[i - 1] in _SO_THIS:
                return valence * NEVER_SO_FACTOR
            if before == "without" and "doubt" in (lowers[i - 2], lowers[i - 1]):
                return valence
        if _negates(before):
            return valence * N_SCALAR
        return valence

    @staticmethod
    def _after_idioms(valence: float, lowers: list[str], i: int) -> float:
        """The valence of word ``i`` (``i >= 3``) after the idioms and phrase boosters around it.

        Every idiom and phrase holds token ``i - 2``, ``i - 1`` or ``i``: nothing
        changes unless one of them is a word of one (:data:`_PHRASE_WORDS`).
        """
        w3, w2, w1, w0 = lowers[i - 3], lowers[i - 2], lowers[i - 1], lowers[i]
        p3, p2, p1, p0 = (w in _PHRASE_WORDS for w in (w3, w2, w1, w0))
        # The first of these idioms that matches sets the valence.
        for matches, phrase in ((p1 and p0, (w1, w0)), (p2 and p1 and p0, (w2, w1, w0)),
                                (p2 and p1, (w2, w1)), (p3 and p2 and p1, (w3, w2, w1)),
                                (p3 and p2, (w3, w2))):
            if matches and (idiom := " ".join(phrase)) in SPECIAL_CASES:
                valence = SPECIAL_CASES[idiom]
                break
        # Idioms starting at the word override it.
        if p0 and len(lowers) - 1 > i and lowers[i + 1] in _PHRASE_WORDS:
            if (idiom := f"{w0} {lowers[i + 1]}") in SPECIAL_CASES:
                valence = SPECIAL_CASES[idiom]
            if len(lowers) - 1 > i + 1 and lowers[i + 2] in _PHRASE_WORDS \
                    and (idiom := f"{w0} {lowers[i + 1]} {lowers[i + 2]}") in SPECIAL_CASES:
                valence = SPECIAL_CASES[idiom]
        # Multi-word dampeners ("kind of") just before the word.
        for matches, phrase in ((p3 and p2 and p1, (w3, w2, w1)), (p3 and p2, (w3, w2)),
                                (p2 and p1, (w2, w1))):
            if matches and (booster := " ".join(phrase)) in BOOSTER_DICT:
                valence = valence + BOOSTER_DICT[booster]
        return valence


def _rescale_around_but(valences: list[float], positions: list[int], but: int) -> None:
    """Halve the scores before token ``but``, multiply those after it by 1.5, in place.

    As in the reference, score ``k`` in turn rescales the first score equal to
    it (which an earlier rescaling may have made equal). Zeros stay zero.
    """
    for k in range(len(valences)):
        valence = valences[k]
        if valence == 0:
            continue
        first = valences.index(valence)
        if positions[first] < but:
            valences[first] = valence * BUT_BEFORE_FACTOR
        elif positions[first] > but:
            valences[first] = valence * BUT_AFTER_FACTOR


def _punctuation_emphasis(text: str) -> float:
    """Hutto & Gilbert's amplifier for "!" (up to 4) and "?" (2 or more)."""
    exclamations = min(text.count("!"), MAX_EXCLAMATIONS)
    amplifier = exclamations * EXCLAMATION_INCREMENT
    questions = text.count("?")
    if questions > 1:
        amplifier = amplifier + (questions * QUESTION_INCREMENT if questions <= 3
                                 else MAX_QUESTION_AMPLIFIER)
    return amplifier
