"""CLI runs of `framelens sources` and the shared option behaviour."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from tests.conftest import invoke


def run(*args: str):
    return invoke(list(args))


def test_sources_list_csv_has_three_bundled_articles(bundled):
    result = run("sources", "list", "--sources", str(bundled), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["perspective"] for r in rows] == ["ukraine", "russia", "china"]
    assert all(int(r["words"]) > 900 and int(r["sentences"]) > 40 for r in rows)
    assert list(rows[0]) == ["id", "perspective", "title", "author", "outlet", "published",
                             "language", "language_source", "words", "sentences", "path"]
    assert {(r["language"], r["language_source"]) for r in rows} == {("en", "declared")}


def test_default_format_when_piped_is_csv(bundled):
    result = run("sources", "list", "--sources", str(bundled))
    assert result.exit_code == 0
    assert result.stdout.startswith("id,perspective,title")


def test_sources_show_json(bundled):
    result = run("sources", "show", "ru-trenin-2022-01-21", "--sources", str(bundled),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["author"] == "Dmitry Trenin"
    assert row["text"].startswith("The meeting between Russian Foreign Minister Sergey Lavrov")


def test_sources_show_unknown_id_is_exit_1_without_traceback(bundled):
    result = run("sources", "show", "nope", "--sources", str(bundled))
    assert result.exit_code == 1
    assert "no article with id 'nope'" in result.stderr
    assert "Traceback" not in result.output


def test_bad_input_is_one_line_exit_1(tmp_path):
    (tmp_path / "a.md").write_bytes(b"\xff\xfe\x00")
    result = run("sources", "list", "--sources", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_bad_format_is_usage_error(bundled):
    result = run("sources", "list", "--sources", str(bundled), "--format", "xml")
    assert result.exit_code == 2


def test_output_file_format_from_suffix(bundled, tmp_path):
    target = tmp_path / "list.json"
    result = run("sources", "list", "--sources", str(bundled), "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert len(json.loads(target.read_text())) == 3


def test_output_is_deterministic(bundled):
    first = run("sources", "list", "--sources", str(bundled), "--format", "json").stdout
    second = run("sources", "list", "--sources", str(bundled), "--format", "json",
                 "--no-cache").stdout
    assert first == second


def test_table_format_and_markdown(bundled):
    result = run("sources", "list", "--sources", str(bundled), "--format", "table")
    assert result.exit_code == 0 and "Corpus: 3 articles" in result.stdout
    assert "┏" in result.stdout
    result = run("sources", "list", "--sources", str(bundled), "--format", "markdown")
    assert result.stdout.splitlines()[2].startswith("| id | perspective")


def test_help_lists_commands_and_runs_from_any_folder(tmp_path):
    done = subprocess.run([sys.executable, "-m", "framelens.cli", "--help"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "sources" in done.stdout
    assert "numpy" not in done.stderr


def test_help_does_not_import_heavy_libraries(tmp_path):
    code = ("import sys, runpy; sys.argv=['framelens','--help']\n"
            "try:\n    runpy.run_module('framelens.cli', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "print(sorted(m for m in ('numpy','sklearn','nltk','scipy','vaderSentiment') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_piping_into_head_raises_nothing(bundled, tmp_path):
    script = (f"{sys.executable} -m framelens.cli sources show ru-trenin-2022-01-21 "
              f"--sources {bundled} --format csv | head -c 10 > /dev/null")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True,
                          text=True, check=False)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


@pytest.mark.parametrize("columns", [80, 120])
def test_sources_list_table_fits_the_terminal(bundled, columns):
    result = invoke(["sources", "list", "--sources", str(bundled),
                                      "--format", "table"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert "cn-wu-2022-01-19" in result.output
    assert ("Trenin" in result.output) == (columns >= 100)  # author only where it fits
