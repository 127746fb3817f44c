"""`lecun-site check`: every internal link, anchor and asset of a built site resolves.

Reads the HTML files of an output folder (nothing else), so it checks what a reader gets.
Relative URLs are resolved against each page; root-absolute URLs against the site's base
path (`/repo/` when the site is published under a sub-path).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class BrokenLink:
    page: str  # the page's path inside the output folder
    url: str
    reason: str

    def format(self) -> str:
        return f"{self.page}: {self.url}: {self.reason}"


class PageParser(HTMLParser):
    """Collects ids, links (a/link/script/img/source/iframe) and the <html lang> of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.lang: str | None = None
        self.duplicate_ids: set[str] = set()
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "link" and values.get("rel") == "canonical":
            self.canonical = values.get("href")
            return
        for name in ("id", "name") if tag == "a" else ("id",):
            ident = values.get(name)
            if ident:
                if ident in self.ids and name == "id":
                    self.duplicate_ids.add(ident)
                self.ids.add(ident)
        attr = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src"}.get(tag)
        if attr and values.get(attr):
            self.links.append((tag, values[attr]))

    handle_startendtag = handle_starttag


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def check_site(out: Path, base_path: str | None = None) -> list[BrokenLink]:
    """All broken internal links, anchors and assets in the HTML under `out`.

    `base_path` defaults to the path of the root page's canonical URL (the site's base_url).
    """
    out = out.resolve()
    pages = {p.relative_to(out).as_posix(): p for p in sorted(out.rglob("*.html"))}
    parsed = {rel: parse_page(path) for rel, path in pages.items()}
    if base_path is None:
        root = parsed.get("index.html")
        base_path = urlsplit(root.canonical).path if root is not None and root.canonical else "/"
        base_path = base_path if base_path.endswith("/") else base_path + "/"
    broken: list[BrokenLink] = []
    for rel, page in parsed.items():
        for ident in sorted(page.duplicate_ids):
            broken.append(BrokenLink(rel, "#" + ident, "id used twice on the page"))
        for tag, url in page.links:
            problem = _check_one(out, rel, url, parsed, base_path)
            if problem:
                broken.append(BrokenLink(rel, url, problem))
    return broken


def _check_one(out: Path, rel: str, url: str, parsed: dict[str, PageParser], base_path: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None if parts.scheme in ("http", "https", "mailto") else (
            "script link" if parts.scheme in ("javascript", "vbscript") else None)
    path = unquote(parts.path)
    if path == "":
        target_rel = rel
    elif path.startswith("/"):
        if not path.startswith(base_path):
            return f"outside the site's base path {base_path}"
        target_rel = path[len(base_path):]
    else:
        target_rel = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
        if path.endswith("/"):
            target_rel += "/"
    if target_rel.startswith("../") or target_rel == "..":
        return "points outside the site"
    if target_rel in ("", ".", "./") or target_rel.endswith("/"):
        target_rel = (target_rel.rstrip("/") + "/index.html").lstrip("./") if target_rel not in ("", ".", "./") else "index.html"
    file = out / target_rel
    if not file.is_file():
        if (out / target_rel / "index.html").is_file():
            target_rel = target_rel + "/index.html"
        else:
            return "no such file"
    fragment = unquote(parts.fragment)
    if fragment and target_rel.endswith(".html"):
        target = parsed.get(target_rel)
        if target is not None and fragment not in target.ids:
            return f"no element with id '{fragment}'"
    return None
