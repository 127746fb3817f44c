"""`lecun-site new …`: a starter site, and records that build as they are written.

`new site DIR` copies the starter (starter/, package data: a note pair that is the home page and
says what to edit next, one person, topic, source, event and transcript pair). `new note|person|
topic|source|event|transcript ID` writes one record in both languages; notes are drafts, so
they build with `--drafts` (serve) until `draft: true` is removed. `new template NAME` copies a
default template into the site's templates/ to be edited there (theme/__init__.py).
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from .errors import SiteError
from .records import is_valid_id
from .theme import default_root

STARTER = Path(__file__).resolve().parent / "starter"
KINDS = ("note", "person", "topic", "source", "event", "transcript")


class ScaffoldError(SiteError):
    """Nothing was written: the name is not valid, or the file exists."""


def new_site(folder: Path) -> list[Path]:
    """Copy the starter site into `folder` (new, or empty)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ScaffoldError(f"{folder} already exists and is not empty; choose a new folder")
    shutil.copytree(STARTER, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "gitignore").rename(folder / ".gitignore")
    return sorted(p for p in folder.rglob("*") if p.is_file())


def new_template(content: Path, name: str) -> Path:
    """Copy the default template `name` into the site's templates/, to be edited there."""
    templates = default_root() / "templates"
    source = templates / name
    if not source.is_file() or ".." in Path(name).parts:
        names = sorted(p.relative_to(templates).as_posix() for p in templates.rglob("*") if p.is_file())
        raise ScaffoldError(f"the default theme has no template '{name}'; it has: {', '.join(names)}")
    target = content.parent / "templates" / name
    _refuse_existing([target])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def new_record(content: Path, kind: str, record_id: str) -> list[Path]:
    """Write a record of `kind` named `record_id`; returns the files written."""
    if not is_valid_id(record_id):
        raise ScaffoldError(f"'{record_id}' is not a valid id: use lowercase latin kebab-case, e.g. bell-labs")
    words = record_id.replace("-", " ")
    today = datetime.date.today()
    files: dict[Path, str]
    if kind == "note":
        source = _first_id(content / "sources")
        cite, sources = (f"[@{source}]", f"[{source}]") if source else ("", "[]")
        files = {
            content / "notes" / f"{record_id}.zh.md": NOTE.format(
                title=words, date=today.isoformat(), summary="一句话摘要。", sources=sources,
                body=f"## 第一节\n\n在这里写正文。引用来源时，在句末写上来源的编号{cite}。\n"),
            content / "notes" / f"{record_id}.en.md": NOTE.format(
                title=words.capitalize(), date=today.isoformat(), summary="A one-line summary.", sources=sources,
                body=f"## First section\n\nWrite here. To cite a source, put its id after the sentence{cite}.\n"),
        }
    elif kind == "person":
        files = {content / "people" / f"{record_id}.yaml": PERSON.format(zh=words, en=words.title())}
    elif kind == "topic":
        files = {content / "topics" / f"{record_id}.yaml": TOPIC.format(zh=words, en=words.capitalize())}
    elif kind == "source":
        files = {content / "sources" / f"{record_id}.yaml": SOURCE.format(zh=words, en=words.capitalize(),
                                                                          date=f"{today:%Y-%m}")}
    elif kind == "event":
        source = _first_id(content / "sources")
        files = {content / "timeline" / f"{record_id}.yaml": EVENT.format(
            id=record_id, zh=words, en=words.capitalize(), date=f"{today:%Y-%m}",
            sources=f"[{source}]" if source else "[]  # every event cites a source: add its id")}
    elif kind == "transcript":
        person = _first_id(content / "people")
        files = {}
        for lang, title, label, line in (("zh", words, "受访者", "在这里写第一段发言。"),
                                         ("en", words.capitalize(), "Guest", "Write the first turn here.")):
            speakers = f"speakers:\n  {label}: {person}\n" if person else ""
            turn = f"**{label}:** {line}" if person else line
            files[content / "transcripts" / f"{record_id}.{lang}.md"] = TRANSCRIPT.format(
                title=title, speakers=speakers, turn=turn)
    else:
        raise ScaffoldError(f"cannot make a new '{kind}': choose one of {', '.join(KINDS)}")
    _refuse_existing(list(files))
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def _refuse_existing(paths: list[Path]) -> None:
    for path in paths:
        if path.exists():
            raise ScaffoldError(f"{path} already exists; nothing was written")


def _first_id(folder: Path) -> str | None:
    """The id of the first record in `folder`, to make a scaffold refer to something real."""
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        if is_valid_id(path.stem):
            return path.stem
    return None


NOTE = """---
title: {title}
date: {date}
summary: {summary}
people: []
topics: []
sources: {sources}
draft: true
---
{body}"""

PERSON = """name: {{zh: {zh}, en: {en}}}
aliases: []
role: {{zh: 身份, en: Role}}
bio:
  zh: 一两句话的简介。
  en: A short biography in a sentence or two.
"""

TOPIC = """name: {{zh: {zh}, en: {en}}}
aliases: []
summary:
  zh: 这个主题讲什么。
  en: What this topic is about.
"""

SOURCE = """kind: article   # interview, documentary, article, book, web…
title: {{zh: {zh}, en: {en}}}
date: {date}
# url: https://example.org/where-to-find-it
summary:
  zh: 这个来源是什么，可信程度如何。
  en: What this source is, and how far it can be trusted.
"""

EVENT = """# dates may be fuzzy: 1988, 1988-06, ~1980, 1980s
- id: {id}
  date: {date}
  title: {{zh: {zh}, en: {en}}}
  detail:
    zh: 发生了什么。
    en: What happened.
  people: []
  topics: []
  sources: {sources}
"""

TRANSCRIPT = """---
title: {title}
{speakers}---
## 1

[00:00:00] {turn}
"""
