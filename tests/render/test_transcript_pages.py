"""Transcript pages and citations, built from tests/sites/minimal plus a bilingual lecture.

Every link asserted here is also followed: the page and the element it names must exist,
and the element must be the turn the citation means.
"""

import contextlib
import io
import shutil
import textwrap
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from conftest import SITES, soup

from lecun_site.check import check_site
from lecun_site.cli import main
from lecun_site.render.page import media_link

LECTURE = {
    "sources/lecture-video.yaml": """
        kind: video
        title: {zh: 一场讲座, en: A lecture}
        url: https://lectures.example.net/lecture-page
        date: 2019-03
        publisher: Example TV
        language: en
        speakers: [ada-lovelace, charles-babbage]
        """,
    "transcripts/lecture.en.md": """
        ---
        title: The lecture
        source: lecture-video
        media: https://youtu.be/LeCt9xyz?si=share
        speakers:
          Ada: ada-lovelace
          Charles: charles-babbage
        ---
        ## The engine

        [00:00:30] **Ada:** Let me describe the engine[@article-two].

        [00:01:00] **Charles:** It computes tables.

        ## Music

        [00:02:05] **Ada:** It might compose music.

        [00:02:05] **Charles:** Truly?

        [01:00:00] **Ada:** Truly.
        """,
    "transcripts/lecture.zh.md": """
        ---
        title: 讲座
        source: lecture-video
        media: https://youtu.be/LeCt9xyz?si=share
        speakers:
          艾达: ada-lovelace
          查尔斯: charles-babbage
        ---
        ## 分析机

        [00:00:30] **艾达：** 我来介绍这台机器[@article-two]。

        [00:01:00] **查尔斯：** 它能计算数表。

        ## 音乐

        [00:02:05] **艾达：** 它也许能作曲。

        [00:02:05] **查尔斯：** 真的吗？

        [01:00:00] **艾达：** 真的。

        [01:00:10] **查尔斯：** 中文版多出的一轮。
        """,
    "timeline/music.yaml": """
        - id: 1843-music
          date: 1843-09
          title: {zh: 洛芙莱斯设想机器作曲, en: Lovelace imagines a composing engine}
          people: [ada-lovelace]
          sources: [{source: lecture-video, at: turn-3}]
        """,
    "quotes/lecture.yaml": """
        - id: tables
          speaker: charles-babbage
          text: {zh: 它能计算数表。, en: It computes tables.}
          lang: en
          source: lecture-video
          at: "00:01:00"
        - id: compose
          speaker: ada-lovelace
          text: {zh: 它也许能作曲。, en: It might compose music.}
          lang: en
          source: lecture-video
          at: turn-3
        """,
    "discrepancies/music.yaml": """
        - id: music-claim
          title: {zh: 作曲之说, en: The music claim}
          readings:
            - source: lecture-video
              at: turn-3
              says: {zh: 说机器也许能作曲。, en: Says the engine might compose.}
            - says: {zh: 一般认为是推测。, en: Generally held to be speculation.}
          adopted: {zh: 是推测。, en: Speculation.}
          events: [1843-music]
          people: [ada-lovelace]
          notes: [engine]
        """,
    "notes/engine.en.md": """
        ---
        title: The engine and music
        date: 2021-05
        ---
        Lovelace imagined music from the engine[@lecture-video, 00:02:05]. Babbage spoke of tables[@lecture-video, turn-2].
        """,
    "notes/engine.zh.md": """
        ---
        title: 分析机与音乐
        ---
        洛芙莱斯设想机器作曲[@lecture-video, 00:02:05]。巴贝奇说的是数表[@lecture-video, turn-2]。
        """,
}


def write_lecture(content: Path) -> None:
    """The LECTURE files into a content folder, as the `site_tree` fixture writes them."""
    for rel, text in LECTURE.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """tests/sites/minimal plus LECTURE, built once for the module (every test here only reads it)."""
    root = tmp_path_factory.mktemp("pages")
    shutil.copytree(SITES / "minimal", root / "content")
    write_lecture(root / "content")
    out = root / "_site"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main(["build", "--content", str(root / "content"), "--out", str(out)])
    assert code == 0, stderr.getvalue()
    assert "transcript 'lecture' has 6 turns here but 5" in stderr.getvalue()  # the extra zh turn: a warning
    return out


def follow(page: Path, href: str):
    """The element a relative link on `page` points at (page file, element or None)."""
    path, fragment = urldefrag(href)
    target = (page.parent / path).resolve()
    if target.is_dir():
        target = target / "index.html"
    assert target.is_file(), f"{href} from {page} leads nowhere"
    return target, soup(target).find(id=fragment) if fragment else None


def turn_of(element):
    """The `.turn` an anchor belongs to: itself, or the turn its `#t-…` span sits in."""
    return element if "turn" in (element.get("class") or []) else element.find_parent(class_="turn")


def test_the_whole_site_has_no_broken_link_or_anchor(built):
    assert check_site(built) == []


# ---------------------------------------------------------------- transcript pages


@pytest.mark.parametrize("lang, speakers", [("en", ["Ada", "Charles", "Ada", "Charles", "Ada"]),
                                            ("zh", ["艾达", "查尔斯", "艾达", "查尔斯", "艾达", "查尔斯"])])
def test_every_turn_has_its_anchor_speaker_link_and_sections(built, lang, speakers):
    page = soup(built / lang / "transcripts" / "lecture" / "index.html")
    turns = page.select(".turn")
    assert [t["id"] for t in turns] == [f"turn-{n}" for n in range(1, len(speakers) + 1)]
    assert [t.select_one(".speaker").get_text() for t in turns] == speakers
    assert [t.select_one("a.speaker")["href"] for t in turns[:2]] == [
        "../../people/ada-lovelace/", "../../people/charles-babbage/"]
    # time anchors: one per second; two turns starting in the same second share it with the first
    time_ids = {span["id"]: turn_of(span)["id"] for span in page.select(".turn span[id^='t-']")}
    assert time_ids == {"t-00-00-30": "turn-1", "t-00-01-00": "turn-2", "t-00-02-05": "turn-3",
                        "t-01-00-00": "turn-5", **({"t-01-00-10": "turn-6"} if lang == "zh" else {})}
    toc = [(a.get_text(), a["href"]) for a in page.select("nav.toc a")]
    sections = {"en": ["The engine", "Music"], "zh": ["分析机", "音乐"]}[lang]
    assert [text for text, _ in toc] == sections
    for _, href in toc:
        heading = page.find(id=href[1:])
        assert heading.name == "h2"
    assert page.find(id=toc[1][1][1:]).find_next(class_="turn")["id"] == "turn-3"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_time_links_open_the_media_at_the_exact_second(built, lang):
    lecture = soup(built / lang / "transcripts" / "lecture" / "index.html")  # youtu.be, from `media:`
    assert [a["href"] for a in lecture.select(".turn a.timestamp")][:5] == [
        "https://youtu.be/LeCt9xyz?si=share&t=30", "https://youtu.be/LeCt9xyz?si=share&t=60",
        "https://youtu.be/LeCt9xyz?si=share&t=125", "https://youtu.be/LeCt9xyz?si=share&t=125",
        "https://youtu.be/LeCt9xyz?si=share&t=3600"]
    assert [a.get_text() for a in lecture.select(".turn a.timestamp")][:3] == ["00:00:30", "00:01:00", "00:02:05"]
    conversation = soup(built / lang / "transcripts" / "conversation" / "index.html")  # youtube.com, from the source
    assert [a["href"] for a in conversation.select(".turn a.timestamp")] == [
        "https://www.youtube.com/watch?v=abc123&t=5", "https://www.youtube.com/watch?v=abc123&t=70",
        "https://www.youtube.com/watch?v=abc123&t=3723"]


@pytest.mark.parametrize("url, seconds, expected", [
    ("https://www.youtube.com/watch?v=abc123", 3723, "https://www.youtube.com/watch?v=abc123&t=3723"),
    ("https://www.youtube.com/watch?v=abc123&t=1m30s", 70, "https://www.youtube.com/watch?v=abc123&t=70"),
    ("https://youtu.be/abc123", 0, "https://youtu.be/abc123?t=0"),
    ("https://youtu.be/abc123?t=9#x", 125, "https://youtu.be/abc123?t=125"),
    ("https://m.youtube.com/watch?v=abc123", 5, "https://m.youtube.com/watch?v=abc123&t=5"),
    ("https://www.youtube.com/embed/abc123?start=9", 61, "https://www.youtube.com/embed/abc123?start=61"),
    ("https://www.bilibili.com/video/BV1xx411c7mD?p=2", 90, "https://www.bilibili.com/video/BV1xx411c7mD?p=2&t=90"),
    ("https://example.org/talk.mp4", 42, "https://example.org/talk.mp4#t=42"),
    ("https://notyoutube.com/watch?v=abc", 42, "https://notyoutube.com/watch?v=abc#t=42"),
    ("https://youtu.be/abc123", None, None),
    (None, 42, None),
])
def test_media_link(url, seconds, expected):
    assert media_link(url, seconds) == expected


def test_a_transcript_without_media_shows_times_without_links(minimal_site, site_tree, tmp_path, cli):
    write_lecture(minimal_site)
    site_tree({"transcripts/lecture.en.md": LECTURE["transcripts/lecture.en.md"].replace(
        "        media: https://youtu.be/LeCt9xyz?si=share\n", "")}, base=minimal_site)
    out = tmp_path / "again"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    page = soup(out / "en" / "transcripts" / "lecture" / "index.html")
    assert page.select(".turn a.timestamp") == []  # the source's url is a web page, not media
    assert [s.get_text() for s in page.select(".turn span.timestamp")][:2] == ["00:00:30", "00:01:00"]


# ---------------------------------------------------------------- side by side


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_side_by_side_pairs_turns_by_position_zh_then_en(built, lang):
    page = soup(built / lang / "transcripts" / "lecture" / "parallel" / "index.html")
    pairs = page.select(".pair")
    assert [p["id"] for p in pairs] == [f"turn-{n}" for n in range(1, 7)]
    rows = []
    for pair in pairs:
        cells = pair.select(".cell")
        assert [c["lang"] for c in cells] == ["zh-Hans", "en"]
        rows.append(tuple(c.select_one(".turn-text").get_text(strip=True) if c.select_one(".turn-text") else None
                          for c in cells))
    assert rows[1] == ("它能计算数表。", "It computes tables.")
    assert rows[3] == ("真的吗？", "Truly?")
    assert rows[5] == ("中文版多出的一轮。", None)  # the zh version has one more turn: an empty en cell
    extra = pairs[5].select_one("a.turn-number")  # …whose number links to the zh page, where it exists
    target, element = follow(built / lang / "transcripts" / "lecture" / "parallel" / "index.html", extra["href"])
    assert target == built / "zh" / "transcripts" / "lecture" / "index.html" and element["id"] == "turn-6"
    for pair in pairs[:5]:  # both cells of a pair are the same turn, at the same moment
        numbers = [a.get_text() for a in pair.select("a.turn-number")]
        assert numbers[0] == numbers[1] == "#" + pair["id"].split("-")[1]
        assert len({a["href"] for a in pair.select("a.timestamp")}) == 1
    titles = [h.get_text(" ", strip=True) for h in page.select(".section-title")]
    assert titles == ["分析机 · The engine", "音乐 · Music"]
    assert page.select(".section-row")[1].find_next(class_="pair")["id"] == "turn-3"
    single = page.select_one("a.button")["href"]
    assert follow(built / lang / "transcripts" / "lecture" / "parallel" / "index.html", single)[0] == \
        built / lang / "transcripts" / "lecture" / "index.html"


def test_single_view_links_to_the_side_by_side_view(built):
    page = built / "en" / "transcripts" / "lecture" / "index.html"
    button = soup(page).select_one("a.button")
    assert follow(page, button["href"])[0] == built / "en" / "transcripts" / "lecture" / "parallel" / "index.html"


# ---------------------------------------------------------------- citations


def test_an_event_citation_goes_to_the_turn(built):
    page = built / "en" / "timeline" / "index.html"
    event = soup(page).select_one("#ev-1843-music")
    link = event.select_one(".sources a")
    assert link["href"] == "../transcripts/lecture/#turn-3"
    _, target = follow(page, link["href"])
    assert target["id"] == "turn-3" and "It might compose music." in target.get_text()


@pytest.mark.parametrize("lang, text", [("en", "It computes tables."), ("zh", "它能计算数表。")])
def test_a_quote_citation_by_time_goes_to_the_turn_that_starts_then(built, lang, text):
    page = built / lang / "people" / "charles-babbage" / "index.html"
    quote = soup(page).select_one("#q-tables")
    link = quote.select_one("cite a")
    assert link["href"] == "../../transcripts/lecture/#t-00-01-00"
    _, target = follow(page, link["href"])
    assert turn_of(target)["id"] == "turn-2" and text in turn_of(target).get_text()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_citations_in_a_note_paragraph_are_numbered_and_go_to_the_turn(built, lang):
    page = built / lang / "notes" / "engine" / "index.html"
    html = soup(page)
    assert [a["href"] for a in html.select(".prose sup.cite a")] == ["#ref-1", "#ref-2"]
    refs = html.select(".references li")
    assert [r["id"] for r in refs] == ["ref-1", "ref-2"]
    assert [r.a["href"] for r in refs] == ["../../transcripts/lecture/#t-00-02-05",
                                           "../../transcripts/lecture/#turn-2"]
    first, second = (turn_of(follow(page, r.a["href"])[1]) for r in refs)
    assert (first["id"], second["id"]) == ("turn-3", "turn-2")  # 00:02:05 is where turn 3 starts
    assert refs[0].select_one("a.backref")["href"] == "#cite-1-1"
    assert html.select_one("#cite-1-1 a")["href"] == "#ref-1"


@pytest.mark.parametrize("view", ["index.html", "parallel/index.html"])
def test_citations_inside_a_transcript_have_their_references(built, view):
    page = built / "en" / "transcripts" / "lecture" / view
    html = soup(page)
    sups = html.select(".turn-text sup.cite a")
    assert sups and {a["href"] for a in sups} == {"#ref-1"}
    ref = html.select_one("#ref-1")
    assert ref.a["href"] == "../../sources/article-two/" if view == "index.html" else "../../../sources/article-two/"
    assert follow(page, ref.a["href"])[0].parent.name == "article-two"


def test_the_source_page_lists_everything_that_cites_it(built):
    page = built / "en" / "sources" / "lecture-video" / "index.html"
    html = soup(page)
    sections = {s.h2.get_text(): s for s in html.select("article.source section")}
    assert set(sections) == {"Notes that cite it", "Events it supports", "Quotes from it", "Fact-checks that cite it"}
    assert [a.get_text() for a in sections["Notes that cite it"].select("a.card-title")] == ["The engine and music"]
    assert "Lovelace imagines a composing engine" in sections["Events it supports"].get_text()
    assert {q["id"] for q in sections["Quotes from it"].select("figure.quote")} == {"q-compose", "q-tables"}
    assert [a.get_text() for a in sections["Fact-checks that cite it"].select("a")] == ["The music claim"]
    transcript = html.select_one("dl.facts a[href$='transcripts/lecture/']")
    assert transcript.get_text() == "The lecture"
    for link in html.select("article.source section a[href]"):
        target, element = follow(page, link["href"])
        assert element is not None or "#" not in link["href"], link["href"]


# ---------------------------------------------------------------- fact-check and people


@pytest.mark.parametrize("where", ["timeline/index.html", "people/ada-lovelace/index.html",
                                   "notes/engine/index.html"])
@pytest.mark.parametrize("lang, title", [("en", "The music claim"), ("zh", "作曲之说")])
def test_discrepancy_markers_link_to_the_explanation(built, where, lang, title):
    page = built / lang / where
    # a marker beside the claim, or on a note or person page one "N disputed points" list of them
    markers = [a for a in soup(page).select("a.dispute, details.disputes li a") if title in a.get_text()]
    assert markers, f"no marker on {lang}/{where}"
    for marker in markers:
        target, section = follow(page, marker["href"])
        assert target == built / lang / "fact-check" / "index.html"
        assert section["id"] == "d-music-claim" and title in section.h3.get_text()


def test_the_fact_check_page_explains_the_discrepancy_and_links_back(built):
    page = built / "en" / "fact-check" / "index.html"
    section = soup(page).select_one("#d-music-claim")
    text = section.get_text(" ", strip=True)
    assert "Says the engine might compose." in text and "Generally held to be speculation." in text
    reading = section.select_one(".readings a.source-cite")
    assert turn_of(follow(page, reading["href"])[1])["id"] == "turn-3"
    touched = {a.get_text(" ", strip=True) for a in section.select(".meta a")}
    assert touched == {"September 1843 Lovelace imagines a composing engine", "Ada Lovelace", "The engine and music"}


def test_a_person_page_gathers_their_quotes_with_links_to_the_turn(built):
    page = built / "en" / "people" / "ada-lovelace" / "index.html"
    quotes = soup(page).select("figure.quote")
    assert [q["id"] for q in quotes] == ["q-compose", "q-engine-weaves"]
    compose = quotes[0]
    assert compose.blockquote.get_text(strip=True) == "“It might compose music.”"
    link = compose.select_one("cite a")
    assert link["href"] == "../../transcripts/lecture/#turn-3"
    assert turn_of(follow(page, link["href"])[1]).select_one(".speaker").get_text() == "Ada"
    weaves = quotes[1].select_one("cite a")  # a quote from an article links to the source page
    assert weaves["href"] == "../../sources/article-two/"
    interviews = [a.get_text() for a in soup(page).select("section a[href*='transcripts/']")
                  if not a.find_parent("figure")]
    assert "The lecture" in interviews


def test_a_quote_in_chinese_shows_the_original_and_links_to_the_zh_turn(built):
    page = built / "zh" / "people" / "ada-lovelace" / "index.html"
    compose = soup(page).select_one("#q-compose")
    assert compose.select_one("p.original").get_text() == "“It might compose music.”"
    target = turn_of(follow(page, compose.select_one("cite a")["href"])[1])
    assert target["id"] == "turn-3" and "它也许能作曲。" in target.get_text()


def test_a_source_page_lists_the_transcripts_whose_turns_cite_it(minimal_site, tmp_path, cli):
    path = minimal_site / "transcripts" / "conversation.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Can machines think?", "Can machines think?[@article-two]"),
                    encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    page = soup(out / "en" / "sources" / "article-two" / "index.html")
    links = [a["href"] for a in page.select("main section a")]
    assert "../../transcripts/conversation/" in links
