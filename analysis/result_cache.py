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
from functools import cache
from pathlib import Path

from framelens.analysis.corpus import Corpus
from framelens.analysis.pipeline import document_cache, document_digests

RESULT_CACHE_VERSION = "1"
# Libraries whose numbers appear in results (VADER scores, TF-IDF, NMF, quantiles).
_RESULT_LIBRARIES = ("numpy", "scipy", "scikit-learn", "vadersentiment", "nltk")


def cached_result(corpus: Corpus, command: str, options: Mapping[str, object],
                  compute: Callable[[], object]) -> object:
    """``compute()``, or its stored result for the same corpus, config, code and options."""
    cache = document_cache(corpus)
    if cache is None:
        return compute()
    family = "result:" + _digest(RESULT_CACHE_VERSION, command, corpus.root,
                                 repr(sorted(options.items())))
    key = _digest(code_fingerprint(), corpus_fingerprint(corpus))
    stored = cache.get_entry(family, key)
    if isinstance(stored, bytes):
        try:
            return pickle.loads(stored)
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, whatever unpickling raises
            pass
    result = compute()
    try:
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return result
    cache.put_entry(family, key, blob)
    return result


def corpus_fingerprint(corpus: Corpus) -> str:
    """Digest of the documents (metadata and text digest, in corpus order) and the config."""
    hasher = hashlib.sha256(repr(corpus.config).encode())
    for document, digest in zip(corpus.documents, document_digests(corpus), strict=True):
        hasher.update(repr((document.id, document.title, document.perspective, document.author,
                            document.outlet, document.published, document.url,
                            document.language, document.path, document.body_line,
                            digest)).encode())
    return hasher.hexdigest()


@cache
def code_fingerprint() -> str:
    """Digest of framelens's source files (analysis and the commands that call it) and the
    result libraries' versions."""
    from importlib.metadata import PackageNotFoundError, version

    hasher = hashlib.sha256()
    analysis = Path(__file__).resolve().parent
    for package in (analysis, analysis.parent / "cli"):  # siblings, installed or editable
        for path in sorted(package.glob("*.py")) + sorted(package.glob("*.toml")):
            hasher.update(f"{package.name}/{path.name}".encode() + b"\0" + path.read_bytes())
    for library in _RESULT_LIBRARIES:
        try:
            hasher.update(f"{library}={version(library)}".encode())
        except PackageNotFoundError:
            hasher.update(f"{library}=absent".encode())
    return hasher.hexdigest()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
