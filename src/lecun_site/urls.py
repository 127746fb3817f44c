"""The URL scheme, in one place. Site paths start with '/' and directories end with '/'.

Pages link to each other with *relative* URLs (`relative`), so one output works at the
root of a preview server, under a GitHub Pages sub-path, and (with `local=True`, which adds
`index.html`) straight from disk over file://. Absolute URLs (canonical, feeds, sitemap)
come from SiteConfig.absolute.
"""

from __future__ import annotations

import posixpath
from typing import Callable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit


def home(lang: str) -> str:
    return f"/{lang}/"


def note(lang: str, slug: str) -> str:
    return f"/{lang}/notes/{slug}/"


def notes_index(lang: str) -> str:
    return f"/{lang}/notes/"


def transcript(lang: str, slug: str) -> str:
    return f"/{lang}/transcripts/{slug}/"


def transcript_parallel(lang: str, slug: str) -> str:
    return f"/{lang}/transcripts/{slug}/parallel/"


def timeline(lang: str) -> str:
    return f"/{lang}/timeline/"


def people(lang: str) -> str:
    return f"/{lang}/people/"


def person(lang: str, person_id: str) -> str:
    return f"/{lang}/people/{person_id}/"


def topics(lang: str) -> str:
    return f"/{lang}/topics/"


def topic(lang: str, topic_id: str) -> str:
    return f"/{lang}/topics/{topic_id}/"


def sources(lang: str) -> str:
    return f"/{lang}/sources/"


def source(lang: str, source_id: str) -> str:
    return f"/{lang}/sources/{source_id}/"


def fact_check(lang: str) -> str:
    return f"/{lang}/fact-check/"


def search(lang: str) -> str:
    return f"/{lang}/search/"


def feed(lang: str) -> str:
    return f"/{lang}/feed.xml"


def internal(lang: str, section: str, key: str = "") -> str:
    """The page an `@/section/key` link names: every section lives at /{lang}/{section}/{key}/."""
    path = f"/{lang}/" if section == "home" else f"/{lang}/{section}/"
    return path + (f"{key}/" if key else "")


def out_path(site_path: str) -> str:
    """The file a site path is written to, relative to the output folder."""
    path = site_path.lstrip("/")
    if not path or path.endswith("/"):
        return path + "index.html"
    return path


def relative(from_path: str, to_path: str, local: bool = False) -> str:
    """A relative URL from the page at `from_path` to `to_path` (which may carry a #fragment).

    Every page computes hundreds of these, so it works on the path segments directly; it
    gives what `posixpath.relpath` gives for the normalised site paths this module makes
    (tests/test_records.py checks the two agree), and falls back to it for anything else."""
    target, hash_mark, fragment = to_path.partition("#")
    if target == "":
        return "#" + fragment
    from_dir = from_path if from_path.endswith("/") else from_path[: from_path.rfind("/") + 1]
    if _plain(from_dir) and _plain(target):
        here = from_dir[1:-1].split("/") if from_dir != "/" else []
        there = target[1:].rstrip("/").split("/") if target != "/" else []
        common = 0
        for a, b in zip(here, there):
            if a != b:
                break
            common += 1
        rel = "/".join([".."] * (len(here) - common) + there[common:]) or "."
    else:
        rel = posixpath.relpath(target, from_dir or "/")
    if target.endswith("/"):
        rel = "./" if rel == "." else rel + "/"
        if local:
            rel = rel + "index.html" if rel != "./" else "index.html"
    return rel + (hash_mark + fragment if hash_mark else "")


class Relative:
    """`relative(from_path, to_path, local)` for the pages of a whole build, remembered across
    pages: a link from one note page to the stylesheet, a person or another note is the same
    from every page of the same folder (every note page lives in /{lang}/notes/), unless it
    points into the page's own folder. A 4,000-note site has ~440,000 links per language but
    ~56,000 distinct (folder, target) pairs. Bounded: the memory is emptied when it is full,
    which costs little, as the links every page has (menus, assets) come back at once.
    tests/test_urls.py checks it against `relative` itself."""

    LIMIT = 10_000

    def __init__(self, local: bool = False) -> None:
        self.local = local
        self._memo: dict[tuple[str, str], str] = {}

    def for_page(self, from_path: str) -> Callable[[str], str]:
        """A function giving the relative URL of a site path from the page at `from_path`."""
        local, memo = self.local, self._memo
        from_dir = from_path if from_path.endswith("/") else from_path[: from_path.rfind("/") + 1]
        own = from_dir[:-1]  # a target that starts with this may be in the page's own folder
        parent = from_dir[: own.rfind("/") + 1]
        shareable = bool(own) and _plain(from_dir)
        done: dict[str, str] = {}

        def link(target: str) -> str:
            if shareable and not target.startswith(own):
                # the page's own folder is not a prefix of `target`, so the relative URL
                # depends only on the parent folder (how many "..", and what follows them)
                found = memo.get((parent, target))
                if found is None:
                    if len(memo) >= self.LIMIT:
                        memo.clear()
                    found = memo[(parent, target)] = relative(from_path, target, local)
                return found
            found = done.get(target)
            if found is None:
                found = done[target] = relative(from_path, target, local)
            return found

        return link


def _plain(path: str) -> bool:
    """An absolute path with no empty, '.' or '..' segment (what the functions above make)."""
    return path.startswith("/") and "//" not in path and "/." not in path


def media_link(url: str | None, seconds: int | None) -> str | None:
    """A link that opens the media at `seconds`: YouTube and Bilibili `?t=` (`?start=` for a YouTube
    embed), anything else a `#t=` media fragment. A time already in the URL is replaced."""
    if not url or seconds is None:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if any(host == d or host.endswith("." + d) for d in ("youtube.com", "youtube-nocookie.com", "youtu.be",
                                                          "bilibili.com")):
        key = "start" if parts.path.startswith("/embed/") else "t"
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("t", "start")]
        query.append((key, str(seconds)))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, f"t={seconds}"))


# --------------------------------------------------------------------------- media

VARIANT_WIDTHS = (480, 960, 1600)  # smaller copies made of a raster image wider than the first


def media(key: str) -> str:
    """The site path of an image of content/ (its content-relative path): published once, under
    /media/ (content/media/x.jpg → /media/x.jpg; notes/bell-labs/desk.jpg → /media/notes/bell-labs/desk.jpg)."""
    return "/" + (key if key.startswith("media/") else "media/" + key)


def media_variants(key: str, kind: str, width: int | None) -> list[tuple[str, int]]:
    """(site path, width) of the smaller copies of a large raster image (none for SVG and GIF)."""
    if kind in ("svg", "gif") or not width:
        return []
    stem, dot, suffix = media(key).rpartition(".")
    return [(f"{stem}-{w}w.{suffix}", w) for w in VARIANT_WIDTHS if w < width]


def social_card(page_url: str) -> str:
    """The site path of a page's social card: /cards/zh/notes/overview.png for /zh/notes/overview/."""
    path = page_url.strip("/") or "index"
    return f"/cards/{path}.png"


def video_embed(url: str) -> tuple[str, str] | None:
    """(host name, the privacy-friendly player address) for a YouTube or Bilibili video page."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    query = dict(parse_qsl(parts.query))
    if host.endswith("youtube.com") and query.get("v"):
        return "YouTube", f"https://www.youtube-nocookie.com/embed/{quote(query['v'])}?autoplay=1"
    if host == "youtu.be" and parts.path.strip("/"):
        return "YouTube", f"https://www.youtube-nocookie.com/embed/{quote(parts.path.strip('/'))}?autoplay=1"
    if host.endswith("bilibili.com") and parts.path.startswith("/video/"):
        video = parts.path.split("/")[2]
        key = "aid" if video.startswith("av") else "bvid"
        value = video[2:] if key == "aid" else video
        return "Bilibili", f"https://player.bilibili.com/player.html?{key}={quote(value)}&autoplay=1"
    return None
