"""What a build publishes besides pages and static files: each image of content/ once (at
/media/…), smaller copies of a large one for `srcset`, and the social cards (cards.py).

Derived files are made once and kept by what they are made from (an image's digest and width,
a card's text) in a folder beside the output (`._site.cache/assets/`, or a temporary one with
`--no-cache`); the writers publish them with the static files (`assets(...)` gives the map).
"""

from __future__ import annotations

from pathlib import Path

from .. import urls
from ..errors import Problems
from ..parallel import fan_out
from ..render.figures import own_media
from ..site.graph import SiteGraph
from ..site.pages import PageJob
from . import cards
from .signatures import stable_hash

CARD_VERSION = 1  # drawn differently: every card is drawn again
# the pages each list page's card names: its menu label
_LIST_LABELS = {"notes": "nav_notes", "timeline": "nav_timeline", "people": "nav_people", "topics": "nav_topics",
                "sources": "nav_sources", "fact-check": "nav_fact_check", "search": "nav_search"}
PARALLEL_MIN_CARDS = 24


def social_cards_on(graph: SiteGraph, problems: Problems) -> bool:
    """Whether this build draws social cards: asked for, and a CJK font found (else a warning)."""
    if not graph.config.social_cards:
        return False
    if cards.cjk_font() is None:
        problems.warn(graph.config.path, "social_cards: no font with Chinese glyphs was found, so no card is "
                      "drawn and pages name none", hint="install one: apt-get install fonts-noto-cjk")
        return False
    return True


def needs_card(graph: SiteGraph, job: PageJob) -> bool:
    """A card for every HTML page except the 404 one, unless its own picture will do."""
    if not job.is_html or job.kind == "404":
        return False
    return own_media(graph, job.kind, job.key, job.lang or graph.config.default_language) is None


def assets(graph: SiteGraph, jobs: list[PageJob], content: Path, folder: Path, strings: dict,
           with_cards: bool) -> dict[str, Path]:
    """{output path: file} of every image, image copy and card the site publishes."""
    found: dict[str, Path] = {}
    todo_copies = []
    for media in graph.media.values():
        found[urls.media(media.rel)[1:]] = content / media.rel
        for site_path, width in urls.media_variants(media.rel, media.kind, media.width):
            made = folder / "variants" / f"{media.digest}-{width}.{site_path.rsplit('.', 1)[1]}"
            found[site_path[1:]] = made
            if not made.is_file():
                todo_copies.append((content / media.rel, made, width, media.kind))
    for item in todo_copies:
        _resize(*item)
    if with_cards:
        todo_cards = []
        site_names = {lang: graph.config.title.get(lang) for lang in graph.languages}
        for job in jobs:
            if not needs_card(graph, job):
                continue
            lang = job.lang or graph.config.default_language
            title, eyebrow = card_text(graph, strings[lang], job, lang)
            made = folder / "cards" / f"{stable_hash(CARD_VERSION, title, eyebrow, site_names[lang], lang)}.png"
            found[urls.social_card(job.url)[1:]] = made
            if not made.is_file():
                todo_cards.append((title, site_names[lang], eyebrow, lang, made))
        todo_cards = list({item[-1]: item for item in todo_cards}.values())  # one drawing per card
        fan_out(_draw_cards, todo_cards, PARALLEL_MIN_CARDS)
    return found


def _draw_cards(items: list[tuple]) -> list[None]:
    for title, site_name, eyebrow, lang, target in items:
        cards.draw_card(title, site_name, eyebrow, lang, target)
    return [None] * len(items)


def card_text(graph: SiteGraph, strings: dict, job: PageJob, lang: str) -> tuple[str, str]:
    """(title, the small line above it) of a page's card."""
    kind, key = job.kind, job.key
    if kind == "note":
        return graph.notes[key].version(lang).title, strings["nav_notes"]
    if kind in ("transcript", "parallel"):
        return graph.transcripts[key].version(lang).title, strings["transcript_title"]
    if kind == "person":
        return graph.people[key].name.get(lang), strings["nav_people"]
    if kind == "topic":
        return graph.topics[key].name.get(lang), strings["nav_topics"]
    if kind == "source":
        return graph.sources[key].title.get(lang), strings["nav_sources"]
    if kind in _LIST_LABELS:
        return strings[_LIST_LABELS[kind]], ""
    return graph.config.description.get(lang) or graph.config.title.get(lang), ""  # home, chooser


def _resize(source: Path, target: Path, width: int, kind: str) -> None:
    from PIL import Image

    with Image.open(source) as image:
        height = max(1, round(image.height * width / image.width))
        copy = image.resize((width, height), Image.Resampling.LANCZOS)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(target.name + ".tmp")
        options = {"jpeg": {"quality": 82, "optimize": True, "progressive": True},
                   "webp": {"quality": 80}, "png": {"optimize": True}}.get(kind, {})
        if kind == "jpeg" and copy.mode not in ("RGB", "L"):
            copy = copy.convert("RGB")
        copy.save(temp, {"jpeg": "JPEG", "webp": "WEBP", "png": "PNG"}[kind], **options)
    temp.replace(target)

