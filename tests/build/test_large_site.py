"""A site too large to draw one mark per event or list every note on its home page: the
timeline chart counts events by year (render/timeline_svg.py, DENSE_OVER) and the home page
shows the latest notes with a link to them all. Built through the CLI from the benchmark
corpus, then checked the way `lecun-site check` checks a site before it is published."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import gen_corpus
from lecun_site.render.timeline_svg import DENSE_OVER

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("large")
    content = gen_corpus.generate(260, root / "corpus", seed=3)
    return content, root / "site"


def test_dense_chart_and_short_home_page_build_and_check(large, cli) -> None:
    content, out = large
    assert cli("build", "--content", content, "--out", out, "--no-search", "--quiet").code == 0
    timeline = (out / "en" / "timeline" / "index.html").read_text(encoding="utf-8")
    events = len(re.findall(r'<li class="event[ "]', timeline))
    assert events > DENSE_OVER  # the corpus has enough events for the dense chart
    for page in ("en/index.html", "en/timeline/index.html", "zh/index.html"):
        html = (out / page).read_text(encoding="utf-8")
        chart = html[html.index('<figure class="tl-chart'):html.index("</figure>")]
        assert '<a class="tl-mark' not in chart  # no mark per event
        counts = [int(n) for n in re.findall(r"<title>\d{4}[：:](\d+)", chart.replace(" ", ""))]
        assert sum(counts) == events  # the bars count every event once
        decades = re.findall(r'<a class="tl-decade" href="(?:timeline/|\./)#d(\d{4})"', chart)
        assert decades and all(f'id="d{d}"' in timeline or f'id="d{d}"' in html for d in decades)
    home = (out / "en" / "index.html").read_text(encoding="utf-8")
    start = home.index("<h2>Notes</h2>")
    latest = home[start:home.index("</section>", start)]
    assert latest.count('class="card"') == 20
    assert re.search(r'<a href="notes/">All 260 notes</a>', latest)
    # every link and anchor of the site resolves
    result = cli("check", "--out", out)
    assert result.code == 0, result.out + result.err


def test_a_small_timeline_keeps_one_mark_per_event(cli, tmp_path: Path) -> None:
    content = gen_corpus.generate(20, tmp_path / "corpus", seed=3)
    out = tmp_path / "site"
    assert cli("build", "--content", content, "--out", out, "--no-search", "--quiet").code == 0
    timeline = (out / "en" / "timeline" / "index.html").read_text(encoding="utf-8")
    events = len(re.findall(r'<li class="event[ "]', timeline))
    assert 0 < events <= DENSE_OVER
    assert timeline.count('<a class="tl-mark') == events
    home = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert home.count('<a class="tl-mark') == events and "All 20 notes" not in home
