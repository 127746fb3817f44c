"""The pure change classifier and the debounced watcher, on real files."""

import contextlib
import logging
import subprocess
import sys
import threading
import time

import pytest

from lecun_site.serve.watch import ChangeKind, Watcher, WatchRoots, classify_change


@pytest.fixture
def roots(tmp_path):
    for name in ("content", "templates", "static"):
        (tmp_path / name).mkdir()
    return WatchRoots(tmp_path / "content", (tmp_path / "templates",), (tmp_path / "static",), tmp_path / "_site")


@pytest.mark.parametrize("rel, kind", [
    ("content/notes/a.zh.md", ChangeKind.CONTENT),
    ("content/people/x.yaml", ChangeKind.CONTENT),
    ("content/new/folder/deep.md", ChangeKind.CONTENT),
    ("content/site.yaml", ChangeKind.CONFIG),
    ("content/i18n/en.yaml", ChangeKind.I18N),
    ("templates/base.html", ChangeKind.TEMPLATE),
    ("templates/partials/macros.html", ChangeKind.TEMPLATE),
    ("static/site.css", ChangeKind.STATIC),
    ("content/notes/.a.zh.md.swp", None),
    ("content/notes/a.zh.md~", None),
    ("content/notes/.#a.zh.md", None),
    ("content/notes/4913", None),
    ("content/notes/#a.zh.md#", None),
    ("content/.git/index", None),
    ("_site/zh/index.html", None),
    ("._site.building-123/zh/index.html", None),
    ("elsewhere/file.md", None),
])
def test_classify_change(roots, tmp_path, rel, kind):
    assert classify_change(tmp_path / rel, roots) == kind


def test_output_inside_content_is_ignored(tmp_path):
    roots = WatchRoots(tmp_path, (tmp_path / "templates",), (tmp_path / "static",), tmp_path / "_site")
    assert classify_change(tmp_path / "_site" / "a.html", roots) is None
    assert classify_change(tmp_path / "notes" / "a.md", roots) == ChangeKind.CONTENT


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_a_burst_of_editor_events_is_one_rebuild(roots):
    calls = []
    done = threading.Event()

    def on_change(batch):
        calls.append(batch)
        done.set()

    watcher = Watcher(roots, on_change, quiet=0.15)
    watcher.start()
    try:
        note = roots.content / "notes" / "a.zh.md"
        note.parent.mkdir()
        # the way editors save: write a temp file, rename it over, leave a swap file behind
        temp = note.with_name(".a.zh.md.tmp")
        temp.write_text("one", encoding="utf-8")
        temp.rename(note)
        (note.parent / ".a.zh.md.swp").write_text("swap", encoding="utf-8")
        assert done.wait(5)
        time.sleep(0.4)
        assert len(calls) == 1
        assert note in calls[0] and calls[0][note] == ChangeKind.CONTENT
        assert all(not p.name.endswith((".swp", ".tmp")) for p in calls[0])
    finally:
        watcher.stop()


class Calls:
    """What a watcher's on_change was called with."""

    def __init__(self) -> None:
        self.batches: list[dict] = []
        self.event = threading.Event()

    def __call__(self, batch: dict) -> None:
        self.batches.append(batch)
        self.event.set()


@contextlib.contextmanager
def watching(roots, quiet: float = 60):
    """A started watcher (a minute of quiet unless told) whose calls are recorded; stopped after."""
    calls = Calls()
    watcher = Watcher(roots, calls, quiet=quiet, longest=120)
    watcher.start()
    try:
        yield calls
    finally:
        watcher.stop()


def test_a_finished_save_is_rebuilt_without_waiting_for_quiet(roots):
    """Written and closed: the save is whole, so the rebuild need not wait the full quiet
    (here a minute) that an unfinished change waits."""
    note = roots.content / "a.en.md"
    with watching(roots) as calls:
        note.write_text("one", encoding="utf-8")
        assert calls.event.wait(10), "a written and closed file waited for the minute of quiet"
    assert calls.batches == [{note: ChangeKind.CONTENT}]


def test_a_file_still_open_for_writing_waits_until_it_is_closed(roots):
    note = roots.content / "a.en.md"
    with watching(roots) as calls:
        with open(note, "w", encoding="utf-8") as handle:
            handle.write("half a save")
            handle.flush()
            assert not calls.event.wait(1.0), "rebuilt while the file was still being written"
        assert calls.event.wait(10), "closing the file did not end the wait"
    assert calls.batches == [{note: ChangeKind.CONTENT}]


def test_a_vim_style_save_is_one_rebuild_as_soon_as_it_is_written(roots):
    """vim (backupcopy=no) and emacs move the file to a backup, write it anew, then delete the
    backup: the first step removes the note, the third is an ignored name."""
    note = roots.content / "a.en.md"
    note.write_text("old", encoding="utf-8")
    with watching(roots) as calls:
        backup = note.with_name("a.en.md~")
        note.rename(backup)
        note.write_text("new", encoding="utf-8")
        backup.unlink()
        assert calls.event.wait(10)
        time.sleep(0.3)
    assert calls.batches == [{note: ChangeKind.CONTENT}]


def test_a_deletion_waits_for_quiet_in_case_the_file_comes_back(roots):
    """Some editors delete the file, then write it again: the rebuild must see the new file,
    not a missing note (and its pages gone for a moment)."""
    note = roots.content / "a.en.md"
    note.write_text("old", encoding="utf-8")
    with watching(roots, quiet=1.0) as calls:
        note.unlink()
        time.sleep(0.3)  # far longer than `settle`, well within `quiet`
        assert calls.batches == []
        note.write_text("new", encoding="utf-8")
        assert calls.event.wait(10)
        time.sleep(0.3)
    assert calls.batches == [{note: ChangeKind.CONTENT}]


def test_files_created_in_new_folders_and_deletions_are_seen(roots):
    seen = {}
    watcher = Watcher(roots, lambda batch: seen.update(batch), quiet=0.05)
    watcher.start()
    try:
        deep = roots.content / "notes" / "sub" / "deeper" / "n.en.md"
        deep.parent.mkdir(parents=True)
        deep.write_text("x", encoding="utf-8")
        assert wait_for(lambda: deep in seen)
        seen.clear()
        deep.unlink()
        assert wait_for(lambda: deep in seen)
        css = roots.static[0] / "site.css"
        css.write_text("body{}", encoding="utf-8")
        assert wait_for(lambda: seen.get(css) == ChangeKind.STATIC)
    finally:
        watcher.stop()


def test_a_failing_rebuild_does_not_kill_the_watcher(roots, capsys):
    calls = []

    def on_change(batch):
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("boom")

    watcher = Watcher(roots, on_change, quiet=0.05)
    watcher.start()
    try:
        (roots.content / "a.yaml").write_text("a: 1", encoding="utf-8")
        assert wait_for(lambda: len(calls) == 1)
        time.sleep(0.2)
        (roots.content / "b.yaml").write_text("b: 1", encoding="utf-8")
        assert wait_for(lambda: len(calls) == 2)
    finally:
        watcher.stop()
    assert "rebuild failed" in capsys.readouterr().out


def test_stopping_while_files_change_logs_nothing(tmp_path, caplog):
    """Stopping the watcher in the middle of a stream of saves is silent: watchdog's inotify
    emitter logs an error when an event arrives after its handle closed (about one stop in
    ten here), and serve printed it after "stopping"."""
    caplog.set_level(logging.DEBUG, logger="watchdog")
    for attempt in range(40):
        base = tmp_path / str(attempt)
        for name in ("content", "templates", "static"):
            (base / name).mkdir(parents=True)
        watcher = Watcher(WatchRoots(base / "content", (base / "templates",), (base / "static",), base / "_site"),
                          lambda batch: None)
        watcher.start()
        saving = threading.Event()
        saving.set()

        def save_repeatedly() -> None:
            count = 0
            while saving.is_set():
                (base / "content" / f"n{count % 5}.md").write_text("x" * count, encoding="utf-8")
                count += 1

        saver = threading.Thread(target=save_repeatedly)
        saver.start()
        time.sleep(0.02)
        watcher.stop()
        saving.clear()
        saver.join()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


WATCH_NESTED_FOLDERS = """
import sys, time
from pathlib import Path
from lecun_site.serve.watch import Watcher, WatchRoots
base = Path(sys.argv[1])
for name in ("content", "templates", "static"):
    (base / name).mkdir()
seen = {}
watcher = Watcher(WatchRoots(base / "content", (base / "templates",), (base / "static",), base / "_site"),
                  seen.update, quiet=0.05)
watcher.start()
for n in range(10):
    deep = base / "content" / "notes" / str(n) / "sub" / "deeper" / "n.en.md"
    deep.parent.mkdir(parents=True)
    deep.write_text("x", encoding="utf-8")
    deadline = time.monotonic() + 5
    while deep not in seen and time.monotonic() < deadline:
        time.sleep(0.01)
watcher.stop()
print(sum(1 for path in seen if path.name == "n.en.md"))
"""


def test_nested_folders_are_watched_without_warnings_on_stderr(tmp_path):
    """Outside pytest's own warning capture, as serve runs: `mkdir -p` under content/ made
    watchdog warn, with a screen of its internal state, that it re-added a folder's watch."""
    done = subprocess.run([sys.executable, "-c", WATCH_NESTED_FOLDERS, str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "10"
    assert done.stderr == ""
