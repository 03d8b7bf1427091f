"""The corpus model and its loaders.

A corpus is a folder of Markdown articles with YAML front matter (plus an
optional ``framelens.toml``), or one CSV, JSONL or Parquet file with an
article a row. Documents are kept sorted by id so that file order never
changes a result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from framelens.analysis.config.settings import Config
from framelens.analysis.errors import CorpusError
from framelens.analysis.io.dates import check_published
from framelens.analysis.results import GroupStyle
from framelens.analysis.store.keys import PIPELINE_VERSION
from framelens.analysis.text.languages import language_code

ARTICLE_SUFFIX = ".md"
TABULAR_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
REQUIRED_KEYS = ("id", "title", "perspective")
OPTIONAL_KEYS = ("author", "outlet", "published", "url", "language")
FRONT_MATTER_KEYS = REQUIRED_KEYS + OPTIONAL_KEYS
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_FENCE_RE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_DATE_LINE_RE = re.compile(r"^[\w-]+\s*:\s*\d{4}-\d{1,2}-\d{1,2}\s*$", re.MULTILINE)
_KEY_LINE_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:", re.MULTILINE)


@dataclass(frozen=True)
class Document:
    """One article. ``text`` is the body as written (Markdown for .md files)."""

    id: str
    title: str
    perspective: str
    text: str
    author: str = "unknown"
    outlet: str = "unknown"
    published: str = ""
    url: str = ""
    language: str = "en"
    path: str = ""
    body_line: int = 1

    @property
    def is_markdown(self) -> bool:
        return self.path.endswith(".md")

    def metadata(self, field_name: str) -> str:
        """A metadata value by name, for ``--by outlet|author|document``."""
        if field_name == "document":
            return self.id
        return str(getattr(self, field_name))


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    config: Config
    root: str = ""
    use_cache: bool = True
    # Count words by their lemma (--lemmas): Киева, Киеве and Киев are one term.
    lemmas: bool = False
    index: dict[str, Document] = field(default_factory=dict, compare=False, repr=False)
    # Derived data shared by every analysis of one run (processed text, count
    # matrices); filled by analysis/process/pipeline.py, never part of equality.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.index.update((d.id, d) for d in self.documents)

    @property
    def perspective_ids(self) -> tuple[str, ...]:
        """Perspectives in config order, restricted to those that have documents."""
        present = {d.perspective for d in self.documents}
        return tuple(p.id for p in self.config.perspectives if p.id in present)

    @property
    def styles(self) -> tuple[GroupStyle, ...]:
        """Labels and colours of :attr:`perspective_ids`, in that order."""
        return self.config.styles(self.perspective_ids)

    def document(self, doc_id: str) -> Document:
        try:
            return self.index[doc_id]
        except KeyError:
            raise CorpusError(f"no article with id {doc_id!r} in the corpus",
                              path=self.root) from None

    def of_perspective(self, perspective_id: str) -> tuple[Document, ...]:
        return tuple(d for d in self.documents if d.perspective == perspective_id)


def read_text_file(path: Path, max_bytes: int, *, legacy_encoding: str | None = None) -> str:
    """Read a UTF-8 text file, refusing binary, non-UTF-8, empty and oversized files.

    ``legacy_encoding``: a file that is not UTF-8 is decoded with it instead of
    refused (for data sets published in Windows-1252, such as SemEval-2016's
    stance tweets; the caller says so to the user).
    """
    raw = read_regular_file(path, max_bytes)
    encoding = _utf16_or_32(raw)
    if encoding:
        raise CorpusError(f"{encoding} text, expected UTF-8; convert it with "
                          f"`iconv -f {encoding} -t UTF-8 FILE > NEW` (or save as UTF-8)",
                          path=path, line=1, code="FL001")
    if b"\x00" in raw:
        raise CorpusError("binary file (contains NUL bytes), expected UTF-8 text", path=path,
                          line=raw[: raw.index(b"\x00")].count(b"\n") + 1, code="FL002")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if legacy_encoding is not None:
            return _normalised_lines(raw.decode(legacy_encoding, errors="replace"))
        raise CorpusError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                          "re-save the file as UTF-8", path=path,
                          line=raw[: exc.start].count(b"\n") + 1, code="FL001") from None
    if not text.strip():
        raise CorpusError("empty file", path=path, code="FL004")
    return _normalised_lines(text)


def _normalised_lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; anything else (a FIFO, a folder,
    a device) is a CorpusError, without blocking: the file is opened non-blocking and
    checked before it is read. Every file framelens reads goes through here."""
    import errno
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        reason = ("symbolic link loop" if exc.errno == errno.ELOOP else exc.strerror or str(exc))
        raise CorpusError(f"cannot read file: {reason}", path=path, code="FL005") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise CorpusError(f"cannot read file: {kind}", path=path, code="FL005")
        if info.st_size > max_bytes:
            raise size_limit_error(path, info.st_size, max_bytes)
        with os.fdopen(os.dup(fd), "rb") as stream:
            return stream.read()
    except OSError as exc:
        raise CorpusError(f"cannot read file: {exc.strerror or exc}", path=path,
                          code="FL005") from None
    finally:
        os.close(fd)


def _utf16_or_32(raw: bytes) -> str | None:
    """"UTF-16"/"UTF-32" when the bytes are text in one of them (a BOM, or NULs between
    ASCII letters), else None."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = raw[:400]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        for zeros, text in ((odd, even), (even, odd)):  # little-, then big-endian ASCII
            if zeros.count(0) >= 0.9 * len(zeros) and text.count(0) <= 0.1 * len(text):
                return "UTF-16"
    return None


def size_limit_error(path: Path, size: int, max_bytes: int) -> CorpusError:
    return CorpusError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit "
                       f"(raise [check] max_file_bytes in the config if this is intended)",
                       path=path, code="FL003")


def parse_article(text: str, path: Path, config: Config) -> Document:
    """Split front matter from body and validate the front matter."""
    return article_document(parse_article_fields(text, path), path, config)


@dataclass(frozen=True)
class ArticleFields:
    """What an article file says, validated except for what depends on the config.

    Optional values are as written (empty when absent); ``perspective_line``
    is where the perspective is, for the config's check of it.
    """

    id: str
    title: str
    perspective: str
    author: str
    outlet: str
    published: str
    url: str
    language: str
    text: str
    body_line: int
    perspective_line: int


def article_document(fields_: ArticleFields, path: Path | str, config: Config) -> Document:
    """The :class:`Document` of parsed fields, after the config's checks and defaults."""
    check_perspective(fields_.perspective, config, path, fields_.perspective_line)
    return Document(
        id=fields_.id, title=fields_.title, perspective=fields_.perspective, text=fields_.text,
        author=fields_.author or "unknown", outlet=fields_.outlet or "unknown",
        published=fields_.published, url=fields_.url,
        language=fields_.language or config.language, path=str(path),
        body_line=fields_.body_line,
    )


def parse_article_fields(text: str, path: Path) -> ArticleFields:
    """Split front matter from body and validate everything that does not depend on the config."""
    import yaml

    if not text.startswith("---"):
        raise CorpusError("missing YAML front matter: the file must start with a '---' line",
                          path=path, line=1, code="FL010")
    fences = list(itertools.islice(_FENCE_RE.finditer(text), 2))  # only the first two count
    if len(fences) < 2 or fences[0].start() != 0:
        raise CorpusError("front matter is not closed: add a '---' line after it",
                          path=path, line=1, code="FL010")
    header = text[fences[0].end():fences[1].start()]
    body = text[fences[1].end():]
    fence_line = text[: fences[1].end()].count("\n") + 1
    try:
        meta = _simple_front_matter(header)
        if meta is None:
            meta = yaml.load(header, Loader=front_matter_loader())  # noqa: S506 (safe, no aliases)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else 2
        if isinstance(exc, ValueError) and not isinstance(exc, yaml.YAMLError):
            # PyYAML raises a bare ValueError for an unquoted impossible date.
            problem = f"impossible unquoted date ({problem}); write it as \"YYYY-MM-DD\""
            dates = _DATE_LINE_RE.search(header)
            line = header[: dates.start()].count("\n") + 1 if dates else line
        raise CorpusError(f"broken front matter: {problem}", path=path, line=line,
                          code="FL010") from None
    if not isinstance(meta, dict):
        raise CorpusError("front matter must be 'key: value' lines", path=path, line=2,
                          code="FL010")

    def line_of(key: str) -> int:
        for match in _KEY_LINE_RE.finditer(header):
            if match.group(1) == key:
                return header[: match.start()].count("\n") + 1
        return 2

    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            raise CorpusError(f"unknown front-matter key {key!r} (allowed: "
                              f"{', '.join(FRONT_MATTER_KEYS)})", path=path, line=line_of(str(key)),
                              code="FL011")
    for key in REQUIRED_KEYS:
        if key not in meta or meta[key] in (None, ""):
            raise CorpusError(f"front matter is missing required key {key!r}", path=path, line=2,
                              code="FL012")
    values: dict[str, str] = {}
    for key, value in meta.items():
        if key == "published" and isinstance(value, dt.date):
            value = value.isoformat()[:10]
        elif key == "published" and type(value) is int:  # an unquoted year: 2022
            value = str(value)
        if value is None:
            value = ""
        if not isinstance(value, str):
            hint = " (quote it)" if isinstance(value, bool | int | float) else ""
            raise CorpusError(f"front-matter key {key!r} must be a string, got "
                              f"{type(value).__name__} {value!r}{hint}", path=path,
                              line=line_of(key), code="FL013")
        values[key] = value.strip()
    if not ID_RE.match(values["id"]):
        raise CorpusError(f"id {values['id']!r} must be lowercase letters, digits and single "
                          "hyphens ([a-z0-9-]+)", path=path, line=line_of("id"), code="FL014")
    if values.get("published"):
        check_date(values["published"], path, line_of("published"))
    if values.get("language"):
        code = language_code(values["language"])
        if code is None:
            raise CorpusError(f"language {values['language']!r} is not an ISO 639-1 code (en, ru, "
                              "uk, zh...); write the two-letter code or leave it out to have it "
                              "detected", path=path, line=line_of("language"), code="FL016")
        values["language"] = code
    if not body.strip():
        raise CorpusError("the article has no body text after the front matter", path=path,
                          line=fence_line + 1, code="FL015")
    return ArticleFields(
        id=values["id"], title=values["title"], perspective=values["perspective"],
        author=values.get("author", ""), outlet=values.get("outlet", ""),
        published=values.get("published", ""), url=values.get("url", ""),
        language=values.get("language", ""), text=body.strip("\n"),
        body_line=fence_line + _leading_blank_lines(body),
        perspective_line=line_of("perspective"),
    )


# Front matter made only of ``key: value`` lines whose values are plain words,
# URLs or quoted strings (what framelens and most tools write) is read without
# PyYAML, which takes ~0.3 ms a file (15 s for 50,000 articles). The fast path
# accepts only lines whose YAML meaning is certain: a plain scalar starting
# with a letter resolves to a string unless it is a YAML 1.1 bool/null word,
# and a quoted scalar without escapes is its content. Anything else (comments,
# lists, indentation, escapes, dates, numbers) goes to PyYAML.
_FM_LINE_RE = re.compile(
    r"""([A-Za-z_][\w-]*):(?:[ ]+(?:"([^"\\\n]*)"|'([^'\n]*)'|"""
    r"""([^\W\d_](?:[\w .,/()'&+%?=-]|:(?=[\w.,/()'&+%?=-]))*)))?[ ]*""")
_FM_SPECIAL = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})


def _simple_front_matter(header: str) -> dict[str, str | None] | None:
    """``yaml.safe_load(header)`` for simple headers; None when PyYAML must decide."""
    meta: dict[str, str | None] = {}
    for line in header.split("\n"):
        if not line.strip(" "):
            continue
        match = _FM_LINE_RE.fullmatch(line)
        if match is None:
            return None
        key, double, single, plain = match.groups()
        value: str | None = None
        if double is not None or single is not None:
            value = double if double is not None else single
            if not value.isprintable():
                return None
        elif plain is not None:
            value = plain.rstrip(" ")
            if value.lower() in _FM_SPECIAL:
                return None
        if key.lower() in _FM_SPECIAL:
            return None
        meta[key] = value
    return meta or None


_LOADER = None


def front_matter_loader():
    """PyYAML's SafeLoader without aliases: front matter never needs ``*name``, and an
    alias "bomb" (a few lines that expand to gigabytes) must not reach the parser."""
    global _LOADER
    if _LOADER is None:
        import yaml

        class FrontMatterLoader(yaml.SafeLoader):
            def compose_node(self, parent, index):
                if self.check_event(yaml.AliasEvent):
                    event = self.peek_event()
                    raise yaml.composer.ComposerError(
                        None, None, "YAML aliases (*name) are not allowed in front matter; "
                        "write the value out", event.start_mark)
                return super().compose_node(parent, index)

        _LOADER = FrontMatterLoader
    return _LOADER


def check_date(value: str, path: Path, line: int) -> None:
    """A ``published`` value must be ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` and exist
    (partial dates are kept at their precision: :mod:`framelens.analysis.io.dates`)."""
    check_published(value, path, line)


def check_perspective(perspective: str, config: Config, path: Path, line: int) -> None:
    if config.perspectives and config.perspective(perspective) is None:
        known = ", ".join(p.id for p in config.perspectives)
        raise CorpusError(f"unknown perspective {perspective!r} (the config declares: {known})",
                          path=path, line=line, code="FL020")


def _leading_blank_lines(body: str) -> int:
    return len(body) - len(body.lstrip("\n"))


def document_digest(document: Document) -> str:
    """Cache key: pipeline version, text format, declared language ("" = detect) and the
    exact body text."""
    markdown = "md" if document.is_markdown else "txt"
    payload = f"{PIPELINE_VERSION}\0{markdown}\0{document.language}\0{document.text}".encode()
    return hashlib.sha256(payload).hexdigest()
