"""The build cache (cache.py): a rebuild does only what changed, gives the bytes a clean build
gives, and a damaged or foreign cache is discarded with a notice, never trusted."""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, tree_bytes

from lecun_site.build import cache as cache_module
from lecun_site.build import core
from lecun_site.build.pipeline import BuildOptions, build_site


@pytest.fixture
def no_search(monkeypatch):
    """Pagefind is slow and tested elsewhere; here a fake index stands in for it."""
    calls = []

    def fake_index(folder, problems, pages=None):
        calls.append(folder)
        (folder / "pagefind").mkdir()
        (folder / "pagefind" / "pagefind-ui.js").write_text(f"// index {len(calls)}\n", encoding="utf-8")
        return 0.0

    monkeypatch.setattr(core, "index_search", fake_index)
    return calls


def build(content: Path, out: Path, **options):
    return build_site(BuildOptions(content=content, out=out, **options))


def clean(content: Path, tmp_path: Path, name: str = "clean") -> dict:
    out = tmp_path / name / "_site"
    build(content, out, cache=False)
    return {k: v for k, v in tree_bytes(out).items() if not k.startswith("pagefind/")}


def pages(out: Path) -> dict:
    return {k: v for k, v in tree_bytes(out).items() if not k.startswith("pagefind/")}


def test_a_no_change_rebuild_renders_nothing_and_keeps_the_search_index(minimal_site, tmp_path, no_search):
    out = tmp_path / "_site"
    first = build(minimal_site, out)
    assert first.rendered == first.pages and len(no_search) == 1
    before = tree_bytes(out)
    again = build(minimal_site, out)
    assert again.rendered == 0 and again.pages == first.pages
    assert [w.format() for w in again.warnings] == [w.format() for w in first.warnings] != []  # said again
    assert len(no_search) == 1  # the index of the unchanged pages was kept, not made again
    assert tree_bytes(out) == before
    assert (tmp_path / "._site.cache" / "state.pickle").is_file()


def test_an_edit_renders_only_what_it_must_and_equals_a_clean_build(minimal_site, tmp_path, no_search):
    out = tmp_path / "_site"
    first = build(minimal_site, out)
    note = minimal_site / "notes" / "intro.en.md"
    note.write_text(note.read_text(encoding="utf-8").replace("wrote the first program", "wrote the first real program"),
                    encoding="utf-8")
    report = build(minimal_site, out)
    assert 0 < report.rendered < first.pages / 4
    assert len(no_search) == 2  # a page changed: the index is made again
    assert pages(out) == clean(minimal_site, tmp_path)


def test_a_first_build_reads_each_content_file_once(minimal_site, tmp_path, no_search, monkeypatch):
    """With nothing cached to compare with, files are not hashed before they are parsed: the
    parser hashes the bytes it reads. The second build compares, and parses only the edit."""
    from lecun_site.content import loader

    hashed, parsed = [], []
    real_digest, real_load = loader.file_digest, loader.load_file
    monkeypatch.setattr(loader, "file_digest", lambda path, *a: hashed.append(path.name) or real_digest(path, *a))
    monkeypatch.setattr(loader, "load_file", lambda folder, path, *a: parsed.append(path.name) or real_load(folder, path, *a))
    out = tmp_path / "_site"
    build(minimal_site, out)
    assert "intro.en.md" in parsed and not [name for name in hashed if name.endswith(".md")]
    note = minimal_site / "notes" / "intro.en.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    hashed.clear(), parsed.clear()
    build(minimal_site, out)
    assert parsed == ["intro.en.md"] and "intro.zh.md" in hashed


def test_an_edit_after_a_no_op_build_is_seen(minimal_site, tmp_path, no_search):
    """The up-to-date check reads every content file: an edit of any of them, or of
    site.yaml, leaves it."""
    out = tmp_path / "_site"
    build(minimal_site, out)
    assert build(minimal_site, out).rendered == 0
    person = minimal_site / "people" / "alan-turing.yaml"
    person.write_text(person.read_text(encoding="utf-8") + "\nborn: 1912\n" if "born:" not in person.read_text(
        encoding="utf-8") else person.read_text(encoding="utf-8").replace("born:", "died: 1954\nborn:"),
        encoding="utf-8")
    assert build(minimal_site, out).rendered > 0
    assert pages(out) == clean(minimal_site, tmp_path)


def test_a_template_change_renders_the_pages_that_use_it(minimal_site, tmp_path, no_search):
    templates = tmp_path / "templates"
    import shutil

    shutil.copytree(ROOT / "templates", templates)
    out = tmp_path / "_site"
    first = build(minimal_site, out, templates=templates)
    person = templates / "person.html"
    person.write_text(person.read_text(encoding="utf-8").replace("<h1", "<h1 data-edited", 1), encoding="utf-8")
    report = build(minimal_site, out, templates=templates)
    people_pages = sum(1 for k in tree_bytes(out) if k.count("/people/") and k.count("/") == 3)
    assert report.rendered == people_pages and 0 < report.rendered < first.pages
    expected = tmp_path / "clean" / "_site"
    build(minimal_site, expected, templates=templates, cache=False)
    assert pages(out) == pages(expected)


def test_an_output_file_changed_by_hand_is_rendered_again(minimal_site, tmp_path, no_search):
    out = tmp_path / "_site"
    build(minimal_site, out)
    page = out / "zh" / "index.html"
    page.write_text("<p>edited by hand</p>", encoding="utf-8")
    report = build(minimal_site, out)
    assert report.rendered == 1
    assert pages(out) == clean(minimal_site, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other-version"])
def test_a_damaged_or_foreign_cache_is_discarded_with_a_notice(minimal_site, tmp_path, no_search, damage, capsys):
    out = tmp_path / "_site"
    build(minimal_site, out)
    state = tmp_path / "._site.cache" / "state.pickle"
    if damage == "garbage":
        state.write_bytes(b"not a pickle at all")
    elif damage == "truncated":
        state.write_bytes(state.read_bytes()[:100])
    else:
        kept = pickle.loads(state.read_bytes())
        kept.stamp = "made-by-another-version"
        state.write_bytes(pickle.dumps(kept))
    # poison what a trusted cache would reuse: if it were trusted, this page would stay wrong
    (out / "zh" / "index.html").write_text("stale", encoding="utf-8")
    report = build(minimal_site, out)
    assert report.rendered == report.pages
    expected = "could not be read" if damage != "other-version" else "another version"
    assert any(expected in notice for notice in report.notices), report.notices
    assert pages(out) == clean(minimal_site, tmp_path)
    # and the cache written now is trusted by the next build
    assert build(minimal_site, out).rendered == 0


def test_a_cache_for_another_output_folder_is_not_used_for_this_one(minimal_site, tmp_path, no_search):
    out = tmp_path / "_site"
    build(minimal_site, out)
    moved = tmp_path / "moved"
    out.rename(moved)
    (tmp_path / "._site.cache").rename(tmp_path / ".moved.cache")
    # the records say "_site", this is "moved": nothing is reused, and the result is right
    (moved / "zh" / "index.html").write_text("stale", encoding="utf-8")
    assert build(minimal_site, moved).rendered > 0
    assert pages(moved) == clean(minimal_site, tmp_path)


def test_site_yaml_change_discards_parsed_files_and_renders_what_it_affects(minimal_site, tmp_path, no_search):
    out = tmp_path / "_site"
    build(minimal_site, out)
    site_yaml = minimal_site / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    assert "小而完整" in text
    site_yaml.write_text(text.replace("小而完整", "新的"), encoding="utf-8")
    report = build(minimal_site, out)
    assert report.rendered > 0
    assert pages(out) == clean(minimal_site, tmp_path)


def test_no_cache_writes_no_cache(minimal_site, tmp_path, no_search):
    out = tmp_path / "_site"
    assert build(minimal_site, out, cache=False).rendered > 0
    assert not (tmp_path / "._site.cache").exists()
    assert build(minimal_site, out, cache=False).rendered > 0  # and reads none


def test_the_cache_is_trusted_across_processes_whatever_their_hash_seed(minimal_site, tmp_path):
    """Signatures must not depend on PYTHONHASHSEED (set order in a repr would), or every run
    would render everything; checked through the CLI in two processes."""
    out = tmp_path / "_site"

    def run(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(minimal_site),
                                 "--out", str(out), "--no-search"], env=env, capture_output=True, text=True,
                                timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("1")
    summary = run("2")
    assert "(0 rendered," in summary and "unchanged)" in summary, summary


def test_markdown_compiled_once_is_reused_from_the_cache(minimal_site, tmp_path, no_search, monkeypatch):
    """After a restart (a new process: here, an emptied in-memory cache), a page rendered again
    takes its compiled bodies from the cache file instead of parsing them."""
    out = tmp_path / "_site"
    build(minimal_site, out)
    from lecun_site.render import markdown

    parsed = []
    original = markdown._compile
    monkeypatch.setattr(markdown, "_compile", lambda *a: parsed.append(a[0]) or original(*a))
    (out / "en" / "notes" / "intro" / "index.html").write_text("stale", encoding="utf-8")
    assert build(minimal_site, out).rendered == 1
    assert parsed == []
    assert pages(out) == clean(minimal_site, tmp_path)
    assert cache_module.cache_dir(out) == tmp_path / "._site.cache"


def test_a_no_change_build_leaves_the_output_folder_alone(minimal_site, tmp_path, no_search):
    out = tmp_path / "_site"
    build(minimal_site, out)
    before = (out.stat().st_ino, {p: p.stat().st_mtime_ns for p in out.rglob("*")})
    assert build(minimal_site, out).rendered == 0
    assert (out.stat().st_ino, {p: p.stat().st_mtime_ns for p in out.rglob("*")}) == before


@pytest.mark.parametrize("tamper", ["stray file", "static edited", "static deleted", "search index removed"])
def test_an_output_changed_by_hand_is_made_right_again(minimal_site, tmp_path, no_search, tamper):
    out = tmp_path / "_site"
    build(minimal_site, out)
    if tamper == "stray file":
        (out / "zh" / "notes" / "leftover.html").write_text("old", encoding="utf-8")
    elif tamper == "static edited":
        (out / "static" / "site.css").write_text("body{}", encoding="utf-8")
    elif tamper == "static deleted":
        (out / "static" / "site.css").unlink()
    else:
        import shutil

        shutil.rmtree(out / "pagefind")
    report = build(minimal_site, out)
    assert report.rendered == 0  # every page is still current: they are linked, not rendered
    expected = tmp_path / "clean" / "_site"
    build(minimal_site, expected, cache=False)
    assert pages(out) == pages(expected)
    assert (out / "pagefind" / "pagefind-ui.js").is_file()


def test_serve_restarted_on_its_output_renders_only_what_changed_meanwhile(minimal_site, tmp_path):
    """`serve` keeps the build cache too: a restart links the pages the last run left, and an
    edit made while it was stopped is rendered; the result equals a clean build."""
    from lecun_site.serve.session import Builder

    out = tmp_path / "_site"
    options = BuildOptions(content=minimal_site, out=out, drafts=True, base_url="/")
    first = Builder(options).build()
    assert first.ok and len(first.rendered) == first.pages
    assert len(Builder(options).build().rendered) == 0  # a restart with nothing changed
    note = minimal_site / "notes" / "intro.en.md"
    note.write_text(note.read_text(encoding="utf-8").replace("wrote the first program", "wrote a program"),
                    encoding="utf-8")
    restarted = Builder(options)
    report = restarted.build()
    assert report.ok and 0 < len(report.rendered) < first.pages / 4
    expected = tmp_path / "clean" / "_site"
    build_site(BuildOptions(content=minimal_site, out=expected, drafts=True, base_url="/", search=False, cache=False))
    assert pages(out) == pages(expected)
    # and it goes on as serve does: the next save through the watcher's batch is rendered too
    from lecun_site.serve.watch import ChangeKind

    note.write_text(note.read_text(encoding="utf-8").replace("wrote a program", "wrote one program"),
                    encoding="utf-8")
    assert restarted.build({note: ChangeKind.CONTENT}).rendered
    build_site(BuildOptions(content=minimal_site, out=expected, drafts=True, base_url="/", search=False, cache=False))
    assert pages(out) == pages(expected)


def test_traces_made_anew_keep_the_fragments_that_pages_rendered_now_reused():
    """serve reuses a fragment of the last build on a page it renders again; when the Traces are
    made anew (compacted), that fragment must come along, or the next build that keeps the page
    fails to find it (a KeyError that test_core_equivalence met once pages read more)."""
    from lecun_site.build.core import Traces

    old = Traces(out="/x")
    old._ids, old._groups = {}, {}
    nav = ("_site_nav", "zh", ("topics",))
    old._add([("zh/topics/index.html", "frame", {(("g",), ("a", "topics")): "fp"}, (nav,))],
             {nav: ({(("s", "zh"), ("i", "nav_home")): "首页"}, ())})
    # the page is rendered again and shows the fragment as the renderer kept it: not rendered now
    new = Traces.made_from("/x", [("zh/topics/index.html", "frame", {(("g",), ("a", "topics")): "fp2"}, (nav,))],
                           {}, [], old)
    assert nav in new.fragments
    assert new._reads(new.fragments[nav].reads) == {(("s", "zh"), ("i", "nav_home")): "首页"}
    # and a later build that keeps the page finds it
    again = Traces.made_from("/x", [], {}, ["zh/topics/index.html"], new)
    assert nav in again.fragments
