"""`lecun-site import-transcript`: subtitles and labelled text → a transcript file.

    .srt / .vtt ──parse_srt / parse_vtt──▶ [Cue] ──merge_cues──▶ [ImportedTurn] ─┐
    .txt / .md  ──parse_plain────────────────────────────────▶ [ImportedTurn] ─┴─▶ render_transcript ─▶ .md

Everything up to `render_transcript` is pure (text in, records and problems out), so tests
pass strings. `cmd_import_transcript` is the thin command around it: it reads the files,
collects every problem of every file first, and writes nothing unless all of them import.

Rules, in the order they apply:

- Timecodes are `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` / `MM:SS.mmm` (WebVTT); either
  separator is accepted in both, the fraction may have 1 to 3 digits and is a decimal
  fraction of a second (`,33` is 330 ms). A line that looks like a timing line but does not
  parse, a cue that ends before it starts, and a cue that starts before the cue above it
  are errors with the file and line; nothing is dropped silently.
- Cue text loses its styling (`<i>`, `<b>`, `<c.x>`, `<font>`, `{\\an8}`, inline `<00:00:01.000>`
  times) and its HTML entities are decoded. A cue whose text repeats the cue above it
  exactly is dropped, and lines that repeat the last lines of the cue above (rolling
  captions) are dropped; both are counted in the summary.
- Speakers: `<v Name>`, `**Name:**` (plain text), a machine label `[SPEAKER_01]`, a label
  given with `--speaker`, or `Name:` / `Name：` at the start of a line. A plain `Name:` is
  believed when the name is in capitals (`ANDREW NG:`, as captions write it) or is used as a
  label at least twice in the file, so that a lone `Note: …` is not taken for a speaker; it
  stays text and is reported as a warning.
- Turns: consecutive cues of one speaker join into one turn that keeps the start time of
  its first cue (a label naming the current speaker again continues it); a cue naming
  another speaker, or starting with `-`, `—` or `>>`, begins a new turn; unlabelled cues
  continue the current speaker. A turn whose speaker is unknown is written with the label `?`.
- Plain text: a `[00:12:34]` at the start of a line begins a turn at that time (of the same
  speaker when no label follows), `— ` begins a turn, a line of dashes separates turns,
  `#` gives the title and `##` sections; other lines continue the paragraph they are in.
"""

from __future__ import annotations

import html
import os
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from ..errors import BuildFailed, ContentError, Problems
from ..content.loader import parse_person, parse_source, parse_transcript
from ..records import format_timestamp, is_valid_id
from ..content.textfile import read_text

UNKNOWN_LABEL = "?"
MAX_INPUT_SIZE = 32 * 1024 * 1024

# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Cue:
    """One subtitle cue: its timing line, start and end in milliseconds, and its raw text lines."""

    line: int
    start: int
    end: int
    lines: tuple[str, ...]


@dataclass
class ImportedTurn:
    """A speaker turn as it will be written: label (None when unknown), start in seconds, paragraphs."""

    label: str | None
    start: int | None
    line: int
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def add(self, text: str) -> None:
        if not text:
            return
        if self.paragraphs:
            self.paragraphs[-1] = join_text(self.paragraphs[-1], text)
        else:
            self.paragraphs.append(text)


@dataclass(frozen=True)
class ImportedHeading:
    """A `##` section heading (from plain text)."""

    title: str
    line: int


@dataclass
class Imported:
    """Everything one input file holds, and what went wrong reading it."""

    path: str
    format: str
    items: list = field(default_factory=list)  # ImportedTurn | ImportedHeading, in order
    intro: list[str] = field(default_factory=list)
    title: str | None = None
    language: str | None = None  # declared by the file (WebVTT `Language:` header)
    repeats_dropped: int = 0  # cues or caption lines dropped as rolling repeats
    problems: Problems = field(default_factory=Problems)

    @property
    def turns(self) -> list[ImportedTurn]:
        return [item for item in self.items if isinstance(item, ImportedTurn)]

    @property
    def labels(self) -> list[str]:
        """Speaker labels in order of first appearance (the unknown speaker left out)."""
        return list(dict.fromkeys(t.label for t in self.turns if t.label is not None))


# --------------------------------------------------------------------------- text helpers

_CJK = r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_TAG_RE = re.compile(r"</?[A-Za-z][\w.\-]*(?:\s[^<>]*)?>|<\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d+)?>")
_ASS_RE = re.compile(r"\{\\[^{}]*\}")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\ufeff\u2060"), None)


def clean_text(text: str) -> str:
    """Cue text without styling tags, inline times or entities, whitespace collapsed."""
    text = _ASS_RE.sub("", text)
    text = _TAG_RE.sub("", text)
    text = html.unescape(text).translate(_INVISIBLE).replace("\u00a0", " ")
    return " ".join(text.split())


def join_text(left: str, right: str) -> str:
    """Join two pieces of one paragraph: no space between Chinese characters, one elsewhere."""
    if not left:
        return right
    if not right:
        return left
    if _CJK_CHAR.match(left[-1]) and _CJK_CHAR.match(right[0]):
        return left + right
    return left + " " + right


def is_cjk_text(text: str) -> bool:
    """True when Chinese characters make up at least a third of the letters."""
    cjk = len(_CJK_CHAR.findall(text))
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return cjk > 0 and cjk * 3 >= latin


# --------------------------------------------------------------------------- timecodes

_TIMECODE_RE = re.compile(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?")
_TIMEISH = r"\d{1,3}[:;]\d{1,2}(?:[:;.,]\d{1,4})*"
# a line that is meant as a timing line: it has -->, or it is two times with something between them
_TIMING_LIKE_RE = re.compile(rf"-->|^\s*{_TIMEISH}\s*\S{{0,3}}\s*{_TIMEISH}(?:\s+\S+:\S+)*\s*$")
_TIMING_RE = re.compile(r"^\s*(\S+)\s*-->\s*(\S+?)(?:\s+(.*?))?\s*$")
TIMING_HINT = "write HH:MM:SS,mmm --> HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm --> HH:MM:SS.mmm (WebVTT)"


def parse_timecode(text: str) -> int | None:
    """'01:02:03,456', '1:02:03.4', '02:03.456' or '00:00:00,33' → milliseconds; None if malformed.

    Seconds always have two digits ('1:2' could be 1:02 or 1:20); minutes and seconds run to 59.
    """
    match = _TIMECODE_RE.fullmatch(text.strip())
    if not match:
        return None
    hours, minutes, seconds, fraction = int(match[1] or 0), int(match[2]), int(match[3]), match[4] or "0"
    if minutes > 59 or seconds > 59:
        return None
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + int(fraction.ljust(3, "0"))


def format_ms(ms: int) -> str:
    return f"{format_timestamp(ms // 1000)}.{ms % 1000:03d}"


def parse_timing(line: str) -> tuple[int, int] | tuple[str, str]:
    """A cue timing line → (start, end) in ms, or (what is wrong, how to fix it)."""
    match = _TIMING_RE.match(line)
    if not match:
        if "-->" not in line:
            return f"malformed timing line '{line.strip()}': the times must be separated by -->", TIMING_HINT
        return f"malformed timing line '{line.strip()}'", TIMING_HINT
    start, end = parse_timecode(match[1]), parse_timecode(match[2])
    for raw, value in ((match[1], start), (match[2], end)):
        if value is None:
            return f"malformed timecode '{raw}' in '{line.strip()}'", TIMING_HINT
    assert start is not None and end is not None
    if end < start:
        return (f"the cue ends ({format_ms(end)}) before it starts ({format_ms(start)})",
                "the first time is where the cue starts, the second where it ends")
    return start, end


# --------------------------------------------------------------------------- SRT and WebVTT


def _blocks(lines: list[str], first: int = 1):
    """(line number, lines) of each run of lines between empty lines."""
    block: list[str] = []
    start = first
    for number, line in enumerate(lines, start=first):
        if line == "":
            if block:
                yield start, block
                block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, block


def _scan_cues(display: str, lines: list[str], first: int, problems: Problems, *, vtt: bool) -> list[Cue]:
    """Cues of an SRT body or of a WebVTT body after its header. Problems are collected."""
    cues: list[Cue] = []
    previous: Cue | None = None  # the last well-formed cue, for the order check

    def orphan(number: int, text_lines: list[str]) -> None:
        if not any(l.strip() for l in text_lines):
            return
        if cues:
            last = cues[-1]
            cues[-1] = Cue(last.line, last.start, last.end, last.lines + tuple(text_lines))
            problems.warn(display, "text outside any cue (an empty line inside a cue?); joined to the cue above",
                          line=number, hint="remove the empty line, or give the text a timing line of its own")
        else:
            problems.warn(display, "text before the first cue is not part of any cue; it was left out", line=number)

    for start, block in _blocks(lines, first):
        if vtt and re.match(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)", block[0]):
            continue
        timings = [i for i, line in enumerate(block) if _TIMING_LIKE_RE.search(line)]
        if not timings:
            if not vtt and re.fullmatch(r"\s*\d+\s*", block[0]) and len(block) > 1:
                problems.error(display, f"cue {block[0].strip()} has no timing line", line=start + 1,
                               hint=TIMING_HINT)
                continue
            orphan(start, block)
            continue
        lead = block[: timings[0]]
        if lead:  # the last line before the first timing line is the cue's number or identifier
            identifier = lead[-1]
            if vtt or re.fullmatch(r"\s*\d+\s*", identifier):
                lead = lead[:-1]
            orphan(start, lead)
        for n, index in enumerate(timings):
            end_index = timings[n + 1] if n + 1 < len(timings) else len(block)
            payload = block[index + 1: end_index]
            if n + 1 < len(timings) and payload:  # no empty line before the next cue: find its number
                if re.fullmatch(r"\s*\d+\s*", payload[-1]) or (len(payload) > 1 and not payload[-2].strip()):
                    payload = payload[:-1]
            number = start + index
            timing = parse_timing(block[index])
            if isinstance(timing[0], str):
                problems.error(display, timing[0], line=number, hint=str(timing[1]))
                continue
            cue = Cue(number, int(timing[0]), int(timing[1]), tuple(payload))
            if previous is not None and cue.start < previous.start:
                problems.error(display, f"the cue starts at {format_ms(cue.start)}, before the cue above it "
                               f"(line {previous.line}, {format_ms(previous.start)})", line=number,
                               hint="cues must be in time order: fix the timecode or move the cue")
                continue
            cues.append(cue)
            previous = cue
    return cues


def parse_srt(display: str, text: str, problems: Problems) -> list[Cue]:
    """SubRip text (BOM and CRLF already removed) → cues."""
    return _scan_cues(display, text.split("\n"), 1, problems, vtt=False)


def parse_vtt(display: str, text: str, problems: Problems) -> tuple[list[Cue], str | None, str | None]:
    """WebVTT text → (cues, title from the WEBVTT line, language from a `Language:` header)."""
    lines = text.split("\n")
    title = language = None
    first_content = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_content is None:
        return [], None, None
    header = re.match(r"^WEBVTT(?:[ \t]+(.*))?$", lines[first_content].rstrip())
    body_start = first_content
    if header is None:
        problems.warn(display, "the file does not start with WEBVTT; read as WebVTT anyway", line=first_content + 1)
    else:
        title = (header[1] or "").strip(" -\t") or None
        body_start = first_content + 1
        while body_start < len(lines) and lines[body_start] != "" and "-->" not in lines[body_start]:
            meta = re.match(r"^\s*([\w-]+)\s*:\s*(.+?)\s*$", lines[body_start])
            if meta and meta[1].lower() == "language":
                language = meta[2]
            body_start += 1
    cues = _scan_cues(display, lines[body_start:], body_start + 1, problems, vtt=True)
    return cues, title, language


# --------------------------------------------------------------------------- speaker labels

_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")
_MACHINE_RE = re.compile(r"^\[\s*((?:SPEAKER|Speaker|speaker)[ _-]?\d{1,3})\s*\]\s*[:：]?\s*"
                         r"|^((?:SPEAKER|Speaker)[ _-]?\d{1,3})\s*[:：]\s*")
_BOLD_LABEL_RE = re.compile(r"^\*\*([^*\n]{1,60}?)\s*(?:[:：]\s*\*\*|\*\*\s*[:：])\s*")
_NAME_LABEL_RE = re.compile(r"^([^:：\n]{1,40}?)\s*[:：](?!//)\s*")
_DASH_RE = re.compile(r"^(?:[-–—]{1,2}|>>+)(?:\s+|$)")
_PARTICLES = {"de", "van", "von", "der", "den", "le", "la", "du", "da", "di", "del", "bin", "al", "ibn", "y", "of"}


def _is_name(text: str) -> bool:
    """A speaker name as transcripts write it: 1–10 Chinese characters, or 1–4 capitalised words."""
    if re.fullmatch(f"[{_CJK}][{_CJK}·・]{{0,9}}", text):
        return not re.search(r"[\u3000-\u303f\uff01-\uff1f]", text)  # no sentence punctuation
    words = text.split()
    if not 1 <= len(words) <= 4:
        return False
    for i, word in enumerate(words):
        if not re.fullmatch(r"[^\W\d_][\w.'’\-]*", word) or any(c.isdigit() or c == "_" for c in word):
            return False
        if not word[0].isupper() and (i == 0 or word not in _PARTICLES):
            return False
    return True


def _is_caption_caps(name: str) -> bool:
    """`ANDREW NG:` — closed captions write speaker names in capitals; that is a label even once."""
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _name_label(text: str) -> tuple[str, str] | None:
    """(name, rest) when the line starts with something shaped like `Name:`."""
    match = _NAME_LABEL_RE.match(text)
    if match and _is_name(match[1].strip()):
        return match[1].strip(), text[match.end():]
    return None


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


# --------------------------------------------------------------------------- cues → turns


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


def merge_cues(cues: list[Cue], labels: Labels) -> tuple[list[ImportedTurn], int]:
    """Cues → speaker turns, and how many cues or caption lines were dropped as rolling repeats."""
    turns: list[ImportedTurn] = []
    previous: list[str] = []
    dropped = 0
    for cue in cues:
        cleaned = [_repeat_key(line) for line in cue.lines]
        shown = [text for text in cleaned if text]
        if not shown:
            continue
        overlap = next((k for k in range(min(len(previous), len(shown)), 0, -1) if shown[:k] == previous[-k:]), 0)
        if overlap == len(shown):  # the cue repeats (the end of) the cue above
            dropped += 1
            continue
        lines = list(cue.lines)
        if overlap:  # rolling captions: the top lines repeat the bottom lines of the cue above
            dropped += overlap
            kept, skip = [], overlap
            for line, text in zip(lines, cleaned):
                if skip and text:
                    skip -= 1
                    continue
                kept.append(line)
            lines = kept
        previous = shown
        start = cue.start // 1000
        for segment in cue_segments(lines, labels):
            current = turns[-1] if turns else None
            if current is None or segment.dash or (segment.label is not None and segment.label != current.label):
                turns.append(ImportedTurn(segment.label, start, cue.line))
            turns[-1].add(segment.text)
    return turns, dropped


# --------------------------------------------------------------------------- plain text

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
    if not result.turns:
        problems.warn(display, "no speaker turn was found: the text is kept as an introduction", line=1,
                      hint="start each turn with `Name:` or `**Name:**`, or pass --speaker LABEL=person-id")
    return result


# --------------------------------------------------------------------------- one file


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


def parse_subtitles(display: str, text: str, fmt: str | None = None, known: Iterable[str] = ()) -> Imported:
    """The pure entry point: the text of one file (BOM and CRLF tolerated) → Imported."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    fmt = fmt or detect_format(display, text)
    known = list(known)
    if fmt == "text":
        return parse_plain(display, text, known)
    result = Imported(display, fmt)
    if fmt == "vtt":
        cues, result.title, result.language = parse_vtt(display, text, result.problems)
    else:
        cues = parse_srt(display, text, result.problems)

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
        result.problems.warn(display, "no cue with text was found", line=1)
    return result


# --------------------------------------------------------------------------- writing


@dataclass
class TranscriptMeta:
    """The front matter of the file to write."""

    title: str
    source: str | None = None
    date: str | None = None
    speakers: dict = field(default_factory=dict)  # label → person id
    media: str | None = None
    renames: dict = field(default_factory=dict)  # label in the input → label to write
    imported_from: str | None = None
    lang: str = "en"  # zh labels end with a full-width colon, as the site's own transcripts do


def _escape(text: str) -> str:
    """Spoken text stays text: `[@x]` must not become a citation, nor `](@/x)` a site link."""
    return text.replace("[@", "[\\@").replace("](", "]\\(")


def _safe_label(label: str) -> str:
    label = label.replace("*", "").replace("\n", " ").strip(" :：")
    return label[:60] or UNKNOWN_LABEL


def render_transcript(imported: Imported, meta: TranscriptMeta) -> str:
    """The transcript file: front matter, then `[HH:MM:SS] **Label:** text` turns."""
    front: dict = {"title": meta.title}
    if meta.source:
        front["source"] = meta.source
    if meta.date:
        front["date"] = meta.date
    written_labels = {label: _safe_label(meta.renames.get(label, label)) for label in imported.labels}
    speakers = {written_labels[label]: meta.speakers[label] for label in imported.labels if label in meta.speakers}
    if speakers:
        front["speakers"] = speakers
    if meta.media:
        front["media"] = meta.media
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    out = ["---"]
    if meta.imported_from:
        out.append(f"# imported by `lecun-site import-transcript` from {meta.imported_from}")
    out += [dumped.rstrip("\n"), "---", ""]
    for paragraph in imported.intro:
        out += [_escape(paragraph), ""]
    for item in imported.items:
        if isinstance(item, ImportedHeading):
            out += [f"## {item.title}", ""]
            continue
        label = written_labels.get(item.label, UNKNOWN_LABEL) if item.label is not None else UNKNOWN_LABEL
        time = f"[{format_timestamp(item.start)}] " if item.start is not None else ""
        paragraphs = item.paragraphs or [""]
        colon = "：" if meta.lang == "zh" else ":"
        out.append(f"{time}**{label}{colon}** {_escape(paragraphs[0])}".rstrip())
        out.append("")
        for paragraph in paragraphs[1:]:
            out += [_escape(paragraph), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def check_written(display: str, text: str, imported: Imported, slug: str, lang: str) -> list[ContentError]:
    """Read the written text back with the project's loader: it must load with no errors, turn for turn."""
    problems = Problems()
    transcript = parse_transcript(display, text, problems=problems, slug=slug, lang=lang)
    errors = [p for p in problems.items if not p.is_warning]
    if not errors and (transcript is None or len(transcript.turns) != len(imported.turns)):
        count = len(transcript.turns) if transcript else 0
        errors.append(ContentError(display, f"internal error: {len(imported.turns)} turns were written but the "
                                   f"loader reads {count}; please report this with the input file"))
    return errors


# --------------------------------------------------------------------------- the command


class UsageError(Exception):
    """A bad command line: exit code 2."""


_LANG_SUFFIX_RE = re.compile(r"\.(zh|en)(?:[-_][A-Za-z]{2,4})?$", re.IGNORECASE)


def _lang_from_name(path: Path) -> str | None:
    match = _LANG_SUFFIX_RE.search(path.stem)
    return match[1].lower() if match else None


def _slug_from_name(path: Path) -> str:
    stem = _LANG_SUFFIX_RE.sub("", path.stem)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")


def _parse_speakers(specs: list[str]) -> dict[str, str]:
    speakers: dict[str, str] = {}
    for spec in specs or []:
        label, sep, person = spec.rpartition("=")
        label, person = label.strip(), person.strip()
        if not sep or not label:
            raise UsageError(f"--speaker '{spec}' must be LABEL=person-id, e.g. --speaker '杨立昆=yann-lecun'")
        if not is_valid_id(person):
            raise UsageError(f"--speaker '{spec}': '{person}' is not a person id (lowercase latin kebab-case)")
        if label in speakers and speakers[label] != person:
            raise UsageError(f"--speaker: '{label}' is mapped twice ({speakers[label]}, {person})")
        speakers[label] = person
    return speakers


def _read_input(path: Path) -> str:
    """The file's text: UTF-8 (BOM or not), or UTF-16 with a BOM as some subtitle tools write."""
    display = str(path)
    if not path.is_file():
        raise ContentError(display, "no such file" if not path.exists() else "not a file")
    head = path.open("rb").read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return path.read_bytes().decode("utf-16").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError as exc:
            raise ContentError(display, "the file starts as UTF-16 but does not decode", hint="save it as UTF-8") from exc
    return read_text(path, display, MAX_INPUT_SIZE)


def _load_record(content: Path, folder: str, record_id: str, parse, problems: Problems):
    """The source or person record with that id, read with the loader; None (with a warning) if missing."""
    for ext in (".yaml", ".yml"):
        path = content / folder / f"{record_id}{ext}"
        if path.is_file():
            try:
                return parse(str(path), read_text(path, str(path)), problems=Problems(), id=record_id)
            except ContentError as exc:
                problems.warn(str(path), f"could not be read, so its details are not used: {exc.message}",
                              line=exc.line)
                return None
    path = content / folder / f"{record_id}.yaml"
    problems.warn(str(path), f"no such file yet: add it before building (its id '{record_id}' is used here)")
    return None


@dataclass
class _Job:
    path: Path
    imported: Imported
    lang: str
    lang_guessed: bool
    slug: str
    target: Path | None  # None: stdout
    text: str = ""


def cmd_import_transcript(args) -> int:
    """`lecun-site import-transcript FILE ...`: exit 0 written, 1 content problems or refusal, 2 usage."""
    try:
        speakers, jobs = _plan(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    content = Path(args.content)
    problems = Problems()
    for job in jobs:
        problems.extend(job.imported.problems)
    if problems.errors:
        raise BuildFailed(problems.items)

    source = _load_record(content, "sources", args.source, parse_source, problems) if args.source else None
    people = {}
    for person_id in dict.fromkeys(speakers.values()):
        person = _load_record(content, "people", person_id, parse_person, problems)
        if person is not None:
            people[person_id] = person
    for job in jobs:
        found = set(job.imported.labels)
        for label in speakers:
            if label not in found:
                problems.warn(str(job.path), f"--speaker '{label}' names no speaker of this file",
                              hint="labels found: " + (", ".join(sorted(found)) or "none"))
        unmapped = [label for label in job.imported.labels if label not in speakers]
        if unmapped:
            problems.warn(str(job.path), "speakers not mapped to a person: " + ", ".join(unmapped),
                          hint="map them with --speaker LABEL=person-id")
        unknown = sum(1 for t in job.imported.turns if t.label is None)
        if unknown:
            problems.warn(str(job.path), f"{unknown} turn(s) have no speaker and are written as "
                          f"'**{UNKNOWN_LABEL}:**'", hint="write the speaker's name in their place")
        renames = {label: people[speakers[label]].name.get(job.lang)
                   for label in job.imported.labels
                   if _MACHINE_RE.match(f"{label}:") and label in speakers and speakers[label] in people}
        title = (args.title or job.imported.title
                 or (source.title.get(job.lang) if source else None) or job.slug.replace("-", " "))
        meta = TranscriptMeta(
            title=title, source=args.source, date=source.date.original if source and source.date else None,
            speakers={label: person for label, person in speakers.items() if label in found},
            media=args.media, renames=renames, imported_from=job.path.name, lang=job.lang,
        )
        job.text = render_transcript(job.imported, meta)
        display = str(job.target) if job.target else "<stdout>"
        problems.items.extend(check_written(display, job.text, job.imported, job.slug, job.lang))
        _compare_with_translation(job, problems)
    if problems.errors:
        raise BuildFailed(problems.items)

    existing = [job.target for job in jobs if job.target is not None and job.target.exists()]
    if existing and not args.force:
        for path in existing:
            print(f"error: {path} already exists; pass --force to replace it", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 1
    for warning in problems.warnings:
        print(warning.format(), file=sys.stderr)
    for job in jobs:
        if job.target is None:
            sys.stdout.write(job.text)
        else:
            _write_atomic(job.target, job.text)
        report = sys.stderr if job.target is None else sys.stdout
        print(_summary(job), file=report)
    return 0


def _plan(args) -> tuple[dict[str, str], list[_Job]]:
    """Check the command line and read every input; usage problems raise UsageError."""
    speakers = _parse_speakers(args.speaker)
    files = [Path(f) for f in args.files]
    if args.slug is not None and not is_valid_id(args.slug):
        raise UsageError(f"--slug '{args.slug}' is not a valid slug: use lowercase latin kebab-case, "
                         "e.g. heroes-of-deep-learning")
    if args.source is not None and not is_valid_id(args.source):
        raise UsageError(f"--source '{args.source}' is not a source id (lowercase latin kebab-case)")
    if args.media is not None and not re.match(r"^https?://[^\s<>\"']+$", args.media):
        raise UsageError(f"--media '{args.media}' must be an http(s) URL")
    if args.out is not None and len(files) > 1:
        raise UsageError("--out takes one input FILE; without --out each FILE goes to "
                         "content/transcripts/SLUG.LANG.md")
    jobs: list[_Job] = []
    for path in files:
        try:
            text = _read_input(path)
        except ContentError as exc:
            imported = Imported(str(path), "text")
            imported.problems.add(exc)
        else:
            imported = parse_subtitles(str(path), text, args.format, speakers)
        slug = args.slug or _slug_from_name(path)
        if not is_valid_id(slug):
            raise UsageError(f"cannot make a slug from the file name '{path.name}': pass --slug, "
                             "e.g. --slug kamath-interview")
        lang, guessed = args.lang or _lang_from_name(path), False
        declared = (imported.language or "").lower()[:2]
        if lang is None and declared in ("zh", "en"):
            lang = declared
        if lang is None:
            lang, guessed = ("zh" if is_cjk_text(" ".join(t.text for t in imported.turns[:200])) else "en"), True
        if args.out == "-":
            target = None
        elif args.out is not None:
            target = Path(args.out)
        else:
            target = Path(args.content) / "transcripts" / f"{slug}.{lang}.md"
        jobs.append(_Job(path, imported, lang, guessed, slug, target))
    targets = [job.target for job in jobs if job.target is not None]
    for target in targets:
        if targets.count(target) > 1:
            raise UsageError(f"two input files would both be written to {target}: give each FILE its own "
                             "language (name.zh.srt, name.en.srt) or import them one at a time with --slug")
    return speakers, jobs


def _compare_with_translation(job: _Job, problems: Problems) -> None:
    """Warn when the other language's transcript has a different number of turns (side by side pairs them)."""
    if job.target is None:
        return
    for other in ("zh", "en"):
        path = job.target.parent / f"{job.slug}.{other}.md"
        if other == job.lang or not path.is_file():
            continue
        try:
            found = parse_transcript(str(path), read_text(path, str(path)), problems=Problems(), slug=job.slug,
                                     lang=other)
        except ContentError:
            continue
        if found is not None and len(found.turns) != len(job.imported.turns):
            problems.warn(str(job.path), f"{len(job.imported.turns)} turns here but {len(found.turns)} in {path}",
                          hint="the side-by-side view pairs turns by position: split or join turns to match")


def _write_atomic(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _summary(job: _Job) -> str:
    turns = job.imported.turns
    times = [t.start for t in turns if t.start is not None]
    where = str(job.target) if job.target else "standard output"
    text = f"wrote {where}: {len(turns)} turn(s), {len(job.imported.labels)} speaker(s)"
    if times:
        text += f", {format_timestamp(times[0])} to {format_timestamp(times[-1])}"
    if job.imported.repeats_dropped:
        text += f"; {job.imported.repeats_dropped} repeated caption cue(s) or line(s) dropped"
    if job.lang_guessed:
        text += f" (language '{job.lang}' guessed from the text; --lang chooses it)"
    return text

