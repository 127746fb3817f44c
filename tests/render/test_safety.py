"""Nothing in the content runs in the reader's browser.

One site is built with an attack in every field that reaches a page: `<script>`, an
`onerror=` handler, an attribute break-out `"><svg onload=…>` and a `</script>`. Every page
is then read as a browser reads it (BeautifulSoup) and must hold no script of the content's
making, no `on*` attribute, no javascript:/vbscript:/data: (non-image) URL and no element
the markup tried to inject; and each field's attack must be on some page as visible text,
which proves the field was tested and was escaped rather than dropped.
"""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import soup
from markupsafe import Markup

from lecun_site.cli import main
from lecun_site.errors import TemplateError
from lecun_site.render.jinja_env import make_environment
from lecun_site.render.markdown import RenderEnv, render_markdown
from lecun_site.render.page import Page


def attack(field: str, short: bool = False) -> str:
    """The attack text for one field: its name is inside, so a page shows which field it came from."""
    if short:  # for places with a length limit (speaker labels: 60 characters)
        return f'"><svg onload=alert("{field}")>'
    return (f'<script>alert("{field}")</script><img src=x onerror=alert("{field}")>'
            f'"><svg onload=alert("{field}")></script>')


def y(text: str) -> str:
    """A YAML scalar for any text (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def loc(field: str) -> str:
    return "{zh: " + y(attack(field + ".zh")) + ", en: " + y(attack(field + ".en")) + "}"


# Every field that reaches a page, by the name its attack carries.
FIELDS = [
    "site.title", "site.description", "site.author",
    "source.title", "source.summary", "source.publisher",
    "person.name", "person.role", "person.bio", "person.alias",
    "topic.name", "topic.summary",  # a topic's aliases are only for matching; no page shows them
    "event.title", "event.detail", "event.at",
    "quote.text", "quote.at",
    "disc.title", "disc.says", "disc.adopted", "disc.reason", "disc.at",
    "note.title", "note.summary", "note.author", "note.tag", "note.heading", "note.body", "note.cite-at",
    "transcript.title", "transcript.summary", "transcript.label", "transcript.section", "transcript.turn",
    "i18n.nav_home", "i18n.footer_text", "i18n.decade", "i18n.feed_title",
]

BODY_ATTACKS = "\n\n".join([
    attack("note.body"),
    "[click](javascript:alert(1)) [click](JaVaScRiPt:alert(1)) [click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) ![x](javascript:alert(1))",
    "<javascript:alert(1)> [ref] [click](&#106;avascript:alert(1)) [click](java\tscript:alert(1))",
    "[ref]: javascript:alert(1)",
    '<a href="javascript:alert(1)">raw link</a> <iframe src="javascript:alert(1)"></iframe>',
    '<style>body{background:url("javascript:alert(1)")}</style> <base href="https://evil.example/">',
    '<form action="https://evil.example/"><input name=x></form> <object data="x.swf"></object>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math> <meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "[ok](https://example.org/?a=1&b=\"x\") ![pixel](data:image/png;base64,iVBORw0KGgo=)",
    "## " + attack("note.heading"),
    "A claim[@article-two, " + attack("note.cite-at", short=True) + "].",
])

FILES = {
    "site.yaml": f"title: {loc('site.title')}\ndescription: {loc('site.description')}\n"
                 f"author: {y(attack('site.author'))}\nbase_url: https://example.org/\nhome_note: attack\n",
    "sources/article-two.yaml": f"kind: article\ntitle: {loc('source.title')}\nsummary: {loc('source.summary')}\n"
                                f"publisher: {loc('source.publisher')}\n"
                                "url: https://example.org/a?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E\n"
                                "media_url: https://www.youtube.com/watch?v=abc&x=%27onload%3D\n",
    "sources/interview-one.yaml": "kind: interview\ntitle: Interview\nurl: https://www.youtube.com/watch?v=abc123\n",
    "people/alan-turing.yaml": f"name: {loc('person.name')}\nrole: {loc('person.role')}\nbio: {loc('person.bio')}\n"
                               f"aliases: [{y(attack('person.alias'))}]\n",
    "topics/computing.yaml": f"name: {loc('topic.name')}\nsummary: {loc('topic.summary')}\n"
                             f"aliases: [{y(attack('topic.alias'))}]\n",
    "timeline/events.yaml": f"- id: 1950-test\n  date: 1950\n  title: {loc('event.title')}\n  detail: {loc('event.detail')}\n"
                            f"  people: [alan-turing]\n  topics: [computing]\n"
                            f"  sources: [{{source: article-two, at: {y(attack('event.at'))}}}]\n",
    "quotes/quotes.yaml": f"- id: q-test\n  speaker: alan-turing\n  text: {loc('quote.text')}\n  lang: en\n"
                          f"  source: article-two\n  at: {y(attack('quote.at'))}\n  topics: [computing]\n",
    "discrepancies/d.yaml": f"- id: d-test\n  title: {loc('disc.title')}\n  readings:\n"
                            f"    - {{source: article-two, at: {y(attack('disc.at'))}, says: {loc('disc.says')}}}\n"
                            f"  adopted: {loc('disc.adopted')}\n  reason: {loc('disc.reason')}\n"
                            "  events: [1950-test]\n  people: [alan-turing]\n",
    "notes/attack.en.md": f"---\ntitle: {y(attack('note.title'))}\nsummary: {y(attack('note.summary'))}\n"
                          f"author: {y(attack('note.author'))}\ndate: 2020\npeople: [alan-turing]\n"
                          f"tags: [computing, {y(attack('note.tag'))}]\nsources: [article-two]\nevents: [1950-test]\n"
                          f"quotes: [q-test]\nsource: https://example.org/original\nlayout: {y(attack('note.layout'))}\n"
                          f"---\n{BODY_ATTACKS}\n",
    "notes/attack.zh.md": f"---\ntitle: {y(attack('note.title'))}\n---\n{BODY_ATTACKS}\n",
    "transcripts/talk.en.md": f"---\ntitle: {y(attack('transcript.title'))}\nsummary: {y(attack('transcript.summary'))}\n"
                              f"source: interview-one\nspeakers: {{{y(attack('transcript.label', short=True))}: alan-turing}}\n"
                              f"---\n## {attack('transcript.section')}\n\n"
                              f"[00:00:05] **{attack('transcript.label', short=True)}:** {attack('transcript.turn')}\n",
    "i18n/en.yaml": f"nav_home: {y(attack('i18n.nav_home'))}\nfooter_text: {y(attack('i18n.footer_text'))}\n"
                    f"decade: {y('{decade}s ' + attack('i18n.decade'))}\n"
                    f"feed_title: {y('{site} ' + attack('i18n.feed_title'))}\n",
}

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "cite",
                  "srcset", "ping", "longdesc", "manifest", "codebase")
INJECTED = ("svg", "math", "iframe", "object", "embed", "base", "form", "style", "frame", "frameset", "applet")
SAFE_DATA = re.compile(r"^data:image/(png|gif|jpeg|webp);")


def bad_url(value: str) -> bool:
    """javascript:, vbscript: or a non-image data: URL, however it is dressed up."""
    squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
    if squeezed.startswith(("javascript:", "vbscript:", "livescript:")):
        return True
    return squeezed.startswith("data:") and not SAFE_DATA.match(squeezed)


def problems_on_page(page, site_files: set[str], rel: str) -> list[str]:
    """What on one parsed page could run: empty when it is inert."""
    found = []
    for script in page.find_all("script"):
        src = script.get("src")
        if src is not None:  # only the site's own files, such as static/search.js
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.I) or script.string or not _resolves(rel, src, site_files):
                found.append(f"script {script}")
        elif script.get("type") not in ("application/json", "application/ld+json"):
            found.append(f"inline script {str(script)[:80]}")
        else:
            json.loads(script.string or "null")  # data, and whole
    for element in page.find_all(True):
        if element.name in INJECTED and not _theme_own(element):
            found.append(f"<{element.name}> element")
        if element.name == "meta" and element.get("http-equiv", "").lower() == "refresh":
            found.append("meta refresh")
        for name, value in element.attrs.items():
            values = value if isinstance(value, list) else [value]
            if name.lower().startswith("on"):
                found.append(f"{name}= on <{element.name}>")
            if name.lower() in URL_ATTRIBUTES and any(bad_url(v) for v in values):
                if not (element.name == "img" and name == "src" and SAFE_DATA.match(values[0])):
                    found.append(f"{name}={values} on <{element.name}>")
    return found


# What the default theme itself draws: the header's search form, the timeline's filters, and SVG
# pictures made at build time (the timeline chart, the people map, diagrams). Each is allowed
# only where the theme puts it, never inside a body written by the content (.prose).
THEME_OWN = {"form": ("header.site-header > .header-row > form.site-search", "main form#tl-filters"),
             "svg": ("figure.tl-chart > svg.tl-svg", "figure.people-map > svg", "figure.diagram svg")}


def _theme_own(element) -> bool:
    if element.find_parent(class_="prose") is not None:
        return False
    root = element.find_parent("html") or element
    return any(found is element for selector in THEME_OWN.get(element.name, ()) for found in root.select(selector))


def _resolves(rel: str, src: str, site_files: set[str]) -> bool:
    """Whether the relative URL `src` on the page `rel` names a file of the built site."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), src.split("?")[0])) in site_files


@pytest.mark.parametrize("html", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>', '<a href="java\tscript:alert(1)">x</a>', '<a href="data:text/html,x">x</a>',
    '<script src="https://evil.example/x.js"></script>', '<script src="../static/missing.js"></script>',
    '<iframe src="https://www.youtube.com/embed/x"></iframe>', '<meta http-equiv="refresh" content="0;url=x">',
    '<form action="vbscript:x"></form>', '<body onload="x">',
])
def test_the_checker_finds_what_would_run(html):
    """The page check above is not vacuous: each of these is caught."""
    assert problems_on_page(soup_text(html), {"static/search.js"}, "en/index.html")


def test_the_checker_lets_the_sites_own_script_and_data_images_through():
    html = '<script src="../static/search.js"></script><img src="data:image/png;base64,AAAA"><a href="../x/">x</a>'
    assert problems_on_page(soup_text(html), {"static/search.js"}, "en/index.html") == []


@pytest.fixture(scope="module")
def attacked_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("attack")
    content = root / "content"
    for rel, text in FILES.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = root / "_site"
    code = main(["build", "--content", str(content), "--out", str(out), "--quiet"])
    assert code == 0
    return out


def test_no_page_holds_anything_that_runs(attacked_site):
    site_files = {p.relative_to(attacked_site).as_posix() for p in attacked_site.rglob("*") if p.is_file()}
    pages = sorted(p for p in attacked_site.rglob("*.html") if "pagefind" not in p.parts)
    assert len(pages) > 20
    found = {}
    for path in pages:
        rel = path.relative_to(attacked_site).as_posix()
        problems = problems_on_page(soup(path), site_files, rel)
        if problems:
            found[rel] = problems
    assert found == {}


def test_every_attacked_field_reached_a_page_as_plain_text(attacked_site):
    shown = set()
    for path in attacked_site.rglob("*.html"):
        page = soup(path)
        text = page.get_text(" ") + " ".join(
            v for element in page.find_all(True) for v in element.attrs.values() if isinstance(v, str))
        shown |= set(re.findall(r'alert\("([\w.-]+?)(?:\.zh|\.en)?"\)', text))
    for path in attacked_site.rglob("feed.xml"):  # the site's author is named in feeds only
        text = " ".join(element.text or "" for element in ET.parse(path).iter())
        shown |= set(re.findall(r'alert\("([\w.-]+?)(?:\.zh|\.en)?"\)', text))
    missing = [field for field in FIELDS if field not in shown]
    assert missing == []
    # the whole attack is shown, escaped, where it was written
    note = soup(attacked_site / "en" / "notes" / "attack" / "index.html")
    assert attack("note.title") in note.h1.get_text()
    assert attack("note.body") in note.get_text()


def test_links_in_bodies_are_neutralised_but_safe_ones_kept(attacked_site):
    note = soup(attacked_site / "en" / "notes" / "attack" / "index.html")
    hrefs = [a.get("href", "") for a in note.select(".prose a")]
    assert "https://example.org/?a=1&b=%22x%22" in hrefs
    assert not [h for h in hrefs if bad_url(h)]
    assert [img["src"] for img in note.select(".prose img")] == ["data:image/png;base64,iVBORw0KGgo="]
    assert "[click](javascript:alert(1))" in note.get_text()


def test_feeds_and_sitemap_are_well_formed_xml_with_the_attack_as_text(attacked_site):
    for rel in ("en/feed.xml", "zh/feed.xml", "sitemap.xml"):
        tree = ET.parse(attacked_site / rel)
        names = {element.tag.rsplit("}", 1)[-1] for element in tree.iter()}
        assert not names & {"script", "svg", "img", "iframe"}, rel
    feed = ET.parse(attacked_site / "en" / "feed.xml").getroot()
    titles = [t.text for t in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert attack("note.title") in titles
    assert all(t.get("type", "text") == "text" for t in feed.iter("{http://www.w3.org/2005/Atom}title"))


def test_attribute_values_stay_inside_their_quotes(attacked_site):
    """The site title goes into <meta content="…">: the break-out must stay in the value."""
    page = soup(attacked_site / "en" / "index.html")
    assert page.find("meta", attrs={"property": "og:site_name"})["content"] == attack("site.title.en")
    assert attack("site.description.en") in page.find("meta", attrs={"name": "description"})["content"]
    assert page.find("link", attrs={"type": "application/atom+xml"})["title"].startswith(attack("site.title.en"))


# ---------------------------------------------------------------- JSON in pages


@pytest.mark.parametrize("value", [
    "</script><script>alert(1)</script>", "<!--<script>", "a\u2028b\u2029c", "&amp; &lt;", {"k": "</SCRIPT>"},
    ["]]>", "'\"", "\\u003c"],
])
def test_json_in_a_script_element_cannot_break_out(value):
    text = Page.json(None, value)
    assert isinstance(text, Markup)
    html = make_environment(Path(".")).from_string(
        '<script type="application/json" id="data">{{ data }}</script><p>after</p>').render(data=text)
    page = soup_text(html)
    [script] = page.find_all("script")
    assert json.loads(script.string) == value
    assert page.p.get_text() == "after"
    assert "<" not in script.string and "\u2028" not in script.string


def test_json_of_values_json_cannot_hold_is_an_error_not_invalid_json():
    for value in (float("nan"), {"x": float("inf")}, object()):
        with pytest.raises(TemplateError, match="cannot write .* as JSON"):
            Page.json(None, value)


def soup_text(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


# ---------------------------------------------------------------- templates and markdown


def test_templates_escape_every_value_they_print():
    env = make_environment(Path("."))
    for name in ("page.html", "feed.xml", "sitemap.xml", "robots.txt", "anything"):
        assert env.autoescape(name) is True, name
    out = env.from_string('<a title="{{ v }}" href="{{ v }}">{{ v }}</a>').render(v=attack("x"))
    page = soup_text(out)
    assert page.a["title"] == attack("x") and page.select("script, svg, img") == []


def test_content_is_never_evaluated_as_a_template():
    from lecun_site.render.markdown import render_inline

    text = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} {{ config.__class__ }}"
    assert "{{ 7*7 }}" in render_markdown(text).html and "49" not in render_markdown(text).html
    assert "{% for x in range(3) %}" in render_inline(text)


@pytest.mark.parametrize("embeds", [False, True])
def test_iframes_are_escaped_unless_embeds_are_allowed_and_the_host_is_known(embeds):
    env = RenderEnv(allow_embeds=embeds)
    page = soup_text(render_markdown(
        '<iframe src="https://www.youtube.com/embed/abc123"></iframe>\n\n'
        '<iframe src="https://player.vimeo.com/video/1"></iframe>\n\n'
        '<iframe src="https://www.youtube.com/embed/x" onload="alert(1)"></iframe>\n\n'
        '<iframe src="https://evil.example/embed/x"></iframe>\n\n'
        '<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>\n\n'
        '<iframe src="javascript:alert(1)//https://www.youtube.com/embed/x"></iframe>\n\n'
        '<iframe src="https://www.youtube.com/embed/x"></iframe><script>alert(1)</script>\n', env).html)
    srcs = [f["src"] for f in page.find_all("iframe")]
    assert srcs == (["https://www.youtube.com/embed/abc123", "https://player.vimeo.com/video/1"] if embeds else [])
    assert page.find_all("script") == [] and not page.find_all(attrs={"onload": True})
    assert all(f.get("referrerpolicy") and set(f.attrs) <= {"src", "title", "loading", "allowfullscreen",
                                                            "referrerpolicy"} for f in page.find_all("iframe"))


def test_raw_html_runs_only_when_the_site_allows_it():
    body = '<b class="raw">bold</b> <script>alert(1)</script>'
    assert soup_text(render_markdown(body).html).find_all(["b", "script"]) == []
    allowed = soup_text(render_markdown(body, RenderEnv(allow_raw_html=True)).html)
    assert allowed.select("b.raw") and allowed.find_all("script")  # documented as unsafe
