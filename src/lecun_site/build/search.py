"""Search: a Pagefind index of the built site, written into it before it goes live.

`index_search(folder, problems)` runs the Pagefind binary over the freshly rendered folder
(before the build swaps it into place), which writes `pagefind/` beside the pages: the
index, `pagefind-ui.js` and `pagefind-ui.css`. The search page (templates/search.html with
static/search.js) loads that UI.

- **Both languages, kept apart.** Pagefind builds one index per `<html lang>` (`zh-hans`, `en`)
  and the UI loads the index of the page it runs on, so a search from /zh/search/ finds only
  Chinese pages and one from /en/search/ only English pages.
- **Chinese words.** The *extended* binary (PyPI `pagefind[extended]`) segments Chinese into
  words when indexing. Pagefind 1.5 also re-segments Chinese queries in the browser with
  `Intl.Segmenter`, whose dictionary disagrees with the indexer's (Chromium splits 卷积 into
  卷|积, and the query then matches almost nothing: Pagefind issue #1237), so pyproject pins
  `pagefind[extended]>=1.4,<1.5` until that is fixed; tests/test_publish.py searches 卷积 in
  Chromium and fails if a Pagefind version brings the problem back.
- **What is indexed.** `<main data-pagefind-body>` of content pages (templates/base.html):
  not the header, navigation or footer, and not the chooser, 404, search or side-by-side pages.
  Within it, lists of links and the references are `data-pagefind-ignore` (a source is found on
  its own page, not on every page citing it).
- **What Pagefind reads.** A build that renders every page (a cold build, `--no-cache`, a
  change to every page) also writes each one cut down to what Pagefind reads of it: the
  `<html lang>`, the <title> and the `data-pagefind-body` element (`index_copy`), into a
  folder in memory (`PageCopies`), which Pagefind then reads in place of the site. It parses
  a third fewer bytes and writes the same index, byte for byte
  (tests/build/test_search_copies.py). Other builds index the site's own pages.
- **Two languages at once.** Pagefind works on one core; the zh and en pages are indexed by
  two Pagefind processes at the same time and the two indexes merged (the merged folder is
  what one run over the whole site writes); should anything not fit, one run does it all.
- **Stoppable.** serve indexes in the background, inside the output it serves;
  `index_search(..., stop=event)` ends the Pagefind runs and removes what they had written
  when the event is set (serve stopping). What a killed serve leaves goes with the next
  build's or serve's first build, which replaces the whole output folder.
- **No binary, no crash.** Without Pagefind the site is built all the same, with a warning
  naming the package to install; the search page then says the index is missing. A binary
  that fails is reported the same way (with its last lines of output). A binary without
  Chinese segmentation (plain `pagefind`) gets a warning too.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from ..errors import ContentError, Problems
from . import locks

INSTALL_HINT = "install it with `pip install 'pagefind[extended]>=1.4,<1.5'` (the extended binary segments Chinese)"
TIMEOUT_SECONDS = 600


class Stopped(Exception):
    """index_search was asked to stop; its Pagefind runs are ended and their files removed."""


def _wait(runs: list[subprocess.Popen], stop: threading.Event | None) -> list[int]:
    """The exit codes of `runs`, once all have ended; Stopped if `stop` is set first (the runs
    are then killed), TimeoutExpired after TIMEOUT_SECONDS. Without `stop`, a plain wait."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        for run in runs:
            while True:
                try:
                    run.wait(timeout=0.1 if stop is not None else max(1.0, deadline - time.monotonic()))
                    break
                except subprocess.TimeoutExpired:
                    if stop is not None and stop.is_set():
                        raise Stopped from None
                    if time.monotonic() > deadline:
                        raise
    finally:
        _end(runs)
    return [run.returncode for run in runs]


def _end(runs: list[subprocess.Popen]) -> None:
    for run in runs:
        if run.poll() is None:
            run.kill()
            run.wait()


def find_pagefind() -> Path | None:
    """The Pagefind binary: $PAGEFIND_BINARY_PATH, the PyPI package's, else one on PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        get_executable = None
    if get_executable is not None:
        found = get_executable()
        if found is not None and found.is_file():
            return found
    on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(on_path) if on_path else None


def _warn(problems: Problems, message: str, hint: str | None = None) -> None:
    problems.add(ContentError("search", message, hint=hint, severity="warning"))


def index_search(folder: Path, problems: Problems, stop: threading.Event | None = None,
                 pages: Path | None = None) -> float:
    """Index the built site in `folder` with Pagefind; return the seconds it took. `pages`: a
    folder of `index_copy`s of every page of the site (PageCopies), which Pagefind then reads
    instead of the pages themselves.

    Never fails the build: a missing or failing binary becomes a warning in `problems`.
    Raises Stopped if `stop` is set meanwhile, having ended Pagefind and removed its files.
    """
    site = pages or folder
    started = time.perf_counter()
    binary = find_pagefind()
    if binary is None:
        _warn(problems, "Pagefind is not installed, so the site was built without a search index "
                        "(the search pages say search is unavailable)", INSTALL_HINT)
        return time.perf_counter() - started
    if "extended" not in binary.name:
        _warn(problems, f"{binary} is Pagefind without Chinese word segmentation: "
                        "Chinese searches will only match the start of long runs of text", INSTALL_HINT)
    langs = sorted(d.name for d in site.iterdir() if d.is_dir() and d.name in ("zh", "en"))
    if len(langs) > 1 and (os.cpu_count() or 1) > 1:
        try:
            if _index_languages_apart(binary, site, folder, langs, stop):
                return time.perf_counter() - started
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass  # any trouble: index the whole site in one run below, which reports problems
        shutil.rmtree(folder / "pagefind", ignore_errors=True)
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
            run = subprocess.Popen([str(binary), "--site", str(site), "--output-path", str(folder / "pagefind"),
                                    "--silent"], stdout=log, stderr=log)
            try:
                code = _wait([run], stop)[0]
            except Stopped:
                shutil.rmtree(folder / "pagefind", ignore_errors=True)  # half written
                raise
            log.seek(0)
            output = log.read().strip().splitlines()[-5:]
    except (OSError, subprocess.TimeoutExpired) as exc:
        _warn(problems, f"Pagefind could not index the site ({exc}); it was built without a search index",
              INSTALL_HINT)
        return time.perf_counter() - started
    if code != 0 or not (folder / "pagefind" / "pagefind-ui.js").is_file():
        _warn(problems, f"Pagefind failed (exit {code}); the site was built without a search index"
              + (":\n    " + "\n    ".join(output) if output else ""), "run it by hand to see why: "
              f"{binary} --site <output folder>")
    return time.perf_counter() - started


def _index_languages_apart(binary: Path, site: Path, folder: Path, langs: list[str],
                           stop: threading.Event | None = None) -> bool:
    """Index each language's pages of `site` (the built site, or its PageCopies) in a Pagefind
    process of its own, at the same time, and merge the results into `folder/pagefind`: Pagefind does its work on one core, so on a machine
    with two this takes the time of the larger language instead of both. The files of each
    index are named by their content and the shared assets are the same, so the merge is
    only a copy plus joining the `languages` of pagefind-entry.json; any clash, or a run that
    fails, returns False (the caller then indexes the site in one run)."""
    # inside the build's folder (the work holds no HTML), so that a build killed meanwhile
    # leaves nothing beside the output: its staging folder, with this in it, is cleaned up
    work = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=folder))
    runs: list[subprocess.Popen] = []
    try:
        for lang in langs:
            runs.append(subprocess.Popen([str(binary), "--site", str(site), "--glob", f"{lang}/**/*.html",
                                          "--output-path", str(work / lang), "--silent"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        codes = _wait(runs, stop)
        if any(codes) or not all((work / lang / "pagefind-entry.json").is_file() for lang in langs):
            return False
        target = work / "merged"
        entry: dict | None = None
        for lang in langs:
            part = json.loads((work / lang / "pagefind-entry.json").read_text(encoding="utf-8"))
            if entry is None:
                entry = part
            elif part.get("version") != entry.get("version") or set(part["languages"]) & set(entry["languages"]):
                return False
            else:
                entry["languages"].update(part["languages"])
            for path in sorted((work / lang).rglob("*")):
                rel = path.relative_to(work / lang)
                dest = target / rel
                if path.is_dir() or rel.as_posix() == "pagefind-entry.json":
                    continue
                if dest.exists():
                    if dest.read_bytes() != path.read_bytes():
                        return False
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
        (target / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                                                    encoding="utf-8")
        shutil.rmtree(folder / "pagefind", ignore_errors=True)
        os.replace(target, folder / "pagefind")
        return (folder / "pagefind" / "pagefind-ui.js").is_file()
    finally:
        _end(runs)  # _wait ends them too; this is for a Popen that failed after another started
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- what Pagefind reads

# Pagefind parses the whole of every page, but indexes only what is inside its
# `data-pagefind-body` element, plus the page's language and the data-pagefind-* attributes
# wherever they are. Parsing is much of its time (at 4,000 notes, the <head>, header and footer
# are a third of the bytes), so a build that renders every page also writes each one, cut down
# to what Pagefind reads, into a folder that Pagefind reads instead (PageCopies). The index is
# the same, byte for byte: tests/build/test_search_copies.py builds it both ways and compares.
_BODY_ATTRIBUTE = " data-pagefind-body"
# what Pagefind could read outside the body element: its attributes, and the first <h1> and
# <img> of the page (the default title and image); a page with any of them there is copied whole
_READ_OUTSIDE = re.compile(r"data-pagefind|<h1|<img", re.I)
_HTML_TAG = re.compile(r"<html[\s>]", re.I)
_TITLE = re.compile(r"<title>[^<]*</title>", re.I)


def index_copy(html: str) -> str:
    """`html` as Pagefind needs it to index the page as it would the whole page: up to and with
    the `<html>` tag (the language), the <title>, and the one element that has
    `data-pagefind-body`. The whole page where that is not certain: no body element or more
    than one, an element that cannot be told apart from what it holds, or anything Pagefind
    reads (see _READ_OUTSIDE) outside it."""
    at = html.find(_BODY_ATTRIBUTE)
    if at == -1 or html.find(_BODY_ATTRIBUTE, at + 1) != -1:
        return html
    start = html.rfind("<", 0, at)
    tag_end = html.find(">", at)
    if start == -1 or tag_end == -1 or ">" in html[start:at]:
        return html
    name = html[start + 1:at].split(None, 1)[0].lower() if html[start + 1:at].strip() else ""
    if not name.isalnum():
        return html
    end = _element_end(html, name, tag_end + 1)
    html_tag = _HTML_TAG.search(html, 0, start)
    if end is None or html_tag is None:
        return html
    if _READ_OUTSIDE.search(html, 0, start) or _READ_OUTSIDE.search(html, end):
        return html
    head = html[:html.find(">", html_tag.start()) + 1]
    title = _TITLE.search(html, 0, start)
    return f"{head}<head>{title[0] if title else ''}</head><body>{html[start:end]}</body></html>"


def _element_end(html: str, name: str, position: int) -> int | None:
    """Where the element whose start tag ends before `position` ends (after its end tag),
    counting elements of the same name inside it; None if the text does not say."""
    opening, closing = f"<{name}", f"</{name}>"
    depth = 1
    while True:
        close = html.find(closing, position)
        if close == -1:
            return None
        inner = html.find(opening, position, close)
        while inner != -1:
            after = html[inner + len(opening):inner + len(opening) + 1]
            if after in (">", " ", "\n", "\t", "/"):
                depth += 1
            inner = html.find(opening, inner + 1, close)
        depth -= 1
        position = close + len(closing)
        if depth == 0:
            return position


class PageCopies:
    """A folder for the `index_copy`s of the pages (`out_paths`) a build writes, for Pagefind to
    read, removed by `close`.

    - **Where.** In /dev/shm where there is one: in memory, nothing is written to disk, and
      removing thousands of files there is quick (on disk it slows the next files created).
      Elsewhere in the build's staging folder.
    - **The same index every time.** Pagefind numbers pages in the order it finds them, which is
      the order the file system lists a folder in: in memory, the order of creation. So the
      folders of all the pages are made here first, in the order of their paths, before any
      page is written, by whichever process.
    - **Nothing left behind.** A folder left by a build that was killed is removed by the next
      one (each is locked by its build while it runs: locks.py).
    - **Never in the way.** /dev/shm is used only with room to spare (MEMORY_PER_PAGE; a
      container may give it 64 MB). A copy that cannot be written is left out (output.py), and a
      build whose copies are not `complete()` indexes its own pages, as one without copies does.
    """

    MEMORY = Path("/dev/shm")
    PREFIX = "lecun-site-pages-"
    MEMORY_PER_PAGE = 64 * 1024  # free bytes asked of /dev/shm per page (a copy is ~10 KB)

    def __init__(self, staging: Path, out_paths: list[str]) -> None:
        self.pages = sorted(p for p in out_paths if p.endswith(".html"))
        memory = self.MEMORY.is_dir() and os.access(self.MEMORY, os.W_OK) and locks.AVAILABLE and self._room()
        if memory:
            self._remove_abandoned()
        self.folder = Path(tempfile.mkdtemp(prefix=self.PREFIX, dir=self.MEMORY if memory else staging))
        self._lock: int | None = locks.hold(self.folder) if locks.AVAILABLE else None
        try:
            self._lay_out()
        except OSError:
            self.close()
            raise

    def _lay_out(self) -> None:
        """The folders of all the pages, in the order of their paths (see above)."""
        made = {str(self.folder)}
        for page in self.pages:
            parent = os.path.dirname(f"{self.folder}/{page}")
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)

    def add_files(self, site: Path, rels: list[str]) -> None:
        """Other HTML files of the site (static files), copied as they are: Pagefind reads them too."""
        for rel in sorted(rels):
            target = self.folder / rel
            with contextlib.suppress(OSError):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(site / rel, target)
            self.pages.append(rel)

    def complete(self) -> bool:
        """Whether every page has its copy (a copy that could not be written is missing)."""
        folder = str(self.folder)
        return all(os.path.isfile(f"{folder}/{page}") for page in self.pages)

    def _room(self) -> bool:
        try:
            info = os.statvfs(self.MEMORY)
        except OSError:
            return False
        return info.f_bavail * info.f_frsize >= self.MEMORY_PER_PAGE * len(self.pages)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    @classmethod
    def _remove_abandoned(cls) -> None:
        try:
            leftovers = [p for p in cls.MEMORY.iterdir() if p.name.startswith(cls.PREFIX)]
        except OSError:
            return
        for leftover in leftovers:
            try:  # a minute old at least: one just made is locked a moment after (mkdtemp, then hold)
                young = time.time() - leftover.lstat().st_mtime < 60
            except OSError:
                continue
            if not young and leftover.is_dir() and not leftover.is_symlink() and not locks.in_use(leftover):
                shutil.rmtree(leftover, ignore_errors=True)


def write_copy(path: str, html: str) -> None:
    """`index_copy(html)` into `path`, whose folder PageCopies made. One that cannot be written (the
    memory is full) is left out: the build then indexes its pages instead (PageCopies.complete)."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(index_copy(html))
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
