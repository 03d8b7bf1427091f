"""Accuracy and speed of language detection on short news leads (hand-written, 15 per language).

    .venv/bin/python bench/language_detection.py

Compares lingua-language-detector restricted to framelens's candidate languages
(``DETECTABLE`` in analysis/text/languages.py, what framelens uses), lingua over
all 75 of its languages, and a script-only rule (Han → zh; Cyrillic with і/ї/є/ґ
→ uk, else ru; otherwise en). Speed is per lead in a second pass (the
first pass, which loads the models, is reported apart). Not part of the test suite.
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

from framelens.analysis.text.languages import DETECTABLE, detect_language

LEADS = Path(__file__).with_name("language_leads.tsv")


def script_rule(text: str) -> str:
    if len(re.findall(r"[\u4e00-\u9fff]", text)) * 2 >= len(re.findall(r"[^\W\d_]", text)):
        return "zh"
    if re.search(r"[\u0400-\u04ff]", text):
        return "uk" if re.search(r"[іїєґІЇЄҐ]", text) else "ru"
    return "en"


def all_languages():
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().build()

    def detect(text: str) -> str:
        language = detector.detect_language_of(text)
        return language.iso_code_639_1.name.lower() if language else ""
    return detect


def measure(name: str, detect, rows: list[tuple[str, str]]) -> None:
    start = time.perf_counter()
    for _, text in rows:  # the first pass loads the models each script needs
        detect(text)
    first = time.perf_counter() - start
    start = time.perf_counter()
    answers = [detect(text) for _, text in rows]
    elapsed = time.perf_counter() - start
    wrong = [(gold, got, text) for (gold, text), got in zip(rows, answers, strict=True) if got != gold]
    print(f"| {name} | {len(rows) - len(wrong)}/{len(rows)} | {elapsed / len(rows) * 1e6:.0f} µs "
          f"| {first:.2f} s |")
    for gold, got, text in wrong:
        print(f"|   wrong: {gold} → {got or '?'} | {text} | | |")


def main() -> None:
    with LEADS.open(encoding="utf-8") as handle:
        rows = [(r["language"], r["lead"]) for r in csv.DictReader(handle, delimiter="\t")]
    print(f"{len(rows)} leads; candidates of framelens's detector: {', '.join(DETECTABLE)}\n")
    print("| detector | correct | per lead | first pass (loads models) |\n|---|---|---|---|")
    measure("lingua, framelens's candidates", detect_language, rows)
    measure("lingua, all languages", all_languages(), rows)
    measure("script rule", script_rule, rows)


if __name__ == "__main__":
    main()
