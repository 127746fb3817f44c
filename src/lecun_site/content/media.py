"""Images: read from content/ (in media/, or beside the record that shows them), referred to
from markdown bodies and from `image:` fields.

- `parse_media`: an image file → `Media` (its size read from the file's header with Pillow;
  an SVG's from its `width`/`height` or `viewBox`).
- `parse_media_info`: a sidecar `photo.jpg.yaml` → `MediaInfo` (alt text, caption, credit).
- `picture_field`: `image: x.jpg` or `image: {src, alt, caption, credit}` → `Picture`.
- `scan_pictures`: `![alt](src "caption | credit")` in a body, with lines.
- `resolve`: where a picture's target points, as a content-relative path.
"""

from __future__ import annotations

import io
import posixpath
import re
import sys
import warnings
from xml.etree import ElementTree

from ..errors import ContentError, Problems
from ..records import Localized, Media, MediaInfo, Picture
from .fields import Fields
from .textfile import parse_yaml

IMAGE_SUFFIXES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp", ".svg": "svg"}
MAX_IMAGE_BYTES = 40 * 1024 * 1024
MAX_PIXELS = 60_000_000  # larger is refused: decoding it could take gigabytes


def is_image(name: str) -> bool:
    return posixpath.splitext(name.lower())[1] in IMAGE_SUFFIXES


def is_sidecar(name: str) -> bool:
    """`photo.jpg.yaml`: what to say about `photo.jpg`."""
    stem, suffix = posixpath.splitext(name.lower())
    return suffix in (".yaml", ".yml") and is_image(stem)


def parse_media(display: str, rel: str, data: bytes, digest: str) -> Media:
    """One image file → Media; a file that is not the image its name says is an error."""
    kind = IMAGE_SUFFIXES[posixpath.splitext(display.lower())[1]]
    if kind == "svg":
        width, height = _svg_size(display, data)
    else:
        width, height = _raster_size(display, data, kind)
    return Media(path=display, rel=rel, kind=kind, width=width, height=height, digest=digest)


def content_root(config_path: str) -> str:
    """The content folder as display paths start with it: the folder of site.yaml's display path."""
    return posixpath.dirname(config_path)


def relative(display: str, root: str) -> str | None:
    """A display path relative to the content folder, or None when it is outside it."""
    rel = posixpath.relpath(display, root or ".")
    return None if rel == ".." or rel.startswith("../") else rel


def _raster_size(display: str, data: bytes, kind: str) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found, size = (image.format or "").lower(), image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ContentError(display, f"not a readable {kind.upper()} image ({exc.__class__.__name__})",
                           hint="export the image again, or remove it") from None
    if found != kind:
        raise ContentError(display, f"the file is a {found.upper() or 'different'} image, not the {kind.upper()} "
                                    f"its name says", hint=f"rename it to end in .{found or '…'}")
    if size[0] * size[1] > MAX_PIXELS:
        raise ContentError(display, f"the image is {size[0]}×{size[1]} pixels, more than a page can use",
                           hint="resize it to at most a few thousand pixels wide")
    return size


_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")


def _svg_size(display: str, data: bytes) -> tuple[int | None, int | None]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ContentError(display, f"not a readable SVG image: {exc}", hint="export the SVG again") from None
    if not root.tag.endswith("svg"):
        raise ContentError(display, "not an SVG image: its root element is not <svg>", hint="export the SVG again")
    width, height = (_LENGTH.match(root.get(name) or "") for name in ("width", "height"))
    if width and height:
        return round(float(width[1])), round(float(height[1]))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            pass
    return None, None


def parse_media_info(display: str, text: str, problems: Problems) -> MediaInfo | None:
    data = parse_yaml(display, text)
    if not isinstance(data, dict):
        problems.error(display, "a picture's sidecar is a mapping: alt, caption, credit",
                       hint="write `alt: {zh: …, en: …}` and `credit: …`")
        return None
    f = Fields(display, data, problems)
    for key in data:
        if key not in ("alt", "caption", "credit"):
            f.warn(key, f"unknown field `{key}` (ignored)", hint="a sidecar holds alt, caption and credit")
    return MediaInfo(path=display.rsplit(".", 1)[0], alt=f.localized("alt"), caption=f.localized("caption"),
                     credit=f.localized("credit"))


def picture_field(f: Fields, key: str = "image") -> Picture | None:
    """`image: desk.jpg` or `image: {src: desk.jpg, alt: …, caption: …, credit: …}`."""
    value = f.data.get(key)
    if value is None:
        return None
    line = f.line(key) or 1
    if isinstance(value, str) and value.strip():
        return Picture(target=value.strip(), line=line)
    if isinstance(value, dict):
        sub = Fields(f.display, value, f.problems, line=line)
        src = sub.text("src", required=True)
        if src:
            return Picture(target=src, line=line, alt=sub.localized("alt"), caption=sub.localized("caption"),
                           credit=sub.localized("credit"))
        return None
    f.error(key, f"`{key}` must be a file name or `{{src: …, alt: …, caption: …, credit: …}}`",
            hint=f"write `{key}: photo.jpg`, a file beside this one or in content/media/")
    return None


# `![alt](target "title")`: bounded repeats (see body.py); the title may be 'single' quoted too
_PICTURE_RE = re.compile(r"!\[([^\]\n]{0,500})\]\(\s*<?([^()\s<>]{1,500})>?(?:\s+[\"']([^\"'\n]{0,500})[\"'])?\s*\)")
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)[^`]+?\1")  # shown as written: what is in one is no picture


def _blank(match: re.Match) -> str:
    return " " * len(match[0])


def without_pictures(line: str) -> str:
    """`line` with its code spans and its pictures blanked out (for the link scanner)."""
    return _PICTURE_RE.sub(_blank, _CODE_SPAN.sub(_blank, line)) if "![" in line else line


def scan_pictures(body: str, first_line: int) -> tuple[Picture, ...]:
    """The images a body shows (not in fenced code), with their lines; web images are left out."""
    found = []
    fence = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        match = _FENCE_RE.match(line)
        if match:
            fence = match[1] if fence is None else (None if match[1] == fence else fence)
            continue
        if fence is None and "![" in line:
            for m in _PICTURE_RE.finditer(_CODE_SPAN.sub(_blank, line)):
                if not is_external(m[2]):
                    caption, credit = split_title(m[3] or "")
                    found.append(Picture(target=sys.intern(m[2]), line=number, alt=Localized(m[1], m[1]),
                                         caption=Localized(caption, caption), credit=Localized(credit, credit)))
    return tuple(found)


def split_title(title: str) -> tuple[str, str]:
    """`"caption | credit"` → (caption, credit): one title carries both."""
    caption, _, credit = title.partition(" | ")
    return caption.strip(), credit.strip()


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", target))


def resolve(target: str, record_path: str | None, root: str) -> str | None:
    """The display path of the image a picture names: `@/media/x.png` from the content folder
    (`root`, as display paths start), anything else from the folder of the record's file
    (`notes/bell-labs/index.en.md` → `notes/bell-labs/`); without a record, from media/. None
    for a target that leaves the content folder."""
    target = target.split("#")[0].split("?")[0]
    if target.startswith("@/"):
        path = posixpath.join(root, target[2:])
    else:
        base = posixpath.dirname(record_path) if record_path else posixpath.join(root, "media")
        path = posixpath.join(base, target)
    path = posixpath.normpath(path)
    return path if relative(path, root) is not None else None


# the video pages a click-to-load player is made for (render: urls.video_embed)
VIDEO_RE = re.compile(r"^https://(?:www\.|m\.)?(?:youtube\.com/watch\?v=[\w-]{6,20}(?:&\S*)?|youtu\.be/[\w-]{6,20}\S*"
                      r"|bilibili\.com/video/(?:BV[\w]{6,20}|av\d{1,12})/?\S*)$")


def video_field(f: Fields, key: str = "video") -> str | None:
    """`video:` the address of a YouTube or Bilibili page, shown as a click-to-load player."""
    value = f.text(key)
    if value is None:
        return None
    if not VIDEO_RE.match(value):
        f.error(key, f"`{key}` must be the address of a YouTube or Bilibili video page",
                hint="e.g. https://www.youtube.com/watch?v=… or https://www.bilibili.com/video/BV…")
        return None
    return value
