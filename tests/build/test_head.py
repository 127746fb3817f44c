"""What search engines, feed readers and phones read from a page's head and the sitemap."""

import json
import struct
from xml.etree import ElementTree

import pytest
from conftest import soup

from lecun_site.render.jinja_env import meta_description

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import shutil

    from conftest import SITES

    from lecun_site.build.pipeline import BuildOptions, build_site

    base = tmp_path_factory.mktemp("head")
    shutil.copytree(SITES / "minimal", base / "content")
    note = base / "content" / "notes" / "intro.en.md"
    note.write_text(note.read_text(encoding="utf-8").replace("title: Introduction", "title: Introduction\nlastmod: 2021-03-04"),
                    encoding="utf-8")
    build_site(BuildOptions(content=base / "content", out=base / "out", search=False))
    return base / "out"


def test_the_sitemap_has_lastmod_where_known_and_an_x_default_for_every_url(built):
    urls = ElementTree.parse(built / "sitemap.xml").getroot().findall(f"{SITEMAP}url")
    by_loc = {u.find(f"{SITEMAP}loc").text: u for u in urls}
    assert by_loc["https://example.org/en/notes/intro/"].find(f"{SITEMAP}lastmod").text == "2021-03-04"
    assert by_loc["https://example.org/zh/notes/intro/"].find(f"{SITEMAP}lastmod").text == "2020-01-02"
    assert by_loc["https://example.org/en/people/"].find(f"{SITEMAP}lastmod") is None  # not made up
    for url in urls:
        langs = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert set(langs) == {"zh-Hans", "en", "x-default"}
        assert langs["x-default"] == langs["zh-Hans"]  # the default language


def test_the_404_page_is_nobody_s_canonical_and_switches_to_the_other_home(built):
    page = soup(built / "404.html")
    assert page.find("link", rel="canonical") is None
    assert not page.find_all("link", hreflang=True)
    assert page.find("meta", property="og:url") is None
    switch = page.find("a", class_="lang-switch")
    assert switch["href"] == "/en/"


@pytest.mark.parametrize("path, kind", [("en/notes/intro/index.html", "Article"),
                                        ("zh/transcripts/conversation/index.html", "Article"),
                                        ("en/people/ada-lovelace/index.html", "Person")])
def test_json_ld_on_notes_transcripts_and_people(built, path, kind):
    page = soup(built / path)
    [script] = page.find_all("script", type="application/ld+json")
    data = json.loads(script.string)
    thing, trail = data["@graph"]
    assert data["@context"] == "https://schema.org" and thing["@type"] == kind
    assert thing["url"] == "https://example.org/" + path.removesuffix("index.html")
    name = thing.get("headline") or thing.get("name")
    assert page.find("h1").get_text(strip=True).startswith(name)
    assert trail["@type"] == "BreadcrumbList"
    assert [i["position"] for i in trail["itemListElement"]] == [1, 2, 3]
    assert trail["itemListElement"][-1]["item"] == thing["url"]
    if kind == "Person":
        assert "艾达·洛芙莱斯" in thing["alternateName"]  # found by name in either language
    else:
        assert thing["inLanguage"] in ("en", "zh-Hans")


def test_theme_color_and_png_icons(built):
    page = soup(built / "en" / "index.html")
    # one colour, the icon's (the Nu checker refuses `media` on it), for the browser's bar
    assert [m["content"] for m in page.find_all("meta", attrs={"name": "theme-color"})] == ["#1f3a5f"]
    for rel, size in (("apple-touch-icon", 180), ("icon", 32)):
        link = next(l for l in page.find_all("link", rel=rel) if l["href"].endswith(".png"))
        data = (built / "en" / link["href"]).resolve().read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (size, size)


def test_meta_descriptions_stop_at_a_sentence_or_a_word():
    english = ("Yann LeCun built convolutional networks at Bell Labs. " * 3) + "Then he went to New York University."
    cut = meta_description(english)
    assert len(cut) <= 160 and cut.endswith("Bell Labs.")
    words = "word " * 60
    assert meta_description(words).endswith("word…") and len(meta_description(words)) <= 160
    chinese = "杨立昆在贝尔实验室发明了卷积神经网络" * 12
    assert len(meta_description(chinese)) == 160 and meta_description(chinese).endswith("…")
    sentences = "他在贝尔实验室工作了很多年，期间发明了卷积神经网络。" * 8
    assert meta_description(sentences).endswith("。") and len(meta_description(sentences)) <= 160
    assert meta_description("  short \n text ") == "short text"


def test_a_long_description_is_cut_in_the_page(minimal_site, tmp_path, cli):
    note = minimal_site / "notes" / "intro.en.md"
    long = "This summary goes on. " * 20
    note.write_text(note.read_text(encoding="utf-8").replace("summary: This is the introduction.", f"summary: {long}"),
                    encoding="utf-8")
    assert long.strip() in note.read_text(encoding="utf-8")
    assert cli("build", "--content", minimal_site, "--out", tmp_path / "out", "--no-search").code == 0
    page = soup(tmp_path / "out" / "en" / "notes" / "intro" / "index.html")
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert len(description) <= 160 and description.endswith("goes on.")
