"""`framelens sources add`: extraction, cleaning, ids, atomic never-overwriting writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from framelens.analysis.config.settings import load_config
from framelens.analysis.errors import CorpusError
from framelens.analysis.io import output
from framelens.analysis.io.documents import parse_article
from framelens.analysis.io.importer import (
    article_markdown,
    clean_paragraphs,
    read_source,
    slugify,
)
from framelens.analysis.io.output import write_new_file
from framelens.analysis.io.reader import load_corpus
from tests.conftest import DATA, invoke

HTML = DATA / "html"
BEIJING = HTML / "beijing-review-talks.html"
KYIV = HTML / "kyiv-weekly-sovereignty.html"
MOSCOW = HTML / "moscow-notes-untitled.html"


@pytest.fixture
def corpus(bundled_copy) -> Path:
    return bundled_copy


def add(*args: str):
    return invoke(["sources", "add", *args])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---------------------------------------------------------------------------
# Pure parts.


@pytest.mark.parametrize(("title", "slug"), [
    ("Can U.S. Ease Russia’s Security Concerns?", "can-us-ease-russias-security-concerns"),
    ("Überraschung: Café à Kyiv — 2022", "uberraschung-cafe-a-kyiv-2022"),
    ("  --Hello,   World!--  ", "hello-world"),
    ("中国外交", ""),
    ("What Russia Wants – and Why: Ukraine's Place in the January 2022 Security Talks",
     "what-russia-wants-and-why-ukraines-place-in-the-january-2022"),
    ("a" * 80, "a" * 60),
])
def test_slugify(title, slug):
    assert slugify(title) == slug
    assert len(slug) <= 60


def test_html_extraction_metadata_and_cleaning():
    extracted = read_source(str(KYIV), max_bytes=2_000_000)
    assert extracted.metadata == {
        "title": "Ukraine Is Not a Bargaining Chip", "author": "Olena Kovalenko",
        "outlet": "Kyiv Weekly", "published": "2022-01-11",
        "url": "https://kyivweekly.example.org/en/opinion/ukraine-not-a-bargaining-chip",
        "language": "en"}
    text = "\n".join(extracted.paragraphs)
    for chrome in ("Read more", "Subscribe", "Language", "Advertisement", "You might also like",
                   "Back to Top"):
        assert chrome not in text
    # The pull quote repeated a body sentence: removed, the body sentence kept.
    assert text.count("They are an attempt to return to a world of spheres of influence") == 1
    assert "Read more: The Minsk agreements, explained" in extracted.removed
    assert extracted.paragraphs[1].startswith("As American and Russian diplomats")


def test_html_without_metadata():
    extracted = read_source(str(MOSCOW), max_bytes=2_000_000)
    assert extracted.metadata == {}
    assert len(extracted.paragraphs) == 3
    assert "cookies" not in " ".join(extracted.paragraphs)


def test_text_and_markdown_sources(tmp_path):
    txt = tmp_path / "note.txt"
    txt.write_text("Talks in Geneva\n\nThe first paragraph says something.\n\n"
                   "Subscribe to our newsletter\n\nThe second paragraph says more.\n",
                   encoding="utf-8")
    extracted = read_source(str(txt), max_bytes=10_000)
    assert extracted.metadata == {"title": "Talks in Geneva"}
    assert extracted.paragraphs == ("The first paragraph says something.",
                                    "The second paragraph says more.")
    md = tmp_path / "draft.md"
    md.write_text('---\ntitle: A Draft\nauthor: Jane Roe\npublished: 2022-01-05\n'
                  'url: "not a url"\n---\nBody text here.\n', encoding="utf-8")
    extracted = read_source(str(md), max_bytes=10_000)
    assert extracted.metadata == {"title": "A Draft", "author": "Jane Roe",
                                  "published": "2022-01-05"}
    assert extracted.removed == ("url: not a url",)


def test_unsupported_source(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(CorpusError, match="expected a .txt, .md, .html"):
        read_source(str(path), max_bytes=100)


def test_clean_paragraphs_keeps_everything_else():
    kept, removed = clean_paragraphs([
        "Back to Top", "One sentence of the article that is long enough.",
        "One sentence of the article that is long enough.", "Short one.", "Short one."])
    assert kept == ["One sentence of the article that is long enough.", "Short one.",
                    "Short one."]
    assert removed == ["Back to Top", "One sentence of the article that is long enough."]


def test_markdown_front_matter_round_trips(tmp_path):
    config = load_config()
    metadata = {"id": "x-1", "title": 'He said: "no" # really', "perspective": "north",
                "author": "O'Brien", "published": "2022-01-05", "url": "https://e.com/a#b",
                "language": "en"}
    text = article_markdown(metadata, ["First.", "Second."])
    assert 'published: "2022-01-05"' in text
    document = parse_article(text, tmp_path / "x-1.md", config)
    assert (document.title, document.author, document.outlet, document.url) == (
        'He said: "no" # really', "O'Brien", "unknown", "https://e.com/a#b")
    assert document.text == "First.\n\nSecond."


# ---------------------------------------------------------------------------
# Atomic, never-overwriting writes.


def test_write_new_file_refuses_to_overwrite(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("theirs", encoding="utf-8")
    with pytest.raises(CorpusError, match="refusing to overwrite"):
        write_new_file(target, "ours")
    assert target.read_text(encoding="utf-8") == "theirs"
    assert leftovers(tmp_path) == []


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    def half_then_interrupt(fd, data):
        os.write(fd, data[: len(data) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "_write_all", half_then_interrupt)
    target = tmp_path / "a.md"
    with pytest.raises(KeyboardInterrupt):
        write_new_file(target, "x" * 10_000)
    assert list(tmp_path.iterdir()) == []


def test_interruption_before_the_link_leaves_nothing(tmp_path, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "link", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_new_file(tmp_path / "a.md", "text")
    assert list(tmp_path.iterdir()) == []


def test_a_file_appearing_meanwhile_is_not_clobbered(tmp_path, monkeypatch):
    real_link = os.link

    def racing_link(source, target):
        Path(target).write_text("written by someone else", encoding="utf-8")
        return real_link(source, target)

    monkeypatch.setattr(output.os, "link", racing_link)
    target = tmp_path / "a.md"
    with pytest.raises(CorpusError, match="refusing to overwrite"):
        write_new_file(target, "ours")
    assert target.read_text(encoding="utf-8") == "written by someone else"
    assert leftovers(tmp_path) == []


def test_without_hard_links_the_fallback_is_exclusive_too(tmp_path, monkeypatch):
    def no_links(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(output.os, "link", no_links)
    write_new_file(tmp_path / "a.md", "first")
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "first"
    with pytest.raises(CorpusError, match="refusing to overwrite"):
        write_new_file(tmp_path / "a.md", "second")
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "first"
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------------
# The command.


def test_add_html_writes_a_valid_article_and_runs_the_checks(corpus):
    result = add(str(BEIJING), "--perspective", "china", "--sources", str(corpus),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    target = corpus / "geneva-talks-leave-security-dilemma-unresolved.md"
    assert f"wrote {target}" in result.stderr
    assert json.loads(result.stdout) == []
    text = target.read_text(encoding="utf-8")
    assert 'published: "2022-01-14"' in text
    loaded = load_corpus(corpus)
    document = loaded.document("geneva-talks-leave-security-dilemma-unresolved")
    assert (document.perspective, document.author, document.outlet) == (
        "china", "Li Wenhua", "East Asia Observer")
    assert document.url.startswith("https://observer.example.com/world/2022/01/14/")
    assert "cookies" not in document.text and "Related articles" not in document.text
    assert leftovers(corpus) == []


def test_options_override_extracted_metadata(corpus):
    result = add(str(KYIV), "-p", "ukraine", "--sources", str(corpus), "--id", "kyiv-chip",
                 "--title", "Not a Chip", "--author", "K. O.", "--published", "2022-01-12",
                 "--outlet", "KW", "--url", "https://kw.example.org/x", "--format", "json")
    assert result.exit_code == 0, result.output
    document = load_corpus(corpus).document("kyiv-chip")
    assert (document.title, document.author, document.outlet, document.published,
            document.url) == ("Not a Chip", "K. O.", "KW", "2022-01-12",
                              "https://kw.example.org/x")


def test_add_refuses_to_overwrite_or_reuse_an_id(corpus):
    assert add(str(KYIV), "-p", "ukraine", "--sources", str(corpus)).exit_code == 0
    target = corpus / "ukraine-is-not-a-bargaining-chip.md"
    before = target.read_bytes()
    again = add(str(KYIV), "-p", "ukraine", "--sources", str(corpus))
    assert again.exit_code == 1
    assert "refusing to overwrite" in again.stderr and "Traceback" not in again.output
    assert target.read_bytes() == before
    # An id is refused even when the file holding it has another name.
    (corpus / "cn-wu-2022-01-19.md").rename(corpus / "wu.md")
    taken = add(str(KYIV), "-p", "ukraine", "--sources", str(corpus), "--id",
                "cn-wu-2022-01-19")
    assert taken.exit_code == 1 and "already used by" in taken.stderr
    assert not (corpus / "cn-wu-2022-01-19.md").exists()
    assert leftovers(corpus) == []


def test_add_reports_errors_but_keeps_the_file(corpus):
    assert add(str(BEIJING), "-p", "china", "--sources", str(corpus)).exit_code == 0
    duplicate = add(str(BEIJING), "-p", "china", "--sources", str(corpus), "--id", "copy",
                    "--format", "csv")
    assert duplicate.exit_code == 1
    assert "FL040" in duplicate.stdout
    assert (corpus / "copy.md").exists()
    assert f"rm {corpus / 'copy.md'}" in duplicate.stderr


def test_add_needs_a_title_and_a_known_perspective(corpus):
    untitled = add(str(MOSCOW), "-p", "russia", "--sources", str(corpus))
    assert untitled.exit_code == 1 and "pass --title" in untitled.stderr
    unknown = add(str(BEIJING), "-p", "mars", "--sources", str(corpus))
    assert unknown.exit_code == 2 and "unknown perspective 'mars'" in unknown.stderr
    bad_date = add(str(BEIJING), "-p", "china", "--sources", str(corpus), "--published", "soon")
    assert bad_date.exit_code == 2
    titled = add(str(MOSCOW), "-p", "russia", "--sources", str(corpus), "--title",
                 "Heard, Not Listened To", "--format", "csv")
    assert titled.exit_code == 0  # too short is a warning only
    assert "FL045" in titled.stdout
    assert (corpus / "heard-not-listened-to.md").exists()
    assert sorted(p.name for p in corpus.glob("*.md")) == [
        "cn-wu-2022-01-19.md", "heard-not-listened-to.md", "ru-trenin-2022-01-21.md",
        "ua-analysis-2022-01-10.md"]


def test_dest_folder(corpus, tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    result = add(str(KYIV), "-p", "ukraine", "--sources", str(corpus), "--dest", str(incoming))
    assert result.exit_code == 0, result.output
    assert (incoming / "ukraine-is-not-a-bargaining-chip.md").exists()
    missing = add(str(KYIV), "-p", "ukraine", "--sources", str(corpus), "--dest",
                  str(tmp_path / "nope"))
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_url_without_network_is_one_clear_line(corpus, monkeypatch):
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    result = add("https://news.example.com/a", "-p", "ukraine", "--sources", str(corpus))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: https://news.example.com/a: cannot download")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_url_is_downloaded_and_extracted(corpus, monkeypatch):
    import urllib.request

    class Response:
        def __init__(self, data):
            self.data = data

        def read(self, limit):
            return self.data[:limit]

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda request, timeout: Response(MOSCOW.read_bytes()))
    result = add("https://notes.example.ru/brussels", "-p", "russia", "--sources", str(corpus),
                 "--title", "Brussels Notes")
    assert result.exit_code == 0, result.output
    document = load_corpus(corpus).document("brussels-notes")
    assert document.url == "https://notes.example.ru/brussels"


def test_disk_full_mid_write_is_a_clean_error_and_leaves_nothing(corpus, monkeypatch):
    def disk_full(fd, data):
        os.write(fd, data[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output, "_write_all", disk_full)
    before = sorted(p.name for p in corpus.iterdir())
    result = add(str(KYIV), "-p", "ukraine", "--sources", str(corpus))
    assert result.exit_code == 1
    assert "cannot write the article: No space left on device" in result.stderr
    assert sorted(p.name for p in corpus.iterdir()) == before
