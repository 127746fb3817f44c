"""Pictures on pages: `<img>` with its size written (no layout shift while it loads) and the
smaller copies of a large image in `srcset`; a `<figure>` with its caption and credit; the
picture a shared link shows (`og:image`): the page's own, or its social card.

Everything is read through the page (`page.graph`), so that the build records it (reads.py).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from .. import urls
from ..content.media import content_root, is_external, resolve, split_title
from ..records import Picture

# the width of the text column (site.css `--measure`), for the browser to choose from srcset
SIZES = "(max-width: 46rem) 100vw, 46rem"
CARD_SIZE = (1200, 630)  # Open Graph's recommended size: what the social cards are drawn at


def figure(page, target: str, alt: str, title: str, alone: bool, source: str | None) -> str:
    """A body's `![alt](target "caption | credit")`: a figure when alone in its paragraph."""
    caption, credit = split_title(title)
    media = _media(page, target, source)
    if media is None:  # a web image (its address as written), or one the loader reported missing
        img = f'<img src="{escape(target)}" alt="{escape(alt)}" loading="lazy">'
    else:
        alt = alt or media.alt.get(page.lang)
        caption = caption or media.caption.get(page.lang)
        credit = credit or media.credit.get(page.lang)
        img = image_tag(page, media, alt)
    if not alone:
        return img
    return f'<figure class="figure">{img}{_caption(caption, credit)}</figure>\n'


def picture(page, pic: Picture | None, source: str | None, css: str = "figure", sizes: str = SIZES,
            loading: str = "lazy") -> Markup:
    """A record's `image:` (a note's cover, a person's portrait, an event's picture)."""
    if pic is None:
        return Markup("")
    media = _media(page, pic.target, source)
    lang = page.lang
    alt = pic.alt.get(lang) or (media.alt.get(lang) if media is not None else "")
    caption = pic.caption.get(lang) or (media.caption.get(lang) if media is not None else "")
    credit = pic.credit.get(lang) or (media.credit.get(lang) if media is not None else "")
    if media is None:
        img = f'<img src="{escape(pic.target)}" alt="{escape(alt)}" loading="{loading}">'
    else:
        img = image_tag(page, media, alt, sizes=sizes, loading=loading)
    return Markup(f'<figure class="{escape(css)}">{img}{_caption(caption, credit)}</figure>')


def image_tag(page, media, alt: str, sizes: str = SIZES, loading: str = "lazy") -> str:
    src = page.link(urls.media(media.rel))
    size = f' width="{media.width}" height="{media.height}"' if media.width and media.height else ""
    srcset = ""
    variants = urls.media_variants(media.rel, media.kind, media.width)
    if variants:
        entries = [f"{page.link(path)} {width}w" for path, width in variants] + [f"{src} {media.width}w"]
        srcset = f' srcset="{", ".join(entries)}" sizes="{sizes}"'
    return (f'<img src="{src}"{size}{srcset} alt="{escape(alt)}" loading="{loading}" decoding="async">')


def _caption(caption: str, credit: str) -> str:
    if not caption and not credit:
        return ""
    credit_html = f' <span class="credit">{escape(credit)}</span>' if credit else ""
    return f"<figcaption>{escape(caption)}{credit_html}</figcaption>"


def _media(page, target: str, source: str | None):
    if is_external(target) or target.startswith("/"):
        return None
    key = resolve(target, source, content_root(page.config.path))
    return page.graph.media.get(key) if key else None


def og_image(page) -> tuple[str, int, int] | None:
    """(absolute URL, width, height) of the picture a shared link to this page shows: its own
    (own_media), else its social card when the build draws them (build/assets.py), else none."""
    media = own_media(page.graph, page.kind, page.key, page.lang)
    if media is not None:
        return page.absolute(urls.media(media.rel)), media.width, media.height
    if page.r.social_cards and page.job.is_html and page.kind != "404":
        return page.absolute(urls.social_card(page.url)), *CARD_SIZE
    return None


def own_media(graph, kind: str, key: str, lang: str):
    """The image of the site a page of `kind` shows as its own, if it will do for a shared link:
    a note's cover (or first picture), a person's portrait, when it is a raster image of at
    least 1200×630 (SVG is not shown by the sites links are shared on)."""
    picture, source = None, None
    if kind == "note" and key in graph.notes:
        note = graph.notes[key].version(lang)
        picture, source = note.image or (note.pictures[0] if note.pictures else None), note.path
    elif kind == "person" and key in graph.people:
        person = graph.people[key]
        picture, source = person.image, person.path
    if picture is None or is_external(picture.target) or picture.target.startswith("/"):
        return None
    found = resolve(picture.target, source, content_root(graph.config.path))
    media = graph.media.get(found) if found else None
    if media is None or media.kind == "svg" or not media.width or not media.height:
        return None
    return media if media.width >= CARD_SIZE[0] and media.height >= CARD_SIZE[1] else None
