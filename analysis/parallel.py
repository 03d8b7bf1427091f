"""Work spread over every core: one order-preserving process pool for the whole package."""

from __future__ import annotations

import os

# Below this many documents a pool's start-up costs more than it saves.
PARALLEL_MIN_DOCUMENTS = 400


def will_run_in_parallel(n_items: int, min_items: int, *, fork: bool = False) -> bool:
    """Whether :func:`parallel_map` would use a pool for ``n_items`` items."""
    import multiprocessing

    return (n_items >= min_items and (os.cpu_count() or 1) >= 2
            and (not fork or "fork" in multiprocessing.get_all_start_methods()))


def parallel_map(function, items: list, *, min_items: int = PARALLEL_MIN_DOCUMENTS,
                 chunks_per_worker: int = 8, chunk_limits: tuple[int, int | None] = (1, None),
                 fork: bool = False) -> list:
    """``[function(chunk) ...]`` flattened: ``function`` maps a list of items to a list of results.

    Runs in a process pool on every core when there are at least
    ``min_items`` items (and more than one core), in order-preserving chunks
    (about ``chunks_per_worker`` per worker, to balance the load, within
    ``chunk_limits``); otherwise in this process. ``function`` must be a
    module-level function (it is pickled by name) and pure, so the results are
    the same either way. ``fork``: the workers must be forked (``function``
    reads state this process set up); where fork is unavailable the work runs
    here.
    """
    if not will_run_in_parallel(len(items), min_items, fork=fork):
        return list(function(items)) if items else []
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = os.cpu_count() or 1
    smallest, largest = chunk_limits
    size = max(smallest, -(-len(items) // (workers * chunks_per_worker)))
    if largest is not None:
        size = min(size, largest)
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork") if fork else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [result for part in pool.map(function, chunks) for result in part]
