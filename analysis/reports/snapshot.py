"""``framelens snapshot`` and ``check --baseline``: a JSON baseline of key metrics, and drift.

The snapshot records, per perspective, the metrics an analyst reads first,
each computed by the analysis that owns it (nothing is re-implemented here):

- ``keywords[P]``: the top ``KEYWORDS_TOP`` keywords of P against the rest
  (:func:`framelens.analysis.lenses.keywords.keyness`, log-odds z with informative
  Dirichlet prior, default options), a set of terms;
- ``topic_share[P, T]``: share of P's sentences that mention topic T
  (:func:`framelens.analysis.lenses.topics.topics`, ``share_of_sentences``, 0…1);
- ``tone[P, X]``: mean VADER compound of P's sentences mentioning target X
  (:func:`framelens.analysis.lenses.stance.stance`, ``tone_mean``, −1…1; null when
  P never mentions X);
- ``cosine[P, Q]`` and ``jsd[P, Q]``: TF-IDF cosine and Jensen–Shannon
  divergence between perspectives (:func:`framelens.analysis.lenses.similarity.similarity`,
  0…1).

Every number lies in [−1, 1], so one absolute ``--tolerance`` applies to all:
a numeric metric drifts when |new − old| > tolerance, a keyword set when its
Jaccard distance 1 − |A ∩ B| / |A ∪ B| > tolerance (terms compared
case-folded).

The snapshot also lists every article's id, perspective and SHA-256 of its
body, so that ``drift`` knows which articles are new or changed since the
baseline. The articles that moved a drifted metric most are found by
leave-one-out: the metrics are recomputed without each candidate article,
and a candidate "explains" d(old, new) − d(old, without it) of the drift
(d the distance above); the candidates are ranked by that. Candidates are
the articles new or changed since the baseline in the perspectives that
can move the metric (all of them for keywords, which are one-vs-rest, and
cosine, whose idf spans all perspectives; the pair for jsd; the own
perspective for topic_share and tone); when there are none (the config changed, or an article was
removed), all articles of those perspectives if there are at most
``MAX_LEAVE_ONE_OUT``; at most ``MAX_LEAVE_ONE_OUT`` candidates per run.

Output is deterministic: keys sorted, floats written by ``repr`` (shortest
round-trip form), so a snapshot of an unchanged corpus is byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from framelens.analysis.errors import CorpusError
from framelens.analysis.io.documents import Corpus, read_regular_file

SNAPSHOT_FORMAT = "framelens-snapshot/1"
KEYWORDS_TOP = 15
MAX_LEAVE_ONE_OUT = 10
MOVERS_SHOWN = 3
_KINDS = ("keywords", "topic_share", "tone", "cosine", "jsd")

Value = float | None | tuple[str, ...]


# ---------------------------------------------------------------------------
# Snapshot.


def snapshot(corpus: Corpus) -> dict[str, Any]:
    """The JSON-ready baseline of ``corpus``: format, settings, articles, metrics."""
    return {
        "format": SNAPSHOT_FORMAT,
        "settings": {
            "keywords": f"top {KEYWORDS_TOP} keywords per perspective vs the rest "
                        "(keywords: log-odds z, default options)",
            "topic_share": "share of the perspective's sentences mentioning the topic (topics)",
            "tone": "mean VADER compound of the sentences mentioning the target (stance)",
            "cosine": "TF-IDF cosine between perspectives (similarity)",
            "jsd": "Jensen-Shannon divergence between perspectives (similarity)",
        },
        "articles": {
            d.id: {"perspective": d.perspective, "sha256": body_digest(d.text)}
            for d in corpus.documents
        },
        "metrics": metrics(corpus),
    }


def snapshot_json(data: Mapping[str, Any]) -> str:
    """Stable JSON text: sorted keys, 2-space indent, UTF-8, trailing newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def body_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def metrics(corpus: Corpus) -> dict[str, dict[str, Any]]:
    """``{kind: {perspective: value or {key: value}}}`` for the metric kinds above."""
    from framelens.analysis.lenses.keywords import keyness
    from framelens.analysis.lenses.similarity import similarity
    from framelens.analysis.lenses.stance import stance
    from framelens.analysis.lenses.topics import topics

    perspectives = corpus.perspective_ids
    result: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
    if len(perspectives) > 1:
        for row in keyness(corpus, top=KEYWORDS_TOP).rows:
            result["keywords"].setdefault(row.perspective, []).append(row.term)
    if corpus.config.topics:
        for row in topics(corpus, terms=0, examples=0).rows:
            result["topic_share"].setdefault(row.perspective, {})[row.topic] = \
                _number(row.share_of_sentences)
    if corpus.config.targets:
        for row in stance(corpus).rows:
            result["tone"].setdefault(row.perspective, {})[row.target] = _number(row.tone_mean)
    if len(perspectives) > 1:
        for row in similarity(corpus).rows:
            if row.a == row.b:
                continue
            a, b = sorted((row.a, row.b))
            result["cosine"].setdefault(a, {})[b] = _number(row.cosine)
            result["jsd"].setdefault(a, {})[b] = _number(row.jsd)
    return result


def _number(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def flatten(metric_data: Mapping[str, Any]) -> dict[str, Value]:
    """``{"tone[china, NATO]": 0.12, "keywords[china]": ("US", ...), ...}``."""
    flat: dict[str, Value] = {}
    for kind in _KINDS:
        for perspective, value in (metric_data.get(kind) or {}).items():
            if kind == "keywords":
                flat[f"keywords[{perspective}]"] = tuple(value)
                continue
            for key, number in value.items():
                flat[f"{kind}[{perspective}, {key}]"] = number
    return flat


def _scope(name: str, perspectives: Iterable[str]) -> set[str]:
    """The perspectives whose articles can move a metric.

    keywords (one-vs-rest: the rest counts too) and cosine (idf is fitted on
    all perspectives): every perspective; jsd: the two compared; topic_share
    and tone: the metric's own perspective.
    """
    kind = name[:name.index("[")]
    if kind in ("keywords", "cosine"):
        return set(perspectives)
    parts = [part.strip() for part in name[name.index("[") + 1:-1].split(", ", 1)]
    return set(parts) if kind == "jsd" else {parts[0]}


# ---------------------------------------------------------------------------
# Drift.


def distance(old: Value, new: Value) -> float:
    """|new − old| for numbers; Jaccard distance (case-folded) for keyword sets.

    A value that appears or disappears (None on one side only) is infinitely far.
    """
    if isinstance(old, tuple) or isinstance(new, tuple):
        if not isinstance(old, tuple) or not isinstance(new, tuple):
            return math.inf
        a = {t.casefold() for t in old}
        b = {t.casefold() for t in new}
        union = a | b
        return 1.0 - len(a & b) / len(union) if union else 0.0
    if old is None and new is None:
        return 0.0
    if old is None or new is None:
        return math.inf
    return abs(float(new) - float(old))


def read_baseline(path: Path) -> dict[str, Any]:
    """A baseline written by :func:`snapshot_json`, validated."""
    try:
        raw = read_regular_file(Path(path), 1 << 30)
    except CorpusError as exc:
        raise CorpusError(exc.message.replace("cannot read file", "cannot read the baseline"),
                          path=path) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CorpusError(f"not a framelens baseline (invalid JSON: {exc})", path=path) from None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise CorpusError(f"not a {SNAPSHOT_FORMAT} baseline (format {found!r}); regenerate it "
                          "with `framelens snapshot --output FILE`", path=path)
    if not isinstance(data.get("articles"), dict) or not isinstance(data.get("metrics"), dict):
        raise CorpusError("baseline lacks its 'articles' or 'metrics'; regenerate it with "
                          "`framelens snapshot --output FILE`", path=path)
    problem = _baseline_problem(data)
    if problem is not None:
        raise CorpusError(f"not a valid baseline: {problem}; regenerate it with "
                          "`framelens snapshot --output FILE`", path=path)
    return data


def _baseline_problem(data: Mapping[str, Any]) -> str | None:
    """What is wrong with the types of a baseline's articles and metrics, or None."""
    for doc_id, article in data["articles"].items():
        if not (isinstance(article, dict) and isinstance(article.get("perspective"), str)
                and isinstance(article.get("sha256"), str)):
            return f"articles.{doc_id} must be {{\"perspective\": text, \"sha256\": text}}"
    for kind, per_perspective in data["metrics"].items():
        if kind not in _KINDS:
            return f"unknown metric {kind!r} (known: {', '.join(_KINDS)})"
        if not isinstance(per_perspective, dict):
            return f"metrics.{kind} must be an object"
        for perspective, value in per_perspective.items():
            where = f"metrics.{kind}.{perspective}"
            if kind == "keywords":
                if not (isinstance(value, list) and all(isinstance(t, str) for t in value)):
                    return f"{where} must be a list of terms"
                continue
            if not isinstance(value, dict):
                return f"{where} must be an object"
            for key, number in value.items():
                if number is not None and (isinstance(number, bool)
                                           or not isinstance(number, int | float)
                                           or not math.isfinite(number)):
                    return f"{where}.{key} must be a number or null, got {str(number)[:40]!r}"
    return None


def drift(corpus: Corpus, baseline: Path, tolerance: float) -> list:
    """FL100 check rows: metrics of ``corpus`` that moved past ``tolerance`` since ``baseline``."""
    from framelens.analysis.reports.check_codes import row

    data = read_baseline(baseline)
    if data["articles"] and corpus.documents and not set(data["articles"]) & set(corpus.index):
        raise CorpusError(f"the baseline is of another corpus: none of its "
                          f"{len(data['articles'])} articles is in {corpus.root or 'this corpus'}",
                          path=baseline)
    old = flatten(data["metrics"])
    new = flatten(metrics(corpus))
    moved = sorted((name, distance(old.get(name), new.get(name)))
                   for name in set(old) | set(new))
    moved = [(name, d) for name, d in moved if d > tolerance]
    if not moved:
        return []

    old_articles: dict[str, Any] = data["articles"]
    changed = [d for d in corpus.documents
               if not isinstance(old_articles.get(d.id), dict)
               or old_articles[d.id].get("sha256") != body_digest(d.text)
               or old_articles[d.id].get("perspective") != d.perspective]
    removed = sorted(set(old_articles) - {d.id for d in corpus.documents})
    every = {d.perspective for d in corpus.documents} | {
        a.get("perspective") for a in old_articles.values() if isinstance(a, dict)}
    scopes = {name: _scope(name, every) for name, _ in moved}
    candidates = _candidates(corpus, changed, set().union(*scopes.values()))
    without = {doc_id: flatten(metrics(_without(corpus, doc_id))) for doc_id in candidates}

    rows = []
    for name, how_far in moved:
        before, after = old.get(name), new.get(name)
        perspectives = scopes[name]
        influence = sorted(
            ((_explained(before, after, values.get(name)), doc_id)
             for doc_id, values in without.items()
             if corpus.index[doc_id].perspective in perspectives),
            key=lambda item: (-item[0], item[1]))
        influence = [(d, doc_id) for d, doc_id in influence if d > 0][:MOVERS_SHOWN]
        message = (f"{name} moved by {_amount(how_far)} ({_measure(before, after)}; tolerance "
                   f"{tolerance:g}): {_change(name in old, before, name in new, after)}")
        mine = [d.id for d in changed if d.perspective in perspectives]
        if influence:
            message += "; moved most by " + ", ".join(
                f"{doc_id} (explains {_amount(d)})" for d, doc_id in influence)
        elif mine:
            message += "; new or changed since the baseline: " + ", ".join(mine[:5])
        elif removed:
            message += "; removed since the baseline: " + ", ".join(removed[:5])
        else:
            message += "; no article changed since the baseline (did the config change?)"
        message += ". If the change is intended, regenerate the baseline with framelens snapshot"
        if influence:
            where = corpus.index[influence[0][1]].path
        elif len(mine) == 1:
            where = corpus.index[mine[0]].path
        else:
            where = str(baseline)
        rows.append(row("FL100", where, None, message))
    return rows


def _explained(before: Value, after: Value, without: Value) -> float:
    """How much of the drift leaving one article out undoes.

    distance(before, after) − distance(before, without): the drift minus what
    is left of it without the article. A metric that appeared or vanished
    (infinite drift) is fully explained by an article whose removal restores
    the baseline value.
    """
    total = distance(before, after)
    rest = distance(before, without)
    if math.isinf(total):
        return math.inf if rest == 0 else 0.0
    if math.isinf(rest):
        return 0.0
    return total - rest


def _candidates(corpus: Corpus, changed, perspectives: set[str]) -> list[str]:
    """Articles to leave out, at most MAX_LEAVE_ONE_OUT (see the module docstring)."""
    picked = [d.id for d in changed if d.perspective in perspectives]
    if not picked:
        pool = [d for d in corpus.documents if d.perspective in perspectives]
        if len(pool) <= MAX_LEAVE_ONE_OUT:
            picked = [d.id for d in pool]
    # Many candidates: keep the longest (the most weight in any pooled metric).
    if len(picked) > MAX_LEAVE_ONE_OUT:
        length = {d.id: len(d.text) for d in corpus.documents}
        picked = sorted(picked, key=lambda i: (-length[i], i))[:MAX_LEAVE_ONE_OUT]
    return sorted(picked)


def _without(corpus: Corpus, doc_id: str) -> Corpus:
    documents = tuple(d for d in corpus.documents if d.id != doc_id)
    return Corpus(documents, corpus.config, corpus.root, corpus.use_cache, corpus.lemmas)


def _amount(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:.3f}"


def _measure(before: Value, after: Value) -> str:
    return "Jaccard distance" if isinstance(before, tuple) or isinstance(after, tuple) \
        else "absolute difference"


def _change(had: bool, before: Value, has: bool, after: Value) -> str:
    if not had:
        return f"not in the baseline, now {_shown(after)}"
    if not has:
        return f"was {_shown(before)}, no longer computed (perspective, topic or target gone)"
    if isinstance(before, tuple) and isinstance(after, tuple):
        old = {t.casefold(): t for t in before}
        new = {t.casefold(): t for t in after}
        gained = [new[k] for k in sorted(set(new) - set(old))]
        lost = [old[k] for k in sorted(set(old) - set(new))]
        return f"new keywords {_terms(gained)}, dropped {_terms(lost)}"
    return f"was {_value(before)}, now {_value(after)}"


def _shown(value: Value) -> str:
    return _terms(list(value)) if isinstance(value, tuple) else _value(value)


def _terms(terms: list[str]) -> str:
    return "[" + ", ".join(terms) + "]" if terms else "none"


def _value(value: Value) -> str:
    return "null (no data)" if value is None else f"{float(value):.4f}"


__all__ = ["KEYWORDS_TOP", "SNAPSHOT_FORMAT", "body_digest", "distance", "drift", "flatten",
           "metrics", "read_baseline", "snapshot", "snapshot_json"]
