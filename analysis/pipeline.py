"""The text pipeline: documents → paragraphs → sentences → tokens, cached.

Processing one document is a pure function of its text (:func:`process_text`),
so the stage is a map over documents: cached by content hash, run in a
process pool when many documents are new, and shared by every analysis of
one run through ``corpus.memo``.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass

from framelens.analysis.cache import DocumentCache
from framelens.analysis.corpus import Corpus, Document
from framelens.analysis.sentences import split_sentences
from framelens.analysis.text import paragraphs, tokenize

# Bump when processing changes so old cache entries are never reused.
PIPELINE_VERSION = "2"
# Below this many uncached documents a process pool costs more than it saves.
PARALLEL_MIN_DOCUMENTS = 400
_CHUNK_DOCUMENTS = 64


@dataclass(frozen=True)
class ProcessedDocument:
    """A document's sentences and tokens.

    ``sentences`` hold the normalised text with its original case (what VADER
    and kwic read); ``tokens[i]`` are the surface tokens of sentence ``i``;
    ``lines[i]`` is the body line where its paragraph starts (1-based) and
    ``paragraph[i]`` its paragraph index.
    """

    doc_id: str
    perspective: str
    digest: str
    sentences: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]
    paragraph: tuple[int, ...]

    @property
    def token_count(self) -> int:
        return sum(len(t) for t in self.tokens)


def document_digest(document: Document) -> str:
    """Cache key: pipeline version, text format and the exact body text."""
    markdown = "md" if _is_markdown(document) else "txt"
    payload = f"{PIPELINE_VERSION}\0{markdown}\0{document.text}".encode()
    return hashlib.sha256(payload).hexdigest()


def process_text(text: str, markdown: bool) -> tuple:
    """Split and tokenise one body; returns a marshal-friendly tuple of tuples."""
    sentences: list[str] = []
    tokens: list[tuple[str, ...]] = []
    lines: list[int] = []
    paragraph_index: list[int] = []
    for index, (line, paragraph) in enumerate(paragraphs(text, markdown=markdown)):
        for start, end in split_sentences(paragraph):
            sentence = paragraph[start:end]
            sentences.append(sentence)
            tokens.append(tuple(tokenize(sentence)))
            lines.append(line)
            paragraph_index.append(index)
    return tuple(sentences), tuple(tokens), tuple(lines), tuple(paragraph_index)


def processed(corpus: Corpus) -> tuple[ProcessedDocument, ...]:
    """Processed documents aligned with ``corpus.documents`` (memoised per corpus)."""
    memo = corpus.memo.get("processed")
    if memo is not None:
        return memo  # type: ignore[return-value]
    cache = DocumentCache() if corpus.use_cache else None
    digests = [document_digest(d) for d in corpus.documents]
    found = cache.get_many(digests) if cache else {}
    results: dict[str, tuple] = {d: p for d, p in found.items() if _valid_payload(p)}
    missing = [(digest, doc) for digest, doc in zip(digests, corpus.documents, strict=True)
               if digest not in results]
    fresh = _process_many([(doc.text, _is_markdown(doc)) for _, doc in missing])
    new_payloads = {digest: payload for (digest, _), payload in zip(missing, fresh, strict=True)}
    results.update(new_payloads)
    if cache is not None:
        cache.put_many(new_payloads)
        corpus.memo["cache"] = cache
    documents = tuple(
        ProcessedDocument(doc.id, doc.perspective, digest, *results[digest])
        for digest, doc in zip(digests, corpus.documents, strict=True)
    )
    corpus.memo["processed"] = documents
    return documents


def document_cache(corpus: Corpus) -> DocumentCache | None:
    """The cache opened for this corpus's run, or None with ``--no-cache``."""
    if not corpus.use_cache:
        return None
    cache = corpus.memo.get("cache")
    if cache is None:
        cache = DocumentCache()
        corpus.memo["cache"] = cache
    return cache  # type: ignore[return-value]


def display_forms(documents: tuple[ProcessedDocument, ...], key_of) -> dict[str, str]:
    """The most frequent surface form of each counting key (ties: alphabetical)."""
    surface = Counter(token for doc in documents for sentence in doc.tokens for token in sentence)
    best: dict[str, tuple[int, str]] = {}
    for form, count in surface.items():
        key = key_of(form)
        current = best.get(key)
        if current is None or (-count, form) < (-current[0], current[1]):
            best[key] = (count, form)
    return {key: form for key, (_, form) in best.items()}


def _process_many(items: list[tuple[str, bool]]) -> list[tuple]:
    workers = os.cpu_count() or 1
    if len(items) < PARALLEL_MIN_DOCUMENTS or workers < 2:
        return [process_text(text, markdown) for text, markdown in items]
    from concurrent.futures import ProcessPoolExecutor

    chunks = [items[i:i + _CHUNK_DOCUMENTS] for i in range(0, len(items), _CHUNK_DOCUMENTS)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [payload for chunk in pool.map(_process_chunk, chunks) for payload in chunk]


def _process_chunk(chunk: list[tuple[str, bool]]) -> list[tuple]:
    return [process_text(text, markdown) for text, markdown in chunk]


def _valid_payload(payload: object) -> bool:
    if not (isinstance(payload, tuple) and len(payload) == 4):
        return False
    sentences, tokens, lines, paragraph = payload
    return (isinstance(sentences, tuple) and isinstance(tokens, tuple)
            and len(sentences) == len(tokens) == len(lines) == len(paragraph))


def _is_markdown(document: Document) -> bool:
    return document.path.endswith(".md")
