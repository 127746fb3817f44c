"""Front matter: `split_front_matter` finds it, `parse_front_matter` reads it into a mapping
with line numbers.

Read as the generators that write it read it:

- YAML between `---` lines (Jekyll, Hugo, Eleventy, Hexo; `...` may close it), TOML between
  `+++` lines (Hugo);
- JSON: Eleventy's `---json` … `---`, and Hugo's object at the very start of the file (`{` … `}`);
- Eleventy's `---js` / `---javascript` is refused: it is a program, and nothing in content runs;
- Hexo's front matter without the opening `---` (YAML lines, then `---`) and front matter after
  blank lines are read, with a warning naming the line, so that they are not shown as text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..errors import ContentError, Problems
from .fields import _kind
from .textfile import LineDict, parse_toml, parse_yaml


@dataclass(frozen=True)
class FrontMatter:
    kind: str | None  # 'yaml', 'toml', 'json' or None when the file has none
    raw: str
    raw_line: int  # line of the first front-matter line in the file
    body: str
    body_line: int
    notice: tuple[int, str, str] | None = None  # (line, warning, hint) when read in a loose form


_YAML_KEY_RE = re.compile(r"^[A-Za-z_][\w-]*:(?:\s|$)")
_HEXO_MAX_LINES = 60


def split_front_matter(display: str, text: str) -> FrontMatter:
    """Split the front matter from the body (Jekyll/Hugo/Eleventy/Hexo style)."""
    lines = text.split("\n")
    first = lines[0].rstrip() if lines else ""
    if first in ("---js", "---javascript"):
        raise ContentError(display, f"JavaScript front matter ('{first}') is a program; it is never run here",
                           line=1, hint="write the fields as YAML (---), TOML (+++) or JSON (---json)")
    if first == "---json":
        return _closed(display, lines, "json", 0, ("---",), first)
    if first in ("---", "+++"):
        closers = ("---", "...") if first == "---" else ("+++",)
        return _closed(display, lines, "yaml" if first == "---" else "toml", 0, closers, first)
    if first.startswith("{"):
        found = _json_object(text)
        if found is not None:
            raw, end = found
            return FrontMatter("json", raw, 1, text[end:].lstrip(" \t").removeprefix("\n"), raw.count("\n") + 2)
    if not first.strip():  # blank lines, then front matter
        start = next((i for i, line in enumerate(lines) if line.strip()), None)
        if start is not None and lines[start].rstrip() in ("---", "+++"):
            opener = lines[start].rstrip()
            closers = ("---", "...") if opener == "---" else ("+++",)
            fm = _closed(display, lines, "yaml" if opener == "---" else "toml", start, closers, opener)
            return _with_notice(fm, start + 1, f"the front matter starts on line {start + 1}, after blank lines",
                                "remove the blank lines above the opening line, which must be line 1")
    if _YAML_KEY_RE.match(first):  # Hexo: YAML lines, then `---`, without an opening `---`
        for index in range(1, min(len(lines), _HEXO_MAX_LINES)):
            line = lines[index].rstrip()
            if line == "---":
                return _with_notice(
                    FrontMatter("yaml", "\n".join(lines[:index]), 1, "\n".join(lines[index + 1:]), index + 2),
                    1, f"the front matter has no opening '---' (read as Hexo does, up to line {index + 1})",
                    "add a line '---' above line 1")
            if line and not (_YAML_KEY_RE.match(line) or line[:1] in " -"):
                break
    return FrontMatter(None, "", 1, text, 1)


def _closed(display: str, lines: list[str], kind: str, start: int, closers: tuple[str, ...],
            opener: str) -> FrontMatter:
    for index in range(start + 1, len(lines)):
        if lines[index].rstrip() in closers:
            return FrontMatter(kind, "\n".join(lines[start + 1:index]), start + 2, "\n".join(lines[index + 1:]),
                               index + 2)
    raise ContentError(
        display, f"the front matter opened with '{opener}' on line {start + 1} is never closed",
        line=start + 1, hint=f"add a line '{closers[0]}' after the last front-matter field",
    )


def _with_notice(fm: FrontMatter, line: int, message: str, hint: str) -> FrontMatter:
    return FrontMatter(fm.kind, fm.raw, fm.raw_line, fm.body, fm.body_line, (line, message, hint))


def _json_object(text: str) -> tuple[str, int] | None:
    """Hugo's JSON front matter: an object at the start of the file, ending on its own line."""
    try:
        value, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    rest = text[end:]
    if rest.strip(" \t") and not rest.lstrip(" \t").startswith("\n"):
        return None
    return text[:end], end


def _parse_json(display: str, raw: str, first_line: int) -> LineDict:
    def pairs(items: list[tuple[str, Any]]) -> LineDict:
        found = LineDict()
        for key, value in items:
            if key in found:
                raise ContentError(display, f"the key '{key}' is given twice in the JSON front matter",
                                   line=first_line, hint="keep one of them")
            found[key] = value
        return found

    try:
        data = json.loads(raw, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise ContentError(display, f"the JSON front matter does not parse: {exc.msg}", line=first_line + exc.lineno - 1,
                           column=exc.colno, hint="check the commas and quotes on that line") from None
    if isinstance(data, LineDict):  # the line of each top-level key, found in the text
        for number, line in enumerate(raw.split("\n"), start=first_line):
            match = re.match(r'^\s*[{,]?\s*"((?:[^"\\]|\\.)*)"\s*:', line)
            if match and match[1] in data and match[1] not in data.lines:
                data.lines[match[1]] = number
        data.line = first_line
    return data


def parse_front_matter(display: str, text: str, problems: Problems | None = None) -> tuple[dict, FrontMatter]:
    fm = split_front_matter(display, text)
    if fm.notice is not None and fm.raw_line == 1 and fm.kind == "yaml":  # Hexo's form: only if it reads as fields
        try:
            data = parse_yaml(display, fm.raw, fm.raw_line)
        except ContentError:
            data = None
        if not isinstance(data, dict):  # `Note: a: b` then a `---` rule: text after all
            return LineDict(), FrontMatter(None, "", 1, text, 1)
    if fm.notice is not None and problems is not None:
        problems.warn(display, fm.notice[1], line=fm.notice[0], hint=fm.notice[2])
    if fm.kind is None or not fm.raw.strip():
        data: Any = LineDict()
    elif fm.kind == "yaml":
        data = parse_yaml(display, fm.raw, fm.raw_line)
    elif fm.kind == "json":
        data = _parse_json(display, fm.raw, fm.raw_line)
    else:
        data = parse_toml(display, fm.raw, fm.raw_line)
    if data is None:
        data = LineDict()
    if not isinstance(data, dict):
        raise ContentError(display, f"the front matter must be a mapping of fields, not a {_kind(data)}", line=fm.raw_line,
                           hint="write one `field: value` per line between the --- lines, e.g. `title: …`")
    return data, fm
