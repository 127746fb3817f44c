"""Incremental rebuilds: re-render only the pages whose inputs changed.

Every page has a *signature*: a hash of what it shows. `page_inputs(graph, job)` lists the
records a page of that kind displays (a person page: the person, their events with the
names and sources those events show, the titles of their notes, their quotes…), and each
record has a fingerprint. Templates (with everything they extend, include or import),
site.yaml and the page language's UI strings are part of every signature.

After an edit the graph is rebuilt in full (cheap: unchanged files are not parsed again),
every page's signature is recomputed, and only pages whose signature differs are rendered
and written; pages that no longer exist are deleted. Because signatures are derived from the
new graph, a page that starts or stops listing something (a new note naming a person) changes
signature too. Page kinds not known here are always re-rendered, so a new kind is never stale.
`tests/test_incremental.py` checks that the result always equals a clean full build.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2.meta

from .config import load_config
from .errors import Problems
from .graph import SiteGraph, build_graph
from .loader import load_content
from .pages import PageJob, plan_pages
from .pipeline import BuildOptions, default_dir, publish_site
from .render import Renderer

Key = tuple[str, str]


def _hash(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


# --------------------------------------------------------------------------- fingerprints


class RecordHashes:
    """Hashes of records, remembered by identity: a file that did not change is not parsed
    again (the loader's cache), so its records are the same objects and are not hashed again."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, str]] = {}

    def __call__(self, record: object) -> str:
        found = self._memo.get(id(record))
        if found is not None and found[0] is record:
            return found[1]
        digest = _hash(record)
        self._memo[id(record)] = (record, digest)
        return digest

    def keep_only(self, records) -> None:
        alive = {id(r) for r in records}
        self._memo = {k: v for k, v in self._memo.items() if k in alive}


def fingerprints(graph: SiteGraph, record_hash=None) -> dict[Key, str]:
    """One hash per record, as pages show it."""
    record_hash = record_hash or _hash
    fp: dict[Key, str] = {}
    for slug, group in graph.notes.items():
        merged = (group.date, group.people, group.topics, group.sources, group.events, group.quotes, group.draft)
        for lang in graph.languages:  # a page in `lang` shows only that language's version
            version = group.version(lang)
            fallback = group.is_fallback(lang)
            fp[("note", f"{slug}@{lang}")] = _hash(record_hash(version), fallback, merged)
            fp[("note-meta", f"{slug}@{lang}")] = _hash(version.title, version.summary, fallback, group.date,
                                                         group.draft)
    for slug, group in graph.transcripts.items():
        versions = tuple(sorted(group.versions.items()))
        fp[("transcript", slug)] = _hash(tuple((l, record_hash(v)) for l, v in versions), group.source, group.date,
                                         group.people, group.topics)
        fp[("transcript-meta", slug)] = _hash(tuple((l, v.title, v.summary) for l, v in versions), group.date)
    for person_id, person in graph.people.items():
        fp[("person", person_id)] = record_hash(person)
    for topic_id, topic in graph.topics.items():
        fp[("topic", topic_id)] = record_hash(topic)
    for source_id, source in graph.sources.items():
        fp[("source", source_id)] = _hash(source, graph.transcript_for_source(source_id))
    for event_id, event in graph.events.items():
        fp[("event", event_id)] = _hash(event, graph.event_notes.get(event_id))
    for quote_id, quote in graph.quotes.items():
        fp[("quote", quote_id)] = _hash(quote)
    for disc_id, disc in graph.discrepancies.items():
        fp[("discrepancy", disc_id)] = _hash(disc)
    fp[("counts", "")] = _hash(len(graph.events), len(graph.people), len(graph.topics), len(graph.sources))
    return fp


# --------------------------------------------------------------------------- what a page shows


def page_inputs(graph: SiteGraph, job: PageJob, jobs_fp: str) -> set[Key] | None:
    """The records a page displays; None means "always re-render" (a kind not listed here)."""
    keys: set[Key] = set()
    kind, key = job.kind, job.key
    langs = [job.lang] if job.lang else list(graph.languages)

    def note_meta(slugs):
        keys.update(("note-meta", f"{s}@{lang}") for s in slugs for lang in langs)

    def event(eid):
        e = graph.events[eid]
        keys.add(("event", eid))
        keys.update(("person", p) for p in e.people)
        keys.update(("topic", t) for t in e.topics)
        keys.update(("source", c.source) for c in e.sources)
        note_meta(graph.event_notes.get(eid, []))
        disputes("event", eid)

    def quote(qid):
        q = graph.quotes[qid]
        keys.add(("quote", qid))
        keys.add(("person", q.speaker))
        if q.source:
            keys.add(("source", q.source.source))

    def disputes(what, ident):
        keys.update(("discrepancy", d) for d in graph.disputes.get(what, {}).get(ident, []))

    def transcript_meta(slugs):
        keys.update(("transcript-meta", s) for s in slugs)

    def note_full(slug):
        group = graph.notes[slug]
        keys.update(("note", f"{slug}@{lang}") for lang in langs)
        keys.update(("person", p) for p in group.people)
        keys.update(("topic", t) for t in group.topics)
        keys.update(("source", s) for s in group.cited_sources)
        for qid in group.quotes:
            quote(qid)
        for eid in graph.note_events.get(slug, []):
            event(eid)
        disputes("note", slug)

    if kind in ("chooser", "404", "robots", "search"):
        pass
    elif kind == "home":
        note_meta(graph.notes)
        transcript_meta(graph.transcripts)
        keys.add(("counts", ""))
        home = graph.config.home_note
        if home and home in graph.notes:
            keys.update(("note", f"{home}@{lang}") for lang in langs)
            keys.update(("source", s) for s in graph.notes[home].cited_sources)
    elif kind in ("notes", "feed"):
        note_meta(graph.notes)
    elif kind == "note":
        note_full(key)
    elif kind in ("transcript", "parallel"):
        group = graph.transcripts[key]
        keys.add(("transcript", key))
        keys.update(("person", p) for p in group.people)
        keys.update(("topic", t) for t in group.topics)
        if group.source:
            keys.add(("source", group.source))
        for version in group.versions.values():
            keys.update(("source", c.source) for c in version.body_citations)
    elif kind == "timeline":
        for eid in graph.timeline:
            event(eid)
    elif kind == "people":
        keys.update(("person", p) for p in graph.people)
    elif kind == "person":
        keys.add(("person", key))
        for eid in graph.person_events.get(key, []):
            event(eid)
        note_meta(graph.person_notes.get(key, []))
        for qid in graph.person_quotes.get(key, []):
            quote(qid)
        transcript_meta(graph.person_transcripts.get(key, []))
        disputes("person", key)
    elif kind == "topics":
        keys.update(("topic", t) for t in graph.topics)
    elif kind == "topic":
        keys.add(("topic", key))
        keys.update(("topic", t) for t in graph.topics[key].related)
        for eid in graph.topic_events.get(key, []):
            event(eid)
        note_meta(graph.topic_notes.get(key, []))
        for qid in graph.topic_quotes.get(key, []):
            quote(qid)
        transcript_meta(graph.topic_transcripts.get(key, []))
        disputes("topic", key)
    elif kind == "sources":
        keys.update(("source", s) for s in graph.sources)
    elif kind == "source":
        source = graph.sources[key]
        keys.add(("source", key))
        keys.update(("person", p) for p in source.speakers)
        transcript_meta(graph.source_transcripts.get(key, []))
        transcript_meta(graph.source_citing_transcripts.get(key, []))
        note_meta(graph.source_notes.get(key, []))
        for eid in graph.source_events.get(key, []):
            event(eid)
        for qid in graph.source_quotes.get(key, []):
            quote(qid)
        keys.update(("discrepancy", d) for d in graph.source_discrepancies.get(key, []))
    elif kind == "fact-check":
        for disc in graph.discrepancies.values():
            keys.add(("discrepancy", disc.id))
            keys.update(("event", e) for e in disc.events)
            keys.update(("person", p) for p in disc.people)
            keys.update(("topic", t) for t in disc.topics)
            note_meta(disc.notes)
            keys.update(("source", r.source.source) for r in disc.readings if r.source)
    elif kind == "sitemap":
        keys.add(("jobs", jobs_fp))
    else:
        return None
    return keys


class TemplateFingerprints:
    """Hash of each template together with everything it extends, includes or imports."""

    def __init__(self, env: jinja2.Environment, folder: Path) -> None:
        self.env = env
        self.folder = folder
        self._cache: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = _hash(*sorted(self._chain(name, set())))
        return found

    def _chain(self, name: str, seen: set[str]) -> set[tuple[str, str]]:
        if name in seen:
            return set()
        seen.add(name)
        source = self.env.loader.get_source(self.env, name)[0]
        parts = {(name, source)}
        for child in jinja2.meta.find_referenced_templates(self.env.parse(source)):
            if child:
                parts |= self._chain(child, seen)
        return parts


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
        record_fp = fingerprints(graph, self.record_hashes)
        self.record_hashes.keep_only([*content.people, *content.topics, *content.notes, *content.transcripts])
        strings_fp = {lang: _hash(sorted(strings.items())) for lang, strings in renderer.strings.items()}
        all_strings_fp = _hash(sorted(strings_fp.items()))
        jobs_fp = _hash([j.url for j in jobs])
        global_fp = _hash(graph.config, self.options.local)

        new_signatures: dict[str, str] = {}
        todo: list[PageJob] = []
        for job in jobs:
            inputs = page_inputs(graph, job, jobs_fp)
            if inputs is None:
                signature = None
            else:
                strings = strings_fp[job.lang] if job.lang else all_strings_fp
                signature = _hash(template_fp(job.template), global_fp, strings, job.url,
                                  sorted((k, record_fp.get(k, "missing")) for k in inputs))
            if signature is None or self.signatures.get(job.out_path) != signature:
                todo.append(job)
            new_signatures[job.out_path] = signature or ""

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
    return _hash(entries)


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
