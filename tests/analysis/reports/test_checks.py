"""`framelens check`: one triggering and one clean fixture per code, exit codes, annotations."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framelens.analysis.reports.check_codes import CHECKS
from framelens.analysis.reports.checks import check_corpus
from tests.conftest import invoke, needs_cache

CONFIG = ('[[perspectives]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n'
          '[[perspectives]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n')

# Three different English articles of 150+ words each, so that the base corpus is clean.
BODY_A = """
The talks between the two delegations in Geneva lasted almost eight hours on Monday, and
neither side claimed a breakthrough when the doors finally opened in the evening. Diplomats
described the conversation as frank and businesslike, which in the language of their trade
usually means that the positions remain far apart.

The first delegation brought a long list of written proposals about troop movements near the
border, limits on exercises and a new hotline between military commanders. The second
delegation said it was ready to discuss some of these ideas but insisted that the core demand
of its government, a written promise about the future of the alliance, was not negotiable.

Observers in several capitals noted that the meeting at least kept the channel open. A second
round is planned for next month in Vienna, where a wider group of countries will join the
discussion. Until then, both governments are expected to brief their parliaments and their
partners, and to test how much room for compromise really exists at home.
"""

BODY_B = """
Farmers in the southern provinces have started the spring planting season early this year
because the winter was unusually mild and the soil dried out weeks ahead of schedule. Local
cooperatives report that seed prices rose sharply after the autumn harvest, while fuel for
tractors remains expensive, so many families are planting less wheat and more sunflowers.

Agricultural economists warn that the shift could change regional markets by the end of the
summer. Sunflower oil is easier to export, but storage capacity near the ports is limited and
the railway network needs repairs that the regional budget cannot cover on its own. Several
mayors have asked the national ministry for a special fund to modernise grain elevators.

The ministry has promised to publish a support programme before the harvest. Its officials
say they want to help small producers first, because large holdings can borrow from banks
more easily. Farmers' unions welcomed the promise but asked for clear rules, fast payments and
fewer forms, which in past years kept many applicants waiting until the money was spent.
"""

BODY_C = """
The city library reopened its main reading room after two years of renovation, and hundreds
of visitors queued on Saturday morning to see the restored ceiling paintings. Architects
replaced the old heating system, repaired the wooden shelves and installed lifts so that
readers who use wheelchairs can reach the upper galleries for the first time.

Librarians used the closure to digitise more than forty thousand pages of local newspapers
from the last century. Researchers can now search the collection online, and schools have
already started projects in which pupils compare how the same events were reported by
different editors over the decades. The director hopes to add maps and photographs next year.

Not everything went to plan. The renovation cost a third more than the original estimate, and
the council had to delay the opening of a new branch in the eastern district. Residents there
have collected signatures asking for the branch to be built as promised, and the council will
discuss their petition at its next public session in June.
"""

FRENCH = """
Les pourparlers entre les deux délégations se sont terminés sans accord lundi soir à Genève.
Le ministre a déclaré que les garanties demandées ne pouvaient pas être acceptées par les
alliés, qui refusent toute limitation de leur politique. Selon plusieurs diplomates, une
nouvelle réunion pourrait avoir lieu le mois prochain à Vienne, mais les positions restent
très éloignées et personne ne s'attend à un compromis rapide. Les gouvernements vont informer
leurs parlements et leurs partenaires dans les prochains jours, et chacun cherchera des
marges de manœuvre avant la prochaine rencontre des négociateurs.
"""

CYRILLIC = """
Переговоры между двумя делегациями в Женеве продолжались почти восемь часов и закончились
без прорыва. Дипломаты назвали беседу откровенной и деловой, что обычно означает, что позиции
сторон остаются далекими. Следующий раунд запланирован на следующий месяц в Вене, где к
обсуждению присоединится более широкий круг стран. До тех пор правительства проинформируют
свои парламенты и партнеров и попробуют понять, сколько места для компромисса существует.
"""


def article(doc_id: str, body: str, *, perspective: str = "north", **meta: str) -> str:
    """Article text with front matter (keys in the given order)."""
    fields = {"id": doc_id, "title": meta.pop("title", doc_id.title()),
              "perspective": perspective, **meta}
    header = "\n".join(f"{key}: {value}" for key, value in fields.items())
    return f"---\n{header}\n---\n{textwrap.dedent(body).strip()}\n"


def make_corpus(folder: Path, files: dict[str, str | bytes] | None = None,
                config: str = CONFIG) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "framelens.toml").write_text(config, encoding="utf-8")
    (folder / "alpha.md").write_text(article("alpha", BODY_A), encoding="utf-8")
    (folder / "beta.md").write_text(article("beta", BODY_B, perspective="south",
                                            published='"2022-01-12"',
                                            url="https://example.com/news/beta"),
                                    encoding="utf-8")
    for name, content in (files or {}).items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def found(folder: Path, **kwargs) -> set[tuple[str, str]]:
    """(code, file name) of every row."""
    result = check_corpus(folder, **kwargs)
    return {(r.code, Path(r.file).name) for r in result.rows}


def codes_of(folder: Path, name: str, **kwargs) -> set[str]:
    return {code for code, file in found(folder, **kwargs) if file == name}


def test_base_corpus_and_bundled_corpus_pass(tmp_path, bundled):
    assert found(make_corpus(tmp_path)) == set()
    result = check_corpus(bundled)
    assert result.rows == () and result.exit_code == 0


def test_every_code_is_documented_with_a_severity():
    assert all(re.fullmatch(r"FL\d{3}", code) for code in CHECKS)
    assert {severity for severity, _ in CHECKS.values()} == {"error", "warning"}


# ---------------------------------------------------------------------------
# One triggering and one clean fixture per code: (code, bad content, good content).

GOOD_C = article("gamma", BODY_C)
CASES = [
    ("FL001", article("gamma", BODY_C).encode("utf-8").replace(b"library", b"libr\xe9ry"),
     article("gamma", BODY_C.replace("library", "libréry")).encode("utf-8")),
    ("FL002", article("gamma", BODY_C).encode() + b"\x00\x01", GOOD_C.encode()),
    ("FL004", " \n\n", GOOD_C),
    ("FL010", "id: gamma\ntitle: Gamma\nperspective: north\n\n" + BODY_C, GOOD_C),
    ("FL010", "---\nid: gamma\ntitle: Gamma\nperspective: north\n" + BODY_C, GOOD_C),
    ("FL010", "---\nid: [gamma\ntitle: Gamma\n---\n" + BODY_C, GOOD_C),
    ("FL010", article("gamma", BODY_C, published="2022-13-45"),
     article("gamma", BODY_C, published="2022-12-25")),
    ("FL011", article("gamma", BODY_C, tags="talks"), GOOD_C),
    ("FL012", "---\nid: gamma\nperspective: north\n---\n" + BODY_C, GOOD_C),
    ("FL013", article("gamma", BODY_C, author="42"), article("gamma", BODY_C, author='"42"')),
    ("FL014", article("Gamma_One", BODY_C), article("gamma-one", BODY_C)),
    ("FL015", "---\nid: gamma\ntitle: Gamma\nperspective: north\n---\n\n\n", GOOD_C),
    ("FL020", article("gamma", BODY_C, perspective="east"), GOOD_C),
    ("FL021", article("alpha", BODY_C), GOOD_C),
    ("FL030", article("gamma", BODY_C, published='"2022-02-30"'),
     article("gamma", BODY_C, published='"2022-02-28"')),
    ("FL030", article("gamma", BODY_C, published='"14 January 2022"'),
     article("gamma", BODY_C, published='""')),
    ("FL032", article("gamma", BODY_C, url="ftp://example.com/a"),
     article("gamma", BODY_C, url="https://example.com/a?b=1#c")),
    ("FL032", article("gamma", BODY_C, url="www.example.com/a"),
     article("gamma", BODY_C, url='""')),
    ("FL032", article("gamma", BODY_C, url="https://exa mple.com"),
     article("gamma", BODY_C, url="http://localhost:8000/x")),
    ("FL040", article("gamma", BODY_A), GOOD_C),
    ("FL041", article("gamma", BODY_A.replace("Monday", "Tuesday").replace("Vienna", "Oslo")
                      .replace("eight hours", "nine hours")), GOOD_C),
    ("FL042", article("gamma", BODY_C.replace(
        "the council will\ndiscuss their petition at its next public session in June.",
        "the council will\ndiscuss their petition at its next public session in June. The "
        "director hopes to add maps and photographs next year.")), GOOD_C),
    ("FL042", article("gamma", BODY_C.replace(
        "Not everything went to plan.",
        "> Researchers can now search the collection online, and schools have already "
        "started projects\n\nNot everything went to plan.")), GOOD_C),
    ("FL043", article("gamma", BODY_C + "\n\nRelated articles: Library opens new branch\n"),
     article("gamma", BODY_C + "\n\nRelated talks in the council went well for the readers.\n")),
    ("FL043", article("gamma", "We use cookies to improve your experience.\n\n" + BODY_C),
     article("gamma", "The library does not use any cookies in its cafe.\n\n" + BODY_C)),
    ("FL043", article("gamma", "Language : English | Русский | Українська\n\n" + BODY_C),
     article("gamma", "Languages spoken in the reading room include English.\n\n" + BODY_C)),
    ("FL043", article("gamma", BODY_C + "\n\n**Subscribe** to our newsletter\n\nBack to Top\n"),
     article("gamma", BODY_C + "\n\nReaders can subscribe to a monthly list of new books "
             "at the desk, the director said when the reading room opened again.\n")),
    ("FL044", article("gamma", FRENCH + BODY_C[:10]), GOOD_C),
    ("FL044", article("gamma", CYRILLIC, language="en"), GOOD_C),
    ("FL044", article("gamma", BODY_C, language="fr"), article("gamma", BODY_C, language="en")),
    ("FL045", article("gamma", BODY_C[:400]), GOOD_C),
]


@pytest.mark.parametrize(("code", "bad", "good"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_code_triggers_on_bad_fixture_and_not_on_good(tmp_path, code, bad, good):
    bad_folder = make_corpus(tmp_path / "bad", {"gamma.md": bad})
    good_folder = make_corpus(tmp_path / "good", {"gamma.md": good})
    assert code in codes_of(bad_folder, "gamma.md"), found(bad_folder)
    assert found(good_folder) == set(), found(good_folder)


def test_fl044_declared_language_against_the_detected_one(tmp_path):
    # A Russian text declared Ukrainian is flagged; declared Russian it is not.
    wrong = make_corpus(tmp_path / "wrong", {"gamma.md": article("gamma", CYRILLIC, language="uk")})
    right = make_corpus(tmp_path / "right", {"gamma.md": article("gamma", CYRILLIC, language="ru")})
    assert "FL044" in codes_of(wrong, "gamma.md")
    assert "FL044" not in codes_of(right, "gamma.md")
    # Undeclared, it is detected as Russian and read as such: no language warning.
    plain = make_corpus(tmp_path / "plain", {"gamma.md": article("gamma", CYRILLIC)})
    assert "FL044" not in codes_of(plain, "gamma.md")


def test_fl016_language_must_be_a_code(tmp_path):
    folder = make_corpus(tmp_path, {"gamma.md": article("gamma", BODY_C, language="Russian")})
    assert "FL016" in codes_of(folder, "gamma.md")


def test_fl003_oversized_file(tmp_path):
    config = CONFIG + "\n[check]\nmax_file_bytes = 2000\n"
    big = make_corpus(tmp_path / "bad", {"gamma.md": article("gamma", BODY_C + "\n\n" + BODY_C
                                                             .replace("library", "museum"))},
                      config=config)
    small = make_corpus(tmp_path / "good", {"gamma.md": GOOD_C}, config=config)
    assert codes_of(big, "gamma.md") >= {"FL003"}
    assert found(small) == set()


def test_fl005_missing_named_file(tmp_path):
    folder = make_corpus(tmp_path)
    result = check_corpus(folder, paths=[tmp_path / "nope.md"])
    assert [(r.code, r.severity) for r in result.rows] == [("FL005", "error")]
    assert check_corpus(folder, paths=[folder / "alpha.md"]).rows == ()


def test_fl009_broken_config_is_a_row(tmp_path):
    folder = make_corpus(tmp_path, config=CONFIG + "\ncolours = 1\n")
    result = check_corpus(folder)
    assert [r.code for r in result.rows] == ["FL009"]
    assert result.rows[0].file.endswith("framelens.toml") and result.exit_code == 1


def test_fl006_table_corpus_rows(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,perspective,text\na1,north,\n", encoding="utf-8")
    result = check_corpus(bad)
    assert [(r.code, r.line) for r in result.rows] == [("FL006", 2)]
    good = tmp_path / "good.csv"
    good.write_text("id,perspective,text,url\n" + "".join(
        f'a{i},{p},"{" ".join(body.split())}",https://example.com/{i}\n'
        for i, (p, body) in enumerate([("north", BODY_A), ("south", BODY_B)])),
        encoding="utf-8")
    assert check_corpus(good).rows == ()
    off = tmp_path / "off.csv"
    off.write_text(good.read_text(encoding="utf-8").replace("https://example.com/1", "x"),
                   encoding="utf-8")
    assert [(r.code, r.line) for r in check_corpus(off).rows] == [("FL032", 3)]


def test_fl031_future_date_depends_on_today(tmp_path):
    folder = make_corpus(tmp_path, {"gamma.md": article("gamma", BODY_C,
                                                        published='"2022-01-20"')})
    assert codes_of(folder, "gamma.md", today=dt.date(2022, 1, 18)) == {"FL031"}
    # One day ahead is allowed (time zones).
    assert found(folder, today=dt.date(2022, 1, 19)) == set()


def test_fl046_too_long(tmp_path):
    config = CONFIG + "\n[check]\nmax_words = 200\n"
    long_body = BODY_C + "\n\n" + BODY_A.replace("Geneva", "Riga")
    bad = make_corpus(tmp_path / "bad", {"gamma.md": article("gamma", long_body)}, config)
    assert "FL046" in codes_of(bad, "gamma.md")
    good = make_corpus(tmp_path / "good", {"gamma.md": GOOD_C},
                       CONFIG + "\n[check]\nmax_words = 1000\n")
    assert found(good) == set()


def test_near_duplicate_threshold_comes_from_config(tmp_path):
    near = article("gamma", BODY_A.replace("Monday", "Tuesday"))
    strict = make_corpus(tmp_path / "a", {"gamma.md": near})
    assert ("FL041", "gamma.md") in found(strict) and ("FL041", "alpha.md") in found(strict)
    message = next(r.message for r in check_corpus(strict).rows if r.file.endswith("gamma.md"))
    assert "alpha" in message and "cosine" in message
    relaxed = make_corpus(tmp_path / "b", {"gamma.md": near},
                          CONFIG + "\n[check]\nnear_duplicate_threshold = 1.0\n")
    assert found(relaxed) == set()


# ---------------------------------------------------------------------------
# Lines, order, paths, many bad files.


def test_lines_point_at_the_problem(tmp_path):
    text = article("gamma", BODY_C + "\n\nYou might also like: The museum reopens\n",
                   url="not-a-url")
    folder = make_corpus(tmp_path, {"gamma.md": text})
    rows = {r.code: r for r in check_corpus(folder).rows}
    lines = text.split("\n")
    assert lines[rows["FL043"].line - 1].startswith("You might also like")
    assert lines[rows["FL032"].line - 1] == "url: not-a-url"


def test_impossible_unquoted_date_is_a_row_on_its_line(tmp_path):
    text = article("gamma", BODY_C, author="Jane Roe", published="2022-13-45")
    folder = make_corpus(tmp_path, {"gamma.md": text})
    (row,) = check_corpus(folder).rows
    assert (row.code, row.line) == ("FL010", 6)
    assert text.split("\n")[row.line - 1] == "published: 2022-13-45"


def test_repeated_sentence_reports_the_line_of_the_repeat(tmp_path):
    body = ("The council met on Monday to discuss the library budget for next year.\n\n"
            + BODY_C + "\n\nThe council met on Monday to discuss the library budget for next "
            "year.\n")
    text = article("gamma", body)
    folder = make_corpus(tmp_path, {"gamma.md": text})
    (row,) = [r for r in check_corpus(folder).rows if r.code == "FL042"]
    assert row.line == len(text.rstrip("\n").split("\n"))
    assert "line 6" in row.message  # the first occurrence, right after the front matter


def test_check_reports_every_bad_file_not_just_the_first(tmp_path):
    folder = make_corpus(tmp_path, {"a1.md": b"\xff\xfe", "a2.md": "no front matter here\n",
                                    "a3.md": article("a3", BODY_C, perspective="east")})
    result = check_corpus(folder)
    assert [(Path(r.file).name, r.code) for r in result.rows] == [
        ("a1.md", "FL001"), ("a2.md", "FL010"), ("a3.md", "FL020")]
    assert result.exit_code == 1


def test_rows_sorted_by_file_line_code(tmp_path):
    folder = make_corpus(tmp_path, {
        "zeta.md": article("zeta", BODY_C[:300] + "\n\nBack to Top\n", url="x"),
        "gamma.md": article("gamma", BODY_C[:300])})
    rows = check_corpus(folder).rows
    keys = [(r.file, r.line or 0, r.code) for r in rows]
    assert keys == sorted(keys) and len(rows) >= 4


def test_named_paths_are_checked_against_the_rest(tmp_path):
    folder = make_corpus(tmp_path)
    outside = tmp_path / "incoming"
    outside.mkdir()
    copy = outside / "copy.md"
    copy.write_text(article("copy", BODY_B, perspective="south"), encoding="utf-8")
    other = outside / "other.md"
    other.write_text(article("other", BODY_B[:200]), encoding="utf-8")
    result = check_corpus(folder, paths=[copy])
    assert {(r.code, Path(r.file).name) for r in result.rows} == {("FL040", "copy.md")}
    assert "beta" in result.rows[0].message


# ---------------------------------------------------------------------------
# The command line.


def run(*args: str):
    return invoke(["check", *args])


def test_cli_exit_codes_and_strict(tmp_path, bundled):
    assert run("--sources", str(bundled)).exit_code == 0
    warn_only = make_corpus(tmp_path / "w", {"gamma.md": article("gamma", BODY_C[:400])})
    result = run("--sources", str(warn_only), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["code"], r["severity"]) for r in rows] == [("FL045", "warning")]
    assert list(rows[0]) == ["code", "severity", "file", "line", "message"]
    assert run("--sources", str(warn_only), "--strict").exit_code == 1
    error = make_corpus(tmp_path / "e", {"gamma.md": article("gamma", BODY_C, url="x")})
    assert run("--sources", str(error)).exit_code == 1


def test_cli_named_file_and_json(tmp_path):
    folder = make_corpus(tmp_path, {"gamma.md": article("gamma", BODY_C, url="x"),
                                    "delta.md": article("delta", BODY_C[:300])})
    result = run(str(folder / "gamma.md"), "--sources", str(folder), "--format", "json")
    assert result.exit_code == 1
    import json

    rows = json.loads(result.stdout)
    assert {r["file"] for r in rows} == {str(folder / "gamma.md")}
    assert rows[0]["code"] == "FL032" and isinstance(rows[0]["line"], int)


ANNOTATION_RE = re.compile(
    r"::(error|warning) file=([^,:]+),(?:line=(\d+),)?title=(FL\d{3})::(.+)")


def test_github_annotation_format(tmp_path):
    folder = make_corpus(tmp_path, {"gamma.md": article(
        "gamma", BODY_C[:400] + "\n\nAdvertisement\n", url="ftp://x,y")})
    result = run("--sources", str(folder), "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    parsed = [ANNOTATION_RE.fullmatch(line) for line in lines]
    assert all(parsed), lines
    got = [(m.group(1), Path(m.group(2)).name, m.group(4)) for m in parsed]
    # Sorted by line: url (front matter), too short (first body line), the chrome line.
    assert got == [("error", "gamma.md", "FL032"), ("warning", "gamma.md", "FL045"),
                   ("warning", "gamma.md", "FL043")]
    assert all(m.group(3) for m in parsed)
    assert "1 error, 2 warnings" in result.stderr


def test_github_annotation_escapes_newlines_and_percent():
    from framelens.analysis.reports.check_codes import CheckRow
    from framelens.analysis.results import Result
    from framelens.cli.check_cmd import github_annotations

    rows = (CheckRow("FL043", "warning", "a,b:c.md", None, "50% done\nnext"),)
    text = github_annotations(Result(CheckRow, rows))
    assert text == "::warning file=a%2Cb%3Ac.md,title=FL043::50%25 done%0Anext\n"


def test_github_format_only_on_check():
    result = invoke(["sources", "list", "--format", "github"])
    assert result.exit_code == 2


def test_missing_sources_is_a_clean_error(tmp_path):
    result = run("--sources", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output


# ---------------------------------------------------------------------------
# Hypothesis: arbitrary bytes and arbitrary front matter never make a traceback.

_CLEAN_ERRORS = ("error: ",)


def _assert_clean(result) -> None:
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows or result.stderr.startswith(_CLEAN_ERRORS) or result.exit_code == 0
    assert all(r["code"] in CHECKS for r in rows)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_traceback(tmp_path_factory, data):
    folder = make_corpus(tmp_path_factory.mktemp("bytes"), {"fuzz.md": data})
    result = run("--sources", str(folder), "--format", "csv")
    _assert_clean(result)
    assert result.exit_code == 1  # anything random is at least missing its front matter


_KEYS = st.sampled_from(["id", "title", "perspective", "author", "outlet", "published", "url",
                         "language", "tags", "Id", "1", "? x"])
_VALUES = st.one_of(
    st.text(max_size=20), st.integers(), st.booleans(), st.none(),
    st.sampled_from(["north", "south", "2022-01-10", "2022-13-45", "'2999-01-01'", "[a, b",
                     "{x: 1}", "&a [*a]", "!!binary abc", "https://example.com", "- item",
                     "|\n  block", "\"unterminated", "gamma", "Bad Id"]))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=st.lists(st.tuples(_KEYS, _VALUES), max_size=8), body=st.text(max_size=300))
def test_arbitrary_front_matter_never_traceback(tmp_path_factory, meta, body):
    header = "\n".join(f"{key}: {value}" for key, value in meta)
    text = f"---\n{header}\n---\n{body}\n"
    folder = make_corpus(tmp_path_factory.mktemp("meta"), {"fuzz.md": text})
    result = run("--sources", str(folder), "--format", "csv")
    _assert_clean(result)


@needs_cache
def test_named_files_are_read_and_the_rest_comes_from_the_manifest(tmp_path, monkeypatch):
    from framelens.analysis.io import manifest

    monkeypatch.setattr(manifest, "_SETTLE_NS", 0)
    folder = make_corpus(tmp_path, {"gamma.md": article("gamma", BODY_A + " Subscribe now.",
                                                        published='"2099-01-01"')})
    check_corpus(folder)  # fills the per-document caches
    check_corpus(folder, paths=[folder / "beta.md"])  # and the manifest of the others

    # Every article file is read through the manifest's read_article_file: only the named
    # one may be opened.
    opened = []
    original = manifest.read_text_file
    monkeypatch.setattr(manifest, "read_text_file",
                        lambda path, max_bytes: opened.append(path.name) or original(path, max_bytes))
    # The same file under another spelling of its path is still the named one.
    named = folder / ".." / folder.name / "gamma.md"
    result = check_corpus(folder, paths=[named])
    assert opened == ["gamma.md"]
    assert {Path(r.file).name for r in result.rows} == {"gamma.md"}
    assert "FL031" in {r.code for r in result.rows}  # read from disk: its rows are all there
    assert codes_of(folder, "gamma.md", paths=[folder / "gamma.md"]) == \
        codes_of(folder, "gamma.md")
