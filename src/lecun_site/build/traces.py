"""What a build remembers of its pages (`Traces`): what each page and each shared fragment read
while it rendered (render/reads.py), as numbers into one table of paths with the fingerprint
each path had. The build core (core.py) compares them with the new graph to know which pages
to render again, the build cache saves them, serve keeps them in memory.

Pages rendered in forked workers send their reads back as numbers into their process's
`ReadTable` (`ChunkReads`); `Traces` maps each table to its own numbers once.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any, Callable

from ..render.reads import SAME, Replay


@dataclass
class PageTrace:
    frame: str  # template chain, the page, the options
    reads: array  # ids (into Traces.paths) of every path the render read
    fragments: tuple  # keys of the shared fragments it shows (Renderer.fragment_reads)
    size: int = 0  # of the file written, and its modification time: a page edited by hand is rendered again
    mtime_ns: int = 0


@dataclass
class FragmentTrace:
    reads: array  # ids of the paths the fragment read
    nested: tuple  # keys of the fragments it shows


@dataclass
class Traces:
    """What the last build's pages (and the fragments they share) read, and the fingerprint each
    path had then. A build makes the next Traces with `evolve` (cheap: what it did not render
    is shared), or from scratch (`made_from`) after a full render or when too much of the
    table is no longer read by any page."""

    out: str = ""  # the output folder the pages are in
    paths: list = field(default_factory=list)  # id -> path
    fingerprints: list = field(default_factory=list)  # id -> fingerprint as of the last build
    pages: dict[str, PageTrace] = field(default_factory=dict)  # out_path -> trace
    fragments: dict = field(default_factory=dict)  # fragment key -> FragmentTrace
    compacted: int = 0  # how many paths the table had when it was last made from scratch
    # False: a cold build that did not record (signer.py records the reads after it); its pages
    # have only their file's size and modification time, and no page of it is kept by a diff
    signed: bool = True

    def __getstate__(self) -> dict:  # the indexes below are remade when needed, not saved
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def _index(self) -> tuple[dict, dict]:
        """(path -> id, table -> key -> ids): paths that share their first steps (a table of the
        graph, a key in it) are checked together, and skipped together when shared."""
        if "_ids" not in self.__dict__:
            self._ids = {path: i for i, path in enumerate(self.paths)}
            self._groups = None
        if self._groups is None:  # made when first needed (a build's new Traces only get saved)
            groups: dict = {}
            for i, path in enumerate(self.paths):
                groups.setdefault(path[:2], {}).setdefault(path[:3], []).append(i)
            self._groups = groups
        return self._ids, self._groups

    def read_by(self, out_path: str) -> set:
        """Every path a page read, itself or through the fragments it shows."""
        found, seen = set(), set()

        def add(ids, keys) -> None:
            found.update(self.paths[i] for i in ids)
            for key in keys:
                if key not in seen:
                    seen.add(key)
                    add(self.fragments[key].reads, self.fragments[key].nested)

        page = self.pages[out_path]
        add(page.reads, page.fragments)
        return found

    def changes(self, replay: Replay) -> dict[int, Any]:
        """The paths whose fingerprint is not what it was: id -> new fingerprint."""
        _, groups = self._index()
        changed: dict[int, Any] = {}
        paths, fingerprints = self.paths, self.fingerprints
        for table, keys in groups.items():
            if replay.value(table) is SAME:
                continue  # everything under it is the very object it was
            for prefix, ids in keys.items():
                if replay.value(prefix) is SAME:
                    continue
                for i in ids:
                    fp = replay.fingerprint(paths[i])
                    if fp is not SAME and fp != fingerprints[i]:
                        changed[i] = fp
        return changed

    def stale(self, changed: dict[int, Any]) -> tuple[Callable[[PageTrace], bool], set]:
        """A test of whether a page of the last build read something in `changed`, itself or
        through a fragment it shows; and the keys of the fragments that did."""
        if not changed:
            return (lambda trace: False), set()
        ids = changed.keys()
        dirty = {key for key, fragment in self.fragments.items() if not ids.isdisjoint(fragment.reads)}
        grown = bool(dirty)
        while grown:  # fragments that show a stale fragment are stale (nesting is shallow)
            more = {key for key, fragment in self.fragments.items()
                    if key not in dirty and not dirty.isdisjoint(fragment.nested)}
            dirty |= more
            grown = bool(more)
        return (lambda trace: not ids.isdisjoint(trace.reads) or not dirty.isdisjoint(trace.fragments)), dirty

    def evolve(self, changed: dict[int, Any], rendered: list[tuple[str, str, dict, Any]], fragments: dict,
               removed: list[str]) -> "Traces":
        """The next build's Traces, made from these in place (call it once the build is written):
        the new fingerprints of `changed`, the pages and fragments rendered now (with what they
        read), and without the pages removed."""
        self._index()
        for i, fp in changed.items():
            self.fingerprints[i] = fp
        self._add(rendered, fragments)
        for out_path in removed:
            self.pages.pop(out_path, None)
        return self

    @classmethod
    def made_from(cls, out: str, rendered: list, fragments: dict, kept: list[str],
                  old: "Traces | None") -> "Traces":
        """New Traces holding only what this build's pages read: those rendered now, and those
        kept from `old` (with the fragments they show)."""
        new = cls(out=out)
        new._ids, new._groups = {}, None
        new._add(rendered, fragments)
        if old is not None:  # fragments a rendered page shows but this build reused (serve): as they were
            for _, _, _, shown in rendered:
                for key in shown:
                    if key not in new.fragments and key in old.fragments:
                        new._keep_fragment(old, key)
        for out_path in kept:
            trace = old.pages[out_path]
            new.pages[out_path] = PageTrace(trace.frame, new._ids_of(old._reads(trace.reads)), trace.fragments,
                                            trace.size, trace.mtime_ns)
            for key in trace.fragments:
                new._keep_fragment(old, key)
        new.compacted = len(new.paths)
        return new

    @classmethod
    def unsigned(cls, out: str, files: dict[str, tuple[int, int]]) -> "Traces":
        """The Traces of a build that did not record what its pages read: each page's file
        (`files`: out_path -> (size, mtime_ns)), so that a build with nothing to do can tell
        the output is as that build left it; no reads, so a build with something to do renders
        every page."""
        pages = {out_path: PageTrace("", array("I"), (), size, mtime_ns) for out_path, (size, mtime_ns) in files.items()}
        return cls(out=out, pages=pages, signed=False)

    def _add(self, rendered: list, fragments: dict) -> None:
        for key, (reads, nested) in fragments.items():
            self.fragments[key] = FragmentTrace(self._ids_of(reads), tuple(nested))
        for out_path, frame, reads, shown in rendered:
            self.pages[out_path] = PageTrace(frame, self._ids_of(reads), tuple(shown))

    def _keep_fragment(self, old: "Traces", key) -> None:
        if key in self.fragments:
            return  # rendered again in this build (same reads, as the page showing it is kept), or kept already
        fragment = old.fragments[key]
        self.fragments[key] = FragmentTrace(self._ids_of(old._reads(fragment.reads)), fragment.nested)
        for nested in fragment.nested:
            self._keep_fragment(old, nested)

    def _reads(self, ids) -> dict:
        """{path: fingerprint} of these ids: what a kept page or fragment read."""
        return {self.paths[i]: self.fingerprints[i] for i in ids}

    def _ids_of(self, reads) -> array:
        """The ids of these paths (a {path: fingerprint} dict, or ChunkReads), sorted, added to the
        table where new."""
        if isinstance(reads, ChunkReads):
            table = reads.table
            if table.global_ids is None or table.global_ids[0] is not self:
                table.global_ids = (self, [])
            ids = table.global_ids[1]
            if len(ids) < len(table.paths):  # once per table: its numbers mapped to this table's
                ids += self._intern(zip(table.paths[len(ids):], table.fingerprints[len(ids):]))
            return array("I", sorted([ids[i] for i in reads.ids]))
        found = self._intern(reads.items())
        found.sort()
        return array("I", found)

    def _intern(self, reads) -> list[int]:
        """The ids of these (path, fingerprint) pairs, in their order, added to the table where new."""
        return intern(self._ids, self.paths, self.fingerprints, reads, self._groups)


def intern(ids: dict, paths: list, fingerprints: list, reads, groups: dict | None = None) -> list[int]:
    """The numbers of these (path, fingerprint) pairs in a table of paths (`ids`: path ->
    number, `paths` and `fingerprints` by number), added where new; `groups`: also index the
    new ones by their first steps (Traces._index)."""
    found = []
    for path, fp in reads:
        new = len(paths)
        i = ids.setdefault(path, new)  # one look-up of the (nested, unhashed) path, not two
        if i == new:
            paths.append(path)
            fingerprints.append(fp)
            if groups is not None:
                groups.setdefault(path[:2], {}).setdefault(path[:3], []).append(i)
        elif fingerprints[i] != fp:
            # read now with another value than the table holds: a path no page kept reads
            # any more (or the same value written otherwise); the render is what holds
            fingerprints[i] = fp
        found.append(i)
    return found


class ReadTable:
    """The paths the pages rendered by one process read (render_pages), numbered there: each
    page's reads go back to the build as numbers into this table, whose new entries are sent
    once with each chunk, rather than as a dict of paths per page (Traces maps the numbers to
    its own, once per table)."""

    __slots__ = ("pid", "ids", "paths", "fingerprints", "sent", "global_ids")

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.ids: dict = {}
        self.paths: list = []
        self.fingerprints: list = []
        self.sent = 0  # entries already sent with a chunk
        self.global_ids = None  # (Traces, [its id of each path here]) once mapped

    def reads(self, reads: dict) -> "ChunkReads":
        return ChunkReads(self, array("I", intern(self.ids, self.paths, self.fingerprints, reads.items())))

    def news(self) -> tuple:
        """(pid, first number, paths, fingerprints) of the entries not sent yet."""
        start, self.sent = self.sent, len(self.paths)
        return self.pid, start, self.paths[start:], self.fingerprints[start:]

    def extend(self, news: tuple) -> None:
        """Add what another process's table sent (`news`), in its order."""
        _, start, paths, fingerprints = news
        if start != len(self.paths):
            raise RuntimeError(f"read table of process {self.pid}: entries from {start} came after {len(self.paths)}")
        self.paths += paths
        self.fingerprints += fingerprints


class ChunkReads:
    """What one page or fragment read: numbers into the ReadTable of the process that rendered
    it. Pickled as the numbers and that process's id; the build binds it to its copy of the table."""

    __slots__ = ("table", "ids", "pid")

    def __init__(self, table: ReadTable, ids: array) -> None:
        self.table, self.ids, self.pid = table, ids, table.pid

    def __getstate__(self):
        return self.pid, self.ids

    def __setstate__(self, state) -> None:
        self.pid, self.ids = state
        self.table = None

    def __len__(self) -> int:
        return len(self.ids)

    def as_dict(self) -> dict:
        """{path: fingerprint}, as the page's recorder held them."""
        table = self.table
        return {table.paths[i]: table.fingerprints[i] for i in self.ids}

    def __eq__(self, other) -> bool:
        return isinstance(other, ChunkReads) and self.as_dict() == other.as_dict()

    __hash__ = None
