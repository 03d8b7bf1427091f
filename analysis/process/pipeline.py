"""The text pipeline: documents → paragraphs → sentences → tokens, cached.

Processing one document is a pure function of its text (:func:`process_text`),
so the stage is a map over documents: cached by content hash, run in a
process pool when many documents are new, and shared by every analysis of
one run through ``corpus.memo``.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from framelens.analysis.io.documents import Corpus, document_digest
from framelens.analysis.parallel import PARALLEL_MIN_DOCUMENTS, parallel_map, will_run_in_parallel
from framelens.analysis.store.document_cache import DocumentCache
from framelens.analysis.store.result_cache import cached_result
from framelens.analysis.text.languages import detect_language, tokenize_language
from framelens.analysis.text.normalize import paragraphs, tokenize
from framelens.analysis.text.sentences import split_sentences

# Bump when processing changes so old cache entries are never reused.
# Below this many uncached documents a process pool costs more than it saves.
_CHUNK_DOCUMENTS = 64


@dataclass(frozen=True)
class ProcessedDocument:
    """A document's sentences and tokens.

    ``sentences`` hold the normalised text with its original case (what VADER
    and kwic read); ``tokens[i]`` are the surface tokens of sentence ``i``;
    ``lines[i]`` is the body line where its paragraph starts (1-based) and
    ``paragraph[i]`` its paragraph index. ``language`` is the ISO 639-1 code the
    text was read in: the declared one (front matter, ``--language-column`` or
    the config's ``language``), else the detected one (``""``: no letters).
    """

    doc_id: str
    perspective: str
    digest: str
    sentences: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]
    paragraph: tuple[int, ...]
    language: str = "en"

    @cached_property
    def token_count(self) -> int:
        return sum(map(len, self.tokens))

    @property
    def outline(self) -> DocumentOutline:
        return DocumentOutline(self.doc_id, self.perspective, self.digest, self.language,
                               tuple(map(len, self.tokens)))


@dataclass(frozen=True)
class DocumentOutline:
    """What the lenses count of a document without its text: its language and the number
    of tokens of each sentence (so its sentence and token counts).

    Cached per content digest next to the document (``OUTLINE_KEY``), a few bytes
    a sentence: the lenses that need only counts, annotations and tones
    (``stance``, ``topics``, ``naming``, ``sources``) read these instead of
    decoding every document's sentences and tokens, and fetch the text of the
    few documents whose sentences they show (:func:`document_texts`).
    """

    doc_id: str
    perspective: str
    digest: str
    language: str
    sentence_tokens: tuple[int, ...]

    @property
    def sentence_count(self) -> int:
        return len(self.sentence_tokens)

    @cached_property
    def token_count(self) -> int:
        return sum(self.sentence_tokens)


OUTLINE_KEY = "outline-v1:"
"""Cache key prefix of a document's outline (``language, tokens per sentence``)."""


def process_text(text: str, markdown: bool, language: str = "en") -> tuple:
    """Split and tokenise one body in ``language`` ("" = detect it from the text).

    Returns a marshal-friendly tuple: sentences, tokens, lines, paragraph
    indices and the language read.
    """
    sentences: list[str] = []
    tokens: list[tuple[str, ...]] = []
    lines: list[int] = []
    paragraph_index: list[int] = []
    chunks = paragraphs(text, markdown=markdown)
    if not language:
        sample = " ".join(chunk for _, chunk in chunks[:20])
        language = detect_language(sample)
    tokens_of = tokenize if language == "en" else \
        (lambda sentence: tokenize_language(sentence, language))
    for index, (line, paragraph) in enumerate(chunks):
        for start, end in split_sentences(paragraph, language):
            sentence = paragraph[start:end]
            sentences.append(sentence)
            tokens.append(tuple(tokens_of(sentence)))
            lines.append(line)
            paragraph_index.append(index)
    return tuple(sentences), tuple(tokens), tuple(lines), tuple(paragraph_index), language


def processed(corpus: Corpus, process_missing: Callable[[list[str], list[tuple[str, bool, str]]],
                                                       list[tuple[tuple, bytes | None]]] | None = None
              ) -> tuple[ProcessedDocument, ...]:
    """Processed documents aligned with ``corpus.documents`` (memoised per corpus).

    Documents not in the cache are processed by ``process_missing(digests,
    items)`` (default: :func:`process_texts`), which gets their digests and
    ``(text, markdown, language)`` items and returns ``(payload, cache blob or
    None)`` for each: the one-pass map (``document_pass``) passes its own, which
    annotates and scores the documents in the same task.
    """
    memo = corpus.memo.get("processed")
    if memo is not None:
        return memo  # type: ignore[return-value]
    cache = document_cache(corpus)
    digests = document_digests(corpus)
    results: dict[str, tuple] = {}
    if cache is not None:
        for digest, blob in cache.get_blobs(digests).items():
            payload = decode_cached_blob(blob)
            if payload is not None:
                results[digest] = payload
    missing = {digest: doc for digest, doc in zip(digests, corpus.documents, strict=True)
               if digest not in results}
    if missing:
        items = [(doc.text, doc.is_markdown, doc.language) for doc in missing.values()]
        fresh = (process_missing(list(missing), items) if process_missing is not None
                 else process_texts(items))
        blobs = {}
        for digest, (payload, blob) in zip(missing, fresh, strict=True):
            results[digest] = payload
            if cache is not None:
                blobs[digest] = blob if blob is not None else encode_payload(payload)
        if cache is not None:
            cache.put_blobs(blobs)
            store_outlines(cache, (payload_outline(digest, results[digest])
                                   for digest in missing))
    documents = tuple(
        ProcessedDocument(doc.id, doc.perspective, digest, *results[digest])
        for digest, doc in zip(digests, corpus.documents, strict=True)
    )
    corpus.memo["processed"] = documents
    return documents


def store_outlines(cache: DocumentCache, outlines_: Iterable[DocumentOutline]) -> None:
    """Cache these outlines by their documents' digests."""
    cache.put_many({OUTLINE_KEY + outline.digest: (outline.language, outline.sentence_tokens)
                    for outline in outlines_})


def payload_outline(digest: str, payload: tuple) -> DocumentOutline:
    """The outline of a processed payload (:func:`process_text`'s tuple)."""
    return DocumentOutline("", "", digest, payload[4], tuple(map(len, payload[1])))


def _valid_outline(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], tuple)
            and all(type(n) is int and n >= 0 for n in value[1]))


def outlines(corpus: Corpus) -> tuple[DocumentOutline, ...]:
    """The outline of every document, aligned with ``corpus.documents`` (memoised).

    From the run's processed documents when it has them, else from the cache;
    when the cache lacks some (a cache written before outlines were, or
    ``--no-cache``), every document is processed as :func:`processed` does and
    the outlines are stored.
    """
    memo = corpus.memo.get("outlines")
    if memo is not None:
        return memo  # type: ignore[return-value]
    found: dict[str, tuple] = {}
    cache = document_cache(corpus)
    digests = document_digests(corpus)
    looked = cache is not None and "processed" not in corpus.memo
    if looked and cache is not None:
        stored = cache.get_many(OUTLINE_KEY + digest for digest in digests)
        found = {key[len(OUTLINE_KEY):]: value for key, value in stored.items()
                 if _valid_outline(value)}
    if len(found) < len(set(digests)):
        made = tuple(doc.outline for doc in processed(corpus))
        if looked and cache is not None:  # what it lacked (an older cache) or held broken
            store_outlines(cache, (o for o in made if o.digest not in found))
    else:
        made = tuple(DocumentOutline(doc.id, doc.perspective, digest, *found[digest])
                     for doc, digest in zip(corpus.documents, digests, strict=True))
    corpus.memo["outlines"] = made
    return made


def document_texts(corpus: Corpus, indices, *, keep: bool = True
                   ) -> dict[int, ProcessedDocument]:
    """The processed documents at these positions of ``corpus.documents``: from the run's
    memo when it holds every document, else decoded (or processed) for these only, and
    kept for the rest of the run unless ``keep`` is False (a step that reads many
    documents once, such as annotating those whose annotations are not cached)."""
    wanted = sorted(set(indices))
    every = corpus.memo.get("processed")
    if every is not None:
        return {i: every[i] for i in wanted}  # type: ignore[index]
    # Lenses show examples and evidence from the same few documents.
    read: dict[int, ProcessedDocument] = corpus.memo.setdefault("texts", {})  # type: ignore[assignment]
    unread = [i for i in wanted if i not in read]
    if not unread:
        return {i: read[i] for i in wanted}
    part = corpus_part(corpus, [corpus.documents[i] for i in unread])
    fresh = dict(zip(unread, processed(part), strict=True))
    if keep:
        read.update(fresh)
    return {i: read[i] if i in read else fresh[i] for i in wanted}


class DocumentsOnDemand:
    """``processed(corpus)[d]`` for the few documents a step shows, each read once a run
    (:func:`document_texts`), for steps that otherwise need only outlines."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus

    def __len__(self) -> int:
        return len(self.corpus.documents)

    def __getitem__(self, index: int) -> ProcessedDocument:
        return document_texts(self.corpus, [index])[index]


def document_languages(corpus: Corpus) -> tuple[str, ...]:
    """The language of each document, in corpus order: declared, else detected.

    When every document declares its language, nothing is processed to know it.
    """
    languages = corpus.memo.get("languages")
    if languages is None:
        if all(d.language for d in corpus.documents):
            languages = tuple(d.language for d in corpus.documents)
        else:
            languages = tuple(outline.language for outline in outlines(corpus))
        corpus.memo["languages"] = languages
    return languages  # type: ignore[return-value]


def corpus_languages(corpus: Corpus) -> tuple[str, ...]:
    """The corpus's languages, most documents first (ties: by code); "" (no letters) left out."""
    counts = Counter(language for language in document_languages(corpus) if language)
    return tuple(sorted(counts, key=lambda language: (-counts[language], language)))


def only_language(corpus: Corpus, language: str) -> Corpus:
    """The corpus restricted to the documents in ``language`` (ISO 639-1), for ``--language``."""
    from framelens.analysis.errors import OptionError

    chosen = tuple(d for d, code in zip(corpus.documents, document_languages(corpus), strict=True)
                   if code == language)
    if not chosen:
        present = ", ".join(corpus_languages(corpus)) or "none"
        raise OptionError(f"--language {language}: no article in that language (the corpus "
                          f"has: {present})")
    subset = Corpus(chosen, corpus.config, corpus.root, corpus.use_cache, corpus.lemmas)
    if "cache" in corpus.memo:
        subset.memo["cache"] = corpus.memo["cache"]
    return subset


def word_comparison_note(corpus: Corpus) -> str | None:
    """Why comparing words across this corpus would mislead, or None (one language).

    Keyness, TF-IDF, similarity and collocations compare word counts: across
    languages every word differs, so they run within one language.
    """
    languages = corpus_languages(corpus)
    if len(languages) < 2:
        return None
    return (f"the corpus mixes languages ({', '.join(languages)}): keyness, TF-IDF, "
            "similarity and collocations compare words, which differ across languages, so run "
            "them within one language with --language XX (shares of sentences and mentions "
            "in topics, stance and naming do compare across languages)")


def document_digests(corpus: Corpus) -> tuple[str, ...]:
    """:func:`document_digest` of every document, in corpus order (memoised)."""
    digests = corpus.memo.get("digests")
    if digests is None:
        digests = corpus.memo["digests"] = tuple(document_digest(d) for d in corpus.documents)
    return digests  # type: ignore[return-value]


def document_positions(corpus: Corpus) -> dict[str, int]:
    """Each digest's first position in ``corpus.documents`` (memoised)."""
    positions = corpus.memo.get("positions")
    if positions is None:
        positions = {}
        for i, digest in enumerate(document_digests(corpus)):
            positions.setdefault(digest, i)
        corpus.memo["positions"] = positions
    return positions  # type: ignore[return-value]


def sentence_positions(documents: Sequence[DocumentOutline]) -> tuple:
    """``(owner, index)`` of every sentence of ``documents``, in order: the position of its
    document and its index there (numpy arrays, one entry a sentence)."""
    import numpy as np

    counts = [outline.sentence_count for outline in documents]
    owner = np.repeat(np.arange(len(counts)), counts)
    index = np.concatenate([np.arange(n) for n in counts]) if counts \
        else np.zeros(0, dtype=np.int64)
    return owner, index


def document_cache(corpus: Corpus) -> DocumentCache | None:
    """The cache opened for this corpus's run, or None with ``--no-cache``."""
    if not corpus.use_cache:
        return None
    cache = corpus.memo.get("cache")
    if cache is None:
        cache = DocumentCache()
        corpus.memo["cache"] = cache
    return cache  # type: ignore[return-value]


def corpus_part(corpus: Corpus, documents) -> Corpus:
    """The corpus restricted to ``documents`` (same config and options), sharing the run's
    open cache: for steps that go through a large corpus a part at a time (streamed
    outputs), whose per-document products do not depend on the other documents."""
    part = Corpus(tuple(documents), corpus.config, root=corpus.root,
                  use_cache=corpus.use_cache, lemmas=corpus.lemmas)
    cache = document_cache(corpus)
    if cache is not None:
        part.memo["cache"] = cache
    return part


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



def process_texts(items: list[tuple[str, bool, str]]) -> list[tuple[tuple, bytes | None]]:
    """``process_text`` over many bodies: ``(payload, cache blob or None)`` for each.

    With many bodies, a process pool on every core does the work; workers
    send back each document as its cache blob (marshal of the compact
    encoding, several times cheaper to move between processes than pickled
    tuples of strings), which is decoded here and stored as it is.
    """
    if not will_run_in_parallel(len(items), PARALLEL_MIN_DOCUMENTS):
        return [(process_text(*item), None) for item in items]
    # Chunks of at most _CHUNK_DOCUMENTS stream results back while others are processed.
    blobs = parallel_map(_process_chunk, items, min_items=PARALLEL_MIN_DOCUMENTS,
                         chunk_limits=(16, _CHUNK_DOCUMENTS))
    return [(decode_blob(blob), blob) for blob in blobs]


def _process_chunk(chunk: list[tuple[str, bool, str]]) -> list[bytes]:
    return [encode_payload(process_text(*item)) for item in chunk]


# Cache encoding of a payload: the tokens of a document are stored as one
# string (tokens joined by US, sentences by RS), which marshal loads several
# times faster than millions of small strings; split again on load. Tokens
# are never empty and never hold a control character (TOKEN_RE); a payload
# that did would be stored with its token tuples as they are.
_TOKEN_SEP = "\x1f"
_SENTENCE_SEP = "\x1e"
_intern = sys.intern


def _encoded(payload: tuple) -> tuple:
    sentences, tokens, lines, paragraph, language = payload
    joined = _SENTENCE_SEP.join([_TOKEN_SEP.join(t) for t in tokens])
    separators = sum(len(t) - 1 for t in tokens if t) + max(len(tokens) - 1, 0)
    if (any("" in t for t in tokens)
            or joined.count(_TOKEN_SEP) + joined.count(_SENTENCE_SEP) != separators):
        return payload  # would not split back into the same tokens
    return sentences, joined, lines, paragraph, language


def _decoded(encoded: tuple) -> tuple:
    # Tokens are interned: one string object per distinct token across the
    # corpus (a third of the memory) whose hash every later count reuses.
    sentences, joined, lines, paragraph, language = encoded
    if not isinstance(joined, str):
        return encoded
    if not sentences:
        return sentences, (), lines, paragraph, language
    tokens = tuple(tuple(map(_intern, part.split(_TOKEN_SEP))) if part else ()
                   for part in joined.split(_SENTENCE_SEP))
    return sentences, tokens, lines, paragraph, language


def encode_payload(payload: tuple) -> bytes:
    return marshal.dumps(_encoded(payload))


def decode_blob(blob: bytes) -> tuple:
    """The payload of a blob :func:`encode_payload` just made (trusted: not checked)."""
    return _decoded(marshal.loads(blob))


def cached_sentence_tokens(corpus: Corpus, wanted: Mapping[str, Sequence[int]]
                           ) -> dict[str, dict[int, tuple[str, ...]]]:
    """The tokens of some sentences of documents by digest (``{digest: {index: tokens}}``),
    splitting only those sentences out of each cached blob (a blob holds a document's
    tokens as one string); from the run's processed documents when it holds them. A
    document whose entry is missing, unreadable or too short is processed (or decoded)
    whole, as :func:`processed` would."""
    found: dict[str, dict[int, tuple[str, ...]]] = {}
    every = corpus.memo.get("processed")
    cache = document_cache(corpus)
    blobs = cache.get_blobs(wanted) if every is None and cache is not None else {}
    for digest, blob in blobs.items():
        tokens = _sentence_tokens(blob, wanted[digest])
        if tokens is not None:
            found[digest] = tokens
    rest = [digest for digest in wanted if digest not in found]
    if rest:
        position = document_positions(corpus)
        texts = document_texts(corpus, [position[digest] for digest in rest], keep=False)
        for digest in rest:
            document = texts[position[digest]]
            found[digest] = {i: document.tokens[i] for i in wanted[digest]}
    return found


def _sentence_tokens(blob: bytes, indices: Sequence[int]) -> dict[int, tuple[str, ...]] | None:
    """Tokens of the sentences at ``indices`` of a cache blob; None when it is unreadable,
    has the wrong shape or holds fewer sentences."""
    try:
        encoded = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(encoded, tuple) and len(encoded) == 5
            and isinstance(encoded[0], tuple)):
        return None
    sentences, joined = encoded[0], encoded[1]
    if any(not 0 <= i < len(sentences) for i in indices):
        return None
    if isinstance(joined, tuple) and len(joined) == len(sentences):
        return {i: joined[i] for i in indices}  # stored as it was (see _encoded)
    if not isinstance(joined, str):
        return None
    parts = joined.split(_SENTENCE_SEP) if sentences else []
    if len(parts) != len(sentences):
        return None
    return {i: tuple(map(_intern, parts[i].split(_TOKEN_SEP))) if parts[i] else ()
            for i in indices}


def decode_cached_blob(blob: bytes) -> tuple | None:
    """The payload of a cache blob; None when it is unreadable or has the wrong shape."""
    try:
        encoded = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(encoded, tuple) and len(encoded) == 5):
        return None
    sentences, joined, lines, paragraph, language = encoded
    if not (isinstance(sentences, tuple) and isinstance(joined, str | tuple)
            and isinstance(lines, tuple) and isinstance(paragraph, tuple)
            and isinstance(language, str)):
        return None
    payload = _decoded(encoded)
    if not len(sentences) == len(payload[1]) == len(lines) == len(paragraph):
        return None
    return payload


def corpus_fingerprint(corpus: Corpus) -> str:
    """Digest of the documents (metadata and text digest, in corpus order), the config and
    whether words count by lemma."""
    hasher = hashlib.sha256(repr((corpus.config, corpus.lemmas) if corpus.lemmas
                                 else corpus.config).encode())
    for document, digest in zip(corpus.documents, document_digests(corpus), strict=True):
        hasher.update(repr((document.id, document.title, document.perspective, document.author,
                            document.outlet, document.published, document.url,
                            document.language, document.path, document.body_line,
                            digest)).encode())
    return hasher.hexdigest()


def cached_command_result(corpus: Corpus, command: str, options: Mapping[str, object],
                          compute: Callable[[], object]) -> object:
    """``compute()``, or the result stored for the same corpus, config, code and options
    (:mod:`framelens.analysis.store.result_cache`)."""
    return cached_result(document_cache(corpus), command, options, corpus_root=corpus.root,
                         corpus_key=corpus_fingerprint(corpus), compute=compute)
