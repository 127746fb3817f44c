"""`parse_transcript(display, text, …) -> Transcript`: speakers, sections and timed turns."""

from __future__ import annotations

import re

from ..errors import Problems
from ..records import Section, Transcript, Turn, is_valid_id, parse_timestamp
from .body import _FENCE_RE, atx_heading, first_heading, scan_body
from .fields import _short
from .filenames import FileName
from .media import scan_pictures, video_field
from .notes import open_front_matter
from .speakers import is_caption_caps, name_label

_TURN_RE = re.compile(
    r"^(?:\[(?P<ts>\d{1,4}:\d{2}(?::\d{2})?(?:[.,]\d+)?)\]\s*)?"
    r"\*\*(?P<label>[^*\n]{1,60}?)\s*(?:[:：]\s*\*\*|\*\*\s*[:：])\s*(?P<text>.*)$",
    re.DOTALL,
)


def parse_transcript(display: str, text: str, *, problems: Problems, slug: str, lang: str | None,
                     default_lang: str = "zh", name: FileName | None = None) -> Transcript | None:
    """A transcript file → Transcript with numbered turns and sections."""
    opened = open_front_matter(display, text, problems, slug, lang, default_lang, name)
    if opened is None:
        return None
    data, fm, f, lang, slug = opened
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
        pictures=scan_pictures(fm.body, fm.body_line), video=video_field(f),
        extra={k: v for k, v in data.items() if k not in ("title", "source", "speakers", "media", "date", "slug",
                                                          "summary", "people", "topics", "tags", "draft", "video")},
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


_STAMP_RE = re.compile(r"^\[(?P<ts>[^\]\n]{1,20})\]\s*")
_STAMPISH_RE = re.compile(r"^\d{1,3}\s*[:：.]\s*\d")


def _turn_start(text: str, speakers: dict[str, str], plain: set[str]):
    """(timestamp text or None, label, text) when the paragraph opens a turn, else None: `**Name:**`,
    or a plain `Name:` whose name is declared in `speakers`, in capitals or used at least twice."""
    match = _TURN_RE.match(text)
    if match:
        return match["ts"], match["label"].strip(), match["text"].strip()
    stamp = _STAMP_RE.match(text)
    rest = text[stamp.end():] if stamp else text
    bold = _TURN_RE.match(rest) if stamp else None
    if bold and not bold["ts"]:  # a timestamp the pattern above does not take, then `**Name:**`
        return stamp["ts"], bold["label"].strip(), bold["text"].strip()
    found = name_label(rest) or _declared_label(rest, speakers)
    if found and (found[0] in speakers or found[0] in plain or is_caption_caps(found[0])):
        return (stamp["ts"] if stamp else None), found[0], found[1].strip()
    return None


def _declared_label(text: str, speakers: dict[str, str]) -> tuple[str, str] | None:
    for label in sorted(speakers, key=len, reverse=True):
        match = re.match(rf"^{re.escape(label)}\s*[:：]\s*", text)
        if match:
            return label, text[match.end():]
    return None


def _plain_labels(paragraphs) -> set[str]:
    """Names used as a plain `Name:` label at the start of two paragraphs or more."""
    counts: dict[str, int] = {}
    for _, text, is_heading in paragraphs:
        if not is_heading:
            stamp = _STAMP_RE.match(text)
            found = name_label(text[stamp.end():] if stamp else text)
            if found:
                counts[found[0]] = counts.get(found[0], 0) + 1
    return {name for name, count in counts.items() if count >= 2}


def _split_turns(display, body, first_line, speakers, problems):
    turns: list[dict] = []
    sections: list[Section] = []
    intro: list[str] = []
    used_anchors: set[str] = set()
    paragraphs = list(_paragraphs(body, first_line))
    plain = _plain_labels(paragraphs)
    for line, text, is_heading in paragraphs:
        if is_heading:
            anchor = unique_anchor(text, used_anchors, prefix="s")
            sections.append(Section(title=text, anchor=anchor, first_turn=len(turns) + 1))
            continue
        opened = _turn_start(text, speakers, plain)
        if opened:
            stamp, label, rest = opened
            start = None
            if stamp is not None:
                start = parse_timestamp(stamp) if _STAMPISH_RE.match(stamp) else None
                if start is None:
                    problems.warn(display, f"'[{stamp}]' is not a valid timestamp; the turn has no time", line=line,
                                  hint="write [HH:MM:SS] or [MM:SS], minutes and seconds from 00 to 59")
            previous = next((t for t in reversed(turns) if t["start"] is not None), None)
            if start is not None and previous is not None and start < previous["start"]:
                problems.warn(display, f"the turn starts at [{stamp}], before the turn above it (line "
                              f"{previous['line']})", line=line, hint="times must be in order: fix the timestamp")
            turns.append({"label": label, "text": rest, "line": line, "start": start,
                          "section": len(sections) - 1 if sections else None})
        elif turns:
            turns[-1]["text"] += "\n\n" + text
        else:
            intro.append(text)
    if not turns and intro:
        problems.warn(display, "no speaker turn was found: the text is shown as an introduction", line=first_line,
                      hint="start each turn with `**Name:**`, or `Name:` with the name in `speakers:`")
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
