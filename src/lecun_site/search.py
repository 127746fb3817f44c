"""Search: a Pagefind index of the built site, written into it before it goes live.

`index_search(folder, problems)` runs the Pagefind binary over the freshly rendered folder
(before pipeline.py swaps it into place), which writes `pagefind/` beside the pages: the
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
- **No binary, no crash.** Without Pagefind the site is built all the same, with a warning
  naming the package to install; the search page then says the index is missing. A binary
  that fails is reported the same way (with its last lines of output). A binary without
  Chinese segmentation (plain `pagefind`) gets a warning too.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from .errors import ContentError, Problems

INSTALL_HINT = "install it with `pip install 'pagefind[extended]>=1.4,<1.5'` (the extended binary segments Chinese)"
TIMEOUT_SECONDS = 600


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


def index_search(folder: Path, problems: Problems) -> float:
    """Index the built site in `folder` with Pagefind; return the seconds it took.

    Never fails the build: a missing or failing binary becomes a warning in `problems`.
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
    try:
        result = subprocess.run([str(binary), "--site", str(folder), "--silent"], capture_output=True,
                                text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _warn(problems, f"Pagefind could not index the site ({exc}); it was built without a search index",
              INSTALL_HINT)
        return time.perf_counter() - started
    if result.returncode != 0 or not (folder / "pagefind" / "pagefind-ui.js").is_file():
        output = (result.stderr or result.stdout).strip().splitlines()[-5:]
        _warn(problems, f"Pagefind failed (exit {result.returncode}); the site was built without a search index"
              + (":\n    " + "\n    ".join(output) if output else ""), "run it by hand to see why: "
              f"{binary} --site <output folder>")
    return time.perf_counter() - started
