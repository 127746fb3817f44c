"""Property tests: arbitrary text in, and the only outcomes allowed are a record or a ContentError.

They drive the four steps that read what a writer wrote: the front-matter splitter, the
YAML-to-record step, FuzzyDate parsing and the markdown step. Any other exception
(a traceback for the writer) fails them. Inputs too large for random search (a hang, a C
stack overflow) are in tests/test_hostile.py.
"""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lecun_site.content.frontmatter import FrontMatter, split_front_matter
from lecun_site.content.notes import parse_note
from lecun_site.content.textfile import parse_toml, parse_yaml
from lecun_site.content.transcripts import parse_transcript
from lecun_site.content.yaml_records import (
    parse_discrepancies,
    parse_events,
    parse_i18n,
    parse_person,
    parse_quotes,
    parse_source,
    parse_topic,
)
from lecun_site.errors import ContentError, Problems
from lecun_site.records import (
    DateError,
    Discrepancy,
    Event,
    FuzzyDate,
    Note,
    Person,
    Quote,
    Source,
    Topic,
    Transcript,
)
from lecun_site.render.markdown import RenderEnv, render_inline, render_markdown

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like content: markdown and YAML punctuation mixed with CJK, control
# characters and the odd surrogate-free code point, so the parsers see their own syntax.
SYNTAX = st.sampled_from([
    "---", "+++", "...", "\n", "\r\n", "\t", " ", ": ", "- ", "? ", "[", "]", "{", "}", ",", "&a ", "*a", "!!",
    "!!python/object:os.system", "!!binary", "!!set", "|", ">", "#", "## ", "**", "__", "`", "```", "~~~", "<", ">",
    "<script>", "</script>", "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>", "[@", "@/", "](", ")",
    "![", "\\", "&", "&#0;", "\"", "'", "：", "杨立昆", "title", "date", "1989", "1989-06-12", "turn-3",
    "[00:12:34] ", "**Ada:** ", "\x00", "\ufeff", "\u2028", "\x85", "\ud7ff", "javascript:alert(1)", "=", "%",
])
CONTENTISH = st.lists(st.one_of(SYNTAX, st.text(max_size=8)), max_size=40).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=300), CONTENTISH)

# Plain YAML data: what a writer's file holds once parsed.
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**6, max_value=10**6), st.floats(allow_nan=True),
    st.text(max_size=20), st.sampled_from(["1989", "1989-06", "~1980", "1980s", "2025-13-45", "zh", "en", "turn-2"]),
)
KEYS = st.one_of(
    st.sampled_from(["id", "title", "name", "date", "kind", "url", "media_url", "source", "sources", "at", "people",
                     "topics", "aliases", "summary", "bio", "role", "born", "text", "speaker", "lang", "readings",
                     "says", "adopted", "reason", "events", "notes", "related", "zh", "en", "speakers", "detail"]),
    st.text(max_size=6),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=6)),
    max_leaves=25,
)

RECORDS = (Source, Person, Topic, Event, Quote, Discrepancy)
RECORD_PARSERS = {
    "sources": lambda path, text, problems: parse_source(path, text, problems=problems, id="s"),
    "people": lambda path, text, problems: parse_person(path, text, problems=problems, id="p"),
    "topics": lambda path, text, problems: parse_topic(path, text, problems=problems, id="t"),
    "timeline": lambda path, text, problems: parse_events(path, text, problems=problems),
    "quotes": lambda path, text, problems: parse_quotes(path, text, problems=problems),
    "discrepancies": lambda path, text, problems: parse_discrepancies(path, text, problems=problems),
    "i18n": lambda path, text, problems: parse_i18n(path, text, problems=problems,
                                                    reference={"decade": "{decade}s", "x": "{a} {b}"}),
}


def only_records_or_content_errors(parse, text: str) -> None:
    """Run `parse`; a ContentError is fine, any other exception fails the test."""
    problems = Problems()
    try:
        result = parse("content/x.yaml", text, problems)
    except ContentError as exc:
        assert exc.path == "content/x.yaml"
        assert exc.message
        return
    for problem in problems.items:
        assert isinstance(problem, ContentError) and problem.path == "content/x.yaml" and problem.message
    if isinstance(result, list):  # events, quotes, discrepancies
        assert all(isinstance(r, RECORDS) for r in result)
    elif isinstance(result, dict):  # UI strings
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())
    else:
        assert result is None or isinstance(result, RECORDS)


# ---------------------------------------------------------------- the front-matter splitter


@FUZZ
@given(ANY_TEXT)
def test_splitter_returns_front_matter_or_a_content_error(text):
    try:
        fm = split_front_matter("notes/x.md", text)
    except ContentError as exc:
        # the opening line, after any blank lines above it (or a refused `---js`)
        opener = next(i for i, line in enumerate(text.split("\n"), start=1) if line.strip())
        assert exc.line == opener and ("never closed" in exc.message or "JavaScript" in exc.message)
        return
    assert isinstance(fm, FrontMatter)
    if fm.kind is None:
        assert fm.body == text
    else:
        # nothing is lost: front matter and body are the file minus the fence lines (Hugo's
        # JSON object and Hexo's front matter without an opening line have one fence less)
        assert fm.raw in text and fm.body in text
        closing = 0 if fm.kind == "json" and text.startswith("{") else 1
        raw_lines = fm.raw.count("\n") + 1 if fm.raw else 0
        assert fm.body_line == fm.raw_line + raw_lines + closing


@FUZZ
@given(ANY_TEXT, st.sampled_from(["---", "+++"]))
def test_notes_and_transcripts_from_any_text_are_records_or_problems(body, fence):
    for text in (body, f"{fence}\n{body}", f"{fence}\n{body}\n{fence}\n{body}"):
        problems = Problems()
        note = parse_note("notes/x.zh.md", text, problems=problems, slug="x", lang="zh")
        assert note is None or isinstance(note, Note)
        assert note is not None or problems.errors
        problems = Problems()
        transcript = parse_transcript("transcripts/x.zh.md", text, problems=problems, slug="x", lang="zh")
        assert transcript is None or isinstance(transcript, Transcript)
        assert all(isinstance(p, ContentError) and p.path for p in problems.items)


# ---------------------------------------------------------------- YAML to records


@FUZZ
@given(ANY_TEXT, st.sampled_from(sorted(RECORD_PARSERS)))
def test_any_text_as_a_yaml_file_gives_records_or_content_errors(text, folder):
    only_records_or_content_errors(RECORD_PARSERS[folder], text)


@FUZZ
@given(DATA, st.sampled_from(sorted(RECORD_PARSERS)))
def test_any_yaml_data_gives_records_or_content_errors(data, folder):
    text = yaml.safe_dump(data, allow_unicode=True)
    only_records_or_content_errors(RECORD_PARSERS[folder], text)
    as_list = yaml.safe_dump([data], allow_unicode=True)
    only_records_or_content_errors(RECORD_PARSERS[folder], as_list)


@FUZZ
@given(st.dictionaries(KEYS, DATA, max_size=8))
def test_any_front_matter_data_gives_a_note_or_problems(data):
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\nbody\n"
    problems = Problems()
    note = parse_note("notes/x.en.md", text, problems=problems, slug="x", lang="en")
    assert isinstance(note, Note) or problems.errors


@FUZZ
@given(ANY_TEXT)
def test_parse_yaml_and_toml_raise_only_content_errors(text):
    for parse in (parse_yaml, parse_toml):
        try:
            parse("x", text, 7)
        except ContentError as exc:
            assert exc.path == "x" and (exc.line is None or exc.line >= 7)


# ---------------------------------------------------------------- FuzzyDate


YEARS = st.one_of(st.sampled_from([0, 1, 1989, 9999]), st.integers(0, 99999))
TWO = st.one_of(st.sampled_from([0, 1, 12, 13, 23, 24, 29, 30, 31, 59, 60, 99]), st.integers(0, 999))
TIME = st.tuples(TWO, TWO, st.one_of(st.none(), TWO), st.sampled_from(["", "Z", " +0100", "-01:00", " +99", "+2359", "-12"]))
DATE_TEXT = st.one_of(
    st.text(max_size=30),
    st.builds(lambda approx, y, tail: f"{approx}{y:04d}{tail}", st.sampled_from(["", "~", "c. ", "约"]), YEARS,
              st.one_of(st.just(""), st.just("s"), st.sampled_from(["-early", "-mid", "-late", "-fall", "-winter"]),
                        st.builds(lambda m: f"-{m:02d}", TWO),
                        st.builds(lambda m, d, sep, t: f"-{m:02d}-{d:02d}" + (
                            f"{sep}{t[0]:02d}:{t[1]:02d}" + (f":{t[2]:02d}" if t[2] is not None else "") + t[3]
                            if t else ""), TWO, TWO, st.sampled_from([" ", "T"]), st.one_of(st.none(), TIME)))),
)
DATE_VALUES = st.one_of(
    DATE_TEXT, st.integers(), st.floats(), st.booleans(), st.none(), st.dates(), st.times(),
    st.datetimes(), st.datetimes(timezones=st.timezones()),
    st.datetimes(timezones=st.just(dt.timezone(dt.timedelta(hours=-23, minutes=-59)))),
    st.datetimes(timezones=st.just(dt.timezone(dt.timedelta(hours=23, minutes=59)))),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=2000, deadline=None)
@given(DATE_VALUES)
def test_fuzzy_date_parses_or_raises_date_error(value):
    try:
        date = FuzzyDate.parse(value)
    except DateError as exc:
        assert str(exc)
        return
    assert 1 <= date.year <= 9999
    assert date.format("zh") and date.format("en") and date.iso
    assert isinstance(date.sort_key, tuple)


# ---------------------------------------------------------------- markdown


@FUZZ
@given(ANY_TEXT, st.booleans(), st.booleans())
def test_markdown_renders_any_text(text, raw_html, embeds):
    env = RenderEnv(link=lambda target, line: "../x/", cite=lambda source, at: (1, "cite-1-1"),
                    allow_raw_html=raw_html, allow_embeds=embeds)
    html = render_markdown(text, env).html
    assert isinstance(html, str)
    assert isinstance(render_inline(text), str)
    if not raw_html:
        assert "<script" not in html.lower()
