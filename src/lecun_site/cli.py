"""The `lecun-site` command: build, new note. `main(argv) -> exit code`.

Exit codes: 0 ok, 1 content or check errors (all listed), 2 usage errors.
Only SiteError is caught; `--debug` shows tracebacks.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

from . import __version__
from .errors import BuildFailed, ContentError, SiteError, TemplateError
from .records import is_valid_id


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lecun-site", description="Build a bilingual documentary-notes website.")
    parser.add_argument("--version", action="version", version=f"lecun-site {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser("build", help="build the site from content/ into _site/")
    build.add_argument("--content", default="content", help="content folder (default: content)")
    build.add_argument("--out", default="_site", help="output folder (default: _site)")
    build.add_argument("--templates", default=None, help="templates folder (default: templates/ beside content)")
    build.add_argument("--static", default=None, help="static files folder (default: static/ beside content)")
    build.add_argument("--base-url", default=None, help="published address, e.g. https://user.github.io/repo/")
    build.add_argument("--drafts", action="store_true", help="include notes marked `draft: true`")
    build.add_argument("--local", action="store_true", help="links that work when opened from disk (file://)")
    build.add_argument("--no-search", action="store_true", help="skip the Pagefind search index (faster; "
                       "the search pages then say the index is missing)")
    build.add_argument("--no-cache", action="store_true", help="neither use nor update the build cache "
                       "(kept beside the output, e.g. ._site.cache/)")
    build.add_argument("--quiet", action="store_true", help="print only problems")
    build.add_argument("--debug", action="store_true", help="show tracebacks")

    serve = sub.add_parser("serve", help="build (drafts included), serve, and rebuild on every change")
    serve.add_argument("--content", default="content", help="content folder (default: content)")
    serve.add_argument("--out", default="_site", help="output folder (default: _site)")
    serve.add_argument("--templates", default=None, help="templates folder (default: templates/ beside content)")
    serve.add_argument("--static", default=None, help="static files folder (default: static/ beside content)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; the next free one if taken; 0: any)")
    serve.add_argument("--no-drafts", action="store_true", help="leave drafts out, as `build` does")
    serve.add_argument("--no-search", action="store_true", help="make no search index (Pagefind takes a "
                       "minute and both cores on a large site; the search page then says search is unavailable)")
    serve.add_argument("--debug", action="store_true", help="show tracebacks")

    check = sub.add_parser("check", help="check a built site: internal links, anchors and assets resolve")
    check.add_argument("--out", default="_site", help="the built site (default: _site)")
    check.add_argument("--base-url", default=None, help="published address (default: read from the site)")
    check.add_argument("--debug", action="store_true", help="show tracebacks")

    new = sub.add_parser("new", help="start a site; scaffold a note, a record or a template")
    new_sub = new.add_subparsers(dest="what", metavar="WHAT")
    site = new_sub.add_parser("site", help="a bilingual starter site in DIR that builds and passes check")
    site.add_argument("dir", metavar="DIR")
    site.add_argument("--debug", action="store_true")
    for kind, what in (("note", "notes/ID.zh.md and notes/ID.en.md, a draft pair"),
                       ("person", "people/ID.yaml"), ("topic", "topics/ID.yaml"), ("source", "sources/ID.yaml"),
                       ("event", "timeline/ID.yaml, holding one event"),
                       ("transcript", "transcripts/ID.zh.md and transcripts/ID.en.md")):
        record = new_sub.add_parser(kind, help=f"create {what}")
        record.add_argument("id", metavar="ID")
        record.add_argument("--content", default="content")
        record.add_argument("--debug", action="store_true")
    template = new_sub.add_parser("template", help="copy a default template (e.g. note.html) into templates/ "
                                  "beside the content, to edit it there")
    template.add_argument("name", metavar="NAME")
    template.add_argument("--content", default="content")
    template.add_argument("--debug", action="store_true")

    imp = sub.add_parser("import-transcript", help="turn .srt, .vtt or speaker-labelled text into a transcript file")
    imp.add_argument("files", nargs="+", metavar="FILE", help=".srt, .vtt, or text with `Name:` speaker labels")
    imp.add_argument("--slug", default=None, help="transcript slug (default: from the file name)")
    imp.add_argument("--lang", choices=("zh", "en"), default=None,
                     help="language (default: from the file name, e.g. talk.zh.srt, else guessed from the text)")
    imp.add_argument("--source", default=None, help="id of the source this transcript renders")
    imp.add_argument("--speaker", action="append", default=[], metavar="LABEL=PERSON",
                     help="map a speaker label to a person id (repeatable)")
    imp.add_argument("--media", default=None, help="video or audio URL for ?t= links")
    imp.add_argument("--title", default=None, help="title (default: the source's title)")
    imp.add_argument("--format", choices=("srt", "vtt", "text"), default=None,
                     help="input format (default: from the extension)")
    imp.add_argument("--content", default="content", help="content folder (default: content)")
    imp.add_argument("--out", default=None, help="write to this file instead, or '-' for stdout")
    imp.add_argument("--force", action="store_true", help="replace an existing transcript file")
    imp.add_argument("--strict", action="store_true",
                     help="refuse a file with a malformed cue (by default the cue is skipped with a warning)")
    imp.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        if args.command == "build":
            return cmd_build(args)
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "check":
            return cmd_check(args)
        if args.command == "import-transcript":
            from .importer.subtitles import cmd_import_transcript
            return cmd_import_transcript(args)
        if args.command == "new":
            if args.what is None:
                parser.parse_args(["new", "--help"])
                return 2
            return cmd_new(args)
    except BuildFailed as exc:
        print_problems(exc.problems)
        if getattr(args, "debug", False):
            traceback.print_exc()
        return 1
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if getattr(args, "debug", False):
            traceback.print_exc()
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 2


def main_entry() -> None:
    sys.exit(main())


def print_problems(problems: list[ContentError]) -> None:
    errors = [p for p in problems if not p.is_warning]
    warnings = [p for p in problems if p.is_warning]
    for problem in sorted(problems, key=ContentError.sort_key):
        print(problem.format(), file=sys.stderr)
    summary = f"{len(errors)} error(s)"
    if warnings:
        summary += f", {len(warnings)} warning(s)"
    print(summary + (": nothing was written" if errors else ""), file=sys.stderr)


def cmd_build(args) -> int:
    from .build.pipeline import BuildOptions, build_site

    options = BuildOptions(
        content=Path(args.content), out=Path(args.out),
        templates=Path(args.templates) if args.templates else None,
        static=Path(args.static) if args.static else None,
        base_url=args.base_url, drafts=args.drafts, local=args.local, search=not args.no_search,
        cache=not args.no_cache,
    )
    _check_theme_folders(options)
    interactive = sys.stderr.isatty() and not args.quiet

    def progress(done: int, total: int) -> None:
        if interactive:
            print(f"\rrendering {done}/{total} pages", end="" if done < total else "\n", file=sys.stderr)

    from .build.output import check_output_dir, owning

    if options.content.is_dir():
        check_output_dir(options.out, options.content)  # before anything is written beside it
    def notify(message: str) -> None:
        if not args.quiet:
            print(f"{message}…", file=sys.stderr)

    with owning(options.out, "build"):
        # a large cold build leaves recording what its pages read to a background signer,
        # started once the folder is free (build/signer.py)
        report = build_site(options, progress, sign_later=True, notify=notify)
    signer = report.signer.start() if report.signer is not None else None
    for notice in report.notices:
        print(f"note: {notice}", file=sys.stderr)
    if report.warnings:
        for warning in report.warnings:
            print(warning.format(), file=sys.stderr)
    if not args.quiet:
        kept = report.pages - report.rendered
        print(f"built {report.pages} pages into {report.out} in {report.seconds * 1000:.0f} ms"
              + (f" ({report.rendered} rendered, {kept} unchanged)" if kept else "")
              + (f" ({len(report.warnings)} warning(s))" if report.warnings else ""))
        if signer is not None:
            print(f"recording what the pages read for the next build, in the background (process {signer})")
    return 0


def _check_theme_folders(options) -> None:
    """`--templates` and `--static` name folders that exist (a typo would silently give the
    default theme)."""
    for flag, folder in (("--templates", options.templates), ("--static", options.static)):
        if folder is not None and not folder.is_dir():
            raise SiteError(f"{flag} {folder}: no such folder")


def _build_or_report(builder, changed):
    """serve's build: an error from a template (or the output folder) becomes a failed report,
    shown in the overlay like a content error, so that the last good site stays served."""
    from .serve.session import RebuildReport

    try:
        return builder.build(changed)
    except BuildFailed as exc:
        return RebuildReport(False, problems=exc.problems)
    except SiteError as exc:
        return RebuildReport(False, problems=[_as_problem(exc)])


def _as_problem(exc: SiteError) -> ContentError:
    if isinstance(exc, TemplateError):
        return ContentError(exc.path, exc.message, line=exc.line)
    return ContentError(None, str(exc))


def _base_path(content: Path) -> str:
    """The path of site.yaml's base_url (`/repo/` for a GitHub project site): serve previews the
    site under it, as it will be published, so root-absolute links and the 404 page work."""
    from .content.config import load_config

    try:
        return load_config(content, None).base_path
    except (SiteError, OSError):
        return "/"  # a broken site.yaml: the first build reports it


def cmd_serve(args) -> int:
    from .build.output import check_output_dir, owning
    from .build.pipeline import BuildOptions

    options = BuildOptions(
        content=Path(args.content), out=Path(args.out),
        templates=Path(args.templates) if args.templates else None,
        static=Path(args.static) if args.static else None,
        drafts=not args.no_drafts, local=False, base_url=_base_path(Path(args.content)),
    )
    if not options.content.is_dir():
        print(f"error: the content folder {options.content} does not exist", file=sys.stderr)
        return 1
    _check_theme_folders(options)
    check_output_dir(options.out, options.content)
    with owning(options.out, "serve"):  # a second serve or a build on this folder is refused
        return _serve(args, options)


def _serve(args, options) -> int:
    from .serve.devserver import DevServer
    from .serve.session import Builder
    from .serve.watch import Watcher, WatchRoots

    builder = Builder(options)  # the search index is made in the background once the site is served
    try:
        server = DevServer(options.out, args.host, args.port, base_path=options.base_url)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    lock = threading.Lock()

    def rebuild(changed: dict | None = None) -> None:
        with lock:
            what = _describe_change(changed, options)
            report = _build_or_report(builder, changed)
            if not report.ok:
                errors = [p for p in report.problems if not p.is_warning]
                server.state.failed([p.as_dict() for p in errors])
                print(f"{_now()} {what}: build failed, the last good site is still served", file=sys.stderr)
                for problem in errors:
                    print(problem.format(), file=sys.stderr)
                sys.stderr.flush()
                return
            server.state.reloaded(report.changed_urls, all_pages=report.static_changed)
            print(f"{_now()} {what}: {len(report.rendered)} of {report.pages} pages re-rendered"
                  + (f", {len(report.removed)} removed" if report.removed else "")
                  + f" in {report.seconds * 1000:.0f} ms", flush=True)

    first = _build_or_report(builder, None)
    indexing = threading.Event()  # set: stop indexing
    indexer = threading.Thread(target=_index_in_background, args=(options.out, indexing), daemon=True,
                               name="search-index")
    if first.ok:
        for warning in first.problems:
            print(warning.format(), file=sys.stderr)
        print(f"built {first.pages} pages into {options.out} in {first.seconds * 1000:.0f} ms", flush=True)
        if not args.no_search:
            indexer.start()
    else:
        print("the first build failed; fix these and save: the page will show them until then", file=sys.stderr)
        for problem in first.problems:
            print(problem.format(), file=sys.stderr)
        server.state.failed([p.as_dict() for p in first.problems if not p.is_warning])
        options.out.mkdir(parents=True, exist_ok=True)
    site = options.content.resolve().parent  # its templates/ and static/, watched even before they exist
    templates = tuple(dict.fromkeys((options.templates or site / "templates", *builder.theme.templates)))
    static = tuple(dict.fromkeys((options.static or site / "static", *builder.theme.static)))
    watcher = Watcher(WatchRoots(options.content, templates, static, options.out), rebuild)
    with _stop_requested() as stop:  # from here on, Ctrl-C or SIGTERM at any moment stops both cleanly
        try:
            server.start()
            watcher.start()
            if args.port and server.port != args.port:
                print(f"port {args.port} is in use; serving on port {server.port} instead", flush=True)
            print(f"serving {options.out} at {server.url} (Ctrl-C to stop)", flush=True)
            while not stop.wait(1.0):
                pass
            print("\nstopping", flush=True)
        finally:
            watcher.stop()
            server.stop()
            if indexer.is_alive():  # Pagefind is ended and its half-written files removed
                indexing.set()
                indexer.join(timeout=30)
    return 0


@contextlib.contextmanager
def _stop_requested() -> Iterator[threading.Event]:
    """An event set by the first Ctrl-C or SIGTERM; a second one exits at once.

    The handlers only set the event. A KeyboardInterrupt raised wherever the main thread
    happens to be can be swallowed (inside a destructor, or a library's broad `except`),
    and then serve would never stop: CI once saw it ignore a Ctrl-C."""
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        if stop.is_set():
            os._exit(128 + signum)
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _index_in_background(out: Path, stop: threading.Event) -> None:
    """serve's search index: made once, after the first build, while the site is already served
    (Pagefind takes a while on a large site; saves after this are not indexed). Setting `stop`
    ends it, leaving nothing of it behind."""
    from .build.search import Stopped, index_search
    from .errors import Problems

    problems = Problems()
    try:
        seconds = index_search(out, problems, stop)
    except Stopped:
        return
    for problem in problems.items:
        print(problem.format(), file=sys.stderr, flush=True)
    if not problems.items:
        print(f"{_now()} search index ready in {seconds * 1000:.0f} ms (it is not updated on save)", flush=True)


def _now() -> str:
    import time

    return time.strftime("[%H:%M:%S]")


def _describe_change(changed: dict | None, options) -> str:
    if not changed:
        return "rebuild"
    names = []
    for path in sorted(changed):
        try:
            names.append(str(Path(path).absolute().relative_to(Path.cwd().absolute())))
        except ValueError:
            names.append(str(path))
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{shown} changed"


def cmd_check(args) -> int:
    from .check import check_site

    out = Path(args.out)
    if not (out / "index.html").is_file():
        print(f"error: {out} holds no built site (no index.html); run `lecun-site build` first", file=sys.stderr)
        return 1
    broken = check_site(out, args.base_url)
    for problem in broken:
        print(problem.format(), file=sys.stderr)
    pages = sum(1 for _ in out.rglob("*.html"))
    if broken:
        print(f"{len(broken)} broken link(s) in {pages} pages", file=sys.stderr)
        return 1
    print(f"checked {pages} pages: every internal link, anchor and asset resolves")
    return 0


def cmd_new(args) -> int:
    from .scaffold import new_record, new_site, new_template

    if args.what == "site":
        folder = Path(args.dir)
        written = new_site(folder)
        print(f"created a new site in {folder} ({len(written)} files). Next:\n"
              f"  cd {folder}\n  lecun-site serve     # open http://127.0.0.1:8000/ and start editing content/")
        return 0
    if args.what == "template":
        print(f"created {new_template(Path(args.content), args.name)}")
        return 0
    if not is_valid_id(args.id):
        print(f"error: '{args.id}' is not a valid id: use lowercase latin kebab-case, e.g. bell-labs", file=sys.stderr)
        return 2
    for path in new_record(Path(args.content), args.what, args.id):
        print(f"created {path}")
    return 0


if __name__ == "__main__":
    main_entry()
