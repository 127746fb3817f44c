"""Issue 23: the documentary reads like one, checked in a real Chromium at a desktop and a phone
size on the real site as it is published: the drawn timeline on the first screen, prose before
metadata, anchors never under a sticky element, and search that finds a person's own page."""

from __future__ import annotations

import pytest
from conftest import soup

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LANGS = ("zh", "en")


@pytest.fixture
def served(published_site, static_server):
    out, _ = published_site
    return static_server(out, "/repo/")


@pytest.fixture(params=list(VIEWPORTS))
def tab(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


def is_fuzzy(date) -> bool:
    return date.decade or date.approx or date.part is not None


@pytest.mark.parametrize("lang", LANGS)
def test_the_timeline_chart_is_on_the_first_screen_with_one_mark_per_event(tab, served, graph, lang):
    tab.goto(served + f"{lang}/timeline/")
    height = tab.viewport_size["height"]
    chart = tab.locator(".tl-svg").bounding_box()
    assert chart["y"] >= 0 and chart["y"] + chart["height"] <= height, chart
    marks = tab.eval_on_selector_all(".tl-mark", """marks => marks.map(m => {
        const r = m.getBoundingClientRect(), shape = m.firstElementChild.nextElementSibling;
        return {id: m.dataset.event, fuzzy: m.classList.contains('fuzzy'), shape: shape.tagName,
                dash: getComputedStyle(shape).strokeDasharray, top: r.top, bottom: r.bottom, left: r.left,
                right: r.right, width: r.width, href: m.getAttribute('href')}; })""")
    assert sorted(m["id"] for m in marks) == sorted(graph.events)  # one mark per event
    width = tab.viewport_size["width"]
    for m in marks:
        assert 0 <= m["top"] and m["bottom"] <= height and 0 <= m["left"] and m["right"] <= width, m
        assert m["width"] >= 2, m  # drawn large enough to see
        assert m["href"].endswith("#ev-" + m["id"]) and tab.locator(f"#ev-{m['id']}").count() == 1
    # fuzzy dates are drawn differently: dashed boxes over the time they may fall in, not dots
    fuzzy = {eid for eid, event in graph.events.items() if is_fuzzy(event.date)}
    assert {m["id"] for m in marks if m["fuzzy"]} == fuzzy and len(fuzzy) > 10
    for m in marks:
        if m["fuzzy"]:
            assert m["shape"] == "rect" and m["dash"] != "none", m
        else:
            assert m["shape"] == "circle", m
    decade = next(m for m in marks if graph.events[m["id"]].date.decade)
    assert decade["width"] > 3 * min(m["width"] for m in marks if not m["fuzzy"])  # a range, not a point
    # the list below is compact: one line per event, the details on demand
    first = tab.locator("li.event[id] details").first
    assert not first.evaluate("d => d.open")
    # and the page is a fraction of its old 22,000 (desktop) / 36,700 (phone) px
    assert tab.evaluate("document.documentElement.scrollHeight") < (7000 if tab.viewport_name == "desktop" else 11000)


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_page_shows_the_compact_chart(page, served, graph, lang):
    page.goto(served + f"{lang}/")
    assert page.locator(".tl-chart.compact .tl-mark").count() == len(graph.events)
    page.locator(".tl-chart.compact .tl-mark").first.click()
    page.wait_for_url("**/timeline/#ev-*")


def first_paragraph_top(tab, selector: str) -> float:
    return tab.locator(selector).first.bounding_box()["y"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_note_opens_with_its_text(tab, served, graph, lang):
    tab.goto(served + f"{lang}/notes/heroes-interview/")
    top = first_paragraph_top(tab, "article .prose p")
    aside = tab.locator("aside.side-column").bounding_box()
    if tab.viewport_name == "desktop":
        assert top < 700, top
        assert aside["x"] > tab.locator("article .prose").bounding_box()["x"]  # beside the text
    else:
        assert aside["y"] > top  # after the text
    # one line for the disputes, not a chip per dispute
    disputes = graph.disputes.get("note", {}).get("heroes-interview", [])
    assert len(disputes) > 5
    assert tab.locator("a.dispute").count() == 0
    summary = tab.locator("details.disputes > summary")
    assert summary.count() == 1 and str(len(disputes)) in summary.inner_text()
    assert tab.locator("details.disputes li a").count() == len(disputes)


@pytest.mark.parametrize("lang", LANGS)
def test_a_person_page_opens_with_the_bio(tab, served, lang):
    tab.goto(served + f"{lang}/people/yann-lecun/")
    top = first_paragraph_top(tab, "article .prose p")
    if tab.viewport_name == "desktop":
        assert top < 700, top
    assert tab.locator(".person-head .avatar[role=img]").get_attribute("aria-label")
    assert tab.locator("details.more").count() >= 1  # long lists folded
    assert tab.evaluate("document.documentElement.scrollHeight") < 8000  # was 22,800 px


ANCHORED = [
    "zh/timeline/#ev-1989-zip-code", "en/timeline/#ev-1989-zip-code",
    "zh/transcripts/heroes-of-deep-learning/#turn-14", "en/fact-check/#d-lecun-age",
    "zh/notes/heroes-interview/#ref-3",
]


@pytest.mark.parametrize("path", ANCHORED)
def test_an_anchored_element_is_not_covered_by_anything(tab, served, path):
    tab.goto(served + path)
    anchor = path.split("#")[1]
    target = tab.locator(f"#{anchor}")
    tab.wait_for_timeout(100)
    box = target.bounding_box()
    assert 0 <= box["y"] < tab.viewport_size["height"] / 2, box
    # the top of the target (the event's date and title) is what the browser shows at those points
    covered = tab.evaluate("""(id) => {
        const el = document.getElementById(id), r = el.getBoundingClientRect(), out = [];
        for (const x of [r.left + 4, r.left + r.width / 2]) {
            const hit = document.elementFromPoint(x, r.top + 6);
            if (!hit || !el.contains(hit)) out.push(hit ? hit.outerHTML.slice(0, 80) : 'nothing');
        }
        return out; }""", anchor)
    assert covered == []


SEARCHES = [("zh", "杨立昆", "people/yann-lecun/"), ("zh", "Yann LeCun", "people/yann-lecun/"),
            ("en", "Yann LeCun", "people/yann-lecun/"), ("en", "杨立昆", "people/yann-lecun/"),
            ("zh", "辛顿", "people/geoffrey-hinton/"), ("zh", "Hinton", "people/geoffrey-hinton/"),
            ("en", "Hinton", "people/geoffrey-hinton/"), ("en", "辛顿", "people/geoffrey-hinton/")]


@pytest.mark.parametrize("lang, query, expected", SEARCHES)
def test_searching_a_name_from_the_header_finds_their_page_in_the_top_three(page, served, lang, query, expected):
    page.goto(served + f"{lang}/notes/overview/")
    page.fill(".site-search input[name=q]", query)
    page.press(".site-search input[name=q]", "Enter")
    page.wait_for_url("**/search/?q=*")
    page.wait_for_selector(".pagefind-ui__result-link")
    page.wait_for_function("document.querySelector('.pagefind-ui__message')?.textContent.match(/\\d/)")
    shown = page.eval_on_selector_all(".pagefind-ui__result-link", "links => links.map(a => a.getAttribute('href'))")
    assert f"/repo/{lang}/{expected}" in shown[:3], shown[:5]
    # excerpts are text, not the labels and chips around it
    excerpts = page.eval_on_selector_all(".pagefind-ui__result-excerpt", "es => es.map(e => e.textContent)")
    assert excerpts and not any("⚠" in e or "有出入" in e or "disputed" in e for e in excerpts), excerpts


def test_the_header_search_box_works_without_javascript(browser, served):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "zh/people/")
    page.fill(".site-search input[name=q]", "辛顿")
    page.press(".site-search input[name=q]", "Enter")
    page.wait_for_url("**/repo/zh/search/?q=*")
    assert "q=%E8%BE%9B%E9%A1%BF" in page.url
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_people_index_draws_who_worked_with_whom(page, served, graph, lang):
    page.goto(served + f"{lang}/people/")
    nodes = page.eval_on_selector_all(".people-map .pm-node", "ns => ns.map(n => n.getAttribute('href'))")
    assert len(nodes) >= 8 and "../people/yann-lecun/".split("/")[-2] in nodes[0]  # the most connected in the middle
    assert page.locator(".people-map line").count() >= len(nodes) - 1
    assert page.locator(".people-map svg").get_attribute("aria-label")
    # people by how present they are in the story, not by id
    cards = page.eval_on_selector_all(".cards.people .card-title", "as => as.map(a => a.getAttribute('href'))")
    assert cards[0].endswith("yann-lecun/") and len(cards) == len(graph.people)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_reference_keeps_a_space_between_the_source_and_its_publisher(published_site, lang):
    out, _ = published_site
    refs = soup(out / lang / "notes" / "overview" / "index.html").select("section.references li")
    assert refs
    for ref in refs:
        text = " ".join(ref.get_text().split())
        assert " — " in text, text  # not "…where it is going— AI深度研究员"
