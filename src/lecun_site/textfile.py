"""Reading content files safely, and YAML/TOML with line numbers.

Every file goes through `read_text` (size limit, UTF-8 with or without BOM, CRLF, no NUL)
and every YAML document through `parse_yaml` (safe loader, C-accelerated when present,
duplicate keys refused, dates kept as text for FuzzyDate, mappings that remember lines).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_ALIASES = 100  # YAML anchors/aliases per document: enough for real use, too few for a bomb

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HAVE_C_LOADER = _Base is not yaml.SafeLoader


class LineDict(dict):
    """A mapping from YAML that remembers the line (1-based) of each key."""

    lines: dict

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {}
        self.line = None

    def line_of(self, key: str, default: int | None = None) -> int | None:
        return self.lines.get(key, self.line if default is None else default)


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader: mappings remember lines, duplicate keys are errors, dates stay text."""

    line_offset = 0

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1 + self.line_offset
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "found a key that is a list or mapping", key_node.start_mark,
                ) from None
            if key in result:
                raise _DuplicateKey(
                    None, None,
                    f"duplicate key '{key}' (first on line {result.lines[key]}): YAML would silently keep the last one",
                    key_node.start_mark,
                )
            result[key] = self.construct_object(value_node, deep=deep)
            result.lines[key] = key_node.start_mark.line + 1 + self.line_offset
        return result

    def construct_yaml_timestamp(self, node):
        return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def read_text(path: Path, display: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """The text of a content file, or a ContentError that says what is wrong with it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ContentError(display, f"cannot read the file: {exc.strerror}") from exc
    if size > max_size:
        raise ContentError(
            display,
            f"the file is {size:,} bytes, over the limit of {max_size:,}",
            hint="split it, or raise `max_file_size` in site.yaml",
        )
    data = path.read_bytes()
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ContentError(display, "the file contains a NUL byte: is it a binary file?", line=line,
                           hint="content files are UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            display, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            line=line, hint="save it as UTF-8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(display: str, text: str, first_line: int = 1) -> Any:
    """Parse one YAML document. Lines in errors and LineDicts count from `first_line`."""
    if "\t" in text:
        for number, line in enumerate(text.split("\n"), start=first_line):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                raise ContentError(
                    display, "a tab is used for indentation; YAML allows only spaces",
                    line=number, column=len(line) - len(stripped) + 1, hint="replace the tab with spaces",
                )
    if text.count("*") > MAX_ALIASES and len(re.findall(r"(?:^|[\s\[{,])\*[^\s,\]}]+", text)) > MAX_ALIASES:
        raise ContentError(display, f"more than {MAX_ALIASES} YAML aliases (*name): refused, this looks like an alias bomb",
                           line=first_line)
    loader = _Loader(text)
    loader.line_offset = first_line - 1
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _yaml_message(exc)
        line = mark.line + first_line if mark else first_line
        context = exc.context_mark
        if context is not None and mark is not None and context.line != mark.line:
            message += f" (the structure began on line {context.line + first_line})"
        column = mark.column + 1 if mark else None
        raise ContentError(display, message, line=line, column=column, hint=_yaml_hint(message)) from None
    except yaml.YAMLError as exc:
        raise ContentError(display, f"invalid YAML: {exc}", line=first_line) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise ContentError(display, f"invalid YAML value: {exc}", line=first_line) from None
    finally:
        loader.dispose()


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    if "could not determine a constructor for the tag" in problem:
        tag = problem.split("tag", 1)[1].strip(" '")
        return f"the YAML tag {tag} is not allowed: only plain data (text, numbers, lists, mappings) is read"
    if exc.context and exc.context not in problem:
        return f"invalid YAML: {exc.context}, {problem}"
    return f"invalid YAML: {problem}"


def _yaml_hint(message: str) -> str | None:
    if "mapping values are not allowed" in message:
        return "a value containing ': ' must be quoted, e.g. title: \"LeCun: forty years\""
    if "found character '\\t'" in message:
        return "replace the tab with spaces"
    if "duplicate key" in message:
        return "remove one of the two keys"
    if "found undefined alias" in message:
        return "define the anchor (&name) before using *name, or quote the text"
    return None


def parse_toml(display: str, text: str, first_line: int = 1) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        line = int(match[1]) + first_line - 1 if match else first_line
        column = int(match[2]) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ContentError(display, f"invalid TOML: {message}", line=line, column=column) from None
