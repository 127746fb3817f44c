"""The timeline chart: events on an axis of years, in lanes by topic, over bands of eras.

Pure layout, no markup: `chart(items, eras, …)` places every event and returns numbers
(`Chart`), which the template `partials/timeline-chart.html` draws as an SVG at build time, so
that a theme can restyle it and everything shown goes through Jinja's escaping. `span` says
which stretch of time a date covers: a day, a month or a year is a point; a decade (`1980s`),
an approximate year (`~1980`) or a part of a year (`1985-early`) is a range drawn as one,
visibly uncertain.

A chart of more than `dense_over` events (a few hundred: beyond that one mark each is too many
to see, to tab through and to download) counts them instead: one bar per year in each lane,
as tall as that year's share of the lane's busiest year (`Chart.cells`, no `marks`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Era, FuzzyDate

# fractions of a year where the parts of a year begin and end
_PART_SPANS = {
    "early": (0.0, 0.34), "spring": (0.2, 0.45), "mid": (0.34, 0.67), "summer": (0.45, 0.7),
    "autumn": (0.7, 0.95), "fall": (0.7, 0.95), "late": (0.67, 1.0), "winter": (0.9, 1.15),
}
APPROX_YEARS = 2  # `~1980` is drawn from 1978 to the end of 1982


def span(date: FuzzyDate) -> tuple[float, float, bool]:
    """(start, end, fuzzy): the years a date covers, as numbers (1989.0 is 1 January 1989).
    Fuzzy dates (a decade, `~`, a part of a year) are ranges; the others are points."""
    year = date.year
    if date.decade:
        return float(year), float(year + 10), True
    if date.approx:
        return float(year - APPROX_YEARS), float(year + 1 + APPROX_YEARS), True
    if date.part is not None:
        start, end = _PART_SPANS.get(date.part, (0.0, 1.0))
        return year + start, year + end, True
    if date.month is not None:
        middle = year + (date.month - 1) / 12 + ((date.day or 15) - 1) / 365
        return middle, middle, False
    return year + 0.5, year + 0.5, False


@dataclass(frozen=True)
class Item:
    """One event as the chart needs it."""

    id: str
    start: float
    end: float
    fuzzy: bool
    topics: tuple[str, ...]
    decade: int | None = None  # the decade the timeline lists it under (default: of its start)


@dataclass(frozen=True)
class Mark:
    id: str
    x: float  # left edge (a point's centre minus its radius)
    y: float  # top
    width: float
    height: float
    fuzzy: bool
    lane: int  # index in Chart.lanes
    cx: float  # centre, for a point
    cy: float


@dataclass(frozen=True)
class Cell:
    """The events of one year in one lane, in a dense chart."""

    x: float
    y: float
    width: float
    height: float
    lane: int  # index in Chart.lanes
    year: int
    count: int


@dataclass(frozen=True)
class Lane:
    topic: str | None  # None: the lane of events in none of the lanes' topics
    y: float
    height: float
    colour: int  # index of the lane's colour (CSS class tl-c{n})


@dataclass(frozen=True)
class Band:
    x: float
    width: float
    name: object  # the era's Localized name
    label_y: float
    index: int
    label_x: float
    label_end: bool  # the label ends at label_x (a band at the right edge), else starts there
    narrow: bool  # too narrow for its label
    years: str  # '1960–1987', '2025–'


@dataclass(frozen=True)
class Tick:
    x: float
    year: int
    listed: bool = False  # the timeline lists events of this decade (it has a `#d{year}` heading)


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    first_year: int
    last_year: int
    marks: tuple[Mark, ...]
    lanes: tuple[Lane, ...]
    bands: tuple[Band, ...]
    ticks: tuple[Tick, ...]
    axis_y: float
    cells: tuple[Cell, ...] = ()  # a dense chart's bars (then `marks` is empty)
    events: int = 0  # how many events it shows


LABEL_SIZE = 11  # the era labels' font size, in the chart's units (site.css)


def label_width(name) -> float:
    """How wide an era's label may be drawn, in the chart's units: the longer of its languages
    (a CJK character is about 1 em, a Latin one about 0.55 em)."""
    texts = [name.get(lang) for lang in ("zh", "en")] if hasattr(name, "get") else [str(name)]
    return max(sum(LABEL_SIZE * (1.0 if ord(ch) > 0x2e80 else 0.55) for ch in text) for text in texts)


def lane_topics(items: list[Item], lanes: int) -> list[str]:
    """The topics that get a lane of their own: the `lanes` most frequent among the items'
    first topics' (ties by id, so the choice is stable)."""
    counts: dict[str, int] = {}
    for item in items:
        for topic in item.topics:
            counts[topic] = counts.get(topic, 0) + 1
    return [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:lanes]]


DENSE_OVER = 300  # more events than this are counted by year (`Chart.cells`), not drawn one by one
DENSE_LANE = 24.0  # a lane's height in a dense chart


def chart(items: list[Item], eras: tuple[Era, ...] | list[Era] = (), *, width: float = 900, lanes: int = 5,
          radius: float = 4.5, row: float = 11.0, margin: float = 22.0, band_labels: bool = True,
          dense_over: int | None = DENSE_OVER) -> Chart:
    """Lay the items out. Each goes to the lane of its first topic that has one (else the last
    lane, "other"), and within its lane to the first row where it overlaps nothing; or, with
    more than `dense_over` items, is counted in its lane's bar for its year."""
    topics = lane_topics(items, lanes)
    years = [y for item in items for y in (item.start, item.end)] + [e.start for e in eras]
    first = int(min(years, default=2000)) // 10 * 10
    last_end = max([item.end for item in items] + [e.end for e in eras if e.end], default=first + 10)
    last = -(-int(last_end + 0.999) // 10) * 10  # up to the next decade
    if last <= first:
        last = first + 10
    scale = (width - 2 * margin) / (last - first)

    def x_of(year: float) -> float:
        return margin + (year - first) * scale

    label_rows = 2 if band_labels and eras else 0
    top = 4 + label_rows * 14
    lane_of = {}
    for item in items:
        lane_of[item.id] = next((topics.index(t) for t in item.topics if t in topics), len(topics))
    decades = {item.decade if item.decade is not None else int(item.start) // 10 * 10 for item in items}
    ticks = tuple(Tick(round(x_of(year), 1), year, year in decades) for year in range(first, last + 1, 10))
    if dense_over is not None and len(items) > dense_over:
        return _dense(items, eras, lane_of, topics, top, x_of, scale, first, last, width, ticks)
    # rows within each lane: a mark takes the first row where it overlaps no other mark
    rows: dict[int, list[list[tuple[float, float]]]] = {}
    placed: list[tuple[Item, int, int, float, float]] = []
    for item in sorted(items, key=lambda i: (i.start, i.end, i.id)):
        x0, x1 = x_of(item.start), x_of(item.end)
        if not item.fuzzy or x1 - x0 < 2 * radius:
            middle = (x0 + x1) / 2
            x0, x1 = middle - radius, middle + radius
        lane_rows = rows.setdefault(lane_of[item.id], [])
        for number, taken in enumerate(lane_rows):
            if all(x1 + 1.5 <= a or x0 >= b + 1.5 for a, b in taken):
                taken.append((x0, x1))
                break
        else:
            number = len(lane_rows)
            lane_rows.append([(x0, x1)])
        placed.append((item, lane_of[item.id], number, x0, x1))
    lane_list: list[Lane] = []
    lane_top: dict[int, float] = {}
    y = top
    for index in range(len(topics) + 1):
        count = len(rows.get(index, []))
        if count == 0:
            continue
        height = count * row + 4
        lane_top[index] = y
        lane_list.append(Lane(topics[index] if index < len(topics) else None, y, height, index))
        y += height
    axis_y = y + 2
    marks = []
    for item, lane, number, x0, x1 in placed:
        cy = lane_top[lane] + 2 + number * row + row / 2
        marks.append(Mark(item.id, round(x0, 1), round(cy - radius, 1), round(x1 - x0, 1), 2 * radius,
                          item.fuzzy, [l.colour for l in lane_list].index(lane), round((x0 + x1) / 2, 1), round(cy, 1)))
    bands = _bands(eras, x_of, first, last, width)
    order = {item.id: number for number, item in enumerate(items)}
    marks.sort(key=lambda m: order[m.id])
    return Chart(width, round(axis_y + 18, 1), first, last, tuple(marks), tuple(lane_list), bands, ticks,
                 round(axis_y, 1), events=len(items))


def _dense(items, eras, lane_of, topics, top, x_of, scale, first, last, width, ticks) -> Chart:
    """One bar per year and lane, its height the year's count over the lane's busiest year's."""
    counts: dict[tuple[int, int], int] = {}
    for item in items:
        year = int((item.start + item.end) / 2)
        key = (lane_of[item.id], year)
        counts[key] = counts.get(key, 0) + 1
    used = sorted({lane for lane, _ in counts})
    lane_list, lane_top, y = [], {}, top
    for index in used:
        lane_top[index] = y
        lane_list.append(Lane(topics[index] if index < len(topics) else None, y, DENSE_LANE, index))
        y += DENSE_LANE
    busiest: dict[int, int] = {}  # per lane: each lane shows how its topic spreads over time
    for (lane, _), count in counts.items():
        busiest[lane] = max(busiest.get(lane, 0), count)
    position = {index: number for number, index in enumerate(used)}
    cells = []
    for (lane, year), count in sorted(counts.items(), key=lambda kv: (position[kv[0][0]], kv[0][1])):
        height = max(2.0, (DENSE_LANE - 4) * count / busiest[lane])
        bottom = lane_top[lane] + DENSE_LANE - 2
        cells.append(Cell(round(x_of(year), 1), round(bottom - height, 1), round(max(scale - 0.6, 0.8), 1),
                          round(height, 1), position[lane], year, count))
    axis_y = y + 2
    return Chart(width, round(axis_y + 18, 1), first, last, (), tuple(lane_list), _bands(eras, x_of, first, last, width),
                 ticks, round(axis_y, 1), cells=tuple(cells), events=len(items))


def _bands(eras, x_of, first: int, last: int, width: float) -> tuple[Band, ...]:
    bands = []
    row_ends = [float("-inf"), float("-inf")]  # where the last label of each row of labels ends
    for index, era in enumerate(eras):
        end = era.end if era.end is not None else last
        x0, x1 = x_of(max(era.start, first)), x_of(min(end, last))
        if x1 <= x0:
            continue
        narrow = x1 - x0 < 30
        at_end = x0 > width * 0.75  # near the right edge: the label ends where the band ends
        size = label_width(era.name)
        start = x1 - 3 - size if at_end else x0 + 3
        # the first row where the label clears the one before it
        row = 0 if start >= row_ends[0] else 1 if start >= row_ends[1] else index % 2
        row_ends[row] = start + size + 4
        bands.append(Band(round(x0, 1), round(x1 - x0, 1), era.name, 4 + 11 + row * 14, index,
                          round(x1 - 3 if at_end else x0 + 3, 1), at_end, narrow,
                          f"{int(era.start)}–{int(era.end) if era.end is not None else ''}"))
    return tuple(bands)
