"""render/timeline_svg.py: which stretch of time a date covers, and where the chart puts it."""

from __future__ import annotations

import pytest

from lecun_site.records import Era, FuzzyDate, Localized
from lecun_site.render.pictures import initials
from lecun_site.render.people_map import people_map
from lecun_site.render.timeline_svg import Item, chart, lane_topics, span


@pytest.mark.parametrize("text, start, end, fuzzy", [
    ("1989", 1989.5, 1989.5, False),            # a year: a point in its middle
    ("1989-06", 1989 + 5 / 12 + 14 / 365, None, False),
    ("1980s", 1980, 1990, True),                # a decade: the whole decade
    ("~1980", 1978, 1983, True),                # about a year: two years either side
    ("1985-early", 1985, 1985.34, True),        # part of a year: that part
    ("1985-late", 1985.67, 1986, True),
])
def test_span_of_each_kind_of_date(text, start, end, fuzzy):
    found = span(FuzzyDate.parse(text))
    assert found[0] == pytest.approx(start)
    assert found[1] == pytest.approx(start if end is None else end)
    assert found[2] is fuzzy


def item(eid, date, *topics):
    start, end, fuzzy = span(FuzzyDate.parse(date))
    return Item(eid, start, end, fuzzy, topics)


def test_one_mark_per_event_in_the_order_given_fuzzy_ones_as_ranges():
    items = [item("a", "1989", "cnn"), item("b", "1980s", "cnn"), item("c", "~1988", "history"), item("d", "2013-late")]
    c = chart(items)
    assert [m.id for m in c.marks] == ["a", "b", "c", "d"]
    by_id = {m.id: m for m in c.marks}
    assert not by_id["a"].fuzzy and by_id["a"].width == by_id["a"].height  # a dot
    assert by_id["b"].fuzzy and by_id["b"].width > 5 * by_id["a"].width    # ten years wide
    assert by_id["c"].fuzzy
    # the axis starts at a decade at or before the first date and ends at one after the last
    assert c.first_year == 1980 and c.last_year == 2020
    assert [t.year for t in c.ticks] == [1980, 1990, 2000, 2010, 2020]
    # later dates lie further right
    assert by_id["a"].cx > by_id["b"].x and by_id["d"].cx > by_id["a"].cx
    for m in c.marks:
        assert 0 <= m.x and m.x + m.width <= c.width and 0 <= m.y and m.y + m.height <= c.axis_y


def test_lanes_follow_the_most_frequent_topics_and_marks_never_overlap():
    items = [item(f"e{n}", "1989", "cnn") for n in range(4)] + [item("x", "1990", "other-topic", "cnn"),
                                                                 item("y", "1995", "rare")]
    assert lane_topics(items, 1) == ["cnn"]
    c = chart(items, lanes=1)
    assert [l.topic for l in c.lanes] == ["cnn", None]  # "rare" goes to the last lane, "other"
    assert c.marks[4].lane == 0  # its first topic with a lane
    assert c.lanes[c.marks[5].lane].topic is None
    boxes = [(m.x, m.y, m.x + m.width, m.y + m.height) for m in c.marks]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_eras_are_bands_in_order_and_the_last_runs_to_the_end():
    eras = (Era(1960, 1988, Localized.same("France")), Era(1988, 2003, Localized.same("Bell Labs")),
            Era(2025.9, None, Localized.same("After")))
    c = chart([item("a", "1989"), item("b", "2025-11")], eras)
    assert [b.name.get("en") for b in c.bands] == ["France", "Bell Labs", "After"]
    assert c.bands[0].x + c.bands[0].width == pytest.approx(c.bands[1].x)
    last = c.bands[-1]
    assert last.x + last.width == pytest.approx(c.ticks[-1].x) and last.label_end
    assert last.label_x == pytest.approx(last.x + last.width - 3)  # its label ends inside the chart
    assert not c.bands[0].narrow and last.narrow is (last.width < 30)
    assert [b.years for b in c.bands] == ["1960–1988", "1988–2003", "2025–"]
    assert c.first_year == 1960


def test_people_map_joins_who_shares_events_and_puts_the_most_connected_in_the_middle():
    appearances = {"lecun": {"e1", "e2", "e3", "n1"}, "hinton": {"e1", "e2"}, "bengio": {"e2"},
                   "loner": {"e9"}, "nobody": set()}
    m = people_map(appearances, size=400)
    ids = [n.id for n in m.nodes]
    assert ids[0] == "lecun" and (m.nodes[0].x, m.nodes[0].y) == (200, 200)
    assert "loner" not in ids and "nobody" not in ids  # tied to nobody on the map
    pairs = {(e.a, e.b): e.count for e in m.edges}
    assert pairs[("lecun", "hinton")] == 2 and pairs[("lecun", "bengio")] == 1
    thickest = max(m.edges, key=lambda e: e.width)
    assert (thickest.a, thickest.b) == ("lecun", "hinton")


def test_people_map_keeps_each_persons_strongest_ties_only():
    # one long note names everyone: without a cap every pair would be joined
    people = [f"p{n}" for n in range(8)]
    appearances = {p: {"note"} for p in people}
    appearances["p0"] |= {"e1", "e2"}
    appearances["p1"] |= {"e1", "e2"}
    m = people_map(appearances, ties=2)
    assert len(m.edges) < 8 * 7 / 2
    assert any({e.a, e.b} == {"p0", "p1"} and e.count == 3 for e in m.edges)


@pytest.mark.parametrize("name, expected", [("Yann LeCun", "YL"), ("杨立昆", "杨"), ("杰弗里·辛顿", "辛"),
                                            ("Léon Bottou", "LB"), ("Andrew Ng", "AN"), ("Plato", "P"), ("", "?")])
def test_initials(name, expected):
    assert initials(name) == expected


def test_past_dense_over_events_the_chart_counts_them_by_year_and_lane():
    items = [item(f"e{n}", str(1980 + n % 7), "cnn" if n % 3 else "history") for n in range(40)]
    items.append(item("fuzzy", "1980s", "cnn"))  # counted in its middle year, 1985
    drawn = chart(items, dense_over=None)
    assert len(drawn.marks) == 41 and not drawn.cells  # None: every event drawn
    c = chart(items, dense_over=30)
    assert not c.marks and c.events == 41
    assert sum(cell.count for cell in c.cells) == 41
    by_key = {(c.lanes[cell.lane].topic, cell.year): cell for cell in c.cells}
    expected = {}
    for n in range(40):
        key = ("cnn" if n % 3 else "history", 1980 + n % 7)
        expected[key] = expected.get(key, 0) + 1
    expected[("cnn", 1985)] += 1
    assert {key: cell.count for key, cell in by_key.items()} == expected
    for lane in range(len(c.lanes)):  # each lane scaled to its own busiest year
        cells = [cell for cell in c.cells if cell.lane == lane]
        tallest = max(cells, key=lambda cell: cell.height)
        assert tallest.count == max(cell.count for cell in cells)
        assert tallest.height == pytest.approx(c.lanes[lane].height - 4)
    for cell in c.cells:  # inside its lane, and later years further right
        lane = c.lanes[cell.lane]
        assert lane.y <= cell.y and cell.y + cell.height <= lane.y + lane.height
    assert by_key[("cnn", 1981)].x < by_key[("cnn", 1982)].x
    # the decades that have events are the ones the timeline lists: their ticks link there
    assert [t.year for t in c.ticks if t.listed] == [1980]


def test_a_few_hundred_events_stay_one_mark_each_by_default():
    items = [item(f"e{n}", str(1950 + n % 70)) for n in range(300)]
    assert len(chart(items).marks) == 300
    assert chart(items + [item("one-more", "2000")]).cells
