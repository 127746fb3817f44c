"""The output folder: where a build may write, the two ways it writes, and recovery.

A build writes through a *writer*:

- `StagingWriter` (every `build`, and serve's first build): the new site is made in a folder
  beside the output (`._site.building-PID`), pages kept from the last build are hard-linked
  into it, and the whole folder is swapped into place at the end (`swap_into_place`), so a
  failed or killed build never leaves half a site.
- `InPlaceWriter` (serve's later builds): each changed page is written to a temporary file
  beside it and all of them are renamed into place at the end, only if every page rendered;
  pages that left the site are deleted; static files are synced.

Both take their static files from `static_files()`, the one rule for what of `static/` is
published (no hidden files or folders such as `.git/`, no editor backups).
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..content.config import SiteConfig
from ..errors import OutputError
from ..theme import Theme
from . import locks
from .search import write_copy

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def static_files(folders: Theme | Sequence[Path] | Path | None) -> dict[str, Path]:
    """What of the static folders is published, by path under `static/` in the output: every
    regular file except hidden files and everything in hidden folders (`.git/`, `.DS_Store`)
    and editor leftovers (`x~`, `.x.swp`). Folders are laid over each other in order: a file
    of a later one (the site's) replaces the same path of an earlier one (the theme's)."""
    if isinstance(folders, Theme):
        folders = folders.static
    elif isinstance(folders, Path):
        folders = (folders,)
    found: dict[str, Path] = {}
    for folder in folders or ():
        found.update(_static_folder(folder))
    return found


def _static_folder(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        base = Path(root)
        for name in sorted(files):
            path = base / name
            if not _hidden(name) and path.is_file():
                found["static/" + path.relative_to(folder).as_posix()] = path
    return found


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.endswith(("~", ".swp"))


def check_output_dir(out: Path, content: Path) -> None:
    """Refuse output folders whose replacement would destroy something else.

    The build replaces the whole output folder, so it must not be (or contain) the
    filesystem root, the home folder, the content, the project or the current folder; it
    must not be a link (the link would be replaced, not what it points to); and a folder
    that already holds files must hold a site built before (`index.html` and `.nojekyll`,
    which every build writes), so that `--out docs` cannot wipe a folder of other files.
    """
    if out.is_symlink():
        raise OutputError(f"refusing to write the site to {out}: it is a link; pass the folder it points to")
    target = out.resolve()
    guarded = {
        Path("/"): "the filesystem root",
        content.resolve(): "the content folder",
        PROJECT_ROOT: "the project folder",
        Path.cwd().resolve(): "the current folder",
    }
    try:
        guarded.setdefault(Path.home().resolve(), "your home folder")
    except (RuntimeError, KeyError):  # no HOME and no password entry
        pass
    for path, what in guarded.items():
        if target == path:
            raise OutputError(f"refusing to write the site to {out}: it is {what}")
    for path, what in guarded.items():
        if path.is_relative_to(target):
            raise OutputError(f"refusing to write the site to {out}: it contains {what}")
    if target.is_relative_to(content.resolve()):
        raise OutputError(f"refusing to write the site to {out}: it is inside the content folder")
    if target.exists() and not target.is_dir():
        raise OutputError(f"refusing to write the site to {out}: it exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not all((target / name).exists() for name in SITE_MARKERS):
        raise OutputError(f"refusing to replace {out}: it holds files but no site built before "
                          f"(no {' and no '.join(SITE_MARKERS)}); choose a new or empty folder")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write the site to {out}: {parent} is not writable")


SITE_MARKERS = ("index.html", ".nojekyll")  # every build writes both
# the folders of files published as they are: static files, images (and their copies), social cards
PUBLISHED_FOLDERS = ("static", "media", "cards")


@contextlib.contextmanager
def owning(out: Path, command: str) -> Iterator[None]:
    """Hold the output folder for one `build` or `serve` while it runs: a second one on the same
    folder would rebuild (or swap away) the site under the first. The lock is a file beside the
    folder (`.{name}.lock`, ignored by the watcher), held with an flock that ends with the
    process however it ends; it names the command and process that hold it."""
    lock_path = out.absolute().parent / f".{out.name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = locks.hold(lock_path, os.O_RDWR | os.O_CREAT)
    except OSError:
        try:
            holder = lock_path.read_text(encoding="utf-8").strip() or "another lecun-site"
        except OSError:
            holder = "another lecun-site"
        raise OutputError(f"{out} is in use by {holder}; stop it, or give this one its own folder with --out") from None
    try:
        os.ftruncate(handle, 0)
        os.write(handle, f"`lecun-site {command}` (process {os.getpid()})\n".encode())
        yield
    finally:
        # removed while still held, so that no other process can take this lock meanwhile; one
        # that opened the file just before is refused at its flock, and one after makes a new file
        with contextlib.suppress(OSError):
            lock_path.unlink()
        os.close(handle)


def link_files(source: Path, target: Path, relative_paths: list[str]) -> None:
    """Hard-link files of `source` into `target` (copy where links are not possible). The new
    names are only ever replaced, never written through, so `source` cannot change."""
    made: set[Path] = set()
    for rel in relative_paths:
        destination = target / rel
        if destination.parent not in made:
            destination.parent.mkdir(parents=True, exist_ok=True)
            made.add(destination.parent)
        try:
            os.link(source / rel, destination)
        except OSError:
            shutil.copy2(source / rel, destination)



def _newer_copy(target: Path, source: Path) -> bool:
    """Whether `target` holds `source` as far as their sizes and times can tell: the same size,
    written after the source last changed (a changed source is newer than its last copy)."""
    try:
        have, want = os.stat(target), os.stat(source)
    except OSError:
        return False
    return have.st_size == want.st_size and have.st_mtime_ns >= want.st_mtime_ns


def extras(config: SiteConfig, folder: Path) -> None:
    """Files GitHub Pages reads: .nojekyll (serve folders as they are) and CNAME."""
    (folder / ".nojekyll").write_text("", encoding="utf-8")
    if config.cname:
        (folder / "CNAME").write_text(config.cname + "\n", encoding="utf-8")


def swap_into_place(staging: Path, out: Path) -> None:
    """Put the complete new site in `staging` at `out`, so that `out` is never half of each.

    On Linux, renameat2(RENAME_EXCHANGE) swaps the two folders in one atomic step: whenever
    the process is killed, `out` is the old site or the new one. The old site, now at the
    staging path, is deleted afterwards (or by the next build if this one is killed first).
    Where the call is missing, two renames do it: `out` → `.{out}.old-PID`, then staging →
    `out`; a build killed between them leaves no `out` for a moment, and the next build's
    `recover_interrupted` puts the old site back before anything else.
    """
    try:
        if not out.exists():
            os.rename(staging, out)
        elif _exchange(staging, out):
            shutil.rmtree(staging, ignore_errors=True)
        else:
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
            try:
                os.rename(staging, out)
            except OSError:
                os.rename(old, out)
                raise
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"cannot move the new site into {out}: {exc.strerror or exc}") from exc


_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system or filesystem cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    import ctypes
    import errno

    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _renameat2():
    """glibc's renameat2, or None (not Linux, or a libc without it)."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def recover_interrupted(out: Path) -> None:
    """Clean up after a build that was killed: run before each build writes anything.

    An old site set aside by the two-rename swap goes back to `out` if `out` is missing
    (and is deleted otherwise); staging folders of builds that are no longer running are
    deleted. Folders of a build still running elsewhere are left alone: a build holds an
    flock on its staging folder for as long as it runs (the system releases it when the
    process dies, however it dies), which, unlike its process id, cannot be reused by
    another process.
    """
    if not out.parent.is_dir():
        return
    leftovers = sorted(p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))
    for kind in ("old", "building"):
        for leftover in leftovers:
            stem, _, pid = leftover.name.rpartition("-")
            if stem != f".{out.name}.{kind}" or not pid.isdigit():
                continue
            # not POSIX: staging folders are judged by process id alone
            if locks.in_use(leftover) if kind == "building" and locks.AVAILABLE else _alive(int(pid)):
                continue
            if leftover.is_symlink() or not leftover.is_dir():
                continue  # not ours: the build makes only real folders
            if kind == "old" and not out.exists():
                os.rename(leftover, out)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- the two writers


class StagingWriter:
    """Writes a whole new site beside `out` and swaps it in at `commit` (see the module docstring)."""

    in_place = False

    def __init__(self, out: Path) -> None:
        self.out = out
        self.folder = out.parent / f".{out.name}.building-{os.getpid()}"
        self.index_copies: str | None = None  # where each page's search.index_copy goes too, if set
        self._lock: int | None = None
        self._writes: BackgroundWrites | None = None

    def begin(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()
        self._lock = locks.hold(self.folder)

    def write(self, out_path: str, text: str) -> None:
        # each process makes the folders of its own pages (one per page, as URLs end in /):
        # creating ~9,000 folders can take seconds of system time, shared this way, and done by
        # a thread of the process's own while it renders the next page (BackgroundWrites)
        if self._writes is None or self._writes.pid != os.getpid():
            self._writes = BackgroundWrites(str(self.folder), self.index_copies)
        self._writes.put(out_path, text)

    def flush(self) -> None:
        """Wait until what this process wrote is on disk (raises the first error met)."""
        if self._writes is not None and self._writes.pid == os.getpid():
            writes, self._writes = self._writes, None
            writes.finish()

    def keep(self, out_paths: list[str]) -> None:
        link_files(self.out, self.folder, sorted(out_paths))

    def remove(self, out_paths: list[str]) -> None:
        pass  # the new folder holds only what was written or kept

    def finish(self, static: dict[str, Path], config: SiteConfig) -> bool:
        for rel, source in static.items():
            target = self.folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        extras(config, self.folder)
        return True

    def commit(self) -> None:
        self.flush()
        swap_into_place(self.folder, self.out)
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.flush()  # a failed build: its writes end before its folder goes
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


class BackgroundWrites:
    """Pages written to disk by a thread while the process that rendered them renders the next:
    making a folder and writing a file wait on the disk with the GIL released (at 4,000 notes,
    about a tenth of a render process's time). `finish` waits for all of them and raises the
    first error. Started after any fork (parallel.fan_out forks before rendering), one per process.
    With `copies`, each HTML page's search.index_copy is written there too, at the same path."""

    def __init__(self, folder: str, copies: str | None = None) -> None:
        self.pid = os.getpid()
        self.folder = folder
        self.copies = copies
        self.error: BaseException | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="lecun-site-writes", daemon=True)
        self._thread.start()

    def put(self, out_path: str, text: str) -> None:
        if self.error is not None:
            self.finish()  # raises it
        self._queue.put((out_path, text))

    def finish(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        folder = self.folder
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self.error is not None:
                continue  # drain: the caller raises the error at its next put or at finish
            out_path, text = item
            try:
                _write_new(f"{folder}/{out_path}", text)
                if self.copies is not None and out_path.endswith(".html"):
                    write_copy(f"{self.copies}/{out_path}", text)
            except BaseException as exc:  # noqa: BLE001 - raised again in the rendering thread
                self.error = exc


def _write_new(path: str, text: str) -> None:
    """`text` into a new file at `path`, making its folder (one per page: URLs end in /)."""
    parent = os.path.dirname(path)
    try:
        os.mkdir(parent)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(parent, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


class InPlaceWriter:
    """Changes an existing site file by file: all or nothing for the pages (see the module docstring)."""

    in_place = True

    def __init__(self, out: Path) -> None:
        self.out = out
        self.folder = out
        self._staged: list[tuple[Path, Path]] = []
        self._removed: list[str] = []
        self._static: dict[str, Path] | None = None
        self._config: SiteConfig | None = None

    def begin(self) -> None:
        self._staged, self._removed = [], []

    def flush(self) -> None:
        pass  # writes are staged as they come (see `write`)

    def write(self, out_path: str, text: str) -> None:
        """`text` in a temporary file beside the page, moved into place at `commit`; nothing when
        the page already holds it."""
        target = self.out / out_path
        temp = _stage(target, text.encode("utf-8"))
        if temp is not None:
            self._staged.append((temp, target))

    def keep(self, out_paths: list[str]) -> None:
        pass  # they are where they are

    def remove(self, out_paths: list[str]) -> None:
        self._removed.extend(out_paths)

    def finish(self, static: dict[str, Path], config: SiteConfig) -> bool:
        """Sync static files (and the GitHub Pages files); whether any changed."""
        changed = False
        for rel, source in static.items():
            target = self.out / rel
            if _newer_copy(target, source):
                continue  # not read again on every save: images and cards can be many MB
            temp = _stage(target, source.read_bytes())
            if temp is not None:
                os.replace(temp, target)
                changed = True
        for folder in PUBLISHED_FOLDERS:  # what left them since the last build
            root = self.out / folder
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*"), reverse=True):
                rel = f"{folder}/" + path.relative_to(root).as_posix()
                if path.is_file() and rel not in static and not path.name.startswith("."):
                    path.unlink()
                    changed = True
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        extras(config, self.out)
        return changed

    def commit(self) -> None:
        for temp, target in self._staged:
            os.replace(temp, target)
        self._staged = []
        for out_path in self._removed:
            _remove(self.out / out_path, self.out)

    def close(self) -> None:
        for temp, _ in self._staged:
            temp.unlink(missing_ok=True)
        self._staged = []


def _stage(target: Path, data: bytes) -> Path | None:
    """`data` in a temporary file beside `target`, to be renamed over it; None when `target`
    already holds exactly that."""
    try:
        if target.read_bytes() == data:
            return None
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    return temp


def _remove(path: Path, root: Path) -> None:
    """Delete a page file and the folders it leaves empty."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    folder = path.parent
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
