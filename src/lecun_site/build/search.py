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

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from ..errors import ContentError, Problems

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


def index_search(folder: Path, problems: Problems, stop: threading.Event | None = None) -> float:
    """Index the built site in `folder` with Pagefind; return the seconds it took.

    Never fails the build: a missing or failing binary becomes a warning in `problems`.
    Raises Stopped if `stop` is set meanwhile, having ended Pagefind and removed its files.
    """
    started = time.perf_counter()
    binary = find_pagefind()
    if binary is None:
        _warn(problems, "Pagefind is not installed, so the site was built without a search index "
                        "(the search pages say search is unavailable)", INSTALL_HINT)
        return time.perf_counter() - started
    if "extended" not in binary.name:
        _warn(problems, f"{binary} is Pagefind without Chinese word segmentation: "
                        "Chinese searches will only match the start of long runs of text", INSTALL_HINT)
    langs = sorted(d.name for d in folder.iterdir() if d.is_dir() and d.name in ("zh", "en"))
    if len(langs) > 1 and (os.cpu_count() or 1) > 1:
        try:
            if _index_languages_apart(binary, folder, langs, stop):
                return time.perf_counter() - started
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass  # any trouble: index the whole site in one run below, which reports problems
        shutil.rmtree(folder / "pagefind", ignore_errors=True)
    try:
        with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
            run = subprocess.Popen([str(binary), "--site", str(folder), "--silent"], stdout=log, stderr=log)
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


def _index_languages_apart(binary: Path, folder: Path, langs: list[str], stop: threading.Event | None = None) -> bool:
    """Index each language's pages in a Pagefind process of its own, at the same time, and merge
    the results into `folder/pagefind`: Pagefind does its work on one core, so on a machine
    with two this takes the time of the larger language instead of both. The files of each
    index are named by their content and the shared assets are the same, so the merge is
    only a copy plus joining the `languages` of pagefind-entry.json; any clash, or a run that
    fails, returns False (the caller then indexes the site in one run)."""
    # inside the folder being indexed (it holds no HTML), so that a build killed meanwhile
    # leaves nothing beside the output: its staging folder, with this in it, is cleaned up
    work = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=folder))
    runs: list[subprocess.Popen] = []
    try:
        for lang in langs:
            runs.append(subprocess.Popen([str(binary), "--site", str(folder), "--glob", f"{lang}/**/*.html",
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
