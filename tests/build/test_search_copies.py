"""Pagefind reads copies of the pages cut down to what it indexes (build/search.py: index_copy,
PageCopies), and makes the index it makes of the pages themselves, byte for byte."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import ROOT, tree_bytes

from benchmarks import gen_corpus
from lecun_site.build import core, locks, search
from lecun_site.build.pipeline import BuildOptions, build_site
from lecun_site.errors import Problems

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>A note · Site</title>
<script type="application/ld+json">{"headline": "</main> in a string"}</script>
</head>
<body>
<header><a href="/">Site</a><nav>Notes</nav></header>
<main id="main" class="wrap" data-pagefind-body>
<article><h1 data-pagefind-meta="title">A note</h1><div><p>Text <img src="a.png" alt="a"></p></div></article>
</main>
<footer>Built with lecun-site.</footer>
</body>
</html>
"""


def test_a_copy_keeps_the_language_the_title_and_the_body_element_only():
    copy = search.index_copy(PAGE)
    main = PAGE[PAGE.index('<main id="main"'):PAGE.rindex("</main>") + len("</main>")]
    assert copy == ('<!DOCTYPE html>\n<html lang="en"><head><title>A note · Site</title></head><body>'
                    + main + "</body></html>")


@pytest.mark.parametrize("change", [
    ("<head>", '<head><meta property="og:image" content="x.png" data-pagefind-meta="image[content]">'),
    ("<footer>", '<footer data-pagefind-filter="kind:note">'),
    ("<header>", "<header><h1>Site</h1>"),  # Pagefind's default title is the page's first <h1>
    ("<header>", '<header><img src="logo.png" alt="">'),  # and its default image the first <img>
    ("<footer>", "<footer><div data-pagefind-body>more</div>"),  # two body elements
    (" data-pagefind-body", ""),  # none: Pagefind reads the whole page, or none of it
    ("</main>", ""),  # no end in sight
    ('<html lang="en">', ""),
], ids=["meta-in-head", "filter-outside", "h1-outside", "img-outside", "two-bodies", "no-body", "unclosed",
        "no-html-tag"])
def test_a_page_is_copied_whole_where_pagefind_could_read_more_of_it(change):
    page = PAGE.replace(*change)
    assert page != PAGE
    assert search.index_copy(page) == page


def test_the_body_element_ends_where_its_own_end_tag_is():
    page = PAGE.replace('<main id="main" class="wrap" data-pagefind-body>', '<div class="x" data-pagefind-body>')
    page = page.replace("</main>", "</div>")
    copy = search.index_copy(page)
    assert copy.endswith("<div><p>Text <img src=\"a.png\" alt=\"a\"></p></div></article>\n</div></body></html>")
    assert "<footer>" not in copy and "<header>" not in copy


def corpus(tmp_path: Path) -> Path:
    # 150 notes: more pages than core.PARALLEL_MIN_PAGES, so copies are written by forked workers
    return gen_corpus.generate(150, tmp_path / "corpus", seed=5)


@pytest.mark.parametrize("content", [lambda tmp: ROOT / "content", corpus], ids=["content", "corpus"])
def test_the_index_of_the_copies_is_the_index_of_the_pages(tmp_path, monkeypatch, content):
    """A cold build with search indexes the copies; Pagefind over the built pages themselves,
    laid out the same way (PageCopies), must write the same files, byte for byte."""
    seen = {}
    real = core.index_search

    def spy(folder, problems, stop=None, pages=None):
        assert pages is not None, "a build that renders every page gives Pagefind the copies"
        seen["folder"] = pages
        seen["copies"] = {p.relative_to(pages).as_posix(): p.stat().st_size for p in pages.rglob("*.html")}
        return real(folder, problems, stop, pages)

    monkeypatch.setattr(core, "index_search", spy)
    out = tmp_path / "_site"
    build_site(BuildOptions(content=content(tmp_path), out=out, cache=False))
    pages = {p.relative_to(out).as_posix(): p for p in out.rglob("*.html") if "pagefind" not in p.parts}
    assert sorted(seen["copies"]) == sorted(pages)  # every page has its copy
    assert sum(seen["copies"].values()) < 0.8 * sum(p.stat().st_size for p in pages.values())
    assert not seen["folder"].exists()  # removed with the build

    reference = tmp_path / "reference"
    reference.mkdir()
    laid_out = search.PageCopies(tmp_path, sorted(pages))  # where the build's copies were, laid out alike
    try:
        for rel in sorted(pages):
            shutil.copyfile(pages[rel], laid_out.folder / rel)
        problems = Problems()
        search.index_search(reference, problems, pages=laid_out.folder)
        assert problems.items == []
    finally:
        laid_out.close()
    assert tree_bytes(out / "pagefind") == tree_bytes(reference / "pagefind")
    assert len(tree_bytes(out / "pagefind")) > 10


def test_copies_a_killed_build_left_are_removed_and_those_in_use_are_not(tmp_path, monkeypatch):
    monkeypatch.setattr(search.PageCopies, "MEMORY", tmp_path)
    abandoned = tmp_path / f"{search.PageCopies.PREFIX}old"
    (abandoned / "en").mkdir(parents=True)
    running = tmp_path / f"{search.PageCopies.PREFIX}running"
    running.mkdir()
    just_made = tmp_path / f"{search.PageCopies.PREFIX}new"  # not locked yet: its build locks it next
    just_made.mkdir()
    for folder in (abandoned, running):
        os.utime(folder, (time.time() - 120, time.time() - 120))
    handle = locks.hold(running)
    try:
        copies = search.PageCopies(tmp_path / "staging", ["en/notes/a/index.html", "feed.xml"])
        assert copies.folder.parent == tmp_path
        assert (copies.folder / "en" / "notes" / "a").is_dir() and not (copies.folder / "feed.xml").exists()
        assert not abandoned.exists() and running.is_dir() and just_made.is_dir()
        copies.close()
        assert not copies.folder.exists()
    finally:
        os.close(handle)


def test_a_build_that_fails_while_rendering_leaves_no_copies(minimal_site, tmp_path, monkeypatch, cli):
    monkeypatch.setattr(search.PageCopies, "MEMORY", tmp_path / "memory")
    (tmp_path / "memory").mkdir()
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "note.html").write_text("{{ page.nothing_here() }}", encoding="utf-8")
    result = cli("build", "--content", minimal_site, "--out", tmp_path / "_site", "--templates", templates)
    assert result.code == 1
    assert list((tmp_path / "memory").iterdir()) == []
    assert result.code == 1 and not (tmp_path / "_site").exists()


def test_without_a_memory_folder_the_copies_go_in_the_staging_folder_and_not_into_the_site(minimal_site, tmp_path,
                                                                                          monkeypatch):
    monkeypatch.setattr(search.PageCopies, "MEMORY", tmp_path / "no-such-folder")
    made = []
    real = search.PageCopies.__init__

    def spy(self, staging, out_paths):
        real(self, staging, out_paths)
        made.append((staging, self.folder))

    monkeypatch.setattr(search.PageCopies, "__init__", spy)
    out = tmp_path / "_site"
    build_site(BuildOptions(content=minimal_site, out=out, cache=False))
    [(staging, folder)] = made
    assert folder.parent == staging and staging.name.startswith("._site.building-")
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    assert not any(p.name.startswith(search.PageCopies.PREFIX) for p in out.rglob("*"))


def spy_on_index(monkeypatch) -> list:
    """What each index_search of a build was given to read: None, or the HTML files of its copies."""
    seen: list = []
    real = core.index_search

    def spy(folder, problems, stop=None, pages=None):
        seen.append(None if pages is None else sorted(p.relative_to(pages).as_posix() for p in pages.rglob("*.html")))
        return real(folder, problems, stop, pages)

    monkeypatch.setattr(core, "index_search", spy)
    return seen


def test_a_copy_that_cannot_be_written_makes_the_build_index_its_pages(minimal_site, tmp_path, monkeypatch):
    """/dev/shm full (a container's is 64 MB): the copy is left out, and Pagefind reads the pages."""
    seen = spy_on_index(monkeypatch)
    real = search.index_copy

    def full(html):
        if "hugo-style" in html:
            raise OSError(28, "No space left on device")
        return real(html)

    monkeypatch.setattr(search, "index_copy", full)
    out = tmp_path / "_site"
    build_site(BuildOptions(content=minimal_site, out=out, cache=False))
    assert seen == [None]
    assert (out / "pagefind" / "pagefind-entry.json").is_file()
    assert (out / "en" / "notes" / "hugo-style" / "index.html").is_file()


def test_without_room_in_memory_the_copies_go_in_the_staging_folder(minimal_site, tmp_path, monkeypatch):
    monkeypatch.setattr(search.PageCopies, "MEMORY", tmp_path)
    monkeypatch.setattr(search.PageCopies, "MEMORY_PER_PAGE", 10 ** 15)
    seen = spy_on_index(monkeypatch)
    build_site(BuildOptions(content=minimal_site, out=tmp_path / "_site", cache=False))
    assert seen and seen[0] is not None
    assert not any(p.name.startswith(search.PageCopies.PREFIX) for p in tmp_path.iterdir())


def test_static_html_files_are_given_to_pagefind_too(minimal_site, tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "about-this-site.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>About</title></head><body><header>x</header>'
        "<main data-pagefind-body><h1>About</h1><p>zzqx</p></main></body></html>", encoding="utf-8")
    seen = spy_on_index(monkeypatch)
    out = tmp_path / "_site"
    build_site(BuildOptions(content=minimal_site, out=out, static=static, cache=False))
    [copied] = seen
    static_html = [p.relative_to(out).as_posix() for p in out.rglob("about-this-site.html")]
    assert static_html and set(static_html) <= set(copied)
