"""The build cache: what `build` keeps between runs, so that a rebuild does only what changed.

It lives beside the output folder (`._site.cache/` for `_site/`; never inside it, so it is
never published) and holds:

- `state.pickle` (small, read by every build): the *build key*, a hash of everything a build
  reads (every content file's bytes, the templates, site.yaml, the options), with the
  warnings that build printed, and the *traces* of every page written (traces.Traces): its
  frame (template chain, the page, the options), every path its render read with the
  fingerprint found there (reads.py), and the size and modification time of the file it
  became. When the build key is unchanged and the output is as the last build left it, there
  is nothing to do; otherwise a page whose frame is unchanged, whose every read gives the same
  fingerprint on the new graph and whose file nobody touched is linked into the new site
  instead of rendered again;
- `parsed.pickle` (read only when some content changed): every content file parsed, keyed by
  its path and a BLAKE2 hash of its bytes, so that only files whose bytes changed are parsed;
- `markdown.store`: markdown bodies compiled once (markdown.py), keyed by a hash of the text,
  read one at a time as pages need them (`CompiledStore`). A build adds what it compiles to a
  file of its own per process as it goes, and merges those into the store when it saves;
- `jinja/`: Jinja's compiled templates;
- `sign.lock`, held by a background signer (signer.py) while it records the reads of a cold
  build's pages; every build and serve that opens the cache waits for it first. `sign.log`
  says why the last one failed, if it did.

Everything is stamped with the cache format, a hash of lecun-site's own source files, the
Python version and the versions of the libraries that shape the output. A cache with another
stamp, or one that cannot be read, is discarded with a notice and never trusted. A changed
site.yaml discards the parsed files (they depend on it); pages read the configuration and UI
strings like anything else, so exactly the pages that read what changed are rendered again.
`build --no-cache` neither reads nor writes it; deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import secrets
import struct
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from . import locks
from ..parallel import side_by_side

FORMAT = 6  # 2: parsed.pickle is a header then one pickle per entry; 3: markdown.store; 4: page traces; 5: traces in build/traces.py; 6: unsigned traces
LIBRARIES = ("jinja2", "markdown-it-py", "markdown-it-pyrs", "mdit-py-plugins", "pyyaml", "markupsafe")
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # lecun_site/


SIGN_LOCK = "sign.lock"  # held by a background signer while it runs (signer.py)
SIGN_LOG = "sign.log"  # why the last signer failed


def wait_for_signer(folder: Path, on_wait: Callable[[str], None] | None = None) -> bool:
    """Wait until no signer (signer.py) is completing the cache in `folder`; whether one was."""
    path = folder / SIGN_LOCK

    def busy() -> None:
        if on_wait is not None:
            try:
                pid = path.read_text(encoding="utf-8").strip()
            except OSError:
                pid = "?"
            on_wait(f"waiting for the last build to finish recording what its pages read (process {pid})")

    return locks.wait(path, busy)


def cache_dir(out: Path) -> Path:
    """Where the cache of the site built into `out` lives: beside it, hidden."""
    return out.parent / f".{out.name}.cache"


def stamp() -> str:
    """What must be equal for a cache to be trusted: format, code, Python, libraries."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT}|{sys.version}|{platform.machine()}".encode())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"|{name}={version}".encode())
    from ..content.textfile import HAVE_C_LOADER

    digest.update(f"|yaml-c={HAVE_C_LOADER}".encode())
    for path in sorted([*PACKAGE_DIR.rglob("*.py"), *PACKAGE_DIR.glob("i18n/*.yaml")]):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class CacheState:
    stamp: str = ""
    config: str = ""  # repr of the SiteConfig the parsed files were parsed with
    out: str = ""  # the output folder the page records describe
    traces: object = None  # traces.Traces of the pages in `out`
    outputs: list[str] = field(default_factory=list)  # every page's out_path
    search: bool = False  # the output's pagefind/ indexes exactly its pages
    build_key: str = ""  # what the last build read (see build_key in pipeline.py)
    warnings: list = field(default_factory=list)  # and the warnings it printed
    assets: dict = field(default_factory=dict)  # out path -> (size, mtime_ns) of each image and card it published


class BuildCache:
    """Open with `BuildCache(folder)`; `notices` says what was discarded and why."""

    def __init__(self, folder: Path, on_wait: Callable[[str], None] | None = None) -> None:
        """`on_wait`: told (a sentence) when the cache is first waited for, while the last
        build's signer finishes it."""
        self.folder = folder
        self.notices: list[str] = []
        self.stamp = stamp()
        wait_for_signer(folder, on_wait)
        self._signer_failed()
        self.state = self._read("state.pickle", CacheState)
        self.sign_lock: int | None = None  # held from a deferred `remember` until the signer takes it
        if self.state is None or self.state.stamp != self.stamp:
            if self.state is not None:
                self.notices.append(f"the build cache in {folder} was made by another version of lecun-site "
                                    "or of its libraries; it was discarded and is rebuilt now")
            self.state = CacheState(stamp=self.stamp)
            self._trusted = False
        else:
            self._trusted = True
        self.markdown: CompiledStore | None = None  # once markdown_store() has opened it
        self.files: dict | None = None  # parsed.pickle, once read
        self._saved_files: dict = {}
        self._saved = self._summary()

    @property
    def jinja_folder(self) -> Path:
        return self.folder / "jinja"

    def files_for(self, config) -> dict:
        """The loader's cache of parsed files (read now), empty if they were parsed with another
        site.yaml. Entries have no stat key: every file proves its bytes."""
        if self.files is None:
            header, entries = self._read_entries("parsed.pickle") if self._trusted else (None, None)
            if header is None or header.get("stamp") != self.stamp or header.get("config") != repr(config):
                entries = {}
            self.files = entries
            self._saved_files = {display: entry[1] for display, entry in self.files.items()}
        self.state.config = repr(config)
        return self.files

    def markdown_store(self) -> "CompiledStore":
        """This cache's store of compiled markdown bodies, opened once: a markdown.Compiler looks
        bodies up in it and adds what it compiles."""
        if self.markdown is None:
            self.markdown = CompiledStore(self.folder, self.stamp, self.notices, read=self._trusted)
        return self.markdown

    @property
    def deferred(self) -> bool:
        """Whether what `remember` did not save is left to a signer (signer.py), which then
        calls `release`."""
        return self.sign_lock is not None

    def close(self) -> None:
        if not self.deferred:
            self.release()

    def release(self) -> None:
        """Close the store and the sign lock (the signer's process holds copies of its own)."""
        if self.markdown is not None:
            self.markdown.close()
            self.markdown = None
        if self.sign_lock is not None:
            os.close(self.sign_lock)
            self.sign_lock = None

    def remember(self, outcome, *, build_key: str, search: bool, warnings: list) -> None:
        """Keep what a build made (a core.Outcome) and save; a cache that cannot be written only
        costs time, so that is a notice, not an error."""
        state = self.state
        state.out = outcome.traces.out
        state.traces = outcome.traces
        state.outputs = [job.out_path for job in outcome.jobs]
        state.assets = {}
        for rel in outcome.assets:
            try:
                info = os.stat(os.path.join(state.out, rel))
                state.assets[rel] = (info.st_size, info.st_mtime_ns)
            except OSError:
                pass  # not there: the next up-to-date check finds the output is not current
        state.build_key, state.search, state.warnings = build_key, search, warnings
        rendered_all = len(outcome.rendered) == len(outcome.jobs)
        try:
            if outcome.traces.signed:
                self.save(rendered_all=rendered_all, used=outcome.markdown_used)
            else:  # the state now, for a build with nothing to do; the rest by the signer (signer.py)
                self.folder.mkdir(parents=True, exist_ok=True)
                self.sign_lock = locks.hold(self.folder / SIGN_LOCK, os.O_RDWR | os.O_CREAT)
                self._write("state.pickle", self.state)
        except OSError as exc:
            self.notices.append(f"the build cache could not be saved in {self.folder}: {exc.strerror or exc}")

    def save_parsed(self) -> None:
        """The parsed files, which `remember` left for the signer to save."""
        if self.files is not None:
            self._write_parsed()

    def save_state(self) -> None:
        self._write("state.pickle", self.state)

    def save(self, rendered_all: bool = False, used: set | None = None) -> None:
        """Write what changed, each file atomically (a build killed meanwhile leaves the old one).

        After a build that rendered every page, only the markdown bodies it used are kept, so
        texts that left the content do not pile up."""
        self.folder.mkdir(parents=True, exist_ok=True)

        def state_and_markdown() -> None:
            if self._summary() != self._saved or self.state.traces is not None:  # traces change in place
                self._write("state.pickle", self.state)
            if self.markdown is not None:  # pages were rendered: keep what they compiled
                self.markdown.save(used if rendered_all else None)

        if self.files is not None and {d: e[1] for d, e in self.files.items()} != self._saved_files:
            # two files of tens of MiB at 4,000 notes: pickled side by side on two cores
            side_by_side(state_and_markdown, self._write_parsed)
        else:
            state_and_markdown()
        (self.folder / "markdown.pickle").unlink(missing_ok=True)  # FORMAT 2's

    def _write_parsed(self) -> None:
        self._write("parsed.pickle", {"stamp": self.stamp, "config": self.state.config},
                    ((display, (None, *entry[1:])) for display, entry in self.files.items()))

    def _signer_failed(self) -> None:
        """A notice of why the last build's signer failed, if it did (its `sign.log`, then removed)."""
        log = self.folder / SIGN_LOG
        try:
            reason = log.read_text(encoding="utf-8").strip()
        except OSError:
            return
        log.unlink(missing_ok=True)
        self.notices.append(f"the last build could not record what its pages read ({reason}); "
                            "the next build with a change renders every page")

    def _summary(self) -> tuple:
        state = self.state
        return (state.config, state.out, state.search, state.build_key, list(state.outputs),
                [w.format() for w in state.warnings])

    def _read(self, name: str, kind: type):
        path = self.folder / name
        if not path.is_file():
            return None
        try:
            with open(path, "rb") as handle:
                value = pickle.load(handle)
        except Exception as exc:  # any damage: truncated, garbage, a class that no longer exists
            self.notices.append(f"the build cache file {path} could not be read ({type(exc).__name__}); "
                                "it was discarded and is rebuilt now")
            return None
        if not isinstance(value, kind):
            self.notices.append(f"the build cache file {path} holds something unexpected; it was discarded")
            return None
        return value

    def _read_entries(self, name: str) -> tuple[dict | None, dict | None]:
        """(header, {key: value}) of a file `_write` made with entries; (None, None) if absent
        or damaged."""
        path = self.folder / name
        if not path.is_file():
            return None, None
        entries: dict = {}
        try:
            with open(path, "rb") as handle:
                header = pickle.load(handle)
                count = header.get("entries") if isinstance(header, dict) else None
                if not isinstance(count, int):
                    raise ValueError("no header")
                for _ in range(count):
                    key, value = pickle.load(handle)  # a fresh unpickler: each entry has its own memo
                    entries[key] = value
        except Exception as exc:  # any damage: truncated, garbage, a class that no longer exists
            self.notices.append(f"the build cache file {path} could not be read ({type(exc).__name__}); "
                                "it was discarded and is rebuilt now")
            return None, None
        return header, entries

    def _write(self, name: str, value, entries=None) -> None:
        """Pickle `value` into `name`, atomically. With `entries` ((key, value) pairs), `value`
        is a header dict and each entry follows as a pickle of its own: saving a large site
        then never needs a pickle memo of every object in it (tens of MiB at 4,000 notes)."""
        path = self.folder / name
        temp = path.with_name(f".{name}.tmp-{os.getpid()}")
        with open(temp, "wb") as handle:
            pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
            if entries is None:
                pickler.dump(value)
            else:
                items = list(entries)
                pickler.dump({**value, "entries": len(items)})
                for item in items:
                    pickler.clear_memo()
                    pickler.dump(item)
        os.replace(temp, path)


# a record of a file of new bodies: the pickle's length, then the key (markdown.Key: a 16-byte
# hash and two flags), then the pickle
_RECORD = struct.Struct("<I16s??")


class CompiledStore:
    """Compiled markdown bodies on disk (`markdown.store`), fetched one at a time by key.

    The file is every body pickled, one after another, then the index ({key: (offset,
    length)}, with the stamp), then the index's offset in 8 bytes. Reads use `os.pread`, so
    forked render workers share the open file safely. Each process appends what it compiles
    to a file of its own (`markdown.new-<build>-<pid>`: per body its length, its key and its
    pickle, written
    unbuffered so that a worker ended at any moment has lost nothing it finished); `save`
    merges those into a new store, copying bodies as bytes, never all in memory at once.
    """

    NAME = "markdown.store"

    def __init__(self, folder: Path, stamp: str, notices: list[str], read: bool = True) -> None:
        """`read`: use the bodies kept last time (False for a cache discarded as a whole)."""
        self.folder = folder
        self.stamp = stamp
        self.notices = notices
        self.build = f"{os.getpid()}.{secrets.token_hex(4)}"
        self.entries: dict = {}
        self._fd: int | None = None
        # this process's file of new bodies: (pid, fd, {key: (offset, length) of its pickle})
        self._spill: tuple[int, int, dict] | None = None
        self._writable = True
        self.adding = True  # False: look bodies up, keep none (a build that leaves that to its signer)
        self._damaged = False
        self._sweep()
        folder.mkdir(parents=True, exist_ok=True)  # for the files of new bodies (not made again if removed)
        if read:
            self._open(folder / self.NAME)

    def _open(self, path: Path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:  # none yet (or unreadable: it is written anew on save)
            return
        try:
            size = os.fstat(fd).st_size
            if size < 8:
                raise ValueError("too short")
            (start,) = struct.unpack("<Q", os.pread(fd, 8, size - 8))
            if not 0 <= start <= size - 8:
                raise ValueError("no index")
            index = pickle.loads(os.pread(fd, size - 8 - start, start))
            if not isinstance(index, dict) or not isinstance(index.get("entries"), dict):
                raise ValueError("no index")
        except Exception as exc:  # any damage: truncated, garbage
            os.close(fd)
            self.notices.append(f"the build cache file {path} could not be read ({type(exc).__name__}); "
                                "it was discarded and is rebuilt now")
            return
        if index.get("stamp") != self.stamp:
            os.close(fd)
            return
        self._fd, self.entries = fd, index["entries"]

    @property
    def descriptor(self) -> int | None:
        """The open store file (None when there is none), which a signer keeps open."""
        return self._fd

    def get(self, key):
        """The body kept under `key`, or None (not kept, or unreadable: then it is compiled again)."""
        if self._spill is not None and key in self._spill[2]:  # added by this process, this build
            offset, length = self._spill[2][key]
            return pickle.loads(os.pread(self._spill[1], length, offset))
        found = self.entries.get(key)
        if found is None or self._fd is None:
            return None
        try:
            return pickle.loads(os.pread(self._fd, found[1], found[0]))
        except Exception as exc:
            del self.entries[key]  # compiled again, and that copy kept (in this process; see save)
            if not self._damaged:
                self._damaged = True
                self.notices.append(f"the build cache file {self.folder / self.NAME} is damaged "
                                    f"({type(exc).__name__}); what it lost is compiled again")
            return None

    def add(self, key, compiled) -> None:
        if not self._writable or not self.adding:
            return
        pid = os.getpid()
        if self._spill is None or self._spill[0] != pid:  # the first body this process compiled
            path = self.folder / f"markdown.new-{self.build}-{pid}"  # locked while this process lives
            try:
                self._spill = (pid, locks.hold(path, os.O_RDWR | os.O_CREAT | os.O_APPEND), {})
            except OSError:  # the cache folder was removed meanwhile: this build keeps nothing
                self.adding = False
                return
        fd, where = self._spill[1], self._spill[2]
        blob = pickle.dumps(compiled, pickle.HIGHEST_PROTOCOL)
        offset = os.lseek(fd, 0, os.SEEK_END)
        os.write(fd, _RECORD.pack(len(blob), *key) + blob)
        where[key] = (offset + _RECORD.size, len(blob))

    def save(self, used: set | None) -> None:
        """Write the store anew if it changed: the bodies it had (only those in `used`, unless
        None) and every body this build's processes added. From then on, it only reads."""
        self._writable = False
        self._close_spill()
        spills = sorted(self.folder.glob(f"markdown.new-{self.build}-*"))
        kept = [key for key in self.entries if used is None or key in used]
        if len(kept) == len(self.entries) and not any(path.stat().st_size for path in spills):
            self._remove(spills)
            return
        path = self.folder / self.NAME
        temp = path.with_name(f".{self.NAME}.tmp-{os.getpid()}")
        entries: dict = {}
        with open(temp, "wb") as handle:
            # new bodies first: one found damaged in the old store was compiled again, by
            # whichever process needed it, and that copy is the one to keep
            for spill in spills:
                for key, blob in self._records(spill):
                    if key not in entries:
                        entries[key] = (handle.tell(), len(blob))
                        handle.write(blob)
            for key in kept:
                if key not in entries:
                    offset, length = self.entries[key]
                    blob = os.pread(self._fd, length, offset)  # type: ignore[arg-type]
                    entries[key] = (handle.tell(), len(blob))
                    handle.write(blob)
            start = handle.tell()
            handle.write(pickle.dumps({"stamp": self.stamp, "entries": entries}, pickle.HIGHEST_PROTOCOL))
            handle.write(struct.pack("<Q", start))
        os.replace(temp, path)
        self._remove(spills)
        self.close()
        self._open(path)  # serve goes on reading what it just saved

    def close(self) -> None:
        """Stop reading; what this build added and did not save (it failed) is removed."""
        if self._writable:
            self._writable = False
            self._remove(self.folder.glob(f"markdown.new-{self.build}-*"))
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._close_spill()

    def _close_spill(self) -> None:
        """Close this process's file of new bodies (a forked worker's is its own to close)."""
        if self._spill is not None and self._spill[0] == os.getpid():
            os.close(self._spill[1])
        self._spill = None

    @staticmethod
    def _records(path: Path):
        """(key, pickled body) of each whole record in a file of new bodies; a record cut short
        (a process ended while writing it) ends the file."""
        with open(path, "rb") as handle:
            while True:
                head = handle.read(_RECORD.size)
                if len(head) < _RECORD.size:
                    return
                length, digest, raw_html, embeds = _RECORD.unpack(head)
                blob = handle.read(length)
                if len(blob) < length:
                    return
                yield (digest, raw_html, embeds), blob

    @staticmethod
    def _remove(paths) -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    def _sweep(self) -> None:
        """Remove the files of new bodies of builds no longer running (killed ones): no process
        holds their lock (see locks.py)."""
        if self.folder.is_dir():
            self._remove(path for path in self.folder.glob("markdown.new-*") if not locks.in_use(path))
