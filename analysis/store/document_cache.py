"""Per-document cache of pipeline results, keyed by content hash (SQLite).

The cache lives in the user cache folder (``$XDG_CACHE_HOME/framelens`` on
Linux, via platformdirs; ``FRAMELENS_CACHE_DIR`` overrides it). Entries are
marshal payloads keyed by a digest of the pipeline version and the document
text, so an edited article or a new pipeline version never hits a stale
entry. A payload that fails to load or has the wrong shape, and a tone score
that is not a finite number in [-1, 1], is treated as a miss and rewritten; a
database that cannot be opened is replaced.
"""

from __future__ import annotations

import marshal
import math
import os
import sqlite3
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from framelens.analysis.store.keys import SCHEMA_VERSION

CACHE_ENV = "FRAMELENS_CACHE_DIR"
NO_CACHE_ENV = "FRAMELENS_NO_CACHE"
"""Set (non-empty) to switch every cache off for the process, like ``--no-cache`` on
every command (the test suite runs both ways)."""
_FILENAME = f"cache-v{SCHEMA_VERSION}-py{sys.version_info[0]}{sys.version_info[1]}.sqlite"
_BATCH = 900  # stays under SQLite's limit on bound parameters


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("framelens", appauthor=False))


def valid_compound(value: object) -> bool:
    """Whether a stored value can be a VADER compound score: a finite float in [-1, 1]."""
    return (isinstance(value, float | int) and not isinstance(value, bool)
            and math.isfinite(value) and -1.0 <= value <= 1.0)


class DocumentCache:
    """Key-value store of per-document payloads and per-sentence tone scores."""

    def __init__(self, path: Path | None = None):
        self.path = path or cache_dir() / _FILENAME
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is not None:
            return self._connection
        if os.environ.get(NO_CACHE_ENV):
            return None  # every read misses and every write is dropped
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = self._open()
        except sqlite3.DatabaseError:
            # Not a database (truncated, overwritten): start afresh.
            try:
                self.path.unlink(missing_ok=True)
                self._connection = self._open()
            except (OSError, sqlite3.DatabaseError):
                self._connection = None
        except OSError:
            self._connection = None
        return self._connection

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("CREATE TABLE IF NOT EXISTS documents "
                           "(digest TEXT PRIMARY KEY, payload BLOB NOT NULL)")
        connection.execute("CREATE TABLE IF NOT EXISTS tone "
                           "(digest TEXT NOT NULL, sentence INTEGER NOT NULL, compound REAL NOT NULL,"
                           " PRIMARY KEY (digest, sentence)) WITHOUT ROWID")
        connection.execute("CREATE TABLE IF NOT EXISTS corpus_entries "
                           "(family TEXT PRIMARY KEY, key TEXT NOT NULL, payload BLOB NOT NULL)")
        connection.execute("SELECT count(*) FROM documents WHERE digest = ''").fetchone()
        return connection

    def get_many(self, digests: Iterable[str]) -> dict[str, object]:
        """Payloads found for these digests; unreadable ones are left out."""
        found: dict[str, object] = {}
        for digest, blob in self.get_blobs(digests).items():
            try:
                found[digest] = marshal.loads(blob)
            except (EOFError, ValueError, TypeError):
                continue
        return found

    def get_blobs(self, digests: Iterable[str]) -> dict[str, bytes]:
        """Raw (marshal) payloads found for these digests."""
        connection = self._connect()
        if connection is None:
            return {}
        digests = list(dict.fromkeys(digests))
        found: dict[str, bytes] = {}
        try:
            for start in range(0, len(digests), _BATCH):
                batch = digests[start:start + _BATCH]
                marks = ",".join("?" * len(batch))
                found.update(connection.execute(
                    f"SELECT digest, payload FROM documents WHERE digest IN ({marks})", batch))
        except sqlite3.DatabaseError:
            return found
        return found

    def held(self, digests: Iterable[str]) -> set[str]:
        """Which of these keys the cache holds (without reading their payloads)."""
        connection = self._connect()
        if connection is None:
            return set()
        digests = list(dict.fromkeys(digests))
        found: set[str] = set()
        try:
            for start in range(0, len(digests), _BATCH):
                batch = digests[start:start + _BATCH]
                marks = ",".join("?" * len(batch))
                found.update(row[0] for row in connection.execute(
                    f"SELECT digest FROM documents WHERE digest IN ({marks})", batch))
        except sqlite3.DatabaseError:
            return found
        return found

    def count_prefixed(self, prefix: str) -> int:
        """How many payloads are stored under keys that start with ``prefix`` (ASCII),
        counted in the key index without reading them."""
        connection = self._connect()
        if connection is None:
            return 0
        try:
            return connection.execute("SELECT count(*) FROM documents WHERE digest >= ? AND "
                                      "digest < ?", _prefix_range(prefix)).fetchone()[0]
        except sqlite3.DatabaseError:
            return 0

    def get_prefixed(self, prefix: str) -> dict[str, object]:
        """Payloads of every key that starts with ``prefix`` (ASCII), by key; unreadable
        ones are left out. One range read of the key index: for many keys sharing a prefix,
        several times faster than looking each up."""
        connection = self._connect()
        if connection is None:
            return {}
        found: dict[str, object] = {}
        try:
            for key, blob in connection.execute("SELECT digest, payload FROM documents WHERE "
                                                "digest >= ? AND digest < ?",
                                                _prefix_range(prefix)):
                try:
                    found[key] = marshal.loads(blob)
                except (EOFError, ValueError, TypeError):
                    continue
        except sqlite3.DatabaseError:
            return found
        return found

    def put_many(self, payloads: Mapping[str, object]) -> None:
        self.put_blobs({digest: marshal.dumps(payload) for digest, payload in payloads.items()})

    def put_blobs(self, blobs: Mapping[str, bytes]) -> None:
        """Store raw (marshal) payloads by digest."""
        connection = self._connect()
        if connection is None or not blobs:
            return
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO documents (digest, payload) VALUES (?, ?)",
                    blobs.items())
        except sqlite3.DatabaseError:
            pass

    def get_entry(self, family: str, key: str) -> object | None:
        """A corpus-level payload stored under ``family`` for exactly ``key``, else None.

        Corpus-level results (a count matrix of the whole corpus, say) are
        keyed by the corpus's document digests; one entry is kept per family
        (e.g. corpus folder and options), so the store does not grow with
        every edit of a corpus.
        """
        connection = self._connect()
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT payload FROM corpus_entries WHERE family = ? AND key = ?",
                                     (family, key)).fetchone()
            return None if row is None else marshal.loads(row[0])
        except (sqlite3.DatabaseError, EOFError, ValueError, TypeError):
            return None

    def put_entry(self, family: str, key: str, payload: object) -> None:
        """Store a corpus-level payload, replacing the family's previous entry."""
        connection = self._connect()
        if connection is None:
            return
        try:
            blob = marshal.dumps(payload)
            with connection:
                connection.execute("INSERT OR REPLACE INTO corpus_entries (family, key, payload) "
                                   "VALUES (?, ?, ?)", (family, key, blob))
        except (sqlite3.DatabaseError, ValueError):
            pass

    def get_tones(self, digests: Iterable[str]) -> dict[tuple[str, int], float]:
        """Cached VADER compound scores by ``(digest, sentence_index)``."""
        connection = self._connect()
        if connection is None:
            return {}
        digests = list(dict.fromkeys(digests))
        found: dict[tuple[str, int], float] = {}
        try:
            for start in range(0, len(digests), _BATCH):
                batch = digests[start:start + _BATCH]
                marks = ",".join("?" * len(batch))
                for digest, sentence, compound in connection.execute(
                        f"SELECT digest, sentence, compound FROM tone WHERE digest IN ({marks})",
                        batch):
                    if valid_compound(compound):  # else a miss: scored again and rewritten
                        found[(digest, sentence)] = compound
        except sqlite3.DatabaseError:
            return found
        return found

    def put_tones(self, tones: Mapping[tuple[str, int], float]) -> None:
        connection = self._connect()
        if connection is None or not tones:
            return
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO tone (digest, sentence, compound) VALUES (?, ?, ?)",
                    ((d, s, c) for (d, s), c in tones.items()))
        except sqlite3.DatabaseError:
            pass

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _prefix_range(prefix: str) -> tuple[str, str]:
    """Bounds [low, high) of the keys that start with the ASCII ``prefix`` (SQLite compares
    text bytewise)."""
    if not prefix or not prefix.isascii() or prefix[-1] == "\x7f":
        raise ValueError(f"not a usable key prefix: {prefix!r}")
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
