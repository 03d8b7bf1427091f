"""Bad input and faults (issue #17), in the style of csvkit's shared bad-input cases.

Each case runs the real command and asserts the exit code, one line on stderr naming the
file (and line), no traceback, and the state of every file afterwards. Faults use real
parts, no mocks: a FIFO, a device node, a small tmpfs (mounted in a temporary folder and
unmounted in a finally), /dev/full. Tests that need root (mknod, mount) skip without it;
CI runs as root. Interrupt and kill -9 tests are in tests/cli/test_interrupts.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import invoke, needs_cache

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="needs root (mknod / mount)")


@pytest.fixture
def corpus(bundled_copy) -> Path:
    return bundled_copy


def snapshot_files(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every entry of a folder: its mode and, for a regular file, its bytes."""
    state = {}
    for path in sorted(folder.iterdir()):
        info = path.lstat()
        data = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
        state[path.name] = (info.st_mode, data)
    return state


def run(*args: str | Path):
    return invoke([str(a) for a in args])


def assert_fails(result, *, code: int = 1, names: str | Path | None = None,
                 line: int | None = None, says: str = "") -> str:
    """Exit ``code``, exactly one line on stderr starting ``error:``, naming the file (and
    line), no traceback; returns the line."""
    assert result.exit_code == code, (result.exit_code, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    message = result.stderr.strip()
    assert "Traceback" not in result.stderr + result.stdout
    assert len(message.splitlines()) == 1, message
    assert message.startswith("error: "), message
    if names is not None:
        where = str(names) if line is None else f"{names}:{line}"
        assert where in message, (where, message)
    assert says in message, (says, message)
    return message


def cli(*args: str | Path, stdout=subprocess.PIPE, timeout: float = 120,
        env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed console script, in a subprocess (real file descriptors and signals)."""
    return subprocess.run([sys.executable, "-m", "framelens.cli", *map(str, args)],
                          stdout=stdout, stderr=subprocess.PIPE, timeout=timeout,
                          env={**os.environ, **(env or {})})


# ---------------------------------------------------------------------------
# 2. Writing output.


def test_output_keeps_the_mode_of_a_regular_file(corpus, tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    assert run("keywords", "--sources", corpus, "-o", target).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text().startswith("perspective,")


def test_output_new_file_gets_the_umask_mode_not_0600(corpus, tmp_path):
    target = tmp_path / "new.csv"
    mask = os.umask(0o022)
    try:
        assert run("keywords", "--sources", corpus, "-o", target).exit_code == 0
    finally:
        os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(corpus, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real.name)
    assert run("keywords", "--sources", corpus, "-o", link).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == real.name
    assert real.read_text().startswith("perspective,")


def test_output_to_a_hard_linked_file_keeps_every_name(corpus, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("old\n")
    second = tmp_path / "b.csv"
    os.link(first, second)
    assert run("keywords", "--sources", corpus, "-o", first).exit_code == 0
    assert first.stat().st_ino == second.stat().st_ino and first.stat().st_nlink == 2
    assert second.read_text().startswith("perspective,")


@needs_root
def test_output_to_a_character_device_writes_through(corpus, tmp_path):
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's numbers
    result = run("keywords", "--sources", corpus, "-o", device)
    assert result.exit_code == 0, result.stderr
    info = device.lstat()
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "sources"]  # no temp file


def test_output_to_a_fifo_writes_through(corpus, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("keywords", "--sources", corpus, "--format", "csv", "-o", fifo)
    reader.join(30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and received[0].startswith(b"perspective,")


@pytest.mark.parametrize("which", ["article", "config"])
def test_output_over_a_file_of_the_corpus_is_refused(corpus, which):
    before = snapshot_files(corpus)
    target = corpus / ("cn-wu-2022-01-19.md" if which == "article" else "framelens.toml")
    result = run("keywords", "--sources", corpus, "-o", target)
    assert_fails(result, names=target, says="refusing to overwrite")
    assert snapshot_files(corpus) == before


def test_output_over_a_table_corpus_is_refused(tmp_path):
    table = tmp_path / "articles.csv"
    table.write_text("id,text,perspective\na,Some text about NATO and Russia.,x\n"
                     "b,Other text about Ukraine.,y\n")
    before = table.read_bytes()
    assert_fails(run("keywords", "--sources", table, "-o", table), names=table,
                 says="refusing to overwrite")
    assert table.read_bytes() == before


def test_output_onto_a_folder_is_one_line(corpus, tmp_path):
    assert_fails(run("keywords", "--sources", corpus, "-o", tmp_path), names=tmp_path,
                 says="is a folder")


def test_output_where_no_file_can_be_made_is_one_line(corpus):
    assert_fails(run("keywords", "--sources", corpus, "-o", "/proc/version"),
                 names="/proc/version", says="cannot create a file")


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str = "64k"):
    """A tmpfs of ``size`` mounted on ``folder`` (unmounted whatever happens)."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Fill the file system of ``folder`` to the last byte."""
    with contextlib.suppress(OSError), open(folder / "filler", "wb", buffering=0) as stream:
        while True:
            stream.write(b"\0" * 512)


@needs_root
def test_output_on_a_full_disk_keeps_the_old_file(corpus, tmp_path):
    with small_tmpfs(tmp_path / "mnt") as mnt:
        target = mnt / "out.csv"
        target.write_text("old\n")
        fill(mnt)
        result = run("keywords", "--sources", corpus, "--top", "500", "-o", target)
        assert_fails(result, names=target, says="No space left on device")
        assert target.read_text() == "old\n"
        assert sorted(p.name for p in mnt.iterdir()) == ["filler", "out.csv"]


@needs_root
def test_output_on_a_read_only_file_system_is_one_line(corpus, tmp_path):
    with small_tmpfs(tmp_path / "mnt") as mnt:
        (mnt / "out.csv").write_text("old\n")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        result = run("keywords", "--sources", corpus, "-o", mnt / "out.csv")
        assert_fails(result, names=mnt / "out.csv", says="Read-only file system")
        assert (mnt / "out.csv").read_text() == "old\n"


@needs_root
def test_stdout_on_a_full_disk_is_an_error_not_exit_0(corpus, tmp_path):
    with small_tmpfs(tmp_path / "mnt") as mnt:
        (mnt / "out.csv").write_bytes(b"")
        fill(mnt)
        with open(mnt / "out.csv", "wb") as stream:
            done = cli("keywords", "--sources", corpus, "--top", "500", "--format", "csv",
                       stdout=stream)
        assert done.returncode == 1, done.stderr
        assert done.stderr.decode().strip() == ("error: cannot write to standard output: "
                                                "No space left on device")


def test_stdout_on_dev_full_is_an_error(corpus):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "wb") as stream:
        done = cli("keywords", "--sources", corpus, "--format", "csv", stdout=stream)
    assert done.returncode == 1
    lines = done.stderr.decode().strip().splitlines()
    assert lines == ["error: cannot write to standard output: No space left on device"]


# ---------------------------------------------------------------------------
# 3. Corpus files.


def _odd_entry(corpus: Path, kind: str) -> Path:
    path = corpus / f"odd-{kind}.md"
    if kind == "loop":
        path.symlink_to(path.name)
    elif kind == "dangling":
        path.symlink_to("missing.md")
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    return path


ODD = {"loop": "symbolic link loop", "dangling": "dangling symbolic link",
       "folder": "a folder", "fifo": "FIFO"}


@pytest.mark.parametrize("kind", sorted(ODD))
@pytest.mark.parametrize("command", [["compare"], ["sources", "list"], ["keywords"]])
def test_odd_corpus_entries_are_reported_not_skipped(corpus, kind, command):
    path = _odd_entry(corpus, kind)
    before = snapshot_files(corpus)
    # In a subprocess: a FIFO opened for reading by mistake would block this test forever.
    done = cli(*command, "--sources", corpus, "--format", "csv", timeout=120)
    assert done.returncode == 1, done.stderr
    message = done.stderr.decode().strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert message.startswith(f"error: {path}:") and ODD[kind] in message, message
    assert snapshot_files(corpus) == before


def test_check_lists_every_odd_entry_and_fails(corpus):
    paths = {kind: _odd_entry(corpus, kind) for kind in ODD}
    done = cli("check", "--sources", corpus, "--format", "csv", timeout=120)
    assert done.returncode == 1
    rows = list(__import__("csv").DictReader(done.stdout.decode().splitlines()))
    reported = {row["file"]: row for row in rows}
    for kind, path in paths.items():
        assert reported[str(path)]["code"] == "FL005" and ODD[kind] in reported[str(path)]["message"]
    assert "in 4 of 7 files" in done.stderr.decode()


def test_check_of_a_named_fifo_does_not_block(corpus):
    fifo = _odd_entry(corpus, "fifo")
    done = cli("check", "--sources", corpus, fifo, "--format", "csv", timeout=120)
    assert done.returncode == 1
    assert done.stdout.decode().count("FL005") == 1


def test_yaml_alias_bomb_is_refused_with_a_short_message(corpus):
    bomb = corpus / "bomb.md"
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
               for i in range(8)]
    bomb.write_text("---\n" + "\n".join(levels) + "\nid: bomb\ntitle: Bomb\nperspective: russia\n"
                    "---\nBody text.\n")
    message = assert_fails(run("compare", "--sources", corpus), names=bomb, line=3,
                           says="aliases")
    assert len(message) < 300


def test_utf16_article_is_named_as_utf16_with_the_fix(corpus):
    article = corpus / "cn-wu-2022-01-19.md"
    article.write_bytes(article.read_text(encoding="utf-8").encode("utf-16"))
    assert_fails(run("compare", "--sources", corpus), names=article, line=1,
                 says="UTF-16 text, expected UTF-8; convert it with `iconv -f UTF-16")


def test_utf16_without_bom_is_recognised(corpus):
    article = corpus / "cn-wu-2022-01-19.md"
    article.write_bytes(article.read_text(encoding="utf-8").encode("utf-16-le"))
    assert_fails(run("compare", "--sources", corpus), names=article, says="UTF-16")


# ---------------------------------------------------------------------------
# 4. Tabular corpora: (file name, content, line, words of the message).

TABLE_CASES = {
    "wrong-type-list": ("t.jsonl", '{"id": "a", "text": "Text.", "perspective": ["x"]}\n', 1,
                        "column 'perspective' must be text, got a list"),
    "wrong-type-number": ("t.jsonl", '{"id": "a", "text": 12345, "perspective": "x"}\n', 1,
                          "column 'text' must be text, got a number"),
    "wrong-type-object": ("t.jsonl", '{"id": {"a": 1}, "text": "T.", "perspective": "x"}\n', 1,
                          "column 'id' must be text, got an object"),
    "extra-field": ("t.csv", "id,text,perspective\na,Text.,x\nb,Text,y,extra\n", 3,
                    "row has 4 fields, more than the header's 3"),
    "short-row": ("t.csv", "id,text,perspective\na,Text.\n", 2,
                  "row has 2 fields, fewer than the header's 3"),
    "duplicate-column": ("t.csv", "id,text,text,perspective\na,T,U,x\n", 1,
                         "the header names column 'text' twice"),
    "unclosed-quote": ("t.csv", 'id,text,perspective\na,Fine.,x\nb,"Never closed,x\nc,T,x\n',
                       3, "a quote opened here is never closed"),
    "header-only": ("t.csv", "id,text,perspective\n", 2, "no rows after the header line"),
    "formula-id": ("t.csv", "id,text,perspective\n=1+1,Text.,x\n", 2, "id '=1+1'"),
    "path-id": ("t.tsv", "id\ttext\tperspective\n../x\tText.\tx\n", 2, "id '../x'"),
    "bad-json": ("t.jsonl", '{"id": "a", "text": "T", "perspective": "x"}\n{"id": \n', 2,
                 "invalid JSON"),
    "deep-json": ("t.jsonl", "[" * 100000 + "\n", 1, "invalid JSON"),
}


@pytest.mark.parametrize("case", sorted(TABLE_CASES))
def test_table_corpus_errors_name_file_and_line(tmp_path, case):
    name, content, line, says = TABLE_CASES[case]
    table = tmp_path / name
    table.write_text(content)
    assert_fails(run("keywords", "--sources", table), names=table, line=line, says=says)
    assert table.read_text() == content


@pytest.mark.parametrize("case", ["extra-field", "header-only", "formula-id"])
def test_check_reports_table_errors_as_rows(tmp_path, case):
    name, content, line, says = TABLE_CASES[case]
    table = tmp_path / name
    table.write_text(content)
    result = run("check", "--sources", table, "--format", "json")
    assert result.exit_code == 1
    rows = [r for r in json.loads(result.stdout) if r["code"] in ("FL006", "FL014")]
    assert [(r["file"], r["line"]) for r in rows] == [(str(table), line)]
    assert says in rows[0]["message"]


# ---------------------------------------------------------------------------
# 5. Long inputs.


def test_long_kwic_query_is_no_recursion_error(corpus):
    result = run("kwic", " ".join(["word"] * 120), "--sources", corpus, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stdout.startswith("doc_id,")


def test_long_target_alias_is_no_recursion_error(corpus):
    result = run("stance", "--sources", corpus, "--target-alias", "NATO=" + "x" * 600,
                 "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert "NATO" in result.stdout


def test_long_topic_term_in_config_is_no_recursion_error(corpus):
    config = corpus / "framelens.toml"
    config.write_text(config.read_text() + '\n[topics.long]\nterms = ["' + "ab" * 300 + '"]\n')
    result = run("topics", "--sources", corpus, "--format", "csv")
    assert result.exit_code == 0, result.stderr


# ---------------------------------------------------------------------------
# 6. Baselines and config.


@pytest.mark.parametrize("value", ["7", "-0.1", "nan", "inf", '"high"'])
def test_near_duplicate_threshold_out_of_range_is_refused(corpus, value):
    config = corpus / "framelens.toml"
    config.write_text(config.read_text() + f"\n[check]\nnear_duplicate_threshold = {value}\n")
    assert_fails(run("compare", "--sources", corpus), names=config,
                 says="check.near_duplicate_threshold")


def test_min_words_above_max_words_is_refused(corpus):
    config = corpus / "framelens.toml"
    config.write_text(config.read_text() + "\n[check]\nmin_words = 500\nmax_words = 100\n")
    assert_fails(run("compare", "--sources", corpus), names=config, says="min_words")


def _baseline(corpus: Path, tmp_path: Path) -> tuple[Path, dict]:
    result = run("snapshot", "--sources", corpus)
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "baseline.json"
    path.write_text(result.stdout)
    return path, json.loads(result.stdout)


@pytest.mark.parametrize("damage", ["tone-string", "keywords-number", "article-list",
                                    "metrics-list"])
def test_baseline_of_the_wrong_types_is_one_line(corpus, tmp_path, damage):
    path, data = _baseline(corpus, tmp_path)
    if damage == "tone-string":
        perspective = next(iter(data["metrics"]["tone"]))
        target = next(iter(data["metrics"]["tone"][perspective]))
        data["metrics"]["tone"][perspective][target] = "high"
    elif damage == "keywords-number":
        data["metrics"]["keywords"][next(iter(data["metrics"]["keywords"]))] = 3
    elif damage == "article-list":
        data["articles"][next(iter(data["articles"]))] = ["x"]
    else:
        data["metrics"]["tone"] = [1, 2]
    path.write_text(json.dumps(data))
    assert_fails(run("check", "--sources", corpus, "--baseline", path), names=path,
                 says="not a valid baseline")


def test_baseline_of_another_corpus_is_refused(corpus, tmp_path):
    path, data = _baseline(corpus, tmp_path)
    data["articles"] = {f"other-{i}": {"perspective": "x", "sha256": "0" * 64} for i in range(4)}
    path.write_text(json.dumps(data))
    assert_fails(run("check", "--sources", corpus, "--baseline", path), names=path,
                 says="the baseline is of another corpus")


# ---------------------------------------------------------------------------
# 7. Import.


def test_download_has_an_overall_deadline():
    """A server on the loopback that sends a byte every 0.3 s, forever (until stopped)."""
    import socket
    import time

    from framelens.analysis.errors import CorpusError
    from framelens.analysis.io.importer import fetch

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    stop = threading.Event()

    def trickle():
        connection, _ = server.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not stop.wait(0.3):
                with contextlib.suppress(OSError):
                    connection.sendall(b"x")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(CorpusError, match="no complete answer within 2 s"):
            fetch(f"http://127.0.0.1:{server.getsockname()[1]}/", timeout=1, deadline=2)
        assert time.monotonic() - started < 30  # bounded (the server never stops by itself)
    finally:
        stop.set()
        server.close()


def test_navigation_only_page_is_refused_naming_the_file(corpus, tmp_path):
    page = tmp_path / "menu.html"
    page.write_text("<html><head><title>News site</title></head><body><nav>Home / News</nav>"
                    "<main><p>Home / News / World</p></main></body></html>")
    before = snapshot_files(corpus)
    result = run("sources", "add", page, "--perspective", "russia", "--sources", corpus)
    assert_fails(result, names=page, says="no article text found")
    assert snapshot_files(corpus) == before


def test_empty_page_names_the_file(corpus, tmp_path):
    page = tmp_path / "empty.html"
    page.write_text("<html><head><title>Nothing</title></head><body></body></html>")
    result = run("sources", "add", page, "--perspective", "russia", "--sources", corpus)
    assert_fails(result, names=page, says="no article text found")


# ---------------------------------------------------------------------------
# 8. Cache trust.


def _cache_file(cache_dir: Path) -> Path:
    return next(cache_dir.glob("cache-*.sqlite"))


@needs_cache
@pytest.mark.parametrize("bad", [999.0, -55.0, 1e308, "0.5x"])
def test_tone_values_out_of_range_in_the_cache_are_rebuilt(corpus, isolated_cache, bad):
    # Topics and stance read every stored tone (the sentences on a topic or naming a target).
    args = ("compare", "--sections", "topics,stance", "--sources", corpus, "--format", "csv")
    clean = run(*args, "--no-cache").stdout
    assert run(*args).stdout == clean  # fills the cache
    with sqlite3.connect(_cache_file(isolated_cache)) as db:
        assert db.execute("UPDATE tone SET compound = ?", (bad,)).rowcount > 0
        db.execute("DELETE FROM corpus_entries WHERE family LIKE 'result:%'")
    assert run(*args).stdout == clean
    with sqlite3.connect(_cache_file(isolated_cache)) as db:  # rewritten with true scores
        assert db.execute("SELECT max(abs(compound)) FROM tone").fetchone()[0] <= 1


@needs_cache
def test_an_altered_stored_result_is_computed_again(corpus, isolated_cache):
    args = ("keywords", "--sources", corpus, "--format", "csv")
    clean = run(*args, "--no-cache").stdout
    assert run(*args).stdout == clean
    with sqlite3.connect(_cache_file(isolated_cache)) as db:
        family, blob = db.execute("SELECT family, payload FROM corpus_entries "
                                  "WHERE family LIKE 'result:%'").fetchone()
        import marshal

        stored = bytearray(marshal.loads(blob))
        stored[-20] ^= 0x01  # one flipped bit in the pickled result
        db.execute("UPDATE corpus_entries SET payload = ? WHERE family = ?",
                   (marshal.dumps(bytes(stored)), family))
    assert run(*args).stdout == clean


# ---------------------------------------------------------------------------
# 9. Bidirectional controls; 10. --version.


def test_bidi_controls_are_stripped_from_csv_and_tables(corpus):
    article = corpus / "cn-wu-2022-01-19.md"
    text = article.read_text()
    article.write_text(text.replace("title: ", "title: \u202eevil\u202c \u200f", 1))
    for fmt in ("csv", "tsv", "markdown", "table"):
        result = run("sources", "list", "--sources", corpus, "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert not any(c in result.stdout for c in "\u202e\u202c\u200f"), fmt
        assert "evil" in result.stdout


def test_version():
    done = cli("--version")
    assert done.returncode == 0
    assert done.stdout.decode().startswith("framelens ")
    assert len(done.stdout.decode().splitlines()) == 1


def test_a_fifo_as_baseline_or_page_does_not_block(corpus, tmp_path):
    fifo = tmp_path / "baseline.json"
    os.mkfifo(fifo)
    done = cli("check", "--sources", corpus, "--baseline", fifo, timeout=120)
    assert done.returncode == 1
    assert done.stderr.decode().strip() == (f"error: {fifo}: cannot read the baseline: "
                                            "not a regular file")
    page = tmp_path / "page.html"
    os.mkfifo(page)
    done = cli("sources", "add", page, "--perspective", "russia", "--sources", corpus,
               timeout=120)
    assert done.returncode == 1
    assert done.stderr.decode().strip() == f"error: {page}: cannot read file: not a regular file"
