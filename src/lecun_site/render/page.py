"""PageJob → HTML. The Jinja environment, view objects, and the i18n `t()` function.

Templates get small view objects built here, never raw records. Autoescape is on,
undefined variables fail (StrictUndefined), and `t(key)` fails on a string missing in
the page's language. Content is never run through Jinja: bodies are rendered by
markdown.py and passed in as Markup.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import jinja2
from markupsafe import Markup

from .. import urls
from ..content.textfile import parse_yaml
from ..errors import TemplateError
from ..records import (
    RELIABILITY,
    SEVERITIES,
    Citation,
    FuzzyDate,
    Localized,
)
from ..site.graph import SiteGraph
from ..site.links import link_target
from ..site.pages import PageJob, counterpart
from ..theme import Theme
from ..urls import media_link  # noqa: F401 - templates' global, tests import it from here
from . import figures
from .jinja_env import make_environment, template_error
from .markdown import Compiler, RenderEnv, render_inline, render_markdown
from .pictures import DrawnPictures
from .reads import Recorder, fingerprint, track
from .views import VIEW_READS, EventView, PersonView, QuoteView, SourceView, TopicView, Views  # noqa: F401 - re-exported

GRAPH = (("g",),)  # the root of reads of the graph; JOBS: of the list of every page (the sitemap's)
JOBS = (("j",),)
CONFIG = GRAPH + (("a", "config"),)
PACKAGE_I18N = Path(__file__).resolve().parents[1] / "i18n"


def load_ui_strings(content_i18n: dict[str, dict[str, str]], languages) -> dict[str, dict[str, str]]:
    """The package's UI strings, overridden and extended by content/i18n/*.yaml."""
    strings: dict[str, dict[str, str]] = {}
    for lang in languages:
        path = PACKAGE_I18N / f"{lang}.yaml"
        base = parse_yaml(str(path), path.read_text(encoding="utf-8")) if path.is_file() else {}
        strings[lang] = {**dict(base or {}), **content_i18n.get(lang, {})}
    return strings


@dataclass
class Ref:
    """A numbered reference at the foot of a page."""

    number: int
    source: Any  # SourceView
    at: str | None
    href: str
    backrefs: list[str] = field(default_factory=list)


# Page.link writes this marker around a site path; Renderer.render replaces it with a URL
# relative to the page. Content cannot smuggle one in that matters: what it holds is escaped
# text, and a forged marker would only turn into a relative path.
LINK_START, LINK_END = "\x01", "\x02"
_LINK_MARKER = re.compile("\x01([^\x01\x02]*)\x02")


_OWN_RECORD = {"notes": ("note",), "transcripts": ("transcript", "parallel")}  # page kinds showing one


class Page(DrawnPictures):
    """Everything a template needs for one page, built lazily from the graph."""

    def __init__(self, renderer: "Renderer", job: PageJob, recorder: Recorder | None = None) -> None:
        self.r = renderer
        # with a recorder, every read of the graph is noted (reads.py): the page's signature
        self.recorder = recorder
        self.graph = track(renderer.graph, GRAPH, recorder)
        # the settings count as read whole, once: every page shows some (the title…), and a
        # change of site.yaml is rare; `site` in templates and the code below read them as they are
        self.config = renderer.graph.config
        if recorder is not None:
            recorder.current[CONFIG] = renderer.config_fingerprint
        self.job = job
        self.lang = job.lang or renderer.graph.config.default_language
        self.kind = job.kind
        self.url = job.url
        self.key = job.key
        self.refs: list[Ref] = []
        self._ref_index: dict[tuple[str, str | None], Ref] = {}
        self._places: dict = {}
        self.fallback = False
        self.local = renderer.local

    # ---- strings, dates, urls
    def t(self, key: str, **values) -> str:
        try:
            text = self.r.strings[self.lang][key]
            if self.recorder is not None:
                self.recorder.note((("s", self.lang), ("i", key)), text)
        except KeyError:
            raise TemplateError(f"UI string '{key}' is missing for language '{self.lang}' "
                                f"(add it to content/i18n/{self.lang}.yaml)") from None
        return text.format(**values) if values else text

    def loc(self, text: Localized) -> str:
        return text.get(self.lang)

    def date(self, value: FuzzyDate | None) -> str:
        return value.format(self.lang) if value else ""

    def link(self, site_path: str) -> str:
        """A link to a site path. While the page renders it is a marker; Renderer.render makes
        it relative to the page at the end, so that fragments can be shared between pages."""
        return f"{LINK_START}{site_path}{LINK_END}"

    def fragment(self, macro, *args, once: bool = False) -> Markup:
        """The output of `macro(page, *args)`, rendered once per language and build: for
        macros whose output does not depend on the page they are on (no citation numbers).
        `once`: the fragment is shown on one page only (an event with its anchor, on the
        timeline), so it is rendered and not kept.

        A recorded fragment keeps its reads apart, under its key; a page that shows it notes
        the key (reads.Recorder.fragments), so that page signatures hold whether the fragment
        was rendered for this page or reused, without a copy of its reads in every page."""
        if once:
            return macro(self, *args)
        renderer = self.r
        key = (macro.name, self.lang, args)
        found = renderer.fragments.get(key)
        recorder = self.recorder
        if recorder is None:
            if found is None:
                found = renderer.fragments[key] = macro(self, *args)
            return found
        if found is None or key not in renderer.fragment_reads:
            found, reads, nested = recorder.capture(lambda: macro(self, *args))
            renderer.fragments[key] = found
            renderer.fragment_reads[key] = (reads, frozenset(nested))
        recorder.fragments.add(key)
        return found

    def asset(self, name: str) -> str:
        return self.link("/static/" + name)

    def absolute(self, site_path: str) -> str:
        return self.config.absolute(site_path)

    @property
    def other_langs(self) -> list[str]:
        return [l for l in self.graph.languages if l != self.lang]

    def lang_name(self, lang: str) -> str:
        text = self.r.strings[lang]["lang_name"]
        if self.recorder is not None:
            self.recorder.note((("s", lang), ("i", "lang_name")), text)
        return text

    def counterpart(self, lang: str) -> str:
        if self.job.kind == "404":  # served for every missing address: switch to the other home
            return urls.home(lang)
        return counterpart(self.job, lang)

    def lastmod(self, job: PageJob) -> str:
        """The W3C date a page last changed, for the sitemap, where the content says it: a note's
        `lastmod` or `updated` (as Hugo and Jekyll write them), else its exact date; else ''."""
        if job.kind != "note":
            return ""
        note = self.graph.notes[job.key].version(job.lang)
        for name in ("lastmod", "updated", "last_modified_at"):
            value = note.extra.get(name)
            text = value.isoformat() if hasattr(value, "isoformat") else str(value or "")
            if re.match(r"\d{4}-\d{2}-\d{2}", text):
                return text[:10]
        date = note.date
        return date.iso if date is not None and not date.approx and not date.decade and date.part is None else ""

    # ---- views of records. A view counts as read whole (root ("v", lang, kind, key)): views are
    # small, and a page that shows one shows most of it; notes and transcripts are read field by field.
    def _view(self, kind: str, key: str):
        views = self.r.views(self.lang)
        view = getattr(views, kind)(key)
        if self.recorder is not None:
            path = (("v", self.lang, kind, key),)
            if path not in self.recorder.current:
                self.recorder.current[path] = views.fingerprint(kind, key, view)
        return view

    def person(self, person_id: str):
        return self._view("person", person_id)

    def topic(self, topic_id: str):
        return self._view("topic", topic_id)

    def source(self, source_id: str):
        return self._view("source", source_id)

    def note(self, slug: str):
        """(the note in the page's language, or its fallback; the note in all its languages)"""
        return self._record("notes", slug)

    def transcript(self, slug: str):
        return self._record("transcripts", slug)

    def _record(self, table: str, slug: str):
        """A note's or transcript's (version, group). On its own page the version counts as
        read whole (the page shows nearly all of it, and reading it field by field through the
        proxies took some forty reads, a third of what recording a note page cost); elsewhere,
        and for the group (whose other languages this page does not show), field by field."""
        group = getattr(self.graph, table)[slug]
        recorder = self.recorder
        if recorder is None or self.job.key != slug or self.job.kind not in _OWN_RECORD[table]:
            return group.version(self.lang), group
        version = getattr(self.r.graph, table)[slug].version(self.lang)
        recorder.note((("g",), ("a", table), ("i", slug), ("c", "version", (self.lang,), ())), version)
        return version, group

    def event(self, event_id: str):
        return self._view("event", event_id)

    def quote(self, quote_id: str):
        return self._view("quote", quote_id)

    def discrepancy(self, disc_id: str):
        return self.graph.discrepancies[disc_id]

    def sources_by_reliability(self) -> list[str]:
        """Ids of the sources that carry a reliability rating, the most trustworthy first."""
        rated = [(RELIABILITY.index(self.graph.sources[sid].reliability), sid)
                 for sid in sorted(self.graph.sources) if self.graph.sources[sid].reliability in RELIABILITY]
        return [sid for _, sid in sorted(rated)]

    def fact_check_groups(self) -> list[tuple[str, str, list[str]]]:
        """The fact-check page's sections: (anchor, title, discrepancy ids), one per discrepancies
        file in the order of the files' names, each with its serious entries first."""
        by_file: dict[str, list] = {}
        for did in sorted(self.graph.discrepancies):
            d = self.graph.discrepancies[did]
            by_file.setdefault(d.path, []).append(d)
        groups = []
        for number, path in enumerate(sorted(by_file), 1):
            found = sorted(by_file[path], key=lambda d: (SEVERITIES.index(d.severity), d.id))
            title = next((d.group.get(self.lang) for d in found if d.group), "") or self.t("fc_group_other")
            groups.append((f"group-{number}", title, [d.id for d in found]))
        return groups

    def disputes(self, kind: str, key: str) -> list:
        return [self.discrepancy(d) for d in self.graph.disputes.get(kind, {}).get(key, [])]

    # ---- citations
    def cite_href(self, cite: Citation) -> str:
        """Where a citation points: the transcript turn or section it names, else the source page."""
        if cite.at and cite.label is None:
            slug = self.graph.transcript_for_source(cite.source)
            if slug:
                anchor = self._place(cite).anchor
                if anchor:
                    return self.link(urls.transcript(self.lang, slug) + "#" + anchor)
        return self.link(urls.source(self.lang, cite.source))

    def cite_label(self, cite: Citation) -> str:
        """The locator as the page's reader reads it: the place in the transcript named in the
        page's language, the locator given in that language, or the text as written."""
        if not cite.at:
            return ""
        if cite.label is not None:
            return cite.label.get(self.lang)
        place = self._place(cite)
        if place.kind == "section":
            return "§ " + place.text
        if place.kind not in ("turn", "time"):
            return place.text
        label = self.t("cite_turn", n=place.text) if place.kind == "turn" else place.text
        return self.t("cite_in_section", place=label, section=place.section) if place.section else label

    def _place(self, cite: Citation):
        """SiteGraph.locate of a citation, once per page (its label and its link both need it);
        again inside a shared fragment, whose reads are recorded apart."""
        reads = self.recorder.current if self.recorder is not None else None
        key = (cite.source, cite.at)
        found = self._places.get(key)
        if found is None or found[0] is not reads:
            found = self._places[key] = (reads, self.graph.locate(cite.source, cite.at, self.lang))
        return found[1]

    def cite(self, source_id: str, at: str | None) -> tuple[int, str]:
        key = (source_id, at)
        ref = self._ref_index.get(key)
        if ref is None:
            known = source_id in self.graph.sources
            ref = Ref(len(self.refs) + 1, self.source(source_id) if known else None,
                      self.cite_label(Citation(source_id, at)) if known else at,
                      self.cite_href(Citation(source_id, at)) if known else "#")
            self.refs.append(ref)
            self._ref_index[key] = ref
        backref = f"cite-{ref.number}-{len(ref.backrefs) + 1}"
        ref.backrefs.append(backref)
        return ref.number, backref

    # ---- markdown
    def markdown(self, text: str, first_line: int = 1, anchors: set | None = None, source: str | None = None):
        """`text` rendered; `source`: the content path of the file it is from, against whose
        folder its images are found (figures.py), else against media/."""
        env = RenderEnv(link=self._resolve_link, cite=self.cite, allow_raw_html=self.config.raw_html,
                        allow_embeds=self.config.allow_embeds, first_line=first_line, compiler=self.r.markdown,
                        heading_anchors=anchors if anchors is not None else set(),
                        image=lambda src, alt, title, alone: figures.figure(self, src, alt, title, alone, source))
        return render_markdown(text, env)

    def picture(self, picture, source: str | None, css: str = "figure", sizes: str = figures.SIZES,
                loading: str = "lazy") -> Markup:
        """A record's `image:` as a figure (figures.py)."""
        return figures.picture(self, picture, source, css, sizes, loading)

    def og_image(self):
        """(absolute URL, width, height) for og:image, or None (figures.py)."""
        return figures.og_image(self)

    def video(self, url: str | None):
        """(host, player address) for a click-to-load player of a YouTube or Bilibili page."""
        return urls.video_embed(url) if url else None

    def md(self, text: str) -> Markup:
        return Markup(self.markdown(text).html)

    def inline(self, text: str) -> Markup:
        return Markup(render_inline(text))

    def _resolve_link(self, target: str, line: int | None) -> str | None:
        # one read, root ("l", target): what the link resolves to, not every record it looked at
        resolved = self.r.links.get((self.lang, target))
        if resolved is None:  # the same for every page of the language (links are made relative last)
            found, marked = link_target(self.r.graph, target), None
            if found is not None:
                kind, key, anchor = found
                marked = self.link(urls.internal(self.lang, kind, key) + (f"#{anchor}" if anchor else ""))
            resolved = self.r.links[(self.lang, target)] = (found, marked)
        if self.recorder is not None:
            self.recorder.note((("l", target),), resolved[0])
        return resolved[1]

    def json(self, value: Any) -> Markup:
        """JSON for a <script type="application/json"> element: no '</script>' or '<!--' can break
        out, as < > & and the JS line separators are written as \\u escapes. NaN and infinity,
        which JSON cannot hold, are a TemplateError rather than invalid JSON."""
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TemplateError(f"cannot write {type(value).__name__} as JSON: {exc}") from None
        for char in "<>&\u2028\u2029":
            text = text.replace(char, f"\\u{ord(char):04x}")
        return Markup(text)


# --------------------------------------------------------------------------- renderer


class Renderer:
    """Renders pages of one graph. `render_traced` also gives what the page read (reads.py),
    from which the build core signs it; fragments shared between pages carry their reads."""

    def __init__(self, graph: SiteGraph, templates: Theme | Path, *, local: bool = False, drafts: bool = False,
                 bytecode_folder: Path | None = None, reload_templates: bool = True,
                 env: jinja2.Environment | None = None) -> None:
        self.graph = graph
        self.local = local or graph.config.local  # --local or `local: true` in site.yaml
        self.social_cards = False  # whether pages name a social card as og:image (build/assets.py says)
        self.config_fingerprint = fingerprint(graph.config)
        self.drafts = drafts
        self.strings = load_ui_strings(graph.i18n, graph.languages)
        self._views = {lang: Views(graph, lang) for lang in graph.languages}
        self.markdown = Compiler()  # this renderer's compiled bodies (core.run gives it the cache's store)
        self.fragments: dict[tuple, Markup] = {}
        # what each recorded fragment read: key -> (reads, keys of the fragments it shows)
        self.fragment_reads: dict[tuple, tuple[dict, frozenset]] = {}
        self._relative = urls.Relative(self.local)
        # (lang, `@/` link) -> (what it names, its marked site path): the graph does not change
        self.links: dict[tuple[str, str], tuple[Any, str | None]] = {}
        # `env`: one kept by the caller (serve's Builder), which reloads only templates that changed
        self.env = env or make_environment(templates, bytecode_folder, reload_templates)
        self._check_strings()

    def _check_strings(self) -> None:
        langs = list(self.strings)
        for lang in langs:
            for other in langs:
                missing = sorted(set(self.strings[other]) - set(self.strings[lang]))
                if missing:
                    raise TemplateError(f"UI strings missing for '{lang}': {', '.join(missing)} "
                                        f"(they exist for '{other}')")

    def views(self, lang: str) -> Views:
        return self._views[lang]

    @contextlib.contextmanager
    def prepared(self, jobs: list[PageJob]) -> Iterator[None]:
        """While rendering `jobs`: the markdown the default templates show on them (a note's body,
        a transcript's intro and turns) compiled ahead, in one run, which is faster than one body
        at a time between templates (Compiler.prepare). Only a head start: a template that shows
        other text compiles it when it asks; what no page asked for is forgotten at the end."""
        config = self.graph.config
        self.markdown.prepare((text for job in jobs for text in self._markdown_of(job)),
                              config.raw_html, config.allow_embeds)
        try:
            yield
        finally:
            self.markdown.ready.clear()

    def _markdown_of(self, job: PageJob) -> Iterator[str]:
        if job.kind == "note":
            yield self.graph.notes[job.key].version(job.lang).body
        elif job.kind in ("transcript", "parallel"):  # the side-by-side page shows every language
            group = self.graph.transcripts[job.key]
            for version in group.versions.values() if job.kind == "parallel" else [group.version(job.lang)]:
                if version.intro:
                    yield version.intro
                yield from (turn.text for turn in version.turns)

    def render(self, job: PageJob, all_jobs: list[PageJob] | None = None) -> str:
        return self._render(job, all_jobs, None)

    def render_traced(self, job: PageJob, all_jobs: list[PageJob] | None = None) -> tuple[str, dict, frozenset]:
        """The page, every path it read with the fingerprint of what it found (reads.py), and the
        keys of the shared fragments it shows (their reads are in `fragment_reads`)."""
        recorder = Recorder()
        html = self._render(job, all_jobs, recorder)
        return html, recorder.current, frozenset(recorder.fragments)

    def _render(self, job: PageJob, all_jobs: list[PageJob] | None, recorder: Recorder | None) -> str:
        page = Page(self, job, recorder)
        try:
            template = self.env.get_template(job.template)
            html = template.render(page=page, graph=page.graph, site=page.config,
                                   jobs=track(all_jobs or [], JOBS, recorder))
        except Exception as exc:
            error = template_error(exc, job.url)
            if error is None:
                raise
            raise error from exc
        return self._resolve_links(html, job, page)

    def _resolve_links(self, html: str, job: PageJob, page: Page) -> str:
        if LINK_START not in html:
            return html
        if job.kind == "404":  # served at any depth by GitHub Pages: base-absolute links
            base = page.config.base_path
            return _LINK_MARKER.sub(lambda m: base + m[1].lstrip("/"), html)
        link = self._relative.for_page(job.url)
        return _LINK_MARKER.sub(lambda match: link(match[1]), html)
