"""Naming choices: which variant of a contested name each perspective uses.

For every naming pair of the config (``[[naming]]``: a concept with two or
more variants, each a list of patterns) and every perspective, the mentions
of each variant are counted in the analysed text: the normalised sentences of
the pipeline (NFKC, curly quotes and dashes folded), matched with a
case-insensitive :class:`~framelens.analysis.text.lexicon.Lexicon` per concept, so
where patterns overlap the longest wins, once (a quoted "'DNR'" counts for
the quoted variant only). Patterns are normalised the same way, so a pattern
written with straight quotes matches curly ones in the text.

Every (concept, variant, perspective) is listed, zeros included: a name
that nobody, or only one side, uses is a finding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.annotators import variant_mentions
from framelens.analysis.process.document_pass import prepare
from framelens.analysis.process.pipeline import outlines
from framelens.analysis.results import Result
from framelens.analysis.stats import keyness as stats


@dataclass(frozen=True)
class NamingRow:
    concept: str
    variant: str
    perspective: str
    count: int
    documents: int
    rate_per_10k: float
    share: float
    preferred: bool


def naming(corpus: Corpus) -> Result:
    """Per perspective, the mentions of each variant of each contested name.

    Columns: ``count`` (mentions), ``documents`` (articles of the perspective
    with at least one mention), ``rate_per_10k`` (mentions per 10,000 word
    tokens of the perspective, stopwords included), ``share`` (the variant's
    part of the concept's mentions in that perspective; empty/null when the
    perspective never mentions the concept) and ``preferred`` (true for the
    variant a perspective uses strictly more than each other variant of the
    concept; no variant is preferred on a tie or without mentions).
    Rows follow the config order of concepts and variants, then perspectives.
    """
    pairs = corpus.config.naming
    perspectives = corpus.perspective_ids
    prepare(corpus)  # one pass over every new document: its annotations and tones too
    documents = outlines(corpus)
    where = {p: i for i, p in enumerate(perspectives)}
    owner = np.array([where[doc.perspective] for doc in documents], dtype=np.int64)
    tokens = np.bincount(owner, weights=[doc.token_count for doc in documents],
                         minlength=len(perspectives))
    # by_concept[c][v, d]: mentions of variant v of concept c in document d.
    by_concept = [np.zeros((len(pair.variants), len(documents)), dtype=np.int64) for pair in pairs]
    for d, payload in enumerate(variant_mentions(corpus, pairs)):
        for concept, variant, count in payload:
            by_concept[concept][variant, d] = count
    rows: list[NamingRow] = []
    for pair, mentions in zip(pairs, by_concept, strict=True):
        names = [str(i) for i in range(len(pair.variants))]
        per_perspective = np.zeros((len(names), len(perspectives)), dtype=np.int64)
        using = np.zeros_like(per_perspective)
        for v in range(len(names)):
            per_perspective[v] = np.bincount(owner, weights=mentions[v],
                                             minlength=len(perspectives))
            using[v] = np.bincount(owner, weights=mentions[v] > 0, minlength=len(perspectives))
        concept_total = per_perspective.sum(axis=0)
        rates = stats.rate_per_10k(per_perspective, tokens[np.newaxis, :])
        best = per_perspective.max(axis=0)
        unique_best = (per_perspective == best).sum(axis=0) == 1
        for v, variant in enumerate(pair.variants):
            for p, perspective in enumerate(perspectives):
                count = int(per_perspective[v, p])
                total = int(concept_total[p])
                rows.append(NamingRow(
                    pair.concept, variant.label, perspective, count, int(using[v, p]),
                    float(rates[v, p]), count / total if total else math.nan,
                    bool(count > 0 and count == best[p] and unique_best[p])))
    warnings = () if pairs else ("the config declares no naming pairs ([[naming]])",)
    return Result(
        NamingRow, tuple(rows),
        title="Naming choices: which variant of each contested name each perspective uses",
        caption="Mentions of each variant (case-insensitive; where patterns overlap, the "
                "longest counts once). share: the variant's part of the concept's mentions in "
                "that perspective; preferred: used strictly more than any other variant. "
                "Rates per 10,000 word tokens. Zero rows are kept: silence is a finding.",
        warnings=warnings,
        styles=corpus.config.styles(perspectives),
        extra={"concepts": [(pair.concept, [v.label for v in pair.variants]) for pair in pairs]},
    )


