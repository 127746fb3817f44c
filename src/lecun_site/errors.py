"""Errors are values: the loader and graph collect them, the CLI prints them all.

Hierarchy::

    SiteError                      base; the CLI catches only this
    ├── ContentError               a problem in one content file (path, line, column, field, hint)
    │   ├── ConfigError            site.yaml
    │   └── LinkError              a reference or link that resolves to nothing
    ├── TemplateError              a Jinja template failed (missing string, undefined variable)
    ├── OutputError                the output folder is unsafe or cannot be written
    └── BuildFailed                raised with every collected problem when a build must stop

A ContentError with ``severity="warning"`` is reported but does not fail the build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class SiteError(Exception):
    """Base of every error the tool reports to a user without a traceback."""


def _content_error(path, message, line, column, field, hint, severity) -> "ContentError":
    return ContentError(path, message, line=line, column=column, field=field, hint=hint, severity=severity)


class ContentError(SiteError):
    def __init__(
        self,
        path: str | Path | None,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        severity: str = "error",
    ) -> None:
        self.path = str(path) if path is not None else None
        self.message = message
        self.line = line
        self.column = column
        self.field = field
        self.hint = hint
        self.severity = severity
        super().__init__(self.format())

    def __reduce__(self):  # picklable, for the build cache (cache.py)
        return (_content_error, (self.path, self.message, self.line, self.column, self.field, self.hint,
                                 self.severity))

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"

    @property
    def location(self) -> str:
        where = self.path or "<content>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format(self) -> str:
        label = "warning: " if self.is_warning else ""
        text = f"{self.location}: {label}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
            "severity": self.severity,
        }

    def sort_key(self) -> tuple:
        return (self.path or "", self.line or 0, self.column or 0, self.message)


class ConfigError(ContentError):
    """A problem in site.yaml."""


class LinkError(ContentError):
    """A reference (person, topic, source, event, link target) that resolves to nothing."""


class TemplateError(SiteError):
    """A template failed to parse or render; `path` and `line` name the template file and the
    line in it, where known (render/jinja_env.py `template_error`)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(f"{path}:{line}: {message}" if path and line else message)
        self.message, self.path, self.line = message, path, line

    def __reduce__(self):  # keeps path and line when a render worker sends it back
        return _template_error, (self.message, self.path, self.line)

    def as_dict(self) -> dict:
        """As the dev server's error overlay shows a content error."""
        return {"path": self.path, "line": self.line, "column": None, "field": None, "message": self.message,
                "hint": None, "severity": "error"}


def _template_error(message: str, path: str | None, line: int | None) -> TemplateError:
    return TemplateError(message, path=path, line=line)


class OutputError(SiteError):
    """The output folder is unsafe or cannot be written."""


class BuildFailed(SiteError):
    """The build stopped: carries every problem that was found."""

    def __init__(self, problems: list[ContentError]) -> None:
        self.problems = sorted(problems, key=ContentError.sort_key)
        errors = [p for p in self.problems if not p.is_warning]
        super().__init__(f"{len(errors)} error(s)")


@dataclass
class Problems:
    """Collects errors and warnings so that a build reports all of them at once."""

    items: list[ContentError] = field(default_factory=list)

    def add(self, problem: ContentError) -> None:
        self.items.append(problem)

    def error(self, path, message, **kw) -> None:
        self.items.append(ContentError(path, message, **kw))

    def link_error(self, path, message, **kw) -> None:
        self.items.append(LinkError(path, message, **kw))

    def warn(self, path, message, **kw) -> None:
        self.items.append(ContentError(path, message, severity="warning", **kw))

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[ContentError]:
        return [p for p in self.items if not p.is_warning]

    @property
    def warnings(self) -> list[ContentError]:
        return [p for p in self.items if p.is_warning]

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BuildFailed(self.items)


def did_you_mean(word: str, candidates) -> str | None:
    """A hint naming the closest candidates, or None."""
    import difflib

    names = sorted(set(candidates))
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.6)
    if not close:
        lowered = word.lower()
        close = [n for n in names if lowered and (lowered in n.lower() or n.lower() in lowered)][:3]
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
