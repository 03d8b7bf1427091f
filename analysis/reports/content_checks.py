"""``check``'s checks on an article's text (the pipeline's sentences and tokens): length,
repeated sentences and pull quotes, web-page leftovers, language, and duplicates of other
articles (exact, and TF-IDF near-duplicates: :mod:`framelens.analysis.reports.duplicates`).
The heuristics and their constants are described in :mod:`framelens.analysis.reports.checks`."""

from __future__ import annotations

import re
from collections import defaultdict

from framelens.analysis.io.documents import ARTICLE_SUFFIX, Corpus, Document
from framelens.analysis.io.web import chrome_kind, plain_line
from framelens.analysis.reports.check_codes import CheckRow, row

MIN_REPEAT_TOKENS = 6


PULL_QUOTE_TOKENS = (8, 60)


MIN_STOPWORD_RATIO = 0.2


MIN_LANGUAGE_TOKENS = 50


MAX_NON_LATIN_SHARE = 0.3


MIN_SCRIPT_LETTERS = 100



_LETTER_RE = re.compile(r"[^\W\d_]")


_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def content_rows(corpus: Corpus, reported: set[str], texts: dict[str, str]) -> list[CheckRow]:
    from framelens.analysis.reports.duplicates import duplicate_rows, processed_subset
    from framelens.analysis.text.languages import PIPELINE_LANGUAGES
    from framelens.analysis.text.normalize import english_stopwords

    # Only the reported articles are processed here: the duplicate checks read the rest
    # of the corpus from their cached summaries.
    chosen = [i for i, d in enumerate(corpus.documents) if d.path in reported]
    docs = processed_subset(corpus, chosen)
    settings = corpus.config.check
    stopwords = english_stopwords()
    rows: list[CheckRow] = []
    for document, doc in zip((corpus.documents[i] for i in chosen), docs, strict=True):
        words = doc.token_count
        if words < settings.min_words:
            rows.append(row("FL045", document.path, document.body_line,
                            f"the article has {words} words, fewer than [check] min_words = "
                            f"{settings.min_words}: is the text complete (a teaser or an "
                            "extraction that stopped early)?"))
        elif words > settings.max_words:
            rows.append(row("FL046", document.path, document.body_line,
                            f"the article has {words:,} words, more than [check] max_words = "
                            f"{settings.max_words:,}: is it several articles in one file?"))
        rows += _repeat_rows(document, doc)
        rows += _chrome_rows(document)
        if doc.language == "en":
            rows += _language_rows(document, doc, stopwords)
        elif document.language:  # declared: does the text agree?
            rows += _declared_language_rows(document, doc, texts.get(document.path))
        if doc.language and doc.language not in PIPELINE_LANGUAGES:
            rows.append(row("FL044", document.path, document.body_line,
                            f"the article is in {doc.language!r}, which framelens reads without "
                            "rules of its own (sentence ends, lexicons; tone is missing): "
                            "translate it or keep it apart"))
    rows += duplicate_rows(corpus, reported)
    return rows


def _repeat_rows(document: Document, doc) -> list[CheckRow]:
    """Repeated sentences (runs of them as one row) and pull-quote paragraphs."""
    rows = []
    keys = [tuple(t.casefold() for t in tokens) for tokens in doc.tokens]
    first: dict[tuple[str, ...], int] = {}
    flagged_paragraphs: set[int] = set()
    run: list[tuple[int, int]] = []  # (repeat index, original index)

    def close_run() -> None:
        if not run:
            return
        index, original = run[0]
        count = len(run)
        what = (f"{count} sentences repeat" if count > 1 else "this sentence repeats")
        rows.append(row("FL042", document.path, body_file_line(document, doc.lines[index]),
                        f"{what} text from line {body_file_line(document, doc.lines[original])}"
                        f": {excerpt(doc.sentences[index])!r}; remove the repeat (a pull "
                        "quote or text pasted twice)"))
        flagged_paragraphs.update(doc.paragraph[i] for i, _ in run)
        run.clear()

    for index, key in enumerate(keys):
        original = first.get(key)
        if original is None or len(key) < MIN_REPEAT_TOKENS:
            first.setdefault(key, index)
            close_run()
            continue
        if run and (run[-1][0] != index - 1 or run[-1][1] != original - 1):
            close_run()
        run.append((index, original))
    close_run()

    # Pull quotes: a short paragraph whose tokens appear inside another paragraph.
    paragraph_tokens: dict[int, list[str]] = defaultdict(list)
    paragraph_line: dict[int, int] = {}
    for key, paragraph, line in zip(keys, doc.paragraph, doc.lines, strict=True):
        paragraph_tokens[paragraph].extend(key)
        paragraph_line.setdefault(paragraph, line)
    joined = {p: " " + " ".join(tokens) + " " for p, tokens in paragraph_tokens.items()}
    low, high = PULL_QUOTE_TOKENS
    for paragraph, tokens in paragraph_tokens.items():
        if paragraph in flagged_paragraphs or not low <= len(tokens) <= high:
            continue
        needle = joined[paragraph]
        for other, haystack in joined.items():
            if other != paragraph and len(haystack) > len(needle) and needle in haystack:
                rows.append(row(
                    "FL042", document.path, body_file_line(document, paragraph_line[paragraph]),
                    f"this paragraph repeats text from line "
                    f"{body_file_line(document, paragraph_line[other])}: "
                    f"{excerpt(' '.join(tokens))!r}; remove it if it is a pull quote"))
                break
    return rows


def _chrome_rows(document: Document) -> list[CheckRow]:
    """Lines left over from the web page around the article."""
    rows = []
    for offset, raw in enumerate(document.text.split("\n")):
        what = chrome_kind(raw)
        if what:
            rows.append(row("FL043", document.path, body_file_line(document, offset + 1),
                            f"{excerpt(plain_line(raw))!r} looks like {what} left over from "
                            "the web page; delete the line"))
    return rows


def _declared_language_rows(document: Document, doc, text: str | None) -> list[CheckRow]:
    """The declared language against the one lingua detects in the first sentences."""
    from framelens.analysis.text.languages import DETECTION_CHARS, detect_language

    sample, size = [], 0
    for sentence in doc.sentences:
        if size >= DETECTION_CHARS:
            break
        sample.append(sentence)
        size += len(sentence) + 1
    detected = detect_language(" ".join(sample))
    if not detected or detected == document.language:
        return []
    return [row("FL044", document.path, key_line(text, "language") or document.body_line,
                f"the article declares language {document.language!r} but its text reads as "
                f"{detected!r} (lingua): fix the language (or --language-column), or leave it "
                "out to have it detected; sentence rules, stopwords and lexicons follow it")]


def _language_rows(document: Document, doc, stopwords: frozenset[str]) -> list[CheckRow]:
    rows = []
    tokens = [t for sentence in doc.tokens for t in sentence]
    if len(tokens) >= MIN_LANGUAGE_TOKENS:
        ratio = sum(t.lower() in stopwords for t in tokens) / len(tokens)
        if ratio < MIN_STOPWORD_RATIO:
            rows.append(row("FL044", document.path, document.body_line,
                            f"only {ratio:.0%} of the words are English stopwords (English "
                            f"prose has 40-50%, the check wants {MIN_STOPWORD_RATIO:.0%}): is "
                            "the article in English, and is it prose rather than a list or "
                            "a table?"))
    letters = len(_LETTER_RE.findall(document.text))
    if letters >= MIN_SCRIPT_LETTERS:
        share = 1 - len(_LATIN_RE.findall(document.text)) / letters
        if share > MAX_NON_LATIN_SHARE:
            rows.append(row("FL044", document.path, document.body_line,
                            f"{share:.0%} of the letters are not Latin script (the check allows "
                            f"{MAX_NON_LATIN_SHARE:.0%}): the article does not look English; "
                            "add a translation or leave it out"))
    return rows


def excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_KEY_RE = re.compile(r"([A-Za-z_][\w-]*)\s*:")


_FENCE_LINE_RE = re.compile(r"---[ \t]*\Z")


def key_line(text: str | None, key: str) -> int | None:
    """File line of ``key:`` in the front matter of ``text``."""
    if text is None:
        return None
    for number, line in enumerate(text.split("\n")[1:], start=2):
        if _FENCE_LINE_RE.match(line):
            return None
        match = _KEY_RE.match(line)
        if match and match.group(1) == key:
            return number
    return None


def body_file_line(document: Document, body_line: int) -> int:
    """File line of a 1-based body line (tabular rows only have their row line)."""
    if document.path.endswith(ARTICLE_SUFFIX):
        return document.body_line + body_line - 1
    return document.body_line
