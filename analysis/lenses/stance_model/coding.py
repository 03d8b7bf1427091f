"""``framelens code``: a stratified random sample of target-mentioning sentences to hand-code.

The unit is a sentence × target pair (a sentence naming two targets is coded
toward each). Strata are perspective × target; the sample is allocated as
equally as the strata allow (each gets ⌊N / strata⌋, the remainder goes one
each to strata in random order, and what a small stratum cannot fill moves
to the others), so a perspective that writes less is not left with too few
coded sentences to learn from or to check. Within a stratum sentences are
drawn uniformly without replacement, which keeps the classifier's error
rates on the sample representative of its stratum (what the share correction
needs). Rows come out in random order, so coders do not meet one perspective
in a block.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from framelens.analysis.errors import OptionError
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.annotators import (
    configured_targets,
    select_targets,
    target_mentions,
)
from framelens.analysis.process.pipeline import processed
from framelens.analysis.results import Result

CONTEXT_MARK = "[…]"
"""Stands for the coded sentence between its neighbours in the ``context`` column."""


@dataclass(frozen=True)
class CodingRow:
    sentence_id: str
    perspective: str
    document: str
    target: str
    text: str
    context: str
    stance: str


def allocate(sizes: list[int], total: int, rng: np.random.Generator) -> list[int]:
    """Equal allocation of ``total`` over strata of ``sizes``, capped by each size."""
    taken = [0] * len(sizes)
    left = min(total, sum(sizes))
    while left > 0:
        open_strata = [s for s in range(len(sizes)) if taken[s] < sizes[s]]
        share, extra = divmod(left, len(open_strata))
        lucky = set(rng.permutation(open_strata)[:extra].tolist()) if extra else set()
        for s in open_strata:
            give = min(sizes[s] - taken[s], share + (1 if s in lucky else 0))
            taken[s] += give
            left -= give
    return taken


def coding_sample(corpus: Corpus, *, targets: Iterable[str] = (),
                  target_alias: Iterable[str] = (), sample: int = 60, seed: int = 0) -> Result:
    """Rows to code: ``sentence_id`` (document id # sentence index), perspective, document,
    target, text, context (previous sentence, ``[…]``, next sentence) and an empty stance."""
    if sample < 1:
        raise OptionError(f"--sample must be at least 1, got {sample}")
    all_targets = configured_targets(corpus.config, target_alias)
    selected = select_targets(all_targets, targets)
    documents = processed(corpus)
    mentions = target_mentions(corpus, all_targets)
    strata: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for perspective in corpus.perspective_ids:
        for target in selected:
            strata[(perspective, target.name)] = []
    for d, per_sentence in enumerate(mentions):
        perspective = documents[d].perspective
        for i, triples in enumerate(per_sentence):
            for k in dict.fromkeys(t[0] for t in triples):
                name = all_targets[k].name
                if (perspective, name) in strata:
                    strata[(perspective, name)].append((d, i))
    keys = [key for key, found in strata.items() if found]
    if not keys:
        raise OptionError("no sentence mentions the targets "
                          f"{', '.join(t.name for t in selected)}; nothing to code")
    for key in keys:  # same order whatever order the corpus listed its files in
        strata[key].sort(key=lambda di: (documents[di[0]].doc_id, di[1]))
    rng = np.random.default_rng([seed, int.from_bytes(hashlib.sha256(b"code").digest()[:4],
                                                      "little")])
    taken = allocate([len(strata[key]) for key in keys], sample, rng)
    rows = []
    for key, count in zip(keys, taken, strict=True):
        found = strata[key]
        for n in sorted(rng.choice(len(found), size=count, replace=False).tolist()):
            d, i = found[n]
            sentences = documents[d].sentences
            before = sentences[i - 1] if i > 0 else ""
            after = sentences[i + 1] if i + 1 < len(sentences) else ""
            context = " ".join(part for part in (before, CONTEXT_MARK, after) if part)
            rows.append(CodingRow(f"{documents[d].doc_id}#{i}", key[0], documents[d].doc_id,
                                  key[1], sentences[i], context, ""))
    order = rng.permutation(len(rows))
    warnings = []
    if sum(taken) < sample:
        warnings.append(f"only {sum(taken)} sentence-target pairs mention the targets; all are "
                        "in the sample")
    empty = [f"{p}/{t}" for (p, t), found in strata.items() if not found]
    if empty:
        warnings.append("no sentence to sample for " + ", ".join(empty))
    return Result(CodingRow, tuple(rows[n] for n in order),
                  title=f"Coding sample: {len(rows)} sentence-target pairs",
                  caption="Code the stance column: favor, against or none, the stance of the "
                          "text toward the target (SemEval-2016 Task 6), not its tone. "
                          f"context: the sentences before and after, {CONTEXT_MARK} marking "
                          "the coded one.", warnings=tuple(warnings), styles=corpus.styles)
