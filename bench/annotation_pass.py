"""The one pass's text work without VADER: processing and the four annotators.

Run from the repository root::

    .venv/bin/python bench/annotation_pass.py time --sources S [--config C] [--repeats 3]
        [--baseline DIR]
    .venv/bin/python bench/annotation_pass.py dump --sources S [--config C] [--sample N] --out F

``time`` runs what the one pass (``document_pass._pass_chunk``) does for each
document apart from VADER: ``process_text`` and the standard annotators (target
mentions, stance cues, topic hits, naming mentions), once in each of ``--repeats``
fresh processes (as a cold run does: nothing remembered from an earlier pass), and
prints the median of each part in CPU seconds of the process (steadier than wall
time on a shared machine). ``--baseline DIR`` alternates those processes with ones
that import ``framelens`` from ``DIR`` (a folder holding a ``framelens``
package, e.g. links to another commit's ``analysis``, ``cli`` and ``sources``), so
both are timed under the same load. ``dump`` writes every document's
cache blob (``encode_payload``) and annotations to a pickle and prints its SHA-256:
two versions of the code give the same products exactly when the digests agree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process.document_pass import standard_annotators
from framelens.analysis.process.pipeline import ProcessedDocument, encode_payload, process_text


def _corpus(args):
    corpus = load_corpus(Path(args.sources), config_path=Path(args.config) if args.config else None,
                         use_cache=False)
    documents = list(corpus.documents)
    if args.sample and args.sample < len(documents):
        documents = random.Random(14).sample(documents, args.sample)
    return corpus, documents


def dump(args) -> None:
    corpus, documents = _corpus(args)
    annotators = standard_annotators(corpus)
    rows = []
    for doc in documents:
        payload = process_text(doc.text, doc.is_markdown, doc.language)
        processed = ProcessedDocument("", "", "", *payload)
        rows.append((doc.id, encode_payload(payload),
                     tuple(annotator.compute(processed) for annotator in annotators)))
    data = pickle.dumps(rows, protocol=5)
    Path(args.out).write_bytes(data)
    print(f"{len(rows)} documents, sha256 {hashlib.sha256(data).hexdigest()}")


def one_pass(args) -> None:
    """One timed pass in this process; prints ``{part: seconds}`` as JSON."""
    corpus, documents = _corpus(args)
    annotators = standard_annotators(corpus)
    items = [(doc.text, doc.is_markdown, doc.language) for doc in documents]
    spent = {"process_text": 0.0, **{annotator.kind: 0.0 for annotator in annotators}}
    clock = time.process_time  # CPU seconds: steadier than wall time on a shared machine
    for item in items:
        started = clock()
        processed = ProcessedDocument("", "", "", *process_text(*item))
        spent["process_text"] += clock() - started
        for annotator in annotators:
            started = clock()
            annotator.compute(processed)
            spent[annotator.kind] += clock() - started
    spent["total"] = sum(spent.values())
    print(json.dumps({"documents": len(items), "seconds": spent}))


def timing(args) -> None:
    command = [sys.executable, __file__, "once", "--sources", args.sources,
               *(["--config", args.config] if args.config else []),
               *(["--sample", str(args.sample)] if args.sample else [])]
    versions = {"this": None, **({"baseline": args.baseline} if args.baseline else {})}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
    documents = 0
    for _ in range(args.repeats):
        for name, path in versions.items():
            env = dict(os.environ)
            if path:
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [path, env.get("PYTHONPATH")]))
            result = json.loads(subprocess.run(command, env=env, check=True, capture_output=True,
                                               text=True).stdout)
            documents = result["documents"]
            runs[name].append(result["seconds"])
    print(f"{documents} documents, median of {args.repeats} fresh processes each:")
    for name, results in runs.items():
        print(f"  {name}:")
        for part in results[0]:
            values = [r[part] for r in results]
            print(f"    {part:14} {statistics.median(values):7.2f} s   "
                  f"({', '.join(f'{v:.2f}' for v in values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("time", "dump", "once"))
    parser.add_argument("--sources", required=True)
    parser.add_argument("--config")
    parser.add_argument("--sample", type=int, default=0, help="a seeded sample of this many documents")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out")
    parser.add_argument("--baseline", help="a folder holding the framelens package to compare with")
    args = parser.parse_args()
    {"dump": dump, "time": timing, "once": one_pass}[args.mode](args)


if __name__ == "__main__":
    main()
