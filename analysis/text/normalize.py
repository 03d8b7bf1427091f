"""Text normalisation, Markdown stripping, tokenisation and term keys (docs/design.md §3).

Everything here is pure and cheap to import: compiled regular expressions and
small tables. Patterns are compiled once at module level because importing
scipy shrinks Python's ``re`` cache to 50 patterns.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Typographic quotes and dashes folded to ASCII after NFKC.
_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    # An em dash separates clauses ("understanding—and"), so it must not glue words.
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": " - ", "\u2015": " - ",
    "\u2212": "-", "\u00a0": " ", "\u200b": "", "\ufeff": "",
})

# Tokens: dotted abbreviations (U.S., e.g.), numbers with separators, words with
# inner hyphens or apostrophes. The same pattern an nltk RegexpTokenizer would
# take; using the compiled pattern directly keeps nltk's import off warm runs.
TOKEN_RE = re.compile(
    r"(?:[A-Za-z]\.){2,}(?![A-Za-z])"
    r"|\d+(?:[.,:/]\d+)+%?"
    r"|[^\W_]+(?:[-'][^\W_]+)*",
)
_POSSESSIVE_RE = re.compile(r"'s\Z|(?<=s)'\Z", re.IGNORECASE)

_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n+")
_NEWLINE_RE = re.compile(r"\n+")
_SPACES_RE = re.compile(r"\s+")
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_QUOTE_RE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_MD_LIST_RE = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_MD_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_AUTOLINK_RE = re.compile(r"<(https?://[^>]+)>")
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|(?<!\w)_(?=\S))")
_MD_CODE_RE = re.compile(r"`([^`]*)`")
_MD_RULE_RE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
# Quick tests that a chunk holds no Markdown at all (most news paragraphs):
# every pattern above needs one of these characters, or a "-", "+" or digit
# within three spaces of a line start.
_MD_CHARS_RE = re.compile(r"[#>\[`*_<]")
_MD_FIRST_LINE_RE = re.compile(r"\s{0,3}[-+\d]")
_MD_LINE_RE = re.compile(r"\n\s{0,3}[-+\d]")


def normalize(text: str) -> str:
    """NFKC, typographic quotes and dashes to ASCII (em dash spaced), no-break spaces to spaces."""
    return unicodedata.normalize("NFKC", text).translate(_TRANSLATE)


def paragraphs(text: str, *, markdown: bool = True) -> list[tuple[int, str]]:
    """Split a body into ``(line_number, paragraph)`` pairs, 1-based within the body.

    Paragraphs are separated by blank lines; a body without any blank line
    (common in CSV datasets) is split on single newlines. Markdown markup is
    removed so that headings, links and emphasis leave only their words.
    """
    text = normalize(text)
    separator = _BLANK_LINE_RE if _BLANK_LINE_RE.search(text) else _NEWLINE_RE
    result = []
    position = 0
    line_base = 1  # line number of ``position``
    for match in [*separator.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        line = line_base + len(chunk) - len(chunk.lstrip("\n"))
        if markdown:
            chunk = strip_markdown(chunk)
        # str.split() splits on exactly the characters \s matches: same as
        # _SPACES_RE.sub(" ", chunk).strip(), several times faster.
        chunk = " ".join(chunk.split())
        if chunk:
            result.append((line, chunk))
        if match is None:
            break
        line_base += text.count("\n", position, match.end())
        position = match.end()
    return result


def strip_markdown(chunk: str) -> str:
    """Remove the Markdown markup a news article uses, keeping its words."""
    if not (_MD_CHARS_RE.search(chunk) or _MD_FIRST_LINE_RE.match(chunk)
            or _MD_LINE_RE.search(chunk)):
        return chunk.strip()
    if _MD_RULE_RE.match(chunk):
        return ""
    chunk = _MD_HEADING_RE.sub("", chunk)
    chunk = _MD_QUOTE_RE.sub("", chunk)
    chunk = _MD_LIST_RE.sub("", chunk)
    chunk = _MD_IMAGE_RE.sub(r"\1", chunk)
    chunk = _MD_LINK_RE.sub(r"\1", chunk)
    chunk = _MD_AUTOLINK_RE.sub(r"\1", chunk)
    chunk = _MD_CODE_RE.sub(r"\1", chunk)
    chunk = _MD_EMPHASIS_RE.sub("", chunk)
    return chunk.rstrip("#").strip()


def tokenize(sentence: str) -> list[str]:
    """Surface tokens of a normalised sentence, possessive ``'s`` removed."""
    tokens = TOKEN_RE.findall(sentence)
    if "'" not in sentence:
        return tokens
    return [_POSSESSIVE_RE.sub("", t) if "'" in t else t for t in tokens]


@lru_cache(maxsize=1)
def english_stopwords() -> frozenset[str]:
    """scikit-learn's English stopword list, loaded without importing scikit-learn.

    ``sklearn.feature_extraction._stop_words`` is a plain module holding the
    list; executing just that file avoids the 1.3 s import of the package.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:  # pragma: no cover - scikit-learn is a dependency
        raise RuntimeError("scikit-learn is not installed")
    path = Path(spec.origin).parent / "feature_extraction" / "_stop_words.py"
    module_spec = importlib.util.spec_from_file_location("_framelens_sklearn_stop_words", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return frozenset(module.ENGLISH_STOP_WORDS)


def term_key(token: str) -> str:
    """The case-folded counting key of a token.

    Short all-capital acronyms that spell a stopword keep their case, so the
    country "US" (and "IT", "WHO") is never merged with the pronoun "us".
    """
    lowered = token.lower()
    if len(token) <= 3 and token.isupper() and len(token) > 1 and lowered in english_stopwords():
        return token
    return lowered


def is_stopword(key: str, extra: frozenset[str] = frozenset()) -> bool:
    """Stopword test on a counting key; case-kept acronyms ("US") are not stopwords."""
    if key != key.lower():
        return False
    return key in english_stopwords() or key in extra
