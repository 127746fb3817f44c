"""Correctness first (issue 7): on a synthetic corpus (benchmarks/gen_corpus.py), every way of
building gives the bytes a clean cold build gives.

- `test_incremental_equals_cold_build_on_the_corpus`: one `incremental.Builder` kept across a
  seeded sequence of edits (as `serve` keeps it), compared after EVERY edit with a clean
  `pipeline.build_site` into a fresh folder.
- `test_cli_rebuilds_equal_clean_builds_on_the_corpus`: `python build.py build` run in a child
  process again and again into the same output folder, with edits in between, compared each
  time with a clean build of a fresh copy of the site into a fresh folder: the build cache kept
  beside the output (cache.py) must never change what is built.

The edits cover notes (body, title, delete, add, draft), people, topics, sources, timeline
events, quotes, transcripts, site.yaml, i18n overrides, and the templates/ and static/ folders
beside the content folder (which replace the project's own). A failure lists the differing
files, an excerpt of the first difference and the edits applied so far.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, tree_bytes

from benchmarks import gen_corpus
from lecun_site.build.pipeline import BuildOptions, build_site
from lecun_site.serve.session import Builder
from lecun_site.serve.watch import WatchRoots, classify_change

HUB_PERSON = gen_corpus.HUB_PERSON

NOTES = 34  # note pairs: ~330 pages once unnamed people are pruned, about a second a cold build
IGNORED = ("pagefind/",)  # the search index: Builder(search=False) and serve's rebuilds do not write it


@pytest.fixture
def quick_clean_builds(monkeypatch):
    """Clean in-process builds without the Pagefind index (not compared) and rendered in this
    process rather than in forked workers (the same bytes; on a small machine several times
    faster). The CLI test's child processes keep both, so the forked render is compared too."""
    monkeypatch.setattr("lecun_site.build.core.index_search", lambda folder, problems, **_: 0.0)
    monkeypatch.setattr("lecun_site.build.core.PARALLEL_MIN_PAGES", 10**9, raising=False)


# --------------------------------------------------------------------------- the synthetic site


class Site:
    """A generated corpus at `root/content`, with copies of the project's templates/ and static/
    beside it (so that they replace the project's own and can be edited), and the edits so far."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.content = gen_corpus.generate(NOTES, root / "content", seed=seed)
        self.prune_people()
        shutil.copytree(ROOT / "templates", root / "templates")
        shutil.copytree(ROOT / "static", root / "static")
        self.templates = root / "templates"
        self.static = root / "static"
        self.home_note = re.search(r"^home_note: (\S+)$", self._read(self.content / "site.yaml"), re.M).group(1)
        self.counter = 0
        self.log: list[str] = []
        self.i18n: dict[str, dict[str, str]] = {}

    def prune_people(self) -> None:
        """Delete the people no file names: the generator writes 150 whatever the number of notes,
        and their pages (a third of a small site) show nothing any edit here could change."""
        others = "\n".join(self._read(p) for p in sorted(self.content.rglob("*"))
                           if p.is_file() and p.parent.name != "people")
        ids = set(re.findall(r"[a-z]+(?:-[a-z]+)+", others))
        for path in sorted((self.content / "people").glob("*.yaml")):
            aliases = re.search(r"^aliases: \[(.*)\]$", self._read(path), re.M)
            named = path.stem in ids or any(f'"{alias}"' in others or f"[{alias}," in others or f" {alias}," in others
                                            or f" {alias}]" in others or f"[{alias}]" in others
                                            for alias in re.findall(r'"([^"]+)"', aliases.group(1) if aliases else ""))
            if not named:
                path.unlink()

    # helpers
    def mark(self) -> int:
        self.counter += 1
        return self.counter

    @staticmethod
    def _read(path: Path) -> str:
        return path.read_text(encoding="utf-8")

    @staticmethod
    def _write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def slugs(self) -> list[str]:
        return sorted(p.name.removesuffix(".zh.md") for p in (self.content / "notes").glob("*.zh.md"))

    def replace_once(self, path: Path, pattern: str, repl, what: str) -> str:
        text = self._read(path)
        new, count = re.subn(pattern, repl, text, count=1, flags=re.M)
        assert count == 1, f"edit helper found no {what} in {path}"
        self._write(path, new)
        return f"{what} in {self.rel(path)}"


def _split_front(text: str) -> tuple[str, str]:
    end = text.index("\n---\n", 4) + len("\n---\n")
    return text[:end], text[end:]


# --------------------------------------------------------------------------- edits
# Each edit changes the site in a way that keeps it valid, and returns a line for the log.


def edit_note_body(site: Site, rng: random.Random) -> str:
    slug, lang = rng.choice(site.slugs()), rng.choice(["zh", "en"])
    path = site.content / "notes" / f"{slug}.{lang}.md"
    front, body = _split_front(site._read(path))
    lines = body.split("\n")
    index = rng.choice([i for i, line in enumerate(lines) if line.strip()])
    n = site.mark()
    lines[index] += f"（补记{n}）" if lang == "zh" else f" (edit {n})"
    site._write(path, front + "\n".join(lines))
    return f"note body: line {index + 1} of the body of {site.rel(path)}"


def edit_note_title(site: Site, rng: random.Random) -> str:
    slug, lang = rng.choice(site.slugs()), rng.choice(["zh", "en"])
    n = site.mark()
    return retitle(site, site.content / "notes" / f"{slug}.{lang}.md", f"（改{n}）" if lang == "zh" else f" [edit {n}]")


def retitle(site: Site, path: Path, suffix: str) -> str:
    """Add `suffix` to the title of the note file at `path`."""
    return "note title: " + site.replace_once(path, r'^title: "(.*)"$', lambda m: f'title: "{m.group(1)}{suffix}"',
                                              "title")


def rename_person(site: Site, rng: random.Random, hub: bool = False) -> str:
    """Rename someone the notes name (often the hub, named by a third of the notes)."""
    if hub or rng.random() < 0.4:
        person = HUB_PERSON
    else:
        slug = rng.choice(site.slugs())
        line = re.search(r"^people: \[(.*)\]$", site._read(site.content / "notes" / f"{slug}.en.md"), re.M)
        person = rng.choice(line.group(1).split(", "))
    lang = rng.choice(["zh", "en"])
    n = site.mark()
    suffix = f"·改{n}" if lang == "zh" else f" Jr. {n}"
    return f"person rename ({lang}): " + site.replace_once(
        site.content / "people" / f"{person}.yaml", rf'^(name: {{.*\b{lang}: "[^"]*)"',
        lambda m: m.group(1) + suffix + '"', f"name.{lang}")


def _unlink_note(site: Site, slug: str, events: bool = True) -> None:
    """Turn every link to the note into plain text, and drop it from the events that list it."""
    link = re.compile(rf"\[([^\]]*)\]\(@/notes/{re.escape(slug)}(#[^)]*)?\)")
    for path in [*(site.content / "notes").glob("*.md"), *(site.content / "transcripts").glob("*.md")]:
        text = site._read(path)
        if link.search(text):
            site._write(path, link.sub(r"\1", text))
    for path in (site.content / "timeline").glob("*.yaml") if events else ():
        text = site._read(path)
        new = re.sub(rf"^  notes: \[{re.escape(slug)}\]\n", "", text, flags=re.M)
        if new != text:
            site._write(path, new)


def delete_note(site: Site, rng: random.Random) -> str:
    """Delete a note pair, and turn every link to it into plain text (a dangling link is an error)."""
    slug = rng.choice([s for s in site.slugs() if s != site.home_note])
    for lang in ("zh", "en"):
        (site.content / "notes" / f"{slug}.{lang}.md").unlink()
    _unlink_note(site, slug)
    return f"note delete: notes/{slug}.{{zh,en}}.md (links to it made plain text)"


def add_note(site: Site, rng: random.Random) -> str:
    """A new note pair: a copy of an existing one under a new slug, with its own titles."""
    original = rng.choice(site.slugs())
    n = site.mark()
    slug = f"added-{n:03d}"
    for lang in ("zh", "en"):
        text = site._read(site.content / "notes" / f"{original}.{lang}.md")
        suffix = f"（副本{n}）" if lang == "zh" else f" (copy {n})"
        text = re.sub(r'^title: "(.*)"$', lambda m: f'title: "{m.group(1)}{suffix}"', text, count=1, flags=re.M)
        site._write(site.content / "notes" / f"{slug}.{lang}.md", text)
    return f"note add: notes/{slug}.{{zh,en}}.md copied from {original}"


def toggle_draft(site: Site, rng: random.Random, unlink: bool = True) -> str:
    """Mark a note as a draft in its zh file (or publish it again): without --drafts it leaves
    every listing. Links to it are made plain text first (unless `unlink` is False): a link to a
    draft renders as a broken link, which test_drafting_a_linked_note_changes_links_to_it checks."""
    slug = rng.choice([s for s in site.slugs() if s != site.home_note])
    path = site.content / "notes" / f"{slug}.zh.md"
    if unlink:
        _unlink_note(site, slug, events=False)  # events may list a draft: it is left out of them
    front, body = _split_front(site._read(path))
    if "\ndraft: true\n" in front:
        site._write(path, front.replace("\ndraft: true\n", "\n", 1) + body)
        return f"draft off: {site.rel(path)}"
    site._write(path, front.removesuffix("---\n") + "draft: true\n---\n" + body)
    return f"draft on: {site.rel(path)}" + (" (links to it made plain text)" if unlink else " (links to it kept)")


def edit_event(site: Site, rng: random.Random) -> str:
    """Change an event's date (it moves on the timeline) or one language of its title."""
    path = rng.choice(sorted((site.content / "timeline").glob("*.yaml")))
    blocks = site._read(path).split("\n\n")
    index = rng.choice([i for i, b in enumerate(blocks) if b.startswith("- id: ")])
    event_id = blocks[index].split("\n", 1)[0].removeprefix("- id: ")
    n = site.mark()
    if rng.random() < 0.5:
        year = rng.randint(1950, 2024)
        date = rng.choice([f"{year}", f"{year}-{rng.randint(1, 12):02d}", f"~{year}", f"{year // 10 * 10}s",
                           f"{year}-late", f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"])
        blocks[index], count = re.subn(r"^  date: .*$", f"  date: {date}", blocks[index], count=1, flags=re.M)
        what = f"date -> {date}"
    else:
        lang = rng.choice(["zh", "en"])
        suffix = f"（改{n}）" if lang == "zh" else f" (edit {n})"
        blocks[index], count = re.subn(rf'^(  title: {{.*\b{lang}: "[^"]*)"', lambda m: m.group(1) + suffix + '"',
                                       blocks[index], count=1, flags=re.M)
        what = f"title.{lang}"
    assert count == 1, blocks[index]
    site._write(path, "\n\n".join(blocks))
    return f"event {event_id}: {what} in {site.rel(path)}"


def edit_transcript_turn(site: Site, rng: random.Random) -> str:
    path = rng.choice(sorted((site.content / "transcripts").glob("*.md")))
    lines = site._read(path).split("\n")
    index = rng.choice([i for i, line in enumerate(lines) if re.search(r"\*\*[^*]+[:：]\*\*", line)])
    n = site.mark()
    lines[index] += f"（补记{n}）" if path.name.endswith(".zh.md") else f" (edit {n})"
    site._write(path, "\n".join(lines))
    return f"transcript turn: line {index + 1} of {site.rel(path)}"


def edit_site_title(site: Site, rng: random.Random) -> str:
    lang = rng.choice(["zh", "en"])
    n = site.mark()
    suffix = f"（第{n}版）" if lang == "zh" else f" (v{n})"
    return "site.yaml: " + site.replace_once(site.content / "site.yaml", rf'^(title: {{.*\b{lang}: "[^"]*)"',
                                             lambda m: m.group(1) + suffix + '"', f"title.{lang}")


I18N_KEYS = ["nav_home", "nav_notes", "nav_timeline", "nav_people", "notes_title", "timeline_title",
             "people_title", "person_events", "note_sources", "references"]


def edit_i18n(site: Site, rng: random.Random) -> str:
    """Override a UI string in content/i18n/LANG.yaml, or remove a language's overrides."""
    lang = rng.choice(["zh", "en"])
    path = site.content / "i18n" / f"{lang}.yaml"
    if site.i18n.get(lang) and rng.random() < 0.25:
        del site.i18n[lang]
        path.unlink()
        return f"i18n: removed {site.rel(path)}"
    key = rng.choice(I18N_KEYS)
    n = site.mark()
    site.i18n.setdefault(lang, {})[key] = f"{key} 覆盖{n}" if lang == "zh" else f"{key} override {n}"
    overrides = sorted(site.i18n[lang].items())
    site._write(path, "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in overrides))
    return f"i18n: {key} in {site.rel(path)}"


def edit_template(site: Site, rng: random.Random) -> str:
    """Add a class to one element of one template (partials included: they reach many pages)."""
    names = sorted(p for p in site.templates.rglob("*.html") if 'class="' in site._read(p))
    path = site.templates / "partials" / "macros.html" if rng.random() < 0.3 else rng.choice(names)
    text = site._read(path)
    spots = [m.end() for m in re.finditer('class="', text)]
    at = rng.choice(spots)
    n = site.mark()
    site._write(path, text[:at] + f"e{n} " + text[at:])
    return f"template: class e{n} at character {at} of {site.rel(path)}"


def edit_static(site: Site, rng: random.Random) -> str:
    added = sorted(site.static.glob("added-*.txt"))
    roll = rng.random()
    n = site.mark()
    if added and roll < 0.3:
        path = rng.choice(added)
        path.unlink()
        return f"static: deleted {site.rel(path)}"
    if roll < 0.6:
        path = site.static / f"added-{n:03d}.txt"
        site._write(path, f"file {n}\n")
        return f"static: added {site.rel(path)}"
    path = site.static / "site.css"
    site._write(path, site._read(path) + f"/* edit {n} */\n")
    return f"static: appended to {site.rel(path)}"


def _mark_localized(site: Site, rng: random.Random, folder: str, field: str, indent: str, label: str) -> str:
    """Append a fresh mark to the zh or en value of `field: {zh: "…", en: "…"}` in one file."""
    path = rng.choice(sorted((site.content / folder).glob("*.yaml")))
    lang = rng.choice(["zh", "en"])
    n = site.mark()
    return f"{label}: " + site.replace_once(path, rf'^({indent}{field}: {{.*\b{lang}: "[^"]*)"',
                                            lambda m: m.group(1) + f" {n}" + '"', f"{field}.{lang}")


def edit_topic(site: Site, rng: random.Random) -> str:
    return _mark_localized(site, rng, "topics", "name", "", "topic rename")


def edit_source(site: Site, rng: random.Random) -> str:
    return _mark_localized(site, rng, "sources", "title", "", "source title")


def edit_quote(site: Site, rng: random.Random) -> str:
    return _mark_localized(site, rng, "quotes", "text", "  ", "quote text")


EDITS = [edit_note_body, edit_note_title, rename_person, delete_note, add_note, toggle_draft, edit_event,
         edit_transcript_turn, edit_site_title, edit_i18n, edit_template, edit_static, edit_topic, edit_source,
         edit_quote]


def plan(index: int, seeds: int, steps: int) -> list:
    """The edits for the index-th seed: its share of EDITS (so that the seeds together run every
    kind of edit at least once), topped up with random ones, in a random order."""
    rng = random.Random(f"plan:{index}")
    edits = EDITS[index::seeds]
    edits += [rng.choice(EDITS) for _ in range(steps - len(edits))]
    rng.shuffle(edits)
    return edits


# --------------------------------------------------------------------------- comparing outputs


def _tree(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_bytes(folder).items() if not k.startswith(IGNORED)}


def _excerpt(a: bytes, b: bytes, width: int = 160) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, at - width)
    show = lambda data: data[start:at + width].decode("utf-8", "replace")  # noqa: E731
    return (f"    first difference at byte {at} (sizes {len(a)} / {len(b)}):\n"
            f"    built: …{show(a)!r}…\n    clean: …{show(b)!r}…")


def differences(built: Path, clean: Path, what: str, log: list[str]) -> str | None:
    """None when the two trees hold the same bytes; otherwise a report a failure can show."""
    a, b = _tree(built), _tree(clean)
    if a == b:
        return None
    only_built = sorted(set(a) - set(b))
    only_clean = sorted(set(b) - set(a))
    changed = sorted(k for k in set(a) & set(b) if a[k] != b[k])
    lines = [f"{what} differs from a clean build of the same content",
             "edits so far:", *(f"  {i}. {entry}" for i, entry in enumerate(log, 1))]
    for label, paths in (("only in the rebuilt output", only_built), ("missing from the rebuilt output", only_clean),
                         ("different bytes", changed)):
        if paths:
            lines.append(f"{label} ({len(paths)}): " + ", ".join(paths[:12]) + (" …" if len(paths) > 12 else ""))
    for path in changed[:2]:
        lines.append(f"  {path}:\n" + _excerpt(a[path], b[path]))
    return "\n".join(lines)


# --------------------------------------------------------------------------- Builder == build_site


def snapshot(site: Site) -> dict[Path, bytes]:
    return {p: p.read_bytes() for root in (site.content, site.templates, site.static) for p in root.rglob("*")
            if p.is_file()}


def watched_changes(site: Site, out: Path, before: dict[Path, bytes]) -> dict:
    """The batch serve's watcher would hand the Builder for the files that changed since `before`."""
    after = snapshot(site)
    roots = WatchRoots(site.content, (site.templates,), (site.static,), out)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    return {p: kind for p in sorted(changed) if (kind := classify_change(p, roots)) is not None}

SEEDS = [(1, False), (2, False), (3, True)]  # (seed, drafts): serve builds with drafts, `build` without
STEPS = 6


def test_every_kind_of_edit_is_planned() -> None:
    planned = {edit for index in range(len(SEEDS)) for edit in plan(index, len(SEEDS), STEPS)}
    assert planned == set(EDITS)


@pytest.mark.parametrize("seed,drafts", SEEDS, ids=[f"seed{s}-{'drafts' if d else 'nodrafts'}" for s, d in SEEDS])
def test_incremental_equals_cold_build_on_the_corpus(tmp_path: Path, quick_clean_builds, seed: int,
                                                     drafts: bool) -> None:
    site = Site(tmp_path / "site", seed)
    rng = random.Random(f"edits:{seed}")
    out = tmp_path / "incremental"
    builder = Builder(BuildOptions(content=site.content, out=out, drafts=drafts))  # one Builder, as serve keeps
    first = builder.build()
    assert first.ok, [p.format() for p in first.problems]
    for step, edit in enumerate(plan([s for s, _ in SEEDS].index(seed), len(SEEDS), STEPS), 1):
        before = snapshot(site)
        site.log.append(edit(site, rng))
        report = builder.build(watched_changes(site, out, before))  # what the watcher hands serve
        assert report.ok, "\n".join([*site.log, *(p.format() for p in report.problems)])
        clean = tmp_path / f"clean-{step}"
        build_site(BuildOptions(content=site.content, out=clean, drafts=drafts))
        problem = differences(out, clean, f"incremental build after step {step}", site.log)
        if problem:
            pytest.fail(problem, pytrace=False)
        shutil.rmtree(clean)


# --------------------------------------------------------------------------- the CLI, run again and again


def run_cli(site_root: Path, out: Path, cwd: Path) -> str:
    """`python build.py build` in a child process (its build cache is kept beside `out`)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--content", str(site_root / "content"), "--out", str(out)],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert str(site_root) not in result.stderr, result.stderr  # no content problem (a search warning may remain)
    return result.stdout


def rename_hub(site: Site, rng: random.Random) -> str:
    return rename_person(site, rng, hub=True)


CLI_ROUNDS = [
    [rename_hub, edit_note_body, edit_template, edit_site_title, edit_transcript_turn],
    [delete_note, add_note, edit_event, edit_i18n, edit_static, edit_note_title],
]


def test_cli_rebuilds_equal_clean_builds_on_the_corpus(tmp_path: Path, monkeypatch, quick_clean_builds) -> None:
    site = Site(tmp_path / "site", seed=5)
    rng = random.Random("cli")
    out = tmp_path / "out" / "_site"
    run_cli(site.root, out, tmp_path)
    assert (out.parent / "._site.cache" / "state.pickle").is_file()
    for round_number, edits in enumerate(CLI_ROUNDS, 1):
        site.log.extend(edit(site, rng) for edit in edits)
        run_cli(site.root, out, tmp_path)
        # the clean build: a fresh copy of the whole site (content, templates, static), built in this
        # process into a fresh folder, without any cache
        fresh = tmp_path / f"fresh-{round_number}"
        shutil.copytree(site.root, fresh / "site")
        build_site(BuildOptions(content=fresh / "site" / "content", out=fresh / "_site", cache=False))
        problem = differences(out, fresh / "_site", f"`lecun-site build` into a used folder, round {round_number},",
                              site.log)
        if problem:
            pytest.fail(problem, pytrace=False)
        shutil.rmtree(fresh)


def test_drafting_a_linked_note_changes_links_to_it(tmp_path: Path, quick_clean_builds) -> None:
    """`serve --no-drafts` (a Builder without drafts): mark a note that another note links to as a
    draft, then publish it again. A clean build renders the link as broken (`<a href="#"
    class="broken-link">`) while the note is a draft, and as a live link again afterwards."""
    site = Site(tmp_path / "site", seed=1)
    problems = []
    for step in (1, 2):  # draft on, then off again (the same note: the same seed picks it)
        out = tmp_path / f"incremental-{step}"  # a Builder that starts from the state before the edit
        builder = Builder(BuildOptions(content=site.content, out=out, drafts=False))
        assert builder.build().ok
        site.log.append(toggle_draft(site, random.Random("draft"), unlink=False))
        report = builder.build()
        assert report.ok, [p.format() for p in report.problems]
        clean = tmp_path / f"clean-{step}"
        build_site(BuildOptions(content=site.content, out=clean, drafts=False))
        problems.append(differences(out, clean, f"incremental build after step {step}", site.log))
    assert problems == [None, None], "\n\n".join(filter(None, problems))


def _edit_body_paragraphs(site: Site, path: Path, rng: random.Random, step: int) -> str:
    """Add, drop or reorder paragraphs of a note's body (links and citations move to other lines)."""
    head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
    paragraphs = body.split("\n\n")
    change = rng.choice(["add", "drop", "swap"])
    plain = [i for i, text in enumerate(paragraphs) if i and "@" not in text]  # no link, no citation
    if change == "add" or not plain:
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), f"新增的一段 {step}: an added paragraph.")
    elif change == "drop":
        paragraphs.pop(rng.choice(plain))
    else:
        paragraphs.reverse()
    path.write_text(head + sep + "\n\n".join(paragraphs), encoding="utf-8")
    return f"body of {path.name}: {change}"


def _edit_summary(site: Site, path: Path, rng: random.Random, step: int) -> str:
    return "note summary: " + site.replace_once(path, r'^summary: "(.*)"$',
                                                lambda m: f'summary: "{m.group(1)} ({step})"', "summary")


def _edit_title(site: Site, path: Path, rng: random.Random, step: int) -> str:
    return retitle(site, path, f"〈{step}〉")


def test_text_edits_equal_clean_builds(tmp_path: Path, quick_clean_builds) -> None:
    """The text of notes edited (body, title, summary): a few notes edited at a time, in either
    language, each batch handed over as the watcher would; the output must equal a clean build.
    Body edits add, drop and move text (links and citations move to other lines). Title and
    summary edits are shown on the timeline, person, topic and source pages through fragments
    shared between pages (an event, a note card), whose reads count for every page that shows them."""
    site = Site(tmp_path / "site", seed=4)
    rng = random.Random("bodies")
    out = tmp_path / "incremental"
    builder = Builder(BuildOptions(content=site.content, out=out, drafts=True))
    assert builder.build().ok
    notes = sorted((site.content / "notes").glob("*.md"))
    with_events = sorted(p for p in notes if "@/timeline#" in p.read_text(encoding="utf-8"))
    kinds = [_edit_body_paragraphs, _edit_title, _edit_summary]
    for step in range(1, 9):
        before = snapshot(site)
        # every third step edits the title of a note on the timeline (its event items show it)
        targets = [rng.choice(with_events)] if step % 3 == 0 else rng.sample(notes, rng.choice([1, 1, 2]))
        for path in targets:
            change = _edit_title if step % 3 == 0 else rng.choice(kinds)
            site.log.append(change(site, path, rng, step))
        report = builder.build(watched_changes(site, out, before))
        assert report.ok, site.log
        assert report.rendered, site.log
        if step % 3 == 0:
            lang = "zh" if targets[0].name.endswith(".zh.md") else "en"
            assert f"/{lang}/timeline/" in report.changed_urls, report.changed_urls
        clean = tmp_path / f"clean-{step}"
        build_site(BuildOptions(content=site.content, out=clean, drafts=True, cache=False))
        problem = differences(out, clean, f"rebuild after step {step}", site.log)
        if problem:
            pytest.fail(problem, pytrace=False)
        shutil.rmtree(clean)
    # a note's date: lists are in date order
    before = snapshot(site)
    for path in sorted(notes[0].parent.glob(notes[0].name.split(".")[0] + ".*.md")):  # both files of one note
        site.log.append("note date: " + site.replace_once(path, r"^date: (\d{4})", lambda m: f"date: {int(m[1]) - 1}",
                                                          "date"))
    report = builder.build(watched_changes(site, out, before))
    assert report.ok
