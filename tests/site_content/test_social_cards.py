"""Every page of the LeCun site shows a real picture when it is shared: og:image is a raster of
at least 1200×630, its own or its social card, and the cards draw Chinese as text."""

from urllib.parse import urlsplit

from conftest import PUBLISHED_BASE_URL, soup
from PIL import Image, ImageFont

from lecun_site.build import cards


def test_every_page_has_an_og_image_of_at_least_1200_by_630(published_site):
    out, _ = published_site
    base = urlsplit(PUBLISHED_BASE_URL).path
    pages = [p for p in sorted(out.rglob("*.html")) if p.name != "404.html" and "pagefind" not in p.parts]
    assert len(pages) > 150
    seen = set()
    for path in pages:
        meta = soup(path).find("meta", property="og:image")
        assert meta is not None, path
        url = urlsplit(meta["content"])
        assert meta["content"].startswith(PUBLISHED_BASE_URL), meta["content"]
        image = out / url.path[len(base):]
        if image in seen:
            continue
        seen.add(image)
        with Image.open(image) as picture:
            assert picture.format in ("PNG", "JPEG", "WEBP") and picture.width >= 1200 and picture.height >= 630, image
    assert len(seen) > 150  # one card per page, not one for all


def test_chinese_titles_are_drawn_as_text_not_boxes(published_site):
    out, _ = published_site
    found = cards.cjk_font()
    assert found is not None, "no CJK font: install fonts-noto-cjk"
    font = ImageFont.truetype(found[0], 60, index=found[1])
    titles = [soup(p).find("meta", property="og:image:alt")["content"] for p in
              sorted((out / "zh" / "people").rglob("index.html"))[:20]]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles)
    for title in titles:
        assert cards.covers(font, title), title
    assert not cards.covers(font, "\ue001")  # the check can fail: a character the font lacks
    # two cards of different Chinese titles differ (the text is drawn)
    a, b = (out / "cards" / "zh" / "people" / name for name in ("yann-lecun.png", "geoffrey-hinton.png"))
    with Image.open(a) as first, Image.open(b) as second:
        assert first.tobytes() != second.tobytes()


def test_the_glossary_shows_the_lenet_drawing_through_the_media_pipeline(published_site):
    out, _ = published_site
    for lang, words in (("zh", "卷积"), ("en", "convolutional")):
        figure = soup(out / lang / "notes" / "glossary" / "index.html").select_one("figure.figure")
        img = figure.img
        assert img["src"].endswith(f"media/lenet.{lang}.svg") and (img["width"], img["height"]) == ("710", "206")
        assert words in img["alt"] and figure.select_one(".credit")  # alt text and credit in the page's language
        assert (out / "media" / f"lenet.{lang}.svg").is_file()


def test_the_topics_index_is_in_the_order_of_its_names(published_site):
    from pypinyin import lazy_pinyin

    out, _ = published_site
    for lang, key in (("zh", lambda name: "".join(lazy_pinyin(name)).casefold()), ("en", str.casefold)):
        names = [a.get_text() for a in soup(out / lang / "topics" / "index.html").select("ul.topics .card-title")]
        assert len(names) > 10 and names == sorted(names, key=key), names
