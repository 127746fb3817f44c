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

import os
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .config import load_config
from .errors import Problems
from .graph import SiteGraph, build_graph, link_target
from .loader import load_content
from .output import link_files, static_files
from .pages import PageJob, plan_pages
from .parallel import fan_out
from .reads import Replay
from .render import Renderer
from .search import index_search
from .signatures import TemplateFingerprints, stable_hash

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


PROJECT_ROOT = Path(__file__).resolve().parents[2]


def default_dir(content: Path, name: str) -> Path:
    """templates/ or static/ beside the content folder, else the project's own."""
    beside = content.resolve().parent / name
    return beside if beside.is_dir() else PROJECT_ROOT / name


# --------------------------------------------------------------------------- what a build remembers


@dataclass
class PageTrace:
    frame: str  # template chain, the page, the options
    reads: array  # ids (into Traces.paths) of every path the render read
    fragments: tuple  # keys of the shared fragments it shows (Renderer.fragment_reads)
    size: int = 0  # of the file written, and its modification time: a page edited by hand is rendered again
    mtime_ns: int = 0


@dataclass
class FragmentTrace:
    reads: array  # ids of the paths the fragment read
    nested: tuple  # keys of the fragments it shows


@dataclass
class Traces:
    """What the last build's pages (and the fragments they share) read, and the fingerprint each
    path had then."""

    out: str = ""  # the output folder the pages are in
    paths: list = field(default_factory=list)  # id -> path
    fingerprints: list = field(default_factory=list)  # id -> fingerprint as of the last build
    pages: dict[str, PageTrace] = field(default_factory=dict)  # out_path -> trace
    fragments: dict = field(default_factory=dict)  # fragment key -> FragmentTrace

    def read_by(self, out_path: str) -> set:
        """Every path a page read, itself or through the fragments it shows."""
        found, seen = set(), set()

        def add(ids, keys) -> None:
            found.update(self.paths[i] for i in ids)
            for key in keys:
                if key not in seen:
                    seen.add(key)
                    add(self.fragments[key].reads, self.fragments[key].nested)

        page = self.pages[out_path]
        add(page.reads, page.fragments)
        return found

    def stale(self, replay: Replay) -> Callable[[PageTrace], bool]:
        """A test of whether a page of the last build read something that is not what it was."""
        changed = {i for i, (path, fp) in enumerate(zip(self.paths, self.fingerprints))
                   if replay.fingerprint(path) != fp}
        if not changed:
            return lambda trace: False
        dirty: dict = {}

        def fragment_stale(key) -> bool:
            found = dirty.get(key)
            if found is None:
                dirty[key] = True  # a fragment cannot show itself; if it did, stale is safe
                fragment = self.fragments.get(key)
                found = dirty[key] = (fragment is None or not changed.isdisjoint(fragment.reads)
                                      or any(fragment_stale(k) for k in fragment.nested))
            return found

        return lambda trace: not changed.isdisjoint(trace.reads) or any(fragment_stale(k) for k in trace.fragments)


class _TraceBuilder:
    """Collects the new Traces: kept pages bring their reads (and fragments) over, rendered
    pages and fragments bring what they read now."""

    def __init__(self, out: Path) -> None:
        self.traces = Traces(out=str(out.resolve()))
        self._ids: dict = {}

    def _id(self, path, fp) -> int:
        found = self._ids.get(path)
        if found is None:
            found = self._ids[path] = len(self.traces.paths)
            self.traces.paths.append(path)
            self.traces.fingerprints.append(fp)
        return found

    def _ids_of(self, reads: dict) -> array:
        ids, new = self._ids, self._id
        return array("I", sorted(ids[path] if path in ids else new(path, fp) for path, fp in reads.items()))

    def add(self, out_path: str, frame: str, reads: dict, fragments) -> None:
        self.traces.pages[out_path] = PageTrace(frame, self._ids_of(reads), tuple(fragments))

    def add_fragment(self, key, reads: dict, nested) -> None:
        self.traces.fragments[key] = FragmentTrace(self._ids_of(reads), tuple(nested))

    def keep(self, out_path: str, old: Traces, trace: PageTrace) -> None:
        ids = array("I", sorted(self._id(old.paths[i], old.fingerprints[i]) for i in trace.reads))
        self.traces.pages[out_path] = PageTrace(trace.frame, ids, trace.fragments, trace.size, trace.mtime_ns)
        for key in trace.fragments:
            self._keep_fragment(old, key)

    def _keep_fragment(self, old: Traces, key) -> None:
        if key in self.traces.fragments:
            return  # rendered again in this build (same reads, as the page showing it is kept), or kept already
        fragment = old.fragments[key]
        self.traces.fragments[key] = FragmentTrace(
            array("I", sorted(self._id(old.paths[i], old.fingerprints[i]) for i in fragment.reads)), fragment.nested)
        for nested in fragment.nested:
            self._keep_fragment(old, nested)


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
    timings: dict[str, float] = field(default_factory=dict)
    markdown_used: set = field(default_factory=set)  # keys of the markdown bodies the rendered pages used


def load_site(options: BuildOptions, problems: Problems, timings: dict[str, float],
              parse_cache: dict | None = None, digests: dict | None = None) -> SiteGraph:
    started = time.perf_counter()
    config = load_config(options.content, options.base_url)
    content = load_content(options.content, config, problems, parse_cache, digests)
    timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    graph = build_graph(content, problems, drafts=options.drafts)
    timings["graph"] = time.perf_counter() - started
    return graph


def run(options: BuildOptions, writer, *, previous: Traces | None = None, parse_cache: dict | None = None,
        digests: dict | None = None, record: bool = True, search: bool = False, cache=None,
        index_matches: bool = False, renderer_options: dict | None = None, progress: Callable[[int, int], None] | None = None,
        graph: SiteGraph | None = None, problems: Problems | None = None,
        timings: dict[str, float] | None = None) -> Outcome:
    """One build through `writer` (output.StagingWriter or InPlaceWriter). Raises BuildFailed
    (content errors, nothing written) or TemplateError (nothing written either).

    `previous`: what the last build's pages read (None: render every page). `record`: note
    what pages read, for the next build (off for `--no-cache`). `search`: index the site with
    Pagefind (a staging writer only); `index_matches`: the search index in the output is that
    of its pages, so when no page changes it is kept. `cache`: the build cache, whose
    store of compiled markdown bodies is opened when a page must render. `graph`: already loaded."""
    timings = {} if timings is None else timings
    problems = Problems() if problems is None else problems
    templates = options.templates or default_dir(options.content, "templates")
    static = options.static or default_dir(options.content, "static")
    if graph is None:
        graph = load_site(options, problems, timings, parse_cache, digests)
        problems.raise_if_errors()

    t0 = time.perf_counter()
    jobs = plan_pages(graph)
    renderer = Renderer(graph, templates, local=options.local, drafts=options.drafts, **(renderer_options or {}))
    template_fp = TemplateFingerprints(renderer.env, templates)
    shared = stable_hash(renderer.local, options.drafts)
    frames = {job.out_path: stable_hash(template_fp(job.template), shared, job) for job in jobs}
    timings["plan"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    out = options.out
    keep: list[str] = []
    if previous is not None and previous.out == str(out.resolve()) and previous.pages:
        replay = Replay({"g": lambda: graph, "j": lambda: jobs, "s": lambda lang: renderer.strings[lang],
                         "v": lambda lang, kind, key: getattr(renderer.views(lang), kind)(key),
                         "l": lambda target: link_target(graph, target)})
        stale = previous.stale(replay)
        for job in jobs:
            trace = previous.pages.get(job.out_path)
            if (trace is not None and trace.frame == frames[job.out_path] and not stale(trace)
                    and _untouched(out / job.out_path, trace)):
                keep.append(job.out_path)
    kept = set(keep)
    todo = [job for job in jobs if job.out_path not in kept]
    removed = sorted(set(previous.pages) - set(frames)) if previous is not None and previous.out == str(
        out.resolve()) else []
    timings["diff"] = time.perf_counter() - t0

    if todo and cache is not None:
        renderer.markdown.store = cache.markdown_store()
    writer.begin()
    try:
        t0 = time.perf_counter()
        new = _TraceBuilder(out) if record else None
        results, fragments = render_pages(renderer, todo, jobs, writer, record, progress)
        if new is not None:
            for key, (reads, nested) in fragments.items():
                new.add_fragment(key, reads, nested)
            for job, (reads, shown) in zip(todo, results):
                new.add(job.out_path, frames[job.out_path], reads, shown)
            for out_path in keep:
                new.keep(out_path, previous, previous.pages[out_path])
        writer.keep(keep)
        writer.remove(removed)
        timings["render"] = time.perf_counter() - t0
        static_changed = writer.finish(static_files(static), graph.config)
        if search and not writer.in_place:
            t0 = time.perf_counter()
            old_index = out / "pagefind"
            if not todo and not removed and index_matches and old_index.is_dir():
                link_files(out, writer.folder, [p.relative_to(out).as_posix() for p in sorted(old_index.rglob("*"))
                                                if p.is_file() and not p.is_symlink()])
            else:
                index_search(writer.folder, problems)
            timings["search"] = time.perf_counter() - t0
        writer.commit()
    finally:
        writer.close()
    traces = None
    if new is not None:
        traces = new.traces
        for job in todo:
            info = os.stat(out / job.out_path)
            trace = traces.pages[job.out_path]
            trace.size, trace.mtime_ns = info.st_size, info.st_mtime_ns
    return Outcome(graph, jobs, todo, removed, traces, problems, static_changed, timings, renderer.markdown.used)


def _untouched(path: Path, trace: PageTrace) -> bool:
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

    def render(chunk: list[PageJob]) -> list:
        used = renderer.markdown.used
        used_before = set(used)
        known = set(renderer.fragment_reads)
        results = []
        for job in chunk:
            if record:
                html, reads, shown = renderer.render_traced(job, jobs)
            else:
                html, reads, shown = renderer.render(job, jobs), None, ()
            writer.write(job.out_path, html)
            results.append((reads, shown))
        # the last result also carries the fragments rendered for this chunk and the markdown
        # bodies it looked up (what it compiled went to the build cache's store, from whichever
        # process compiled it)
        new = {key: renderer.fragment_reads[key] for key in renderer.fragment_reads.keys() - known}
        return [(result, None) for result in results[:-1]] + [(results[-1], (new, list(used - used_before)))]

    def collect(chunk_results: list) -> None:
        nonlocal done
        new, used = chunk_results[-1][1]
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
