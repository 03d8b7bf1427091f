"""The largest contrasts between the perspectives, for ``compare``: topics one side is silent
on, the largest salience spreads, and the largest tone spreads on topics and toward targets,
each with the evidence sentences that carry it.

Built only from the rows of the topics and stance lenses (``compare`` passes them in), so every
number here is one those commands print.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from framelens.analysis.io.documents import Corpus
from framelens.analysis.results import Result

DEFAULT_CONTRASTS = 3
DEFAULT_MIN_SENTENCES = 5
"""Tone contrasts count a perspective only with at least this many sentences.

With 3 (tried first) the top topic tone contrast on the bundled corpus was
"Military build-up": the Ukrainian piece's three sentences on it (Russia's
troop concentration, criticised) average +0.51 because VADER scores "peace
and harmony" and "not disappeared" as positive. Five sentences keep such
small groups out of the ranking; their numbers still show in the sections.
"""

SILENCE_MIN_SENTENCES = 2
"""A topic is a silence contrast when a perspective never mentions it and
another gives it at least this many sentences (one sentence is a passing mention)."""

KINDS = ("topic_silence", "topic_salience", "topic_tone", "target_tone")

KIND_TITLES = {
    "topic_silence": "only some perspectives mention the topic",
    "topic_salience": "share of sentences on the topic",
    "topic_tone": "tone of the sentences on the topic",
    "target_tone": "tone of the sentences mentioning the target",
}

_NO_EVIDENCE = ("", "", None, None)


@dataclass(frozen=True)
class ContrastRow:
    rank: int
    kind: str
    item: str
    measure: str
    spread: float
    perspective: str
    role: str
    value: float
    sentences: int
    ci_low: float | None
    ci_high: float | None
    counted: bool
    intervals_overlap: bool | None
    evidence: str
    evidence_doc_id: str
    evidence_line: int | None
    evidence_tone: float | None
    ci_unit: str


def contrasts_section(corpus: Corpus, topic_result: Result | None, stance_result: Result | None,
                      styles, *, per_kind: int = DEFAULT_CONTRASTS,
                      min_sentences: int = DEFAULT_MIN_SENTENCES,
                      target_alias: Iterable[str] = ()) -> Result:
    """The largest contrasts between perspectives, with evidence from each.

    Kinds, each ranked on its own (the scales differ) and cut to ``per_kind``:

    - ``topic_silence``: topics some perspective never mentions while another
      gives them at least ``SILENCE_MIN_SENTENCES`` sentences; ranked by the
      largest share. ``spread`` = max − min share (the min is 0).
    - ``topic_salience``: the other topics, ranked by ``spread`` = max − min of
      ``share_of_sentences`` over all perspectives.
    - ``topic_tone`` / ``target_tone``: ranked by ``spread`` = max − min of
      ``tone_mean`` over the perspectives with at least ``min_sentences``
      sentences (``counted``); at least two must count. ``intervals_overlap``
      tells whether the bootstrap 95% intervals of the highest and lowest
      counted perspectives overlap (then the difference may be sampling noise).

    Ties by config order. One row per contrast and perspective; ``role`` is
    ``high``/``low`` for the counted perspectives with the largest/smallest
    value (first in config order on a tie). Evidence per perspective: for
    topic salience and silence, the topic's representative sentence (the
    ``example`` of ``topics``: highest topic-term density); for tone, the
    sentence whose tone is nearest the perspective's mean (ties: document id,
    sentence index), so the evidence is typical of the mean rather than its
    most extreme case, which for a lexicon score is often a misreading.
    """
    perspectives = tuple(style.id for style in styles)
    rows: list[ContrastRow] = []
    if len(perspectives) >= 2 and per_kind > 0:
        if topic_result is not None and topic_result.rows:
            rows += _topic_contrasts(corpus, topic_result, perspectives, per_kind,
                                     min_sentences)
        if stance_result is not None and stance_result.rows:
            rows += _target_contrasts(corpus, stance_result, perspectives, per_kind,
                                      min_sentences, tuple(target_alias))
    order = {k: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: (order[r.kind], r.rank, perspectives.index(r.perspective)))
    return Result(ContrastRow, tuple(rows),
                  title="Largest contrasts: where the perspectives differ most",
                  caption="spread = max − min across perspectives of the measure (share of "
                          "sentences, or mean VADER tone); tone contrasts count only "
                          f"perspectives with at least {min_sentences} sentences (counted). "
                          "intervals_overlap: the 95% intervals of the highest and lowest "
                          "overlap, so the tone difference may be noise (ci_unit: what each "
                          "interval resampled; intervals within these texts say nothing about "
                          "the perspectives). Evidence: the topic's "
                          "representative sentence (salience), or the sentence whose tone is "
                          "nearest the perspective's mean (tone).",
                  styles=styles, extra={"min_sentences": min_sentences, "per_kind": per_kind,
                         "kind_titles": KIND_TITLES})


def _tone_counted(rows: dict, perspectives: Sequence[str], min_sentences: int) -> list[str]:
    """Perspectives whose tone counts in a contrast: enough sentences and a mean at all."""
    return [p for p in perspectives
            if rows[p].sentences >= min_sentences and not math.isnan(rows[p].tone_mean)]


def _tone_roles(rows: dict, perspectives: Sequence[str], min_sentences: int
                ) -> tuple[list[str], dict[str, str], bool | None]:
    """The counted perspectives, the high/low roles among their tones, and whether the
    high and low intervals overlap."""
    counted = _tone_counted(rows, perspectives, min_sentences)
    roles = _roles({p: rows[p].tone_mean for p in counted}, counted)
    return counted, roles, _overlap(rows, roles)


def _roles(values: dict[str, float], counted: Sequence[str]) -> dict[str, str]:
    if not counted:
        return {}
    high = max(counted, key=lambda p: (values[p], -counted.index(p)))
    low = min(counted, key=lambda p: (values[p], counted.index(p)))
    return {high: "high", low: "low"} if high != low else {}


def _rank(candidates: list[tuple[float, int, object]], per_kind: int) -> list:
    candidates.sort(key=lambda c: (-c[0], c[1]))
    return [c[2] for c in candidates[:per_kind]]


def _topic_contrasts(corpus: Corpus, result: Result, perspectives, per_kind: int,
                     min_sentences: int) -> list[ContrastRow]:
    topics = result.extra["topics"]
    cells = {(r.topic, r.perspective): r for r in result.rows}
    silence: list = []
    salience: list = []
    tone: list = []
    for index, topic in enumerate(topics):
        rows = [cells[(topic, p)] for p in perspectives]
        shares = [r.share_of_sentences for r in rows]
        spread = max(shares) - min(shares)
        if min(r.sentences for r in rows) == 0 and \
                max(r.sentences for r in rows) >= SILENCE_MIN_SENTENCES:
            silence.append((max(shares), index, (topic, spread)))
        elif spread > 0:
            salience.append((spread, index, (topic, spread)))
        counted = _tone_counted(dict(zip(perspectives, rows, strict=True)), perspectives,
                                min_sentences)
        if len(counted) >= 2:
            tones = [cells[(topic, p)].tone_mean for p in counted]
            tone_spread = max(tones) - min(tones)
            if tone_spread > 0:
                tone.append((tone_spread, index, (topic, tone_spread)))
    picked_tone = _rank(tone, per_kind)
    evidence = _topic_evidence(corpus, result, perspectives,
                               {topic for topic, _ in picked_tone})
    out: list[ContrastRow] = []
    for kind, picked in (("topic_silence", _rank(silence, per_kind)),
                         ("topic_salience", _rank(salience, per_kind))):
        for rank, (topic, spread) in enumerate(picked, start=1):
            values = {p: cells[(topic, p)].share_of_sentences for p in perspectives}
            roles = _roles(values, list(perspectives))
            for p in perspectives:
                r = cells[(topic, p)]
                sentence, doc_id, line, tone_value = evidence[("example", topic, p)]
                out.append(ContrastRow(rank, kind, topic, "share_of_sentences", spread, p,
                                       roles.get(p, ""), r.share_of_sentences, r.sentences,
                                       None, None, True, None, sentence, doc_id, line,
                                       tone_value, ""))
    for rank, (topic, spread) in enumerate(picked_tone, start=1):
        rows = {p: cells[(topic, p)] for p in perspectives}
        counted, roles, overlap = _tone_roles(rows, perspectives, min_sentences)
        for p in perspectives:
            r = rows[p]
            sentence, doc_id, line, tone_value = evidence[("tone", topic, p)]
            out.append(ContrastRow(rank, "topic_tone", topic, "tone_mean", spread, p,
                                   roles.get(p, ""), r.tone_mean, r.sentences, r.tone_ci_low,
                                   r.tone_ci_high, p in counted, overlap, sentence, doc_id,
                                   line, tone_value, r.ci_unit))
    return out


def _overlap(rows: dict, roles: dict[str, str]) -> bool | None:
    high = next((p for p, role in roles.items() if role == "high"), None)
    low = next((p for p, role in roles.items() if role == "low"), None)
    if high is None or low is None:
        return None
    return bool(rows[high].tone_ci_low <= rows[low].tone_ci_high)


def _evidence_tuples(corpus: Corpus, chosen: dict, tones: dict[tuple[int, int], float]) -> dict:
    """``{key: (sentence, doc id, line, tone)}`` for each chosen ``(doc, sentence)`` position
    (``_NO_EVIDENCE`` for None); only the chosen documents are read for their text."""
    from framelens.analysis.process.pipeline import document_texts

    texts = document_texts(corpus, {position[0] for position in chosen.values()
                                    if position is not None})
    found = {}
    for key, position in chosen.items():
        if position is None:
            found[key] = _NO_EVIDENCE
            continue
        d, s = position
        doc = texts[d]
        found[key] = (doc.sentences[s], doc.doc_id,
                      corpus.documents[d].body_line + doc.lines[s] - 1, tones[position])
    return found


def _nearest(corpus: Corpus, keys: list[tuple[int, int]], tones: dict[tuple[int, int], float],
             mean: float) -> tuple[int, int] | None:
    """The sentence whose tone is nearest ``mean``; ties by document id, sentence index."""
    keys = [k for k in keys if not math.isnan(tones[k])]  # missing tones (not English)
    if not keys or math.isnan(mean):
        return None
    documents = corpus.documents
    return min(keys, key=lambda k: (abs(tones[k] - mean), documents[k[0]].id, k[1]))


def _topic_evidence(corpus: Corpus, result: Result, perspectives, tone_topics: set[str]) -> dict:
    from framelens.analysis.lenses.topics import example_order
    from framelens.analysis.process.annotators import topic_hits
    from framelens.analysis.process.tone import sentence_tones

    hits = topic_hits(corpus)
    cells = {(r.topic, r.perspective): r for r in result.rows}
    p_index = {p: i for i, p in enumerate(perspectives)}
    doc_persp = np.array([p_index.get(d.perspective, -1) for d in corpus.documents],
                         dtype=np.int64)
    needed: dict[int, set[int]] = {}
    for h in hits.values():
        for d, s in zip(h.doc.tolist(), h.sentence.tolist(), strict=True):
            needed.setdefault(d, set()).add(s)
    tones = sentence_tones(corpus, {d: sorted(s) for d, s in sorted(needed.items())}) \
        if needed else {}
    chosen: dict = {}
    for topic in result.extra["topics"]:
        h = hits[topic]
        persp_of_hit = doc_persp[h.doc] if h.doc.size else np.zeros(0, dtype=np.int64)
        for p in perspectives:
            mine = np.flatnonzero(persp_of_hit == p_index[p])
            if mine.size == 0:
                chosen[("example", topic, p)] = chosen[("tone", topic, p)] = None
                continue
            best = int(example_order(h, mine)[0])
            chosen[("example", topic, p)] = (int(h.doc[best]), int(h.sentence[best]))
            if topic in tone_topics:
                keys = [(int(h.doc[i]), int(h.sentence[i])) for i in mine]
                chosen[("tone", topic, p)] = _nearest(corpus, keys, tones,
                                                      cells[(topic, p)].tone_mean)
    return _evidence_tuples(corpus, chosen, tones)


def _target_contrasts(corpus: Corpus, result: Result, perspectives, per_kind: int,
                      min_sentences: int, target_alias: tuple[str, ...]) -> list[ContrastRow]:
    from framelens.analysis.process.annotators import configured_targets, mentioning_sentences
    from framelens.analysis.process.tone import sentence_tones

    targets = tuple(dict.fromkeys(r.target for r in result.rows))
    cells = {(r.target, r.perspective): r for r in result.rows}
    candidates = []
    for index, target in enumerate(targets):
        counted = _tone_counted({p: cells[(target, p)] for p in perspectives}, perspectives,
                                min_sentences)
        if len(counted) < 2:
            continue
        tones = [cells[(target, p)].tone_mean for p in counted]
        spread = max(tones) - min(tones)
        if spread > 0:
            candidates.append((spread, index, (target, spread)))
    picked = _rank(candidates, per_kind)
    if not picked:
        return []
    all_targets = configured_targets(corpus.config, target_alias)
    number = {t.name: k for k, t in enumerate(all_targets)}
    sentences: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for (d, s), triples in mentioning_sentences(corpus, all_targets).items():
        for k in {t[0] for t in triples}:
            sentences.setdefault((all_targets[k].name, corpus.documents[d].perspective),
                                 []).append((d, s))
    wanted = {number[t] for t, _ in picked}
    needed: dict[int, set[int]] = {}
    for (name, _), keys in sentences.items():
        if number[name] in wanted:
            for d, s in keys:
                needed.setdefault(d, set()).add(s)
    tones = sentence_tones(corpus, {d: sorted(s) for d, s in sorted(needed.items())}) \
        if needed else {}
    evidence = _evidence_tuples(corpus, {
        (target, p): _nearest(corpus, sorted(sentences.get((target, p), [])), tones,
                              cells[(target, p)].tone_mean)
        for target, _ in picked for p in perspectives}, tones)
    out: list[ContrastRow] = []
    for rank, (target, spread) in enumerate(picked, start=1):
        rows = {p: cells[(target, p)] for p in perspectives}
        counted, roles, overlap = _tone_roles(rows, perspectives, min_sentences)
        for p in perspectives:
            r = rows[p]
            sentence, doc_id, line, tone_value = evidence[(target, p)]
            out.append(ContrastRow(rank, "target_tone", target, "tone_mean", spread, p,
                                   roles.get(p, ""), r.tone_mean, r.sentences, r.tone_ci_low,
                                   r.tone_ci_high, p in counted, overlap, sentence, doc_id,
                                   line, tone_value, r.ci_unit))
    return out
