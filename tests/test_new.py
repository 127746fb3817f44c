"""`lecun-site new …` and `--version`: what a writer starting out runs, driven through the CLI."""

import pytest
from conftest import soup

from lecun_site import __version__


def test_version(cli, capsys):
    result = cli("--version")
    assert result.code == 0 and result.out.strip() == f"lecun-site {__version__}"


def test_new_site_builds_and_passes_check(tmp_path, cli, monkeypatch):
    assert cli("new", "site", tmp_path / "mysite").code == 0
    monkeypatch.chdir(tmp_path / "mysite")
    assert (tmp_path / "mysite" / ".gitignore").read_text(encoding="utf-8").count("_site/") == 1
    result = cli("build", "--no-search")
    assert result.code == 0 and result.err == "", result.err  # no warning either
    assert cli("check").code == 0
    home = soup(tmp_path / "mysite" / "_site" / "en" / "index.html")
    assert "content/site.yaml" in home.get_text()  # the home note says what to edit next
    assert soup(tmp_path / "mysite" / "_site" / "zh" / "index.html").find("html")["lang"].startswith("zh")
    for page in ("people/example-person", "topics/example-topic", "sources/example-interview",
                 "transcripts/example-interview"):
        for lang in ("zh", "en"):
            assert (tmp_path / "mysite" / "_site" / lang / page / "index.html").is_file(), (lang, page)


def test_new_site_refuses_a_folder_that_holds_files(tmp_path, cli):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine", encoding="utf-8")
    result = cli("new", "site", tmp_path / "full")
    assert result.code == 1 and "not empty" in result.err
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["keep.txt"]


@pytest.mark.parametrize("kind", ["note", "person", "topic", "source", "event", "transcript"])
def test_each_new_record_builds_as_written(kind, tmp_path, cli, monkeypatch):
    cli("new", "site", tmp_path / "s")
    monkeypatch.chdir(tmp_path / "s")
    result = cli("new", kind, f"my-{kind}")
    assert result.code == 0 and result.out.count("created ") >= 1
    built = cli("build", "--no-search", "--drafts")
    assert built.code == 0 and "warning" not in built.err, built.err
    assert cli("check").code == 0
    again = cli("new", kind, f"my-{kind}")
    assert again.code == 1 and "already exists" in again.err


def test_new_note_in_a_site_without_sources_builds_too(tmp_path, cli, monkeypatch):
    cli("new", "site", tmp_path / "s")
    monkeypatch.chdir(tmp_path / "s")
    for path in (tmp_path / "s" / "content").rglob("*"):  # a bare site: site.yaml and nothing else
        if path.is_file() and path.name != "site.yaml":
            path.unlink()
    (tmp_path / "s" / "content" / "site.yaml").write_text(
        "title: {zh: 空, en: Empty}\nlanguages: [zh, en]\nhome_note: first\n", encoding="utf-8")
    assert cli("new", "note", "first").code == 0
    assert "[@" not in (tmp_path / "s" / "content" / "notes" / "first.en.md").read_text(encoding="utf-8")
    assert cli("build", "--no-search", "--drafts").code == 0


def test_new_template_copies_the_default_to_override(tmp_path, cli, monkeypatch):
    cli("new", "site", tmp_path / "s")
    monkeypatch.chdir(tmp_path / "s")
    assert cli("new", "template", "partials/nav.html").code == 0
    copied = tmp_path / "s" / "templates" / "partials" / "nav.html"
    assert copied.is_file()
    copied.write_text(copied.read_text(encoding="utf-8").replace("<nav", "<nav data-mine=\"1\"", 1), encoding="utf-8")
    assert cli("build", "--no-search").code == 0
    assert soup(tmp_path / "s" / "_site" / "en" / "index.html").find("nav", attrs={"data-mine": "1"})
    missing = cli("new", "template", "nope.html")
    assert missing.code == 1 and "note.html" in missing.err  # lists what there is


def test_new_refuses_ids_that_are_not_kebab_case(tmp_path, cli):
    assert cli("new", "person", "Ada Lovelace", "--content", tmp_path).code == 2
    assert not any(tmp_path.rglob("*.yaml"))
