"""Cues and labelled plain text → speaker turns: who speaks (labels), rolling captions, plain text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..content.speakers import is_caption_caps, is_name, name_label
from ..errors import Problems
from ..records import format_timestamp
from .cues import (
    Cue,
    Imported,
    ImportedHeading,
    ImportedTurn,
    clean_text,
    join_text,
    parse_srt,
    parse_timecode,
    parse_vtt,
)

_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")


_MACHINE_RE = re.compile(r"^\[\s*((?:SPEAKER|Speaker|speaker)[ _-]?\d{1,3})\s*\]\s*[:：]?\s*"
                         r"|^((?:SPEAKER|Speaker)[ _-]?\d{1,3})\s*[:：]\s*")


_BOLD_LABEL_RE = re.compile(r"^\*\*([^*\n]{1,60}?)\s*(?:[:：]\s*\*\*|\*\*\s*[:：])\s*")


_DASH_RE = re.compile(r"^(?:[-–—]{1,2}|>>+)(?:\s+|$)")


_is_name = is_name
_is_caption_caps = is_caption_caps
_name_label = name_label


class Labels:
    """Decides what counts as a speaker label in one file."""

    def __init__(self, known: Iterable[str] = (), candidates: Counter | None = None, sure: Iterable[str] = ()) -> None:
        self.known = [k for k in known if k]
        self.accepted = set(self.known) | set(sure) | {
            name for name, count in (candidates or Counter()).items() if count >= 2 or _is_caption_caps(name)}

    def split(self, text: str, *, bold: bool = False) -> tuple[str | None, str]:
        """(label, rest of the line); label is None when the line does not start with one."""
        if bold:
            match = _BOLD_LABEL_RE.match(text)
            if match:
                return match[1].strip(), text[match.end():]
        match = _MACHINE_RE.match(text)
        if match:
            return (match[1] or match[2]), text[match.end():]
        for label in sorted(self.known, key=len, reverse=True):
            match = re.match(rf"^(?:\[\s*{re.escape(label)}\s*\]\s*[:：]?|{re.escape(label)}\s*[:：])\s*", text)
            if match:
                return label, text[match.end():]
        found = _name_label(text)
        if found and found[0] in self.accepted:
            return found
        return None, text


def _count_candidates(texts: Iterable[str]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        found = _name_label(_DASH_RE.sub("", text, count=1))
        if found:
            counts[found[0]] += 1
    return counts


def _warn_lone_labels(display: str, lines: Iterable[tuple[int, str]], labels: Labels, problems: Problems) -> None:
    warned: set[str] = set()
    for number, text in lines:
        found = _name_label(_DASH_RE.sub("", text, count=1))
        if found and found[0] not in labels.accepted and found[0] not in warned:
            warned.add(found[0])
            problems.warn(display, f"'{found[0]}:' looks like a speaker label but is used only once; "
                          "kept as text", line=number,
                          hint=f"if it is a speaker, pass --speaker '{found[0]}=person-id'")


@dataclass
class _Segment:
    label: str | None
    dash: bool
    text: str = ""


def cue_segments(lines: Iterable[str], labels: Labels) -> list[_Segment]:
    """Split one cue's text into pieces that each may begin a turn (voice tags, labels, dashes)."""
    segments: list[_Segment] = []
    parts = _VOICE_RE.split("\n".join(lines))  # text, voice, text, voice, text…
    chunks = [(None, parts[0])] + [((parts[i] or "").strip() or None, parts[i + 1]) for i in range(1, len(parts), 2)]
    pending_dash = False
    for pending_voice, chunk in chunks:
        for raw in chunk.split("\n"):
            text = clean_text(raw)
            dash_match = _DASH_RE.match(text)
            dash = bool(dash_match)
            if dash_match:
                text = text[dash_match.end():]
            if not text:
                pending_dash = pending_dash or dash
                continue
            label, text = labels.split(text)
            if pending_voice is not None:
                if label is not None and label != pending_voice:
                    text = f"{label}: {text}"
                label, pending_voice = pending_voice, None
            dash = dash or pending_dash
            pending_dash = False
            if label is not None or dash or not segments:
                segments.append(_Segment(label, dash, text))
            else:
                segments[-1].text = join_text(segments[-1].text, text)
    return [s for s in segments if s.text or s.label is not None]


def _repeat_key(line: str) -> str:
    """A caption line as a reader sees it, with its voice: what counts as a repeat."""
    voices = " ".join(f"<{(m[1] or '').strip()}>" for m in _VOICE_RE.finditer(line))
    text = clean_text(line)
    return f"{voices} {text}" if voices and text else text


# Rolling captions (YouTube's automatic ones): each cue carries the line or lines of the cue above
# over and adds one, and the cues touch or overlap in time. Only a file that shows this is
# treated as rolling; elsewhere a line said twice ("Sorry." / "Sorry.") is kept.
ROLL_TOUCH_MS = 50  # cues this close or overlapping count as one caption rolling on
BLINK_MS = 100  # a repeat this short (YouTube writes 10 ms ones) is a caption redrawn, not speech
PAUSE_MS = 2000  # speakerless cues: a pause this long starts a new paragraph (a new timed turn)
LONG_MS = 30_000  # … and so does a sentence end, once a paragraph has run this long
_SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’)）]*$")


def _overlap(previous: list[str], shown: list[str]) -> int:
    return next((k for k in range(min(len(previous), len(shown)), 0, -1) if shown[:k] == previous[-k:]), 0)


def is_rolling(cues: list[Cue]) -> bool:
    """True when cues carry lines of the cue above over and add new ones, touching in time."""
    previous, last = [], None
    for cue in cues:
        shown = [t for t in (_repeat_key(line) for line in cue.lines) if t]
        if not shown:
            continue
        k = _overlap(previous, shown)
        if last is not None and 0 < k < len(shown) and cue.start <= last.end + ROLL_TOUCH_MS:
            return True  # a cue carried the lines of the cue above over and added one: captions that roll
        previous, last = shown, cue
    return False


def merge_cues(cues: list[Cue], labels: Labels) -> tuple[list[ImportedTurn], int]:
    """Cues → speaker turns, and how many cues or caption lines were dropped as rolling repeats."""
    turns: list[ImportedTurn] = []
    previous: list[str] = []
    previous_cue: Cue | None = None
    dropped = 0
    rolling = is_rolling(cues)
    turn_first_ms = 0
    for cue in cues:
        cleaned = [_repeat_key(line) for line in cue.lines]
        shown = [text for text in cleaned if text]
        if not shown:
            continue
        touching = previous_cue is not None and cue.start <= previous_cue.end + ROLL_TOUCH_MS
        overlap = _overlap(previous, shown) if touching else 0
        if overlap == len(shown) and (rolling or cue.end - cue.start <= BLINK_MS):
            dropped += 1  # the cue repeats (the end of) the cue above: a caption redrawn
            continue
        lines = list(cue.lines)
        if overlap and rolling and overlap < len(shown):  # the top lines repeat the cue above
            dropped += overlap
            kept, skip = [], overlap
            for line, text in zip(lines, cleaned):
                if skip and text:
                    skip -= 1
                    continue
                kept.append(line)
            lines = kept
        gap = cue.start - previous_cue.end if previous_cue is not None else 0
        previous, previous_cue = shown, cue
        start = cue.start // 1000
        for segment in cue_segments(lines, labels):
            current = turns[-1] if turns else None
            pause = (current is not None and current.label is None and segment.label is None and not segment.dash
                     and current.paragraphs and (gap > PAUSE_MS or (cue.start - turn_first_ms >= LONG_MS
                                                                    and _SENTENCE_END.search(current.paragraphs[-1]))))
            if current is None or segment.dash or pause or (segment.label is not None and segment.label != current.label):
                turns.append(ImportedTurn(segment.label, start, cue.line))
                turn_first_ms = cue.start
            turns[-1].add(segment.text)
            gap = 0
    return turns, dropped


_PLAIN_TIME_RE = re.compile(r"^[\[(]\s*(\d{1,3}:\d{1,2}(?::\d{1,2})?(?:[.,]\d{1,3})?)\s*[\])]\s*")


_PLAIN_TIMEISH_RE = re.compile(r"^[\[(]\s*\d{1,3}\s*[:：]\s*\d[^\])\n]{0,12}[\])]")


_OTTER_RE = re.compile(r"^(.{1,40}?)\s+(\d{1,2}:\d{2}(?::\d{2})?)$")


_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")


_SEPARATOR_RE = re.compile(r"^(?:[-—–_*]\s*){3,}$|^—{1,2}$")


_PLAIN_DASH_RE = re.compile(r"^(?:—{1,2}|–)\s+")


def _plain_time(display: str, number: int, text: str, problems: Problems) -> tuple[int | None, str]:
    """(seconds or None, rest of the line) for a line that may start with `[00:12:34]`."""
    match = _PLAIN_TIME_RE.match(text)
    if match:
        ms = parse_timecode(match[1])
        if ms is not None:
            return ms // 1000, text[match.end():]
        problems.error(display, f"malformed timestamp '{match[0].strip()}'", line=number,
                       hint="write [HH:MM:SS] or [MM:SS], minutes and seconds from 00 to 59")
        return None, text[match.end():]
    loose = _PLAIN_TIMEISH_RE.match(text)
    if loose:
        problems.error(display, f"malformed timestamp '{loose[0]}'", line=number, hint="write [HH:MM:SS] or [MM:SS]")
        return None, text[loose.end():].lstrip()
    return None, text


def parse_plain(display: str, text: str, known: Iterable[str] = ()) -> Imported:
    """Speaker-labelled text (`Name: …`, `**Name：** …`, `— ` separators, `[00:12:34]` times) → turns."""
    result = Imported(display, "text")
    problems = result.problems
    lines = text.split("\n")
    stripped = [(n, line.strip()) for n, line in enumerate(lines, start=1)]

    def body(line: str) -> str:
        line = _PLAIN_TIME_RE.sub("", line)
        return _PLAIN_DASH_RE.sub("", line)

    bold = {m[1].strip() for _, s in stripped if (m := _BOLD_LABEL_RE.match(body(s)))}
    labels = Labels(known, _count_candidates(body(s) for _, s in stripped if s), sure=bold)
    _warn_lone_labels(display, ((n, body(s)) for n, s in stripped if s and not _BOLD_LABEL_RE.match(body(s))),
                      labels, problems)
    current: ImportedTurn | None = None
    paragraph: list[str] = []
    new_turn_pending = False  # after a separator line: the next text is someone else's turn
    same_speaker_pending = False  # after a heading: the next text is a new turn of the same speaker
    pending_time: tuple[int, int] | None = None  # (seconds, line) of a timestamp alone on its line
    last_time: tuple[int, int] | None = None

    def flush() -> None:
        nonlocal paragraph
        if paragraph:
            joined = ""
            for piece in paragraph:
                joined = join_text(joined, piece)
            if current is not None:
                current.paragraphs.append(joined)
            else:
                result.intro.append(joined)
        paragraph = []

    for number, line in stripped:
        if not line:
            flush()
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            flush()
            if len(heading[1]) == 1 and result.title is None and not result.turns:
                result.title = heading[2]
            else:
                result.items.append(ImportedHeading(heading[2], number))
                same_speaker_pending = current is not None
            continue
        if _SEPARATOR_RE.match(line):
            flush()
            new_turn_pending = True
            continue
        seconds, rest = _plain_time(display, number, line, problems)
        if seconds is not None and not rest.strip():
            flush()
            pending_time = (seconds, number)
            continue
        if seconds is None and pending_time is not None:
            seconds = pending_time[0]
        pending_time = None
        dash = bool(_PLAIN_DASH_RE.match(rest))
        rest = _PLAIN_DASH_RE.sub("", rest)
        label, rest = labels.split(rest, bold=True)
        if label is None and seconds is None and not paragraph:  # `Name  0:05` opening a paragraph
            otter = _OTTER_RE.match(rest)
            if otter and (_is_name(otter[1]) or _MACHINE_RE.match(otter[1] + ":")):
                label, rest = otter[1], ""
                seconds = (parse_timecode(otter[2]) or 0) // 1000
        if seconds is not None:
            if last_time is not None and seconds < last_time[0]:
                problems.error(display, f"[{format_timestamp(seconds)}] is earlier than the time above it "
                               f"(line {last_time[1]}, [{format_timestamp(last_time[0])}])", line=number,
                               hint="times must be in order: fix the timestamp or move the turn")
            last_time = (seconds, number)
        starts = label is not None or dash or seconds is not None or new_turn_pending or same_speaker_pending
        if starts:
            flush()
            if label is None and current is not None and not (dash or new_turn_pending):
                label = current.label  # a time or a heading alone: a new turn of the same speaker
            current = ImportedTurn(label.replace("*", "").strip(" :：") if label else None, seconds, number)
            result.items.append(current)
            new_turn_pending = same_speaker_pending = False
        if rest.strip():
            paragraph.append(rest.strip())
    flush()
    if not result.turns:  # prose, or nothing: a transcript without turns would be empty
        problems.error(display, "no speaker turns found" if result.intro else "no subtitle cues or text found",
                       line=1, hint="start each turn with `Name:` or `**Name:**`, or pass --speaker LABEL=person-id")
    return result


def detect_format(path: str, text: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".srt":
        return "srt"
    if suffix == ".vtt":
        return "vtt"
    if text.lstrip().startswith("WEBVTT"):
        return "vtt"
    if suffix not in (".md", ".markdown", ".txt") and any("-->" in line for line in text.split("\n")[:50]):
        return "srt"
    return "text"


def parse_subtitles(display: str, text: str, fmt: str | None = None, known: Iterable[str] = (),
                    strict: bool = False) -> Imported:
    """The pure entry point: the text of one file (BOM and CRLF tolerated) → Imported.
    `strict`: a malformed cue is an error rather than skipped with a warning."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    fmt = fmt or detect_format(display, text)
    known = list(known)
    if fmt == "text":
        return parse_plain(display, text, known)
    result = Imported(display, fmt)
    if fmt == "vtt":
        cues, result.title, result.language = parse_vtt(display, text, result.problems, strict)
    else:
        cues = parse_srt(display, text, result.problems, strict)
    if not cues and not result.problems.errors:
        result.problems.error(display, "no subtitle cues found", line=1,
                              hint=f"a {fmt.upper()} cue is a timing line such as 00:00:01{',' if fmt == 'srt' else '.'}000 --> "
                              f"00:00:04{',' if fmt == 'srt' else '.'}000 followed by its text; --format text reads "
                              "speaker-labelled text")
        return result

    def line_starts():
        for cue in cues:
            for offset, line in enumerate(cue.lines, start=1):
                line = clean_text(_VOICE_RE.sub("", line))
                if line:
                    yield cue.line + offset, line

    starts = list(line_starts())
    voices = {(m[1] or "").strip() for cue in cues for line in cue.lines for m in _VOICE_RE.finditer(line)}
    labels = Labels(known, _count_candidates(text for _, text in starts), sure=voices - {""})
    _warn_lone_labels(display, starts, labels, result.problems)
    turns, result.repeats_dropped = merge_cues(cues, labels)
    result.items = list(turns)
    if not turns and not result.problems.errors:
        result.problems.error(display, "no subtitle cue has any text", line=1,
                              hint="the file's cues are all empty: is it the right file?")
    return result
