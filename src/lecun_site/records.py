"""Typed records: one frozen dataclass per thing the site is made of. No I/O here.

Past the loader, no code reads a YAML dict: it reads these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .values import LANGS, DateError, Era, FuzzyDate, Lang, Localized, pickled_by_fields  # noqa: F401 - re-exported

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_valid_id(value: str) -> bool:
    """Ids and slugs: lowercase latin kebab-case, at most 100 characters."""
    return bool(ID_RE.match(value)) and len(value) <= 100


# --------------------------------------------------------------------------- records


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Citation:
    """A pointer to a source, optionally to a place in it (`turn-12`, `00:12:34`, `§ Bell Labs`)."""

    source: str
    at: str | None = None
    line: int | None = None  # where the citation was written
    label: "Localized | None" = None  # a free-text locator given in each language (`at: {zh: …, en: …}`)

    @property
    def turn_anchor(self) -> str | None:
        """The transcript anchor this locator names, if it names one."""
        if not self.at:
            return None
        at = self.at.strip()
        if re.fullmatch(r"turn-\d+", at):
            return at
        seconds = parse_timestamp(at)
        if seconds is not None:
            return time_anchor(seconds)
        return None


def parse_timestamp(text: str) -> int | None:
    """'00:12:34', '12:34', '1:02:03' or '100:02:03' (a recording past 99 hours) → seconds; None for anything else."""
    match = re.fullmatch(r"(?:(\d{1,4}):)?(\d{1,2}):(\d{2})(?:[.,]\d+)?", text.strip())
    if not match:
        return None
    hours = int(match[1] or 0)
    minutes, seconds = int(match[2]), int(match[3])
    if minutes > 59 or seconds > 59:
        return None
    return hours * 3600 + minutes * 60 + seconds


def format_timestamp(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def time_anchor(seconds: int) -> str:
    return "t-" + format_timestamp(seconds).replace(":", "-")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Source:
    id: str
    path: str
    kind: str
    title: Localized
    url: str | None = None
    media_url: str | None = None
    date: FuzzyDate | None = None
    publisher: Localized = Localized()
    language: str | None = None
    speakers: tuple[str, ...] = ()
    summary: Localized = Localized()
    short: Localized = Localized()  # the short name citations use ("Ng interview")
    reliability: str | None = None  # one of RELIABILITY: how far the site trusts it
    reliability_note: Localized = Localized()  # why: one or two sentences
    lines: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def dramatised(self) -> bool:
        """A retelling that invents scenes and dialogue: what it quotes is not a verbatim record."""
        return self.reliability == "dramatised"


RELIABILITY = ("first-hand", "good", "mixed", "dramatised")
SEVERITIES = ("high", "medium", "low")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Media:
    """An image in content/ (in media/, or beside the record that shows it), published once at
    /media/<rel> (`media/lenet.svg` → /media/lenet.svg, `notes/bell-labs/desk.jpg` →
    /media/notes/bell-labs/desk.jpg)."""

    path: str  # as the content's files are named in messages (display path)
    rel: str  # content-relative: what its URL is made of
    kind: str  # png, jpeg, gif, webp, svg
    width: int | None
    height: int | None
    digest: str  # of the file's bytes: derived sizes are kept by it
    alt: Localized = Localized()  # from a sidecar `NAME.yaml` (media.py): for every use of the image
    caption: Localized = Localized()
    credit: Localized = Localized()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a sidecar `photo.jpg.yaml` says of `photo.jpg`: alt text, caption, credit/licence."""

    path: str  # the image's content-relative path
    alt: Localized = Localized()
    caption: Localized = Localized()
    credit: Localized = Localized()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Picture:
    """An image a record shows: `image:` in front matter or YAML, or `![alt](src "caption")` in
    a body. `target` is as written (relative to the record's file, or `@/media/…`)."""

    target: str
    line: int
    alt: Localized = Localized()
    caption: Localized = Localized()
    credit: Localized = Localized()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Person:
    id: str
    path: str
    name: Localized
    aliases: tuple[str, ...] = ()
    role: Localized = Localized()
    bio: Localized = Localized()
    born: FuzzyDate | None = None
    image: Picture | None = None  # a portrait
    lines: dict = field(default_factory=dict, compare=False, repr=False)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    path: str
    name: Localized
    aliases: tuple[str, ...] = ()
    summary: Localized = Localized()
    related: tuple[str, ...] = ()
    auto: bool = False  # made from a `tags` value that matched no topic
    lines: dict = field(default_factory=dict, compare=False, repr=False)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Event:
    id: str
    path: str
    line: int
    date: FuzzyDate
    title: Localized
    detail: Localized = Localized()
    people: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = ()
    image: Picture | None = None
    lines: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def anchor(self) -> str:
        return f"ev-{self.id}"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Quote:
    id: str
    path: str
    line: int
    speaker: str
    text: Localized
    lang: str | None = None
    source: Citation | None = None
    topics: tuple[str, ...] = ()
    date: FuzzyDate | None = None
    via: str | None = None  # the person (id) whose retelling gives the words, when not the speaker
    lines: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def anchor(self) -> str:
        return f"q-{self.id}"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Reading:
    """What one source says about a disputed claim."""

    says: Localized
    source: Citation | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Discrepancy:
    id: str
    path: str
    line: int
    title: Localized
    readings: tuple[Reading, ...]
    adopted: Localized
    reason: Localized = Localized()
    events: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    severity: str = "low"  # one of SEVERITIES: how much a reader would be misled
    verdict: Localized = Localized()  # one line: what is true
    group: Localized = Localized()  # the file's `group` (an era or a theme); files sort the groups
    lines: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def anchor(self) -> str:
        return f"d-{self.id}"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Link:
    """An internal `@/…` link written in a markdown body."""

    target: str
    line: int


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Note:
    """One language version of a note. The graph pairs versions by slug."""

    slug: str
    lang: str
    path: str
    title: str
    body: str
    body_line: int  # line of the body's first line in the file
    date: FuzzyDate | None = None
    summary: str = ""
    people: tuple[str, ...] = ()  # as written: ids or aliases
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # `tags` values: topics, or new topics of their own
    sources: tuple[Citation, ...] = ()
    events: tuple[str, ...] = ()  # ids of timeline events the note discusses
    declared_events: tuple[Event, ...] = ()
    quotes: tuple[str, ...] = ()
    declared_quotes: tuple[Quote, ...] = ()
    draft: bool = False
    byline: str | None = None  # from `author` / `speaker` / `guest`
    original_url: str | None = None  # from `source` when it is a URL
    body_citations: tuple[Citation, ...] = ()
    links: tuple[Link, ...] = ()
    image: Picture | None = None  # the cover: its og:image, shown under the title
    pictures: tuple[Picture, ...] = ()  # images in the body
    video: str | None = None  # a YouTube or Bilibili page: a click-to-load player
    extra: dict = field(default_factory=dict, compare=False)  # every other front-matter field
    given: tuple[str, ...] = ()  # names of the language-neutral fields this file sets (sorted: reprs are stable)
    lines: dict = field(default_factory=dict, compare=False, repr=False)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Turn:
    number: int  # 1-based, in the order of the file
    speaker_label: str
    speaker: str | None  # person id, when the label maps to one
    text: str  # markdown
    line: int
    start: int | None = None  # seconds from the start of the media
    section: int | None = None  # index into Transcript.sections

    @property
    def anchor(self) -> str:
        return f"turn-{self.number}"

    @property
    def time_anchor(self) -> str | None:
        return time_anchor(self.start) if self.start is not None else None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Section:
    title: str
    anchor: str
    first_turn: int  # number of the first turn after the heading (0 when none)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Transcript:
    slug: str
    lang: str
    path: str
    title: str
    source: str | None
    speakers: dict  # label -> person id
    turns: tuple[Turn, ...]
    sections: tuple[Section, ...] = ()
    intro: str = ""
    date: FuzzyDate | None = None
    summary: str = ""
    media: str | None = None
    people: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    draft: bool = False
    body_citations: tuple[Citation, ...] = ()
    links: tuple[Link, ...] = ()
    pictures: tuple[Picture, ...] = ()  # images in the intro or the turns
    video: str | None = None  # a YouTube or Bilibili page: a click-to-load player
    extra: dict = field(default_factory=dict, compare=False)
    lines: dict = field(default_factory=dict, compare=False, repr=False)
