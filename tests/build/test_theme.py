"""A site's own templates and static files over the default theme, one file at a time; template
errors named by file and line. Driven through the CLI on real folders."""

import shutil

import pytest

from conftest import ROOT, soup

from lecun_site.build.core import BuildOptions
from lecun_site.serve.session import Builder


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and "pagefind" not in p.parts}


def build(cli, content, out, *extra):
    result = cli("build", "--content", content, "--out", out, "--no-search", *extra)
    assert result.code == 0, result.err
    return files(out)


def test_a_site_with_only_content_uses_the_default_theme(minimal_site, tmp_path, cli):
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]
    built = build(cli, minimal_site, tmp_path / "out")
    for name in ("site.css", "search.js", "favicon.svg"):
        assert built[f"static/{name}"] == (ROOT / "static" / name).read_bytes()


def test_one_overridden_template_changes_only_its_pages(minimal_site, tmp_path, cli):
    before = build(cli, minimal_site, tmp_path / "before", "--no-cache")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "note.html").write_text(
        '{% extends "default:note.html" %}{% block main %}<p id="mine">mine</p>{{ super() }}{% endblock %}',
        encoding="utf-8")
    after = build(cli, minimal_site, tmp_path / "after", "--no-cache")
    assert set(before) == set(after)
    changed = {path for path in after if after[path] != before[path]}
    note_pages = {p for p in before if "/notes/" in p and p.count("/") == 3 and p.endswith("/index.html")}
    assert note_pages and changed == note_pages
    for path in changed:  # the default page, with the site's addition, in its place
        page = soup(tmp_path / "after" / path)
        assert page.find(id="mine") and page.find("h1")


def test_a_cached_build_sees_an_override_come_and_go(minimal_site, tmp_path, cli):
    out = tmp_path / "out"
    plain = build(cli, minimal_site, out)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    overridden = build(cli, minimal_site, out)
    assert overridden["robots.txt"] == b"User-agent: *\nDisallow: /private/\n"
    assert {p for p in overridden if overridden[p] != plain.get(p)} == {"robots.txt"}
    shutil.rmtree(tmp_path / "templates")
    assert build(cli, minimal_site, out) == plain


def test_an_added_static_file_keeps_every_default_one(minimal_site, tmp_path, cli):
    (tmp_path / "static" / "img").mkdir(parents=True)
    (tmp_path / "static" / "extra.css").write_text("p { color: teal }\n", encoding="utf-8")
    (tmp_path / "static" / "img" / "dot.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    built = build(cli, minimal_site, tmp_path / "out")
    defaults = {f"static/{p.relative_to(ROOT / 'static').as_posix()}" for p in (ROOT / "static").rglob("*") if p.is_file()}
    assert defaults | {"static/extra.css", "static/img/dot.svg"} <= set(built)
    # a file of the same name replaces the default one
    (tmp_path / "static" / "site.css").write_text("body { margin: 0 }\n", encoding="utf-8")
    assert build(cli, minimal_site, tmp_path / "out")["static/site.css"] == b"body { margin: 0 }\n"
    assert cli("check", "--out", tmp_path / "out").code == 0


def test_serve_renders_again_only_the_pages_of_an_edited_override(minimal_site, tmp_path):
    (tmp_path / "templates").mkdir()
    override = tmp_path / "templates" / "person.html"
    override.write_text('{% extends "default:person.html" %}{% block main %}<p id="v">one</p>{{ super() }}{% endblock %}',
                        encoding="utf-8")
    builder = Builder(BuildOptions(content=minimal_site, out=tmp_path / "out"))
    assert builder.build().ok
    override.write_text(override.read_text(encoding="utf-8").replace("one", "two"), encoding="utf-8")
    report = builder.build()
    assert report.ok and report.rendered
    assert {job.template for job in report.rendered} == {"person.html"}
    page = next(job for job in report.rendered)
    assert soup(tmp_path / "out" / page.out_path).find(id="v").get_text() == "two"


def write_override(tmp_path, text, name="note.html"):
    path = tmp_path / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_template_syntax_error_names_the_file_and_line(minimal_site, tmp_path, cli):
    out = tmp_path / "out"
    good = build(cli, minimal_site, out)
    write_override(tmp_path, '{% extends "default:note.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n')
    result = cli("build", "--content", minimal_site, "--out", out, "--no-search")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{tmp_path / 'templates' / 'note.html'}:3: template syntax error" in result.err
    assert files(out) == good  # the last good site is untouched


def test_an_undefined_variable_names_the_file_line_and_page(minimal_site, tmp_path, cli):
    write_override(tmp_path, '{% extends "default:note.html" %}\n{% block main %}\n\n{{ no_such.thing }}\n{% endblock %}\n')
    result = cli("build", "--content", minimal_site, "--out", tmp_path / "out", "--no-search", "--no-cache")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{tmp_path / 'templates' / 'note.html'}:4: 'no_such' is undefined (page /" in result.err


def test_an_error_in_an_included_template_names_that_one(minimal_site, tmp_path, cli):
    write_override(tmp_path, '<nav>\n{{ page.nope() }}\n</nav>\n', name="partials/nav.html")
    result = cli("build", "--content", minimal_site, "--out", tmp_path / "out", "--no-search")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{tmp_path / 'templates' / 'partials' / 'nav.html'}:2:" in result.err


def test_debug_shows_the_traceback_of_a_template_error(minimal_site, tmp_path, cli):
    write_override(tmp_path, '{{ nope }}')
    result = cli("build", "--content", minimal_site, "--out", tmp_path / "out", "--no-search", "--debug")
    assert result.code == 1 and "Traceback" in result.err and "note.html:1:" in result.err


@pytest.mark.parametrize("command", ["build", "serve"])
@pytest.mark.parametrize("flag", ["--templates", "--static"])
def test_a_theme_folder_given_but_missing_is_an_error(minimal_site, tmp_path, cli, command, flag):
    result = cli(command, "--content", minimal_site, "--out", tmp_path / "out", flag, tmp_path / "typo")
    assert result.code == 1 and f"{flag} {tmp_path / 'typo'}: no such folder" in result.err
    assert not (tmp_path / "out").exists()
