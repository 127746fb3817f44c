"""The value types records are made of: text in each language (`Localized`), dates as
precise as the sources give them (`FuzzyDate`), eras of a story (`Era`), and the way records
pickle (`pickled_by_fields`). No I/O here; records.py builds on these.
"""

from __future__ import annotations

import datetime as _dt
import operator
import re
from dataclasses import dataclass, fields
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


def pickled_by_fields(cls: type) -> type:
    """Pickle a slotted dataclass as its class and its field values (read by one attrgetter),
    which unpickling passes to the class's own __init__.

    A large build sends every parsed file from the worker processes that parsed it, and keeps
    them all in the build cache: tens of MiB of records. Python's dataclasses pickle a slotted
    class with Python code run per field on both ends; this way dumping those records took
    0.74 s instead of 1.6 s at 4,000 notes, and loading them 0.79 s instead of 1.5 s
    (tests/test_records.py checks that every record class does this and comes back equal).
    """
    names = [f.name for f in fields(cls)]
    values = operator.attrgetter(*names) if len(names) > 1 else (lambda record: (getattr(record, names[0]),))

    def __reduce__(self):  # noqa: N807 (the pickle protocol's name)
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


# --------------------------------------------------------------------------- Localized


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Localized:
    """Text in both languages. A missing language falls back to the other."""

    zh: str | None = None
    en: str | None = None

    def has(self, lang: str) -> bool:
        return bool(getattr(self, lang, None))

    def get(self, lang: str) -> str:
        """The text in `lang`, else in the other language, else ''."""
        value = getattr(self, lang, None)
        if value:
            return value
        for other in LANGS:
            other_value = getattr(self, other)
            if other_value:
                return other_value
        return ""

    def is_fallback(self, lang: str) -> bool:
        """True when `lang` is missing and another language stands in for it."""
        return not self.has(lang) and bool(self.get(lang))

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)

    @classmethod
    def same(cls, text: str) -> "Localized":
        return cls(zh=text, en=text)


# --------------------------------------------------------------------------- FuzzyDate

@dataclass(frozen=True)
class Era:
    """A stretch of the story (site.yaml `eras`), drawn as a band behind the timeline: from the
    start of year `start` to the start of year `end` (None: to the end of the timeline)."""

    start: float  # a year; 2013.9 is late in 2013
    end: float | None
    name: "Localized"


_PARTS = {
    # part of a year -> (sort key in tenths of a month, zh, en)
    "early": (25, "初", "early"),
    "spring": (40, "春", "spring"),
    "mid": (65, "年中", "mid"),
    "summer": (70, "夏", "summer"),
    "autumn": (100, "秋", "autumn"),
    "fall": (100, "秋", "autumn"),
    "late": (105, "末", "late"),
    "winter": (125, "冬", "winter"),
}
_EN_MONTHS = (
    "January February March April May June July August September October November December".split()
)

_DATE_RE = re.compile(
    r"""^(?P<approx>~|c\.\s*|ca\.\s*|约)?\s*
    (?P<year>\d{4})
    (?:(?P<decade>s)
      |-(?P<part>early|mid|late|spring|summer|autumn|fall|winter)
      |-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2})
          (?:[T\s]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)
             \s*(?P<tz>Z|[+-]\d{2}:?\d{2}|[+-]\d{1,2})?)?)?
    )?$""",
    re.VERBOSE | re.IGNORECASE,
)


class DateError(ValueError):
    """A value that is no date; the message says what forms are accepted."""


@pickled_by_fields
@dataclass(frozen=True, order=False, slots=True)
class FuzzyDate:
    """A date known to a year, month, day, part of a year, or decade; maybe approximate.

    ``original`` keeps what the writer wrote. ``sort_key`` orders any mix of them: a decade
    sorts before the years inside it; an approximate year sorts with that year.
    """

    year: int
    month: int | None = None
    day: int | None = None
    part: str | None = None
    decade: bool = False
    approx: bool = False
    seconds: int | None = None  # seconds since midnight UTC, when a time was given
    original: str = ""

    @property
    def precision(self) -> str:
        if self.decade:
            return "decade"
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        if self.part is not None:
            return "part"
        return "year"

    @property
    def sort_key(self) -> tuple[int, int, int, int, int]:
        if self.decade:
            return (self.year, 0, 0, 0, 0)
        if self.part is not None:
            month_key = _PARTS[self.part][0]
        else:
            month_key = (self.month or 0) * 10
        return (self.year, month_key, self.day or 0, 1 if self.seconds is None else 2, self.seconds or 0)

    def __lt__(self, other: "FuzzyDate") -> bool:
        return self.sort_key < other.sort_key

    @property
    def iso(self) -> str:
        """The most precise ISO 8601 form (YYYY, YYYY-MM or YYYY-MM-DD)."""
        if self.day is not None and self.month is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def decade_start(self) -> int:
        return self.year - self.year % 10

    def format(self, lang: str) -> str:
        """The date as a reader of `lang` would write it."""
        if lang == "zh":
            if self.decade:
                text = f"{self.year}年代"
            elif self.part is not None:
                text = f"{self.year}年{_PARTS[self.part][1]}"
            elif self.day is not None:
                text = f"{self.year}年{self.month}月{self.day}日"
            elif self.month is not None:
                text = f"{self.year}年{self.month}月"
            else:
                text = f"{self.year}年"
            return ("约" + text) if self.approx else text
        if self.decade:
            text = f"the {self.year}s"
        elif self.part is not None:
            text = f"{_PARTS[self.part][2]} {self.year}"
        elif self.day is not None:
            text = f"{self.day} {_EN_MONTHS[self.month - 1]} {self.year}"
        elif self.month is not None:
            text = f"{_EN_MONTHS[self.month - 1]} {self.year}"
        else:
            text = str(self.year)
        return ("c. " + text) if self.approx else text

    def __str__(self) -> str:
        return self.original or self.iso

    @classmethod
    def parse(cls, value: Any) -> "FuzzyDate":
        """Parse a YAML/TOML value into a FuzzyDate; raise DateError when it is none."""
        if isinstance(value, bool):
            raise DateError(f"{value!r} is not a date")
        if isinstance(value, _dt.datetime):
            moment = value
            if value.utcoffset() is not None:
                try:
                    moment = value.astimezone(_dt.timezone.utc)
                except OverflowError:
                    raise DateError(f"{value.isoformat()} is out of range once its time zone is applied") from None
            seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
            return cls(
                year=moment.year, month=moment.month, day=moment.day, seconds=seconds,
                original=value.isoformat(),
            )
        if isinstance(value, _dt.date):
            return cls(year=value.year, month=value.month, day=value.day, original=value.isoformat())
        if isinstance(value, int):
            if not 1 <= value <= 9999:
                raise DateError(f"year {value} is out of range")
            return cls(year=value, original=str(value))
        if isinstance(value, _dt.time):
            raise DateError(f"{value!r} is a time of day, not a date")
        if not isinstance(value, str):
            raise DateError(f"expected a date such as 1989, 1989-06 or 1989-06-12, got {type(value).__name__}")
        text = value.strip()
        match = _DATE_RE.match(text)
        if not match:
            raise DateError(f"'{_short(text)}' is not a date")
        year = int(match["year"])
        if year == 0:
            raise DateError(f"'{text}' has year 0, which does not exist: years run from 1 to 9999")
        approx = bool(match["approx"])
        if match["decade"]:
            if year % 10:
                raise DateError(f"'{text}' is not a decade: a decade ends in 0s, such as 1980s")
            return cls(year=year, decade=True, approx=approx, original=text)
        if match["part"]:
            return cls(year=year, part=match["part"].lower(), approx=approx, original=text)
        month = int(match["month"]) if match["month"] else None
        day = int(match["day"]) if match["day"] else None
        if month is not None and not 1 <= month <= 12:
            raise DateError(f"'{text}' has month {month}: months run from 1 to 12")
        if day is not None:
            try:
                _dt.date(year, month, day)
            except ValueError:
                raise DateError(f"'{text}' is not a day of the calendar (month {month} has no day {day})") from None
        seconds = None
        if match["time"]:
            parts = [float(p) for p in match["time"].split(":")]
            hours, minutes = int(parts[0]), int(parts[1])
            secs = int(parts[2]) if len(parts) > 2 else 0
            if hours > 23 or minutes > 59 or secs > 60:
                raise DateError(f"'{text}' has an impossible time of day")
            offset = _tz_offset_seconds(match["tz"])
            if offset is None:
                raise DateError(f"'{text}' has an impossible time zone offset: write +08:00, -0700 or Z")
            try:
                moment = _dt.datetime(year, month, day, hours, minutes, min(secs, 59)) - _dt.timedelta(seconds=offset)
            except OverflowError:
                raise DateError(f"'{text}' is out of range once its time zone is applied") from None
            year, month, day = moment.year, moment.month, moment.day
            seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
        return cls(year=year, month=month, day=day, approx=approx, seconds=seconds, original=text)


def _tz_offset_seconds(tz: str | None) -> int | None:
    """Seconds east of UTC for 'Z', '+08:00', '-0700' or '+8'; None for an offset no clock uses."""
    if not tz or tz.upper() == "Z":
        return 0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    if len(digits) <= 2:
        hours, minutes = int(digits), 0
    else:
        hours, minutes = int(digits[:-2]), int(digits[-2:])
    if hours > 14 or minutes > 59:
        return None
    return sign * (hours * 3600 + minutes * 60)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
