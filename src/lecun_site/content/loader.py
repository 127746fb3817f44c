"""content/ → typed records: the folder walk.

The parsers are pure functions of (display path, text) in the modules beside this one
(`frontmatter`, `notes`, `transcripts`, `yaml_records`), so tests pass strings;
`load_content(root, config)` is the thin part that walks the folder, reads each file safely
(cached by a hash of its bytes) and collects the records. Problems go into a `Problems`
collector; a file that cannot be read at all yields no record."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ContentError, Problems
from ..records import (
    LANGS,
    Discrepancy,
    Event,
    Media,
    MediaInfo,
    Note,
    Person,
    Quote,
    Source,
    Topic,
    Transcript,
    is_valid_id,
    pickled_by_fields,
)
from .body import is_ignored_name
from .config import SiteConfig
from .filenames import MARKDOWN_SUFFIXES, FileName, parse_file_name
from .media import MAX_IMAGE_BYTES, content_root, is_image, is_sidecar, parse_media, parse_media_info, relative
from .notes import parse_note
from .textfile import decode_text, read_bytes
from .transcripts import parse_transcript
from .yaml_records import (
    package_strings,
    parse_discrepancies,
    parse_events,
    parse_i18n,
    parse_person,
    parse_quotes,
    parse_source,
    parse_topic,
)


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
    media: list[Media] = field(default_factory=list)  # images, in media/ or beside records
    media_info: list[MediaInfo] = field(default_factory=list)  # their sidecars
    i18n: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # display path -> folder kind
    unreadable: set[tuple[str, str]] = field(default_factory=set)  # (slug, lang) of notes that failed to parse
    unreadable_ids: set[tuple[str, str]] = field(default_factory=set)  # (folder, id) of files that failed


_RECORD_LISTS = ("sources", "people", "topics", "events", "quotes", "discrepancies", "notes", "transcripts", "media",
                 "media_info")


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
    media: tuple[Media, ...] = ()
    media_info: tuple[MediaInfo, ...] = ()
    i18n: tuple[tuple[str, dict[str, str]], ...] = ()
    unreadable: frozenset[tuple[str, str]] = frozenset()
    unreadable_ids: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, content: "ContentSet") -> "FilePart":
        return cls(**{name: tuple(getattr(content, name)) for name in _RECORD_LISTS},
                   i18n=tuple(content.i18n.items()), unreadable=frozenset(content.unreadable),
                   unreadable_ids=frozenset(content.unreadable_ids))


_FOLDERS = ("sources", "people", "topics", "timeline", "quotes", "discrepancies", "notes", "transcripts", "i18n",
            "media")


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
    from ..parallel import fan_out

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
    if is_image(path.name):
        max_size = max(max_size, MAX_IMAGE_BYTES)
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
    expected = MARKDOWN_SUFFIXES if folder in ("notes", "transcripts") else (".yaml", ".yml")
    digest = None
    if is_image(path.name) and folder != "i18n":  # an image, in media/ or beside the record that shows it
        try:
            data = read_bytes(path, display, MAX_IMAGE_BYTES)
            digest = _digest(data)
            rel = relative(display, content_root(config.path)) or path.name
            part.media.append(parse_media(display, rel, data, digest.hex()))
        except ContentError as exc:
            problems.add(exc)
        return FilePart.of(part), problems.items, digest
    if is_sidecar(path.name) or folder == "media":
        if not is_sidecar(path.name):
            problems.warn(display, "ignored: media/ holds images (.png, .jpg, .gif, .webp, .svg) and their "
                                   "sidecars (photo.jpg.yaml)")
            return FilePart(), problems.items, file_digest(path, stat_key(path), config.max_file_size)
        try:
            data = read_bytes(path, display, config.max_file_size)
            digest = _digest(data)
            info = parse_media_info(display, decode_text(data, display), problems)
            if info is not None:
                part.media_info.append(info)
        except ContentError as exc:
            problems.add(exc)
        return FilePart.of(part), problems.items, digest
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
        name = file_name(folder, path, config)
        if name is not None:
            part.unreadable.add((name.slug, name.lang or config.default_language))
    part.unreadable_ids.add((folder, path.stem))
    return FilePart.of(part), problems.items, digest


def _merge(content: "ContentSet", part: FilePart) -> None:
    for name in _RECORD_LISTS:
        getattr(content, name).extend(getattr(part, name))
    content.i18n.update(part.i18n)
    content.unreadable |= part.unreadable
    content.unreadable_ids |= part.unreadable_ids


def file_name(folder: str, path: Path, config: SiteConfig) -> FileName | None:
    """Slug and language of a note or transcript file (filenames.py); a folder holding
    `index.LANG.md` is a Hugo leaf bundle named by the folder."""
    bundle = path.parent.name if path.parent.name != folder else None
    return parse_file_name(path.name, bundle, config.languages, dict(config.language_suffixes))


def _load_one(content: ContentSet, folder: str, path: Path, display: str, text: str, problems: Problems) -> None:
    config = content.config
    if folder in ("notes", "transcripts"):
        name = file_name(folder, path, config)
        if name is None:
            problems.warn(display, "ignored: a Hugo section page (_index.md); the site makes its own lists",
                          hint="move its text into a note if it should be published")
            return
        parse = parse_note if folder == "notes" else parse_transcript
        record = parse(display, text, problems=problems, slug=name.slug, lang=name.lang,
                       default_lang=config.default_language, name=name)
        if record is not None:
            (content.notes if folder == "notes" else content.transcripts).append(record)
        else:
            content.unreadable.add((name.slug, name.lang or config.default_language))
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
