"""How often the timeline's change-point search reports a change on a flat series, and how
often it finds a known shift within one period (the penalty of stats/changepoints.py).

Series imitate per-article framing values: weekly periods with 1-6 articles each, and
values drawn as (a) normal, (b) a topic's share of an article's sentences (binomial over
10-40 sentences, many zeros), (c) an article's mean tone (mean of 2-12 sentence tones
drawn from a heavy-tailed t(3) scaled to 0.4). Run: python bench/changepoints.py [reps]
"""

from __future__ import annotations

import sys

import numpy as np

from framelens.analysis.stats.changepoints import mean_segments


def series(rng, kind: str, periods: int, shift_at: int | None, shift: float):
    sizes = rng.integers(1, 7, periods)
    period_of = np.repeat(np.arange(periods), sizes)
    n = period_of.size
    after = period_of >= shift_at if shift_at is not None else np.zeros(n, bool)
    if kind == "normal":
        values = rng.normal(0, 1, n) + shift * after
    elif kind == "share":
        sentences = rng.integers(10, 41, n)
        p = np.clip(0.08 + 0.08 * shift * after, 0, 1)
        values = rng.binomial(sentences, p) / sentences
    else:
        count = rng.integers(2, 13, n)
        values = np.array([np.mean(0.4 * rng.standard_t(3, c)) for c in count]) / 1.0
        values += 0.15 * shift * after
    candidates = np.flatnonzero(np.diff(period_of)) + 1
    return values, candidates, period_of


def main(reps: int) -> None:
    rng = np.random.default_rng(7)
    for kind in ("normal", "share", "tone"):
        for periods in (8, 20, 52):
            flat = sum(len(mean_segments(*series(rng, kind, periods, None, 0)[:2], min_size=5)) > 1
                       for _ in range(reps))
            found = 0
            for _ in range(reps):
                at = periods // 2
                values, candidates, period_of = series(rng, kind, periods, at, 1.0)
                segments = mean_segments(values, candidates, min_size=5)
                found += any(abs(period_of[s.start] - at) <= 1 for s in segments[1:])
            print(f"{kind:6} {periods:3} periods: flat series with a change {flat / reps:6.1%}; "
                  f"shift found within one period {found / reps:6.1%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
