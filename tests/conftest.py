"""Shared fixtures: small sites written into tmp_path, a CLI runner, and an HTML reader."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

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
