"""The URL scheme, in one place. Site paths start with '/' and directories end with '/'.

Pages link to each other with *relative* URLs (`relative`), so one output works at the
root of a preview server, under a GitHub Pages sub-path, and (with `local=True`, which adds
`index.html`) straight from disk over file://. Absolute URLs (canonical, feeds, sitemap)
come from SiteConfig.absolute.
"""

from __future__ import annotations

import posixpath


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


def _plain(path: str) -> bool:
    """An absolute path with no empty, '.' or '..' segment (what the functions above make)."""
    return path.startswith("/") and "//" not in path and "/." not in path
