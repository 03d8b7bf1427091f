"""The codes ``framelens check`` reports: stable, each with its severity and what it checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ERROR = "error"


WARNING = "warning"


# code -> (severity, what it checks). Stable: never reuse a code for something else.
CHECKS: dict[str, tuple[str, str]] = {
    "FL001": (ERROR, "file is not UTF-8 text"),
    "FL002": (ERROR, "binary file (contains NUL bytes)"),
    "FL003": (ERROR, "file larger than [check] max_file_bytes"),
    "FL004": (ERROR, "empty file"),
    "FL005": (ERROR, "file cannot be read (missing, permissions)"),
    "FL006": (ERROR, "table corpus (CSV/TSV/JSONL/Parquet): missing column, empty text or "
                     "perspective, malformed row"),
    "FL009": (ERROR, "corpus config (framelens.toml / --config) is invalid"),
    "FL010": (ERROR, "front matter missing, not closed, or not valid YAML key: value lines"),
    "FL011": (ERROR, "unknown front-matter key"),
    "FL012": (ERROR, "required front-matter key (id, title, perspective) missing or empty"),
    "FL013": (ERROR, "front-matter value is not a string (quote it)"),
    "FL014": (ERROR, "id is not lowercase letters, digits and single hyphens"),
    "FL015": (ERROR, "no body text after the front matter"),
    "FL016": (ERROR, "language is not an ISO 639-1 code"),
    "FL020": (ERROR, "perspective not declared in the corpus config"),
    "FL021": (ERROR, "id used by another article"),
    "FL030": (ERROR, "published date is not an existing ISO date (YYYY-MM-DD, or YYYY-MM / "
                     "YYYY when only the month or year is known)"),
    "FL031": (ERROR, "published date is in the future (more than a day after today)"),
    "FL032": (ERROR, "url is not an http(s)://host/... address (empty is allowed)"),
    "FL040": (ERROR, "same text as another article (exact duplicate)"),
    "FL041": (ERROR, "TF-IDF cosine with another article >= [check] near_duplicate_threshold"),
    "FL042": (WARNING, "sentence repeated inside the article (pasted twice, pull quote)"),
    "FL043": (WARNING, "leftover web-page text (related links, subscribe, cookie notice...)"),
    "FL044": (WARNING, "article does not look like it is in its declared language"),
    "FL045": (WARNING, "fewer words than [check] min_words"),
    "FL046": (WARNING, "more words than [check] max_words"),
    "FL100": (ERROR, "a baseline metric moved by more than --tolerance (check --baseline)"),
}


@dataclass(frozen=True)
class CheckRow:
    """One problem. ``line`` is the 1-based file line (None when not about a line)."""

    code: str
    severity: str
    file: str
    line: int | None
    message: str


def row(code: str, file: str | Path, line: int | None, message: str) -> CheckRow:
    """A row for ``code`` with the code's severity."""
    return CheckRow(code, CHECKS[code][0], str(file), line, message)
