"""Speed of framelens' VADER scorer against the reference package, on a corpus's sentences.

Run from the repository root:

    python bench/vader_speed.py --sources /work/benchdata/j3700.jsonl/articles.jsonl \
        --config /work/benchdata/j3700.jsonl/framelens.toml

The sentences are the ones framelens scores: each English document's text
split by the pipeline (analysis/process/pipeline.py, normalised, original
case). Both scorers run on all of them in this process, one core, each timed
over ``--repeat`` passes (the best pass is reported, as ``timeit`` does). The
script then checks that every compound score is the same float in both
(``==`` and the same ``repr``) and exits 1 naming the first sentence that
differs. Without ``--sources`` it reads the bundled corpus.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path


def corpus_sentences(sources: Path | None, config: Path | None, limit: int | None) -> list[str]:
    """The sentences framelens tones (English documents), in corpus order."""
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.process.pipeline import processed
    from framelens.analysis.process.tone import TONE_LANGUAGES

    corpus = load_corpus(sources, config_path=config, use_cache=False)
    sentences = [sentence for document in processed(corpus)
                 if document.language in TONE_LANGUAGES for sentence in document.sentences]
    return sentences[:limit] if limit else sentences


def best_time(score: Callable[[str], float], sentences: list[str],
              repeat: int) -> tuple[float, list[float]]:
    """(fastest of ``repeat`` passes in seconds, the scores of the last pass)."""
    best = float("inf")
    scores: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        scores = [score(sentence) for sentence in sentences]
        best = min(best, time.perf_counter() - started)
    return best, scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, help="corpus folder or table (default: bundled)")
    parser.add_argument("--config", type=Path, help="its framelens.toml, for a table")
    parser.add_argument("--limit", type=int, help="score only the first N sentences")
    parser.add_argument("--repeat", type=int, default=3, help="passes per scorer (default 3)")
    args = parser.parse_args(argv)

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from framelens.analysis.process.vader import CompoundScorer

    started = time.perf_counter()
    sentences = corpus_sentences(args.sources, args.config, args.limit)
    print(f"{len(sentences):,} sentences ({sum(map(len, sentences)) / 1e6:.1f} M characters) "
          f"read in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    reference = SentimentIntensityAnalyzer()
    fast = CompoundScorer()
    timings = {}
    results = {}
    for name, score in (("vaderSentiment", lambda s: reference.polarity_scores(s)["compound"]),
                        ("framelens", fast.compound)):
        timings[name], results[name] = best_time(score, sentences, args.repeat)
        print(f"{name:>14}: {timings[name]:7.2f} s  "
              f"{len(sentences) / timings[name]:>10,.0f} sentences/s", file=sys.stderr)
    print(f"       speed-up: {timings['vaderSentiment'] / timings['framelens']:.1f}x",
          file=sys.stderr)
    for sentence, expected, got in zip(sentences, results["vaderSentiment"],
                                       results["framelens"], strict=True):
        if not (expected == got and repr(expected) == repr(got)):
            print(f"DIFFERENT: {expected!r} (vaderSentiment) != {got!r} (framelens) on "
                  f"{sentence!r}", file=sys.stderr)
            return 1
    print(f"all {len(sentences):,} compound scores equal", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
