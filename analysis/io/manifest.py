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

The manifest is one entry (57 MB for 50,000 articles, with their texts), so writing it
costs time in proportion to the folder. It is written again only when at least
1/``_REWRITE_SHARE`` of its entries would change (files added, edited or gone): a run
that finds one new article among 50,000 reads that file, and the runs after it read it
again (a fraction of a millisecond) until enough changes gathered to be worth a rewrite.
An entry kept for a file since edited or removed is never used: its ``stat`` signature
includes the change time, which every edit moves on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from framelens.analysis.config.settings import Config
from framelens.analysis.errors import CorpusError
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
# The manifest is written again once this share of its entries changed (1/100).
_REWRITE_SHARE = 100
_TEXT_FIELDS = frozenset({str})


class Manifest:
    """The remembered reading of one folder's article files (see the module docstring)."""

    def __init__(self, cache: DocumentCache, folder: Path):
        self._cache = cache
        reader = source_digest("framelens.analysis.io.documents")
        self._family = (f"manifest:{MANIFEST_VERSION}:{PIPELINE_VERSION}:{reader}:{folder.resolve()}")
        stored = cache.get_entry(self._family, MANIFEST_VERSION)
        self._known: dict = stored if isinstance(stored, dict) else {}
        self._seen: dict[str, tuple] = {}
        self._changes = 0  # readings recorded that the stored entry lacks or holds otherwise
        self._settled_before = time.time_ns() - _SETTLE_NS
        self.prefix = str(folder / "_")[:-1]  # prefix + name == str(folder / name), also for "."

    def recall(self, name: str, stat: os.stat_result) -> tuple[ArticleFields, str] | None:
        """The fields and digest remembered for the file, if its ``stat`` is unchanged."""
        entry = self._known.get(name)
        if not (type(entry) is tuple and len(entry) == 3 and entry[0] == _signature(stat)
                and type(entry[2]) is str):
            return None
        fields = _fields(entry[1])
        if fields is None:
            return None
        self._seen[name] = entry
        return fields, entry[2]

    def recall_documents(self, names: Sequence[str], stats: Sequence[os.stat_result],
                         config: Config) -> list[tuple[Document, str] | None]:
        """For each file of the folder, the document and digest :func:`read_article_file`
        would recall for it, or None where that must read the file instead (not remembered
        or changed, over the size limit) or raises (the config's checks fail). One pass over
        the folder without a call a file: for 50,000 unchanged articles the calls cost more
        than the recalling."""
        max_bytes = config.check.max_file_bytes
        known, seen, prefix = self._known, self._seen, self.prefix
        found: list[tuple[Document, str] | None] = []
        for name, stat in zip(names, stats, strict=True):
            entry = known.get(name)
            fields = None
            if (type(entry) is tuple and len(entry) == 3 and type(entry[2]) is str
                    and entry[0] == (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
                    and stat.st_size <= max_bytes):
                fields = _fields(entry[1])
            if fields is None:
                found.append(None)
                continue
            try:
                document = article_document(fields, prefix + name, config)
            except CorpusError:
                found.append(None)
                continue
            seen[name] = entry
            found.append((document, entry[2]))
        return found

    def remember(self, name: str, stat: os.stat_result, fields: ArticleFields, digest: str) -> None:
        """Record a file just read (unless it changed too recently to be sure of)."""
        if max(stat.st_mtime_ns, stat.st_ctime_ns) < self._settled_before:
            entry = (_signature(stat), _payload(fields), digest)
            self._seen[name] = entry
            if self._known.get(name) != entry:
                self._changes += 1

    def save(self, *, complete: bool) -> None:
        """Store what was recalled and remembered when enough of it is new (see the module
        docstring); ``complete``: every file of the folder was visited, so files no longer
        there count as changes and are forgotten."""
        changes = self._changes
        if complete and len(self._seen) - changes != len(self._known):
            changes += sum(name not in self._seen for name in self._known)
        if not (changes and changes * _REWRITE_SHARE >= len(self._known)):
            return
        if complete:
            self._cache.put_entry(self._family, MANIFEST_VERSION, self._seen)
        else:
            self._cache.put_entry(self._family, MANIFEST_VERSION, {**self._known, **self._seen})


def read_articles(names: Sequence[str], stats: Sequence[os.stat_result], config: Config,
                  cache: DocumentCache, folder: Path) -> tuple[list[Document], dict[str, str]]:
    """Documents of the files ``names`` in ``folder`` (with their ``stats``), and each
    document's digest by path; the first unreadable file raises its CorpusError."""
    manifest = Manifest(cache, folder)
    documents: list[Document] = []
    digests: dict[str, str] = {}
    recalled = manifest.recall_documents(names, stats, config)
    for name, stat, hit in zip(names, stats, recalled, strict=True):
        path = manifest.prefix + name  # a str: Path objects cost more than the rest of a hit
        if hit is None:
            reading = read_article_file(path, config, manifest=manifest, stat=stat)
            hit = reading.document, reading.digest
        documents.append(hit[0])
        digests[path] = hit[1]
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
    name = os.path.basename(path)  # not Path(path).name: 50,000 Paths cost more than the hits
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
    if not (set(map(type, payload[:9])) == _TEXT_FIELDS
            and type(payload[9]) is int and type(payload[10]) is int):
        return None
    return ArticleFields(*payload)
