"""`lecun-site serve` as a writer uses it: a real process, real files, a real browser."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import SITES, fake_pagefind, tree_bytes

NOTE_EN = "notes/intro.en.md"


class Server:
    def __init__(self, folder: Path, *extra: str, log: str = "serve.log") -> None:
        self.folder = folder
        self.log = folder / log
        self.proc = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-u", "-m", "lecun_site", "serve", "--port", "0", *extra],
            cwd=folder, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )
        self.url = self._wait_for(r"serving \S+ at (http://127\.0\.0\.1:\d+/\S*)")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def _wait_for(self, pattern: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output())
            if match:
                return match[1]
            if self.proc.poll() is not None:
                raise AssertionError("serve exited:\n" + self.output())
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in:\n" + self.output())

    def stop(self, signum: int = signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
            try:
                return self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # -X faulthandler: SIGABRT makes the server print where each of its threads is
                self.proc.send_signal(signal.SIGABRT)
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                raise AssertionError(f"serve did not stop within 10 s of signal {signum}:\n" + self.output())
        return self.proc.returncode


@pytest.fixture
def project(tmp_path):
    shutil.copytree(SITES / "minimal", tmp_path / "content")
    return tmp_path


@pytest.fixture
def server(project):
    srv = Server(project)
    yield srv
    srv.stop()


def save_like_an_editor(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def replace_in(path: Path, old: str, new: str, editor: bool = False) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    (save_like_an_editor if editor else lambda p, t: p.write_text(t, encoding="utf-8"))(path, text.replace(old, new))


def test_edits_show_in_the_open_page_without_reload_and_keep_scroll(server, project, page):
    page.set_viewport_size({"width": 800, "height": 300})
    page.goto(server.url + "en/notes/intro/")
    page.evaluate("window.scrollTo(0, 200)")
    assert page.evaluate("window.scrollY") == 200
    replace_in(project / "content" / NOTE_EN, "wrote the first program", "wrote the FIRST-EDIT program")
    page.wait_for_function("document.body.innerText.includes('FIRST-EDIT')", timeout=10000)
    page.wait_for_function("window.scrollY === 200", timeout=10000)
    # saved the way editors save: temp file renamed over the note
    replace_in(project / "content" / NOTE_EN, "FIRST-EDIT", "SECOND-EDIT", editor=True)
    page.wait_for_function("document.body.innerText.includes('SECOND-EDIT')", timeout=10000)
    assert re.search(r"notes/intro\.en\.md changed: \d+ of \d+ pages re-rendered in \d+ ms", server.output())


def test_broken_front_matter_shows_an_overlay_then_fixing_it_reloads(server, project, page):
    page.goto(server.url + "en/notes/intro/")
    note = project / "content" / NOTE_EN
    good = note.read_text(encoding="utf-8")
    note.write_text(good.replace("title: Introduction", "title: [Introduction <b>x</b>"), encoding="utf-8")
    overlay = page.locator("#lecun-overlay")
    overlay.wait_for(timeout=10000)
    text = overlay.inner_text()
    assert re.search(r"content/notes/intro\.en\.md:\d+(:\d+)?: invalid YAML", text), text
    assert "<b>x</b>" not in page.locator("#lecun-overlay").inner_html() or "&lt;b&gt;" in overlay.inner_html()
    assert page.locator("#lecun-overlay b").count() == 0  # shown as text, never as markup
    assert "intro.en.md" in server.output() and "build failed" in server.output()
    # the last good site is still served
    assert page.locator("h1").inner_text() == "Introduction"
    note.write_text(good.replace("wrote the first program", "wrote the FIXED program"), encoding="utf-8")
    page.wait_for_function("document.body.innerText.includes('FIXED')", timeout=10000)
    assert page.locator("#lecun-overlay").count() == 0


def test_unknown_person_shows_in_the_overlay_on_any_open_page(server, project, page):
    page.goto(server.url + "zh/timeline/")
    replace_in(project / "content" / "notes" / "only-chinese.zh.md", "people: [巴贝奇]", "people: [巴贝其]")
    page.locator("#lecun-overlay").wait_for(timeout=10000)  # a loaded machine (CI) may take seconds
    assert "unknown person '巴贝其'" in page.locator("#lecun-overlay").inner_text()


def test_new_note_appears_on_home_and_person_page_then_goes_when_deleted(server, project, page, browser):
    page.goto(server.url + "en/")
    other = browser.new_page()
    other.goto(server.url + "en/people/alan-turing/")
    new = project / "content" / "notes" / "brand-new.en.md"
    new.write_text("---\ntitle: A Brand New Note\ndate: 2023\npeople: [alan-turing]\n---\nFresh.\n", encoding="utf-8")
    page.wait_for_function("document.body.innerText.includes('A Brand New Note')", timeout=10000)
    other.wait_for_function("document.body.innerText.includes('A Brand New Note')", timeout=10000)
    new.unlink()
    page.wait_for_function("!document.body.innerText.includes('A Brand New Note')", timeout=10000)
    other.wait_for_function("!document.body.innerText.includes('A Brand New Note')", timeout=10000)
    assert not (project / "_site" / "en" / "notes" / "brand-new").exists()
    other.close()


def test_reload_script_is_served_but_never_written(server, project):
    with urllib.request.urlopen(server.url + "en/") as response:
        served = response.read().decode("utf-8")
    assert "/__lecun/events" in served
    written = (project / "_site" / "en" / "index.html").read_text(encoding="utf-8")
    assert "__lecun" not in written


@pytest.mark.parametrize("path", ["../serve.log", "%2e%2e/serve.log", "..%2fserve.log", "/%2e%2e/%2e%2e/etc/passwd",
                                  "zh/../../serve.log"])
def test_paths_outside_the_output_folder_get_404(server, path):
    request = urllib.request.Request(server.url + path)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request)
    assert info.value.code == 404


def test_port_in_use_moves_to_the_next_one_and_says_so(project, server):
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    second = Server(project, "--port", str(port), "--out", "_site2", log="serve2.log")
    try:
        assert second.url != server.url
        assert f"port {port} is in use; serving on port" in second.output()
    finally:
        assert second.stop() == 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_cleanly(project, signum):
    srv = Server(project)
    assert srv.stop(signum) == 0
    assert "stopping" in srv.output() and "Traceback" not in srv.output()


def test_incremental_output_equals_a_full_build_after_edits(server, project, tmp_path):
    note = project / "content" / NOTE_EN
    replace_in(note, "wrote the first program", "wrote another program")
    (project / "content" / "notes" / "only-chinese.zh.md").unlink()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "removed" not in server.output():
        time.sleep(0.05)
    time.sleep(0.5)
    # serve indexes its first build for search in the background, in a staging folder inside
    # _site; compared while that ran, the served site had files a full build has not (CI saw it)
    server._wait_for(r"(search index ready in \d+ ms)")
    assert (project / "_site" / "pagefind" / "pagefind.js").is_file()
    full = tmp_path / "full"
    subprocess.run([sys.executable, "-m", "lecun_site", "build", "--drafts", "--base-url", "/", "--out", str(full)],
                   cwd=project, check=True, capture_output=True)
    def pages(folder):  # the index is of the first build, not updated on save
        return {path: data for path, data in tree_bytes(folder).items() if not path.startswith("pagefind/")}

    assert pages(project / "_site") == pages(full)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_stopping_while_the_index_is_made_ends_pagefind_and_leaves_nothing(project, tmp_path, monkeypatch):
    """serve indexes in the background, in a staging folder inside the output it serves. Before
    this was handled, a Ctrl-C meanwhile left Pagefind running on after serve and that folder
    in _site for good (13 MB at 1,000 notes)."""
    fake = fake_pagefind(tmp_path, 'echo $$ >> "$FAKE_PAGEFIND_PIDS"\nexec sleep 60\n')  # takes a minute
    pids_file = tmp_path / "pids"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    monkeypatch.setenv("FAKE_PAGEFIND_PIDS", str(pids_file))
    srv = Server(project)
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(pids) < 2:  # one run per language
            time.sleep(0.05)
            pids = [int(line) for line in pids_file.read_text().split()] if pids_file.exists() else []
        assert len(pids) == 2 and all(map(alive, pids))
        assert list((project / "_site").glob(".pagefind-*"))
        started = time.monotonic()
        assert srv.stop() == 0
        assert time.monotonic() - started < 5
    finally:
        for pid in pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
                dead = False
            else:
                dead = True
            assert dead, f"Pagefind (pid {pid}) outlived serve"
    assert list((project / "_site").glob(".pagefind-*")) == []
    assert not (project / "_site" / "pagefind").exists()
    assert "search index ready" not in srv.output() and "Traceback" not in srv.output()


def test_no_search_makes_no_index(project):
    quiet = Server(project, "--no-search")
    try:
        indexed = Server(project, "--out", "_site2", log="serve2.log")  # started later, it indexes as serve does by default
        try:
            indexed._wait_for(r"(search index ready in \d+ ms)")
        finally:
            assert indexed.stop() == 0
        assert (project / "_site2" / "pagefind").is_dir()
    finally:
        assert quiet.stop() == 0
    assert "search index" not in quiet.output() and not (project / "_site" / "pagefind").exists()


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2])
def test_ctrl_c_right_after_start_also_stops_cleanly(project, delay):
    srv = Server(project)
    time.sleep(delay)
    assert srv.stop() == 0
    assert "Traceback" not in srv.output()


@pytest.mark.slow
def test_the_real_serve_process_equals_clean_builds_over_edits_of_every_kind(tmp_path, cli):
    """Issue 19, black box: `lecun-site serve` as a process, files saved as an editor saves them;
    after each rebuild it reports, its output folder equals a clean `build --drafts --base-url /`
    (serve adds nothing to the files: the live-reload script is injected while serving)."""
    import random

    from edits import EDITS, Site

    site = Site(SITES / "minimal")
    rng = random.Random(19)
    srv = Server(site.root, "--no-search")
    try:
        for step, kind in enumerate(EDITS + ["title", "static", "body", "delete_note", "template"]):
            done = rebuilds(srv)
            getattr(site, kind)(rng)
            deadline = time.monotonic() + 30
            while rebuilds(srv) <= done:  # a rebuild for this edit…
                assert time.monotonic() < deadline and srv.proc.poll() is None, srv.output()
                time.sleep(0.05)
            settled = rebuilds(srv)
            time.sleep(0.6)
            while rebuilds(srv) != settled:  # …and no other one after it (an edit of two files)
                settled = rebuilds(srv)
                time.sleep(0.6)
            clean = tmp_path / f"clean-{step}"
            assert cli("build", "--content", site.content, "--out", clean, "--drafts", "--base-url", "/",
                       "--no-search", "--no-cache").code == 0
            assert tree_bytes(site.root / "_site") == tree_bytes(clean), f"after {kind} (step {step})\n{srv.output()}"
    finally:
        srv.stop()
        site.close()


def rebuilds(srv: Server) -> int:
    return len(re.findall(r"pages re-rendered|build failed", srv.output()))


def test_a_template_error_shows_in_the_overlay_with_file_and_line(project, page):
    (project / "templates").mkdir()
    override = project / "templates" / "note.html"
    good = '{% extends "default:note.html" %}\n{% block main %}<p id="mine">mine</p>{{ super() }}{% endblock %}\n'
    override.write_text(good, encoding="utf-8")
    srv = Server(project)
    try:
        page.goto(srv.url + "en/notes/intro/")
        assert page.locator("#mine").count() == 1
        for round, (broken, expected) in enumerate((
            ('{% extends "default:note.html" %}\n{% block main %}\n{% if %}{% endblock %}\n',
             r"templates/note\.html:3(:\d+)?: template syntax error"),
            ('{% extends "default:note.html" %}\n{% block main %}\n\n{{ nothing_here.x }}{% endblock %}\n',
             r"templates/note\.html:4(:\d+)?: 'nothing_here' is undefined"),
        )):
            save_like_an_editor(override, broken)
            overlay = page.locator("#lecun-overlay")
            overlay.wait_for(timeout=5000)
            assert re.search(expected, overlay.inner_text()), overlay.inner_text()
            assert "Traceback" not in srv.output()
            assert page.locator("h1").inner_text() == "Introduction"  # the last good page is still served
            save_like_an_editor(override, good.replace("mine</p>", f"fixed {round}</p>"))
            page.wait_for_function(f"document.body.innerText.includes('fixed {round}')", timeout=5000)
            assert page.locator("#lecun-overlay").count() == 0
    finally:
        assert srv.stop() == 0


def test_a_second_serve_or_a_build_on_a_served_folder_is_refused(server, project):
    def pages():  # the first server's search index is made in the background meanwhile
        return {k: v for k, v in tree_bytes(project / "_site").items() if not k.startswith(("pagefind/", ".pagefind-"))}

    before = pages()
    command = [sys.executable, "-m", "lecun_site"]
    second = subprocess.run([*command, "serve", "--port", "0", "--no-search"], cwd=project, capture_output=True,
                            text=True, timeout=60)
    assert second.returncode == 1
    assert re.search(r"_site is in use by `lecun-site serve` \(process \d+\)", second.stderr), second.stderr
    build = subprocess.run([*command, "build", "--no-search"], cwd=project, capture_output=True, text=True, timeout=60)
    assert build.returncode == 1 and "in use by `lecun-site serve`" in build.stderr
    assert "Traceback" not in second.stderr + build.stderr
    assert pages() == before  # nothing rebuilt under the first server
    # its own folder is fine
    other = subprocess.run([*command, "build", "--no-search", "--out", "elsewhere"], cwd=project, capture_output=True,
                           text=True, timeout=120)
    assert other.returncode == 0, other.stderr


def test_serve_previews_the_site_under_its_base_path(project, page):
    site_yaml = project / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("https://example.org/", "https://example.org/repo/"),
                         encoding="utf-8")
    srv = Server(project)
    try:
        assert srv.url.endswith("/repo/")
        root = srv.url.removesuffix("repo/")
        with urllib.request.urlopen(root) as response:  # / leads to the site
            assert response.url == srv.url
        try:
            urllib.request.urlopen(srv.url + "no/such/page/")
            raise AssertionError("a missing page was found")
        except urllib.error.HTTPError as error:
            assert error.code == 404
            body = error.read().decode("utf-8")
        links = re.findall(r'(?:href|src)="(/[^"]*)"', body)
        assert links and all(link.startswith("/repo/") for link in links)
        for link in links:  # the 404 page's own links work in the preview, as on GitHub Pages
            with urllib.request.urlopen(root + link.lstrip("/")) as response:
                assert response.status == 200, link
        page.goto(srv.url + "en/notes/intro/")
        replace_in(project / "content" / NOTE_EN, "wrote the first program", "wrote the BASE-PATH program")
        page.wait_for_function("document.body.innerText.includes('BASE-PATH')", timeout=5000)
    finally:
        assert srv.stop() == 0


def test_templates_and_static_made_while_serving_take_effect(server, project, page):
    assert not (project / "templates").exists() and not (project / "static").exists()
    page.goto(server.url + "en/notes/intro/")
    (project / "templates").mkdir()
    time.sleep(0.3)  # as a writer would: make the folder, then save a file in it
    save_like_an_editor(project / "templates" / "note.html",
                        '{% extends "default:note.html" %}{% block main %}<p id="late">late</p>{{ super() }}{% endblock %}')
    page.wait_for_selector("#late", timeout=5000)
    (project / "static").mkdir()
    time.sleep(0.3)
    (project / "static" / "extra.css").write_text("p { color: teal }\n", encoding="utf-8")
    deadline = time.monotonic() + 5
    while not (project / "_site" / "static" / "extra.css").is_file():
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)
    with urllib.request.urlopen(server.url + "static/extra.css") as response:
        assert response.read() == b"p { color: teal }\n"
    assert (project / "_site" / "static" / "site.css").is_file()  # the default one stays
