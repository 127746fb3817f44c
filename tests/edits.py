"""A site folder edited as a writer edits one: the edits the core's equivalence tests replay
(tests/build/test_core_equivalence.py) and drive through a real serve process
(tests/serve/test_serve.py)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from conftest import ROOT

from lecun_site.serve.watch import ChangeKind

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


