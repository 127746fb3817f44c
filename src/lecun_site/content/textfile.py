"""Reading content files safely, and YAML/TOML with line numbers.

Every file goes through `read_text` (regular files only, size limit, UTF-8 with or without
BOM, CRLF, no NUL) and every YAML document through `parse_yaml` (safe loader, C-accelerated
when present, duplicate keys refused, dates kept as text for FuzzyDate, mappings that
remember lines). Before a YAML document is loaded, `_check_shape` walks its events once and
refuses what would crash or swamp the loader: nesting deeper than MAX_DEPTH (libyaml's
composer recurses in C and would overflow the stack), aliases that repeat more than
MAX_ALIAS_VALUES values (the "billion laughs"), and an alias inside the structure it names.
Plain data (most documents) skips both: `_built_from_events` makes the same mappings and lists
in one pass over the parser's events, and leaves anything unusual to the checks and the loader.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_DEPTH = 50  # lists and mappings inside each other; real content stays under 10
MAX_ALIAS_VALUES = 10_000  # values that *aliases may repeat in one document; a bomb asks for billions

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


class LineList(list):
    """A list from YAML that remembers the line (1-based) of each item."""

    lines: list

    def __init__(self, *args):
        super().__init__(*args)
        self.lines = []
        self.line = None


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

    def construct_line_list(self, node):
        offset = 1 + self.line_offset
        result = LineList()
        result.line = node.start_mark.line + offset
        yield result
        result.extend(self.construct_sequence(node))
        result.lines = [item.start_mark.line + offset for item in node.value]

    def construct_yaml_timestamp(self, node):
        return self.construct_scalar(node)


# Only plain data: binary, set, omap and pairs are refused like any other tag.
_PLAIN_TAGS = ("null", "bool", "int", "float", "str")
_Loader.yaml_constructors = {tag: constructor for tag, constructor in _Base.yaml_constructors.items()
                             if tag is None or tag.rsplit(":", 1)[-1] in _PLAIN_TAGS}
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_line_list)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def read_text(path: Path, display: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """The text of a content file, or a ContentError that says what is wrong with it."""
    return decode_text(read_bytes(path, display, max_size), display)


def read_bytes(path: Path, display: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of a regular file of at most `max_size` bytes, or a ContentError."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ContentError(display, "this is not a regular file (a folder, pipe, device or socket); refused",
                               hint="content folders hold text files only: remove it")
        if info.st_size > max_size:
            raise _too_big(display, info.st_size, max_size)
        with open(path, "rb") as handle:
            data = handle.read(max_size + 1)  # never more, whatever stat said
    except OSError as exc:
        raise ContentError(display, f"cannot read the file: {exc.strerror}",
                           hint="check that the file exists and that you may read it") from exc
    if len(data) > max_size:
        raise _too_big(display, len(data), max_size)
    return data


def decode_text(data: bytes, display: str) -> str:
    """UTF-8 bytes (BOM or not) as text with \\n line ends, or a ContentError naming the line."""
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            raise ContentError(display, f"the file is {name} text", line=1,
                               hint="save it as UTF-8 (your editor's 'Save with encoding' menu)")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ContentError(display, "the file contains a NUL byte: is it a binary file?", line=line,
                           hint="content files are UTF-8 text; remove the NUL byte or the file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError(
            display, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            line=line, column=column, hint="save it as UTF-8 (your editor's 'Save with encoding' menu)",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _too_big(display: str, size: int, max_size: int) -> ContentError:
    return ContentError(display, f"the file is {size:,} bytes, over the limit of {max_size:,}",
                        hint="split it, or raise `max_file_size` in site.yaml")


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
    simple = _simple_mapping(text, first_line)
    return simple if simple is not None else _load_yaml(display, text, first_line)


def _load_yaml(display: str, text: str, first_line: int = 1) -> Any:
    """parse_yaml through PyYAML (the documents that are not simple `key: value` lines)."""

    def at(mark) -> dict:
        return {"line": mark.line + first_line, "column": mark.column + 1} if mark else {"line": first_line}

    loader = None
    try:
        built = _built_from_events(text, first_line)
        if built is not _UNUSUAL:
            return built
        if not _plainly_shallow(text):
            _check_shape(display, text, at)
        loader = _Loader(text)
        loader.line_offset = first_line - 1
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _yaml_message(exc)
        context = exc.context_mark
        if context is not None and mark is not None and context.line != mark.line:
            message += f" (the structure began on line {context.line + first_line})"
        raise ContentError(display, message, hint=_yaml_hint(message), **at(mark)) from None
    except yaml.reader.ReaderError as exc:
        # libyaml counts the position in UTF-8 bytes, the Python reader in characters
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore") if HAVE_C_LOADER else text[: exc.position]
        line = before.count("\n") + first_line
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise ContentError(display, f"the character U+{exc.character:04X} is not allowed in YAML", line=line,
                           column=column, hint="remove it, or write it as an escape (\\xNN) inside double quotes") from None
    except yaml.YAMLError as exc:
        raise ContentError(display, f"invalid YAML: {exc}", line=first_line,
                           hint="check the file against the examples in README.md") from None
    except ValueError as exc:
        if "integer string conversion" in str(exc):
            raise ContentError(display, "a number has more than 4,300 digits", line=first_line,
                               hint="put it in quotes to keep it as text") from None
        raise ContentError(display, f"invalid YAML value: {exc}", line=first_line,
                           hint="put the value in quotes to keep it as text") from None
    except RecursionError:
        raise ContentError(display, "the YAML is nested too deeply to read", line=first_line,
                           hint=f"keep lists and mappings less than {MAX_DEPTH} levels deep") from None
    finally:
        if loader is not None:
            loader.dispose()


# The one shape of YAML most front matter has: `key: value` lines, where each value is a double-
# quoted string without escapes, a date, a word, or a flow list of words and quoted strings. `_simple_mapping`
# reads exactly that (a third of a large build's loading was PyYAML's constructor on such
# lines) and gives up on anything else, which the YAML loader then reads; tests/content/
# test_simple_yaml.py checks that both give the same mapping, lines included.
_SIMPLE_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_WORD = r"[A-Za-z][A-Za-z0-9_.-]*"
# what double-quoted text may not hold here: the quote, escapes, and what YAML refuses or reads otherwise
_NOT_IN_TEXT = r'"\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff'
_TEXT = rf"[^{_NOT_IN_TEXT}]*"
_ITEM = rf'(?:{_WORD}|"[^,\[\]{{}}{_NOT_IN_TEXT}]*")'  # in a flow list: a word, or quoted text without , [ ] { }
_SIMPLE_LINE = re.compile(
    rf'({_SIMPLE_KEY}): (?:"({_TEXT})"|([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})|({_WORD})|\[((?:{_ITEM}(?:, {_ITEM})*)?)\])')
# words YAML 1.1 reads as something other than text (PyYAML's resolver), or that a reader may
_NOT_TEXT = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n", "nan", "inf"})


def _simple_mapping(text: str, first_line: int) -> "LineDict | None":
    """The mapping of a document of simple `key: value` lines only (see above), else None."""
    body = text.rstrip("\n")
    if not body or "\n\n" in body or body.startswith("\n"):
        return None  # blank lines before or between keys: left to the loader, as are comments
    result = LineDict()
    line_number = first_line
    for line in body.split("\n"):
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None:
            return None
        key, quoted, date, word, words = match.groups()
        if key in result or key.lower() in _NOT_TEXT:
            return None
        if quoted is not None:
            value = quoted
        elif date is not None:
            value = date
        elif word is not None:
            if word.lower() in _NOT_TEXT:
                return None
            value = word
        else:
            items = words.split(", ") if words else ()
            if any(item.lower() in _NOT_TEXT for item in items):
                return None
            value = LineList(item[1:-1] if item[:1] == '"' else item for item in items)
            value.line = line_number
            value.lines = [line_number] * len(value)
        if not result:
            result.line = line_number
        result[key] = value
        result.lines[key] = line_number
        line_number += 1
    return result


# What the loader makes of a document, made in one pass over the parser's events instead of
# three (the walk of _check_shape, libyaml's composer, PyYAML's constructor): about half the
# time of a large file such as a timeline. It takes plain data only: no anchor, alias, explicit
# tag, merge key, key that is a list or mapping, repeated key, second document, nesting past
# MAX_DEPTH or error; anything else is _UNUSUAL and left to the loader, which reads, checks and
# reports it as before. tests/content/test_yaml_events.py checks that both give the same.
_UNUSUAL = object()
_STR, _TIMESTAMP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"
_BUILT_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float")}
assert not _Loader.yaml_path_resolvers  # a quoted scalar is always text


def _built_from_events(text: str, first_line: int) -> Any:
    loader = _Loader(text)
    try:
        resolve, constructors = loader.resolve, _Loader.yaml_constructors
        get_event = loader.get_event
        stack: list = []  # [collection, key waiting for its value (mappings), its line]
        root: Any = _UNUSUAL
        if not isinstance(get_event(), yaml.StreamStartEvent):
            return _UNUSUAL
        event = get_event()
        if isinstance(event, yaml.StreamEndEvent):
            return None  # an empty document
        if not isinstance(event, yaml.DocumentStartEvent):
            return _UNUSUAL
        while True:
            event = get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                    return _UNUSUAL
                if event.implicit[0]:  # plain: it may be a number, a boolean, null…
                    tag = resolve(yaml.ScalarNode, event.value, event.implicit)
                    if tag == _STR or tag == _TIMESTAMP:
                        value = event.value
                    elif tag in _BUILT_TAGS:
                        value = constructors[tag](loader, yaml.ScalarNode(tag, event.value, event.start_mark,
                                                                          event.end_mark))
                    else:
                        return _UNUSUAL  # a merge key, `=`…
                else:
                    value = event.value
                line = event.start_mark.line + first_line
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor is not None or (event.tag is not None and event.tag != "!") or len(stack) >= MAX_DEPTH:
                    return _UNUSUAL
                line = event.start_mark.line + first_line
                collection = LineDict() if kind is yaml.MappingStartEvent else LineList()
                collection.line = line
                stack.append([collection, _UNUSUAL, 0])
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value, pending, _ = stack.pop()
                if pending is not _UNUSUAL:
                    return _UNUSUAL  # a key without a value: not from this parser
                line = value.line
            elif kind is yaml.DocumentEndEvent:
                break
            else:  # an alias, a second document
                return _UNUSUAL
            if not stack:
                root = value
                continue
            top = stack[-1]
            collection = top[0]
            if type(collection) is LineList:
                collection.append(value)
                collection.lines.append(line)
            elif top[1] is _UNUSUAL:  # a key
                if type(value) is LineDict or type(value) is LineList or value in collection:
                    return _UNUSUAL  # unhashable or repeated: the loader says so
                top[1], top[2] = value, line
            else:
                collection[top[1]] = value
                collection.lines[top[1]] = top[2]
                top[1] = _UNUSUAL
        if not isinstance(get_event(), yaml.StreamEndEvent):
            return _UNUSUAL
        return root
    except (yaml.YAMLError, ValueError, RecursionError):
        return _UNUSUAL  # the loader reports it
    finally:
        loader.dispose()


def _plainly_shallow(text: str) -> bool:
    """Whether `text` certainly has no aliases and no nesting past MAX_DEPTH, so that the walk
    of _check_shape can be skipped (a small front matter usually is).

    Every collection needs an indicator of its own: `[`, `{`, a `?` or `:` of a key, or a `-`
    followed by a space, tab or line end. Without `&` and `*` there is no anchor or alias.
    """
    if "&" in text or "*" in text:
        return False
    indicators = (text.count("[") + text.count("{") + text.count("?") + text.count(":") + text.count("- ")
                  + text.count("-\t") + text.count("-\n") + text.endswith("-"))
    return indicators < MAX_DEPTH


def _check_shape(display: str, text: str, at) -> None:
    """Walk the document's events once (libyaml's parser is iterative, unlike its composer).

    Refuses nesting deeper than MAX_DEPTH, aliases that together repeat more than
    MAX_ALIAS_VALUES values, and an alias inside the structure it names (a cycle).
    Syntax errors are left to the loader, which reports them the same way.
    """
    try:
        _walk_shape(display, text, at, _Base)
    except yaml.YAMLError as exc:
        if _Base is yaml.SafeLoader or "nesting depth" not in str(exc):
            raise
        # The libyaml in PyYAML >= 6.0.4 has a nesting limit of its own (1,000 levels), met while
        # its scanner reads ahead, before the events reach MAX_DEPTH here. PyYAML's Python parser
        # reads one event at a time, so it says where the 51st level starts, as with older PyYAML.
        _walk_shape(display, text, at, yaml.SafeLoader)


def _walk_shape(display: str, text: str, at, loader: type) -> None:
    sizes: dict[str, int] = {}  # anchor -> how many values it stands for
    open_: list[list] = []  # collections being read: [anchor, values so far]
    repeated = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_) >= MAX_DEPTH:
                raise ContentError(display, f"lists and mappings are nested more than {MAX_DEPTH} levels deep; refused",
                                   hint="flatten the structure: content needs only a few levels",
                                   **at(event.start_mark))
            open_.append([event.anchor, 1])
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_.pop()
            if anchor is not None:
                sizes[anchor] = size
            if open_:
                open_[-1][1] += size
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            if open_:
                open_[-1][1] += 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_):
                raise ContentError(display, f"the alias *{event.anchor} is used inside the structure &{event.anchor} "
                                   "it names, which makes a loop; refused",
                                   hint="copy the values instead of using the alias", **at(event.start_mark))
            size = sizes.get(event.anchor, 0)  # an undefined alias is reported by the loader
            repeated += size
            if repeated > MAX_ALIAS_VALUES:
                raise ContentError(display, f"YAML aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values; "
                                   "refused: this looks like an alias bomb",
                                   hint="write the values out, or use fewer aliases", **at(event.start_mark))
            if open_:
                open_[-1][1] += size


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    if "could not determine a constructor for the tag" in problem:
        tag = problem.split("tag", 1)[1].strip(" '").replace("tag:yaml.org,2002:", "!!")
        return f"the YAML tag {tag} is not allowed: only plain data (text, numbers, lists, mappings) is read"
    if exc.context and exc.context not in problem:
        return f"invalid YAML: {exc.context}, {problem}"
    return f"invalid YAML: {problem}"


_YAML_HINTS = (
    ("mapping values are not allowed", "a value containing ': ' must be quoted, e.g. title: \"LeCun: forty years\""),
    ("found character '\\t'", "replace the tab with spaces"),
    ("duplicate key", "remove one of the two keys"),
    ("found undefined alias", "define the anchor (&name) before using *name, or quote the text"),
    ("duplicate anchor", "give each anchor (&name) its own name"),
    ("is not allowed: only plain data", "remove the tag (the `!…` word) and write the value as plain text"),
    ("found character that cannot start any token", "quote the value: text starting with @, ` or % needs quotes"),
    ("found unexpected end of stream", "close the quote or bracket that is still open"),
    ("expected ',' or ']'", "close the list with ] (or quote a value that contains a comma)"),
    ("expected ',' or '}'", "close the mapping with } (or quote a value that contains a comma)"),
    ("did not find expected key", "line this key up with the keys above it, or quote a value that starts with - or ["),
    ("did not find expected '-'", "line this item up with the items above it"),
    ("expected a single document", "remove the second '---' line, or put the second document in its own file"),
    ("a key that is a list or mapping", "keys are plain words; quote a key that starts with [ or {"),
)


def _yaml_hint(message: str) -> str:
    for needle, hint in _YAML_HINTS:
        if needle in message:
            return hint
    return "check the indentation (spaces only) and quote values that contain ': ', '#' or start with [ { * & !"


def parse_toml(display: str, text: str, first_line: int = 1) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        line = int(match[1]) + first_line - 1 if match else first_line
        column = int(match[2]) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ContentError(display, f"invalid TOML: {message}", line=line, column=column,
                           hint="check this line: text in \"quotes\", lists in [ ], dates as 2019-05-01") from None
    except RecursionError:
        raise ContentError(display, "the TOML is nested too deeply to read", line=first_line,
                           hint="flatten its lists and tables") from None
