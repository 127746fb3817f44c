"""Issue 24: the story true to its sources, read from the real site as it is published.

Citations name their place in the reader's language and link to the turn; the fact-check page
can be scanned (reliability box, serious entries first, contents, groups); the accuracy items of
the issue are gone in both languages; quotes that only the dramatised recap gives are marked.
Every test reads the pages that `content/` builds into (the session's `published_site`)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from conftest import soup

from lecun_site.records import SEVERITIES

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
LANGS = ("zh", "en")


@pytest.fixture(scope="module")
def site(published_site):
    out, _ = published_site
    return out


@pytest.fixture(scope="module")
def pages(site):
    """Every HTML page of each language, parsed once: {lang: {path: soup}}."""
    return {lang: {p: soup(p) for p in sorted((site / lang).rglob("*.html"))} for lang in LANGS}


def resolve(page: Path, href: str) -> tuple[Path, str]:
    """The file and fragment a relative link on `page` points at."""
    url, fragment = urldefrag(href)
    target = Path(urljoin(str(page), url)) if url else page
    if target.is_dir() or not target.suffix:
        target = target / "index.html"
    return target, fragment


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


def unquoted(sentence: str) -> str:
    """A sentence without what it quotes: a claim reported in quotation marks is not the site's."""
    return re.sub(r"“[^”]*”|\"[^\"]*\"|「[^」]*」", "", sentence)


def sentences(node, lang: str) -> list[str]:
    parts = re.split(r"(?<=[。！？；])" if lang == "zh" else r"(?<=[.!?;])\s+", text(node))
    return [p for p in parts if p.strip()]


# ---------------------------------------------------------------- citations


def test_citation_labels_are_in_the_language_of_the_page(pages):
    seen = {lang: 0 for lang in LANGS}
    wrong = []
    for lang in LANGS:
        for path, html in pages[lang].items():
            for label in html.select(".locator"):
                value = label.get_text()
                seen[lang] += 1
                if lang == "zh" and (LATIN.search(value) and not CJK.search(value) or re.search(r"\bturn\b", value)):
                    wrong.append((path.name, path.parent.name, value))
                if lang == "en" and CJK.search(value):
                    wrong.append((path.name, path.parent.name, value))
    assert seen["zh"] > 200 and seen["en"] > 200, seen  # the test reads real labels
    assert wrong == []


def test_transcript_places_are_named_from_the_transcript_in_each_language(site, graph):
    """'§ Bell Labs and LeNet' and 'turn-14' are one place: each language names it its own way."""
    ev = "ev-1988-bell-labs"
    labels = {}
    for lang in LANGS:
        item = soup(site / lang / "timeline" / "index.html").select_one(f"#{ev}")
        labels[lang] = [a.select_one(".locator").get_text() for a in item.select("a.source-cite")
                        if a.select_one(".locator")]
    transcript = graph.transcripts["heroes-of-deep-learning"]
    turn = next(t for t in transcript.version("zh").turns if t.number == 14)
    zh_section = transcript.version("zh").sections[turn.section].title
    en_section = transcript.version("en").sections[turn.section].title
    assert f"第 14 轮（{zh_section}）" in labels["zh"], labels
    assert f"turn 14 ({en_section})" in labels["en"], labels


def test_every_turn_locator_on_events_and_quotes_links_to_that_turn(site, graph):
    checked = 0
    for lang in LANGS:
        timeline = site / lang / "timeline" / "index.html"
        html = soup(timeline)
        for event in graph.events.values():
            item = html.select_one(f"#{event.anchor}")
            for cite in event.sources:
                if not cite.turn_anchor:
                    continue
                hrefs = [a["href"] for a in item.select("a.source-cite")]
                found = [h for h in hrefs if h.endswith("#" + cite.turn_anchor)]
                assert found, (lang, event.id, cite.at, hrefs)
                target, fragment = resolve(timeline, found[0])
                assert target.is_file() and soup(target).find(id=fragment), (event.id, found[0])
                checked += 1
        for quote in graph.quotes.values():
            if not (quote.source and quote.source.turn_anchor):
                continue
            page = site / lang / "people" / quote.speaker / "index.html"
            figure = soup(page).select_one(f"#{quote.anchor}")
            assert figure is not None, (lang, quote.id)
            links = [a["href"] for a in figure.select("a.source-cite")]
            assert links and links[0].endswith("#" + quote.source.turn_anchor), (quote.id, links)
            target, fragment = resolve(page, links[0])
            assert target.is_file() and soup(target).find(id=fragment), (quote.id, links[0])
            checked += 1
    assert checked > 40


def test_chinese_pages_use_full_width_colons_after_labels(pages, site):
    labels = ["人物", "主题", "来源", "涉及", "本站采用", "理由", "结论", "相关笔记", "出生", "其他写法", "相关主题", "有出入"]
    offending = []
    for path, html in pages["zh"].items():
        body = text(html.body)
        for label in labels:
            if re.search(re.escape(label) + r"\s?:", body):
                offending.append((str(path.relative_to(site)), label))
    assert offending == []
    # a label before its value takes the full-width colon (a note's people are under a heading now)
    assert "出生：" in text(soup(site / "zh" / "people" / "yann-lecun" / "index.html").body)


def test_each_source_has_one_short_name_per_language_and_a_reliability_note(site, graph):
    for lang in LANGS:
        shorts = set()
        for source_id, source in graph.sources.items():
            html = soup(site / lang / "sources" / source_id / "index.html")
            assert source.short.get(lang) in text(html.select_one(".facts")), (lang, source_id)
            box = html.select_one("aside.reliability")
            assert box is not None and len(text(box)) > 40, (lang, source_id)
            shorts.add(source.short.get(lang))
        assert len(shorts) == len(graph.sources), shorts
        if lang == "en":  # one name for each source, not "write-up" for all of them
            for path in (site / lang).rglob("*.html"):
                assert "write-up" not in text(soup(path).body), path


# ---------------------------------------------------------------- the fact-check page


@pytest.mark.parametrize("lang", LANGS)
def test_the_fact_check_page_can_be_scanned(site, graph, lang):
    page = site / lang / "fact-check" / "index.html"
    html = soup(page)
    main = html.select_one("main") or html.body
    order = [el for el in main.find_all(["section", "nav"], recursive=True)
             if set(el.get("class", [])) & {"reliability-box", "fc-serious", "fc-contents", "fc-group"}]
    kinds = [next(c for c in el["class"] if c in {"reliability-box", "fc-serious", "fc-contents", "fc-group"}) for el in order]
    assert kinds[:3] == ["reliability-box", "fc-serious", "fc-contents"], kinds
    assert set(kinds[3:]) == {"fc-group"} and len(kinds) - 3 >= 3

    rows = html.select(".reliability-box .reliability-row")
    assert len(rows) == len(graph.sources)
    for row in rows:
        assert row.select_one(".badge.rating") and len(text(row.dd)) > 30

    high = {d.anchor for d in graph.discrepancies.values() if d.severity == "high"}
    assert high, "some entries are serious"
    serious = {resolve(page, a["href"])[1] for a in html.select(".fc-serious li > a")}
    assert serious == high
    for li in html.select(".fc-serious li"):
        assert len(text(li)) > len(li.a.get_text()) + 10  # a one-line verdict follows the title

    contents = [resolve(page, a["href"])[1] for a in html.select(".fc-contents .fc-entries a")]
    assert sorted(contents) == sorted(d.anchor for d in graph.discrepancies.values())
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    by_anchor = {d.anchor: d for d in graph.discrepancies.values()}
    for group in html.select("section.fc-group"):
        entries = [by_anchor[a["id"]] for a in group.select("article.discrepancy")]
        assert entries, group["id"]
        ranks = [rank[d.severity] for d in entries]
        assert ranks == sorted(ranks), (group["id"], [d.id for d in entries])  # serious first
        for d in entries:
            article = group.select_one(f"#{d.anchor}")
            assert article.select_one(".verdict"), d.id
            for eid in d.events:  # each entry links back to what it qualifies
                links = [resolve(page, a["href"]) for a in article.select(".touches a")]
                assert any(f == f"ev-{eid}" and t.is_file() and soup(t).find(id=f) for t, f in links), (d.id, eid)
            for slug in d.notes:
                assert any(t == site / lang / "notes" / slug / "index.html"
                           for t, _ in (resolve(page, a["href"]) for a in article.select(".touches a"))), (d.id, slug)


# ---------------------------------------------------------------- the accuracy items


def event_text(site, lang, event_id):
    return text(soup(site / lang / "timeline" / "index.html").select_one(f"#ev-{event_id}"))


def all_sentences(pages, lang):
    for path, html in pages[lang].items():
        for sentence in sentences(html.body, lang):
            yield path, sentence


def test_only_the_best_partners_explainer_names_optical_fibre(site):
    zh = event_text(site, "zh", "1988-bell-labs")
    en = event_text(site, "en", "1988-bell-labs")
    for clause in re.split(r"[，；（）。]", zh):
        if "光纤" in clause:
            assert "最佳拍档" in clause and not re.search("两篇|图文回顾", clause), clause
    for clause in re.split(r"[,;()]|\. ", en):
        if "fibre" in clause:
            assert "Best Partners" in clause and not re.search(r"write-ups|Tencent|recap", clause), clause


def test_the_turing_award_event_does_not_say_every_source_gives_2018(site):
    zh = event_text(site, "zh", "2019-turing-award")
    en = event_text(site, "en", "2019-turing-award")
    assert not re.search(r"(几份|所有|各份|各个)来源都", zh) and "离职传闻一文" in zh
    assert not re.search(r"sources all|all the sources|every source", en) and "vpshk" in en


def test_shengjia_zhaos_title_is_never_left_bare(pages):
    for lang, name, title, lab in (("zh", "赵晟佳", "首席", "超级智能实验室"), ("en", "Zhao", "chief", "Superintelligence")):
        count = 0
        for path, sentence in all_sentences(pages, lang):
            sentence = unquoted(sentence)
            if name in sentence and title in sentence.lower():
                count += 1
                assert lab.lower() in sentence.lower(), (path, sentence)
        assert count > 3


def test_no_page_makes_lecun_meta_chief_scientist_in_2018(pages):
    zh = re.compile(r"2018\s*年\s*(起|出任|任|接下|升任)(?:(?!Facebook)[^。；，])*Meta[^。；]*首席")
    en = re.compile(r"(?:(?:in|since|from) 2018[^.;]*Meta's chief AI scientist|Meta's chief AI scientist (?:in|since|from) 2018)")
    for lang, pattern in (("zh", zh), ("en", en)):
        for path, sentence in all_sentences(pages, lang):
            assert not pattern.search(unquoted(sentence)), (path, sentence)
    bio = " ".join(text(p) for p in pages["zh"][next(p for p in pages["zh"] if p.parent.name == "yann-lecun")].select(".prose"))
    assert "2018 年起任 Facebook 首席 AI 科学家" in bio


def test_the_reconsider_line_is_only_the_recaps(pages):
    for lang, said, on_camera, recap in (("zh", "重新考虑", "片中", "图文回顾"), ("en", "reconsider", "camera", "recap")):
        notes = [p for p in pages[lang] if p.parent.parent.name == "notes"
                 and p.parent.name in ("leaving-meta", "documentary-recap", "forty-years-documentary")]
        assert len(notes) == 3
        for path in notes:
            for sentence in sentences(pages[lang][path].select_one(".prose"), lang):
                sentence = unquoted(sentence)
                if said in sentence and on_camera in sentence:
                    assert recap in sentence, (path, sentence)


def test_four_years_of_fair_is_cited_to_turn_28(pages):
    for lang, words in (("zh", "领导 FAIR 四年"), ("en", "led FAIR for four years")):
        path = next(p for p in pages[lang] if p.parent.name == "heroes-interview")
        html = pages[lang][path]
        prose = html.select_one(".prose")
        raw = str(prose)
        at = raw.index(words)
        ref = re.search(r'href="#(ref-\d+)"', raw[at:]).group(1)
        assert html.select_one(f"#{ref} a")["href"].endswith("#turn-28")


def test_the_usps_data_set_keeps_its_irony(pages):
    for lang, pattern in (("zh", r"“庞大”[^。]*五千"), ("en", r"\"huge\"[^.]*five thousand")):
        path = next(p for p in pages[lang] if p.parent.name == "heroes-interview")
        body = text(pages[lang][path].select_one(".prose"))
        assert re.search(pattern, body), lang
        assert "只有五千" not in body and "just five thousand" not in body


def test_quotes_from_the_dramatised_recap_alone_are_marked(pages, graph):
    dramatised = {q.anchor for q in graph.quotes.values()
                  if q.source and graph.sources[q.source.source].reliability == "dramatised"}
    assert dramatised
    seen = set()
    for lang in LANGS:
        for path, html in pages[lang].items():
            for figure in html.select("figure.quote"):
                marked = "dramatised" in figure.get("class", []) and figure.select_one(".notice.dramatised")
                if figure["id"] in dramatised:
                    assert marked, (path, figure["id"])
                    seen.add(figure["id"])
                else:
                    assert not marked, (path, figure["id"])
    assert seen == dramatised


def test_invented_lines_are_not_shown_as_quotes(pages):
    for lang in LANGS:
        for path, html in pages[lang].items():
            for figure in html.select("figure.quote"):
                body = text(figure.blockquote)
                assert "到多伦多来" not in body and "和我们一样的事" not in body, path
                assert "只懂算法" not in body and "only knows algorithms" not in body, path


@pytest.mark.parametrize("lang,needle,turn", [
    ("zh", "在法国有一些孩子也正在做着相同的事情", "turn-10"),
    ("en", "kids in France doing the same thing", "turn-10"),
    ("zh", "LLM并不是通向人类级智能的道路", "turn-48"),
    ("en", "not the road to human-level intelligence", "turn-48"),
])
def test_first_hand_quotes_are_there(pages, lang, needle, turn):
    found = [f for html in pages[lang].values() for f in html.select("figure.quote") if needle in text(f.blockquote)]
    assert found
    assert all(f.select_one("a.source-cite")["href"].endswith("#" + turn) for f in found)


# ---------------------------------------------------------------- start here, glossary


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_page_has_a_reading_path(site, lang):
    home = site / lang / "index.html"
    box = soup(home).select_one("aside.start-here")
    assert box is not None
    links = [resolve(home, a["href"])[0] for a in box.select("ol a")]
    assert len(links) >= 5 and all(t.is_file() for t in links)
    assert site / lang / "fact-check" / "index.html" in links


@pytest.mark.parametrize("lang", LANGS)
def test_the_glossary_links_its_terms_to_topics_and_back(site, lang):
    page = site / lang / "notes" / "glossary" / "index.html"
    html = soup(page)
    topics = {resolve(page, a["href"])[0].parent.name for a in html.select(".prose a")
              if "/topics/" in a["href"]}
    assert {"cnn", "backpropagation", "fair", "jepa", "world-models"} <= topics
    assert len(html.select(".prose h2")) >= 10  # one heading per term, under the title
    back = soup(site / lang / "topics" / "jepa" / "index.html")
    assert any(resolve(site / lang / "topics" / "jepa" / "index.html", a["href"])[0] == page
               for a in back.select("a"))
