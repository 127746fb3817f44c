"""File names as writers and other generators name them → (slug, language).

- `slug.zh.md`, `slug.en.md`: this project's own names.
- Hugo's language suffixes `post.zh-cn.md`, `post.en-us.md`, `post.zh-hant.md`: a suffix whose
  language is one of the site's (`zh-*` → zh, `en-*` → en) is that language; site.yaml's
  `language_suffixes` maps any other (`cn: zh`, `chs: zh`).
- Jekyll's posts `2016-04-19-welcome.md`: slug `welcome`, dated 2016-04-19 unless `date:` says otherwise.
- Hugo leaf bundles `post/index.en.md`: the folder names the note. Branch bundles
  (`_index.md`) are section list pages, which this site makes itself: `None`.
- A name that is not a slug (`My First Note.en.md`, `口述历史访谈笔记.zh.md`, `hugo指南.MD`) gets one
  derived from it: Chinese characters in pinyin (pypinyin), accents dropped, lowercase
  kebab-case (`my-first-note`, `kou-shu-li-shi-fang-tan-bi-ji`, `hugo-zhi-nan`); the loader
  warns, with a hint to write `slug:` in the front matter.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping

from ..records import LANGS, is_valid_id

MARKDOWN_SUFFIXES = (".md", ".markdown")

# Suffixes generators write that are not `zh-…`/`en-…` forms of a site language.
DEFAULT_LANGUAGE_SUFFIXES: dict[str, str] = {"cn": "zh", "chs": "zh", "cht": "zh", "tw": "zh", "hk": "zh",
                                             "zho": "zh", "chi": "zh", "eng": "en"}

# Languages other than the site's that a file may be written in: recognised, so that
# `post.fr.md` is a French note the site skips (with a warning) rather than a slug `post-fr`.
OTHER_LANGUAGES = frozenset("ar bg bn ca cs da de el es et fa fi fr he hi hr hu id it ja ko lt lv ms nb nl no "
                            "pl pt ro ru sk sl sr sv th tr uk ur vi".split())

_CODE_RE = re.compile(r"^([a-z]{2,3})(?:[-_]([a-z0-9]{2,8}))?$")


@dataclass(frozen=True)
class FileName:
    """What a note's or transcript's file name says."""

    slug: str  # always a valid id
    lang: str | None  # a site language, another language's code as written, or None (no suffix)
    written: str  # the name part as written (the folder of a bundle), for messages
    derived: bool  # the name was not a slug: `slug` was made from it
    date: str | None = None  # Jekyll's `2016-04-19-slug.md`: the date in the name (YYYY-MM-DD)


def language_of(code: str, languages: tuple[str, ...] = LANGS,
                suffixes: Mapping[str, str] | None = None) -> str | None:
    """The language a suffix names (`zh-cn` → zh), or None when it names none."""
    key = code.lower().replace("_", "-")
    table = {**DEFAULT_LANGUAGE_SUFFIXES, **{k.lower().replace("_", "-"): v for k, v in (suffixes or {}).items()}}
    if key in table:
        return table[key]
    match = _CODE_RE.match(key)
    if not match:
        return None
    if match[1] in languages or match[1] in LANGS:
        return match[1]
    if match[1] in OTHER_LANGUAGES:
        return key
    return None


def parse_file_name(name: str, folder: str | None, languages: tuple[str, ...] = LANGS,
                    suffixes: Mapping[str, str] | None = None) -> FileName | None:
    """`name` of a markdown file, `folder` the name of the folder holding it when that is not the
    notes/ or transcripts/ folder itself (a bundle). None for a Hugo branch bundle (`_index.md`)."""
    stem = name
    for suffix in MARKDOWN_SUFFIXES:
        if name.lower().endswith(suffix):
            stem = name[: -len(suffix)]
            break
    lang = None
    base, dot, code = stem.rpartition(".")
    if dot and base:
        lang = language_of(code, languages, suffixes)
        if lang is not None:
            stem = base
    if stem == "_index":
        return None
    if stem == "index" and folder:
        stem = folder
    date = None
    jekyll = _JEKYLL_RE.match(stem)
    if jekyll:  # Jekyll's posts: the date is in the name, the slug is the rest
        date, stem = jekyll[1], jekyll[2]
    if is_valid_id(stem):
        return FileName(stem, lang, stem, False, date)
    return FileName(derive_slug(stem), lang, stem, True, date)


_JEKYLL_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")


def derive_slug(text: str, fallback: str = "note") -> str:
    """A URL slug for a name in any script: pinyin for Chinese characters, accents dropped,
    lowercase latin kebab-case; a short hash where nothing latin is left (`note-1a2b3c4d`)."""
    text = unicodedata.normalize("NFKC", text)
    if re.search(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", text):
        from pypinyin import lazy_pinyin  # only for names with Chinese characters: its tables take a moment

        text = " ".join(lazy_pinyin(text))
    # camelCase and capitals become words: `MyFirstNote` → my-first-note
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    slug = slug[:80].strip("-")
    if is_valid_id(slug):
        return slug
    return f"{fallback}-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
