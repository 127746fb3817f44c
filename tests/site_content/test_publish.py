"""Publishing the real site: served under a GitHub Pages sub-path, checked, searched, read from disk.

The real content is built once per session (conftest.published_site, base URL
https://user.github.io/repo/) and once here with --local; tests that break an output copy it first.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from xml.etree import ElementTree

import pytest
import yaml
from conftest import PUBLISHED_BASE_URL, ROOT, fake_pagefind, soup

from lecun_site.build import search
from lecun_site.build.pipeline import BuildOptions, build_site
from lecun_site.check import PageParser
from lecun_site.errors import Problems

CONTENT = ROOT / "content"
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


# ---------------------------------------------------------------- crawling over HTTP


def crawl(start: str) -> tuple[dict[str, int], dict[str, set[str]]]:
    """Fetch `start` and every internal href/src reachable from it (same origin, under the start
    path). Returns {url: HTTP status} and {url: pages linking to it}. Links that leave the
    start path on the same origin are recorded with status 0."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    base_path = urlsplit(start).path
    status: dict[str, int] = {}
    linked_from: dict[str, set[str]] = defaultdict(set)
    queue = [start]
    while queue:
        url = queue.pop()
        if url in status:
            continue
        if not urlsplit(url).path.startswith(base_path):
            status[url] = 0
            continue
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                status[url] = response.status
                kind = response.headers.get_content_type()
                body = response.read()
        except urllib.error.HTTPError as exc:
            status[url] = exc.code
            continue
        if kind != "text/html":
            continue
        parser = PageParser()
        parser.feed(body.decode("utf-8"))
        for _tag, href in parser.links:
            target = urldefrag(urljoin(url, href)).url
            if target.startswith(origin + "/"):
                linked_from[target].add(url)
                queue.append(target)
    return status, linked_from


def failures(status: dict[str, int], linked_from: dict[str, set[str]]) -> list[str]:
    return sorted(f"{url} → {code or 'outside the base path'} (linked from {sorted(linked_from[url])[:3]})"
                  for url, code in status.items() if code != 200)


def html_pages(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")}


def test_every_page_served_under_the_sub_path_resolves(published_site, static_server):
    out, _ = published_site
    root = static_server(out, "/repo/")
    status, linked_from = crawl(root)
    assert failures(status, linked_from) == []
    reached = {urlsplit(u).path[len("/repo/"):] or "index.html" for u in status}
    reached = {p + "index.html" if p.endswith("/") else p for p in reached}
    # every page is reached by following links, except the 404 page (GitHub Pages serves it)
    assert html_pages(out) - reached == {"404.html"}
    assert {"static/site.css", "static/favicon.svg", "zh/feed.xml", "en/feed.xml"} <= reached


def test_the_404_page_works_at_any_depth_under_the_sub_path(published_site, static_server):
    out, _ = published_site
    root = static_server(out, "/repo/")
    page = PageParser()
    page.feed((out / "404.html").read_text(encoding="utf-8"))
    links = [href for _tag, href in page.links if not href.startswith("#")]
    assert links and all(href.startswith(("/repo/", PUBLISHED_BASE_URL)) for href in links), links
    # GitHub Pages serves 404.html for /repo/any/depth/: its links must not depend on where it is
    for href in links:
        target = urljoin(root + "no/such/page/", href)
        if target.startswith(PUBLISHED_BASE_URL):
            continue  # the canonical link and its like: absolute on the published host
        with urllib.request.urlopen(target, timeout=10) as response:
            assert response.status == 200, target


def test_the_same_output_works_at_the_root_of_a_preview_server(published_site, static_server):
    out, _ = published_site
    status, linked_from = crawl(static_server(out))
    assert failures(status, linked_from) == []
    assert len([u for u in status if u.endswith("/")]) >= len(html_pages(out)) - 1


def test_absolute_urls_carry_the_base_url(published_site):
    out, _ = published_site
    for rel in ("index.html", "zh/index.html", "en/notes/overview/index.html", "zh/people/yann-lecun/index.html"):
        page = soup(out / rel)
        path = "" if rel == "index.html" else rel[: -len("index.html")]
        assert page.find("link", rel="canonical")["href"] == PUBLISHED_BASE_URL + path
        if rel != "index.html":
            assert page.find("meta", property="og:url")["content"] == PUBLISHED_BASE_URL + path
        for alternate in page.find_all("link", rel="alternate", hreflang=True):
            assert alternate["href"].startswith(PUBLISHED_BASE_URL), alternate

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    sitemap = ElementTree.parse(out / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.findall("s:url/s:loc", ns)]
    alternates = [e.get("href") for e in sitemap.findall("s:url/x:link", ns)]
    assert locs and all(u.startswith(PUBLISHED_BASE_URL) for u in locs + alternates)
    for url in locs:  # each one is a page of the output
        assert (out / url[len(PUBLISHED_BASE_URL):] / "index.html").is_file(), url
    assert not any("/search/" in u for u in locs), "search pages are not for search engines"

    atom = {"a": "http://www.w3.org/2005/Atom"}
    for lang in ("zh", "en"):
        feed = ElementTree.parse(out / lang / "feed.xml").getroot()
        urls = [e.get("href") for e in feed.iter("{http://www.w3.org/2005/Atom}link")]
        urls += [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}id")]
        assert len(feed.findall("a:entry", atom)) >= 5
        assert urls and all(u.startswith(PUBLISHED_BASE_URL + lang + "/") for u in urls), urls
    assert f"Sitemap: {PUBLISHED_BASE_URL}sitemap.xml" in (out / "robots.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- lecun-site check


def test_check_passes_on_the_real_site(published_site, cli):
    out, _ = published_site
    result = cli("check", "--out", out)
    assert result.code == 0, result.err
    assert re.match(r"checked \d+ pages: every internal link, anchor and asset resolves", result.out)


def _break_page(site: Path) -> tuple[str, str]:
    (site / "en/people/geoffrey-hinton/index.html").unlink()
    return "en/people/index.html: geoffrey-hinton/", "no such file"


def _break_anchor(site: Path) -> tuple[str, str]:
    timeline = site / "en/timeline/index.html"
    text = timeline.read_text(encoding="utf-8")
    assert text.count('id="ev-1989-zip-code"') == 1
    timeline.write_text(text.replace('id="ev-1989-zip-code"', 'id="renamed"'), encoding="utf-8")
    return "../../timeline/#ev-1989-zip-code", "no element with id 'ev-1989-zip-code'"


def _break_asset(site: Path) -> tuple[str, str]:
    (site / "static/site.css").unlink()
    return "zh/notes/overview/index.html: ../../../static/site.css", "no such file"


@pytest.mark.parametrize("breakage", [_break_page, _break_anchor, _break_asset], ids=["page", "anchor", "asset"])
def test_check_reports_each_breakage_with_its_page(published_site, cli, tmp_path, breakage):
    out, _ = published_site
    site = tmp_path / "site"
    shutil.copytree(out, site)
    where, reason = breakage(site)
    result = cli("check", "--out", site)
    assert result.code == 1
    lines = result.err.splitlines()
    assert any(where in line and line.endswith(reason) for line in lines), result.err[:2000]
    # every report names the page it is on (a file of the site) before the URL
    for line in lines[:-1]:
        page = line.split(": ", 1)[0]
        assert (site / page).is_file() or page == "404.html", line
    assert re.fullmatch(r"\d+ broken link\(s\) in \d+ pages", lines[-1])


# ---------------------------------------------------------------- the GitHub Pages workflow


def test_the_pages_workflow_builds_with_the_pages_url_and_deploys_with_the_official_actions():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    for action in ("actions/checkout", "actions/configure-pages", "actions/upload-pages-artifact"):
        assert action in uses, action
    configure = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/configure-pages"))
    build_step = next(s for s in build["steps"] if "lecun-site build" in s.get("run", ""))
    assert "--base-url" in build_step["run"]
    assert "--no-cache" in build_step["run"]  # nothing is kept between runs: no cache, no signer left running
    pages_url = f"steps.{configure['id']}.outputs.base_url"
    assert pages_url in json.dumps(build_step)  # the repository's Pages URL, not a hard-coded one
    out = re.search(r"--out (\S+)", build_step["run"])[1]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == out
    assert any("pip install -c .github/constraints.txt ." in s.get("run", "") for s in build["steps"])
    assert any("lecun-site check" in s.get("run", "") for s in build["steps"])
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    # the current major of each official action (December 2026), not one a generation old
    majors = {"actions/checkout": 7, "actions/setup-python": 7, "actions/configure-pages": 6,
              "actions/upload-pages-artifact": 5, "actions/deploy-pages": 5}
    for step in build["steps"] + deploy["steps"]:
        if "uses" in step:
            action, version = step["uses"].split("@")
            assert int(version.lstrip("v")) >= majors[action], step["uses"]


def test_the_pages_workflow_installs_pinned_releases_within_the_declared_ranges():
    from packaging.requirements import Requirement

    pins = {}
    for line in (ROOT / ".github" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for text in declared:
        requirement = Requirement(text)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{name} is not pinned in .github/constraints.txt"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement.specifier}"
        for extra in requirement.extras:  # pagefind[extended] -> pagefind-bin-extended
            assert f"{name}-bin-{extra}" in pins


def test_readme_explains_the_one_time_pages_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Settings → Pages" in readme and "GitHub Actions" in readme
    assert ".github/workflows/pages.yml" in readme


# ---------------------------------------------------------------- search


def test_the_build_writes_a_search_index_per_language(published_site):
    out, report = published_site
    assert report.warnings == []
    assert report.timings["search"] > 0
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert set(entry["languages"]) == {"zh-hans", "en"}
    # content pages only: not the search pages, the 404 page or the language chooser
    for lang in ("zh", "en"):
        assert "data-pagefind-body" in (out / lang / "notes/overview/index.html").read_text(encoding="utf-8")
        assert "data-pagefind-body" not in (out / lang / "search/index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in (out / "404.html").read_text(encoding="utf-8")


def test_every_page_links_to_the_search_page_of_its_language(published_site):
    out, _ = published_site
    for lang, label in (("zh", "搜索"), ("en", "Search")):
        nav = soup(out / lang / "notes/overview/index.html").select_one("nav.site-nav")
        link = nav.find("a", string=label)
        assert link is not None and link["href"] == "../../search/"


def search_results(page, url: str, query: str) -> list[str]:
    """Type `query` into the search page at `url`; the result links Pagefind's UI shows."""
    page.goto(url)
    page.fill(".pagefind-ui__search-input", query)
    page.wait_for_selector(".pagefind-ui__result-link")
    page.wait_for_function("document.querySelector('.pagefind-ui__message')?.textContent.match(/\\d/)")
    return page.eval_on_selector_all(".pagefind-ui__result-link", "links => links.map(a => a.getAttribute('href'))")


def all_results(page, query: str) -> list[str]:
    """Every result for `query` through Pagefind's JS API, in rank order (same index as the UI)."""
    return page.evaluate("""async (query) => {
        const pagefind = await import(new URL('../../pagefind/pagefind.js', location.href).href);
        const search = await pagefind.search(query);
        return Promise.all(search.results.map(async r => (await r.data()).url));
    }""", query)


@pytest.fixture
def served(published_site, static_server):
    out, _ = published_site
    return static_server(out, "/repo/")


def test_search_finds_a_chinese_word_in_chinese_pages_only(page, served):
    shown = search_results(page, served + "zh/search/", "卷积")
    assert shown[0] == "/repo/zh/topics/cnn/"
    assert "/repo/zh/notes/heroes-interview/" in all_results(page, "卷积")[:10]
    everything = all_results(page, "卷积")
    # a Chinese word inside longer words (卷积网络, 卷积神经网络) is found: the index is segmented
    assert len(everything) > 25  # (9 with the segmentation bug of Pagefind 1.5; lists on entity pages are not indexed)
    for slug in ("heroes-interview", "forty-years-documentary", "documentary-recap", "overview"):
        assert f"/repo/zh/notes/{slug}/" in everything, slug
    assert all(u.startswith("/repo/zh/") for u in everything)
    # a result opens its page, under the sub-path
    page.click("a.pagefind-ui__result-link[href='/repo/zh/topics/cnn/']")
    page.wait_for_url("**/repo/zh/topics/cnn/")
    assert "卷积" in page.locator("h1").inner_text()


def test_search_finds_an_english_word_in_english_pages_only(page, served):
    shown = search_results(page, served + "en/search/", "backpropagation")
    assert shown[0] == "/repo/en/topics/backpropagation/"
    everything = all_results(page, "backpropagation")
    assert "/repo/en/notes/heroes-interview/" in everything
    assert "/repo/en/notes/overview/" in everything
    assert all(u.startswith("/repo/en/") for u in everything)
    # and a Chinese query on the English page finds English pages only (no Chinese index loaded)
    assert all(u.startswith("/repo/en/") for u in all_results(page, "卷积"))


def test_a_source_is_found_on_its_own_page_not_on_every_page_citing_it(published_site, page, served):
    out, _ = published_site
    # "vpshk" is only the publisher of one source (content/sources/meta-departure-article.yaml);
    # notes cite that source, and so show the publisher in their references
    citing = [p for p in (out / "en" / "notes").glob("*/index.html") if "vpshk" in p.read_text(encoding="utf-8")]
    assert citing
    for path in citing:
        references = soup(path).select_one("section.references")
        assert "vpshk" in references.get_text() and references.has_attr("data-pagefind-ignore")
    page.goto(served + "en/search/")
    found = all_results(page, "vpshk")
    assert "/repo/en/sources/meta-departure-article/" in found
    assert not any(u.startswith("/repo/en/notes/") for u in found), found


def test_a_search_link_with_a_query_runs_it(page, served):
    page.goto(served + "en/search/?q=Bell%20Labs")
    page.wait_for_selector(".pagefind-ui__result-link")
    assert page.input_value(".pagefind-ui__search-input") == "Bell Labs"


def test_missing_pagefind_is_a_warning_and_the_search_page_says_so(minimal_site, tmp_path, cli, monkeypatch,
                                                                   page, static_server):
    monkeypatch.setattr(search, "find_pagefind", lambda: None)
    out = tmp_path / "_site"
    result = cli("build", "--content", minimal_site, "--out", out)
    assert result.code == 0
    assert "search: warning: Pagefind is not installed" in result.err
    assert "pip install 'pagefind[extended]" in result.err
    assert not (out / "pagefind").exists()
    assert cli("check", "--out", out).code == 0  # the search page links to nothing that is missing
    page.goto(static_server(out) + "en/search/")
    page.wait_for_selector("#search-unavailable", state="visible")
    assert "without a search index" in page.inner_text("#search-unavailable")
    assert page.locator("#search-needs-server").is_hidden()


def test_a_failing_or_plain_pagefind_binary_is_a_warning(tmp_path, monkeypatch):
    from lecun_site.errors import Problems

    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.setattr(search, "find_pagefind", lambda: Path(shutil.which("false")))
    problems = Problems()
    search.index_search(folder, problems)
    messages = [p.format() for p in problems.items]
    assert all(p.is_warning for p in problems.items)
    assert any("without Chinese word segmentation" in m for m in messages)
    assert any("Pagefind failed (exit 1); the site was built without a search index" in m for m in messages)



def test_a_failing_binary_is_reported_with_its_last_lines_of_output(tmp_path, monkeypatch):
    folder = tmp_path / "site"
    (folder / "en").mkdir(parents=True)
    binary = fake_pagefind(tmp_path, "echo 'indexing en'\necho 'Error: no such thing as a page' >&2\nexit 3\n")
    monkeypatch.setattr(search, "find_pagefind", lambda: binary)
    problems = Problems()
    search.index_search(folder, problems)
    [warning] = [p.format() for p in problems.items]
    assert "Pagefind failed (exit 3)" in warning and "Error: no such thing as a page" in warning


def test_a_stopped_index_ends_pagefind_and_removes_what_it_had_written(tmp_path, monkeypatch):
    """One language: the single run, which writes into the site's pagefind/ directly (serve's
    two-language case is in tests/test_serve.py)."""
    import os
    import threading

    folder = tmp_path / "site"
    (folder / "en").mkdir(parents=True)
    pid_file = tmp_path / "pid"
    binary = fake_pagefind(tmp_path, f'echo $$ > {pid_file}\nmkdir -p "$2/pagefind" && echo half > "$2/pagefind/x.js"\n'
                                     "exec sleep 60\n")
    monkeypatch.setattr(search, "find_pagefind", lambda: binary)
    stop = threading.Event()
    timer = threading.Timer(1.0, stop.set)
    timer.start()
    try:
        with pytest.raises(search.Stopped):
            search.index_search(folder, Problems(), stop)
    finally:
        timer.cancel()
    assert not (folder / "pagefind").exists()
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)

# ---------------------------------------------------------------- browsing from disk (file://)


@pytest.fixture(scope="module")
def local_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "_site"
    build_site(BuildOptions(content=CONTENT, out=out, local=True))
    return out


def test_local_build_links_name_files(local_site):
    for rel in ("index.html", "zh/index.html", "en/notes/overview/index.html", "zh/timeline/index.html"):
        page = PageParser()
        page.feed((local_site / rel).read_text(encoding="utf-8"))
        for tag, href in page.links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("#"):
                continue
            assert not href.startswith("/"), (rel, href)
            assert parts.path.endswith((".html", ".css", ".svg", ".png", ".xml", ".js")), (rel, href)


def test_a_reader_browses_a_local_build_from_disk(page, local_site):
    start = (local_site / "index.html").as_uri()
    page.goto(start)
    page.click("a[hreflang='zh-Hans']")
    assert page.url.endswith("/zh/index.html")
    home_title = page.title()

    page.click("h2.home-note-title a")
    assert page.url.endswith("/zh/notes/overview/index.html")
    note_title = page.locator("h1").inner_text()
    assert note_title

    page.click(".side-column a.chip.person >> nth=0")  # a note's people are beside (or after) its text
    assert re.search(r"/zh/people/[a-z0-9-]+/index\.html$", page.url)
    person_url = page.url
    assert page.locator("h1").inner_text()

    page.click("nav.site-nav >> text=时间线")
    assert page.url.endswith("/zh/timeline/index.html")
    assert page.locator("#ev-1989-zip-code").is_visible()
    page.click("#ev-1989-zip-code summary")  # an event's details open on demand
    page.click("#ev-1989-zip-code a[href*='/notes/'] >> nth=0")  # from an event to a note about it
    assert re.search(r"/zh/notes/[a-z0-9-]+/index\.html$", page.url)

    page.go_back()
    assert page.url.endswith("/zh/timeline/index.html")
    page.go_back()
    assert page.url == person_url
    page.go_back()
    assert page.locator("h1").inner_text() == note_title
    page.go_back()
    assert page.title() == home_title
    page.click("a.lang-switch")
    assert page.url.endswith("/en/index.html")


def test_the_search_page_opened_from_disk_says_it_needs_a_web_server(page, local_site):
    page.goto((local_site / "en" / "search" / "index.html").as_uri())
    notice = page.locator("#search-needs-server")
    assert notice.is_visible()
    assert "file://" in notice.inner_text() and "python3 -m http.server" in notice.inner_text()
    assert page.locator("#search-unavailable").is_hidden()


def test_a_normal_build_opened_from_disk_says_so_too(page, published_site):
    out, _ = published_site
    page.goto((out / "zh" / "search" / "index.html").as_uri())
    page.wait_for_selector("#search-needs-server", state="visible")


def test_local_is_also_a_site_setting(minimal_site, tmp_path, cli):
    site_yaml = minimal_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "local: true\n", encoding="utf-8")
    out = tmp_path / "_site"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    nav = soup(out / "en" / "index.html").select_one("nav.site-nav")
    hrefs = [a["href"] for a in nav.find_all("a")]
    assert hrefs[:2] == ["index.html", "notes/index.html"]
    assert all(href.endswith("index.html") for href in hrefs), hrefs


def test_languages_indexed_apart_merge_into_what_one_run_makes(minimal_site, tmp_path):
    """search.py indexes zh and en in two Pagefind processes at once and merges them; the
    result must be the index one run over the whole site makes."""
    import json
    import subprocess

    binary = search.find_pagefind()
    if binary is None:
        pytest.fail("Pagefind is a dependency of the project (pyproject); it must be installed")
    out = tmp_path / "_site"
    build_site(BuildOptions(content=minimal_site, out=out, search=False, cache=False))
    problems = Problems()
    search.index_search(out, problems)
    assert problems.items == []
    merged = {p.relative_to(out / "pagefind").as_posix(): p.read_bytes()
              for p in (out / "pagefind").rglob("*") if p.is_file()}
    subprocess.run([str(binary), "--site", str(out), "--output-path", str(tmp_path / "single"), "--silent"],
                   check=True, timeout=300)
    single = {p.relative_to(tmp_path / "single").as_posix(): p.read_bytes()
              for p in (tmp_path / "single").rglob("*") if p.is_file()}
    entry = "pagefind-entry.json"
    assert json.loads(merged.pop(entry)) == json.loads(single.pop(entry))
    assert merged == single and len(merged) > 10
