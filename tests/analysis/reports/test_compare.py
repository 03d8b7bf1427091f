"""`framelens compare`: sections, long table, golden machine output, terminal view, contrasts.

Golden files (tests/golden/compare.json, compare.csv) pin the machine output
for the bundled corpus byte for byte. Regenerate them only on purpose:

    FRAMELENS_REGEN_GOLDEN=1 .venv/bin/pytest tests/analysis/reports/test_compare.py

and review the diff.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os

import pytest

from tests.conftest import GOLDEN, invoke

REGEN = os.environ.get("FRAMELENS_REGEN_GOLDEN") == "1"

SECTIONS = ["corpus", "topics", "keywords", "stance", "naming", "similarity", "contrasts"]
COLUMNS = {
    "corpus": ["perspective", "label", "articles", "words", "sentences"],
    "topics": ["perspective", "topic", "sentences", "share_of_sentences", "tone_mean",
               "tone_ci_low", "tone_ci_high", "documents", "ci_unit", "share_ci_low",
               "share_ci_high", "share_ci_unit"],
    "keywords": ["perspective", "rank", "term", "z", "p_value", "count", "reference_count",
                 "rate_per_10k", "reference_rate_per_10k", "alias_of", "example",
                 "example_doc_id", "documents", "dp", "top_document_share", "doc_p_value"],
    "stance": ["perspective", "target", "mentions", "sentences", "tone_mean", "tone_ci_low",
               "tone_ci_high", "share_negative", "share_positive", "articles", "ci_unit"],
    "naming": ["concept", "difference", "variant", "perspective", "count", "share", "preferred"],
    "similarity": ["kind", "perspective", "other", "cosine", "jsd", "terms", "examples"],
    "contrasts": ["rank", "kind", "item", "measure", "spread", "perspective", "role", "value",
                  "sentences", "ci_low", "ci_high", "counted", "intervals_overlap", "evidence",
                  "evidence_doc_id", "evidence_line", "evidence_tone", "ci_unit"],
}
LONG_COLUMNS = ["section", "perspective", "item", "metric", "value", "detail"]
# Text fields: never a metric of the long table.
KEYS = {
    "corpus": {"perspective", "label"},
    "topics": {"perspective", "topic", "ci_unit", "share_ci_unit"},
    "keywords": {"perspective", "term", "alias_of", "example", "example_doc_id"},
    "stance": {"perspective", "target", "ci_unit"},
    "naming": {"concept", "difference", "variant", "perspective"},
    "similarity": {"kind", "perspective", "other", "examples"},
    "contrasts": {"kind", "item", "measure", "perspective", "role", "evidence",
                  "evidence_doc_id", "ci_unit"},
}
VOCABULARY_ITEMS = {"used": "used terms", "unique": "unique terms", "all": "shared by all"}


def long_key(section: str, row: dict) -> tuple[str, str]:
    """(perspective, item) of a JSON section row in the long table, as documented."""
    if section == "corpus":
        return row["perspective"], "all articles"
    if section == "topics":
        return row["perspective"], row["topic"]
    if section == "keywords":
        return row["perspective"], row["term"]
    if section == "stance":
        return row["perspective"], row["target"]
    if section == "naming":
        return row["perspective"], f"{row['concept']}: {row['variant']}"
    if section == "similarity":
        item = row["other"] if row["kind"] == "pair" else VOCABULARY_ITEMS[row["kind"]]
        return row["perspective"], item
    return row["perspective"], f"{row['kind']}: {row['item']}"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """JSON and CSV of the bundled corpus, run once for the module (own cache folder)."""
    from tests.conftest import BUNDLED

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FRAMELENS_CACHE_DIR", str(tmp_path_factory.mktemp("compare-cache")))
        results = {fmt: invoke(["compare", "--sources", str(BUNDLED),
                                            "--format", fmt])
                   for fmt in ("json", "csv")}
    for result in results.values():
        assert result.exit_code == 0, result.output
    return {fmt: r.stdout for fmt, r in results.items()}


def run(bundled, *args: str):
    return invoke(["compare", "--sources", str(bundled), *args])


# ------------------------------------------------------------------------ golden files


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_golden_machine_output(outputs, fmt):
    path = GOLDEN / f"compare.{fmt}"
    data = outputs[fmt].encode("utf-8")
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} missing: run with FRAMELENS_REGEN_GOLDEN=1"
    assert data == path.read_bytes(), (
        f"compare --format {fmt} differs from {path}; if intended, regenerate with "
        "FRAMELENS_REGEN_GOLDEN=1 and review the diff")


# ---------------------------------------------------------------------- machine formats


def test_json_sections_and_columns(outputs):
    data = json.loads(outputs["json"])
    assert list(data) == SECTIONS
    for section, rows in data.items():
        assert rows, section
        for row in rows:
            assert list(row) == COLUMNS[section], section
    assert [r["perspective"] for r in data["corpus"]] == ["ukraine", "russia", "china"]
    assert sum(r["words"] for r in data["corpus"]) == 5456
    # keywords: --top 5 per perspective, ranked 1..5 by z
    for p in ("ukraine", "russia", "china"):
        mine = [r for r in data["keywords"] if r["perspective"] == p]
        assert [r["rank"] for r in mine] == [1, 2, 3, 4, 5]
        assert [r["z"] for r in mine] == sorted((r["z"] for r in mine), reverse=True)


def test_csv_long_table_carries_every_json_number(outputs):
    data = json.loads(outputs["json"])
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert list(rows[0]) == LONG_COLUMNS
    table = {}
    for row in rows:
        key = (row["section"], row["perspective"], row["item"], row["metric"])
        assert key not in table, f"duplicate long-table key {key}"
        table[key] = row
    assert {r["section"] for r in rows} == set(SECTIONS)
    numbers = 0
    for section, section_rows in data.items():
        for json_row in section_rows:
            perspective, item = long_key(section, json_row)
            for field, value in json_row.items():
                if field in KEYS[section] or value is None:
                    continue
                assert isinstance(value, int | float), (section, field, value)
                row = table.pop((section, perspective, item, field))
                assert float(row["value"]) == float(value), (section, perspective, item, field)
                numbers += 1
    # What is left has no number in the JSON: NaN statistics (null there, empty here).
    assert all(row["value"] == "" for row in table.values()), list(table)[:3]
    assert numbers > 500


def test_csv_detail_holds_the_evidence(outputs):
    data = json.loads(outputs["json"])
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    crimea = [r for r in rows if r["section"] == "contrasts"
              and r["item"] == "topic_silence: Crimea" and r["perspective"] == "ukraine"]
    assert crimea and all("annexation of Crimea" in r["detail"] for r in crimea)
    keyword = next(r for r in data["keywords"] if r["term"] == "US")
    detail = {r["detail"] for r in rows if r["section"] == "keywords" and r["item"] == "US"}
    assert detail == {keyword["example"]}


def test_sections_filter(bundled):
    result = run(bundled, "--sections", "naming, Corpus", "--format", "json")
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)) == ["corpus", "naming"]
    result = run(bundled, "--sections", "similarity", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["section"] for r in rows} == {"similarity"}


def test_unknown_section_is_a_usage_error(bundled):
    result = run(bundled, "--sections", "topics,tone", "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown section 'tone'" in result.stderr
    assert "corpus, topics, keywords, stance, naming, similarity, contrasts" in result.stderr


def test_bad_option_values_exit_2(bundled):
    assert run(bundled, "--top", "0", "--format", "json").exit_code == 2
    assert run(bundled, "--min-sentences", "0", "--format", "json").exit_code == 2
    result = run(bundled, "--alpha0", "-1", "--sections", "keywords", "--format", "json")
    assert result.exit_code == 2
    assert "--alpha0" in result.stderr


def test_options_reach_the_analyses(bundled):
    result = run(bundled, "--sections", "keywords,contrasts", "--top", "2", "--contrasts", "1",
                 "--min-sentences", "3", "--format", "json")
    data = json.loads(result.stdout)
    assert len(data["keywords"]) == 6
    kinds = {(r["kind"], r["rank"]) for r in data["contrasts"]}
    assert max(rank for _, rank in kinds) == 1
    # With 3 sentences the Ukrainian piece's 3 sentences on military build-up count.
    tone = [r for r in data["contrasts"] if r["kind"] == "topic_tone"]
    assert {r["item"] for r in tone} == {"Military build-up and exercises"}
    assert all(r["counted"] for r in tone)


def test_deterministic_and_cache_independent(bundled, outputs):
    again = run(bundled, "--format", "json")
    assert again.stdout == outputs["json"]
    fresh = run(bundled, "--format", "csv", "--no-cache")
    assert fresh.stdout == outputs["csv"]


# ------------------------------------------------------------------------- the content


def test_contrasts_are_consistent_with_the_sections(outputs):
    data = json.loads(outputs["json"])
    topics = {(r["topic"], r["perspective"]): r for r in data["topics"]}
    stance = {(r["target"], r["perspective"]): r for r in data["stance"]}
    groups: dict = {}
    for row in data["contrasts"]:
        groups.setdefault((row["kind"], row["rank"]), []).append(row)
    assert {kind for kind, _ in groups} == {"topic_silence", "topic_salience", "topic_tone",
                                           "target_tone"}
    for (kind, _), rows in groups.items():
        assert len(rows) == 3
        source = stance if kind == "target_tone" else topics
        field = "share_of_sentences" if kind in ("topic_silence", "topic_salience") \
            else "tone_mean"
        for row in rows:
            assert row["value"] == source[(row["item"], row["perspective"])][field]
        counted = [r["value"] for r in rows if r["counted"]]
        assert rows[0]["spread"] == max(counted) - min(counted)
        roles = {r["role"]: r for r in rows if r["role"]}
        assert roles["high"]["value"] == max(counted)
        assert roles["low"]["value"] == min(counted)
        if field == "tone_mean":
            assert all(r["sentences"] >= 5 for r in rows if r["counted"])
            overlap = roles["high"]["ci_low"] <= roles["low"]["ci_high"]
            assert rows[0]["intervals_overlap"] is overlap
    # Ranked by spread within each kind.
    for kind in ("topic_salience", "topic_tone", "target_tone"):
        spreads = [groups[(kind, rank)][0]["spread"] for rank in (1, 2, 3)]
        assert spreads == sorted(spreads, reverse=True)


def test_contrasts_match_the_texts(outputs):
    """The findings a reader gets, checked against the three articles (see grep counts)."""
    data = json.loads(outputs["json"])
    contrasts = data["contrasts"]
    silence = [r for r in contrasts if r["kind"] == "topic_silence"]
    # Crimea: 4 sentences of the Ukrainian piece; the Russian and Chinese never mention it.
    assert {(r["item"], r["perspective"], r["sentences"]) for r in silence} == {
        ("Crimea", "ukraine", 4), ("Crimea", "russia", 0), ("Crimea", "china", 0)}
    top = [r for r in contrasts if r["kind"] == "topic_salience" and r["rank"] == 1]
    high = next(r for r in top if r["role"] == "high")
    # Trenin's piece has a whole "Security Guarantees" section: 26 of its 126 sentences.
    assert (high["item"], high["perspective"], high["sentences"]) == \
        ("Security guarantees and treaties", "russia", 26)
    assert "legally binding" in high["evidence"]
    naming = {(r["concept"], r["perspective"]): r for r in data["naming"] if r["preferred"]}
    assert naming[("Eastern Ukrainian region", "ukraine")]["variant"] == "Donbass"
    assert naming[("Eastern Ukrainian region", "russia")]["variant"] == "Donbas"
    # "Capital of Ukraine": Kyiv in both pieces that name it, so no difference to show.
    assert "Capital of Ukraine" not in {r["concept"] for r in data["naming"]}
    us = next(r for r in data["keywords"] if r["perspective"] == "ukraine" and r["rank"] == 1)
    assert (us["term"], us["count"], us["reference_count"], us["alias_of"]) == \
        ("US", 4, 0, "United States")


def test_tone_evidence_is_the_sentence_nearest_the_mean(bundled, outputs):
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.process.annotators import topic_sentences
    from framelens.analysis.process.pipeline import processed
    from framelens.analysis.process.tone import sentence_tones

    corpus = load_corpus(bundled)
    documents = processed(corpus)
    by_topic = topic_sentences(corpus)
    data = json.loads(outputs["json"])
    checked = 0
    for row in data["contrasts"]:
        if row["kind"] != "topic_tone" or row["sentences"] == 0:
            continue
        keys = [(d, s) for d, s in by_topic[row["item"]]
                if documents[d].perspective == row["perspective"]]
        needed: dict[int, list[int]] = {}
        for d, s in keys:
            needed.setdefault(d, []).append(s)
        tones = sentence_tones(corpus, needed)
        best = min(abs(tones[k] - row["value"]) for k in keys)
        assert abs(row["evidence_tone"] - row["value"]) == best
        assert any(documents[d].sentences[s] == row["evidence"] and tones[(d, s)]
                   == row["evidence_tone"] for d, s in keys)
        checked += 1
    assert checked == 9


def test_two_perspectives(small_corpus):
    result = invoke(["compare", "--sources", str(small_corpus), "--format", "json",
                                 "--min-count", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    pairs = [r for r in data["similarity"] if r["kind"] == "pair"]
    assert [(r["perspective"], r["other"]) for r in pairs] == [("north", "south")]
    shared = next(r for r in data["similarity"] if r["kind"] == "all")
    assert pairs[0]["terms"] == shared["terms"] > 0


# -------------------------------------------------------------------------- analysis API


def test_parse_sections():
    from framelens.analysis.errors import OptionError
    from framelens.analysis.reports.compare import SECTIONS as ALL
    from framelens.analysis.reports.compare import parse_sections

    assert parse_sections(None) == ALL
    assert parse_sections(" ") == ALL
    assert parse_sections("contrasts,CORPUS,corpus") == ("corpus", "contrasts")
    with pytest.raises(OptionError, match="valid: corpus, topics"):
        parse_sections("corpus,keyword")


def test_example_phrase():
    from framelens.analysis.reports.compare import example_phrase

    sentence = ("Although the Kremlin may expect to shake Western unity and reach some "
                "individual agreements with the US, it is unlikely to achieve major concessions.")
    # 6 tokens before "US"; after it only 8 tokens, of which the last 2 would be cut: kept.
    assert example_phrase(sentence, "US") == \
        "…reach some individual agreements with the US, it is unlikely to achieve major " \
        "concessions."
    words = " ".join(f"w{i}" for i in range(30))
    assert example_phrase(words, "w15") == "…w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20 w21…"
    # Multi-word terms and possessives match by counting key.
    assert example_phrase("Russia's security guarantees matter.", "security guarantees") == \
        "Russia's security guarantees matter."
    assert example_phrase("In 1995 x.", "missing term") == "In 1995 x."


def test_naming_differences_rules():
    from framelens.analysis.lenses.naming import NamingRow
    from framelens.analysis.reports.compare import naming_differences

    def rows(concept, counts):
        out = []
        for variant, per in counts.items():
            for p, n in per.items():
                total = sum(c[p] for c in counts.values())
                best = max(c[p] for c in counts.values())
                unique = sum(c[p] == best for c in counts.values()) == 1
                out.append(NamingRow(concept, variant, p, n, int(n > 0), 0.0,
                                     n / total if total else math.nan,
                                     n > 0 and n == best and unique))
        return out

    same = rows("same", {"Kyiv": {"a": 2, "b": 1, "c": 0}, "Kiev": {"a": 0, "b": 0, "c": 0}})
    differ = rows("differ", {"Donbas": {"a": 0, "b": 2, "c": 0},
                             "Donbass": {"a": 3, "b": 0, "c": 0}})
    unshared = rows("unshared", {"x": {"a": 2, "b": 3, "c": 0}, "y": {"a": 1, "b": 0, "c": 0}})
    alone = rows("alone", {"x": {"a": 0, "b": 0, "c": 1}, "y": {"a": 0, "b": 0, "c": 0}})
    result = naming_differences(same + differ + unshared + alone, ("a", "b", "c"))
    kinds = {r.concept: r.difference for r in result}
    assert kinds == {"differ": "preferred_differs", "unshared": "variant_not_shared",
                     "alone": "one_side_only"}
    # Variants nobody uses are left out; every perspective is kept for the others.
    assert {(r.variant, r.perspective) for r in result if r.concept == "alone"} == \
        {("x", "a"), ("x", "b"), ("x", "c")}


def test_progress_callback_steps(bundled):
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.reports.compare import compare

    calls = []
    report = compare(load_corpus(bundled), sections=("naming", "contrasts"),
                     progress=lambda *args: calls.append(args))
    assert [name for name, _ in report.sections] == ["naming", "contrasts"]
    assert [c[0] for c in calls] == ["naming", "topics", "stance", "contrasts", "done"]
    assert [c[1] for c in calls] == [0, 1, 2, 3, 4]
    assert {c[2] for c in calls} == {4}


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch):
    import sys

    from framelens.cli.compare_cmd import _progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert isinstance(_progress(), contextlib.nullcontext)


# ---------------------------------------------------------------------------- table view


@pytest.mark.parametrize("width", [120, 80])
def test_table_view_fits_the_terminal(bundled, width):
    from rich.cells import cell_len
    from rich.console import Console

    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.reports.compare import compare
    from framelens.cli.compare_cmd import _compare_view

    report = compare(load_corpus(bundled))
    console = Console(width=width, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor")
    console.print(_compare_view(report))
    plain = Console(width=width, file=io.StringIO(), force_terminal=False, no_color=True)
    plain.print(_compare_view(report))
    text = plain.file.getvalue()
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    for heading in ("Corpus", "Topics", "Keywords", "Stance", "Naming", "Similarity",
                    "Largest contrasts", "Methods:"):
        assert any(line.startswith(heading) for line in lines), heading
    body = " ".join(text.split())
    assert "Dirichlet prior" in body and "VADER" in body and "cosine" in body
    for command in ("framelens keywords", "stance --evidence 3", "topics --topic NAME",
                    "similarity --vocabulary"):
        assert command in body, command
    assert "Crimea" in body and "annexation of Crimea" in body
    # Perspectives in their configured colours.
    coloured = console.file.getvalue()
    assert "38;2;0;87;183" in coloured  # Ukraine #0057b7
    assert "38;2;214;39;40" in coloured  # Russia #d62728


def test_table_view_numbers_are_in_the_json(bundled, outputs):
    """Every number the table shows comes from a section row (spot checks per section)."""
    from rich.console import Console

    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.reports.compare import compare
    from framelens.cli.compare_cmd import _compare_view

    report = compare(load_corpus(bundled))
    plain = Console(width=120, file=io.StringIO(), no_color=True)
    plain.print(_compare_view(report))
    text = plain.file.getvalue()
    data = json.loads(outputs["json"])
    crimea = next(r for r in data["topics"] if r["topic"] == "Crimea"
                  and r["perspective"] == "ukraine")
    assert f"{crimea['share_of_sentences'] * 100:.1f}%" in text
    nato = next(r for r in data["stance"] if r["target"] == "NATO" and r["perspective"] == "russia")
    assert f"+{nato['tone_mean']:.2f}" in text and f"[{nato['mentions']}]" in text
    pair = next(r for r in data["similarity"] if r["kind"] == "pair")
    assert f"{pair['cosine']:.3f}" in text and f"{pair['jsd']:.3f}" in text
