"""``framelens sources add``: import one article from a file or a URL into the corpus.

Steps: read the source (``.txt``, ``.md``, ``.html``/``.htm`` or an
``http(s)://`` URL); for HTML extract the article text and metadata with
trafilatura (title, author, date, site name, canonical URL); clean the
paragraphs (leftover web chrome, the title repeated as the first line, pull
quotes and repeated paragraphs); let the options override the metadata; make
the id a slug of the title; write ``<dest>/<id>.md`` atomically and without
ever overwriting (:func:`write_new_file`). Running the checks on the new file
is the caller's job (``cli/sources_cmd.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from framelens.analysis.config.settings import Config
from framelens.analysis.errors import CorpusError, OptionError
from framelens.analysis.io.dates import parse_publication_date
from framelens.analysis.io.documents import (
    ARTICLE_SUFFIX,
    ID_RE,
    front_matter_loader,
    read_regular_file,
    read_text_file,
)
from framelens.analysis.io.output import write_new_file
from framelens.analysis.io.web import MAX_CHROME_WORDS, chrome_kind, is_valid_url
from framelens.analysis.text.languages import detect_language, language_code
from framelens.analysis.text.normalize import normalize, tokenize

HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt", ".md")
MAX_ID_LENGTH = 60
# Web pages are larger than articles: scripts, styles and inline images.
MAX_HTML_BYTES = 50_000_000
DOWNLOAD_TIMEOUT = 30  # seconds, each network operation
DOWNLOAD_DEADLINE = 120  # seconds, the whole download
FIELDS = ("id", "title", "perspective", "author", "outlet", "published", "url", "language")

_URL_PREFIX_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_SLUG_DROP_RE = re.compile(r"['’`]")
_SLUG_DOTTED_RE = re.compile(r"(?<![A-Za-z])((?:[A-Za-z]\.){2,})")
_SLUG_SPLIT_RE = re.compile(r"[^a-z0-9]+")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n+")
_FENCE_RE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_HTML_LANG_RE = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?][\"')\]]*\Z")
# Below this many tokens a contained paragraph is not treated as a pull quote.
_PULL_QUOTE_MIN_TOKENS = 6
# A page whose every paragraph is shorter is navigation ("Home / News"), not an article.
MIN_PARAGRAPH_WORDS = 8
MIN_PARAGRAPH_CHARS = 80


@dataclass(frozen=True)
class Extracted:
    """Article text as paragraphs, the metadata found, and what cleaning removed."""

    paragraphs: tuple[str, ...]
    metadata: dict[str, str]
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportedArticle:
    path: Path
    id: str
    metadata: dict[str, str]
    words: int
    removed: tuple[str, ...]


# ---------------------------------------------------------------------------
# The whole import.


def import_article(
    source: str,
    *,
    perspective: str,
    dest: Path,
    config: Config,
    overrides: Mapping[str, str | None] | None = None,
    known_ids: Mapping[str, str] | None = None,
) -> ImportedArticle:
    """Read, extract, clean and write ``source`` as ``<dest>/<id>.md``; never overwrites.

    ``overrides`` are the option values (``id``, ``title``, ``author``,
    ``outlet``, ``published``, ``url``, ``language``; None = not given) and
    win over extracted metadata. ``known_ids`` maps ids already in the corpus
    to their files (ids of ``dest`` are always added).
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    _validate_options(overrides, perspective, config)
    if not dest.is_dir():
        raise CorpusError("destination folder does not exist (create it or pass --dest)",
                          path=dest)
    extracted = read_source(source, max_bytes=config.check.max_file_bytes)
    metadata = {**extracted.metadata, **{k: v.strip() for k, v in overrides.items()}}
    metadata["perspective"] = perspective
    title = metadata.get("title", "").strip()
    if not title:
        raise CorpusError("no title found in the source; pass --title", path=source)
    metadata["title"] = " ".join(normalize(title).split())
    doc_id = metadata.get("id") or slugify(metadata["title"])
    if not doc_id:
        raise CorpusError(f"cannot make an id from the title {metadata['title']!r} (no ASCII "
                          "letters or digits); pass --id", path=source)
    metadata["id"] = doc_id
    paragraphs = [p for p in extracted.paragraphs
                  if " ".join(normalize(p).split()).casefold() != metadata["title"].casefold()]
    removed = extracted.removed + tuple(
        p for p in extracted.paragraphs
        if " ".join(normalize(p).split()).casefold() == metadata["title"].casefold())
    if not paragraphs:
        raise CorpusError("no article text found in the source", path=source)
    if not any(_is_prose(p) for p in paragraphs):
        longest = max(len(tokenize(normalize(p))) for p in paragraphs)
        raise CorpusError(f"no article text found in the source: only short lines (at most "
                          f"{longest} words, such as a menu: {_quoted(paragraphs[0])}); an "
                          f"article has a paragraph of {MIN_PARAGRAPH_WORDS} words or more",
                          path=source)
    # The language: --language, the page's <html lang>, the config's, else detected.
    language = language_code(metadata.get("language") or config.language or "")
    metadata["language"] = language or detect_language(normalize(" ".join(paragraphs[:20]))) \
        or "en"

    ids = dict(known_ids or {})
    ids.update(existing_ids(dest))
    target = dest / f"{doc_id}{ARTICLE_SUFFIX}"
    if target.exists():
        raise CorpusError(f"{target} already exists; refusing to overwrite it (pass --id to "
                          "choose another id, or remove the file first)", path=source)
    if doc_id in ids:
        raise CorpusError(f"id {doc_id!r} is already used by {ids[doc_id]}; pass --id to "
                          "choose another id", path=source)
    text = article_markdown(metadata, paragraphs)
    write_new_file(target, text)
    words = sum(len(tokenize(normalize(p))) for p in paragraphs)
    return ImportedArticle(target, doc_id, {k: metadata.get(k, "") for k in FIELDS}, words,
                           removed)


def _is_prose(paragraph: str) -> bool:
    """A paragraph of at least MIN_PARAGRAPH_WORDS words, or (for scripts written without
    spaces, whose words the tokenizer may not split) of at least MIN_PARAGRAPH_CHARS
    characters."""
    return (len(" ".join(paragraph.split())) >= MIN_PARAGRAPH_CHARS
            or len(tokenize(normalize(paragraph))) >= MIN_PARAGRAPH_WORDS)


def _quoted(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


def _validate_options(overrides: Mapping[str, str], perspective: str, config: Config) -> None:
    if config.perspectives and config.perspective(perspective) is None:
        known = ", ".join(p.id for p in config.perspectives)
        raise OptionError(f"unknown perspective {perspective!r} (the config declares: {known})")
    if "id" in overrides and not ID_RE.match(overrides["id"]):
        raise OptionError(f"--id {overrides['id']!r} must be lowercase letters, digits and single "
                          "hyphens ([a-z0-9-]+)")
    published = overrides.get("published")
    if published and not _is_iso_date(published):
        raise OptionError(f"--published {published!r} is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)")
    url = overrides.get("url")
    if url and not is_valid_url(url):
        raise OptionError(f"--url {url!r} is not an http:// or https:// address")
    for key in ("title", "language"):
        if key in overrides and not overrides[key].strip():
            raise OptionError(f"--{key} must not be empty")
    if "language" in overrides and language_code(overrides["language"]) is None:
        raise OptionError(f"--language {overrides['language']!r} is not an ISO 639-1 code "
                          "(en, ru, uk, zh...)")


def _is_iso_date(value: str) -> bool:
    """A date framelens reads: YYYY-MM-DD, or a month or year written as YYYY-MM, YYYY."""
    try:
        parse_publication_date(value)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------
# Reading and extracting.


def read_source(source: str, *, max_bytes: int) -> Extracted:
    """The paragraphs and metadata of a local file or a URL."""
    if _URL_PREFIX_RE.match(source):
        if not is_valid_url(source):
            raise CorpusError("not an http:// or https:// URL", path=source)
        data = fetch(source)
        return extract_html(data, url=source)
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        data = read_regular_file(path, MAX_HTML_BYTES)
        return extract_html(data, source=path)
    if suffix in TEXT_SUFFIXES:
        text = read_text_file(path, max_bytes)
        return extract_text(text, markdown=suffix == ARTICLE_SUFFIX)
    raise CorpusError("expected a .txt, .md, .html or .htm file, or an http(s):// URL",
                      path=path)


def fetch(url: str, *, timeout: float = DOWNLOAD_TIMEOUT,
          deadline: float = DOWNLOAD_DEADLINE) -> bytes:
    """Download a page (standard library only); a failure is one clear CorpusError.

    ``timeout`` bounds each network operation, ``deadline`` the whole download: a
    server that sends a byte every few seconds cannot keep the import running. The
    download runs in a daemon thread that is abandoned at the deadline.
    """
    import threading

    outcome: list[bytes | CorpusError] = []
    worker = threading.Thread(target=lambda: outcome.append(_download(url, timeout)),
                              name="framelens-download", daemon=True)
    worker.start()
    worker.join(deadline)
    if worker.is_alive() or not outcome:
        raise CorpusError(f"cannot download the page: no complete answer within {deadline:g} s; "
                          "save the page as .html and add the file instead", path=url)
    result = outcome[0]
    if isinstance(result, CorpusError):
        raise result
    return result


def _download(url: str, timeout: float) -> bytes | CorpusError:
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "framelens (article import)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_HTML_BYTES + 1)
    except urllib.error.HTTPError as exc:
        return CorpusError(f"cannot download the page: HTTP {exc.code} {exc.reason}", path=url)
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return CorpusError(f"cannot download the page ({reason}); without network access, save "
                           "the page as .html and add the file instead", path=url)
    if len(data) > MAX_HTML_BYTES:
        return CorpusError(f"the page is over the {MAX_HTML_BYTES:,}-byte limit", path=url)
    return data


def extract_html(data: bytes | str, *, url: str | None = None,
                 source: str | Path | None = None) -> Extracted:
    """Article text and metadata of a web page, extracted with trafilatura.

    trafilatura (Barbaresi 2021, "Trafilatura: A Web Scraping Library and
    Command-Line Tool for Text Discovery and Extraction") drops navigation,
    footers and most boilerplate; :func:`clean_paragraphs` removes what it
    leaves. Metadata: title, author, date (ISO), sitename → outlet, canonical
    URL (else the page's URL), and ``<html lang>`` → language.
    """
    import trafilatura

    with _quiet("trafilatura", "htmldate", "courlan", "justext"):
        document = trafilatura.bare_extraction(
            data, url=url, with_metadata=True, include_comments=False, include_tables=False)
    if document is None or not (getattr(document, "text", None) or "").strip():
        raise CorpusError("no article text found in the page", path=url or source)
    metadata: dict[str, str] = {}
    for key, attribute in (("title", "title"), ("author", "author"), ("outlet", "sitename"),
                           ("published", "date"), ("url", "url")):
        value = getattr(document, attribute, None)
        if isinstance(value, str) and value.strip():
            metadata[key] = " ".join(value.split())
    if url and "url" not in metadata:
        metadata["url"] = url
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    lang = _HTML_LANG_RE.search(raw[:65536])
    if lang:
        metadata["language"] = lang.group(1).decode("ascii").lower()
    metadata, dropped = _valid_metadata(metadata)
    kept, removed = clean_paragraphs(document.text.split("\n"))
    return Extracted(tuple(kept), metadata, tuple(removed) + dropped)


def extract_text(text: str, *, markdown: bool) -> Extracted:
    """Paragraphs (and front matter, for .md) of a plain-text or Markdown article.

    Without a title in front matter, a short first line that does not end
    like a sentence is taken as the title.
    """
    metadata: dict[str, str] = {}
    dropped: tuple[str, ...] = ()
    if markdown and text.startswith("---"):
        fences = list(_FENCE_RE.finditer(text))
        if len(fences) >= 2 and fences[0].start() == 0:
            metadata = _front_matter(text[fences[0].end():fences[1].start()])
            text = text[fences[1].end():]
            metadata, dropped = _valid_metadata(metadata)
    chunks = _BLANK_LINE_RE.split(text.strip()) if _BLANK_LINE_RE.search(text.strip()) \
        else text.strip().split("\n")
    paragraphs = [chunk.strip() for chunk in chunks if chunk.strip()]
    if paragraphs and "title" not in metadata:
        first = paragraphs[0].lstrip("#").strip()
        if ("\n" not in first and len(first.split()) <= MAX_CHROME_WORDS
                and not _SENTENCE_END_RE.search(first)):
            metadata["title"] = first
            paragraphs = paragraphs[1:]
    kept, removed = clean_paragraphs(paragraphs)
    return Extracted(tuple(kept), metadata, tuple(removed) + dropped)


def _front_matter(header: str) -> dict[str, str]:
    import yaml

    try:
        meta = yaml.load(header, Loader=front_matter_loader())  # noqa: S506 (safe, no aliases)
    except (yaml.YAMLError, ValueError, RecursionError):
        return {}
    if not isinstance(meta, dict):
        return {}
    values = {}
    for key in FIELDS:
        value = meta.get(key)
        if isinstance(value, dt.date):
            value = value.isoformat()[:10]
        if isinstance(value, str) and value.strip():
            values[key] = value.strip()
    return values


def _valid_metadata(metadata: dict[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Drop extracted values that would fail the checks (a bad date, a bad URL, a bad id)."""
    dropped = []
    clean = dict(metadata)
    if "published" in clean and not _is_iso_date(clean["published"][:10]):
        dropped.append(f"published: {clean.pop('published')}")
    elif "published" in clean:
        clean["published"] = clean["published"][:10]
    if "url" in clean and not is_valid_url(clean["url"]):
        dropped.append(f"url: {clean.pop('url')}")
    if "id" in clean and not ID_RE.match(clean["id"]):
        dropped.append(f"id: {clean.pop('id')}")
    return clean, tuple(dropped)


def clean_paragraphs(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Drop web chrome lines, repeated paragraphs and pull quotes; returns (kept, removed).

    A paragraph is removed when it is web chrome (see
    :func:`framelens.analysis.io.web.chrome_kind`), repeats an earlier
    paragraph, or (a pull quote) its words occur verbatim inside another,
    longer paragraph. Only whole paragraphs are removed, so no article
    sentence is lost that is not also kept elsewhere.
    """
    kept: list[str] = []
    removed: list[str] = []
    for paragraph in paragraphs:
        lines = [line for line in paragraph.split("\n") if line.strip()]
        good = [line for line in lines if chrome_kind(line) is None]
        removed.extend(line.strip() for line in lines if chrome_kind(line) is not None)
        if good:
            kept.append("\n".join(line.rstrip() for line in good))
    keys = [" " + " ".join(t.casefold() for t in tokenize(normalize(p))) + " " for p in kept]
    result: list[str] = []
    seen: set[str] = set()
    for index, (paragraph, key) in enumerate(zip(kept, keys, strict=True)):
        tokens = key.split()
        repeated = key in seen and len(tokens) >= _PULL_QUOTE_MIN_TOKENS
        contained = len(tokens) >= _PULL_QUOTE_MIN_TOKENS and any(
            other != index and len(keys[other]) > len(key) and key in keys[other]
            for other in range(len(keys)))
        if repeated or contained:
            removed.append(paragraph)
            continue
        seen.add(key)
        result.append(paragraph)
    return result, removed


@contextlib.contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Silence library loggers (trafilatura warns on stderr through logging)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# ---------------------------------------------------------------------------
# Ids and the written file.


def slugify(title: str, max_length: int = MAX_ID_LENGTH) -> str:
    """An id from a title: ASCII, ``[a-z0-9]`` words joined by single hyphens, ≤ max_length.

    Accents are stripped (NFKD, then ASCII); apostrophes and the dots of
    abbreviations join ("Russia's" → "russias", "U.S." → "us"); a title
    cut at ``max_length`` is cut at a hyphen when one is in its second half.
    """
    title = _SLUG_DOTTED_RE.sub(lambda m: m.group(1).replace(".", ""), normalize(title))
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore")
    words = _SLUG_SPLIT_RE.split(_SLUG_DROP_RE.sub("", ascii_title.decode("ascii").lower()))
    slug = "-".join(w for w in words if w)
    if len(slug) > max_length:
        cut = slug[:max_length + 1]
        hyphen = cut.rfind("-")
        slug = cut[:hyphen] if hyphen >= max_length // 2 else slug[:max_length]
    return slug.strip("-")


def existing_ids(folder: Path) -> dict[str, str]:
    """Ids declared in the front matter of ``folder/*.md`` (unreadable files are skipped)."""
    ids: dict[str, str] = {}
    if not folder.is_dir():
        return ids
    for path in sorted(folder.glob(f"*{ARTICLE_SUFFIX}")):
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        if not text.startswith("---"):
            continue
        fences = list(_FENCE_RE.finditer(text))
        if len(fences) < 2:
            continue
        doc_id = _front_matter(text[fences[0].end():fences[1].start()]).get("id")
        if doc_id:
            ids.setdefault(doc_id, str(path))
    return ids


def article_markdown(metadata: Mapping[str, str], paragraphs: list[str]) -> str:
    """The article file: YAML front matter (all fields, quoted date) and the body."""
    lines = ["---"]
    for key in FIELDS:
        value = metadata.get(key) or ("unknown" if key in ("author", "outlet") else "")
        lines.append(f"{key}: {_yaml_scalar(value, quote=key in ('published', 'url'))}")
    lines.append("---")
    return "\n".join(lines) + "\n" + "\n\n".join(paragraphs) + "\n"


def _yaml_scalar(value: str, *, quote: bool) -> str:
    """A plain scalar when YAML reads it back unchanged as a string, else double-quoted."""
    import yaml

    if not quote and value and value == value.strip():
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value}:
                return value
        except (yaml.YAMLError, ValueError):
            pass
    return yaml.safe_dump(value, allow_unicode=True, default_style='"',
                          width=float("inf")).strip()



__all__ = ["Extracted", "ImportedArticle", "article_markdown", "clean_paragraphs",
           "existing_ids", "extract_html", "extract_text", "fetch", "import_article",
           "read_source", "slugify"]
