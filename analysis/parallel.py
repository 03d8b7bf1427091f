"""Work spread over every core, or over a Dask cluster: one order-preserving map for the package.

Every parallel step of framelens (splitting and tokenising documents, their
annotations, VADER, bootstrap batches) is :func:`parallel_map` of a pure,
module-level function over chunks of items, so the results are the same
whichever engine runs it and however the items are partitioned:

- ``local`` (the default): this process for small work, else a process pool
  on this machine's cores;
- ``dask``: the chunks run as tasks on a Dask cluster (``distributed``,
  installed with the ``dask`` extra): a running scheduler at an address, or a
  local cluster. Workers need framelens installed; they receive the texts
  from this process and send results back, and everything cached is stored by
  this process only (workers never touch the cache file).

The engine is chosen once per run by :func:`use_engine` (the command line's
``--engine``/``--scheduler``/``--partition-size``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from framelens.analysis.errors import FramelensError, OptionError

# Below this many documents a pool's start-up costs more than it saves.
PARALLEL_MIN_DOCUMENTS = 400
ENGINES = ("local", "dask")
SCHEDULER_TIMEOUT_S = 5


class EngineError(FramelensError):
    """The chosen engine cannot run: the Dask extra is missing, the scheduler unreachable."""


@dataclass
class _Engine:
    name: str = "local"
    client: object = None  # distributed.Client for "dask"
    partition_size: int | None = None  # items per task; None: about 8 tasks per worker


_ENGINE = _Engine()
# What every chunk of a ``shared`` map needs (a closure over compiled lexicons and the
# documents): set just before a fork-started pool starts, so workers inherit it.
_SHARED: object = None


@contextlib.contextmanager
def use_engine(name: str = "local", *, scheduler: str | None = None,
               partition_size: int | None = None) -> Iterator[None]:
    """Run every :func:`parallel_map` inside the block on ``name``'s engine.

    ``scheduler``: address of a running Dask scheduler (``tcp://host:port``);
    without it the Dask engine starts a local cluster for the block.
    ``partition_size``: items per task (documents, texts), for either engine.
    """
    global _ENGINE
    if name not in ENGINES:
        raise OptionError(f"unknown engine {name!r}: choose {' or '.join(ENGINES)}")
    if partition_size is not None and partition_size < 1:
        raise OptionError(f"the partition size must be at least 1, got {partition_size}")
    if scheduler is not None and name != "dask":
        raise OptionError("--scheduler needs --engine dask")
    previous = _ENGINE
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(_dask_client(scheduler)) if name == "dask" else None
        _ENGINE = _Engine(name, client, partition_size)
        try:
            yield
        finally:
            _ENGINE = previous


def will_run_in_parallel(n_items: int, min_items: int, *, fork: bool = False) -> bool:
    """Whether :func:`parallel_map` would send ``n_items`` items to other processes."""
    if _ENGINE.client is not None:
        return n_items > 0
    import multiprocessing

    return (n_items >= min_items and (os.cpu_count() or 1) >= 2
            and (not fork or "fork" in multiprocessing.get_all_start_methods()))


def parallel_map(function: Callable, items: list, *, min_items: int = PARALLEL_MIN_DOCUMENTS,
                 chunks_per_worker: int = 8, chunk_limits: tuple[int, int | None] = (1, None),
                 shared: object = None) -> list:
    """``function(chunk)`` (or ``function(chunk, shared)``) over chunks of ``items``, flattened.

    ``function`` maps a list of items to a list of results; it must be a
    module-level function (it is pickled by name) and pure, so the results are
    the same in this process, in a pool or on a cluster, whatever the chunks.
    Locally, a process pool on every core runs it when there are at least
    ``min_items`` items (and more than one core), in order-preserving chunks
    (about ``chunks_per_worker`` per worker, within ``chunk_limits``, or the
    engine's partition size); otherwise it runs here. ``shared`` is what every
    chunk needs besides its items: locally the workers are forked and inherit
    it (where fork is unavailable the work runs here); on Dask it is sent to
    the cluster once.
    """
    if not items:
        return []
    if _ENGINE.client is not None:
        return _dask_map(function, items, chunks_per_worker, chunk_limits, shared)
    if not will_run_in_parallel(len(items), min_items, fork=shared is not None):
        return list(function(items) if shared is None else function(items, shared))
    chunks = _chunks(items, os.cpu_count() or 1, chunks_per_worker, chunk_limits)
    if shared is None:
        return _pool_map(function, chunks, fork=False)
    global _SHARED
    _SHARED = shared
    try:
        return _pool_map(_with_inherited, [(function, chunk) for chunk in chunks], fork=True)
    finally:
        _SHARED = None


def _pool_map(function: Callable, tasks: list, *, fork: bool) -> list:
    """``function`` over ``tasks`` in a process pool on every core, results flattened in order.

    Ctrl-C or a failed task ends every worker at once (rather than waiting for their
    chunks, as an orderly shutdown would), and workers die with this process.
    """
    import functools
    import multiprocessing

    context = multiprocessing.get_context("fork") if fork else multiprocessing.get_context()
    # A forkserver's workers are the server's children, not ours.
    parent = None if context.get_start_method() == "forkserver" else os.getpid()
    # SIGINT is blocked while the workers start, so that they begin life blocking it
    # (and then ignore it); a Ctrl-C meanwhile waits for this process, which ends them.
    blocked = _block_sigint()
    try:
        pool = context.Pool(os.cpu_count() or 1, initializer=_start_worker, initargs=(parent,))
    finally:
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    try:
        results = [result for part in pool.imap(functools.partial(_run_chunk, function), tasks)
                   for result in part]
    except BaseException:
        pool.terminate()
        raise
    pool.close()
    pool.join()
    return results


# The process that started this worker: a worker whose parent is gone stops.
_parent_pid: int | None = None
_PR_SET_PDEATHSIG = 1


def _block_sigint():
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _start_worker(parent: int | None) -> None:
    """Worker set-up: leave Ctrl-C to the main process, and die with it.

    On Linux the kernel sends SIGKILL to the worker when its parent dies (prctl
    PR_SET_PDEATHSIG), even by ``kill -9``; elsewhere :func:`_run_chunk` checks
    the parent before each chunk.
    """
    global _parent_pid
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _parent_pid = parent if parent is not None else os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != _parent_pid:  # the parent died before prctl
        os._exit(1)


def _run_chunk(function: Callable, chunk: list) -> list:
    if _parent_pid is not None and os.getppid() != _parent_pid:
        os._exit(1)  # orphaned: nobody will read the result
    return function(chunk)


def _with_inherited(task: tuple[Callable, list]) -> list:
    function, chunk = task
    return function(chunk, _SHARED)


def _chunks(items: list, workers: int, chunks_per_worker: int,
            chunk_limits: tuple[int, int | None]) -> list[list]:
    if _ENGINE.partition_size is not None:
        size = _ENGINE.partition_size
    else:
        smallest, largest = chunk_limits
        size = max(smallest, -(-len(items) // (workers * chunks_per_worker)))
        if largest is not None:
            size = min(size, largest)
    return [items[i:i + size] for i in range(0, len(items), size)]


# ----------------------------------------------------------------------------- Dask


@contextlib.contextmanager
def _dask_client(scheduler: str | None) -> Iterator[object]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError("--engine dask needs the dask extra: pip install 'framelens[dask]'") \
            from None
    import logging

    # A cluster's own chatter (worker start-up, closing comms) is not framelens's output.
    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(LocalCluster(
                n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                dashboard_address=None, host="127.0.0.1"))
            address = cluster.scheduler_address
        else:
            address = scheduler
        try:
            client = stack.enter_context(Client(address, timeout=f"{SCHEDULER_TIMEOUT_S}s"))
        except (OSError, TimeoutError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise EngineError(f"cannot reach the Dask scheduler at {address} within "
                              f"{SCHEDULER_TIMEOUT_S} s ({reason})") from None
        except ValueError as exc:
            raise EngineError(f"not a Dask scheduler address: {address!r} ({exc})") from None
        yield client


def _dask_map(function: Callable, items: list, chunks_per_worker: int,
              chunk_limits: tuple[int, int | None], shared: object) -> list:
    client = _ENGINE.client
    workers = max(1, len(client.scheduler_info().get("workers", {})))  # type: ignore[union-attr]
    chunks = _chunks(items, workers, chunks_per_worker, chunk_limits)
    if shared is None:
        futures = client.map(function, chunks, pure=False)  # type: ignore[union-attr]
    else:
        [remote] = client.scatter([shared], broadcast=True)  # type: ignore[union-attr]
        futures = client.map(function, chunks, shared=remote, pure=False)  # type: ignore[union-attr]
    try:
        parts = client.gather(futures)  # type: ignore[union-attr]
    except BaseException:
        # Ctrl-C or a failed task: the run's other tasks stop on the cluster too.
        client.cancel(futures)  # type: ignore[union-attr]
        raise
    return [result for part in parts for result in part]
