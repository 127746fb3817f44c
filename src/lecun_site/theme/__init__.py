"""The default theme, and a site's own templates and static files over it, one file at a time.

The default templates and static files are the repository's top-level `templates/` and
`static/`; the wheel carries them as `lecun_site/theme/templates` and `lecun_site/theme/static`
(pyproject.toml, `force-include`). Run from a checkout (an editable install), this folder holds
no copy and the repository's own folders are used.

A site overrides the theme per file, as Hugo's theme lookup and MkDocs' `custom_dir` do:

- `templates/note.html` beside the site's `content/` replaces the default `note.html` and
  nothing else; it may still extend the default as `{% extends "default:note.html" %}`;
- `static/extra.css` is published with every default static file; `static/site.css`
  replaces the default one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent
CHECKOUT = PACKAGED.parents[2]  # src/lecun_site/theme -> the repository
DEFAULT_PREFIX = "default"  # `{% extends "default:note.html" %}`


def default_root() -> Path:
    """The folder holding the default theme's `templates/` and `static/`."""
    if (PACKAGED / "templates").is_dir():
        return PACKAGED
    return CHECKOUT


@dataclass(frozen=True)
class Theme:
    """Where templates and static files come from. `templates`: searched in order, the site's
    folder first; `static`: laid over each other in order, the site's folder last (it wins)."""

    templates: tuple[Path, ...]
    static: tuple[Path, ...]

    @classmethod
    def for_site(cls, content: Path, templates: Path | None = None, static: Path | None = None,
                 default: Path | None = None) -> "Theme":
        """The default theme under the site's `templates/` and `static/`: those given, else the
        folders of those names beside `content/` where they exist."""
        root = default or default_root()
        site = content.resolve().parent
        return cls(
            templates=_layers(templates or site / "templates", root / "templates", site_first=True),
            static=_layers(static or site / "static", root / "static", site_first=False),
        )


def _layers(site: Path, default: Path, *, site_first: bool) -> tuple[Path, ...]:
    if not site.is_dir() or site.resolve() == default.resolve():
        return (default,)
    return (site, default) if site_first else (default, site)
