"""Engines: the same bytes on this machine's cores, on a real Dask cluster, with any partition size.

The cluster is a real ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1 (only there), started by the test; CI installs the ``dask`` extra.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, invoke, needs_cache

COMMANDS = (["compare"], ["keywords"], ["stance"], ["topics"])

# .ci/run installs the extra, so CI always runs these.
needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="the dask extra is not installed")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A generated corpus large enough for the local engine to use its process pool."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    return generate(450, tmp_path_factory.mktemp("corpus") / "corpus", quiet=True)


def run(corpus: Path, command: list[str], *engine: str) -> bytes:
    result = invoke([*command, "--sources", str(corpus), "--format", "json",
                                      "--no-cache", *engine])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """``tcp://127.0.0.1:PORT`` of a scheduler with two single-threaded workers."""
    dask = shutil.which("dask", path=os.path.dirname(sys.executable)) or shutil.which("dask")
    assert dask, "the dask command is missing (pip install 'framelens[dask]')"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    folder = tmp_path_factory.mktemp("dask")
    processes = [subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
         "--dashboard-address", ":0", "--no-show"], cwd=folder,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    for index in range(2):
        processes.append(subprocess.Popen(
            [dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
             "--no-dashboard", "--name", f"worker-{index}", "--local-directory",
             str(folder / f"worker-{index}")], cwd=folder,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@needs_dask
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_dask_cluster_gives_the_bytes_of_the_local_engine(generated, scheduler, command):
    local = run(generated, command)
    assert run(generated, command, "--engine", "dask", "--scheduler", scheduler) == local


def _tasks_run(scheduler: str, function: str, corpus: Path, command: str) -> int:
    """How many tasks of ``function`` the cluster finished while framelens ran ``command``."""
    from distributed import Client

    def finished(dask_scheduler) -> int:
        return sum(1 for entry in dask_scheduler.transition_log
                   if function in str(entry[0]) and entry[2] == "memory")

    with Client(scheduler) as client:
        before = client.run_on_scheduler(finished)
        run(corpus, [command], "--engine", "dask", "--scheduler", scheduler)
        return client.run_on_scheduler(finished) - before


@needs_dask
def test_the_cluster_did_the_work(generated, scheduler):
    # The documents were split and tokenised by tasks on the cluster.
    assert _tasks_run(scheduler, "_process_chunk", generated, "keywords") > 0


@needs_dask
def test_the_one_pass_ran_on_the_cluster(generated, scheduler):
    # Documents were processed, annotated and toned by tasks on the cluster.
    assert _tasks_run(scheduler, "_pass_chunk", generated, "stance") > 0


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_the_partition_size_never_changes_the_output(generated, size):
    assert run(generated, ["stance"], "--partition-size", str(size)) == run(generated, ["stance"])


def test_an_unreachable_scheduler_is_one_line_and_exit_1(generated):
    pytest.importorskip("distributed")
    started = time.monotonic()
    result = invoke(["keywords", "--sources", str(generated), "--engine", "dask",
                                      "--scheduler", f"tcp://127.0.0.1:{_free_port()}"])
    assert result.exit_code == 1
    assert time.monotonic() - started < 10
    assert result.stderr.startswith("error: cannot reach the Dask scheduler")
    assert len(result.stderr.strip().splitlines()) == 1


def test_scheduler_without_the_dask_engine_is_a_usage_error(generated):
    result = invoke(["keywords", "--sources", str(generated),
                                      "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "--scheduler needs --engine dask" in result.stderr


@needs_dask
@pytest.mark.parametrize("damage", ["front matter", "undecodable"])
def test_bad_input_on_a_cluster_is_reported_as_locally(generated, scheduler, tmp_path, damage):
    corpus = tmp_path / "corpus"
    shutil.copytree(generated, corpus)
    broken = sorted(corpus.glob("*.md"))[17]
    if damage == "front matter":
        broken.write_text(broken.read_text().replace("perspective:", "perspective: [", 1))
    else:
        broken.write_bytes(broken.read_bytes() + b"\xff\xfe broken \xc3\x28")
    args = ["compare", "--sources", str(corpus), "--format", "csv", "--no-cache"]
    local = invoke(args)
    clustered = invoke([*args, "--engine", "dask", "--scheduler", scheduler])
    assert local.exit_code == clustered.exit_code == 1
    assert clustered.stderr == local.stderr
    assert broken.name in clustered.stderr and "Traceback" not in clustered.stderr
    assert clustered.stdout == ""


@needs_dask
def test_ctrl_c_on_a_cluster_exits_130_and_leaves_no_tasks_behind(generated, scheduler, tmp_path):
    import signal

    from distributed import Client

    def tasks(dask_scheduler) -> int:
        return len(dask_scheduler.tasks)

    framelens = shutil.which("framelens", path=os.path.dirname(sys.executable))
    env = {**os.environ, "FRAMELENS_CACHE_DIR": str(tmp_path / "cache")}
    with Client(scheduler) as client:
        process = subprocess.Popen(
            [framelens, "stance", "--sources", str(generated), "--format", "csv", "--engine",
             "dask", "--scheduler", scheduler, "--partition-size", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 120
        while client.run_on_scheduler(tasks) <= 1 and process.poll() is None:
            assert time.monotonic() < deadline, "the run never reached the cluster"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        assert process.wait(timeout=30) == 130
        assert time.monotonic() - sent < 10
        assert process.stderr.read().decode().strip().splitlines()[-1] == "framelens: interrupted"
        deadline = time.monotonic() + 20
        while client.run_on_scheduler(tasks) > 0:  # the run's tasks are released, not left running
            assert time.monotonic() < deadline, "tasks of the interrupted run stayed on the cluster"
            time.sleep(0.2)


@needs_dask
@needs_cache
def test_check_after_a_dask_compare_reads_the_products_of_a_local_one(generated, scheduler,
                                                                     tmp_path, monkeypatch):
    """The one pass caches check's per-document products (fingerprint, terms, signature)
    with the same values on either engine, and check prints the same bytes after either."""
    import marshal
    import sqlite3

    products, checks = {}, {}
    for engine in ("local", "dask"):
        cache = tmp_path / engine
        monkeypatch.setenv("FRAMELENS_CACHE_DIR", str(cache))
        chosen = ["--engine", "dask", "--scheduler", scheduler] if engine == "dask" else []
        result = invoke(["compare", "--sources", generated, "--format", "csv", *chosen])
        assert result.exit_code == 0, result.output
        (database,) = cache.glob("*.sqlite")
        with sqlite3.connect(database) as connection:
            # Values: marshal's bytes depend on which objects a process happened to share.
            products[engine] = {key: marshal.loads(blob) for key, blob in connection.execute(
                "SELECT digest, payload FROM documents WHERE digest LIKE 'dup-%'")}
        result = invoke(["check", "--sources", generated, "--format", "csv"])
        checks[engine] = (result.exit_code, result.stdout_bytes)
    assert len(products["local"]) == 3 * 450  # identity, terms and row of each article
    assert products["dask"] == products["local"]
    assert checks["dask"] == checks["local"]


@needs_dask
@needs_cache
def test_new_articles_in_a_cached_corpus_are_processed_on_the_cluster(generated, scheduler,
                                                                      tmp_path):
    """A corpus the cache holds but for a few new articles: only those go to the cluster
    (the cached ones are not even decoded), and the bytes are a cold local run's."""
    import shutil as files

    from tests.conftest import write_article

    corpus = tmp_path / "corpus"
    files.copytree(generated, corpus)
    first = invoke(["compare", "--sources", str(corpus), "--format", "csv"])
    assert first.exit_code == 0, first.output
    for i in range(3):
        write_article(corpus, f"zz-new-{i}", ("ukraine", "russia", "china")[i],
                      "NATO and Russia met in Geneva. Sanctions were \"on the table\", "
                      f"officials said on day {i}. Ukraine asked for guarantees.",
                      published=f"2022-01-{20 + i}")
    expected = invoke(["compare", "--sources", str(corpus), "--format", "csv", "--no-cache"])
    assert expected.exit_code == 0, expected.output
    from distributed import Client

    def finished(dask_scheduler) -> list:
        return [entry[0] for entry in dask_scheduler.transition_log
                if "_pass_chunk" in str(entry[0]) and entry[2] == "memory"]

    with Client(scheduler) as client:
        before = set(client.run_on_scheduler(finished))
        found = invoke(["compare", "--sources", str(corpus), "--format", "csv",
                        "--engine", "dask", "--scheduler", scheduler])
        ran = set(client.run_on_scheduler(finished)) - before
    assert found.exit_code == 0, found.output
    assert found.stdout_bytes == expected.stdout_bytes
    assert len(ran) == 1  # one chunk: the three new articles
