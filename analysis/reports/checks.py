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
  vectors (``tfidf.tfidf_weights``: scikit-learn, tf = raw count,
  idf = ln((1+n)/(1+df)) + 1, rows L2-normalised) over the pipeline's terms
  (config phrases merged, stopwords removed) ≥ ``[check] near_duplicate_threshold``.
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
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
from framelens.analysis.io.web import chrome_kind, is_valid_url, plain_line
from framelens.analysis.io.window import in_window, within_window
from framelens.analysis.reports.check_codes import ERROR, CheckRow, row
from framelens.analysis.results import Result

# A date one day ahead is allowed: the publisher's time zone may be ahead of ours.
FUTURE_GRACE_DAYS = 1
MIN_REPEAT_TOKENS = 6
PULL_QUOTE_TOKENS = (8, 60)
MIN_STOPWORD_RATIO = 0.2
MIN_LANGUAGE_TOKENS = 50
MAX_NON_LATIN_SHARE = 0.3
MIN_SCRIPT_LETTERS = 100
_SIMILARITY_BLOCK = 512


# ---------------------------------------------------------------------------
# Patterns, compiled once.

_KEY_RE = re.compile(r"([A-Za-z_][\w-]*)\s*:")
_FENCE_LINE_RE = re.compile(r"---[ \t]*\Z")
_LETTER_RE = re.compile(r"[^\W\d_]")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


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
    unreadable: list[CorpusError] = []
    files, identities, stats = _article_files(sources, paths or (), unreadable)
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
    for path in files:
        key = str(path)
        stat = stats.get(key) if manifest is not None else None
        recall = stat is not None and wanted is not None and identities[key] not in wanted
        document = _read_one(path, config, rows, texts, manifest, stat, recall=recall)
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

    reported = ({d.path for d in documents} if wanted is None else
                {d.path for d in documents if identity_of(d.path) in wanted})
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
        corpus = Corpus(tuple(sorted(documents, key=lambda d: (d.id, d.path))), config,
                        str(sources), use_cache)
        rows += _metadata_rows(corpus, reported, texts, today)
        rows += _duplicate_id_rows(corpus, reported, texts)
        rows += _content_rows(corpus, reported, texts)
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
                   ) -> tuple[list[Path], dict[str, object], dict[str, object]]:
    """The files to read (the folder's articles, then named files not among them), each
    file's identity (:func:`_identity`) and, for the folder's articles, their ``stat``."""
    stats: dict[str, object] = {}
    identities: dict[str, object] = {}
    files: list[Path] = []
    if sources.is_dir():
        for name, stat in zip(*article_files(sources, problems), strict=True):
            path = sources / name
            files.append(path)
            stats[str(path)] = stat
            identities[str(path)] = (stat.st_dev, stat.st_ino)
    elif sources.suffix.lower() not in TABULAR_SUFFIXES:
        files.append(sources)
        identities[str(sources)] = _identity(sources)
    known = set(identities.values())
    known.update(os.path.abspath(p.path) for p in problems if p.path)  # reported already
    for path in paths:
        identity = _identity(path)
        if identity not in known and os.path.abspath(path) not in known:
            known.add(identity)
            files.append(path)
            identities[str(path)] = identity
    return files, identities, stats


def _identity(path: Path) -> object:
    """What makes two paths the same file: device and inode (symlinks and ``..`` resolved
    for free); the absolute path for a file that does not exist."""
    try:
        stat = path.stat()
    except OSError:
        return str(path.absolute())
    return (stat.st_dev, stat.st_ino)


def _read_one(path: Path, config: Config, rows: list[CheckRow], texts: dict[str, str],
              manifest=None, stat=None, *, recall: bool = False) -> Document | None:
    """An article (:func:`~framelens.analysis.io.manifest.read_article_file`); a file that
    fails to read adds its row instead. ``recall``: a file not reported on may come from the
    manifest; the others are read from disk and their text kept for the line checks."""
    from framelens.analysis.io.manifest import read_article_file

    try:
        reading = read_article_file(path, config, manifest=manifest, stat=stat, recall=recall)
    except CorpusError as exc:
        rows.append(row(exc.code or "FL010", path, exc.line, exc.message))
        return None
    if reading.text is not None:
        texts[str(path)] = reading.text
    return reading.document




def _key_line(text: str | None, key: str) -> int | None:
    """File line of ``key:`` in the front matter of ``text``."""
    if text is None:
        return None
    for number, line in enumerate(text.split("\n")[1:], start=2):
        if _FENCE_LINE_RE.match(line):
            return None
        match = _KEY_RE.match(line)
        if match and match.group(1) == key:
            return number
    return None


def _body_file_line(document: Document, body_line: int) -> int:
    """File line of a 1-based body line (tabular rows only have their row line)."""
    if document.path.endswith(ARTICLE_SUFFIX):
        return document.body_line + body_line - 1
    return document.body_line


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
            rows.append(row("FL032", document.path, _key_line(text, "url") or document.body_line,
                            f"url {document.url!r} is not an http:// or https:// address with a "
                            "host name; fix it or leave it empty (url: \"\")"))
        if document.published:
            try:
                published = parse_publication_date(document.published).first
            except ValueError as exc:
                rows.append(row("FL030", document.path,
                                _key_line(text, "published") or document.body_line, str(exc)))
            else:
                # A partial date is in the future only when its first day is.
                if published > today + dt.timedelta(days=FUTURE_GRACE_DAYS):
                    rows.append(row("FL031", document.path,
                                    _key_line(text, "published") or document.body_line,
                                    f"published date {document.published} is in the future "
                                    f"(today is {today.isoformat()}); check the year and month"))
    return rows


def _duplicate_id_rows(corpus: Corpus, reported: set[str],
                       texts: dict[str, str]) -> list[CheckRow]:
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
                            _key_line(texts.get(document.path), "id") or document.body_line,
                            f"id {doc_id!r} is also used by {others}; give each article its "
                            "own id"))
    return rows


# ---------------------------------------------------------------------------
# Checks on the text (pipeline sentences and tokens).


def _content_rows(corpus: Corpus, reported: set[str], texts: dict[str, str]) -> list[CheckRow]:
    from framelens.analysis.process.pipeline import processed
    from framelens.analysis.text.languages import PIPELINE_LANGUAGES
    from framelens.analysis.text.normalize import english_stopwords

    docs = processed(corpus)
    settings = corpus.config.check
    stopwords = english_stopwords()
    rows: list[CheckRow] = []
    for document, doc in zip(corpus.documents, docs, strict=True):
        if document.path not in reported:
            continue
        words = doc.token_count
        if words < settings.min_words:
            rows.append(row("FL045", document.path, document.body_line,
                            f"the article has {words} words, fewer than [check] min_words = "
                            f"{settings.min_words}: is the text complete (a teaser or an "
                            "extraction that stopped early)?"))
        elif words > settings.max_words:
            rows.append(row("FL046", document.path, document.body_line,
                            f"the article has {words:,} words, more than [check] max_words = "
                            f"{settings.max_words:,}: is it several articles in one file?"))
        rows += _repeat_rows(document, doc)
        rows += _chrome_rows(document)
        if doc.language == "en":
            rows += _language_rows(document, doc, stopwords)
        elif document.language:  # declared: does the text agree?
            rows += _declared_language_rows(document, doc, texts.get(document.path))
        if doc.language and doc.language not in PIPELINE_LANGUAGES:
            rows.append(row("FL044", document.path, document.body_line,
                            f"the article is in {doc.language!r}, which framelens reads without "
                            "rules of its own (sentence ends, lexicons; tone is missing): "
                            "translate it or keep it apart"))
    rows += _duplicate_text_rows(corpus, docs, reported)
    return rows


def _repeat_rows(document: Document, doc) -> list[CheckRow]:
    """Repeated sentences (runs of them as one row) and pull-quote paragraphs."""
    rows = []
    keys = [tuple(t.casefold() for t in tokens) for tokens in doc.tokens]
    first: dict[tuple[str, ...], int] = {}
    flagged_paragraphs: set[int] = set()
    run: list[tuple[int, int]] = []  # (repeat index, original index)

    def close_run() -> None:
        if not run:
            return
        index, original = run[0]
        count = len(run)
        what = (f"{count} sentences repeat" if count > 1 else "this sentence repeats")
        rows.append(row("FL042", document.path, _body_file_line(document, doc.lines[index]),
                        f"{what} text from line {_body_file_line(document, doc.lines[original])}"
                        f": {_excerpt(doc.sentences[index])!r}; remove the repeat (a pull "
                        "quote or text pasted twice)"))
        flagged_paragraphs.update(doc.paragraph[i] for i, _ in run)
        run.clear()

    for index, key in enumerate(keys):
        original = first.get(key)
        if original is None or len(key) < MIN_REPEAT_TOKENS:
            first.setdefault(key, index)
            close_run()
            continue
        if run and (run[-1][0] != index - 1 or run[-1][1] != original - 1):
            close_run()
        run.append((index, original))
    close_run()

    # Pull quotes: a short paragraph whose tokens appear inside another paragraph.
    paragraph_tokens: dict[int, list[str]] = defaultdict(list)
    paragraph_line: dict[int, int] = {}
    for key, paragraph, line in zip(keys, doc.paragraph, doc.lines, strict=True):
        paragraph_tokens[paragraph].extend(key)
        paragraph_line.setdefault(paragraph, line)
    joined = {p: " " + " ".join(tokens) + " " for p, tokens in paragraph_tokens.items()}
    low, high = PULL_QUOTE_TOKENS
    for paragraph, tokens in paragraph_tokens.items():
        if paragraph in flagged_paragraphs or not low <= len(tokens) <= high:
            continue
        needle = joined[paragraph]
        for other, haystack in joined.items():
            if other != paragraph and len(haystack) > len(needle) and needle in haystack:
                rows.append(row(
                    "FL042", document.path, _body_file_line(document, paragraph_line[paragraph]),
                    f"this paragraph repeats text from line "
                    f"{_body_file_line(document, paragraph_line[other])}: "
                    f"{_excerpt(' '.join(tokens))!r}; remove it if it is a pull quote"))
                break
    return rows


def _chrome_rows(document: Document) -> list[CheckRow]:
    """Lines left over from the web page around the article."""
    rows = []
    for offset, raw in enumerate(document.text.split("\n")):
        what = chrome_kind(raw)
        if what:
            rows.append(row("FL043", document.path, _body_file_line(document, offset + 1),
                            f"{_excerpt(plain_line(raw))!r} looks like {what} left over from "
                            "the web page; delete the line"))
    return rows


def _declared_language_rows(document: Document, doc, text: str | None) -> list[CheckRow]:
    """The declared language against the one lingua detects in the first sentences."""
    from framelens.analysis.text.languages import DETECTION_CHARS, detect_language

    sample, size = [], 0
    for sentence in doc.sentences:
        if size >= DETECTION_CHARS:
            break
        sample.append(sentence)
        size += len(sentence) + 1
    detected = detect_language(" ".join(sample))
    if not detected or detected == document.language:
        return []
    return [row("FL044", document.path, _key_line(text, "language") or document.body_line,
                f"the article declares language {document.language!r} but its text reads as "
                f"{detected!r} (lingua): fix the language (or --language-column), or leave it "
                "out to have it detected; sentence rules, stopwords and lexicons follow it")]


def _language_rows(document: Document, doc, stopwords: frozenset[str]) -> list[CheckRow]:
    rows = []
    tokens = [t for sentence in doc.tokens for t in sentence]
    if len(tokens) >= MIN_LANGUAGE_TOKENS:
        ratio = sum(t.lower() in stopwords for t in tokens) / len(tokens)
        if ratio < MIN_STOPWORD_RATIO:
            rows.append(row("FL044", document.path, document.body_line,
                            f"only {ratio:.0%} of the words are English stopwords (English "
                            f"prose has 40-50%, the check wants {MIN_STOPWORD_RATIO:.0%}): is "
                            "the article in English, and is it prose rather than a list or "
                            "a table?"))
    letters = len(_LETTER_RE.findall(document.text))
    if letters >= MIN_SCRIPT_LETTERS:
        share = 1 - len(_LATIN_RE.findall(document.text)) / letters
        if share > MAX_NON_LATIN_SHARE:
            rows.append(row("FL044", document.path, document.body_line,
                            f"{share:.0%} of the letters are not Latin script (the check allows "
                            f"{MAX_NON_LATIN_SHARE:.0%}): the article does not look English; "
                            "add a translation or leave it out"))
    return rows


def _duplicate_text_rows(corpus: Corpus, docs, reported: set[str]) -> list[CheckRow]:
    """Exact duplicates (same case-folded token sequence) and TF-IDF near-duplicates."""
    import numpy as np

    documents = corpus.documents
    rows = []
    by_text: dict[str, list[int]] = defaultdict(list)
    for index, doc in enumerate(docs):
        tokens = [t.casefold() for sentence in doc.tokens for t in sentence]
        if tokens:
            by_text[hashlib.sha256(" ".join(tokens).encode()).hexdigest()].append(index)
    exact: set[tuple[int, int]] = set()
    for group in by_text.values():
        for i in group:
            exact.update((i, j) for j in group if j != i)
            if len(group) > 1 and documents[i].path in reported:
                others = ", ".join(sorted(f"{documents[j].id} ({documents[j].path})"
                                          for j in group if j != i))
                rows.append(row("FL040", documents[i].path, documents[i].body_line,
                                f"same text as {others}; keep one of them"))

    threshold = corpus.config.check.near_duplicate_threshold
    if len(documents) < 2 or threshold > 1:
        return rows
    matrix = _tfidf(corpus)
    targets = np.array([i for i, d in enumerate(documents) if d.path in reported], dtype=np.int64)
    for start in range(0, len(targets), _SIMILARITY_BLOCK):
        block = targets[start:start + _SIMILARITY_BLOCK]
        similarity = (matrix[block] @ matrix.T).tocoo()
        first = block[similarity.row]
        keep = (similarity.data >= threshold) & (first != similarity.col)
        for i, j, value in zip(first[keep].tolist(), similarity.col[keep].tolist(),
                               similarity.data[keep].tolist(), strict=True):
            if (i, j) in exact:
                continue
            rows.append(row("FL041", documents[i].path, documents[i].body_line,
                            f"near-duplicate of {documents[j].id} ({documents[j].path}): TF-IDF "
                            f"cosine {value:.3f} >= [check] near_duplicate_threshold = "
                            f"{threshold}; keep one version, or raise the threshold if both "
                            "belong in the corpus"))
    return rows


def _tfidf(corpus: Corpus):
    """L2-normalised TF-IDF rows of the documents (:func:`framelens.analysis.lenses.tfidf.tfidf_weights`).

    Terms: the pipeline's tokens with config phrases merged and stopwords
    removed (:func:`framelens.analysis.counts.matrices.term_options`); no collocation
    detection, so the check never needs nltk.
    """
    from framelens.analysis.counts.matrices import document_term_counts, term_options
    from framelens.analysis.counts.units import tfidf_weights

    counts = document_term_counts(corpus, term_options(corpus))
    weights, _ = tfidf_weights(counts.matrix)
    return weights.tocsr()


def _excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


