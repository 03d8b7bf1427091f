"""One self-contained HTML page from :class:`ReportData` and its Vega-Lite figures.

Everything is inline: the Vega, Vega-Lite and vega-embed JavaScript (from
``vl_convert.javascript_bundle``), the page's own script and style
(``page.js``, ``page.css`` beside this module) and the data, as JSON in
``<script type="application/json">`` blocks with every ``<`` escaped, so no
text from an article can close a script element. Text shown on the page is
written with ``html.escape`` here or ``textContent`` in the script, never as
markup. The figures' SVG files come from :func:`figure_svgs` (vl-convert,
no browser).
"""

from __future__ import annotations

import functools
import html
import json
from importlib import resources

from framelens.analysis.reports.html_report import LEXICON_CAUTION, ReportData
from framelens.analysis.reports.page import specs as figure_specs

SECTIONS = (
    ("term-map", "Term map"),
    ("topics", "Topics"),
    ("stance", "Stance"),
    ("naming", "Naming"),
    ("timeline", "Over time"),
    ("similarity", "Similarity"),
    ("methods", "Methods and corpus"),
)


BUNDLE_FAMILY = "report:javascript-bundle"


def javascript_bundle(cache=None) -> str:
    """Vega, Vega-Lite and vega-embed as one script (vl-convert bundles them offline).

    Bundling takes 1.5–7 s on a shared 2-core machine and gives the same text
    for the same vl-convert, so it is kept in ``cache`` (a
    :class:`~framelens.analysis.store.document_cache.DocumentCache`) under
    vl-convert's version.
    """
    import vl_convert

    key = "vl-convert " + getattr(vl_convert, "__version__", "") + " " + \
        vl_convert.get_vega_embed_version()
    stored = cache.get_entry(BUNDLE_FAMILY, key) if cache is not None else None
    if isinstance(stored, str):
        return stored
    bundle = _bundle()
    if cache is not None:
        cache.put_entry(BUNDLE_FAMILY, key, bundle)
    return bundle


@functools.cache
def _bundle() -> str:
    import vl_convert

    return vl_convert.javascript_bundle()


def figure_svgs(figures: dict[str, dict]) -> dict[str, str]:
    """Every figure as an SVG document, rendered without a browser."""
    import vl_convert

    return {name: vl_convert.vegalite_to_svg(spec) for name, spec in figures.items()}


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element: '<' (and so '</script>') escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029",
                                                                               "\\u2029")


def _asset(name: str) -> str:
    return resources.files("framelens.analysis.reports.page").joinpath(name).read_text(
        encoding="utf-8")


def _page_data(data: ReportData) -> dict:
    """What the script needs besides the figures: concordances, evidence, labels."""
    index = figure_specs.keys(data)
    kwic = {}
    for row in data.sections["terms"]:
        lines = {index[p["id"]]: row[f"kwic__{p['id']}"] for p in data.perspectives}
        kwic[row["term"].lower()] = {"term": row["term"], "lines": lines,
                                     "counts": {index[p["id"]]: row[f"count__{p['id']}"]
                                                for p in data.perspectives}}
    labels = {p["label"]: index[p["id"]] for p in data.perspectives}
    evidence: dict[str, dict[str, list]] = {}
    for row in data.sections["topic_evidence"]:
        evidence.setdefault(row["topic"], {}).setdefault(index[row["perspective"]], []).append(
            [row["doc_id"], row["text"]])
    return {"perspectives": [{"key": index[p["id"]], "id": p["id"], "label": p["label"],
                              "colour": p["colour"]} for p in data.perspectives],
            "label_keys": labels, "kwic": kwic, "articles": data.articles,
            "evidence": evidence, "terms": [row["term"] for row in data.sections["terms"]]}


def render_page(data: ReportData, figures: dict[str, dict], *, command_line: str,
                version: str, bundle: str) -> str:
    """The HTML page: header, one section per figure group, methods and corpus."""
    datasets: dict[str, object] = {}
    page_specs = {}
    for name, spec in figures.items():
        spec = dict(spec)
        datasets.update(spec.pop("datasets"))
        page_specs[name] = spec
    e = html.escape
    perspectives = ", ".join(p["label"] for p in data.perspectives)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be fetched: scripts and styles inline, images only from data: URLs.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:\">",
        f"<title>framelens report: {e(data.title)}</title>",
        f"<style>{_asset('page.css')}</style></head><body>",
        '<header><h1>framelens report</h1>',
        f'<p class="lead">{e(data.title)}: {e(perspectives)}.</p>',
        '<nav>' + " · ".join(f'<a href="#{key}">{e(title)}</a>' for key, title in SECTIONS
                             if key in page_specs or key in ("term-map", "methods"))
        + "</nav></header><main>",
    ]
    parts.append(_term_section(data, page_specs))
    parts.append(_section("topics", "Topics: salience and tone", [
        _figure("topics", page_specs,
                "Share of each perspective's sentences that name the topic (in brackets: the "
                "sentences), coloured by their mean tone. Grey: fewer than "
                f"{data.settings['min_sentences']} sentences, too few for a mean to mean much; "
                "silent: the perspective never names the topic. Hover for the 95% interval, "
                "click for the evidence."),
        '<div id="topic-evidence" class="panel" aria-live="polite"><p class="hint">Click a '
        "cell to read the sentences behind it.</p></div>",
        _caption(data.captions.get("topics", ""))]) if "topics" in page_specs else "")
    parts.append(_section("stance", "Stance: tone toward the targets", [
        _figure("stance", page_specs,
                "Mean tone of the sentences mentioning each target, with its bootstrap 95% "
                "interval; beside it the sentences (and mentions). Grey: fewer than "
                f"{data.settings['min_sentences']} sentences."),
        _caption(data.captions.get("stance", ""))]) if "stance" in page_specs else "")
    parts.append(_section("naming", "Naming: contested names", [
        _figure("naming", page_specs, "Mentions of each variant per perspective; shade = the "
                "variant's share of the perspective's mentions of the concept."),
        _caption(data.captions.get("naming", ""))]) if "naming" in page_specs else "")
    parts.append(_section("timeline", "Over time", [
        _figure("timeline", page_specs,
                "One series at a time (pick it in the menu): its value per period in each "
                "perspective, the whisker its 95% interval over articles; hollow points rest "
                "on too few articles for an interval."),
        _change_table(data),
        _caption(data.captions.get("timeline", ""))]) if "timeline" in page_specs else "")
    parts.append(_section("similarity", "Similarity and vocabulary", [
        _figure("similarity", page_specs, "How alike the perspectives' vocabularies are."),
        _figure("vocabulary", page_specs, "Terms each perspective uses, and how many only it "
                "uses."),
        _vocabulary_table(data),
        _caption(data.captions.get("similarity", ""))]))
    parts.append(_methods(data, command_line, version))
    parts += [
        "</main>",
        f'<script type="application/json" id="framelens-specs">{_script_json(page_specs)}'
        "</script>",
        f'<script type="application/json" id="framelens-datasets">{_script_json(datasets)}'
        "</script>",
        f'<script type="application/json" id="framelens-data">{_script_json(_page_data(data))}'
        "</script>",
        f"<script>{_inline_script(bundle)}</script>",
        f"<script>{_inline_script(_asset('page.js'))}</script>",
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _inline_script(code: str) -> str:
    # A script element ends at the first "</script"; JavaScript reads "<\/" as "</".
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _section(key: str, title: str, body: list[str]) -> str:
    return (f'<section id="{key}"><h2>{html.escape(title)}</h2>' + "".join(b for b in body if b)
            + "</section>")


def _figure(name: str, page_specs: dict, note: str) -> str:
    if name not in page_specs:
        return ""
    e = html.escape
    return (f'<figure class="chart" data-figure="{e(name)}">'
            f'<div class="toolbar"><span class="note">{e(note)}</span>'
            f'<button type="button" data-download="svg">SVG</button>'
            f'<button type="button" data-download="png">PNG</button></div>'
            f'<div class="plot" id="plot-{e(name)}"></div></figure>')


def _caption(text: str) -> str:
    return f'<p class="caption">{html.escape(text)}</p>' if text else ""


def _term_section(data: ReportData, page_specs: dict) -> str:
    e = html.escape
    cap = data.settings["max_terms"]
    shown = len(data.sections["terms"])
    k = len(data.perspectives)
    choice = ("Pick the three perspectives of the corners and the two of the frequency plot "
              "with the menus under each figure. " if k > 3 else
              "Pick the two perspectives of the frequency plot with the menus under it. "
              if k == 3 else "")
    search = ('<form id="term-search" class="search" autocomplete="off">'
              '<label for="term-query">Find a term</label> '
              '<input id="term-query" name="term" list="term-list" placeholder="e.g. NATO">'
              '<datalist id="term-list"></datalist> <button type="submit">Show</button>'
              '<span id="term-search-status" class="hint"></span></form>')
    return _section("term-map", "Term map", [
        f'<p class="cap-note">Showing the <strong>{shown:,}</strong> most frequent terms '
        f"(the page is capped at {cap:,} points so it stays responsive; change it with "
        f"<code>--max-terms</code>). {e(choice)}Hover a point for its counts, rates and z in "
        "every perspective; click it (or find it) to read its concordance lines.</p>",
        search,
        '<div class="figure-row">',
        _figure("term-map", page_specs, "Ternary plot: a term's share of its normalised "
                "frequency in each perspective" + (" chosen below." if k > 3 else ".")),
        _figure("term-frequency", page_specs, "Frequency ranks in two perspectives "
                "(scattertext-style)" + (", chosen below." if k > 2 else ".")),
        "</div>",
        '<div id="kwic" class="panel" aria-live="polite"><p class="hint">Click a term to read '
        "its keyword-in-context lines from every perspective.</p></div>",
        _caption(data.captions.get("terms", "")),
        _keyword_table(data),
    ])


def _keyword_table(data: ReportData) -> str:
    e = html.escape
    rows = data.sections.get("keywords", [])
    if not rows:
        return ""
    labels = {p["id"]: p["label"] for p in data.perspectives}
    body = "".join(
        f"<tr><td>{e(labels[r['perspective']])}</td><td>{r['rank']}</td>"
        f"<td><strong>{e(r['term'])}</strong></td><td class='num'>{r['z']:.2f}</td>"
        f"<td class='num'>{r['count']}</td><td class='num'>{r['reference_count']}</td>"
        f"<td class='example'>{e(r['example'])}</td></tr>" for r in rows)
    return (f"<h3>Top keywords per perspective (as in compare)</h3><table class='data'>"
            "<thead><tr><th>perspective</th><th>rank</th><th>term</th><th>z</th><th>count</th>"
            f"<th>count (rest)</th><th>example</th></tr></thead><tbody>{body}</tbody></table>"
            + _caption(data.captions.get("keywords", "")))


def _change_table(data: ReportData) -> str:
    e = html.escape
    rows = data.sections.get("timeline_changes", [])
    if not rows:
        return ("<p class='hint'>No change point: no series shifts clearly between periods "
                "(or no perspective has enough articles on both sides).</p>")
    labels = {p["id"]: p["label"] for p in data.perspectives}
    body = "".join(
        f"<tr><td>{e(labels[r['perspective']])}</td><td>{e(r['kind'])} · {e(r['item'])}</td>"
        f"<td>{e(r['metric'])}</td><td>{e(r['previous_period'])} → {e(r['period'])}</td>"
        f"<td class='num'>{r['mean_before']:.3f} → {r['mean_after']:.3f}</td>"
        f"<td class='num'>{r['articles_before']} / {r['articles_after']}</td>"
        f"<td class='example'>{e(r['before_text'])}</td>"
        f"<td class='example'>{e(r['after_text'])}</td></tr>" for r in rows)
    return ("<h3>Change points, largest shifts first</h3><table class='data'><thead><tr>"
            "<th>perspective</th><th>series</th><th>metric</th><th>periods</th>"
            "<th>mean before → after</th><th>articles</th><th>typical before</th>"
            f"<th>typical after</th></tr></thead><tbody>{body}</tbody></table>")


def _vocabulary_table(data: ReportData) -> str:
    e = html.escape
    labels = {p["id"]: p["label"] for p in data.perspectives}
    rows = data.sections["similarity"]
    used = {r["perspective"]: r["terms"] for r in rows if r["kind"] == "used"}
    body = []
    for r in rows:
        if r["kind"] == "unique":
            body.append(f"<tr><td>{e(labels[r['perspective']])}</td>"
                        f"<td class='num'>{used.get(r['perspective'], '')}</td>"
                        f"<td class='num'>{r['terms']}</td>"
                        f"<td>{e(', '.join(r['examples']))}</td></tr>")
        elif r["kind"] == "pair":
            body.append(f"<tr><td>{e(labels[r['perspective']])} – {e(labels[r['other']])}</td>"
                        f"<td></td><td class='num'>{r['terms']}</td>"
                        f"<td>{e(', '.join(r['examples']))}</td></tr>")
        elif r["kind"] == "all":
            body.append(f"<tr><td><strong>shared by all</strong></td><td class='num'>"
                        f"{r['terms']}</td><td></td><td>{e(', '.join(r['examples']))}</td></tr>")
    return ("<h3>Shared and unique vocabulary</h3><table class='data'><thead><tr><th></th>"
            "<th>used</th><th>only here</th><th>examples, most frequent first</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _setting(value: object) -> str:
    if value is None:
        return "default"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return str(value)


def _methods(data: ReportData, command_line: str, version: str) -> str:
    e = html.escape
    labels = {p["id"]: p["label"] for p in data.perspectives}
    corpus_rows = "".join(
        f"<tr><td>{e(r['label'])}</td><td class='num'>{r['articles']:,}</td>"
        f"<td class='num'>{r['words']:,}</td><td class='num'>{r['sentences']:,}</td></tr>"
        for r in data.sections["corpus"])
    articles = data.sections["articles"]
    listed = articles[:200]
    article_rows = "".join(
        f"<tr><td><code>{e(r['id'])}</code></td><td>{e(labels.get(r['perspective'], ''))}</td>"
        f"<td>{e(r['title'])}</td><td>{e(r['author'])}</td><td>{e(r['outlet'])}</td>"
        f"<td>{e(r['published'])}</td><td class='num'>{r['words']:,}</td></tr>"
        for r in listed)
    more = (f"<p class='hint'>The first {len(listed)} of {len(articles):,} articles; "
            "framelens sources list has them all.</p>" if len(articles) > len(listed) else "")
    captions = "".join(
        f"<dt>{e(title)}</dt><dd>{e(data.captions[key])}</dd>"
        for key, title in (("terms", "Term map"), ("keywords", "Keywords"),
                           ("topics", "Topics"), ("stance", "Stance"), ("naming", "Naming"),
                           ("timeline", "Over time"), ("similarity", "Similarity"),
                           ("corpus", "Corpus"))
        if data.captions.get(key))
    settings = ", ".join(f"{key} = {_setting(value)}" for key, value in data.settings.items()
                         if key not in ("z_critical", "timeline_period_used"))
    return _section("methods", "Methods and corpus", [
        f"<p>{e(data.methods)}</p>",
        f"<dl class='captions'>{captions}</dl>",
        "<h3>What a lexicon method cannot tell</h3>",
        f"<p class='caution'>{e(LEXICON_CAUTION)}</p>",
        "<h3>Corpus</h3><table class='data'><thead><tr><th>perspective</th><th>articles</th>"
        f"<th>words</th><th>sentences</th></tr></thead><tbody>{corpus_rows}</tbody></table>",
        "<h3>Articles</h3><table class='data'><thead><tr><th>id</th><th>perspective</th>"
        "<th>title</th><th>author</th><th>outlet</th><th>published</th><th>words</th></tr>"
        f"</thead><tbody>{article_rows}</tbody></table>{more}",
        "<h3>This page</h3>",
        f"<p>framelens {e(version)}; settings: {e(settings)}.</p>",
        f"<p>Command: <code id='command-line'>{e(command_line)}</code></p>",
        "<p class='hint'>Every number here is also in <code>framelens compare --format json"
        "</code> (the same analysis); the figures download as SVG and PNG with the buttons "
        "above them, or all at once with <code>framelens report --figures DIR</code>.</p>",
    ])


__all__ = ["SECTIONS", "figure_svgs", "javascript_bundle", "render_page"]
