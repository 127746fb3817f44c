"""Broken and hostile content: every problem is a message with its place and its fix, never a crash.

`tests/sites/hostile/<case>/` holds the files of one case, laid over a copy of the minimal
site, and `expected.yaml`, what the build must say and do:

    exit: 1                      # the exit code of `lecun-site build`
    problems:                    # each the start of one printed problem, path relative to content/
      - "notes/x.zh.md:1: the front matter opened with '---' on line 1 is never closed"
    hints: ["did you mean 'alan-turing'?"]          # optional: text that must appear in the hints
    pages:                                          # optional: pages of a successful build
      en/notes/x/index.html: {text: [visible text], count: {"css selector": number of matches}}

One parametrised test runs every case. Symlinks, pipes and resource bounds, which cannot
live in a fixture folder, have their own tests below.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SITES, soup

from lecun_site.content.textfile import MAX_ALIAS_VALUES, parse_yaml, read_text
from lecun_site.content.yaml_records import parse_events
from lecun_site.errors import ContentError, Problems

HOSTILE = SITES / "hostile"
CASES = sorted(p.name for p in HOSTILE.iterdir() if p.is_dir())

# `path:line[:col]: message` (a warning has `warning: ` before the message)
PROBLEM_RE = re.compile(r"^(?P<path>[^\n]+?)(?::(?P<line>\d+)(?::(?P<column>\d+))?)?: (?P<warning>warning: )?(?P<message>.+)$")


@dataclass
class Printed:
    """One problem as the CLI printed it."""

    text: str  # the first line, with the content folder taken off the path
    line: int | None
    column: int | None
    warning: bool
    hint: str | None


def printed_problems(stderr: str, content: Path) -> list[Printed]:
    problems: list[Printed] = []
    for raw in stderr.splitlines():
        if raw.startswith("    hint: "):
            assert problems, raw
            problems[-1].hint = raw.removeprefix("    hint: ")
            continue
        if re.match(r"^\d+ error\(s\)", raw):
            continue
        text = raw.replace(f"{content}/", "")
        match = PROBLEM_RE.match(text)
        assert match, f"not a `path:line: message` problem: {raw!r}"
        problems.append(Printed(text, int(match["line"]) if match["line"] else None,
                                int(match["column"]) if match["column"] else None, bool(match["warning"]), None))
    return problems


def lay_over(case: Path, content: Path) -> None:
    """Copy the case's files over the content folder (without following or making links)."""
    for path in sorted(case.rglob("*")):
        rel = path.relative_to(case)
        if path.is_file() and rel.name not in ("expected.yaml", ".gitattributes"):
            target = content / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def build_in_a_process(content: Path, out: Path, seconds: int = 60) -> subprocess.CompletedProcess:
    """`python build.py build` as a writer runs it: a crash of the interpreter (a C stack
    overflow) or a hang fails the test instead of taking the test run down with it."""
    try:
        return subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--quiet", "--content", str(content),
                               "--out", str(out)], capture_output=True, text=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the build did not finish in {seconds} s")


@pytest.mark.parametrize("name", CASES)
def test_hostile_case(name, minimal_site, tmp_path):
    case = HOSTILE / name
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    lay_over(case, minimal_site)
    out = tmp_path / "_site"
    result = build_in_a_process(minimal_site, out)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == expected["exit"], result.stderr
    printed = printed_problems(result.stderr, minimal_site)
    for wanted in expected["problems"]:
        assert any(p.text.startswith(wanted) for p in printed), f"{wanted!r} not in:\n{result.stderr}"
    errors = [p for p in printed if not p.warning]
    wanted_errors = [w for w in expected["problems"] if ": warning: " not in w]
    assert len(errors) == len(wanted_errors), "\n".join(p.text for p in errors)  # all of them, each once
    for error in errors:
        assert error.hint, f"no hint says how to fix: {error.text}"
    hints = " ".join(p.hint or "" for p in printed)
    for wanted in expected.get("hints", []):
        assert wanted in hints
    if expected["exit"] == 0:
        for rel, checks in expected.get("pages", {}).items():
            page = soup(out / rel)
            text = page.get_text(" ")
            for wanted in checks.get("text", []):
                assert wanted in text, f"{wanted!r} not on {rel}"
            for selector, count in checks.get("count", {}).items():
                assert len(page.select(selector)) == count, f"{selector} on {rel}"
    else:
        assert not out.exists()


def test_every_case_has_files_and_an_expected_outcome():
    for name in CASES:
        expected = yaml.safe_load((HOSTILE / name / "expected.yaml").read_text(encoding="utf-8"))
        assert set(expected) <= {"exit", "problems", "hints", "pages"} and expected["exit"] in (0, 1), name
        assert len([p for p in (HOSTILE / name).rglob("*") if p.is_file()]) > 1, name


def test_yaml_errors_carry_a_column():
    """A YAML problem names the column too, so an editor can jump to it."""
    for text in ("a: [1, 2\n", "a: 1\na: 2\n", "a: !!python/name:os.system\n", "- &x [*x]\n", "a: b: c\n"):
        with pytest.raises(ContentError) as info:
            parse_yaml("x.yaml", text)
        assert info.value.line is not None and info.value.column is not None, text
        assert info.value.hint


# ---------------------------------------------------------------- bounded in time and memory


def run_bounded(code: str, seconds: int = 60, memory_mb: int = 1024) -> subprocess.CompletedProcess:
    """Run Python `code` in a child with an address-space limit, so a bomb fails there, not here."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds,
                          preexec_fn=limit)


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def test_the_billion_laughs_is_refused_in_milliseconds_and_little_memory():
    code = f"""
import time, tracemalloc
from lecun_site.errors import ContentError
from lecun_site.content.textfile import parse_yaml
tracemalloc.start()
started = time.perf_counter()
try:
    parse_yaml("bomb.yaml", {BILLION_LAUGHS!r})
except ContentError as exc:
    print(exc.message)
print(time.perf_counter() - started, tracemalloc.get_traced_memory()[1])
"""
    result = run_bounded(code, memory_mb=512)
    assert result.returncode == 0, result.stderr
    message, numbers = result.stdout.strip().split("\n")
    seconds, peak = map(float, numbers.split())
    assert "alias bomb" in message
    assert seconds < 1 and peak < 5 * 2**20, (seconds, peak)


def test_aliases_that_stay_under_the_limit_still_load():
    text = "base: &base [a, b, c]\n" + "".join(f"k{i}: *base\n" for i in range(100))
    data = parse_yaml("ok.yaml", text)
    assert data["k99"] == ["a", "b", "c"]
    repeated = "base: &base [" + ", ".join(["x"] * 100) + "]\n" + "".join(f"k{i}: *base\n" for i in range(101))
    with pytest.raises(ContentError, match="alias bomb"):
        parse_yaml("bomb.yaml", repeated)  # 101 aliases of 101 values > MAX_ALIAS_VALUES
    assert 101 * 101 > MAX_ALIAS_VALUES


@pytest.mark.parametrize("make", ['"[" * 100_000', '"- " * 50_000 + "x"', '"{a: " * 30_000',
                                  '"".join(" " * i + "a:\\n" for i in range(2_000))'],
                         ids=["flow-lists", "compact-lists", "flow-maps", "block-maps"])
def test_deep_yaml_is_refused_without_crashing_the_process(make):
    """libyaml's composer recurses in C: 100,000 levels used to kill Python with a segfault."""
    result = run_bounded(f"""
from lecun_site.errors import ContentError
from lecun_site.content.textfile import parse_yaml
try:
    parse_yaml("deep.yaml", {make})
except ContentError as exc:
    print(exc.format())
""")
    assert result.returncode == 0, result.stderr[-500:]
    assert "nested more than 50 levels deep" in result.stdout and result.stdout.startswith("deep.yaml:")


@pytest.mark.parametrize("body", [
    '"# heading" + " " * 30_000 + "x"',  # the old heading regex backtracked for minutes on this
    '"[x](@/" * 30_000',  # and the link scanner was quadratic on this
    '"> " * 20_000 + "deep"',
    '"".join("  " * i + "- x\\n" for i in range(1_000))',
    '"*" * 20_000 + "a" + "*" * 20_000',
    '"x" * 1_000_000',
], ids=["heading-spaces", "unclosed-links", "quotes", "lists", "emphasis", "one-long-line"])
def test_pathological_bodies_render_in_bounded_time(body):
    """Each step that reads a body, in a child process that must finish within 20 seconds."""
    try:
        result = run_bounded(f"""
from lecun_site.errors import Problems
from lecun_site.content.notes import parse_note
from lecun_site.content.transcripts import parse_transcript
from lecun_site.content.body import scan_body
from lecun_site.render.markdown import render_markdown
body = {body}
assert render_markdown(body).html
scan_body(body, 1)
assert parse_note("n.md", body, problems=Problems(), slug="n", lang="en") is not None
assert parse_transcript("t.md", body, problems=Problems(), slug="t", lang="en") is not None
print("ok")
""", seconds=20)
    except subprocess.TimeoutExpired:
        pytest.fail("reading the body took more than 20 s")
    assert result.stdout.strip() == "ok", result.stderr[-500:]


# ---------------------------------------------------------------- links and special files


def build(content: Path, out: Path):
    result = build_in_a_process(content, out)
    assert "Traceback" not in result.stderr
    return result, printed_problems(result.stderr, content)


def test_a_link_to_a_file_outside_content_is_refused(minimal_site, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: {zh: 秘密, en: Secret}\n", encoding="utf-8")
    (minimal_site / "people" / "secret.yaml").symlink_to(secret)
    (minimal_site / "people" / "shadow.yaml").symlink_to("/etc/passwd")
    result, printed = build(minimal_site, tmp_path / "out")
    assert result.returncode == 1
    texts = [p.text for p in printed]
    assert "people/secret.yaml: the file is a link to outside the content folder; refused" in texts
    assert "people/shadow.yaml: the file is a link to outside the content folder; refused" in texts
    assert all(p.hint for p in printed if not p.warning)


def test_a_link_inside_content_is_read(minimal_site, tmp_path):
    (minimal_site / "people" / "turing.yaml").unlink(missing_ok=True)
    (minimal_site / "notes" / "alias.en.md").symlink_to(minimal_site / "notes" / "intro.en.md")
    (minimal_site / "notes" / "alias.zh.md").symlink_to("intro.zh.md")
    result, _ = build(minimal_site, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "en" / "notes" / "alias" / "index.html").is_file()


def test_linked_folders_are_not_followed_and_loops_do_not_hang(minimal_site, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "stranger.yaml").write_text("name: {zh: 陌生人, en: Stranger}\n", encoding="utf-8")
    (minimal_site / "people" / "outside").symlink_to(outside)
    (minimal_site / "people" / "loop").symlink_to(minimal_site / "people")  # people/loop/loop/loop/…
    (minimal_site / "topics" / "a.yaml").symlink_to(minimal_site / "topics" / "b.yaml")
    (minimal_site / "topics" / "b.yaml").symlink_to(minimal_site / "topics" / "a.yaml")
    started = time.perf_counter()
    result, printed = build(minimal_site, tmp_path / "out")
    assert time.perf_counter() - started < 30
    assert result.returncode == 1
    texts = [p.text for p in printed]
    assert "people/outside: the folder is a link to outside the content folder; refused" in texts
    assert "people/loop: warning: a linked folder is not followed" in texts
    assert "topics/a.yaml: the file is a broken or looping link" in texts
    assert "topics/b.yaml: the file is a broken or looping link" in texts
    assert "Stranger" not in result.stderr


def test_a_content_section_that_links_outside_is_refused(minimal_site, tmp_path):
    outside = tmp_path / "other-notes"
    shutil.move(minimal_site / "quotes", outside)
    (minimal_site / "quotes").symlink_to(outside)
    result, printed = build(minimal_site, tmp_path / "out")
    assert result.returncode == 1
    assert "quotes: the folder is a link to outside the content folder; refused" in [p.text for p in printed]


def test_site_yaml_linking_outside_is_refused(minimal_site, tmp_path):
    real = tmp_path / "site.yaml"
    shutil.move(minimal_site / "site.yaml", real)
    (minimal_site / "site.yaml").symlink_to(real)
    result, printed = build(minimal_site, tmp_path / "out")
    assert result.returncode == 1
    assert printed[0].text == "site.yaml: site.yaml is a link to outside the content folder; refused"


def test_a_named_pipe_is_refused_instead_of_blocking_the_build(minimal_site, tmp_path):
    os.mkfifo(minimal_site / "people" / "pipe.yaml")  # reading it would wait forever for a writer
    result, printed = build(minimal_site, tmp_path / "out")
    assert result.returncode == 1
    assert "people/pipe.yaml: this is not a regular file (a folder, pipe, device or socket); refused" in [
        p.text for p in printed]


def test_an_unreadable_file_is_an_error(minimal_site, tmp_path):
    path = minimal_site / "people" / "gone.yaml"
    with pytest.raises(ContentError) as info:
        read_text(path, "people/gone.yaml")
    assert info.value.message == "cannot read the file: No such file or directory" and info.value.hint


def test_many_problems_are_all_reported_at_once(minimal_site, tmp_path):
    """One build reports the problems of every case above together, not the first one only."""
    wanted = []
    for name in ("front-matter-never-closed", "yaml-tab-indentation", "nul-bytes", "unknown-ids-with-suggestions",
                 "events-without-a-source"):
        lay_over(HOSTILE / name, minimal_site)
        wanted += yaml.safe_load((HOSTILE / name / "expected.yaml").read_text(encoding="utf-8"))["problems"]
    result, printed = build(minimal_site, tmp_path / "out")
    assert result.returncode == 1
    for text in wanted:
        assert any(p.text.startswith(text) for p in printed), text
    assert f"{len([p for p in printed if not p.warning])} error(s)" in result.stderr


def test_events_in_a_list_report_the_line_of_each_event():
    problems = Problems()
    parse_events("timeline/t.yaml", "- id: a\n  date: 1990\n  title: A\n  sources: [s]\n"
                 "- id: b\n  date: 1990-14\n  title: B\n  sources: [s]\n", problems=problems)
    [error] = problems.errors
    assert (error.line, error.field) == (6, "date") and "month 14" in error.message
