"""Forked workers for the CPU-heavy steps of a large build: parsing files and rendering pages.

`fan_out(function, items, threshold)` calls `function(chunk)` over chunks of `items` in
forked processes plus this one (which would otherwise sit waiting), and returns the results
in the order of `items`. The workers inherit everything (graph, templates, configuration)
by forking, so nothing is pickled on the way in but item numbers; what `function` returns is
pickled back. It runs serially where forking is unsafe (other threads are running, as in
`serve`), unavailable (not POSIX), or not worth it (fewer items than `threshold`).

`gc.freeze()` before forking keeps the garbage collector from touching, and so copying, the
pages the workers share with this process.

With `group`, items of one group stay in one process as far as the number of workers allows:
pages are grouped by language, so that a fragment shared by the pages of one language (an
event on the timeline, a person's page and a note; see render.Page.fragment) is rendered by
one process, not once in each.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from typing import Callable, Hashable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_JOB: tuple | None = None  # set only in a forked worker (by _adopt): (function, items) of its pool


def worker_count() -> int:
    return min(os.cpu_count() or 1, 8)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def fan_out(function: Callable[[list[T]], list[R]], items: Sequence[T], threshold: int,
            workers: int | None = None, on_chunk: Callable[[list[R]], None] | None = None,
            group: Callable[[T], Hashable] | None = None) -> list[R]:
    """[*function(chunk) for each chunk], in the order of `items`; `function` returns one
    result per item of its chunk. `on_chunk` sees each chunk's results as they come in."""
    workers = worker_count() if workers is None else workers
    if workers <= 1 or len(items) < threshold or not can_fork():
        results = function(list(items))
        if on_chunk:
            on_chunk(results)
        return results
    shares = _shares(items, workers, group)
    results: list = [None] * len(items)

    def keep(indices: list[int], chunk_results: list) -> None:
        for index, result in zip(indices, chunk_results):
            results[index] = result
        if on_chunk:
            on_chunk(chunk_results)

    gc.freeze()
    pools = []
    try:
        # one single-process pool per share, so that each share stays in one process
        context = multiprocessing.get_context("fork")
        pending = []
        for share in shares[1:]:
            # forked: the worker inherits function and items, nothing is pickled but item numbers
            pool = context.Pool(1, initializer=_adopt, initargs=(function, items))
            pools.append(pool)
            pending.append(pool.imap(_run, _chunks(share)))
        for indices in _chunks(shares[0]):
            keep(indices, function([items[i] for i in indices]))
        for share_results in pending:
            for indices, chunk_results in share_results:
                keep(indices, chunk_results)
    finally:
        for pool in pools:
            pool.terminate()
        gc.unfreeze()
    return results


def side_by_side(main: Callable[[], None], aside: Callable[[], None]) -> None:
    """`main()` here while a forked child runs `aside()` (which must only write files, each
    atomically): both done on return. Serial where forking is unsafe; if the child fails,
    `aside()` runs again here, so that its error, if any, is raised in this process."""
    if not can_fork():
        main()
        aside()
        return
    gc.freeze()
    try:
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            code = 1
            try:
                aside()
                code = 0
            finally:
                os._exit(code)
        try:
            main()
        finally:
            _, status = os.waitpid(pid, 0)
    finally:
        gc.unfreeze()
    if os.waitstatus_to_exitcode(status) != 0:
        aside()


def _shares(items: Sequence[T], workers: int, group: Callable[[T], Hashable] | None) -> list[list[int]]:
    """Item numbers for each of `workers` processes: whole groups where there are enough of
    them (the largest first, each to the share with the fewest items), else the largest group
    is split, every other item, until there are as many groups as workers."""
    if group is None:
        groups = [list(range(len(items)))]
    else:
        by_key: dict = {}
        for index, item in enumerate(items):
            by_key.setdefault(group(item), []).append(index)
        groups = list(by_key.values())
    while len(groups) < workers:
        groups.sort(key=len)
        largest = groups.pop()
        groups += [largest[0::2], largest[1::2]]
    shares: list[list[int]] = [[] for _ in range(workers)]
    for members in sorted(groups, key=len, reverse=True):
        min(shares, key=len).extend(members)
    return [sorted(share) for share in shares if share]


def _chunks(indices: list[int], count: int = 8) -> list[list[int]]:
    """`indices` in `count` interleaved chunks (each a mix of the kinds of items)."""
    return [indices[start::count] for start in range(min(count, len(indices)))]


def _adopt(function: Callable, items: Sequence) -> None:
    global _JOB
    _JOB = (function, items)


def _run(indices: list[int]) -> tuple[list[int], list]:
    function, items = _JOB
    return indices, function([items[i] for i in indices])
