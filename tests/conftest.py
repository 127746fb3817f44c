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


def _is_tree(value) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, str) and isinstance(v, bytes) for k, v in value.items())


def describe_tree_difference(left: dict[str, bytes], right: dict[str, bytes], context: int = 2,
                             most: int = 40) -> list[str]:
    """Which files of two `tree_bytes` differ, and where the first one does, in a few lines.

    pytest's own account of two unequal dicts of whole pages is the pages themselves; on CI,
    where it truncates nothing, that buried the failing test's name under megabytes."""
    import difflib

    only_left = sorted(left.keys() - right.keys())
    only_right = sorted(right.keys() - left.keys())
    changed = sorted(k for k in left.keys() & right.keys() if left[k] != right[k])
    lines = [f"two trees of {len(left)} and {len(right)} files: {len(changed)} differ, "
             f"{len(only_left)} only on the left, {len(only_right)} only on the right"]
    lines += [f"  only left: {k}" for k in only_left[:10]] + [f"  only right: {k}" for k in only_right[:10]]
    lines += [f"  differs: {k}" for k in changed[:10]]
    if changed:
        first = changed[0]
        a = left[first].decode("utf-8", "replace").splitlines()
        b = right[first].decode("utf-8", "replace").splitlines()
        diff = list(difflib.unified_diff(a, b, f"left/{first}", f"right/{first}", n=context, lineterm=""))
        lines += [line[:300] for line in diff[:most]] + (["  ..."] if len(diff) > most else [])
    return lines


def pytest_assertrepr_compare(op, left, right):
    if op == "==" and _is_tree(left) and _is_tree(right):
        return describe_tree_difference(left, right)
    return None


def fake_pagefind(tmp_path: Path, script: str) -> Path:
    """A stand-in Pagefind binary running `script` (sh), for failures and slow runs."""
    binary = tmp_path / "bin" / "pagefind_extended"
    binary.parent.mkdir(exist_ok=True)
    binary.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    binary.chmod(0o755)
    return binary


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
def graph():
    """The graph of content/ (the LeCun site), loaded once for the session; read-only."""
    from lecun_site.content.config import load_config
    from lecun_site.content.loader import load_content
    from lecun_site.errors import Problems
    from lecun_site.site.graph import build_graph

    problems = Problems()
    config = load_config(ROOT / "content")
    return build_graph(load_content(ROOT / "content", config, problems), problems)


@pytest.fixture(scope="session")
def published_site(tmp_path_factory):
    """content/ built once per session as GitHub Pages would publish it (under /repo/), with its
    search index. Read-only: a test that breaks it must work on a copy."""
    from lecun_site.build.pipeline import BuildOptions, build_site

    out = tmp_path_factory.mktemp("published") / "_site"
    report = build_site(BuildOptions(content=ROOT / "content", out=out, base_url=PUBLISHED_BASE_URL))
    return out, report


# ---------------------------------------------------------------- markers

# Tests mirror the package's folders. Those that build whole sites, start servers or drive the
# browser are `slow`; `pytest -m "not slow"` runs the rest (the `unit` tests) in about a minute
# on two cores. `browser` marks every test that uses the browser.
SLOW_FOLDERS = {"build", "serve", "site_content", "bench"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if "browser" in getattr(item, "fixturenames", ()) or "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif folder in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)
        elif not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.unit)
