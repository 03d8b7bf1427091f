"""framelens report: the page's data agree with compare, the page works offline in Chromium.

The browser tests open the written page in Debian's headless Chromium through
playwright (``.ci/run`` installs chromium when it is missing). Without it they
fail: a skipped browser test would hide a broken page. Screenshots of every
section stay in the test's temporary folder.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.reports.html_report import LEXICON_CAUTION, report_data
from tests.conftest import BUNDLED, REPO, invoke, write_article

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SECTIONS = ("term-map", "topics", "stance", "naming", "similarity", "methods")


def _run(*args: str):
    return invoke(args, catch_exceptions=False)


def _page_json(page: str, block: str):
    match = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', page,
                      re.S)
    assert match, block
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def bundled_page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    cache = tmp_path_factory.mktemp("report-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FRAMELENS_CACHE_DIR", str(cache))
        result = _run("report", "--sources", str(BUNDLED), "--output", str(folder / "page.html"),
                      "--figures", str(folder / "figures"))
    assert result.exit_code == 0, result.output
    return folder / "page.html"


# ------------------------------------------------------------------ data and page


def test_page_numbers_are_compares_to_the_last_digit(bundled_page):
    page = bundled_page.read_text(encoding="utf-8")
    datasets = _page_json(page, "framelens-datasets")
    compared = json.loads(_run("compare", "--sources", str(BUNDLED), "--format", "json").stdout)
    assert datasets["topics"], "no topics in the page"
    fields = ("sentences", "share_of_sentences", "tone_mean", "tone_ci_low", "tone_ci_high")
    expected = {(r["topic"], r["perspective"]): [r[f] for f in fields] for r in compared["topics"]}
    assert {(r["topic"], r["perspective"]): [r[f] for f in fields]
            for r in datasets["topics"]} == expected
    fields = ("mentions", "sentences", "tone_mean", "tone_ci_low", "tone_ci_high",
              "share_negative", "share_positive")
    expected = {(r["target"], r["perspective"]): [r[f] for f in fields] for r in compared["stance"]}
    assert {(r["target"], r["perspective"]): [r[f] for f in fields]
            for r in datasets["stance"]} == expected
    labels = {"ukraine": "Ukraine", "russia": "Russia", "china": "China"}
    cells = {(c["a"], c["b"], c["metric"]): c["value"] for c in datasets["similarity"]}
    for r in (r for r in compared["similarity"] if r["kind"] == "pair"):
        a, b = labels[r["perspective"]], labels[r["other"]]
        assert cells[(a, b, "cosine")] == cells[(b, a, "cosine")] == r["cosine"]
        assert cells[(a, b, "jsd")] == r["jsd"]
    # The term map's z, counts and rates of compare's keywords are the keyword rows' own.
    terms = {t["term"]: t for t in datasets["terms"]}
    key = {p: f"p{i}" for i, p in enumerate(labels)}
    assert compared["keywords"]
    for r in compared["keywords"]:
        t = terms[r["term"]]
        k = key[r["perspective"]]
        assert (t[f"z_{k}"], t[f"count_{k}"], t[f"rate_{k}"]) == \
            (r["z"], r["count"], r["rate_per_10k"])
        assert t["total"] - t[f"count_{k}"] == r["reference_count"]


def test_crimea_is_a_topic_only_the_ukrainian_piece_mentions(bundled_page):
    datasets = _page_json(bundled_page.read_text(encoding="utf-8"), "framelens-datasets")
    crimea = {r["perspective"]: r["sentences"] for r in datasets["topics"]
              if r["topic"] == "Crimea"}
    assert crimea["ukraine"] > 0
    assert crimea["russia"] == crimea["china"] == 0


def _ternary_position(term_row: dict, corners: tuple[str, str, str]) -> tuple[float, float]:
    a, b, c = (term_row[f"rate_{k}"] for k in corners)
    return (b + c / 2) / (a + b + c), math.sqrt(3) / 2 * c / (a + b + c)


def test_term_map_places_donbass_at_the_ukrainian_corner(bundled_page):
    datasets = _page_json(bundled_page.read_text(encoding="utf-8"), "framelens-datasets")
    terms = {t["term"]: t for t in datasets["terms"]}
    corners = ("p0", "p1", "p2")  # ukraine (0, 0), russia (1, 0), china (0.5, √3/2)
    x, y = _ternary_position(terms["Donbass"], corners)
    assert math.hypot(x, y) < 0.1
    # "reunification" (German reunification, Trenin) sits nowhere near the Crimea naming.
    reunification = _ternary_position(terms["German reunification"], corners)
    annexation = _ternary_position(terms["annexation of Crimea"], corners)
    assert math.dist(reunification, annexation) > 0.5


def test_page_gets_the_permissions_of_a_new_file(bundled_page):
    import os

    umask = os.umask(0)
    os.umask(umask)
    assert bundled_page.stat().st_mode & 0o777 == 0o666 & ~umask


def test_figures_are_written_as_svg_without_a_browser(bundled_page):
    figures = bundled_page.parent / "figures"
    names = sorted(p.name for p in figures.iterdir())
    assert names == ["naming.svg", "similarity.svg", "stance.svg", "term-frequency.svg",
                     "term-map.svg", "topics.svg", "vocabulary.svg"]
    for path in figures.iterdir():
        root = ElementTree.parse(path).getroot()
        assert root.tag.endswith("svg")
        assert float(root.get("width")) > 100 and float(root.get("height")) > 100
    assert "Crimea" in (figures / "topics.svg").read_text(encoding="utf-8")


def test_page_is_self_contained_and_deterministic(bundled_page, tmp_path):
    page = bundled_page.read_text(encoding="utf-8")
    # No element of the page loads anything: no src/href outside the inline scripts (the
    # browser test records every request the scripts make).
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)
    assert markup.count("<script") == 0
    assert not re.search(r"<(link|img|iframe|object|embed)\b", markup)
    assert "@import" not in markup and "url(" not in markup
    assert "Content-Security-Policy" in page
    again = tmp_path / "again.html"
    assert _run("report", "--sources", str(BUNDLED), "--output", str(again)).exit_code == 0
    command = re.compile(r"<code id='command-line'>.*?</code>")
    assert command.sub("", again.read_text(encoding="utf-8")) == command.sub("", page)


def test_methods_carry_the_readme_caution_word_for_word(bundled_page):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What a lexicon method cannot tell\n", 1)[1].split("\n## ", 1)[0]
    assert " ".join(section.split()) == LEXICON_CAUTION
    assert LEXICON_CAUTION in html.unescape(bundled_page.read_text(encoding="utf-8"))


def test_one_perspective_is_nothing_to_compare(tmp_path):
    write_article(tmp_path, "only-one", "ukraine", "NATO met Russia in Geneva. Talks failed.")
    result = _run("report", "--sources", str(tmp_path), "--output", str(tmp_path / "r.html"))
    assert result.exit_code == 1
    assert "nothing to compare" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("where", ["missing/page.html", "article.md/page.html", "."])
def test_unwritable_output_is_a_clear_error(small_corpus, tmp_path_factory, where):
    folder = tmp_path_factory.mktemp("out")
    (folder / "article.md").write_text("not a folder", encoding="utf-8")
    target = folder / where
    result = _run("report", "--sources", str(small_corpus), "--output", str(target))
    assert result.exit_code == 1
    assert "cannot write the report" in result.stderr
    assert str(target) in result.stderr.replace("\n", "")
    assert "Traceback" not in result.output


def test_format_is_not_an_option(small_corpus, tmp_path):
    result = _run("report", "--sources", str(small_corpus), "--output",
                  str(tmp_path / "r.html"), "--format", "json")
    assert result.exit_code == 2
    assert "--format" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_report_data_refuses_a_bad_option(small_corpus):
    from framelens.analysis.errors import OptionError

    with pytest.raises(OptionError, match="--max-terms"):
        report_data(load_corpus(small_corpus), max_terms=0)


# ---------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y "
                    "chromium; .ci/run does) to test the report page")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OpenedPage:
    """A report page opened in Chromium, recording every request, console error and dialog."""

    def __init__(self, browser, path: Path):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.context.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-ready=true]", timeout=60000)

    def _route(self, route):
        self.requests.append(route.request.url)
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def opened(browser, bundled_page):
    page = OpenedPage(browser, bundled_page)
    yield page
    page.close()


def _non_blank_share(browser, png: bytes) -> float:
    """Share of the screenshot's pixels that are not (near) white, decoded by Chromium."""
    page = browser.new_page()
    try:
        return page.evaluate("""async (data) => {
            const image = new Image();
            image.src = 'data:image/png;base64,' + data;
            await image.decode();
            const canvas = document.createElement('canvas');
            canvas.width = image.width; canvas.height = image.height;
            const context = canvas.getContext('2d');
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, image.width, image.height).data;
            let ink = 0;
            for (let i = 0; i < pixels.length; i += 4) {
                if (pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235) ink++;
            }
            return ink / (pixels.length / 4);
        }""", base64.b64encode(png).decode())
    finally:
        page.close()


def test_page_opens_offline_without_errors(opened):
    assert opened.errors == []
    assert opened.requests == [opened.url]


def test_every_section_is_drawn_and_not_blank(opened, browser, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    for name in SECTIONS:
        section = opened.page.locator(f"#{name}")
        assert section.is_visible(), name
        png = section.screenshot(path=str(shots / f"{name}.png"))
        assert _non_blank_share(browser, png) > 0.01, name
    plots = opened.page.locator(".plot")
    assert plots.count() == 7
    for i in range(plots.count()):
        plot = plots.nth(i)
        box = plot.locator("svg").first.bounding_box()
        assert box["width"] > 150 and box["height"] > 100, plot.get_attribute("id")
        assert plot.locator("path, text").count() > 5, plot.get_attribute("id")


def test_hovering_a_term_shows_its_numbers_in_every_perspective(opened):
    point = opened.page.locator('#plot-term-map path[aria-label*="; term: United States;"]')
    assert point.count() == 1
    point.hover(force=True)
    tooltip = opened.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5000)
    text = tooltip.inner_text()
    assert "United States" in text
    for label in ("Ukraine", "Russia", "China"):
        assert f"{label}: count" in text and f"{label}: per 10k" in text and f"{label}: z" in text


def test_clicking_a_term_lists_its_lines_from_each_perspective(opened):
    point = opened.page.locator('#plot-term-map path[aria-label*="; term: United States;"]')
    point.click(force=True)
    panel = opened.page.locator("#kwic")
    panel.locator("h3").wait_for(timeout=5000)
    assert "United States" in panel.locator("h3").inner_text()
    blocks = panel.locator(".kwic-perspective")
    assert blocks.count() == 3
    titles = {"ukraine": "ua-analysis-2022-01-10", "russia": "ru-trenin-2022-01-21",
              "china": "cn-wu-2022-01-19"}
    for i in range(3):
        block = blocks.nth(i)
        lines = block.locator("li.kwic-line")
        assert lines.count() >= 1
        first = lines.first
        assert first.locator("mark").inner_text().lower() == "united states"
        assert first.locator(".source code").inner_text() == \
            titles[block.get_attribute("data-perspective")]
        assert first.locator(".source .title").inner_text().strip()


def test_search_finds_a_term_and_topic_cells_show_evidence(opened):
    opened.page.fill("#term-query", "Donbass")
    opened.page.click("#term-search button")
    panel = opened.page.locator("#kwic")
    ukraine = panel.locator('.kwic-perspective[data-perspective="ukraine"] li.kwic-line')
    assert ukraine.count() == 1
    assert "Donbass" in ukraine.first.inner_text()
    assert panel.locator('.kwic-perspective[data-perspective="russia"] li').count() == 0
    # The topic heat map: a click on Crimea's cell shows evidence from the Ukrainian piece only.
    cell = opened.page.locator('#plot-topics path[aria-label*="topic: Crimea;"]'
                               '[aria-label*="perspective: Ukraine;"]')
    assert cell.count() == 1
    cell.click(force=True)
    evidence = opened.page.locator("#topic-evidence")
    evidence.locator("h3").wait_for(timeout=5000)
    assert "Crimea" in evidence.locator("h3").inner_text()
    assert evidence.locator("ol.evidence").count() == 1
    assert "Crimea" in evidence.locator("ol.evidence").inner_text()


def test_a_script_in_an_article_is_shown_as_text(browser, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "framelens.toml").write_text(
        '[[perspectives]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n'
        '[[perspectives]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n',
        encoding="utf-8")
    write_article(corpus, "north-one", "north", """
        The payload <script>alert(1)</script> appeared in the comments twice.
        The payload <script>alert(1)</script> was quoted by NATO officials.
        """, title='"<script>alert(1)</script> headline"')
    write_article(corpus, "south-one", "south", """
        Russia's security concerns deserve respect. The payload was never quoted.
        """)
    output = tmp_path / "page.html"
    result = _run("report", "--sources", str(corpus), "--output", str(output))
    assert result.exit_code == 0, result.output
    page = output.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    opened = OpenedPage(browser, output)
    try:
        assert opened.errors == []
        assert opened.page.evaluate("framelens.showTerm('payload')")
        text = opened.page.locator("#kwic").inner_text()
        assert "<script>alert(1)</script>" in text
        assert opened.dialogs == []
        assert opened.page.locator("#kwic script").count() == 0
    finally:
        opened.close()


def test_page_names_the_command_that_wrote_it(bundled_page):
    page = html.unescape(bundled_page.read_text(encoding="utf-8"))
    command = re.search(r"<code id='command-line'>(.*?)</code>", page).group(1)
    assert command == (f"framelens report --sources {BUNDLED} --output {bundled_page} "
                       f"--figures {bundled_page.parent / 'figures'}")


def _corpus_of(folder: Path, perspectives: list[str]) -> Path:
    folder.mkdir()
    (folder / "framelens.toml").write_text("".join(
        f'[[perspectives]]\nid = "{p}"\nlabel = "{p.title()}"\n\n' for p in perspectives),
        encoding="utf-8")
    bodies = {
        0: "NATO expansion worries Moscow. The Alliance rejects any veto on enlargement.",
        1: "Russia wants security guarantees. Moscow says NATO expansion threatens Russia.",
        2: "Beijing calls for dialogue. China says the security of one is the security of all.",
        3: "Brussels prepares sanctions. The European Union says sanctions would follow.",
    }
    for i, p in enumerate(perspectives):
        write_article(folder, f"{p}-one", p, bodies[i % 4] + " " + bodies[i % 4])
    return folder


def test_four_perspectives_pick_the_corners_in_the_page(browser, tmp_path):
    corpus = _corpus_of(tmp_path / "four", ["north", "south", "east", "west"])
    output = tmp_path / "four.html"
    assert _run("report", "--sources", str(corpus), "--output", str(output)).exit_code == 0
    opened = OpenedPage(browser, output)
    try:
        corners = opened.page.locator("#plot-term-map select")
        assert corners.count() == 3
        assert opened.page.locator("#plot-term-frequency select").count() == 2
        corner_names = "#plot-term-map .role-mark text"
        assert "West" not in opened.page.locator(corner_names).all_inner_texts()
        corners.nth(2).select_option(label="West")
        opened.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('#plot-term-map text'))"
            ".some(t => t.textContent === 'West')", timeout=5000)
        assert opened.errors == []
        assert opened.requests == [opened.url]
    finally:
        opened.close()


def test_two_perspectives_get_the_frequency_plot_only(browser, tmp_path):
    corpus = _corpus_of(tmp_path / "two", ["north", "south"])
    output = tmp_path / "two.html"
    assert _run("report", "--sources", str(corpus), "--output", str(output)).exit_code == 0
    opened = OpenedPage(browser, output)
    try:
        assert opened.page.locator("#plot-term-map").count() == 0
        plot = opened.page.locator("#plot-term-frequency")
        assert plot.locator("select").count() == 0
        assert plot.locator('path[aria-label*="term: NATO"]').count() == 1
        assert opened.errors == []
    finally:
        opened.close()


@pytest.mark.parametrize("figure", ["term-map", "topics", "similarity"])
def test_figures_download_as_svg_and_png_from_the_page(opened, figure, tmp_path):
    toolbar = opened.page.locator(f'[data-figure="{figure}"] .toolbar')
    for kind, start in (("svg", b"<svg"), ("png", b"\x89PNG")):
        with opened.page.expect_download(timeout=15000) as download:
            toolbar.locator(f'[data-download="{kind}"]').click()
        assert download.value.suggested_filename == f"framelens-{figure}.{kind}"
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        content = saved.read_bytes()
        assert content.startswith(start) and len(content) > 2000
    assert opened.requests == [opened.url]
