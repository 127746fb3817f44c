"""Checking what points somewhere: citation locators (`turn-12`, `00:12:34`) and `@/` links.

`link_target(graph, '@/kind/key#anchor')` says what a link names, if it exists; the checks
report every link and locator that names nothing, with file, line and a "did you mean"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from ..errors import Problems, did_you_mean
from ..records import Citation

if TYPE_CHECKING:  # graph.py calls the checks below: no import of it at run time
    from ..content.loader import ContentSet
    from .graph import SiteGraph


def _plain_title(title: str) -> str:
    """A section heading as a label: markdown emphasis and code marks dropped."""
    return re.sub(r"[*_`]+", "", title).strip()


def _title_key(text: str) -> str:
    """What two spellings of a section title share: no case, spaces, punctuation or marks."""
    return re.sub(r"[\W_]+", "", text.casefold())


def section_index(graph: SiteGraph, slug: str, at: str) -> int | None:
    """The index of the section a `§ Title` locator names, matched against the section
    titles of the transcript in every language (`§ Bell Labs and LeNet` = `§ 贝尔实验室与 LeNet`)."""
    key = _title_key(at.lstrip("§").strip())
    if not key:
        return None
    for transcript in graph.transcripts[slug].versions.values():
        for index, section in enumerate(transcript.sections):
            if _title_key(_plain_title(section.title)) == key:
                return index
    return None


class Place(NamedTuple):
    """Where a citation locator points, for the page to name in its language."""

    kind: str  # "turn", "time", "section" or "text" (anything else, shown as written)
    text: str  # the turn's number, the timestamp, the section's title, or the locator as written
    section: str  # for a turn or a time: the title of its section in the page's language ('' if none)
    anchor: str | None  # the transcript anchor it links to


def locate(graph: SiteGraph, source_id: str, at: str | None, lang: str) -> Place:
    """Where a citation locator points on a page in `lang`: a turn, a time or a section of the
    transcript made from the source is found in that transcript's `lang` version (its section
    titles are the ones the page names); any other text is kept as written."""
    if not at:
        return Place("text", "", "", None)
    slug = graph.transcript_for_source(source_id)
    if slug is None:
        return Place("text", at, "", None)
    transcript = graph.transcripts[slug].version(lang)
    anchor = Citation(source_id, at).turn_anchor
    if anchor is not None:
        turn = next((t for t in transcript.turns if anchor in (t.anchor, t.time_anchor)), None)
        if turn is None:
            return Place("text", at, "", None)
        section = ""
        if turn.section is not None and turn.section < len(transcript.sections):
            section = _plain_title(transcript.sections[turn.section].title)
        if at.startswith("turn-"):
            return Place("turn", str(turn.number), section, anchor)
        return Place("time", at, section, anchor)
    if at.startswith("§"):
        index = section_index(graph, slug, at)
        if index is not None and index < len(transcript.sections):
            section = transcript.sections[index]
            return Place("section", _plain_title(section.title), "", section.anchor)
    return Place("text", at, "", None)


def check_locators(graph: SiteGraph, problems: Problems) -> None:
    """A `turn-N` or timestamp locator must name a turn of the transcript made from that source;
    a `§ Title` locator of such a source, outside a note's body, should name one of its sections
    (in either language): a warning says so when it does not."""
    anchors_of: dict[str, set[str]] = {}  # transcript slug -> its turn anchors, made once

    def check(cite: Citation, path: str, in_body: bool = False) -> None:
        if not cite.at or cite.source not in graph.sources:
            return
        anchor = cite.turn_anchor
        slug = graph.transcript_for_source(cite.source)
        if slug is not None and anchor is None and cite.at.startswith("§") and cite.label is None:
            # a body's free text is in the note's own language: only places shown in both are checked
            if not in_body and section_index(graph, slug, cite.at) is None:
                titles = [_plain_title(s.title) for t in graph.transcripts[slug].versions.values() for s in t.sections]
                # a warning, not an error: such text was always accepted, and is shown as written
                problems.warn(path, f"'{cite.at}' names no section of transcript '{slug}'; "
                              "it is shown as written, in every language", line=cite.line,
                              hint=did_you_mean(cite.at.lstrip("§ "), titles)
                              or "sections: " + "; ".join(titles))
            return
        if anchor is None or slug is None:
            return
        transcript = graph.transcripts[slug].version(graph.config.default_language)
        anchors = anchors_of.get(slug)
        if anchors is None:
            anchors = anchors_of[slug] = {t.anchor for t in transcript.turns} | {
                t.time_anchor for t in transcript.turns if t.time_anchor}
        if anchor not in anchors:
            problems.link_error(path, f"'{cite.at}' names no turn of transcript '{slug}' "
                                f"({len(transcript.turns)} turns)", line=cite.line,
                                hint="cite turn-1 … turn-N, or a timestamp that starts a turn")

    for event in graph.events.values():
        for cite in event.sources:
            check(cite, event.path)
    for quote in graph.quotes.values():
        if quote.source:
            check(quote.source, quote.path)
    for group in graph.notes.values():
        for note in group.versions.values():
            for cite in note.sources:
                check(cite, note.path)
            for cite in note.body_citations:
                check(cite, note.path, in_body=True)
    for disc in graph.discrepancies.values():
        for reading in disc.readings:
            if reading.source:
                check(reading.source, disc.path)


SECTION_PAGES = {"timeline", "people", "topics", "sources", "fact-check", "notes", "search", ""}


LINKED_TABLES = {"notes", "people", "topics", "sources", "transcripts"}  # @/<table>/<key>: SiteGraph's tables


_FILE_SUFFIX = re.compile(r"\.(?:zh|en)?\.?md$")


def link_target(graph: SiteGraph, target: str) -> tuple[str, str, str] | None:
    """Split an `@/kind/key#anchor` link into (kind, key, anchor) if it names something that exists."""
    path, _, anchor = target[2:].partition("#")
    path = path.strip("/")
    if path.endswith("md"):  # a link written to the file: @/notes/x.zh.md
        path = _FILE_SUFFIX.sub("", path)
    kind, slash, key = path.partition("/")
    if not slash:
        if kind not in SECTION_PAGES:
            return None
        if kind == "timeline" and anchor and anchor.removeprefix("ev-") not in graph.events:
            return None
        if kind == "fact-check" and anchor and anchor.removeprefix("d-") not in graph.discrepancies:
            return None
        return (kind or "home", "", anchor)
    if kind not in LINKED_TABLES or "/" in key or key not in getattr(graph, kind):
        return None
    if kind == "transcripts" and anchor:
        transcript = graph.transcripts[key].version(graph.config.default_language)
        anchors = {t.anchor for t in transcript.turns} | {t.time_anchor for t in transcript.turns} | {
            s.anchor for s in transcript.sections}
        if anchor not in anchors:
            return None
    return (kind, key, anchor)


def check_links(graph: SiteGraph, content: ContentSet, problems: Problems, all_note_slugs: set[str]) -> None:
    found: dict[str, bool] = {}  # target -> whether it names something: many notes link to the same
    for record in [*content.notes, *content.transcripts]:
        for link in record.links:
            exists = found.get(link.target)
            if exists is None:
                exists = found[link.target] = link_target(graph, link.target) is not None
            if not exists:
                kind = link.target[2:].split("/")[0].split("#")[0]
                key = link.target[2:].split("#")[0].strip("/").split("/")[-1]
                if kind == "notes" and key in all_note_slugs and key not in graph.notes:
                    problems.warn(record.path, f"link to draft note '{key}' will be broken", line=link.line)
                    continue
                pool = {"notes": graph.notes, "people": graph.people, "topics": graph.topics,
                        "sources": graph.sources, "transcripts": graph.transcripts}.get(kind, SECTION_PAGES)
                problems.link_error(record.path, f"link '{link.target}' points to nothing", line=link.line,
                                    hint=did_you_mean(key, pool) or "see the internal link forms in README.md")
