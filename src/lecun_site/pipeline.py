"""build_site(...) -> BuildReport: the one entry point for the CLI, the watcher and the tests.

Steps, in the order they run: load config → load content → build graph → plan pages →
render every page into a fresh folder beside the output → copy static files → swap the
new folder into place. A build that fails at any step leaves the previous output as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .config import SiteConfig, load_config
from .errors import BuildFailed, ContentError, OutputError, Problems
from .graph import SiteGraph, build_graph
from .loader import load_content
from .pages import PageJob, plan_pages
from .render import Renderer

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BuildOptions:
    content: Path
    out: Path
    templates: Path | None = None
    static: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    local: bool = False


@dataclass
class BuildReport:
    pages: int
    out: Path
    seconds: float
    warnings: list[ContentError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    graph: SiteGraph | None = None


def default_dir(content: Path, name: str) -> Path:
    """templates/ or static/ beside the content folder, else the project's own."""
    beside = content.resolve().parent / name
    return beside if beside.is_dir() else PROJECT_ROOT / name


def check_output_dir(out: Path, content: Path) -> None:
    """Refuse output folders whose replacement would destroy something else."""
    target = out.resolve()
    forbidden = {
        Path("/"): "the filesystem root",
        Path.home().resolve(): "your home folder",
        content.resolve(): "the content folder",
        PROJECT_ROOT: "the project folder",
        Path.cwd().resolve(): "the current folder",
    }
    for path, what in forbidden.items():
        if target == path:
            raise OutputError(f"refusing to write the site to {out}: it is {what}")
    if content.resolve().is_relative_to(target):
        raise OutputError(f"refusing to write the site to {out}: it contains the content folder")
    if target.is_relative_to(content.resolve()):
        raise OutputError(f"refusing to write the site to {out}: it is inside the content folder")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out} exists and is not a folder")


def load_site(options: BuildOptions, problems: Problems, timings: dict[str, float]) -> SiteGraph:
    started = time.perf_counter()
    config = load_config(options.content, options.base_url)
    content = load_content(options.content, config, problems)
    timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    graph = build_graph(content, problems, drafts=options.drafts)
    timings["graph"] = time.perf_counter() - started
    return graph


def build_site(options: BuildOptions, progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Build the whole site; raise BuildFailed (with every problem) and leave the old output alone."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if not options.content.is_dir():
        raise BuildFailed([ContentError(str(options.content), "the content folder does not exist")])
    check_output_dir(options.out, options.content)
    problems = Problems()
    graph = load_site(options, problems, timings)
    problems.raise_if_errors()

    t0 = time.perf_counter()
    jobs = plan_pages(graph)
    templates = options.templates or default_dir(options.content, "templates")
    static = options.static or default_dir(options.content, "static")
    renderer = Renderer(graph, templates, local=options.local, drafts=options.drafts)
    timings["plan"] = time.perf_counter() - t0

    out = options.out
    out.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted(out)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        t0 = time.perf_counter()
        write_pages(renderer, jobs, staging, progress)
        timings["render"] = time.perf_counter() - t0
        copy_static(static, staging / "static")
        extras(graph.config, staging)
        swap_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildReport(pages=len(jobs), out=out, seconds=time.perf_counter() - started,
                       warnings=problems.warnings, timings=timings, graph=graph)


def write_pages(renderer: Renderer, jobs: list[PageJob], folder: Path,
                progress: Callable[[int, int], None] | None = None) -> None:
    folder.mkdir(parents=True)
    made: set[Path] = set()
    for index, job in enumerate(jobs, start=1):
        html = renderer.render(job, jobs)
        path = folder / job.out_path
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(html, encoding="utf-8")
        if progress and (index % 200 == 0 or index == len(jobs)):
            progress(index, len(jobs))


def copy_static(static: Path, target: Path) -> None:
    if static.is_dir():
        shutil.copytree(static, target, ignore=shutil.ignore_patterns(".*", "*~", "*.swp"))


def extras(config: SiteConfig, folder: Path) -> None:
    """Files GitHub Pages reads: .nojekyll (serve folders as they are) and CNAME."""
    (folder / ".nojekyll").write_text("", encoding="utf-8")
    if config.cname:
        (folder / "CNAME").write_text(config.cname + "\n", encoding="utf-8")


def swap_into_place(staging: Path, out: Path) -> None:
    """Replace `out` with `staging`: the old site stays whole until the new one is complete."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def recover_interrupted(out: Path) -> None:
    """After a build killed between the two renames, put the old site back; drop leftovers."""
    for leftover in sorted(out.parent.glob(f".{out.name}.old-*")):
        if not out.exists():
            os.rename(leftover, out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
