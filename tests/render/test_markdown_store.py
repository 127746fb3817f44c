"""The build cache's store of compiled markdown bodies (cache.CompiledStore) and markdown.py's
bounded memory of them: every process's bodies are kept for the next build, without any
process holding all of them, and damage costs time, never a wrong page."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, tree_bytes

from lecun_site.build import core
from lecun_site.build.cache import CompiledStore
from lecun_site.build.pipeline import BuildOptions, build_site
from lecun_site.render import markdown


@pytest.fixture(autouse=True)
def no_search(monkeypatch):
    monkeypatch.setattr(core, "index_search", lambda folder, problems, **_: 0.0)


def build(content: Path, out: Path, **options):
    return build_site(BuildOptions(content=content, out=out, search=False, **options))


def counting_compiles(monkeypatch) -> list[str]:
    compiled: list[str] = []
    original = markdown._compile
    monkeypatch.setattr(markdown, "_compile", lambda *a: compiled.append(a[0]) or original(*a))
    return compiled


# Two processes as a user runs them: a cold build whose pages render in two forked workers,
# then, after the output folder is deleted, a build in a new process that must render every
# page again but compile no markdown body: whichever process compiled a body, it was kept.
FORKED_BUILD = """
import json, sys
from pathlib import Path
import lecun_site.build.core as core
from lecun_site.render import markdown
from lecun_site.build.pipeline import BuildOptions, build_site

content, out, fork = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "fork"
core.index_search = lambda folder, problems, **_: 0.0
if fork:
    core.PARALLEL_MIN_PAGES = 1  # fork even for this small site
    import lecun_site.parallel as parallel
    parallel.worker_count = lambda: 2
compiled = []
original = markdown._compile
markdown._compile = lambda *a: compiled.append(a[0]) or original(*a)
report = build_site(BuildOptions(content=content, out=out, search=False))
print(json.dumps({"rendered": report.rendered, "pages": report.pages, "compiled_here": len(compiled)}))
"""


def run_build(content: Path, out: Path, fork: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", FORKED_BUILD, str(content), str(out), "fork" if fork else "serial"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_bodies_compiled_in_forked_workers_are_kept_for_the_next_build(minimal_site, tmp_path):
    out = tmp_path / "_site"
    first = run_build(minimal_site, out, fork=True)
    assert first["rendered"] == first["pages"]
    cache = tmp_path / "._site.cache"
    assert (cache / "markdown.store").is_file()
    assert not list(cache.glob("markdown.new-*"))  # each process's file of new bodies was merged
    built = tree_bytes(out)
    shutil.rmtree(out)
    again = run_build(minimal_site, out, fork=False)
    assert again["rendered"] == again["pages"] and again["compiled_here"] == 0
    assert tree_bytes(out) == built


def test_the_memory_of_bodies_is_bounded_and_the_store_gives_back_what_it_forgot(tmp_path, monkeypatch):
    monkeypatch.setattr(markdown, "MEMO_SIZE", 3)
    texts = [f"# Part {n}\n\nSee [the intro](@/notes/intro) and *item {n}*.\n" for n in range(10)]
    expected = [markdown._compile(text, False, False) for text in texts]
    store = CompiledStore(tmp_path / "cache", "stamp-1", [])
    compiler = markdown.Compiler(store)
    compiled = counting_compiles(monkeypatch)
    assert [compiler.compile(text) for text in texts] == expected
    assert len(compiler.memo) == 3 and len(compiled) == 10
    assert [compiler.compile(text) for text in texts] == expected  # the forgotten ones: from the store
    assert len(compiled) == 10
    store.save(None)
    store.close()
    assert not list((tmp_path / "cache").glob("markdown.new-*"))
    # a new process (a new store on the same folder, an empty memory) compiles none of them
    compiler = markdown.Compiler(CompiledStore(tmp_path / "cache", "stamp-1", []))
    assert [compiler.compile(text) for text in reversed(texts)] == expected[::-1]
    assert len(compiled) == 10
    # one made by another version of lecun-site is not used
    markdown.Compiler(CompiledStore(tmp_path / "cache", "stamp-2", [])).compile(texts[0])
    assert len(compiled) == 11


def test_bodies_compiled_ahead_are_compiled_once_and_count_as_used_only_when_a_page_asks(monkeypatch):
    monkeypatch.setattr(markdown, "MEMO_SIZE", 2)
    texts = [f"Body {n}: see [the intro](@/notes/intro) and *item {n}*.\n" for n in range(5)]
    compiler = markdown.Compiler()
    compiled = counting_compiles(monkeypatch)
    compiler.prepare(texts + texts[:2])  # more than the memory holds, and twice the first two
    assert compiled == texts and compiler.used == set()
    assert [compiler.compile(text) for text in texts] == [markdown._compile(t, False, False) for t in texts]
    assert len(compiled) == 10  # five ahead, five above for the comparison: none again by compile
    assert len(compiler.used) == 5 and compiler.ready == {}
    # options are part of what was compiled: the same text with raw HTML allowed is compiled anew
    compiler.prepare(["<b>x</b>\n"], allow_raw_html=True)
    compiler.compile("<b>x</b>\n")
    assert compiled[-2:] == ["<b>x</b>\n", "<b>x</b>\n"]


def test_a_body_that_fails_ahead_fails_in_its_page(minimal_site, tmp_path, monkeypatch):
    original = markdown._compile
    calls = []

    def failing(text, *options):
        calls.append(text)
        if "Turing later asked" in text:
            raise ValueError("this body cannot be compiled")
        return original(text, *options)

    monkeypatch.setattr(markdown, "_compile", failing)
    with pytest.raises(Exception) as raised:
        build(minimal_site, tmp_path / "out", cache=False)
    assert "this body cannot be compiled" in str(raised.value) or "this body cannot be compiled" in str(
        raised.value.__cause__)
    assert len([t for t in calls if "Turing later asked" in t]) >= 2  # once ahead (skipped), once by its page


def test_the_bodies_of_notes_and_transcripts_are_compiled_ahead(minimal_site, tmp_path, monkeypatch):
    ahead, late, preparing = [], [], []
    original_fetch, original_prepare = markdown.Compiler._fetch, markdown.Compiler.prepare

    def fetch(self, key, text, *options):
        (ahead if preparing else late).append(text)
        return original_fetch(self, key, text, *options)

    def prepare(self, *args):
        preparing.append(True)
        try:
            original_prepare(self, *args)
        finally:
            preparing.pop()

    monkeypatch.setattr(markdown.Compiler, "_fetch", fetch)
    monkeypatch.setattr(markdown.Compiler, "prepare", prepare)
    graph = build(minimal_site, tmp_path / "out", cache=False).graph
    versions = [v for table in (graph.notes, graph.transcripts) for group in table.values()
                for v in group.versions.values()]
    texts = {v.body for v in versions if hasattr(v, "body")} | {
        t.text for v in versions for t in getattr(v, "turns", ())}
    assert texts <= set(ahead)
    assert not texts & set(late)  # no page compiled them again
    assert late  # other text (a person's bio, a topic's summary) is compiled when a page asks


def test_a_body_cut_short_by_a_killed_worker_is_compiled_again_and_the_rest_kept(tmp_path):
    store = CompiledStore(tmp_path, "stamp", [])
    texts = [f"body {n} with **bold**\n" for n in range(3)]
    compiler = markdown.Compiler(store)
    for text in texts:
        compiler.compile(text)
    [spill] = tmp_path.glob("markdown.new-*")
    spill.write_bytes(spill.read_bytes()[:-5])  # the last record was being written
    store.save(None)
    assert len(CompiledStore(tmp_path, "stamp", []).entries) == 2


def test_files_of_new_bodies_go_with_their_build_but_not_while_it_runs(minimal_site, tmp_path):
    out = tmp_path / "_site"
    build(minimal_site, out)
    cache = tmp_path / "._site.cache"
    dead = cache / "markdown.new-4242.0badc0de-4242"  # a killed build's: nobody holds its lock
    dead.write_bytes(b"\x05\x00\x00\x00junk!")
    running = cache / "markdown.new-4343.cafe-4343"  # one of a build still running elsewhere
    running.write_bytes(b"")
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys, time; "
                               f"fd = os.open({str(running)!r}, os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); "
                               "print('locked', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        (out / "en" / "index.html").write_text("stale", encoding="utf-8")
        build(minimal_site, out)
        assert not dead.exists() and running.exists()
    finally:
        holder.kill()
        holder.wait()
    (out / "en" / "index.html").write_text("stale", encoding="utf-8")
    build(minimal_site, out)
    assert not list(cache.glob("markdown.new-*"))


def test_a_failed_build_leaves_no_file_of_new_bodies(minimal_site, tmp_path, monkeypatch):
    out = tmp_path / "_site"

    def fail(folder, problems, pages=None):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(core, "index_search", fail)  # after every page was rendered
    with pytest.raises(RuntimeError):
        build_site(BuildOptions(content=minimal_site, out=out))
    cache = tmp_path / "._site.cache"
    assert cache.is_dir() and not list(cache.glob("markdown.new-*"))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "body"])
def test_a_damaged_store_costs_time_never_a_wrong_page(minimal_site, tmp_path, damage, monkeypatch):
    out = tmp_path / "_site"
    build(minimal_site, out)
    clean = tree_bytes(out)
    store = tmp_path / "._site.cache" / "markdown.store"
    data = store.read_bytes()
    if damage == "truncated":
        store.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        store.write_bytes(b"not a store at all")
    else:  # the index is fine, the bodies are not
        store.write_bytes(b"\xff" * 64 + data[64:])
    for page in out.rglob("*.html"):
        page.write_text("stale", encoding="utf-8")  # every page must be rendered, from bodies it must trust
    report = build(minimal_site, out)
    assert tree_bytes(out) == clean
    assert any("markdown.store" in notice for notice in report.notices), report.notices
    for page in out.rglob("*.html"):
        page.write_text("stale", encoding="utf-8")
    compiled = counting_compiles(monkeypatch)
    report = build(minimal_site, out)  # the store written by that build is whole again
    assert tree_bytes(out) == clean and compiled == [] and not report.notices
