"""Whole-command results cached for an unchanged corpus.

Re-running a command on a corpus nobody touched (the common case: a second
``compare``, the same ``keywords`` with another ``--format``) should not
recompute anything. A command's :class:`~framelens.analysis.results.Result`
is stored, pickled, in the document cache under

- family: the command, the corpus folder and the command's own options, so
  each combination keeps one entry and the store does not grow with every
  edit of a corpus;
- key: a digest of everything the result depends on: every document's
  metadata and text digest, the corpus config, the code of
  ``framelens.analysis`` and ``framelens.cli``, and the versions of the
  libraries whose numbers end up in results.

Any change to any of them misses, and the command runs as usual (reusing
the per-document cache). A result that cannot be pickled is simply not
stored. The cache holds pickles; like the rest of the cache folder it is the
user's own and trusted.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Mapping

from framelens.analysis.store.document_cache import DocumentCache
from framelens.analysis.store.keys import RESULT_CACHE_VERSION, code_fingerprint

_CHECK_BYTES = 16


def cached_result(cache: DocumentCache | None, command: str, options: Mapping[str, object], *,
                  corpus_root: str, corpus_key: str, compute: Callable[[], object]) -> object:
    """``compute()``, or its stored result for the same corpus (``corpus_key``, e.g.
    :func:`~framelens.analysis.process.pipeline.corpus_fingerprint`), code and options."""
    if cache is None:
        return compute()
    family = "result:" + _digest(RESULT_CACHE_VERSION, command, corpus_root,
                                 repr(sorted(options.items())))
    key = _digest(code_fingerprint(), corpus_key)
    stored = cache.get_entry(family, key)
    # A stored result is its pickle after a checksum of it: an entry altered on disk
    # (a flipped bit, an edit) is a miss and is computed again, never trusted.
    if isinstance(stored, bytes) and len(stored) > _CHECK_BYTES:
        check, blob = stored[:_CHECK_BYTES], stored[_CHECK_BYTES:]
        if hashlib.blake2b(blob, digest_size=_CHECK_BYTES).digest() == check:
            try:
                return pickle.loads(blob)
            except Exception:  # noqa: BLE001 - a damaged entry is a miss, whatever it raises
                pass
    result = compute()
    try:
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return result
    cache.put_entry(family, key, hashlib.blake2b(blob, digest_size=_CHECK_BYTES).digest() + blob)
    return result



def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
