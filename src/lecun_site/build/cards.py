"""Social cards: the 1200×630 picture a shared link shows (`og:image`) for a page without a
picture of its own, drawn with Pillow as MkDocs-Material's social cards are: the page's title
and the site's name on the site's colours, in a CJK font so that Chinese titles are text, not
boxes. `social_cards: true` in site.yaml turns them on.

The font is looked for where Debian's `fonts-noto-cjk` puts it (and through fontconfig); with
none, no card is drawn and pages name none (the build warns once).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

CARD_SIZE = (1200, 630)
BACKGROUND = (31, 58, 95)  # the favicon's navy
ACCENT = (224, 164, 88)
TEXT = (245, 241, 232)
MUTED = (190, 203, 220)
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)


@functools.cache
def cjk_font() -> tuple[str, int] | None:
    """(file, index in the collection) of a font with Simplified Chinese glyphs, or None."""
    candidates = [p for p in FONT_PATHS if Path(p).is_file()]
    if not candidates and shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn"], capture_output=True,
                                   text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and Path(found).is_file():
            candidates.append(found)
    from PIL import ImageFont

    for path in candidates:
        for index in range(10):
            try:
                font = ImageFont.truetype(path, 40, index=index)
            except OSError:
                break
            family = " ".join(font.getname())
            if "SC" in family.split() or "PingFang" in family or not path.endswith(".ttc"):
                if covers(font, "中文字体"):
                    return path, index
    return None


@functools.lru_cache(maxsize=16)
def _font(size: int):
    """The CJK font at `size`, loaded once (a collection of some 20 MB)."""
    from PIL import ImageFont

    path, index = cjk_font()
    return ImageFont.truetype(path, size, index=index)


def covers(font, text: str) -> bool:
    """Whether `font` draws every character of `text` (a missing glyph draws as the font's
    'not defined' box, the same for any character it lacks)."""
    from PIL import Image, ImageDraw

    def drawn(char: str) -> bytes:
        image = Image.new("L", (64, 64))
        ImageDraw.Draw(image).text((4, 4), char, font=font, fill=255)
        return image.tobytes()

    missing = drawn("\ue000")  # a private-use character: no font has a glyph for it
    return all(drawn(char) != missing for char in text if not char.isspace())


def draw_card(title: str, site_name: str, eyebrow: str, lang: str, target: Path) -> None:
    """Draw one card as PNG at `target`."""
    from PIL import Image, ImageDraw

    if cjk_font() is None:
        raise RuntimeError("no CJK font")
    font = _font

    image = Image.new("RGB", CARD_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, CARD_SIZE[1]), fill=ACCENT)
    draw.ellipse((1040, 70, 1120, 150), fill=ACCENT)
    margin, width = 96, CARD_SIZE[0] - 96 * 2 - 80
    if eyebrow:
        draw.text((margin, 92), eyebrow, font=font(34), fill=MUTED)
    size = 76
    lines = _wrap(title, font(size), width, lang)
    while len(lines) > 3 and size > 44:
        size -= 8
        lines = _wrap(title, font(size), width, lang)
    if len(lines) > 3:
        lines = lines[:3]
        lines[-1] = lines[-1].rstrip() + "…"
    y = 170
    for line in lines:
        draw.text((margin, y), line, font=font(size), fill=TEXT)
        y += int(size * 1.3)
    draw.line((margin, 500, margin + 120, 500), fill=ACCENT, width=6)
    draw.text((margin, 526), site_name, font=font(38), fill=TEXT)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(target.name + ".tmp")
    image.save(temp, "PNG", compress_level=1)  # flat colours: little to gain from more
    temp.replace(target)


def _wrap(text: str, font, width: int, lang: str) -> list[str]:
    """Lines of `text` no wider than `width`: between words for Latin text, between any two
    characters for Chinese (never before a closing punctuation mark)."""
    text = " ".join(text.split())
    tokens = text.split(" ") if lang != "zh" and " " in text else list(text)
    joiner = " " if tokens and len(tokens) < len(text) else ""
    lines: list[str] = []
    current = ""
    for token in tokens:
        trial = current + (joiner if current else "") + token
        if current and font.getlength(trial) > width and token not in "，。、；：？！）」』》":
            lines.append(current)
            current = token
        else:
            current = trial
    if current:
        lines.append(current)
    return lines
