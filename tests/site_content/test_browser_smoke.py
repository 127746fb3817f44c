"""A reader in a real browser: the language switch, a note, a person, the timeline."""

import pytest


@pytest.fixture
def served(minimal_site, tmp_path, cli, static_server):
    out = tmp_path / "_site"
    assert cli("build", "--content", minimal_site, "--out", out).code == 0
    return static_server(out)


def test_reader_moves_between_languages_and_pages(page, served):
    page.goto(served)
    page.click("text=English")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("h2.home-note-title a")
    assert page.locator("h1").inner_text() == "Introduction"
    page.click("a.lang-switch")
    assert page.locator("h1").inner_text() == "导言"
    assert page.url.endswith("/zh/notes/intro/")
    page.click(".side-column a.chip.person >> nth=0")  # a note's people are beside (or after) its text
    assert "艾达·洛芙莱斯" in page.locator("h1").inner_text()
    page.click("nav.site-nav >> text=时间线")
    assert page.locator("#ev-1843-notes").is_visible()
