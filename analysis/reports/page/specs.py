"""Vega-Lite specifications of the report's figures, built from :class:`ReportData`.

Each function returns one spec (a plain dict) with its data inline in
``datasets``, so the same spec renders in the page (vega-embed) and to SVG
without a browser (vl-convert). Perspectives are keyed ``p0, p1, …`` inside
the specs, whatever characters their ids hold. Figures carry no title: the
page's headings and captions say what they show, and a paper has its own.
"""

from __future__ import annotations

import math

from framelens.analysis.reports.html_report import ReportData

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
NOT_SIGNIFICANT = "none"
GREY = "#c4c4c4"
FONT = "Helvetica, Arial, sans-serif"
SQRT3_2 = math.sqrt(3) / 2
TERNARY_SIZE = 560
TONE_DOMAIN = (-0.5, 0.5)
"""Tone colours saturate at ±0.5 (as the terminal's tone colours)."""
TERM_DATASET = "terms"

CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": False},
    "legend": {"labelFontSize": 11, "titleFontSize": 11},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
}


def keys(data: ReportData) -> dict[str, str]:
    """Perspective id → its key inside the specs (``p0``, ``p1``, …)."""
    return {p["id"]: f"p{i}" for i, p in enumerate(data.perspectives)}


def term_rows(data: ReportData) -> list[dict]:
    """The term map's rows for the figures: numbers only, keyed by perspective key."""
    index = keys(data)
    rows = []
    for row in data.sections["terms"]:
        out = {"term": row["term"], "total": row["total"], "label": row["label"]}
        for pid, key in index.items():
            out[f"count_{key}"] = row[f"count__{pid}"]
            out[f"rate_{key}"] = row[f"rate__{pid}"]
            out[f"z_{key}"] = row[f"z__{pid}"]
        rows.append(out)
    return rows


def _base(data: ReportData, datasets: dict[str, list]) -> dict:
    return {"$schema": SCHEMA, "config": CONFIG, "datasets": datasets,
            "usermeta": {"datasets": sorted(datasets)}}


def _colour_scale(data: ReportData) -> dict:
    index = keys(data)
    return {"domain": [*index.values(), NOT_SIGNIFICANT],
            "range": [p["colour"] for p in data.perspectives] + [GREY]}


def _colour_legend(data: ReportData, title: str) -> dict:
    names = {key: p["label"] for key, p in zip(keys(data).values(), data.perspectives,
                                                   strict=True)}
    names[NOT_SIGNIFICANT] = "not significant"
    expression = " : ".join(f"datum.value === {_js(k)} ? {_js(v)}" for k, v in names.items())
    return {"title": title, "labelExpr": expression + " : datum.value", "orient": "bottom",
            "direction": "horizontal"}


def _js(value: str) -> str:
    """A string literal for a Vega expression (JSON string syntax is valid there)."""
    import json

    return json.dumps(value, ensure_ascii=True)


def _labels_param(data: ReportData) -> dict:
    return {"name": "labels", "value": {key: p["label"] for key, p in
                                        zip(keys(data).values(), data.perspectives,
                                            strict=True)}}


def _corner_params(data: ReportData, names: tuple[str, ...], bound: bool) -> list[dict]:
    index = list(keys(data).values())
    params = []
    for position, name in enumerate(names):
        param: dict = {"name": name, "value": index[position]}
        if bound:
            param["bind"] = {"input": "select", "options": index,
                             "labels": [p["label"] for p in data.perspectives],
                             "name": f"{name.replace('_', ' ')} "}
        params.append(param)
    return params


def _tooltip(data: ReportData) -> list[dict]:
    tips = [{"field": "term", "title": "term"},
            {"field": "total", "title": "count (all)", "format": ","}]
    for key, p in zip(keys(data).values(), data.perspectives, strict=True):
        tips += [{"field": f"count_{key}", "title": f"{p['label']}: count", "format": ","},
                 {"field": f"rate_{key}", "title": f"{p['label']}: per 10k", "format": ".2f"},
                 {"field": f"z_{key}", "title": f"{p['label']}: z", "format": "+.2f"}]
    return tips


def _point_layers(data: ReportData, corners: tuple[str, ...], *, label_step: float,
                  label_flip: float) -> list[dict]:
    """Points, their labels and the focus ring, shared by both term maps (x, y computed)."""
    z_fields = [f"datum['z_' + {c}]" for c in corners]
    lead = corners[-1]
    for z, corner in zip(reversed(z_fields[:-1]), reversed(corners[:-1]), strict=True):
        lead = f"({z} === datum.zmax ? {corner} : {lead})"
    colour = {"field": "colour_key", "type": "nominal", "scale": _colour_scale(data),
              "legend": _colour_legend(data, "highest z ≥ 1.96 in")}
    focus = "datum.term_lower === lower(focus)"
    # Labels of terms at the same place (a corner, a rank tie) are stacked, not overprinted;
    # hovering or clicking a label does what the point does.
    scored = [{"calculate": f"max({', '.join(z_fields)})", "as": "zmax"},
              {"calculate": f"datum.zmax >= {data.settings['z_critical']} ? {lead} : "
                            f"{_js(NOT_SIGNIFICANT)}", "as": "colour_key"},
              {"calculate": "datum.colour_key === 'none' ? 0 : 1", "as": "coloured"}]
    labels = [*scored, {"filter": f"datum.label || {focus}"},
              {"calculate": "format(datum.x, '.3f') + ',' + format(datum.y, '.3f')", "as": "at"},
              {"window": [{"op": "row_number", "as": "stack"}], "groupby": ["at"],
               "sort": [{"field": "zmax", "order": "descending"}]},
              {"calculate": f"datum.y + (datum.y > {label_flip} ? -1 : 1) * "
                            f"{label_step} * datum.stack",
               "as": "label_y"}]
    return [
        {"transform": scored,
         "mark": {"type": "circle", "opacity": 0.75, "stroke": "white", "strokeWidth": 0.4,
                  "cursor": "pointer"},
         "encoding": {
             "x": {"field": "x", "type": "quantitative"},
             "y": {"field": "y", "type": "quantitative"},
             "size": {"field": "total", "type": "quantitative",
                      "scale": {"type": "sqrt", "range": [10, 500]},
                      "legend": {"title": "count", "orient": "bottom"}},
             "color": colour,
             "order": {"field": "coloured", "type": "quantitative"},
             "tooltip": _tooltip(data)}},
        {"transform": labels,
         "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold", "cursor": "pointer",
                  "stroke": "white", "strokeWidth": 3, "strokeOpacity": 0.85},
         "encoding": {"x": {"field": "x", "type": "quantitative"},
                      "y": {"field": "label_y", "type": "quantitative"},
                      "text": {"field": "term"}, "tooltip": _tooltip(data)}},
        {"transform": labels,
         "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold", "cursor": "pointer"},
         "encoding": {"x": {"field": "x", "type": "quantitative"},
                      "y": {"field": "label_y", "type": "quantitative"},
                      "text": {"field": "term"}, "tooltip": _tooltip(data)}},
        {"transform": [{"filter": focus}],
         "mark": {"type": "point", "shape": "circle", "size": 700, "strokeWidth": 2.5,
                  "color": "black", "filled": False, "interactive": False},
         "encoding": {"x": {"field": "x", "type": "quantitative"},
                      "y": {"field": "y", "type": "quantitative"}}},
    ]


def ternary(data: ReportData) -> dict:
    """Three perspectives as the corners of a triangle (k ≥ 3; the page picks the three).

    A term with normalised frequencies (rates) a, b, c in the corner
    perspectives sits at x = (b + c/2)/(a+b+c), y = (√3/2)·c/(a+b+c): at a
    corner when only that perspective uses it, in the middle when all use it
    at the same rate.
    """
    corners = ("corner_a", "corner_b", "corner_c")
    rate = {c: f"datum['rate_' + {c}]" for c in corners}
    total = f"({rate['corner_a']} + {rate['corner_b']} + {rate['corner_c']})"
    spec = _base(data, {TERM_DATASET: term_rows(data), "ternary_frame": _ternary_frame()})
    points = _point_layers(data, corners, label_step=0.03, label_flip=0.6)
    for layer in points:  # x and y come from the parent (labels keep their own y)
        del layer["encoding"]["x"]
        if layer["encoding"]["y"]["field"] == "y":
            del layer["encoding"]["y"]
    spec.update({
        "width": TERNARY_SIZE, "height": round(TERNARY_SIZE * (SQRT3_2 + 0.22) / 1.16),
        "params": [*_corner_params(data, corners, bound=len(data.perspectives) > 3),
                   _labels_param(data), {"name": "focus", "value": ""}],
        "encoding": {"x": {"field": "x", "type": "quantitative", "scale": {
                               "domain": [-0.08, 1.08], "nice": False}, "axis": None},
                     "y": {"field": "y", "type": "quantitative", "scale": {
                               "domain": [-0.11, SQRT3_2 + 0.11], "nice": False},
                           "axis": None}},
        "layer": [
            {"data": {"name": "ternary_frame"},
             "mark": {"type": "line", "strokeWidth": 0.6, "color": "#9a9a9a",
                      "strokeDash": [3, 3]},
             "transform": [{"filter": "datum.kind === 'grid'"}],
             "encoding": {"detail": {"field": "line"}, "order": {"field": "end"}}},
            {"data": {"name": "ternary_frame"},
             "mark": {"type": "line", "strokeWidth": 1.2, "color": "#444444"},
             "transform": [{"filter": "datum.kind === 'edge'"}],
             "encoding": {"order": {"field": "end"}}},
            {"data": {"name": "ternary_frame"},
             "transform": [{"filter": "datum.kind === 'corner'"},
                           {"calculate": "labels[datum.line === 'a' ? corner_a : datum.line === "
                                         "'b' ? corner_b : corner_c]", "as": "name"}],
             "mark": {"type": "text", "fontSize": 14, "fontWeight": "bold"},
             "encoding": {"text": {"field": "name"}}},
            {"data": {"name": TERM_DATASET},
             "transform": [
                 {"calculate": total, "as": "rate_sum"},
                 {"filter": "datum.rate_sum > 0"},
                 {"calculate": f"({rate['corner_b']} + {rate['corner_c']} / 2) / datum.rate_sum",
                  "as": "x"},
                 {"calculate": f"{SQRT3_2!r} * {rate['corner_c']} / datum.rate_sum", "as": "y"},
                 {"calculate": "lower(datum.term)", "as": "term_lower"}],
             "layer": [*points, _corner_counts()]},
        ],
    })
    return spec


def _corner_counts() -> dict:
    """'N terms only here' by each corner, where the terms only one perspective uses pile up."""
    return {
        "transform": [{"filter": "datum.y > 0.866 || (datum.y === 0 && (datum.x === 0 || "
                                 "datum.x === 1))"},
                      {"aggregate": [{"op": "count", "as": "terms"}], "groupby": ["x", "y"]},
                      {"calculate": "datum.terms + (datum.terms === 1 ? ' term' : ' terms') + "
                                    "' only here'", "as": "note"},
                      {"calculate": "datum.y === 0 ? -0.088 : datum.y + 0.085", "as": "note_y"}],
        "mark": {"type": "text", "fontSize": 10, "fontStyle": "italic", "color": "#555555"},
        "encoding": {"x": {"field": "x", "type": "quantitative"},
                     "y": {"field": "note_y", "type": "quantitative"},
                     "text": {"field": "note"}}}


def _ternary_frame() -> list[dict]:
    """The triangle's edges, grid lines at shares 0.2…0.8 and its corner label anchors."""
    corners = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (0.5, SQRT3_2)}

    def point(a: float, b: float, c: float) -> tuple[float, float]:
        return (b + c / 2, SQRT3_2 * c)

    rows: list[dict] = []
    for end, name in enumerate(("a", "b", "c", "a")):
        x, y = corners[name]
        rows.append({"kind": "edge", "line": "edge", "end": end, "x": x, "y": y})
    for step in (0.2, 0.4, 0.6, 0.8):
        rest = 1 - step
        for axis, (start, stop) in (("a", (point(step, rest, 0), point(step, 0, rest))),
                                    ("b", (point(rest, step, 0), point(0, step, rest))),
                                    ("c", (point(rest, 0, step), point(0, rest, step)))):
            for end, (x, y) in enumerate((start, stop)):
                rows.append({"kind": "grid", "line": f"{axis}{step}", "end": end,
                             "x": round(x, 12), "y": round(y, 12)})
    for name, (x, y) in corners.items():  # the perspective's name just outside its corner
        rows.append({"kind": "corner", "line": name, "end": 0, "x": x,
                     "y": -0.05 if y == 0 else y + 0.045})
    return rows


def frequency_plot(data: ReportData) -> dict:
    """Two perspectives, scattertext-style: each axis the term's frequency rank in one.

    Rank = dense rank of the term's count in the perspective (ties share a rank),
    divided by the highest rank, so 0 = unused and 1 = the most frequent; with
    three or more perspectives the page picks the two.
    """
    axes = ("x_perspective", "y_perspective")
    spec = _base(data, {TERM_DATASET: term_rows(data)})
    points = _point_layers(data, axes, label_step=0.032, label_flip=0.8)
    for layer in points:
        layer["encoding"]["x"].update(scale={"domain": [0, 1]}, axis={
            "title": {"expr": "'frequency rank in ' + labels[x_perspective]"},
            "format": "%", "grid": True, "gridOpacity": 0.4})
        layer["encoding"]["y"].update(scale={"domain": [0, 1]}, axis={
            "title": {"expr": "'frequency rank in ' + labels[y_perspective]"},
            "format": "%", "grid": True, "gridOpacity": 0.4})
    transform: list[dict] = [
        {"calculate": "datum['count_' + x_perspective]", "as": "count_x"},
        {"calculate": "datum['count_' + y_perspective]", "as": "count_y"},
        {"filter": "datum.count_x + datum.count_y > 0"},
        {"calculate": "lower(datum.term)", "as": "term_lower"},
    ]
    for axis in ("x", "y"):
        transform += [
            {"window": [{"op": "dense_rank", "as": f"rank_{axis}"}],
             "sort": [{"field": f"count_{axis}", "order": "ascending"}]},
            {"joinaggregate": [{"op": "max", "field": f"rank_{axis}", "as": f"top_{axis}"}]},
            {"calculate": f"datum.top_{axis} > 1 ? (datum.rank_{axis} - 1) / (datum.top_{axis} "
                          "- 1) : 0", "as": axis}]
    spec.update({
        "width": 520, "height": 520,
        "params": [*_corner_params(data, axes, bound=len(data.perspectives) > 2),
                   _labels_param(data), {"name": "focus", "value": ""}],
        "data": {"name": TERM_DATASET}, "transform": transform,
        "layer": [
            {"data": {"values": [{"x": 0, "y": 0}, {"x": 1, "y": 1}]},
             "mark": {"type": "line", "color": "#9a9a9a", "strokeDash": [3, 3],
                      "strokeWidth": 0.8},
             "encoding": {"x": {"field": "x", "type": "quantitative"},
                          "y": {"field": "y", "type": "quantitative"}}},
            *points],
    })
    return spec


def topics_heatmap(data: ReportData) -> dict:
    """Topic × perspective: share of sentences (text) and mean tone (colour)."""
    minimum = data.settings["min_sentences"]
    labels = {p["id"]: p["label"] for p in data.perspectives}
    rows = [{**r, "perspective_label": labels[r["perspective"]]}
            for r in data.sections["topics"]]
    spec = _base(data, {"topics": rows})
    cell_text = ("datum.sentences === 0 ? 'silent' : format(datum.share_of_sentences, '.1%') + "
                 "' (' + datum.sentences + ')'")
    spec.update({
        "data": {"name": "topics"},
        "transform": [{"calculate": cell_text, "as": "cell"},
                      {"calculate": f"datum.sentences === 0 ? 'silent' : datum.sentences < "
                                    f"{minimum} ? 'few' : 'counted'", "as": "state"}],
        "encoding": {
            "x": {"field": "perspective_label", "type": "nominal", "sort": list(labels.values()),
                  "axis": {"title": None, "orient": "top", "labelAngle": 0,
                           "labelFontWeight": "bold", "labelFontSize": 12}},
            "y": {"field": "topic", "type": "nominal", "sort": list(data.topics),
                  "axis": {"title": None, "labelLimit": 260}},
        },
        "width": {"step": 120}, "height": {"step": 30},
        "layer": [
            {"mark": {"type": "rect", "stroke": "white", "strokeWidth": 2, "cursor": "pointer"},
             "encoding": {
                 "color": {"condition": {"test": f"datum.sentences < {minimum}",
                                         "value": "#f0f0f0"},
                           "field": "tone_mean", "type": "quantitative",
                           "scale": {"scheme": "redblue", "domain": list(TONE_DOMAIN),
                                     "clamp": True},
                           "legend": {"title": "mean tone (VADER)", "orient": "bottom",
                                      "gradientLength": 220, "values": [-0.5, -0.25, 0, 0.25,
                                                                        0.5]}},
                 "tooltip": [
                     {"field": "topic"}, {"field": "perspective_label", "title": "perspective"},
                     {"field": "sentences"},
                     {"field": "share_of_sentences", "title": "share of sentences",
                      "format": ".2%"},
                     {"field": "tone_mean", "title": "mean tone", "format": "+.3f"},
                     {"field": "tone_ci_low", "title": "95% CI low", "format": "+.3f"},
                     {"field": "tone_ci_high", "title": "95% CI high", "format": "+.3f"}]}},
            {"mark": {"type": "text", "fontSize": 11},
             "encoding": {
                 "text": {"field": "cell"},
                 "color": {"condition": {"test": f"datum.sentences < {minimum}",
                                         "value": "#8a8a8a"},
                           "value": "black"}}},
        ],
    })
    return spec


def stance_plot(data: ReportData) -> dict:
    """Mean tone toward each target per perspective: dot and 95% interval, counts beside."""
    minimum = data.settings["min_sentences"]
    index = keys(data)
    labels = {p["id"]: p["label"] for p in data.perspectives}
    rows = [{**r, "perspective_label": labels[r["perspective"]],
             "key": index[r["perspective"]]} for r in data.sections["stance"]]
    spec = _base(data, {"stance": rows})
    targets = list(data.targets)
    y = {"field": "target", "type": "nominal", "sort": targets,
         "axis": {"title": None, "labelFontWeight": "bold", "grid": False,
                  "domain": False, "ticks": False}}
    y_offset = {"field": "perspective_label", "type": "nominal",
                "sort": list(labels.values()), "scale": {"paddingInner": 0.2}}
    colour = {"condition": {"test": f"datum.sentences < {minimum}", "value": GREY},
              "field": "perspective_label", "type": "nominal",
              "scale": {"domain": list(labels.values()),
                        "range": [p["colour"] for p in data.perspectives]},
              "legend": {"title": None, "orient": "bottom"}}
    tooltip = [{"field": "target"}, {"field": "perspective_label", "title": "perspective"},
               {"field": "mentions"}, {"field": "sentences"},
               {"field": "tone_mean", "title": "mean tone", "format": "+.3f"},
               {"field": "tone_ci_low", "title": "95% CI low", "format": "+.3f"},
               {"field": "tone_ci_high", "title": "95% CI high", "format": "+.3f"},
               {"field": "share_negative", "title": "share negative", "format": ".1%"},
               {"field": "share_positive", "title": "share positive", "format": ".1%"}]
    x = {"type": "quantitative", "scale": {"domain": [-1, 1]},
         "axis": {"title": "mean tone of the sentences mentioning the target (VADER compound, "
                           "95% bootstrap CI)", "grid": True, "gridOpacity": 0.3}}
    band = {"step": 13}
    spec.update({
        "data": {"name": "stance"},
        "spacing": 4,
        "hconcat": [
            {"width": 460, "height": {"step": 13},
             "layer": [
                 {"data": {"values": [{"zero": 0}]},
                  "mark": {"type": "rule", "color": "#777777", "strokeDash": [2, 2]},
                  "encoding": {"x": {"field": "zero", **x}}},
                 {"transform": [{"filter": "datum.tone_mean !== null"}],
                  "mark": {"type": "rule", "strokeWidth": 1.6},
                  "encoding": {"y": y, "yOffset": y_offset,
                               "x": {"field": "tone_ci_low", **x},
                               "x2": {"field": "tone_ci_high"}, "color": colour}},
                 {"transform": [{"filter": "datum.tone_mean !== null"}],
                  "mark": {"type": "circle", "size": 60, "opacity": 1},
                  "encoding": {"y": y, "yOffset": y_offset, "x": {"field": "tone_mean", **x},
                               "color": colour, "tooltip": tooltip}},
             ]},
            {"width": 90, "height": band,
             "transform": [{"calculate": "datum.mentions === 0 ? 'not mentioned' : "
                                         "datum.sentences + ' sent. (' + datum.mentions + ')'",
                            "as": "count_text"}],
             "mark": {"type": "text", "align": "left", "fontSize": 10},
             "encoding": {"y": {**y, "axis": None}, "yOffset": y_offset,
                          "text": {"field": "count_text"},
                          "color": {"condition": {"test": f"datum.sentences < {minimum}",
                                                  "value": "#8a8a8a"}, "value": "black"},
                          "x": {"value": 0}}},
        ],
        "resolve": {"scale": {"y": "shared", "yOffset": "shared", "color": "independent"}},
    })
    return spec


def naming_plot(data: ReportData) -> dict:
    """Each contested name's variants side by side per perspective: mentions and shares."""
    labels = {p["id"]: p["label"] for p in data.perspectives}
    rows = [{**r, "perspective_label": labels[r["perspective"]],
             "cell": ("★ " if r["preferred"] else "") + (str(r["count"]) if r["count"] else "–")}
            for r in data.sections["naming"]]
    spec = _base(data, {"naming": rows})
    spec.update({
        "data": {"name": "naming"}, "spacing": 8,
        "facet": {"row": {"field": "concept", "type": "nominal",
                          "sort": list(dict.fromkeys(r["concept"] for r in rows)),
                          "header": {"title": None, "labelAngle": 0, "labelAlign": "left",
                                     "labelAnchor": "start", "labelFontWeight": "bold",
                                     "labelOrient": "top", "labelLimit": 600}}},
        "spec": {
            "width": {"step": 110}, "height": {"step": 22},
            "encoding": {
                "x": {"field": "perspective_label", "type": "nominal",
                      "sort": list(labels.values()),
                      "axis": {"title": None, "orient": "top", "labelAngle": 0}},
                "y": {"field": "variant", "type": "nominal", "sort": None,
                      "axis": {"title": None, "labelLimit": 240}},
            },
            "layer": [
                {"mark": {"type": "rect", "stroke": "white", "strokeWidth": 2},
                 "encoding": {
                     "color": {"field": "share", "type": "quantitative",
                               "scale": {"scheme": "greys", "domain": [0, 1.6]},
                               "legend": {"title": "share of mentions",
                                          "orient": "bottom", "format": "%",
                                          "values": [0, 0.5, 1]}},
                     "tooltip": [{"field": "concept"}, {"field": "variant"},
                                 {"field": "perspective_label", "title": "perspective"},
                                 {"field": "count", "title": "mentions"},
                                 {"field": "documents"},
                                 {"field": "share", "format": ".1%"},
                                 {"field": "preferred"}, {"field": "difference"}]}},
                {"mark": {"type": "text", "fontSize": 11},
                 "encoding": {"text": {"field": "cell"}}},
            ]},
        "resolve": {"scale": {"y": "independent"}},
    })
    return spec


SERIES_PARAM = "timeline_series"
METRIC_TITLES = {"share_of_sentences": "share of sentences", "tone": "mean tone",
                 "variant_share": "share of the concept's mentions"}


def timeline_series(data: ReportData) -> list[str]:
    """The timeline's series as the menu names them (kind · item · metric), in the lens's
    order."""
    return list(dict.fromkeys(_series_name(r) for r in data.sections["timeline"]))


def _series_name(row: dict) -> str:
    return f"{row['kind']} · {row['item']} · {METRIC_TITLES.get(row['metric'], row['metric'])}"


def timeline_plot(data: ReportData) -> dict:
    """One series at a time (chosen in a menu): its value per period and perspective, with
    the 95% interval over articles as a whisker; hollow points rest on too few articles
    for an interval."""
    labels = {p["id"]: p["label"] for p in data.perspectives}
    rows = [{"series": _series_name(r), "perspective_label": labels[r["perspective"]],
             "period": r["period"], "start": r["period_start"], "value": r["value"],
             "ci_low": r["ci_low"], "ci_high": r["ci_high"], "articles": r["articles"],
             "units": r["units"], "few_articles": r["few_articles"], "metric": r["metric"]}
            for r in data.sections["timeline"] if r["value"] is not None]
    names = timeline_series(data)
    spec = _base(data, {"timeline": rows})
    colour = {"field": "perspective_label", "type": "nominal",
              "scale": {"domain": list(labels.values()),
                        "range": [p["colour"] for p in data.perspectives]},
              "legend": {"title": None, "orient": "bottom"}}
    periods = sorted({(r["start"], r["period"]) for r in rows})
    x = {"field": "period", "type": "ordinal", "sort": [label for _, label in periods],
         "scale": {"paddingInner": 0.15},
         "axis": {"title": data.settings["timeline_period_used"], "labelAngle": -45,
                  "grid": False}}
    x_offset = {"field": "perspective_label", "type": "nominal",
                "sort": list(labels.values())}
    y = {"type": "quantitative", "scale": {"zero": False},
         "axis": {"title": "value (share or tone: see the menu)", "grid": True,
                  "gridOpacity": 0.3}}
    tooltip = [{"field": "series"}, {"field": "perspective_label", "title": "perspective"},
               {"field": "period"}, {"field": "value", "format": ".3f"},
               {"field": "ci_low", "title": "95% CI low", "format": ".3f"},
               {"field": "ci_high", "title": "95% CI high", "format": ".3f"},
               {"field": "articles"}, {"field": "units"}]
    spec.update({
        "data": {"name": "timeline"}, "width": 760,
        "height": 300,
        "params": [{"name": SERIES_PARAM, "value": names[0] if names else "",
                    "bind": {"input": "select", "options": names, "name": "series "}}],
        "transform": [{"filter": f"datum.series === {SERIES_PARAM}"}],
        # Intervals as whiskers, not a band: periods without one would be bridged.
        "layer": [
            {"transform": [{"filter": "datum.ci_low !== null && datum.ci_high !== null"}],
             "mark": {"type": "rule", "strokeWidth": 1.4, "opacity": 0.7},
             "encoding": {"x": x, "xOffset": x_offset, "y": {"field": "ci_low", **y},
                          "y2": {"field": "ci_high"}, "color": colour}},
            {"mark": {"type": "line", "strokeWidth": 1.6, "opacity": 0.8},
             "encoding": {"x": x, "xOffset": x_offset, "y": {"field": "value", **y},
                          "color": colour}},
            {"mark": {"type": "point", "size": 40, "strokeWidth": 1.5, "opacity": 1},
             "encoding": {"x": x, "xOffset": x_offset, "y": {"field": "value", **y},
                          "color": colour,
                          "fill": {"condition": {"test": "datum.few_articles",
                                                 "value": "white"},
                                   "field": "perspective_label", "type": "nominal",
                                   "scale": {"domain": list(labels.values()),
                                             "range": [p["colour"]
                                                       for p in data.perspectives]},
                                   "legend": None},
                          "tooltip": tooltip}},
        ],
    })
    return spec


def similarity_plot(data: ReportData) -> dict:
    """Cosine (TF-IDF) and Jensen–Shannon divergence between every pair, as heat maps."""
    labels = [p["label"] for p in data.perspectives]
    name = {p["id"]: p["label"] for p in data.perspectives}
    cells = []
    for p in data.perspectives:
        cells.append({"a": p["label"], "b": p["label"], "metric": "cosine", "value": 1.0})
        cells.append({"a": p["label"], "b": p["label"], "metric": "jsd", "value": 0.0})
    for r in data.sections["similarity"]:
        if r["kind"] != "pair":
            continue
        for a, b in ((r["perspective"], r["other"]), (r["other"], r["perspective"])):
            cells.append({"a": name[a], "b": name[b], "metric": "cosine", "value": r["cosine"]})
            cells.append({"a": name[a], "b": name[b], "metric": "jsd", "value": r["jsd"]})
    spec = _base(data, {"similarity": cells})

    def panel(metric: str, title: str, scheme: str) -> dict:
        return {
            "transform": [{"filter": f"datum.metric === {_js(metric)}"}],
            "width": {"step": 90}, "height": {"step": 50},
            "title": {"text": title, "fontSize": 12, "anchor": "start"},
            "encoding": {"x": {"field": "b", "type": "nominal", "sort": labels,
                               "axis": {"title": None, "labelAngle": 0, "orient": "top"}},
                         "y": {"field": "a", "type": "nominal", "sort": labels,
                               "axis": {"title": None}}},
            "layer": [
                {"mark": {"type": "rect", "stroke": "white", "strokeWidth": 2},
                 "encoding": {"color": {"field": "value", "type": "quantitative",
                                        "scale": {"scheme": scheme, "zero": True},
                                        "legend": None},
                              "tooltip": [{"field": "a", "title": "perspective"},
                                          {"field": "b", "title": "other"},
                                          {"field": "value", "title": metric,
                                           "format": ".4f"}]}},
                {"mark": {"type": "text", "fontSize": 12},
                 "encoding": {"text": {"field": "value", "format": ".3f"},
                              "color": {"condition": {"test": "datum.value > 0.6 && "
                                                              f"{_js(metric)} === 'cosine'",
                                                      "value": "white"}, "value": "black"}}}]}

    spec.update({
        "data": {"name": "similarity"}, "spacing": 40,
        "hconcat": [panel("cosine", "TF-IDF cosine (1 = same term weights)", "blues"),
                    panel("jsd", "Jensen–Shannon divergence (0 = same distribution)",
                          "oranges")],
        "resolve": {"scale": {"color": "independent"}},
    })
    return spec


def vocabulary_plot(data: ReportData) -> dict:
    """Terms each perspective uses, and how many of them no other perspective uses."""
    name = {p["id"]: p["label"] for p in data.perspectives}
    used = {r["perspective"]: r["terms"] for r in data.sections["similarity"]
            if r["kind"] == "used"}
    rows = []
    for r in data.sections["similarity"]:
        if r["kind"] == "unique":
            rows.append({"perspective_label": name[r["perspective"]], "part": "unique",
                         "terms": r["terms"]})
            rows.append({"perspective_label": name[r["perspective"]], "part": "shared",
                         "terms": used.get(r["perspective"], 0) - r["terms"]})
    spec = _base(data, {"vocabulary": rows})
    spec.update({
        "data": {"name": "vocabulary"}, "width": 460, "height": {"step": 26},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "perspective_label", "type": "nominal", "sort": list(name.values()),
                  "axis": {"title": None, "labelFontWeight": "bold"}},
            "x": {"field": "terms", "type": "quantitative", "stack": "zero",
                  "axis": {"title": f"terms used (≥ {data.settings['min_count']}×)",
                           "grid": True, "gridOpacity": 0.3}},
            "color": {"field": "part", "type": "nominal",
                      "scale": {"domain": ["shared", "unique"], "range": ["#bdbdbd", "#404040"]},
                      "legend": {"title": None, "orient": "bottom",
                                 "labelExpr": "datum.value === 'unique' ? 'used by no other "
                                              "perspective' : 'also used by another'"}},
            "order": {"field": "part", "sort": "descending"},
            "tooltip": [{"field": "perspective_label", "title": "perspective"},
                        {"field": "part"}, {"field": "terms"}]},
    })
    return spec


def figures(data: ReportData) -> dict[str, dict]:
    """Every figure of the page by its file name stem, in page order."""
    out: dict[str, dict] = {}
    if len(data.perspectives) >= 3:
        out["term-map"] = ternary(data)
    out["term-frequency"] = frequency_plot(data)
    if data.topics:
        out["topics"] = topics_heatmap(data)
    if data.targets:
        out["stance"] = stance_plot(data)
    if data.sections["naming"]:
        out["naming"] = naming_plot(data)
    if data.sections.get("timeline"):
        out["timeline"] = timeline_plot(data)
    out["similarity"] = similarity_plot(data)
    out["vocabulary"] = vocabulary_plot(data)
    return out
