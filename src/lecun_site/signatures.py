"""Page signatures: a hash of everything a page shows, so unchanged pages need not be rendered.

Every page has a *signature*: `page_inputs(graph, job)` lists the records a page of that kind
displays (a person page: the person, their events with the names and sources those events
show, the titles of their notes, their quotes…), and each record has a fingerprint. Templates
(with everything they extend, include or import), site.yaml and the page language's UI
strings are part of every signature. Page kinds not known here have no signature and are
always rendered, so a new kind is never stale.

Used by serve's rebuilds (incremental.py) and by `build` with its cache (cache.py).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import jinja2.meta

from .graph import SiteGraph, link_target
from .records import Localized
from .pages import PageJob

Key = tuple[str, str]


def stable_hash(*parts: object) -> str:
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
        digest = stable_hash(record)
        self._memo[id(record)] = (record, digest)
        return digest

    def keep_only(self, records) -> None:
        alive = {id(r) for r in records}
        self._memo = {k: v for k, v in self._memo.items() if k in alive}


def fingerprints(graph: SiteGraph, record_hash=None) -> dict[Key, str]:
    """One hash per record, as pages show it."""
    record_hash = record_hash or stable_hash
    fp: dict[Key, str] = {}
    for slug in graph.notes:
        fp.update(note_fingerprints(graph, slug, record_hash))
    for slug, group in graph.transcripts.items():
        versions = tuple(sorted(group.versions.items()))
        fp[("transcript", slug)] = stable_hash(tuple((l, record_hash(v)) for l, v in versions), group.source, group.date,
                                         group.people, group.topics)
        fp[("transcript-meta", slug)] = stable_hash(tuple((l, v.title, v.summary) for l, v in versions), group.date)
    for person_id, person in graph.people.items():
        fp[("person", person_id)] = record_hash(person)
    for topic_id, topic in graph.topics.items():
        fp[("topic", topic_id)] = record_hash(topic)
    for source_id, source in graph.sources.items():
        fp[("source", source_id)] = stable_hash(source, graph.transcript_for_source(source_id))
    for event_id, event in graph.events.items():
        fp[("event", event_id)] = stable_hash(event, graph.event_notes.get(event_id))
    for quote_id, quote in graph.quotes.items():
        fp[("quote", quote_id)] = stable_hash(quote)
    for disc_id, disc in graph.discrepancies.items():
        fp[("discrepancy", disc_id)] = stable_hash(disc)
    fp[("counts", "")] = stable_hash(len(graph.events), len(graph.people), len(graph.topics), len(graph.sources))
    return fp


def note_fingerprints(graph: SiteGraph, slug: str, record_hash=None) -> dict[Key, str]:
    """The fingerprints of one note: its full text per language, and what lists show of it."""
    record_hash = record_hash or stable_hash
    group = graph.notes[slug]
    fp: dict[Key, str] = {}
    merged = (group.date, group.people, group.topics, group.sources, group.events, group.quotes, group.draft)
    for lang in graph.languages:  # a page in `lang` shows only that language's version
        version = group.version(lang)
        fallback = group.is_fallback(lang)
        fp[("note", f"{slug}@{lang}")] = stable_hash(record_hash(version), fallback, merged)
        fp[("note-meta", f"{slug}@{lang}")] = stable_hash(version.title, version.summary, fallback, group.date,
                                                          group.draft)
    return fp


# --------------------------------------------------------------------------- what a page shows


_LINK_IN_TEXT = re.compile(r"\]\((@/[^)\s]*)")


def _text_links(*texts) -> list[Key]:
    """("link", target) for every `@/` link written in some markdown text (a bio, a summary)."""
    found = []
    for text in texts:
        for value in ((text.zh, text.en) if isinstance(text, Localized) else (text,)):
            if value and "@/" in value:
                found.extend(("link", target) for target in _LINK_IN_TEXT.findall(value))
    return found


def _note_meta_keys(slugs, langs: list[str]):
    return (("note-meta", f"{s}@{lang}") for s in slugs for lang in langs)


def _dispute_keys(graph: SiteGraph, what: str, ident: str):
    return (("discrepancy", d) for d in graph.disputes.get(what, {}).get(ident, []))


def event_inputs(graph: SiteGraph, eid: str, langs: list[str]) -> frozenset[Key]:
    """What an event shows wherever it is listed: the event, its people, topics and sources,
    the titles of the notes that discuss it, and the discrepancies about it."""
    e = graph.events[eid]
    keys: set[Key] = {("event", eid)}
    keys.update(("person", p) for p in e.people)
    keys.update(("topic", t) for t in e.topics)
    keys.update(("source", c.source) for c in e.sources)
    keys.update(_note_meta_keys(graph.event_notes.get(eid, []), langs))
    keys.update(_dispute_keys(graph, "event", eid))
    return frozenset(keys)


def page_inputs(graph: SiteGraph, job: PageJob, jobs_fp: str, events: dict | None = None) -> set[Key] | None:
    """The records a page displays; None means "always re-render" (a kind not listed here).

    `("link", target)` keys stand for what an `@/` link in a shown text resolves to (a page
    must change when the note it links to is removed, drafted or added). `events` remembers
    event_inputs by (event, language) for one graph: an event is listed on many pages."""
    keys: set[Key] = set()
    kind, key = job.kind, job.key
    langs = [job.lang] if job.lang else list(graph.languages)
    events = {} if events is None else events

    def note_meta(slugs):
        keys.update(_note_meta_keys(slugs, langs))

    def event(eid):
        found = events.get((eid, job.lang))
        if found is None:
            found = events[(eid, job.lang)] = event_inputs(graph, eid, langs)
        keys.update(found)

    def quote(qid):
        q = graph.quotes[qid]
        keys.add(("quote", qid))
        keys.add(("person", q.speaker))
        if q.source:
            keys.add(("source", q.source.source))

    def disputes(what, ident):
        keys.update(_dispute_keys(graph, what, ident))

    def transcript_meta(slugs):
        keys.update(("transcript-meta", s) for s in slugs)

    def entity(what, ident, events, notes, quotes, transcripts):
        """A person or topic page: the record, and its events, notes, quotes and transcripts."""
        keys.add((what, ident))
        for eid in events.get(ident, []):
            event(eid)
        note_meta(notes.get(ident, []))
        for qid in quotes.get(ident, []):
            quote(qid)
        transcript_meta(transcripts.get(ident, []))
        disputes(what, ident)

    def note_full(slug):
        group = graph.notes[slug]
        keys.update(("note", f"{slug}@{lang}") for lang in langs)
        for lang in langs:
            keys.update(("link", link.target) for link in group.version(lang).links)
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
            keys.update(("link", link.target) for link in version.links)
    elif kind == "timeline":
        for eid in graph.timeline:
            event(eid)
    elif kind == "people":
        keys.update(("person", p) for p in graph.people)
    elif kind == "person":
        entity("person", key, graph.person_events, graph.person_notes, graph.person_quotes,
               graph.person_transcripts)
        keys.update(_text_links(graph.people[key].bio))
    elif kind == "topics":
        keys.update(("topic", t) for t in graph.topics)
    elif kind == "topic":
        entity("topic", key, graph.topic_events, graph.topic_notes, graph.topic_quotes, graph.topic_transcripts)
        keys.update(_text_links(graph.topics[key].summary))
        keys.update(("topic", t) for t in graph.topics[key].related)
    elif kind == "sources":
        keys.update(("source", s) for s in graph.sources)
    elif kind == "source":
        source = graph.sources[key]
        keys.add(("source", key))
        keys.update(_text_links(source.summary))
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
            found = self._cache[name] = stable_hash(*sorted(self._chain(name, set())))
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


class Signer:
    """Signs the pages of one graph. It keeps the record fingerprints, so that after an edit
    that changes one record only that record's fingerprint needs computing again (serve)."""

    def __init__(self, graph: SiteGraph, jobs: list[PageJob], strings: dict[str, dict[str, str]], local: bool,
                 template_fp: "TemplateFingerprints", record_hash=None) -> None:
        self.graph = graph
        self.template_fp = template_fp
        self.record_fp = fingerprints(graph, record_hash)
        self.strings_fp = {lang: stable_hash(sorted(table.items())) for lang, table in strings.items()}
        self.all_strings_fp = stable_hash(sorted(self.strings_fp.items()))
        self.jobs_fp = stable_hash([j.url for j in jobs])
        self.global_fp = stable_hash(graph.config, local)
        self._events: dict = {}  # page_inputs' memory of event_inputs; the graph is not changed after

    def inputs(self, job: PageJob) -> set[Key] | None:
        inputs = page_inputs(self.graph, job, self.jobs_fp, self._events)
        for key in inputs or ():
            if key[0] == "link" and key not in self.record_fp:
                self.record_fp[key] = stable_hash(link_target(self.graph, key[1]))
        return inputs

    def sign(self, job: PageJob, inputs: set[Key] | None) -> str:
        """The page's signature; "" for a page that must always be rendered."""
        if inputs is None:
            return ""
        table = self.strings_fp[job.lang] if job.lang else self.all_strings_fp
        fp = self.record_fp
        text = "\n".join([self.template_fp(job.template), self.global_fp, table, job.url,
                          *(f"{kind}\0{key}\0{fp.get((kind, key), 'missing')}" for kind, key in sorted(inputs))])
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
