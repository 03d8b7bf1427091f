"""Shared fixtures: an isolated cache folder, the bundled corpus, small corpora on disk."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

# Tests of the cache itself; the rest of the suite must pass with the cache on and off
# (.ci/run runs it both ways, the second time with FRAMELENS_NO_CACHE=1).
needs_cache = pytest.mark.skipif(bool(os.environ.get("FRAMELENS_NO_CACHE")),
                                 reason="tests the cache, which FRAMELENS_NO_CACHE switches off")

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
BUNDLED = REPO / "sources"
GOLDEN = TESTS / "golden"
DATA = TESTS / "data"


@pytest.fixture
def generator_module():
    """``bench/generate.py``, the benchmark's seeded corpus generator, as a module."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    return generate


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own cache folder, so results never depend on earlier runs."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("FRAMELENS_CACHE_DIR", str(folder))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return folder


def invoke(args, **kwargs):
    """Run the real framelens app on a command line (``args``: its words after ``framelens``)
    in this process, as Typer's ``CliRunner`` does; stdout and stderr kept apart."""
    from typer.testing import CliRunner

    from framelens.cli.app import app

    return CliRunner().invoke(app, [str(arg) for arg in args], **kwargs)


@pytest.fixture
def bundled() -> Path:
    return BUNDLED


@pytest.fixture
def bundled_copy(tmp_path) -> Path:
    """A writable copy of the bundled corpus (its articles and config) in ``tmp_path/sources``."""
    import shutil

    folder = tmp_path / "sources"
    folder.mkdir()
    for path in BUNDLED.iterdir():
        if path.suffix in (".md", ".toml"):
            shutil.copy(path, folder / path.name)
    return folder


def write_article(folder: Path, doc_id: str, perspective: str, body: str, **meta: str) -> Path:
    """Write a Markdown article with front matter; returns its path."""
    fields = {"id": doc_id, "title": meta.pop("title", doc_id.replace("-", " ").title()),
              "perspective": perspective, **meta}
    header = "\n".join(f"{key}: {value!r}" if isinstance(value, str) and key == "published"
                       else f"{key}: {value}" for key, value in fields.items())
    path = folder / f"{doc_id}.md"
    path.write_text(f"---\n{header}\n---\n{textwrap.dedent(body).strip()}\n", encoding="utf-8")
    return path


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Three short articles, two perspectives, with a config."""
    (tmp_path / "framelens.toml").write_text(
        '[[perspectives]]\nid = "north"\nlabel = "North"\ncolour = "#1f77b4"\n\n'
        '[[perspectives]]\nid = "south"\nlabel = "South"\ncolour = "#d62728"\n',
        encoding="utf-8")
    write_article(tmp_path, "north-one", "north", """
        The U.S. and NATO discussed security guarantees in Geneva. Mr. Smith said the talks were useful.

        NATO expansion worries Moscow. The Alliance rejects any veto.
        """, published="2022-01-10")
    write_article(tmp_path, "north-two", "north", """
        Sanctions against Russia remain likely. NATO allies agree on sanctions.
        """, published="2022-01-11")
    write_article(tmp_path, "south-one", "south", """
        Russia's security concerns deserve respect. The US must listen to us.

        Kiev and Donbass remain tense, and Russia wants security guarantees.
        """, published="2022-01-12")
    return tmp_path
