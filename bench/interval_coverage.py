"""Coverage of framelens's 95% intervals on simulated corpora with a known population.

Run from the repository root::

    .venv/bin/python bench/interval_coverage.py [CASES]

(default 1,000 cases per line; about a minute on one core). Each case is a
corpus whose articles are drawn from a population with a known mean:

- tone: every article has its own share of positive sentences (uniform 0…1),
  3–13 sentences of tone ±0.6 (plus noise); the population mean tone is 0;
- rare share: every article has its own rate of sentences on a topic,
  Beta(0.5, 9.5) (mean 5%, most articles near 0), 20–60 sentences;
- skewed share: Beta(0.1, 0.9) (mean 10%, most articles never on the topic, a few
  often);
- common share: Beta(2, 2) (mean 50%).

It prints how often each interval covers the population value: the
sentence bootstrap (every sentence an independent draw, the old method),
the cluster bootstrap over articles (``cluster_ratio_ci``: Poisson weights
per article from the counter-based generator, percentile interval widened by
√(m/(m−1))·t/z) and, for shares,
Korn & Graubard's interval with their m − 1 degrees of freedom and as framelens computes
it (``cluster_share_ci``: degrees of freedom from the articles on the rarer side), for 5,
8, 12 and 25 articles.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy.special import ndtri, stdtrit

from framelens.analysis.stats.bootstrap import (
    article_weights,
    bootstrap_mean_ci,
    clopper_pearson_ci,
    cluster_ratio_ci,
    cluster_share_ci,
)


def tone_line(articles: int, cases: int, rng) -> str:
    sentence = cluster = 0
    for case in range(cases):
        sizes = rng.integers(3, 14, articles)
        positive = rng.uniform(size=sizes.sum()) < np.repeat(rng.uniform(0, 1, articles), sizes)
        tones = np.where(positive, 0.6, -0.6) + rng.normal(0.0, 0.1, sizes.sum())
        owner = np.repeat(np.arange(articles), sizes)
        _, low, high = bootstrap_mean_ci(tones, seed=case, resamples=1000)
        sentence += low <= 0.0 <= high
        weights = article_weights([f"{case}-{j}" for j in range(articles)], resamples=1000)
        _, low, high = cluster_ratio_ci(np.bincount(owner, weights=tones), sizes, weights,
                                        bounds=(-1, 1))
        cluster += low <= 0.0 <= high
    return (f"tone         {articles:3d} articles: sentences {sentence / cases:6.1%}   "
            f"articles (cluster bootstrap) {cluster / cases:6.1%}")


def share_line(name: str, a: float, b: float, articles: int, cases: int, rng) -> str:
    truth = a / (a + b)
    sentence = cluster = korn = korn_m_minus_1 = 0
    for case in range(cases):
        units = rng.integers(20, 60, articles)
        hits = rng.binomial(units, rng.beta(a, b, articles))
        values = np.concatenate([np.r_[np.ones(h), np.zeros(n - h)] for h, n in zip(hits, units,
                                                                                   strict=True)])
        _, low, high = bootstrap_mean_ci(values, seed=case, resamples=1000)
        sentence += low <= truth <= high
        weights = article_weights([f"{case}-{j}" for j in range(articles)], resamples=1000)
        _, low, high = cluster_ratio_ci(hits, units, weights, bounds=(0, 1))
        cluster += low <= truth <= high
        share, low, high = cluster_share_ci(hits, units)
        korn += low <= truth <= high
        low, high = korn_graubard_m_minus_1(share, hits, units)
        korn_m_minus_1 += low <= truth <= high
    return (f"{name:12s} {articles:3d} articles: sentences {sentence / cases:6.1%}   "
            f"articles (cluster bootstrap) {cluster / cases:6.1%}   "
            f"Korn-Graubard: df m-1 {korn_m_minus_1 / cases:6.1%}, "
            f"framelens (rarer-side df) {korn / cases:6.1%}")


def korn_graubard_m_minus_1(share: float, hits, units) -> tuple[float, float]:
    """Korn & Graubard's interval with their m - 1 degrees of freedom (for comparison)."""
    total, m = units.sum(), len(units)
    variance = m / (m - 1) * float(((hits - share * units) ** 2).sum()) / total ** 2
    n_eff = total if variance <= 0 or share in (0.0, 1.0) else \
        min(total, share * (1 - share) / variance)
    n_df = n_eff * (float(ndtri(0.975)) / float(stdtrit(m - 1, 0.975))) ** 2
    return clopper_pearson_ci(share * n_df, n_df)


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = np.random.default_rng(2026)
    print(f"coverage of nominal 95% intervals, {cases} cases per line")
    for articles in (5, 8, 12, 25):
        print(tone_line(articles, cases, rng))
    for name, a, b in (("rare share", 0.5, 9.5), ("skewed share", 0.1, 0.9),
                       ("common share", 2.0, 2.0)):
        for articles in (5, 8, 12, 25):
            print(share_line(name, a, b, articles, cases, rng))


if __name__ == "__main__":
    main()
