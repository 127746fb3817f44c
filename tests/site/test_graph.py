from pathlib import Path

import pytest

from lecun_site.content.config import load_config
from lecun_site.content.loader import load_content
from lecun_site.errors import Problems
from lecun_site.site.graph import build_graph


def graph_of(content: Path, drafts=False):
    problems = Problems()
    config = load_config(content)
    graph = build_graph(load_content(content, config, problems), problems, drafts=drafts)
    return graph, problems


def test_minimal_site_resolves_without_errors(minimal_site):
    graph, problems = graph_of(minimal_site)
    assert not problems.errors, [p.format() for p in problems.errors]


def test_aliases_resolve_to_ids(minimal_site):
    graph, _ = graph_of(minimal_site)
    assert graph.notes["intro"].people == ("ada-lovelace", "alan-turing")  # written as 洛芙莱斯, 图灵
    assert graph.events["1843-notes"].people == ("ada-lovelace", "charles-babbage")
    assert graph.quotes["engine-weaves"].speaker == "ada-lovelace"


def test_translations_pair_and_neutral_fields_merge_from_either_file(minimal_site):
    graph, _ = graph_of(minimal_site)
    group = graph.notes["intro"]
    assert set(group.versions) == {"zh", "en"}
    assert group.date.iso == "2020-01-02"  # written only in the zh file
    assert group.version("en").title == "Introduction"


def test_missing_translation_is_a_warning_and_falls_back(minimal_site):
    graph, problems = graph_of(minimal_site)
    group = graph.notes["only-chinese"]
    assert group.is_fallback("en") and group.version("en").lang == "zh"
    assert any("has no en version" in w.message for w in problems.warnings)


def test_conflicting_neutral_fields_are_an_error_naming_both_files(minimal_site):
    path = minimal_site / "notes" / "intro.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Introduction",
                                                             "title: Introduction\nsources: [interview-one]"),
                    encoding="utf-8")
    _, problems = graph_of(minimal_site)
    [error] = [e for e in problems.errors if "differs" in e.message]
    assert {Path(error.path).name, error.message.split("(")[1].split(")")[0].rsplit("/", 1)[-1]} == {
        "intro.en.md", "intro.zh.md"}
    assert error.line == {"intro.en.md": 3, "intro.zh.md": 7}[Path(error.path).name]  # its `sources` line


def test_same_people_written_as_alias_and_id_do_not_conflict(minimal_site):
    path = minimal_site / "notes" / "intro.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Introduction",
                                                             "title: Introduction\npeople: [alan-turing, Lovelace]"),
                    encoding="utf-8")
    _, problems = graph_of(minimal_site)
    assert not problems.errors


def test_unknown_person_is_an_error_with_a_suggestion(minimal_site):
    path = minimal_site / "notes" / "intro.zh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("people: [洛芙莱斯, 图灵]", "people: [ada-lovelase]"),
                    encoding="utf-8")
    _, problems = graph_of(minimal_site)
    [error] = problems.errors
    assert error.message == "unknown person 'ada-lovelase' in `people`"
    assert error.line == 5 and error.hint == "did you mean 'ada-lovelace'?"


def test_unknown_source_in_a_body_citation_names_its_line(minimal_site):
    path = minimal_site / "notes" / "intro.zh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("[@article-two]", "[@article-tow]"), encoding="utf-8")
    _, problems = graph_of(minimal_site)
    [error] = problems.errors
    assert error.line == 13 and "unknown source 'article-tow'" in error.message and "article-two" in error.hint


def test_turn_locator_must_name_an_existing_turn(minimal_site):
    path = minimal_site / "timeline" / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("at: turn-2", "at: turn-9"), encoding="utf-8")
    _, problems = graph_of(minimal_site)
    [error] = problems.errors
    assert "'turn-9' names no turn of transcript 'conversation'" in error.message


def test_broken_internal_link_is_an_error(minimal_site):
    path = minimal_site / "notes" / "intro.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("@/people/ada-lovelace", "@/people/ada"), encoding="utf-8")
    _, problems = graph_of(minimal_site)
    [error] = problems.errors
    assert "link '@/people/ada' points to nothing" in error.message and error.line == 7


def test_tag_without_topic_becomes_its_own_topic_with_a_warning(minimal_site):
    graph, problems = graph_of(minimal_site)
    assert "victorian-science" in graph.topics and graph.topics["victorian-science"].auto
    assert graph.notes["hugo-style"].topics == ("computing", "victorian-science")
    assert any("tag 'Victorian science' matches no topic" in w.message for w in problems.warnings)


def test_back_references(minimal_site):
    graph, _ = graph_of(minimal_site)
    assert graph.person_notes["ada-lovelace"] == ["intro"]
    assert graph.person_events["alan-turing"] == ["1950-imitation-game"]
    assert graph.person_quotes["alan-turing"] == ["can-machines-think"]
    assert graph.person_transcripts["alan-turing"] == ["conversation"]
    assert graph.topic_events["computing"] == ["1830s-engine", "1843-notes"]
    assert set(graph.source_notes["article-two"]) == {"intro"}
    assert graph.source_events["interview-one"] == ["1950-imitation-game"]
    assert graph.source_transcripts["interview-one"] == ["conversation"]
    assert graph.event_notes["1843-notes"] == ["intro"]
    assert graph.disputes["event"]["1950-imitation-game"] == ["imitation-year"]


def test_timeline_is_in_date_order(minimal_site):
    graph, _ = graph_of(minimal_site)
    assert graph.timeline == ["1830s-engine", "1843-notes", "1950-imitation-game"]


def test_duplicate_event_ids_are_an_error(minimal_site):
    (minimal_site / "timeline" / "more.yaml").write_text(
        "- id: 1843-notes\n  date: 1843\n  title: {zh: 甲, en: A}\n  sources: [article-two]\n", encoding="utf-8")
    _, problems = graph_of(minimal_site)
    [error] = problems.errors
    assert "event id '1843-notes' is used twice" in error.message


def test_alias_naming_two_people_is_an_error(minimal_site):
    path = minimal_site / "people" / "charles-babbage.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("aliases: [巴贝奇]", "aliases: [巴贝奇, 图灵]"),
                    encoding="utf-8")
    _, problems = graph_of(minimal_site)
    assert any("alias '图灵'" in e.message for e in problems.errors)


@pytest.mark.parametrize("target, expected", [
    ("@/", ("home", "", "")),
    ("@/timeline", ("timeline", "", "")),
    ("@/timeline/#ev-1843-notes", ("timeline", "", "ev-1843-notes")),
    ("@/timeline#ev-no-such-event", None),
    ("@/fact-check#d-imitation-year", ("fact-check", "", "d-imitation-year")),
    ("@/fact-check#d-nothing", None),
    ("@/notes/intro", ("notes", "intro", "")),
    ("@/notes/intro/#h-1", ("notes", "intro", "h-1")),
    ("@/notes/intro.zh.md", ("notes", "intro", "")),
    ("@/notes/intro.md", ("notes", "intro", "")),
    ("@/notes/no-such-note", None),
    ("@/notes/intro/extra", None),
    ("@/people/ada-lovelace", ("people", "ada-lovelace", "")),
    ("@/people", ("people", "", "")),
    ("@/persons/ada-lovelace", None),
    ("@/ada-lovelace", None),
    ("@/transcripts/conversation#turn-1", ("transcripts", "conversation", "turn-1")),
    ("@/transcripts/conversation#t-00-00-05", ("transcripts", "conversation", "t-00-00-05")),
    ("@/transcripts/conversation#开场", ("transcripts", "conversation", "开场")),
    ("@/transcripts/conversation#turn-999", None),
])
def test_link_target_names_what_an_internal_link_points_to(minimal_site, target, expected):
    from lecun_site.site.links import link_target

    graph, _ = graph_of(minimal_site)
    assert link_target(graph, target) == expected
