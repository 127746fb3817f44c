"""What the templates call to draw pictures: the timeline chart, the people map, people in
the order a reader looks for them, and the initials on a card where there is no portrait.

`Page` inherits these (they read the graph and the views through the page, so every read is
recorded as any other); the layouts themselves are pure, in timeline_svg.py and people_map.py.
"""

from __future__ import annotations

import re

from .people_map import people_map
from .timeline_svg import DENSE_OVER, Item, chart


class DrawnPictures:
    """Page methods for the pictures drawn at build time (needs `graph`, `config`, `event`)."""

    def timeline_chart(self, event_ids, lanes: int = 5, dense_over: int | None = DENSE_OVER):
        """The layout of the timeline chart (timeline_svg.chart) of these events, read through
        their views; the eras come from the settings. Past `dense_over` events it counts them
        by year (None: every event drawn, however many)."""
        views = [self.event(eid) for eid in event_ids]
        return chart([Item(v.id, v.start, v.end, v.fuzzy, tuple(v.topics), v.decade) for v in views],
                     self.config.eras, lanes=lanes, dense_over=dense_over)

    def people_map(self, limit: int = 16):
        """The layout of the people map (people_map.py): who shares events and notes with whom."""
        graph = self.graph
        appearances = {pid: {("e", e) for e in graph.person_events.get(pid, ())}
                       | {("n", n) for n in graph.person_notes.get(pid, ())} for pid in graph.people}
        return people_map(appearances, limit=limit)

    def sorted_people(self, ids) -> list[str]:
        """People in the order a reader looks for them (SiteGraph.people_by_presence)."""
        return list(self.graph.people_by_presence(tuple(ids)))

    def sorted_topics(self, ids) -> list[str]:
        """Topics in the order of their names in the page's language: by pinyin in Chinese (as a
        Chinese index is ordered), else alphabetically."""
        names = {tid: self.topic(tid).name for tid in ids}
        if self.lang == "zh":
            from pypinyin import lazy_pinyin  # loaded only for Chinese pages

            return sorted(ids, key=lambda tid: ("".join(lazy_pinyin(names[tid])).casefold(), tid))
        return sorted(ids, key=lambda tid: (names[tid].casefold(), tid))


def initials(name: str) -> str:
    """What a person's card shows without a portrait: a Chinese name's first character (the
    surname; the last part's for a transliterated name), else the first letters of the first
    and last words of the name."""
    name = name.strip()
    if not name:
        return "?"
    if re.match(r"[\u3400-\u9fff]", name):  # a transliterated name (杰弗里·辛顿): its surname
        return name.split("·")[-1][:1] or name[0]
    words = [w for w in re.split(r"[\s·.\-]+", name) if w and w[0].isalpha()]
    if not words:
        return name[0].upper()
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()
