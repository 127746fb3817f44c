"""`parse_note(display, text, …) -> Note`: a note's front matter and body, as any generator writes them."""

from __future__ import annotations

import re

from ..errors import ContentError, Problems
from ..records import LANGS, DateError, Event, FuzzyDate, Note, Quote, is_valid_id
from .body import first_heading, scan_body, summary_before_more
from .filenames import FileName
from .fields import ID_HINT, NOTE_NEUTRAL_FIELDS, Fields, _kind, _short
from .frontmatter import parse_front_matter
from .media import picture_field, scan_pictures, video_field
from .yaml_records import event_from_mapping, quote_from_mapping

_NOTE_FIELDS_KNOWN = ("title", "date", "summary", "people", "topics", "tags", "sources", "events", "quotes",
                      "draft", "lang", "language", "slug", "image", "video")


def parse_note(display: str, text: str, *, problems: Problems, slug: str, lang: str | None,
               default_lang: str = "zh", name: FileName | None = None) -> Note | None:
    """One note file → Note (or None when it cannot be read at all)."""
    opened = open_front_matter(display, text, problems, slug, lang, default_lang, name)
    if opened is None:
        return None
    data, fm, f, lang, slug = opened
    title = f.text("title")
    if not title:
        heading = first_heading(fm.body)
        title = heading or slug.replace("-", " ")
        f.warn(None if "title" not in data else "title",
               f"the note has no title; using {'its first heading' if heading else 'its file name'} '{_short(title)}'",
               hint="add `title:` to the front matter")
    # the summary as other generators name it: Jekyll's `excerpt`, Hugo's `description`, or the
    # text above `<!--more-->`
    summary = f.text("summary") or _foreign_text(data, "excerpt", "description") or summary_before_more(fm.body) or ""
    date = f.date("date")
    if date is None and name is not None and name.date is not None and "date" not in data:
        try:
            date = FuzzyDate.parse(name.date)
        except DateError:
            f.warn(None, f"the date in the file name ({name.date}) is not a date; the note is undated")
    declared_events, event_ids = _note_events(f, slug)
    declared_quotes, quote_ids = _note_quotes(f)
    byline = _byline(f)
    original_url = _original_url(f)
    citations, links = scan_body(fm.body, fm.body_line)
    extra = {k: v for k, v in data.items() if k not in _NOTE_FIELDS_KNOWN}
    given = frozenset(k for k in NOTE_NEUTRAL_FIELDS if k in data and data[k] is not None)
    if "tags" in data and data["tags"] is not None:
        given |= {"topics"}
    if date is not None:
        given |= {"date"}
    return Note(
        slug=slug, lang=lang, path=display, title=title, body=fm.body, body_line=fm.body_line,
        date=date, summary=summary,
        people=f.string_list("people"), topics=f.string_list("topics"), tags=f.string_list("tags"),
        sources=f.citations("sources"),
        events=event_ids, declared_events=declared_events,
        quotes=quote_ids, declared_quotes=declared_quotes,
        draft=f.boolean("draft"), byline=byline, original_url=original_url,
        body_citations=citations, links=links, image=picture_field(f), pictures=scan_pictures(fm.body, fm.body_line),
        video=video_field(f), extra=extra, given=tuple(sorted(given)), lines=f.lines,
    )


def open_front_matter(display: str, text: str, problems: Problems, slug: str, lang: str | None,
                      default_lang: str, name: FileName | None):
    """What notes and transcripts begin with: (data, front matter, Fields, language, slug), or
    None when the front matter cannot be read (the problem is added)."""
    try:
        data, fm = parse_front_matter(display, text, problems)
    except ContentError as exc:
        problems.add(exc)
        return None
    f = Fields(display, data, problems, fm.raw_line)
    return data, fm, f, lang or _declared_lang(f) or default_lang, choose_slug(f, slug, name)


def _foreign_text(data: dict, *keys: str) -> str | None:
    """The first of these fields (other generators' names for one of ours) that is plain text."""
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def choose_slug(f: Fields, slug: str, name: FileName | None) -> str:
    """The slug: `slug:` from the front matter when it is a valid slug (as Hugo and Jekyll honour it),
    else the file name's; a name that was not a slug gets a warning saying what was made of it."""
    written = f.data.get("slug")
    if isinstance(written, str) and written.strip():
        value = written.strip()
        if is_valid_id(value):
            return value
        f.warn("slug", f"`slug` '{_short(value)}' is not a valid slug and is ignored; the URL uses '{slug}'",
               hint="a slug is lowercase latin kebab-case, such as bell-labs")
    elif name is not None and name.derived:
        f.problems.warn(f.display, f"the file name '{_short(name.written)}' is not a slug; the URL uses '{slug}'",
                        hint=f"add `slug: {slug}` (or another) to the front matter to choose it")
    return slug


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
