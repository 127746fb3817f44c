"""The build core: load → plan → diff → render → write. The one path for `build` and `serve`.

`run(...)` does, in order:

1. **load**: site.yaml, every content file (unchanged files come from the parse cache), the graph;
2. **plan**: every page (`plan_pages`), and each page's *frame*: its template with everything it
   extends, includes or imports, the page itself (kind, language, URL, record) and the options
   that shape every page;
3. **diff** against what the last build remembers (`Traces`): a page is kept when its frame is
   the same, its file is as that build wrote it, and every path it *read* while rendering
   (reads.py) gives the same fingerprint on the new graph; every other page is rendered;
4. **render** the pages that must be (forked workers for large cold builds), noting what each reads;
5. **write** through a writer (output.py): a staging folder swapped in whole (`build`, serve's
   first build) or in place, file by file (serve's later builds); static files by
   `static_files()`; then the search index when asked for.

The result carries the new `Traces`, which the build cache saves and serve keeps in memory.
There is no list of what each template shows: a page's signature is what its render read.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..content.config import load_config
from ..content.loader import load_content
from ..errors import Problems
from ..parallel import can_fork, fan_out
from ..render.page import VIEW_READS, Renderer
from ..render.reads import Replay
from ..site.graph import SiteGraph, build_graph
from ..site.links import link_target
from ..site.pages import PageJob, plan_pages
from ..theme import Theme
from .output import link_files, static_files
from .assets import assets, social_cards_on
from .cache import cache_dir
from .search import PageCopies, find_pagefind, index_search
from .signatures import TemplateFingerprints, stable_hash
from .traces import PageTrace, ReadTable, Traces  # noqa: F401 - Traces re-exported (serve, tests)

# Rendering is the slow part of a cold build and every page is independent of the others, so
# large builds render in forked workers (parallel.py): they inherit the graph and templates and
# send back what each page read and which markdown bodies they used. Not for small sites, where
# starting workers costs more than it saves, nor for in-place writes (serve).
PARALLEL_MIN_PAGES = 300


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


@contextlib.contextmanager
def asset_folder(options: BuildOptions):
    """Where image copies and social cards are kept between builds (build/assets.py): beside
    the output with the cache, else a folder of this build's own."""
    if options.cache:
        yield cache_dir(options.out) / "assets"
        return
    with tempfile.TemporaryDirectory(prefix="lecun-assets-") as folder:
        yield Path(folder)


def site_theme(options: BuildOptions) -> Theme:
    """The default theme under the site's own templates and static files (theme/__init__.py):
    `--templates`/`--static` when given, else the folders of those names beside `content/`."""
    return Theme.for_site(options.content, options.templates, options.static)


# --------------------------------------------------------------------------- one build


@dataclass
class Outcome:
    graph: SiteGraph
    jobs: list[PageJob]
    rendered: list[PageJob]
    removed: list[str]  # out_paths of pages that left the site
    traces: Traces | None
    problems: Problems
    static_changed: bool = False
    frames: dict = field(default_factory=dict)  # out_path -> frame, with `jobs` the build's plan
    fragments: tuple = ((), ())  # the renderer's (fragments, fragment_reads), for serve to offer the next build
    timings: dict[str, float] = field(default_factory=dict)
    markdown_used: set = field(default_factory=set)  # keys of the markdown bodies the rendered pages used
    assets: list[str] = field(default_factory=list)  # out paths of the images and cards published (assets.py)
    renderer: Any = None  # the Renderer the pages were rendered with (signer.py renders them again)


def load_site(options: BuildOptions, problems: Problems, timings: dict[str, float],
              parse_cache: dict | None = None, digests: dict | None = None, config=None) -> SiteGraph:
    """Content and graph; `config`: site.yaml when the caller has read it already."""
    started = time.perf_counter()
    config = config or load_config(options.content, options.base_url)
    content = load_content(options.content, config, problems, parse_cache, digests)
    timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    graph = build_graph(content, problems, drafts=options.drafts)
    timings["graph"] = time.perf_counter() - started
    return graph


def run(options: BuildOptions, writer, *, previous: Traces | None = None, parse_cache: dict | None = None,
        digests: dict | None = None, record: bool = True, search: bool = False, cache=None,
        index_matches: bool = False, renderer_options: dict | None = None, progress: Callable[[int, int], None] | None = None,
        graph: SiteGraph | None = None, previous_graph: SiteGraph | None = None,
        template_fp: TemplateFingerprints | None = None, plan: tuple | None = None,
        fragments: tuple[dict, dict] | None = None, problems: Problems | None = None,
        timings: dict[str, float] | None = None, sign_later_from: int | None = None) -> Outcome:
    """One build through `writer` (output.StagingWriter or InPlaceWriter). Raises BuildFailed
    (content errors, nothing written) or TemplateError (nothing written either).

    `previous`: what the last build's pages read (None: render every page). `record`: note
    what pages read, for the next build (off for `--no-cache`). `search`: index the site with
    Pagefind (a staging writer only); `index_matches`: the search index in the output is that
    of its pages, so when no page changes it is kept. `cache`: the build cache, whose
    store of compiled markdown bodies is opened when a page must render. `graph`: already loaded;
    `previous_graph`: the graph `previous` was recorded on, when still in memory (serve), so
    that what the new graph shares with it is not evaluated again. `template_fp`: kept by serve
    while the templates do not change; `plan`: (jobs, frames) of the last build, when serve knows
    they are the same (an edit of the text of notes, templates unchanged); `fragments`: the last
    renderer's (fragments, fragment_reads), of which those whose reads are unchanged are reused.
    `sign_later_from`: a cold build (no previous reads) of at least this many pages does not
    record; its Traces are `unsigned` (the pages' files only), for signer.py to complete."""
    timings = {} if timings is None else timings
    problems = Problems() if problems is None else problems
    theme = site_theme(options)
    if graph is None:
        graph = load_site(options, problems, timings, parse_cache, digests)
        problems.raise_if_errors()

    t0 = time.perf_counter()
    unsigned = False
    if previous is not None and not previous.signed:
        previous = None  # its pages' reads were never recorded (its signer did not finish): render all
    renderer = Renderer(graph, theme, local=options.local, drafts=options.drafts, **(renderer_options or {}))
    renderer.social_cards = social_cards_on(graph, problems)
    if plan is None:
        jobs = plan_pages(graph)
        if record and previous is None and sign_later_from is not None and len(jobs) >= sign_later_from and can_fork():
            record, unsigned = False, True  # a cold build: signer.py records what the pages read, later
        frames = {}
        if record or previous is not None:  # a build with no cache does not sign its pages
            frames = page_frames(renderer, options, jobs, template_fp)
    else:
        jobs, frames = plan
    timings["plan"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    out = options.out
    keep: list[str] = []
    out_dir = str(out)
    if previous is not None and previous.out == str(out.resolve()) and previous.pages:
        roots = {"g": lambda: graph, "j": lambda: jobs, "s": lambda lang: renderer.strings[lang],
                 "v": lambda lang, kind, key: getattr(renderer.views(lang), kind)(key),
                 "l": lambda target: link_target(graph, target)}
        old = {"g": lambda: previous_graph, "j": lambda: plan[0]} if previous_graph is not None and plan else (
            {"g": lambda: previous_graph} if previous_graph is not None else None)
        # views read only some parts of the graph (render.VIEW_READS, enforced): shared parts, same views
        views_same = previous_graph is not None and all(
            getattr(graph, name) is getattr(previous_graph, name) for name in VIEW_READS)
        changed = previous.changes(Replay(roots, old, frozenset({"v"}) if views_same else frozenset()))
        stale, dirty = previous.stale(changed)
        if fragments is not None:  # serve: fragments of the last build whose reads did not change
            renderer.fragments = {k: v for k, v in fragments[0].items() if k in previous.fragments and k not in dirty}
            renderer.fragment_reads = {k: fragments[1][k] for k in renderer.fragments}
        for job in jobs:
            trace = previous.pages.get(job.out_path)
            if (trace is not None and trace.frame == frames[job.out_path] and not stale(trace)
                    and untouched(f"{out_dir}/{job.out_path}", trace)):
                keep.append(job.out_path)
    else:
        previous, changed = None, {}
    kept = set(keep)
    todo = [job for job in jobs if job.out_path not in kept]
    removed = sorted(set(previous.pages) - set(frames)) if previous is not None else []
    timings["diff"] = time.perf_counter() - t0

    if todo and cache is not None:
        renderer.markdown.store = cache.markdown_store()
        renderer.markdown.store.adding = not unsigned  # the signer compiles the bodies again: it keeps them
    writer.begin()
    copies = None
    try:
        t0 = time.perf_counter()
        traces = None
        if search and not writer.in_place and not keep and find_pagefind() is not None:
            # a build that renders every page gives Pagefind copies cut down to what it reads (search.py)
            with contextlib.suppress(OSError):  # no room for them: Pagefind reads the pages
                copies = PageCopies(writer.folder, [job.out_path for job in todo])
                writer.index_copies = str(copies.folder)
        results, fragments = render_pages(renderer, todo, jobs, writer, record, progress)
        writer.keep(keep)
        writer.remove(removed)
        timings["render"] = time.perf_counter() - t0
        with asset_folder(options) as folder:
            published = assets(graph, jobs, options.content, folder, renderer.strings, renderer.social_cards)
            static = {**static_files(theme), **published}
            static_changed = writer.finish(static, graph.config)
        if copies is not None:
            copies.add_files(writer.folder, [rel for rel in static if rel.endswith(".html")])
        if search and not writer.in_place:
            t0 = time.perf_counter()
            old_index = out / "pagefind"
            if not todo and not removed and index_matches and old_index.is_dir():
                link_files(out, writer.folder, [p.relative_to(out).as_posix() for p in sorted(old_index.rglob("*"))
                                                if p.is_file() and not p.is_symlink()])
            else:
                writer.flush()  # the copies too
                index_search(writer.folder, problems, pages=copies.folder if copies and copies.complete() else None)
            timings["search"] = time.perf_counter() - t0
        if copies is not None:
            copies.close()  # before the swap: they may be in the staging folder
        writer.commit()
    finally:
        if copies is not None:
            copies.close()
        writer.close()
    if record:  # once the pages are in place: the last Traces are evolved in place
        t0 = time.perf_counter()
        rendered = _signed(todo, frames, results)
        traces = _next_traces(out, previous, changed, rendered, fragments, removed, keep)
        for job in todo:
            trace = traces.pages[job.out_path]
            trace.size, trace.mtime_ns = file_stamp(out / job.out_path)
        timings["traces"] = time.perf_counter() - t0
    elif unsigned:  # what the pages read is recorded later; what they became is known now
        traces = Traces.unsigned(str(out.resolve()), {job.out_path: file_stamp(out / job.out_path) for job in jobs})
    return Outcome(graph, jobs, todo, removed, traces, problems, static_changed, frames,
                   (renderer.fragments, renderer.fragment_reads), timings, renderer.markdown.used, sorted(published),
                   renderer)


def page_frames(renderer: Renderer, options: BuildOptions, jobs: list[PageJob],
                template_fp: TemplateFingerprints | None = None) -> dict[str, str]:
    """Each page's frame (out_path -> hash): its template chain, the page itself and the options
    that shape every page."""
    template_fp = template_fp or TemplateFingerprints(renderer.env)
    shared = stable_hash(renderer.local, options.drafts, renderer.social_cards)
    return {job.out_path: stable_hash(template_fp(job.template), shared, job) for job in jobs}


def sign(renderer: Renderer, options: BuildOptions, jobs: list[PageJob], unsigned: Traces) -> Traces:
    """The Traces of a build whose pages were rendered without recording (`unsigned`, with
    their files' sizes and times): every page rendered again, its reads recorded, nothing
    written. Rendering is a pure function of what it reads, so these are the reads of the
    pages in the output (signer.py, in a background process)."""
    frames = page_frames(renderer, options, jobs)
    results, fragments = render_pages(renderer, jobs, jobs, _Discard(), True)
    traces = Traces.made_from(unsigned.out, _signed(jobs, frames, results), fragments, [], None)
    for out_path, page in traces.pages.items():
        page.size, page.mtime_ns = unsigned.pages[out_path].size, unsigned.pages[out_path].mtime_ns
    return traces


def _signed(jobs: list[PageJob], frames: dict[str, str], results: list) -> list[tuple]:
    """(out_path, frame, reads, fragments shown) of each page rendered with recording."""
    return [(job.out_path, frames[job.out_path], reads, shown) for job, (reads, shown) in zip(jobs, results)]


class _Discard:
    """A writer that writes nothing: `sign` renders pages only to see what they read."""

    in_place = False

    def write(self, out_path: str, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def file_stamp(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns


def _next_traces(out: Path, previous: Traces | None, changed: dict, rendered: list, fragments: dict,
                 removed: list[str], keep: list[str]) -> Traces:
    """The Traces of this build: the last ones evolved, or made from scratch when there are none
    or half of their table is no longer read (a long serve session, a site that shrank)."""
    if previous is not None and len(previous.paths) + sum(len(r[2]) for r in rendered) < 2 * max(
            previous.compacted, 10_000):
        return previous.evolve(changed, rendered, fragments, removed)
    return Traces.made_from(str(out.resolve()), rendered, fragments, keep, previous)


def untouched(path: str, trace: PageTrace) -> bool:
    """Whether the file at `path` is as the build that made `trace` left it (size, modification time)."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_size == trace.size and info.st_mtime_ns == trace.mtime_ns


def render_pages(renderer: Renderer, todo: list[PageJob], jobs: list[PageJob], writer, record: bool,
                 progress: Callable[[int, int], None] | None = None,
                 workers: int | None = None) -> tuple[list[Any], dict]:
    """Render `todo` through `writer`. Returns what each page read and the fragments it shows
    ((None, ()) without `record`), and what each fragment rendered meanwhile read."""
    total, done = len(todo), 0
    fragments: dict = {}
    tables: dict[int, ReadTable] = {}  # pid -> the reads of the pages that process rendered

    def render(chunk: list[PageJob]) -> list:
        used = renderer.markdown.used
        used_before = set(used)
        known = set(renderer.fragment_reads)
        results = []
        pid = os.getpid()
        table = tables.get(pid) or tables.setdefault(pid, ReadTable(pid))
        with renderer.prepared(chunk):
            for job in chunk:
                if record:
                    html, reads, shown = renderer.render_traced(job, jobs)
                    reads = table.reads(reads)
                else:
                    html, reads, shown = renderer.render(job, jobs), None, ()
                writer.write(job.out_path, html)
                results.append((reads, shown))
        writer.flush()  # on disk before a forked worker hands its chunk back
        # the last result also carries the fragments rendered for this chunk and the markdown
        # bodies it looked up (what it compiled went to the build cache's store, from whichever
        # process compiled it)
        new = {}
        for key in renderer.fragment_reads.keys() - known:
            reads, nested = renderer.fragment_reads[key]
            new[key] = (table.reads(reads), nested)
        news = table.news() if record else None
        return [(result, None) for result in results[:-1]] + [(results[-1], (new, list(used - used_before), news))]

    def collect(chunk_results: list) -> None:
        nonlocal done
        new, used, news = chunk_results[-1][1]
        if news is not None and news[0] != os.getpid():  # from a forked worker: bind to this copy of its table
            table = tables.get(news[0]) or tables.setdefault(news[0], ReadTable(news[0]))
            table.extend(news)
            for (reads, _), _ in chunk_results:
                reads.table = table
            for reads, _ in new.values():
                reads.table = table
        fragments.update(new)
        renderer.markdown.used.update(used)
        done += len(chunk_results)
        if progress:
            progress(done, total)

    if not todo:
        return [], fragments
    threshold = PARALLEL_MIN_PAGES if not writer.in_place else len(todo) + 1
    results = fan_out(render, todo, threshold, workers=workers, on_chunk=collect, group=lambda job: job.lang)
    return [result for result, _ in results], fragments
