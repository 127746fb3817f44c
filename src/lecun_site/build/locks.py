"""Locks that end with their process, however it ends.

How a build tells what a killed build left behind (a staging folder, a file of new markdown
bodies) from what a build still running is using: the running one holds an flock on it, and
the system releases that when the process dies. Unlike a process id, a lock cannot pass to an
unrelated process that happens to get the same id. Without `fcntl` (not POSIX) nothing is
locked and `in_use` cannot tell: callers fall back on process ids, or leave the thing alone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

try:
    import fcntl
except ImportError:
    fcntl = None  # type: ignore[assignment]

AVAILABLE = fcntl is not None


def hold(path: Path, flags: int = os.O_RDONLY, mode: int = 0o644) -> int:
    """Open `path` with `flags` and lock it for as long as the descriptor returned is open."""
    handle = os.open(path, flags, mode)
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            raise
    return handle


def in_use(path: Path) -> bool:
    """Whether a running process holds the lock on `path` (True when that cannot be told)."""
    if fcntl is None:
        return True
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return True  # not ours to judge: leave it
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(handle)  # also releases the lock just taken


def wait(path: Path, busy: Callable[[], None] | None = None) -> bool:
    """Block until no process holds the lock on `path`; whether one did (`busy` is called then,
    before the wait). At once, and False, without `fcntl` or without the file."""
    if fcntl is None:
        return False
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except OSError:
            pass
        if busy is not None:
            busy()
        fcntl.flock(handle, fcntl.LOCK_SH)
        return True
    finally:
        os.close(handle)
