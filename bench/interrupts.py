"""How fast a cold run ends on Ctrl-C and on kill -9 of its main process (issue #17).

Run from the repository root::

    .venv/bin/python bench/interrupts.py --articles 3000 --tries 5

generates a corpus (bench/generate.py) once, then for each try starts a cold
``framelens compare`` (empty cache) in its own session, waits until its process
pool's workers exist, sends SIGINT to the process group (what a terminal does) or
SIGKILL to the main process, and prints the time until the main process exited,
its exit code and how many workers were still alive 0.5 s later. The tests
(tests/cli/test_interrupts.py) assert the behaviour; this measures it.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


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


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def one_try(corpus: Path, how: str, delay: float) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as cache:
        process = subprocess.Popen(
            [sys.executable, "-m", "framelens.cli", "compare", "--sources", str(corpus),
             "--format", "csv"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True, env={**os.environ, "FRAMELENS_CACHE_DIR": cache})
        workers: list[int] = []
        while not workers and process.poll() is None:
            workers = children(process.pid)
            time.sleep(0.01)
        time.sleep(delay)
        sent = time.monotonic()
        if how == "sigint":
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=120)
        took = time.monotonic() - sent
        time.sleep(0.5)
        return took, process.returncode, sum(running(pid) for pid in workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--tries", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.5,
                        help="seconds into the worker phase before the signal")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--articles",
                        str(args.articles), "--out", str(corpus)], check=True,
                       capture_output=True)
        for how in ("sigint", "sigkill"):
            times = []
            for _ in range(args.tries):
                took, code, survivors = one_try(corpus, how, args.delay)
                times.append(took)
                print(f"{how}: exit {code} after {took:.3f} s, {survivors} worker(s) alive")
            print(f"{how}: median {statistics.median(times):.3f} s, max {max(times):.3f} s "
                  f"over {args.tries} tries ({args.articles} articles, {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
