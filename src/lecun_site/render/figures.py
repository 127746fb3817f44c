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
    img, caption = _shown(page, target, source, alt, *split_title(title))
    return f'<figure class="figure">{img}{caption}</figure>\n' if alone else img


def picture(page, pic: Picture | None, source: str | None, css: str = "figure", sizes: str = SIZES,
            loading: str = "lazy") -> Markup:
    """A record's `image:` (a note's cover, a person's portrait, an event's picture)."""
    if pic is None:
        return Markup("")
    lang = page.lang
    img, caption = _shown(page, pic.target, source, pic.alt.get(lang), pic.caption.get(lang), pic.credit.get(lang),
                          sizes, loading)
    return Markup(f'<figure class="{escape(css)}">{img}{caption}</figure>')


def _shown(page, target: str, source: str | None, alt: str, caption: str, credit: str, sizes: str = SIZES,
           loading: str = "lazy") -> tuple[str, str]:
    """(<img>, <figcaption>) of a picture: what the use says, else what its image's sidecar says."""
    media = _media(page, target, source)
    if media is None:  # a web image (its address as written), or one the loader reported missing
        return f'<img src="{escape(target)}" alt="{escape(alt)}" loading="{loading}">', _caption(caption, credit)
    lang = page.lang
    alt = alt or media.alt.get(lang)
    img = image_tag(page, media, alt, sizes=sizes, loading=loading)
    return img, _caption(caption or media.caption.get(lang), credit or media.credit.get(lang))


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
    return _lookup(page.graph, target, source)


def _lookup(graph, target: str, source: str | None):
    """The site's image a picture names (None for a web image, a path of another generator's
    site, or one the loader reported missing)."""
    if is_external(target) or target.startswith("/"):
        return None
    key = resolve(target, source, content_root(graph.config.path))
    return graph.media.get(key) if key else None


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
    media = _lookup(graph, picture.target, source) if picture is not None else None
    if media is None or media.kind == "svg" or not media.width or not media.height:
        return None
    return media if media.width >= CARD_SIZE[0] and media.height >= CARD_SIZE[1] else None
