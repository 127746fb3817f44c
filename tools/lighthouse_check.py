"""Lighthouse on the pages a reader meets first, in both languages: home, timeline, a note, a
person and a transcript. Every category must score at least --min (95).

    npm install --prefix tools/lighthouse        # once: Lighthouse 12.2.3 (package.json)
    python tools/lighthouse_check.py [--min 95]

It builds content/ into a temporary folder, serves it on 127.0.0.1 and runs Lighthouse with
Debian's Chromium (the browser the tests use). Not part of the test suite: Lighthouse needs
Node and npm, and takes a minute or two.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["{lang}/", "{lang}/timeline/", "{lang}/notes/heroes-interview/", "{lang}/people/yann-lecun/",
         "{lang}/transcripts/heroes-of-deep-learning/"]
CATEGORIES = "performance,accessibility,best-practices,seo"
FLAGS = ("--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--min", type=int, default=95)
    args = parser.parse_args()
    binary = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        print(f"Lighthouse is not installed: npm install --prefix {binary.parents[2]}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "_site"
        subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(ROOT / "content"),
                        "--out", str(out), "--no-search", "--no-cache", "--quiet"], check=True)
        handler = functools.partial(_QuietHandler, directory=str(out))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        failed = []
        try:
            for page in (p.format(lang=lang) for lang in ("zh", "en") for p in PAGES):
                report = Path(work) / "report.json"
                subprocess.run([str(binary), f"http://127.0.0.1:{server.server_address[1]}/{page}",
                                "--chrome-path=/usr/bin/chromium", f"--chrome-flags={FLAGS}", "--quiet",
                                f"--only-categories={CATEGORIES}", "--output=json", f"--output-path={report}"],
                               check=True, capture_output=True)
                scores = {k: round(v["score"] * 100) for k, v in json.loads(report.read_text())["categories"].items()}
                print(f"{page:45} " + "  ".join(f"{k} {v}" for k, v in scores.items()))
                failed += [f"{page} {k} {v}" for k, v in scores.items() if v < args.min]
        finally:
            server.shutdown()
    if failed:
        print(f"below {args.min}: " + "; ".join(failed), file=sys.stderr)
        return 1
    print(f"every category of every page scores at least {args.min}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
