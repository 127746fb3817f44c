"""Front matter: `split_front_matter` finds it (YAML between `---`, TOML between `+++`),
`parse_front_matter` reads it into a mapping with line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ContentError
from .fields import _kind
from .textfile import LineDict, parse_toml, parse_yaml


@dataclass(frozen=True)
class FrontMatter:
    kind: str | None  # 'yaml', 'toml' or None when the file has none
    raw: str
    raw_line: int  # line of the first front-matter line in the file
    body: str
    body_line: int


def split_front_matter(display: str, text: str) -> FrontMatter:
    """Split `---` YAML or `+++` TOML front matter from the body (Jekyll/Hugo/Eleventy style)."""
    lines = text.split("\n")
    first = lines[0].rstrip() if lines else ""
    if first not in ("---", "+++"):
        return FrontMatter(None, "", 1, text, 1)
    closers = ("---", "...") if first == "---" else ("+++",)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in closers:
            return FrontMatter(
                "yaml" if first == "---" else "toml",
                "\n".join(lines[1:index]),
                2,
                "\n".join(lines[index + 1 :]),
                index + 2,
            )
    raise ContentError(
        display, f"the front matter opened with '{first}' on line 1 is never closed",
        line=1, hint=f"add a line '{closers[0]}' after the last front-matter field",
    )


def parse_front_matter(display: str, text: str) -> tuple[dict, FrontMatter]:
    fm = split_front_matter(display, text)
    if fm.kind is None or not fm.raw.strip():
        data: Any = LineDict()
    elif fm.kind == "yaml":
        data = parse_yaml(display, fm.raw, fm.raw_line)
    else:
        data = parse_toml(display, fm.raw, fm.raw_line)
    if data is None:
        data = LineDict()
    if not isinstance(data, dict):
        raise ContentError(display, f"the front matter must be a mapping of fields, not a {_kind(data)}", line=fm.raw_line,
                           hint="write one `field: value` per line between the --- lines, e.g. `title: …`")
    return data, fm
