"""Loading a corpus: a folder of Markdown articles, one article, or one table.

Documents are kept sorted by id so that file order never changes a result.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from framelens.analysis.config.settings import load_config
from framelens.analysis.errors import CorpusError
from framelens.analysis.io.documents import ARTICLE_SUFFIX, TABULAR_SUFFIXES, Corpus, Document
from framelens.analysis.io.manifest import read_article_file, read_articles
from framelens.analysis.io.tables import ColumnMap, read_table


def default_sources() -> Path:
    """``./sources`` when it exists, else the corpus bundled with the package."""
    local = Path("sources")
    if local.is_dir():
        return local
    import framelens.sources

    return Path(framelens.sources.__file__).parent


def load_corpus(
    sources: Path | None = None,
    *,
    config_path: Path | None = None,
    columns: ColumnMap | None = None,
    use_cache: bool = True,
    lemmas: bool = False,
) -> Corpus:
    """Load and validate a corpus from a folder of articles or a tabular file."""
    sources = sources if sources is not None else default_sources()
    if not sources.exists():
        raise CorpusError("no such file or folder", path=sources)
    corpus_dir = sources if sources.is_dir() else sources.parent
    config = load_config(config_path, corpus_dir if sources.is_dir() else None)
    digests: dict[str, str] = {}
    cache = None
    if sources.is_dir():
        names, stats = article_files(sources)
        if use_cache:
            from framelens.analysis.store.document_cache import DocumentCache

            cache = DocumentCache()
            documents, digests = read_articles(names, stats, config, cache, sources)
        else:
            documents = [read_article_file(sources / name, config).document for name in names]
    elif sources.suffix.lower() in TABULAR_SUFFIXES:
        documents = list(read_table(sources, columns or ColumnMap(), config))
    elif sources.suffix == ARTICLE_SUFFIX:
        documents = [read_article_file(sources, config).document]
    else:
        raise CorpusError(f"not a corpus: expected a folder of .md articles or a "
                          f"{'/'.join(TABULAR_SUFFIXES)} file", path=sources)
    if not documents:
        raise CorpusError(f"no articles ({ARTICLE_SUFFIX} files) found", path=sources)
    _check_unique_ids(documents)
    config = config.with_perspectives_from(sorted({d.perspective for d in documents}))
    corpus = Corpus(tuple(sorted(documents, key=lambda d: d.id)), config, str(sources), use_cache,
                    lemmas)
    if cache is not None:  # opened for the manifest: the run's analyses share it
        corpus.memo["cache"] = cache
    if digests:  # known from the manifest: the pipeline need not hash the texts again
        corpus.memo["digests"] = tuple(digests[d.path] for d in corpus.documents)
    return corpus


def article_files(folder: Path, problems: list[CorpusError] | None = None
                  ) -> tuple[list[str], list]:
    """The folder's article file names, sorted, with their ``stat`` results.

    Every ``*.md`` entry that is not a readable regular file (a folder named
    ``x.md``, a FIFO, a dangling symlink, a symlink loop) is a problem, never
    skipped silently: it is appended to ``problems`` when given, else the first
    one is raised. Nothing is opened here, so a FIFO cannot block the scan.
    Names, not Paths: building 50,000 Path objects costs more than the scan. Each
    name is ``stat``-ed relative to the open folder where the system allows: a
    whole path walked for every file costs as much again.
    """
    names: list[str] = []
    stats: list[os.stat_result] = []
    errors: list[CorpusError] = []
    try:
        candidates = sorted(name for name in os.listdir(folder)
                            if os.path.splitext(name)[1] == ARTICLE_SUFFIX)
        folder_fd = (os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
                     if os.stat in os.supports_dir_fd else None)
    except OSError as exc:
        raise CorpusError(f"cannot read folder: {exc.strerror or exc}", path=folder,
                          code="FL005") from None
    try:
        for name in candidates:
            try:  # follows symlinks
                info = (os.stat(name, dir_fd=folder_fd) if folder_fd is not None
                        else os.stat(os.path.join(folder, name)))
            except OSError as exc:
                errors.append(_entry_error(Path(folder) / name, exc))
                continue
            if stat.S_ISREG(info.st_mode):
                names.append(name)
                stats.append(info)
            else:
                errors.append(CorpusError(
                    f"not an article file: {_file_kind(info.st_mode)}, not a regular file",
                    path=Path(folder) / name, code="FL005"))
    finally:
        if folder_fd is not None:
            os.close(folder_fd)
    errors.sort(key=lambda e: e.path or "")
    if errors and problems is None:
        raise errors[0]
    if problems is not None:
        problems.extend(errors)
    return names, stats


def _entry_error(path: Path, exc: OSError) -> CorpusError:
    if exc.errno == errno.ELOOP:
        reason = "symbolic link loop (too many levels of symbolic links)"
    elif exc.errno == errno.ENOENT and os.path.islink(path):
        reason = f"dangling symbolic link (to {os.readlink(path)!r}, which does not exist)"
    else:
        reason = exc.strerror or str(exc)
    return CorpusError(f"cannot read file: {reason}", path=path, code="FL005")


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "a special file")


def _check_unique_ids(documents: Iterable[Document]) -> None:
    seen: dict[str, Document] = {}
    for document in documents:
        if document.id in seen:
            raise CorpusError(f"duplicate id {document.id!r} (also in {seen[document.id].path})",
                              path=document.path, line=None, code="FL021")
        seen[document.id] = document
