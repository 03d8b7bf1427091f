"""Corpus-level summaries that follow a corpus by merging its changed documents.

A summary of a whole corpus (count totals, a count matrix) is stored once per
family (corpus folder + options) with the multiset of document digests it
covers. A later run on a corpus that differs by a few documents applies them:
it computes the summaries of only the added and removed documents and adds or
subtracts them, instead of recounting every document. Removed documents are
read back from the per-document cache by digest (their text is gone from the
corpus; see :func:`framelens.analysis.counts.collocations.cached_tokens`); when one is
not there, the caller recounts.

The entry is written again only once enough documents changed
(:func:`worth_saving`: 1 % of the corpus and at least 64, as ``check``'s
index): writing costs time in proportion to the corpus, while a few changes
are applied again, from the per-document cache, in less time than that.

Every entry is its marshal blob after a CRC-32 of it, so an entry altered on
disk (a flipped bit, an edit) is a miss and the caller recounts, never trusting
it. CRC-32 rather than a cryptographic hash: it catches every burst of up to 32
flipped bits and all but 2⁻³² of other damage, which is what it guards against
(nobody forges an entry in their own cache), and it reads the two entries of the
10 MB benchmark corpus (32 MB) in about 9 ms where BLAKE2b took about 60 ms a run.
"""

from __future__ import annotations

import marshal
import zlib
from collections import Counter
from collections.abc import Sequence

from framelens.analysis.store.document_cache import DocumentCache

_CHECK_BYTES = 4
# A summary (and check's index) is stored again once this many documents changed, and
# 1/SAVE_SHARE of them.
SAVE_MIN_CHANGES = 64
SAVE_SHARE = 100


def load_summary(cache: DocumentCache | None, family: str, version: str) -> object | None:
    """The stored body of ``family`` (written with ``version``), or None when absent or damaged."""
    if cache is None:
        return None
    stored = cache.get_entry(family, version)
    if not (isinstance(stored, bytes) and len(stored) > _CHECK_BYTES):
        return None
    blob = memoryview(stored)[_CHECK_BYTES:]  # not copied
    if _checksum(blob) != stored[:_CHECK_BYTES]:
        return None
    try:
        return marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None


def save_summary(cache: DocumentCache | None, family: str, version: str, body: object) -> None:
    """Store ``body`` (marshal-able) as the family's one entry."""
    if cache is None:
        return
    try:
        blob = marshal.dumps(body)
    except ValueError:
        return
    cache.put_entry(family, version, _checksum(blob) + blob)


def _checksum(blob: bytes | memoryview) -> bytes:
    return zlib.crc32(blob).to_bytes(_CHECK_BYTES, "little")


def digest_changes(stored: dict[str, int], digests: Sequence[str]) -> dict[str, int]:
    """Documents to add (positive) or remove (negative), by digest, to turn the multiset
    ``stored`` (digest → multiplicity) into the corpus's ``digests``; sorted by digest."""
    wanted = Counter(digests)
    # Only the changes are sorted: a corpus of 50,000 documents with one new one sorts one.
    changes = {d: n - stored.get(d, 0) for d, n in wanted.items() if n != stored.get(d, 0)}
    changes.update((d, -n) for d, n in stored.items() if n and d not in wanted)
    return {d: changes[d] for d in sorted(changes)}  # strings sort faster than pairs


def worth_saving(changes: int, documents: int) -> bool:
    """Whether a summary that changed by ``changes`` documents should be written again."""
    return changes > 0 and changes >= max(SAVE_MIN_CHANGES, documents // SAVE_SHARE)
