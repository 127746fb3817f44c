"""Watching content/, templates/, static/ and site.yaml; debounced calls to a rebuild.

`classify_change(path, roots)` is pure and tested: it says what a changed path is, or None
for paths to ignore (the output folder, editor swap and backup files, hidden files). The
watchdog observer collects events, waits for a quiet moment (an editor's save is often a
burst: write a temp file, rename it over, delete a backup) and calls `on_change(paths)`
once per burst, from a single thread, so rebuilds never overlap.

How long "quiet" is depends on what the last events said. A file closed after writing, or
renamed into place, is a finished save: the watcher waits only `settle` (20 ms) for the rest
of the burst. Anything else (a file created or modified and still open, a deletion that a
rewrite may follow, a folder) waits `quiet` (80 ms). Where the platform reports no closing
(watchdog's FSEvents and Windows observers), every change waits `quiet`, as before.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ..content.body import is_ignored_name


def _not_the_stop_race(record: logging.LogRecord) -> bool:
    """False for the error watchdog's inotify emitter logs when a file event arrives while
    it is being stopped (its inotify handle is already closed, the event is dropped).

    It is harmless, yet it printed an ERROR line after "stopping" on about one Ctrl-C in
    ten while files were changing (CI saw it; tests/test_watch.py reproduces it)."""
    return not str(record.msg).startswith("InotifyEmitter.queue_events() called when the thread is inactive")


logging.getLogger("watchdog.observers.inotify").addFilter(_not_the_stop_race)
# When a writer creates nested folders (mkdir -p), watchdog's recursive scan and the
# folders' own create events both add a watch for the same folder; the second one replaces
# the first with the same callback and warns, with a screenful of internal state.
warnings.filterwarnings("ignore", message=r"Callback with id .* already exists for watch", category=RuntimeWarning,
                        module=r"watchdog\.observers\.inotify")


class ChangeKind(str, Enum):
    CONFIG = "config"  # site.yaml
    CONTENT = "content"  # notes, transcripts, YAML records
    I18N = "i18n"  # UI strings
    TEMPLATE = "template"
    STATIC = "static"


@dataclass(frozen=True)
class WatchRoots:
    content: Path
    templates: tuple[Path, ...]  # the site's templates, then the default theme's (theme/__init__.py)
    static: tuple[Path, ...]
    out: Path


def classify_change(path: Path, roots: WatchRoots) -> ChangeKind | None:
    """What a changed path means for the site, or None when it does not matter."""
    path = Path(path).absolute()
    out = roots.out.absolute()
    if path == out or out in path.parents or _is_output_sibling(path, out):
        return None
    if any(is_ignored_name(part) for part in path.parts[-1:]) or path.name.endswith((".tmp", ".part", ".crdownload")):
        return None
    for root, kind in (*((t, ChangeKind.TEMPLATE) for t in roots.templates),
                       *((s, ChangeKind.STATIC) for s in roots.static), (roots.content, ChangeKind.CONTENT)):
        root = root.absolute()
        if root in path.parents or path == root:
            rel = path.relative_to(root).parts
            if any(part.startswith(".") for part in rel):
                return None
            if kind is ChangeKind.CONTENT:
                if rel == ("site.yaml",):
                    return ChangeKind.CONFIG
                if rel and rel[0] == "i18n":
                    return ChangeKind.I18N
            return kind
    return None


def _is_output_sibling(path: Path, out: Path) -> bool:
    """The build's own staging and backup folders (.{out}.building-*, .{out}.old-*)."""
    return any(part.startswith(f".{out.name}.") for part in path.parts)


class _Collector(FileSystemEventHandler):
    def __init__(self, watcher: "Watcher") -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's listing changed: the file events say what
        # (path, whether its save is finished): closed after writing, or renamed into place
        paths = [(event.src_path, event.event_type == "closed" and not event.is_directory)]
        if getattr(event, "dest_path", None):
            paths.append((event.dest_path, not event.is_directory))
        for raw, finished in paths:
            path = Path(raw.decode() if isinstance(raw, bytes) else raw)
            kind = classify_change(path, self.watcher.roots)
            if kind is not None:
                if event.is_directory:
                    self.watcher.adopt(path)  # a site's templates/ or static/ made while serving
                self.watcher.notice(path, kind, finished)


class Watcher:
    """Debounces file events into one `on_change({path: kind})` call per burst.

    A burst ends `settle` seconds after its last event when every path's last event finished
    a save, `quiet` seconds after it otherwise, and `longest` seconds after its first event
    whatever comes (a stream of saves still gets rebuilds)."""

    def __init__(self, roots: WatchRoots, on_change: Callable[[dict[Path, ChangeKind]], None],
                 quiet: float = 0.08, longest: float = 0.6, settle: float = 0.02) -> None:
        self.roots = roots
        self.on_change = on_change
        self.quiet = quiet
        self.longest = longest
        self.settle = min(settle, quiet)
        self._pending: dict[Path, ChangeKind] = {}
        self._unfinished: set[Path] = set()  # pending paths whose last event may be followed by more
        self._first = 0.0
        self._last = 0.0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._observer = Observer()
        self._watched: set[tuple[Path, bool]] = set()  # (folder, recursive)
        self._thread = threading.Thread(target=self._loop, name="lecun-rebuild", daemon=True)

    def notice(self, path: Path, kind: ChangeKind, finished: bool = False) -> None:
        """A change to `path`; `finished`: its last step (closed after writing, renamed into place)."""
        with self._lock:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending[path] = kind
            if finished:
                self._unfinished.discard(path)
            else:
                self._unfinished.add(path)
            self._last = now
        self._wake.set()

    def start(self) -> None:
        """Watch every root that exists, and the folder of each that does not yet (a site's
        templates/ or static/ may be made while serving: adopt() then watches it too)."""
        for folder in (self.roots.content, *self.roots.templates, *self.roots.static):
            folder = folder.absolute()
            if folder.is_dir():
                self._watch(folder, recursive=True)
            elif folder.parent.is_dir():
                self._watch(folder.parent, recursive=False)
        self._observer.start()
        self._thread.start()

    def adopt(self, folder: Path) -> None:
        """Watch a root folder that was just made (nothing when it is watched already)."""
        folder = folder.absolute()
        roots = {r.absolute() for r in (*self.roots.templates, *self.roots.static)}
        if folder in roots and folder.is_dir():
            self._watch(folder, recursive=True)

    def _watch(self, folder: Path, recursive: bool) -> None:
        with self._lock:
            if (folder, recursive) in self._watched or (folder, True) in self._watched:
                return
            self._watched.add((folder, recursive))
        self._observer.schedule(_Collector(self), str(folder), recursive=recursive)

    def stop(self) -> None:
        """Stop watching; safe to call whether or not start() ran (or finished)."""
        self._stop.set()
        self._wake.set()
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            while not self._stop.is_set():
                self._wake.clear()  # before reading the state, so that a later notice wakes the wait below
                with self._lock:
                    if not self._pending:
                        break
                    wait = self.quiet if self._unfinished else self.settle
                    delay = min(self._last + wait, self._first + self.longest) - time.monotonic()
                    if delay <= 0:
                        batch, self._pending, self._unfinished = self._pending, {}, set()
                if delay <= 0:
                    try:
                        self.on_change(batch)
                    except Exception as exc:  # the watcher never dies on a failed build
                        print(f"rebuild failed: {exc!r}", flush=True)
                    break
                self._wake.wait(delay)
