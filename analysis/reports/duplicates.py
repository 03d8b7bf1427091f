"""``check``'s duplicate checks, in time that grows with the corpus rather than its square.

Exact duplicates (FL040): two articles whose case-folded token sequences are equal. Each
document's fingerprint, the SHA-256 of its case-folded tokens joined by one space, is
cached by the document's digest, so a warm run never tokenizes or joins an unchanged
article again; articles are grouped by fingerprint.

Near-duplicates (FL041): the cosine u·v of the documents' TF-IDF vectors
(scikit-learn's definition, :func:`framelens.analysis.counts.near_duplicates.pair_cosines`:
tf = raw count, idf = ln((1 + n) / (1 + df)) + 1 over the whole corpus, rows
L2-normalised) over the pipeline's terms (config phrases merged, stopwords removed) is at
least ``[check] near_duplicate_threshold`` = t. The pairs whose cosine is computed are
found by MinHash + LSH banding over each document's set of terms
(:mod:`framelens.analysis.counts.near_duplicates`); every reported cosine is the exact one,
so banding can only miss a pair, never report a false one.

Recall. A TF-IDF cosine does not bound the Jaccard similarity s of the two term sets in
general (a term repeated often can carry the cosine alone; for 0/1 weights s >= cos²), so
the bound is empirical: on near-duplicates made from the generated benchmark corpus by
substituting terms, deleting a run of terms, appending another article's terms or
substituting rare terms, at 30 edit levels (``bench/check_scale.py --recall``), the smallest
s among pairs with cosine in [t, t + 0.03) was 0.44 at t = 0.8, 0.57 at 0.85, 0.63 at 0.9
and 0.77 at 0.95: always above the floor s0 = t² - 0.22 (:data:`JACCARD_MARGIN`). A pair
is compared when (1) its signatures agree on all rows of some band, missed with
probability (1 - s^r)^b, at most :data:`MAX_MISS` = 0.001 at s0 by the choice of b and r
(:func:`~framelens.analysis.counts.near_duplicates.banding_for`), and (2) they agree on at
least c of the 256 positions, c chosen so that Binomial(256, s0) falls below it with
probability at most :data:`MAX_FILTER_MISS` = 0.0001 (this drops the chance candidates of
unrelated articles, which share one band and little else). So a pair at s0 is missed with
probability at most 0.0011, and less above it. At the default t = 0.9: s0 = 0.59, b = 64
bands of r = 4 rows and c = 122; at s = 0.63, the smallest seen, (1 - s^4)^64 = 2e-5. Below
t ≈ 0.805 no banding with at least 3 rows reaches that recall, and every pair is compared
exactly (quadratic in the corpus for a whole-corpus check; linear for ``check new.md``).
Both ways, the check of a few named articles gives the rows the whole-corpus check gives
for them.

Caching. Per document digest: (fingerprint, language) and, per term options, (terms,
counts, MinHash signature) and the document's index row (fingerprint, language, signature).
The one pass over new documents (:mod:`framelens.analysis.process.document_pass`, run by
``compare``, ``stance``, ...) computes and caches them with the rest of each document, with
the term options of the languages the documents declare, so the first ``check`` after
``compare`` reads them rather than every document's tokens. Per corpus folder, one index
merges them: the digests with their multiplicity, fingerprints, languages, signatures, and
the document frequency of every term. A run updates the index by the documents added and
removed since it was stored (df is a sum, so the update is exact), so checking one new
article reads one stored index, processes that article, and never loads the other
articles' tokens. When many documents changed (1 % of them, and at least 64), or there is
no index, the rows come from the documents' cached rows and df is counted only when a
cosine needs it (a candidate pair passed the signature filter), from the cached term
summaries; the index is then stored, with its df. Without df it is stored only when it
holds more than the documents' cached rows, which the next run reads again as one range of
keys in about the time loading it would take. Fewer changes are applied again on each
run, from the per-document cache, faster than writing the index.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import chain

from framelens.analysis.counts.near_duplicates import (
    TermSummary,
    identity_key,
    product_entries,
    row_key,
    summaries_key,
    terms_key,
    token_fingerprint,
    valid_row,
    valid_summary,
)
from framelens.analysis.counts.near_duplicates import summarise_terms as _summarise_terms
from framelens.analysis.io.documents import Corpus
from framelens.analysis.process.pipeline import document_cache, document_digests, processed
from framelens.analysis.reports.check_codes import CheckRow, row
from framelens.analysis.store.corpus_summary import (
    SAVE_MIN_CHANGES,
    SAVE_SHARE,
    digest_changes,
)
from framelens.analysis.store.keys import DUPLICATES_INDEX_VERSION

# The index is stored again once this many documents changed (and 1/_SAVE_SHARE of them),
# as every corpus summary is.
_SAVE_MIN_CHANGES = SAVE_MIN_CHANGES
_SAVE_SHARE = SAVE_SHARE

JACCARD_MARGIN = 0.22
"""Banding is tuned for term-set Jaccard t² - JACCARD_MARGIN at cosine threshold t."""

MAX_MISS = 1e-3
"""Largest probability that banding misses a pair at that Jaccard similarity."""

MAX_FILTER_MISS = 1e-4
"""Largest probability that a candidate pair at that Jaccard similarity has too few equal
signature positions and is dropped before its cosine is computed."""

_SIMILARITY_BLOCK = 512  # target rows per sparse product in the exact (all-pairs) path
_SUMMARY_BATCH = 2048  # term summaries read from the cache at once
# Cached index rows are read as one range of keys from this many on, when the range holds
# at most this many times the rows wanted (a range read costs about half a lookup a row).
_RANGE_READ_MIN = 64
_RANGE_READ_EXCESS = 2


def jaccard_floor(threshold: float) -> float:
    """The term-set Jaccard similarity banding is tuned for at a cosine threshold t:
    t² - JACCARD_MARGIN (see the module docstring)."""
    return threshold * threshold - JACCARD_MARGIN


def banding(threshold: float) -> tuple[int, int] | None:
    """(bands, rows) for the near-duplicate threshold, or None: compare every pair."""
    from framelens.analysis.counts.near_duplicates import banding_for

    return banding_for(jaccard_floor(threshold), MAX_MISS)


def duplicate_rows(corpus: Corpus, reported: set[str]) -> list[CheckRow]:
    """FL040 and FL041 rows for the documents whose path is in ``reported``."""
    documents = corpus.documents
    threshold = corpus.config.check.near_duplicate_threshold
    # When near-duplicates will be searched, a document processed for its fingerprint is
    # summarised (terms, signature) at the same time rather than processed again.
    near = len(documents) >= 2 and threshold <= 1 and any(d.path in reported for d in documents)
    store = _Store(corpus, with_terms=near)
    fingerprints = store.fingerprints()
    rows: list[CheckRow] = []
    by_text: dict[str, list[int]] = defaultdict(list)
    for index, fingerprint in enumerate(fingerprints):
        if fingerprint:
            by_text[fingerprint].append(index)
    for group in by_text.values():
        if len(group) < 2:
            continue
        for i in group:
            if documents[i].path in reported:
                others = ", ".join(sorted(f"{documents[j].id} ({documents[j].path})"
                                          for j in group if j != i))
                rows.append(row("FL040", documents[i].path, documents[i].body_line,
                                f"same text as {others}; keep one of them"))
    if len(documents) < 2 or threshold > 1:
        store.save()
        return rows
    targets = [i for i, d in enumerate(documents) if d.path in reported]
    pairs = _near_pairs(store, fingerprints, targets, threshold)
    store.save()
    for i, j, value in pairs:
        rows.append(row("FL041", documents[i].path, documents[i].body_line,
                        f"near-duplicate of {documents[j].id} ({documents[j].path}): TF-IDF "
                        f"cosine {value:.3f} >= [check] near_duplicate_threshold = "
                        f"{threshold}; keep one version, or raise the threshold if both "
                        "belong in the corpus"))
    return rows


def _near_pairs(store: _Store, fingerprints: Sequence[str], targets: list[int],
                threshold: float) -> list[tuple[int, int, float]]:
    """(i, j, cosine) with i in ``targets``, cosine >= threshold and different fingerprints."""
    import numpy as np

    n_docs = len(fingerprints)
    if not targets:
        return []
    parameters = banding(threshold)
    if parameters is None:
        return _all_pairs(store, fingerprints, targets, threshold)
    # One representative per distinct digest (the same text in several files has the same
    # terms, so one pair of texts stands for every pair of their files, and a folder of
    # copies costs one row). Texts with equal fingerprints (case aside) are exact
    # duplicates, never near ones.
    members: dict[str, list[int]] = defaultdict(list)
    for index, digest in enumerate(store.digests):
        members[digest].append(index)
    has_terms = store.has_terms()
    representatives = [group[0] for group in members.values() if has_terms[group[0]]]
    if len(representatives) < 2:
        return []
    position = {store.digests[doc]: k for k, doc in enumerate(representatives)}
    signatures = store.signatures(representatives)
    target_reps = sorted({position[store.digests[i]] for i in targets
                          if store.digests[i] in position})
    from framelens.analysis.counts.near_duplicates import candidate_pairs

    first, second = candidate_pairs(signatures, target_reps, bands=parameters[0],
                                    rows=parameters[1])
    if not first.size:
        return []
    from framelens.analysis.counts.near_duplicates import agreeing_positions, min_agreement

    # Each unordered pair once; then only pairs whose whole signatures agree as often as a
    # pair at the Jaccard floor would (chance candidates share a band, rarely much more).
    low, high = np.minimum(first, second), np.maximum(first, second)
    codes = np.unique(low * len(representatives) + high)
    low, high = codes // len(representatives), codes % len(representatives)
    enough = agreeing_positions(signatures, low, high) >= min_agreement(
        jaccard_floor(threshold), MAX_FILTER_MISS)
    low, high = low[enough], high[enough]
    exact = np.array([fingerprints[representatives[a]] == fingerprints[representatives[b]]
                      for a, b in zip(low.tolist(), high.tolist(), strict=True)], dtype=bool)
    low, high = low[~exact], high[~exact]
    if not low.size:
        return []
    involved = np.unique(np.r_[low, high])
    counts, df = store.term_matrix([representatives[k] for k in involved.tolist()])
    local = np.full(len(representatives), -1, dtype=np.int64)
    local[involved] = np.arange(involved.size)
    from framelens.analysis.counts.near_duplicates import pair_cosines

    cosines = pair_cosines(counts, df, n_docs, local[low], local[high])
    similar = cosines >= threshold
    is_target = np.zeros(n_docs, dtype=bool)
    is_target[targets] = True
    found = []
    for a, b, value in zip(low[similar].tolist(), high[similar].tolist(),
                           cosines[similar].tolist(), strict=True):
        group_a = members[store.digests[representatives[a]]]
        group_b = members[store.digests[representatives[b]]]
        for left, right in ((group_a, group_b), (group_b, group_a)):
            found += [(i, j, value) for i in left if is_target[i] for j in right]
    found.sort()
    return found


def _all_pairs(store: _Store, fingerprints: Sequence[str], targets: list[int],
               threshold: float) -> list[tuple[int, int, float]]:
    """Every target against every document (sparse products in blocks of targets)."""
    import numpy as np

    from framelens.analysis.counts.near_duplicates import tfidf_rows

    n_docs = len(fingerprints)
    counts, df = store.term_matrix(range(n_docs))
    weights = tfidf_rows(counts, df, n_docs)
    found = []
    order = np.array(targets, dtype=np.int64)
    for start in range(0, order.size, _SIMILARITY_BLOCK):
        block = order[start:start + _SIMILARITY_BLOCK]
        similarity = (weights[block] @ weights.T).tocoo()
        first = block[similarity.row]
        keep = (similarity.data >= threshold) & (first != similarity.col)
        for i, j, value in zip(first[keep].tolist(), similarity.col[keep].tolist(),
                               similarity.data[keep].tolist(), strict=True):
            if fingerprints[i] and fingerprints[i] == fingerprints[j]:
                continue  # an exact duplicate (FL040)
            found.append((i, j, value))
    found.sort()
    return found


class _Store:
    """The summaries of one corpus's documents: from the run, the corpus index, the
    per-document cache, or computed (in that order), aligned with ``corpus.documents``."""

    def __init__(self, corpus: Corpus, *, with_terms: bool = False):
        self.corpus = corpus
        self.with_terms = with_terms  # documents processed for a fingerprint are summarised too
        self.cache = document_cache(corpus)
        self.digests = document_digests(corpus)
        self.family = "check-duplicates-" + hashlib.sha256(
            os.path.abspath(corpus.root).encode() if corpus.root else b"").hexdigest()
        self.index = _Index.load(self.cache, self.family)
        self.changes = 0  # documents (digests) that differ from the stored index
        self._synced = False
        self._options_key: str | None = None
        self._terms: dict[str, TermSummary] = {}
        self._signatures: dict[str, bytes] = {}  # read with the identities, for the index rows
        self._df_counted = False
        self._rows_only = False  # no index was stored, and every document's row is cached

    # -- fingerprints and languages ------------------------------------------------------

    def fingerprints(self) -> list[str]:
        """The fingerprint of every document (and the languages, set in the corpus memo)."""
        known = self.index.identity
        missing = [d for d in dict.fromkeys(self.digests) if d not in known]
        if missing:
            declared = _declared(self.corpus)
            found = self._cached_rows(missing) if declared else {}
            from_rows = len(found)
            rest = [d for d in missing if d not in found]
            if rest:
                found.update(self._cached_identities(rest))
            absent = [d for d in missing if d not in found]
            if absent:
                found.update(self._compute(absent, terms=self.with_terms))
            # Without a stored index, when every row is now cached (read, or just computed
            # and stored) and will be read in bulk next time (the term options are known
            # before any document is read), the index adds nothing to the rows until df is
            # counted.
            self._rows_only = not known and declared and (
                from_rows + (len(absent) if self.with_terms else 0) == len(missing))
            for digest in missing:
                known[digest] = found[digest]
        languages = tuple(known[d][1] for d in self.digests)
        self.corpus.memo.setdefault("languages", languages)  # what processed() would say
        return [known[d][0] for d in self.digests]

    def _cached_identities(self, digests: list[str]) -> dict[str, tuple[str, str]]:
        if self.cache is None:
            return {}
        keys = {identity_key(d): d for d in digests}
        found = {}
        for key, payload in self.cache.get_many(keys).items():
            if (isinstance(payload, tuple) and len(payload) == 2
                    and all(isinstance(v, str) for v in payload)):
                found[keys[key]] = payload
        return found

    def _cached_rows(self, digests: list[str]) -> dict[str, tuple[str, str]]:
        """Identities of these digests from their cached index rows (whose signatures are
        kept for the index): one small entry a document, what the one pass stores. Many
        rows are read in one range of the cache's keys when it holds few rows besides them
        (other corpora's, older versions'), else looked up one by one."""
        if self.cache is None or not digests:
            return {}
        prefix = row_key(self.options_key(), "")
        if (len(digests) >= _RANGE_READ_MIN
                and self.cache.count_prefixed(prefix) <= _RANGE_READ_EXCESS * len(digests)):
            wanted = set(digests)
            start = len(prefix)
            payloads = ((cache_key[start:], payload)
                        for cache_key, payload in self.cache.get_prefixed(prefix).items())
            payloads = ((d, payload) for d, payload in payloads if d in wanted)
        else:
            keys = {prefix + d: d for d in digests}
            payloads = ((keys[k], payload) for k, payload in self.cache.get_many(keys).items())
        found = {}
        for digest, payload in payloads:
            entry = valid_row(payload)
            if entry is not None:
                found[digest] = entry[:2]
                self._signatures[digest] = entry[2]
        return found

    # -- terms, signatures and document frequencies --------------------------------------

    def options_key(self) -> str:
        if self._options_key is None:
            from framelens.analysis.counts.matrices import term_options

            self.options = term_options(self.corpus)
            self._options_key = summaries_key(self.options)
        return self._options_key

    def _few_changes(self) -> int:
        """Changes at most this many documents are applied to the index's df as they come
        (and the index is not stored again); more drop df, counted again when needed."""
        return max(_SAVE_MIN_CHANGES, len(self.digests) // _SAVE_SHARE)

    def _sync_index(self) -> None:
        """Bring the index's rows (signatures) to this corpus's documents, and its df when
        it holds one and few documents changed (once)."""
        if self._synced:
            return
        index = self.index
        key = self.options_key()
        if index.options_key != key:
            index.reset_terms(key)
        delta = digest_changes(index.multiplicity, self.digests)
        if delta:
            if index.df is not None and len(delta) <= self._few_changes():
                summaries = self.term_summaries(list(delta))
                if any(d not in summaries for d in delta):  # a removed document's terms are gone
                    index.df = None
                else:
                    index.apply_df(delta, summaries)
            else:
                index.df = None
            added = [d for d, change in delta.items() if change > 0 and d not in index.rows]
            index.apply_rows(delta, self._signatures_of(added))
            self.changes = len(delta)
        self._synced = True

    def _signatures_of(self, digests: list[str]) -> dict[str, bytes]:
        """Signatures of these digests: this run's, from their cached rows or summaries, or
        computed."""
        found = {d: self._terms[d].signature for d in digests if d in self._terms}
        found.update((d, self._signatures[d]) for d in digests
                     if d in self._signatures and d not in found)
        missing = [d for d in digests if d not in found]
        if missing and self.cache is not None:
            key = self.options_key()
            keys = {row_key(key, d): d for d in missing}
            for cache_key, payload in self.cache.get_many(keys).items():
                entry = valid_row(payload)
                if entry is not None:
                    found[keys[cache_key]] = entry[2]
            missing = [d for d in missing if d not in found]
        for start in range(0, len(missing), _SUMMARY_BATCH):
            batch = missing[start:start + _SUMMARY_BATCH]
            found.update((d, s.signature) for d, s in self.term_summaries(batch, keep=False).items())
        return found

    def _ensure_df(self) -> None:
        """Count df over the indexed documents when the index holds none: term summaries
        read in batches, in the order of their digests (the columns the index would get
        from applying every document at once)."""
        index = self.index
        if index.df is not None:
            return
        totals: Counter[str] = Counter()
        digests = sorted(index.multiplicity)
        for start in range(0, len(digests), _SUMMARY_BATCH):
            batch = digests[start:start + _SUMMARY_BATCH]
            summaries = self.term_summaries(batch, keep=False)
            for digest in batch:
                times = index.multiplicity[digest]
                if times == 1:
                    totals.update(summaries[digest].terms)
                else:
                    for term in summaries[digest].terms:
                        totals[term] += times
        index.vocabulary = {term: column for column, term in enumerate(totals)}
        index.df = list(totals.values())
        self._df_counted = True

    def has_terms(self) -> list[bool]:
        self._sync_index()
        rows = self.index.rows
        return [rows[d][1] for d in self.digests]

    def signatures(self, documents: Sequence[int]):
        """Signatures (uint16 rows) of these documents, from the index."""
        self._sync_index()
        return self.index.signature_rows([self.digests[i] for i in documents])

    def term_matrix(self, documents: Sequence[int]):
        """(documents × terms count matrix, df of each term in the whole corpus); the terms
        are the index's. Summaries are read in batches and kept as column numbers only, so
        a whole corpus never holds every document's term strings at once."""
        import numpy as np
        from scipy import sparse

        self._sync_index()
        self._ensure_df()
        vocabulary = self.index.vocabulary
        digests = [self.digests[i] for i in documents]
        unique = list(dict.fromkeys(digests))
        rows: dict[str, tuple] = {}
        for start in range(0, len(unique), _SUMMARY_BATCH):
            for digest, summary in self.term_summaries(unique[start:start + _SUMMARY_BATCH],
                                                       keep=False).items():
                rows[digest] = (np.fromiter(map(vocabulary.__getitem__, summary.terms),
                                            dtype=np.int64, count=len(summary.terms)),
                                summary.counts)
        lengths = np.fromiter((len(rows[d][1]) for d in digests), dtype=np.int64,
                              count=len(digests))
        columns = (np.concatenate([rows[d][0] for d in digests]) if digests
                   else np.zeros(0, dtype=np.int64))
        values = np.fromiter(chain.from_iterable(rows[d][1] for d in digests),
                             dtype=np.float64, count=int(lengths.sum()))
        indptr = np.r_[0, np.cumsum(lengths)]
        df = self.index.df
        assert df is not None
        matrix = sparse.csr_matrix((values, columns, indptr), shape=(len(digests), len(df)))
        return matrix, np.asarray(df, dtype=np.int64)

    def term_summaries(self, digests: list[str], *, keep: bool = True) -> dict[str, TermSummary]:
        """Term summaries of these digests: this run's, cached, or computed (those of the
        corpus's documents); ``keep``: remember those read from the cache for this run."""
        key = self.options_key()
        found = {d: self._terms[d] for d in digests if d in self._terms}
        missing = [d for d in digests if d not in found]
        if missing and self.cache is not None:
            keys = {terms_key(key, d): d for d in missing}
            for cache_key, payload in self.cache.get_many(keys).items():
                summary = valid_summary(payload)
                if summary is not None:
                    found[keys[cache_key]] = summary
                    if keep:
                        self._terms[keys[cache_key]] = summary
            missing = [d for d in missing if d not in found]
        present = set(self.digests)
        computable = [d for d in missing if d in present]
        if computable:
            self._compute(computable, terms=True)
            found.update((d, self._terms[d]) for d in computable)
        return found

    # -- computing from the pipeline -----------------------------------------------------

    def _compute(self, digests: list[str], *, terms: bool = False) -> dict[str, tuple[str, str]]:
        """Process these documents (one of each digest); store their identities (those not
        known yet) and, with ``terms``, their term summaries and index rows."""
        chosen: dict[str, int] = {}
        wanted = set(digests)
        for i, digest in enumerate(self.digests):
            if digest in wanted:
                chosen.setdefault(digest, i)
        docs = processed_subset(self.corpus, list(chosen.values()))
        known = self.index.identity
        identities = {doc.digest: (token_fingerprint(doc.tokens), doc.language)
                      for doc in docs if doc.digest not in known}
        payloads: dict[str, object] = {identity_key(d): v for d, v in identities.items()}
        if terms:
            key = self.options_key()
            summaries = _summarise_terms([doc.tokens for doc in docs], self.options)
            for doc, summary in zip(docs, summaries, strict=True):
                self._terms[doc.digest] = summary
                fingerprint, language = identities.get(doc.digest) or known[doc.digest]
                payloads.update(product_entries(doc.digest, fingerprint, language, summary,
                                                key))
        if self.cache is not None:
            self.cache.put_many(payloads)
        return identities

    def save(self) -> None:
        """Store the index when enough documents changed, or df was counted in this run:
        writing it costs time in proportion to the corpus, while a few changes are applied
        again, from the per-document cache, in less time than that. An index is stored
        without df when no cosine needed it, unless it holds nothing but the documents'
        cached rows (what ``compare`` leaves): then reading those rows again costs about
        what loading it would (0.2 s at 50,000 articles), and writing it 35 MB."""
        if self.cache is None:
            return
        self._sync_index()
        if self._df_counted or (self.changes and self.changes >= self._few_changes()
                                and not self._rows_only):
            self.index.save(self.cache, self.family)


def _declared(corpus: Corpus) -> bool:
    """Whether every document declares its language, so the term options are known before
    any document is read."""
    return "languages" in corpus.memo or all(d.language for d in corpus.documents)


def processed_subset(corpus: Corpus, indices: Sequence[int]):
    """:func:`processed` documents at ``indices``, processing (or loading) only those."""
    if len(indices) == len(corpus.documents) or "processed" in corpus.memo:
        every = processed(corpus)
        return [every[i] for i in indices]
    subset = Corpus(tuple(corpus.documents[i] for i in indices), corpus.config, corpus.root,
                    corpus.use_cache, corpus.lemmas)
    if "cache" in corpus.memo:
        subset.memo["cache"] = corpus.memo["cache"]
    return list(processed(subset))


class _Index:
    """One corpus folder's merged summaries (stored as one corpus entry).

    ``identity``: digest → (fingerprint, language); ``multiplicity``: how many documents
    of the indexed corpus have each digest; ``rows``: digest → (signature row, has terms);
    ``df``: term → number of documents (with multiplicity) that contain it (column
    ``vocabulary[term]``), or None when not counted yet.
    """

    def __init__(self):
        self.identity: dict[str, tuple[str, str]] = {}
        self.reset_terms("")

    def reset_terms(self, options_key: str) -> None:
        self.options_key = options_key
        self.multiplicity: dict[str, int] = {}
        self.rows: dict[str, tuple[int, bool]] = {}
        self.signature_blocks: list[bytes] = []
        self.vocabulary: dict[str, int] = {}
        self.df: list[int] | None = []  # None: not counted (see _Store._ensure_df)

    @classmethod
    def load(cls, cache, family: str) -> _Index:
        """The stored index; an empty one when there is none or it has the wrong shape."""
        from framelens.analysis.counts.near_duplicates import NUM_PERMUTATIONS

        index = cls()
        payload = cache.get_entry(family, DUPLICATES_INDEX_VERSION) if cache is not None \
            else None
        try:
            (options_key, identity_digests, fingerprints, languages, digests, multiplicity,
             has_terms, signatures, vocabulary, df) = payload  # type: ignore[misc]
            counted = df is not None or vocabulary is not None
            if not counted:  # stored before df was counted
                vocabulary = df = ()
            if not (isinstance(options_key, str) and isinstance(has_terms, bytes)
                    and isinstance(signatures, bytes)
                    and len(digests) == len(multiplicity) == len(has_terms)
                    and len(signatures) == 2 * NUM_PERMUTATIONS * len(digests)
                    and len(vocabulary) == len(df)
                    and set(map(type, chain(identity_digests, fingerprints, languages, digests,
                                            vocabulary))) <= {str}
                    and set(map(type, chain(multiplicity, df))) <= {int}
                    and min(chain(multiplicity, df), default=1) > 0):
                return index
            identity = dict(zip(identity_digests, zip(fingerprints, languages, strict=True),
                                strict=True))
        except (TypeError, ValueError):
            return index
        index.identity = identity
        index.options_key = options_key
        index.multiplicity = dict(zip(digests, multiplicity, strict=True))
        index.rows = {d: (k, bool(flag)) for k, (d, flag) in
                      enumerate(zip(digests, has_terms, strict=True))}
        index.signature_blocks = [signatures]
        index.vocabulary = {t: k for k, t in enumerate(vocabulary)}
        index.df = list(df) if counted else None
        return index

    def _signature_array(self):
        import numpy as np

        from framelens.analysis.counts.near_duplicates import NUM_PERMUTATIONS

        if len(self.signature_blocks) != 1:
            self.signature_blocks = [b"".join(self.signature_blocks)]
        return np.frombuffer(self.signature_blocks[0], dtype="<u2").reshape(-1, NUM_PERMUTATIONS)

    def signature_rows(self, digests: Sequence[str]):
        import numpy as np

        table = self._signature_array()
        return table[np.array([self.rows[d][0] for d in digests], dtype=np.int64)]

    def apply_df(self, delta: dict[str, int], summaries: dict[str, TermSummary]) -> None:
        """Add (or remove, for negative counts) documents' terms to df, by digest."""
        assert self.df is not None
        for digest, change in sorted(delta.items()):
            for term in summaries[digest].terms:
                column = self.vocabulary.get(term)
                if column is None:
                    column = self.vocabulary[term] = len(self.df)
                    self.df.append(0)
                self.df[column] += change

    def apply_rows(self, delta: dict[str, int], signatures: dict[str, bytes]) -> None:
        """Add (or remove, for negative counts) documents by digest; ``signatures``: those
        of the digests the index has no row for."""
        from framelens.analysis.counts.near_duplicates import NUM_PERMUTATIONS

        blank = bytes(2 * NUM_PERMUTATIONS)
        if not (self.multiplicity or self.rows):  # nothing indexed yet: every change adds
            ordered = sorted(d for d, change in delta.items() if change > 0)
            self.multiplicity = {d: delta[d] for d in ordered}
            self.rows = {d: (k, bool(signatures[d])) for k, d in enumerate(ordered)}
            self.signature_blocks = [b"".join(signatures[d] or blank for d in ordered)]
            return
        for digest, change in sorted(delta.items()):
            total = self.multiplicity.get(digest, 0) + change
            if total > 0:
                self.multiplicity[digest] = total
                if digest not in self.rows:
                    signature = signatures[digest]
                    self.rows[digest] = (len(self.rows), bool(signature))
                    self.signature_blocks.append(signature or blank)
            else:
                self.multiplicity.pop(digest, None)

    def save(self, cache, family: str) -> None:
        """Store the index (rows of removed documents and terms no document has dropped)."""
        table = self._signature_array()
        digests = [d for d in self.rows if d in self.multiplicity]
        rows = [self.rows[d][0] for d in digests]
        signatures = table[rows].tobytes() if rows else b""
        df = self.df
        kept = [t for t, k in self.vocabulary.items() if df[k] > 0] if df is not None else []
        present = set(self.multiplicity)
        identity = {d: v for d, v in self.identity.items() if d in present} \
            if len(self.identity) > 2 * max(len(present), 1) else self.identity
        payload = (self.options_key, tuple(identity), tuple(v[0] for v in identity.values()),
                   tuple(v[1] for v in identity.values()), tuple(digests),
                   tuple(self.multiplicity[d] for d in digests),
                   bytes(self.rows[d][1] for d in digests), signatures,
                   tuple(kept) if df is not None else None,
                   tuple(df[self.vocabulary[t]] for t in kept) if df is not None else None)
        cache.put_entry(family, DUPLICATES_INDEX_VERSION, payload)

