"""One measurement in one fresh process; `benchmarks.run` starts these and reads their JSON.

    python -m benchmarks.worker build --content C --out O --result R.json
        `lecun-site build --content C --out O --quiet` in this process (lecun_site.cli.main, the
        code `python -m lecun_site build` runs), with the BuildReport captured for its timings.

    python -m benchmarks.worker serve --content C --out O --note SLUG --person ID --result R.json
        What `lecun-site serve` does, without the HTTP server: `incremental.Builder` with serve's
        options builds once; then (1) one note's zh body is edited and `builder.build(changed)` timed,
        (2) the en body is edited while a `watch.Watcher` (serve's watcher, same debounce) runs,
        timed from the file write to the rebuild having written its pages, (3) the zh title of
        the same note is changed and timed as (1), (4) a
        person's name is changed and `builder.build(changed)` timed. Every edited file is
        restored at the end.

Memory: the peak resident set (VmHWM) is read after each step and reset before the next one
(`echo 5 > /proc/self/clear_refs`), so each step reports its own peak, and `peak_rss_mib` is the
largest of them. The reset also resets what wait4() reports, so the parent samples the summed
RSS of the worker and its children instead.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from pathlib import Path


def vm_hwm_mib() -> float | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.M)
    return int(match[1]) / 1024 if match else None


def reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------- build


def run_build(args) -> dict:
    import lecun_site.build.pipeline as pipeline
    import lecun_site.cli as cli

    captured = {}
    original = pipeline.build_site

    def capturing(*a, **kw):
        report = original(*a, **kw)
        captured["report"] = report
        return report

    pipeline.build_site = capturing  # cli imports it from the module when the command runs
    if hasattr(cli, "build_site"):
        cli.build_site = capturing
    started = time.perf_counter()
    code = cli.main(["build", "--content", args.content, "--out", args.out, "--quiet",
                     *(["--no-search"] if args.no_search else [])])
    seconds = time.perf_counter() - started
    result = {"exit_code": code, "in_process_seconds": seconds, "peak_rss_mib": vm_hwm_mib()}
    report = captured.get("report")
    if report is not None:
        result.update(pages=report.pages, rendered=report.rendered, report_seconds=report.seconds,
                      timings=dict(report.timings),
                      warnings=[w.format() for w in report.warnings][:20], warning_count=len(report.warnings))
    return result


# --------------------------------------------------------------------------- serve


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def _report(report, seconds: float) -> dict:
    return {
        "ok": report.ok,
        "seconds": seconds,
        "builder_seconds": report.seconds,
        "rendered": len(report.rendered),
        "removed": len(report.removed),
        "pages": report.pages,
        "problems": [p.format() for p in report.problems if not p.is_warning][:20],
    }


def _timed_line_edit(builder, path: Path, pattern: str, replacement: str) -> dict:
    """Replace the first line of `path` matching `pattern` and time the Builder's rebuild, handed
    the change as serve's watcher hands it; the step's own memory peak is in the result."""
    from lecun_site.serve.watch import ChangeKind

    reset_hwm()
    text = path.read_text(encoding="utf-8")
    edited, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
    if count != 1:
        return {"ok": False, "problems": [f"no line matching {pattern!r} in {path}"]}
    started = time.perf_counter()
    path.write_text(edited, encoding="utf-8")
    report = builder.build({path: ChangeKind.CONTENT})
    entry = _report(report, time.perf_counter() - started)
    entry["peak_rss_mib"] = vm_hwm_mib()
    return entry


def run_serve(args) -> dict:
    from lecun_site.build.pipeline import BuildOptions
    from lecun_site.serve.session import Builder
    from lecun_site.serve.watch import ChangeKind, Watcher, WatchRoots

    content, out = Path(args.content), Path(args.out)
    # the options cmd_serve gives the Builder
    options = BuildOptions(content=content, out=out, drafts=True, local=False, base_url="/")
    note_zh = content / "notes" / f"{args.note}.zh.md"
    note_en = content / "notes" / f"{args.note}.en.md"
    person = content / "people" / f"{args.person}.yaml"
    originals = {p: p.read_bytes() for p in (note_zh, note_en, person)}
    result: dict = {}
    try:
        builder = Builder(options)
        started = time.perf_counter()
        first = builder.build()
        result["initial"] = _report(first, time.perf_counter() - started)
        result["initial"]["peak_rss_mib"] = vm_hwm_mib()
        if not first.ok:
            return result

        # (1) one-note body edit, called directly (what serve's rebuild() calls)
        result["memory_reset"] = reset_hwm()
        started = time.perf_counter()
        _append(note_zh, "\n补充一句：这是基准测试的一次编辑。\n")
        report = builder.build({note_zh: ChangeKind.CONTENT})  # what the watcher hands serve's rebuild()
        result["note_edit"] = _report(report, time.perf_counter() - started)
        result["note_edit"]["peak_rss_mib"] = vm_hwm_mib()

        # (2) the same kind of edit under serve's watcher: from the write to the pages written
        if not args.no_watch:
            reset_hwm()
            done = threading.Event()
            box: dict = {}

            def on_change(batch):
                box["report"] = builder.build(batch)
                box["done_at"] = time.perf_counter()
                box["batch"] = sorted(str(p) for p in batch)
                done.set()

            watcher = Watcher(WatchRoots(content, builder.theme.templates, builder.theme.static, out), on_change)
            watcher.start()
            try:
                time.sleep(0.5)  # let the observer settle before the edit
                written_at = time.perf_counter()
                _append(note_en, "\nOne more sentence, added by the benchmark.\n")
                if done.wait(timeout=args.timeout):
                    entry = _report(box["report"], box["done_at"] - written_at)
                    entry["debounce_quiet_seconds"] = getattr(watcher, "quiet", None)
                    entry["debounce_settle_seconds"] = getattr(watcher, "settle", None)
                    entry["batch"] = box["batch"]
                    entry["peak_rss_mib"] = vm_hwm_mib()
                    result["watch_edit"] = entry
                else:
                    result["watch_edit"] = {"ok": False, "problems": [f"no rebuild within {args.timeout} s"]}
            finally:
                watcher.stop()

        # (3) one-note title edit: the note's pages and every list that shows the title (timeline,
        # people, topics, sources, home, notes index, feed)
        result["title_edit"] = _timed_line_edit(builder, note_zh, r'^title: "(.*)"$', r'title: "\1（改过的标题）"')
        # (4) rename a person who appears on many pages
        result["person_rename"] = _timed_line_edit(builder, person, r"^name:.*$",
                                                   'name: {zh: "玛丽·洛朗-改名", en: "Marie Laurent-Renamed"}')
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    # the process's peak: the largest of the per-step peaks (VmHWM was reset between steps)
    peaks = [step.get("peak_rss_mib") for step in result.values() if isinstance(step, dict)]
    result["peak_rss_mib"] = max((p for p in peaks if p is not None), default=vm_hwm_mib())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("mode", choices=("build", "serve"))
    parser.add_argument("--content", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--result", required=True, help="JSON file to write")
    parser.add_argument("--note", help="slug of the note to edit (serve)")
    parser.add_argument("--person", help="id of the person to rename (serve)")
    parser.add_argument("--no-watch", action="store_true", help="skip the watcher measurement (serve)")
    parser.add_argument("--no-search", action="store_true", help="build without the Pagefind index (build)")
    parser.add_argument("--timeout", type=float, default=600.0, help="longest wait for the watcher's rebuild")
    args = parser.parse_args(argv)
    result = run_build(args) if args.mode == "build" else run_serve(args)
    Path(args.result).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
