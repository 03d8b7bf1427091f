"""Change points in the mean of a series: penalised optimal partitioning, splits at period edges.

The model is the one of ``cpt.mean`` in the R package changepoint (Killick &
Eckley 2014) and of PELT (Killick, Fearnhead & Eckley 2012, "Optimal
detection of changepoints with a linear computational cost", JASA 107):
the values are independent normal draws whose mean is constant between
change points. A segmentation τ_0 = 0 < τ_1 < … < τ_m < τ_{m+1} = n is chosen
to minimise

    Σ_k C(x[τ_k : τ_{k+1}]) + β · m,     C(y) = Σ (y_i − ȳ)² / σ²,

where C is twice the negative normal log-likelihood of the segment (up to a
constant) and β the penalty per change point. framelens lets a change fall
only where the period changes (between the last article of one week and the
first of the next), so a change point names a period; with at most one
candidate per period the exact minimum is found by optimal partitioning
(Jackson et al. 2005, "An algorithm for optimal partitioning of data on an
interval", IEEE Signal Processing Letters 12), O(P²) in the number of
periods, the same minimum PELT finds by pruning.

- σ is estimated from the successive differences, which a shift in the
  mean barely touches: σ̂² = Σ (x_{i+1} − x_i)² / (2(n − 1)), the mean square
  successive difference (von Neumann, Kent, Bellinson & Hart 1941, Annals
  of Mathematical Statistics 12). The robust MAD of the differences
  (Fryzlewicz 2014) reported twice as many false changes on heavy-tailed
  per-article tones in the simulation below, since the cost squares the
  deviations.
- β = ``PENALTY_PER_LOG_N`` · ln n per change point. 2 ln n would be the
  BIC/SIC penalty of ``changepoint`` for a change in mean; per-article
  framing values are lumpier than a normal (many zero shares, heavy-tailed
  tones), so framelens uses 3 ln n, chosen by simulation
  (``bench/changepoints.py``, weekly periods of 1-6 articles): on flat
  series it reports a change in 0-3% of series (2 ln n: 2-10%); a shift of
  one standard deviation in normal values is found within one period in
  40% of series of 8 weeks (~28 articles), 62% of 20 weeks and 79% of 52;
  small tone shifts (half a standard deviation) in 7-23%: a change point is
  reported only on clear evidence.
- Every segment holds at least ``min_size`` values (articles).

A change point describes where the series' level shifts; it is not a cause.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PENALTY_PER_LOG_N = 3.0


@dataclass(frozen=True)
class Segment:
    """Values ``start`` … ``stop - 1`` of the series, and their mean."""

    start: int
    stop: int
    mean: float


def noise_scale(values: Sequence[float]) -> float:
    """σ̂ = √(Σ (x_{i+1} − x_i)² / (2(n − 1))), the mean square successive difference."""
    x = np.asarray(values, dtype=np.float64)
    if x.size < 2:
        return 0.0
    return math.sqrt(float(np.mean(np.diff(x) ** 2)) / 2.0)


def mean_segments(values: Sequence[float], candidates: Sequence[int], *, min_size: int,
                  penalty: float | None = None, scale: float | None = None) -> list[Segment]:
    """The segmentation of ``values`` minimising the penalised normal cost (see module doc).

    ``candidates``: positions k (0 < k < n) where a new segment may start, i.e.
    between values k−1 and k. ``penalty`` defaults to ``PENALTY_PER_LOG_N · ln n``
    and ``scale`` to :func:`noise_scale`. A series too short for two segments
    of ``min_size``, or with no spread, is one segment. Between segmentations
    of equal cost the one whose last segment starts earliest wins (deterministic).
    """
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    if n == 0:
        return []
    sigma = noise_scale(x) if scale is None else scale
    ends = [k for k in sorted(set(candidates)) if min_size <= k <= n - min_size]
    if not ends or not sigma > 0 or not np.isfinite(x).all():
        return [Segment(0, n, float(x.mean()))]
    beta = PENALTY_PER_LOG_N * math.log(n) if penalty is None else penalty
    cumulative = np.concatenate(([0.0], np.cumsum(x)))
    squares = np.concatenate(([0.0], np.cumsum(x * x)))

    def cost(a: int, b: int) -> float:
        total = cumulative[b] - cumulative[a]
        return max(0.0, (squares[b] - squares[a]) - total * total / (b - a)) / (sigma * sigma)

    points = [0, *ends, n]
    best = [math.inf] * len(points)
    previous = [-1] * len(points)
    best[0] = -beta
    for j in range(1, len(points)):
        for i in range(j):
            if points[j] - points[i] < min_size or best[i] == math.inf:
                continue
            value = best[i] + cost(points[i], points[j]) + beta
            if value < best[j] - 1e-12:  # strict: a tie keeps the earlier start
                best[j], previous[j] = value, i
    starts = []
    j = len(points) - 1
    while j > 0:
        starts.append(points[previous[j]])
        j = previous[j]
    starts.reverse()
    bounds = [*starts, n]
    return [Segment(a, b, float(x[a:b].mean())) for a, b in zip(bounds, bounds[1:], strict=False)]
