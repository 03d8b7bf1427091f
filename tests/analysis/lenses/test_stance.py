"""Stance toward targets: alias matching, cue counts, aggregation, evidence, sentences."""

from __future__ import annotations

import math

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from framelens.analysis.config.settings import Config, Target, load_config
from framelens.analysis.errors import OptionError
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses import stance as st
from framelens.analysis.process import annotators, tone
from framelens.analysis.process.pipeline import processed
from framelens.analysis.text.lexicon import Lexicon
from tests.conftest import needs_cache, write_article

VADER = SentimentIntensityAnalyzer()
CONFIG = '[[perspectives]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n' \
         '[[perspectives]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n'


def compound(text: str) -> float:
    return VADER.polarity_scores(text)["compound"]


def names(text: str, targets=None) -> list[tuple[str, str]]:
    lexicon = annotators.target_lexicon(targets or load_config().targets)
    return [(m.name, m.text) for m in lexicon.find(text)]


# --------------------------------------------------------------- alias matching


def test_us_the_country_never_matches_us_the_pronoun():
    assert names("The US told us nothing.") == [("United States", "US")]
    assert names("Let us talk.") == []
    assert names("the U.S. and the USA") == [("United States", "U.S."),
                                             ("United States", "USA")]


def test_russian_does_not_match_inside_russians():
    only_russian = [Target("Russia", ("Russian",))]
    assert names("Russians protested.", only_russian) == []
    assert names("A Russian diplomat.", only_russian) == [("Russia", "Russian")]
    # The defaults list "Russians" itself: one mention, not "Russian" plus a stray "s".
    assert names("Russians protested.") == [("Russia", "Russians")]


def test_aliases_inside_other_words_never_match():
    assert names("The USSR, AUSTRALIA, Europe, EURO, Chinatown and NATOs") == []
    assert names("Kyivan or Moscowian or Washingtonian or Americana") == []


def test_multi_word_aliases_are_one_mention_and_win_over_shorter_ones():
    assert names("the Russian Federation said") == [("Russia", "Russian Federation")]
    assert names("The North Atlantic Treaty Organization met.") == \
        [("NATO", "North Atlantic Treaty Organization")]
    assert names("the White House and the Biden administration") == \
        [("United States", "White House"), ("United States", "Biden administration")]
    assert names("the  White\nHouse") == [("United States", "White\nHouse")]


def test_the_alliance_matches_only_with_its_capital_letter():
    assert names("The Alliance will meet; the Alliance agreed.") == \
        [("NATO", "The Alliance"), ("NATO", "the Alliance")]
    assert names("an alliance of states, the alliance") == []


def test_screened_lexicon_finds_exactly_what_the_lexicon_finds(bundled):
    corpus = load_corpus(bundled)
    lexicon = annotators.target_lexicon(corpus.config.targets)
    sentences = [s for doc in processed(corpus) for s in doc.sentences]
    extra = ["The US, us, USA.", "Kyiv-based, U.S.-Russian talks", "Zürich and the US"]
    for sentence in sentences + extra:
        assert lexicon.find(sentence) == lexicon.lexicon.find(sentence), sentence
    skipped = sum(not lexicon.may_match(s) for s in sentences)
    assert skipped > 20  # the screen does skip sentences without a target


# ------------------------------------------------------------ target options


def test_target_alias_extends_a_target_case_insensitively_and_adds_new_ones():
    config = load_config()
    targets = annotators.configured_targets(config, ["nato=NATO allies", "Turkey=Turkey,Ankara"])
    by_name = {t.name: t for t in targets}
    assert by_name["NATO"].aliases[-1] == "NATO allies"
    assert by_name["NATO"].aliases[0] == "NATO"
    assert targets[-1] == Target("Turkey", ("Turkey", "Ankara"))
    assert [t.name for t in targets[:-1]] == [t.name for t in config.targets]


@pytest.mark.parametrize("spec", ["Turkey", "=Ankara", "Turkey=", "Turkey= , "])
def test_bad_target_alias_is_an_option_error(spec):
    with pytest.raises(OptionError, match="NAME=alias"):
        annotators.configured_targets(load_config(), [spec])


def test_unknown_target_is_an_option_error_listing_the_targets():
    with pytest.raises(OptionError) as info:
        annotators.select_targets(load_config().targets, ["Narnia"])
    assert "'Narnia'" in str(info.value)
    assert "NATO, Russia, Ukraine, United States, the West, China, EU" in str(info.value)


def test_select_targets_ignores_case_and_keeps_config_order():
    selected = annotators.select_targets(load_config().targets, ["eu", "nato"])
    assert [t.name for t in selected] == ["NATO", "EU"]


# ------------------------------------------------------------------ cues


def counts(sentence: str) -> dict[str, int]:
    return dict(zip(annotators.CUE_NAMES, annotators.CueCounter(load_config()).counts(sentence), strict=True))


def test_cue_counts_on_hand_written_sentences():
    assert counts("NATO may perhaps expand, officials said.") == dict(
        hedges=2, boosters=0, deontic=0, negation=0, threat=0, reported=1)
    # "must not" is deontic and also a negation; "threaten" is threat*.
    assert counts("NATO must not threaten anyone.") == dict(
        hedges=0, boosters=0, deontic=1, negation=1, threat=1, reported=0)
    assert counts('"We will clearly win," NATO declared.') == dict(
        hedges=0, boosters=1, deontic=0, negation=0, threat=0, reported=2)
    assert counts("It is clear that the West has to act, according to Kyiv.") == dict(
        hedges=0, boosters=1, deontic=1, negation=0, threat=0, reported=1)


def test_hyphenated_prefixes_do_not_count_as_cues():
    assert counts("A de-escalation of the post-war order.")["threat"] == 0
    assert counts("A war-torn country and an escalation.")["threat"] == 2


def test_quoted_spans():
    assert annotators.quoted_spans('He said "no" and "yes".') == 2
    assert annotators.quoted_spans('"No one listened to us before.') == 1  # cut by the splitter
    assert annotators.quoted_spans("No quotes here.") == 0


def test_cue_counter_equals_one_lexicon_per_list_on_every_bundled_sentence(bundled):
    corpus = load_corpus(bundled)
    counter = annotators.CueCounter(corpus.config)
    lexicons = [Lexicon({name: corpus.config.cue_lexicon(name)}) for name in annotators.CUE_NAMES]
    sentences = [s for doc in processed(corpus) for s in doc.sentences]
    sentences += ["Don't, can't, won't: NON-EXISTENT threats, de-escalation, THREATENED.",
                  "In general, it's clear that they had to; in fact, use of force.",
                  "Naïve threats may escalate"]
    for sentence in sentences:
        expected = [len(lexicon.find(sentence)) for lexicon in lexicons]
        expected[-1] += annotators.quoted_spans(sentence)
        assert list(counter.counts(sentence)) == expected, sentence


def test_cue_lists_come_from_the_config(tmp_path):
    (tmp_path / "framelens.toml").write_text('[cues]\nhedges = ["kinda"]\n', encoding="utf-8")
    config = load_config(tmp_path / "framelens.toml")
    counter = annotators.CueCounter(config)
    assert counter.counts("It may kinda work.")[0] == 1


# ------------------------------------------------------------- aggregation


@pytest.fixture
def cue_corpus(tmp_path):
    (tmp_path / "framelens.toml").write_text(CONFIG, encoding="utf-8")
    write_article(tmp_path, "north-a", "north", """
        NATO may perhaps expand, officials said. NATO must not threaten anyone.

        "We will clearly win," NATO declared. Russia might attack.
        """)
    write_article(tmp_path, "south-a", "south", """
        The Alliance is strong and good. Moscow is calm.
        """)
    return tmp_path


NATO_SENTENCES = ["NATO may perhaps expand, officials said.", "NATO must not threaten anyone.",
                  '"We will clearly win," NATO declared.']


def test_rates_tone_and_shares_by_hand(cue_corpus):
    result = st.stance(load_corpus(cue_corpus), targets=["NATO"])
    north, south = result.rows
    assert (north.perspective, north.target) == ("north", "NATO")
    assert north.mentions == 3 and north.sentences == 3
    # 20 tokens in north: 6 + 5 + 6 + 3.
    assert north.rate_per_10k == pytest.approx(3 * 10_000 / 20)
    assert north.hedges == pytest.approx(2 / 3)
    assert north.boosters == pytest.approx(1 / 3)
    assert north.deontic == pytest.approx(1 / 3)
    assert north.negation == pytest.approx(1 / 3)
    assert north.threat == pytest.approx(1 / 3)
    assert north.reported == pytest.approx((1 + 0 + 2) / 3)
    assert north.reported_share == pytest.approx(2 / 3)
    tones = [compound(s) for s in NATO_SENTENCES]
    assert north.tone_mean == pytest.approx(sum(tones) / 3)
    assert north.share_negative == pytest.approx(sum(t <= -0.05 for t in tones) / 3)
    assert north.share_positive == pytest.approx(sum(t >= 0.05 for t in tones) / 3)
    assert north.share_negative + north.share_neutral + north.share_positive == pytest.approx(1)
    # "The Alliance" is NATO; 9 tokens in south: 6 + 3.
    assert south.mentions == 1 and south.rate_per_10k == pytest.approx(10_000 / 9)
    assert south.tone_mean == compound("The Alliance is strong and good.")
    assert south.tone_ci_low == south.tone_ci_high == south.tone_mean


def test_a_target_without_mentions_has_zero_counts_and_nan_means(cue_corpus):
    result = st.stance(load_corpus(cue_corpus), targets=["China"])
    assert result.warnings == ("target 'China' is not mentioned in the corpus",)
    for row in result.rows:
        assert row.mentions == row.sentences == 0 and row.rate_per_10k == 0.0
        assert math.isnan(row.tone_mean) and math.isnan(row.hedges)


def test_rows_are_sorted_by_perspective_then_target_config_order(bundled):
    result = st.stance(load_corpus(bundled))
    keys = [(r.perspective, r.target) for r in result.rows]
    targets = [t.name for t in load_config().targets]
    assert keys == [(p, t) for p in ("ukraine", "russia", "china") for t in targets]
    assert result.columns == (
        "perspective", "target", "mentions", "sentences", "rate_per_10k", "tone_mean",
        "tone_ci_low", "tone_ci_high", "share_negative", "share_neutral", "share_positive",
        "hedges", "boosters", "deontic", "negation", "threat", "reported", "reported_share",
            "articles", "ci_unit", "share_negative_ci_low", "share_negative_ci_high",
            "share_positive_ci_low", "share_positive_ci_high",
            *(f"{cue}_ci_{end}" for cue in ("hedges", "boosters", "deontic", "negation",
                                            "threat", "reported", "reported_share")
              for end in ("low", "high")))


def test_bootstrap_interval_is_deterministic_and_contains_the_mean(bundled):
    first = st.stance(load_corpus(bundled)).rows
    again = st.stance(load_corpus(bundled, use_cache=False)).rows
    assert first == again or all(
        repr(a) == repr(b) for a, b in zip(first, again, strict=True))  # NaN != NaN
    other_seed = st.stance(load_corpus(bundled), seed=7).rows
    checked = 0
    for row, other in zip(first, other_seed, strict=True):
        if row.sentences < 2:
            continue
        checked += 1
        assert row.tone_ci_low <= row.tone_mean <= row.tone_ci_high
        assert row.tone_ci_low < row.tone_ci_high
        assert other.tone_mean == row.tone_mean
    assert checked >= 15
    assert any(a.tone_ci_low != b.tone_ci_low for a, b in zip(first, other_seed, strict=True)
               if a.sentences > 2)


def test_target_filter_gives_the_same_numbers_as_the_full_matrix(bundled):
    full = {(r.perspective, r.target): r for r in st.stance(load_corpus(bundled)).rows}
    only = st.stance(load_corpus(bundled), targets=["united states"]).rows
    assert [r.target for r in only] == ["United States"] * 3
    for row in only:
        assert row == full[(row.perspective, row.target)]


def test_bundled_mentions_count_every_alias(bundled):
    corpus = load_corpus(bundled)
    lexicon = Lexicon({t.name: t.aliases for t in corpus.config.targets}, case="first-letter")
    expected: dict[tuple[str, str], int] = {}
    for doc in processed(corpus):
        for sentence in doc.sentences:
            for match in lexicon.find(sentence):
                key = (doc.perspective, match.name)
                expected[key] = expected.get(key, 0) + 1
    rows = st.stance(corpus).rows
    assert {(r.perspective, r.target): r.mentions for r in rows if r.mentions} == expected


def test_window_tone_is_scored_per_mention(cue_corpus):
    corpus = load_corpus(cue_corpus)
    (north, _) = st.stance(corpus, targets=["NATO"], window=1).rows
    windows = ["NATO may", "NATO must", "win,\" NATO declared"]
    assert north.tone_mean == pytest.approx(sum(compound(w) for w in windows) / 3)
    # Wide windows cover the sentence up to its last token.
    (wide, _) = st.stance(corpus, targets=["NATO"], window=100).rows
    whole = [s.rstrip(".") for s in NATO_SENTENCES]
    assert wide.tone_mean == pytest.approx(sum(compound(w) for w in whole) / 3)
    assert wide.mentions == north.mentions == 3


def test_window_counts_two_mentions_in_one_window_once(tmp_path):
    write_article(tmp_path, "x", "north", "NATO and NATO allies fear a terrible war.")
    corpus = load_corpus(tmp_path)
    result = st.stance(corpus, targets=["NATO"], window=50, evidence=5)
    (row,) = result.extra["matrix"].rows
    assert row.mentions == 2 and row.sentences == 1
    (evidence,) = result.rows
    assert evidence.text == "NATO and NATO allies fear a terrible war"
    assert result.extra["spans"] == (((0, 4), (9, 13)),)


@pytest.mark.parametrize(("option", "value"), [("window", 0), ("evidence", 0)])
def test_window_and_evidence_must_be_positive(bundled, option, value):
    with pytest.raises(OptionError):
        st.stance(load_corpus(bundled), **{option: value})


# ----------------------------------------------------------------- evidence


def test_evidence_gives_at_most_n_per_polarity_most_extreme_first(bundled):
    corpus = load_corpus(bundled)
    result = st.stance(corpus, targets=["NATO"], evidence=3)
    assert result.row_type is st.EvidenceRow
    assert result.extra["matrix"].rows == st.stance(corpus, targets=["NATO"]).rows
    groups: dict[tuple[str, str], list] = {}
    for row in result.rows:
        groups.setdefault((row.perspective, row.polarity), []).append(row)
    assert {p for p, _ in groups} == {"ukraine", "russia", "china"}
    documents = {doc.doc_id: doc for doc in processed(corpus)}
    for (_, polarity), rows in groups.items():
        assert 1 <= len(rows) <= 3
        assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
        tones = [r.tone for r in rows]
        if polarity == "negative":
            assert all(t <= -0.05 for t in tones) and tones == sorted(tones)
        else:
            assert all(t >= 0.05 for t in tones) and tones == sorted(tones, reverse=True)
        for row in rows:
            assert documents[row.doc_id].sentences[row.sentence_index] == row.text
            assert row.tone == compound(row.text)
    # Every evidence row highlights at least one NATO alias.
    aliases = set(load_config().targets[0].aliases) | {"The Alliance"}
    for row, spans in zip(result.rows, result.extra["spans"], strict=True):
        assert spans and all(row.text[a:b] in aliases for a, b in spans)


def test_evidence_excludes_neutral_sentences(tmp_path):
    write_article(tmp_path, "x", "north", "NATO met on Monday. NATO is wonderful.")
    result = st.stance(load_corpus(tmp_path), targets=["NATO"], evidence=2)
    assert [(r.polarity, r.text) for r in result.rows] == [("positive", "NATO is wonderful.")]


# ---------------------------------------------------------------- sentences


def test_sentence_table_has_every_sentence_with_targets_tone_and_cues(cue_corpus):
    corpus = load_corpus(cue_corpus)
    result = st.sentence_table(corpus)
    assert result.columns == ("doc_id", "perspective", "sentence_index", "line", "text",
                              "targets", "topics", "tone", "hedges", "boosters", "deontic",
                              "negation", "threat", "reported")
    rows = result.rows
    assert [(r.doc_id, r.sentence_index) for r in rows] == \
        [("north-a", i) for i in range(4)] + [("south-a", 0), ("south-a", 1)]
    assert [r.targets for r in rows] == ["NATO", "NATO", "NATO", "Russia", "NATO", "Russia"]
    assert [r.tone for r in rows] == [compound(r.text) for r in rows]
    first = rows[0]
    assert (first.hedges, first.reported) == (2, 1)
    # Front matter takes lines 1-5 (---, id, title, perspective, ---): body starts on line 6.
    assert [r.line for r in rows[:4]] == [6, 6, 8, 8]


def test_sentence_targets_are_joined_in_config_order(tmp_path):
    write_article(tmp_path, "x", "north", "China, the EU and NATO talked to Turkey.")
    result = st.sentence_table(load_corpus(tmp_path), target_alias=["Turkey=Turkey"])
    assert result.rows[0].targets == "NATO;China;EU;Turkey"


def test_sentence_topics_are_those_whose_terms_it_contains(tmp_path):
    # Default lexicons: "sanction*" (Sanctions and economic pressure), "talks" and
    # "Geneva" (US-Russia dialogue and diplomacy); the config adds "Grain" last.
    (tmp_path / "framelens.toml").write_text(
        CONFIG + '\n[topics."Grain"]\nterms = ["grain*"]\n', encoding="utf-8")
    write_article(tmp_path, "x", "north", "Sanctions on grains followed the talks in Geneva. "
                                          "Grain prices rose. Kiev remains calm.")
    result = st.sentence_table(load_corpus(tmp_path))
    assert [r.topics for r in result.rows] == [
        "Sanctions and economic pressure;US-Russia dialogue and diplomacy;Grain", "Grain", ""]


@needs_cache
def test_annotations_are_cached_between_runs(cue_corpus, monkeypatch):
    first = st.sentence_table(load_corpus(cue_corpus)).rows

    def fail(*args, **kwargs):
        raise AssertionError("recomputed despite the cache")

    monkeypatch.setattr(annotators.CueCounter, "counts", fail)
    monkeypatch.setattr(annotators.ScreenedLexicon, "find", fail)
    monkeypatch.setattr(tone, "_analyzer", fail)
    assert st.sentence_table(load_corpus(cue_corpus)).rows == first
    # A changed alias list is a different cache entry: it must be computed.
    with pytest.raises(AssertionError, match="recomputed"):
        st.sentence_table(load_corpus(cue_corpus), target_alias=["NATO=allies"])


def test_no_cache_computes_everything_and_agrees(cue_corpus):
    cached = st.stance(load_corpus(cue_corpus)).rows
    fresh = st.stance(load_corpus(cue_corpus, use_cache=False)).rows
    assert repr(cached) == repr(fresh)


def test_config_with_no_targets_gives_no_rows(cue_corpus):
    corpus = load_corpus(cue_corpus)
    empty = Config(perspectives=corpus.config.perspectives)
    object.__setattr__(corpus, "config", empty)
    assert st.stance(corpus).rows == ()


@needs_cache
def test_window_tones_are_cached_between_runs(cue_corpus, monkeypatch):
    first = st.stance(load_corpus(cue_corpus), window=3).rows

    def fail(*args, **kwargs):
        raise AssertionError("rescored despite the cache")

    monkeypatch.setattr(tone, "_analyzer", fail)
    assert repr(st.stance(load_corpus(cue_corpus), window=3).rows) == repr(first)
    with pytest.raises(AssertionError, match="rescored"):
        st.stance(load_corpus(cue_corpus), window=4)
