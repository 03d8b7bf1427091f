"""A hand-written coded set for the stance-model tests: news-like sentences toward three targets.

Each template is written to carry a stance toward the target in its wording
(praise, blame, or a neutral report), as a coder would label it; the
generator fills in the target's name and a few slot words, so the set is
varied but its labels are known.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

TARGETS = ("NATO", "Russia", "Ukraine")

TEMPLATES = {
    "favor": (
        "{t} deserves credit for {a} the talks in good faith.",
        "The decision by {t} to keep {b} open was wise and welcome.",
        "{t} has shown remarkable restraint and should be supported.",
        "Analysts praise {t} for its {c} commitment to security in Europe.",
        "Thanks to {t}, the region has a real chance of lasting peace.",
        "{t} is right to insist that {b} remains on the table.",
        "We should stand with {t}, whose position is reasonable and fair.",
        "{t} offered a constructive proposal that deserves a serious answer.",
    ),
    "against": (
        "{t} bears the blame for {a} the crisis and must stop.",
        "The reckless behaviour of {t} threatens everyone in Europe.",
        "{t} keeps breaking its promises and cannot be trusted.",
        "Critics condemn {t} for its {c} and dangerous demands.",
        "Nobody should believe {t}, which has lied about {b} for years.",
        "{t} is pushing the continent toward war with its provocations.",
        "The arrogance of {t} is the main obstacle to any settlement.",
        "{t} wrecked the talks with an ultimatum nobody could accept.",
    ),
    "none": (
        "Delegations from {t} arrived in Geneva on {d}.",
        "The meeting with {t} lasted about {n} hours, officials said.",
        "{t} published the text of its proposal on {d}.",
        "A spokesperson for {t} will hold a briefing on {d}.",
        "The next round involving {t} is scheduled for {d} in Vienna.",
        "{t} sent {n} officials to the consultations.",
        "Reporters asked whether {t} had received the written reply.",
        "The agenda listed {t} as the second item for {d}.",
    ),
}
SLOTS = {
    "a": ("approaching", "entering", "handling", "conducting", "starting"),
    "b": ("dialogue", "arms control", "the hotline", "diplomacy", "negotiations"),
    "c": ("steady", "long-standing", "clear", "firm", "aggressive"),
    "d": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "n": ("two", "three", "four", "seven", "eight"),
}


def coded_rows(per_class: int = 12, *, seed: int = 0, targets=TARGETS) -> list[dict[str, str]]:
    """``per_class`` rows per target and label, shuffled with ``seed``."""
    rng = random.Random(seed)
    rows = []
    for target in targets:
        for label, templates in TEMPLATES.items():
            for k in range(per_class):
                template = templates[k % len(templates)]
                slots = {name: rng.choice(words) for name, words in SLOTS.items()}
                rows.append({"text": template.format(t=target, **slots), "target": target,
                             "stance": label})
    rng.shuffle(rows)
    return rows


def write_coded(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
