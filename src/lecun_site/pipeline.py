"""build_site(...) -> BuildReport: the one entry point for the CLI, the watcher and the tests.

Steps, in the order they run: load config → load content → build graph → plan pages →
render every page into a fresh folder beside the output → copy static files → swap the
new folder into place. A build that fails at any step leaves the previous output as it was.

With the build cache (cache.py, on unless `--no-cache`), files whose bytes did not change
are not parsed again, and a page whose signature (signatures.py) and output file are both
unchanged is hard-linked from the previous output into the new folder instead of rendered;
when no page changed, the previous search index is linked too. The new folder is still
complete before the swap, so the guarantee above holds.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import locks, markdown
from .cache import BuildCache, CacheState, PageRecord, cache_dir
from .config import SiteConfig, load_config
from .errors import BuildFailed, ContentError, OutputError, Problems
from .graph import SiteGraph, build_graph
from .loader import load_content
from .pages import PageJob, plan_pages
from .parallel import fan_out
from .render import Renderer
from .search import index_search
from .signatures import Signer, TemplateFingerprints, stable_hash

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BuildOptions:
    content: Path
    out: Path
    templates: Path | None = None
    static: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    local: bool = False
    search: bool = True  # index the site with Pagefind (`build --no-search` skips it)
    cache: bool = True  # use and update the build cache beside the output (`build --no-cache`: no)


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


def default_dir(content: Path, name: str) -> Path:
    """templates/ or static/ beside the content folder, else the project's own."""
    beside = content.resolve().parent / name
    return beside if beside.is_dir() else PROJECT_ROOT / name


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


def load_site(options: BuildOptions, problems: Problems, timings: dict[str, float],
              cache: BuildCache | None = None, digests: dict | None = None) -> SiteGraph:
    started = time.perf_counter()
    config = load_config(options.content, options.base_url)
    content = load_content(options.content, config, problems, cache.files_for(config) if cache else None, digests)
    timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    graph = build_graph(content, problems, drafts=options.drafts)
    timings["graph"] = time.perf_counter() - started
    return graph


def build_site(options: BuildOptions, progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Build the whole site; raise BuildFailed (with every problem) and leave the old output alone."""
    try:
        with fewer_collections():
            return _build_site(options, progress)
    finally:
        markdown.use_store(None)  # closes the build cache's store of compiled bodies, if one was opened


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


def _build_site(options: BuildOptions, progress: Callable[[int, int], None] | None) -> BuildReport:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if not options.content.is_dir():
        raise BuildFailed([ContentError(str(options.content), "the content folder does not exist")])
    check_output_dir(options.out, options.content)
    recover_interrupted(options.out)  # first: a build with nothing to do cleans up after killed ones too
    problems = Problems()
    templates = options.templates or default_dir(options.content, "templates")
    static = options.static or default_dir(options.content, "static")
    cache = BuildCache(cache_dir(options.out)) if options.cache else None
    key, digests = "", None
    if cache is not None and cache.state.build_key:  # a last build to compare with
        t0 = time.perf_counter()
        config = load_config(options.content, options.base_url)
        digests = content_digests(options.content, config)
        key = build_key(options, templates, config, digests)
        state = cache.state
        current = (key == state.build_key and state.out == str(options.out.resolve()) and state.outputs
                   and (state.search or not options.search) and pages_untouched(state, options.out)
                   and output_is_current(options.out, state.outputs, static, config, options.search))
        timings["up-to-date check"] = time.perf_counter() - t0
        if current:  # everything the last build read is unchanged, and so is what it wrote
            return BuildReport(pages=len(state.outputs), out=options.out, seconds=time.perf_counter() - started,
                               warnings=list(state.warnings), timings=timings, rendered=0, notices=cache.notices)
    markdown.used_keys().clear()
    graph = load_site(options, problems, timings, cache, digests)
    problems.raise_if_errors()
    if cache is not None and not key:  # a first build: the loader hashed every file it read
        key = build_key(options, templates, graph.config, {display: entry[1] for display, entry in cache.files.items()})

    t0 = time.perf_counter()
    jobs = plan_pages(graph)
    renderer = Renderer(graph, templates, local=options.local, drafts=options.drafts,
                        bytecode_folder=cache.jinja_folder if cache else None, reload_templates=False)
    timings["plan"] = time.perf_counter() - t0

    reuse: set[str] = set()
    reuse_search = False
    if cache is not None:
        t0 = time.perf_counter()
        signer = Signer(graph, jobs, renderer.strings, renderer.local, TemplateFingerprints(renderer.env, templates))
        signed = fan_out(lambda chunk: [signer.sign(job, signer.inputs(job)) for job in chunk], jobs,
                         PARALLEL_MIN_PAGES)
        signatures = {job.out_path: signature for job, signature in zip(jobs, signed)}
        del signer, signed  # its fingerprints and memos (~20 MiB at 4,000 notes) are not needed to render
        reuse = reusable_pages(cache.state, options.out, signatures)
        reuse_search = (options.search and cache.state.search and len(reuse) == len(jobs)
                        and set(cache.state.pages) == set(signatures) and (options.out / "pagefind").is_dir())
        if len(reuse) < len(jobs):
            cache.load_markdown()
        timings["signatures"] = time.perf_counter() - t0

    warnings_before = len(problems.items)
    if (cache is not None and len(reuse) == len(jobs) and set(cache.state.pages) == set(signatures)
            and (reuse_search or not options.search)
            and output_is_current(options.out, [job.out_path for job in jobs], static, graph.config, options.search)):
        # nothing to do: every page, static file and the search index are as a build would make them
        return BuildReport(pages=len(jobs), out=options.out, seconds=time.perf_counter() - started,
                           warnings=problems.warnings, timings=timings, graph=graph, rendered=0,
                           notices=cache.notices)
    publish_site(renderer, jobs, options.out, static, problems, timings, search=options.search, progress=progress,
                 reuse=reuse, reuse_search=reuse_search)
    notices = []
    if cache is not None:
        state = cache.state
        state.out = str(options.out.resolve())
        state.pages = {}
        for job in jobs:
            signature = signatures[job.out_path]
            if signature:
                info = os.stat(options.out / job.out_path)
                state.pages[job.out_path] = PageRecord(signature, info.st_size, info.st_mtime_ns)
        search_failed = any(p.path == "search" for p in problems.items[warnings_before:])
        state.search = options.search and not search_failed and (options.out / "pagefind").is_dir()
        state.build_key = key
        state.outputs = [job.out_path for job in jobs]
        state.warnings = problems.warnings
        try:
            cache.save(rendered_all=not reuse)
        except OSError as exc:
            cache.notices.append(f"the build cache could not be saved in {cache.folder}: {exc.strerror or exc}")
        notices = cache.notices
    return BuildReport(pages=len(jobs), out=options.out, seconds=time.perf_counter() - started,
                       warnings=problems.warnings, timings=timings, graph=graph, rendered=len(jobs) - len(reuse),
                       notices=notices)


def content_digests(content: Path, config: SiteConfig) -> dict[str, bytes | None]:
    """The BLAKE2 digest of every content file, by display path (None for one that cannot be
    read); the loader uses them instead of reading every file again."""
    from .loader import content_files, file_digest, stat_key

    return {display: file_digest(path, stat_key(path), config.max_file_size)
            for _, path, display in content_files(content, Problems())}


def build_key(options: BuildOptions, templates: Path, config: SiteConfig, digests: dict[str, bytes | None]) -> str:
    """A hash of everything a build reads: the bytes of every content file (`digests`, by
    display path), site.yaml, the templates, and the options; equal keys make equal sites
    (the cache's stamp covers the code)."""
    from .loader import file_digest, stat_key

    def digest(path: Path) -> bytes | None:
        return file_digest(path, stat_key(path), config.max_file_size)

    template_files = sorted(p for p in templates.rglob("*") if p.is_file()) if templates.is_dir() else []
    return stable_hash(str(options.content.resolve()), str(templates.resolve()), options.base_url, options.drafts,
                       options.local, options.search, sorted(digests.items()), digest(options.content / "site.yaml"),
                       [(p.relative_to(templates).as_posix(), digest(p)) for p in template_files])


def pages_untouched(state: CacheState, out: Path) -> bool:
    """Whether every page file is as the last build wrote it (size and modification time)."""
    return all(_untouched(out, out_path, state.pages.get(out_path)) for out_path in state.outputs)


def _untouched(out: Path, out_path: str, record: PageRecord | None) -> bool:
    try:
        info = os.stat(out / out_path)
    except OSError:
        return False
    return record is not None and info.st_size == record.size and info.st_mtime_ns == record.mtime_ns


def output_is_current(out: Path, out_paths: list[str], static: Path, config: SiteConfig, search: bool) -> bool:
    """Whether `out` holds exactly what a build would write, given that every page in it is
    current: the same static files byte for byte, the GitHub Pages files, a search index
    only when one is wanted, and nothing else."""
    expected = set(out_paths) | {".nojekyll"} | ({"CNAME"} if config.cname else set())
    staticfiles = {}
    if static.is_dir():
        for path in static.rglob("*"):
            rel = path.relative_to(static)
            if path.is_file() and not any(part.startswith(".") or part.endswith(("~", ".swp")) for part in rel.parts):
                staticfiles["static/" + rel.as_posix()] = path
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


def reusable_pages(state: CacheState, out: Path, signatures: dict[str, str]) -> set[str]:
    """Pages of the previous output that can be kept: same signature, file untouched since."""
    if not state.pages or state.out != str(out.resolve()):
        return set()
    return {out_path for out_path, signature in signatures.items()
            if signature and getattr(state.pages.get(out_path), "signature", None) == signature
            and _untouched(out, out_path, state.pages[out_path])}


def publish_site(renderer: Renderer, jobs: list[PageJob], out: Path, static: Path, problems: Problems,
                 timings: dict[str, float] | None = None, *, search: bool = True,
                 progress: Callable[[int, int], None] | None = None, reuse: set[str] = frozenset(),
                 reuse_search: bool = False) -> None:
    """Render every page into a fresh folder beside `out`, add static files, the search
    index and the GitHub Pages files, then swap it into place. Nothing at `out` changes
    unless all of that succeeded (callers run recover_interrupted first). Pages in `reuse`
    (and with `reuse_search` the search index) are hard-linked from the current `out`
    instead of rendered."""
    timings = timings if timings is not None else {}
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    lock = locks.hold(staging)
    try:
        t0 = time.perf_counter()
        write_pages(renderer, [job for job in jobs if job.out_path not in reuse], staging, progress,
                    site_jobs=jobs)
        link_files(out, staging, sorted(reuse))
        timings["render"] = time.perf_counter() - t0
        copy_static(static, staging / "static")
        extras(renderer.graph.config, staging)
        if search and reuse_search:
            t0 = time.perf_counter()
            link_files(out, staging, [p.relative_to(out).as_posix() for p in sorted((out / "pagefind").rglob("*"))
                                      if p.is_file() and not p.is_symlink()])
            timings["search"] = time.perf_counter() - t0
        elif search:
            timings["search"] = index_search(staging, problems)
        swap_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.close(lock)


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


# Rendering is the slow part of a cold build and every page is independent of the others,
# so large builds render in forked workers (parallel.py): they inherit the graph and templates
# and send back only which markdown bodies they used (what they compiled, they add to the
# build cache's store themselves). Not for small sites, where starting workers costs more
# than it saves, nor where other threads run (serve).
PARALLEL_MIN_PAGES = 300


def write_pages(renderer: Renderer, jobs: list[PageJob], folder: Path,
                progress: Callable[[int, int], None] | None = None, workers: int | None = None,
                site_jobs: list[PageJob] | None = None) -> None:
    """Render `jobs` into `folder`; `site_jobs` (default: `jobs`) are all the pages of the
    site, which pages such as the sitemap list."""
    folder.mkdir(parents=True, exist_ok=True)
    site_jobs = jobs if site_jobs is None else site_jobs
    total, done = len(jobs), 0

    def render(chunk: list[PageJob]) -> list:
        used = markdown.used_keys()
        used_before = set(used)
        for job in chunk:
            path = folder / job.out_path
            # each process makes the folders of its own pages (one per page, as URLs end in /):
            # creating ~9,000 folders can take seconds of system time, shared this way
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(renderer.render(job, site_jobs), encoding="utf-8")
        # one result per page; the last carries the markdown bodies this chunk looked up (what
        # it compiled went to the build cache's store, from whichever process compiled it)
        return [None] * (len(chunk) - 1) + [list(used - used_before)]

    def collect(results: list) -> None:
        nonlocal done
        markdown.used_keys().update(results[-1])
        done += len(results)
        if progress:
            progress(done, total)

    if jobs:
        fan_out(render, jobs, PARALLEL_MIN_PAGES, workers=workers, on_chunk=collect, group=lambda job: job.lang)


def copy_static(static: Path, target: Path) -> None:
    if static.is_dir():
        shutil.copytree(static, target, ignore=shutil.ignore_patterns(".*", "*~", "*.swp"))


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
