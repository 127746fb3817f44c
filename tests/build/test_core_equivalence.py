"""The one build core, checked as a whole (issue 19): over random sequences of edits of every
kind a writer makes (a note's body or title, a person's name, a note pair added or deleted, a
static file added or removed, site.yaml, a template edited to show a field it did not show),
after every edit

- serve's Builder (in place, the last graph and traces in memory; edits handed over as the
  watcher hands them) leaves exactly the files a clean `build --drafts --base-url /` writes;
- a cached `build` leaves exactly what `build --no-cache` writes.

On the fixture site and on a small benchmark corpus. Hypothesis picks the sequences; a
failing one is shrunk to the shortest sequence that still fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SITES, tree_bytes
from edits import EDITS, Site
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lecun_site.build.pipeline import BuildOptions, build_site
from lecun_site.serve.session import Builder

pytestmark = pytest.mark.slow

def _check(source: Path, edits: list[str], rng, cached_build: bool) -> None:
    site = Site(source)
    try:
        serve_out = site.root / "serve-out"
        builder = Builder(BuildOptions(content=site.content, out=serve_out, drafts=True, base_url="/"))
        assert builder.build().ok
        cached_out = site.root / "cached-out"
        cached = BuildOptions(content=site.content, out=cached_out, search=False)
        if cached_build:
            build_site(cached)
        for step, kind in enumerate(edits):
            changed = getattr(site, kind)(rng)
            report = builder.build(changed)
            assert report.ok, [p.format() for p in report.problems]
            clean = site.root / f"clean-{step}"
            build_site(BuildOptions(content=site.content, out=clean, drafts=True, base_url="/", search=False,
                                    cache=False))
            assert tree_bytes(serve_out) == tree_bytes(clean), f"serve after {edits[:step + 1]}"
            shutil.rmtree(clean)
            if cached_build:
                build_site(cached)
                clean = site.root / f"clean-nocache-{step}"
                build_site(BuildOptions(content=site.content, out=clean, search=False, cache=False))
                assert tree_bytes(cached_out) == tree_bytes(clean), f"cached build after {edits[:step + 1]}"
                shutil.rmtree(clean)
    finally:
        site.close()


# Deterministic examples (the same in CI every time), and no shrinking: a failure names its
# sequence of edits, and shrinking one here can take many minutes of builds.
QUICK = dict(deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@settings(max_examples=6, **QUICK)
@given(edits=st.lists(st.sampled_from(EDITS), min_size=4, max_size=8), rng=st.randoms(use_true_random=False))
def test_serve_and_cached_build_equal_clean_builds_on_the_fixture_site(edits, rng):
    _check(SITES / "minimal", edits, rng, cached_build=True)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from benchmarks.gen_corpus import generate

    folder = tmp_path_factory.mktemp("corpus") / "content"
    generate(24, folder, seed=3)
    return folder


@settings(max_examples=3, **QUICK)
@given(edits=st.lists(st.sampled_from(EDITS), min_size=4, max_size=6), rng=st.randoms(use_true_random=False))
def test_serve_and_cached_build_equal_clean_builds_on_the_benchmark_corpus(corpus, edits, rng):
    _check(corpus, edits, rng, cached_build=True)
