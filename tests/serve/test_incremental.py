"""Incremental rebuilds: what re-renders for which change, and that the result always equals
a clean full build of the same content."""

import random
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, tree_bytes

from lecun_site.build.pipeline import BuildOptions, build_site
from lecun_site.serve.session import Builder


def make_builder(content: Path, out: Path, tmp_path: Path, templates: Path | None = None) -> Builder:
    return Builder(BuildOptions(content=content, out=out, templates=templates))


def urls(report):
    return sorted(j.url for j in report.rendered)


@pytest.fixture
def builder(minimal_site, tmp_path):
    b = make_builder(minimal_site, tmp_path / "_site", tmp_path)
    first = b.build()
    assert first.ok and len(first.rendered) == first.pages
    return b


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_no_change_renders_nothing(builder):
    report = builder.build()
    assert report.ok and report.rendered == []


def test_body_edit_renders_only_that_notes_pages(builder, minimal_site):
    edit(minimal_site / "notes" / "intro.en.md", "wrote the first program", "wrote the very first program")
    report = builder.build()
    # the en body is shown on the en note page; the zh page does not show it
    assert urls(report) == ["/en/", "/en/notes/intro/"]  # the home page opens with this note


def test_title_edit_renders_the_pages_that_list_the_note(builder, minimal_site):
    edit(minimal_site / "notes" / "only-chinese.zh.md", "title: 只有中文", "title: 仅有中文")
    report = builder.build()
    assert set(urls(report)) == {
        # its own pages (the en page falls back to the zh text)
        "/zh/notes/only-chinese/", "/en/notes/only-chinese/",
        # pages that list it: home, notes index, feed, its person
        "/zh/", "/en/", "/zh/notes/", "/en/notes/", "/zh/feed.xml", "/en/feed.xml",
        "/zh/people/charles-babbage/", "/en/people/charles-babbage/",
    }


def test_person_rename_renders_every_page_that_shows_the_name(builder, minimal_site):
    edit(minimal_site / "people" / "alan-turing.yaml", "en: Alan Turing", "en: Alan M. Turing")
    report = builder.build()
    rendered = set(urls(report))
    for expected in ("/en/people/alan-turing/", "/en/people/", "/en/timeline/", "/en/notes/intro/",
                     "/en/transcripts/conversation/", "/en/fact-check/", "/en/sources/interview-one/"):
        assert expected in rendered
    assert "/en/people/charles-babbage/" not in rendered
    assert "/en/topics/computing/" not in rendered


def test_template_change_renders_only_pages_using_it(minimal_site, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    b = make_builder(minimal_site, tmp_path / "_site", tmp_path, templates)
    assert b.build().ok
    edit(templates / "person.html", '<article class="person">', '<article class="person person-page">')
    report = b.build()
    assert {j.kind for j in report.rendered} == {"person"}
    assert len(report.rendered) == 6  # 3 people x 2 languages
    edit(templates / "partials" / "macros.html", '<li class="event"', '<li class="event item"')
    kinds = {j.kind for j in b.build().rendered}
    assert {"timeline", "person", "topic", "source", "note"} <= kinds and "people" not in kinds


def test_ui_string_change_renders_that_languages_pages(builder, minimal_site):
    (minimal_site / "i18n").mkdir()
    (minimal_site / "i18n" / "en.yaml").write_text("nav_timeline: Chronology\n", encoding="utf-8")
    report = builder.build()
    langs = {j.lang for j in report.rendered}
    assert langs == {"en"}  # the English pages that show the string; the chooser and 404 do not
    assert "Chronology" in (builder.options.out / "en" / "index.html").read_text(encoding="utf-8")


def test_deleted_note_disappears_everywhere_and_its_pages_are_removed(builder, minimal_site):
    out = builder.options.out
    assert (out / "zh" / "notes" / "only-chinese" / "index.html").exists()
    (minimal_site / "notes" / "only-chinese.zh.md").unlink()
    report = builder.build()
    assert report.ok
    assert not (out / "zh" / "notes" / "only-chinese").exists()
    assert "/zh/notes/only-chinese/" in report.removed
    assert "只有中文" not in (out / "zh" / "people" / "charles-babbage" / "index.html").read_text(encoding="utf-8")


def test_failed_rebuild_writes_nothing_and_the_next_good_one_recovers(builder, minimal_site):
    out = builder.options.out
    before = tree_bytes(out)
    good = (minimal_site / "notes" / "intro.zh.md").read_text(encoding="utf-8")
    (minimal_site / "notes" / "intro.zh.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    report = builder.build()
    assert not report.ok and report.problems
    assert tree_bytes(out) == before
    (minimal_site / "notes" / "intro.zh.md").write_text(good.replace("导言", "新导言"), encoding="utf-8")
    report = builder.build()
    assert report.ok and "/zh/notes/intro/" in urls(report)


# ------------------------------------------------------------------ incremental == full build

EDITS = [
    lambda c, r: edit_any(c / "notes" / "intro.en.md", r),
    lambda c, r: edit_any(c / "notes" / "intro.zh.md", r),
    lambda c, r: edit_any(c / "people" / "ada-lovelace.yaml", r),
    lambda c, r: edit_any(c / "timeline" / "events.yaml", r),
    lambda c, r: edit_any(c / "transcripts" / "conversation.en.md", r),
    lambda c, r: toggle_note(c, r),
    lambda c, r: rename_note(c, r),
    lambda c, r: swap_people_of_note(c, r),
    lambda c, r: edit_any(c / "quotes" / "quotes.yaml", r),
    lambda c, r: edit_any(c / "discrepancies" / "dates.yaml", r),
]


def edit_any(path: Path, rng: random.Random) -> None:
    """Change one word of a text value somewhere in the file (keeping it valid)."""
    text = path.read_text(encoding="utf-8")
    for word in ("first", "machines", "Lovelace", "注释", "问题", "1950", "Says", "Hello", "第一个", "engine"):
        if word in text and rng.random() < 0.5:
            path.write_text(text.replace(word, word + rng.choice(["x", "y", "z"]), 1), encoding="utf-8")
            return
    path.write_text(text + ("\n" if path.suffix == ".md" else "") + ("More text.\n" if path.suffix == ".md" else ""),
                    encoding="utf-8")


def toggle_note(content: Path, rng: random.Random) -> None:
    extra = content / "notes" / "extra.zh.md"
    if extra.exists():
        extra.unlink()
    else:
        extra.write_text(f"---\ntitle: 新笔记{rng.randint(0, 99)}\ndate: 2022\npeople: [图灵]\ntopics: [computing]\n---\n"
                         "新内容[@article-two]。\n", encoding="utf-8")


def rename_note(content: Path, rng: random.Random) -> None:
    notes = content / "notes"
    if (notes / "hugo-style.en.md").exists():
        (notes / "hugo-style.en.md").rename(notes / "hugo-renamed.en.md")
        (notes / "hugo-style.zh.md").rename(notes / "hugo-renamed.zh.md")
    else:
        (notes / "hugo-renamed.en.md").rename(notes / "hugo-style.en.md")
        (notes / "hugo-renamed.zh.md").rename(notes / "hugo-style.zh.md")


def swap_people_of_note(content: Path, rng: random.Random) -> None:
    path = content / "notes" / "only-chinese.zh.md"
    text = path.read_text(encoding="utf-8")
    choice = rng.choice(["[巴贝奇]", "[图灵]", "[巴贝奇, 洛芙莱斯]"])
    import re

    path.write_text(re.sub(r"people: \[.*\]", f"people: {choice}", text), encoding="utf-8")


@pytest.mark.parametrize("seed", range(4))
def test_incremental_equals_full_build_over_random_edits(minimal_site, tmp_path, seed, monkeypatch):
    monkeypatch.setattr("lecun_site.build.core.index_search", lambda folder, problems, **_: 0.0)  # serve does not index
    rng = random.Random(seed)
    out = tmp_path / "incremental"
    builder = make_builder(minimal_site, out, tmp_path)
    assert builder.build().ok
    for step in range(8):
        rng.choice(EDITS)(minimal_site, rng)
        report = builder.build()
        assert report.ok, [p.format() for p in report.problems]
        full = tmp_path / f"full-{step}"
        build_site(BuildOptions(content=minimal_site, out=full))
        assert tree_bytes(out) == tree_bytes(full), f"step {step}"


def test_a_template_failing_partway_leaves_every_page_as_it_was(minimal_site, tmp_path):
    """Pages are rendered into temporary files and moved into place only when all rendered:
    a template that breaks on the last of many pages leaves the first ones untouched too."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "_site"
    b = make_builder(minimal_site, out, tmp_path, templates)
    first = b.build()
    assert first.ok
    notes = [job.url for job in first.rendered if job.kind == "note"]
    assert len(notes) > 2
    before = tree_bytes(out)
    # every note page changes, and the last one rendered fails
    edit(templates / "note.html", '<article class="note"',
         f"{{% if page.url == '{notes[-1]}' %}}{{{{ missing_variable }}}}{{% endif %}}"
         '<article class="note changed"')
    with pytest.raises(Exception, match="missing_variable"):
        b.build()
    assert tree_bytes(out) == before
    assert not [p for p in out.rglob(".*.tmp-*")], "temporary files are cleaned up"


# ------------------------------------------------------------------ signatures are what pages read


def test_a_saved_title_equals_a_clean_build_twice(builder, minimal_site, tmp_path, monkeypatch):
    """A title edit, handed over as the watcher does, re-renders the note's pages and every page that lists it (the event on the
    timeline, note cards on person pages): fragments shared between pages carry their reads.
    Twice: the second edit meets what the first one recorded."""
    from lecun_site.serve.watch import ChangeKind

    monkeypatch.setattr("lecun_site.build.core.index_search", lambda folder, problems, **_: 0.0)
    path = minimal_site / "notes" / "intro.zh.md"
    for old, new in (("title: 导言", "title: 引言"), ("title: 引言", "title: 开篇")):
        edit(path, old, new)
        before = builder.graph
        report = builder.build({path: ChangeKind.CONTENT})  # as serve's watcher hands it over
        assert report.ok
        # the new graph was derived from the last one (only the note's text changed), which
        # is left as it was
        assert builder.graph is not before and builder.graph.people is before.people
        assert before.notes["intro"].versions["zh"].title == old.removeprefix("title: ")
        assert {"/zh/notes/intro/", "/zh/timeline/", "/zh/people/ada-lovelace/"} <= set(urls(report))
        assert not any(url.startswith("/en/") for url in urls(report) if url != "/en/notes/intro/")
        timeline = (builder.options.out / "zh" / "timeline" / "index.html").read_text(encoding="utf-8")
        assert new.removeprefix("title: ") in timeline and old.removeprefix("title: ") not in timeline
        clean = tmp_path / f"clean-{new[-2:]}"
        build_site(BuildOptions(content=minimal_site, out=clean))
        assert tree_bytes(builder.options.out) == tree_bytes(clean)


def test_a_note_with_no_translation_yet_keeps_its_warning(builder, minimal_site, tmp_path, monkeypatch):
    """A note written in Chinese first has a warning (no en version yet); every save reports it
    again, and the en page, which shows the zh text, follows the edit."""
    monkeypatch.setattr("lecun_site.build.core.index_search", lambda folder, problems, **_: 0.0)
    path = minimal_site / "notes" / "only-chinese.zh.md"
    edit(path, "title: 只有中文", "title: 仅有中文")
    report = builder.build()
    assert report.ok
    assert any("has no en version" in p.message and p.path.endswith("only-chinese.zh.md") for p in report.problems)
    assert "/en/notes/only-chinese/" in urls(report)
    clean = tmp_path / "clean"
    build_site(BuildOptions(content=minimal_site, out=clean))
    assert tree_bytes(builder.options.out) == tree_bytes(clean)


def test_each_timeline_records_the_note_titles_of_its_own_language(builder):
    """What a page read is recorded as paths into the graph: the en timeline read the en
    versions of the notes that discuss its events, the zh timeline the zh ones."""
    traces = builder.traces
    for lang in ("zh", "en"):
        paths = traces.read_by(f"{lang}/timeline/index.html")
        titles = [p for p in paths if ("a", "notes") in p and p[-1] == ("a", "title")]
        assert titles, "the site's events are discussed in notes; the timeline shows their titles"
        assert all(("c", "version", (lang,), ()) in p for p in titles), titles


def test_a_fragment_reused_by_another_page_counts_as_read_there(minimal_site):
    """An event is rendered once per language and reused on every page that lists it; the
    pages that reuse it must record what it read, or an edit of the event would leave them stale."""
    from lecun_site.content.config import load_config
    from lecun_site.content.loader import load_content
    from lecun_site.errors import Problems
    from lecun_site.render.page import Renderer
    from lecun_site.site.graph import build_graph
    from lecun_site.site.pages import plan_pages

    problems = Problems()
    graph = build_graph(load_content(minimal_site, load_config(minimal_site), problems), problems)
    jobs = plan_pages(graph)
    renderer = Renderer(graph, ROOT / "templates")
    person = next(j for j in jobs if j.kind == "person" and j.lang == "en" and graph.person_events.get(j.key))
    eid = graph.person_events[person.key][0]
    topic = next(j for j in jobs if j.kind == "topic" and j.lang == "en" and eid in graph.topic_events.get(j.key, []))
    _, _, first = renderer.render_traced(person, jobs)
    assert renderer.fragments, "the person page rendered shared fragments"
    _, _, second = renderer.render_traced(topic, jobs)  # reuses the event rendered for the person page
    shared = {key for key in first & second if eid in key[2]}
    assert shared, "both pages show the event's fragment"
    for key in shared:
        reads, _ = renderer.fragment_reads[key]
        assert (("v", "en", "event", eid),) in reads


# ------------------------------------------------------------------ a template shows what it did not show


SHOW_EVERY_TITLE = ('<ul class="all-notes">{% for slug in graph.notes_in_order() %}'
                    '<li>{{ page.note(slug)[0].title }}</li>{% endfor %}</ul>\n<article class="note"')
SHOW_TOPICS = """{% set n, group = page.note(slug) %}<span class="note-topics">{{ group.topics | join(",") }}</span>
  <li class="card">"""


@pytest.mark.parametrize("mode", ["serve", "cached build"])
def test_a_template_edited_to_show_more_keeps_every_page_true(minimal_site, tmp_path, monkeypatch, mode):
    """Issue 19: with signatures kept by hand, making note.html list every note's title left
    the other note pages stale when a note was added, deleted or retitled. Signatures are now
    what pages read, so serve and a cached build equal a clean build after each such edit."""
    monkeypatch.setattr("lecun_site.build.core.index_search", lambda folder, problems, **_: 0.0)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "_site"
    options = BuildOptions(content=minimal_site, out=out, templates=templates, search=False)
    builder = Builder(options)

    def rebuild():
        if mode == "serve":
            assert builder.build().ok
        else:
            build_site(options)

    rebuild()
    edit(templates / "note.html", '<article class="note"', SHOW_EVERY_TITLE)
    edit(templates / "partials" / "macros.html", '  <li class="card">', SHOW_TOPICS)
    rebuild()
    notes = minimal_site / "notes"
    steps = [
        lambda: (notes / "new.zh.md").write_text("---\ntitle: 新来的\ndate: 2023\n---\n正文。\n", encoding="utf-8"),
        lambda: edit(notes / "intro.zh.md", "title: 导言", "title: 引言"),
        lambda: edit(notes / "only-chinese.zh.md", "people: [巴贝奇]", "people: [巴贝奇]\ntopics: [computing]"),
        lambda: (notes / "new.zh.md").unlink(),
    ]
    for number, step in enumerate(steps):
        step()
        rebuild()
        clean = tmp_path / f"clean-{number}"
        build_site(BuildOptions(content=minimal_site, out=clean, templates=templates, search=False, cache=False))
        assert tree_bytes(out) == tree_bytes(clean), f"step {number}"
    page = (out / "zh" / "notes" / "only-chinese" / "index.html").read_text(encoding="utf-8")
    assert "<li>引言</li>" in page and "新来的" not in page


def test_anything_but_text_makes_the_graph_again(builder, minimal_site):
    """A note's date orders every list: not a text edit, so the graph is made again from the content."""
    from lecun_site.serve.watch import ChangeKind

    path = minimal_site / "notes" / "intro.en.md"
    before = builder.graph
    edit(path, "title:", "draft: true\ntitle:")
    assert builder.build({path: ChangeKind.CONTENT}).ok
    assert builder.graph.people is not before.people


def test_views_read_only_what_core_run_compares(minimal_site):
    """core.run takes views as unchanged when the graph parts in render.VIEW_READS are shared;
    a view that read anything else would make that wrong, so reading it fails."""
    from lecun_site.content.config import load_config
    from lecun_site.content.loader import load_content
    from lecun_site.errors import Problems
    from lecun_site.render.page import Views
    from lecun_site.site.graph import build_graph

    problems = Problems()
    graph = build_graph(load_content(minimal_site, load_config(minimal_site), problems), problems)
    views = Views(graph, "en")
    for person in graph.people:
        views.person(person)
    for event in graph.events:
        views.event(event)
    with pytest.raises(AttributeError, match="VIEW_READS"):
        views.graph.notes
