"""Reading a folder of articles without re-reading the files nobody changed.

Like git's index, the manifest remembers, per corpus folder, each article
file's size, modification time (ns), inode and change time together with
what reading it gave: its :class:`~framelens.analysis.io.documents.ArticleFields`
and its pipeline digest. A file whose ``stat`` still matches is not opened
again, so a warm run over 50,000 unchanged articles costs a directory scan
instead of reading, decoding, parsing and hashing 50 MB.

Readings are kept per version of the reading code (a digest of
``io/documents.py``), so a fix to the reader never reuses an old reading. Only the
config-independent reading is remembered: the config's checks
(known perspective, size limit) and defaults (language) are applied to
every file on every run. A file modified less than ``_SETTLE_NS`` before it
is recorded is not remembered (a write in the same timestamp tick could go
unseen, git's "racy" case), so it is read again next time. Files that fail
to read are never remembered, so their errors are reported on every run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from framelens.analysis.config.settings import Config
from framelens.analysis.io.documents import (
    ArticleFields,
    Document,
    article_document,
    document_digest,
    parse_article_fields,
    read_text_file,
    size_limit_error,
)
from framelens.analysis.store.document_cache import DocumentCache
from framelens.analysis.store.keys import MANIFEST_VERSION, PIPELINE_VERSION, source_digest

_SETTLE_NS = 2_000_000_000


class Manifest:
    """The remembered reading of one folder's article files (see the module docstring)."""

    def __init__(self, cache: DocumentCache, folder: Path):
        self._cache = cache
        reader = source_digest("framelens.analysis.io.documents")
        self._family = (f"manifest:{MANIFEST_VERSION}:{PIPELINE_VERSION}:{reader}:{folder.resolve()}")
        stored = cache.get_entry(self._family, MANIFEST_VERSION)
        self._known: dict = stored if isinstance(stored, dict) else {}
        self._seen: dict[str, tuple] = {}
        self._changed = False
        self._settled_before = time.time_ns() - _SETTLE_NS
        self.prefix = str(folder / "_")[:-1]  # prefix + name == str(folder / name), also for "."

    def recall(self, name: str, stat: os.stat_result) -> tuple[ArticleFields, str] | None:
        """The fields and digest remembered for the file, if its ``stat`` is unchanged."""
        entry = self._known.get(name)
        if not (isinstance(entry, tuple) and len(entry) == 3 and entry[0] == _signature(stat)
                and isinstance(entry[2], str)):
            return None
        fields = _fields(entry[1])
        if fields is None:
            return None
        self._seen[name] = entry
        return fields, entry[2]

    def remember(self, name: str, stat: os.stat_result, fields: ArticleFields, digest: str) -> None:
        """Record a file just read (unless it changed too recently to be sure of)."""
        self._changed = True
        if max(stat.st_mtime_ns, stat.st_ctime_ns) < self._settled_before:
            self._seen[name] = (_signature(stat), _payload(fields), digest)

    def save(self, *, complete: bool) -> None:
        """Store what was recalled and remembered; ``complete``: every file of the folder was
        visited, so files no longer there are forgotten."""
        if complete:
            if self._changed or len(self._seen) != len(self._known):
                self._cache.put_entry(self._family, MANIFEST_VERSION, self._seen)
        elif self._changed:
            self._cache.put_entry(self._family, MANIFEST_VERSION, {**self._known, **self._seen})


def read_articles(names: Sequence[str], stats: Sequence[os.stat_result], config: Config,
                  cache: DocumentCache, folder: Path) -> tuple[list[Document], dict[str, str]]:
    """Documents of the files ``names`` in ``folder`` (with their ``stats``), and each
    document's digest by path; the first unreadable file raises its CorpusError."""
    manifest = Manifest(cache, folder)
    documents: list[Document] = []
    digests: dict[str, str] = {}
    for name, stat in zip(names, stats, strict=True):
        path = manifest.prefix + name  # a str: Path objects cost more than the rest of a hit
        reading = read_article_file(path, config, manifest=manifest, stat=stat)
        digests[path] = reading.digest
        documents.append(reading.document)
    manifest.save(complete=True)
    return documents, digests


@dataclass(frozen=True)
class ArticleReading:
    """One article file as read: its document, its content digest, and the file's text when
    it was read from disk (None when the manifest's reading was recalled)."""

    document: Document
    digest: str
    text: str | None


def read_article_file(path: str | Path, config: Config, *, manifest: Manifest | None = None,
                      stat: os.stat_result | None = None, recall: bool = True) -> ArticleReading:
    """Read one article file: the one way ``load_corpus``, the manifest and ``check`` read one.

    With a ``manifest`` and the file's ``stat``, a reading the manifest still
    holds is recalled (unless ``recall`` is False: ``check`` reads the files
    it reports on from disk, for their line numbers), and a fresh reading is
    remembered. Errors are the reader's :class:`CorpusError`; what a caller does
    with them (stop, or report them all) is its own policy.
    """
    name = Path(path).name
    max_bytes = config.check.max_file_bytes
    if stat is not None and stat.st_size > max_bytes:
        raise size_limit_error(Path(path), stat.st_size, max_bytes)
    if manifest is not None and stat is not None and recall:
        recalled = manifest.recall(name, stat)
        if recalled is not None:
            fields, digest = recalled
            return ArticleReading(article_document(fields, path, config), digest, None)
    text = read_text_file(Path(path), max_bytes)
    fields = parse_article_fields(text, Path(path))
    document = article_document(fields, path, config)
    digest = document_digest(document)
    if manifest is not None and stat is not None:
        manifest.remember(name, stat, fields, digest)
    return ArticleReading(document, digest, text)


def _signature(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


def _payload(fields: ArticleFields) -> tuple:
    return (fields.id, fields.title, fields.perspective, fields.author, fields.outlet,
            fields.published, fields.url, fields.language, fields.text, fields.body_line,
            fields.perspective_line)


def _fields(payload: object) -> ArticleFields | None:
    """The fields of a stored payload; None when it has the wrong shape (then the file is read)."""
    if not (isinstance(payload, tuple) and len(payload) == 11):
        return None
    if not (all(isinstance(v, str) for v in payload[:9])
            and isinstance(payload[9], int) and isinstance(payload[10], int)):
        return None
    return ArticleFields(*payload)
