"""Forked workers for the CPU-heavy steps of a large build: parsing files and rendering pages.

`fan_out(function, items, threshold)` calls `function(chunk)` over chunks of `items` in
forked processes plus this one (which would otherwise sit waiting), and returns the results
in the order of `items`. The workers inherit everything (graph, templates, configuration)
by forking, so nothing is pickled on the way in but item numbers; what `function` returns is
pickled back. It runs serially where forking is unsafe (other threads are running, as in
`serve`), unavailable (not POSIX), or not worth it (fewer items than `threshold`).

`gc.freeze()` before forking keeps the garbage collector from touching, and so copying, the
pages the workers share with this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_JOB: tuple | None = None


def worker_count() -> int:
    return min(os.cpu_count() or 1, 8)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def fan_out(function: Callable[[list[T]], list[R]], items: Sequence[T], threshold: int,
            workers: int | None = None, on_chunk: Callable[[list[R]], None] | None = None) -> list[R]:
    """[*function(chunk) for each chunk], in the order of `items`; `function` returns one
    result per item of its chunk. `on_chunk` sees each chunk's results as they come in."""
    global _JOB
    workers = worker_count() if workers is None else workers
    if workers <= 1 or len(items) < threshold or not can_fork():
        results = function(list(items))
        if on_chunk:
            on_chunk(results)
        return results
    step = workers * 8
    chunks = [list(range(start, len(items), step)) for start in range(min(step, len(items)))]
    mine, theirs = chunks[::workers], [c for i, c in enumerate(chunks) if i % workers]
    results: list = [None] * len(items)

    def keep(indices: list[int], chunk_results: list) -> None:
        for index, result in zip(indices, chunk_results):
            results[index] = result
        if on_chunk:
            on_chunk(chunk_results)

    _JOB = (function, items)
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            pending = pool.imap_unordered(_run, theirs)
            for indices in mine:
                keep(*_run(indices))
            for indices, chunk_results in pending:
                keep(indices, chunk_results)
    finally:
        gc.unfreeze()
        _JOB = None
    return results


def _run(indices: list[int]) -> tuple[list[int], list]:
    function, items = _JOB
    return indices, function([items[i] for i in indices])
