import dataclasses
import datetime as dt
import pickle
from pathlib import Path

import pytest

from lecun_site import records
from lecun_site.content.config import load_config
from lecun_site.content.loader import FilePart, content_files, load_file
from lecun_site.errors import Problems
from lecun_site.records import (
    Citation,
    DateError,
    FuzzyDate,
    Localized,
    parse_timestamp,
)


@pytest.mark.parametrize(
    "value, precision, iso",
    [
        (1989, "year", "1989"),
        ("1989", "year", "1989"),
        ("1989-06", "month", "1989-06"),
        ("1989-06-12", "day", "1989-06-12"),
        ("~1980", "year", "1980"),
        ("1990s", "decade", "1990"),
        ("1985-early", "part", "1985"),
        (dt.date(2016, 4, 19), "day", "2016-04-19"),
        (dt.datetime(2016, 4, 19, 10, 26, 16), "day", "2016-04-19"),
        ("2016-04-19 10:26:16 -0700", "day", "2016-04-19"),
        ("2016-04-19T10:26:16Z", "day", "2016-04-19"),
    ],
)
def test_fuzzy_date_parses_every_accepted_form(value, precision, iso):
    date = FuzzyDate.parse(value)
    assert date.precision == precision
    assert date.iso == iso


def test_approximate_and_decade_flags():
    assert FuzzyDate.parse("~1980").approx
    assert FuzzyDate.parse("1980s").decade
    assert not FuzzyDate.parse("1980").approx


def test_timezone_offsets_are_normalised_to_utc():
    # 23:30 at -07:00 is the next day in UTC
    date = FuzzyDate.parse("2016-04-19 23:30:00 -0700")
    assert date.iso == "2016-04-20"
    aware = FuzzyDate.parse(dt.datetime(2016, 4, 19, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-7))))
    assert aware.sort_key == date.sort_key


@pytest.mark.parametrize("bad", ["2025-13-45", "2023-02-30", "1980x", "soon", "", "1985s", True, [1989], "12:30"])
def test_fuzzy_date_rejects_non_dates_with_a_message(bad):
    with pytest.raises(DateError) as info:
        FuzzyDate.parse(bad)
    assert str(info.value)


def test_month_13_message_names_the_month():
    with pytest.raises(DateError, match="month 13"):
        FuzzyDate.parse("2025-13-01")


def test_a_mix_of_forms_sorts_without_error():
    values = ["1990", "1980s", dt.date(1985, 6, 1), "1985-early", "~1985", "1985-late", "1989-06-12",
              dt.datetime(1989, 6, 12, 8, 0), "2016-04-19 10:26:16 -0700", 1957]
    ordered = [d.original for d in sorted(FuzzyDate.parse(v) for v in values)]
    assert ordered == ["1957", "1980s", "~1985", "1985-early", "1985-06-01", "1985-late",
                       "1989-06-12", "1989-06-12T08:00:00", "1990", "2016-04-19 10:26:16 -0700"]


def test_decade_sorts_before_years_inside_it():
    assert FuzzyDate.parse("1980s") < FuzzyDate.parse("1980")
    assert FuzzyDate.parse("1980s") < FuzzyDate.parse("1981")
    assert FuzzyDate.parse("1979") < FuzzyDate.parse("1980s")


@pytest.mark.parametrize(
    "value, zh, en",
    [
        ("1989", "1989年", "1989"),
        ("1989-06", "1989年6月", "June 1989"),
        ("1989-06-12", "1989年6月12日", "12 June 1989"),
        ("~1980", "约1980年", "c. 1980"),
        ("1990s", "1990年代", "the 1990s"),
        ("1985-early", "1985年初", "early 1985"),
    ],
)
def test_dates_print_naturally_in_each_language(value, zh, en):
    date = FuzzyDate.parse(value)
    assert date.format("zh") == zh
    assert date.format("en") == en


def test_localized_falls_back_to_the_other_language():
    text = Localized(zh="你好", en=None)
    assert text.get("en") == "你好"
    assert text.is_fallback("en")
    assert not text.is_fallback("zh")
    assert Localized(zh="a", en="b").get("en") == "b"
    assert Localized().get("zh") == ""
    assert not Localized()


def test_citation_locators_name_turn_anchors():
    assert Citation("s", "turn-12").turn_anchor == "turn-12"
    assert Citation("s", "00:12:34").turn_anchor == "t-00-12-34"
    assert Citation("s", "12:34").turn_anchor == "t-00-12-34"
    assert Citation("s", "§ Bell Labs").turn_anchor is None
    assert Citation("s").turn_anchor is None


def test_parse_timestamp():
    assert parse_timestamp("01:02:03") == 3723
    assert parse_timestamp("2:03") == 123
    assert parse_timestamp("00:61:00") is None
    assert parse_timestamp("abc") is None


def _all_fields(record):
    """Every field, `lines` and other compare=False ones too, recursively."""
    if dataclasses.is_dataclass(record):
        return (type(record), tuple(_all_fields(getattr(record, f.name)) for f in dataclasses.fields(record)))
    if isinstance(record, (tuple, list)):
        return tuple(_all_fields(item) for item in record)
    if isinstance(record, dict):
        return {key: _all_fields(value) for key, value in record.items()}
    return record


def test_every_record_pickles_by_its_fields():
    slotted = [cls for cls in vars(records).values()
               if isinstance(cls, type) and dataclasses.is_dataclass(cls) and hasattr(cls, "__slots__")]
    assert len(slotted) >= 15
    for cls in [*slotted, FilePart]:
        assert "__reduce__" in vars(cls), f"{cls.__name__} is not decorated with pickled_by_fields"


def test_the_project_site_survives_pickling_field_for_field():
    """What forked loaders send back and the build cache keeps: every file of content/."""
    root = Path(__file__).resolve().parents[2] / "content"
    config = load_config(root, None)
    parts = [load_file(folder, path, display, config)[0]
             for folder, path, display in content_files(root, Problems())]
    assert sum(len(part.notes) for part in parts) > 10 and any(part.transcripts for part in parts)
    back = pickle.loads(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == parts
    assert _all_fields(back) == _all_fields(parts)
