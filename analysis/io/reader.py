"""Loading a corpus: a folder of Markdown articles, one article, or one table.

Documents are kept sorted by id so that file order never changes a result.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from framelens.analysis.config.settings import load_config
from framelens.analysis.errors import CorpusError
from framelens.analysis.io.documents import ARTICLE_SUFFIX, TABULAR_SUFFIXES, Corpus, Document, read_article
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
            from framelens.analysis.io.manifest import read_articles
            from framelens.analysis.store.document_cache import DocumentCache

            cache = DocumentCache()
            documents, digests = read_articles(names, stats, config, cache, sources)
        else:
            documents = [read_article(sources / name, config) for name in names]
    elif sources.suffix.lower() in TABULAR_SUFFIXES:
        documents = list(read_table(sources, columns or ColumnMap(), config))
    elif sources.suffix == ARTICLE_SUFFIX:
        documents = [read_article(sources, config)]
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


def article_files(folder: Path) -> tuple[list[str], list]:
    """The folder's article file names, sorted, with their ``stat`` results.

    Names, not Paths: building 50,000 Path objects costs more than the scan.
    """
    with os.scandir(folder) as entries:
        found = sorted((entry.name, entry) for entry in entries
                       if os.path.splitext(entry.name)[1] == ARTICLE_SUFFIX and entry.is_file())
    # Sorting by name sorts by path within one folder.
    return [name for name, _ in found], [entry.stat() for _, entry in found]


def _check_unique_ids(documents: Iterable[Document]) -> None:
    seen: dict[str, Document] = {}
    for document in documents:
        if document.id in seen:
            raise CorpusError(f"duplicate id {document.id!r} (also in {seen[document.id].path})",
                              path=document.path, line=None, code="FL021")
        seen[document.id] = document
