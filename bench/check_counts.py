"""Check the vectorised term counting against a plain per-token reference.

Run from the repository root::

    .venv/bin/python bench/check_counts.py [CORPUS ...]

(default: the bundled corpus and a generated 2,000-article corpus). For
several term options (n-gram ranges, stopwords kept or not, the config's
phrases, hundreds of frequent word pairs as phrases, extra stopwords) and
three kinds of units (documents, sentences, generators of every other
sentence), ``framelens.analysis.counts.matrices.count_units`` must give exactly what
the reference below gives: the same terms, display forms, token totals and
the same CSR matrix (values, indices, dtypes). It also prints both timings.

The reference is the definition written as a per-token loop: keys are
``term_key``; configured phrases are merged greedily, longest first, left to
right, compared case-insensitively; a unigram counts unless it is a
stopword; an n-gram counts unless its first or last word is one (stopwords
kept: everything counts); n-grams never cross a sentence; a term is shown in
its most frequent surface form, ties going to the smallest string.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def reference_counts(units, options):
    from scipy import sparse

    from framelens.analysis.counts.matrices import TermCounts, phrase_keys
    from framelens.analysis.text.normalize import is_stopword, term_key

    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in options.phrases:
        keys = tuple(k.lower() for k in phrase_keys(phrase))
        if len(keys) >= 2:
            index.setdefault(keys[0], []).append(keys)
    for candidates in index.values():
        candidates.sort(key=len, reverse=True)
    low, high = options.ngram_range
    rows: list[Counter[str]] = []
    surface: Counter[tuple[str, str]] = Counter()
    totals = []
    for unit in units:
        counts: Counter[str] = Counter()
        total = 0
        for tokens in unit:
            keys, forms = [term_key(t) for t in tokens], list(tokens)
            merged_keys, merged_forms, i = [], [], 0
            while i < len(keys):
                for candidate in index.get(keys[i].lower(), ()):
                    if tuple(k.lower() for k in keys[i:i + len(candidate)]) == candidate:
                        merged_keys.append(" ".join(candidate))
                        merged_forms.append(" ".join(forms[i:i + len(candidate)]))
                        i += len(candidate)
                        break
                else:
                    merged_keys.append(keys[i])
                    merged_forms.append(forms[i])
                    i += 1
            keep = [options.keep_stopwords or not is_stopword(k, options.extra_stopwords)
                    for k in merged_keys]
            total += sum(keep)
            for n in range(low, high + 1):
                for start in range(len(merged_keys) - n + 1):
                    if not (keep[start] and keep[start + n - 1]):
                        continue
                    key = " ".join(merged_keys[start:start + n])
                    counts[key] += 1
                    surface[(key, " ".join(merged_forms[start:start + n]))] += 1
        rows.append(counts)
        totals.append(total)
    terms = sorted({key for counts in rows for key in counts})
    column = {key: i for i, key in enumerate(terms)}
    indptr, indices, data = [0], [], []
    for counts in rows:
        for key, count in counts.items():
            indices.append(column[key])
            data.append(count)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix((np.asarray(data, dtype=np.int64), np.asarray(indices, dtype=np.int64),
                                np.asarray(indptr, dtype=np.int64)), shape=(len(rows), len(terms)))
    matrix.sort_indices()
    best: dict[str, tuple[int, str]] = {}
    for (key, form), count in surface.items():
        if key not in best or (-count, form) < (-best[key][0], best[key][1]):
            best[key] = (count, form)
    display = tuple(best[key][1] for key in terms)
    ngram = np.array([key.count(" ") + 1 for key in terms], dtype=np.int64)
    return TermCounts(matrix, tuple(terms), display, ngram, np.asarray(totals, dtype=np.int64))


def same(a, b) -> list[str]:
    problems = []
    if a.terms != b.terms:
        problems.append("terms")
    if a.display != b.display:
        problems.append("display")
    if not np.array_equal(a.token_totals, b.token_totals):
        problems.append("token_totals")
    if not np.array_equal(a.ngram, b.ngram):
        problems.append("ngram")
    ma, mb = a.matrix, b.matrix
    if ma.shape != mb.shape or ma.data.dtype != mb.data.dtype or ma.indices.dtype != mb.indices.dtype:
        problems.append(f"matrix shape/dtypes {ma.shape} {mb.shape} {ma.indices.dtype} {mb.indices.dtype}")
    elif not (np.array_equal(ma.indptr, mb.indptr) and np.array_equal(ma.indices, mb.indices)
              and np.array_equal(ma.data, mb.data)):
        problems.append("matrix values")
    return problems


def main(argv: list[str]) -> int:
    from framelens.analysis.counts.matrices import TermOptions, count_units
    from framelens.analysis.io.reader import load_corpus
    from framelens.analysis.process.pipeline import processed

    corpora = [Path(p) for p in argv]
    if not corpora:
        corpora = [ROOT / "sources"]
        generated = Path(tempfile.mkdtemp(prefix="framelens-counts-")) / "corpus"
        sys.path.insert(0, str(HERE))
        import generate

        generate.generate(2000, generated, quiet=True)
        corpora.append(generated)
    failures = 0
    for folder in corpora:
        corpus = load_corpus(folder, use_cache=False)
        documents = processed(corpus)
        pairs: Counter[tuple[str, str]] = Counter()
        for doc in documents[:500]:
            for tokens in doc.tokens:
                lowered = [t.lower() for t in tokens]
                pairs.update(zip(lowered, lowered[1:], strict=False))
        frequent = tuple(" ".join(p) for p, _ in pairs.most_common(300))
        config = corpus.config.phrases
        option_sets = [
            TermOptions(),
            TermOptions(phrases=config, extra_stopwords=corpus.config.stopwords),
            TermOptions((1, 2), False, config + ("U.S. officials", "Russia's security")),
            TermOptions((1, 2), True, config),
            TermOptions((2, 3), False, config, frozenset({"russia", "security guarantees"})),
            TermOptions((1, 1), False, config + frequent),
            TermOptions((1, 2), True, frequent),
        ]
        unit_sets = {
            "documents": lambda docs=documents: [d.tokens for d in docs],
            "sentences": lambda docs=documents: [[t] for d in docs for t in d.tokens],
            "generators": lambda docs=documents: [(s for s in d.tokens[::2]) for d in docs],
        }
        for options in option_sets:
            for name, make in unit_sets.items():
                if name != "documents" and options.ngram_range != (1, 1):
                    continue
                started = time.perf_counter()
                expected = reference_counts(make(), options)
                middle = time.perf_counter()
                actual = count_units(make(), options)
                done = time.perf_counter()
                problems = same(expected, actual)
                failures += bool(problems)
                print(f"{folder.name}: {name}, ngram {options.ngram_range}, stopwords kept "
                      f"{options.keep_stopwords}, {len(options.phrases)} phrases: "
                      f"{'OK' if not problems else 'DIFFERENT ' + ', '.join(problems)} "
                      f"(reference {middle - started:.2f} s, count_units {done - middle:.2f} s)")
    print("all equal" if not failures else f"{failures} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
