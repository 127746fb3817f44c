"""content/ → typed records.

Pure functions take (display path, text) and return records, so tests pass strings:
`split_front_matter`, `parse_note`, `parse_transcript`, `parse_source`, `parse_person`,
`parse_topic`, `parse_events`, `parse_quotes`, `parse_discrepancies`.
`load_content(root, config)` is the thin part that walks the folder.

Problems go into a `Problems` collector; a file that cannot be read at all yields no record.
"""

from __future__ import annotations

import hashlib
import os
import stat
import re
import sys
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .config import SiteConfig, localized_value
from ..errors import ContentError, Problems, did_you_mean
from ..records import (
    LANGS,
    Citation,
    DateError,
    Discrepancy,
    Event,
    FuzzyDate,
    Link,
    Localized,
    Note,
    Person,
    Quote,
    Reading,
    Section,
    Source,
    Topic,
    Transcript,
    Turn,
    is_valid_id,
    parse_timestamp,
    pickled_by_fields,
)
from .textfile import LineDict, decode_text, parse_toml, parse_yaml, read_bytes

SOURCE_KINDS = ("documentary", "article", "interview", "video", "note", "book", "paper", "web", "podcast")
NOTE_NEUTRAL_FIELDS = ("date", "people", "topics", "sources", "events", "quotes", "draft")
ID_HINT = "ids are lowercase latin kebab-case, such as geoffrey-hinton"
DATE_FORMS = "a date such as 1989, 1989-06, 1989-06-12, ~1980, 1980s or 1985-early"

# --------------------------------------------------------------------------- front matter


@dataclass(frozen=True)
class FrontMatter:
    kind: str | None  # 'yaml', 'toml' or None when the file has none
    raw: str
    raw_line: int  # line of the first front-matter line in the file
    body: str
    body_line: int


def split_front_matter(display: str, text: str) -> FrontMatter:
    """Split `---` YAML or `+++` TOML front matter from the body (Jekyll/Hugo/Eleventy style)."""
    lines = text.split("\n")
    first = lines[0].rstrip() if lines else ""
    if first not in ("---", "+++"):
        return FrontMatter(None, "", 1, text, 1)
    closers = ("---", "...") if first == "---" else ("+++",)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in closers:
            return FrontMatter(
                "yaml" if first == "---" else "toml",
                "\n".join(lines[1:index]),
                2,
                "\n".join(lines[index + 1 :]),
                index + 2,
            )
    raise ContentError(
        display, f"the front matter opened with '{first}' on line 1 is never closed",
        line=1, hint=f"add a line '{closers[0]}' after the last front-matter field",
    )


def parse_front_matter(display: str, text: str) -> tuple[dict, FrontMatter]:
    fm = split_front_matter(display, text)
    if fm.kind is None or not fm.raw.strip():
        data: Any = LineDict()
    elif fm.kind == "yaml":
        data = parse_yaml(display, fm.raw, fm.raw_line)
    else:
        data = parse_toml(display, fm.raw, fm.raw_line)
    if data is None:
        data = LineDict()
    if not isinstance(data, dict):
        raise ContentError(display, f"the front matter must be a mapping of fields, not a {_kind(data)}", line=fm.raw_line,
                           hint="write one `field: value` per line between the --- lines, e.g. `title: …`")
    return data, fm


# --------------------------------------------------------------------------- typed fields


class Fields:
    """Typed access to one mapping, reporting every problem with its line."""

    def __init__(self, display: str, data: dict, problems: Problems, line: int | None = None) -> None:
        self.display = display
        self.data = data
        self.problems = problems
        self.lines: dict = dict(getattr(data, "lines", {}))
        self.base_line = getattr(data, "line", None) or line

    def line(self, key: str) -> int | None:
        return self.lines.get(key, self.base_line)

    def error(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.problems.error(self.display, message, line=self.line(key) if key else self.base_line, field=key, hint=hint)

    def warn(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.problems.warn(self.display, message, line=self.line(key) if key else self.base_line, field=key, hint=hint)

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(None, f"`{key}` is required", hint=f"add `{key}: …`")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(key, f"`{key}` must be text, not a {_kind(value)}",
                       hint=f"write `{key}: some text` (put it in quotes if it starts with [ or {{)")
            return None
        return str(value).strip()

    def localized(self, key: str, required: bool = False) -> Localized:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(None, f"`{key}` is required", hint=f"add `{key}: {{zh: …, en: …}}`")
            return Localized()
        result = localized_value(value)
        if result is None:
            if isinstance(value, dict):
                extra = [k for k in value if k not in LANGS]
                self.error(key, f"`{key}` has unknown language key(s) {', '.join(map(str, extra)) or 'with non-text values'}",
                           hint="write `{zh: …, en: …}`")
            else:
                self.error(key, f"`{key}` must be text or `{{zh: …, en: …}}`, not a {_kind(value)}",
                           hint=f"write `{key}: {{zh: …, en: …}}`, or one text for both languages")
            return Localized()
        if required and not result:
            self.error(key, f"`{key}` is empty", hint=f"write `{key}: {{zh: …, en: …}}`")
        return result

    def string_list(self, key: str) -> tuple[str, ...]:
        """A string or a list of strings (as `tags` may be written)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, (str, int)) for v in value):
            self.error(key, f"`{key}` must be a list of names", hint=f"write `{key}: [first, second]` or one name")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    def id_value(self, key: str, required: bool = False) -> str | None:
        value = self.text(key, required)
        if value is not None and not is_valid_id(value):
            self.error(key, f"`{key}` '{_short(value)}' is not a valid id",
                       hint=ID_HINT)
            return None
        return value

    def id_list(self, key: str) -> tuple[str, ...]:
        values = self.string_list(key)
        good = []
        for value in values:
            if is_valid_id(value):
                good.append(sys.intern(value))
            else:
                self.error(key, f"`{key}` has '{_short(value)}', which is not a valid id",
                           hint="ids are lowercase latin kebab-case")
        return tuple(good)

    def date(self, key: str, required: bool = False) -> FuzzyDate | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(None, f"`{key}` is required", hint=f"add `{key}:` with {DATE_FORMS}")
            return None
        try:
            return FuzzyDate.parse(value)
        except DateError as exc:
            self.error(key, f"`{key}`: {exc}", hint=f"write {DATE_FORMS}")
            return None

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
            return value.strip().lower() in ("true", "yes")
        self.error(key, f"`{key}` must be true or false", hint=f"write `{key}: true` or `{key}: false`")
        return default

    def citation(self, key: str, value: Any) -> Citation | None:
        line = self.line(key)
        if isinstance(value, str) and value.strip():
            source, _, at = value.strip().partition("@")
            source = source.strip()
            if not is_valid_id(source):
                self.error(key, f"`{key}`: '{_short(source)}' is not a source id",
                           hint="cite a source by its id, e.g. heroes-of-deep-learning")
                return None
            return Citation(sys.intern(source), at.strip() or None, line)
        if isinstance(value, dict):
            source = value.get("source", value.get("id"))
            at = value.get("at")
            if not isinstance(source, str) or not is_valid_id(source.strip()):
                self.error(key, f"`{key}`: a citation needs `source: <source id>`",
                           hint="write `{source: heroes-of-deep-learning, at: turn-12}` or just the source id")
                return None
            if at is not None and (isinstance(at, bool) or not isinstance(at, (str, int))):
                self.error(key, f"`{key}`: `at` must be text such as turn-12 or 00:12:34",
                           hint="write `at: turn-12`, `at: 00:12:34` or the name of a section")
                at = None
            unknown = set(value) - {"source", "id", "at"}
            if unknown:
                self.warn(key, f"`{key}`: unknown citation field(s) {', '.join(sorted(map(str, unknown)))}",
                          hint="a citation has `source` and optional `at`")
            return Citation(sys.intern(source.strip()), str(at).strip() if at is not None else None,
                            getattr(value, "line", None) or line)
        self.error(key, f"`{key}`: a citation is a source id or `{{source: id, at: locator}}`, not a {_kind(value)}",
                   hint="write `sources: [source-id, {source: other-id, at: turn-3}]`")
        return None

    def citations(self, key: str) -> tuple[Citation, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            value = [value]
        found = (self.citation(key, item) for item in value)
        return tuple(c for c in found if c is not None)

    def check_unknown(self, allowed: tuple[str, ...], what: str) -> None:
        for key in self.data:
            if key not in allowed:
                self.warn(str(key), f"unknown {what} field '{key}' is ignored",
                          hint=did_you_mean(str(key), allowed) or f"{what} fields: {', '.join(allowed)}")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return {str: "string", int: "number", float: "number", bool: "true/false",
            type(None): "empty value"}.get(type(value), type(value).__name__)


def _short(text: str, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- body scanning

_CITATION_RE = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_-]*)(?:\s*[,，]\s*([^\]\n]{1,80}))?\]")
# Bounded repeats: unbounded ones rescan the rest of the line at every '](' (quadratic).
_LINK_RE = re.compile(r"\]\(\s*<?(@/[^()\[\]\s<>\"]{0,300})>?(?:\s+\"[^\"\n]{0,300}\")?\s*\)")
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")


def scan_body(body: str, first_line: int) -> tuple[tuple[Citation, ...], tuple[Link, ...]]:
    """Citations `[@id, at]` and internal links `(@/…)` in a markdown body, with lines.

    Fenced code is skipped, as the markdown renderer shows it literally.
    """
    citations: list[Citation] = []
    links: list[Link] = []
    fence: str | None = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        match = _FENCE_RE.match(line)
        if match:
            if fence is None:
                fence = match[1]
            elif match[1] == fence:
                fence = None
            continue
        if fence is not None or ("[@" not in line and "@/" not in line):
            continue
        # interned: a large site repeats the same few hundred targets hundreds of thousands of times
        for m in _CITATION_RE.finditer(line):
            citations.append(Citation(sys.intern(m[1]), m[2].strip() if m[2] else None, number))
        for m in _LINK_RE.finditer(line):
            links.append(Link(sys.intern(m[1]), number))
    return tuple(citations), tuple(links)


_ATX_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(\S.*)$")


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of a `## heading ##` line, else None.

    The closing #s are stripped in plain code: a regex that does it backtracks for minutes
    on a heading followed by thousands of spaces.
    """
    match = _ATX_RE.match(line)
    if not match:
        return None
    text = match[2].rstrip()
    unclosed = text.rstrip("#")
    if unclosed != text and (not unclosed or unclosed[-1] in " \t"):
        text = unclosed.rstrip()
    return (len(match[1]), text) if text else None


def first_heading(body: str) -> str | None:
    for line in body.split("\n"):
        heading = atx_heading(line)
        if heading:
            return heading[1]
    return None


# --------------------------------------------------------------------------- file names

_LANG_FILE_RE = re.compile(r"^(?P<slug>.+?)(?:\.(?P<lang>zh|en))?\.(?:md|markdown)$")


def slug_and_lang(filename: str) -> tuple[str, str | None]:
    match = _LANG_FILE_RE.match(filename)
    if not match:
        return filename, None
    return match["slug"], match["lang"]


def is_ignored_name(name: str) -> bool:
    """Hidden files, editor swap and backup files."""
    return (
        name.startswith(".") or name.endswith("~") or name.endswith((".swp", ".swx", ".swo", ".tmp", ".bak"))
        or name == "4913" or name.startswith("#")
    )


# --------------------------------------------------------------------------- notes

_NOTE_FIELDS_KNOWN = ("title", "date", "summary", "people", "topics", "tags", "sources", "events", "quotes",
                      "draft", "lang", "language", "slug")


def parse_note(display: str, text: str, *, problems: Problems, slug: str, lang: str | None,
               default_lang: str = "zh") -> Note | None:
    """One note file → Note (or None when it cannot be read at all)."""
    try:
        data, fm = parse_front_matter(display, text)
    except ContentError as exc:
        problems.add(exc)
        return None
    f = Fields(display, data, problems, fm.raw_line)
    lang = lang or _declared_lang(f) or default_lang
    if "slug" in data and f.text("slug") and f.text("slug") != slug:
        f.warn("slug", f"`slug` '{_short(f.text('slug'))}' is ignored: a note's slug is its file name ('{slug}')")
    title = f.text("title")
    if not title:
        heading = first_heading(fm.body)
        title = heading or slug.replace("-", " ")
        f.warn(None if "title" not in data else "title",
               f"the note has no title; using {'its first heading' if heading else 'its file name'} '{_short(title)}'",
               hint="add `title:` to the front matter")
    summary = f.text("summary") or ""
    date = f.date("date")
    declared_events, event_ids = _note_events(f, slug)
    declared_quotes, quote_ids = _note_quotes(f)
    byline = _byline(f)
    original_url = _original_url(f)
    citations, links = scan_body(fm.body, fm.body_line)
    extra = {k: v for k, v in data.items() if k not in _NOTE_FIELDS_KNOWN}
    given = frozenset(k for k in NOTE_NEUTRAL_FIELDS if k in data and data[k] is not None)
    if "tags" in data and data["tags"] is not None:
        given |= {"topics"}
    return Note(
        slug=slug, lang=lang, path=display, title=title, body=fm.body, body_line=fm.body_line,
        date=date, summary=summary,
        people=f.string_list("people"), topics=f.string_list("topics"), tags=f.string_list("tags"),
        sources=f.citations("sources"),
        events=event_ids, declared_events=declared_events,
        quotes=quote_ids, declared_quotes=declared_quotes,
        draft=f.boolean("draft"), byline=byline, original_url=original_url,
        body_citations=citations, links=links, extra=extra, given=tuple(sorted(given)), lines=f.lines,
    )


def _declared_lang(f: Fields) -> str | None:
    for key in ("lang", "language"):
        value = f.data.get(key)
        if isinstance(value, str):
            short = value.strip().lower().replace("_", "-").split("-")[0]
            if short in LANGS:
                return short
            f.warn(key, f"`{key}` '{_short(value)}' is not one of the site's languages ({', '.join(LANGS)})")
    return None


def _byline(f: Fields) -> str | None:
    for key in ("author", "speaker", "guest", "authors"):
        value = f.data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return ", ".join(v.strip() for v in value if v.strip()) or None
        if isinstance(value, dict):
            name = value.get("name") or value.get("title")
            if isinstance(name, str) and name.strip():
                return name.strip()
    return None


def _original_url(f: Fields) -> str | None:
    for key in ("source", "source_url", "original", "url", "link", "canonical"):
        value = f.data.get(key)
        if isinstance(value, str) and re.match(r"^https?://[^\s<>\"']+$", value.strip()):
            return value.strip()
    return None


def _note_events(f: Fields, slug: str) -> tuple[tuple[Event, ...], tuple[str, ...]]:
    value = f.data.get("events")
    if value is None:
        return (), ()
    if not isinstance(value, list):
        value = [value]
    declared, ids = [], []
    for item in value:
        if isinstance(item, str):
            if is_valid_id(item.strip()):
                ids.append(item.strip())
            else:
                f.error("events", f"`events` has '{_short(item)}', which is not an event id", hint=ID_HINT)
        elif isinstance(item, dict):
            event = event_from_mapping(f.display, item, f.problems, note=slug)
            if event is not None:
                declared.append(event)
                ids.append(event.id)
        else:
            f.error("events", f"`events` items are event ids or event mappings, not a {_kind(item)}",
                    hint="write `events: [1989-zip-code]`, or events as in content/timeline/*.yaml")
    return tuple(declared), tuple(ids)


def _note_quotes(f: Fields) -> tuple[tuple[Quote, ...], tuple[str, ...]]:
    value = f.data.get("quotes")
    if value is None:
        return (), ()
    if not isinstance(value, list):
        value = [value]
    declared, ids = [], []
    for item in value:
        if isinstance(item, str) and is_valid_id(item.strip()):
            ids.append(item.strip())
        elif isinstance(item, dict):
            quote = quote_from_mapping(f.display, item, f.problems)
            if quote is not None:
                declared.append(quote)
                ids.append(quote.id)
        else:
            f.error("quotes", "`quotes` items are quote ids or quote mappings",
                    hint="write `quotes: [machines-must-learn]`, or quotes as in content/quotes/*.yaml")
    return tuple(declared), tuple(ids)


# --------------------------------------------------------------------------- transcripts

_TURN_RE = re.compile(
    r"^(?:\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)\]\s*)?"
    r"\*\*(?P<label>[^*\n]{1,60}?)\s*(?:[:：]\s*\*\*|\*\*\s*[:：])\s*(?P<text>.*)$",
    re.DOTALL,
)


def parse_transcript(display: str, text: str, *, problems: Problems, slug: str, lang: str | None,
                     default_lang: str = "zh") -> Transcript | None:
    """A transcript file → Transcript with numbered turns and sections."""
    try:
        data, fm = parse_front_matter(display, text)
    except ContentError as exc:
        problems.add(exc)
        return None
    f = Fields(display, data, problems, fm.raw_line)
    lang = lang or _declared_lang(f) or default_lang
    title = f.text("title") or first_heading(fm.body) or slug.replace("-", " ")
    if not f.text("title"):
        f.warn(None, f"the transcript has no title; using '{_short(title)}'", hint="add `title:`")
    speakers: dict[str, str] = {}
    raw_speakers = data.get("speakers")
    if raw_speakers is not None:
        if not isinstance(raw_speakers, dict):
            f.error("speakers", "`speakers` must map the labels used in turns to person ids",
                    hint="write `speakers: {吴恩达: andrew-ng, 杨立昆: yann-lecun}`")
        else:
            for label, person in raw_speakers.items():
                if not isinstance(person, str) or not is_valid_id(person.strip()):
                    f.error("speakers", f"`speakers`: '{_short(label)}' must map to a person id",
                            hint=f"write `{_short(label)}: person-id`, the name of a file in content/people/")
                else:
                    speakers[str(label).strip()] = person.strip()
    turns, sections, intro = _split_turns(display, fm.body, fm.body_line, speakers, problems)
    citations, links = scan_body(fm.body, fm.body_line)
    media = f.text("media")
    if media and not re.match(r"^https?://", media):
        f.error("media", "`media` must be an http(s) URL", hint="write the address of the video, https://…")
        media = None
    source = f.id_value("source")
    if source is None and isinstance(data.get("source"), str) and re.match(r"^https?://", data["source"]):
        media = media or data["source"].strip()
    return Transcript(
        slug=slug, lang=lang, path=display, title=title, source=source,
        speakers=speakers, turns=turns, sections=sections, intro=intro,
        date=f.date("date"), summary=f.text("summary") or "", media=media,
        people=f.string_list("people"), topics=f.string_list("topics") + f.string_list("tags"),
        draft=f.boolean("draft"), body_citations=citations, links=links,
        extra={k: v for k, v in data.items() if k not in ("title", "source", "speakers", "media", "date",
                                                          "summary", "people", "topics", "tags", "draft")},
        lines=f.lines,
    )


def _paragraphs(body: str, first_line: int):
    """(line, text, is_heading) for each paragraph or heading of a markdown body; fences kept whole."""
    block: list[str] = []
    start = first_line
    fence = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        fence_match = _FENCE_RE.match(line)
        if fence is not None:
            block.append(line)
            if fence_match and fence_match[1] == fence:
                fence = None
            continue
        if fence_match:
            if not block:
                start = number
            block.append(line)
            fence = fence_match[1]
            continue
        heading = atx_heading(line)
        if heading:
            if block:
                yield start, "\n".join(block), False
                block = []
            yield number, heading[1], True
            continue
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, "\n".join(block), False
            block = []
    if block:
        yield start, "\n".join(block), False


def _split_turns(display, body, first_line, speakers, problems):
    turns: list[dict] = []
    sections: list[Section] = []
    intro: list[str] = []
    used_anchors: set[str] = set()
    for line, text, is_heading in _paragraphs(body, first_line):
        if is_heading:
            anchor = unique_anchor(text, used_anchors, prefix="s")
            sections.append(Section(title=text, anchor=anchor, first_turn=len(turns) + 1))
            continue
        match = _TURN_RE.match(text)
        if match:
            start = None
            if match["ts"]:
                start = parse_timestamp(match["ts"])
                if start is None:
                    problems.error(display, f"'[{match['ts']}]' is not a valid timestamp", line=line,
                                   hint="write [HH:MM:SS] or [MM:SS]")
            label = match["label"].strip()
            if turns and start is not None and turns[-1]["start"] is not None and start < turns[-1]["start"]:
                problems.warn(display, f"turn starts at [{match['ts']}], before the previous turn", line=line)
            turns.append({"label": label, "text": match["text"].strip(), "line": line, "start": start,
                          "section": len(sections) - 1 if sections else None})
        elif turns:
            turns[-1]["text"] += "\n\n" + text
        else:
            intro.append(text)
    result = tuple(
        Turn(number=i, speaker_label=t["label"], speaker=speakers.get(t["label"]), text=t["text"],
             line=t["line"], start=t["start"], section=t["section"])
        for i, t in enumerate(turns, start=1)
    )
    return result, tuple(sections), "\n\n".join(intro)


def unique_anchor(text: str, used: set[str], prefix: str = "h") -> str:
    """A readable, unique id for a heading: latin words kebab-cased, CJK kept, else a counter."""
    base = re.sub(r"[^\w\u3400-\u9fff]+", "-", text.lower()).strip("-_")[:60].strip("-")
    if not base or base[0].isdigit():
        base = f"{prefix}-{base}" if base else f"{prefix}-{len(used) + 1}"
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


# --------------------------------------------------------------------------- YAML records

_SOURCE_FIELDS = ("kind", "title", "url", "media_url", "date", "publisher", "language", "speakers", "summary",
                  "author", "channel")
_PERSON_FIELDS = ("name", "aliases", "role", "bio", "born", "died", "links")
_TOPIC_FIELDS = ("name", "aliases", "summary", "related")
_EVENT_FIELDS = ("id", "date", "title", "detail", "people", "topics", "sources", "notes")
_QUOTE_FIELDS = ("id", "speaker", "text", "lang", "source", "at", "topics", "date", "notes")
_DISCREPANCY_FIELDS = ("id", "title", "readings", "adopted", "reason", "events", "people", "topics", "notes")


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
    return Source(
        id=id, path=display, kind=kind, title=f.localized("title", required=True), url=urls["url"],
        media_url=urls["media_url"], date=f.date("date"), publisher=publisher,
        language=f.text("language"), speakers=f.id_list("speakers"), summary=f.localized("summary"),
        lines=f.lines,
    )


def parse_person(display: str, text: str, *, problems: Problems, id: str) -> Person | None:
    data = _mapping_file(display, text)
    f = Fields(display, data, problems, 1)
    f.check_unknown(_PERSON_FIELDS, "person")
    return Person(id=id, path=display, name=f.localized("name", required=True), aliases=f.string_list("aliases"),
                  role=f.localized("role"), bio=f.localized("bio"), born=f.date("born"), lines=f.lines)


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
                 sources=sources, notes=notes, lines=f.lines)


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
    at = f.text("at")
    if source is not None and at:
        source = Citation(source.source, at, source.line)
    lang = f.text("lang")
    if lang is not None and lang not in LANGS:
        f.error("lang", f"`lang` must be one of {', '.join(LANGS)}", hint="write the language the source gives it in")
    if quote_id is None or speaker is None:
        return None
    return Quote(id=quote_id, path=display, line=f.base_line or 1, speaker=speaker, text=text, lang=lang,
                 source=source, topics=f.string_list("topics"), date=f.date("date"), lines=f.lines)


def parse_quotes(display: str, text: str, *, problems: Problems) -> list[Quote]:
    items = _list_file(display, text, "quotes")
    found = (quote_from_mapping(display, item, problems, line=_item_line(items, i)) for i, item in enumerate(items))
    return [q for q in found if q]


def _item_line(items: list, index: int) -> int | None:
    """The line of a list item, when the list came from YAML (a LineList)."""
    lines = getattr(items, "lines", None)
    return lines[index] if lines and index < len(lines) else None


def parse_discrepancies(display: str, text: str, *, problems: Problems) -> list[Discrepancy]:
    found = []
    items = _list_file(display, text, "discrepancies")
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
            if citation is not None and rf.text("at"):
                citation = Citation(citation.source, rf.text("at"), citation.line)
            readings.append(Reading(says=rf.localized("says", required=True), source=citation))
        if disc_id is None:
            continue
        found.append(Discrepancy(
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


# --------------------------------------------------------------------------- the folder


@dataclass
class ContentSet:
    """Everything read from content/, before cross-references are resolved."""

    config: SiteConfig
    sources: list[Source] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    transcripts: list[Transcript] = field(default_factory=list)
    i18n: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # display path -> folder kind
    unreadable: set[tuple[str, str]] = field(default_factory=set)  # (slug, lang) of notes that failed to parse
    unreadable_ids: set[tuple[str, str]] = field(default_factory=set)  # (folder, id) of files that failed


_RECORD_LISTS = ("sources", "people", "topics", "events", "quotes", "discrepancies", "notes", "transcripts")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class FilePart:
    """What one file holds, as kept per file between builds (serve's parse cache, the build
    cache): tuples and frozensets, so that the collections a file does not fill cost nothing."""

    sources: tuple[Source, ...] = ()
    people: tuple[Person, ...] = ()
    topics: tuple[Topic, ...] = ()
    events: tuple[Event, ...] = ()
    quotes: tuple[Quote, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()
    notes: tuple[Note, ...] = ()
    transcripts: tuple[Transcript, ...] = ()
    i18n: tuple[tuple[str, dict[str, str]], ...] = ()
    unreadable: frozenset[tuple[str, str]] = frozenset()
    unreadable_ids: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, content: "ContentSet") -> "FilePart":
        return cls(**{name: tuple(getattr(content, name)) for name in _RECORD_LISTS},
                   i18n=tuple(content.i18n.items()), unreadable=frozenset(content.unreadable),
                   unreadable_ids=frozenset(content.unreadable_ids))


_FOLDERS = ("sources", "people", "topics", "timeline", "quotes", "discrepancies", "notes", "transcripts", "i18n")


def content_files(root: Path, problems: Problems):
    """(folder, path, display) for each content file.

    Links are never followed out of content/: a linked file must point inside it, a linked
    folder is not walked (one pointing outside, or a broken or looping link, is an error),
    and the walk itself does not follow links, so a loop cannot make it go round forever.
    """
    root_real = root.resolve()
    for folder in _FOLDERS:
        base = root / folder
        if base.is_symlink():
            _linked_folder(root, root_real, base, problems)
            continue
        if not base.is_dir():
            continue
        found = []

        def unreadable(exc: OSError) -> None:
            problems.error(display_path(root, Path(exc.filename)), f"cannot read the folder: {exc.strerror}",
                           hint="check that the folder exists and that you may read it")

        for dirpath, dirnames, filenames in os.walk(base, onerror=unreadable, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not is_ignored_name(d))
            for name in filenames:
                if not is_ignored_name(name):
                    found.append(Path(dirpath) / name)
            for name in list(dirnames):
                if (Path(dirpath) / name).is_symlink():
                    dirnames.remove(name)
                    _linked_folder(root, root_real, Path(dirpath) / name, problems)
        for path in sorted(found):
            display = display_path(root, path)
            if path.is_symlink():
                target = _link_target(path)
                if target is None:
                    problems.error(display, "the file is a broken or looping link",
                                   hint="remove the link, or copy the file into content/")
                    continue
                if not target.is_relative_to(root_real):
                    problems.error(display, "the file is a link to outside the content folder; refused",
                                   hint="copy the file into content/ instead of linking to it")
                    continue
            yield folder, path, display


def _link_target(path: Path) -> Path | None:
    """Where a link finally points, or None for a broken link or a loop."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None


def _linked_folder(root: Path, root_real: Path, path: Path, problems: Problems) -> None:
    display = display_path(root, path)
    target = _link_target(path)
    if target is None:
        problems.error(display, "the folder is a broken or looping link", hint="remove the link")
    elif not target.is_relative_to(root_real):
        problems.error(display, "the folder is a link to outside the content folder; refused",
                       hint="copy the files into content/ instead of linking to them")
    else:
        problems.warn(display, "a linked folder is not followed", hint="copy the files into content/ instead")


def display_path(root: Path, path: Path) -> str:
    """The path as the writer knows it: the content folder as given, then the file inside it."""
    try:
        return str(root / path.relative_to(root))
    except ValueError:
        return str(path)


def load_content(root: Path, config: SiteConfig, problems: Problems, cache: dict | None = None,
                 digests: dict[str, bytes | None] | None = None) -> ContentSet:
    """Walk content/ and parse every file into records; problems are collected, not raised.

    With a `cache` (display path -> (stat key, BLAKE2 digest of the bytes, parsed part,
    problems)), a file is not parsed again when its stat key (modification time, size, inode)
    is unchanged (serve's rebuilds), or else when its bytes hash the same (the build cache,
    cache.py, whose entries have no stat key: they come from another process). `digests`
    are hashes already taken this build (the build cache's up-to-date check), not taken again.
    """
    content = ContentSet(config=config)
    files = list(content_files(root, problems))
    results: dict[str, tuple] = {}
    todo = []
    for folder, path, display in files:
        content.files[display] = folder
        hit = cache.get(display) if cache is not None else None
        key = stat_key(path)
        if hit is not None and hit[0] == key:
            results[display] = hit
            continue
        if cache is None or hit is None:
            digest = None  # nothing to compare with: the parser hashes the bytes it reads
        elif digests is not None and display in digests:
            digest = digests[display]
        else:
            digest = file_digest(path, key, config.max_file_size)
        if hit is not None and digest is not None and hit[1] == digest:
            results[display] = (key, digest, hit[2], hit[3])
        else:
            todo.append((folder, path, display, key, digest))
    for (folder, path, display, key, digest), (part, found, read) in zip(todo, _parse_files(todo, config)):
        if cache is not None and digest is None:
            digest = read  # the hash of the bytes the parser read
        results[display] = (key if digest is not None else None, digest, part, found)
    for _, _, display in files:  # merged in the order of the walk, however they were parsed
        entry = results[display]
        _merge(content, entry[2])
        problems.items.extend(entry[3])
    if cache is not None:
        cache.clear()
        cache.update(results)
    return content


# Parsing (YAML above all) is most of the time of loading a large site, and files are
# independent: many files are parsed in forked workers (parallel.py), as pages are rendered.
PARALLEL_MIN_FILES = 400


def _parse_files(todo: list[tuple], config: SiteConfig) -> list[tuple]:
    from ..build.parallel import fan_out

    return fan_out(lambda chunk: [load_file(folder, path, display, config) for folder, path, display, *_ in chunk],
                   todo, PARALLEL_MIN_FILES)


def stat_key(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return ()
    return (st.st_mtime_ns, st.st_size, st.st_ino, stat.S_ISREG(st.st_mode))


def file_digest(path: Path, key: tuple, max_size: int) -> bytes | None:
    """A hash of a regular file's bytes (None for anything else: it is parsed, and reported)."""
    if not key or not key[3] or key[1] > max_size:
        return None
    try:
        with open(path, "rb") as handle:
            return _digest(handle.read(max_size + 1))
    except OSError:
        return None


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def load_file(folder: str, path: Path, display: str, config: SiteConfig) -> tuple[FilePart, list, bytes | None]:
    """One file → the records it holds, its problems, and the BLAKE2 digest of the bytes it
    was parsed from (None if it could not be read)."""
    part = ContentSet(config=config)
    problems = Problems()
    suffix = path.suffix.lower()
    expected = (".md", ".markdown") if folder in ("notes", "transcripts") else (".yaml", ".yml")
    digest = None
    if suffix not in expected:
        problems.warn(display, f"ignored: {folder}/ holds {' or '.join(expected)} files")
        return FilePart(), problems.items, file_digest(path, stat_key(path), config.max_file_size)
    try:
        data = read_bytes(path, display, config.max_file_size)
        digest = _digest(data)
        _load_one(part, folder, path, display, decode_text(data, display), problems)
        return FilePart.of(part), problems.items, digest
    except ContentError as exc:
        problems.add(exc)
    except RecursionError:
        problems.error(display, "the file is nested too deeply to read", hint="flatten its lists and mappings")
    # remember what failed, so that references to it do not add errors of their own
    if folder in ("notes", "transcripts"):
        slug, lang = slug_and_lang(path.name)
        part.unreadable.add((slug, lang or config.default_language))
    part.unreadable_ids.add((folder, path.stem))
    return FilePart.of(part), problems.items, digest


def _merge(content: "ContentSet", part: FilePart) -> None:
    for name in _RECORD_LISTS:
        getattr(content, name).extend(getattr(part, name))
    content.i18n.update(part.i18n)
    content.unreadable |= part.unreadable
    content.unreadable_ids |= part.unreadable_ids


def _load_one(content: ContentSet, folder: str, path: Path, display: str, text: str, problems: Problems) -> None:
    config = content.config
    if folder in ("notes", "transcripts"):
        slug, lang = slug_and_lang(path.name)
        if not is_valid_id(slug):
            problems.error(display, f"the file name '{slug}' is not a valid slug",
                           hint="name notes in lowercase latin kebab-case, e.g. bell-labs.zh.md")
            return
        parse = parse_note if folder == "notes" else parse_transcript
        record = parse(display, text, problems=problems, slug=slug, lang=lang, default_lang=config.default_language)
        if record is not None:
            (content.notes if folder == "notes" else content.transcripts).append(record)
        else:
            content.unreadable.add((slug, lang or config.default_language))
        return
    stem = path.stem
    if folder == "i18n":
        if stem not in LANGS:
            problems.warn(display, f"ignored: i18n files are named {' or '.join(f'{l}.yaml' for l in LANGS)}")
            return
        content.i18n[stem] = parse_i18n(display, text, problems=problems, reference=package_strings(stem))
        return
    single: dict[str, Callable] = {"sources": parse_source, "people": parse_person, "topics": parse_topic}
    if folder in single:
        if not is_valid_id(stem):
            problems.error(display, f"the file name '{stem}' is not a valid id",
                           hint="ids are lowercase latin kebab-case, e.g. geoffrey-hinton.yaml")
            return
        record = single[folder](display, text, problems=problems, id=stem)
        if record is not None:
            getattr(content, folder).append(record)
        return
    many: dict[str, tuple[Callable, str]] = {
        "timeline": (parse_events, "events"), "quotes": (parse_quotes, "quotes"),
        "discrepancies": (parse_discrepancies, "discrepancies"),
    }
    parse, attr = many[folder]
    getattr(content, attr).extend(parse(display, text, problems=problems))
