"""Notes in all their languages: pairing translations and merging their language-neutral fields.

- Translations pair by slug, or by `translationKey` / `translation_key` (Hugo), so that
  differently named files (`about.en.md`, `guanyu.zh.md`) are one note; the group takes the
  slug of its version in the default language.
- Language-neutral fields written in both files must agree, except where real translations
  differ and may: `date` (the earliest is the note's date; a warning only beyond a day) and
  `tags` (each language's tags are resolved through topic aliases; tags that resolve apart
  are all kept, with a warning suggesting the alias that would make them one topic).
- A tag that matches no topic becomes a topic of its own, its id a slug that keeps its
  meaning (`C++` → c-plus-plus, `C#` → c-sharp, Chinese in pinyin), Unicode normalised (NFC)
  first; two tags that slug alike without being the same tag are an error naming both.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import replace
from datetime import date as Date
from datetime import timedelta

from ..content.config import SiteConfig
from ..content.filenames import derive_slug
from ..errors import Problems
from ..records import FuzzyDate, Localized, Note, Topic

_NEUTRAL = ("date", "people", "topics", "sources", "events", "quotes", "draft")

_SYMBOLS = (("++", " plus plus "), ("+", " plus "), ("#", " sharp "), ("&", " and "), ("@", " at "))


def tag_slug(tag: str) -> str:
    """A topic id for a tag that keeps its meaning: `C++` → c-plus-plus, `C#` → c-sharp,
    `.NET` → dot-net, `安装` → an-zhuang, `café` → cafe (NFC first, so both spellings agree)."""
    text = unicodedata.normalize("NFC", tag).strip()
    text = re.sub(r"^\.(?=\w)", "dot ", text)
    for symbol, word in _SYMBOLS:
        text = text.replace(symbol, word)
    return derive_slug(text, fallback="tag")


def translation_key(note: Note) -> str | None:
    for key in ("translationKey", "translation_key", "translationkey"):
        value = note.extra.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def pair_notes(notes: list[Note], config: SiteConfig, problems: Problems, drafts: bool,
               unreadable: set[tuple[str, str]] = frozenset()):
    """Notes → {slug: NoteGroup} and every slug there is (drafts left out included)."""
    from .graph import NoteGroup

    by_key: dict[str, dict[str, Note]] = defaultdict(dict)
    for note in notes:
        if note.lang not in config.languages:
            problems.warn(note.path, f"language '{note.lang}' is not one of the site's languages; the note is skipped",
                          hint="name the file slug.LANG.md with one of " + ", ".join(config.languages)
                          + ", or map its suffix in site.yaml's `language_suffixes`")
            continue
        key = translation_key(note) or note.slug
        other = by_key[key].get(note.lang)
        if other is not None:
            what = f"translationKey '{key}'" if key != note.slug or translation_key(note) else f"note slug '{key}'"
            problems.error(note.path, f"{what} ({note.lang}) is used twice (also {other.path})",
                           line=1, hint="rename one of the files: slugs are unique per language")
            continue
        by_key[key][note.lang] = note
    groups = {}
    all_slugs: set[str] = set()
    owners: dict[str, str] = {}
    for key, versions in sorted(by_key.items()):
        main = versions.get(config.default_language) or next(v for lang in config.languages
                                                            if (v := versions.get(lang)) is not None)
        slug = main.slug
        if slug in owners:
            problems.error(main.path, f"note slug '{slug}' is used twice (also {owners[slug]})", line=1,
                           hint="rename one of the files, or give both versions of a translation the same translationKey")
            continue
        owners[slug] = main.path
        versions = {lang: v if v.slug == slug else replace(v, slug=slug) for lang, v in versions.items()}
        all_slugs.add(slug)
        group = NoteGroup(slug=slug, versions=dict(sorted(versions.items())))
        group.draft = any(v.draft for v in versions.values())
        if group.draft and not drafts:
            continue
        for lang in config.languages:
            if lang not in versions and (slug, lang) not in unreadable:
                present = next(iter(versions.values()))
                problems.warn(present.path, f"note '{slug}' has no {lang} version; the {lang} page shows the "
                              f"{present.lang} text with a notice", hint=f"add notes/{slug}.{lang}.md")
        groups[slug] = group
    return groups, all_slugs


def _day(value: FuzzyDate | None) -> Date | None:
    if value is None or value.day is None or value.month is None or value.decade:
        return None
    try:
        return Date(value.year, value.month, value.day)
    except ValueError:
        return None


def merge_note(group, problems: Problems, people_of, topics_of, topic_names, topics: dict, source_ref) -> None:
    """Merge the neutral fields of a pair; two files that both set one must agree (but `date`, `tags`)."""
    resolved: dict[str, dict[str, object]] = {}
    tags: dict[str, tuple[str, ...]] = {}
    for lang, note in group.versions.items():
        values: dict[str, object] = {}
        if "date" in note.given:
            values["date"] = note.date
        if "people" in note.given:
            values["people"] = people_of(note.people, note.path, note.lines)
        if "topics" in note.given:
            values["topics"] = topics_of(note.topics, note.path, note.lines)
            tags[lang] = tag_topics(note, topic_names, topics, problems)
        if "sources" in note.given:
            values["sources"] = tuple(c for c in note.sources if source_ref(c, note.path, "sources"))
        if "events" in note.given:
            values["events"] = note.events
        if "quotes" in note.given:
            values["quotes"] = note.quotes
        if "draft" in note.given:
            values["draft"] = note.draft
        resolved[lang] = values
        for body_cite in note.body_citations:
            source_ref(body_cite, note.path, "body")
    langs = list(group.versions)
    for fld in _NEUTRAL:
        given = [(lang, resolved[lang][fld]) for lang in langs if fld in resolved[lang]]
        if fld == "date":
            given = [(lang, value) for lang, value in given if value is not None]
            if given:
                group.date = _merge_dates(group, given, problems)
            continue
        if len(given) > 1:
            first_lang, first = given[0]
            for lang, value in given[1:]:
                comparable = (lambda v: tuple(sorted(v, key=str)) if isinstance(v, tuple) else v)
                if fld == "sources":
                    comparable = (lambda v: tuple(sorted({c.source for c in v})))
                if comparable(value) != comparable(first):
                    note = group.versions[lang]
                    problems.error(note.path, f"`{fld}` differs from the {first_lang} version "
                                   f"({group.versions[first_lang].path}); language-neutral fields must agree",
                                   line=note.lines.get(fld, note.lines.get("tags")), field=fld,
                                   hint=f"write `{fld}` in one file only, or make both the same")
        if given:
            setattr(group, fld, given[0][1])
    if tags:
        group.topics = tuple(dict.fromkeys(tuple(group.topics) + _merge_tags(group, tags, topics, problems)))
    group.events = tuple(dict.fromkeys(group.events))


def _merge_dates(group, given: list[tuple[str, FuzzyDate]], problems: Problems) -> FuzzyDate:
    """The earliest date of the versions; a warning when they are more than a day apart."""
    earliest_lang, earliest = min(given, key=lambda item: item[1].sort_key)
    for lang, value in given:
        if value.sort_key == earliest.sort_key:
            continue
        first, other = _day(earliest), _day(value)
        if first is not None and other is not None and other - first <= timedelta(days=1):
            continue
        note = group.versions[lang]
        problems.warn(note.path, f"`date` {value.original or value.sort_key[0]} differs from the "
                      f"{earliest_lang} version's {earliest.original or earliest.sort_key[0]} "
                      f"({group.versions[earliest_lang].path}) by more than a day; the note is dated "
                      f"{earliest.original or earliest.sort_key[0]}", line=note.lines.get("date"), field="date",
                      hint="give both versions the same date, or write `date` in one file only")
    return earliest


def _merge_tags(group, tags: dict[str, tuple[str, ...]], topics: dict, problems: Problems) -> tuple[str, ...]:
    """Each language's tags, as topics; tags that resolve apart are all kept, with a warning that
    suggests the alias making them one topic (by position, when both lists are as long)."""
    merged = tuple(dict.fromkeys(t for lang in tags for t in tags[lang]))
    langs = list(tags)
    if len(langs) > 1:
        first = tags[langs[0]]
        for lang in langs[1:]:
            other = tags[lang]
            if set(other) == set(first):
                continue
            note = group.versions[lang]
            pairs = [(a, b) for a, b in zip(first, other) if a != b] if len(first) == len(other) else []
            suggestion = "; ".join(f"add alias '{_tag_name(topics, b)}' to content/topics/{a}.yaml" for a, b in pairs)
            problems.warn(note.path, f"the tags here resolve to other topics than in {group.versions[langs[0]].path} "
                          f"({', '.join(sorted(set(other) ^ set(first)))}); the note is listed under all of them",
                          line=note.lines.get("tags", note.lines.get("topics")), field="tags",
                          hint=suggestion or "give translated tags one topic: add each translation as an alias "
                          "in content/topics/<id>.yaml")
    return merged


def _tag_name(topics: dict, topic_id: str) -> str:
    topic = topics.get(topic_id)
    return (topic.name.zh or topic.name.en or topic_id) if topic is not None and topic.auto else topic_id


def tag_topics(note: Note, topic_names, topics: dict, problems: Problems) -> tuple[str, ...]:
    """`topics` and `tags` of one version act as topics; a tag matching none becomes a topic
    of its own, with a warning; two tags whose slugs collide are an error naming both."""
    found = []
    for tag in note.tags:
        tag = unicodedata.normalize("NFC", tag)
        topic_id = topic_names.resolve(tag)
        if topic_id is None:
            topic_id = tag_slug(tag)
            existing = topics.get(topic_id)
            if existing is not None and existing.auto:
                problems.error(note.path, f"tags '{existing.name.zh}' ({existing.path}) and '{tag}' both make "
                               f"the topic id '{topic_id}'", line=note.lines.get("tags"), field="tags",
                               hint=f"write one of them as the other, or add content/topics/{topic_id}.yaml with "
                               "the one it means as an alias")
                continue
            if existing is None:
                topics[topic_id] = Topic(id=topic_id, path=note.path, name=Localized.same(tag), auto=True)
                problems.warn(note.path, f"tag '{tag}' matches no topic; it gets a topic page of its own",
                              line=note.lines.get("tags"), field="tags",
                              hint=f"add content/topics/{topic_id}.yaml or an alias '{tag}' to an existing topic")
            topic_names.lookup[tag.casefold()] = topic_id
        found.append(topic_id)
    return tuple(found)
