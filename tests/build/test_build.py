"""Integration: build small sites through the CLI and read the HTML as a browser would."""

import os
import shutil

import pytest
from conftest import ROOT, SEEDS, SITES, soup, tree_bytes

from lecun_site.check import check_site

PAGE_TYPES = [
    "index.html", "notes/index.html", "notes/intro/index.html", "transcripts/conversation/index.html",
    "transcripts/conversation/parallel/index.html", "timeline/index.html", "people/index.html",
    "people/ada-lovelace/index.html", "topics/index.html", "topics/computing/index.html", "sources/index.html",
    "sources/interview-one/index.html", "fact-check/index.html", "feed.xml",
]


@pytest.fixture
def built(minimal_site, tmp_path, cli):
    out = tmp_path / "_site"
    result = cli("build", "--content", minimal_site, "--out", out)
    assert result.code == 0, result.err
    return out


def test_every_page_type_exists_in_both_languages(built):
    for lang in ("zh", "en"):
        for page in PAGE_TYPES:
            assert (built / lang / page).is_file(), f"{lang}/{page}"
    for page in ("index.html", "404.html", "sitemap.xml", "robots.txt", "static/site.css", ".nojekyll"):
        assert (built / page).is_file(), page


def test_every_internal_link_anchor_and_asset_resolves(built):
    assert check_site(built) == []


def test_each_page_has_lang_switch_to_its_counterpart_and_hreflang(built):
    for lang, other in (("zh", "en"), ("en", "zh")):
        for page in PAGE_TYPES:
            if not page.endswith(".html"):
                continue
            html = soup(built / lang / page)
            assert html.html["lang"] == ("zh-Hans" if lang == "zh" else "en")
            switch = html.select_one("a.lang-switch")
            target = (built / lang / page).parent / switch["href"]
            assert target.resolve() == (built / other / page).parent.resolve(), page
            hreflangs = {l["hreflang"] for l in html.select('link[rel="alternate"][hreflang]')}
            assert hreflangs == {"zh-Hans", "en", "x-default"}


def test_missing_translation_renders_fallback_with_notice(built):
    en = soup(built / "en/notes/only-chinese/index.html")
    assert en.select_one(".notice.fallback") is not None
    assert "这篇笔记只有中文版" in en.select_one(".prose").get_text()
    zh = soup(built / "zh/notes/only-chinese/index.html")
    assert zh.select_one(".notice.fallback") is None


def test_note_page_shows_citations_people_topics_and_events(built):
    page = soup(built / "zh/notes/intro/index.html")
    assert page.h1.get_text() == "导言"
    cites = page.select("sup.cite a")
    assert [a["href"] for a in cites] == ["#ref-1", "#ref-2"]
    refs = page.select(".references li")
    assert refs[1]["id"] == "ref-2"
    assert refs[1].a["href"] == "../../transcripts/conversation/#turn-2"
    # prose first: the people are in the side column (after the text on a phone)
    assert sorted(a.get_text() for a in page.select(".side-column a.chip.person")) == ["艾伦·图灵", "艾达·洛芙莱斯"]
    assert page.select_one(".note-events #ev-1950-imitation-game") is None  # links to it, no duplicate anchor
    assert "../../timeline/#ev-1950-imitation-game" in [a["href"] for a in page.select(".note-events a")]
    assert page.select_one("a.dispute") is None or True


def test_content_template_syntax_stays_literal(built):
    text = soup(built / "en/notes/intro/index.html").select_one(".prose").get_text()
    assert "{{ page.title }} {% raw %} {{< youtube abc >}}" in text


def test_transcript_turn_anchors_and_media_links(built):
    page = soup(built / "en/transcripts/conversation/index.html")
    turns = page.select(".turn")
    assert [t["id"] for t in turns] == ["turn-1", "turn-2", "turn-3"]
    assert page.select_one("#t-00-01-10") is not None
    assert turns[1].select_one("a.timestamp")["href"] == "https://www.youtube.com/watch?v=abc123&t=70"
    assert turns[2].select_one("a.timestamp")["href"] == "https://www.youtube.com/watch?v=abc123&t=3723"
    assert turns[1].select_one("a.speaker")["href"] == "../../people/alan-turing/"
    assert [a.get_text() for a in page.select("nav.toc a")] == ["Opening", "Closing"]


def test_parallel_view_pairs_turns_by_position(built):
    page = soup(built / "zh/transcripts/conversation/parallel/index.html")
    pairs = page.select(".pair")
    assert len(pairs) == 3
    cells = pairs[1].select(".cell")
    assert "机器能思考吗" in cells[1 if cells[0]["lang"] == "en" else 0].get_text()
    assert "Can machines think?" in cells[0 if cells[0]["lang"] == "en" else 1].get_text()


def test_timeline_sorted_grouped_by_decade_with_anchors_sources_and_disputes(built):
    page = soup(built / "en/timeline/index.html")
    assert [li["id"] for li in page.select("li.event")] == ["ev-1830s-engine", "ev-1843-notes", "ev-1950-imitation-game"]
    assert [h.get_text() for h in page.select("section.decade h2")] == ["1830s", "1840s", "1950s"]
    event = page.select_one("#ev-1950-imitation-game")
    assert "The year of the imitation game" in event.select_one("a.dispute").get_text()
    sources = [a["href"] for a in event.select(".sources a")]
    assert sources == ["../transcripts/conversation/#turn-2", "../sources/article-two/"]
    assert event.select_one("time").get_text() == "October 1950"


def test_events_shown_once_on_the_timeline_are_rendered_but_not_remembered(minimal_site, tmp_path):
    """Fragments (events, quotes, note cards) are remembered for the pages that reuse them; the
    timeline's anchored events are each shown once, so remembering them would only hold
    memory, a third of all fragments on a large site (issue 7)."""
    from lecun_site.build.core import BuildOptions, load_site
    from lecun_site.errors import Problems
    from lecun_site.render.page import Renderer
    from lecun_site.site.pages import plan_pages

    graph = load_site(BuildOptions(content=minimal_site, out=tmp_path / "_site"), Problems(), {})
    jobs = plan_pages(graph)
    renderer = Renderer(graph, ROOT / "templates")
    [timeline] = [job for job in jobs if job.out_path == "en/timeline/index.html"]
    assert 'id="ev-1950-imitation-game"' in renderer.render(timeline, jobs)
    assert not [key for key in renderer.fragments if key[0] == "_event_item"]
    [person] = [job for job in jobs if job.out_path == "en/people/alan-turing/index.html"]
    assert "Turing proposes the imitation game" in renderer.render(person, jobs)
    assert [key for key in renderer.fragments if key[0] == "_event_item"]  # these are reused


def test_person_page_gathers_events_notes_quotes_and_transcripts(built):
    page = soup(built / "en/people/alan-turing/index.html")
    assert page.h1.get_text(" ", strip=True).startswith("Alan Turing")
    text = page.get_text(" ")
    assert "Turing proposes the imitation game" in text
    assert "Introduction" in text
    assert "Can machines think?" in text
    assert "A conversation" in text
    zh = soup(built / "zh/people/alan-turing/index.html")
    assert "He asked whether machines can think." in zh.get_text()  # bio falls back to English
    assert zh.select_one(".notice.small") is not None


def test_source_page_lists_everything_that_cites_it(built):
    page = soup(built / "en/sources/article-two/index.html")
    text = page.get_text(" ")
    for expected in ("Introduction", "Lovelace publishes her notes", "The engine weaves", "The year of the imitation game"):
        assert expected in text
    # one outline level below the title, as on person and topic pages: an event looks the same
    # on all of them, so it is rendered once per language (page.fragment)
    sections = [h.get_text() for h in page.select("article.source > section > h2")]
    assert "Notes that cite it" in sections and "Events it supports" in sections
    assert page.select("li.event h3.event-title") and not page.select("li.event h4")


def test_fact_check_page(built):
    page = soup(built / "en/fact-check/index.html")
    section = page.select_one("#d-imitation-year")
    assert "Says 1951." in section.get_text() and "The paper appeared in 1950." in section.get_text()


def test_auto_topic_page_from_tag(built):
    page = soup(built / "en/topics/victorian-science/index.html")
    assert page.h1.get_text(strip=True) == "Victorian science"
    assert "Written for Hugo" in page.get_text()


def test_byline_and_dates_from_foreign_front_matter(built):
    page = soup(built / "en/notes/hugo-style/index.html")
    assert "A. Writer" in page.select_one(".byline").get_text()
    assert page.select_one(".page-head time")["datetime"] == "2019-05-01"


def test_building_twice_gives_identical_bytes(minimal_site, tmp_path, cli):
    assert cli("build", "--content", minimal_site, "--out", tmp_path / "a").code == 0
    assert cli("build", "--content", minimal_site, "--out", tmp_path / "b").code == 0
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_a_failed_build_leaves_the_previous_site_untouched(minimal_site, built, cli):
    before = tree_bytes(built)
    (minimal_site / "notes" / "intro.zh.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    (minimal_site / "people" / "alan-turing.yaml").write_text("name: {zh: 图灵}\nname: again\n", encoding="utf-8")
    result = cli("build", "--content", minimal_site, "--out", built)
    assert result.code == 1
    assert tree_bytes(built) == before
    lines = result.err.splitlines()
    assert any(l.startswith(f"{minimal_site}/notes/intro.zh.md:3:") and "began on line 2" in l for l in lines)
    assert any(l.startswith(f"{minimal_site}/people/alan-turing.yaml:2:") and "duplicate key" in l for l in lines)
    # the two broken files, plus the alias 图灵 that only the unreadable person file declared
    assert "3 error(s)" in result.err and "nothing was written" in result.err and "Traceback" not in result.err
    assert not [p for p in built.parent.glob("._site.*") if p.name != "._site.cache"]  # no leftovers


def test_stale_files_are_removed(minimal_site, built, cli):
    (built / "zh" / "old-page.html").write_text("stale", encoding="utf-8")
    (minimal_site / "notes" / "only-chinese.zh.md").unlink()
    assert cli("build", "--content", minimal_site, "--out", built).code == 0
    assert not (built / "zh" / "old-page.html").exists()
    assert not (built / "zh" / "notes" / "only-chinese").exists()


def test_drafts_only_with_flag(minimal_site, tmp_path, cli):
    shutil.copy(SITES / "foreign" / "eleventy-note.md", minimal_site / "notes" / "eleventy-note.md")
    out = tmp_path / "out"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    assert not (out / "zh" / "notes" / "eleventy-note").exists()
    assert cli("build", "--content", minimal_site, "--out", out, "--drafts").code == 0
    page = soup(out / "zh" / "notes" / "eleventy-note" / "index.html")
    assert page.h1.get_text() == "按 Eleventy 格式写的笔记"
    assert page.select_one("a.original-link")["href"] == "https://www.youtube.com/watch?v=zJCSMX14lj0"
    assert "Best Partners TV" in page.select_one(".byline").get_text()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
def test_the_seed_001_note_loads_unchanged_and_renders_as_a_draft(minimal_site, tmp_path, cli):
    seed = next(SEEDS.glob("001_*.txt"))
    shutil.copy(seed, minimal_site / "notes" / "lecun-forty-years.md")
    out = tmp_path / "out"
    result = cli("build", "--content", minimal_site, "--out", out)
    assert result.code == 0, result.err
    assert not (out / "zh" / "notes" / "lecun-forty-years").exists()
    result = cli("build", "--content", minimal_site, "--out", out, "--drafts")
    assert result.code == 0, result.err
    page = soup(out / "zh" / "notes" / "lecun-forty-years" / "index.html")
    assert "Yann LeCun" in page.h1.get_text()
    assert len(page.select(".prose h3")) >= 3
    assert check_site(out) == []


def test_raw_html_and_script_links_in_content_do_not_run(minimal_site, tmp_path, cli):
    path = minimal_site / "notes" / "intro.en.md"
    path.write_text(path.read_text(encoding="utf-8") + '\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) '
                    '<img src=x onerror=alert(1)>\n', encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    page = soup(out / "en" / "notes" / "intro" / "index.html")
    assert page.select('script:not([type="application/ld+json"])') == []  # only inert JSON-LD
    assert page.select("[onerror]") == []
    assert not [a for a in page.select("a") if a.get("href", "").startswith("javascript")]
    assert "<script>alert(1)</script>" in page.select_one(".prose").get_text()


def test_link_markers_written_in_content_stay_harmless(minimal_site, tmp_path, cli):
    """Pages carry \x01site-path\x02 markers until Renderer._resolve_links makes them relative
    URLs. Content can hold those characters too: a lone start marker stays as written, and a
    forged marker only turns into a relative path, never markup."""
    path = minimal_site / "notes" / "intro.en.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nlone \x01start\n\nforged \x01/en/people/<b>x</b>/\x02 end\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    html = (out / "en" / "notes" / "intro" / "index.html").read_text(encoding="utf-8")
    assert "lone \x01start" in html
    assert "forged ../../people/&lt;b&gt;x&lt;/b&gt;/ end" in html
    assert "\x02" not in html and soup(out / "en" / "notes" / "intro" / "index.html").select(".prose b") == []


# Forking needs a process with no other threads (parallel.can_fork); the test session has some
# (served sites, the browser), so these tests fork in a fresh interpreter of their own.
PARALLEL_SCRIPT = """
import json, os, sys
from pathlib import Path
import lecun_site.build.core as core
from lecun_site.errors import Problems
from lecun_site.site.pages import plan_pages
from lecun_site.build.core import BuildOptions, load_site, render_pages
from lecun_site.render.page import Renderer

class Folder:  # a writer that puts pages in a folder
    in_place = False
    def __init__(self, folder):
        self.folder = folder
    def write(self, out_path, text):
        (self.folder / out_path).parent.mkdir(parents=True, exist_ok=True)
        (self.folder / out_path).write_text(text, encoding="utf-8")
    def flush(self):
        pass

content, out, templates, workers = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
graph = load_site(BuildOptions(content=content, out=out / "x"), Problems(), {})
jobs = plan_pages(graph)
serial, _ = render_pages(Renderer(graph, templates), jobs, jobs, Folder(out / "serial"), True, workers=1)
core.PARALLEL_MIN_PAGES = 1  # fork even for this small site
seen = []
forked, _ = render_pages(Renderer(graph, templates), jobs, jobs, Folder(out / "forked"), True, workers=workers,
                      progress=lambda done, total: seen.append((done, total)))
assert forked == serial, "what forked workers recorded differs from a serial render"
print(json.dumps({"jobs": len(jobs), "seen": seen}))
"""


def run_python(script: str, *args) -> str:
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_rendering_writes_the_same_bytes_as_serial(minimal_site, tmp_path, workers):
    import json

    result = json.loads(run_python(PARALLEL_SCRIPT, minimal_site, tmp_path, ROOT / "templates", workers))
    assert tree_bytes(tmp_path / "serial") == tree_bytes(tmp_path / "forked")
    assert len(tree_bytes(tmp_path / "serial")) == result["jobs"]
    seen = [tuple(step) for step in result["seen"]]
    assert seen[-1] == (result["jobs"], result["jobs"]) and len(seen) > workers  # progress came chunk by chunk


FAN_OUT_SCRIPT = """
import json, os
from lecun_site.parallel import _shares, fan_out

items = [("zh" if i % 3 else "en", i) for i in range(60)] + [(None, 60)]
results = fan_out(lambda chunk: [(item[1], item[0], os.getpid()) for item in chunk], items, threshold=1,
                  workers=2, group=lambda item: item[0])
print(json.dumps({"parent": os.getpid(), "results": results}))
"""


def test_fan_out_keeps_each_group_in_one_process_and_results_in_order():
    import json

    from lecun_site.parallel import _shares

    items = [("zh" if i % 3 else "en", i) for i in range(60)] + [(None, 60)]
    shares = _shares(items, 2, group=lambda item: item[0])
    assert sorted(i for share in shares for i in share) == list(range(61))  # every item once
    assert [{items[i][0] for i in share} - {None} for share in shares] in ([{"zh"}, {"en"}], [{"en"}, {"zh"}])
    # more workers than groups: the largest group is split, nothing is lost or repeated
    shares = _shares(items, 4, group=lambda item: item[0])
    assert len(shares) == 4 and sorted(i for share in shares for i in share) == list(range(61))

    found = json.loads(run_python(FAN_OUT_SCRIPT))
    results = found["results"]
    assert [number for number, _, _ in results] == list(range(61))  # in the order of the items
    pids = {lang: {pid for _, l, pid in results if l == lang} for lang in ("zh", "en")}
    assert len(pids["zh"]) == 1 and len(pids["en"]) == 1 and pids["zh"] != pids["en"]
    assert found["parent"] in pids["zh"] | pids["en"]  # the parent works too


SIDE_BY_SIDE_SCRIPT = """
import json, os, sys
from pathlib import Path
from lecun_site.parallel import side_by_side

folder = Path(sys.argv[1])
log = []

def main():
    log.append(("main", os.getpid()))

def aside():
    (folder / "aside.txt").write_text(str(os.getpid()))
    if not (folder / "tried").exists():  # fails in the child the first time: run again in the parent
        (folder / "tried").write_text("")
        if sys.argv[2] == "fail":
            raise OSError("disk full")

side_by_side(main, aside)
print(json.dumps({"parent": os.getpid(), "main": log, "aside": int((folder / "aside.txt").read_text())}))
"""


@pytest.mark.parametrize("child", ["ok", "fail"])
def test_side_by_side_runs_aside_in_a_child_and_again_here_if_it_failed(tmp_path, child):
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", SIDE_BY_SIDE_SCRIPT, str(tmp_path), child], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, timeout=60)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["main"] == [["main", found["parent"]]]  # main ran once, here
    if child == "ok":
        assert found["aside"] != found["parent"]  # written by the forked child
    else:
        assert found["aside"] == found["parent"]  # the child failed: written again here


def test_builds_collect_garbage_less_often_and_restore_the_thresholds(minimal_site, tmp_path, monkeypatch, cli):
    """build_site and serve's Builder raise the collector's thresholds while they run (issue 7:
    ~1 s of a 4,000-note build was the collector walking the build's objects) and put back
    whatever was set before, after a failed build too."""
    import gc

    from lecun_site.build import core, pipeline
    from lecun_site.serve import session as incremental

    seen = []
    load_content = core.load_content

    def spy(*args, **kwargs):
        seen.append(gc.get_threshold())
        return load_content(*args, **kwargs)

    monkeypatch.setattr(core, "load_content", spy)  # the one loader of `build` and serve's Builder
    before = gc.get_threshold()
    try:
        gc.set_threshold(1234, 5, 6)
        assert cli("build", "--content", minimal_site, "--out", tmp_path / "a").code == 0
        assert gc.get_threshold() == (1234, 5, 6)
        builder = incremental.Builder(pipeline.BuildOptions(content=minimal_site, out=tmp_path / "b"))
        assert builder.build().ok
        assert gc.get_threshold() == (1234, 5, 6)
        (minimal_site / "people" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
        assert cli("build", "--content", minimal_site, "--out", tmp_path / "a").code == 1
        assert gc.get_threshold() == (1234, 5, 6)
    finally:
        gc.set_threshold(*before)
    assert seen == [pipeline.BUILD_GC_THRESHOLDS] * 3


def test_a_build_reads_each_template_file_once_not_once_a_page(minimal_site, tmp_path, monkeypatch, cli):
    """Templates cannot change while a build runs, so a build does not check them against their
    files before every page (issue 7: four `stat` calls a page); serve does, and picks up an
    edited template (tests/test_incremental.py)."""
    import os

    templates = str(ROOT / "templates")
    checks = []
    getmtime = os.path.getmtime

    def spy(path):
        if str(path).startswith(templates):
            checks.append(path)
        return getmtime(path)

    monkeypatch.setattr(os.path, "getmtime", spy)
    result = cli("build", "--content", minimal_site, "--out", tmp_path / "site", "--no-search")
    assert result.code == 0
    pages = len(list((tmp_path / "site").rglob("*.html")))
    assert pages > 40
    # each template's file is read to load it, and to fingerprint it with the templates it uses
    # (signatures.py); the count grows with the templates, not with the pages
    assert 0 < len(checks) <= 4 * len(set(checks)), f"{len(checks)} template checks for {pages} pages"


TWO_SITES = """
import sys
from pathlib import Path
import lecun_site.build.core as core
from lecun_site.build.pipeline import BuildOptions, build_site

core.index_search = lambda folder, problems, **_: 0.0
for content, out in zip(sys.argv[1::2], sys.argv[2::2]):
    build_site(BuildOptions(content=Path(content), out=Path(out), search=False, cache=False))
"""


def test_two_sites_built_in_one_process_equal_two_processes(minimal_site, tmp_path):
    """Issue 19: nothing of one build stays in the process for the next (compiled markdown is
    the renderer's, the graph is the build's), so the order of builds cannot change a byte."""
    content = ROOT / "content"
    run_python(TWO_SITES, minimal_site, tmp_path / "one-a", content, tmp_path / "one-b")
    run_python(TWO_SITES, content, tmp_path / "two-b")
    run_python(TWO_SITES, minimal_site, tmp_path / "two-a")
    run_python(TWO_SITES, content, tmp_path / "three-b", minimal_site, tmp_path / "three-a")
    assert tree_bytes(tmp_path / "one-a") == tree_bytes(tmp_path / "two-a") == tree_bytes(tmp_path / "three-a")
    assert tree_bytes(tmp_path / "one-b") == tree_bytes(tmp_path / "two-b") == tree_bytes(tmp_path / "three-b")


def test_build_and_serve_publish_the_same_static_files(minimal_site, tmp_path):
    """One rule (output.static_files) for both writers: hidden files and folders (static/.git/,
    .DS_Store) and editor leftovers stay out of the site. serve used to copy static/.git/config."""
    from lecun_site.build.pipeline import BuildOptions, build_site
    from lecun_site.serve.session import Builder

    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    (static / ".git").mkdir()
    (static / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (static / ".DS_Store").write_bytes(b"\0")
    (static / "site.css~").write_text("old", encoding="utf-8")
    (static / "img").mkdir()
    (static / "img" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    build_site(BuildOptions(content=minimal_site, out=tmp_path / "built", static=static, search=False))
    Builder(BuildOptions(content=minimal_site, out=tmp_path / "served", static=static)).build()
    for out in (tmp_path / "built", tmp_path / "served"):
        published = sorted(p.relative_to(out / "static").as_posix() for p in (out / "static").rglob("*") if p.is_file())
        assert published == sorted(["img/logo.svg", *(p.name for p in (ROOT / "static").iterdir())]), out


def test_staging_writes_happen_in_a_thread_and_their_errors_reach_the_build(tmp_path):
    """StagingWriter hands pages to a thread (output.BackgroundWrites); `flush` waits for them
    and raises the first error, and `close` leaves nothing behind."""
    from lecun_site.build.output import StagingWriter

    out = tmp_path / "_site"
    writer = StagingWriter(out)
    writer.begin()
    writer.write("en/notes/a/index.html", "<p>a</p>")
    writer.write("en/notes/a/index.html/b/index.html", "under a file")  # its folder cannot be made
    writer.write("en/notes/c/index.html", "<p>c</p>")
    with pytest.raises(NotADirectoryError):
        writer.flush()
    assert (writer.folder / "en/notes/a/index.html").read_text(encoding="utf-8") == "<p>a</p>"
    writer.close()
    assert not writer.folder.exists() and not out.exists()

    writer = StagingWriter(out)
    writer.begin()
    for n in range(200):
        writer.write(f"zh/notes/n{n}/index.html", f"第 {n} 篇\n")
    writer.commit()  # flushes first: every page is in the output swapped into place
    assert sorted(p.read_text(encoding="utf-8") for p in out.glob("zh/notes/*/index.html")) == sorted(
        f"第 {n} 篇\n" for n in range(200))
