"""Every version of a cached payload, and the fingerprint of the code, in one place.

A cached payload is valid while the code that produced it means the same
thing. Bump the version of a kind when the meaning of its payload changes;
everything else (options, config, texts) is part of each entry's key where
it is stored. Whole-command results are keyed on :func:`code_fingerprint`
instead, so any change of framelens's code misses them.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

SCHEMA_VERSION = 1  # the SQLite tables of the cache file
PIPELINE_VERSION = "4"  # sentences, tokens and language of one document
ANNOTATION_VERSION = "2"  # per-document target, cue, topic and naming annotations (2: Han terms)
COUNTS_VERSION = "2"  # corpus term-count matrices (2: stopwords per language, lemmas)
COLLOCATIONS_VERSION = "3"  # corpus collocations (3: stopwords per language)
MANIFEST_VERSION = "1"  # remembered readings of article files
RESULT_CACHE_VERSION = "2"  # whole-command results (2: checksummed)
DUPLICATES_VERSION = "1"  # check's per-document fingerprints, term counts and MinHash signatures
DUPLICATES_INDEX_VERSION = "2"  # check's per-folder index (2: stored without df too)

# Libraries whose numbers appear in results (VADER scores, TF-IDF, NMF, quantiles).
RESULT_LIBRARIES = ("numpy", "scipy", "scikit-learn", "vadersentiment", "nltk")



@cache
def code_fingerprint() -> str:
    """Digest of every source and data file of framelens's ``analysis`` and ``cli`` packages
    (all subfolders, installed or editable) and the versions of :data:`RESULT_LIBRARIES`."""
    from importlib.metadata import PackageNotFoundError, version

    hasher = hashlib.sha256()
    analysis = Path(__file__).resolve().parent.parent
    for package in (analysis, analysis.parent / "cli"):  # siblings, installed or editable
        for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".toml")):
            relative = path.relative_to(package.parent).as_posix()
            hasher.update(relative.encode() + b"\0" + path.read_bytes())
    for library in RESULT_LIBRARIES:
        try:
            hasher.update(f"{library}={version(library)}".encode())
        except PackageNotFoundError:
            hasher.update(f"{library}=absent".encode())
    return hasher.hexdigest()


@cache
def source_digest(*modules: str) -> str:
    """Digest of the named modules' source files (e.g. the article reader), so a changed
    reader never reuses what an older one remembered."""
    import importlib

    hasher = hashlib.sha256()
    for name in modules:
        hasher.update(Path(importlib.import_module(name).__file__).read_bytes())
    return hasher.hexdigest()[:16]
