"""Compare sentence splitters on quality and speed.

Run from the repository root:  python bench/sentence_splitters.py [--show]

Splitters: framelens' regex splitter, syntok, pysbd (the oracle/baseline) and
nltk's untrained PunktSentenceTokenizer (no download needed). Reports

* errors on the hand-labelled tricky set (tests/data/tricky_sentences.json):
  missed boundaries + false boundaries, and the number of cases split exactly;
* speed in MB/s (UTF-8 bytes) on a ~3 MB text made by repeating the seed
  articles' paragraphs and the tricky paragraphs (pysbd on a small sample,
  it runs at well under 0.1 MB/s);
* agreement with pysbd on the seed paragraphs: boundaries pysbd does not
  make (extra) and boundaries it makes that the splitter misses, per 1,000
  pysbd sentences. ``--show`` prints each disagreement for review by eye.

This is a measurement script, not a test; it finishes in well under two
minutes on one core.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRICKY = ROOT / "tests" / "data" / "tricky_sentences.json"
SEEDS = Path("/work/shared/seeds")
if not SEEDS.is_dir():  # CI clones main with shared/ beside it
    SEEDS = ROOT.parent / "shared" / "seeds"

TARGET_BYTES = 3_000_000
PYSBD_SAMPLE_BYTES = 120_000

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"',
     "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2013": "-", "\u2014": "-",
     "\u2012": "-", "\u2015": "-"}
)  # fmt: skip

Spans = list[tuple[int, int]]


def normalise(text: str) -> str:
    """NFKC, straight quotes, '-' for en/em dashes (as the text pipeline does)."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def seed_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = normalise(path.read_text(encoding="utf-8"))
        paragraphs += [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    return paragraphs


def tricky_cases() -> list[dict]:
    return json.loads(TRICKY.read_text(encoding="utf-8"))["cases"]


def case_text(case: dict) -> str:
    return case.get("sep", " ").join(case["sentences"])


def gold_boundaries(case: dict) -> set[int]:
    sep = len(case.get("sep", " "))
    bounds, pos = set(), 0
    for sentence in case["sentences"][:-1]:
        pos += len(sentence) + sep
        bounds.add(pos)
    return bounds


def boundaries(spans: Spans) -> set[int]:
    """Sentence boundaries as the start offsets of every sentence but the first."""
    return {start for start, _ in spans[1:]}


def spans_from_strings(text: str, sentences: list[str]) -> Spans:
    """Locate a splitter's sentence strings in ``text``, in order."""
    spans, cursor = [], 0
    for sentence in sentences:
        sentence = sentence.strip()
        if not sentence:
            continue
        at = text.find(sentence, cursor)
        if at < 0:  # the splitter changed the text; skip rather than guess
            continue
        spans.append((at, at + len(sentence)))
        cursor = at + len(sentence)
    return spans


def spans_from_starts(text: str, starts: list[int]) -> Spans:
    ends = starts[1:] + [len(text)]
    return [(s, s + len(text[s:e].rstrip())) for s, e in zip(starts, ends, strict=True)]


def make_splitters() -> dict[str, Callable[[str], Spans]]:
    from framelens.analysis.text.sentences import split_sentences

    splitters: dict[str, Callable[[str], Spans]] = {"regex": split_sentences}
    try:
        from syntok import segmenter
        from syntok.tokenizer import Tokenizer

        tokenizer = Tokenizer()

        def syntok_split(text: str) -> Spans:
            sentences = segmenter.split(tokenizer.tokenize(text))
            return spans_from_starts(text, [s[0].offset for s in sentences if s])

        splitters["syntok"] = syntok_split
    except ImportError:
        print("syntok not installed: skipped", file=sys.stderr)
    try:
        import pysbd

        segmenter_ = pysbd.Segmenter(language="en", clean=False)

        def pysbd_split(text: str) -> Spans:
            return spans_from_strings(text, segmenter_.segment(text))

        splitters["pysbd"] = pysbd_split
    except ImportError:
        print("pysbd not installed: skipped", file=sys.stderr)
    try:
        from nltk.tokenize.punkt import PunktSentenceTokenizer

        punkt = PunktSentenceTokenizer()  # untrained: no nltk data needed

        def punkt_split(text: str) -> Spans:
            return list(punkt.span_tokenize(text))

        splitters["punkt (untrained)"] = punkt_split
    except ImportError:
        print("nltk not installed: skipped", file=sys.stderr)
    return splitters


def tricky_errors(split: Callable[[str], Spans], cases: list[dict]) -> tuple[int, int, list[str]]:
    """(missed, false, ids of the cases not split exactly) on the tricky set."""
    missed = false = 0
    wrong = []
    for case in cases:
        want, got = gold_boundaries(case), boundaries(split(case_text(case)))
        missed += len(want - got)
        false += len(got - want)
        if want != got:
            wrong.append(case["id"])
    return missed, false, wrong


def speed(split: Callable[[str], Spans], paragraphs: list[str], budget: int) -> float:
    """MB/s over paragraphs until ``budget`` UTF-8 bytes have been split."""
    done, started = 0, time.perf_counter()
    for paragraph in paragraphs:
        split(paragraph)
        done += len(paragraph.encode("utf-8"))
        if done >= budget:
            break
    return done / 1e6 / (time.perf_counter() - started)


def vs_pysbd(
    split: Callable[[str], Spans], reference: list[set[int]], paragraphs: list[str]
) -> tuple[int, int, list[tuple[str, int, str]]]:
    """Extra and missing boundaries relative to pysbd, and the disagreements."""
    extra = missing = 0
    shown = []
    for paragraph, ref in zip(paragraphs, reference, strict=True):
        got = boundaries(split(paragraph))
        extra += len(got - ref)
        missing += len(ref - got)
        shown += [("extra", b, paragraph) for b in sorted(got - ref)]
        shown += [("missed", b, paragraph) for b in sorted(ref - got)]
    return extra, missing, shown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print disagreements with pysbd")
    args = parser.parse_args()

    splitters = make_splitters()
    cases = tricky_cases()
    seeds = seed_paragraphs()
    pool = seeds + [case_text(c) for c in cases]
    pool_bytes = sum(len(p.encode("utf-8")) for p in pool)
    corpus = pool * (TARGET_BYTES // pool_bytes + 1)

    reference = None
    if "pysbd" in splitters:
        reference = [boundaries(splitters["pysbd"](p)) for p in seeds]
        pysbd_sentences = sum(len(r) + 1 for r in reference)

    print(
        f"tricky set: {len(cases)} cases, {sum(len(gold_boundaries(c)) for c in cases)} "
        f"boundaries; seeds: {len(seeds)} paragraphs; speed text: "
        f"{sum(len(p.encode()) for p in corpus) / 1e6:.1f} MB (pysbd: "
        f"{PYSBD_SAMPLE_BYTES / 1e6:.2f} MB sample)"
    )
    if reference is not None:
        print(f"pysbd finds {pysbd_sentences} sentences in the seed paragraphs")
    header = (
        f"{'splitter':<18} {'MB/s':>7} {'missed':>7} {'false':>6} {'errors':>7} "
        f"{'exact':>7} {'extra/1k':>9} {'miss/1k':>8}"
    )
    print(header)
    print("-" * len(header))
    disagreements: dict[str, list[tuple[str, int, str]]] = {}
    failed: dict[str, list[str]] = {}
    for name, split in splitters.items():
        budget = PYSBD_SAMPLE_BYTES if name == "pysbd" else TARGET_BYTES
        split(pool[0])  # warm up imports and caches
        mbps = speed(split, corpus, budget)
        missed, false, wrong = tricky_errors(split, cases)
        failed[name] = wrong
        extra_k = miss_k = "-"
        if reference is not None:
            extra, missing, shown = vs_pysbd(split, reference, seeds)
            extra_k = f"{1000 * extra / pysbd_sentences:.2f}"
            miss_k = f"{1000 * missing / pysbd_sentences:.2f}"
            disagreements[name] = shown
        print(
            f"{name:<18} {mbps:>7.2f} {missed:>7} {false:>6} {missed + false:>7} "
            f"{len(cases) - len(wrong):>3}/{len(cases):<3} {extra_k:>9} {miss_k:>8}"
        )
    if args.show:
        for name, wrong in failed.items():
            print(f"\n== {name}: tricky cases not split exactly: {', '.join(wrong) or '-'}")
        for name, shown in disagreements.items():
            if name == "pysbd":
                continue
            print(f"\n== {name} vs pysbd: {len(shown)} disagreements")
            for kind, at, paragraph in shown:
                before, after = paragraph[max(0, at - 70) : at], paragraph[at : at + 50]
                print(f"  [{kind}] ...{before} || {after}...")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
