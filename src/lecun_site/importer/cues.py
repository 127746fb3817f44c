"""Subtitle files → cues: the records of an import, text clean-up, timecodes, SRT and WebVTT."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..errors import Problems
from ..records import format_timestamp

UNKNOWN_LABEL = "?"


MAX_INPUT_SIZE = 32 * 1024 * 1024


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


_TIMECODE_RE = re.compile(r"(?:(\d{1,4}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?")


_TIMEISH = r"\d{1,4}[:;]\d{1,2}(?:[:;.,]\d{1,4})*"


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


_LONG_FRACTION_RE = re.compile(r"(\d:\d{2}[.,])(\d{4,9})(?!\d)")


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


def _scan_cues(display: str, lines: list[str], first: int, problems: Problems, *, vtt: bool,
               strict: bool = False) -> list[Cue]:
    """Cues of an SRT body or of a WebVTT body after its header. Problems are collected.

    A malformed cue (its timing line, or no timing line after a cue number) is skipped with a
    warning naming its line, as the WebVTT parsing algorithm drops it; `strict` makes it an error."""
    cues: list[Cue] = []

    def malformed(message: str, line: int, hint: str) -> None:
        if strict:
            problems.error(display, message, line=line, hint=hint)
        else:
            problems.warn(display, f"{message}; the cue is skipped", line=line,
                          hint=f"{hint} (--strict refuses the file instead)")
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
                if strict or not cues:
                    malformed(f"cue {block[0].strip()} has no timing line", start + 1, TIMING_HINT)
                    continue
                last = cues[-1]  # its text is kept with the cue above, as SubRip readers do
                cues[-1] = Cue(last.line, last.start, last.end, last.lines + tuple(block[1:]))
                problems.warn(display, f"cue {block[0].strip()} has no timing line; its text is joined to the cue "
                              "above", line=start + 1, hint=f"{TIMING_HINT} (--strict refuses the file instead)")
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
            timing_line = block[index]
            if not strict and _LONG_FRACTION_RE.search(timing_line):  # 00:04.0000: read to the millisecond
                timing_line = _LONG_FRACTION_RE.sub(lambda m: m[1] + m[2][:3], timing_line)
                problems.warn(display, "a timecode has more than three decimals; read to the millisecond",
                              line=number, hint="write HH:MM:SS.mmm (--strict refuses the file instead)")
            timing = parse_timing(timing_line)
            if isinstance(timing[0], str):
                malformed(timing[0], number, str(timing[1]))
                continue
            cue = Cue(number, int(timing[0]), int(timing[1]), tuple(payload))
            if previous is not None and cue.start < previous.start:
                message = (f"the cue starts at {format_ms(cue.start)}, before the cue above it "
                           f"(line {previous.line}, {format_ms(previous.start)})")
                hint = "cues must be in time order: fix the timecode or move the cue"
                if strict:
                    problems.error(display, message, line=number, hint=hint)
                    continue
                problems.warn(display, f"{message}; kept in the order of the file", line=number,
                              hint=f"{hint} (--strict refuses the file instead)")
            cues.append(cue)
            previous = cue
    return cues


def parse_srt(display: str, text: str, problems: Problems, strict: bool = False) -> list[Cue]:
    """SubRip text (BOM and CRLF already removed) → cues."""
    return _scan_cues(display, text.split("\n"), 1, problems, vtt=False, strict=strict)


def parse_vtt(display: str, text: str, problems: Problems,
              strict: bool = False) -> tuple[list[Cue], str | None, str | None]:
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
    cues = _scan_cues(display, lines[body_start:], body_start + 1, problems, vtt=True, strict=strict)
    return cues, title, language
