"""Citation places in the reader's language (issue 24): what the graph names a locator in each
language, the errors for places that name nothing, and the new fields of sources and discrepancies."""

from pathlib import Path

from lecun_site.content.config import load_config
from lecun_site.content.loader import load_content
from lecun_site.errors import Problems
from lecun_site.site.graph import build_graph


def graph_of(content: Path):
    problems = Problems()
    graph = build_graph(load_content(content, load_config(content), problems), problems)
    return graph, problems


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_turn_is_found_in_the_transcript_of_each_language(minimal_site):
    graph, problems = graph_of(minimal_site)
    assert not problems.errors
    assert graph.locate("interview-one", "turn-2", "zh") == ("turn", "2", "开场", "turn-2")
    assert graph.locate("interview-one", "turn-2", "en") == ("turn", "2", "Opening", "turn-2")


def test_a_section_named_in_either_language_is_named_in_the_readers(minimal_site):
    graph, _ = graph_of(minimal_site)
    transcript = graph.transcripts["conversation"]
    for written in ("§ Closing", "§ 结尾", "§ closing"):
        kind, label_zh, _, anchor_zh = graph.locate("interview-one", written, "zh")
        _, label_en, _, anchor_en = graph.locate("interview-one", written, "en")
        assert (kind, label_zh, label_en) == ("section", "结尾", "Closing")
        assert anchor_zh == transcript.version("zh").sections[1].anchor
        assert anchor_en == transcript.version("en").sections[1].anchor


def test_free_text_of_a_source_without_transcript_is_kept(minimal_site):
    graph, _ = graph_of(minimal_site)
    assert graph.locate("article-two", "p. 12", "zh") == ("text", "p. 12", "", None)


def test_a_section_that_names_nothing_is_a_warning_with_a_hint(minimal_site):
    edit(minimal_site / "timeline" / "events.yaml", "{source: interview-one, at: turn-2}",
         "{source: interview-one, at: \"§ Closings\"}")
    graph, problems = graph_of(minimal_site)
    assert not problems.errors
    [error] = [e for e in problems.warnings if "names no section" in e.message]
    assert graph.locate("interview-one", "§ Closings", "zh") == ("text", "§ Closings", "", None)
    assert error.path.endswith("events.yaml") and error.line == 14
    assert "Closing" in error.hint


def test_a_place_given_in_two_languages_is_a_label(minimal_site):
    edit(minimal_site / "timeline" / "events.yaml", "sources: [article-two]\n  notes: [intro]",
         "sources: [{source: article-two, at: {zh: § 第二节, en: § Part two}}]\n  notes: [intro]")
    graph, problems = graph_of(minimal_site)
    assert not problems.errors, [e.format() for e in problems.errors]
    [cite] = graph.events["1843-notes"].sources
    assert (cite.at, cite.label.zh, cite.label.en) == ("§ 第二节", "§ 第二节", "§ Part two")


def test_a_place_in_two_languages_needs_both(minimal_site):
    edit(minimal_site / "timeline" / "events.yaml", "sources: [article-two]\n  notes: [intro]",
         "sources: [{source: article-two, at: {zh: § 第二节}}]\n  notes: [intro]")
    _, problems = graph_of(minimal_site)
    assert any("needs both `zh` and `en`" in e.message for e in problems.errors)


def test_severity_verdict_and_group_reach_the_graph(minimal_site):
    path = minimal_site / "discrepancies" / "dates.yaml"
    text = path.read_text(encoding="utf-8").replace("\n- id:", "\n  - id:")
    body = "\n".join("  " + line if line and not line.startswith("  - id:") else line
                     for line in path.read_text(encoding="utf-8").splitlines())
    path.write_text("group: {zh: 年份, en: Years}\ndiscrepancies:\n" + body.replace("  - id: imitation-year",
                    "  - id: imitation-year\n    severity: high\n    verdict: {zh: 是 1950 年。, en: It is 1950.}") + "\n",
                    encoding="utf-8")
    del text
    graph, problems = graph_of(minimal_site)
    assert not problems.errors, [e.format() for e in problems.errors]
    d = graph.discrepancies["imitation-year"]
    assert (d.severity, d.verdict.en, d.group.zh) == ("high", "It is 1950.", "年份")


def test_an_unknown_severity_or_rating_is_an_error_with_its_line(minimal_site):
    edit(minimal_site / "discrepancies" / "dates.yaml", "- id: imitation-year\n", "- id: imitation-year\n  severity: dire\n")
    edit(minimal_site / "sources" / "article-two.yaml", "kind:", "reliability: {rating: shaky}\nkind:")
    _, problems = graph_of(minimal_site)
    severity = [e for e in problems.errors if "is not a severity" in e.message]
    rating = [e for e in problems.errors if "is not a reliability rating" in e.message]
    assert severity and severity[0].line == 2 and "high, medium, low" in severity[0].hint
    assert rating and rating[0].line == 1 and "dramatised" in rating[0].hint


def test_a_quote_retold_by_someone_else_names_them(minimal_site):
    edit(minimal_site / "quotes" / "quotes.yaml", "- id: engine-weaves\n", "- id: engine-weaves\n  via: 图灵\n")
    graph, problems = graph_of(minimal_site)
    assert not problems.errors, [e.format() for e in problems.errors]
    assert graph.quotes["engine-weaves"].via == "alan-turing"
