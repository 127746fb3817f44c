from pathlib import Path

import pytest

from lecun_site.content.body import scan_body
from lecun_site.content.frontmatter import split_front_matter
from lecun_site.content.notes import parse_note
from lecun_site.content.textfile import parse_yaml
from lecun_site.content.transcripts import parse_transcript
from lecun_site.content.yaml_records import parse_events, parse_person
from lecun_site.errors import ContentError, Problems

FOREIGN = Path(__file__).resolve().parents[1] / "sites" / "foreign"


def note(text: str, slug="x", lang="zh"):
    problems = Problems()
    record = parse_note("notes/x.zh.md", text, problems=problems, slug=slug, lang=lang)
    return record, problems


# ---------------------------------------------------------------- front matter


def test_split_yaml_front_matter_keeps_body_line_numbers():
    fm = split_front_matter("a.md", "---\ntitle: T\n---\nbody\n")
    assert fm.kind == "yaml" and fm.raw == "title: T" and fm.body == "body\n" and fm.body_line == 4


def test_split_toml_front_matter():
    fm = split_front_matter("a.md", '+++\ntitle = "T"\n+++\nbody')
    assert fm.kind == "toml" and fm.raw == 'title = "T"'


def test_no_front_matter_is_all_body():
    fm = split_front_matter("a.md", "# Heading\ntext")
    assert fm.kind is None and fm.body.startswith("# Heading")


def test_unclosed_front_matter_is_an_error_on_line_1():
    with pytest.raises(ContentError) as info:
        split_front_matter("notes/a.md", "---\ntitle: T\nbody")
    assert info.value.line == 1
    assert "never closed" in info.value.message
    assert info.value.format().startswith("notes/a.md:1: ")


# ---------------------------------------------------------------- notes


def test_note_fields_become_typed_values():
    record, problems = note("---\ntitle: 标题\ndate: 1989-06\npeople: [辛顿]\ntopics: cnn\nsources: [a, {source: b, at: turn-3}]\n---\n正文")
    assert not problems.items
    assert record.title == "标题"
    assert record.date.iso == "1989-06"
    assert record.people == ("辛顿",)
    assert record.topics == ("cnn",)
    assert [(c.source, c.at) for c in record.sources] == [("a", None), ("b", "turn-3")]


def test_unknown_fields_are_kept_not_errors():
    record, problems = note("---\ntitle: T\nlayout: post.njk\nseries: ''\nstatus: evergreen\n---\nx")
    assert not problems.items
    assert record.extra == {"layout": "post.njk", "series": "", "status": "evergreen"}


def test_tags_as_a_string_or_a_list():
    one, _ = note("---\ntitle: T\ntags: history\n---\n")
    many, _ = note("---\ntitle: T\ntags: [a, b]\n---\n")
    assert one.tags == ("history",) and many.tags == ("a", "b")


def test_missing_title_takes_first_heading_with_a_warning():
    record, problems = note("---\ndate: 2020\n---\nintro\n\n## 第一节\n")
    assert record.title == "第一节"
    assert [w.message for w in problems.warnings] == ["the note has no title; using its first heading '第一节'"]


def test_missing_title_and_heading_takes_the_file_name():
    record, problems = note("just text", slug="bell-labs")
    assert record.title == "bell labs"
    assert "file name" in problems.warnings[0].message


def test_foreign_fields_that_help_a_reader_are_kept_as_byline_and_link():
    record, _ = note((FOREIGN / "eleventy-note.md").read_text(encoding="utf-8"), lang=None)
    assert record.byline == "Best Partners TV"
    assert record.original_url == "https://www.youtube.com/watch?v=zJCSMX14lj0"
    assert record.draft is True
    assert record.tags == ("convolutional-neural-network", "history", "open-source-ai")
    assert record.date.iso == "2025-09-01"


def test_jekyll_post_loads_with_author_mapping_and_date_string():
    record, problems = note((FOREIGN / "jekyll-note.md").read_text(encoding="utf-8"), lang=None)
    assert not problems.errors
    assert record.lang == "en"  # from `lang:`
    assert record.byline == "Jane Doe"
    assert record.date.iso == "2016-04-19"
    assert "{% include note.html %}" in record.body


def test_hugo_toml_note_with_a_datetime():
    record, problems = note('+++\ntitle = "Hugo"\ndate = 2019-05-01T10:00:00+02:00\ntags = ["a"]\n+++\nbody')
    assert not problems.errors
    assert record.date.iso == "2019-05-01" and record.date.seconds == 8 * 3600


@pytest.mark.parametrize("date", ["2020-01-02", "'2020-01-02'", "2020", "2020-01-02 10:00:00 +0800", "~2020"])
def test_dates_in_yaml_front_matter(date):
    record, problems = note(f"---\ntitle: T\ndate: {date}\n---\n")
    assert not problems.errors
    assert record.date.year == 2020


def test_impossible_date_is_an_error_on_its_line():
    _, problems = note("---\ntitle: T\ndate: 2025-13-45\n---\n")
    [error] = problems.errors
    assert error.line == 3 and "month 13" in error.message


def test_title_as_a_list_is_an_error_on_its_line():
    _, problems = note("---\ndate: 2020\ntitle: [a, b]\n---\n")
    assert any(e.line == 3 and "`title` must be text, not a list" in e.message for e in problems.errors)


def test_yaml_error_names_line_and_column():
    _, problems = note("---\ntitle: T\npeople: [a, b\n---\n")
    [error] = problems.errors
    assert error.path == "notes/x.zh.md" and error.line >= 3 and error.column is not None


def test_duplicate_keys_are_an_error():
    _, problems = note("---\ntitle: A\ntitle: B\n---\n")
    [error] = problems.errors
    assert "duplicate key 'title' (first on line 2)" in error.message and error.line == 3


def test_python_yaml_tags_are_refused():
    _, problems = note("---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n")
    [error] = problems.errors
    assert "not allowed" in error.message


def test_body_citations_and_links_are_found_with_lines_outside_code():
    citations, links = scan_body("a [@src, turn-3]\n```\n[@not-this]\n```\n[x](@/people/a)", first_line=10)
    assert [(c.source, c.at, c.line) for c in citations] == [("src", "turn-3", 10)]
    assert [(l.target, l.line) for l in links] == [("@/people/a", 14)]


# ---------------------------------------------------------------- YAML records


def test_events_require_a_source():
    problems = Problems()
    events = parse_events("timeline/a.yaml", "- id: 1989-x\n  date: 1989\n  title: {zh: 甲, en: A}\n", problems=problems)
    assert events and events[0].id == "1989-x"
    [error] = problems.errors
    assert "cites no source" in error.message and error.line == 1


def test_unknown_person_field_is_a_warning_with_a_suggestion():
    problems = Problems()
    parse_person("people/a.yaml", "name: {zh: 甲, en: A}\nbio: x\nrloe: y\n", problems=problems, id="a")
    [warning] = problems.warnings
    assert warning.line == 3 and "did you mean 'role'" in warning.hint


def test_yaml_lines_are_remembered():
    data = parse_yaml("a.yaml", "a: 1\nb:\n  c: 2\n", first_line=5)
    assert data.lines == {"a": 5, "b": 6}
    assert data["b"].lines == {"c": 7}


# ---------------------------------------------------------------- transcripts


def test_transcript_turns_sections_and_times():
    text = ("---\ntitle: T\nsource: s\nspeakers: {吴恩达: andrew-ng, LeCun: yann-lecun}\n---\n"
            "intro text\n\n## 开场\n\n**吴恩达：** 你好。\n\n[00:12:34] **LeCun:** Hi.\n\nmore\n\n## 后来\n\n**Other**: x\n")
    problems = Problems()
    tr = parse_transcript("transcripts/t.zh.md", text, problems=problems, slug="t", lang="zh")
    assert not problems.errors
    assert [(t.number, t.speaker_label, t.speaker, t.start) for t in tr.turns] == [
        (1, "吴恩达", "andrew-ng", None), (2, "LeCun", "yann-lecun", 754), (3, "Other", None, None)]
    assert tr.turns[1].text == "Hi.\n\nmore"
    assert tr.turns[1].time_anchor == "t-00-12-34"
    assert [(s.title, s.first_turn) for s in tr.sections] == [("开场", 1), ("后来", 3)]
    assert tr.intro == "intro text"
    assert tr.turns[0].line == 10


def test_the_shape_walk_is_skipped_only_where_nothing_can_be_deep_or_aliased():
    from lecun_site.content.textfile import MAX_DEPTH, _plainly_shallow

    front = "title: A note\ndate: 2001-02-02\npeople: [marie-laurent, boris-tanaka]\nsources: [a, {source: b, at: turn-3}]"
    assert _plainly_shallow(front)
    assert not _plainly_shallow("base: &b [1, 2]\ncopy: *b")
    for deep in ("[" * MAX_DEPTH, "{a: " * MAX_DEPTH, "- " * MAX_DEPTH + "x", "-\n" * MAX_DEPTH,
                 "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, MAX_DEPTH)), "? " * MAX_DEPTH):
        assert not _plainly_shallow(deep)


@pytest.mark.parametrize("text", ["- " * 60 + "x", "[" * 60 + "]" * 60, "".join(" " * i + "k:\n" for i in range(60))])
def test_deep_yaml_is_refused_with_or_without_the_shortcut(text):
    from lecun_site.content.textfile import parse_yaml
    from lecun_site.errors import ContentError

    with pytest.raises(ContentError, match="nested more than"):
        parse_yaml("deep.yaml", text)
