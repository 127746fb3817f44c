"""build_graph(content) -> SiteGraph: every cross-reference resolved before any page renders.

Translations are paired by slug and their language-neutral fields merged; people and
topics are resolved by id or alias; back-references are indexes from a key to sorted keys
(person → notes, events, quotes, transcripts…); every reference that resolves to nothing
is a LinkError naming the file and line, with a "did you mean" hint.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from ..content.config import SiteConfig
from ..content.loader import ContentSet
from ..errors import Problems, did_you_mean
from ..records import (
    Citation,
    Discrepancy,
    Event,
    Media,
    FuzzyDate,
    Note,
    Person,
    Quote,
    Source,
    Topic,
    Transcript,
)
from .links import check_links, check_locators, locate
from .media import check_pictures, media_table
from .pairing import merge_note, pair_notes


@dataclass
class NoteGroup:
    """A note in all its languages, with the language-neutral fields merged and resolved."""

    slug: str
    versions: dict[str, Note]
    date: FuzzyDate | None = None
    people: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[Citation, ...] = ()
    events: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    draft: bool = False

    def version(self, lang: str) -> Note:
        """The note in `lang`, or the other language's version when it is missing."""
        return self.versions.get(lang) or next(iter(self.versions.values()))

    def is_fallback(self, lang: str) -> bool:
        return lang not in self.versions

    @property
    def cited_sources(self) -> set[str]:
        cited = {c.source for c in self.sources}
        for note in self.versions.values():
            cited |= {c.source for c in note.body_citations}
        return cited


@dataclass
class TranscriptGroup:
    slug: str
    versions: dict[str, Transcript]
    source: str | None = None
    date: FuzzyDate | None = None
    people: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    draft: bool = False

    def version(self, lang: str) -> Transcript:
        return self.versions.get(lang) or next(iter(self.versions.values()))

    def is_fallback(self, lang: str) -> bool:
        return lang not in self.versions


@dataclass
class SiteGraph:
    config: SiteConfig
    i18n: dict[str, dict[str, str]]
    sources: dict[str, Source]
    people: dict[str, Person]
    topics: dict[str, Topic]
    events: dict[str, Event]
    quotes: dict[str, Quote]
    discrepancies: dict[str, Discrepancy]
    notes: dict[str, NoteGroup]
    transcripts: dict[str, TranscriptGroup]
    timeline: list[str] = field(default_factory=list)  # event ids in date order
    media: dict[str, Media] = field(default_factory=dict)  # images by content-relative path (site/media.py)
    # back-references: key -> sorted keys
    person_notes: dict[str, list[str]] = field(default_factory=dict)
    person_events: dict[str, list[str]] = field(default_factory=dict)
    person_quotes: dict[str, list[str]] = field(default_factory=dict)
    person_transcripts: dict[str, list[str]] = field(default_factory=dict)
    topic_notes: dict[str, list[str]] = field(default_factory=dict)
    topic_events: dict[str, list[str]] = field(default_factory=dict)
    topic_quotes: dict[str, list[str]] = field(default_factory=dict)
    topic_transcripts: dict[str, list[str]] = field(default_factory=dict)
    source_notes: dict[str, list[str]] = field(default_factory=dict)
    source_events: dict[str, list[str]] = field(default_factory=dict)
    source_quotes: dict[str, list[str]] = field(default_factory=dict)
    source_transcripts: dict[str, list[str]] = field(default_factory=dict)  # transcripts *of* a source
    source_citing_transcripts: dict[str, list[str]] = field(default_factory=dict)  # transcripts whose turns cite it
    source_discrepancies: dict[str, list[str]] = field(default_factory=dict)
    event_notes: dict[str, list[str]] = field(default_factory=dict)
    note_events: dict[str, list[str]] = field(default_factory=dict)
    # discrepancies that touch a thing: kind -> key -> discrepancy ids
    disputes: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def __setattr__(self, name: str, value) -> None:
        if self.__dict__.get("_frozen"):
            raise AttributeError(f"the site graph is frozen: derive a new one instead of setting '{name}'")
        object.__setattr__(self, name, value)

    def freeze(self) -> None:
        """No field changes once the graph is built; an edit derives a new graph (`with_notes`)."""
        object.__setattr__(self, "_frozen", True)

    def with_notes(self, groups: dict[str, NoteGroup]) -> "SiteGraph":
        """A new graph with these note groups in place of those of the same slug, for an edit
        that changed only the text of notes (serve's Builder checks that): everything else is
        shared with this graph, which is left as it was."""
        derived = replace(self, notes={**self.notes, **groups})
        derived.freeze()
        return derived

    @property
    def languages(self) -> tuple[str, ...]:
        return self.config.languages

    def notes_in_order(self) -> list[str]:
        """Note slugs, newest first, then by slug: the order of every list of notes."""
        undated = FuzzyDate(year=0)
        return sorted(self.notes, key=lambda s: ((self.notes[s].date or undated).sort_key, s), reverse=True)

    def people_by_presence(self, ids: tuple[str, ...]) -> tuple[str, ...]:
        """People in the order a reader looks for them: the most present in the story first
        (events, notes, quotes), then by id. One call, so that a page records one read."""
        weight = {pid: len(self.person_events.get(pid, ())) + len(self.person_notes.get(pid, ()))
                  + len(self.person_quotes.get(pid, ())) for pid in ids}
        return tuple(sorted(ids, key=lambda pid: (-weight[pid], pid)))

    def transcript_for_source(self, source_id: str) -> str | None:
        slugs = self.source_transcripts.get(source_id) or []
        return slugs[0] if slugs else None

    def locate(self, source_id: str, at: str | None, lang: str):
        """Where a citation locator points, seen from a page in `lang` (a links.Place)."""
        return locate(self, source_id, at, lang)


class _Names:
    """Ids and aliases of one kind of record (people or topics), matched without case."""

    def __init__(self, kind: str, records: dict, problems: Problems) -> None:
        self.kind = kind
        self.ids = set(records)
        self.lookup: dict[str, str] = {}
        for record_id, record in sorted(records.items()):
            self.lookup[record_id.casefold()] = record_id
        for record_id, record in sorted(records.items()):
            for alias in record.aliases:
                key = alias.casefold()
                owner = self.lookup.get(key)
                if owner is not None and owner != record_id:
                    problems.error(record.path, f"alias '{alias}' of {kind} '{record_id}' already names '{owner}'",
                                   line=record.lines.get("aliases"), field="aliases",
                                   hint="an alias must name exactly one " + kind)
                    continue
                self.lookup[key] = record_id

    def resolve(self, name: str) -> str | None:
        return self.lookup.get(name.strip().casefold())

    def suggestions(self, name: str) -> str | None:
        return did_you_mean(name, list(self.ids) + [k for k in self.lookup if not k.isascii()])


def _by_id(records, kind: str, problems: Problems) -> dict:
    found: dict = {}
    for record in records:
        if record.id in found:
            first = found[record.id]
            problems.error(record.path, f"{kind} id '{record.id}' is used twice (also in {first.path}"
                           f"{':' + str(first.line) if getattr(first, 'line', None) else ''})",
                           line=getattr(record, "line", None), hint=f"give each {kind} its own id")
            continue
        found[record.id] = record
    return found


def build_graph(content: ContentSet, problems: Problems, *, drafts: bool = False) -> SiteGraph:
    """Resolve every reference in `content`; problems are collected, never raised."""
    config = content.config
    sources = _by_id(content.sources, "source", problems)
    people = _by_id(content.people, "person", problems)
    topics = _by_id(content.topics, "topic", problems)

    # events and quotes may also be declared in notes
    all_events = list(content.events) + [e for n in content.notes for e in n.declared_events]
    all_quotes = list(content.quotes) + [q for n in content.notes for q in n.declared_quotes]
    events = _by_id(all_events, "event", problems)
    quotes = _by_id(all_quotes, "quote", problems)
    discrepancies = _by_id(content.discrepancies, "discrepancy", problems)

    person_names = _Names("person", people, problems)
    topic_names = _Names("topic", topics, problems)
    unreadable = {key for _, key in content.unreadable_ids}

    def person_ref(name: str, path: str, line: int | None, fld: str) -> str | None:
        found = person_names.resolve(name)
        if found is None and ("people", name) not in content.unreadable_ids:
            problems.link_error(path, f"unknown person '{name}' in `{fld}`", line=line, field=fld,
                                hint=person_names.suggestions(name) or "add content/people/<id>.yaml or an alias")
        return found

    def topic_ref(name: str, path: str, line: int | None, fld: str) -> str | None:
        found = topic_names.resolve(name)
        if found is None and ("topics", name) not in content.unreadable_ids:
            problems.link_error(path, f"unknown topic '{name}' in `{fld}`", line=line, field=fld,
                                hint=topic_names.suggestions(name) or "add content/topics/<id>.yaml or an alias")
        return found

    def source_ref(cite: Citation, path: str, fld: str) -> bool:
        if cite.source in sources:
            return True
        if ("sources", cite.source) in content.unreadable_ids:
            return False
        problems.link_error(path, f"unknown source '{cite.source}' in `{fld}`", line=cite.line, field=fld,
                            hint=did_you_mean(cite.source, sources) or "add content/sources/<id>.yaml")
        return False

    def people_of(names, path, lines, fld="people") -> tuple[str, ...]:
        found = (person_ref(n, path, lines.get(fld), fld) for n in names)
        return tuple(dict.fromkeys(p for p in found if p))

    def topics_of(names, path, lines, fld="topics") -> tuple[str, ...]:
        found = (topic_ref(n, path, lines.get(fld), fld) for n in names)
        return tuple(dict.fromkeys(t for t in found if t))

    # ---- notes: pair by slug, merge neutral fields
    note_groups, all_note_slugs = pair_notes(content.notes, config, problems, drafts, content.unreadable)
    for group in note_groups.values():
        merge_note(group, problems, people_of, topics_of, topic_names, topics, source_ref)

    transcript_groups = _pair_transcripts(content.transcripts, config, problems, drafts)

    # ---- events
    resolved_events: dict[str, Event] = {}
    for event_id, event in events.items():
        kept_sources = tuple(c for c in event.sources if source_ref(c, event.path, "sources"))
        for slug in event.notes:
            if slug not in all_note_slugs:
                problems.link_error(event.path, f"event '{event_id}' names unknown note '{slug}'",
                                    line=event.lines.get("notes", event.line), field="notes",
                                    hint=did_you_mean(slug, all_note_slugs))
        resolved_events[event_id] = replace(  # every other field kept as it was read
            event, people=people_of(event.people, event.path, event.lines),
            topics=topics_of(event.topics, event.path, event.lines),
            sources=kept_sources, notes=tuple(s for s in event.notes if s in note_groups),
        )
    events = resolved_events

    # ---- quotes
    resolved_quotes: dict[str, Quote] = {}
    for quote_id, quote in quotes.items():
        speaker = person_ref(quote.speaker, quote.path, quote.lines.get("speaker", quote.line), "speaker")
        if quote.source is not None:
            source_ref(quote.source, quote.path, "source")
        via = person_ref(quote.via, quote.path, quote.lines.get("via", quote.line), "via") if quote.via else None
        resolved_quotes[quote_id] = replace(
            quote, speaker=speaker or quote.speaker, topics=topics_of(quote.topics, quote.path, quote.lines),
            via=via or quote.via,
        )
    quotes = resolved_quotes

    # ---- transcripts
    for group in transcript_groups.values():
        _merge_transcript(group, sources, people, people_of, topics_of, problems, unreadable)

    # ---- references from notes to events and quotes
    for group in note_groups.values():
        note = group.version(config.default_language)
        for event_id in group.events:
            if event_id not in events:
                problems.link_error(note.path, f"unknown event '{event_id}' in `events`", line=note.lines.get("events"),
                                    hint=did_you_mean(event_id, events) or "events live in content/timeline/*.yaml")
        for quote_id in group.quotes:
            if quote_id not in quotes:
                problems.link_error(note.path, f"unknown quote '{quote_id}' in `quotes`", line=note.lines.get("quotes"),
                                    hint=did_you_mean(quote_id, quotes))
        group.events = tuple(e for e in group.events if e in events)
        group.quotes = tuple(q for q in group.quotes if q in quotes)

    # ---- discrepancies
    resolved_disc: dict[str, Discrepancy] = {}
    for disc_id, disc in discrepancies.items():
        for reading in disc.readings:
            if reading.source is not None:
                source_ref(reading.source, disc.path, "readings")
        for event_id in disc.events:
            if event_id not in events:
                problems.link_error(disc.path, f"discrepancy '{disc_id}' names unknown event '{event_id}'",
                                    line=disc.lines.get("events", disc.line), hint=did_you_mean(event_id, events))
        for slug in disc.notes:
            if slug not in all_note_slugs:
                problems.link_error(disc.path, f"discrepancy '{disc_id}' names unknown note '{slug}'",
                                    line=disc.lines.get("notes", disc.line), hint=did_you_mean(slug, all_note_slugs))
        resolved_disc[disc_id] = replace(
            disc, events=tuple(e for e in disc.events if e in events),
            people=people_of(disc.people, disc.path, disc.lines), topics=topics_of(disc.topics, disc.path, disc.lines),
            notes=tuple(n for n in disc.notes if n in note_groups),
        )
    discrepancies = resolved_disc

    for topic in topics.values():
        for related in topic.related:
            if related not in topics:
                problems.link_error(topic.path, f"unknown related topic '{related}'", line=topic.lines.get("related"),
                                    hint=did_you_mean(related, topics))
    for source in sources.values():
        for speaker in source.speakers:
            if speaker not in people and speaker not in unreadable:
                problems.link_error(source.path, f"unknown person '{speaker}' in `speakers`",
                                    line=source.lines.get("speakers"), hint=person_names.suggestions(speaker))

    graph = SiteGraph(
        config=config, i18n=content.i18n, sources=sources, people=people, topics=topics, events=events,
        quotes=quotes, discrepancies=discrepancies, notes=note_groups, transcripts=transcript_groups,
        media=media_table(content, problems),
    )
    check_pictures(graph.media, content, people, events, problems)
    graph.timeline = sorted(events, key=lambda e: (events[e].date.sort_key, e))
    _index(graph)
    check_locators(graph, problems)
    check_links(graph, content, problems, all_note_slugs)
    graph.freeze()
    return graph


def _pair_transcripts(transcripts: list[Transcript], config: SiteConfig, problems: Problems, drafts: bool):
    by_slug: dict[str, dict[str, Transcript]] = defaultdict(dict)
    for transcript in transcripts:
        other = by_slug[transcript.slug].get(transcript.lang)
        if other is not None:
            problems.error(transcript.path, f"transcript slug '{transcript.slug}' ({transcript.lang}) is used twice "
                           f"(also {other.path})", line=1)
            continue
        by_slug[transcript.slug][transcript.lang] = transcript
    groups = {}
    for slug, versions in sorted(by_slug.items()):
        group = TranscriptGroup(slug=slug, versions=dict(sorted(versions.items())))
        group.draft = any(v.draft for v in versions.values())
        if group.draft and not drafts:
            continue
        langs = list(versions)
        for lang in config.languages:
            if lang not in versions:
                problems.warn(versions[langs[0]].path, f"transcript '{slug}' has no {lang} version",
                              hint=f"add transcripts/{slug}.{lang}.md")
        if len(langs) > 1:
            counts = {lang: len(v.turns) for lang, v in versions.items()}
            if len(set(counts.values())) > 1:
                problems.warn(versions[langs[1]].path,
                              f"transcript '{slug}' has {counts[langs[1]]} turns here but {counts[langs[0]]} in "
                              f"{versions[langs[0]].path}; the side-by-side view pairs turns by position")
        groups[slug] = group
    return groups


def _merge_transcript(group: TranscriptGroup, sources, people, people_of, topics_of, problems: Problems,
                      unreadable: set[str]) -> None:
    found_sources = {v.source for v in group.versions.values() if v.source}
    if len(found_sources) > 1:
        last = list(group.versions.values())[-1]
        problems.error(last.path, f"`source` differs between the versions of transcript '{group.slug}'",
                       line=last.lines.get("source"))
    group.source = min(found_sources) if found_sources else None
    speakers: set[str] = set()
    for version in group.versions.values():
        if version.source and version.source not in sources and version.source not in unreadable:
            problems.link_error(version.path, f"unknown source '{version.source}'", line=version.lines.get("source"),
                                hint=did_you_mean(version.source, sources))
        for label, person in version.speakers.items():
            if person not in people and person not in unreadable:
                problems.link_error(version.path, f"speaker '{label}' maps to unknown person '{person}'",
                                    line=version.lines.get("speakers"), hint=did_you_mean(person, people))
            else:
                speakers.add(person)
        labels = {t.speaker_label for t in version.turns if t.speaker is None}
        for label in sorted(labels):
            line = next(t.line for t in version.turns if t.speaker_label == label)
            problems.warn(version.path, f"speaker '{label}' is not mapped to a person", line=line,
                          hint=f"add `speakers: {{{label}: person-id}}` to the front matter")
        if group.date is None and version.date is not None:
            group.date = version.date
        group.people = tuple(dict.fromkeys(group.people + people_of(version.people, version.path, version.lines)))
        group.topics = tuple(dict.fromkeys(group.topics + topics_of(version.topics, version.path, version.lines)))
    group.people = tuple(dict.fromkeys(tuple(sorted(speakers)) + group.people))
    if group.date is None and group.source in sources:
        group.date = sources[group.source].date


def _index(graph: SiteGraph) -> None:
    """Back-references, each a sorted list of keys."""
    idx: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for slug, group in graph.notes.items():
        for person in group.people:
            idx["person_notes"][person].add(slug)
        for topic in group.topics:
            idx["topic_notes"][topic].add(slug)
        for source in group.cited_sources:
            idx["source_notes"][source].add(slug)
        for event in group.events:
            idx["event_notes"][event].add(slug)
    for event_id, event in graph.events.items():
        for person in event.people:
            idx["person_events"][person].add(event_id)
        for topic in event.topics:
            idx["topic_events"][topic].add(event_id)
        for cite in event.sources:
            idx["source_events"][cite.source].add(event_id)
        for slug in event.notes:
            idx["event_notes"][event_id].add(slug)
    for quote_id, quote in graph.quotes.items():
        idx["person_quotes"][quote.speaker].add(quote_id)
        for topic in quote.topics:
            idx["topic_quotes"][topic].add(quote_id)
        if quote.source:
            idx["source_quotes"][quote.source.source].add(quote_id)
    for slug, group in graph.transcripts.items():
        for person in group.people:
            idx["person_transcripts"][person].add(slug)
        for topic in group.topics:
            idx["topic_transcripts"][topic].add(slug)
        if group.source:
            idx["source_transcripts"][group.source].add(slug)
        for version in group.versions.values():
            for cite in version.body_citations:
                idx["source_citing_transcripts"][cite.source].add(slug)
    disputes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for disc_id, disc in graph.discrepancies.items():
        for kind, keys in (("event", disc.events), ("person", disc.people), ("topic", disc.topics), ("note", disc.notes)):
            for key in keys:
                disputes[kind][key].add(disc_id)
        for reading in disc.readings:
            if reading.source:
                idx["source_discrepancies"][reading.source.source].add(disc_id)
    event_order = {e: i for i, e in enumerate(graph.timeline)}
    note_order = {s: i for i, s in enumerate(graph.notes_in_order())}
    for name, table in idx.items():
        if name.endswith("_events"):
            setattr(graph, name, {k: sorted(v, key=event_order.__getitem__) for k, v in table.items()})
        elif name.endswith("_notes"):
            setattr(graph, name, {k: sorted(v, key=lambda s: note_order.get(s, 0)) for k, v in table.items()})
        else:
            setattr(graph, name, {k: sorted(v) for k, v in table.items()})
    # note -> events it discusses: the inverse of event_notes (which holds both directions)
    note_events: dict[str, list[str]] = {slug: [] for slug in graph.notes}
    for event_id in graph.timeline:
        for slug in graph.event_notes.get(event_id, ()):
            if slug in note_events:
                note_events[slug].append(event_id)
    graph.note_events = note_events
    graph.disputes = {kind: {k: sorted(v) for k, v in table.items()} for kind, table in disputes.items()}
