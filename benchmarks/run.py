"""Benchmark lecun-site on synthetic corpora: cold build, no-change rebuild, serve's incremental path.

    python -m benchmarks.run [--notes 1000 4000 10000] [--repeat 3] [--json FILE]
                             [--seed 1] [--workdir DIR] [--keep] [--no-watch] [--no-serve] [--no-browser]

For each N: a corpus is generated (benchmarks/gen_corpus.py), then --repeat times, each in a
fresh process (benchmarks/worker.py):

- cold:      `lecun-site build` into an output folder never used before, with no build cache;
- no-change: the same `build` again, into the output the cold build left;
- serve:     incremental.Builder with serve's options builds once, then a one-note body edit
             (direct `builder.build()`, and again under serve's watcher: file write → pages
             written), then a rename of the most-cited person (direct `builder.build()`);
- browser:   the real `lecun-site serve --no-search` with the edited note open in Chromium:
             from the save to the page showing the new text (benchmarks/browser.py; skipped,
             with the reason printed, where Chromium or playwright is missing).

Medians over the repeats are printed as a table and written as JSON (see benchmarks/README.md
for what each figure means). Wall times are measured by this process from start to exit of the
worker, so they include interpreter start-up and imports, as a user running the command sees.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import browser, gen_corpus
from lecun_site.build.cache import SIGN_LOCK, cache_dir, wait_for_signer

ROOT = Path(__file__).resolve().parents[1]

# Issue 7's targets, on this 2-core machine
TARGETS = {
    "cold_wall_seconds": {1000: 2.8, 4000: 8.5},
    "nochange_over_cold": 0.25,
    "note_edit_ms": {4000: 100},
    "browser_after_save_ms": {4000: 200},
    "build_peak_rss_mib": {4000: 300},
    "serve_peak_rss_mib": {4000: 400},
    "scaling_10000_over_4000": 2.7,
}


# --------------------------------------------------------------------------- running one worker


QUIET_LOAD: float | None = None  # --wait-for-load: wait for the 1-minute load average to drop below this
QUIET_MAX_WAIT = 90.0


def wait_for_quiet() -> float:
    """Wait (at most QUIET_MAX_WAIT s) for the machine to be quiet; return the seconds waited."""
    if QUIET_LOAD is None or not hasattr(os, "getloadavg"):
        return 0.0
    started = time.monotonic()
    while os.getloadavg()[0] > QUIET_LOAD and time.monotonic() - started < QUIET_MAX_WAIT:
        time.sleep(2)
    return time.monotonic() - started


def git_state() -> str | None:
    """Short commit of the checkout, `+dirty` when src/, templates/ or static/ differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                "src", "templates", "static", "pyproject.toml"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def run_worker(args: list[str], folder: Path, name: str) -> dict:
    """Run `python -m benchmarks.worker ARGS` in a fresh process; its JSON plus wall time and wait4 peak RSS."""
    waited = wait_for_quiet()
    code = git_state()
    result_file = folder / f"{name}.json"
    log = folder / f"{name}.log"
    result_file.unlink(missing_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src")] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("PYTHONHASHSEED", "0")
    command = [sys.executable, "-m", "benchmarks.worker", *args, "--result", str(result_file)]
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with open(log, "wb") as output:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    try:
        result = json.loads(result_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = {}
    # ru_maxrss is in KiB on Linux; for wait4 it is the largest of the worker and its waited-for children
    result.update(args=args, wall_seconds=wall, process_exit=proc.returncode, peak_rss_largest_mib=usage.ru_maxrss / 1024,
                  peak_rss_tree_mib=sampler.peak_rss_kib / 1024 if sampler.samples else None,
                  peak_pss_tree_mib=sampler.peak_pss_kib / 1024 if sampler.samples else None,
                  peak_processes=sampler.peak_processes, memory_samples=sampler.samples,
                  user_seconds=usage.ru_utime, system_seconds=usage.ru_stime, load_average_before=load_before,
                  waited_for_quiet_seconds=waited, git=code)
    if proc.returncode != 0 or not result_file.exists():
        result["failed"] = True
        result["log_tail"] = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    return result


class TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants every 40 ms; keeps the peaks.

    Two sums over the tree: VmRSS, and PSS (proportional set size, /proc/PID/smaps_rollup), which
    splits pages shared between processes (forked render workers share the parent's memory
    copy-on-write) among them instead of counting them once per process. wait4()'s ru_maxrss is
    only the peak of the largest single process (the worker, or Pagefind when the build runs
    it), and the serve worker resets its own high-water mark between steps, so these sums are
    the figures to hold against a memory budget.
    """

    def __init__(self, pid: int, interval: float = 0.04) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids = _tree(self.pid)
            rss = pss = 0
            for pid in pids:
                got = _memory_kib(pid)
                rss += got[0]
                pss += got[1]
            if rss:
                self.samples += 1
                self.peak_rss_kib = max(self.peak_rss_kib, rss)
                self.peak_pss_kib = max(self.peak_pss_kib, pss)
                self.peak_processes = max(self.peak_processes, len(pids))
            self._stop_event.wait(self.interval)


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return found


def _memory_kib(pid: int) -> tuple[int, int]:
    """(Rss, Pss) of one process in KiB, from smaps_rollup (Pss = Rss where it is missing)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
        return rss, pss
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    return rss, rss
    except (OSError, ValueError, IndexError):
        pass
    return 0, 0


# --------------------------------------------------------------------------- statistics


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def dig(run: dict, *path):
    for key in path:
        if not isinstance(run, dict) or key not in run:
            return None
        run = run[key]
    return run


def summarise(n: int, runs: dict[str, list[dict]]) -> dict:
    cold, nochange, serve = runs["cold"], runs["nochange"], runs["serve"]
    s: dict = {"notes": n, "git": sorted({str(r["git"]) for rs in runs.values() for r in rs if r.get("git")})}
    s["pages"] = median(r.get("pages") for r in cold + nochange) or median(dig(r, "initial", "pages") for r in serve)
    if cold:
        wall = median(r["wall_seconds"] for r in cold)
        keys = sorted({k for r in cold for k in (r.get("timings") or {})}, key=_phase_order)
        phases = {k: median((r.get("timings") or {}).get(k) for r in cold) for k in keys}
        in_process = median(r.get("report_seconds") for r in cold)
        s["cold"] = {
            "wall_seconds": wall,
            "build_site_seconds": in_process,
            "phases_seconds": phases,
            "startup_and_rest_seconds": (wall - in_process) if wall is not None and in_process is not None else None,
            "pages_per_second": (s["pages"] / wall) if s["pages"] and wall else None,
            "user_cpu_seconds": median(r["user_seconds"] for r in cold),
            "peak_pss_mib": median(r.get("peak_pss_tree_mib") for r in cold),
            "peak_rss_mib": median(r.get("peak_rss_tree_mib") for r in cold),
            "largest_process_peak_rss_mib": median(r.get("peak_rss_largest_mib") for r in cold),
            "python_peak_rss_mib": median(r.get("peak_rss_mib") for r in cold),
            "failed_runs": sum(1 for r in cold if r.get("failed") or r.get("exit_code")),
            "warnings": median(r.get("warning_count") for r in cold),
            "load_average_before": median(r.get("load_average_before") for r in cold),
            "signed_after_seconds": median(r.get("signed_after_seconds") for r in cold),
            "runs": len(cold),
        }
    if nochange:
        wall = median(r["wall_seconds"] for r in nochange)
        s["nochange"] = {
            "wall_seconds": wall,
            "build_site_seconds": median(r.get("report_seconds") for r in nochange),
            "phases_seconds": {k: median((r.get("timings") or {}).get(k) for r in nochange)
                               for k in sorted({k for r in nochange for k in (r.get("timings") or {})}, key=_phase_order)},
            "over_cold": (wall / s["cold"]["wall_seconds"]) if cold and wall and s["cold"]["wall_seconds"] else None,
            "peak_pss_mib": median(r.get("peak_pss_tree_mib") for r in nochange),
            "peak_rss_mib": median(r.get("peak_rss_tree_mib") for r in nochange),
            "python_peak_rss_mib": median(r.get("peak_rss_mib") for r in nochange),
            "failed_runs": sum(1 for r in nochange if r.get("failed") or r.get("exit_code")),
            "runs": len(nochange),
        }
    if serve:
        entry = {"initial_build_seconds": median(dig(r, "initial", "seconds") for r in serve),
                 "initial_peak_rss_mib": median(dig(r, "initial", "peak_rss_mib") for r in serve),
                 "process_peak_pss_mib": median(r.get("peak_pss_tree_mib") for r in serve),
                 "process_peak_rss_mib": median(r.get("peak_rss_tree_mib") for r in serve),
                 "python_peak_rss_mib": median(r.get("peak_rss_mib") for r in serve),
                 "failed_runs": sum(1 for r in serve if r.get("failed")), "runs": len(serve)}
        for step in ("note_edit", "watch_edit", "title_edit", "person_rename"):
            got = [r[step] for r in serve if isinstance(r.get(step), dict) and r[step].get("ok")]
            entry[step] = {
                "ms": median(g["seconds"] * 1000 for g in got),
                "builder_ms": median(g.get("builder_seconds", 0) * 1000 for g in got),
                "pages_rendered": median(g.get("rendered") for g in got),
                "peak_rss_mib": median(g.get("peak_rss_mib") for g in got),
                "ok_runs": len(got),
            } if got else None
        s["serve"] = entry
    seen = [r for r in runs.get("browser", []) if r.get("ok")]
    if runs.get("browser"):
        s["browser_edit"] = {"ms": median(ms for r in seen for ms in r["edits_ms"]),
                             "edits_ms": [ms for r in seen for ms in r["edits_ms"]],
                             "failed_runs": len(runs["browser"]) - len(seen), "runs": len(runs["browser"])}
    return s


def _phase_order(key: str) -> tuple:
    order = ["load", "graph", "plan", "render", "search"]
    return (order.index(key) if key in order else len(order), key)


def scaling(summaries: dict[int, dict]) -> dict:
    """Ratios between consecutive corpus sizes (ideal: the ratio of the note counts)."""
    out = {}
    sizes = sorted(summaries)
    for small, large in zip(sizes, sizes[1:]):
        a, b = summaries[small], summaries[large]

        def ratio(*path):
            x, y = dig(a, *path), dig(b, *path)
            return (y / x) if x and y else None

        out[f"{large}/{small}"] = {
            "notes": large / small,
            "pages": ratio("pages"),
            "cold_wall": ratio("cold", "wall_seconds"),
            "cold_render": ratio("cold", "phases_seconds", "render"),
            "nochange_wall": ratio("nochange", "wall_seconds"),
            "note_edit": ratio("serve", "note_edit", "ms"),
            "person_rename": ratio("serve", "person_rename", "ms"),
            "cold_peak_pss": ratio("cold", "peak_pss_mib"),
            "serve_peak_pss": ratio("serve", "process_peak_pss_mib"),
        }
    return out


# --------------------------------------------------------------------------- the machine


def machine() -> dict:
    info = {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu_model": None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()
        info["memory_gib"] = round(int(mem[1]) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    from importlib import metadata

    versions = {}
    for package in ("lecun-site", "jinja2", "markdown-it-py", "mdit-py-plugins", "pyyaml", "watchdog", "pagefind"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    info["packages"] = versions
    try:
        import yaml

        info["yaml_c_loader"] = bool(getattr(yaml, "__with_libyaml__", False))
    except ImportError:
        info["yaml_c_loader"] = None
    info["git"] = git_state()
    return info


# --------------------------------------------------------------------------- the table


def fmt(value, spec: str = ".2f", suffix: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:{spec}}{suffix}"


def table(summaries: dict[int, dict], scale: dict) -> str:
    sizes = sorted(summaries)
    rows: list[tuple[str, list[str], str]] = []

    def row(label, getter, spec=".2f", target=""):
        rows.append((label, [fmt(getter(summaries[n]), spec) for n in sizes], target))

    row("pages", lambda s: s.get("pages"), ".0f")
    row("cold build, wall (s)", lambda s: dig(s, "cold", "wall_seconds"), ".2f", "≤2.8 @1k, ≤8.5 @4k")
    phase_keys = []
    for n in sizes:
        for k in (dig(summaries[n], "cold", "phases_seconds") or {}):
            if k not in phase_keys:
                phase_keys.append(k)
    for k in phase_keys:
        row(f"  {k} (s)", lambda s, k=k: dig(s, "cold", "phases_seconds", k))
    row("  start-up, imports, rest (s)", lambda s: dig(s, "cold", "startup_and_rest_seconds"))
    row("  user CPU (s)", lambda s: dig(s, "cold", "user_cpu_seconds"))
    row("  signer done, after the build (s)", lambda s: dig(s, "cold", "signed_after_seconds"))
    row("  pages/second (wall)", lambda s: dig(s, "cold", "pages_per_second"), ".0f")
    row("  peak memory, PSS of all processes (MiB)", lambda s: dig(s, "cold", "peak_pss_mib"), ".0f", "≤300 @4k")
    row("  peak RSS, sum of all processes (MiB)", lambda s: dig(s, "cold", "peak_rss_mib"), ".0f")
    row("  peak RSS, main Python process (MiB)", lambda s: dig(s, "cold", "python_peak_rss_mib"), ".0f")
    row("no-change rebuild, wall (s)", lambda s: dig(s, "nochange", "wall_seconds"))
    row("  ÷ cold build", lambda s: dig(s, "nochange", "over_cold"), ".2f", "≤0.25")
    row("  peak memory, PSS of all processes (MiB)", lambda s: dig(s, "nochange", "peak_pss_mib"), ".0f")
    row("serve: first build (s)", lambda s: dig(s, "serve", "initial_build_seconds"))
    row("one-note edit, Builder (ms)", lambda s: dig(s, "serve", "note_edit", "ms"), ".0f", "≤100 @4k")
    row("  pages re-rendered", lambda s: dig(s, "serve", "note_edit", "pages_rendered"), ".0f")
    row("one-note edit, watcher: write→written (ms)", lambda s: dig(s, "serve", "watch_edit", "ms"), ".0f")
    row("one-note edit, save → browser shows it (ms)", lambda s: dig(s, "browser_edit", "ms"), ".0f",
        "≤200 @4k")
    row("one-note title edit, Builder (ms)", lambda s: dig(s, "serve", "title_edit", "ms"), ".0f")
    row("  pages re-rendered", lambda s: dig(s, "serve", "title_edit", "pages_rendered"), ".0f")
    row("one-person rename, Builder (ms)", lambda s: dig(s, "serve", "person_rename", "ms"), ".0f")
    row("  pages re-rendered", lambda s: dig(s, "serve", "person_rename", "pages_rendered"), ".0f")
    row("serve peak memory, PSS of all processes (MiB)", lambda s: dig(s, "serve", "process_peak_pss_mib"), ".0f",
        "≤400 @4k")
    row("serve peak RSS, main Python process (MiB)", lambda s: dig(s, "serve", "python_peak_rss_mib"), ".0f")

    header = ["metric"] + [f"{n} notes" for n in sizes] + ["target (issue 7)"]
    width0 = max(len(r[0]) for r in rows + [(header[0], [], "")])
    widths = [max(len(header[i + 1]), *(len(r[1][i]) for r in rows)) for i in range(len(sizes))]
    lines = ["  ".join([header[0].ljust(width0)] + [h.rjust(w) for h, w in zip(header[1:], widths)] + [header[-1]])]
    lines.append("-" * len(lines[0]))
    for label, cells, target in rows:
        lines.append("  ".join([label.ljust(width0)] + [c.rjust(w) for c, w in zip(cells, widths)] + [target]))
    codes = sorted({c for n in sizes for c in summaries[n].get("git", [])})
    lines.append("")
    lines.append("code measured: " + ", ".join(codes)
                 + ("   WARNING: the checkout changed during the run; figures mix versions" if len(codes) > 1 else ""))
    for pair, ratios in scale.items():
        lines.append("")
        lines.append(f"scaling {pair} (notes ×{ratios['notes']:.2f}): cold {fmt(ratios['cold_wall'])}×, "
                     f"render {fmt(ratios['cold_render'])}×, no-change {fmt(ratios['nochange_wall'])}×, "
                     f"note edit {fmt(ratios['note_edit'])}×, rename {fmt(ratios['person_rename'])}×, "
                     f"cold peak PSS {fmt(ratios['cold_peak_pss'])}×"
                     + ("   (target for 10000/4000: cold ≤ 2.7×)" if pair == "10000/4000" else ""))
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def bench(n: int, args, workdir: Path, leftovers: list[Path]) -> tuple[dict, dict]:
    """Run every measurement for one corpus size. What it writes is never deleted here: each
    run gets output folders of its own and `leftovers` collects them for `main` to delete
    after the last measurement, because deleting a site's ~20,000 files makes this VM's ext4
    slow to create new ones for minutes (benchmarks/README.md, "Deleting files slows the next
    build"), and that would be counted against the next build."""
    content = workdir / f"corpus-{n}"
    logs = workdir / f"logs-{n}"
    logs.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    gen_corpus.generate(n, content, seed=args.seed, force=True)
    generated = time.perf_counter() - started
    _say(f"[{n}] corpus written in {generated:.1f} s: {content}")
    runs: dict[str, list[dict]] = {"cold": [], "nochange": [], "serve": [], "browser": []}
    leftovers.append(content)
    for k in range(1, args.repeat + 1):
        out = workdir / f"site-{n}-{k}"  # cold: an output folder and build cache never used before
        leftovers += [out, cache_dir(out)]
        build_args = ["build", "--content", str(content), "--out", str(out), *(["--no-search"] if args.no_search else [])]
        cold = run_worker(build_args, logs, f"cold-{k}")
        # a large cold build leaves recording what its pages read to a background signer
        # (src/lecun_site/build/signer.py): waited for here, so that the no-change rebuild is
        # not measured waiting for it, and timed from the build's end
        started = time.perf_counter()
        wait_for_signer(cache_dir(out))
        cold["signed_after_seconds"] = time.perf_counter() - started if (cache_dir(out) / SIGN_LOCK).exists() else None
        runs["cold"].append(cold)
        _say(f"[{n}] run {k}/{args.repeat}: cold build {cold['wall_seconds']:.2f} s, "
             f"{cold.get('pages', '?')} pages, peak PSS {cold.get('peak_pss_tree_mib') or 0:.0f} MiB" + _failed(cold))
        nochange = run_worker(build_args, logs, f"nochange-{k}")
        runs["nochange"].append(nochange)
        _say(f"[{n}] run {k}/{args.repeat}: no-change rebuild {nochange['wall_seconds']:.2f} s" + _failed(nochange))
        if not args.no_serve:
            serve_out = workdir / f"serve-{n}-{k}"
            leftovers += [serve_out, cache_dir(serve_out)]
            serve_args = ["serve", "--content", str(content), "--out", str(serve_out),
                          "--note", gen_corpus.edit_note_slug(n), "--person", gen_corpus.HUB_PERSON]
            if args.no_watch:
                serve_args.append("--no-watch")
            serve = run_worker(serve_args, logs, f"serve-{k}")
            runs["serve"].append(serve)
            parts = []
            for step in ("note_edit", "watch_edit", "title_edit", "person_rename"):
                got = serve.get(step)
                if isinstance(got, dict) and got.get("ok"):
                    parts.append(f"{step} {got['seconds'] * 1000:.0f} ms ({got.get('rendered')} pages)")
                elif got is not None:
                    parts.append(f"{step} FAILED {got.get('problems')}")
            _say(f"[{n}] run {k}/{args.repeat}: serve first build {dig(serve, 'initial', 'seconds') or 0:.2f} s, "
                 + ", ".join(parts) + _failed(serve))
        if not args.no_serve and not args.no_browser:
            reason = browser.unavailable()
            if reason:
                _say(f"[{n}] run {k}/{args.repeat}: browser edit skipped: {reason}")
            else:
                browser_out = workdir / f"browser-{n}-{k}"
                leftovers += [browser_out, cache_dir(browser_out)]
                seen = browser.measure(content, browser_out, gen_corpus.edit_note_slug(n))
                runs["browser"].append(seen)
                _say(f"[{n}] run {k}/{args.repeat}: save → browser shows it: "
                     + (", ".join(f"{ms:.0f}" for ms in seen["edits_ms"]) + " ms" if seen["ok"]
                        else f"FAILED {seen.get('problems')}"))
    summary = summarise(n, runs)
    summary["corpus"] = {"seed": args.seed, "generate_seconds": generated, "files": sum(1 for p in content.rglob("*") if p.is_file()),
                         "bytes": sum(p.stat().st_size for p in content.rglob("*") if p.is_file()),
                         "edited_note": gen_corpus.edit_note_slug(n), "renamed_person": gen_corpus.HUB_PERSON}
    return summary, runs


def _failed(run: dict) -> str:
    if run.get("failed") or run.get("exit_code"):
        return "  FAILED:\n" + (run.get("log_tail") or "")
    return ""


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[1000, 4000, 10000], help="corpus sizes (default 1000 4000 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are reported (default 3)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here as JSON")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and outputs go (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep corpora, outputs and logs")
    parser.add_argument("--no-serve", action="store_true", help="skip the serve/incremental measurements")
    parser.add_argument("--no-watch", action="store_true", help="skip the watcher measurement")
    parser.add_argument("--no-browser", action="store_true", help="skip the save-to-browser measurement")
    parser.add_argument("--no-search", action="store_true", help="build without the Pagefind index "
                        "(what Hugo and Eleventy builds compare with: they index nothing)")
    parser.add_argument("--wait-for-load", type=float, default=None, metavar="LOAD",
                        help=f"before each run, wait (up to {QUIET_MAX_WAIT:.0f} s) for the 1-minute load average "
                             "to fall below LOAD: for shared machines")
    args = parser.parse_args(argv)
    global QUIET_LOAD
    QUIET_LOAD = args.wait_for_load
    if args.repeat < 1 or any(n < 1 for n in args.notes):
        parser.error("--repeat and --notes must be positive")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lecun-bench-"))
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    for name in ("templates", "static"):
        if (workdir / name).exists():
            parser.error(f"{workdir / name} exists: the build would use it instead of the project's own {name}/")
    info = machine()
    _say(f"lecun-site benchmark: {info['nproc']} cores, {info['cpu_model']}, Python {info['python']}, "
         f"git {info['git']}; work folder {workdir}")
    summaries, raw = {}, {}
    started = time.time()
    leftovers: list[Path] = []
    try:
        for n in sorted(set(args.notes)):
            summaries[n], raw[n] = bench(n, args, workdir, leftovers)
            if args.json:  # write as we go: a long run interrupted still leaves its figures
                _write_json(args.json, info, args, summaries, raw, started)
    finally:
        if not args.keep:
            for path in leftovers:
                shutil.rmtree(path, ignore_errors=True)
            if args.workdir is None:
                shutil.rmtree(workdir, ignore_errors=True)
    scale = scaling(summaries)
    print(table(summaries, scale))
    if args.json:
        _write_json(args.json, info, args, summaries, raw, started)
        print(f"\nwrote {args.json}")
    failed = any((s.get(k) or {}).get("failed_runs") for s in summaries.values()
                 for k in ("cold", "nochange", "serve", "browser_edit"))
    return 1 if failed else 0


def _write_json(path: Path, info: dict, args, summaries: dict, raw: dict, started: float) -> None:
    data = {
        "machine": info,
        "settings": {"notes": sorted(set(args.notes)), "repeat": args.repeat, "seed": args.seed,
                     "watch": not args.no_watch, "serve": not args.no_serve, "wait_for_load": args.wait_for_load,
                     "search": not args.no_search},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "targets": {k: (v if not isinstance(v, dict) else {str(n): t for n, t in v.items()}) for k, v in TARGETS.items()},
        "results": {str(n): s for n, s in sorted(summaries.items())},
        "scaling": scaling(summaries),
        "runs": {str(n): r for n, r in sorted(raw.items())},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
