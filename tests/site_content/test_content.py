"""The real content/ builds with no errors and no warnings, and keeps its invariants."""


import pytest
from conftest import ROOT, SEEDS, soup

from lecun_site.build.pipeline import BuildOptions, build_site
from lecun_site.check import check_site
from lecun_site.content.config import load_config
from lecun_site.content.loader import load_content
from lecun_site.errors import Problems
from lecun_site.site.graph import build_graph

CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def loaded():
    problems = Problems()
    config = load_config(CONTENT)
    content = load_content(CONTENT, config, problems)
    graph = build_graph(content, problems)
    return content, graph, problems


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "_site"
    report = build_site(BuildOptions(content=CONTENT, out=out))
    return out, report


def test_builds_with_no_errors_and_no_warnings(loaded):
    _, _, problems = loaded
    assert [p.format() for p in problems.items] == []


def test_targets_are_met(loaded):
    _, graph, _ = loaded
    assert len(graph.events) >= 40
    assert len(graph.people) >= 30
    assert len(graph.topics) >= 15
    assert len(graph.quotes) >= 15
    assert len(graph.sources) == 5
    assert len(graph.discrepancies) >= 10
    assert len(graph.transcripts) >= 2


def test_every_event_cites_an_existing_source(loaded):
    _, graph, _ = loaded
    for event in graph.events.values():
        assert event.sources, event.id
        assert all(c.source in graph.sources for c in event.sources), event.id


def test_every_source_is_cited_by_several_events(loaded):
    _, graph, _ = loaded
    for source_id in graph.sources:
        assert len(graph.source_events.get(source_id, [])) >= 3, source_id
        assert graph.source_notes.get(source_id), source_id


def test_every_note_and_transcript_exists_in_both_languages(loaded):
    _, graph, _ = loaded
    for slug, group in graph.notes.items():
        assert set(group.versions) == {"zh", "en"}, slug
    for slug, group in graph.transcripts.items():
        assert set(group.versions) == {"zh", "en"}, slug
        counts = {len(v.turns) for v in group.versions.values()}
        assert len(counts) == 1, f"{slug}: zh and en have different turn counts {counts}"


def test_each_source_has_a_substantial_note(loaded):
    _, graph, _ = loaded
    for source_id in graph.sources:
        notes = [graph.notes[s] for s in graph.source_notes.get(source_id, [])]
        longest = max(len(n.version("zh").body) for n in notes)
        assert longest > 1500, source_id


def test_every_alias_resolves_to_exactly_one_person(loaded):
    content, _, _ = loaded
    owners: dict[str, set[str]] = {}
    for person in content.people:
        for alias in person.aliases:
            owners.setdefault(alias.casefold(), set()).add(person.id)
    assert {a: o for a, o in owners.items() if len(o) > 1} == {}
    ids = {p.id for p in content.people}
    assert not ids & set(owners), "an alias equals another person's id"


def test_every_person_and_topic_page_is_reachable_from_its_index(built):
    out, _ = built
    for lang in ("zh", "en"):
        for kind in ("people", "topics", "sources"):
            index = soup(out / lang / kind / "index.html")
            linked = {a["href"].strip("/").split("/")[0] for a in index.select("main a.card-title")}
            pages = {p.name for p in (out / lang / kind).iterdir() if p.is_dir()}
            assert pages == linked, (lang, kind, pages ^ linked)


def test_the_built_site_has_no_broken_links(built):
    out, report = built
    assert report.warnings == []
    assert check_site(out) == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
def test_no_seed_text_is_pasted_into_content():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from seed_overlap import overlaps

    assert overlaps(CONTENT, SEEDS) == []
