"""The report's timeline section: the timeline lens's numbers, drawn in Chromium.

Browser tests share test_report's Chromium (``browser``) and page wrapper.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.lenses.timeline import timeline
from framelens.analysis.reports.html_report import choose_period, report_data
from tests.cli.test_report import OpenedPage, _run, browser  # noqa: F401 (a fixture)
from tests.conftest import BUNDLED, write_article

SENTENCES = {
    "ukraine": ["NATO expansion is a guarantee of security for Ukraine.",
                "Russia threatens Ukraine with troops at the border.",
                "Sanctions against Russia are a good and fair answer."],
    "russia": ["NATO expansion is a dangerous threat to Russia.",
               "Russia wants security guarantees from the United States.",
               "The West ignores Russia and its legitimate concerns."],
}


def _dated_corpus(folder: Path, dates: list[str]) -> Path:
    """Two perspectives, an article on each date, with the bundled corpus's config."""
    folder.mkdir()
    shutil.copy(BUNDLED / "framelens.toml", folder / "framelens.toml")
    for perspective, sentences in SENTENCES.items():
        for i, date in enumerate(dates):
            body = " ".join(sentences[(i + k) % 3] for k in range(1 + i % 3))
            write_article(folder, f"{perspective}-{i:02d}", perspective, body, published=date)
    return folder


def _weeks(count: int) -> list[str]:
    return [f"2022-{1 + (7 * i) // 28:02d}-{1 + (7 * i) % 28:02d}" for i in range(count)]


def _without_nan(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def test_timeline_rows_are_the_lens_rows(tmp_path):
    corpus = load_corpus(_dated_corpus(tmp_path / "dated", _weeks(12)))
    data = report_data(corpus, kwic_lines=0, topic_examples=0)
    assert data.settings["timeline_period_used"] == "week"
    expected = timeline(corpus, period="week")
    assert len(data.sections["timeline"]) == len(expected.rows) > 0
    for row, lens_row in zip(data.sections["timeline"], expected.rows, strict=True):
        assert row == {name: _without_nan(getattr(lens_row, name)) for name in row}
    # Change points pair the two sides of one change; the largest shift first.
    shifts = [abs(r["mean_after"] - r["mean_before"]) for r in data.sections["timeline_changes"]]
    assert shifts == sorted(shifts, reverse=True)


def test_a_fixed_period_overrides_auto(tmp_path):
    corpus = load_corpus(_dated_corpus(tmp_path / "dated", _weeks(12)))
    data = report_data(corpus, kwic_lines=0, topic_examples=0, timeline_period="month")
    assert data.settings["timeline_period_used"] == "month"
    assert {r["period"] for r in data.sections["timeline"]} == {"2022-01", "2022-02", "2022-03"}


@pytest.mark.parametrize(("dates", "expected"), [
    (["2022-01-03", "2022-01-10"], "week"),           # two ISO weeks
    (["2022-01-03", "2023-01-09"], "month"),          # 54 weeks apart: too many weeks
    (["2022-01-03", "2027-01-09"], "quarter"),        # 61 months apart
    (["2022-01", "2022-03"], "month"),                # no day: no week
    (["2022-01-03", "2022-01-04"], None),             # one week: nothing to draw
])
def test_auto_takes_the_finest_period_with_a_line_to_draw(tmp_path, dates, expected):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i, date in enumerate(dates):
        for perspective in ("north", "south"):
            write_article(folder, f"{perspective}-{i}", perspective, "NATO met Russia.",
                          published=date)
    assert choose_period(load_corpus(folder)) == expected


def test_one_article_per_perspective_has_no_timeline():
    corpus = load_corpus(BUNDLED)
    assert choose_period(corpus) is None  # three articles, each the only one of its side
    data = report_data(corpus, kwic_lines=0, topic_examples=0)
    assert data.sections["timeline"] == []
    assert data.captions["timeline"].startswith("No timeline: no perspective has dated")


def test_timeline_is_drawn_and_the_menu_switches_series(browser, tmp_path):  # noqa: F811
    corpus = _dated_corpus(tmp_path / "dated", _weeks(12))
    output = tmp_path / "dated.html"
    result = _run("report", "--sources", str(corpus), "--output", str(output),
                  "--figures", str(tmp_path / "figures"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "figures" / "timeline.svg").read_text().startswith("<svg")
    opened = OpenedPage(browser, output)
    try:
        assert opened.page.locator('nav a[href="#timeline"]').count() == 1
        plot = opened.page.locator("#plot-timeline")
        box = plot.locator("svg").first.bounding_box()
        assert box["width"] > 300 and box["height"] > 200
        menu = plot.locator("select")
        assert menu.count() == 1
        options = menu.locator("option").all_inner_texts()
        assert len(options) > 2
        first = plot.locator("svg").first.inner_html()
        menu.select_option(index=1)
        opened.page.wait_for_function(
            "(before) => document.querySelector('#plot-timeline svg').innerHTML !== before",
            arg=first, timeout=5000)
        assert opened.page.locator("#timeline table.data tbody tr").count() >= 1 or \
            "No change point" in opened.page.locator("#timeline").inner_text()
        assert opened.errors == []
        assert opened.requests == [opened.url]
    finally:
        opened.close()
