"""The corpus inventory behind ``sources list`` and ``sources show``."""

from __future__ import annotations

from dataclasses import dataclass

from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.pipeline import document_texts, outlines
from framelens.analysis.results import Result


@dataclass(frozen=True)
class SourceRow:
    id: str
    perspective: str
    title: str
    author: str
    outlet: str
    published: str
    language: str
    language_source: str
    words: int
    sentences: int
    path: str


@dataclass(frozen=True)
class ArticleRow:
    id: str
    perspective: str
    title: str
    author: str
    outlet: str
    published: str
    url: str
    language: str
    language_source: str
    words: int
    sentences: int
    path: str
    text: str


def list_sources(corpus: Corpus, *, perspective: str | None = None) -> Result:
    """One row per article with its metadata and pipeline counts (words = tokens)."""
    if perspective is not None and perspective not in corpus.perspective_ids:
        raise OptionError(f"unknown perspective {perspective!r} (corpus has: "
                          f"{', '.join(corpus.perspective_ids)})")
    every: tuple[SourceRow, ...] | None = corpus.memo.get("source_rows")  # type: ignore[assignment]
    if every is None:  # compare asks three times
        order = {p: i for i, p in enumerate(corpus.perspective_ids)}
        every = tuple(sorted(
            (SourceRow(d.id, d.perspective, d.title, d.author, d.outlet, d.published,
                       p.language, _language_source(d), p.token_count, p.sentence_count, d.path)
             for d, p in zip(corpus.documents, outlines(corpus), strict=True)),
            key=lambda r: (order.get(r.perspective, len(order)), r.id)))
        corpus.memo["source_rows"] = every
    rows = [r for r in every if perspective is None or r.perspective == perspective]
    total_words = sum(r.words for r in rows)
    return Result(SourceRow, tuple(rows), title=f"Corpus: {len(rows)} articles, "
                  f"{total_words:,} words", caption=f"Source: {corpus.root}. Words are tokens "
                  "from framelens's tokenizer (stopwords included; Chinese segmented with "
                  "jieba's dictionary); sentences from its splitter. language: ISO 639-1, "
                  "declared (front matter, language column or the config) or detected (lingua).",
                  styles=corpus.styles)


def show_source(corpus: Corpus, doc_id: str) -> Result:
    """One article: its metadata, counts and the analysed text (paragraphs by blank lines)."""
    document = corpus.document(doc_id)
    index = corpus.documents.index(document)
    doc = document_texts(corpus, [index])[index]
    paragraphs: list[list[str]] = []
    for sentence, paragraph in zip(doc.sentences, doc.paragraph, strict=True):
        if len(paragraphs) <= paragraph:
            paragraphs.extend([] for _ in range(paragraph - len(paragraphs) + 1))
        paragraphs[paragraph].append(sentence)
    text = "\n\n".join(" ".join(p) for p in paragraphs if p)
    row = ArticleRow(document.id, document.perspective, document.title, document.author,
                     document.outlet, document.published, document.url, doc.language,
                     _language_source(document), doc.token_count, len(doc.sentences), document.path, text)
    return Result(ArticleRow, (row,), title=document.title)


def _language_source(document) -> str:
    return "declared" if document.language else "detected"
