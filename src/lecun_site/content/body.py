"""What the loader reads in a markdown body (citations, `@/` links, headings) and in file names
(slug and language)."""

from __future__ import annotations

import re
import sys

from ..records import Citation, Link
from .media import without_pictures

# `[@x](https://…)` is a link (a Jekyll or Obsidian mention), not a citation: no `(` after the bracket.
_CITATION_RE = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_-]*)(?:\s*[,，]\s*([^\]\n]{1,80}))?\](?!\()")


# Bounded repeats: unbounded ones rescan the rest of the line at every '](' (quadratic).
_LINK_RE = re.compile(r"\]\(\s*<?(@/[^()\[\]\s<>\"]{0,300})>?(?:\s+\"[^\"\n]{0,300}\")?\s*\)")


_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")


def scan_body(body: str, first_line: int) -> tuple[tuple[Citation, ...], tuple[Link, ...]]:
    """Citations `[@id, at]` and internal links `(@/…)` in a markdown body, with lines.

    Fenced code is skipped, as the markdown renderer shows it literally.
    """
    citations: list[Citation] = []
    links: list[Link] = []
    fence: str | None = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        match = _FENCE_RE.match(line)
        if match:
            if fence is None:
                fence = match[1]
            elif match[1] == fence:
                fence = None
            continue
        if fence is not None or ("[@" not in line and "@/" not in line):
            continue
        # interned: a large site repeats the same few hundred targets hundreds of thousands of times
        for m in _CITATION_RE.finditer(line):
            citations.append(Citation(sys.intern(m[1]), m[2].strip() if m[2] else None, number))
        for m in _LINK_RE.finditer(without_pictures(line)):  # an image's `(@/media/…)` is no link
            links.append(Link(sys.intern(m[1]), number))
    return tuple(citations), tuple(links)


_ATX_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(\S.*)$")


# Hugo's and kramdown's heading attributes: `## Title {#custom-id .class}`
HEADING_ATTRS_RE = re.compile(r"[ \t]*\{[ \t]*((?:[#.][\w:-]+[ \t]*)+)\}[ \t]*$")


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of a `## heading ##` line, else None; `{#id .class}` attributes are left out.

    The closing #s are stripped in plain code: a regex that does it backtracks for minutes
    on a heading followed by thousands of spaces.
    """
    match = _ATX_RE.match(line)
    if not match:
        return None
    text = HEADING_ATTRS_RE.sub("", match[2].rstrip())
    unclosed = text.rstrip("#")
    if unclosed != text and (not unclosed or unclosed[-1] in " \t"):
        text = unclosed.rstrip()
    return (len(match[1]), text) if text else None


MORE_RE = re.compile(r"^[ \t]*<!--[ \t]*more[ \t]*-->[ \t]*$", re.M | re.I)


def summary_before_more(body: str) -> str | None:
    """The text above `<!--more-->` (Hugo's, Hexo's and Jekyll's summary break) as one line of
    inline markdown, headings left out; None when the body has no break."""
    match = MORE_RE.search(body)
    if not match:
        return None
    lines = [line.strip() for line in body[: match.start()].split("\n")]
    kept = [line for line in lines if line and not atx_heading(line) and not _FENCE_RE.match(line)]
    return " ".join(kept)[:1000] or None


def first_heading(body: str) -> str | None:
    for line in body.split("\n"):
        heading = atx_heading(line)
        if heading:
            return heading[1]
    return None


_LANG_FILE_RE = re.compile(r"^(?P<slug>.+?)(?:\.(?P<lang>zh|en))?\.(?:md|markdown)$")


def slug_and_lang(filename: str) -> tuple[str, str | None]:
    match = _LANG_FILE_RE.match(filename)
    if not match:
        return filename, None
    return match["slug"], match["lang"]


def is_ignored_name(name: str) -> bool:
    """Hidden files, editor swap and backup files."""
    return (
        name.startswith(".") or name.endswith("~") or name.endswith((".swp", ".swx", ".swo", ".tmp", ".bak"))
        or name == "4913" or name.startswith("#")
    )
