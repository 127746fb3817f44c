"""The view objects templates read records through: a person, topic, source, event or quote in
one language, made once per language and build. A view counts as read whole (reads.py): views
are small, and a page that shows one shows most of it. `_ViewGraph` lets views read only the
graph fields named in VIEW_READS (a test keeps that list true)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import urls
from ..records import Citation
from ..site.graph import SiteGraph
from .pictures import initials
from .reads import fingerprint
from .timeline_svg import span


@dataclass
class PersonView:
    id: str
    name: str
    other_name: str
    aliases: tuple[str, ...]
    role: str
    bio: str
    born: str
    url: str  # site path
    fallback: bool
    initials: str = ""  # for the card drawn where the site has no portrait: 杨, YL
    image: Any = None  # a portrait (Picture)
    path: str = ""  # the person's file, against whose folder the portrait is found


@dataclass
class TopicView:
    id: str
    name: str
    other_name: str
    summary: str
    url: str
    auto: bool
    fallback: bool
    related: list[str]


@dataclass
class SourceView:
    id: str
    title: str
    kind: str
    url: str | None
    media_url: str | None
    date: str
    publisher: str
    summary: str
    page: str  # site path of its page
    speakers: list[str]
    transcript: str | None
    short: str  # the short name citations use (the title when none is given)
    reliability: str | None
    reliability_note: str


@dataclass
class EventView:
    id: str
    anchor: str
    date: str
    date_iso: str
    decade: int
    title: str
    detail: str
    people: list[str]
    topics: list[str]
    sources: list[Citation]
    notes: list[str]
    url: str
    fallback: bool
    start: float = 0.0  # the years the date covers (timeline_svg.span)
    end: float = 0.0
    fuzzy: bool = False
    image: Any = None  # its Picture, if it has one
    path: str = ""  # its file, against whose folder the picture is found


@dataclass
class QuoteView:
    id: str
    anchor: str
    text: str
    original: str | None  # the text in the language the source gives it, when that is not the page's
    speaker: str | None
    speaker_label: str
    source: Citation | None
    dramatised: bool  # its source invents scenes and dialogue: not a verbatim record
    via: str | None = None  # person id of the one whose retelling gives the words
    via_label: str = ""


# What of the graph views are made from. core.run takes views as they were when an edit shares
# all of these with the last build's graph (a note's text edited); _ViewGraph holds views to it.
VIEW_READS = ("config", "people", "topics", "sources", "events", "quotes", "event_notes", "source_transcripts")


class _ViewGraph:
    """The graph as views see it: only VIEW_READS (and what derives from them)."""

    __slots__ = ("_graph",)

    def __init__(self, graph: SiteGraph) -> None:
        self._graph = graph

    def __getattr__(self, name: str):
        if name in VIEW_READS or name in ("languages", "transcript_for_source"):  # config; source_transcripts
            return getattr(self._graph, name)
        raise AttributeError(f"views read only {', '.join(VIEW_READS)} of the graph, not '{name}' "
                             "(add it to render.VIEW_READS, which core.run relies on)")


class Views:
    """View objects for one language, made once per build and shared by every page of that language."""

    def __init__(self, graph: SiteGraph, lang: str) -> None:
        self.graph = _ViewGraph(graph)
        self.lang = lang
        self._cache: dict[tuple[str, str], Any] = {}
        self._fps: dict[tuple[str, str], Any] = {}

    def fingerprint(self, kind: str, key: str, view) -> Any:
        """reads.fingerprint of a view, worked out once per view and build."""
        found = self._fps.get((kind, key))
        if found is None:
            found = self._fps[(kind, key)] = fingerprint(view)
        return found

    def _other_name(self, name) -> str:
        """A Localized name in the site's other language, or '' where it reads the same."""
        other = [l for l in self.graph.languages if l != self.lang]
        found = name.get(other[0]) if other else ""
        return found if found != name.get(self.lang) else ""

    def _cached(self, kind: str, key: str, make):
        found = self._cache.get((kind, key))
        if found is None:
            found = self._cache[(kind, key)] = make()
        return found

    def person(self, person_id: str) -> PersonView:
        def make():
            p = self.graph.people[person_id]
            return PersonView(person_id, p.name.get(self.lang), self._other_name(p.name),
                              p.aliases, p.role.get(self.lang), p.bio.get(self.lang),
                              p.born.format(self.lang) if p.born else "", urls.person(self.lang, person_id),
                              p.name.is_fallback(self.lang) or p.bio.is_fallback(self.lang),
                              initials(p.name.get(self.lang)), p.image, p.path)
        return self._cached("person", person_id, make)

    def topic(self, topic_id: str) -> TopicView:
        def make():
            t = self.graph.topics[topic_id]
            return TopicView(topic_id, t.name.get(self.lang), self._other_name(t.name),
                             t.summary.get(self.lang), urls.topic(self.lang, topic_id), t.auto,
                             t.summary.is_fallback(self.lang), [r for r in t.related if r in self.graph.topics])
        return self._cached("topic", topic_id, make)

    def source(self, source_id: str) -> SourceView:
        def make():
            s = self.graph.sources[source_id]
            return SourceView(source_id, s.title.get(self.lang), s.kind, s.url, s.media_url or _video(s.url),
                              s.date.format(self.lang) if s.date else "", s.publisher.get(self.lang),
                              s.summary.get(self.lang), urls.source(self.lang, source_id),
                              [p for p in s.speakers if p in self.graph.people],
                              self.graph.transcript_for_source(source_id),
                              s.short.get(self.lang) or s.title.get(self.lang), s.reliability,
                              s.reliability_note.get(self.lang))
        return self._cached("source", source_id, make)

    def event(self, event_id: str) -> EventView:
        def make():
            e = self.graph.events[event_id]
            start, end, fuzzy = span(e.date)
            return EventView(event_id, e.anchor, e.date.format(self.lang), e.date.iso, e.date.decade_start,
                             e.title.get(self.lang), e.detail.get(self.lang), list(e.people), list(e.topics),
                             list(e.sources), self.graph.event_notes.get(event_id, []),
                             urls.timeline(self.lang) + "#" + e.anchor,
                             e.title.is_fallback(self.lang) or e.detail.is_fallback(self.lang), start, end, fuzzy,
                             e.image, e.path)
        return self._cached("event", event_id, make)

    def quote(self, quote_id: str) -> QuoteView:
        def make():
            q = self.graph.quotes[quote_id]
            original = q.text.get(q.lang) if q.lang and q.lang != self.lang and q.text.has(q.lang) else None
            speaker = q.speaker if q.speaker in self.graph.people else None
            label = self.person(speaker).name if speaker else q.speaker
            source = self.graph.sources.get(q.source.source) if q.source else None
            via = q.via if q.via in self.graph.people else None
            return QuoteView(quote_id, q.anchor, q.text.get(self.lang), original, speaker, label, q.source,
                             bool(source and source.dramatised), via,
                             self.person(via).name if via else (q.via or ""))
        return self._cached("quote", quote_id, make)



def _video(url: str | None) -> str | None:
    if url and re.match(r"^https?://(?:www\.)?(?:youtube\.com/watch|youtu\.be/)", url):
        return url
    return None


