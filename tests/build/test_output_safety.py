"""The output folder: what the build refuses to replace, and that a good site is never lost.

The last test kills real build processes (SIGKILL, the whole process group) at random
moments and checks after each kill that the output is one complete site, old or new.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, tree_bytes

from lecun_site.build import output
from lecun_site.build.output import (
    PROJECT_ROOT,
    check_output_dir,
    recover_interrupted,
    swap_into_place,
)
from lecun_site.errors import OutputError


def leftovers(out: Path) -> list[str]:
    """Staging and set-aside folders of `out` still lying beside it (its build cache is meant to stay)."""
    return sorted(p.name for p in out.parent.iterdir()
                  if (p.name.startswith(f".{out.name}.") and p.name != f".{out.name}.cache")
                  or p.name.startswith(".pagefind-"))  # search.py's work folders, if they were left here


def dead_pid() -> int:
    """The id of a process that has finished (as a killed build's would be)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def make_site(folder: Path, marker: str) -> Path:
    """A tiny stand-in for a built site: a few files that all carry `marker`."""
    for rel in ("index.html", ".nojekyll", "zh/index.html", "en/notes/a/index.html"):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(marker, encoding="utf-8")
    return folder


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("where", ["content", "project", "root", "home", "cwd", "parent-of-content",
                                   "parent-of-cwd", "inside-content"])
def test_output_folders_that_would_destroy_something_are_refused(where, minimal_site, tmp_path, monkeypatch, cli):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    out = {
        "content": minimal_site, "project": PROJECT_ROOT, "root": Path("/"), "home": Path.home(), "cwd": Path("."),
        "parent-of-content": minimal_site.parent, "parent-of-cwd": work.parent,
        "inside-content": minimal_site / "notes" / "out",
    }[where]
    before = tree_bytes(minimal_site)
    result = cli("build", "--content", minimal_site, "--out", out)
    assert result.code == 1
    assert result.err.startswith(f"error: refusing to write the site to {out}: it ")
    assert "Traceback" not in result.err
    assert tree_bytes(minimal_site) == before
    assert not (minimal_site / "notes" / "out").exists()


def test_a_folder_of_other_files_is_not_replaced(minimal_site, tmp_path, cli):
    docs = tmp_path / "docs"
    (docs / "guide").mkdir(parents=True)
    (docs / "guide" / "intro.md").write_text("my notes", encoding="utf-8")
    result = cli("build", "--content", minimal_site, "--out", docs)
    assert result.code == 1
    assert f"refusing to replace {docs}: it holds files but no site built before" in result.err
    assert (docs / "guide" / "intro.md").read_text(encoding="utf-8") == "my notes"
    # an empty folder, or one holding an earlier build, is fine
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("build", "--content", minimal_site, "--out", empty).code == 0
    assert cli("build", "--content", minimal_site, "--out", empty).code == 0


def test_an_output_that_is_a_file_or_a_link_is_refused(minimal_site, tmp_path, cli):
    a_file = tmp_path / "site.txt"
    a_file.write_text("keep me", encoding="utf-8")
    result = cli("build", "--content", minimal_site, "--out", a_file)
    assert result.code == 1 and "it exists and is not a folder" in result.err
    assert a_file.read_text(encoding="utf-8") == "keep me"

    real = make_site(tmp_path / "real", "old")
    link = tmp_path / "linked"
    link.symlink_to(real)
    result = cli("build", "--content", minimal_site, "--out", link)
    assert result.code == 1 and "it is a link; pass the folder it points to" in result.err
    assert link.is_symlink() and (real / "index.html").read_text(encoding="utf-8") == "old"


def test_an_unwritable_parent_is_an_error_not_a_traceback(minimal_site, tmp_path, monkeypatch, cli):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere: make the check see what a user would
        monkeypatch.setattr(output.os, "access", lambda path, mode: Path(path) != locked)
    try:
        result = cli("build", "--content", minimal_site, "--out", locked / "site")
    finally:
        locked.chmod(0o755)
    assert result.code == 1 and f"{locked} is not writable" in result.err and "Traceback" not in result.err


def test_a_build_writes_only_inside_its_output_folder(minimal_site, tmp_path, cli):
    """Hostile ids, slugs and links included, nothing is written beside or above `_site/` but its
    build cache, `._site.cache/`."""
    for name in ("ids-slugs-and-paths", "real-world-messy-notes"):
        for path in (ROOT / "tests" / "sites" / "hostile" / name).rglob("*.md"):
            if "fr" not in path.name and "Caf" not in path.name and "slugged" not in path.name:
                shutil.copyfile(path, minimal_site / "notes" / path.name)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    out = tmp_path / "_site"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    cache = tmp_path / "._site.cache"
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")
             if not {out, cache} & {p, *p.parents}}
    assert after == before
    assert cache.is_dir() and all(p.is_relative_to(cache) for p in tmp_path.rglob("*")
                                  if p not in before and not p.is_relative_to(out) and p != out)


def test_check_output_dir_accepts_a_new_folder_beside_the_content(minimal_site, tmp_path):
    check_output_dir(tmp_path / "_site", minimal_site)
    with pytest.raises(OutputError, match="it is the content folder"):
        check_output_dir(minimal_site, minimal_site)


# ---------------------------------------------------------------- the swap


def test_a_failed_render_leaves_the_old_site_and_no_temporary_folders(minimal_site, tmp_path, cli):
    out = tmp_path / "_site"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    before = tree_bytes(out)
    broken = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", broken)
    (broken / "person.html").write_text("{% extends 'base.html' %}{% block main %}{{ page.nope() }}{% endblock %}",
                                        encoding="utf-8")
    result = cli("build", "--content", minimal_site, "--out", out, "--templates", broken)
    assert result.code == 1 and "Traceback" not in result.err
    assert tree_bytes(out) == before
    assert leftovers(out) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_swap_replaces_the_site_whole_and_leaves_nothing_beside_it(exchange, tmp_path, monkeypatch):
    if not exchange:
        monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    elif output._renameat2() is None:
        pytest.skip("renameat2 is Linux-only")
    out = make_site(tmp_path / "_site", "old")
    staging = make_site(tmp_path / "._site.building-1", "new")
    (staging / "only-new.html").write_text("new", encoding="utf-8")
    swap_into_place(staging, out)
    assert set(tree_bytes(out).values()) == {b"new"} and (out / "only-new.html").exists()
    assert out.is_dir() and not out.is_symlink()
    assert leftovers(out) == []


def test_swap_into_a_missing_output_folder(tmp_path):
    staging = make_site(tmp_path / "._site.building-1", "new")
    swap_into_place(staging, tmp_path / "_site")
    assert (tmp_path / "_site" / "index.html").read_text(encoding="utf-8") == "new"


def test_renameat2_exchanges_two_folders_in_one_step(tmp_path):
    if output._renameat2() is None:
        pytest.skip("renameat2 is Linux-only")
    a, b = make_site(tmp_path / "a", "A"), make_site(tmp_path / "b", "B")
    assert output._exchange(a, b) is True
    assert (a / "index.html").read_text(encoding="utf-8") == "B"
    assert (b / "index.html").read_text(encoding="utf-8") == "A"


def test_a_build_killed_between_the_two_renames_gets_its_old_site_back(tmp_path):
    # what the two-rename swap leaves when killed after its first rename
    out = tmp_path / "_site"
    pid = dead_pid()
    make_site(tmp_path / f"._site.old-{pid}", "old")
    make_site(tmp_path / f"._site.building-{pid}", "new, maybe incomplete")
    recover_interrupted(out)
    assert set(tree_bytes(out).values()) == {b"old"}
    assert leftovers(out) == []


def test_recovery_deletes_what_dead_builds_left_and_keeps_a_running_builds_folder(tmp_path):
    out = make_site(tmp_path / "_site", "current")
    pid = dead_pid()
    make_site(tmp_path / f"._site.old-{pid}", "older")
    make_site(tmp_path / f"._site.building-{pid}", "partial")
    # a build running elsewhere holds the lock on its staging folder (locks.hold)
    staging = make_site(tmp_path / "._site.building-7", "in progress")
    running = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys, time; "
                                f"fd = os.open({str(staging)!r}, os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); "
                                "print('locked', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert running.stdout.readline().strip() == "locked"
        # a folder whose process id is alive (pid 1 always is) but that nobody holds: a dead
        # build's, its id since reused (ids wrap at 32,768 here)
        make_site(tmp_path / "._site.building-1", "left by a build whose id was reused")
        (tmp_path / "._site.notes").write_text("not a build folder", encoding="utf-8")
        recover_interrupted(out)
        assert set(tree_bytes(out).values()) == {b"current"}
        assert leftovers(out) == ["._site.building-7", "._site.notes"]
    finally:
        running.kill()
        running.wait()
    recover_interrupted(out)  # its builder has died: now it goes
    assert leftovers(out) == ["._site.notes"]


def test_a_build_with_nothing_to_do_still_cleans_up_after_killed_builds(minimal_site, tmp_path, cli):
    """The up-to-date check ends a no-change build early; what killed builds left beside the
    output goes anyway (CI caught this: twelve kills all before the swap, then a rebuild of
    the site already there)."""
    out = tmp_path / "_site"
    assert cli("build", "--content", minimal_site, "--out", out, "--no-search").code == 0
    make_site(tmp_path / f"._site.building-{dead_pid()}", "partial")
    (tmp_path / "._site.building-1").mkdir()  # pid 1 is alive, but no build holds the folder
    result = cli("build", "--content", minimal_site, "--out", out, "--no-search")
    assert result.code == 0 and "0 rendered" in result.out  # the no-change path
    assert leftovers(out) == []


# ---------------------------------------------------------------- SIGKILL, for real


def write_big_site(root: Path, title: str, notes: int) -> Path:
    """A generated content folder large enough that a build takes a while."""
    files = {
        "site.yaml": f"title: {{zh: {title}, en: {title}}}\nbase_url: https://example.org/\n",
        "sources/src-one.yaml": "kind: article\ntitle: {zh: 来源, en: Source}\n",
        "people/person-one.yaml": "name: {zh: 甲, en: Person One}\n",
        "topics/topic-one.yaml": "name: {zh: 主题, en: Topic One}\n",
        "timeline/events.yaml": "".join(
            f"- id: event-{i}\n  date: {1900 + i}\n  title: {{zh: 事件{i}, en: Event {i}}}\n"
            f"  people: [person-one]\n  topics: [topic-one]\n  sources: [src-one]\n" for i in range(notes)),
    }
    for i in range(notes):
        for lang in ("zh", "en"):
            files[f"notes/note-{i}.{lang}.md"] = (
                f"---\ntitle: Note {i} {lang}\ndate: 2020-01-{i % 28 + 1:02d}\npeople: [person-one]\n"
                f"topics: [topic-one]\nsources: [src-one]\nevents: [event-{i}]\n---\n"
                + f"## Part\n\nText of note {i}[@src-one].\n\n" * 20)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def start_build(content: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--quiet", "--content", str(content),
                             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def finish(process: subprocess.Popen) -> None:
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()


def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_site_whole(tmp_path):
    """Build site A, then build B over it and SIGKILL the build (and anything it started) at a
    random moment; the output must then be exactly A or exactly B, never a mix and never
    missing. Each round builds whichever site is not there, so kills land in both directions."""
    contents = {"A": write_big_site(tmp_path / "a", "Site A", 40), "B": write_big_site(tmp_path / "b", "Site B", 40)}
    sites = {}
    for name, content in contents.items():
        started = time.perf_counter()
        finish(start_build(content, tmp_path / f"ref-{name}"))
        sites[name] = tree_bytes(tmp_path / f"ref-{name}")
        duration = time.perf_counter() - started
    assert sites["A"] != sites["B"]
    out = tmp_path / "_site"
    finish(start_build(contents["A"], out))
    current = "A"
    rng = random.Random(6)
    outcomes = []
    for _ in range(12):
        other = "B" if current == "A" else "A"
        process = start_build(contents[other], out)
        time.sleep(rng.uniform(0.1, 1.1) * duration)  # mostly mid-build, sometimes after it ended
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert out.is_dir() and not out.is_symlink()
        found = tree_bytes(out)
        matches = [name for name, tree in sites.items() if tree == found]
        assert matches, "the output is neither the old nor the new site"
        current = matches[0]
        outcomes.append("swapped" if current == other else "kept")
    print("outcomes of the kills:", outcomes)
    assert "kept" in outcomes  # some kills landed before the swap
    # the next build cleans up whatever the killed ones left beside the output
    finish(start_build(contents["A"], out))
    assert tree_bytes(out) == sites["A"]
    assert leftovers(out) == []
