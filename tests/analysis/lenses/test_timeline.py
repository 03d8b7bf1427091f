"""framelens timeline: hand-computed per-period series, periods, intervals, change points."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import math

import numpy as np
import pytest

from framelens.analysis.io.dates import parse_publication_date
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.timeline import period_of, period_range, timeline
from framelens.analysis.process.tone import compound
from framelens.analysis.stats.changepoints import mean_segments, noise_scale
from tests.conftest import invoke, write_article

CONFIG = """
[[perspectives]]
id = "north"
label = "North"
colour = "#1f77b4"

[[perspectives]]
id = "south"
label = "South"
colour = "#d62728"

[targets.NATO]
aliases = ["NATO"]

[topics."Sanctions"]
terms = ["sanction*"]

[[naming]]
concept = "Capital of Ukraine"
variants = [
    { label = "Kyiv", patterns = ["Kyiv"] },
    { label = "Kiev", patterns = ["Kiev"] },
]
"""
ON = "Sanctions against the bank were a terrible and awful mistake."
GOOD = "New sanctions are a good and welcome step for peace."
OFF = "The weather in the city was calm that day."
NATO = "NATO leaders met in Kyiv for a great and friendly summit."
KIEV = "Observers in Kiev watched the talks."


def corpus_with(folder, articles):
    (folder / "framelens.toml").write_text(CONFIG, encoding="utf-8")
    for doc_id, perspective, published, sentences in articles:
        meta = {"published": published} if published else {}
        write_article(folder, doc_id, perspective, " ".join(sentences), **meta)
    return folder


@pytest.fixture
def weekly(tmp_path):
    """North: two articles in 2022-W01, one in W02 and one dated only to January;
    South: five articles in W02 (enough for an interval); one undated article."""
    articles = [
        ("n1", "north", "2022-01-03", [ON, OFF, OFF, NATO]),
        ("n2", "north", "2022-01-09", [GOOD, KIEV]),
        ("n3", "north", "2022-01-10", [OFF, OFF, OFF, NATO]),
        ("n4", "north", "2022-01", [ON, OFF]),
        ("n5", "north", None, [ON]),
    ]
    articles += [(f"s{k}", "south", f"2022-01-{10 + k}", [ON] * k + [OFF] * (4 - k))
                 for k in range(5)]
    return corpus_with(tmp_path, articles)


def rows_of(result, **match):
    return [r for r in result.rows if all(getattr(r, k) == v for k, v in match.items())]


def test_iso_weeks_months_quarters():
    day = parse_publication_date("2021-01-03")  # a Sunday: ISO week 53 of 2020
    assert period_of(day, "week") == ("2020-W53", dt.date(2020, 12, 28), dt.date(2021, 1, 3))
    assert period_of(parse_publication_date("2024-02-29"), "month")[0] == "2024-02"
    assert period_of(parse_publication_date("2022-11"), "quarter") == \
        ("2022-Q4", dt.date(2022, 10, 1), dt.date(2022, 12, 31))
    assert period_of(parse_publication_date("2022-11"), "week") is None
    assert period_of(parse_publication_date("2022"), "month") is None
    labels = [p[0] for p in period_range(dt.date(2022, 1, 3), dt.date(2022, 1, 24), "week")]
    assert labels == ["2022-W01", "2022-W02", "2022-W03", "2022-W04"]


def test_weekly_series_match_hand_counts(weekly):
    result = timeline(load_corpus(weekly), period="week")
    assert "1 article without a date left out of the timeline" in result.warnings
    assert "1 article dated less precisely than a week left out of the timeline" in \
        result.warnings
    share = rows_of(result, perspective="north", item="Sanctions", metric="share_of_sentences")
    # W01: n1 has 1 of 4 sentences on sanctions, n2 1 of 2 -> 2/6; W02: n3 0 of 4.
    assert [(r.period, r.value, r.articles, r.units) for r in share] == \
        [("2022-W01", 2 / 6, 2, 6), ("2022-W02", 0.0, 1, 4)]
    assert all(r.few_articles and math.isnan(r.ci_low) for r in share)
    tone = rows_of(result, perspective="north", item="Sanctions", metric="tone")
    assert tone[0].value == pytest.approx((compound(ON) + compound(GOOD)) / 2)
    assert (tone[0].articles, tone[0].units) == (2, 2)
    assert math.isnan(tone[1].value) and tone[1].articles == 0
    nato = rows_of(result, perspective="north", item="NATO", metric="tone")
    assert [(r.period, r.value) for r in nato] == [("2022-W01", compound(NATO)),
                                                   ("2022-W02", compound(NATO))]
    kyiv = rows_of(result, perspective="north", item="Capital of Ukraine: Kyiv")
    # W01: Kyiv once in n1, Kiev once in n2.
    assert [(r.period, r.value, r.articles) for r in kyiv][0] == ("2022-W01", 0.5, 2)


def test_periods_with_enough_articles_get_an_interval_over_articles(weekly):
    result = timeline(load_corpus(weekly), period="week", topics=["Sanctions"])
    (south,) = rows_of(result, perspective="south", metric="share_of_sentences")
    assert (south.value, south.articles, south.few_articles) == (10 / 20, 5, False)
    assert 0.0 <= south.ci_low < south.value < south.ci_high <= 1.0
    (tone,) = rows_of(result, perspective="south", metric="tone")
    assert tone.articles == 4 and tone.few_articles and math.isnan(tone.ci_high)


def test_monthly_counts_add_up_to_the_dated_articles(weekly):
    result = timeline(load_corpus(weekly), period="month", topics=["Sanctions"])
    share = [r for r in result.rows if r.metric == "share_of_sentences"]
    assert [(r.period, r.perspective, r.articles) for r in share] == \
        [("2022-01", "north", 4), ("2022-01", "south", 5)]
    assert sum(r.articles for r in share) == 9  # every dated article, the month-only one too
    assert share[0].value == pytest.approx(3 / 12)


def test_selection_follows_only_what_is_named(weekly):
    result = timeline(load_corpus(weekly), targets=["nato"])
    assert {(r.kind, r.item) for r in result.rows} == {("target", "NATO")}
    with pytest.raises(Exception, match="unknown naming concept"):
        timeline(load_corpus(weekly), naming=["Capital of France"])


# ----------------------------------------------------------------- change points


def brute_force(values, candidates, min_size, penalty, scale):
    """The penalised cost minimum over every segmentation (the definition)."""
    x = np.asarray(values, dtype=float)
    n = x.size

    def cost(a, b):
        return float(((x[a:b] - x[a:b].mean()) ** 2).sum()) / scale ** 2

    best = None
    usable = [c for c in candidates if 0 < c < n]
    for m in range(len(usable) + 1):
        for cut in itertools.combinations(usable, m):
            bounds = [0, *cut, n]
            if any(b - a < min_size for a, b in itertools.pairwise(bounds)):
                continue
            total = sum(cost(a, b) for a, b in itertools.pairwise(bounds)) + penalty * m
            if best is None or total < best[0] - 1e-9:
                best = (total, list(cut))
    return best[1]


@pytest.mark.parametrize("seed", range(8))
def test_optimal_partitioning_matches_the_brute_force_minimum(seed):
    rng = np.random.default_rng(seed)
    values = np.concatenate([rng.normal(0, 1, 7), rng.normal(2.5, 1, 6), rng.normal(-1, 1, 7)])
    candidates = sorted(rng.choice(np.arange(1, 20), 9, replace=False).tolist())
    segments = mean_segments(values, candidates, min_size=3, penalty=4.0, scale=1.0)
    assert [s.start for s in segments[1:]] == brute_force(values, candidates, 3, 4.0, 1.0)


def test_known_shift_found_and_flat_series_quiet():
    rng = np.random.default_rng(3)
    period = np.repeat(np.arange(16), 3)
    candidates = (np.flatnonzero(np.diff(period)) + 1).tolist()
    shifted = rng.normal(0, 1, period.size) + 2.0 * (period >= 9)
    segments = mean_segments(shifted, candidates, min_size=5)
    assert [int(period[s.start]) for s in segments[1:]] == [9]
    assert segments[0].mean == pytest.approx(shifted[:27].mean())
    quiet = sum(len(mean_segments(rng.normal(0, 1, period.size), candidates, min_size=5)) > 1
                for _ in range(100))
    assert quiet <= 5
    assert noise_scale([1.0, 3.0, 1.0]) == pytest.approx(math.sqrt(4.0 / 2))
    assert len(mean_segments([0.2] * 20, candidates, min_size=5)) == 1


def shift_corpus(folder, shift: bool):
    """North: two articles a week for 12 weeks; per-article share of sanctions sentences
    alternates 0 / 1/4, from week 7 on 1/2 / 3/4 when ``shift``."""
    articles = []
    monday = dt.date(2022, 1, 3)
    for week, k in itertools.product(range(12), range(2)):
        on = k + (2 if shift and week >= 6 else 0)
        day = monday + dt.timedelta(weeks=week, days=k)
        articles.append((f"n-{week:02d}-{k}", "north", day.isoformat(),
                         [ON] * on + [OFF] * (4 - on)))
    articles.append(("s-0", "south", "2022-01-04", [OFF, ON]))
    return corpus_with(folder, articles)


def test_timeline_change_point_with_evidence_either_side(tmp_path):
    result = timeline(load_corpus(shift_corpus(tmp_path, True)), period="week",
                      topics=["Sanctions"], changes=True)
    changes = [r for r in result.rows if r.metric == "share_of_sentences"]
    assert [(r.period, r.previous_period, r.side) for r in changes] == \
        [("2022-W07", "2022-W06", "before"), ("2022-W07", "2022-W06", "after")]
    before, after = changes
    assert (before.mean_before, before.mean_after) == (0.125, 0.625)
    assert (before.articles_before, before.articles_after) == (12, 12)
    assert before.doc_id.startswith("n-05-") and after.doc_id.startswith("n-06-")
    assert after.text == ON and after.unit_value in (0.5, 0.75)
    assert "not a cause" in result.caption


def test_flat_timeline_has_no_change_point(tmp_path):
    result = timeline(load_corpus(shift_corpus(tmp_path, False)), period="week",
                      topics=["Sanctions"], changes=True)
    assert not [r for r in result.rows if r.metric == "share_of_sentences"]


# --------------------------------------------------------------------------- cli


def test_csv_is_tidy_and_deterministic(weekly):
    args = ["timeline", "--sources", str(weekly), "--period", "week", "-f", "csv"]
    first, second = invoke(args), invoke(args)
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    reader = csv.DictReader(io.StringIO(first.stdout))
    assert reader.fieldnames[:7] == ["period", "perspective", "kind", "item", "metric", "value",
                                     "articles"]
    assert len(list(reader)) > 0
    assert "without a date" in first.stderr


def test_bundled_corpus_timeline_is_honest(bundled):
    result = invoke(["timeline", "--sources", str(bundled), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    share = [r for r in rows if r["metric"] == "share_of_sentences"]
    assert {(r["period"], r["perspective"]) for r in share} == \
        {("2022-W02", "ukraine"), ("2022-W03", "russia"), ("2022-W03", "china")}
    assert all(r["articles"] <= 1 and r["few_articles"] and r["ci_low"] is None for r in rows)
    changes = invoke(["timeline", "--sources", str(bundled), "--changes",
                                  "-f", "json"])
    assert json.loads(changes.stdout) == []


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "markdown"])
def test_every_format(weekly, fmt):
    result = invoke(["timeline", "--sources", str(weekly), "-f", fmt])
    assert result.exit_code == 0, result.output
    assert "2022-W01" in result.stdout


def test_table_fits_100_columns(tmp_path):
    folder = shift_corpus(tmp_path, True)
    result = invoke(["timeline", "--sources", str(folder), "-f", "table",
                                      "--topic", "Sanctions", "--target", "NATO"],
                                env={"COLUMNS": "100"}, terminal_width=100)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "2022-W07" in result.stdout  # the change point column
    assert any(set(line) & set("▁▂▃▄▅▆▇█") for line in lines)
    changes = invoke(["timeline", "--sources", str(folder), "--changes",
                                       "--topic", "Sanctions", "-f", "table"],
                                 env={"COLUMNS": "100"})
    assert "not a cause" in changes.stdout


def test_bad_period_and_window_are_usage_errors(weekly):
    assert invoke(["timeline", "--sources", str(weekly), "--period",
                               "day"]).exit_code == 2
    result = invoke(["timeline", "--sources", str(weekly), "--since", "2022-02",
                                 "--until", "2022-01-01"])
    assert result.exit_code == 2


def test_window_and_period_together(weekly):
    result = invoke(["timeline", "--sources", str(weekly), "--topic", "Sanctions",
                                 "--since", "2022-01-10", "-f", "csv"])
    assert result.exit_code == 0, result.output
    periods = {r["period"] for r in csv.DictReader(io.StringIO(result.stdout))}
    assert periods == {"2022-W02"}


def test_no_placeable_article_is_exit_1(tmp_path):
    folder = corpus_with(tmp_path, [("m1", "north", "2022-01", [ON]), ("m2", "south", None, [ON])])
    result = invoke(["timeline", "--sources", str(folder)])
    assert result.exit_code == 1
    assert "1 undated, 1 dated only to a month or year" in result.stderr
    monthly = invoke(["timeline", "--sources", str(folder), "--period", "month",
                                  "-f", "csv"])
    assert monthly.exit_code == 0 and "2022-01,north" in monthly.stdout
