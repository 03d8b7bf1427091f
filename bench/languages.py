"""Throughput of Chinese against English: the text pipeline and whole commands.

Run from the repository root (generates both corpora on first use)::

    .venv/bin/python bench/languages.py                 # 2,000 articles each
    .venv/bin/python bench/languages.py --articles 500  # quicker
    /work/venv/bin/python bench/languages.py --english-only   # another checkout's code

English: ``bench/generate.py``'s synthetic news corpus (``language: en``).
Chinese: the same number of articles and about the same bytes, built from a
bank of hand-written news sentences (the Chinese leads of
``bench/language_leads.tsv`` and ``ZH_SENTENCES`` below) drawn at random,
with a random number in each so no two articles are alike; once with
``language: zh`` declared and once without (detected by lingua). When the
original Python jieba is installed (``pip install jieba``; not a framelens
dependency), the script also counts the tokens on which framelens's
segmenter (rjieba, jieba-rs) and jieba differ on the Chinese corpus.

Measured, each in a fresh process:

* pipeline: ``process_text`` over every body on one core (reading excluded), MB/s;
* ``framelens keywords`` and ``framelens stance`` cold (``--no-cache``, all cores),
  wall time and corpus MB/s.

The issue's target: Chinese at no less than a third of English throughput.
The figures depend on the machine and its load (the report prints the load
average); this script is not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
COMMANDS = ("keywords", "stance")
CHINESE_ENDS = "。。。。！？；"


def english_corpus(articles: int) -> Path:
    folder = OUT / f"lang-en-{articles}"
    if not (folder / "framelens.toml").exists():
        sys.path.insert(0, str(HERE))
        from generate import generate

        generate(articles, folder, quiet=True)
    return folder


ZH_SENTENCES = (
    "北约秘书长斯托尔滕贝格表示，北约不会在乌克兰问题上让步。",
    "俄罗斯外交部副部长里亚布科夫说，俄方要求美国提供具有法律约束力的安全保障！",
    "中方呼吁各方保持克制；通过对话协商解决分歧。",
    "美国国务卿布林肯与俄罗斯外长拉夫罗夫在日内瓦举行会谈。",
    "分析人士认为，欧洲安全架构失衡是乌克兰危机的根源。",
    "乌克兰总统泽连斯基呼吁西方国家加大对乌军事援助。",
    "俄方多次强调，北约东扩严重威胁俄罗斯的安全利益。",
    "欧盟宣布对俄罗斯实施新一轮制裁，涉及能源和金融领域。",
    "新明斯克协议是政治解决顿巴斯冲突的唯一基础。",
    "外交部发言人在例行记者会上回答了有关问题。",
    "克里米亚问题仍然是双方分歧的焦点之一。",
    "各方应当摒弃冷战思维，尊重彼此合理的安全关切。",
    "俄军在乌克兰边境附近举行大规模军事演习？",
    "欧洲天然气价格持续上涨，北溪二号项目前景不明。",
    "联合国安理会将就乌克兰局势举行紧急会议。",
)


def chinese_corpus(articles: int, target_bytes: int, *, declared: bool) -> Path:
    folder = OUT / f"lang-zh-{'declared' if declared else 'detected'}-{articles}"
    if (folder / "framelens.toml").exists():
        return folder
    import csv

    with open(HERE / "language_leads.tsv", encoding="utf-8") as handle:
        bank = [r["lead"] for r in csv.DictReader(handle, delimiter="\t") if r["language"] == "zh"]
    bank += ZH_SENTENCES
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2022)
    per_article = target_bytes // articles
    perspectives = ("china", "russia", "ukraine")
    for index in range(articles):
        body, size = [], 0
        while size < per_article:
            sentence = bank[int(rng.integers(len(bank)))]
            sentence = f"据统计，{int(rng.integers(2, 9999))}人关注此事。" + sentence \
                if rng.random() < 0.2 else sentence
            body.append(sentence)
            size += len(sentence.encode())
        language = "language: zh\n" if declared else ""
        text = (f"---\nid: zh-{index:05d}\ntitle: 文章{index}\n"
                f"perspective: {perspectives[index % 3]}\n{language}---\n"
                + "".join(body[:len(body) // 2]) + "\n\n" + "".join(body[len(body) // 2:]) + "\n")
        (folder / f"zh-{index:05d}.md").write_text(text, encoding="utf-8")
    (folder / "framelens.toml").write_text(
        "".join(f'[[perspectives]]\nid = "{p}"\nlabel = "{p.title()}"\n\n' for p in perspectives),
        encoding="utf-8")
    return folder


def segmenter_agreement(folder: Path) -> str:
    """Tokens on which rjieba and jieba differ on the corpus (needs jieba installed)."""
    try:
        import logging

        import jieba
    except ImportError:
        return "jieba not installed: agreement not measured"
    import rjieba

    jieba.setLogLevel(logging.WARNING)
    text = "".join(p.read_text(encoding="utf-8").split("---", 2)[2]
                   for p in sorted(folder.glob("*.md")))
    ours, theirs = rjieba.cut(text, True), jieba.lcut(text)
    differ = sum(a != b for a, b in zip(ours, theirs, strict=False)) + abs(len(ours) - len(theirs))
    return f"rjieba vs jieba: {differ} of {len(theirs):,} tokens differ"


def corpus_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.md"))


_PIPELINE = """
import json, sys, time
from pathlib import Path
from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process.pipeline import process_text
corpus = load_corpus(Path(sys.argv[1]), use_cache=False)
items = [(d.text, d.is_markdown, d.language) for d in corpus.documents]
nbytes = sum(len(t.encode()) for t, _, _ in items)
try:
    process_text("warm up", True, items[0][2])
except TypeError:  # code from before languages: process_text(text, markdown)
    items = [(t, m) for t, m, _ in items]
process_text(*items[0])  # loads the segmenter / detector models once
start = time.perf_counter()
for item in items:
    process_text(*item)
print(json.dumps({"seconds": time.perf_counter() - start, "bytes": nbytes}))
"""


def pipeline_rate(folder: Path) -> float:
    done = subprocess.run([sys.executable, "-c", _PIPELINE, str(folder)], capture_output=True,
                          text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["bytes"] / 1e6 / figures["seconds"]


def command_seconds(command: str, folder: Path) -> float:
    framelens = [sys.executable, "-m", "framelens.cli"]
    env = {**os.environ, "FRAMELENS_NO_CACHE": "1"}
    start = time.perf_counter()
    subprocess.run([*framelens, command, "--sources", str(folder), "--no-cache", "--format",
                    "csv"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--english-only", action="store_true",
                        help="only the English corpus (to compare another checkout's code)")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    english = english_corpus(args.articles)
    corpora = {"English (en declared)": english}
    if not args.english_only:
        size = corpus_bytes(english)
        corpora["Chinese (zh declared)"] = chinese_corpus(args.articles, size, declared=True)
        corpora["Chinese (detected)"] = chinese_corpus(args.articles, size, declared=False)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (shared machine)\n")
    print("| corpus | MB | pipeline MB/s (1 core) | " +
          " | ".join(f"{c} cold s (MB/s)" for c in COMMANDS) + " |")
    print("|---|---|---|" + "---|" * len(COMMANDS))
    rates: dict[str, float] = {}
    for name, folder in corpora.items():
        megabytes = corpus_bytes(folder) / 1e6
        rates[name] = pipeline_rate(folder)
        cells = []
        for command in COMMANDS:
            seconds = command_seconds(command, folder)
            cells.append(f"{seconds:.1f} ({megabytes / seconds:.2f})")
        print(f"| {name} | {megabytes:.1f} | {rates[name]:.2f} | " + " | ".join(cells) + " |")
    if not args.english_only:
        ratio = rates["Chinese (zh declared)"] / rates["English (en declared)"]
        print(f"\nChinese pipeline / English pipeline: {ratio:.2f} (target >= 0.33)")
        print(segmenter_agreement(corpora["Chinese (zh declared)"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
