"""Profile one cold build of a synthetic corpus, rendering in this one process.

    .venv/bin/pip install pyinstrument        # optional: the call tree; cProfile is always used
    python -m benchmarks.profile --notes 1000 [--seed 1] [--edit] [--out DIR]

Prints the functions with the most time of their own (cProfile, `tottime`) and the most time
including callees (`cumtime`); with pyinstrument installed, also writes its call tree. Forked
render workers are switched off (`core.PARALLEL_MIN_PAGES`) so that rendering is profiled
too, not the parent waiting for its workers. `--edit` profiles serve's one-note edit instead
(`incremental.Builder`: one build, then an edited note and `builder.build()`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import gen_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edit", action="store_true", help="profile a one-note edit through incremental.Builder")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, default=None, help="write profile.txt (and tree.txt) here")
    args = parser.parse_args(argv)

    from lecun_site.build import core
    from lecun_site.build.pipeline import BuildOptions, build_site

    core.PARALLEL_MIN_PAGES = 10**9  # render in this process, where the profiler sees it
    work = Path(tempfile.mkdtemp(prefix="lecun-profile-"))
    try:
        content = gen_corpus.generate(args.notes, work / "corpus", seed=args.seed)
        out = work / "site"
        if args.edit:
            from lecun_site.serve.session import Builder

            builder = Builder(BuildOptions(content=content, out=out, drafts=True, base_url="/"))
            builder.build()
            note = content / "notes" / f"{gen_corpus.edit_note_slug(args.notes)}.zh.md"

            def target():
                with open(note, "a", encoding="utf-8") as handle:
                    handle.write("\n补充一句。\n")
                report = builder.build()
                return f"{len(report.rendered)} of {report.pages} pages re-rendered"
        else:
            def target():
                report = build_site(BuildOptions(content=content, out=out))
                return f"{report.pages} pages; timings " + ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items())

        tree = None
        try:
            from pyinstrument import Profiler
        except ImportError:
            Profiler = None
        if Profiler is not None:
            profiler = Profiler(interval=0.001)
            profiler.start()
            started = time.perf_counter()
            summary = target()
            seconds = time.perf_counter() - started
            profiler.stop()
            tree = profiler.output_text(unicode=True, color=False, show_all=False)
            print(f"pyinstrument: {seconds:.2f} s, {summary}")
            if not args.edit:
                shutil.rmtree(out, ignore_errors=True)  # the cProfile run below is a cold build too

        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        summary = target()
        profile.disable()
        seconds = time.perf_counter() - started
        text = io.StringIO()
        stats = pstats.Stats(profile, stream=text)
        text.write(f"cProfile: {seconds:.2f} s (with profiling overhead), {summary}\n\n")
        text.write(f"== top {args.top} by own time (tottime)\n")
        stats.sort_stats("tottime").print_stats(args.top)
        text.write(f"== top {args.top} by time including callees (cumtime)\n")
        stats.sort_stats("cumulative").print_stats(args.top)
        report = text.getvalue()
        print(report)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "profile.txt").write_text(report, encoding="utf-8")
            if tree:
                (args.out / "tree.txt").write_text(tree, encoding="utf-8")
            print(f"wrote {args.out}/profile.txt" + (" and tree.txt" if tree else ""))
        elif tree:
            print(tree)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
