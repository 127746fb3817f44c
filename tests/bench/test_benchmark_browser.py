"""benchmarks/browser.py, run as `benchmarks.run` runs it: the real `lecun-site serve`, a real
Chromium, real saves; the note is restored and the server stopped afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from benchmarks import browser, gen_corpus


def test_a_save_is_timed_until_the_open_page_shows_it(tmp_path: Path) -> None:
    reason = browser.unavailable()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    content = gen_corpus.generate(20, tmp_path / "content", seed=3)
    slug = gen_corpus.edit_note_slug(20)
    note = content / "notes" / f"{slug}.en.md"
    before = note.read_bytes()
    done = subprocess.run([sys.executable, "-m", "benchmarks.browser", "--content", str(content),
                           "--out", str(tmp_path / "_site"), "--note", slug, "--edits", "2",
                           "--result", str(tmp_path / "r.json")], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert result["ok"] and len(result["edits_ms"]) == 2
    assert all(0 < ms < 10_000 for ms in result["edits_ms"])
    # the server saw both saves (two incremental rebuilds), then was stopped as a writer stops it
    assert sum("changed: 1 of" in line for line in result["serve_log_tail"]) == 2, result["serve_log_tail"]
    assert result["serve_log_tail"][-1] == "stopping"
    assert note.read_bytes() == before


def test_without_a_browser_it_says_why_and_fails(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-such-chromium")
    assert "no Chromium at" in browser.unavailable()
    assert browser.main(["--content", str(tmp_path), "--out", str(tmp_path / "o"), "--note", "x"]) == 1
