"""Ctrl-C and kill -9 on a real cold run (issue #17, class 1).

A small corpus is generated with bench/generate.py (enough articles for the process
pool), and ``framelens compare`` runs on it in its own session with an empty cache. The
tests wait for the phase they interrupt by watching the process itself (its SIGINT
handler installed; its pool workers started), never by sleeping a guessed time.
Time bounds are generous: they catch a hang, they do not measure speed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from framelens.analysis.parallel import PARALLEL_MIN_DOCUMENTS

REPO = Path(__file__).resolve().parents[2]
EXIT_BOUND = 10.0  # seconds; the promise is 2 s, the machine may be loaded
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="watches processes through /proc")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "corpus"
    articles = PARALLEL_MIN_DOCUMENTS * 2
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--articles",
                    str(articles), "--out", str(out)], check=True, capture_output=True)
    return out


def start(corpus: Path, cache: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "framelens.cli", "compare", "--sources", str(corpus),
         "--format", "csv"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "FRAMELENS_CACHE_DIR": str(cache)})


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pids: list[int]) -> list[int]:
    def running(pid: int) -> bool:
        try:
            return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                    not in ("Z", "X"))
        except OSError:
            return False

    return [pid for pid in pids if running(pid)]


def entry_point_ran(pid: int) -> bool:
    """Whether framelens's entry point has installed its handlers (it sets SIGINT, then
    SIGPIPE back to the default, which the interpreter starts ignoring): the app's imports
    come next."""
    masks = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("SigCgt:", "SigIgn:")):
            key, value = line.split(":")
            masks[key] = int(value, 16)
    return (bool(masks.get("SigCgt", 0) & (1 << (signal.SIGINT - 1)))
            and not masks.get("SigIgn", 0) & (1 << (signal.SIGPIPE - 1)))


def wait_for(condition, process: subprocess.Popen, what: str, limit: float = 120.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the run ended before {what}: {process.stderr.read().decode()}")
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    process.kill()
    pytest.fail(f"no {what} within {limit} s")


def workers_of(process: subprocess.Popen) -> list[int]:
    return wait_for(lambda: children(process.pid), process, "pool workers")


def assert_interrupted(process: subprocess.Popen, sent: float) -> None:
    _, err = process.communicate(timeout=60)
    took = time.monotonic() - sent
    message = err.decode()
    assert process.returncode == 130, (process.returncode, message)
    assert took < EXIT_BOUND, took
    assert message.strip().splitlines() == ["framelens: interrupted"], message
    assert "Traceback" not in message


def assert_cache_consistent(cache: Path) -> None:
    for path in cache.glob("cache-*.sqlite"):
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def assert_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + EXIT_BOUND
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive(pids) == [], "workers outlived the main process"


def test_ctrl_c_during_start_up(generated, tmp_path):
    process = start(generated, tmp_path / "cache")
    wait_for(lambda: entry_point_ran(process.pid), process, "the entry point")
    sent = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole process group
    assert_interrupted(process, sent)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the pool needs two cores")
def test_ctrl_c_during_the_worker_phase(generated, tmp_path):
    cache = tmp_path / "cache"
    process = start(generated, cache)
    workers = workers_of(process)
    time.sleep(0.3)  # into the chunks
    sent = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    assert_interrupted(process, sent)
    assert_gone(workers)
    assert_cache_consistent(cache)
    # The cache is usable: the same run completes and gives what an uncached run gives.
    again = subprocess.run([sys.executable, "-m", "framelens.cli", "keywords", "--sources",
                            str(generated), "--format", "csv"], capture_output=True,
                           env={**os.environ, "FRAMELENS_CACHE_DIR": str(cache)})
    assert again.returncode == 0, again.stderr.decode()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the pool needs two cores")
def test_sigint_to_the_main_process_alone(generated, tmp_path):
    process = start(generated, tmp_path / "cache")
    workers = workers_of(process)
    sent = time.monotonic()
    os.kill(process.pid, signal.SIGINT)
    assert_interrupted(process, sent)
    assert_gone(workers)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the pool needs two cores")
def test_kill_9_of_the_main_process_takes_the_workers_with_it(generated, tmp_path):
    cache = tmp_path / "cache"
    process = start(generated, cache)
    workers = workers_of(process)
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert_gone(workers)
    assert_cache_consistent(cache)
