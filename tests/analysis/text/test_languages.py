"""Articles in their own language: Russian, Ukrainian and Chinese, with hand-counted expectations.

The corpus below is written for these tests: one Russian article (russia, language
undeclared: detected), a Ukrainian and a Russian-language article (ukraine,
declared), a Chinese article (china, undeclared) and a short English one (china).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from framelens.analysis.io.reader import load_corpus
from framelens.analysis.process.pipeline import corpus_languages, only_language, processed
from framelens.analysis.text.languages import (
    detect_language,
    language_code,
    stopwords,
    tokenize_language,
)
from framelens.analysis.text.lexicon import Lexicon
from framelens.analysis.text.normalize import english_stopwords, normalize
from framelens.analysis.text.sentences import split_sentences
from tests.conftest import invoke

CONFIG = """
[[perspectives]]
id = "ukraine"
label = "Ukraine"
colour = "#1f77b4"

[[perspectives]]
id = "russia"
label = "Russia"
colour = "#d62728"

[[perspectives]]
id = "china"
label = "China"
colour = "#2ca02c"
"""

RU_TASS = (
    "Москва, 20 января. Министр иностранных дел России заявил, что расширение НАТО на восток "
    "угрожает безопасности России. По его словам, Киев продолжает получать оружие от НАТО, т. е. "
    "от США и их союзников. В 2014 г. Крым вернулся в состав России. Ст. 5 Устава НАТО "
    "обсуждалась в Женеве. Обсуждались ракеты, учения и т. д. Однако договориться не удалось.\n\n"
    "Власти Киева не ответили. Позиция Киева известна. В Киеве заявили, что переговоры с НАТО "
    "продолжатся."
)
RU_TASS_SENTENCES = [
    "Москва, 20 января.",
    "Министр иностранных дел России заявил, что расширение НАТО на восток угрожает безопасности "
    "России.",
    "По его словам, Киев продолжает получать оружие от НАТО, т. е. от США и их союзников.",
    "В 2014 г. Крым вернулся в состав России.",
    "Ст. 5 Устава НАТО обсуждалась в Женеве.",
    "Обсуждались ракеты, учения и т. д.",
    "Однако договориться не удалось.",
    "Власти Киева не ответили.",
    "Позиция Киева известна.",
    "В Киеве заявили, что переговоры с НАТО продолжатся.",
]
UA_UKR = (
    "Київ, 20 січня. Міністр закордонних справ України заявив, що Росія стягує війська до "
    "кордонів України. Представники НАТО зустрілися з делегацією Києва у Брюсселі. Окупанти на "
    "Донбасі знову порушили режим тиші. У Києві наголосили, що Кримська платформа продовжить "
    "роботу."
)
UA_RUS = (
    "Россия продолжает агрессию против Украины и стягивает войска к границе. НАТО заявило о "
    "поддержке Украины и ее суверенитета. Оккупанты на Донбассе снова обстреляли позиции "
    "украинской армии. Агрессия России угрожает всей Европе, и это понимают в Брюсселе."
)
CN_XINHUA = ("北约东扩威胁俄罗斯的安全。中方呼吁各方保持克制！美国是否会让步？俄方要求法律保障；"
             "谈判将继续。北大西洋公约组织秘书长在布鲁塞尔表示，北约不会改变立场。")
CN_ENGLISH = ("NATO welcomed the peaceful and constructive talks with great hope. "
              "The weather in Geneva was cold.")


def _article(folder: Path, doc_id: str, perspective: str, body: str, language: str = "") -> None:
    header = f"id: {doc_id}\ntitle: {doc_id}\nperspective: {perspective}\n"
    if language:
        header += f"language: {language}\n"
    (folder / f"{doc_id}.md").write_text(f"---\n{header}---\n{body}\n", encoding="utf-8")


@pytest.fixture
def multilingual(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "framelens.toml").write_text(CONFIG, encoding="utf-8")
    _article(folder, "ru-tass", "russia", RU_TASS)
    _article(folder, "ua-ukr", "ukraine", UA_UKR, "uk")
    _article(folder, "ua-rus", "ukraine", UA_RUS, "ru")
    _article(folder, "cn-xinhua", "china", CN_XINHUA)
    _article(folder, "cn-english", "china", CN_ENGLISH, "en")
    return folder


def _doc(corpus, doc_id: str):
    return processed(corpus)[[d.id for d in corpus.documents].index(doc_id)]


# ------------------------------------------------------------------ sentences


def test_russian_abbreviations_do_not_end_sentences():
    # т. е. / т. д. / г. / Ст. stay inside; "и т. д." ends one before "Однако".
    text = normalize(RU_TASS.replace("\n\n", " "))
    assert [text[a:b] for a, b in split_sentences(text, "ru")] == RU_TASS_SENTENCES


def test_ukrainian_abbreviations_and_initials():
    text = normalize("У 2014 р. Росія анексувала Крим. Це т. зв. референдум, вибори тощо, і т. "
                     "ін. Але світ не визнав. Президент В. Зеленський виступив.")
    assert [text[a:b] for a, b in split_sentences(text, "uk")] == [
        "У 2014 р. Росія анексувала Крим.",
        "Це т. зв. референдум, вибори тощо, і т. ін.",
        "Але світ не визнав.",
        "Президент В. Зеленський виступив.",
    ]


def test_russian_te_never_ends_a_sentence_even_before_a_capital():
    text = "Это вопрос безопасности, т. е. Это не торг. Потом все ушли."
    assert [text[a:b] for a, b in split_sentences(text, "ru")] == [
        "Это вопрос безопасности, т. е. Это не торг.", "Потом все ушли."]


def test_chinese_sentence_ends():
    text = normalize(CN_XINHUA)  # NFKC folds ！？；，to ASCII; 。 stays
    assert [text[a:b] for a, b in split_sentences(text, "zh")] == [
        "北约东扩威胁俄罗斯的安全。", "中方呼吁各方保持克制!", "美国是否会让步?", "俄方要求法律保障;",
        "谈判将继续。", "北大西洋公约组织秘书长在布鲁塞尔表示,北约不会改变立场。"]
    # A closing quote belongs to its sentence; a decimal point and an ellipsis end nothing.
    quoted = normalize("他说：“我们反对。”然后离开了……增长3.5%。")
    assert [quoted[a:b] for a, b in split_sentences(quoted, "zh")] == [
        '他说:"我们反对。"', "然后离开了......增长3.5%。"]


def test_english_sentences_unchanged_by_the_language_argument():
    text = "The U.S. said so. Mr. Smith left on Jan. 10. The talks failed."
    assert split_sentences(text) == split_sentences(text, "en") == split_sentences(text, "de")


# --------------------------------------------------------------- segmentation


def test_chinese_words_segmented():
    assert tokenize_language("北约不会改变立场", "zh") == ["北约", "不会", "改变", "立场"]
    assert tokenize_language("中方呼吁各方保持克制", "zh") == ["中方", "呼吁", "各方", "保持", "克制"]
    # Latin words and numbers inside Chinese keep the tokenizer's rules.
    assert tokenize_language("NATO秘书长表示增长3.5%", "zh") == ["NATO", "秘书长", "表示", "增长",
                                                               "3.5%"]


def test_pipeline_reads_each_article_in_its_language(multilingual):
    corpus = load_corpus(multilingual)
    assert {d.doc_id: d.language for d in processed(corpus)} == {
        "cn-english": "en", "cn-xinhua": "zh", "ru-tass": "ru", "ua-rus": "ru", "ua-ukr": "uk"}
    assert list(_doc(corpus, "ru-tass").sentences) == RU_TASS_SENTENCES
    chinese = _doc(corpus, "cn-xinhua")
    assert len(chinese.sentences) == 6
    assert chinese.tokens[-1][-4:] == ("北约", "不会", "改变", "立场")
    assert corpus_languages(corpus) == ("ru", "en", "uk", "zh")


# ------------------------------------------------------------------ detection


@pytest.mark.parametrize(("text", "expected"), [
    ("Переговоры России и США в Женеве завершились без прорыва.", "ru"),
    ("Переговори Росії та США в Женеві завершилися без прориву.", "uk"),
    ("俄美日内瓦会谈未取得突破。", "zh"),
    ("Talks between Russia and the US in Geneva ended without a breakthrough.", "en"),
    ("12 345 / 67", ""),
])
def test_detect_language_of_a_lead(text, expected):
    assert detect_language(text) == expected


def test_language_codes():
    assert language_code("zh-CN") == "zh"
    assert language_code("UK") == "uk"
    assert language_code("Russian") is None


def test_sources_list_shows_declared_and_detected_languages(multilingual):
    result = invoke(["sources", "list", "--sources", str(multilingual),
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: (r["language"], r["language_source"])
            for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows == {"ua-rus": ("ru", "declared"), "ua-ukr": ("uk", "declared"),
                    "ru-tass": ("ru", "detected"), "cn-english": ("en", "declared"),
                    "cn-xinhua": ("zh", "detected")}


def test_language_column_of_a_table(tmp_path):
    table = tmp_path / "news.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "perspective", "lang", "text"])
        writer.writerow(["a", "russia", "ru", RU_TASS])
        writer.writerow(["b", "china", "", CN_XINHUA])
    corpus = load_corpus(table, columns=_columns(language="lang"))
    assert [d.language for d in corpus.documents] == ["ru", ""]
    assert [d.language for d in processed(corpus)] == ["ru", "zh"]


def _columns(**names):
    from framelens.analysis.io.tables import ColumnMap

    return ColumnMap(**names)


# ------------------------------------------------------------------ stopwords


def test_english_stopwords_unchanged_and_others_from_their_lists():
    assert stopwords("en") == english_stopwords()
    assert {"в", "и", "что", "не", "т"} <= stopwords("ru")
    assert {"і", "та", "що", "у", "на"} <= stopwords("uk")
    assert {"的", "了", "是", "我们"} <= stopwords("zh")
    # Framing words are never stopwords.
    assert not {"россия", "москва", "война", "нато"} & stopwords("ru")


def test_stopwords_stay_out_of_the_top_keywords(multilingual):
    from framelens.analysis.lenses.keywords import keyness

    corpus = only_language(load_corpus(multilingual), "ru")
    terms = [r.term for r in keyness(corpus, method="logodds", top=10, min_count=2).rows]
    assert "Киева" in terms and "НАТО" in terms
    assert not [t for t in terms if t.lower() in stopwords("ru") or " " in t], terms
    # Kept on request, "и" (3 times on the Ukrainian side, twice in TASS) ranks among them.
    kept = keyness(corpus, method="logodds", top=10, min_count=2, keep_stopwords=True,
                   collocations=False).rows
    assert "и" in [r.term for r in kept]


def test_lemmas_count_inflected_forms_as_one_term_shown_by_the_most_frequent(multilingual):
    from framelens.analysis.counts.matrices import document_term_counts, term_options

    plain = only_language(load_corpus(multilingual), "ru")
    counts = document_term_counts(plain, term_options(plain))
    assert {"киев", "киева", "киеве"} <= set(counts.terms)
    lemmas = only_language(load_corpus(multilingual, lemmas=True), "ru")
    counts = document_term_counts(lemmas, term_options(lemmas))
    column = counts.column("киев")
    assert "киева" not in counts.terms and "киеве" not in counts.terms
    row = [d.id for d in lemmas.documents].index("ru-tass")
    # Киев once, Киева twice, Киеве once: one term, displayed "Киева".
    assert counts.matrix[row, column] == 4
    assert counts.display[column] == "Киева"


# ------------------------------------------------------------------- lexicons


def test_nato_found_in_every_language(multilingual):
    from framelens.analysis.lenses.stance import stance

    rows = {(r.perspective, r.target): r for r in stance(load_corpus(multilingual)).rows}
    # russia: НАТО in 4 sentences; ukraine: НАТО once in each article;
    # china: 北约 + 北大西洋公约组织 + 北约 (2 sentences) and NATO in English (1).
    assert (rows[("russia", "NATO")].mentions, rows[("russia", "NATO")].sentences) == (4, 4)
    assert (rows[("ukraine", "NATO")].mentions, rows[("ukraine", "NATO")].sentences) == (2, 2)
    assert (rows[("china", "NATO")].mentions, rows[("china", "NATO")].sentences) == (4, 3)


def test_capital_spelling_by_perspective(multilingual):
    from framelens.analysis.lenses.naming import naming

    rows = [r for r in naming(load_corpus(multilingual)).rows
            if r.concept == "Capital of Ukraine" and r.count]
    # Київ, Києва, Києві in the Ukrainian article; Киев, Киева ×2, Киеве in TASS's.
    assert [(r.perspective, r.variant, r.count, r.preferred) for r in rows] == [
        ("ukraine", "Київ", 3, True), ("russia", "Киев", 4, True)]


def test_inflected_and_chinese_terms_match():
    targets = Lexicon({"Ukraine": ["Украин*", "Києв*", "乌克兰"], "NATO": ["НАТО", "北约"]},
                      case="first-letter")
    found = [(m.name, m.text) for m in targets.find("Украины и НАТО; 北约东扩与乌克兰问题; Києві")]
    assert found == [("Ukraine", "Украины"), ("NATO", "НАТО"), ("NATO", "北约"),
                     ("Ukraine", "乌克兰"), ("Ukraine", "Києві")]
    # A lower-case adjective is not the capitalised alias; ё matches a written е.
    assert targets.find("украинский") == []
    assert Lexicon({"x": ["самопровозглашённ*"]}).find("самопровозглашенные") != []


# ----------------------------------------------------------------------- tone


def test_tone_is_missing_for_other_languages_never_zero(multilingual):
    from framelens.analysis.lenses.stance import stance
    from framelens.analysis.process.tone import compound

    rows = {(r.perspective, r.target): r for r in stance(load_corpus(multilingual)).rows}
    assert math.isnan(rows[("russia", "NATO")].tone_mean)
    assert math.isnan(rows[("ukraine", "NATO")].tone_mean)
    # china: only the English sentence has a tone; the Chinese ones are left out of the mean.
    english = "NATO welcomed the peaceful and constructive talks with great hope."
    assert rows[("china", "NATO")].tone_mean == compound(english)


def test_missing_tone_is_empty_in_csv_and_na_in_the_table(multilingual):
    done = invoke(["stance", "--sources", str(multilingual), "--format", "csv"])
    assert done.exit_code == 0, done.output
    rows = {(r["perspective"], r["target"]): r for r in csv.DictReader(io.StringIO(done.stdout))}
    assert rows[("russia", "NATO")]["tone_mean"] == ""
    assert float(rows[("china", "NATO")]["tone_mean"]) > 0.5
    table = invoke(["stance", "--sources", str(multilingual), "--format", "table"],
                          env={"COLUMNS": "160"})
    assert "n/a (4)" in table.output


# -------------------------------------------------------------------- compare


def test_compare_keeps_word_comparisons_within_one_language(multilingual):
    from framelens.analysis.reports.compare import compare

    report = compare(load_corpus(multilingual), sections=("topics", "keywords", "similarity"))
    sections = dict(report.sections)
    assert sections["keywords"].rows == () and sections["similarity"].rows == ()
    assert any("--language" in w and "ru, en, uk, zh" in w for w in report.warnings)
    russian = compare(only_language(load_corpus(multilingual), "ru"),
                      sections=("keywords",), top=3, min_count=1)
    assert russian.warnings == () and len(dict(russian.sections)["keywords"].rows) > 0


def test_language_option_filters_and_rejects_unknown(multilingual):
    done = invoke(["sources", "list", "--sources", str(multilingual), "--language",
                               "uk", "--format", "csv"])
    assert done.exit_code == 0
    assert [r["id"] for r in csv.DictReader(io.StringIO(done.stdout))] == ["ua-ukr"]
    missing = invoke(["sources", "list", "--sources", str(multilingual),
                                  "--language", "fr"])
    assert missing.exit_code != 0 and "ru, en, uk, zh" in missing.output
    bad = invoke(["sources", "list", "--sources", str(multilingual),
                              "--language", "russian"])
    assert bad.exit_code != 0 and "ISO 639-1" in bad.output
