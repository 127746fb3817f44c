"""Recorded reads: what a page's render looked at, so that its signature is what it really shows.

While a page renders, everything a template (or the Python code behind `page`) reads from the
site graph, a view, the UI strings or the list of pages goes through a `Tracked` proxy, which
notes the *path* of what was read and a fingerprint of the value found there:

    (("g",), ("a", "notes"), ("i", "overview"), ("c", "version", ("en",), ()), ("a", "title"))  ->  "Overview"

A path starts at a root (("g",) the graph, ("v", lang, kind, key) a view, ("s", lang) the UI
strings, ("j",) the list of pages, ("l", target) what an `@/` link resolves to)
and each step is an attribute ("a", name), an item ("i", key), a method call ("c", name, args),
or what a loop, a test or a comparison saw: the keys of a mapping ("keys",), a length
("len",), a truth value ("bool",), a membership ("in", x). A value used whole (compared,
hashed, printed) is noted with the fingerprint of all of it.

`evaluate(path, roots)` replays a path on another build's roots. A page whose every recorded
path gives the same fingerprint on the new graph, rendered by the same templates, renders the
same bytes (rendering is a pure function of what it read), so it need not be rendered again.
This is how Hugo and Lektor track dependencies; there is no list, kept by hand, of what each
template shows: a template edited to show one more field records that read the next time it
renders, and its pages go stale exactly when that field changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Callable

Path = tuple
MISSING = "\x00missing"  # the fingerprint of a path that leads nowhere (a key, an attribute that is not there)
_SCALARS = (int, float, bool, type(None))
_FAILED = (LookupError, AttributeError, TypeError, ValueError)


def fingerprint(value: Any) -> Any:
    """A value that is equal for equal values, the same in every process: short strings and
    numbers stand for themselves (with their type, as True == 1), anything else is a hash of
    its repr (sets sorted first: their order changes from one process to the next)."""
    kind = type(value)
    if kind is str:
        return value if len(value) <= 80 else "#" + _hash(value)
    if kind in _SCALARS:
        return (kind.__name__, value)
    if kind in (set, frozenset):
        return "#" + _hash(repr(sorted(map(repr, value))))
    return "#" + _hash(repr(value))


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


class Recorder:
    """Where reads go: `current` is the read set of the page (or shared fragment) rendering,
    `fragments` the keys of the shared fragments it shows (each with reads of its own)."""

    __slots__ = ("current", "fragments")

    def __init__(self) -> None:
        self.current: dict[Path, Any] = {}
        self.fragments: set = set()

    def note(self, path: Path, value: Any) -> None:
        current = self.current
        if path not in current:
            current[path] = fingerprint(value)

    def capture(self, function: Callable[[], Any]) -> tuple[Any, dict[Path, Any], set]:
        """Run `function` (a shared fragment) with its reads kept apart: (its result, what it
        read, the fragments it shows). The caller notes the fragment as shown."""
        outer = self.current, self.fragments
        self.current, self.fragments = {}, set()
        try:
            result = function()
        finally:
            reads, fragments = self.current, self.fragments
            self.current, self.fragments = outer
        return result, reads, fragments


def track(value: Any, path: Path, recorder: Recorder | None) -> Any:
    """`value`, found at `path`, as the template should see it: a scalar is noted and given as
    it is; anything else is wrapped, so that what is read from it is noted in turn."""
    if recorder is None:
        return value
    kind = type(value)
    if kind is str or kind in _SCALARS:
        recorder.note(path, value)
        return value
    if kind is Tracked:
        return value
    return Tracked(value, path, recorder)


def _plain(value: Any) -> Any:
    """The value behind a proxy (noted whole: the caller may read anything of it)."""
    if type(value) is Tracked:
        value._whole()
        return object.__getattribute__(value, "_v")
    return value


class Tracked:
    """A proxy that notes every read of the value it wraps (see the module docstring)."""

    __slots__ = ("_v", "_p", "_r")

    def __init__(self, value: Any, path: Path, recorder: Recorder) -> None:
        self._v = value
        self._p = path
        self._r = recorder

    def _whole(self) -> None:
        self._r.note(self._p, self._v)

    def __getattr__(self, name: str) -> Any:
        value = self._v
        if name[:2] == "__":  # protocol look-ups (__html__, __len__ of a copy…): the whole value
            self._whole()
            return getattr(value, name)
        try:
            found = getattr(value, name)
        except AttributeError:
            self._r.note(self._p + (("a", name),), MISSING)
            raise
        kind = type(found)
        if kind is str or kind in _SCALARS:
            current = self._r.current
            path = self._p + (("a", name),)
            if path not in current:
                current[path] = found if kind is str and len(found) <= 80 else fingerprint(found)
            return found
        if callable(found) and not isinstance(found, type):
            return _Method(self, name, found)
        return track(found, self._p + (("a", name),), self._r)

    def __getitem__(self, key: Any) -> Any:
        key = _plain(key)
        value = self._v
        if type(key) is slice:
            self._whole()
            return value[key]
        try:
            found = value[key]
        except (LookupError,):
            self._r.note(self._p + (("i", key),), MISSING)
            raise
        return track(found, self._p + (("i", key),), self._r)

    def __iter__(self):
        value, path, recorder = self._v, self._p, self._r
        if type(value) is dict or isinstance(value, Mapping):
            keys = tuple(value)
            recorder.note(path + (("keys",),), keys)
            return iter(keys)
        if isinstance(value, (list, tuple)):
            if all(type(item) is str or type(item) in _SCALARS for item in value):
                recorder.note(path, value)
                return iter(value)
            recorder.note(path + (("len",),), len(value))
            return (track(item, path + (("i", index),), recorder) for index, item in enumerate(value))
        self._whole()
        return iter(value)

    def __len__(self) -> int:
        size = len(self._v)
        self._r.note(self._p + (("len",),), size)
        return size

    def __bool__(self) -> bool:
        truth = bool(self._v)
        self._r.note(self._p + (("bool",),), truth)
        return truth

    def __contains__(self, item: Any) -> bool:
        item = _plain(item)
        try:
            found = item in self._v
            hash(item)
        except TypeError:
            self._whole()
            return item in self._v
        self._r.note(self._p + (("in", item),), found)
        return found

    def __eq__(self, other: Any) -> bool:
        self._whole()
        return self._v == _plain(other)

    def __ne__(self, other: Any) -> bool:
        return not self == other

    def __lt__(self, other: Any) -> bool:
        self._whole()
        return self._v < _plain(other)

    def __le__(self, other: Any) -> bool:
        self._whole()
        return self._v <= _plain(other)

    def __gt__(self, other: Any) -> bool:
        self._whole()
        return self._v > _plain(other)

    def __ge__(self, other: Any) -> bool:
        self._whole()
        return self._v >= _plain(other)

    def __hash__(self) -> int:
        self._whole()
        return hash(self._v)

    def __str__(self) -> str:
        self._whole()
        return str(self._v)

    def __repr__(self) -> str:
        self._whole()
        return repr(self._v)

    def __format__(self, spec: str) -> str:
        self._whole()
        return format(self._v, spec)

    def __reversed__(self):
        self._whole()
        return reversed(self._v)


class _Method:
    """A method of a tracked value: its result is noted under ("c", name, args)."""

    __slots__ = ("_owner", "_name", "_function")

    def __init__(self, owner: Tracked, name: str, function: Callable) -> None:
        self._owner = owner
        self._name = name
        self._function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        owner = self._owner
        if Tracked in map(type, args):
            args = tuple(_plain(a) for a in args)
        if kwargs:
            kwargs = {k: _plain(v) for k, v in kwargs.items()}
        value = owner._v
        if self._name == "get" and not kwargs and 1 <= len(args) <= 2 and (type(value) is dict or isinstance(value, Mapping)):
            key = args[0]
            step = ("i", key)
            try:
                found = value[key]
            except KeyError:
                owner._r.note(owner._p + (step,), MISSING)
                return args[1] if len(args) == 2 else None
            except TypeError:  # an unhashable key: nothing can be found with it
                return args[1] if len(args) == 2 else None
            return track(found, owner._p + (step,), owner._r)
        step = ("c", self._name, args, tuple(sorted(kwargs.items())) if kwargs else ())
        try:
            hash(step)
        except TypeError:  # arguments that cannot name a path: the whole value counts as read
            owner._whole()
            return self._function(*args, **kwargs)
        return track(self._function(*args, **kwargs), owner._p + (step,), owner._r)


# --------------------------------------------------------------------------- replaying


SAME = "\x00same"  # Replay's answer for a path that leads to the very object it led to before


class Replay:
    """Evaluates recorded paths on a new build's roots ({"g": graph, "v": views, …}), each
    prefix once: pages share most of their paths' beginnings.

    With `previous` (the roots the paths were recorded on, still in memory: serve's last build),
    a path that reaches the very same object as before is SAME without being evaluated further:
    an edit derives a new graph that shares everything it did not change. Roots named in
    `same_roots` are SAME as a whole (views, when the graph parts they read are shared)."""

    def __init__(self, roots: dict[str, Callable[..., Any]], previous: dict[str, Callable[..., Any]] | None = None,
                 same_roots: frozenset = frozenset()) -> None:
        self.roots = roots  # root name -> function of the rest of the root tuple
        self.previous = previous or {}
        self.same_roots = same_roots
        self._values: dict[Path, Any] = {}  # path -> (new value, old value or _NOTHING), or SAME

    def fingerprint(self, path: Path) -> Any:
        value = self.value(path)
        if value is SAME:
            return SAME
        return MISSING if value[0] is _NOTHING else fingerprint(value[0])

    def value(self, path: Path) -> Any:
        found = self._values.get(path, _UNSEEN)
        if found is not _UNSEEN:
            return found
        if len(path) == 1:  # a root: ("g",), ("v", lang, kind, key), ("s", lang), ("j",), ("l", target)
            name = path[0][0]
            if name in self.same_roots:
                found = SAME
            else:
                found = (_root(self.roots[name], path[0]),
                         _root(self.previous[name], path[0]) if name in self.previous else _NOTHING)
        else:
            parent = self.value(path[:-1])
            if parent is SAME:
                found = SAME
            else:
                new = _NOTHING if parent[0] is _NOTHING else _step(parent[0], path[-1])
                old = _NOTHING if parent[1] is _NOTHING else _step(parent[1], path[-1])
                found = (new, old)
        if found is not SAME and found[0] is found[1] and found[0] is not _NOTHING:
            found = SAME
        self._values[path] = found
        return found


def _root(function: Callable[..., Any], root: tuple) -> Any:
    try:
        return function(*root[1:])
    except _FAILED:
        return _NOTHING


_UNSEEN = object()
_NOTHING = object()


def _step(value: Any, step: tuple) -> Any:
    try:
        kind = step[0]
        if kind == "a":
            return getattr(value, step[1])
        if kind == "i":
            return value[step[1]]
        if kind == "c":
            return getattr(value, step[1])(*step[2], **dict(step[3]))
        if kind == "keys":
            return tuple(value)
        if kind == "len":
            return len(value)
        if kind == "bool":
            return bool(value)
        if kind == "in":
            return step[1] in value
    except _FAILED:
        return _NOTHING
    raise ValueError(f"unknown step in a recorded path: {step!r}")
