"""build_site(options) -> BuildReport: the `build` command, with its cache.

It checks first whether anything changed since the last build (the build key: a hash of
every file a build reads and the options); if not, it stops. Otherwise it runs the one build
core (core.py) through a staging folder that is swapped into place whole, so a build that
fails at any step leaves the previous output as it was, and saves in the build cache
(cache.py) what the pages read, so that the next build renders only the pages that read
something that changed.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ..content.config import SiteConfig, load_config
from ..errors import BuildFailed, ContentError, Problems
from ..site.graph import SiteGraph
from ..theme import Theme
from .cache import BuildCache, CacheState, cache_dir
from .core import BuildOptions, load_site, run, site_theme, untouched
from .signer import SIGN_LATER_FROM, Signer
from .output import StagingWriter, check_output_dir, recover_interrupted, static_files
from .signatures import stable_hash


@dataclass
class BuildReport:
    pages: int
    out: Path
    seconds: float
    warnings: list[ContentError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    graph: SiteGraph | None = None
    rendered: int = 0  # pages rendered; the others were unchanged and kept from the last build
    notices: list[str] = field(default_factory=list)  # about the build cache
    signer: Any = None  # signer.Signer: what the pages read, to record once the site is in place (start() it)


def build_site(options: BuildOptions, progress: Callable[[int, int], None] | None = None, *,
               sign_later: bool = False, notify: Callable[[str], None] | None = None) -> BuildReport:
    """Build the whole site; raise BuildFailed (with every problem) and leave the old output alone.

    `sign_later`: a large cold build records what its pages read after the site is in place,
    by the `report.signer` it returns, which the caller must `start()` (signer.py); without it
    the pages are signed while they render. `notify`: told when the build waits for the last
    build's signer."""
    with fewer_collections():
        return _build_site(options, progress, sign_later, notify)


# A build makes millions of objects that live until it ends (records, the graph, views). With
# Python's default thresholds (700, 10, 10) the garbage collector keeps walking all of them:
# ~1 s of a 4,000-note load and graph, ~2.6 s at 10,000, more than linear in the site's size.
# Nearly all garbage is freed by reference counting anyway; what only the collector frees
# (reference cycles) waits a little longer. Peak memory measured the same (benchmarks/README.md);
# tests/test_build.py checks the thresholds are set during a build and come back after.
BUILD_GC_THRESHOLDS = (100_000, 50, 100)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while a build runs; the previous thresholds come back after."""
    previous = gc.get_threshold()
    gc.set_threshold(*BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _build_site(options: BuildOptions, progress: Callable[[int, int], None] | None, sign_later: bool,
                notify: Callable[[str], None] | None) -> BuildReport:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if not options.content.is_dir():
        raise BuildFailed([ContentError(str(options.content), "the content folder does not exist")])
    check_output_dir(options.out, options.content)
    recover_interrupted(options.out)  # first: a build with nothing to do cleans up after killed ones too
    problems = Problems()
    theme = site_theme(options)
    cache = BuildCache(cache_dir(options.out), notify) if options.cache else None
    try:
        return _build_with(options, progress, cache, theme, problems, timings, started, sign_later)
    finally:
        if cache is not None:
            cache.close()  # its store of compiled markdown bodies, if one was opened


def _build_with(options: BuildOptions, progress, cache: BuildCache | None, theme: Theme,
                problems: Problems, timings: dict[str, float], started: float, sign_later: bool) -> BuildReport:
    key, digests = "", None
    config = load_config(options.content, options.base_url)  # read once: the check, the loader, the cache
    if cache is not None and cache.state.build_key:  # a last build to compare with
        t0 = time.perf_counter()
        digests = content_digests(options.content, config)
        key = build_key(options, theme, config, digests)
        state = cache.state
        current = (key == state.build_key and state.out == str(options.out.resolve()) and state.outputs
                   and (state.search or not options.search) and pages_untouched(state, options.out)
                   and output_is_current(options.out, state.outputs, theme, config, options.search, state.assets))
        timings["up-to-date check"] = time.perf_counter() - t0
        if current:  # everything the last build read is unchanged, and so is what it wrote
            return BuildReport(pages=len(state.outputs), out=options.out, seconds=time.perf_counter() - started,
                               warnings=list(state.warnings), timings=timings, rendered=0, notices=cache.notices)
    graph = load_site(options, problems, timings, cache.files_for(config) if cache else None, digests, config)
    problems.raise_if_errors()
    if cache is not None and not key:  # a first build: the loader hashed every file it read
        key = build_key(options, theme, graph.config, {display: entry[1] for display, entry in cache.files.items()})

    previous = cache.state.traces if cache is not None and cache.state.out == str(options.out.resolve()) else None
    warnings_before = len(problems.items)
    outcome = run(options, StagingWriter(options.out), previous=previous, record=cache is not None,
                  search=options.search, index_matches=bool(cache and cache.state.search), cache=cache,
                  renderer_options={"bytecode_folder": cache.jinja_folder if cache else None,
                                    "reload_templates": False},
                  progress=progress, graph=graph, problems=problems, timings=timings,
                  sign_later_from=SIGN_LATER_FROM if sign_later else None)
    jobs = outcome.jobs
    notices, signer = [], None
    if cache is not None:
        search_failed = any(p.path == "search" for p in problems.items[warnings_before:])
        t0 = time.perf_counter()
        cache.remember(outcome, build_key=key, warnings=problems.warnings,
                       search=options.search and not search_failed and (options.out / "pagefind").is_dir())
        timings["cache save"] = time.perf_counter() - t0
        notices = cache.notices
        if cache.deferred:
            signer = Signer(cache, outcome, options)
    return BuildReport(pages=len(jobs), out=options.out, seconds=time.perf_counter() - started,
                       warnings=problems.warnings, timings=timings, graph=outcome.graph,
                       rendered=len(outcome.rendered), notices=notices, signer=signer)


def content_digests(content: Path, config: SiteConfig) -> dict[str, bytes | None]:
    """The BLAKE2 digest of every content file, by display path (None for one that cannot be
    read); the loader uses them instead of reading every file again."""
    from ..content.loader import content_files, file_digest, stat_key

    return {display: file_digest(path, stat_key(path), config.max_file_size)
            for _, path, display in content_files(content, Problems())}


def build_key(options: BuildOptions, theme: Theme, config: SiteConfig, digests: dict[str, bytes | None]) -> str:
    """A hash of everything a build reads: the bytes of every content file (`digests`, by
    display path), site.yaml, the templates, and the options; equal keys make equal sites
    (the cache's stamp covers the code)."""
    from ..content.loader import file_digest, stat_key

    def digest(path: Path) -> bytes | None:
        return file_digest(path, stat_key(path), config.max_file_size)

    templates = [(str(folder.resolve()), [(p.relative_to(folder).as_posix(), digest(p))
                                          for p in sorted(folder.rglob("*")) if p.is_file()])
                 for folder in theme.templates if folder.is_dir()]
    return stable_hash(str(options.content.resolve()), options.base_url, options.drafts, options.local,
                       options.search, sorted(digests.items()), digest(options.content / "site.yaml"), templates)


def pages_untouched(state: CacheState, out: Path) -> bool:
    """Whether every page file is as the last build wrote it (size and modification time)."""
    pages = state.traces.pages if state.traces is not None else {}
    return all(out_path in pages and untouched(f"{out}/{out_path}", pages[out_path]) for out_path in state.outputs)


def output_is_current(out: Path, out_paths: list[str], static: Theme, config: SiteConfig, search: bool,
                      assets: dict | None = None) -> bool:
    """Whether `out` holds exactly what a build would write, given that every page in it is
    current: the same static files byte for byte, the images and cards the last build
    published untouched (`assets`: size and modification time), the GitHub Pages files, a
    search index only when one is wanted, and nothing else."""
    assets = assets or {}
    expected = set(out_paths) | {".nojekyll"} | ({"CNAME"} if config.cname else set()) | set(assets)
    for rel, (size, mtime_ns) in assets.items():
        try:
            info = os.stat(out / rel)
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
            return False
    staticfiles = static_files(static)
    expected |= set(staticfiles)
    found = set()
    for folder, dirs, files in os.walk(out):
        rel = os.path.relpath(folder, out)
        if rel == "pagefind":
            if not search:
                return False
            dirs.clear()  # the index is checked by the caller (the cache says it matches the pages)
            continue
        found.update(name if rel == "." else f"{rel}/{name}" for name in files)
    if found != expected or (search and not (out / "pagefind").is_dir()):
        return False
    if (out / ".nojekyll").read_bytes() != b"" or (
            config.cname and (out / "CNAME").read_text(encoding="utf-8") != config.cname + "\n"):
        return False
    return all((out / rel).read_bytes() == path.read_bytes() for rel, path in staticfiles.items())
