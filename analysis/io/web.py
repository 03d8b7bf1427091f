"""What a web page leaves around an article: navigation, promotion, cookie notices; and URLs.

Shared by ``sources add`` (which drops such lines when it imports a page) and
``check`` (which reports them in an article already in the corpus).
"""

from __future__ import annotations

import re

MAX_CHROME_WORDS = 20


_URL_RE = re.compile(
    r"https?://"
    r"(?:[^\s:/?#@]+(?::[^\s/?#@]*)?@)?"  # optional user:password@
    r"(?:(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{2,59})\.?"
    r"|localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])"
    r"(?::\d{1,5})?"
    r"(?:[/?#]\S*)?\Z"
)


# Markup in front of or around a line's words: headings, quotes, list bullets, emphasis.
_LINE_PREFIX_RE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)*")


_LINE_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


_LINE_EMPHASIS_RE = re.compile(r"[*_`]+")


_WORD_RE = re.compile(r"\S+")


# Whole-line web chrome: the line starts with one of these and is short.
_CHROME_RE = re.compile(
    r"(?:related(?:\s+(?:articles?|stories|story|content|news|posts?|reading|coverage|links?"
    r"|topics?|videos?))?\s*(?::|$)"
    r"|related\s+(?:articles?|stories|story|content|news|posts?|reading|coverage|links?)\b"
    r"|read\s+(?:more|also|next|the\s+latest)\b|see\s+also\b|more\s+(?:from|on\s+this|stories)\b"
    r"|recommended(?:\s+for\s+you)?\s*(?::|$)|you\s+(?:might|may)\s+also\s+(?:like|enjoy)\b"
    r"|most\s+(?:read|popular|viewed)\b|trending(?:\s+now)?\s*(?::|$)"
    r"|subscribe(?:\s+(?:to|now|for|today|here))?\b|sign\s+up\b|newsletter\s*(?::|$)"
    r"|back\s+to\s+top\b|skip\s+to\s+(?:main\s+)?content\b|share\s+(?:this|on|via|article)\b"
    r"|share\s*(?::|$)|tweet\s*$|advertisement\s*(?::|$)|sponsored(?:\s+content)?\s*(?::|$)"
    r"|follow\s+us\b|click\s+here\b|print\s*(?:this\s+(?:article|page))?\s*$"
    r"|languages?\s*:|comments?\s*(?:\(\d+\))?\s*$|leave\s+a\s+comment\b|all\s+rights\s+reserved"
    r"|(?:photo|image|picture)\s*(?:credit)?\s*:|copyright\b|©)",
    re.IGNORECASE,
)


# Cookie and consent notices, anywhere in a line of any length.
_COOKIE_RE = re.compile(
    r"\b(?:we\s+use\s+cookies|(?:this|our)\s+(?:web)?site\s+uses\s+cookies|uses\s+cookies\s+to"
    r"|accept\s+(?:all\s+)?cookies|cookie\s+(?:policy|settings|preferences|consent|notice)"
    r"|by\s+continuing\s+to\s+(?:browse|use)\s+(?:this|our)\s+(?:web)?site)\b",
    re.IGNORECASE,
)


# Navigation or language-selector lines: three or more short items between separators.
_SELECTOR_SPLIT_RE = re.compile(r"\s*(?:\||•|·|›|»)\s*|\s+/\s+")


def chrome_kind(raw: str) -> str | None:
    """What kind of web-page chrome a line of text is, or None for article text.

    Whole short lines (at most ``MAX_CHROME_WORDS`` words) that start with a
    navigation or promotion phrase ("Related articles", "Subscribe to",
    "Back to Top", "You might also like", "Share this", "Advertisement",
    "Sign up", "Language:" ...); cookie and consent notices in a line of any
    length; and lines of three or more short items between ``|``, ``•``,
    ``·``, ``›``, ``»`` or `` / `` separators (menus, language selectors; a
    Markdown table row starting with ``|`` is not one).
    """
    line = plain_line(raw)
    if not line:
        return None
    if _COOKIE_RE.search(line):
        return "a cookie or consent notice"
    if len(_WORD_RE.findall(line)) <= MAX_CHROME_WORDS and _CHROME_RE.match(line):
        return "navigation or promotion"
    if not raw.lstrip().startswith("|") and _is_selector(line):
        return "a navigation or language-selector line"
    return None


def is_valid_url(url: str) -> bool:
    """An ``http://`` or ``https://`` address with a host name (or IP, or localhost)."""
    return bool(_URL_RE.match(url))


def plain_line(raw: str) -> str:
    line = _LINE_PREFIX_RE.sub("", raw)
    line = _LINE_LINK_RE.sub(r"\1", line)
    return _LINE_EMPHASIS_RE.sub("", line).strip()


def _is_selector(line: str) -> bool:
    items = [item for item in _SELECTOR_SPLIT_RE.split(line) if item]
    return (len(items) >= 3 and len(line) <= 200
            and all(len(_WORD_RE.findall(item)) <= 3 for item in items)
            and sum(len(_WORD_RE.findall(item)) for item in items) >= 3)
