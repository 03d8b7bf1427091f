"""Per-document annotations (target mentions, cues, topic hits) cached like the pipeline.

An annotation is a pure function of a processed document and a lexicon
fingerprint (the terms and the compiled matching rules), so it is cached by
``<kind>-v<version>:<fingerprint hash>:<document digest>`` in the document
cache, next to (never colliding with) the pipeline's entries. Warm runs then
never scan the text again; a changed lexicon or matching rule misses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from framelens.analysis.corpus import Corpus
from framelens.analysis.lexicon import Lexicon
from framelens.analysis.pipeline import ProcessedDocument, document_cache, processed

# Bump when matching or counting changes so cached annotations are never reused.
ANNOTATION_VERSION = "1"


def matching_rules(lexicon: Lexicon) -> str:
    """The compiled pattern, so a change in ``Lexicon``'s matching rules invalidates the cache."""
    regex = getattr(lexicon, "_regex", None)
    return regex.pattern if regex is not None else ""


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
    fresh: dict[str, tuple] = {}
    payloads = []
    for key, doc in zip(keys, documents, strict=True):
        payload = found.get(key)
        if not valid(payload, doc):
            payload = compute(doc)
            found[key] = fresh[key] = payload
        payloads.append(payload)
    if cache is not None and fresh:
        cache.put_many(fresh)
    corpus.memo[memo_key] = payloads
    return payloads
