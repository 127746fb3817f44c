"""plan_pages(graph) -> [PageJob]: every output path decided before anything is written.

A PageJob names the page kind, its language, its site path, the output file, the template,
and the key of the record it shows; render/page.py turns it into HTML. Duplicate output paths
and paths that would leave the output folder are refused here.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from .. import urls
from ..errors import OutputError
from .graph import SiteGraph


@dataclass(frozen=True)
class PageJob:
    kind: str
    lang: str | None  # None for language-neutral files (/, sitemap.xml, robots.txt, 404.html)
    url: str  # site path, e.g. /zh/notes/overview/
    out_path: str  # relative to the output folder
    template: str
    key: str = ""  # slug or id of the record shown

    @property
    def is_html(self) -> bool:
        return self.out_path.endswith(".html")


def plan_pages(graph: SiteGraph) -> list[PageJob]:
    jobs: list[PageJob] = []

    def add(kind: str, lang: str | None, url: str, template: str, key: str = "") -> None:
        jobs.append(PageJob(kind, lang, url, urls.out_path(url), template, key))

    add("chooser", None, "/", "chooser.html")
    for lang in graph.languages:
        add("home", lang, urls.home(lang), "home.html")
        add("notes", lang, urls.notes_index(lang), "notes.html")
        for slug in graph.notes_in_order():
            add("note", lang, urls.note(lang, slug), "note.html", slug)
        for slug in graph.transcripts:
            add("transcript", lang, urls.transcript(lang, slug), "transcript.html", slug)
            if len(graph.transcripts[slug].versions) > 1:
                add("parallel", lang, urls.transcript_parallel(lang, slug), "parallel.html", slug)
        add("timeline", lang, urls.timeline(lang), "timeline.html")
        add("people", lang, urls.people(lang), "people.html")
        for person_id in sorted(graph.people):
            add("person", lang, urls.person(lang, person_id), "person.html", person_id)
        add("topics", lang, urls.topics(lang), "topics.html")
        for topic_id in sorted(graph.topics):
            add("topic", lang, urls.topic(lang, topic_id), "topic.html", topic_id)
        add("sources", lang, urls.sources(lang), "sources.html")
        for source_id in sorted(graph.sources):
            add("source", lang, urls.source(lang, source_id), "source.html", source_id)
        add("fact-check", lang, urls.fact_check(lang), "factcheck.html")
        add("search", lang, urls.search(lang), "search.html")
        add("feed", lang, urls.feed(lang), "feed.xml")
    add("404", None, "/404.html", "404.html")
    add("sitemap", None, "/sitemap.xml", "sitemap.xml")
    add("robots", None, "/robots.txt", "robots.txt")
    check_paths(jobs)
    return jobs


def check_paths(jobs: list[PageJob]) -> None:
    seen: dict[str, PageJob] = {}
    for job in jobs:
        normal = posixpath.normpath(job.out_path)
        if normal.startswith("../") or normal == ".." or posixpath.isabs(normal):
            raise OutputError(f"page {job.url} would be written outside the output folder")
        if normal in seen:
            raise OutputError(f"two pages would be written to {normal}: {seen[normal].url} and {job.url}")
        seen[normal] = job


def counterpart(job: PageJob, lang: str) -> str:
    """The same page in another language (every page exists in every language)."""
    if job.lang is None:
        return job.url
    return f"/{lang}/" + job.url[len(f"/{job.lang}/"):]
