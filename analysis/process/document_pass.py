"""One pass over each new document: sentences, tokens, annotations and tones in one task.

Every product of a document that the lenses read is a pure function of its
text and the corpus config: its sentences and tokens (``pipeline``), its target
mentions, stance cues, topic hits and naming mentions (``annotators``), and
the VADER tone of the sentences that mention a target or hit a topic
(``tone``). :func:`prepare` computes all of them for the documents the cache
does not hold, in one map task per chunk of documents (one read of the text,
one trip to a worker and back), and stores them where the lenses look: the
document cache, and the run's memo. Lenses then find everything ready; what
they ask for beyond it (``--target-alias``, a topic subset, mention windows)
takes their own, usual path.

The map runs on the run's engine (:mod:`framelens.analysis.parallel`): a local
process pool or a Dask cluster. Workers return their results; only this
process writes the cache.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Sequence

from framelens.analysis.io.documents import Corpus
from framelens.analysis.parallel import PARALLEL_MIN_DOCUMENTS, parallel_map
from framelens.analysis.process.annotations import PENDING_MEMO_KEY, Annotator
from framelens.analysis.process.annotators import (
    configured_targets,
    cue_annotator,
    naming_annotator,
    target_annotator,
    topic_annotator,
)
from framelens.analysis.process.pipeline import (
    ProcessedDocument,
    decode_blob,
    document_cache,
    document_digests,
    encode_payload,
    payload_outline,
    process_text,
    processed,
    store_outlines,
)
from framelens.analysis.process.tone import TONE_LANGUAGES, TONE_MEMO_KEY, score_texts

# Documents a task handles at most: results stream back while other chunks run.
_CHUNK_DOCUMENTS = 64


def standard_annotators(corpus: Corpus) -> tuple[Annotator, ...]:
    """The annotations every framing lens reads, for the corpus's config as it is."""
    config = corpus.config
    return (target_annotator(configured_targets(config)), cue_annotator(config),
            topic_annotator(config.topics), naming_annotator(config.naming))


def prepare(corpus: Corpus) -> None:
    """Process, annotate and tone every document the cache lacks, in one map (memoised).

    Once the corpus's documents are processed (by this or any earlier step of
    the run), this does nothing: documents already in the cache keep their
    cached annotations, and lenses compute what is missing their usual way.
    When the cache holds some of the documents, only the others are read,
    processed and stored, and the cached ones are not decoded: lenses that
    need only outlines, annotations and tones never decode them.
    """
    if "processed" in corpus.memo or "prepared" in corpus.memo:
        return
    pending: dict[str, tuple] = corpus.memo.setdefault(PENDING_MEMO_KEY, {})  # type: ignore[assignment]
    tones: dict[tuple[str, int], float] = corpus.memo.setdefault(TONE_MEMO_KEY, {})  # type: ignore[assignment]

    def process_missing(digests: list[str], items: list[tuple[str, bool, str]]
                        ) -> list[tuple[tuple, bytes | None]]:
        annotators = standard_annotators(corpus)  # built only when a document is new
        check_options = _check_options(corpus)
        results = parallel_map(_pass_chunk, items, min_items=PARALLEL_MIN_DOCUMENTS,
                               chunk_limits=(16, _CHUNK_DOCUMENTS),
                               shared=(annotators, sorted(TONE_LANGUAGES), check_options))
        fresh_annotations: dict[str, tuple] = {}
        fresh_tones: dict[tuple[str, int], float] = {}
        payloads = []
        for digest, (blob, found, toned, scores, _) in zip(digests, results, strict=True):
            payloads.append((decode_blob(blob), blob))
            for annotator, payload in zip(annotators, found, strict=True):
                fresh_annotations[annotator.cache_key(digest)] = payload
            fresh_tones.update(((digest, i), score) for i, score in zip(toned, scores, strict=True))
        pending.update(fresh_annotations)
        tones.update(fresh_tones)
        cache = document_cache(corpus)
        if cache is not None:
            cache.put_many(fresh_annotations)
            cache.put_tones(fresh_tones)
            if check_options is not None:
                _store_check_products(cache, check_options[2], digests,
                                      [result[4] for result in results])
        return payloads

    cache = document_cache(corpus)
    digests = document_digests(corpus)
    held = cache.held(digests) if cache is not None else set()
    new = {digest: document for digest, document in zip(digests, corpus.documents, strict=True)
           if digest not in held}
    if 2 * len(new) > len(digests):
        # Mostly new (a cold run): the run keeps every document, as the count stage reads
        # them all, rather than decode them again from the cache.
        processed(corpus, process_missing)
        return
    if new:
        payloads = process_missing(list(new), [(d.text, d.is_markdown, d.language)
                                               for d in new.values()])
        assert cache is not None
        cache.put_blobs({digest: blob for digest, (_, blob) in zip(new, payloads, strict=True)})
        store_outlines(cache, (payload_outline(digest, payload)
                               for digest, (payload, _) in zip(new, payloads, strict=True)))
    corpus.memo["prepared"] = True


def _pass_chunk(items: list[tuple[str, bool, str]], shared) -> list[tuple]:
    """Each document's cache blob, annotations, toned sentence indices and their tones, and
    what ``check`` reads of it (:func:`_check_products`)."""
    annotators: Sequence[Annotator]
    annotators, tone_languages, check_options = shared
    payloads = []
    results = []
    for text, markdown, language in items:
        payload = process_text(text, markdown, language)
        document = ProcessedDocument("", "", "", *payload)
        annotations = tuple(annotator.compute(document) for annotator in annotators)
        toned: tuple[int, ...] = ()
        if document.language in tone_languages:
            toned = tuple(sorted({index for annotator, annotation in zip(annotators, annotations, strict=True)
                                  if annotator.toned is not None
                                  for index in annotator.toned(annotation)}))
        scores = tuple(score_texts([document.sentences[i] for i in toned]))
        results.append((encode_payload(payload), annotations, toned, scores))
        payloads.append(payload)
    products = _check_products(payloads, check_options)
    return [(*result, product) for result, product in zip(results, products, strict=True)]


# ------------------------------------------------------------------ check's products
# ``check`` reads of every document its fingerprint, language, terms and MinHash signature
# (:mod:`framelens.analysis.reports.duplicates`): pure functions of its tokens, language
# and the term options, computed here with the rest and cached by digest, so that the
# first ``check`` after ``compare`` reads them instead of every document's tokens.


def _check_options(corpus: Corpus) -> tuple | None:
    """The term options ``check`` will count this corpus's terms with (single words, no
    lemmas; the config's phrases; the config's stopwords and those of the languages the
    documents declare: when some do not, those of the others, and the options then differ
    only if a detected language is a new one, and ``check`` misses these products and
    computes its own), as (stopwords, phrases, their cache key); None when nothing is
    cached."""
    from framelens.analysis.process.term_summaries import summaries_key
    from framelens.analysis.store.document_cache import NO_CACHE_ENV
    from framelens.analysis.text.languages import stopwords_of

    if document_cache(corpus) is None or os.environ.get(NO_CACHE_ENV):
        return None
    config = corpus.config
    stopwords = config.stopwords | stopwords_of({d.language for d in corpus.documents})
    phrases = tuple(config.phrases)
    return stopwords, phrases, summaries_key((1, 1), False, phrases, stopwords, ())


def _check_products(payloads: list[tuple], check_options: tuple | None) -> list[tuple | None]:
    """Per processed payload, its cache entries for ``check`` (marshalled here, in the
    worker), in the order of their keys; None for each when ``check_options`` is None."""
    if check_options is None:
        return [None] * len(payloads)
    from framelens.analysis.process.term_summaries import (
        product_values,
        summarise_words,
        token_fingerprint,
    )

    stopwords, phrases, _ = check_options
    summaries = summarise_words([payload[1] for payload in payloads], stopwords, phrases)
    return [tuple(map(marshal.dumps, product_values(token_fingerprint(payload[1]), payload[4],
                                                    summary)))
            for payload, summary in zip(payloads, summaries, strict=True)]


def _store_check_products(cache, options_key: str, digests: list[str],
                          products: list[tuple]) -> None:
    from framelens.analysis.process.term_summaries import product_keys

    cache.put_blobs({key: blob for digest, blobs in zip(digests, products, strict=True)
                     for key, blob in zip(product_keys(digest, options_key), blobs,
                                          strict=True)})
