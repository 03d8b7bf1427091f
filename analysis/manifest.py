"""Reading a folder of articles without re-reading the files nobody changed.

Like git's index, the manifest remembers, per corpus folder, each article
file's size, modification time (ns), inode and change time together with
what reading it gave: its :class:`~framelens.analysis.corpus.ArticleFields`
and its pipeline digest. A file whose ``stat`` still matches is not opened
again, so a warm run over 50,000 unchanged articles costs a directory scan
instead of reading, decoding, parsing and hashing 50 MB.

Only the config-independent reading is remembered: the config's checks
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
from pathlib import Path

from framelens.analysis.cache import DocumentCache
from framelens.analysis.config import Config
from framelens.analysis.corpus import (
    ArticleFields,
    Document,
    article_document,
    parse_article_fields,
    read_text_file,
    size_limit_error,
)
from framelens.analysis.pipeline import PIPELINE_VERSION, document_digest

MANIFEST_VERSION = "1"
_SETTLE_NS = 2_000_000_000


def read_articles(names: Sequence[str], stats: Sequence[os.stat_result], config: Config,
                  cache: DocumentCache, folder: Path) -> tuple[list[Document], dict[str, str]]:
    """Documents of the files ``names`` in ``folder`` (with their ``stats``), and each
    document's digest by path."""
    family = f"manifest:{MANIFEST_VERSION}:{PIPELINE_VERSION}:{folder.resolve()}"
    stored = cache.get_entry(family, MANIFEST_VERSION)
    known: dict = stored if isinstance(stored, dict) else {}
    manifest: dict[str, tuple] = {}
    documents: list[Document] = []
    digests: dict[str, str] = {}
    settled_before = time.time_ns() - _SETTLE_NS
    changed = False
    prefix = str(folder / "_")[:-1]  # exactly str(folder / name), also for folder "."
    for name, stat in zip(names, stats, strict=True):
        path = prefix + name  # a str: Path objects cost more than the rest of a hit
        if stat.st_size > config.check.max_file_bytes:
            raise size_limit_error(Path(path), stat.st_size, config.check.max_file_bytes)
        signature = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
        entry = known.get(name)
        fields = (_fields(entry[1]) if isinstance(entry, tuple) and len(entry) == 3
                  and entry[0] == signature and isinstance(entry[2], str) else None)
        if fields is not None:
            digest = entry[2]
        else:
            changed = True
            fields = parse_article_fields(read_text_file(Path(path), config.check.max_file_bytes),
                                          Path(path))
            digest = ""
        document = article_document(fields, path, config)
        if not digest:
            digest = document_digest(document)
        digests[document.path] = digest
        documents.append(document)
        if max(stat.st_mtime_ns, stat.st_ctime_ns) < settled_before:
            manifest[name] = (signature, _payload(fields), digest)
    if changed or len(manifest) != len(known):
        cache.put_entry(family, MANIFEST_VERSION, manifest)
    return documents, digests


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
