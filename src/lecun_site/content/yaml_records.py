"""The YAML records: sources, people, topics, timeline events, quotes, discrepancies, UI strings."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

from ..errors import ContentError, Problems
from ..records import (
    LANGS,
    RELIABILITY,
    SEVERITIES,
    Citation,
    Discrepancy,
    Event,
    Localized,
    Person,
    Quote,
    Reading,
    Source,
    Topic,
)
from .fields import SOURCE_KINDS, Fields, _kind, _short
from .media import picture_field
from .textfile import parse_yaml

_SOURCE_FIELDS = ("kind", "title", "url", "media_url", "date", "publisher", "language", "speakers", "summary",
                  "author", "channel", "short", "reliability")


_PERSON_FIELDS = ("name", "aliases", "role", "bio", "born", "died", "links", "image")


_TOPIC_FIELDS = ("name", "aliases", "summary", "related")


_EVENT_FIELDS = ("id", "date", "title", "detail", "people", "topics", "sources", "notes", "image")


_QUOTE_FIELDS = ("id", "speaker", "text", "lang", "source", "at", "topics", "date", "notes", "via")


_DISCREPANCY_FIELDS = ("id", "title", "readings", "adopted", "reason", "events", "people", "topics", "notes",
                       "severity", "verdict")


def _mapping_file(display: str, text: str) -> dict | None:
    data = parse_yaml(display, text)
    if data is None:
        raise ContentError(display, "the file is empty", line=1,
                           hint="write its fields (see README.md), or delete the file")
    if not isinstance(data, dict):
        raise ContentError(display, f"expected a mapping of fields, found a {_kind(data)}", line=1,
                           hint="write one `field: value` per line, e.g. `name: {zh: …, en: …}`")
    return data


def parse_source(display: str, text: str, *, problems: Problems, id: str) -> Source | None:
    data = _mapping_file(display, text)
    f = Fields(display, data, problems, 1)
    f.check_unknown(_SOURCE_FIELDS, "source")
    kind = f.text("kind", required=True) or "web"
    if kind not in SOURCE_KINDS:
        f.error("kind", f"`kind` '{_short(kind)}' is not a source kind", hint="one of " + ", ".join(SOURCE_KINDS))
    urls = {}
    for key in ("url", "media_url"):
        value = f.text(key)
        if value and not re.match(r"^https?://[^\s<>\"']+$", value):
            f.error(key, f"`{key}` must be an http(s) URL",
                    hint="write the full address, https://…, with no spaces, quotes or < >")
            value = None
        urls[key] = value
    publisher = f.localized("publisher") or f.localized("channel") or f.localized("author")
    rating, note = _reliability(f, data or {})
    return Source(
        id=id, path=display, kind=kind, title=f.localized("title", required=True), url=urls["url"],
        media_url=urls["media_url"], date=f.date("date"), publisher=publisher,
        language=f.text("language"), speakers=f.id_list("speakers"), summary=f.localized("summary"),
        short=f.localized("short"), reliability=rating, reliability_note=note, lines=f.lines,
    )


def _reliability(f: Fields, data: dict) -> tuple[str | None, Localized]:
    """`reliability: {rating: first-hand, note: {zh: …, en: …}}`, or just the rating."""
    value = data.get("reliability")
    if value is None:
        return None, Localized()
    if isinstance(value, str):
        value = {"rating": value}
    if not isinstance(value, dict):
        f.error("reliability", "`reliability` is a rating or `{rating: …, note: {zh: …, en: …}}`",
                hint="one of " + ", ".join(RELIABILITY))
        return None, Localized()
    rf = Fields(f.display, value, f.problems, f.line("reliability"))
    rf.check_unknown(("rating", "note"), "reliability")
    rating = rf.text("rating", required=True)
    if rating is not None and rating not in RELIABILITY:
        rf.error("rating", f"`rating` '{_short(rating)}' is not a reliability rating",
                 hint="one of " + ", ".join(RELIABILITY))
        rating = None
    return rating, rf.localized("note")


def _at(f: Fields, key: str, item: dict, citation: Citation | None) -> Citation | None:
    """A separate `at:` beside `source:` (quotes, readings): text, or `{zh: …, en: …}`."""
    if citation is None or item.get(key) is None:
        return citation
    located = f.citation(key, {"source": citation.source, "at": item[key]})
    if located is None:
        return citation
    return Citation(citation.source, located.at, citation.line, located.label)


def parse_person(display: str, text: str, *, problems: Problems, id: str) -> Person | None:
    data = _mapping_file(display, text)
    f = Fields(display, data, problems, 1)
    f.check_unknown(_PERSON_FIELDS, "person")
    return Person(id=id, path=display, name=f.localized("name", required=True), aliases=f.string_list("aliases"),
                  role=f.localized("role"), bio=f.localized("bio"), born=f.date("born"), image=picture_field(f),
                  lines=f.lines)


def parse_topic(display: str, text: str, *, problems: Problems, id: str) -> Topic | None:
    data = _mapping_file(display, text)
    f = Fields(display, data, problems, 1)
    f.check_unknown(_TOPIC_FIELDS, "topic")
    return Topic(id=id, path=display, name=f.localized("name", required=True), aliases=f.string_list("aliases"),
                 summary=f.localized("summary"), related=f.id_list("related"), lines=f.lines)


def _list_file(display: str, text: str, what: str) -> list:
    data = parse_yaml(display, text)
    if data is None:
        return []
    if isinstance(data, dict):
        for key in (what, "items"):
            if isinstance(data.get(key), list):
                return data[key]
        return [data]
    if not isinstance(data, list):
        raise ContentError(display, f"expected a list of {what}, found a {_kind(data)}", line=1,
                           hint=f"write each of the {what} as a `- id: …` item (see README.md)")
    return data


def event_from_mapping(display: str, item: Any, problems: Problems, note: str | None = None,
                       line: int | None = None) -> Event | None:
    if not isinstance(item, dict):
        problems.error(display, f"an event must be a mapping, not a {_kind(item)}", line=line,
                       hint="write `- id: …` with `date`, `title` and `sources` below it")
        return None
    f = Fields(display, item, problems)
    f.check_unknown(_EVENT_FIELDS, "event")
    event_id = f.id_value("id", required=True)
    date = f.date("date", required=True)
    title = f.localized("title", required=True)
    sources = f.citations("sources") if "sources" in item else f.citations("source")
    if not sources and "sources" not in item and "source" not in item:
        f.error(None, f"event '{event_id or '?'}' cites no source", hint="add `sources: [source-id]`: every event cites at least one")
    elif not sources:
        f.error("sources", f"event '{event_id or '?'}' cites no source", hint="list at least one source id")
    if event_id is None or date is None:
        return None
    notes = f.id_list("notes")
    if note and note not in notes:
        notes = notes + (note,)
    return Event(id=event_id, path=display, line=f.base_line or 1, date=date, title=title,
                 detail=f.localized("detail"), people=f.string_list("people"), topics=f.string_list("topics"),
                 sources=sources, notes=notes, image=picture_field(f), lines=f.lines)


def parse_events(display: str, text: str, *, problems: Problems) -> list[Event]:
    items = _list_file(display, text, "events")
    found = (event_from_mapping(display, item, problems, line=_item_line(items, i)) for i, item in enumerate(items))
    return [e for e in found if e]


def quote_from_mapping(display: str, item: Any, problems: Problems, line: int | None = None) -> Quote | None:
    if not isinstance(item, dict):
        problems.error(display, f"a quote must be a mapping, not a {_kind(item)}", line=line,
                       hint="write `- id: …` with `speaker`, `text` and `source` below it")
        return None
    f = Fields(display, item, problems)
    f.check_unknown(_QUOTE_FIELDS, "quote")
    quote_id = f.id_value("id", required=True)
    speaker = f.text("speaker", required=True)
    text = f.localized("text", required=True)
    source = f.citation("source", item["source"]) if item.get("source") is not None else None
    if source is None and "source" not in item:
        f.error(None, f"quote '{quote_id or '?'}' names no source", hint="add `source: <source id>`")
    source = _at(f, "at", item, source)
    lang = f.text("lang")
    if lang is not None and lang not in LANGS:
        f.error("lang", f"`lang` must be one of {', '.join(LANGS)}", hint="write the language the source gives it in")
    if quote_id is None or speaker is None:
        return None
    return Quote(id=quote_id, path=display, line=f.base_line or 1, speaker=speaker, text=text, lang=lang,
                 source=source, topics=f.string_list("topics"), date=f.date("date"), via=f.text("via"),
                 lines=f.lines)


def parse_quotes(display: str, text: str, *, problems: Problems) -> list[Quote]:
    items = _list_file(display, text, "quotes")
    found = (quote_from_mapping(display, item, problems, line=_item_line(items, i)) for i, item in enumerate(items))
    return [q for q in found if q]


def _item_line(items: list, index: int) -> int | None:
    """The line of a list item, when the list came from YAML (a LineList)."""
    lines = getattr(items, "lines", None)
    return lines[index] if lines and index < len(lines) else None


def parse_discrepancies(display: str, text: str, *, problems: Problems) -> list[Discrepancy]:
    """A list of discrepancies, or `{group: {zh: …, en: …}, discrepancies: [...]}`: the group (an
    era or a theme) heads them on the fact-check page, in the order of the files' names."""
    found = []
    items = _list_file(display, text, "discrepancies")
    data = parse_yaml(display, text)
    group = Localized()
    if isinstance(data, dict) and "discrepancies" in data:
        gf = Fields(display, data, problems, 1)
        gf.check_unknown(("group", "discrepancies"), "discrepancy file")
        group = gf.localized("group")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.error(display, f"a discrepancy must be a mapping, not a {_kind(item)}",
                           line=_item_line(items, index), hint="write `- id: …` with `title`, `readings` and `adopted`")
            continue
        f = Fields(display, item, problems)
        f.check_unknown(_DISCREPANCY_FIELDS, "discrepancy")
        disc_id = f.id_value("id", required=True)
        readings = []
        raw = item.get("readings")
        if not isinstance(raw, list) or not raw:
            f.error("readings" if "readings" in item else None, "`readings` must list what each source says",
                    hint="write `readings:` with items `- {source: id, says: {zh: …, en: …}}`")
            raw = []
        for reading in raw:
            if not isinstance(reading, dict):
                f.error("readings", "each reading is a mapping with `source` and `says`",
                        hint="write `- {source: id, says: {zh: …, en: …}}`")
                continue
            rf = Fields(display, reading, problems, f.line("readings"))
            rf.check_unknown(("source", "at", "says"), "reading")
            citation = rf.citation("source", reading["source"]) if reading.get("source") else None
            citation = _at(rf, "at", reading, citation)
            readings.append(Reading(says=rf.localized("says", required=True), source=citation))
        if disc_id is None:
            continue
        severity = f.text("severity") or "low"
        if severity not in SEVERITIES:
            f.error("severity", f"`severity` '{_short(severity)}' is not a severity",
                    hint="one of " + ", ".join(SEVERITIES) + " (how much a reader would be misled)")
            severity = "low"
        found.append(Discrepancy(
            severity=severity, verdict=f.localized("verdict"), group=group,
            id=disc_id, path=display, line=f.base_line or 1, title=f.localized("title", required=True),
            readings=tuple(readings), adopted=f.localized("adopted", required=True), reason=f.localized("reason"),
            events=f.id_list("events"), people=f.string_list("people"), topics=f.string_list("topics"),
            notes=f.id_list("notes"), lines=f.lines,
        ))
    return found


PACKAGE_I18N = Path(__file__).resolve().parents[1] / "i18n"


def package_strings(lang: str) -> dict[str, str]:
    """The UI strings the package ships for `lang` (what content/i18n overrides)."""
    path = PACKAGE_I18N / f"{lang}.yaml"
    if not path.is_file():
        return {}
    data = parse_yaml(str(path), path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def parse_i18n(display: str, text: str, *, problems: Problems, reference: dict[str, str] | None = None
               ) -> dict[str, str]:
    """UI strings from content/i18n/<lang>.yaml; a bad string is reported and left out.

    A string that overrides one with `{placeholders}` (`decade: "{decade}s"`) may use only
    those placeholders, as plain `{name}`: templates fill them in with str.format.
    """
    data = parse_yaml(display, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(display, "UI strings must be a mapping of key: text", line=1,
                           hint="write one `key: text` per line, as in the package's i18n files")
    strings = {}
    for key, value in data.items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            problems.error(display, f"UI string '{key}' must be text, not a {_kind(value)}",
                           line=data.lines.get(key), hint=f"write `{key}: \"…\"`")
            continue
        value = str(value)
        allowed = placeholders(reference.get(str(key), "")) if reference else None
        if allowed:
            used = placeholders(value)
            if used is None or not used <= allowed:
                names = ", ".join("{" + name + "}" for name in sorted(allowed))
                problems.error(display, f"UI string '{key}' may use only the placeholders {names}",
                               line=data.lines.get(key),
                               hint="write a literal brace as {{ or }}; placeholders are plain {name}")
                continue
        strings[str(key)] = value
    return strings


def placeholders(text: str) -> set[str] | None:
    """The `{name}` fields of a str.format string; None when it is not one (or uses {a.b}, {a[0]}, {a!r})."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None]
    except ValueError:
        return None
    if any(not name.isidentifier() or spec or conversion for name, spec, conversion in fields):
        return None
    return {name for name, _, _ in fields}
