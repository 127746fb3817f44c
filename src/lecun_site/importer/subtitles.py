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

import codecs
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..content.textfile import read_text
from ..content.transcripts import parse_transcript
from ..content.yaml_records import parse_person, parse_source
from ..errors import BuildFailed, ContentError, Problems
from ..records import format_timestamp, is_valid_id
from .cues import MAX_INPUT_SIZE, UNKNOWN_LABEL, Imported, ImportedHeading, is_cjk_text
from .turns import _MACHINE_RE, parse_subtitles


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


_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
              (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"), (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"))


def _read_input(path: Path) -> str:
    """The file's text: UTF-8 (BOM or not), or UTF-32 or UTF-16 with a BOM as some subtitle tools
    write (UTF-32's BOM is checked first: UTF-32-LE's starts with UTF-16-LE's)."""
    display = str(path)
    if not path.is_file():
        raise ContentError(display, "no such file" if not path.exists() else "not a file")
    with path.open("rb") as handle:
        head = handle.read(4)
    for bom, codec, name in _WIDE_BOMS:
        if head.startswith(bom):
            data = path.read_bytes()
            if len(data) > MAX_INPUT_SIZE:
                raise ContentError(display, f"the file is larger than {MAX_INPUT_SIZE} bytes", line=1)
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise ContentError(display, f"the file starts as {name} but does not decode", line=1,
                                   hint="save it as UTF-8") from exc
            if "\x00" in text:
                raise ContentError(display, f"the file starts as {name} but holds NUL characters", line=1,
                                   hint="save it as UTF-8")
            return text.replace("\r\n", "\n").replace("\r", "\n")
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
            imported = parse_subtitles(str(path), text, args.format, speakers, getattr(args, "strict", False))
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
