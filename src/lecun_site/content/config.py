"""SiteConfig: the settings in content/site.yaml, checked all at once.

Every setting is declared once in SETTINGS (name, default, help); README's table is
tested against it, so an undocumented setting fails the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ContentError, Problems, did_you_mean
from ..records import LANGS, Era, Localized
from .textfile import DEFAULT_MAX_FILE_SIZE, LineDict, parse_yaml, read_text


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("title", None, "Site title, `{zh, en}` or one string (required)"),
    Setting("description", None, "One-line description of the site, `{zh, en}`; used in meta tags and feeds"),
    Setting("base_url", "/", "Where the site is published, e.g. `https://user.github.io/repo/`; `--base-url` overrides it"),
    Setting("languages", ["zh", "en"], "The site's languages, in menu order"),
    Setting("default_language", "zh", "Language of a note file without `.zh`/`.en` suffix and of the root page"),
    Setting("home_note", None, "Slug of the note whose body opens the home page"),
    Setting("start_here", None, "Slug of a note shown on the home page, in a box headed \"Start here\", above the home note: a reading path for newcomers"),
    Setting("author", None, "Author or organisation named in feeds and meta tags"),
    Setting("max_file_size", DEFAULT_MAX_FILE_SIZE, "Largest content file accepted, in bytes"),
    Setting("allow_raw_html", False, "Let raw HTML in markdown through (unsafe for untrusted content; off by default)"),
    Setting("html", "escape", "Raw HTML in markdown: `escape` (shown as text), `sanitize` (kept, cleaned by an allow-list: no script, event handler or `javascript:` URL) or `allow` (trusted, as is)"),
    Setting("language_suffixes", {}, "File-name language suffixes mapped to the site's languages, e.g. `{cn: zh, us: en}`; `zh-cn`, `zh-hant`, `en-us`… need no entry"),
    Setting("allow_embeds", False, "Let `<iframe>` embeds of YouTube/Vimeo/Bilibili through while raw HTML stays escaped"),
    Setting("cname", None, "Custom domain written to `CNAME` for GitHub Pages"),
    Setting("eras", [], "Stretches of the story drawn as bands on the timeline chart: a list of `{from: 1987, to: 2002, name: {zh: 贝尔实验室, en: Bell Labs}}` (`to` may be left out for the last)"),
    Setting("local", False, "Write links that work when the output is opened from disk (file://), as `--local` does"),
    Setting("social_cards", False, "Draw a 1200×630 picture (title and site name) for every page without an image of its own, as its `og:image` for shared links (needs a CJK font such as Debian's fonts-noto-cjk for Chinese pages)"),
)

_KNOWN = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class SiteConfig:
    title: Localized
    description: Localized = Localized()
    base_url: str = "/"
    languages: tuple[str, ...] = LANGS
    default_language: str = "zh"
    home_note: str | None = None
    start_here: str | None = None
    author: str | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    allow_raw_html: bool = False
    html: str = "escape"  # 'escape', 'sanitize' or 'allow' (`allow_raw_html: true` is `allow`)
    language_suffixes: tuple[tuple[str, str], ...] = ()
    allow_embeds: bool = False
    cname: str | None = None
    local: bool = False
    social_cards: bool = False
    eras: tuple[Era, ...] = ()
    path: str = "site.yaml"

    @property
    def base_path(self) -> str:
        """The path part of base_url, always ending in '/': '/repo/' for https://u.github.io/repo/."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def raw_html(self) -> bool | str:
        """What markdown does with raw HTML: False (escape), True (allow) or 'sanitize'."""
        if self.html == "sanitize":
            return "sanitize"
        return self.allow_raw_html or self.html == "allow"

    def absolute(self, site_path: str) -> str:
        """An absolute URL for a site path such as '/zh/notes/x/' (base-aware)."""
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return base + site_path.lstrip("/")


def localized_value(value: Any) -> Localized | None:
    """`{zh, en}` or a plain string → Localized; None when it is neither."""
    if isinstance(value, str):
        return Localized.same(value.strip())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Localized.same(str(value))
    if isinstance(value, dict) and value and set(value) <= set(LANGS):
        if all(isinstance(v, (str, int, float)) and not isinstance(v, bool) or v is None for v in value.values()):
            return Localized(
                zh=str(value["zh"]).strip() if value.get("zh") is not None else None,
                en=str(value["en"]).strip() if value.get("en") is not None else None,
            )
    return None


def _year(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 10000


def _eras(value: Any) -> tuple[Era, ...] | None:
    """site.yaml's `eras` → Era records; None when it is not a list of them in order."""
    if not isinstance(value, list):
        return None
    eras: list[Era] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"from", "to", "name"}:
            return None
        start, end, name = item.get("from"), item.get("to"), localized_value(item.get("name"))
        if not _year(start) or name is None or not name:
            return None
        if end is not None and (not _year(end) or end <= start):
            return None
        if eras and (eras[-1].end is None or start < eras[-1].end):
            return None
        eras.append(Era(start, end, name))
    return tuple(eras)


def load_config(content_dir: Path, base_url: str | None = None) -> SiteConfig:
    """Read content/site.yaml; raise BuildFailed listing every bad or unknown key."""
    from ..errors import BuildFailed

    path = content_dir / "site.yaml"
    display = str(path)
    problems = Problems()
    if not path.is_file():
        raise BuildFailed([ConfigError(display, "site.yaml is missing",
                                       hint="create content/site.yaml with at least `title: {zh: …, en: …}`")])
    if path.is_symlink() and not path.resolve().is_relative_to(content_dir.resolve()):
        raise BuildFailed([ConfigError(display, "site.yaml is a link to outside the content folder; refused",
                                       hint="copy the file into the content folder instead of linking to it")])
    try:
        data = parse_yaml(display, read_text(path, display))
    except ContentError as exc:  # unreadable file or bad YAML
        raise BuildFailed([ConfigError(exc.path, exc.message, line=exc.line, column=exc.column, hint=exc.hint)]) from None
    if data is None:
        data = LineDict()
    if not isinstance(data, dict):
        raise BuildFailed([ConfigError(display, "site.yaml must be a mapping of settings", line=1,
                                       hint="write one `setting: value` per line, e.g. `title: {zh: …, en: …}`")])
    lines = getattr(data, "lines", {})

    def bad(key: str, message: str, hint: str | None = None) -> None:
        problems.add(ConfigError(display, message, line=lines.get(key), field=key, hint=hint))

    for key in data:
        if key not in _KNOWN:
            bad(str(key), f"unknown setting '{key}'",
                did_you_mean(str(key), _KNOWN) or "see the settings table in README.md")

    values: dict[str, Any] = {}
    title = localized_value(data.get("title"))
    if title is None:
        bad("title", "`title` is required: a string or `{zh: …, en: …}`", "add `title: {zh: …, en: …}`")
        title = Localized.same("lecun-site")
    values["title"] = title
    if "description" in data:
        description = localized_value(data["description"])
        if description is None:
            bad("description", "`description` must be a string or `{zh: …, en: …}`",
                "write `description: {zh: …, en: …}`, or one text for both languages")
        else:
            values["description"] = description
    if "base_url" in data:
        if not isinstance(data["base_url"], str) or not data["base_url"].strip():
            bad("base_url", "`base_url` must be a URL such as https://user.github.io/repo/",
                "write where the site is published, or `/` for the root of any server")
        else:
            values["base_url"] = data["base_url"].strip()
    if "languages" in data:
        langs = data["languages"]
        if not isinstance(langs, list) or not langs or any(l not in LANGS for l in langs) or len(set(langs)) != len(langs):
            bad("languages", f"`languages` must list some of {', '.join(LANGS)} once each", "write `languages: [zh, en]`")
        else:
            values["languages"] = tuple(langs)
    if "default_language" in data:
        if data["default_language"] not in LANGS:
            bad("default_language", f"`default_language` must be one of {', '.join(LANGS)}",
                "write `default_language: zh` or `default_language: en`")
        else:
            values["default_language"] = data["default_language"]
    for key in ("home_note", "start_here", "author", "cname"):
        if key in data and data[key] is not None:
            if not isinstance(data[key], str):
                bad(key, f"`{key}` must be a string", f"write `{key}: some text`")
            else:
                values[key] = data[key].strip()
    if "max_file_size" in data:
        if not isinstance(data["max_file_size"], int) or isinstance(data["max_file_size"], bool) or data["max_file_size"] < 1024:
            bad("max_file_size", "`max_file_size` must be a whole number of bytes, at least 1024",
                "write e.g. `max_file_size: 4194304` for 4 MiB")
        else:
            values["max_file_size"] = data["max_file_size"]
    for key in ("allow_raw_html", "allow_embeds", "local", "social_cards"):
        if key in data:
            if not isinstance(data[key], bool):
                bad(key, f"`{key}` must be true or false", f"write `{key}: true` or `{key}: false`")
            else:
                values[key] = data[key]
    if "html" in data:
        if data["html"] not in ("escape", "sanitize", "allow"):
            bad("html", "`html` must be escape, sanitize or allow",
                "write `html: sanitize` to keep raw HTML cleaned by an allow-list, `html: escape` to show it as text")
        else:
            values["html"] = data["html"]
    if "language_suffixes" in data:
        suffixes = data["language_suffixes"]
        languages = values.get("languages", LANGS)
        if not isinstance(suffixes, dict) or any(not isinstance(k, str) or v not in languages
                                                  for k, v in suffixes.items()):
            bad("language_suffixes", "`language_suffixes` must map file-name suffixes to the site's languages",
                "write e.g. `language_suffixes: {cn: zh, us: en}`")
        else:
            values["language_suffixes"] = tuple(sorted((k.lower(), v) for k, v in suffixes.items()))
    if "eras" in data:
        eras = _eras(data["eras"])
        if eras is None:
            bad("eras", "`eras` must be a list of `{from: YEAR, to: YEAR, name: {zh: …, en: …}}`, in order, not overlapping",
                "write e.g. `eras: [{from: 1987, to: 2002, name: {zh: 贝尔实验室, en: Bell Labs}}]`")
        else:
            values["eras"] = eras
    if base_url:
        values["base_url"] = base_url
    problems.raise_if_errors()
    return SiteConfig(path=display, **values)
