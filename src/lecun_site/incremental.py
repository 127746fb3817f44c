"""serve's builder: the build core (core.py) run again on every save, remembering what pages read.

The first build goes through a staging folder swapped in whole (as `build` does); with the
build cache it starts from what the last `build` or `serve` left, so a restart renders only
what changed meanwhile. Every later build writes in place: only the pages whose reads changed
are rendered (each file replaced atomically, all or none), pages that left the site are
deleted, static files are synced. A build that fails writes nothing and leaves what it
remembers as it was. `tests/test_incremental.py` checks that the result always equals a clean
full build, whatever the edit (templates included).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import jinja2

from .cache import BuildCache, cache_dir
from .config import load_config
from .core import BuildOptions, Traces, default_dir, load_site, run
from .errors import BuildFailed, Problems
from .jinja_env import make_environment
from .output import InPlaceWriter, StagingWriter, recover_interrupted
from .pages import PageJob
from .pipeline import fewer_collections


@dataclass
class RebuildReport:
    ok: bool
    rendered: list[PageJob] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # site paths of pages that left the site
    pages: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)
    static_changed: bool = False

    @property
    def changed_urls(self) -> list[str]:
        return sorted({j.url for j in self.rendered} | set(self.removed))


class Builder:
    """Keeps what the last build knew (parsed files, page traces, compiled templates), so that
    the next one does only what it must."""

    def __init__(self, options: BuildOptions, search: bool = False) -> None:
        self.options = options
        self.search = search  # index the first build for search (serve indexes in the background)
        self.templates_dir = options.templates or default_dir(options.content, "templates")
        self.static_dir = options.static or default_dir(options.content, "static")
        self.parse_cache: dict = {}
        self.traces: Traces | None = None
        self.config = None
        self.env: jinja2.Environment | None = None

    def build(self, changed: dict | None = None) -> RebuildReport:
        """Rebuild after the changes the watcher saw (`changed`, for the record: what changed
        is found by the core, not told)."""
        with fewer_collections():
            return self._build()

    def _build(self) -> RebuildReport:
        started = time.perf_counter()
        options, out = self.options, self.options.out
        problems = Problems()
        try:
            config = load_config(options.content, options.base_url)
        except BuildFailed as exc:
            return RebuildReport(False, problems=exc.problems, seconds=time.perf_counter() - started)
        if config != self.config:
            self.parse_cache.clear()  # parsed files depend on site.yaml
            self.config = config
        first = self.traces is None or not out.is_dir()
        cache, previous = None, self.traces
        if first:
            previous = None
            if options.cache:  # start from what the last build or serve left
                cache = BuildCache(cache_dir(out))
                self.parse_cache.clear()
                self.parse_cache.update(cache.files_for(config))
                previous = cache.state.traces
        graph = load_site(options, problems, {}, self.parse_cache)
        if problems.errors:
            return RebuildReport(False, problems=problems.items, seconds=time.perf_counter() - started)
        if self.env is None:
            self.env = make_environment(self.templates_dir)  # kept: it reloads only templates that changed
        if first:
            recover_interrupted(out)
        writer = StagingWriter(out) if first else InPlaceWriter(out)
        try:
            outcome = run(options, writer, previous=previous, search=self.search and first, cache=cache,
                          renderer_options={"env": self.env}, graph=graph, problems=problems)
        except Exception:
            self.env = None  # a template error: start from a fresh environment next time
            raise
        self.traces = outcome.traces
        if cache is not None:
            _remember(cache, outcome, self.parse_cache)
        return RebuildReport(True, rendered=list(outcome.rendered),
                             removed=["/" + p.removesuffix("index.html") for p in outcome.removed],
                             pages=len(outcome.jobs), problems=problems.items,
                             static_changed=outcome.static_changed, seconds=time.perf_counter() - started)


def _remember(cache: BuildCache, outcome, parsed: dict) -> None:
    """Save what a first build made into the build cache, for the next `serve` (or `build`:
    its pages read another base URL and no drafts, so it renders them again)."""
    state = cache.state
    state.out = outcome.traces.out
    state.traces = outcome.traces
    state.outputs = [job.out_path for job in outcome.jobs]
    state.build_key = ""  # the up-to-date check is build's: serve's output has no search index
    state.search = False
    cache.files = parsed
    try:
        cache.save(rendered_all=len(outcome.rendered) == len(outcome.jobs), used=outcome.markdown_used)
    except OSError:
        pass  # a cache that cannot be written only costs time
    cache.close()
