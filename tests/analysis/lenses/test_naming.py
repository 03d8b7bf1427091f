"""Naming choices (analysis/lenses/naming.py), counted by hand on the bundled corpus and a fixture."""

from __future__ import annotations

import math

import pytest

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.naming import NamingRow, naming
from framelens.analysis.process.pipeline import processed
from tests.conftest import write_article

NAMING_TOML = """
[[perspectives]]
id = "north"

[[perspectives]]
id = "south"

[[naming]]
concept = "Capital"
variants = [
    { label = "Kyiv", patterns = ["Kyiv"] },
    { label = "Kiev", patterns = ["Kiev"] },
]

[[naming]]
concept = "Republic"
variants = [
    { label = "quoted", patterns = ["'DNR'", "\\"DNR\\"", "so-called DNR"] },
    { label = "unquoted", patterns = ["DNR"] },
]

[[naming]]
concept = "Unused"
variants = [
    { label = "one", patterns = ["zzyzx"] },
    { label = "other", patterns = ["xyzzy"] },
]
"""


@pytest.fixture(scope="module")
def bundled_rows():
    from tests.conftest import BUNDLED

    result = naming(load_corpus(BUNDLED, use_cache=False))
    return {(r.concept, r.variant, r.perspective): r for r in result.rows}, result


@pytest.fixture
def fixture_corpus(tmp_path):
    (tmp_path / "framelens.toml").write_text(NAMING_TOML, encoding="utf-8")
    # north: 15 word tokens; Kyiv twice (case-insensitive); the curly-quoted
    # \u201cDNR\u201d and "so-called DNR" are both the quoted variant, never also unquoted.
    write_article(tmp_path, "north-1", "north",
                  "Officials in Kyiv met officials from KYIV. "
                  "The \u201cDNR\u201d and the so-called DNR were discussed.")
    # south: Kiev once, Kyiv once (a tie), a bare DNR; "Kievan" is another word.
    write_article(tmp_path, "south-1", "south",
                  "Kiev and Kyiv both appear. The DNR is here. Kievan Rus is history.")
    write_article(tmp_path, "south-2", "south", "Nothing to see here at all.")
    return load_corpus(tmp_path)


def test_bundled_counts_checked_by_reading_the_sources(bundled_rows):
    rows, _ = bundled_rows
    # Counted in sources/*.md with grep -o -i -P '\bKyiv' etc.
    expected = {
        ("Capital of Ukraine", "Kyiv"): {"ukraine": 1, "russia": 1, "china": 0},
        ("Capital of Ukraine", "Kiev"): {"ukraine": 0, "russia": 0, "china": 0},
        ("Eastern Ukrainian region", "Donbas"): {"ukraine": 0, "russia": 1, "china": 0},
        ("Eastern Ukrainian region", "Donbass"): {"ukraine": 3, "russia": 0, "china": 0},
        ("Crimea's status since 2014", "annexation"): {"ukraine": 3, "russia": 0, "china": 0},
    }
    for (concept, variant), counts in expected.items():
        for perspective, count in counts.items():
            assert rows[(concept, variant, perspective)].count == count, (concept, variant,
                                                                         perspective)
    assert rows[("Eastern Ukrainian region", "Donbass", "ukraine")].preferred
    assert rows[("Eastern Ukrainian region", "Donbas", "russia")].preferred
    assert rows[("Capital of Ukraine", "Kyiv", "ukraine")].share == 1.0


def test_pairs_nobody_uses_are_listed_with_zeros(bundled_rows):
    rows, result = bundled_rows
    for perspective in ("ukraine", "russia", "china"):
        for variant in ("Luhansk", "Lugansk"):
            row = rows[("Luhansk", variant, perspective)]
            assert row.count == 0 and row.documents == 0 and row.rate_per_10k == 0.0
            assert math.isnan(row.share) and not row.preferred
    concepts = {r.concept for r in result.rows}
    assert {"Capital of Ukraine", "Luhansk", "Odesa"} <= concepts
    # every (concept, variant) × every perspective
    variants = {(r.concept, r.variant) for r in result.rows}
    assert len(result.rows) == 3 * len(variants)


def test_rate_uses_every_word_token_of_the_perspective(bundled_rows):
    from tests.conftest import BUNDLED

    rows, _ = bundled_rows
    corpus = load_corpus(BUNDLED)
    tokens = sum(d.token_count for d in processed(corpus) if d.perspective == "ukraine")
    row = rows[("Eastern Ukrainian region", "Donbass", "ukraine")]
    assert row.rate_per_10k == pytest.approx(3 * 10_000 / tokens)


def test_fixture_counts(fixture_corpus):
    result = naming(fixture_corpus)
    assert result.row_type is NamingRow
    assert result.columns == ("concept", "variant", "perspective", "count", "documents",
                              "rate_per_10k", "share", "preferred")
    rows = {(r.concept, r.variant, r.perspective): r for r in result.rows}
    north_kyiv = rows[("Capital", "Kyiv", "north")]
    assert (north_kyiv.count, north_kyiv.documents, north_kyiv.share) == (2, 1, 1.0)
    assert north_kyiv.rate_per_10k == pytest.approx(2 * 10_000 / 15)
    assert north_kyiv.preferred
    assert rows[("Capital", "Kiev", "south")].count == 1  # "Kievan" does not count
    assert rows[("Capital", "Kyiv", "south")].count == 1
    # A tie: neither variant is preferred; each has half of the mentions.
    assert not rows[("Capital", "Kiev", "south")].preferred
    assert not rows[("Capital", "Kyiv", "south")].preferred
    assert rows[("Capital", "Kiev", "south")].share == 0.5
    # Curly quotes in the text match the straight quotes of the pattern; the
    # longest match wins, so quoted mentions are not also counted as unquoted.
    assert rows[("Republic", "quoted", "north")].count == 2
    assert rows[("Republic", "unquoted", "north")].count == 0
    assert rows[("Republic", "unquoted", "south")].count == 1
    assert rows[("Republic", "quoted", "south")].count == 0
    # documents: south has two articles, one of them mentions Kiev.
    assert rows[("Capital", "Kiev", "south")].documents == 1
    for variant in ("one", "other"):
        for perspective in ("north", "south"):
            assert rows[("Unused", variant, perspective)].count == 0


def test_row_order_follows_config(fixture_corpus):
    rows = naming(fixture_corpus).rows
    assert [(r.concept, r.variant, r.perspective) for r in rows[:4]] == [
        ("Capital", "Kyiv", "north"), ("Capital", "Kyiv", "south"),
        ("Capital", "Kiev", "north"), ("Capital", "Kiev", "south")]


def test_no_naming_pairs_warns(tmp_path):
    (tmp_path / "framelens.toml").write_text("naming = []\n", encoding="utf-8")
    write_article(tmp_path, "a-1", "north", "Kyiv.")
    result = naming(load_corpus(tmp_path))
    assert result.rows == ()
    assert result.warnings


def test_screened_variant_mentions_equal_counting_every_concept(tmp_path, bundled):
    """The word-run screen only skips work: mentions equal each concept's Lexicon count."""
    from framelens.analysis.process.annotators import concept_lexicon, variant_mentions

    for path in [*bundled.glob("*.md"), bundled / "framelens.toml"]:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    write_article(tmp_path, "edge-cases", "russia", """
        KIEV-based Donbass-era lines; the Kyiv’s mayor and Donbas. Kievan Rus is no variant.
        """)
    corpus = load_corpus(tmp_path, use_cache=False)
    pairs = corpus.config.naming
    expected = []
    for doc in processed(corpus):
        text = "\n".join(doc.sentences)
        expected.append(tuple((c, int(name), count) for c, pair in enumerate(pairs)
                              for name, count in sorted(concept_lexicon(pair).count(text).items())))
    assert variant_mentions(corpus, pairs) == expected
    assert sum(len(found) for found in expected) >= 6
