"""A large cold `build` returns once its site is in place and leaves recording what its pages read
to a background signer (build/signer.py). Driven through the CLI on a benchmark corpus of
more than SIGN_LATER_FROM pages: the next build waits for the signer, renders only what
changed, and gives the bytes `--no-cache` gives; a signer that fails, is killed, or loses
its cache folder costs a full render, never a wrong page."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import gen_corpus
from lecun_site.build import core, locks
from lecun_site.build.cache import SIGN_LOCK, SIGN_LOG, BuildCache, cache_dir, wait_for_signer
from lecun_site.build.core import BuildOptions
from lecun_site.build.pipeline import build_site
from lecun_site.build.signer import SIGN_LATER_FROM
from tests.conftest import Result, tree_bytes

pytestmark = pytest.mark.slow

NOTES = 150  # 732 pages: more than SIGN_LATER_FROM
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return gen_corpus.generate(NOTES, tmp_path / "corpus", seed=5)


def lecun(*args, patch: str = "") -> Result:
    """`lecun-site ARGS` in a process of its own, as a user runs it (a forked signer must not
    depend on what else runs in the test process); `patch`: Python run first, to break it."""
    code = f"{patch}\nimport sys\nfrom lecun_site.cli import main\nsys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=ENV)
    return Result(done.returncode, done.stdout, done.stderr)


FAIL = ("import lecun_site.build.signer as s\n"
        "def sign(*args):\n    raise RuntimeError('a template read something unpicklable')\n"
        "s.sign = sign")
SLEEP = "import time, lecun_site.build.signer as s\ns.sign = lambda *args: time.sleep(600)"


def _signer_pid(out: str) -> int:
    found = re.search(r"in the background \(process (\d+)\)", out)
    assert found, out
    return int(found[1])


def _state(out: Path):
    cache = BuildCache(cache_dir(out))
    try:
        return cache.state
    finally:
        cache.close()


def _rendered(out: str) -> int | None:
    found = re.search(r"\((\d+) rendered, \d+ unchanged\)", out)
    return int(found[1]) if found else None


def _ended(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status  # ended; its parent (not this process) has not reaped it


def _edit_body(content: Path) -> None:
    note = content / "notes" / "note-00007.en.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nOne more sentence, added by the test.\n", encoding="utf-8")


def _same_as_no_cache(content: Path, out: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    assert lecun("build", "--content", content, "--out", clean, "--no-search", "--no-cache", "--quiet").code == 0
    assert tree_bytes(out) == tree_bytes(clean)


def test_a_cold_build_signs_in_the_background_and_the_next_build_renders_only_what_changed(
        corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = lecun("build", "--content", corpus, "--out", out, "--no-search")
    assert first.code == 0, first.err
    pages = int(re.search(r"built (\d+) pages", first.out)[1])
    assert pages >= SIGN_LATER_FROM
    assert _signer_pid(first.out) != os.getpid()
    assert (out / "en" / "index.html").is_file()  # the site is in place before its pages are signed

    wait_for_signer(cache_dir(out))
    state = _state(out)
    assert state.traces.signed and set(state.traces.pages) == set(state.outputs)
    assert all(trace.reads for trace in state.traces.pages.values())
    folder = cache_dir(out)
    assert (folder / "parsed.pickle").is_file() and (folder / "markdown.store").is_file()
    assert not list(folder.glob("markdown.new-*")) and not (folder / SIGN_LOG).exists()

    _edit_body(corpus)
    second = lecun("build", "--content", corpus, "--out", out, "--no-search")
    assert second.code == 0, second.err
    assert "in the background" not in second.out  # signed pages: recorded while rendering
    assert 0 < _rendered(second.out) < 10  # that note's page, and the few that show its text
    _same_as_no_cache(corpus, out, tmp_path)


def test_a_build_waits_for_the_signer_then_starts_from_its_reads(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert lecun("build", "--content", corpus, "--out", out, "--no-search", "--quiet").code == 0
    wait_for_signer(cache_dir(out))
    _edit_body(corpus)
    # a signer still running: its lock held (here by this test, in another process)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import os, sys, time; from lecun_site.build import locks\n"
        f"fd = locks.hold({str(cache_dir(out) / SIGN_LOCK)!r}, os.O_RDWR)\n"
        "print('held', flush=True); sys.stdin.read()")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        build = subprocess.Popen([sys.executable, "-m", "lecun_site", "build", "--content", str(corpus),
                                  "--out", str(out), "--no-search"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=ENV)
        assert "waiting for the last build to finish recording what its pages read" in build.stderr.readline()
        time.sleep(0.5)
        assert build.poll() is None  # still waiting
    finally:
        holder.stdin.close()
        holder.wait(10)
    stdout, stderr = build.communicate(timeout=120)
    assert build.returncode == 0, stderr
    assert 0 < _rendered(stdout) < 10
    _same_as_no_cache(corpus, out, tmp_path)


def test_a_signer_that_fails_says_why_and_the_next_change_renders_every_page(
        corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"

    assert lecun("build", "--content", corpus, "--out", out, "--no-search", "--quiet", patch=FAIL).code == 0
    wait_for_signer(cache_dir(out))
    assert "RuntimeError: a template read something unpicklable" in (cache_dir(out) / SIGN_LOG).read_text()

    same = lecun("build", "--content", corpus, "--out", out, "--no-search")  # nothing changed: nothing to do
    assert same.code == 0 and _rendered(same.out) == 0
    assert "could not record what its pages read (RuntimeError: a template read something unpicklable)" in same.err
    assert not (cache_dir(out) / SIGN_LOG).exists()  # said once

    _edit_body(corpus)
    changed = lecun("build", "--content", corpus, "--out", out, "--no-search")
    assert changed.code == 0, changed.err
    assert _rendered(changed.out) is None  # every page rendered: no "(N rendered, M unchanged)"
    _signer_pid(changed.out)  # and signed again, in the background
    wait_for_signer(cache_dir(out))
    assert _state(out).traces.signed
    _same_as_no_cache(corpus, out, tmp_path)


def test_a_killed_signer_releases_the_cache_and_leaves_it_cold(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = lecun("build", "--content", corpus, "--out", out, "--no-search", patch=SLEEP)
    pid = _signer_pid(first.out)
    assert locks.in_use(cache_dir(out) / SIGN_LOCK)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not _ended(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not locks.in_use(cache_dir(out) / SIGN_LOCK)  # the system released its lock
    assert not _state(out).traces.signed

    _edit_body(corpus)
    again = lecun("build", "--content", corpus, "--out", out, "--no-search")
    assert again.code == 0 and _rendered(again.out) is None  # cold: every page
    wait_for_signer(cache_dir(out))
    _same_as_no_cache(corpus, out, tmp_path)


def test_a_signer_whose_cache_folder_went_away_writes_nothing(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    started = tmp_path / "started"
    slow = ("import time, pathlib, lecun_site.build.signer as s\nsign = s.sign\n"
            f"def slow(*args):\n    pathlib.Path({str(started)!r}).touch()\n    time.sleep(1.0)\n    return sign(*args)\n"
            "s.sign = slow")
    first = lecun("build", "--content", corpus, "--out", out, "--no-search", patch=slow)
    pid = _signer_pid(first.out)
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    folder = cache_dir(out)
    for path in sorted(folder.rglob("*"), reverse=True):  # as `rm -rf` would
        path.rmdir() if path.is_dir() else path.unlink()
    folder.rmdir()
    while not _ended(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _ended(pid) and not folder.exists()


def test_small_sites_and_no_cache_builds_leave_nothing_running(minimal_site: Path, tmp_path: Path) -> None:
    result = lecun("build", "--content", minimal_site, "--out", tmp_path / "a", "--no-search")
    assert result.code == 0 and "in the background" not in result.out
    assert _state(tmp_path / "a").traces.signed  # recorded while rendering
    assert not (cache_dir(tmp_path / "a") / SIGN_LOCK).exists()

    large = gen_corpus.generate(NOTES, tmp_path / "large", seed=5)
    result = lecun("build", "--content", large, "--out", tmp_path / "b", "--no-search", "--no-cache")
    assert result.code == 0 and "in the background" not in result.out and not cache_dir(tmp_path / "b").exists()


def test_where_forking_is_unsafe_the_signer_signs_in_the_process(corpus: Path, tmp_path: Path,
                                                                  monkeypatch) -> None:
    out = tmp_path / "site"
    monkeypatch.setattr(core, "can_fork", lambda: True)  # as when the build ran (this process may have threads)
    report = build_site(BuildOptions(content=corpus, out=out, search=False), sign_later=True)
    assert report.signer is not None and locks.in_use(cache_dir(out) / SIGN_LOCK)
    report.signer.sign_here()  # what start() does when other threads run by then
    assert not locks.in_use(cache_dir(out) / SIGN_LOCK)
    state = _state(out)
    assert state.traces.signed and set(state.traces.pages) == set(state.outputs)
    assert (cache_dir(out) / "parsed.pickle").is_file()


def test_the_signer_keeps_nothing_open_that_its_caller_waits_on(corpus: Path, tmp_path: Path) -> None:
    """A CI step or an editor waits for the end of the pipes it gave `lecun-site build`; the
    signer, still running, must hold none of them (nor any other inherited descriptor)."""
    import select

    read, write = os.pipe()
    code = f"{SLEEP}\nimport sys\nfrom lecun_site.cli import main\nsys.exit(main(sys.argv[1:]))"
    build = subprocess.Popen([sys.executable, "-c", code, "build", "--content", str(corpus), "--out",
                              str(tmp_path / "site"), "--no-search"], stdout=subprocess.PIPE, text=True,
                             pass_fds=(write,), env=ENV)
    os.close(write)
    stdout, _ = build.communicate(timeout=300)  # returns: the signer holds neither stdout nor stderr
    pid = _signer_pid(stdout)
    try:
        assert not _ended(pid)  # still signing (sleeping), and yet
        ready, _, _ = select.select([read], [], [], 10)
        assert ready and os.read(read, 1) == b""  # the inherited pipe is closed everywhere: end of file
    finally:
        os.close(read)
        os.kill(pid, signal.SIGKILL)
