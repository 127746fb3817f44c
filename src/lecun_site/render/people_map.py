"""The people map: who appears with whom, drawn at build time from the records.

Pure layout, no markup (the template `partials/people-map.html` draws it): `people_map` takes,
for each person, the events and notes they appear in, keeps the most present, and joins two of
them when they share an event or a note, the line as thick as how often. The most connected
person sits in the middle; the others on a ring, in the order of their strongest tie to the
ones already placed, so that close collaborators sit side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    id: str
    x: float
    y: float
    r: float
    weight: int  # events and notes the person appears in


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    x1: float
    y1: float
    x2: float
    y2: float
    count: int  # events and notes they share
    width: float


@dataclass(frozen=True)
class PeopleMap:
    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def people_map(appearances: dict[str, set[str]], *, limit: int = 16, size: float = 560, min_shared: int = 1,
               ties: int = 3) -> PeopleMap:
    """`appearances`: person id -> the keys of the events and notes they appear in. Each
    person keeps their `ties` strongest lines (a line stays when either end keeps it), so that
    the map shows who worked with whom rather than everyone named in one long note."""
    present = sorted((pid for pid, keys in appearances.items() if keys),
                     key=lambda pid: (-len(appearances[pid]), pid))[:limit]
    shared: dict[tuple[str, str], int] = {}
    for i, a in enumerate(present):
        for b in present[i + 1:]:
            count = len(appearances[a] & appearances[b])
            if count >= min_shared:
                shared[(a, b)] = count
    strongest: set[tuple[str, str]] = set()
    for pid in present:
        mine = sorted((pair for pair in shared if pid in pair), key=lambda pair: (-shared[pair], pair))
        strongest.update(mine[:ties])
    shared = {pair: count for pair, count in shared.items() if pair in strongest}
    # keep only people tied to someone else on the map
    tied = [pid for pid in present if any(pid in pair for pair in shared)]
    if not tied:
        return PeopleMap(size, size, (), ())

    def tie(a: str, b: str) -> int:
        return shared.get((a, b)) or shared.get((b, a)) or 0

    centre = max(tied, key=lambda pid: (sum(tie(pid, o) for o in tied), -tied.index(pid)))
    ring = [pid for pid in tied if pid != centre]
    order: list[str] = []
    while ring:  # next: the strongest tie to the last placed (then the most present)
        last = order[-1] if order else None
        best = max(ring, key=lambda pid: (tie(pid, last) if last else 0, len(appearances[pid]), -ring.index(pid)))
        order.append(best)
        ring.remove(best)
    top = max(len(appearances[pid]) for pid in tied)
    middle = size / 2
    radius = size / 2 - 70
    place: dict[str, tuple[float, float]] = {centre: (middle, middle)}
    for index, pid in enumerate(order):
        angle = -math.pi / 2 + 2 * math.pi * index / len(order)
        place[pid] = (round(middle + radius * math.cos(angle), 1), round(middle + radius * math.sin(angle), 1))
    nodes = tuple(Node(pid, *place[pid], round(8 + 14 * math.sqrt(len(appearances[pid]) / top), 1),
                       len(appearances[pid])) for pid in [centre, *order])
    most = max(shared.values())
    edges = tuple(Edge(a, b, *place[a], *place[b], count, round(1 + 5 * count / most, 1))
                  for (a, b), count in sorted(shared.items(), key=lambda kv: (kv[1], kv[0]))
                  if a in place and b in place)
    return PeopleMap(size, size, nodes, edges)
