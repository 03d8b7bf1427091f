"""Keyword in context: every occurrence of a word, phrase or wildcard, with its context.

The query follows the lexicon rules of topic terms
(:mod:`framelens.analysis.text.lexicon`): case-insensitive, on word boundaries,
words of a phrase separated by any whitespace, ``*`` at the end of a word as
a suffix wildcard (``sanction*``). Matching runs on the pipeline's
normalised sentences, so a match never crosses a sentence boundary, and the
context is the text of up to ``window`` tokens (the pipeline tokenizer's
tokens) on each side within the sentence, trimmed of surrounding spaces and
extended to the next space so attached punctuation stays with its word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.pipeline import corpus_part, processed
from framelens.analysis.results import Result, StreamedResult
from framelens.analysis.text.lexicon import Lexicon
from framelens.analysis.text.normalize import TOKEN_RE, normalize

STREAM_CHUNK_DOCUMENTS = 2000
"""Documents a streamed concordance reads and searches at a time."""
_WORD_CHAR_RE = re.compile(r"[^\W_]")
_BAD_WILDCARD_RE = re.compile(r"\*(?!\s|\Z)|(?:^|\s)\*")


@dataclass(frozen=True)
class KwicRow:
    doc_id: str
    perspective: str
    sentence_index: int
    left: str
    match: str
    right: str


def check_query(query: str) -> str:
    """The normalised query, or OptionError for an empty or malformed one."""
    text = " ".join(normalize(query).split())
    if not text:
        raise OptionError("the query is empty: give a word, a phrase or a wildcard like 'sanction*'")
    if not _WORD_CHAR_RE.search(text):
        raise OptionError(f"the query {query!r} has no letters or digits")
    if _BAD_WILDCARD_RE.search(text):
        raise OptionError(f"in {query!r}, '*' may only end a word (as in 'sanction*')")
    return text


def left_context(sentence: str, start: int, window: int) -> str:
    """Up to ``window`` whole tokens of ``sentence`` ending before position ``start``.

    Tokens are the pipeline tokenizer's, found in the whole sentence, so a
    token the match begins inside of (none, with word-boundary matching) is
    not counted. Text from the first counted token (extended back to the
    preceding space, keeping an opening quote) up to the match is returned,
    stripped of spaces.
    """
    if window <= 0:
        return ""
    starts = [m.start() for m in TOKEN_RE.finditer(sentence) if m.end() <= start]
    if len(starts) <= window:
        return sentence[:start].strip()
    first = starts[-window]
    space = sentence.rfind(" ", 0, first)
    return sentence[space + 1:start].strip()


def right_context(sentence: str, end: int, window: int) -> str:
    """Up to ``window`` whole tokens of ``sentence`` starting after position ``end``.

    The rest of a token the match ends inside of ("'s" after "NATO" in
    "NATO's") is kept but not counted; the text runs to the end of the last
    counted token, extended to the next space (keeping closing punctuation),
    stripped of spaces.
    """
    if window <= 0:
        return ""
    ends = [m.end() for m in TOKEN_RE.finditer(sentence) if m.start() >= end]
    if len(ends) <= window:
        return sentence[end:].strip()
    last = ends[window - 1]
    space = sentence.find(" ", last)
    return sentence[end:space if space >= 0 else len(sentence)].strip()


def kwic(corpus: Corpus, query: str, *, window: int = 8, perspective: str | None = None) -> Result:
    """Concordance lines of ``query`` across perspectives (or one ``perspective``).

    Rows are sorted by perspective (config order), document id, sentence
    index and position in the sentence.
    """
    return kwic_stream(corpus, query, window=window, perspective=perspective).collect()


def kwic_stream(corpus: Corpus, query: str, *, window: int = 8,
                perspective: str | None = None) -> StreamedResult:
    """:func:`kwic` made ``STREAM_CHUNK_DOCUMENTS`` documents at a time, in output order
    (perspective, id): only one part's sentences are held at once."""
    text = check_query(query)
    if window < 0:
        raise OptionError(f"--window must be 0 or more, got {window}")
    perspectives = corpus.perspective_ids
    if perspective is not None and perspective not in perspectives:
        raise OptionError(f"unknown perspective {perspective!r} (corpus has: "
                          f"{', '.join(perspectives)})")
    lexicon = Lexicon({text: [text]}, case="insensitive")
    order = {p: i for i, p in enumerate(perspectives)}
    ranked = sorted((d for d in corpus.documents if perspective in (None, d.perspective)),
                    key=lambda d: (order[d.perspective], d.id))

    def chunks():
        for start in range(0, len(ranked), STREAM_CHUNK_DOCUMENTS):
            part = corpus_part(corpus, ranked[start:start + STREAM_CHUNK_DOCUMENTS])
            found: list[tuple[tuple[int, str, int, int], KwicRow]] = []
            for document, doc in zip(part.documents, processed(part), strict=True):
                for index, sentence in enumerate(doc.sentences):
                    for match in lexicon.find(sentence):
                        row = KwicRow(document.id, document.perspective, index,
                                      left_context(sentence, match.start, window), match.text,
                                      right_context(sentence, match.end, window))
                        found.append(((order[document.perspective], document.id, index,
                                       match.start), row))
            found.sort(key=lambda item: item[0])
            yield tuple(row for _, row in found)

    def warnings(count: int) -> tuple[str, ...]:
        return () if count else (f"no matches for {text!r}",)

    def finish(rows: tuple[KwicRow, ...]) -> Result:
        per_perspective = {p: 0 for p in perspectives if perspective in (None, p)}
        for row in rows:
            per_perspective[row.perspective] += 1
        counts = ", ".join(f"{p} {n}" for p, n in per_perspective.items())
        return Result(
            KwicRow, rows, title=f"KWIC: {text!r}, {len(rows)} matches ({counts})",
            caption=f"Case-insensitive, word boundaries, '*' ends a word as a wildcard; "
                    f"context: up to {window} tokens each side within the sentence.",
            warnings=warnings(len(rows)), styles=corpus.styles,
            extra={"query": text, "window": window, "counts": per_perspective})

    return StreamedResult(KwicRow, chunks, finish, warnings=warnings, styles=corpus.styles)
