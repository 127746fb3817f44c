"""Shared fixtures: small sites written into tmp_path, a CLI runner, and an HTML reader."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, unavailable
from lecun_site.check import PageParser, parse_page
from lecun_site.cli import main

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SITES = TESTS / "sites"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture
def minimal_site(tmp_path: Path) -> Path:
    """A copy of tests/sites/minimal, safe to edit."""
    target = tmp_path / "content"
    shutil.copytree(SITES / "minimal", target)
    return target


@pytest.fixture
def site_tree(tmp_path: Path):
    """Write {relative path: text} into tmp_path/content; returns the content folder."""

    def write(files: dict[str, str], base: Path | None = None) -> Path:
        root = base or tmp_path / "content"
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return write


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """Run `lecun-site ARGS` in-process; returns exit code and captured output."""

    def run(*args: str) -> Result:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def read_page(path: Path) -> PageParser:
    return parse_page(path)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def soup(path: Path):
    """The page parsed as a browser would read it (BeautifulSoup over html.parser)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by playwright, with the path and flags the benchmark uses
    (benchmarks/browser.py). Skips with a reason where it is missing, except under
    REQUIRE_BROWSER=1 (CI), where a missing browser is a failure."""
    import os

    reason = unavailable()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def static_server():
    """Serve a folder over HTTP on 127.0.0.1 (optionally under a sub-path); stopped after the test."""
    import functools
    import http.server
    import threading

    servers = []

    def start(folder: Path, prefix: str = "/") -> str:
        class Handler(http.server.SimpleHTTPRequestHandler):
            def translate_path(self, path):
                if not path.startswith(prefix):
                    return str(folder / "__nothing_here__")
                return super().translate_path("/" + path[len(prefix):])

            def log_message(self, *args):
                pass

        handler = functools.partial(Handler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{prefix}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- the real site, as published

PUBLISHED_BASE_URL = "https://user.github.io/repo/"


@pytest.fixture(scope="session")
def published_site(tmp_path_factory):
    """content/ built once per session as GitHub Pages would publish it (under /repo/), with its
    search index. Read-only: a test that breaks it must work on a copy."""
    from lecun_site.pipeline import BuildOptions, build_site

    out = tmp_path_factory.mktemp("published") / "_site"
    report = build_site(BuildOptions(content=ROOT / "content", out=out, base_url=PUBLISHED_BASE_URL))
    return out, report
