"""Generate synthetic news corpora for the benchmark (deterministic, seeded).

Run from the repository root::

    .venv/bin/python bench/generate.py --articles 50000 --out bench/out/corpus-50000

writes ``bench/out/corpus-50000/`` with one Markdown article a file (YAML
front matter as DESIGN.md section 2 describes) and a ``framelens.toml``
declaring the perspectives (4 by default, 3-5 with ``--perspectives``).

The text is not one article repeated. Words are drawn from a Zipf-Mandelbrot
distribution with a steeper tail (see ``zipf_cdf``) over a large vocabulary whose
top ranks are the bundled corpus's words in their frequency order (so "the",
"of", "Russia" are common) and whose long tail is generated pseudo-words and
pseudo-names. Drawing more text therefore keeps meeting new words, as Heaps'
law describes for real news (types ~ K * tokens^beta with beta near 0.5-0.6):
``--report`` prints the measured types per token count. Each perspective
also prefers its own small set of terms (a few targets, topic words and
pseudo-words), so keyness has something to find.

Sentences have capitalised starts and end in ``.``, ``?`` or ``!``; the
generator mixes in abbreviations ("U.S.", "Mr.", "Jan. 10", "Gen."), target
names (NATO, Russia, Ukraine, the United States, ...), configured phrases
("security guarantees"), numbers ("1,200", "3.5%", "2022") and quotations
('"...," Mr. X said.'). Article length is log-normal with a mean of about
1 KB of body text. 50,000 articles (about 50 MB) take a few seconds.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sources"

PERSPECTIVES = (
    ("ukraine", "Ukraine", "#0057b7", ("Kyiv Post", "Ukrainska Pravda", "Ukrinform")),
    ("russia", "Russia", "#d62728", ("The Moscow Times", "TASS", "RIA Novosti")),
    ("china", "China", "#b8860b", ("China-US Focus", "Global Times", "Xinhua")),
    ("usa", "United States", "#2ca02c", ("The Washington Post", "Politico", "Foreign Affairs")),
    ("eu", "European Union", "#9467bd", ("Euractiv", "Le Monde", "Der Spiegel")),
)

# Rank-frequency law: Zipf-Mandelbrot p(r) ~ (r + q)^-1 up to rank R0, then a
# steeper tail (r + q)^-S2 (a "double Zipf", as fitted to large English
# corpora by Ferrer i Cancho & Sole 2001). Tuned so that the type counts grow
# like Heaps' law with beta about 0.55, close to Reuters RCV1's K=44,
# beta=0.49 (Manning et al., Introduction to IR, 5.1.1): see --report.
ZIPF_Q = 2.7
ZIPF_R0 = 3000
ZIPF_S2 = 1.8
VOCABULARY = 4_000_000
MEAN_BODY_BYTES = 750

# Names and terms the analyses look for; inserted at moderately high ranks so
# every article has a fair chance of mentioning some of them.
TARGET_TERMS = (
    "NATO", "Russia", "Ukraine", "the United States", "U.S.", "Moscow", "Kyiv", "Washington",
    "the Kremlin", "Putin", "Biden", "China", "Beijing", "the West", "the European Union",
    "EU", "OSCE", "the Alliance", "Russian", "Ukrainian", "American", "Chinese", "Western",
    "Zelensky", "Lavrov", "Blinken", "Pentagon", "Kiev", "Donbas", "Donbass", "Crimea",
)
TOPIC_TERMS = (
    "security guarantees", "NATO expansion", "sanctions", "missiles", "arms control",
    "troops", "exercises", "talks", "negotiations", "dialogue", "treaty", "sovereignty",
    "territorial integrity", "Minsk agreements", "deterrence", "nuclear weapons", "border",
    "diplomats", "Geneva", "Brussels", "ceasefire", "pipeline", "Nord Stream", "escalation",
    "de-escalation", "aggression", "threat", "strategic stability", "Cold War", "Black Sea",
)
TITLES = ("Mr.", "Mrs.", "Ms.", "Dr.", "Gen.", "Sen.", "Prof.")
MONTHS = ("Jan.", "Feb.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.", "March", "April", "May",
          "June", "July")
SPEECH = ("said", "told reporters", "wrote", "argued", "warned", "added", "insisted", "noted")
_SYLLABLES = tuple(
    c + v for c in ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh",
                    "tr", "br", "kr", "st", "ch")
    for v in ("a", "e", "i", "o", "u", "ai", "ou", "ia")
)
_CODAS = ("", "", "", "n", "r", "s", "l", "k", "t", "m", "ng", "sk", "v")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'.-]*[A-Za-z]|[A-Za-z]")
_FRONT_MATTER_RE = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def bundled_words() -> list[str]:
    """The bundled corpus's words, most frequent first (ties alphabetical)."""
    counts: Counter[str] = Counter()
    for path in sorted(BUNDLED.glob("*.md")):
        body = _FRONT_MATTER_RE.sub("", path.read_text(encoding="utf-8"))
        body = body.replace("\u2019", "'").replace("\u2014", " ")
        for word in _WORD_RE.findall(body):
            if word.endswith("'s"):
                word = word[:-2]
            if len(word) > 1 or word in ("a", "I"):
                counts[word] += 1
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def pseudo_word(rank: int, capitalised: bool) -> str:
    """A pronounceable made-up word, unique per rank (bijective base-N syllables)."""
    n = rank + 1
    parts = []
    while n:
        n, digit = divmod(n - 1, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    word = "".join(parts) + _CODAS[rank % len(_CODAS)]
    return word.capitalize() if capitalised else word


def build_vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    """Rank-ordered vocabulary: bundled words, then pseudo-words and names.

    The bundled words keep their own frequency order; target names and topic
    terms are placed at ranks 40-600; the tail alternates pseudo-words with
    capitalised pseudo-names (about one name in six).
    """
    seen: set[str] = set()
    real = []
    for word in bundled_words():
        if word not in seen:
            seen.add(word)
            real.append(word)
    specials = [t for t in TARGET_TERMS + TOPIC_TERMS if t not in seen]
    positions = np.sort(rng.choice(np.arange(40, 600), size=len(specials), replace=False))
    for position, term in zip(positions.tolist(), specials, strict=True):
        real.insert(position, term)
    tail = size - len(real)
    capitalised = rng.random(tail) < 1 / 6
    vocabulary = real + [pseudo_word(i, bool(c)) for i, c in enumerate(capitalised.tolist())]
    return vocabulary


def zipf_cdf(size: int) -> np.ndarray:
    ranks = np.arange(1, size + 1, dtype=np.float64)
    weights = 1.0 / (ranks + ZIPF_Q)
    tail = ranks > ZIPF_R0
    weights[tail] = (ZIPF_R0 + ZIPF_Q) ** (ZIPF_S2 - 1.0) * (ranks[tail] + ZIPF_Q) ** -ZIPF_S2
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


class Generator:
    """Deterministic article text generator (one instance per corpus)."""

    def __init__(self, seed: int, perspectives: int, mean_body_bytes: int = MEAN_BODY_BYTES):
        self.rng = np.random.default_rng(seed)
        self.mean_body_bytes = mean_body_bytes
        self.vocabulary = np.array(build_vocabulary(VOCABULARY, self.rng), dtype=object)
        self.cdf = zipf_cdf(len(self.vocabulary))
        self.perspectives = PERSPECTIVES[:perspectives]
        names = [w for w in self.vocabulary[600:200_000].tolist() if w[:1].isupper()]
        self.surnames = names[:5000]
        self.first_names = names[5000:6000]
        # Each perspective's preferred terms: 4 targets, 6 topic terms, 40 pseudo-words.
        self.preferred = []
        for _ in self.perspectives:
            terms = (list(self.rng.choice(TARGET_TERMS, 4, replace=False))
                     + list(self.rng.choice(TOPIC_TERMS, 6, replace=False))
                     + list(self.vocabulary[self.rng.integers(2000, 60_000, 40)]))
            self.preferred.append(np.array(terms, dtype=object))

    def words(self, n: int) -> list[str]:
        return self.vocabulary[np.searchsorted(self.cdf, self.rng.random(n))].tolist()

    def article(self, index: int) -> tuple[str, str, str]:
        """(id, perspective id, file text) of article ``index``: Markdown with front matter."""
        fields, body = self.article_fields(index)
        text = (f"---\nid: {fields['id']}\ntitle: \"{fields['title']}\"\n"
                f"perspective: {fields['perspective']}\nauthor: {fields['author']}\n"
                f"outlet: {fields['outlet']}\npublished: \"{fields['published']}\"\n"
                f"url: {fields['url']}\nlanguage: {fields['language']}\n---\n" + body + "\n")
        return fields["id"], fields["perspective"], text

    def record(self, index: int) -> tuple[str, str, str]:
        """(id, perspective id, JSON line) of article ``index``: one row of a JSONL corpus.

        The keys are framelens's default column names (analysis/io/tables.py ColumnMap),
        the text is the Markdown body; the line ends in ``\\n``.
        """
        fields, body = self.article_fields(index)
        line = json.dumps({**fields, "text": body}, ensure_ascii=False, separators=(", ", ": "))
        return fields["id"], fields["perspective"], line + "\n"

    def article_fields(self, index: int) -> tuple[dict[str, str], str]:
        """(metadata fields, body text) of article ``index``; draws from the generator's rng."""
        rng = self.rng
        p = int(index % len(self.perspectives))
        pid, _, _, outlets = self.perspectives[p]
        target_bytes = max(150, int(rng.lognormal(np.log(self.mean_body_bytes) - 0.18, 0.6)))
        n_words = max(20, target_bytes // 6)
        words = self.words(n_words)
        favourite = rng.random(n_words) < 0.04
        if favourite.any():
            picks = self.preferred[p][rng.integers(0, len(self.preferred[p]), int(favourite.sum()))]
            for position, term in zip(np.flatnonzero(favourite).tolist(), picks.tolist(),
                                      strict=True):
                words[position] = term
        lengths = np.clip(rng.normal(19, 8, n_words // 8 + 2).astype(int), 4, 45)
        kinds = rng.random(len(lengths))
        extras = rng.integers(0, 1 << 30, len(lengths)).tolist()
        sentences = []
        start = 0
        for length, kind, extra in zip(lengths.tolist(), kinds.tolist(), extras, strict=True):
            if start >= n_words:
                break
            chunk = words[start:start + length]
            start += length
            sentences.append(self._sentence(chunk, kind, extra))
        paragraphs = []
        i = 0
        while i < len(sentences):
            size = 1 + int(rng.integers(0, 4))
            paragraphs.append(" ".join(sentences[i:i + size]))
            i += size
        author = f"{self.first_names[extras[0] % 1000]} {self.surnames[extras[1] % 5000]}"
        day = 1 + int(index * 7919 % 365)
        published = np.datetime64("2022-01-01") + np.timedelta64(day - 1, "D")
        doc_id = f"{pid}-{index:06d}"
        title = " ".join(self.words(6)).capitalize().replace('"', "'")
        fields = {"id": doc_id, "title": title, "perspective": pid, "author": author,
                  "outlet": outlets[extras[2] % len(outlets)], "published": str(published),
                  "url": f"https://example.org/{pid}/{index}", "language": "en"}
        return fields, "\n\n".join(paragraphs)

    def _sentence(self, chunk: list[str], kind: float, extra: int) -> str:
        # Sentence patterns, chosen by ``kind``; ``extra`` feeds the details.
        if kind < 0.12:  # quotation
            name = f"{TITLES[extra % len(TITLES)]} {self.surnames[(extra >> 4) % 5000]}"
            verb = SPEECH[(extra >> 17) % len(SPEECH)]
            return f"\"{_capitalise(' '.join(chunk))},\" {name} {verb}."
        if kind < 0.20:  # date
            month = MONTHS[extra % len(MONTHS)]
            return f"On {month} {1 + (extra >> 5) % 28}, {' '.join(chunk)}."
        if kind < 0.28:  # number
            number = (f"{(extra >> 3) % 900 + 100},{(extra >> 11) % 900 + 100}", f"{extra % 97}.5%",
                      str(1990 + (extra >> 2) % 35), str(extra % 50))[(extra >> 20) % 4]
            middle = len(chunk) // 2
            return _capitalise(" ".join(chunk[:middle] + [number] + chunk[middle:])) + "."
        if kind < 0.33:  # abbreviation mid-sentence
            middle = len(chunk) // 2
            return _capitalise(" ".join(chunk[:middle] + ["U.S.", "officials"] + chunk[middle:]) + ".")
        if kind < 0.36:
            return _capitalise(" ".join(chunk)) + "?"
        if kind < 0.55 and len(chunk) > 8:  # a comma
            cut = 3 + extra % (len(chunk) - 5)
            return _capitalise(" ".join(chunk[:cut]) + ", " + " ".join(chunk[cut:])) + "."
        return _capitalise(" ".join(chunk)) + "."


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


JSONL_NAME = "articles.jsonl"


def generate(articles: int, out: Path, *, seed: int = 2022, perspectives: int = 4,
             quiet: bool = False, fmt: str = "md", mean_body_bytes: int = MEAN_BODY_BYTES) -> Path:
    """Write ``articles`` articles and a framelens.toml into the folder ``out`` (replaced).

    ``fmt="md"``: one Markdown file an article; ``fmt="jsonl"``: one file
    ``out/articles.jsonl`` with an article a line (pass it to framelens as
    ``--sources out/articles.jsonl --config out/framelens.toml``). Returns the
    path to give ``--sources``. The same seed and length give the same articles
    in both formats, and the first k articles of a larger corpus are the k
    articles of a smaller one.
    """
    if not 3 <= perspectives <= len(PERSPECTIVES):
        raise SystemExit(f"--perspectives must be 3..{len(PERSPECTIVES)}")
    if fmt not in ("md", "jsonl"):
        raise SystemExit(f"--format must be md or jsonl, got {fmt!r}")
    if mean_body_bytes < 150:
        raise SystemExit("--mean-body-bytes must be at least 150")
    started = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    generator = Generator(seed, perspectives, mean_body_bytes)
    total = 0
    if fmt == "md":
        sources = out
        for index in range(articles):
            doc_id, _, text = generator.article(index)
            data = text.encode("utf-8")
            (out / f"{doc_id}.md").write_bytes(data)
            total += len(data)
    else:
        sources = out / JSONL_NAME
        with sources.open("wb") as f:
            for index in range(articles):
                data = generator.record(index)[2].encode("utf-8")
                f.write(data)
                total += len(data)
    (out / "framelens.toml").write_text(config_toml(perspectives), encoding="utf-8")
    if not quiet:
        print(f"{articles:,} articles, {total / 1e6:.1f} MB in {sources} "
              f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return sources


def new_article(out_file: Path, *, seed: int = 7, perspectives: int = 4,
                doc_id: str = "new-article") -> Path:
    """One extra article (id ``doc_id``) from a different seed, for ``check new.md``."""
    generator = Generator(seed, perspectives)
    _, pid, text = generator.article(123_457)
    text = re.sub(r"^id: .*$", f"id: {doc_id}", text, count=1, flags=re.MULTILINE)
    out_file.write_text(text, encoding="utf-8")
    return out_file


def new_record(*, seed: int = 7, perspectives: int = 4, doc_id: str = "new-article",
               mean_body_bytes: int = MEAN_BODY_BYTES) -> str:
    """One extra JSONL row (id ``doc_id``, ends in a newline) from a different seed."""
    generator = Generator(seed, perspectives, mean_body_bytes)
    fields, body = generator.article_fields(123_457)
    fields["id"] = doc_id
    return json.dumps({**fields, "text": body}, ensure_ascii=False, separators=(", ", ": ")) + "\n"


def config_toml(perspectives: int) -> str:
    lines = ["# Generated by bench/generate.py: perspectives of the synthetic benchmark corpus.", ""]
    for pid, label, colour, _ in PERSPECTIVES[:perspectives]:
        lines += ["[[perspectives]]", f'id = "{pid}"', f'label = "{label}"',
                  f'colour = "{colour}"', ""]
    return "\n".join(lines)


def heaps_report(folder: Path) -> list[tuple[int, int, int]]:
    """(articles, tokens, types) at growing prefixes of the corpus (``\\w+`` lower-cased)."""
    paths = sorted(folder.glob("*.md"))
    pattern = re.compile(r"\w+")
    seen: set[str] = set()
    tokens = 0
    rows = []
    marks = {int(len(paths) * f) for f in (0.01, 0.1, 0.25, 0.5, 1.0)}
    for i, path in enumerate(paths, start=1):
        words = pattern.findall(path.read_text(encoding="utf-8").lower())
        tokens += len(words)
        seen.update(words)
        if i in marks:
            rows.append((i, tokens, len(seen)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--perspectives", type=int, default=4)
    parser.add_argument("--format", choices=("md", "jsonl"), default="md", dest="fmt",
                        help="md: a Markdown file an article (default); jsonl: one "
                             f"{JSONL_NAME} with an article a line")
    parser.add_argument("--mean-body-bytes", type=int, default=MEAN_BODY_BYTES,
                        help=f"mean body length in bytes before sentence packing (default "
                             f"{MEAN_BODY_BYTES}; 2,100 gives about 2.7 KB a JSONL row)")
    parser.add_argument("--report", action="store_true",
                        help="print the vocabulary growth (types per tokens) afterwards (md only)")
    args = parser.parse_args(argv)
    generate(args.articles, args.out, seed=args.seed, perspectives=args.perspectives,
             fmt=args.fmt, mean_body_bytes=args.mean_body_bytes)
    if args.report and args.fmt == "md":
        print("articles\ttokens\ttypes")
        for row in heaps_report(args.out):
            print("\t".join(str(v) for v in row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
