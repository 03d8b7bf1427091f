"""Text pipeline: normalisation, Markdown, tokens, counting keys, sentences of the seeds."""

from __future__ import annotations

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process.pipeline import process_text, processed
from framelens.analysis.text.normalize import (
    english_stopwords,
    is_stopword,
    normalize,
    paragraphs,
    term_key,
    tokenize,
)


def test_normalize_folds_typographic_quotes_and_dashes():
    assert normalize("“Russia’s” – talks — now\u00a0") == "\"Russia's\" - talks  -  now "
    assert normalize("understanding—and") == "understanding - and"  # em dash never glues words
    assert normalize("ﬁnal") == "final"  # NFKC ligature


def test_tokenize_keeps_abbreviations_hyphens_numbers_and_drops_possessives():
    tokens = tokenize(normalize("Russia’s U.S.-Russian talks on short- and medium-range "
                                "missiles: 100,000 troops, 2.5% and the Russians’ view"))
    assert tokens == ["Russia", "U.S.", "Russian", "talks", "on", "short", "and", "medium-range",
                      "missiles", "100,000", "troops", "2.5%", "and", "the", "Russians", "view"]


def test_us_the_country_never_merges_with_us_the_pronoun():
    assert term_key("US") == "US"
    assert term_key("us") == "us"
    assert term_key("Us") == "us"
    assert term_key("U.S.") == "u.s."
    assert term_key("NATO") == "nato"
    assert is_stopword("us") and not is_stopword("US")


def test_stopwords_are_scikit_learns_list_plus_extra():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    assert english_stopwords() == frozenset(ENGLISH_STOP_WORDS)
    assert is_stopword("kremlin", frozenset({"kremlin"}))
    assert not is_stopword("kremlin")


def test_paragraphs_strip_markdown_and_report_lines():
    body = "## **Roots**\n\nThe [roots](#) of *the* crisis.\nMore text.\n\n\n> quoted"
    assert paragraphs(body) == [(1, "Roots"), (3, "The roots of the crisis. More text."),
                                (7, "quoted")]


def test_body_without_blank_lines_splits_on_newlines():
    assert paragraphs("First line.\nSecond line.", markdown=False) == [
        (1, "First line."), (2, "Second line.")]


def test_process_text_keeps_abbreviations_inside_sentences():
    sentences, tokens, lines, paragraph, _ = process_text(
        "U.S. President Joe Biden met Mr. Putin on Jan. 10. The talks failed.\n\nNew paragraph.",
        True)
    assert sentences == ("U.S. President Joe Biden met Mr. Putin on Jan. 10.", "The talks failed.",
                         "New paragraph.")
    assert tokens[0][0] == "U.S."
    assert lines == (1, 1, 3)
    assert paragraph == (0, 0, 1)


def test_bundled_corpus_sentences(bundled):
    corpus = load_corpus(bundled)
    docs = {d.doc_id: d for d in processed(corpus)}
    trenin = docs["ru-trenin-2022-01-21"]
    assert "Roots" in trenin.sentences  # section headings are kept as their own sentence
    assert ("U.S. intelligence suspected the drills could be cover for preparations to invade "
            "Ukraine.") in trenin.sentences
    wu = docs["cn-wu-2022-01-19"]
    assert wu.sentences[0].startswith("During their first meeting in June, U.S. President Joe "
                                      "Biden proposed to Russian President Vladimir Putin")
    # No sentence ends on an abbreviation inside a name or title.
    for doc in docs.values():
        for sentence in doc.sentences:
            assert not sentence.endswith((" Mr.", " U.S. President", " Jan."))
