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

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from conftest import ROOT, SITES, tree_bytes
from lecun_site.incremental import Builder
from lecun_site.pipeline import BuildOptions, build_site
from lecun_site.watch import ChangeKind

pytestmark = pytest.mark.slow

# Template edits, applied in this order: each makes pages show something they did not show.
TEMPLATE_EDITS = [
    ("note.html", '<article class="note"',
     '<ul class="all-notes">{% for slug in graph.notes_in_order() %}<li>{{ page.note(slug)[0].title }}</li>'
     '{% endfor %}</ul>\n<article class="note"'),
    ("partials/macros.html", '  <li class="card">',
     '{% set n, group = page.note(slug) %}<span class="topics">{{ group.topics | join(",") }}</span>\n'
     '  <li class="card">'),
    ("people.html", "{% set p = page.person(pid) %}",
     "{% set p = page.person(pid) %}<span class=\"role\">{{ p.role }}</span>"),
    ("base.html", "</body>", "<p class=\"desc\">{{ page.loc(site.description) }}</p></body>"),
]


class Site:
    """A site folder of its own (content/, templates/, static/), edited as a writer would."""

    def __init__(self, source: Path) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="core-eq-"))
        self.content = self.root / "content"
        shutil.copytree(source, self.content)
        shutil.copytree(ROOT / "templates", self.root / "templates")
        shutil.copytree(ROOT / "static", self.root / "static")
        self.counter = 0
        self.template_edits = 0
        self.added: list[str] = []  # slugs of the note pairs this test added

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _mark(self) -> str:
        self.counter += 1
        return f"{self.counter}"

    def notes(self) -> list[Path]:
        return sorted((self.content / "notes").glob("*.md"))

    # each edit returns the files it changed, as the watcher would report them
    def body(self, rng) -> dict:
        path = rng.choice(self.notes())
        path.write_text(path.read_text(encoding="utf-8") + f"\nOne more line {self._mark()}.\n", encoding="utf-8")
        return {path: ChangeKind.CONTENT}

    def title(self, rng) -> dict:
        path = rng.choice(self.notes())
        text = path.read_text(encoding="utf-8")
        mark = self._mark()
        edited = re.sub(r'^(title: "?)(.*?)("?)$', lambda m: f"{m[1]}{m[2]} {mark}{m[3]}", text, count=1, flags=re.M)
        path.write_text(edited, encoding="utf-8")
        return {path: ChangeKind.CONTENT}

    def person(self, rng) -> dict:
        path = rng.choice(sorted((self.content / "people").glob("*.yaml")))
        mark = self._mark()
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r'^(name: \{.*en: "?)([^",}]+)', lambda m: f"{m[1]}{m[2]} {mark}", text, count=1,
                               flags=re.M), encoding="utf-8")
        return {path: ChangeKind.CONTENT}

    def add_note(self, rng) -> dict:
        slug = f"added-{self._mark()}"
        person = sorted((self.content / "people").glob("*.yaml"))[0].stem
        paths = {}
        month = rng.randint(1, 9)
        for lang, title in (("zh", "新加的笔记"), ("en", "An added note")):
            path = self.content / "notes" / f"{slug}.{lang}.md"
            path.write_text(f"---\ntitle: {title} {slug}\ndate: 2020-0{month}\npeople: [{person}]\n---\n"
                            f"Text of {slug}.\n", encoding="utf-8")
            paths[path] = ChangeKind.CONTENT
        self.added.append(slug)
        return paths

    def delete_note(self, rng) -> dict:
        if not self.added:
            return self.add_note(rng)
        slug = self.added.pop(rng.randrange(len(self.added)))
        paths = {}
        for path in sorted((self.content / "notes").glob(f"{slug}.*.md")):
            path.unlink()
            paths[path] = ChangeKind.CONTENT
        return paths

    def static(self, rng) -> dict:
        path = self.root / "static" / "extra.css"  # added, then removed, then added…
        if path.exists():
            path.unlink()
        else:
            path.write_text(f"/* {self._mark()} */\n", encoding="utf-8")
        return {path: ChangeKind.STATIC}

    def site_yaml(self, rng) -> dict:
        path = self.content / "site.yaml"
        mark = self._mark()
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r'^(description: \{.*en: "?)([^",}]+)', lambda m: f"{m[1]}{m[2]} {mark}", text,
                               count=1, flags=re.M), encoding="utf-8")
        return {path: ChangeKind.CONFIG}

    def template(self, rng) -> dict:
        if self.template_edits >= len(TEMPLATE_EDITS):
            return self.body(rng)
        name, old, new = TEMPLATE_EDITS[self.template_edits]
        self.template_edits += 1
        path = self.root / "templates" / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return {path: ChangeKind.TEMPLATE}


EDITS = ["body", "title", "person", "add_note", "delete_note", "static", "site_yaml", "template"]


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
