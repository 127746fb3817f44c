"""`lecun-site check`: every internal link, anchor and asset of a built site resolves.

Reads the files of an output folder (nothing else), so it checks what a reader, a crawler or a
feed reader gets: in HTML, links, scripts, images and their `srcset`, canonical and hreflang
alternates, Open Graph URLs and CSS `url()` in `style`; `url()` in the site's CSS files; every
URL of the sitemap and of the feeds. Relative URLs are resolved against their file;
root-absolute URLs against the site's base path (`/repo/` when the site is published under a
sub-path); absolute URLs of the site's own address (`https://user.github.io/repo/…`) are
checked like the others.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""")


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
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "link" and values.get("rel") == "canonical":
            self.canonical = values.get("href")
        for name in ("srcset",) if tag in ("img", "source") else ():
            for candidate in (values.get(name) or "").split(","):
                if candidate.strip():
                    self.links.append((tag, candidate.split()[0]))
        if tag == "meta" and values.get("property") in ("og:url", "og:image") and values.get("content"):
            self.links.append(("meta", values["content"]))
        for url in css_urls(values.get("style") or ""):
            self.links.append(("style", url))
        self._in_style = tag == "style"
        for name in ("id", "name") if tag == "a" else ("id",):
            ident = values.get(name)
            if ident:
                if ident in self.ids and name == "id":
                    self.duplicate_ids.add(ident)
                self.ids.add(ident)
        attr = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src"}.get(tag)
        if attr and values.get(attr):
            self.links.append((tag, values[attr]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.links.extend(("style", url) for url in css_urls(data))


def css_urls(css: str) -> list[str]:
    """The URLs of `url(…)` in a style sheet (data: URLs left out)."""
    found = (next(g for g in match.groups() if g is not None) for match in CSS_URL.finditer(css))
    return [url for url in found if url and not url.startswith(("data:", "#"))]


def xml_urls(path: Path) -> list[str]:
    """Every URL of a sitemap (`<loc>`, `xhtml:link href`) or feed (`<link href>`, RSS `<link>`)."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError:
        return []
    urls = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name == "loc" and element.text:
            urls.append(element.text.strip())
        elif name == "link":
            if element.get("href"):
                urls.append(element.get("href"))
            elif element.text and element.text.strip():
                urls.append(element.text.strip())
    return urls


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def check_site(out: Path, base_url: str | None = None) -> list[BrokenLink]:
    """All broken internal links, anchors and assets under `out`.

    `base_url` (an address, or only its path) defaults to the root page's canonical URL: the
    site's base_url. Absolute URLs of that address are the site's own, and are checked.
    """
    out = out.resolve()
    pages = {p.relative_to(out).as_posix(): p for p in sorted(out.rglob("*.html"))}
    parsed = {rel: parse_page(path) for rel, path in pages.items()}
    if base_url is None:
        root = parsed.get("index.html")
        base_url = root.canonical if root is not None and root.canonical else "/"
    base = urlsplit(base_url)
    site = _Site(out, parsed, origin=(base.scheme, base.netloc) if base.netloc else None,
                 base_path=base.path if base.path.endswith("/") else base.path + "/")
    broken: list[BrokenLink] = []
    for rel, page in parsed.items():
        for ident in sorted(page.duplicate_ids):
            broken.append(BrokenLink(rel, "#" + ident, "id used twice on the page"))
        broken.extend(site.check(rel, url) for tag, url in page.links)
    others = sorted(p for p in out.rglob("*") if p.suffix in (".css", ".xml") and p.is_file()
                    and "pagefind" not in p.relative_to(out).parts)
    for path in others:
        rel = path.relative_to(out).as_posix()
        urls = css_urls(path.read_text(encoding="utf-8", errors="replace")) if path.suffix == ".css" else xml_urls(path)
        broken.extend(site.check(rel, url) for url in urls)
    return [b for b in broken if b is not None]


@dataclass
class _Site:
    out: Path
    parsed: dict[str, PageParser]
    origin: tuple[str, str] | None  # (scheme, host) of the site's own address
    base_path: str

    def check(self, rel: str, url: str) -> BrokenLink | None:
        """A broken `url` (as written in `rel`), or None."""
        parts = urlsplit(url)
        local = url
        if self.origin and (parts.scheme, parts.netloc) == self.origin:
            if not (parts.path or "/").startswith(self.base_path):
                return None  # another site at the same address (user.github.io/other-repo/)
            local = parts._replace(scheme="", netloc="").geturl() or "/"
        problem = _check_one(self.out, rel, local, self.parsed, self.base_path)
        return BrokenLink(rel, url, problem) if problem else None


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
