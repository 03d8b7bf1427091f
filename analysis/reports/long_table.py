"""``compare``'s sections as one tidy long table: ``section, perspective, item, metric, value,
detail``, for CSV, TSV and JSON lines (one number a row, so a spreadsheet or a notebook can
filter and pivot it without knowing the sections)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from framelens.analysis.results import Result


@dataclass(frozen=True)
class LongRow:
    section: str
    perspective: str
    item: str
    metric: str
    value: float
    detail: str


def _keys(section: str, row) -> tuple[str, str, str, tuple[str, ...]]:
    """(perspective, item, detail, key fields) of a section row in the long table."""
    if section == "corpus":
        return row.perspective, "all articles", "", ("perspective", "label")
    if section == "topics":
        return (row.perspective, row.topic,
                f"tone: {_unit_words(row.ci_unit)}; share: {_unit_words(row.share_ci_unit)}",
                ("perspective", "topic"))
    if section == "keywords":
        return (row.perspective, row.term, row.example,
                ("perspective", "term", "alias_of", "example", "example_doc_id"))
    if section == "stance":
        return (row.perspective, row.target, f"tone: {_unit_words(row.ci_unit)}",
                ("perspective", "target"))
    if section == "stance_shares":
        return (row.perspective, f"{row.target}: {row.stance}",
                f"share: {_unit_words(row.ci_unit)}", ("perspective", "target", "stance"))
    if section == "naming":
        return (row.perspective, f"{row.concept}: {row.variant}", row.difference,
                ("concept", "difference", "variant", "perspective"))
    if section == "similarity":
        item = row.other if row.kind == "pair" else \
            {"used": "used terms", "unique": "unique terms", "all": "shared by all"}[row.kind]
        return (row.perspective, item, "; ".join(row.examples),
                ("kind", "perspective", "other", "examples"))
    if section == "contrasts":
        return (row.perspective, f"{row.kind}: {row.item}", row.evidence,
                ("kind", "item", "measure", "perspective", "role", "evidence",
                 "evidence_doc_id"))
    raise ValueError(section)


def _unit_words(unit: str) -> str:
    from framelens.analysis.stats.bootstrap import CI_UNIT_NOTES

    return CI_UNIT_NOTES[unit]


def units_note(units, what: str) -> str:
    from framelens.analysis.stats.bootstrap import units_note

    return units_note(units, what=what)


def long_table(sections: Sequence[tuple[str, Result]]) -> Result:
    """Every number of every section as one tidy row ``section, perspective, item, metric,
    value, detail``.

    ``metric`` is the row field's name and ``value`` its number as a float
    (booleans 1.0/0.0; NaN, an undefined statistic such as the tone of no
    sentence, stays NaN and is written empty). Fields that do not apply to a
    row (None, e.g. the cosine of a vocabulary row) are left out. ``item``
    per section: corpus ``all articles``; topics the topic; keywords the term;
    stance the target; stance_shares ``target: stance``; naming ``concept: variant``;
    similarity the other
    perspective of a pair, or ``used terms``/``unique terms``/``shared by
    all``; contrasts ``kind: topic or target``. ``detail`` is the text that
    goes with the item, repeated on each of its rows: the keyword's example
    phrase, the naming difference, the vocabulary examples, the contrast's
    evidence sentence; for topics and stance, over which unit the intervals
    were taken (the ``ci_unit`` columns in words: over the perspective's
    articles, or over sentences, within these texts only).
    """
    rows: list[LongRow] = []
    for section, result in sections:
        for row in result.rows:
            perspective, item, detail, keys = _keys(section, row)
            for f in fields(row):
                if f.name in keys:
                    continue
                value = getattr(row, f.name)
                if not isinstance(value, int | float):  # None (not applicable), text
                    continue
                rows.append(LongRow(section, perspective, item, f.name, float(value), detail))
    return Result(LongRow, tuple(rows), title="Compare (long table)",
                  caption="One row per number: section, perspective, item, metric, value, "
                          "detail.")
