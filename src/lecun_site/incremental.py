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
from .pipeline import BuildOptions, default_dir, publish_site
from .render import Renderer
from .signatures import RecordHashes, TemplateFingerprints, stable_hash, page_signatures


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

    def build(self) -> RebuildReport:
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
        content = load_content(self.options.content, config, problems, self.parse_cache)
        graph = build_graph(content, problems, drafts=self.options.drafts)
        if problems.errors:
            return RebuildReport(False, problems=problems.items, seconds=time.perf_counter() - started)

        jobs = plan_pages(graph)
        renderer = Renderer(graph, self.templates_dir, local=self.options.local, drafts=self.options.drafts)
        if self.env is not None:
            renderer.env = self.env  # keep compiled templates; FileSystemLoader reloads changed files
        self.env = renderer.env
        templates_signature = _tree_signature(self.templates_dir)
        if self._templates is None or self._templates[0] != templates_signature:
            self._templates = (templates_signature, TemplateFingerprints(renderer.env, self.templates_dir))
        template_fp = self._templates[1]
        new_signatures = page_signatures(graph, jobs, renderer.strings, self.options.local, template_fp,
                                         self.record_hashes)
        self.record_hashes.keep_only([*content.people, *content.topics, *content.notes, *content.transcripts])
        todo = [job for job in jobs
                if not new_signatures[job.out_path] or self.signatures.get(job.out_path) != new_signatures[job.out_path]]

        static_signature = _tree_signature(self.static_dir)
        out = self.options.out
        removed: list[str] = []
        try:
            if not self.signatures or not out.is_dir():
                # first build: everything, rendered into a fresh folder and swapped in whole
                publish_site(renderer, jobs, out, self.static_dir, problems, search=self.search)
                rendered = jobs
            else:
                pages = [(job, renderer.render(job, jobs)) for job in todo]  # all or nothing is written
                for job, html in pages:
                    _write_if_changed(out / job.out_path, html)
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
        report.seconds = time.perf_counter() - started
        return report


def _write_if_changed(path: Path, text: str) -> bool:
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, path)
    return True


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
