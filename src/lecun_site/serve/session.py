"""serve's builder: the build core (core.py) run again on every save, remembering what pages read.

Every build goes through the same core; after an edit of the text of notes only (body, title,
summary: the watcher says which files changed), the new graph is derived from the last one
instead of being made again, and the core, given the last graph too, does not evaluate again
what the new graph shares with it.

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
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from ..build.cache import BuildCache, cache_dir
from ..build.core import BuildOptions, Traces, load_site, run, site_theme
from ..build.output import InPlaceWriter, StagingWriter, recover_interrupted
from ..build.pipeline import fewer_collections
from ..build.signatures import TemplateFingerprints, stable_hash
from ..content.config import load_config
from ..errors import BuildFailed, Problems
from ..render.jinja_env import make_environment
from ..site.graph import NoteGroup, SiteGraph
from ..site.pages import PageJob


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
    """Keeps what the last build knew (parsed files, the graph, page traces, compiled templates),
    so that the next one does only what it must."""

    def __init__(self, options: BuildOptions, search: bool = False) -> None:
        self.options = options
        self.search = search  # index the first build for search (serve indexes in the background)
        self.theme = site_theme(options)
        self.parse_cache: dict = {}
        self.traces: Traces | None = None
        self.graph: SiteGraph | None = None  # the graph the traces were recorded on
        self.problems: list = []  # the last good build's warnings
        self.config = None
        self.env: jinja2.Environment | None = None
        self._templates: tuple[str, TemplateFingerprints] | None = None
        self._plan: tuple | None = None  # (jobs, frames) of the last build
        self._fragments: tuple | None = None  # the last renderer's shared fragments and their reads

    def build(self, changed: dict | None = None) -> RebuildReport:
        """Rebuild. `changed` (path -> watch.ChangeKind, from the watcher) lets an edit of the text
        of notes (body, title, summary) skip reading the rest of the content and making the
        graph again: the new graph is derived from the last one (SiteGraph.with_notes). What is
        rendered is decided the same way for every build (core.run)."""
        with fewer_collections():
            return self._build(changed)

    def _build(self, changed: dict | None) -> RebuildReport:
        started = time.perf_counter()
        options, out = self.options, self.options.out
        first = self.traces is None or not out.is_dir()
        graph = self._text_edit(changed) if changed and not first and self.graph is not None else None
        plan = self._plan if graph is not None else None  # the same pages, the same templates
        problems = Problems()
        cache, previous = None, self.traces
        if graph is not None:
            problems.items.extend(self.problems)  # warnings without a line stand while the outline does
        else:
            try:
                config = load_config(options.content, options.base_url)
            except BuildFailed as exc:
                return RebuildReport(False, problems=exc.problems, seconds=time.perf_counter() - started)
            if config != self.config:
                self.parse_cache.clear()  # parsed files depend on site.yaml
                self.config = config
            if first:
                previous = None
                if options.cache:  # start from what the last build or serve left
                    cache = BuildCache(cache_dir(out), lambda message: print(f"{message}…", flush=True))
                    self.parse_cache.clear()
                    self.parse_cache.update(cache.files_for(config))
                    previous = cache.state.traces
            graph = load_site(options, problems, {}, self.parse_cache, config=config)
            if problems.errors:
                return RebuildReport(False, problems=problems.items, seconds=time.perf_counter() - started)
        theme = site_theme(options)
        if theme != self.theme:  # the site's templates/ or static/ was made (or removed)
            self.theme, self.env, self._templates = theme, None, None
        if self.env is None:
            self.env = make_environment(self.theme)  # kept: it reloads only templates that changed
        signature = stable_hash([_tree_signature(folder) for folder in self.theme.templates])
        if self._templates is None or self._templates[0] != signature:
            self._templates = (signature, TemplateFingerprints(self.env))
            plan = None
            self._fragments = None  # rendered by the templates as they were
        if first:
            recover_interrupted(out)
        writer = StagingWriter(out) if first else InPlaceWriter(out)
        try:
            outcome = run(options, writer, previous=previous, search=self.search and first, cache=cache,
                          renderer_options={"env": self.env}, graph=graph,
                          previous_graph=None if first else self.graph, template_fp=self._templates[1],
                          plan=plan, fragments=None if first or self._fragments is None else self._fragments,
                          problems=problems)
        except Exception:
            self.env = None  # a template error: start from a fresh environment next time
            self._templates = None
            self._fragments = None
            raise
        self.traces, self.graph, self.problems = outcome.traces, graph, list(problems.items)
        self._plan = (outcome.jobs, outcome.frames)
        self._fragments = outcome.fragments if not first or outcome.traces is not None else None
        if first and outcome.traces is not None:
            outcome.traces._index()  # now, while the site is first built, rather than on the first save
        if cache is not None:  # for the next serve or build (which renders again: no drafts, another base URL)
            cache.files = self.parse_cache
            cache.remember(outcome, build_key="", search=False, warnings=[])  # no up-to-date check: no index
            cache.close()
        return RebuildReport(True, rendered=list(outcome.rendered),
                             removed=["/" + p.removesuffix("index.html") for p in outcome.removed],
                             pages=len(outcome.jobs), problems=problems.items,
                             static_changed=outcome.static_changed, seconds=time.perf_counter() - started)

    def _text_edit(self, changed: dict) -> SiteGraph | None:
        """The new graph when only the text of notes changed (body, title, summary), derived from
        the last one without reading anything else; None when the change is anything else."""
        from ..content.loader import display_path, load_file, stat_key
        from .watch import ChangeKind

        content = self.options.content
        notes_dir = (content / "notes").absolute()
        groups: dict[str, NoteGroup] = {}
        parsed = []
        for path, kind in changed.items():
            path = Path(path)
            if kind != ChangeKind.CONTENT or path.absolute().parent != notes_dir or path.suffix != ".md":
                return None
            display = display_path(content, content / "notes" / path.name)
            old = self.parse_cache.get(display)
            key = stat_key(path)
            if old is None or not key or not key[3]:
                return None  # a new, deleted or odd file
            if old[0] == key:
                continue  # the watcher saw a save that changed nothing
            if any(problem.path == display and problem.line is not None for problem in self.problems):
                return None  # the full path says again where the problems of this file now are
            part, found, digest = load_file("notes", path, display, self.config)
            if len(part.notes) != 1 or len(old[2].notes) != 1 or found or old[3]:
                return None  # unreadable now, or it has problems: the full path reports them
            before, after = old[2].notes[0], part.notes[0]
            if _outline(before) != _outline(after):
                return None  # more than the text changed: the graph may change
            group = groups.get(after.slug) or self.graph.notes.get(after.slug)
            if group is None or group.versions.get(after.lang) is not before:
                return None  # a draft left out, or not the version the graph holds
            groups[after.slug] = replace(group, versions={**group.versions, after.lang: after})
            parsed.append((display, (key, digest, part, found)))
        self.parse_cache.update(parsed)
        return self.graph.with_notes(groups)


def _outline(note) -> object:
    """A note without its text (body, title, summary): equal outlines mean only the text changed,
    which the graph does not read (it pairs, dates and links notes; pages show titles). Links and
    citations count as the same when they name the same targets, in any order and on any line:
    the graph knows only which notes link to or cite what."""
    return (replace(note, title="", summary="", body="", body_line=0,
                    links=tuple(sorted({link.target for link in note.links})),
                    body_citations=tuple(sorted({(c.source, c.at or "") for c in note.body_citations})),
                    pictures=tuple(sorted({p.target for p in note.pictures}))), note.extra)


def _tree_signature(folder: Path) -> str:
    """Names, sizes and modification times of every file under `folder`."""
    if not folder.is_dir():
        return ""
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            entries.append((path.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns))
    return stable_hash(entries)
