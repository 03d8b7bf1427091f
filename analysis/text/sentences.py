"""Sentence splitting for one normalised paragraph of English news prose.

The splitter is a single compiled regex that finds candidate boundaries (a run
of ``.``, ``!`` or ``?``, optional closing quotes or brackets, then
whitespace) plus a few set look-ups that decide each candidate from the word
before it and the word after it. It was chosen over pysbd, syntok and an
untrained nltk Punkt by measurement: see ``bench/sentence_splitters.py``.

Decision rules at a candidate boundary:

* ``!`` or ``?``: split unless the next word starts in lower case
  (``"Why?" he asked.``).
* ``.`` after an ordinary word (or an ellipsis ``...``): split when the next
  word starts with an upper-case letter, a digit or an opening quote/bracket
  followed by one of those; never before a lower-case word, ``,;:`` or ``-``.
* ``.`` after a title that always precedes a name or number (``Mr.``,
  ``Dr.``, ``Gen.``, ``e.g.``, ``i.e.``, ``vs.``...): never split.
* ``.`` after any other known abbreviation (``U.S.``, ``Jan.``, ``St.``,
  ``No.``, ``etc.``, ``Inc.``...), a single letter (initials ``Joe R.
  Biden``) or letters-and-dots (``U.K.``, ``a.m.``): split only when the next
  word is a clear sentence starter (``The``, ``It``, ``But``...), so
  ``the U.S. The next day`` splits and ``U.S. President`` does not.
* A list number (``1.``) that opens a sentence never ends it.

Quotation marks do not suppress boundaries: ``"No one listened to us before.
Well, listen to us now."`` is two sentences, the first carrying the opening
quote and the second the closing one (as syntok, Punkt and CoreNLP do; pysbd
keeps a quotation whole). Text is expected to be NFKC-normalised with straight
quotes and ``-`` for dashes; any whitespace counts as a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["split_sentences"]

# A candidate boundary: a run of terminators that starts a punctuation run,
# any closing quotes/brackets/emphasis (group "term"), then whitespace before
# a non-space. Possessive quantifiers and the look-behind keep the scan linear
# even on runs such as "......" with no space after them.
_CANDIDATE = re.compile(r"""(?<![.!?])(?P<term>[.!?]++["')\]*]*+)\s+(?=\S)""")

# The word before a candidate is looked for in this many characters; longer
# words are never abbreviations.
_WORD_WINDOW = 24

# Opening quotes, brackets and Markdown emphasis that may precede a sentence.
_OPENERS = "\"'([*"

# What follows a boundary: optional opening quotes/brackets, its first
# character, and (group "rest", None unless the whole thing is a plain word
# such as "The" or "It's", not "U.S." or "A-10") the rest of the word.
_NEXT = re.compile(
    r"""["'(\[*]*(?P<first>.)(?:(?<=[A-Za-z])(?P<rest>[A-Za-z]*+)(?![\w.-]))?""",
    re.DOTALL,
)

# Letters-and-dots abbreviations and initials, without the final dot:
# "U.S", "e.g", "a.m", "J", "Ph.D".
_LETTER_DOTS = re.compile(r"(?:[A-Za-z]{1,2}\.)*[A-Za-z]")

# A bare list number, without the final dot: "1", "12", "iv".
_LIST_NUMBER = re.compile(r"\d{1,2}|[ivx]{1,4}")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Titles and connectives that always precede a name, number or phrase:
# a period after them never ends a sentence.
_NEVER_SPLIT = _words(
    """
    Mr Mrs Ms Messrs Mmes Dr Drs Prof Profs Gen Gens Lt Col Maj Capt Cpt Cmdr
    Cdr Adm Sgt Cpl Pvt Brig Gov Sen Sens Rep Reps Rev Hon Pres Amb Atty Supt
    Insp Fr Mme Mlle Msgr e.g i.e vs cf viz
    """
)

# Abbreviations that can also end a sentence: split after them only before a
# clear sentence starter ("the U.S. The next day", "and so on, etc. But").
# Compared as written and lower-cased ("Etc." -> "etc").
_ABBREVIATIONS = _words(
    """
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun
    St Ste Mt Ft Ave Blvd Rd Hwy No Nos Jr Sr Jnr Snr Esq
    Inc Corp Co Cos Ltd Plc Bros LLC Dept Assn Univ Govt Intl Natl
    Ala Ariz Calif Colo Conn Fla Kan Kans Ky Md Mich Minn Neb Nev Okla Tenn Tex
    Va Vt Wis Wyo
    Art Sec Ch Fig Vol Para pp approx
    etc al est ca bn mln tn yr yrs hr hrs min mins sec secs km cm mm kg lb lbs oz
    sq Ph.D
    """
)

# Capitalised words that almost always open a sentence and are rarely part of
# a name or title after "U.S.", "Jan." or an initial.
_STARTERS = _words(
    """
    The A An This That These Those It Its He She They We I You His Her Their
    Our My Your There Here Then Now Thus So But And Or Nor Yet Still Also
    However Meanwhile Moreover Furthermore Nevertheless Nonetheless Instead
    Indeed Therefore Hence Besides Otherwise Likewise Similarly Accordingly
    In On At For From With By To Of Into Within Without Through Despite During
    After Before Since Until While When Whenever Where Whether If Unless
    Although Though Because As Once Whatever
    What Who Whom Whose Why How Which
    Some Many Most Much Several Such Each Every Both Either Neither Other
    Others Another Any All Few No Not None Nothing Nobody Only Even Just
    Last Next Earlier Later Today Yesterday Tomorrow Tonight Recently
    According Is Are Was Were Do Does Did Has Have Had Can Could Will Would
    Should Might Must
    """
)


@dataclass(frozen=True)
class _Rules:
    """The word tables of one language's ``.`` decisions (see the module docstring)."""

    next_word: re.Pattern
    never_split: frozenset[str]
    abbreviations: frozenset[str]
    starters: frozenset[str]
    letter_dots: re.Pattern


_ENGLISH = _Rules(_NEXT, _NEVER_SPLIT, _ABBREVIATIONS, _STARTERS, _LETTER_DOTS)

# Russian and Ukrainian. Sources: the abbreviation lists of the Russian spelling
# rules (Правила русской орфографии и пунктуации, 2006, §§ 203-211 "Графические
# сокращения") and of Український правопис (2019, § 149), reduced to those
# frequent in news; the sentence starters are the pronouns, conjunctions,
# prepositions and adverbs that open a sentence and never follow an initial.
_CYRILLIC_NEXT = re.compile(
    r"""["'(\[*]*(?P<first>.)(?:(?<=[^\W\d_])(?P<rest>[^\W\d_]*+)(?![\w.-]))?""",
    re.DOTALL,
)
_CYRILLIC_LETTER_DOTS = re.compile(r"(?:[^\W\d_]{1,2}\.)*[^\W\d_]")
# Never end a sentence: titles and words always followed by a name or number.
_CYRILLIC_NEVER = _words(
    """
    им ім ул вул просп пр-т пер пров пл акад проф доц ген адм полк подполк
    тов св г-жа напр см див рис табл гл разд п.п пп
    """
)
# Two-part abbreviations that never end a sentence: "т. е." (то есть), "т. к.",
# "т. н." / "т. зв." (так называемый), "и. о." / "в. о." (acting), with or without spaces.
_CYRILLIC_NEVER_PAIR = re.compile(r"(?:^|[^\w.])(?:т\.\s*[екнч]|т\.\s*зв|и\.\s*о|в\.\s*о)\Z",
                                  re.IGNORECASE)
# May end a sentence ("в 2014 г." "и т. д."): split only before a clear starter.
_CYRILLIC_ABBREVIATIONS = _words(
    """
    г гг ст д др пр т.д т.п н.э до.н.э в вв р рр с ч м км кв
    тыс тис млн млрд трлн руб коп долл грн евро ін т.ін і.т.д
    """
)
_CYRILLIC_STARTERS = _words(
    """
    Это Эти Этот Эта Этого Он Она Оно Они Мы Я Вы Его Ее Её Их Но И А Однако Также Кроме
    Поэтому Тем Так Как Когда Если После До В Во На По При С Со Для Из Об О У К Не Ни
    Все Всё Там Тогда Теперь Сейчас Сегодня Вчера Завтра Здесь Затем Потом Впрочем
    Между Хотя Ведь Уже Еще Ещё Лишь Только Что Кто Где Почему Зачем Какой Какие
    Который Которые Такой Такие Возможно Кстати Наконец Между Против Через Среди Несмотря
    Це Ці Цей Ця Цього Він Вона Воно Вони Ми Ви Її Але І Й Однак Проте Крім Тому Якщо
    Після Із Зі Від Про Всі Тоді Тепер Зараз Сьогодні Вчора Тут Потім Втім Між Хоча
    Адже Вже Ще Лише Тільки Хто Де Чому Який Які Котрий Такий Такі Можливо Серед Попри
    """
)
_CYRILLIC = _Rules(_CYRILLIC_NEXT, _CYRILLIC_NEVER, _CYRILLIC_ABBREVIATIONS,
                   _CYRILLIC_STARTERS, _CYRILLIC_LETTER_DOTS)


def _cyrillic_never_ends(before: str, word: str) -> bool:
    """``т. е.``, ``т. к.``...: the period after the second letter never ends a sentence."""
    return len(word) <= 4 and _CYRILLIC_NEVER_PAIR.search(before) is not None


# Chinese: a sentence ends after 。！？； (NFKC folds the full-width ！？； to
# ASCII) or their ASCII forms, with the closing quotes and brackets that follow
# them; an ASCII "." only right after a Han character and not inside a number
# or an ellipsis ("……" becomes "......" under NFKC, and does not end one).
_ZH_END = re.compile(r"[。!?;]+|(?<=[\u3400-\u9fff])\.(?![.\d])")
_ZH_CLOSERS = ")]」』》）〉"


def _split_chinese(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Spans of the Chinese sentences of ``text[start:stop]`` (already stripped)."""
    spans: list[tuple[int, int]] = []
    for m in _ZH_END.finditer(text, start, stop):
        end = m.end()
        if end < start:
            continue  # inside closers already taken into the previous sentence
        # Closing brackets belong to the sentence; a straight quote does when the
        # sentence has an odd number of them (after NFKC both “ and ” are ").
        while end < stop and (text[end] in _ZH_CLOSERS
                              or (text[end] == '"' and text.count('"', start, end) % 2 == 1)):
            end += 1
        if end >= stop:
            break
        spans.append((start, end))
        start = end + len(text[end:stop]) - len(text[end:stop].lstrip())
    if start < stop:
        spans.append((start, stop))
    return spans


def split_sentences(text: str, language: str = "en") -> list[tuple[int, int]]:
    """Return the ``(start, end)`` character spans of the sentences in ``text``.

    ``text`` is one paragraph. Spans are in order, do not overlap, carry no
    leading or trailing whitespace, and together cover every non-whitespace
    character of ``text``. Empty or all-whitespace text gives ``[]``.
    ``language`` (ISO 639-1) picks the rules: Chinese (:func:`_split_chinese`),
    Russian and Ukrainian (their abbreviations and sentence starters), and the
    English rules for every other language.
    """
    stripped = text.strip()
    if not stripped:
        return []
    start = len(text) - len(text.lstrip())
    stop = start + len(stripped)
    if language == "zh":
        return _split_chinese(text, start, stop)
    rules = _CYRILLIC if language in ("ru", "uk") else _ENGLISH

    spans: list[tuple[int, int]] = []
    for m in _CANDIDATE.finditer(text, start, stop):
        nxt = rules.next_word.match(text, m.end())  # always matches: a non-space follows
        first = nxt.group("first")
        if first.islower() or not (first.isalnum() or first in _OPENERS):
            # Lower case, or punctuation such as , ; : - that continues.
            continue
        term = m.group("term")
        at = m.start()
        if term[0] == ".":
            before = text[max(start, at - _WORD_WINDOW) : at]
            word = "" if not before or before[-1].isspace() else before.split()[-1]
            if rules is _CYRILLIC and _cyrillic_never_ends(before, word):
                continue
            if not _ends_sentence(word, term, nxt.group("rest"), first, at - len(word) == start,
                                  rules):
                continue
        spans.append((start, at + len(term)))
        start = m.end()
    spans.append((start, stop))
    return spans


def _ends_sentence(word: str, term: str, rest: str | None, first: str, opens_sentence: bool,
                   rules: _Rules) -> bool:
    """Decide a ``.`` boundary from the word before it and the word after it.

    ``first`` and ``rest`` are the first character and the rest of the next
    word (``rest`` is None when the next token is not a plain word).
    """
    if term.startswith(".."):
        # An ellipsis ends a sentence before a capital, unless it marks an
        # elision in brackets: "[...]", "(...)".
        return not word.endswith(("[", "("))
    # Strip opening quotes/brackets and keep the part after the last hyphen:
    # '("U.S' -> 'U.S', 'Russia-U.S' -> 'U.S'.
    word = word.lstrip(_OPENERS).rpartition("-")[2]
    if not word:
        return True
    if word in rules.never_split:
        return False
    if opens_sentence and _LIST_NUMBER.fullmatch(word):
        return False
    if (word in rules.abbreviations or word.lower() in rules.abbreviations
            or rules.letter_dots.fullmatch(word)):
        return rest is not None and first + rest in rules.starters
    return True
