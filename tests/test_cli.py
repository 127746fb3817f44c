"""The CLI contract: exit codes 0/1/2, messages without tracebacks, `new note`, the summary line."""

import subprocess
import sys

from conftest import ROOT, soup


def test_no_command_and_unknown_options_are_usage_errors(cli):
    assert cli().code == 2
    result = cli("build", "--no-such-option")
    assert result.code == 2 and "unrecognized arguments" in result.err
    assert cli("new", "thing").code == 2


def test_help_exits_zero(cli):
    assert cli("--help").code == 0


def test_build_prints_one_summary_line(minimal_site, tmp_path, cli):
    result = cli("build", "--content", minimal_site, "--out", tmp_path / "out")
    assert result.code == 0
    [summary] = result.out.splitlines()
    assert summary.startswith("built ") and " pages into " in summary and summary.rstrip().endswith(")")


def test_missing_content_folder_is_an_error_not_a_traceback(tmp_path, cli):
    result = cli("build", "--content", tmp_path / "nope", "--out", tmp_path / "out")
    assert result.code == 1 and "does not exist" in result.err and "Traceback" not in result.err


def test_debug_adds_a_traceback(minimal_site, tmp_path):
    (minimal_site / "notes" / "intro.zh.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    base = [sys.executable, str(ROOT / "build.py"), "build", "--content", str(minimal_site), "--out", str(tmp_path / "o")]
    plain = subprocess.run(base, capture_output=True, text=True)
    debug = subprocess.run(base + ["--debug"], capture_output=True, text=True)
    assert plain.returncode == debug.returncode == 1
    assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr
    assert "intro.zh.md:3:" in plain.stderr


def test_new_note_scaffolds_a_pair_that_builds_with_drafts(minimal_site, tmp_path, cli):
    result = cli("new", "note", "bell-labs", "--content", minimal_site)
    assert result.code == 0
    assert (minimal_site / "notes" / "bell-labs.zh.md").is_file()
    assert (minimal_site / "notes" / "bell-labs.en.md").is_file()
    # the scaffold cites a source the site has, so it builds as written
    assert "[@article-two]" in (minimal_site / "notes" / "bell-labs.en.md").read_text(encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    assert not (out / "en" / "notes" / "bell-labs").exists()  # a draft
    assert cli("build", "--content", minimal_site, "--out", out, "--drafts").code == 0
    assert soup(out / "en" / "notes" / "bell-labs" / "index.html").h1.get_text() == "Bell labs"


def test_new_note_refuses_bad_slugs_and_existing_files(minimal_site, cli):
    assert cli("new", "note", "Bell Labs", "--content", minimal_site).code == 2
    result = cli("new", "note", "intro", "--content", minimal_site)
    assert result.code == 1 and "already exists" in result.err


def test_build_py_runs_the_same_cli(minimal_site, tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(minimal_site),
                             "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert result.returncode == 0 and (tmp_path / "o" / "zh" / "index.html").is_file()
