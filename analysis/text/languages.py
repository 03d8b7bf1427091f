"""Languages: detection, stopword lists and lemmas per language (all offline).

framelens reads English, Russian, Ukrainian and Chinese with their own rules
(sentence ends, word segmentation, stopwords, lexicons). Any other language a
detector names is read with the generic tokenizer and the stopword list of
stopwords-iso for it, and its tone is missing.

Detection: lingua-language-detector (Stahl, https://github.com/pemistahl/lingua-py),
which ships its n-gram models in the wheel, restricted to :data:`DETECTABLE`
(fewer candidates: faster and fewer confusions on short leads; see
``bench/language_detection.py`` for the accuracy and speed measured). It reads
at most :data:`DETECTION_CHARS` characters of the body: a news lead decides it.

Stopwords:

- ``en``: scikit-learn's English list, unchanged (docs/design.md section 3);
- ``ru``, ``uk``: the lists of Alir3z4/stop-words as shipped by the ``stop-words``
  package (function words; stopwords-iso's Russian list holds content words
  such as "россия", "москва", "война", "русский", which are framing words here,
  and its Ukrainian list lacks "і", "у", "на", "не");
- every other language (Chinese included): stopwords-iso (``stopwordsiso``).

Lemmas (``--lemmas``): simplemma (Barbaresi), which ships its dictionaries.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib import resources

from framelens.analysis.text.normalize import english_stopwords, tokenize

# Languages with their own pipeline rules and lexicon entries.
PIPELINE_LANGUAGES = ("en", "ru", "uk", "zh")
# Languages the detector chooses among (ISO 639-1): those read with their own
# rules plus the neighbours and frequent news languages they could be confused
# with, so that a Belarusian, Bulgarian or German article is not called Russian
# or English.
DETECTABLE = ("en", "ru", "uk", "zh", "be", "bg", "kk", "sr", "pl", "de", "fr", "es", "it",
              "ja", "ko")
DETECTION_CHARS = 2000
# A language code as written in front matter or a column: ISO 639-1, optionally
# with a region ("zh-CN", "en_US"), of which only the language counts.
_CODE_RE = re.compile(r"([A-Za-z]{2})(?:[-_][A-Za-z0-9]{2,8})*\Z")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER_RE = re.compile(r"[^\W\d_]")


def language_code(value: str) -> str | None:
    """The lower-case ISO 639-1 code of a declared language ("zh-CN" → "zh"); None if not one."""
    match = _CODE_RE.match(value.strip())
    return match.group(1).lower() if match else None


@lru_cache(maxsize=1)
def _detector():
    """One lingua detector per process, models loaded lazily per script."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                 for code in DETECTABLE]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language of ``text`` ("" when it has no letters to judge).

    Reads the first :data:`DETECTION_CHARS` characters. Where lingua cannot
    decide, the script decides: mostly Han characters → ``zh``, else ``en``
    for Latin letters and ``ru`` for Cyrillic.
    """
    sample = text[:DETECTION_CHARS]
    letters = _LETTER_RE.findall(sample)
    if not letters:
        return ""
    language = _detector().detect_language_of(sample)
    if language is not None:
        return language.iso_code_639_1.name.lower()
    han = len(_HAN_RE.findall(sample))
    if han * 2 >= len(letters):
        return "zh"
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters)
    return "ru" if cyrillic * 2 >= len(letters) else "en"


def stopwords(language: str) -> frozenset[str]:
    """The stopword list of a language (lower case); empty for a language without one."""
    if language == "en":
        return english_stopwords()
    return _other_stopwords(language)


@cache
def _other_stopwords(language: str) -> frozenset[str]:
    if language in ("ru", "uk"):
        name = {"ru": "russian", "uk": "ukrainian"}[language]
        text = resources.files("stop_words").joinpath("stop-words", f"{name}.txt").read_text("utf-8")
        return frozenset(w.strip().lower() for w in text.splitlines() if w.strip())
    data = json.loads(resources.files("stopwordsiso").joinpath("stopwords-iso.json")
                      .read_text("utf-8"))
    return frozenset(w.lower() for w in data.get(language, ()))


def stopwords_of(languages) -> frozenset[str]:
    """Union of the lists of several languages other than English (English is built in)."""
    result: frozenset[str] = frozenset()
    for language in sorted(set(languages) - {"en", ""}):
        result |= stopwords(language)
    return result


# simplemma knows these of the pipeline languages (not Chinese, which does not inflect).
LEMMA_LANGUAGES = ("en", "ru", "uk")


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """The lemma of a word as written in ``language`` (the word itself when unknown).

    The case matters: simplemma reads "Киева" as the city (lemma "Киев") and a
    lower-cased "киев" as a form of "кий".
    """
    if language not in LEMMA_LANGUAGES:
        return word
    import simplemma

    return simplemma.lemmatize(word, lang=language)


# Chinese word segmentation: jieba's algorithm and dictionary (Sun Junyi,
# https://github.com/fxsjy/jieba: a prefix dictionary's DAG, the most probable
# path, and an HMM for words outside the dictionary) as implemented in Rust by
# jieba-rs and bound by rjieba, which ships the dictionary. It gives the same
# words as jieba's default mode (0 differences in 46,000 tokens, see
# bench/languages.py) 15-20 times faster. Only runs of Han characters go to it;
# Latin words and numbers inside Chinese text keep the tokenizer's rules
# ("NATO", "3.5%").
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Runs of Han characters (group "han"), else the tokenizer's rules on the rest,
# with words never running into Han characters ("增长3.5%" → 增长, 3.5%).
_CHINESE_TOKEN_RE = re.compile(
    rf"(?P<han>[{_HAN}]+)"
    r"|(?:[A-Za-z]\.){2,}(?![A-Za-z])"
    r"|\d+(?:[.,:/]\d+)+%?"
    rf"|(?:(?![{_HAN}])[^\W_])+(?:[-'](?:(?![{_HAN}])[^\W_])+)*",
)


@lru_cache(maxsize=1)
def _segmenter():
    import rjieba

    return rjieba.Jieba()


def tokenize_language(sentence: str, language: str) -> list[str]:
    """Surface tokens of a normalised sentence in ``language`` (Chinese segmented into words)."""
    if language != "zh":
        return tokenize(sentence)
    cut = _segmenter().cut
    result: list[str] = []
    for match in _CHINESE_TOKEN_RE.finditer(sentence):
        if match.group("han"):
            result.extend(cut(match.group(), True))  # True: HMM for unknown words, as jieba
        else:
            result.extend(tokenize(match.group()))  # possessive 's as elsewhere
    return result
