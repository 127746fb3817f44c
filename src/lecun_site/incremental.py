"""Incremental rebuilds for serve: re-render only the pages whose inputs changed.

Every page has a *signature*, a hash of what it shows (signatures.py). After an edit the graph is rebuilt in full (cheap: unchanged files are not parsed again),
every page's signature is recomputed, and only pages whose signature differs are rendered
and written; pages that no longer exist are deleted. Because signatures are derived from the
new graph, a page that starts or stops listing something (a new note naming a person) changes
signature too. Page kinds not known here are always re-rendered, so a new kind is never stale.
`tests/test_incremental.py` checks that the result always equals a clean full build.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .config import load_config
from .errors import Problems
from .graph import SiteGraph, build_graph
from .loader import load_content
from .pages import PageJob, plan_pages
from .cache import BuildCache, PageRecord, cache_dir
from .pipeline import BuildOptions, default_dir, fewer_collections, publish_site, recover_interrupted, reusable_pages
from .render import Renderer
from .signatures import RecordHashes, Signer, TemplateFingerprints, note_fingerprints, stable_hash


# --------------------------------------------------------------------------- the builder


@dataclass
class RebuildReport:
    ok: bool
    rendered: list[PageJob] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)
    static_changed: bool = False
    fast: bool = False  # the fast path for edits to the text of notes was taken

    @property
    def changed_urls(self) -> list[str]:
        return sorted({j.url for j in self.rendered} | set(self.removed))


class Builder:
    """Keeps what the last build knew, so that the next one does only what it must.

    The first `build()` renders everything and swaps it into place atomically; later calls
    write changed pages in place (each file replaced atomically) and delete removed ones.
    A build that fails writes nothing.
    """

    def __init__(self, options: BuildOptions, search: bool = False) -> None:
        self.options = options
        self.search = search  # index the first build for search (serve does; tests compare without it)
        self.templates_dir = options.templates or default_dir(options.content, "templates")
        self.static_dir = options.static or default_dir(options.content, "static")
        self.parse_cache: dict = {}
        self.signatures: dict[str, str] = {}  # out_path -> signature
        self.static_signature: str | None = None
        self.config_key: tuple | None = None
        self.env: jinja2.Environment | None = None
        self.graph: SiteGraph | None = None
        self.record_hashes = RecordHashes()
        self._templates: tuple[str, TemplateFingerprints] | None = None  # (templates folder signature, hashes)
        self._last: _Last | None = None  # what the fast path needs from the last full build

    def build(self, changed: dict | None = None) -> RebuildReport:
        """Rebuild. `changed` (path -> watch.ChangeKind, from the watcher) allows the fast path:
        when only the text of notes changed (body, title, summary), nothing but those notes is
        read, and only the pages that show them are signed again and rendered. Anything else:
        the full path."""
        if changed and self._last is not None:
            report = self._note_edit(changed)
            if report is not None:
                return report
        self._last = None
        self.graph = None  # only the fast path reads it; let the old graph go before a new one is made
        with fewer_collections():
            return self._full_build()

    def _full_build(self) -> RebuildReport:
        started = time.perf_counter()
        problems = Problems()
        try:
            config = load_config(self.options.content, self.options.base_url)
        except Exception as exc:  # BuildFailed from site.yaml
            from .errors import BuildFailed

            if isinstance(exc, BuildFailed):
                return RebuildReport(False, problems=exc.problems, seconds=time.perf_counter() - started)
            raise
        config_key = (config,)
        if config_key != self.config_key:
            self.parse_cache.clear()
            self.config_key = config_key
        first = not self.signatures or not self.options.out.is_dir()
        cache = None
        if first and self.options.cache:  # start from what the last build or serve left
            cache = BuildCache(cache_dir(self.options.out))
            self.parse_cache.clear()
            self.parse_cache.update(cache.files_for(config))
        content = load_content(self.options.content, config, problems, self.parse_cache)
        graph = build_graph(content, problems, drafts=self.options.drafts)
        if problems.errors:
            return RebuildReport(False, problems=problems.items, seconds=time.perf_counter() - started)

        jobs = plan_pages(graph)
        renderer = Renderer(graph, self.templates_dir, local=self.options.local, drafts=self.options.drafts,
                            incremental=True)
        if self.env is not None:
            renderer.env = self.env  # keep compiled templates; FileSystemLoader reloads changed files
        self.env = renderer.env
        templates_signature = _tree_signature(self.templates_dir)
        if self._templates is None or self._templates[0] != templates_signature:
            self._templates = (templates_signature, TemplateFingerprints(renderer.env, self.templates_dir))
        template_fp = self._templates[1]
        signer = Signer(graph, jobs, renderer.strings, self.options.local, template_fp, self.record_hashes)
        new_signatures: dict[str, str] = {}
        dependents: dict = {}  # record key -> the pages that show it
        for job in jobs:
            inputs = signer.inputs(job)
            new_signatures[job.out_path] = signer.sign(job, inputs)
            for key in inputs or ():
                dependents.setdefault(key, []).append(job)
        self.record_hashes.keep_only([*content.people, *content.topics, *content.notes, *content.transcripts])
        todo = [job for job in jobs
                if not new_signatures[job.out_path] or self.signatures.get(job.out_path) != new_signatures[job.out_path]]

        static_signature = _tree_signature(self.static_dir)
        out = self.options.out
        removed: list[str] = []
        try:
            if first:
                # first build: into a fresh folder swapped in whole; with the build cache, pages
                # the last build left as they should be are linked instead of rendered
                reuse = reusable_pages(cache.state, out, new_signatures) if cache else set()
                if cache and len(reuse) < len(jobs):
                    cache.load_markdown()
                recover_interrupted(out)
                publish_site(renderer, jobs, out, self.static_dir, problems, search=self.search, reuse=reuse)
                rendered = [job for job in jobs if job.out_path not in reuse]
                if cache:
                    _remember_pages(cache, out, jobs, new_signatures, self.parse_cache, reuse)
                for name in sorted({job.template for job in jobs}):  # compiled here, not on the first save
                    renderer.env.get_template(name)
            else:
                _write_pages(renderer, todo, jobs, out)
                for stale in sorted(set(self.signatures) - set(new_signatures)):
                    removed.append("/" + stale.removesuffix("index.html"))
                    _remove(out / stale, out)
                if static_signature != self.static_signature:
                    _sync_static(self.static_dir, out / "static")
                rendered = todo
        except Exception:
            self.env = None  # a template error: start from a fresh environment next time
            raise
        report = RebuildReport(True, rendered=list(rendered), removed=removed, pages=len(jobs),
                               problems=problems.items, static_changed=static_signature != self.static_signature)
        self.signatures = new_signatures
        self.static_signature = static_signature
        self.graph = graph
        self._last = _Last(config, renderer, signer, jobs, dependents, problems.items)
        report.seconds = time.perf_counter() - started
        return report

    def _note_edit(self, changed: dict) -> RebuildReport | None:
        """The fast path for edits to the text of notes (body, title, summary); None when the
        change is anything else. Only the pages that show an edited note (in full, or its title
        in a list) are signed again and rendered, and only the fragments that read it are
        rendered again (Renderer.forget): a title shown on the timeline, a person's page and a
        source's page costs those pages, not every event and note card of the site."""
        from .loader import display_path, load_file, stat_key
        from .watch import ChangeKind

        started = time.perf_counter()
        last = self._last
        notes_dir = (self.options.content / "notes").absolute()
        updates = []
        for path, kind in changed.items():
            path = Path(path)
            if kind != ChangeKind.CONTENT or path.absolute().parent != notes_dir or path.suffix != ".md":
                return None
            display = display_path(self.options.content, self.options.content / "notes" / path.name)
            old = self.parse_cache.get(display)
            key = stat_key(path)
            if old is None or not key or not key[3]:
                return None  # a new, deleted or odd file
            if old[0] == key:
                continue  # the watcher saw a save that changed nothing
            if any(problem.path == display and problem.line is not None for problem in last.problems):
                return None  # the full path says again where the problems of this file now are
            # problems without a line (a note with no en version yet) stand as long as the
            # outline does: they are the graph's, and are reported again as they were
            part, found, digest = load_file("notes", path, display, last.config)
            if len(part.notes) != 1 or len(old[2].notes) != 1 or found or old[3]:
                return None  # unreadable now, or it has problems: the full path reports them
            before, after = old[2].notes[0], part.notes[0]
            if _outline(before) != _outline(after):
                return None  # more than the text changed
            group = self.graph.notes.get(after.slug) if self.graph else None
            if group is None or group.versions.get(after.lang) is not before:
                return None  # a draft left out, or not the version the graph holds
            updates.append((display, key, digest, part, found, group, after))
        changed_keys = set()  # ("note" | "note-meta", slug@lang) whose fingerprint changed
        for display, key, digest, part, found, group, note in updates:
            self.parse_cache[display] = (key, digest, part, found)
            group.versions[note.lang] = note
            # every language: a page in one language may show another's version (fallback)
            for fp_key, fp in note_fingerprints(self.graph, group.slug, self.record_hashes).items():
                if last.signer.record_fp.get(fp_key) != fp:
                    last.signer.record_fp[fp_key] = fp
                    changed_keys.add(fp_key)
        # a body edit leaves "note-meta" as it was: the lists that show the title are not even signed
        affected = {job.out_path: job for fp_key in changed_keys for job in last.dependents.get(fp_key, [])}
        todo = []
        for out_path, job in sorted(affected.items()):
            signature = last.signer.sign(job, last.signer.inputs(job))
            if signature != self.signatures.get(out_path):
                self.signatures[out_path] = signature
                todo.append(job)
        last.renderer.forget({("note", group.slug) for *_, group, note in updates})
        _write_pages(last.renderer, todo, last.jobs, self.options.out)
        return RebuildReport(True, rendered=todo, pages=len(last.jobs), problems=last.problems,
                             seconds=time.perf_counter() - started, fast=True)


@dataclass
class _Last:
    config: object
    renderer: Renderer
    signer: Signer
    jobs: list[PageJob]
    dependents: dict
    problems: list


def _outline(note) -> object:
    """A note without its text (body, title, summary): equal outlines mean only the text changed,
    which the graph does not read (it pairs, dates and links notes; pages show titles). Links and
    citations count as the same when they name the same targets, in any order and on any line:
    the graph knows only which notes link to or cite what."""
    from dataclasses import replace

    return (replace(note, title="", summary="", body="", body_line=0,
                    links=tuple(sorted({link.target for link in note.links})),
                    body_citations=tuple(sorted({(c.source, c.at or "") for c in note.body_citations}))), note.extra)


def _remember_pages(cache: BuildCache, out: Path, jobs: list[PageJob], signatures: dict[str, str],
                    parsed: dict, reuse: set[str]) -> None:
    """Save what a first build made into the build cache, for the next `serve` (or `build`:
    its signatures differ, as serve builds drafts for "/", so it reuses none of these pages)."""
    state = cache.state
    state.out = str(out.resolve())
    state.outputs = [job.out_path for job in jobs]
    state.pages = {}
    for job in jobs:
        if signatures[job.out_path]:
            info = os.stat(out / job.out_path)
            state.pages[job.out_path] = PageRecord(signatures[job.out_path], info.st_size, info.st_mtime_ns)
    state.build_key = ""  # the up-to-date check is build's: serve's output has no search index
    state.search = False
    cache.files = parsed
    try:
        cache.save(rendered_all=not reuse)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _write_pages(renderer: Renderer, todo: list[PageJob], jobs: list[PageJob], out: Path) -> None:
    """Render `todo` and write the pages whose bytes changed, all or none: each is rendered into
    a temporary file beside its target, and only when every page rendered are they moved into
    place (each move atomic). A template error leaves every page as it was; and only one page
    is in memory at a time (a hub person renamed at 4,000 notes re-renders 2,870 pages)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for job in todo:
            target = out / job.out_path
            temp = _stage(target, renderer.render(job, jobs))
            if temp is not None:
                staged.append((temp, target))
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, target in staged:
        os.replace(temp, target)


def _stage(path: Path, text: str) -> Path | None:
    """`text` in a temporary file beside `path`, or None when `path` already holds it."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return None
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    return temp


def _remove(path: Path, root: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    folder = path.parent
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _tree_signature(folder: Path) -> str:
    if not folder.is_dir():
        return ""
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            entries.append((path.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns))
    return stable_hash(entries)


def _sync_static(source: Path, target: Path) -> None:
    """Make target/ a copy of source/, touching only files that differ."""
    wanted = set()
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and not path.name.endswith(("~", ".swp")):
                rel = path.relative_to(source)
                wanted.add(rel)
                dest = target / rel
                data = path.read_bytes()
                if not dest.is_file() or dest.read_bytes() != data:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(data)
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            if path.is_file() and path.relative_to(target) not in wanted:
                path.unlink()
