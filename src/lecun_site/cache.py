"""The build cache: what `build` keeps between runs, so that a rebuild does only what changed.

It lives beside the output folder (`._site.cache/` for `_site/`; never inside it, so it is
never published) and holds:

- `state.pickle` (small, read by every build): the *build key*, a hash of everything a build
  reads (every content file's bytes, the templates, site.yaml, the options), with the
  warnings that build printed, and every page written: its signature (signatures.py) and the
  size and modification time of the file it became. When the build key is unchanged and the
  output is as the last build left it, there is nothing to do; otherwise a page whose
  signature is unchanged and whose file nobody touched is linked into the new site instead
  of rendered again;
- `parsed.pickle` (read only when some content changed): every content file parsed, keyed by
  its path and a BLAKE2 hash of its bytes, so that only files whose bytes changed are parsed;
- `markdown.pickle`: markdown bodies compiled once (markdown.py), keyed by a hash of the text;
- `jinja/`: Jinja's compiled templates.

Everything is stamped with the cache format, a hash of lecun-site's own source files, the
Python version and the versions of the libraries that shape the output. A cache with another
stamp, or one that cannot be read, is discarded with a notice and never trusted. A changed
site.yaml discards the parsed files (they depend on it); page signatures include the
configuration, templates and UI strings, so exactly the pages they affect are rendered again.
`build --no-cache` neither reads nor writes it; deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import markdown

FORMAT = 2  # 2: parsed.pickle and markdown.pickle are a header then one pickle per entry
LIBRARIES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "pyyaml", "markupsafe")
PACKAGE_DIR = Path(__file__).resolve().parent


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
    from .textfile import HAVE_C_LOADER

    digest.update(f"|yaml-c={HAVE_C_LOADER}".encode())
    for path in sorted([*PACKAGE_DIR.glob("*.py"), *PACKAGE_DIR.glob("i18n/*.yaml")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class PageRecord:
    signature: str
    size: int
    mtime_ns: int


@dataclass
class CacheState:
    stamp: str = ""
    config: str = ""  # repr of the SiteConfig the parsed files were parsed with
    out: str = ""  # the output folder the page records describe
    pages: dict[str, PageRecord] = field(default_factory=dict)  # out_path -> record
    outputs: list[str] = field(default_factory=list)  # every page's out_path
    search: bool = False  # the output's pagefind/ indexes exactly its pages
    build_key: str = ""  # what the last build read (see build_key in pipeline.py)
    warnings: list = field(default_factory=list)  # and the warnings it printed


class BuildCache:
    """Open with `BuildCache(folder)`; `notices` says what was discarded and why."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.notices: list[str] = []
        self.stamp = stamp()
        self.state = self._read("state.pickle", CacheState)
        if self.state is None or self.state.stamp != self.stamp:
            if self.state is not None:
                self.notices.append(f"the build cache in {folder} was made by another version of lecun-site "
                                    "or of its libraries; it was discarded and is rebuilt now")
            self.state = CacheState(stamp=self.stamp)
            self._trusted = False
        else:
            self._trusted = True
        self._markdown_loaded = False
        self._markdown_file_keys: set = set()  # what markdown.pickle holds
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

    def load_markdown(self) -> None:
        """Put the compiled markdown bodies kept last time into markdown.py's cache (once)."""
        if self._markdown_loaded:
            return
        self._markdown_loaded = True
        header, entries = self._read_entries("markdown.pickle") if self._trusted else (None, None)
        if header is not None and header.get("stamp") == self.stamp:
            compiled = markdown.compiled_cache()
            for key, value in entries.items():
                compiled.setdefault(key, value)
            self._markdown_file_keys = set(entries)

    def save(self, rendered_all: bool = False) -> None:
        """Write what changed, each file atomically (a build killed meanwhile leaves the old one).

        After a build that rendered every page, only the markdown bodies it used are kept, so
        texts that left the content do not pile up."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._summary() != self._saved:
            self._write("state.pickle", self.state)
        if self.files is not None and {d: e[1] for d, e in self.files.items()} != self._saved_files:
            self._write("parsed.pickle", {"stamp": self.stamp, "config": self.state.config},
                        ((display, (None, *entry[1:])) for display, entry in self.files.items()))
        if self._markdown_loaded:  # pages were rendered: keep what they compiled
            compiled = markdown.compiled_cache()
            used = markdown.used_keys() if rendered_all else compiled
            if {key for key in compiled if key in used} != self._markdown_file_keys:
                self._write("markdown.pickle", {"stamp": self.stamp},
                            ((key, value) for key, value in compiled.items() if key in used))

    def _summary(self) -> tuple:
        state = self.state
        return (state.config, state.out, state.search, state.build_key, dict(state.pages), list(state.outputs),
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
