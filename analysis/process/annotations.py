"""Per-document annotations (target mentions, cues, topic hits) cached like the pipeline.

An annotation is a pure function of a processed document and a lexicon
fingerprint (the terms and the compiled matching rules), so it is cached by
``<kind>-v<version>:<fingerprint hash>:<document digest>`` in the document
cache, next to (never colliding with) the pipeline's entries. Warm runs then
never scan the text again; a changed lexicon or matching rule misses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from framelens.analysis.io.documents import Corpus
from framelens.analysis.parallel import PARALLEL_MIN_DOCUMENTS, parallel_map
from framelens.analysis.process.pipeline import (
    ProcessedDocument,
    document_cache,
    document_texts,
    outlines,
)
from framelens.analysis.store.keys import ANNOTATION_VERSION
from framelens.analysis.text.lexicon import Lexicon

# Annotations computed by the one-pass map (process/document_pass.py) before a lens asked
# for them: {cache key: payload}, read before the cache (and instead of it with --no-cache).
PENDING_MEMO_KEY = "annotations-pending"


@dataclass(frozen=True)
class Annotator:
    """One kind of per-document annotation: how to compute it, check it and key its cache.

    ``compute(doc)`` is a pure function of a processed document (a closure
    over compiled lexicons); ``valid(payload, sentence_count)`` rejects a
    cached payload of the wrong shape for a document of that many sentences;
    ``toned(payload)``, when given, names the sentences whose tone the lenses
    read for this annotation (mentions, topic hits), so
    the one-pass map scores them with the rest.
    """

    kind: str
    fingerprint: tuple
    compute: Callable[[ProcessedDocument], tuple]
    valid: Callable[[object, int], bool]
    toned: Callable[[tuple], Iterable[int]] | None = None

    @cached_property
    def memo_key(self) -> str:
        digest = hashlib.sha256(repr(self.fingerprint).encode()).hexdigest()[:20]
        return f"{self.kind}-v{ANNOTATION_VERSION}:{digest}"

    def cache_key(self, document_digest: str) -> str:
        return f"{self.memo_key}:{document_digest}"


def matching_rules(lexicon: Lexicon) -> str:
    """The compiled pattern, so a change in ``Lexicon``'s matching rules invalidates the cache."""
    return lexicon.pattern


def cached_annotations(corpus: Corpus, annotator: Annotator) -> list[tuple]:
    """Per-document payloads from the run's memo, the document cache, or ``annotator.compute``.

    A cached payload that ``annotator.valid`` rejects is recomputed and rewritten.
    """
    memo_key = annotator.memo_key
    memo = corpus.memo.get(memo_key)
    if memo is not None:
        return memo  # type: ignore[return-value]
    shapes = outlines(corpus)
    keys = [annotator.cache_key(outline.digest) for outline in shapes]
    pending: dict[str, tuple] = corpus.memo.get(PENDING_MEMO_KEY, {})  # type: ignore[assignment]
    found = {key: pending[key] for key in keys if key in pending}
    cache = document_cache(corpus)
    if cache is not None and len(found) < len(keys):
        found.update(cache.get_many(key for key in keys if key not in found))
    missing = [i for i, (key, outline) in enumerate(zip(keys, shapes, strict=True))
               if not annotator.valid(found.get(key), outline.sentence_count)]
    fresh = {}
    if missing:
        texts = document_texts(corpus, missing, keep=False)  # read once, for this
        documents = [texts[i] for i in missing]
        fresh = dict(zip((keys[i] for i in missing),
                         compute_many(annotator.compute, documents, list(range(len(missing)))),
                         strict=True))
    found.update(fresh)
    payloads = [found[key] for key in keys]
    if cache is not None and fresh:
        cache.put_many(fresh)
    corpus.memo[memo_key] = payloads
    return payloads


def compute_many(compute: Callable[[ProcessedDocument], tuple],
                 documents: Sequence[ProcessedDocument], indices: list[int]) -> list[tuple]:
    """``[compute(documents[i]) for i in indices]``, on every core when there are many.

    The work is pure Python (threads would not run it in parallel), so it goes
    to processes: ``compute`` (a closure over compiled lexicons) and the
    documents are shared with them once (inherited by forked workers, or sent
    to a Dask cluster once), and only document indices travel per chunk.
    Results are identical wherever it runs.
    """
    return parallel_map(_annotate_chunk, indices, min_items=PARALLEL_MIN_DOCUMENTS,
                        shared=(compute, documents))


def _annotate_chunk(indices: list[int], shared) -> list[tuple]:
    compute, documents = shared
    return [compute(documents[i]) for i in indices]
