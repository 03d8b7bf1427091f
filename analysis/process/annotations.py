"""Per-document annotations (target mentions, cues, topic hits) cached like the pipeline.

An annotation is a pure function of a processed document and a lexicon
fingerprint (the terms and the compiled matching rules), so it is cached by
``<kind>-v<version>:<fingerprint hash>:<document digest>`` in the document
cache, next to (never colliding with) the pipeline's entries. Warm runs then
never scan the text again; a changed lexicon or matching rule misses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from framelens.analysis.io.documents import Corpus
from framelens.analysis.parallel import PARALLEL_MIN_DOCUMENTS, parallel_map
from framelens.analysis.process.pipeline import ProcessedDocument, document_cache, processed
from framelens.analysis.store.keys import ANNOTATION_VERSION
from framelens.analysis.text.lexicon import Lexicon


def matching_rules(lexicon: Lexicon) -> str:
    """The compiled pattern, so a change in ``Lexicon``'s matching rules invalidates the cache."""
    return lexicon.pattern


def cached_annotations(corpus: Corpus, kind: str, fingerprint: tuple,
                       compute: Callable[[ProcessedDocument], tuple],
                       valid: Callable[[object, ProcessedDocument], bool]) -> list[tuple]:
    """Per-document payloads from the run's memo, the document cache, or ``compute``.

    ``valid(payload, doc)`` rejects a cached payload of the wrong shape, which
    is then recomputed and rewritten.
    """
    digest = hashlib.sha256(repr(fingerprint).encode()).hexdigest()[:20]
    memo_key = f"{kind}-v{ANNOTATION_VERSION}:{digest}"
    memo = corpus.memo.get(memo_key)
    if memo is not None:
        return memo  # type: ignore[return-value]
    documents = processed(corpus)
    keys = [f"{memo_key}:{doc.digest}" for doc in documents]
    cache = document_cache(corpus)
    found = cache.get_many(keys) if cache is not None else {}
    missing = [i for i, (key, doc) in enumerate(zip(keys, documents, strict=True))
               if not valid(found.get(key), doc)]
    fresh = dict(zip((keys[i] for i in missing), compute_many(compute, documents, missing),
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
