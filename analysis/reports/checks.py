"""``framelens check``: validate articles for CI, each problem a row with a stable code.

Unlike :func:`framelens.analysis.io.documents.load_corpus`, which stops at the first
bad file, :func:`check_corpus` reads every file itself, turns each read or
front-matter error into a row, and then runs the corpus-level checks
(duplicates, near-duplicates, content) on the articles that parsed.

Codes are stable: once published, a code keeps its meaning. ``CHECKS`` lists
them with their severity and what they test; the README table is built from it.
Errors make ``check`` exit 1; warnings only with ``--strict``.

Heuristics and their constants (all documented in ``CHECKS``):

- near-duplicate (FL041): cosine similarity u·v of the documents' TF-IDF
  vectors (scikit-learn's definition: tf = raw count, idf = ln((1+n)/(1+df)) + 1,
  rows L2-normalised) over the pipeline's terms (config phrases merged, stopwords
  removed) ≥ ``[check] near_duplicate_threshold``; the pairs compared are found by
  MinHash + LSH over the documents' term sets, with the recall bound written in
  :mod:`framelens.analysis.reports.duplicates` (exact duplicates, FL040, by a cached
  fingerprint of each document's case-folded tokens).
- repeated sentence (FL042): a sentence of at least ``MIN_REPEAT_TOKENS`` tokens
  that occurs again (case-folded tokens equal), or a short paragraph (a pull
  quote) whose tokens occur verbatim inside another paragraph.
- language (FL044): the declared language against the one lingua detects (for a
  declared language other than English); a language framelens has no rules for
  (other than en, ru, uk, zh); for an English article, share of tokens that are English
  stopwords (scikit-learn's list) below ``MIN_STOPWORD_RATIO`` (English news
  prose measures 0.40-0.50), or share of letters outside the Latin script
  above ``MAX_NON_LATIN_SHARE``; no language model is downloaded.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from operator import attrgetter
from pathlib import Path

from framelens.analysis.config.settings import Config, load_config
from framelens.analysis.errors import ConfigError, CorpusError
from framelens.analysis.io.dates import DateWindow, parse_publication_date
from framelens.analysis.io.documents import (
    ARTICLE_SUFFIX,
    TABULAR_SUFFIXES,
    Corpus,
    Document,
)
from framelens.analysis.io.reader import article_files, default_sources
from framelens.analysis.io.tables import ColumnMap, read_table
from framelens.analysis.io.web import is_valid_url
from framelens.analysis.io.window import in_window, within_window
from framelens.analysis.reports.check_codes import ERROR, CheckRow, row
from framelens.analysis.reports.content_checks import content_rows, key_line
from framelens.analysis.results import Result

# A date one day ahead is allowed: the publisher's time zone may be ahead of ours.
FUTURE_GRACE_DAYS = 1


# ---------------------------------------------------------------------------
# Patterns, compiled once.


# ---------------------------------------------------------------------------
# Entry point.


def check_corpus(
    sources: Path | None = None,
    config_path: Path | None = None,
    paths: Sequence[Path] | None = None,
    *,
    strict: bool = False,
    baseline: Path | None = None,
    tolerance: float = 0.1,
    columns: ColumnMap | None = None,
    use_cache: bool = True,
    today: dt.date | None = None,
    window: DateWindow | None = None,
) -> Result:
    """Check every article (or only ``paths``, against the rest of the corpus).

    Returns a Result of :class:`CheckRow` sorted by (file, line, code);
    ``exit_code`` is 1 when there is an error (or a warning with ``strict``).
    ``baseline`` adds the drift check of :func:`framelens.analysis.reports.snapshot.drift`.
    ``window`` (``--since`` / ``--until``) reports only on the articles dated in it (still
    checked against the whole corpus; files that cannot be read are always reported) and
    checks drift on those articles.
    """
    if tolerance < 0:
        from framelens.analysis.errors import OptionError

        raise OptionError(f"--tolerance must be >= 0, got {tolerance}")
    sources = sources if sources is not None else default_sources()
    if not sources.exists():
        raise CorpusError("no such file or folder", path=sources)
    today = today or dt.date.today()
    try:
        config = load_config(config_path, sources if sources.is_dir() else None)
    except ConfigError as exc:
        rows = (row("FL009", exc.path or config_path or sources, exc.line, exc.message),)
        return _result(rows, 1, strict, warnings=())

    rows: list[CheckRow] = []
    documents: list[Document] = []
    texts: dict[str, str] = {}
    digests: dict[str, str] = {}
    unreadable: list[CorpusError] = []
    files, stats, identities = _article_files(sources, paths or (), unreadable)
    rows += [row(exc.code or "FL005", exc.path or sources, exc.line, exc.message)
             for exc in unreadable]
    wanted = {_identity(p) for p in paths} if paths else None
    # Only the named files' rows are reported: the rest of the corpus is read through the
    # manifest (unchanged files are not opened again), the named files always from disk.
    manifest = None
    if use_cache and sources.is_dir():
        from framelens.analysis.io.manifest import Manifest
        from framelens.analysis.store.document_cache import DocumentCache

        manifest = Manifest(DocumentCache(), sources)
    recalled: list = [None] * len(files)
    if manifest is not None and wanted is not None:
        folder_files = [i for i, stat in enumerate(stats)
                        if stat is not None and (stat.st_dev, stat.st_ino) not in wanted]
        hits = manifest.recall_documents([os.path.basename(files[i]) for i in folder_files],
                                         [stats[i] for i in folder_files], config)
        for i, hit in zip(folder_files, hits, strict=True):
            recalled[i] = hit
    for path, stat, hit in zip(files, stats, recalled, strict=True):
        if hit is not None:
            documents.append(hit[0])
            digests[path] = hit[1]
            continue
        stat = stat if manifest is not None else None
        recall = stat is not None and wanted is not None and identities[path] not in wanted
        document = _read_one(path, config, rows, texts, digests, manifest, stat, recall=recall)
        if document is not None:
            documents.append(document)
    if manifest is not None:
        manifest.save(complete=wanted is None)
    if sources.is_file() and sources.suffix.lower() in TABULAR_SUFFIXES:
        try:
            documents.extend(read_table(sources, columns or ColumnMap(), config))
        except CorpusError as exc:
            rows.append(row(exc.code or "FL006", exc.path or sources, exc.line, exc.message))
    n_files = (len(files) + len(unreadable)
               + (1 if sources.is_file() and sources.suffix != ARTICLE_SUFFIX else 0))


    def identity_of(file: str) -> object:
        if file not in identities:  # rows of a tabular file name the file itself
            identities[file] = _identity(Path(file))
        return identities[file]

    if wanted is None:
        reported = {d.path for d in documents}
    else:
        named = {file for file, identity in identities.items() if identity in wanted}
        reported = {d.path for d in documents if d.path in named
                    or (d.path not in identities and identity_of(d.path) in wanted)}
    warnings: list[str] = []
    windowed = documents
    if window is not None and not window.is_open:
        kept, count = in_window(documents, window)
        windowed = [documents[i] for i in kept]
        left_out = {d.path for d in documents} - {d.path for d in windowed}
        reported -= left_out
        warnings += count.warnings(window)
    config = config.with_perspectives_from(sorted({d.perspective for d in documents}))
    if documents:
        corpus = Corpus(tuple(sorted(documents, key=attrgetter("id", "path"))), config,
                        str(sources), use_cache)
        if len(digests) == len(documents):  # every file's digest is known from its reading
            corpus.memo["digests"] = tuple(digests[d.path] for d in corpus.documents)
        rows += _metadata_rows(corpus, reported, texts, today)
        rows += _duplicate_id_rows(corpus, reported, texts)
        rows += content_rows(corpus, reported, texts)
        if baseline is not None:
            broken = sorted({r.file for r in rows if r.severity == ERROR})
            if broken:
                warnings.append(f"drift check skipped: {len(broken)} file(s) have errors "
                                f"({', '.join(broken[:3])}{', ...' if len(broken) > 3 else ''}); "
                                "fix them first (`framelens check` lists them), since the "
                                "metrics of a corpus with broken articles are not comparable")
            else:
                from framelens.analysis.reports.snapshot import drift

                if windowed is not documents:
                    corpus, _ = within_window(corpus, window)
                rows += drift(corpus, baseline, tolerance)
                n_files += any(r.file == str(baseline) for r in rows)  # a row on the baseline
    if windowed is not documents:
        rows = [r for r in rows if r.file not in left_out or r.code == "FL100"]
    if wanted is not None:
        rows = [r for r in rows if identity_of(r.file) in wanted or r.code == "FL100"]
    return _result(rows, n_files if not paths else len(paths), strict, tuple(warnings))


def _result(rows: Iterable[CheckRow], n_files: int, strict: bool,
            warnings: tuple[str, ...]) -> Result:
    ordered = tuple(sorted(set(rows), key=lambda r: (r.file, r.line or 0, r.code, r.message)))
    errors = sum(r.severity == ERROR for r in ordered)
    warns = len(ordered) - errors
    failed = errors > 0 or (strict and warns > 0)
    files = len({r.file for r in ordered})
    title = (f"check: {errors} error{'s' * (errors != 1)}, {warns} warning{'s' * (warns != 1)}"
             f" in {files} of {n_files} file{'s' * (n_files != 1)}")
    caption = ("Codes are stable; see the README's table of checks. Errors fail the check; "
               "warnings fail it only with --strict.")
    return Result(CheckRow, ordered, title=title, caption=caption, warnings=warnings,
                  exit_code=1 if failed else 0,
                  extra={"errors": errors, "warnings": warns, "files": n_files})


# ---------------------------------------------------------------------------
# Reading files one by one.


def _article_files(sources: Path, paths: Sequence[Path], problems: list[CorpusError]
                   ) -> tuple[list[str], list, dict[str, object]]:
    """The files to read (the folder's articles, then named files not among them), the
    ``stat`` of each (None for files outside the folder) and each file's identity
    (:func:`_identity`). Paths are strings (``str(sources / name)``): 50,000 Path objects
    cost more than the scan."""
    files: list[str] = []
    stats: list = []
    if sources.is_dir():
        prefix = str(sources / "_")[:-1]  # prefix + name == str(sources / name)
        names, stats = article_files(sources, problems)
        files = [prefix + name for name in names]
        identities: dict[str, object] = dict(zip(files, [(stat.st_dev, stat.st_ino)
                                                          for stat in stats], strict=True))
    else:
        identities = {}
        if sources.suffix.lower() not in TABULAR_SUFFIXES:
            files.append(str(sources))
            stats.append(None)
            identities[str(sources)] = _identity(sources)
    known = set(identities.values())
    known.update(os.path.abspath(p.path) for p in problems if p.path)  # reported already
    for path in paths:
        identity = _identity(path)
        if identity not in known and os.path.abspath(path) not in known:
            known.add(identity)
            files.append(str(path))
            stats.append(None)
            identities[str(path)] = identity
    return files, stats, identities


def _identity(path: Path) -> object:
    """What makes two paths the same file: device and inode (symlinks and ``..`` resolved
    for free); the absolute path for a file that does not exist."""
    try:
        stat = path.stat()
    except OSError:
        return str(path.absolute())
    return (stat.st_dev, stat.st_ino)


def _read_one(path: str, config: Config, rows: list[CheckRow], texts: dict[str, str],
              digests: dict[str, str], manifest=None, stat=None, *,
              recall: bool = False) -> Document | None:
    """An article (:func:`~framelens.analysis.io.manifest.read_article_file`); a file that
    fails to read adds its row instead. ``recall``: a file not reported on may come from the
    manifest; the others are read from disk and their text kept for the line checks. The
    reading's content digest goes to ``digests`` (by path)."""
    from framelens.analysis.io.manifest import read_article_file

    try:
        reading = read_article_file(path, config, manifest=manifest, stat=stat, recall=recall)
    except CorpusError as exc:
        rows.append(row(exc.code or "FL010", path, exc.line, exc.message))
        return None
    if reading.text is not None:
        texts[path] = reading.text
    digests[reading.document.path] = reading.digest
    return reading.document


# ---------------------------------------------------------------------------
# Checks on one article's metadata.


def _metadata_rows(corpus: Corpus, reported: set[str], texts: dict[str, str],
                   today: dt.date) -> list[CheckRow]:
    rows = []
    for document in corpus.documents:
        if document.path not in reported:
            continue
        text = texts.get(document.path)
        if document.url and not is_valid_url(document.url):
            rows.append(row("FL032", document.path, key_line(text, "url") or document.body_line,
                            f"url {document.url!r} is not an http:// or https:// address with a "
                            "host name; fix it or leave it empty (url: \"\")"))
        if document.published:
            try:
                published = parse_publication_date(document.published).first
            except ValueError as exc:
                rows.append(row("FL030", document.path,
                                key_line(text, "published") or document.body_line, str(exc)))
            else:
                # A partial date is in the future only when its first day is.
                if published > today + dt.timedelta(days=FUTURE_GRACE_DAYS):
                    rows.append(row("FL031", document.path,
                                    key_line(text, "published") or document.body_line,
                                    f"published date {document.published} is in the future "
                                    f"(today is {today.isoformat()}); check the year and month"))
    return rows


def _duplicate_id_rows(corpus: Corpus, reported: set[str],
                       texts: dict[str, str]) -> list[CheckRow]:
    if len(corpus.index) == len(corpus.documents):  # the index by id kept every document
        return []
    by_id: dict[str, list[Document]] = defaultdict(list)
    for document in corpus.documents:
        by_id[document.id].append(document)
    rows = []
    for doc_id, group in by_id.items():
        if len(group) < 2:
            continue
        for document in group:
            if document.path not in reported:
                continue
            others = ", ".join(sorted(d.path for d in group if d is not document))
            rows.append(row("FL021", document.path,
                            key_line(texts.get(document.path), "id") or document.body_line,
                            f"id {doc_id!r} is also used by {others}; give each article its "
                            "own id"))
    return rows


# ---------------------------------------------------------------------------
# Checks on the text (pipeline sentences and tokens).


