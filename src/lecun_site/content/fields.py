"""Typed fields of front matter and YAML records: `Fields` reads one mapping, reporting every
bad value with its line; the constants every content file shares."""

from __future__ import annotations

import sys
from typing import Any

from ..errors import Problems, did_you_mean
from ..records import LANGS, Citation, DateError, FuzzyDate, Localized, is_valid_id
from .config import localized_value

SOURCE_KINDS = ("documentary", "article", "interview", "video", "note", "book", "paper", "web", "podcast")


NOTE_NEUTRAL_FIELDS = ("date", "people", "topics", "sources", "events", "quotes", "draft")


ID_HINT = "ids are lowercase latin kebab-case, such as geoffrey-hinton"


DATE_FORMS = "a date such as 1989, 1989-06, 1989-06-12, ~1980, 1980s or 1985-early"


class Fields:
    """Typed access to one mapping, reporting every problem with its line."""

    def __init__(self, display: str, data: dict, problems: Problems, line: int | None = None) -> None:
        self.display = display
        self.data = data
        self.problems = problems
        self.lines: dict = dict(getattr(data, "lines", {}))
        self.base_line = getattr(data, "line", None) or line

    def line(self, key: str) -> int | None:
        return self.lines.get(key, self.base_line)

    def error(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.problems.error(self.display, message, line=self.line(key) if key else self.base_line, field=key, hint=hint)

    def warn(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.problems.warn(self.display, message, line=self.line(key) if key else self.base_line, field=key, hint=hint)

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(None, f"`{key}` is required", hint=f"add `{key}: …`")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(key, f"`{key}` must be text, not a {_kind(value)}",
                       hint=f"write `{key}: some text` (put it in quotes if it starts with [ or {{)")
            return None
        return str(value).strip()

    def localized(self, key: str, required: bool = False) -> Localized:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(None, f"`{key}` is required", hint=f"add `{key}: {{zh: …, en: …}}`")
            return Localized()
        result = localized_value(value)
        if result is None:
            if isinstance(value, dict):
                extra = [k for k in value if k not in LANGS]
                self.error(key, f"`{key}` has unknown language key(s) {', '.join(map(str, extra)) or 'with non-text values'}",
                           hint="write `{zh: …, en: …}`")
            else:
                self.error(key, f"`{key}` must be text or `{{zh: …, en: …}}`, not a {_kind(value)}",
                           hint=f"write `{key}: {{zh: …, en: …}}`, or one text for both languages")
            return Localized()
        if required and not result:
            self.error(key, f"`{key}` is empty", hint=f"write `{key}: {{zh: …, en: …}}`")
        return result

    def string_list(self, key: str) -> tuple[str, ...]:
        """A string or a list of strings (as `tags` may be written)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, (str, int)) for v in value):
            self.error(key, f"`{key}` must be a list of names", hint=f"write `{key}: [first, second]` or one name")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    def id_value(self, key: str, required: bool = False) -> str | None:
        value = self.text(key, required)
        if value is not None and not is_valid_id(value):
            self.error(key, f"`{key}` '{_short(value)}' is not a valid id",
                       hint=ID_HINT)
            return None
        return value

    def id_list(self, key: str) -> tuple[str, ...]:
        values = self.string_list(key)
        good = []
        for value in values:
            if is_valid_id(value):
                good.append(sys.intern(value))
            else:
                self.error(key, f"`{key}` has '{_short(value)}', which is not a valid id",
                           hint="ids are lowercase latin kebab-case")
        return tuple(good)

    def date(self, key: str, required: bool = False) -> FuzzyDate | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(None, f"`{key}` is required", hint=f"add `{key}:` with {DATE_FORMS}")
            return None
        try:
            return FuzzyDate.parse(value)
        except DateError as exc:
            self.error(key, f"`{key}`: {exc}", hint=f"write {DATE_FORMS}")
            return None

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
            return value.strip().lower() in ("true", "yes")
        self.error(key, f"`{key}` must be true or false", hint=f"write `{key}: true` or `{key}: false`")
        return default

    def citation(self, key: str, value: Any) -> Citation | None:
        line = self.line(key)
        if isinstance(value, str) and value.strip():
            source, _, at = value.strip().partition("@")
            source = source.strip()
            if not is_valid_id(source):
                self.error(key, f"`{key}`: '{_short(source)}' is not a source id",
                           hint="cite a source by its id, e.g. heroes-of-deep-learning")
                return None
            return Citation(sys.intern(source), at.strip() or None, line)
        if isinstance(value, dict):
            source = value.get("source", value.get("id"))
            at = value.get("at")
            if not isinstance(source, str) or not is_valid_id(source.strip()):
                self.error(key, f"`{key}`: a citation needs `source: <source id>`",
                           hint="write `{source: heroes-of-deep-learning, at: turn-12}` or just the source id")
                return None
            label = None
            if isinstance(at, dict):  # a free-text locator in each language: {zh: § 早年, en: § Early years}
                label = localized_value(at)
                if not label or not (label.zh and label.en):
                    self.error(key, f"`{key}`: `at` in two languages needs both `zh` and `en` text",
                               hint="write `at: {zh: § 某一节, en: § A section}`")
                    label = None
                at = label.zh if label else None
            if at is not None and (isinstance(at, bool) or not isinstance(at, (str, int))):
                self.error(key, f"`{key}`: `at` must be text such as turn-12 or 00:12:34",
                           hint="write `at: turn-12`, `at: 00:12:34`, the name of a section, "
                                "or `{zh: …, en: …}` for a place named in each language")
                at = None
            unknown = set(value) - {"source", "id", "at"}
            if unknown:
                self.warn(key, f"`{key}`: unknown citation field(s) {', '.join(sorted(map(str, unknown)))}",
                          hint="a citation has `source` and optional `at`")
            return Citation(sys.intern(source.strip()), str(at).strip() if at is not None else None,
                            getattr(value, "line", None) or line, label)
        self.error(key, f"`{key}`: a citation is a source id or `{{source: id, at: locator}}`, not a {_kind(value)}",
                   hint="write `sources: [source-id, {source: other-id, at: turn-3}]`")
        return None

    def citations(self, key: str) -> tuple[Citation, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            value = [value]
        found = (self.citation(key, item) for item in value)
        return tuple(c for c in found if c is not None)

    def check_unknown(self, allowed: tuple[str, ...], what: str) -> None:
        for key in self.data:
            if key not in allowed:
                self.warn(str(key), f"unknown {what} field '{key}' is ignored",
                          hint=did_you_mean(str(key), allowed) or f"{what} fields: {', '.join(allowed)}")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return {str: "string", int: "number", float: "number", bool: "true/false",
            type(None): "empty value"}.get(type(value), type(value).__name__)


def _short(text: str, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
